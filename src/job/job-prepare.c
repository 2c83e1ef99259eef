/*
 * job-prepare.c - what `ispwiz prepare` and the wizard's ISP-firmware step
 * share: which file is the programmer's ISP firmware, whether it is the
 * known upstream one, and the upload plan that loads it through the
 * board's own bootloader and then waits for the programmer to enumerate.
 */
#include "job/job.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/catalog-identify.h"
#include "core/file-util.h"

const struct catalog_part *
job_prepare_part(const struct catalog *cat, const struct catalog_programmer *pg,
		 struct iw_error *err)
{
	const struct catalog_part *part;
	const char *id;

	if (pg->firmware == NULL) {
		iw_error_set(err, IW_USAGE, "the %s needs no firmware of its own: it is ready as "
			     "it is", catalog_programmer_label(pg));
		return NULL;
	}
	/* Both boards of the guide are ATmega32U4s; an entry says otherwise. */
	id = pg->firmware->part != NULL ? pg->firmware->part : "atmega32u4";
	if ((part = catalog_find_part(cat, id)) == NULL)
		iw_error_set(err, IW_CATALOG, "programmer %s's isp_firmware names part '%s', "
			     "which the catalog does not have", pg->id, id);
	return part;
}

enum iw_status
job_prepare_find_file(const struct catalog_programmer *pg, char *path, size_t size,
		      struct iw_error *err)
{
	const struct catalog_isp_firmware *fw = pg->firmware;
	char dir[3072];

	if (access(fw->file, R_OK) == 0) {
		snprintf(path, size, "%s", fw->file);
		return IW_OK;
	}
	if (file_cache_dir(dir, sizeof dir)) {
		snprintf(path, size, "%s/%s", dir, fw->file);
		if (access(path, R_OK) == 0)
			return IW_OK;
	}
	path[0] = '\0';
	return iw_error_set(err, IW_NOT_FOUND, "%s is neither here nor in the download cache: "
			    "get it with `ispwiz fetch %s`, or download it from %s and give it "
			    "with -f", fw->file, pg->id, fw->url != NULL ? fw->url :
			    fw->page != NULL ? fw->page : "its upstream project");
}

enum iw_status
job_prepare_judge(const struct catalog *cat, const struct catalog_programmer *pg,
		  const struct catalog_part *part, const struct hex_image *img,
		  const char *path, bool *known, struct iw_error *err)
{
	struct catalog_matches m;
	enum iw_status st;

	*known = false;
	if ((st = catalog_identify(cat, img, &m, err)) != IW_OK)
		return st;
	for (size_t i = 0; i < m.n; i++) {
		if (m.m[i].programmer == pg) {
			*known = true;
			return IW_OK;
		}
		return iw_error_set(err, IW_REFUSED, "%s is %s, not the ISP firmware of the %s: "
				    "give that programmer's file (%s)", path,
				    m.m[i].programmer != NULL ? m.m[i].programmer->firmware->file :
				    catalog_bootloader_label(m.m[i].bootloader),
				    catalog_programmer_label(pg), pg->firmware->file);
	}
	if ((st = hex_image_check_fits(img, part->flash_size, catalog_part_label(part),
				       err)) != IW_OK)
		return st;
	return iw_error_set(err, IW_CONFIRM, "%s is not the known upstream %s (it matches no "
			    "file ispwiz knows): load it only if you built it for this %s "
			    "yourself", path, pg->firmware->file, catalog_part_label(part));
}

void
job_plan_prepare(struct job_plan *plan, const struct catalog *cat,
		 const struct catalog_programmer *pg, const struct catalog_part *part,
		 const struct hex_image *img, const char *path)
{
	job_plan_init(plan);
	plan->kind = JOB_KIND_UPLOAD;
	plan->catalog = cat;
	plan->programmer = pg;
	plan->part = part;
	plan->image = img;
	plan->image_path = path;
	plan->via = pg->firmware->loader;
	plan->then_ids = pg->usb_ids;
	plan->n_then_ids = pg->n_usb_ids;
	plan->then_name = catalog_programmer_label(pg);
}
