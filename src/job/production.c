/*
 * production.c - merging a keyboard's firmware under its bootloader
 * (production.h).  Identity first, then addresses: a bootloader given as
 * the firmware is named as what it is, not reported as an overlap.
 */
#include "job/production.h"

#include <stdio.h>
#include <string.h>

#include "core/catalog-identify.h"

enum iw_status
production_judge_firmware(const struct catalog *cat, const struct hex_image *fw,
			  const char *fw_path, struct iw_error *err)
{
	const struct catalog_programmer *pg;
	struct catalog_matches m;
	char title[200];

	if (catalog_identify(cat, fw, &m, err) != IW_OK)
		return err->code;
	if ((pg = catalog_matches_firmware(&m)) != NULL)
		return iw_error_set(err, IW_REFUSED, "%s is the ISP firmware of the %s, not a "
				    "keyboard's firmware: give the keyboard's QMK build "
				    "(KEYBOARD_KEYMAP.hex)", fw_path, catalog_programmer_label(pg));
	for (size_t i = 0; i < m.n; i++) {
		const struct catalog_bootloader *bl = m.m[i].bootloader;

		if (bl == NULL)
			continue;
		snprintf(title, sizeof title, "%s: %s", catalog_family_label(bl->family),
			 catalog_bootloader_label(bl));
		return iw_error_set(err, IW_REFUSED, m.m[i].whole ? "%s is %s, a bootloader "
				    "(for the %s), not a keyboard's firmware: give the keyboard's "
				    "QMK build (KEYBOARD_KEYMAP.hex)" : "%s already holds a "
				    "bootloader, %s (for the %s): it is a production or combined "
				    "image itself; flash it alone as the bootloader file, or give "
				    "the keyboard's own QMK build", fw_path, title, bl->part);
	}
	return IW_OK;
}

enum iw_status
production_merge(const struct catalog *cat, const struct catalog_part *part,
		 const struct hex_image *boot, const char *boot_path,
		 const struct hex_image *fw, const char *fw_path,
		 struct hex_image **out, struct iw_error *err)
{
	struct hex_image *img;
	uint32_t boot_lo, fw_last;
	enum iw_status st;

	*out = NULL;
	if (hex_image_empty(boot))
		return iw_error_set(err, IW_INPUT, "%s holds no data: no bootloader to put the "
				    "firmware under", boot_path);
	if (hex_image_empty(fw))
		return iw_error_set(err, IW_INPUT, "%s holds no data: check that it is the "
				    "keyboard's build", fw_path);
	if ((st = production_judge_firmware(cat, fw, fw_path, err)) != IW_OK)
		return st;
	if ((st = hex_image_check_fits(fw, part->flash_size, catalog_part_label(part),
				       err)) != IW_OK) {
		iw_error_prefix(err, "%s is built for a chip with more flash than the %s "
				"(check the keyboard and its MCU)", fw_path,
				catalog_part_label(part));
		return st;
	}
	boot_lo = hex_image_min_addr(boot);
	fw_last = hex_image_last_addr(fw);
	if (fw_last >= boot_lo)
		return iw_error_set(err, IW_RANGE, "%s holds data from 0x%05X to 0x%05X, but the "
				    "bootloader %s starts at 0x%05X: the firmware would overwrite "
				    "it; it is too big for this bootloader, or it is no keyboard "
				    "firmware; nothing was merged", fw_path, hex_image_min_addr(fw),
				    fw_last, boot_path, boot_lo);
	if ((img = hex_image_new()) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory merging %s", fw_path);
	if ((st = hex_image_merge(img, fw, err)) != IW_OK ||
	    (st = hex_image_merge(img, boot, err)) != IW_OK ||
	    (st = hex_image_check_fits(img, part->flash_size, catalog_part_label(part),
				       err)) != IW_OK) {
		iw_error_prefix(err, "cannot merge %s under %s", fw_path, boot_path);
		hex_image_free(img);
		return st;
	}
	*out = img;
	return IW_OK;
}
