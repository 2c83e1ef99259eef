/*
 * cmd-upload.c - `ispwiz upload`: write an application (the keyboard's
 * firmware, a programmer's ISP firmware) through the chip's own USB
 * bootloader, in the upload job's safe order (job-upload.c): the one
 * bootloader present is found by its USB ID (a Caterina board running a
 * sketch is asked to start it; otherwise ispwiz waits for it, counting
 * down), the chip is checked to be the part, an image that reaches into
 * the bootloader's own section is refused, then erase, write, read back
 * where the protocol can, start the application.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-upload.h"
#include "cli/cli.h"
#include "core/catalog-identify.h"

#define UPLOAD_USAGE \
	"upload [-P PORT] [--via caterina|halfkay|atmel-dfu|bootloadhid|usbasploader] " \
	"(-p PART | --keyboard NAME) -f FILE.hex|FILE.bin [--wait SECONDS] [--json]\n" \
	"  Without -P, the one bootloader plugged in is used; ispwiz waits --wait " \
	"seconds (30) for one to appear.\n" \
	"  --via CLIENT uses only that bootloader client (any of them by name).\n" \
	"  FILE.bin: a raw binary (QMK builds one for some boards), loaded at 0x0000; " \
	"only the Atmel DFU bootloader takes one, any other refuses it before writing.\n" \
	"  bootloadhid: obdev's BootloadHID (16C0:05DF \"obdev.at\" \"HIDBoot\"); it " \
	"reports its flash size, which must be the part's; it cannot read back, so the " \
	"upload is written, not verified.\n" \
	"  usbasploader: USBaspLoader looks exactly like a USBasp programmer " \
	"(16C0:05DC), so it is used only with --via usbasploader, and a device that " \
	"turns out to be a USBasp is refused before anything is erased; some builds " \
	"stay in the bootloader afterwards (ispwiz says so: reset the board)."

static int upload_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_upload = {
	.name = "upload",
	.usage = UPLOAD_USAGE,
	.summary = "write a firmware through the chip's own USB bootloader",
	.run = upload_run,
};

/* An upload writes an application: a bootloader file would be refused by
 * every bootloader (it lies in their own section), and is a sign that the
 * person meant `ispwiz flash`. */
static int
refuse_bootloader_file(struct session *ctx, const struct job_plan *plan,
		       const struct hex_image *img, const char *path)
{
	struct iw_error err;

	if (job_upload_check_file(plan->catalog, img, path, &err) != IW_OK)
		return cli_fail(ctx, &err);
	return 0;
}

/* The firmware: Intel HEX, or a .bin where the bootloader takes one
 * (job_upload_read_file: only Atmel DFU). */
static int
read_firmware(struct session *ctx, struct job_plan *plan, const char *path, const char *via,
	      struct hex_image **img)
{
	struct iw_error err;

	if ((*img = hex_image_new()) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	if (job_upload_read_file(plan->catalog, via, *img, path, &plan->image_raw,
				 &err) != IW_OK)
		return cli_fail(ctx, &err);
	return 0;
}

static int
upload_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_UPLOAD_LONGOPTS,
		{ "part", required_argument, NULL, 'p' },
		{ "keyboard", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_upload, .shortopts = "P:p:f:",
				.longopts = longopts };
	struct cli_upload_opts o;
	const char *part_id = NULL, *keyboard = NULL;
	const struct catalog *cat;
	struct hex_image *img = NULL;
	struct job_plan plan;
	char known[512];
	int c, rc = 0;

	memset(&o, 0, sizeof o);
	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		if (cli_upload_option(ctx, &cmd_upload, c, optarg, &o, &rc) < 0)
			return rc;
		if (c == 'p')
			part_id = optarg;
		if (c == 'k')
			keyboard = optarg;
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (keyboard != NULL &&
	    (rc = cli_keyboard_setup(ctx, &cmd_upload, keyboard, &part_id, NULL, true)) != 0)
		return rc;
	if (optind < argc)
		return cli_usage_error(ctx, &cmd_upload, "unexpected argument '%s'; the file "
				       "goes after -f", argv[optind]);
	if (part_id == NULL)
		return cli_usage_error(ctx, &cmd_upload, "no part: give -p PART (`ispwiz list "
				       "parts`)");
	if (o.file == NULL)
		return cli_usage_error(ctx, &cmd_upload, "nothing to upload: give -f FILE.hex");
	if ((cat = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	job_plan_init(&plan);
	plan.kind = JOB_KIND_UPLOAD;
	plan.catalog = cat;
	if ((plan.part = catalog_find_part(cat, part_id)) == NULL) {
		known[0] = '\0';
		for (size_t i = 0, used = 0; i < cat->n_parts && used < sizeof known; i++)
			used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
						 i > 0 ? ", " : "", cat->parts[i].id);
		return cli_unknown_id(ctx, "part", part_id, "the catalog has: %s", known);
	}
	if ((rc = read_firmware(ctx, &plan, o.file, o.via, &img)) != 0 ||
	    (rc = refuse_bootloader_file(ctx, &plan, img, o.file)) != 0)
		goto out;
	plan.image = img;
	plan.image_path = o.file;
	plan.port = o.port;
	plan.via = o.via;
	plan.wait_ms = o.wait_ms;
	rc = cli_upload_execute(ctx, &plan);
out:
	hex_image_free(img);
	return rc;
}
