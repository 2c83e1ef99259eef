/*
 * job-upload-file.c - the rules both front ends apply to a file given for
 * an upload through a chip's own bootloader: a bootloader's own file is
 * never uploaded (a bootloader cannot write itself; it goes on over ISP),
 * and a raw binary (.bin) goes only through Atmel DFU, the one bootloader
 * whose tools (dfu-programmer, QMK's flashing) take it: a .bin has no
 * addresses, and the Atmel DFU bootloaders load it from 0x0000.
 */
#include "job/job.h"

#include <stdio.h>
#include <string.h>

#include "core/catalog-identify.h"

enum iw_status
job_upload_refuse_raw(const char *path, const char *via, struct iw_error *err)
{
	return iw_error_set(err, IW_REFUSED, "%s is a raw binary (.bin): only the Atmel DFU "
			    "bootloader takes one (loaded at 0x0000); %s needs the Intel HEX "
			    "build: QMK's `qmk compile` writes KEYBOARD_KEYMAP.hex for it, or "
			    "convert with `objcopy -I binary -O ihex %s FIRMWARE.hex`; nothing "
			    "was written", path, catalog_family_label(via), path);
}

enum iw_status
job_upload_read_file(const struct catalog *cat, const char *via, struct hex_image *img,
		     const char *path, bool *raw, struct iw_error *err)
{
	const struct catalog_part *big = catalog_largest_part(cat);
	char why[160];

	*raw = hex_path_is_raw_binary(path);
	if (!*raw)
		return catalog_read_image(cat, img, path, err);
	if (via != NULL && strcmp(via, JOB_RAW_BINARY_VIA) != 0)
		return job_upload_refuse_raw(path, via, err);
	snprintf(why, sizeof why, "the largest flash of any part in the catalog (the %s's "
		 "%u KiB)", big != NULL ? catalog_part_label(big) : "?",
		 big != NULL ? big->flash_size / 1024u : 0u);
	return hex_image_read_bin(img, path, big != NULL ? big->flash_size : 0x40000u, why,
				  err);
}

enum iw_status
job_upload_check_file(const struct catalog *cat, const struct hex_image *img, const char *path,
		      struct iw_error *err)
{
	struct catalog_matches m;
	enum iw_status st;

	if ((st = catalog_identify(cat, img, &m, err)) != IW_OK)
		return st;
	for (size_t i = 0; i < m.n; i++) {
		if (m.m[i].bootloader == NULL || !m.m[i].whole)
			continue;
		return iw_error_set(err, IW_REFUSED, "%s is %s, a bootloader: a bootloader "
				    "cannot write itself; put it on over ISP with `ispwiz flash "
				    "--bootloader %s`", path,
				    catalog_bootloader_label(m.m[i].bootloader),
				    m.m[i].bootloader->id);
	}
	return IW_OK;
}
