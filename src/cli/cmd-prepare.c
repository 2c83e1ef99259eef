/*
 * cmd-prepare.c - `ispwiz prepare PROGRAMMER`: make a Pro Micro or a
 * Teensy 2.0 into an ISP programmer by loading QMK's ISP firmware onto it
 * through its own bootloader (Caterina, HalfKay), then wait for it to come
 * back as the programmer and say which port it got.
 *
 * The file is checked against the catalog's known image of that firmware:
 * another version is loaded only when the person says --yes after being
 * told, and a file that is something else ispwiz knows (a bootloader,
 * another firmware) or that does not fit the board's chip is refused.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli-upload.h"
#include "cli/cli.h"
#include "core/catalog-identify.h"
#include "core/file-util.h"

#define PREPARE_USAGE \
	"prepare PROGRAMMER [-f FILE.hex] [-P PORT] [--wait SECONDS] [--yes] [--json]\n" \
	"  PROGRAMMER: a catalog programmer that runs its own ISP firmware " \
	"(avrisp-promicro, avrisp-teensy)."

static int prepare_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_prepare = {
	.name = "prepare",
	.usage = PREPARE_USAGE,
	.summary = "load a Pro Micro's or Teensy's ISP firmware so it becomes the programmer",
	.run = prepare_run,
};

static void
list_with_firmware(const struct catalog *cat, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cat->n_programmers && used < size; i++) {
		int n;

		if (cat->programmers[i].firmware == NULL)
			continue;
		n = snprintf(buf + used, size - used, "%s%s", used > 0 ? ", " : "",
			     cat->programmers[i].id);
		if (n > 0)
			used += (size_t)n;
	}
}

/* Is it this programmer's firmware?  0 to go on, or the exit code. */
static int
judge(struct session *ctx, const struct catalog *cat, const struct catalog_programmer *pg,
      const struct catalog_part *part, const struct hex_image *img, const char *path,
      bool yes)
{
	struct iw_error err;
	bool known;
	enum iw_status st = job_prepare_judge(cat, pg, part, img, path, &known, &err);

	if (st == IW_CONFIRM && yes) {
		if (!ctx->json)
			fprintf(stderr, "%s: warning: %s; loading it because of --yes\n",
				ctx->argv0, err.msg);
		return 0;
	}
	if (st == IW_CONFIRM) {
		char why[sizeof err.msg];

		snprintf(why, sizeof why, "%s", err.msg);
		iw_error_set(&err, IW_CONFIRM, "%.900s; if you did, give --yes to load it anyway",
			     why);
	}
	if (st != IW_OK)
		return cli_fail(ctx, &err);
	if (!ctx->json)
		fprintf(stderr, "%s: %s is the known upstream %s.\n", ctx->argv0, path,
			pg->firmware->file);
	return 0;
}

static int
prepare_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_UPLOAD_LONGOPTS,
		{ "yes", no_argument, NULL, 'y' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_prepare, .shortopts = "P:f:y",
				.longopts = longopts };
	struct cli_upload_opts o;
	const struct catalog *cat;
	const struct catalog_programmer *pg;
	const struct catalog_part *part;
	struct hex_image *img = NULL;
	struct job_plan plan;
	struct iw_error err;
	char names[512], path[4096];
	bool yes = false;
	int c, rc = 0;

	memset(&o, 0, sizeof o);
	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		if (cli_upload_option(ctx, &cmd_prepare, c, optarg, &o, &rc) < 0)
			return rc;
		if (c == 'y')
			yes = true;
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if ((cat = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	list_with_firmware(cat, names, sizeof names);
	if (optind >= argc)
		return cli_usage_error(ctx, &cmd_prepare, "which programmer? Give one of: %s",
				       names);
	if (optind + 1 < argc)
		return cli_usage_error(ctx, &cmd_prepare, "unexpected argument '%s'",
				       argv[optind + 1]);
	if (o.via != NULL)
		return cli_usage_error(ctx, &cmd_prepare, "--via: the programmer's entry says "
				       "which bootloader loads its firmware; leave --via out");
	if ((pg = catalog_find_programmer(cat, argv[optind])) == NULL)
		return cli_unknown_id(ctx, "programmer", argv[optind], "the ones with an ISP "
				      "firmware of their own are: %s", names);
	if (pg->firmware == NULL) {
		iw_error_set(&err, IW_USAGE, "the %s needs no firmware of its own: it is ready "
			     "as it is (those that do: %s)", catalog_programmer_label(pg), names);
		return cli_fail(ctx, &err);
	}
	if ((part = job_prepare_part(cat, pg, &err)) == NULL)
		return cli_fail(ctx, &err);
	if (o.file != NULL)
		snprintf(path, sizeof path, "%s", o.file);
	else if (job_prepare_find_file(pg, path, sizeof path, &err) != IW_OK)
		return cli_fail(ctx, &err);
	if ((rc = cli_upload_read(ctx, path, &img)) != 0 ||
	    (rc = judge(ctx, cat, pg, part, img, path, yes)) != 0)
		goto out;
	job_plan_prepare(&plan, cat, pg, part, img, path);
	plan.port = o.port;
	plan.wait_ms = o.wait_ms;
	rc = cli_upload_execute(ctx, &plan);
out:
	hex_image_free(img);
	return rc;
}
