/* cli-job-image.c - what a job writes, from the command line: the image
 * file or catalog bootloader (with its SHA-256 check and fuse preset), the
 * explicit fuse bytes, and the dry run that shows the plan (flash,
 * station). */
#include "config.h"

#include "cli/cli-job.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/json-util.h"
#include "core/catalog-identify.h"
#include "core/file-util.h"
#include "core/qmk.h"

/* --- what to write: image, catalog bootloader, fuses ------------------------------ */

const char *
cli_image_repeat_hint(int c)
{
	return c == 'f' ? "to write a firmware and a bootloader together, combine them "
			  "first with `ispwiz merge`" : NULL;
}

int
cli_image_option(struct session *ctx, const struct cli_command *cmd, int c,
		 const char *arg, struct cli_job_opts *job,
		 struct cli_image_opts *o, int *rc)
{
	int handled = cli_job_option(ctx, cmd, c, arg, job, rc);

	if (handled != 0)
		return handled;
	switch (c) {
	case 'f': o->file = arg; return 1;
	case CLI_JOB_OPT_BOOTLOADER: o->bootloader = arg; return 1;
	case CLI_JOB_OPT_PRESET: o->preset = arg; return 1;
	case CLI_JOB_OPT_LFUSE: o->fuse_text[FUSE_LOW] = arg; return 1;
	case CLI_JOB_OPT_HFUSE: o->fuse_text[FUSE_HIGH] = arg; return 1;
	case CLI_JOB_OPT_EFUSE: o->fuse_text[FUSE_EXT] = arg; return 1;
	case 'y': o->yes = true; return 1;
	case CLI_JOB_OPT_UNSAFE: o->unsafe = true; return 1;
	case CLI_JOB_OPT_KEYBOARD: o->keyboard = arg; return 1;
	default: return 0;
	}
}

bool
cli_image_finish(struct session *ctx, const struct cli_command *cmd,
		 struct cli_job_opts *job, struct cli_image_opts *image,
		 int argc, char **argv, int *rc)
{
	if (cli_job_driver_help(ctx, cmd, job, rc))
		return true;
	if (image->keyboard != NULL &&
	    (*rc = cli_keyboard_setup(ctx, cmd, image->keyboard, &job->part, &image->bootloader,
				      image->file != NULL)) != 0)
		return true;
	if (optind < argc) {
		*rc = cli_usage_error(ctx, cmd, "unexpected argument '%s'; the image "
				      "goes after -f", argv[optind]);
		return true;
	}
	return (*rc = cli_image_check(ctx, cmd, image)) != 0;
}

int
cli_keyboard_setup(struct session *ctx, const struct cli_command *cmd, const char *keyboard,
		   const char **part, const char **bootloader, bool have_file)
{
	const struct catalog *cat = cli_catalog(ctx);
	struct qmk_keyboard kb;
	struct qmk_choice ch;
	struct iw_error err;
	enum iw_status st;

	if (cat == NULL)
		return iw_status_exit_code(IW_CATALOG);
	if (qmk_keyboard_read(keyboard, &kb, &err) != IW_OK)
		return cli_fail(ctx, &err);
	st = qmk_choose(cat, &kb, keyboard, &ch, &err);
	/* Several catalog entries of the family (the Caterina boards): fine
	 * when the command needs no bootloader, when one is named, or when
	 * the file will say by its identity which it is. */
	if (st == IW_USAGE && ch.part != NULL &&
	    (bootloader == NULL || *bootloader != NULL || have_file))
		st = IW_OK;
	/* A bootloader ispwiz cannot put on matters only to commands that
	 * put one on. */
	if (st == IW_NOT_FOUND && ch.part != NULL && bootloader == NULL)
		st = IW_OK;
	if (st != IW_OK)
		return cli_fail(ctx, &err);
	if (*part != NULL && catalog_find_part(cat, *part) != ch.part)
		return cli_usage_error(ctx, cmd, "-p %s, but keyboard %s has a %s (%s): leave "
				       "-p out or check the keyboard name", *part, keyboard,
				       catalog_part_label(ch.part), kb.where_processor);
	*part = ch.part->id;
	if (bootloader != NULL && *bootloader == NULL && ch.bootloader != NULL)
		*bootloader = ch.bootloader->id;
	if (!ctx->json)
		fprintf(stderr, "%s: keyboard %s: %s (%s), bootloader %s (%s)\n", ctx->argv0,
			keyboard, catalog_part_label(ch.part), kb.where_processor,
			kb.bootloader, kb.where_bootloader);
	return 0;
}

int
cli_image_check(struct session *ctx, const struct cli_command *cmd,
		const struct cli_image_opts *o)
{
	if (o->file == NULL && o->bootloader == NULL)
		return cli_usage_error(ctx, cmd, "nothing to flash: give -f FILE.hex "
				       "or --bootloader ID");
	if (o->preset != NULL && o->bootloader == NULL)
		return cli_usage_error(ctx, cmd, "--preset names a fuse preset of a "
				       "bootloader; give --bootloader ID too, or the fuses "
				       "with --lfuse/--hfuse/--efuse");
	return 0;
}

void
cli_job_warn(struct session *ctx, const char *fmt, ...)
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

/* The catalog bootloader: its file when -f is not given, the file against
 * the known upstream SHA-256, and its fuse preset (into *preset). */
static int
find_bootloader(struct session *ctx, const struct cli_command *cmd,
		struct cli_image_opts *o, const struct job_plan *plan,
		const struct catalog_bootloader **out, const struct catalog_preset **preset)
{
	const struct catalog_bootloader *bl;
	const struct catalog_part *blpart;
	struct iw_error err;
	struct stat st;

	bl = catalog_find_bootloader(plan->catalog, o->bootloader);
	if (bl == NULL)
		return cli_unknown_id(ctx, "bootloader", o->bootloader,
				      "`ispwiz list bootloaders` shows the ids");
	blpart = catalog_find_part(plan->catalog, bl->part);
	if (blpart != plan->part)
		return cli_usage_error(ctx, cmd, "bootloader %s is built for the %s, "
				       "not the %s selected with -p", bl->id,
				       blpart != NULL ? catalog_part_label(blpart) : bl->part,
				       catalog_part_label(plan->part));
	if (o->file == NULL) {
		if (bl->file == NULL)
			return cli_usage_error(ctx, cmd, "%s has no upstream file to "
					       "download; build it (%s) and give it with -f",
					       bl->id, bl->url != NULL ? bl->url : "see its notes");
		/* Here, else where `ispwiz fetch` keeps it. */
		o->file = bl->file;
		if (stat(o->file, &st) != 0) {
			char dir[3072];

			if (file_cache_dir(dir, sizeof dir))
				snprintf(o->cached, sizeof o->cached, "%s/%s", dir, bl->file);
			if (o->cached[0] == '\0' || stat(o->cached, &st) != 0) {
				iw_error_set(&err, IW_NOT_FOUND, "%s is neither here nor in the "
					     "download cache: get it with `ispwiz fetch %s` (it "
					     "downloads the file and checks it), or give it with -f",
					     bl->file, bl->id);
				return cli_fail(ctx, &err);
			}
			o->file = o->cached;
		}
	}
	if (job_bootloader_preset(bl, o->preset, preset, &err) != IW_OK)
		return cli_usage_error(ctx, cmd, "%s", err.msg);
	*out = bl;
	return 0;
}

static int
explicit_fuses(struct session *ctx, const struct cli_command *cmd,
	       const struct cli_image_opts *o, struct fuse_set *set)
{
	for (int b = 0; b < FUSE_COUNT; b++) {
		struct iw_error err;
		uint8_t v;

		if (o->fuse_text[b] == NULL)
			continue;
		if (fuse_parse_byte(o->fuse_text[b], &v, &err) != IW_OK)
			return cli_usage_error(ctx, cmd, "--%s: %s",
					       fuse_byte_name((enum fuse_byte)b), err.msg);
		fuse_set_put(set, (enum fuse_byte)b, v);
	}
	return 0;
}

/* What the file is, by identity: the chosen bootloader's known file (a
 * note), a file of the user's own (a warning), or one that must not go
 * onto this chip (refused). */
static int
judge_file(struct session *ctx, struct job_plan *plan, const struct catalog_bootloader *bl,
	   const char *path, const struct hex_image *img, char *what, size_t size)
{
	struct catalog_judgement j;
	struct iw_error err;

	if (catalog_judge_bootloader_file(plan->catalog, img, path, plan->part, bl, &j,
					  &err) != IW_OK)
		return cli_fail(ctx, &err);
	/* In the plan (the dry run's document, --json too), and on stderr. */
	snprintf(what, size, "%s", j.text);
	plan->image_what = what;
	switch (j.verdict) {
	case CATALOG_FILE_KNOWN:
	case CATALOG_FILE_CARRIES:
		if (!ctx->json)
			fprintf(stderr, "%s: %s\n", ctx->argv0, j.text);
		return 0;
	case CATALOG_FILE_IS_OTHER:
		if (bl == NULL) {
			if (!ctx->json)
				fprintf(stderr, "%s: %s\n", ctx->argv0, j.text);
			return 0;
		}
		iw_error_set(&err, IW_REFUSED, "%s Its fuse preset would not match it: give "
			     "--bootloader %s instead", j.text, j.bootloader->id);
		return cli_fail(ctx, &err);
	case CATALOG_FILE_UNKNOWN:
		if (!ctx->json)
			fprintf(stderr, "%s: warning: %s\n", ctx->argv0, j.text);
		return 0;
	case CATALOG_FILE_WRONG_PART:
	case CATALOG_FILE_FIRMWARE:
		iw_error_set(&err, IW_REFUSED, "%s", j.text);
		return cli_fail(ctx, &err);
	}
	return 0;
}

int
cli_image_setup(struct session *ctx, const struct cli_command *cmd,
		struct cli_image_opts *o, struct job_plan *plan, struct hex_image **img)
{
	const struct catalog_bootloader *bl = NULL;
	const struct catalog_preset *preset = NULL;
	struct fuse_set given;
	struct iw_error err;
	int rc;

	*img = NULL;
	fuse_set_init(&given);
	if ((rc = explicit_fuses(ctx, cmd, o, &given)) != 0)
		return rc;
	if (o->bootloader != NULL &&
	    (rc = find_bootloader(ctx, cmd, o, plan, &bl, &preset)) != 0)
		return rc;
	if ((*img = hex_image_new()) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	if (catalog_read_image(plan->catalog, *img, o->file, &err) != IW_OK)
		return cli_fail(ctx, &err);
	job_plan_set_image(plan, *img, o->file);
	/* A known file built for another part says so first (that is the
	 * better message); then an image that does not fit the part is refused
	 * before any plan is made from it (a dry run would otherwise describe
	 * pages past the end of flash). */
	if ((rc = judge_file(ctx, plan, bl, o->file, *img, o->what, sizeof o->what)) != 0)
		return rc;
	if (plan->part != NULL &&
	    hex_image_check_fits(*img, plan->part->flash_size, catalog_part_label(plan->part),
				 &err) != IW_OK)
		return cli_fail(ctx, &err);
	if (bl != NULL && job_plan_use_bootloader(plan, bl, preset, &err) != IW_OK)
		return cli_usage_error(ctx, cmd, "%s", err.msg);
	/* Explicit bytes override the preset's. */
	for (int b = 0; b < FUSE_COUNT; b++)
		if (given.present[b])
			fuse_set_put(&plan->fuses, (enum fuse_byte)b, given.value[b]);
	plan->yes = o->yes;
	plan->unsafe_fuses = o->unsafe;
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

int
cli_job_dry_run(struct session *ctx, const struct job_plan *plan)
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
