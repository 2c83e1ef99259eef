/*
 * tui-restore.c - "Put back the backup": the wizard's way back.  The first
 * backup a job took is the one that holds what the chip had before ispwiz
 * touched it; it is kept by name (struct tui's first_backup) across a
 * cancel, an unplug and any number of retries, whose own backups are of a
 * half-written chip and are labelled so.  Putting it back is an ordinary
 * job (job_plan_use_backup): a backup of the chip as it is now first, the
 * signature check, fuses after the verify, lock last, and a refuse-class
 * fuse value is never written (the wizard has no expert flag).
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

#include "job/backup.h"

void
tui_note_backup(struct tui *t, const struct job_result *r)
{
	if (r->backup_json[0] == '\0')
		return;
	if (t->first_backup_json[0] == '\0') {
		snprintf(t->first_backup_json, sizeof t->first_backup_json, "%s", r->backup_json);
		snprintf(t->first_backup_hex, sizeof t->first_backup_hex, "%s",
			 r->backup_hex[0] != '\0' ? r->backup_hex : r->backup_json);
		tui_log(t, "backup: first of this board: %s", t->first_backup_json);
	} else if (strcmp(t->first_backup_json, r->backup_json) != 0) {
		snprintf(t->later_backup, sizeof t->later_backup, "%s",
			 r->backup_hex[0] != '\0' ? r->backup_hex : r->backup_json);
		tui_log(t, "backup: a later one (the chip as a retry found it): %s",
			t->later_backup);
	}
}

void
tui_forget_backups(struct tui *t)
{
	t->first_backup_json[0] = '\0';
	t->first_backup_hex[0] = '\0';
	t->later_backup[0] = '\0';
}

void
tui_describe_backups(const struct tui *t, struct tui_text *out)
{
	if (t->first_backup_hex[0] == '\0')
		return;
	tui_text_addf(out, TUI_ROLE_NORMAL, "Backup of what the chip held before: %s%s",
		      t->first_backup_hex, t->demo != NULL ? " (demo: removed on exit)" : "");
	if (t->later_backup[0] != '\0') {
		tui_text_add(out, TUI_ROLE_DIM, 0, "A later backup, of the chip as a retry "
			     "found it (half-written, not its original contents):");
		tui_text_addf(out, TUI_ROLE_DIM, "  %s", t->later_backup);
	}
}

bool
tui_restore_plan(struct tui *t, const char *json, struct backup_set *set,
		 struct job_plan *plan, char *why, size_t size)
{
	struct iw_error err;

	iw_error_clear(&err);
	backup_set_free(set);
	memset(set, 0, sizeof *set);
	tui_plan_start(t, plan, t->part);
	if (t->programmer == NULL) {
		snprintf(why, size, "choose the programmer first");
		return false;
	}
	if (backup_load(json, t->cat, set, &err) != IW_OK) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	if (job_plan_use_backup(plan, set, &err) != IW_OK) {
		snprintf(why, size, "%s", err.msg);
		return false;
	}
	/* The question the user answered yes to is the confirmation; a
	 * refuse-class value still stops the job (no unsafe_fuses here). */
	plan->yes = true;
	plan->backup = true;
	if (t->demo != NULL)
		plan->backup_dir = demo_backup_dir(t->demo);
	return true;
}
