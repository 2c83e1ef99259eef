/*
 * catalog-private.h - what the catalog's own files share with each other:
 * entry clean-up, the id-keyed merge, and the YAML walking helpers that the
 * loader (catalog-load.c) and the schema tables (catalog-schema.c) use.
 *
 * Front ends never include this; they see only core/catalog.h.
 */
#ifndef ISPWIZ_CORE_CATALOG_PRIVATE_H
#define ISPWIZ_CORE_CATALOG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "core/catalog.h"
#include "core/error.h"

/* ---- catalog.c ---------------------------------------------------------- */

/* Free what an entry owns and zero it (the struct itself is not freed). */
void catalog_programmer_clear(struct catalog_programmer *p);
void catalog_part_clear(struct catalog_part *p);
void catalog_bootloader_clear(struct catalog_bootloader *b);
void catalog_identities_free(struct catalog_identity *ids, size_t n);

/* Move every entry and file name of `src` into `dst`: an entry whose id is
 * already in `dst` replaces that entry in place, a new id is appended.
 * Storage is reserved before anything moves, so on failure (IW_NOMEM) both
 * catalogs are as they were; on success `src` is left empty. */
enum iw_status catalog_merge(struct catalog *dst, struct catalog *src,
			     struct iw_error *err);

/* Ids are lower-case words ([a-z0-9][a-z0-9._-]*) so that lookups can be
 * case-insensitive without two entries ever matching the same text. */
bool catalog_valid_id(const char *id);

/* ---- catalog-yaml.c: walking a libyaml document ------------------------- */

struct ld {
	yaml_document_t *doc;
	const char *file;       /* name used in messages; owned by the catalog */
	struct iw_error *err;
};

/* A value parser: converts `node` and stores it at `dst`; `aux` is a second
 * destination for parsers that need one (a list's count, a "given" flag). */
typedef enum iw_status ld_parse_fn(struct ld *ld, yaml_node_t *node,
				   void *dst, void *aux);

struct ld_field {
	const char *key;
	bool required;
	ld_parse_fn *parse;
	size_t offset;          /* of dst within the object */
	size_t aux_offset;      /* of aux; only read when has_aux */
	bool has_aux;
};

#define LD_FIELD(key, req, fn, type, member) \
	{ (key), (req), (fn), offsetof(type, member), 0, false }
#define LD_FIELD2(key, req, fn, type, member, aux) \
	{ (key), (req), (fn), offsetof(type, member), offsetof(type, aux), true }

/* IW_CATALOG error "file:line:col: <message>" at the node (1:1 for NULL). */
enum iw_status ld_fail(struct ld *ld, const yaml_node_t *node,
		       const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum iw_status ld_nomem(struct ld *ld);
int ld_line(const yaml_node_t *node);

yaml_node_t *ld_node(struct ld *ld, int index);
bool ld_is_null(const yaml_node_t *node);
/* The value stored under `key` in a mapping node, NULL when absent. */
yaml_node_t *ld_get(struct ld *ld, yaml_node_t *map, const char *key);

/* Walk a mapping: every key must be in `fields` (unknown keys are errors
 * with a spelling suggestion, repeated keys are errors), every required key
 * must be present (else an error at the mapping naming the key). `what`
 * names the mapping in messages ("programmer", "fuse field"). */
enum iw_status ld_map(struct ld *ld, yaml_node_t *node,
		      const struct ld_field *fields, size_t n_fields,
		      void *obj, const char *what);

/* A list whose items `each` converts into consecutive elements of a newly
 * allocated array; null or a missing value means an empty list.  The count
 * is stored before the items are filled in so that a failure half-way
 * leaves something the clear functions can free. */
typedef enum iw_status ld_item_fn(struct ld *ld, yaml_node_t *item,
				  void *elem);
enum iw_status ld_list(struct ld *ld, yaml_node_t *node, size_t elem_size,
		       void **array, size_t *count, ld_item_fn *each,
		       const char *what);

/* Value parsers (dst types in brackets). */
ld_parse_fn ld_str;          /* char *: non-empty text */
ld_parse_fn ld_str_or_null;  /* char *: text, or NULL for null */
ld_parse_fn ld_id;           /* char *: an id, see catalog_valid_id() */
ld_parse_fn ld_uint32;       /* uint32_t: 123 or 0x7B */
ld_parse_fn ld_unsigned;     /* unsigned */
ld_parse_fn ld_byte;         /* uint8_t: 0..255 */
ld_parse_fn ld_byte_opt;     /* uint8_t, bool given (aux): byte or null */
ld_parse_fn ld_bool;         /* bool: true/false */
ld_parse_fn ld_size;         /* long: >= 0, or -1 for null */
ld_parse_fn ld_sha256;       /* char *: 64 hex digits (stored lower-case) or NULL */
ld_parse_fn ld_usb_id;       /* struct catalog_usb_id: "VVVV:PPPP" */
ld_parse_fn ld_usb_id_list;  /* struct catalog_usb_id *, size_t count (aux) */
ld_parse_fn ld_signature;    /* uint8_t[3]: "1E 95 87" */
ld_parse_fn ld_str_list;     /* char **, size_t count (aux) */

/* Suggestion for a misspelt word: the closest candidate within a small edit
 * distance, or NULL. */
const char *ld_suggest(const char *word, const char *const *candidates,
		       size_t n);

/* ---- catalog-limits.c: values no AVR has, refused at their position ---- */

/* A part's page, flash and EEPROM sizes (`item` is the part's mapping). */
enum iw_status catalog_check_part_sizes(struct ld *ld, yaml_node_t *item,
					const struct catalog_part *p);
/* No value listed twice among a fuse field's { value, meaning } rows. */
enum iw_status catalog_check_value_rows(struct ld *ld, yaml_node_t *field_node,
					const struct fuse_field *f);

/* ---- catalog-schema.c: the catalog's keys ------------------------------- */

/* Convert the document's root mapping into `cat` (which is empty). */
enum iw_status catalog_schema_load(struct ld *ld, yaml_node_t *root,
				   struct catalog *cat);

#endif
