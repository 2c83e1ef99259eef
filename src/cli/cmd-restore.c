/*
 * cmd-restore.c - `ispwiz restore BACKUP.json`: put a backup that `flash`
 * or `read` made back onto its chip, as an ordinary ISP job (job-restore.c):
 * what the chip holds now is backed up first, then flash, EEPROM, fuses
 * after the verify and the lock byte last, under the flash job's fuse rules.
 *
 * The backup names its part and the programmer it was read with, so -p and
 * -c may be left out; given, -p must agree with the backup.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "job/backup.h"

#define RESTORE_USAGE \
	"restore BACKUP.json [-c PROG] [-P PORT] [-b BAUD] [-x OPT]... [-p PART] " \
	"[--yes] [--unsafe-fuses] [--no-backup] [--dry-run] [--json] " \
	"[--sim-state FILE] [--sim-fault KNOB]...\n" \
	"  -c and -p default to the programmer and part the backup was read with."

static int restore_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_restore = {
	.name = "restore",
	.usage = RESTORE_USAGE,
	.summary = "write a backup (flash, EEPROM, fuses, lock) back onto its chip",
	.run = restore_run,
};

enum {
	OPT_YES = 'y',
	OPT_UNSAFE = 0x2000,
	OPT_NO_BACKUP,
	OPT_DRY_RUN,
};

struct restore_opts {
	struct cli_job_opts job;
	const char *backup;
	bool yes, unsafe, no_backup, dry_run;
};

static int
parse(struct session *ctx, int argc, char **argv, struct restore_opts *o, int *rc)
{
	static const struct option longopts[] = {
		CLI_JOB_LONGOPTS,
		{ "yes", no_argument, NULL, OPT_YES },
		{ "unsafe-fuses", no_argument, NULL, OPT_UNSAFE },
		{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_restore,
				.shortopts = CLI_JOB_SHORTOPTS "y",
				.longopts = longopts, .repeatable = cli_job_repeatable };
	int c;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		int handled = cli_job_option(ctx, &cmd_restore, c, optarg, &o->job, rc);

		if (handled < 0)
			return -1;
		switch (c) {
		case OPT_YES: o->yes = true; break;
		case OPT_UNSAFE: o->unsafe = true; break;
		case OPT_NO_BACKUP: o->no_backup = true; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		}
	}
	if (c == CLI_GETOPT_ERROR) {
		*rc = g.rc;
		return -1;
	}
	if (cli_job_driver_help(ctx, &cmd_restore, &o->job, rc))
		return -1;
	if (optind >= argc) {
		*rc = cli_usage_error(ctx, &cmd_restore, "no backup: give the BACKUP.json "
				      "that `ispwiz flash` or `ispwiz read -o` wrote");
		return -1;
	}
	o->backup = argv[optind++];
	if (optind < argc) {
		*rc = cli_usage_error(ctx, &cmd_restore, "unexpected argument '%s': restore "
				      "takes one backup", argv[optind]);
		return -1;
	}
	return 0;
}

/* What is about to go back, before the job's own lines. */
static void
announce(struct session *ctx, const struct backup_set *set, const struct job_plan *plan,
	 bool programmer_from_backup)
{
	if (ctx->json)
		return;
	fprintf(stderr, "restoring %s of the %s: %s%s%s%s\n", set->what,
		catalog_part_label(set->part),
		set->flash != NULL ? "flash" : "no flash",
		set->eeprom_data != NULL ? ", EEPROM" : "",
		fuse_set_any(&set->fuses) ? ", fuses" : "",
		plan->has_lock ? ", lock" : "");
	if (set->note[0] != '\0')
		fprintf(stderr, "note from the backup: %s\n", set->note);
	if (programmer_from_backup)
		fprintf(stderr, "programmer: %s, as the backup was read with (-c to choose "
			"another)\n", set->programmer);
}

static int
restore_run(struct session *ctx, int argc, char **argv)
{
	struct restore_opts o;
	struct backup_set set;
	struct job_plan plan;
	struct job_result *res = NULL;
	const struct catalog *cat;
	struct iw_error err;
	bool programmer_from_backup = false;
	int rc = 0;

	memset(&o, 0, sizeof o);
	memset(&set, 0, sizeof set);
	job_plan_init(&plan);
	if (parse(ctx, argc, argv, &o, &rc) != 0)
		return rc;
	if ((cat = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	iw_error_clear(&err);
	if (backup_load(o.backup, cat, &set, &err) != IW_OK)
		return cli_fail(ctx, &err);
	if (o.job.programmer == NULL && set.programmer[0] != '\0') {
		o.job.programmer = set.programmer;
		programmer_from_backup = true;
	}
	if (o.job.part == NULL)
		o.job.part = set.part->id;
	if ((rc = cli_job_setup(ctx, &cmd_restore, &o.job, &plan)) != 0)
		goto out;
	if (job_plan_use_backup(&plan, &set, &err) != IW_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	plan.backup = !o.no_backup;
	plan.yes = o.yes;
	plan.unsafe_fuses = o.unsafe;
	if (o.dry_run) {
		rc = cli_job_dry_run(ctx, &plan);
		goto out;
	}
	announce(ctx, &set, &plan, programmer_from_backup);
	if ((res = calloc(1, sizeof *res)) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		rc = cli_fail(ctx, &err);
		goto out;
	}
	rc = cli_job_execute(ctx, &plan, res);
	if (!ctx->json && res->status == IW_SIGNATURE)
		fprintf(stderr, "%s is a backup of the %s: it goes back only onto that "
			"chip, not onto another part\n", set.json, catalog_part_label(set.part));
	if (!ctx->json && res->backup_json[0] != '\0')
		fprintf(rc == 0 ? stdout : stderr, "backup of what the chip held before the "
			"restore: %s\n", res->backup_json);
out:
	free(res);
	backup_set_free(&set);
	return rc;
}
