/*
 * cmd-list.c - `ispwiz list programmers|parts|bootloaders`: what the catalog
 * holds, as aligned text for people or as JSON for scripts.
 *
 * Text output is meant to stay readable in an 80-column terminal: the
 * columns are sized to their content, the longest free text (the name)
 * goes last, and bootloaders are grouped under their part so the part does
 * not need a column of its own.  Everything the text leaves out is in the
 * JSON.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/catalog-json.h"
#include "cli/cli.h"
#include "cli/table.h"
#include "core/json-util.h"

#define LIST_USAGE "list programmers|parts|bootloaders [--part PART] [--family F] [--json]"

enum list_kind { LIST_PROGRAMMERS, LIST_PARTS, LIST_BOOTLOADERS };

struct list_opts {
	enum list_kind kind;
	const struct catalog_part *part;   /* --part, resolved; NULL for all */
	const char *family;                /* --family; NULL for all */
};

/* ---- shared helpers ------------------------------------------------------- */

/* "32 KiB" for whole KiB, "512 B" otherwise. */
static const char *
size_text(uint32_t bytes, char *buf, size_t size)
{
	if (bytes != 0 && bytes % 1024 == 0)
		snprintf(buf, size, "%u KiB", (unsigned)(bytes / 1024));
	else
		snprintf(buf, size, "%u B", (unsigned)bytes);
	return buf;
}

/* "5E D8 F3"; "--" for a byte that is absent. */
static const char *
fuse_triplet(const uint8_t value[FUSE_COUNT], const bool present[FUSE_COUNT],
	     char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int b = 0; b < FUSE_COUNT && used < size; b++) {
		if (present[b])
			used += (size_t)snprintf(buf + used, size - used, "%s%02X",
						 b > 0 ? " " : "", value[b]);
		else
			used += (size_t)snprintf(buf + used, size - used, "%s--",
						 b > 0 ? " " : "");
	}
	return buf;
}

static bool
part_fits_programmer(const struct catalog_programmer *p, const struct catalog_part *part)
{
	return part == NULL || p->max_flash == 0 || part->flash_size <= p->max_flash;
}

static bool
bootloader_selected(const struct list_opts *o, const struct catalog_bootloader *bl)
{
	if (o->part != NULL && strcmp(bl->part, o->part->id) != 0)
		return false;
	if (o->family != NULL && strcasecmp(bl->family, o->family) != 0)
		return false;
	return true;
}

static int
out_of_memory(struct session *ctx)
{
	struct iw_error err;

	iw_error_set(&err, IW_NOMEM, "out of memory while listing the catalog");
	return cli_fail(ctx, &err);
}

static void
add(json_t *array, json_t *item, bool *failed)
{
	/* jansson's _new calls release `item` even when they fail. */
	if (item == NULL || json_array_append_new(array, item) != 0)
		*failed = true;
}

/* The JSON document is one array of the selected entries. */
static int
print_json(struct session *ctx, json_t *doc, bool failed)
{
	struct iw_error err;

	if (failed || doc == NULL) {
		json_decref(doc);
		return out_of_memory(ctx);
	}
	if (json_print_document(doc, stdout) != 0) {
		iw_error_set(&err, IW_IO, "cannot write to standard output");
		return cli_fail(ctx, &err);
	}
	return 0;
}

/* ---- programmers ------------------------------------------------------- */

static int
list_programmers(struct session *ctx, const struct catalog *cat,
		 const struct list_opts *o)
{
	struct table t;
	size_t shown = 0;

	if (ctx->json) {
		json_t *doc = json_array();
		bool failed = false;

		for (size_t i = 0; i < cat->n_programmers; i++)
			if (part_fits_programmer(&cat->programmers[i], o->part))
				add(doc, catalog_json_programmer(&cat->programmers[i]), &failed);
		return print_json(ctx, doc, failed);
	}
	table_init(&t, 4);
	table_add(&t, "ID", "TRANSPORT", "USB ID", "NAME");
	for (size_t i = 0; i < cat->n_programmers; i++) {
		const struct catalog_programmer *p = &cat->programmers[i];
		char usb[32];

		if (!part_fits_programmer(p, o->part))
			continue;
		if (p->n_usb_ids == 0)
			snprintf(usb, sizeof usb, "-");
		else
			catalog_usb_id_str(p->usb_ids[0], usb);
		table_add(&t, p->id, catalog_transport_name(p->transport), usb, p->name);
		/* Further IDs on lines of their own keep the column narrow. */
		for (size_t k = 1; k < p->n_usb_ids; k++)
			table_add(&t, "", "", catalog_usb_id_str(p->usb_ids[k], usb), "");
		shown++;
	}
	if (t.failed) {
		table_free(&t);
		return out_of_memory(ctx);
	}
	if (shown == 0 && o->part != NULL)
		printf("No programmer in the catalog handles the %s's %u KiB of flash.\n",
		       o->part->name, (unsigned)(o->part->flash_size / 1024));
	else if (shown == 0)
		printf("The catalog has no programmers.\n");
	else
		table_print(&t, stdout, "");
	table_free(&t);
	return 0;
}

/* ---- parts ---------------------------------------------------------------- */

static int
list_parts(struct session *ctx, const struct catalog *cat, const struct list_opts *o)
{
	struct table t;

	if (ctx->json) {
		json_t *doc = json_array();
		bool failed = false;

		for (size_t i = 0; i < cat->n_parts; i++)
			if (o->part == NULL || o->part == &cat->parts[i])
				add(doc, catalog_json_part(&cat->parts[i]), &failed);
		return print_json(ctx, doc, failed);
	}
	table_init(&t, 8);
	table_add(&t, "ID", "NAME", "AVRDUDE", "SIGNATURE", "FLASH", "PAGE",
		  "EEPROM", "FACTORY");
	for (size_t i = 0; i < cat->n_parts; i++) {
		const struct catalog_part *p = &cat->parts[i];
		char sig[16], flash[24], page[16], eeprom[24], factory[16];
		uint8_t value[FUSE_COUNT];
		bool present[FUSE_COUNT];

		if (o->part != NULL && o->part != p)
			continue;
		for (int b = 0; b < FUSE_COUNT; b++) {
			value[b] = p->fuses[b].factory;
			present[b] = p->fuses[b].present;
		}
		snprintf(sig, sizeof sig, "%02X %02X %02X", p->signature[0],
			 p->signature[1], p->signature[2]);
		snprintf(page, sizeof page, "%u", (unsigned)p->page_size);
		table_add(&t, p->id, p->name, p->avrdude_id, sig,
			  size_text(p->flash_size, flash, sizeof flash), page,
			  size_text(p->eeprom_size, eeprom, sizeof eeprom),
			  fuse_triplet(value, present, factory, sizeof factory));
	}
	if (t.failed) {
		table_free(&t);
		return out_of_memory(ctx);
	}
	table_print(&t, stdout, "");
	table_free(&t);
	return 0;
}

/* ---- bootloaders ---------------------------------------------------------- */

/* One heading per part, in catalog order.  A bootloader's first preset is
 * on its line; further presets (the JTAG-disabled high fuse) get a line of
 * their own with just their fuses and name. */
static void
bootloader_rows(struct table *t, const struct catalog *cat, const struct list_opts *o,
		bool *any_combined)
{
	for (size_t p = 0; p < cat->n_parts; p++) {
		const struct catalog_part *part = &cat->parts[p];
		bool heading = false;

		for (size_t i = 0; i < cat->n_bootloaders; i++) {
			const struct catalog_bootloader *bl = &cat->bootloaders[i];
			char usb[10], fuses[16], text[512];

			if (strcmp(bl->part, part->id) != 0 || !bootloader_selected(o, bl))
				continue;
			if (!heading) {
				snprintf(text, sizeof text, "%s (%s):", part->name, part->id);
				table_add_heading(t, text);
				heading = true;
			}
			*any_combined |= bl->combined_sketch;
			for (size_t k = 0; k < bl->n_presets; k++) {
				const struct catalog_preset *ps = &bl->presets[k];

				fuse_triplet(ps->fuse, ps->has_fuse, fuses, sizeof fuses);
				if (k > 0) {
					snprintf(text, sizeof text, "  or preset %s", ps->name);
					table_add(t, "", "", fuses, text);
					continue;
				}
				/* "default" goes without saying; other first presets are named. */
				snprintf(text, sizeof text, "%s%s%s%s%s", bl->name,
					 bl->combined_sketch ? " *" : "",
					 strcmp(ps->name, "default") != 0 ? " [preset " : "",
					 strcmp(ps->name, "default") != 0 ? ps->name : "",
					 strcmp(ps->name, "default") != 0 ? "]" : "");
				table_add(t, bl->id, catalog_usb_id_str(bl->usb_id, usb),
					  fuses, text);
			}
		}
	}
}

static int
list_bootloaders(struct session *ctx, const struct catalog *cat,
		 const struct list_opts *o)
{
	struct table t;
	bool any_combined = false;

	if (ctx->json) {
		json_t *doc = json_array();
		bool failed = false;

		for (size_t i = 0; i < cat->n_bootloaders; i++)
			if (bootloader_selected(o, &cat->bootloaders[i]))
				add(doc, catalog_json_bootloader(&cat->bootloaders[i]), &failed);
		return print_json(ctx, doc, failed);
	}
	table_init(&t, 4);
	table_add(&t, "ID", "USB ID", "L  H  E", "NAME");
	bootloader_rows(&t, cat, o, &any_combined);
	if (t.failed) {
		table_free(&t);
		return out_of_memory(ctx);
	}
	if (t.n_rows == 1) {
		printf("No bootloader in the catalog matches%s%s%s%s%s.\n",
		       o->part != NULL ? " part " : "", o->part != NULL ? o->part->id : "",
		       o->part != NULL && o->family != NULL ? " and" : "",
		       o->family != NULL ? " family " : "", o->family != NULL ? o->family : "");
	} else {
		table_print(&t, stdout, "  ");
		if (any_combined)
			printf("\n* the upstream file also carries an Arduino sketch\n");
	}
	table_free(&t);
	return 0;
}

/* ---- options -------------------------------------------------------------- */

static bool
parse_kind(const char *word, enum list_kind *kind)
{
	static const struct { const char *name; enum list_kind kind; } kinds[] = {
		{ "programmers", LIST_PROGRAMMERS }, { "programmer", LIST_PROGRAMMERS },
		{ "parts", LIST_PARTS }, { "part", LIST_PARTS },
		{ "bootloaders", LIST_BOOTLOADERS }, { "bootloader", LIST_BOOTLOADERS },
	};

	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		if (strcmp(word, kinds[i].name) == 0) {
			*kind = kinds[i].kind;
			return true;
		}
	}
	return false;
}

/* Comma-separated names for "known ..." lists in messages. */
static void
join_names(char *buf, size_t size, size_t n, const char *(*name)(const struct catalog *, size_t),
	   const struct catalog *cat)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		const char *s = name(cat, i);
		bool repeat = false;

		/* Families repeat across bootloaders; list each once. */
		for (size_t j = 0; j < i && !repeat; j++)
			repeat = strcmp(name(cat, j), s) == 0;
		if (!repeat)
			used += (size_t)snprintf(buf + used, size - used, "%s%s",
						 used > 0 ? ", " : "", s);
	}
}

static const char *part_id_at(const struct catalog *cat, size_t i) { return cat->parts[i].id; }
static const char *family_at(const struct catalog *cat, size_t i) { return cat->bootloaders[i].family; }

static int
not_found(struct session *ctx, const char *what, const char *given, const char *known,
	  const char *hint)
{
	struct iw_error err;

	iw_error_set(&err, IW_NOT_FOUND, "unknown %s '%s' (known: %s)%s", what, given,
		     known[0] != '\0' ? known : "none", hint);
	return cli_fail(ctx, &err);
}

static int
list_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "part", required_argument, NULL, 'p' },
		{ "family", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *part_arg = NULL;
	struct list_opts o = { LIST_PROGRAMMERS, NULL, NULL };
	const struct catalog *cat;
	char known[1024];
	int c;

	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_list, .shortopts = "p:f:",
				.longopts = longopts };

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		switch (c) {
		case 'p':
			part_arg = optarg;
			break;
		case 'f':
			o.family = optarg;
			break;
		}
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (optind >= argc)
		return cli_usage_error(ctx, &cmd_list,
				       "list what? Give programmers, parts or bootloaders");
	if (!parse_kind(argv[optind], &o.kind))
		return cli_usage_error(ctx, &cmd_list,
				       "cannot list '%s'; give programmers, parts or bootloaders",
				       argv[optind]);
	if (optind + 1 < argc)
		return cli_usage_error(ctx, &cmd_list, "unexpected argument '%s'",
				       argv[optind + 1]);
	if (o.family != NULL && o.kind != LIST_BOOTLOADERS)
		return cli_usage_error(ctx, &cmd_list,
				       "--family only applies to 'list bootloaders'");

	cat = cli_catalog(ctx);
	if (cat == NULL)
		return iw_status_exit_code(IW_CATALOG);
	if (part_arg != NULL) {
		o.part = catalog_find_part(cat, part_arg);
		if (o.part == NULL) {
			join_names(known, sizeof known, cat->n_parts, part_id_at, cat);
			return not_found(ctx, "part", part_arg, known,
					 "; a part's id, avrdude id (m32u4) or name (ATmega32U4) "
					 "is accepted");
		}
	}
	if (o.family != NULL) {
		bool exists = false;

		for (size_t i = 0; i < cat->n_bootloaders && !exists; i++)
			exists = strcasecmp(cat->bootloaders[i].family, o.family) == 0;
		if (!exists) {
			join_names(known, sizeof known, cat->n_bootloaders, family_at, cat);
			return not_found(ctx, "bootloader family", o.family, known, "");
		}
	}

	switch (o.kind) {
	case LIST_PROGRAMMERS:
		return list_programmers(ctx, cat, &o);
	case LIST_PARTS:
		return list_parts(ctx, cat, &o);
	case LIST_BOOTLOADERS:
		break;
	}
	return list_bootloaders(ctx, cat, &o);
}

const struct cli_command cmd_list = {
	.name = "list",
	.usage = LIST_USAGE,
	.summary = "show the catalog's programmers, parts or bootloaders "
		   "(--part and --family filter)",
	.run = list_run,
};
