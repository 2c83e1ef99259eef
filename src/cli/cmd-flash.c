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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "core/hex-image.h"
#include "core/json-util.h"
#include "core/sha256.h"

#define FLASH_USAGE \
	"flash -c PROG [-P PORT] -p PART (-f FILE.hex | --bootloader ID [-f FILE.hex]) " \
	"[--preset NAME] [--lfuse X --hfuse X --efuse X] [--yes] [--no-backup] " \
	"[--dry-run] [--json] [--unsafe-fuses] [--sim-state FILE] [--sim-fault KNOB]..."

static int flash_run(struct cli_context *ctx, int argc, char **argv);

const struct cli_command cmd_flash = {
	.name = "flash",
	.usage = FLASH_USAGE,
	.summary = "back up, erase, write and verify an image, then fuses and lock bits",
	.run = flash_run,
};

enum {
	OPT_BOOTLOADER = 0x2000,
	OPT_PRESET,
	OPT_LFUSE,
	OPT_HFUSE,
	OPT_EFUSE,
	OPT_NO_BACKUP,
	OPT_DRY_RUN,
	OPT_UNSAFE,
};

struct flash_opts {
	struct cli_job_opts job;
	const char *file;
	const char *bootloader;
	const char *preset;
	const char *fuse_text[FUSE_COUNT];
	bool yes, no_backup, dry_run, unsafe;
};

static int
parse(struct cli_context *ctx, int argc, char **argv, struct flash_opts *o, int *rc)
{
	static const struct option longopts[] = {
		{ "programmer", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'P' },
		{ "part", required_argument, NULL, 'p' },
		{ "file", required_argument, NULL, 'f' },
		{ "bootloader", required_argument, NULL, OPT_BOOTLOADER },
		{ "preset", required_argument, NULL, OPT_PRESET },
		{ "lfuse", required_argument, NULL, OPT_LFUSE },
		{ "hfuse", required_argument, NULL, OPT_HFUSE },
		{ "efuse", required_argument, NULL, OPT_EFUSE },
		{ "yes", no_argument, NULL, 'y' },
		{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "unsafe-fuses", no_argument, NULL, OPT_UNSAFE },
		{ "json", no_argument, NULL, CLI_JOB_OPT_JSON },
		{ "sim-state", required_argument, NULL, CLI_JOB_OPT_SIM_STATE },
		{ "sim-fault", required_argument, NULL, CLI_JOB_OPT_SIM_FAULT },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:P:p:f:y", longopts, NULL)) != -1) {
		int handled = cli_job_option(ctx, &cmd_flash, c, optarg, &o->job, rc);

		if (handled < 0)
			return -1;
		if (handled > 0)
			continue;
		switch (c) {
		case 'f': o->file = optarg; break;
		case OPT_BOOTLOADER: o->bootloader = optarg; break;
		case OPT_PRESET: o->preset = optarg; break;
		case OPT_LFUSE: o->fuse_text[FUSE_LOW] = optarg; break;
		case OPT_HFUSE: o->fuse_text[FUSE_HIGH] = optarg; break;
		case OPT_EFUSE: o->fuse_text[FUSE_EXT] = optarg; break;
		case 'y': o->yes = true; break;
		case OPT_NO_BACKUP: o->no_backup = true; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_UNSAFE: o->unsafe = true; break;
		case ':':
			*rc = cli_usage_error(ctx, &cmd_flash, "option '%s' needs a value",
					      argv[optind - 1]);
			return -1;
		default:
			*rc = cli_usage_error(ctx, &cmd_flash, "unknown option '%s'",
					      argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		*rc = cli_usage_error(ctx, &cmd_flash, "unexpected argument '%s'; the "
				      "image goes after -f", argv[optind]);
		return -1;
	}
	if (o->file == NULL && o->bootloader == NULL) {
		*rc = cli_usage_error(ctx, &cmd_flash, "nothing to flash: give -f FILE.hex "
				      "or --bootloader ID");
		return -1;
	}
	if (o->preset != NULL && o->bootloader == NULL) {
		*rc = cli_usage_error(ctx, &cmd_flash, "--preset names a fuse preset of a "
				      "bootloader; give --bootloader ID too, or the fuses "
				      "with --lfuse/--hfuse/--efuse");
		return -1;
	}
	return 0;
}

/* --- the bootloader from the catalog --------------------------------------------- */

static void
warn(struct cli_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn(struct cli_context *ctx, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ctx->json) {
		json_t *ev = json_pack("{s:s, s:s, s:s}", "event", "warning",
				       "phase", "plan", "message", msg);

		if (ev != NULL)
			json_print_event(ev, stdout);
	}
	fprintf(stderr, "%s: warning: %s\n", ctx->argv0, msg);
}

static int
list_presets(const struct catalog_bootloader *bl, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < bl->n_presets && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
				 bl->presets[i].name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return 0;
}

/* Catalog bootloader -> file, SHA-256 check, preset fuses and lock. */
static int
use_bootloader(struct cli_context *ctx, struct flash_opts *o, struct job_plan *plan)
{
	const struct catalog_bootloader *bl;
	const struct catalog_preset *preset;
	const struct catalog_part *blpart;
	char hex[SHA256_HEX_LEN + 1], names[256];
	struct iw_error err;
	struct stat st;
	long size;

	bl = catalog_find_bootloader(plan->catalog, o->bootloader);
	if (bl == NULL)
		return cli_usage_error(ctx, &cmd_flash, "unknown bootloader '%s'; "
				       "`ispwiz list bootloaders` shows the ids", o->bootloader);
	blpart = catalog_find_part(plan->catalog, bl->part);
	if (blpart != plan->part)
		return cli_usage_error(ctx, &cmd_flash, "bootloader %s is built for the %s, "
				       "not the %s selected with -p", bl->id,
				       blpart != NULL && blpart->name != NULL ? blpart->name : bl->part,
				       plan->part->name != NULL ? plan->part->name : plan->part->id);
	if (o->file == NULL) {
		if (bl->file == NULL)
			return cli_usage_error(ctx, &cmd_flash, "%s has no upstream file to "
					       "download; build it (%s) and give it with -f",
					       bl->id, bl->url != NULL ? bl->url : "see its notes");
		o->file = bl->file;
		if (stat(o->file, &st) != 0) {
			iw_error_set(&err, IW_NOT_FOUND, "%s not found in the current "
				     "directory: download it from %s, or give the file with -f",
				     bl->file, bl->url != NULL ? bl->url : "its upstream project");
			return cli_fail(ctx, &err);
		}
	}
	if (bl->sha256 != NULL) {
		if (sha256_file_hex(o->file, hex, &size, &err) != IW_OK)
			return cli_fail(ctx, &err);
		if (strcasecmp(hex, bl->sha256) != 0)
			warn(ctx, "%s has SHA-256 %s, but the known upstream %s has %s; "
			     "flash it only if you built or changed it on purpose",
			     o->file, hex, bl->file != NULL ? bl->file : "file", bl->sha256);
	} else if (!ctx->json) {
		fprintf(stderr, "%s: note: the catalog knows no SHA-256 for %s, so the "
			"file could not be checked\n", ctx->argv0, bl->id);
	}
	preset = catalog_find_preset(bl, o->preset != NULL ? o->preset : "default");
	if (preset == NULL && o->preset == NULL && bl->n_presets > 0)
		preset = &bl->presets[0];
	if (preset == NULL) {
		list_presets(bl, names, sizeof names);
		return cli_usage_error(ctx, &cmd_flash, "bootloader %s has no preset '%s' "
				       "(it has: %s)", bl->id, o->preset, names);
	}
	fuse_set_from_preset(&plan->fuses, preset);
	plan->has_lock = preset->has_lock;
	plan->lock = preset->lock;
	plan->image_is_bootloader = true;
	return 0;
}

/* A file that carries an application too: the bootloader is its last run. */
static void
bootloader_range(const struct catalog_bootloader *bl, struct job_plan *plan)
{
	size_t n = hex_image_segment_count(plan->image);
	struct hex_segment s;

	if (bl == NULL || !bl->combined_sketch || n < 2)
		return;
	s = hex_image_segment(plan->image, n - 1);
	plan->boot_start = s.addr;
	plan->boot_end = s.addr + s.len;
}

static int
explicit_fuses(struct cli_context *ctx, const struct flash_opts *o, struct job_plan *plan)
{
	for (int b = 0; b < FUSE_COUNT; b++) {
		unsigned char v;

		if (o->fuse_text[b] == NULL)
			continue;
		if (!cli_parse_byte(o->fuse_text[b], &v))
			return cli_usage_error(ctx, &cmd_flash, "--%s %s: %s",
					       fuse_byte_name((enum fuse_byte)b), o->fuse_text[b],
					       cli_byte_hint());
		fuse_set_put(&plan->fuses, (enum fuse_byte)b, v);
	}
	return 0;
}

/* --- dry run ------------------------------------------------------------------------ */

static void
add_line(void *user, const char *line)
{
	json_t *arr = user;

	json_array_append_new(arr, json_string(line));
}

static void
print_line(void *user, const char *line)
{
	(void)user;
	printf("%s\n", line);
}

static int
dry_run(struct cli_context *ctx, const struct job_plan *plan)
{
	char cmd[8192];
	struct iw_error err;
	enum iw_status st;

	iw_error_clear(&err);
	st = job_plan_validate(plan, &err);
	job_plan_avrdude_command(plan, cmd, sizeof cmd);
	if (ctx->json) {
		json_t *lines = json_array();

		job_plan_describe(plan, add_line, lines);
		json_print_document(json_pack("{s:b, s:o, s:s, s:s, s:s}",
					      "dry_run", 1, "plan", lines, "avrdude", cmd,
					      "status", iw_status_name(st),
					      "message", st == IW_OK ? "ok" : err.msg),
				    stdout);
	} else {
		printf("Dry run: nothing is touched.\n");
		job_plan_describe(plan, print_line, NULL);
		printf("avrdude equivalent:\n  %s\n", cmd);
		if (st == IW_OK)
			printf("The plan passes every check that needs no chip; whether "
			       "the fuse change needs --yes depends on the chip's current "
			       "fuses.\n");
	}
	if (st != IW_OK) {
		fprintf(stderr, "%s: %s\n", ctx->argv0, err.msg);
		return iw_status_exit_code(st);
	}
	return 0;
}

/* --- the command -------------------------------------------------------------------- */

static int
flash_run(struct cli_context *ctx, int argc, char **argv)
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
	if (o.bootloader != NULL && (rc = use_bootloader(ctx, &o, &plan)) != 0)
		return rc;
	if ((rc = explicit_fuses(ctx, &o, &plan)) != 0)
		return rc;
	if ((img = hex_image_new()) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	if (hex_image_read_file(img, o.file, &err) != IW_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}
	plan.image = img;
	plan.image_path = o.file;
	if (o.bootloader != NULL)
		bootloader_range(catalog_find_bootloader(plan.catalog, o.bootloader), &plan);
	plan.yes = o.yes;
	plan.unsafe_fuses = o.unsafe;
	plan.backup = !o.no_backup;
	if (o.dry_run) {
		rc = dry_run(ctx, &plan);
		goto out;
	}
	if ((res = calloc(1, sizeof *res)) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		rc = cli_fail(ctx, &err);
		goto out;
	}
	rc = cli_job_execute(ctx, &plan, res);
	if (rc == 0 && !ctx->json && res->backup_json[0] != '\0')
		printf("backup of the previous contents: %s\n",
		       res->backup_hex[0] != '\0' ? res->backup_hex : res->backup_json);
out:
	free(res);
	hex_image_free(img);
	return rc;
}
