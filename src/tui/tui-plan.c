/*
 * tui-plan.c - the job plan the wizard's choices add up to.  The review
 * shows it, the flash step runs it; both take it from here so what is
 * shown is what runs.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

void
tui_plan_start(const struct tui *t, struct job_plan *plan, const struct catalog_part *part)
{
	job_plan_init(plan);
	plan->catalog = t->cat;
	plan->programmer = t->programmer;
	plan->port = t->port;
	plan->part = part;
	plan->sim_faults = t->opt->demo_faults;
	plan->n_sim_faults = t->opt->n_demo_faults;
	plan->driver_opts = t->driver_opt_ptr;
	plan->n_driver_opts = t->n_driver_opts;
	plan->max_sck_hz = t->max_sck_hz;
}

bool
tui_build_plan(struct tui *t, struct job_plan *plan, char *why, size_t size)
{
	struct iw_error err;

	tui_plan_start(t, plan, t->part);
	why[0] = '\0';
	if (t->programmer == NULL || t->part == NULL || t->image == NULL) {
		snprintf(why, size, "%s", t->programmer == NULL ? "no programmer chosen" :
			 t->part == NULL ? "the target was not identified" :
			 "no bootloader file loaded");
		return false;
	}
	job_plan_set_image(plan, t->image, t->image_path);
	plan->image_is_bootloader = true;
	if (t->bootloader != NULL &&
	    job_plan_use_bootloader(plan, t->bootloader, t->preset, &err) != IW_OK) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	tui_production_plan(t, plan);
	/* The preset's bytes, or what the user typed over them. */
	plan->fuses = t->fuses;
	plan->backup = true;
	if (t->demo != NULL)
		plan->backup_dir = demo_backup_dir(t->demo);
	return true;
}

const char *
tui_bootloader_title(const struct catalog_bootloader *bl, char *buf, size_t size)
{
	snprintf(buf, size, "%s: %s", catalog_family_label(bl->family),
		 catalog_bootloader_label(bl));
	return buf;
}
