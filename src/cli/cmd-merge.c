/*
 * cmd-merge.c - `ispwiz merge`: combine an application and a bootloader
 * into one "production" HEX file.
 *
 * Joining the two files by hand (cat, or deleting a line in an editor) is
 * the classic way to end up with two end records, an overlap nobody
 * noticed, or a bootloader built for a bigger chip.  This does it with the
 * checks: overlapping bytes must agree, the result must fit the part's
 * flash, and the output gets exactly one end record.
 */
#include "config.h"

#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/hex-image.h"
#include "core/json-util.h"
#include "job/production.h"

static int merge_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_merge = {
	.name = "merge",
	.usage = "merge FIRMWARE.hex BOOTLOADER.hex -o OUT.hex [-p PART] [--json]",
	.summary = "combine a firmware and a bootloader image into one HEX file",
	.run = merge_run,
};

struct merge_input {
	const char *role;     /* "firmware", "bootloader" */
	const char *path;
	struct hex_image *img;
};

#define MAX_WARNINGS 4

struct merge_job {
	const char *out_path;
	const char *part_id;
	const struct catalog *catalog;
	const struct catalog_part *part;
	struct merge_input in[2];
	struct hex_image *out;
	char warnings[MAX_WARNINGS][512];
	size_t n_warnings;
};

/* Same path, or two names for one file: writing the output over an input
 * would destroy the very file being read. */
static bool
same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void
add_warning(struct session *ctx, struct merge_job *job, const char *fmt,
	    ...) __attribute__((format(printf, 3, 4)));

static void
add_warning(struct session *ctx, struct merge_job *job, const char *fmt,
	    ...)
{
	char *slot;
	va_list ap;

	if (job->n_warnings == MAX_WARNINGS)
		return;
	slot = job->warnings[job->n_warnings++];
	va_start(ap, fmt);
	vsnprintf(slot, sizeof job->warnings[0], fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: warning: %s\n", ctx->argv0, slot);
}

/* A bootloader only runs from the start of a boot section that BOOTSZ can
 * select; starting anywhere else usually means the files were given in the
 * wrong order or the bootloader was built for another chip. */
static void
check_boot_start(struct session *ctx, struct merge_job *job)
{
	const struct hex_image *bl = job->in[1].img;
	uint32_t start = hex_image_min_addr(bl);
	char starts[128] = "";
	size_t used = 0;

	if (hex_image_empty(bl))
		return;
	for (size_t i = 0; i < 4; i++) {
		const struct boot_section *b = &job->part->boot[i];

		if (b->size_words == 0)
			continue;
		if (b->start_word * 2 == start)
			return;
		used += (size_t)snprintf(starts + used, sizeof starts - used,
					 "%s0x%04X", used != 0 ? ", " : "",
					 (unsigned)(b->start_word * 2));
		if (used >= sizeof starts)
			break;
	}
	add_warning(ctx, job,
		"%s starts at 0x%04X, which is not where a boot section of %s "
		"starts (%s); check that the bootloader is the second file and "
		"that it was built for this part",
		job->in[1].path, (unsigned)start, catalog_part_label(job->part),
		starts[0] != '\0' ? starts : "none known");
}

static void
print_ranges(const struct hex_image *img, FILE *out)
{
	size_t n = hex_image_segment_count(img);

	if (n == 0)
		fputs("no data", out);
	for (size_t i = 0; i < n; i++) {
		struct hex_segment s = hex_image_segment(img, i);

		fprintf(out, "%s0x%04X-0x%04X", i != 0 ? ", " : "",
			(unsigned)s.addr, (unsigned)(s.addr + s.len - 1));
	}
}

static void
print_text(const struct merge_job *job)
{
	for (size_t i = 0; i < 2; i++) {
		const struct merge_input *in = &job->in[i];

		printf("%-10s  %s: %zu bytes at ", in->role, in->path,
		       hex_image_byte_count(in->img));
		print_ranges(in->img, stdout);
		putchar('\n');
	}
	printf("wrote %s: %zu bytes at ", job->out_path,
	       hex_image_byte_count(job->out));
	print_ranges(job->out, stdout);
	if (job->part != NULL)
		printf(" (fits the %u-byte flash of %s)",
		       (unsigned)job->part->flash_size, catalog_part_label(job->part));
	putchar('\n');
}

/* [{"start": "0x0000", "end": "0x0257"}, ...], end inclusive. */
static json_t *
json_ranges(const struct hex_image *img)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < hex_image_segment_count(img); i++) {
		struct hex_segment s = hex_image_segment(img, i);

		json_array_append_new(arr, json_pack("{s:o, s:o}",
			"start", json_sprintf("0x%04X", (unsigned)s.addr),
			"end", json_sprintf("0x%04X",
					    (unsigned)(s.addr + s.len - 1))));
	}
	return arr;
}

static int
print_json(const struct merge_job *job)
{
	json_t *inputs = json_array(), *warnings = json_array(), *doc;

	for (size_t i = 0; i < 2; i++) {
		const struct merge_input *in = &job->in[i];

		json_array_append_new(inputs, json_pack("{s:s, s:s, s:I, s:o}",
			"role", in->role,
			"path", in->path,
			"bytes", (json_int_t)hex_image_byte_count(in->img),
			"ranges", json_ranges(in->img)));
	}
	for (size_t i = 0; i < job->n_warnings; i++)
		json_array_append_new(warnings, json_string(job->warnings[i]));
	doc = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}",
			"output", job->out_path,
			"bytes", (json_int_t)hex_image_byte_count(job->out),
			"ranges", json_ranges(job->out),
			"inputs", inputs,
			"part", json_string_or_null(job->part != NULL ?
						    job->part->id : NULL),
			"warnings", warnings);
	if (doc == NULL)
		return -1;
	return json_print_document(doc, stdout);
}

static enum iw_status
do_merge(struct session *ctx, struct merge_job *job, struct iw_error *err)
{
	enum iw_status st;

	for (size_t i = 0; i < 2; i++) {
		struct merge_input *in = &job->in[i];

		in->img = hex_image_new();
		if (in->img == NULL)
			return iw_error_set(err, IW_NOMEM, "out of memory");
		st = hex_image_read_file(in->img, in->path, err);
		if (st != IW_OK)
			return st;
		if (hex_image_empty(in->img))
			add_warning(ctx, job, "%s %s holds no data bytes",
				    in->role, in->path);
	}
	/* A bootloader or a programmer's firmware given as the firmware merges
	 * without a conflict, and the result is no keyboard: say what it is. */
	if ((st = production_judge_firmware(job->catalog, job->in[0].img, job->in[0].path,
					    err)) != IW_OK)
		return st;
	job->out = hex_image_new();
	if (job->out == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	for (size_t i = 0; i < 2; i++) {
		st = hex_image_merge(job->out, job->in[i].img, err);
		if (st != IW_OK) {
			iw_error_prefix(err, "cannot merge %s into %s",
					job->in[1].path, job->in[0].path);
			return st;
		}
	}
	if (job->part != NULL) {
		st = hex_image_check_fits(job->out, job->part->flash_size,
					  catalog_part_label(job->part), err);
		if (st != IW_OK)
			return st;
		check_boot_start(ctx, job);
	}
	return hex_image_write_file(job->out, job->out_path, err);
}

static int
merge_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "part", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct merge_job job = { .out_path = NULL };
	struct iw_error err;
	int c, rc = 0;

	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_merge, .shortopts = "o:p:h",
				.longopts = longopts };

	iw_error_clear(&err);
	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		switch (c) {
		case 'o':
			job.out_path = optarg;
			break;
		case 'p':
			job.part_id = optarg;
			break;
		case 'j':
			ctx->json = true;
			break;
		case 'h':
			printf("usage: %s %s\n%s\n", ctx->argv0, cmd_merge.usage,
			       cmd_merge.summary);
			return 0;
		}
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (argc - optind != 2)
		return cli_usage_error(ctx, &cmd_merge,
			"merge needs exactly two input files, the firmware and "
			"the bootloader (got %d)", argc - optind);
	if (job.out_path == NULL)
		return cli_usage_error(ctx, &cmd_merge,
			"no output file: give one with -o OUT.hex");
	job.in[0] = (struct merge_input){ "firmware", argv[optind], NULL };
	job.in[1] = (struct merge_input){ "bootloader", argv[optind + 1], NULL };
	if (same_file(job.in[0].path, job.in[1].path))
		return cli_usage_error(ctx, &cmd_merge,
			"'%s' is given as both the firmware and the bootloader",
			job.in[0].path);
	for (size_t i = 0; i < 2; i++)
		if (same_file(job.out_path, job.in[i].path))
			return cli_usage_error(ctx, &cmd_merge,
				"refusing to overwrite the input '%s' with -o; "
				"choose another output file", job.in[i].path);

	/* The catalog knows which files are no keyboard's firmware. */
	if ((job.catalog = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	if (job.part_id != NULL) {
		job.part = catalog_find_part(job.catalog, job.part_id);
		if (job.part == NULL) {
			iw_error_set(&err, IW_NOT_FOUND,
				"unknown part '%s'; 'ispwiz list parts' shows "
				"the parts in the catalog", job.part_id);
			return cli_fail(ctx, &err);
		}
	}

	if (do_merge(ctx, &job, &err) != IW_OK) {
		rc = cli_fail(ctx, &err);
	} else {
		if (ctx->json)
			rc = print_json(&job);
		else
			print_text(&job);
		if (rc != 0 || fflush(stdout) != 0 || ferror(stdout))
			rc = iw_status_exit_code(IW_IO);
	}
	for (size_t i = 0; i < 2; i++)
		hex_image_free(job.in[i].img);
	hex_image_free(job.out);
	return rc;
}
