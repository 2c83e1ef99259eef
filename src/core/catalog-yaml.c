/*
 * catalog-yaml.c - walking a libyaml document tree for the catalog loader:
 * positioned errors, mappings checked against a key table, lists, and the
 * scalar conversions (numbers, bytes, USB IDs, signatures, hashes).
 *
 * Nothing here knows the catalog's keys; catalog-schema.c has those.  Every
 * error points at the node that is wrong, as "file:line:col: ..." with
 * 1-based numbers (libyaml's marks are 0-based).
 */
#include "config.h"

#include "core/file-util.h"
#include "core/catalog-private.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field tables are small; this bounds the "seen" bookkeeping in ld_map. */
#define LD_MAX_FIELDS 32
/* How much of an offending value to quote in a message. */
#define LD_QUOTE_MAX 40

int
ld_line(const yaml_node_t *node)
{
	return node != NULL ? (int)node->start_mark.line + 1 : 1;
}

static int
ld_col(const yaml_node_t *node)
{
	return node != NULL ? (int)node->start_mark.column + 1 : 1;
}

enum iw_status
ld_fail(struct ld *ld, const yaml_node_t *node, const char *fmt, ...)
{
	char what[IW_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return iw_error_set(ld->err, IW_CATALOG, "%s:%d:%d: %s", ld->file,
			    ld_line(node), ld_col(node), what);
}

enum iw_status
ld_nomem(struct ld *ld)
{
	return iw_error_set(ld->err, IW_NOMEM, "%s: out of memory while loading the catalog",
			    ld->file);
}

yaml_node_t *
ld_node(struct ld *ld, int index)
{
	return yaml_document_get_node(ld->doc, index);
}

static const char *
scalar_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

bool
ld_is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	/* Only a plain scalar can be null: '"null"' in quotes is the text. */
	if (node == NULL)
		return true;
	if (node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (strcmp(scalar_text(node), nulls[i]) == 0)
			return true;
	return false;
}

/* How many bytes of `s` to quote: at most LD_QUOTE_MAX, never splitting a
 * UTF-8 sequence (messages must stay valid text). */
static int
clip(const char *s)
{
	size_t n = strlen(s);

	if (n <= LD_QUOTE_MAX)
		return (int)n;
	n = LD_QUOTE_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return (int)n;
}

/* "a list", "a mapping", "null", "'text'" - for "found ..." in messages. */
static const char *
describe(const yaml_node_t *node, char *buf, size_t size)
{
	if (ld_is_null(node))
		return "null";
	if (node->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (node->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (node->data.scalar.length > LD_QUOTE_MAX)
		snprintf(buf, size, "'%.*s...'", clip(scalar_text(node)), scalar_text(node));
	else
		snprintf(buf, size, "'%s'", scalar_text(node));
	return buf;
}

/* The text of a scalar node, or an error saying what was expected. */
static enum iw_status
need_scalar(struct ld *ld, yaml_node_t *node, const char *expected,
	    const char **text)
{
	char buf[LD_QUOTE_MAX + 8];

	if (node->type != YAML_SCALAR_NODE)
		return ld_fail(ld, node, "expected %s, found %s", expected,
			       describe(node, buf, sizeof buf));
	/* A "\0" escape would silently cut the text short in C. */
	if (strlen(scalar_text(node)) != node->data.scalar.length)
		return ld_fail(ld, node, "text contains a NUL character (\\0)");
	*text = scalar_text(node);
	return IW_OK;
}

yaml_node_t *
ld_get(struct ld *ld, yaml_node_t *map, const char *key)
{
	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
	     pair < map->data.mapping.pairs.top; pair++) {
		yaml_node_t *k = ld_node(ld, pair->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp(scalar_text(k), key) == 0)
			return ld_node(ld, pair->value);
	}
	return NULL;
}

/* Classic edit distance (insert, delete, substitute), case-folded. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];

	if (lb + 1 > sizeof row / sizeof row[0])
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = tolower((unsigned char)a[i - 1]) !=
				      tolower((unsigned char)b[j - 1]);
			size_t best = diag + cost;

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *
ld_suggest(const char *word, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;

	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i]);

		/* Close enough to be a typo, not a different word: at most two
		 * edits, and fewer than half the candidate's letters. */
		if (d <= 2 && d * 2 < strlen(candidates[i]) && d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}

static enum iw_status
unknown_key(struct ld *ld, yaml_node_t *key, const struct ld_field *fields,
	    size_t n_fields, const char *what)
{
	const char *names[LD_MAX_FIELDS] = { NULL };
	const char *hint;
	char known[512];
	size_t used = 0;

	for (size_t i = 0; i < n_fields; i++)
		names[i] = fields[i].key;
	hint = ld_suggest(scalar_text(key), names, n_fields);
	if (hint != NULL)
		return ld_fail(ld, key, "unknown key '%s' in this %s (did you mean '%s'?)",
			       scalar_text(key), what, hint);
	known[0] = '\0';
	for (size_t i = 0; i < n_fields && used < sizeof known; i++)
		used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
					 i > 0 ? ", " : "", names[i]);
	return ld_fail(ld, key, "unknown key '%s' in this %s (known keys: %s)",
		       scalar_text(key), what, known);
}

enum iw_status
ld_map(struct ld *ld, yaml_node_t *node, const struct ld_field *fields,
       size_t n_fields, void *obj, const char *what)
{
	yaml_node_t *seen[LD_MAX_FIELDS] = { NULL };
	char buf[LD_QUOTE_MAX + 8];
	enum iw_status rc;

	if (n_fields > LD_MAX_FIELDS)
		return ld_fail(ld, node, "internal error: too many keys for %s", what);
	if (node->type != YAML_MAPPING_NODE)
		return ld_fail(ld, node, "expected a mapping (key: value) for this %s, found %s",
			       what, describe(node, buf, sizeof buf));

	for (yaml_node_pair_t *pair = node->data.mapping.pairs.start;
	     pair < node->data.mapping.pairs.top; pair++) {
		yaml_node_t *key = ld_node(ld, pair->key);
		yaml_node_t *value = ld_node(ld, pair->value);
		size_t f;

		if (key == NULL || value == NULL)
			return ld_fail(ld, node, "internal error: broken YAML document");
		if (key->type != YAML_SCALAR_NODE)
			return ld_fail(ld, key, "keys must be plain words, found %s",
				       describe(key, buf, sizeof buf));
		for (f = 0; f < n_fields; f++)
			if (strcmp(fields[f].key, scalar_text(key)) == 0)
				break;
		if (f == n_fields)
			return unknown_key(ld, key, fields, n_fields, what);
		if (seen[f] != NULL)
			return ld_fail(ld, key, "key '%s' appears twice in this %s (first on line %d)",
				       fields[f].key, what, ld_line(seen[f]));
		seen[f] = key;
		rc = fields[f].parse(ld, value, (char *)obj + fields[f].offset,
				     fields[f].has_aux ? (char *)obj + fields[f].aux_offset : NULL);
		if (rc != IW_OK)
			return rc;
	}
	for (size_t f = 0; f < n_fields; f++)
		if (fields[f].required && seen[f] == NULL)
			return ld_fail(ld, node, "this %s is missing the required key '%s'",
				       what, fields[f].key);
	return IW_OK;
}

enum iw_status
ld_list(struct ld *ld, yaml_node_t *node, size_t elem_size, void **array,
	size_t *count, ld_item_fn *each, const char *what)
{
	char buf[LD_QUOTE_MAX + 8];
	size_t n;
	char *items;
	enum iw_status rc;

	*array = NULL;
	*count = 0;
	if (ld_is_null(node))
		return IW_OK;
	if (node->type != YAML_SEQUENCE_NODE)
		return ld_fail(ld, node, "expected a list of %s, found %s", what,
			       describe(node, buf, sizeof buf));
	n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
	if (n == 0)
		return IW_OK;
	items = calloc(n, elem_size);
	if (items == NULL)
		return ld_nomem(ld);
	*array = items;
	*count = n;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *item = ld_node(ld, node->data.sequence.items.start[i]);

		if (item == NULL)
			return ld_fail(ld, node, "internal error: broken YAML document");
		rc = each(ld, item, items + i * elem_size);
		if (rc != IW_OK)
			return rc;
	}
	return IW_OK;
}

/* ---- text ----------------------------------------------------------------- */

static enum iw_status
store_text(struct ld *ld, const char *text, char **dst)
{
	char *copy = strdup(text);

	if (copy == NULL)
		return ld_nomem(ld);
	free(*dst);     /* only ever NULL here: ld_map refuses repeated keys */
	*dst = copy;
	return IW_OK;
}

enum iw_status
ld_str(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	const char *text = NULL;
	enum iw_status rc;

	(void)aux;
	if (ld_is_null(node))
		return ld_fail(ld, node, "expected text, found %s",
			       node->type == YAML_SCALAR_NODE &&
			       node->data.scalar.length == 0 ? "nothing" : "null");
	rc = need_scalar(ld, node, "text", &text);
	if (rc != IW_OK)
		return rc;
	return store_text(ld, text, dst);
}

enum iw_status
ld_str_or_null(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	if (ld_is_null(node))
		return IW_OK;
	return ld_str(ld, node, dst, aux);
}

enum iw_status
ld_id(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	enum iw_status rc = ld_str(ld, node, dst, aux);

	if (rc != IW_OK)
		return rc;
	if (!catalog_valid_id(*(char **)dst))
		return ld_fail(ld, node,
			       "'%s' is not a valid id: use lower-case letters, digits, "
			       "'-', '_' and '.', starting with a letter or digit",
			       *(char **)dst);
	return IW_OK;
}

static enum iw_status
str_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	return ld_str(ld, item, elem, NULL);
}

enum iw_status
ld_str_list(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	return ld_list(ld, node, sizeof(char *), dst, aux, str_item, "texts");
}

/* ---- numbers -------------------------------------------------------------- */

enum num_result { NUM_OK, NUM_SYNTAX, NUM_RANGE };

/* Decimal ("128") or hex ("0x80"); nothing else, so that "010" (octal in
 * YAML 1.1, decimal in 1.2) cannot mean two things. */
static enum num_result
parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && s[1] != '\0') {
		return NUM_SYNTAX;
	}
	if (*s == '\0')
		return NUM_SYNTAX;
	for (; *s != '\0'; s++) {
		unsigned digit;

		if (*s >= '0' && *s <= '9')
			digit = (unsigned)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			digit = (unsigned)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return NUM_SYNTAX;
		if (v > (ULLONG_MAX - digit) / base)
			return NUM_RANGE;
		v = v * base + digit;
	}
	if (v > max)
		return NUM_RANGE;
	*out = v;
	return NUM_OK;
}

static enum iw_status
number(struct ld *ld, yaml_node_t *node, unsigned long long max,
       const char *range, unsigned long long *out)
{
	const char *text = NULL;
	enum iw_status rc = need_scalar(ld, node, "a number", &text);

	if (rc != IW_OK)
		return rc;
	switch (parse_number(text, max, out)) {
	case NUM_OK:
		return IW_OK;
	case NUM_RANGE:
		return ld_fail(ld, node, "%s is out of range (%s)", text, range);
	case NUM_SYNTAX:
		break;
	}
	return ld_fail(ld, node,
		       "expected a whole number >= 0 (decimal, or hex as 0x..), found '%.*s'",
		       clip(text), text);
}

enum iw_status
ld_uint32(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	unsigned long long v;
	enum iw_status rc = number(ld, node, UINT32_MAX, "0..4294967295", &v);

	(void)aux;
	if (rc == IW_OK)
		*(uint32_t *)dst = (uint32_t)v;
	return rc;
}

enum iw_status
ld_unsigned(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	unsigned long long v;
	enum iw_status rc = number(ld, node, UINT_MAX, "too large", &v);

	(void)aux;
	if (rc == IW_OK)
		*(unsigned *)dst = (unsigned)v;
	return rc;
}

enum iw_status
ld_byte(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	unsigned long long v;
	enum iw_status rc = number(ld, node, 0xFF, "a byte is 0..255, 0x00..0xFF", &v);

	(void)aux;
	if (rc == IW_OK)
		*(uint8_t *)dst = (uint8_t)v;
	return rc;
}

enum iw_status
ld_byte_opt(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	enum iw_status rc;

	*(bool *)aux = false;
	if (ld_is_null(node))
		return IW_OK;
	rc = ld_byte(ld, node, dst, NULL);
	if (rc == IW_OK)
		*(bool *)aux = true;
	return rc;
}

enum iw_status
ld_size(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	unsigned long long v;
	enum iw_status rc;

	(void)aux;
	*(long *)dst = -1;
	if (ld_is_null(node))
		return IW_OK;
	rc = number(ld, node, LONG_MAX, "too large", &v);
	if (rc == IW_OK)
		*(long *)dst = (long)v;
	return rc;
}

enum iw_status
ld_bool(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	const char *text = NULL;
	enum iw_status rc = need_scalar(ld, node, "true or false", &text);

	(void)aux;
	if (rc != IW_OK)
		return rc;
	if (strcmp(text, "true") == 0 || strcmp(text, "True") == 0 ||
	    strcmp(text, "TRUE") == 0)
		*(bool *)dst = true;
	else if (strcmp(text, "false") == 0 || strcmp(text, "False") == 0 ||
		 strcmp(text, "FALSE") == 0)
		*(bool *)dst = false;
	else
		return ld_fail(ld, node, "expected true or false, found '%.*s'",
			       clip(text), text);
	return IW_OK;
}

/* ---- hex formats ---------------------------------------------------------- */

/* Exactly `digits` hex digits at s; false otherwise. */
static bool
hex_field(const char *s, int digits, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < digits; i++) {
		int d = hex_digit_value(s[i]);

		if (d < 0)
			return false;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return true;
}

enum iw_status
ld_usb_id(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	struct catalog_usb_id *id = dst;
	const char *text = NULL;
	unsigned vid, pid;
	enum iw_status rc = need_scalar(ld, node, "a USB ID (\"VVVV:PPPP\")", &text);

	(void)aux;
	if (rc != IW_OK)
		return rc;
	if (strlen(text) != 9 || text[4] != ':' || !hex_field(text, 4, &vid) ||
	    !hex_field(text + 5, 4, &pid))
		return ld_fail(ld, node,
			       "expected a USB ID as VVVV:PPPP (4 hex digits each, e.g. 03EB:2FF4), found '%.*s'",
			       clip(text), text);
	id->vid = (uint16_t)vid;
	id->pid = (uint16_t)pid;
	return IW_OK;
}

static enum iw_status
usb_id_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	return ld_usb_id(ld, item, elem, NULL);
}

enum iw_status
ld_usb_id_list(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	return ld_list(ld, node, sizeof(struct catalog_usb_id), dst, aux,
		       usb_id_item, "USB IDs (\"VVVV:PPPP\")");
}

enum iw_status
ld_signature(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	uint8_t *sig = dst;
	const char *text = NULL;
	unsigned byte[3];
	enum iw_status rc = need_scalar(ld, node, "a signature (\"1E 95 87\")", &text);

	(void)aux;
	if (rc != IW_OK)
		return rc;
	if (strlen(text) != 8 || text[2] != ' ' || text[5] != ' ' ||
	    !hex_field(text, 2, &byte[0]) || !hex_field(text + 3, 2, &byte[1]) ||
	    !hex_field(text + 6, 2, &byte[2]))
		return ld_fail(ld, node,
			       "expected a signature as three hex bytes like \"1E 95 87\", found '%.*s'",
			       clip(text), text);
	for (int i = 0; i < 3; i++)
		sig[i] = (uint8_t)byte[i];
	return IW_OK;
}

enum iw_status
ld_sha256(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	const char *text = NULL;
	size_t len;
	enum iw_status rc;

	(void)aux;
	if (ld_is_null(node))
		return IW_OK;
	rc = need_scalar(ld, node, "a SHA-256 (64 hex digits) or null", &text);
	if (rc != IW_OK)
		return rc;
	len = strlen(text);
	for (size_t i = 0; i < len; i++)
		if (hex_digit_value(text[i]) < 0)
			return ld_fail(ld, node,
				       "sha256 must be 64 hex digits or null; '%c' is not a hex digit",
				       text[i]);
	if (len != 64)
		return ld_fail(ld, node,
			       "sha256 must be 64 hex digits or null, found %zu digits", len);
	rc = store_text(ld, text, dst);
	if (rc == IW_OK)
		for (char *p = *(char **)dst; *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
	return rc;
}
