/*
 * cmd-flash.c - `ispwiz flash`: write a HEX image (usually a bootloader)
 * and fuses through an ISP programmer, in the job runner's safe order.
 *
 * With --bootloader ID the catalog supplies the fuse preset and the known
 * upstream file's SHA-256; a file that differs is flashed only with a
 * warning that names both hashes, since people do build their own.
 * --dry-run shows the plan and the equivalent avrdude command and touches
 * nothing.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "core/hex-image.h"

#define FLASH_USAGE \
	"flash -c PROG [-P PORT] [-b BAUD] [-x OPT]... (-p PART | --keyboard NAME) " \
	"(-f FILE.hex | --bootloader ID [-f FILE.hex]) " \
	"[--preset NAME] [--lfuse X --hfuse X --efuse X] [--yes] [--no-backup] " \
	"[--dry-run] [--json] [--unsafe-fuses] [--sim-state FILE] [--sim-fault KNOB]...\n" \
	"  -x OPT: a programmer option as avrdude spells it (-x reset=aux); " \
	"-c PROG -x help lists them."

static int flash_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_flash = {
	.name = "flash",
	.usage = FLASH_USAGE,
	.summary = "back up, erase, write and verify an image, then fuses and lock bits",
	.run = flash_run,
};

enum {
	OPT_NO_BACKUP = 0x2000,
	OPT_DRY_RUN,
};

struct flash_opts {
	struct cli_job_opts job;
	struct cli_image_opts image;
	bool no_backup, dry_run;
};

static int
parse(struct session *ctx, int argc, char **argv, struct flash_opts *o, int *rc)
{
	static const struct option longopts[] = {
		CLI_JOB_LONGOPTS,
		CLI_IMAGE_LONGOPTS,
		{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_flash,
				.shortopts = CLI_JOB_SHORTOPTS CLI_IMAGE_SHORTOPTS,
				.longopts = longopts, .repeatable = cli_job_repeatable,
				.repeat_hint = cli_image_repeat_hint };
	int c;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		int handled = cli_image_option(ctx, &cmd_flash, c, optarg, &o->job,
					       &o->image, rc);

		if (handled < 0)
			return -1;
		switch (c) {
		case OPT_NO_BACKUP: o->no_backup = true; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		}
	}
	if (c == CLI_GETOPT_ERROR) {
		*rc = g.rc;
		return -1;
	}
	if (cli_image_finish(ctx, &cmd_flash, &o->job, &o->image, argc, argv, rc))
		return -1;
	return 0;
}

/* --- the command -------------------------------------------------------------------- */

static int
flash_run(struct session *ctx, int argc, char **argv)
{
	struct flash_opts o;
	struct job_plan plan;
	struct job_result *res = NULL;
	struct hex_image *img = NULL;
	struct iw_error err;
	int rc = 0;

	memset(&o, 0, sizeof o);
	job_plan_init(&plan);
	if (parse(ctx, argc, argv, &o, &rc) != 0)
		return rc;
	if ((rc = cli_job_setup(ctx, &cmd_flash, &o.job, &plan)) != 0)
		return rc;
	if ((rc = cli_image_setup(ctx, &cmd_flash, &o.image, &plan, &img)) != 0)
		goto out;
	plan.backup = !o.no_backup;
	if (o.dry_run) {
		rc = cli_job_dry_run(ctx, &plan);
		goto out;
	}
	if ((res = calloc(1, sizeof *res)) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		rc = cli_fail(ctx, &err);
		goto out;
	}
	rc = cli_job_execute(ctx, &plan, res);
	/* Also, and most of all, after a failure or a stop. */
	if (!ctx->json && res->backup_json[0] != '\0')
		fprintf(rc == 0 ? stdout : stderr, "backup of the previous contents: %s\n",
			res->backup_hex[0] != '\0' ? res->backup_hex : res->backup_json);
out:
	free(res);
	hex_image_free(img);
	return rc;
}
