/*
 * cmd-identify.c - `ispwiz identify FILE...`: what each file is, by its
 * identity (core/identity.h), never by its name: a known upstream file
 * (which bootloader, which version, which part), a bigger file that
 * carries a known bootloader (and what else it holds), a programmer's ISP
 * firmware, or an unknown image with its ranges, the parts it fits and
 * whether it reaches into a boot section.  Both identities are printed, so
 * a user catalog entry can name a file of its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "core/catalog-identify.h"
#include "core/fuses.h"
#include "core/json-util.h"

#define IDENTIFY_USAGE "identify FILE.hex... [--part PART | --keyboard NAME] [--json]"

static int identify_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_identify = {
	.name = "identify",
	.usage = IDENTIFY_USAGE,
	.summary = "say what a HEX file is: a known bootloader, a firmware, or unknown",
	.run = identify_run,
};

/* The lowest and highest byte below `end` that are not 0xFF; false when
 * there is none.  What a combined file holds besides its bootloader. */
static bool
used_span(const struct hex_image *img, uint32_t from, uint32_t end, uint32_t *lo,
	  uint32_t *hi)
{
	bool any = false;

	for (size_t i = 0; i < hex_image_segment_count(img); i++) {
		struct hex_segment s = hex_image_segment(img, i);

		for (uint32_t k = 0; k < s.len; k++) {
			uint32_t a = s.addr + k;

			if (a < from || a >= end || s.data[k] == 0xFF)
				continue;
			if (!any)
				*lo = a;
			*hi = a;
			any = true;
		}
	}
	return any;
}

static const char *
range_text(uint32_t lo, uint32_t hi, char *buf, size_t size)
{
	snprintf(buf, size, "0x%04X-0x%04X", lo, hi);
	return buf;
}

static json_t *
id_json(const struct image_id *id)
{
	return json_pack("{s:I, s:I, s:s}", "start", (json_int_t)id->start,
			 "length", (json_int_t)id->length, "sha256", id->sha256);
}

/* The parts the image fits, and whether it reaches into the largest boot
 * section (BOOTSZ=00) of each. */
static void
fits(const struct catalog *cat, const struct catalog_part *only, const struct hex_image *img,
     json_t *arr, char *text, size_t size)
{
	uint32_t end = hex_image_end_addr(img), lo = hex_image_min_addr(img);
	size_t used = 0;

	text[0] = '\0';
	for (size_t i = 0; i < cat->n_parts; i++) {
		const struct catalog_part *p = &cat->parts[i];
		uint32_t boot = p->boot[0].start_word * 2u;
		bool into = end > boot;
		int n;

		if (only != NULL && p != only)
			continue;
		if (end > p->flash_size)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:b, s:I}", "part", p->id,
						     "reaches_boot_section", into,
						     "boot_section_start", (json_int_t)boot));
		n = snprintf(text + used, size - used, "%s%s%s", used > 0 ? ", " : "", p->id,
			     into ? (lo >= boot ? " (in its boot section)" :
				     " (reaching into its boot section)") : "");
		if (n > 0 && (size_t)n < size - used)
			used += (size_t)n;
	}
}

static int
one_file(struct session *ctx, const struct catalog *cat, const struct catalog_part *only,
	 const char *path, json_t *out)
{
	struct hex_image *img = hex_image_new();
	struct catalog_matches m;
	struct iw_error err;
	json_t *obj, *matches, *fit;
	char t1[128], t2[160], fittext[1024];
	int rc = 0;

	if (img == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	if (hex_image_read_file(img, path, &err) != IW_OK ||
	    catalog_identify(cat, img, &m, &err) != IW_OK) {
		rc = iw_status_exit_code(err.code);
		if (ctx->json)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s}", "file", path,
							     "status", iw_status_name(err.code),
							     "error", err.msg));
		else
			fprintf(stderr, "%s: %s\n", ctx->argv0, err.msg);
		hex_image_free(img);
		return rc;
	}
	obj = json_pack("{s:s, s:o}", "file", path, "image", id_json(&m.image));
	matches = json_array();
	fit = json_array();
	if (!ctx->json)
		printf("%s:\n", path);
	for (size_t i = 0; i < m.n; i++) {
		const struct catalog_match *x = &m.m[i];
		const char *ver = x->identity->version;
		json_t *row;

		if (x->programmer != NULL) {
			row = json_pack("{s:s, s:s, s:s, s:o}", "kind", "isp-firmware",
					"programmer", x->programmer->id,
					"file", x->programmer->firmware->file,
					"version", json_string_or_null(ver));
			if (!ctx->json)
				printf("  the ISP firmware of the %s: upstream %s%s%s; it goes onto "
				       "the programmer board (`ispwiz prepare %s`), not a keyboard\n",
				       catalog_programmer_label(x->programmer),
				       x->programmer->firmware->file, ver != NULL ? " " : "",
				       ver != NULL ? ver : "", x->programmer->id);
		} else if (x->whole) {
			row = json_pack("{s:s, s:s, s:s, s:o, s:o}", "kind", "bootloader",
					"bootloader", x->bootloader->id, "part", x->bootloader->part,
					"file", json_string_or_null(x->bootloader->file),
					"version", json_string_or_null(ver));
			if (!ctx->json)
				printf("  the known upstream %s%s%s: %s bootloader, %s (%s), for "
				       "the %s\n", x->bootloader->file != NULL ? x->bootloader->file :
				       x->bootloader->id, ver != NULL ? " " : "", ver != NULL ? ver : "",
				       catalog_family_label(x->bootloader->family),
				       catalog_bootloader_label(x->bootloader), x->bootloader->id,
				       x->bootloader->part);
		} else {
			row = json_pack("{s:s, s:s, s:s, s:o}", "kind", "carries-bootloader",
					"bootloader", x->bootloader->id, "part", x->bootloader->part,
					"version", json_string_or_null(ver));
			if (!ctx->json)
				printf("  holds the %s bootloader %s%s%s (for the %s) in its boot "
				       "section at 0x%04X\n", catalog_family_label(x->bootloader->family),
				       catalog_bootloader_label(x->bootloader), ver != NULL ? " " : "",
				       ver != NULL ? ver : "", x->bootloader->part,
				       x->identity->boot.start);
		}
		/* Besides the bootloader: the sketch of a combined file, or the
		 * application of a production image. */
		if (x->bootloader != NULL && x->identity->has_boot) {
			uint32_t lo, hi;

			if (used_span(img, 0, x->identity->boot.start, &lo, &hi)) {
				const char *what = x->bootloader->combined_sketch ? "sketch" :
						   "application";

				json_object_set_new(row, what, json_string(range_text(lo, hi, t1,
										     sizeof t1)));
				if (!ctx->json)
					printf("  and %s %s\n", x->bootloader->combined_sketch ?
					       "an Arduino sketch" : "an application", t1);
			}
		}
		json_array_append_new(matches, row);
	}
	if (m.n == 0 && !ctx->json)
		printf("  unknown image: %u bytes of data in %s (%zu run%s)\n",
		       (unsigned)hex_image_byte_count(img),
		       range_text(hex_image_min_addr(img), hex_image_last_addr(img), t1,
				  sizeof t1), hex_image_segment_count(img),
		       hex_image_segment_count(img) == 1 ? "" : "s");
	fits(cat, only, img, fit, fittext, sizeof fittext);
	if (m.n == 0 && !ctx->json)
		printf("  fits: %s\n", fittext[0] != '\0' ? fittext : "no part in the catalog");
	if (!ctx->json) {
		printf("  image identity: %s\n", identity_text(&m.image, t2, sizeof t2));
		/* Where a boot identity would start: the lowest boot section
		 * start the image reaches on the part it is judged for. */
		if (only != NULL && only->boot[0].size_words != 0) {
			struct image_id boot;
			uint32_t start = only->boot[0].start_word * 2u;

			if (identity_boot(img, start, only->flash_size, &boot, NULL) == IW_OK &&
			    boot.length > 0)
				printf("  boot identity (from 0x%04X): %s\n", start,
				       identity_text(&boot, t2, sizeof t2));
		}
	}
	json_object_set_new(obj, "known", json_boolean(m.n > 0));
	json_object_set_new(obj, "matches", matches);
	json_object_set_new(obj, "fits", fit);
	if (ctx->json)
		json_array_append_new(out, obj);
	else
		json_decref(obj);
	hex_image_free(img);
	return 0;
}

static int
identify_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "part", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "keyboard", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_identify, .shortopts = "p:",
				.longopts = longopts };
	const struct catalog_part *only = NULL;
	const char *part_id = NULL, *keyboard = NULL;
	const struct catalog *cat;
	json_t *out;
	int c, rc = 0;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		if (c == 'p')
			part_id = optarg;
		else if (c == 'j')
			ctx->json = true;
		else if (c == 'k')
			keyboard = optarg;
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (keyboard != NULL &&
	    (rc = cli_keyboard_setup(ctx, &cmd_identify, keyboard, &part_id, NULL, true)) != 0)
		return rc;
	if (optind >= argc)
		return cli_usage_error(ctx, &cmd_identify, "which file? Give one or more HEX files");
	if ((cat = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	if (part_id != NULL && (only = catalog_find_part(cat, part_id)) == NULL)
		return cli_unknown_id(ctx, "part", part_id, "`ispwiz list parts` shows them");
	out = json_array();
	for (int i = optind; i < argc; i++) {
		int r = one_file(ctx, cat, only, argv[i], out);

		if (r != 0 && rc == 0)
			rc = r;
	}
	if (ctx->json)
		json_print_document(out, stdout);
	else
		json_decref(out);
	return rc;
}
