/* job-bootloader.c - choosing a catalog bootloader and its fuse preset for a
 * plan: the one rule both front ends use (job.h). */
#include "job/job.h"

#include <stdio.h>
#include <string.h>

/* Where in the image the bootloader is, for the boot-section fit check:
 * where its known boot identity is found, else (a file that also carries a
 * sketch) its last run of bytes, else the whole image. */
static void
bootloader_range(struct job_plan *plan)
{
	const struct catalog_bootloader *bl = plan->bootloader;
	uint32_t start, end;

	plan->boot_start = plan->boot_end = 0;
	if (plan->image == NULL || bl == NULL)
		return;
	for (size_t k = 0; k < bl->n_identities; k++) {
		const struct image_id *want = &bl->identities[k].boot;
		struct image_id here;

		if (!bl->identities[k].has_boot || plan->part == NULL ||
		    want->start >= plan->part->flash_size)
			continue;
		if (identity_boot(plan->image, want->start, plan->part->flash_size, &here,
				  NULL) == IW_OK && identity_equal(&here, want)) {
			plan->boot_start = want->start;
			plan->boot_end = want->start + want->length;
			return;
		}
	}
	if (bl->combined_sketch && hex_image_last_segment(plan->image, &start, &end)) {
		plan->boot_start = start;
		plan->boot_end = end;
	}
}

void
job_plan_set_image(struct job_plan *plan, const struct hex_image *img, const char *path)
{
	plan->image = img;
	plan->image_path = path;
	bootloader_range(plan);
}

enum iw_status
job_bootloader_preset(const struct catalog_bootloader *bl, const char *name,
		      const struct catalog_preset **out, struct iw_error *err)
{
	char names[256];
	size_t used = 0;

	*out = catalog_find_preset(bl, name != NULL ? name : "default");
	if (*out == NULL && name == NULL && bl->n_presets > 0)
		*out = &bl->presets[0];
	if (*out != NULL || (name == NULL && bl->n_presets == 0))
		return IW_OK;
	names[0] = '\0';
	for (size_t i = 0; i < bl->n_presets && used < sizeof names; i++) {
		int n = snprintf(names + used, sizeof names - used, "%s%s", i > 0 ? ", " : "",
				 bl->presets[i].name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return iw_error_set(err, IW_USAGE, "bootloader %s has no preset '%s' (it has: %s)",
			    bl->id, name, bl->n_presets > 0 ? names : "none");
}

enum iw_status
job_plan_use_bootloader(struct job_plan *plan, const struct catalog_bootloader *bl,
			const struct catalog_preset *preset, struct iw_error *err)
{
	const struct catalog_part *blpart = catalog_find_part(plan->catalog, bl->part);

	if (plan->part == NULL || blpart != plan->part)
		return iw_error_set(err, IW_USAGE, "bootloader %s is built for the %s, not "
				    "the %s selected", bl->id,
				    blpart != NULL ? catalog_part_label(blpart) : bl->part,
				    catalog_part_label(plan->part));
	plan->bootloader = bl;
	plan->image_is_bootloader = true;
	if (preset != NULL) {
		fuse_set_from_preset(&plan->fuses, preset);
		plan->has_lock = preset->has_lock;
		plan->lock = preset->lock;
	}
	bootloader_range(plan);
	return IW_OK;
}
