/*
 * tui-plan.c - the job plan the wizard's choices add up to.  The review
 * shows it, the flash step runs it; both take it from here so what is
 * shown is what runs.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

bool
tui_build_plan(struct tui *t, struct job_plan *plan, char *why, size_t size)
{
	job_plan_init(plan);
	why[0] = '\0';
	if (t->programmer == NULL || t->part == NULL || t->image == NULL) {
		snprintf(why, size, "%s", t->programmer == NULL ? "no programmer chosen" :
			 t->part == NULL ? "the target was not identified" :
			 "no bootloader file loaded");
		return false;
	}
	plan->catalog = t->cat;
	plan->programmer = t->programmer;
	plan->port = t->port;
	plan->part = t->part;
	plan->image = t->image;
	plan->image_path = t->image_path;
	plan->image_is_bootloader = true;
	/* A file that also carries an Arduino sketch: the bootloader is its
	 * last run of bytes, and only that must fit the boot section. */
	if (t->bootloader != NULL && t->bootloader->combined_sketch &&
	    hex_image_segment_count(t->image) >= 2) {
		struct hex_segment s = hex_image_segment(t->image,
							 hex_image_segment_count(t->image) - 1);

		plan->boot_start = s.addr;
		plan->boot_end = s.addr + s.len;
	}
	plan->fuses = t->fuses;
	if (t->preset != NULL && t->preset->has_lock) {
		plan->has_lock = true;
		plan->lock = t->preset->lock;
	}
	plan->backup = true;
	if (t->demo != NULL)
		plan->backup_dir = tui_demo_backup_dir(t->demo);
	plan->sim_faults = t->opt->demo_faults;
	plan->n_sim_faults = t->opt->n_demo_faults;
	return true;
}

const char *
tui_bootloader_title(const struct catalog_bootloader *bl, char *buf, size_t size)
{
	static const struct {
		const char *family, *words;
	} families[] = {
		{ "atmel-dfu", "Atmel DFU" },
		{ "caterina", "Caterina" },
		{ "bootloadhid", "BootloadHID" },
		{ "usbasploader", "USBaspLoader" },
	};
	const char *words = bl->family != NULL ? bl->family : "bootloader";

	for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
		if (bl->family != NULL && strcmp(bl->family, families[i].family) == 0)
			words = families[i].words;
	snprintf(buf, size, "%s: %s", words, bl->name != NULL ? bl->name : bl->id);
	return buf;
}
