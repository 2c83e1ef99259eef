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

/* FILE when given; else the upstream name in this folder, else in the
 * download cache (`ispwiz fetch` puts it there). */
static int
find_file(struct session *ctx, const struct catalog_programmer *pg, const char *given,
	  char *path, size_t size)
{
	const struct catalog_isp_firmware *fw = pg->firmware;
	struct iw_error err;
	char dir[3072];

	if (given != NULL) {
		snprintf(path, size, "%s", given);
		return 0;
	}
	if (access(fw->file, R_OK) == 0) {
		snprintf(path, size, "%s", fw->file);
		return 0;
	}
	if (file_cache_dir(dir, sizeof dir)) {
		snprintf(path, size, "%s/%s", dir, fw->file);
		if (access(path, R_OK) == 0)
			return 0;
	}
	iw_error_set(&err, IW_NOT_FOUND, "%s is neither here nor in the download cache: get "
		     "it with `ispwiz fetch %s`, or download it from %s and give it with -f",
		     fw->file, pg->id, fw->url != NULL ? fw->url :
		     fw->page != NULL ? fw->page : "its upstream project");
	return cli_fail(ctx, &err);
}

/* Is it this programmer's firmware?  0 to go on, or the exit code. */
static int
judge(struct session *ctx, const struct catalog *cat, const struct catalog_programmer *pg,
      const struct catalog_part *part, const struct hex_image *img, const char *path,
      bool yes)
{
	struct catalog_matches m;
	struct iw_error err;

	if (catalog_identify(cat, img, &m, &err) != IW_OK)
		return cli_fail(ctx, &err);
	for (size_t i = 0; i < m.n; i++) {
		if (m.m[i].programmer == pg) {
			if (!ctx->json)
				fprintf(stderr, "%s: %s is the known upstream %s.\n", ctx->argv0,
					path, pg->firmware->file);
			return 0;
		}
		iw_error_set(&err, IW_REFUSED, "%s is %s, not the ISP firmware of the %s: "
			     "give that programmer's file (%s)", path,
			     m.m[i].programmer != NULL ? m.m[i].programmer->firmware->file :
			     catalog_bootloader_label(m.m[i].bootloader),
			     catalog_programmer_label(pg), pg->firmware->file);
		return cli_fail(ctx, &err);
	}
	if (hex_image_check_fits(img, part->flash_size, catalog_part_label(part), &err) != IW_OK)
		return cli_fail(ctx, &err);
	if (!yes) {
		iw_error_set(&err, IW_CONFIRM, "%s is not the known upstream %s (it matches no "
			     "file ispwiz knows): if you built it for this %s yourself, give "
			     "--yes to load it anyway", path, pg->firmware->file,
			     catalog_part_label(part));
		return cli_fail(ctx, &err);
	}
	if (!ctx->json)
		fprintf(stderr, "%s: warning: %s is not the known upstream %s; loading it "
			"because of --yes\n", ctx->argv0, path, pg->firmware->file);
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
		struct iw_error err;

		iw_error_set(&err, IW_USAGE, "the %s needs no firmware of its own: it is ready "
			     "as it is (those that do: %s)", catalog_programmer_label(pg), names);
		return cli_fail(ctx, &err);
	}
	part = catalog_find_part(cat, pg->firmware->part != NULL ? pg->firmware->part :
				 "atmega32u4");
	if (part == NULL) {
		struct iw_error err;

		iw_error_set(&err, IW_CATALOG, "programmer %s's isp_firmware names part '%s', "
			     "which the catalog does not have", pg->id, pg->firmware->part);
		return cli_fail(ctx, &err);
	}
	if ((rc = find_file(ctx, pg, o.file, path, sizeof path)) != 0 ||
	    (rc = cli_upload_read(ctx, path, &img)) != 0 ||
	    (rc = judge(ctx, cat, pg, part, img, path, yes)) != 0)
		goto out;
	job_plan_init(&plan);
	plan.kind = JOB_KIND_UPLOAD;
	plan.catalog = cat;
	plan.programmer = pg;
	plan.part = part;
	plan.image = img;
	plan.image_path = path;
	plan.port = o.port;
	plan.via = pg->firmware->loader;
	plan.wait_ms = o.wait_ms;
	plan.then_ids = pg->usb_ids;
	plan.n_then_ids = pg->n_usb_ids;
	plan.then_name = catalog_programmer_label(pg);
	rc = cli_upload_execute(ctx, &plan);
out:
	hex_image_free(img);
	return rc;
}
