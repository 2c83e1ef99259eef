/*
 * cmd-fuses.c - `ispwiz fuses decode` and `ispwiz fuses diff`: what a set of
 * fuse bytes means on a part, and what changing them would do, with the
 * safety class the flash command would apply.  All the knowledge lives in
 * core/fuses and core/fuse-rules; this file parses options and prints.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fuse-rules.h"
#include "core/fuses.h"
#include "core/json-util.h"

#define FUSES_USAGE \
	"fuses decode -p PART --lfuse X --hfuse X [--efuse X] [--json]\n" \
	"       ispwiz fuses diff -p PART --from L,H[,E] --to L,H[,E] [--json]"

static int fuses_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_fuses = {
	.name = "fuses",
	.usage = FUSES_USAGE,
	.summary = "decode fuse bytes, or show what a change would do and how risky it is",
	.run = fuses_run,
};

enum {
	OPT_LFUSE = 256,
	OPT_HFUSE,
	OPT_EFUSE,
	OPT_FROM,
	OPT_TO,
};

static const struct option long_options[] = {
	{ "part", required_argument, NULL, 'p' },
	{ "lfuse", required_argument, NULL, OPT_LFUSE },
	{ "hfuse", required_argument, NULL, OPT_HFUSE },
	{ "efuse", required_argument, NULL, OPT_EFUSE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ NULL, 0, NULL, 0 },
};

struct fuses_args {
	const char *part;
	const char *byte_text[FUSE_COUNT];   /* decode: --lfuse/--hfuse/--efuse */
	const char *from, *to;               /* diff */
};

/* ---- option parsing ------------------------------------------------------ */

static int
parse_options(struct session *ctx, const char *sub, int argc, char **argv,
	      struct fuses_args *a)
{
	char prefix[32];
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_fuses, .shortopts = "p:",
				.longopts = long_options, .prefix = prefix };
	int c;

	/* The messages name the sub-command. */
	snprintf(prefix, sizeof prefix, "fuses %s", sub);
	optind = 0;
	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		switch (c) {
		case 'p':
			a->part = optarg;
			break;
		case OPT_LFUSE:
			a->byte_text[FUSE_LOW] = optarg;
			break;
		case OPT_HFUSE:
			a->byte_text[FUSE_HIGH] = optarg;
			break;
		case OPT_EFUSE:
			a->byte_text[FUSE_EXT] = optarg;
			break;
		case OPT_FROM:
			a->from = optarg;
			break;
		case OPT_TO:
			a->to = optarg;
			break;
		}
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (optind < argc)
		return cli_usage_error(ctx, &cmd_fuses, "fuses %s: unexpected argument '%s'",
				       sub, argv[optind]);
	return 0;
}

/* The display name, falling back to the id for a user entry without one. */
/* "atmega16u4, atmega32u4, ..." for the unknown-part message. */
static void
known_parts(const struct catalog *cat, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < cat->n_parts && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					i > 0 ? ", " : "", cat->parts[i].id);
}

/* Resolve -p; on failure prints and returns NULL with *rc set. */
static const struct catalog_part *
resolve_part(struct session *ctx, const char *sub, const char *id, int *rc)
{
	const struct catalog *cat;
	const struct catalog_part *part;
	char list[512];

	cat = cli_catalog(ctx);
	if (cat == NULL) {
		*rc = iw_status_exit_code(IW_CATALOG);
		return NULL;
	}
	known_parts(cat, list, sizeof list);
	if (id == NULL) {
		*rc = cli_usage_error(ctx, &cmd_fuses,
				      "fuses %s: no part given; add -p PART (one of: %s)", sub, list);
		return NULL;
	}
	part = catalog_find_part(cat, id);
	if (part == NULL)
		*rc = cli_unknown_id(ctx, "part", id, "known parts: %s", list);
	return part;
}

/* "FF,D8,FB" -> a fuse set; the message names the option. */
static int
parse_triple(struct session *ctx, const char *opt, const char *text,
	     struct fuse_set *set)
{
	char buf[64], *p, *comma;
	int n = 0, values = 1;

	fuse_set_init(set);
	for (const char *q = text; *q != '\0'; q++)
		values += *q == ',';
	if (values > FUSE_COUNT)
		return cli_usage_error(ctx, &cmd_fuses,
				       "fuses diff: %s '%s' has more than three values; "
				       "write LFUSE,HFUSE or LFUSE,HFUSE,EFUSE", opt, text);
	if (strlen(text) >= sizeof buf)
		return cli_usage_error(ctx, &cmd_fuses, "fuses diff: %s value is too long", opt);
	memcpy(buf, text, strlen(text) + 1);
	for (p = buf;; p = comma + 1) {
		struct iw_error err;
		uint8_t v;

		comma = strchr(p, ',');
		if (comma != NULL)
			*comma = '\0';
		if (fuse_parse_byte(p, &v, &err) != IW_OK)
			return cli_usage_error(ctx, &cmd_fuses, "fuses diff: %s, the %s: %s",
					       opt, fuse_byte_name((enum fuse_byte)n), err.msg);
		fuse_set_put(set, (enum fuse_byte)n++, v);
		if (comma == NULL)
			break;
	}
	if (n < 2)
		return cli_usage_error(ctx, &cmd_fuses,
				       "fuses diff: %s '%s' needs at least the low and high fuse; "
				       "write LFUSE,HFUSE or LFUSE,HFUSE,EFUSE, e.g. 0xFF,0xD8,0xFB",
				       opt, text);
	return 0;
}

/* ---- output helpers -------------------------------------------------------- */

static void
print_line(void *user, const char *line)
{
	FILE *out = user;

	fprintf(out, "%s\n", line);
}

static void
print_class_line(void *user, enum fuse_class cls, const char *line)
{
	(void)cls;   /* plain text; the class is in the words already */
	print_line(user, line);
}

static int
finish_output(struct session *ctx)
{
	struct iw_error err;

	if (fflush(stdout) != 0 || ferror(stdout)) {
		iw_error_set(&err, IW_IO, "writing to standard output failed");
		return cli_fail(ctx, &err);
	}
	return 0;
}

static int
out_of_memory(struct session *ctx)
{
	struct iw_error err;

	iw_error_set(&err, IW_NOMEM, "out of memory while building the JSON output");
	return cli_fail(ctx, &err);
}

/* json_object_set_new() that remembers a failure, so one check at the end
 * catches an allocation failure anywhere. */
static void
jset(json_t *obj, const char *key, json_t *value, bool *ok)
{
	if (obj == NULL || value == NULL || json_object_set_new(obj, key, value) != 0) {
		json_decref(value);
		*ok = false;
	}
}

static void
jappend(json_t *arr, json_t *value, bool *ok)
{
	if (arr == NULL || value == NULL || json_array_append_new(arr, value) != 0) {
		json_decref(value);
		*ok = false;
	}
}

static json_t *
json_bits(uint8_t mask)
{
	char buf[24];

	return json_string(fuses_bits_text(mask, buf, sizeof buf));
}

struct json_fields {
	json_t *fields;
	bool *ok;
};

static void
json_field(const struct fuse_field_state *st, void *user)
{
	struct json_fields *jf = user;
	json_t *o = json_object();

	jset(o, "name", json_string_or_null(st->field->name), jf->ok);
	jset(o, "bits", json_bits(st->field->mask), jf->ok);
	jset(o, "mask", json_hex_byte(st->field->mask), jf->ok);
	jset(o, "value", json_integer(st->value), jf->ok);
	jset(o, "programmed", st->single_bit ? json_boolean(st->programmed) : json_null(),
	     jf->ok);
	jset(o, "meaning", json_string(st->meaning), jf->ok);
	jset(o, "description", json_string_or_null(st->field->description), jf->ok);
	jappend(jf->fields, o, jf->ok);
}

/* {"lfuse": {"value", "normalized", "fields": [...], "unused_mask", ...}} */
static json_t *
json_fuses(const struct catalog_part *part, const struct fuse_set *set, bool *ok)
{
	json_t *fuses = json_object();

	for (int b = 0; b < FUSE_COUNT; b++) {
		enum fuse_byte byte = (enum fuse_byte)b;
		struct fuse_set one;
		json_t *o, *fields;
		struct json_fields jf;

		if (!set->present[b] || !part->fuses[b].present)
			continue;
		o = json_object();
		fields = json_array();
		jf.fields = fields;
		jf.ok = ok;
		fuse_set_init(&one);
		fuse_set_put(&one, byte, set->value[b]);
		fuses_decode(part, &one, json_field, &jf);
		jset(o, "value", json_hex_byte(set->value[b]), ok);
		jset(o, "normalized",
		     json_hex_byte(fuses_normalize(part, byte, set->value[b])), ok);
		jset(o, "fields", fields, ok);
		jset(o, "unused_mask", json_hex_byte(fuses_unused_bits(part, byte)), ok);
		jset(o, "unused_bits", json_bits(fuses_unused_bits(part, byte)), ok);
		jset(fuses, fuse_byte_name(byte), o, ok);
	}
	return fuses;
}

/* "lfuse 0x5E, hfuse 0x99, efuse 0xF3" */
static void
set_summary(const struct fuse_set *set, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (int b = 0; b < FUSE_COUNT && len < size; b++) {
		if (set->present[b])
			len += (size_t)snprintf(buf + len, size - len, "%s%s 0x%02X",
						len > 0 ? ", " : "",
						fuse_byte_name((enum fuse_byte)b), set->value[b]);
	}
}

/* ---- fuses decode ----------------------------------------------------------- */

/* A byte the part does not have (the ATmega32A's efuse) is a usage error
 * that says which option to drop. */
static int
check_bytes_on_part(struct session *ctx, const char *sub,
		    const struct catalog_part *part, const struct fuse_set *set,
		    const char *which)
{
	for (int b = 0; b < FUSE_COUNT; b++) {
		if (set->present[b] && !part->fuses[b].present)
			return cli_usage_error(ctx, &cmd_fuses,
					       "fuses %s: the %s has no %s; leave out %s",
					       sub, catalog_part_label(part), fuse_byte_name((enum fuse_byte)b),
					       which);
	}
	return 0;
}

static int
decode_run(struct session *ctx, int argc, char **argv)
{
	static const char *const opt_names[FUSE_COUNT] = { "--lfuse", "--hfuse", "--efuse" };
	struct fuses_args a = { 0 };
	const struct catalog_part *part;
	struct fuse_set set;
	int rc;

	if ((rc = parse_options(ctx, "decode", argc, argv, &a)) != 0)
		return rc;
	if (a.from != NULL || a.to != NULL)
		return cli_usage_error(ctx, &cmd_fuses,
				       "fuses decode: --from and --to belong to 'fuses diff'");
	fuse_set_init(&set);
	for (int b = 0; b < FUSE_COUNT; b++) {
		struct iw_error err;
		uint8_t v;

		if (a.byte_text[b] == NULL)
			continue;
		if (fuse_parse_byte(a.byte_text[b], &v, &err) != IW_OK)
			return cli_usage_error(ctx, &cmd_fuses, "fuses decode: %s: %s",
					       opt_names[b], err.msg);
		fuse_set_put(&set, (enum fuse_byte)b, v);
	}
	if ((part = resolve_part(ctx, "decode", a.part, &rc)) == NULL)
		return rc;
	if ((rc = check_bytes_on_part(ctx, "decode", part, &set, "--efuse")) != 0)
		return rc;
	for (int b = FUSE_LOW; b <= FUSE_HIGH; b++) {
		if (!set.present[b])
			return cli_usage_error(ctx, &cmd_fuses,
					       "fuses decode: missing %s; give the %s of the %s, "
					       "e.g. %s 0x%02X (its factory value)",
					       opt_names[b], fuse_byte_name((enum fuse_byte)b),
					       catalog_part_label(part), opt_names[b], part->fuses[b].factory);
	}

	if (ctx->json) {
		bool ok = true;
		json_t *doc = json_object();

		jset(doc, "part", json_string(part->id), &ok);
		jset(doc, "name", json_string_or_null(part->name), &ok);
		jset(doc, "fuses", json_fuses(part, &set, &ok), &ok);
		if (!ok) {
			json_decref(doc);
			return out_of_memory(ctx);
		}
		json_print_document(doc, stdout);
		return finish_output(ctx);
	}

	{
		char summary[96];

		set_summary(&set, summary, sizeof summary);
		printf("%s (%s): %s\n\n", catalog_part_label(part), part->id, summary);
	}
	fuses_render_decode(part, &set, print_line, stdout);
	if (part->fuses[FUSE_EXT].present && !set.present[FUSE_EXT])
		printf("efuse: not given (the %s has one; add --efuse to decode it)\n",
		       catalog_part_label(part));
	return finish_output(ctx);
}

/* ---- fuses diff -------------------------------------------------------------- */

static json_t *
json_change(const struct fuse_change *c, bool *ok)
{
	json_t *o = json_object();

	jset(o, "fuse", json_string(fuse_byte_name(c->byte)), ok);
	jset(o, "field", json_string(c->name), ok);
	jset(o, "bits", json_bits(c->mask), ok);
	jset(o, "mask", json_hex_byte(c->mask), ok);
	jset(o, "old", c->old_known ? json_integer(c->old_value) : json_null(), ok);
	jset(o, "new", json_integer(c->new_value), ok);
	jset(o, "old_meaning", c->old_known ? json_string(c->old_meaning) : json_null(), ok);
	jset(o, "new_meaning", json_string(c->new_meaning), ok);
	jset(o, "class", json_string(fuse_class_name(c->cls)), ok);
	jset(o, "reason", json_string(c->reason), ok);
	return o;
}

static int
diff_run(struct session *ctx, int argc, char **argv)
{
	struct fuses_args a = { 0 };
	const struct catalog_part *part;
	struct fuse_set from, to;
	struct fuse_diff *diff = NULL;
	struct iw_error err;
	int rc;

	if ((rc = parse_options(ctx, "diff", argc, argv, &a)) != 0)
		return rc;
	for (int b = 0; b < FUSE_COUNT; b++) {
		if (a.byte_text[b] != NULL)
			return cli_usage_error(ctx, &cmd_fuses,
					       "fuses diff: give the fuse bytes as --from L,H[,E] "
					       "and --to L,H[,E], not --%s", fuse_byte_name((enum fuse_byte)b));
	}
	if (a.from == NULL || a.to == NULL)
		return cli_usage_error(ctx, &cmd_fuses,
				       "fuses diff: missing %s; give both --from (the fuses now) "
				       "and --to (the fuses to write), e.g. --from 0xFF,0xD8,0xFB "
				       "--to 0x5E,0x99,0xF3",
				       a.from == NULL ? "--from" : "--to");
	if ((rc = parse_triple(ctx, "--from", a.from, &from)) != 0 ||
	    (rc = parse_triple(ctx, "--to", a.to, &to)) != 0)
		return rc;
	if ((part = resolve_part(ctx, "diff", a.part, &rc)) == NULL)
		return rc;
	if ((rc = check_bytes_on_part(ctx, "diff", part, &from,
				      "the third value of --from")) != 0 ||
	    (rc = check_bytes_on_part(ctx, "diff", part, &to,
				      "the third value of --to")) != 0)
		return rc;
	if (from.present[FUSE_EXT] != to.present[FUSE_EXT])
		return cli_usage_error(ctx, &cmd_fuses,
				       "fuses diff: the efuse is in %s but not in %s; "
				       "give it in both or in neither",
				       from.present[FUSE_EXT] ? "--from" : "--to",
				       from.present[FUSE_EXT] ? "--to" : "--from");

	/* A fuse_diff is a few KiB: keep it off the stack. */
	diff = calloc(1, sizeof *diff);
	if (diff == NULL)
		return out_of_memory(ctx);
	if (fuse_rules_classify(part, &from, &to, diff, &err) != IW_OK) {
		rc = cli_fail(ctx, &err);
		goto out;
	}

	if (ctx->json) {
		bool ok = true;
		json_t *doc = json_object(), *changes = json_array();

		jset(doc, "part", json_string(part->id), &ok);
		jset(doc, "name", json_string_or_null(part->name), &ok);
		jset(doc, "from", json_fuses(part, &from, &ok), &ok);
		jset(doc, "to", json_fuses(part, &to, &ok), &ok);
		for (size_t i = 0; i < diff->n_changes; i++)
			jappend(changes, json_change(&diff->changes[i], &ok), &ok);
		jset(doc, "changes", changes, &ok);
		jset(doc, "class", json_string(fuse_class_name(diff->overall)), &ok);
		if (!ok) {
			json_decref(doc);
			rc = out_of_memory(ctx);
			goto out;
		}
		json_print_document(doc, stdout);
		rc = finish_output(ctx);
		goto out;
	}

	{
		char before[96], after[96];

		set_summary(&from, before, sizeof before);
		set_summary(&to, after, sizeof after);
		printf("%s (%s)\n  from: %s\n  to:   %s\n\n",
		       catalog_part_label(part), part->id, before, after);
	}
	fuse_rules_render(part, &from, &to, diff, print_class_line, stdout);
	rc = finish_output(ctx);
out:
	free(diff);
	return rc;
}

/* ---- dispatch ---------------------------------------------------------------- */

static int
fuses_run(struct session *ctx, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(ctx, &cmd_fuses,
				       "fuses: say what to do: 'decode' or 'diff'");
	/* argv[1] is the sub-command; getopt sees it as its program name. */
	if (strcmp(argv[1], "decode") == 0)
		return decode_run(ctx, argc - 1, argv + 1);
	if (strcmp(argv[1], "diff") == 0)
		return diff_run(ctx, argc - 1, argv + 1);
	return cli_usage_error(ctx, &cmd_fuses,
			       "fuses: unknown sub-command '%s'; use 'decode' or 'diff'", argv[1]);
}
