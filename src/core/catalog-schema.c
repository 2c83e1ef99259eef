/*
 * catalog-schema.c - the catalog's keys: one table per YAML mapping saying
 * which keys exist, which are required and how each value converts into the
 * structs of core/catalog.h, plus the checks that only make sense inside one
 * entry (fuse field masks, BOOTSZ rows, duplicate ids in one file) because
 * they need the exact position of the offending value.
 *
 * Checks between entries (a bootloader's part exists, presets match the
 * part's fuse bytes) are in catalog-validate.c: they must run after user
 * files have overridden entries.
 */
#include "config.h"

#include "core/catalog-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static struct catalog_origin
origin_of(struct ld *ld, const yaml_node_t *node)
{
	struct catalog_origin o = {
		ld->file, ld_line(node), (int)node->start_mark.column + 1,
	};
	return o;
}

/* A word from a fixed set; the index into `names` goes to *index. */
static enum iw_status
one_of(struct ld *ld, yaml_node_t *node, const char *what,
       const char *const *names, size_t n, size_t *index)
{
	char *text = NULL;
	const char *hint;
	char known[256];
	size_t used = 0;
	enum iw_status rc = ld_str(ld, node, &text, NULL);

	if (rc != IW_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(text, names[i]) == 0) {
			*index = i;
			free(text);
			return IW_OK;
		}
	}
	known[0] = '\0';
	for (size_t i = 0; i < n && used < sizeof known; i++)
		used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
					 i > 0 ? ", " : "", names[i]);
	hint = ld_suggest(text, names, n);
	if (hint != NULL)
		rc = ld_fail(ld, node, "unknown %s '%s' (did you mean '%s'? known: %s)",
			     what, text, hint, known);
	else
		rc = ld_fail(ld, node, "unknown %s '%s' (known: %s)", what, text, known);
	free(text);
	return rc;
}

/* ---- programmers ---------------------------------------------------------- */

static enum iw_status
ld_transport(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	static const char *const names[] = { "serial", "usb", "sim" };
	static const enum catalog_transport values[] = {
		CATALOG_TRANSPORT_SERIAL, CATALOG_TRANSPORT_USB, CATALOG_TRANSPORT_SIM,
	};
	size_t i;
	enum iw_status rc = one_of(ld, node, "transport", names, N_ELEMS(names), &i);

	(void)aux;
	if (rc == IW_OK)
		*(enum catalog_transport *)dst = values[i];
	return rc;
}

/* The programmer's own firmware is loaded through a bootloader it already
 * has; only these two are supported by the firmware-loading code. */
static enum iw_status
ld_loader(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	static const char *const names[] = { "caterina", "halfkay" };
	size_t i;
	enum iw_status rc = one_of(ld, node, "firmware loader", names, N_ELEMS(names), &i);

	(void)aux;
	if (rc != IW_OK)
		return rc;
	*(char **)dst = strdup(names[i]);
	return *(char **)dst != NULL ? IW_OK : ld_nomem(ld);
}

static enum iw_status
wire_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	struct catalog_wire *wire = elem;
	enum iw_status rc;

	if (item->type != YAML_SEQUENCE_NODE ||
	    item->data.sequence.items.top - item->data.sequence.items.start != 2)
		return ld_fail(ld, item,
			       "a wiring row is a pair [programmer pin, target pin], "
			       "e.g. [\"10 (B6)\", \"RESET\"]");
	rc = ld_str(ld, ld_node(ld, item->data.sequence.items.start[0]),
		    &wire->programmer_pin, NULL);
	if (rc == IW_OK)
		rc = ld_str(ld, ld_node(ld, item->data.sequence.items.start[1]),
			    &wire->target_pin, NULL);
	return rc;
}

static enum iw_status
ld_wiring(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	return ld_list(ld, node, sizeof(struct catalog_wire), dst, aux, wire_item,
		       "wiring rows");
}

/* ---- identities of known files ------------------------------------------- */

/* { start, length, sha256 }: see core/identity.h. */
static enum iw_status
ld_image_id(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	struct image_id *id = dst;
	char *sha = NULL;
	const struct ld_field fields[] = {
		LD_FIELD("start", true, ld_uint32, struct image_id, start),
		LD_FIELD("length", true, ld_uint32, struct image_id, length),
	};
	yaml_node_t *hash;
	enum iw_status rc;

	(void)aux;
	if (node->type != YAML_MAPPING_NODE)
		return ld_fail(ld, node, "expected { start, length, sha256 }: where the data "
			       "starts, how many bytes it spans and their SHA-256");
	hash = ld_get(ld, node, "sha256");
	if (hash == NULL)
		return ld_fail(ld, node, "this identity has no sha256");
	/* ld_map would refuse the sha256 key it does not list: take it out of
	 * the way by parsing the three keys one by one. */
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = ld_node(ld, p->key);
		const char *key = k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "";

		if (strcmp(key, "start") != 0 && strcmp(key, "length") != 0 &&
		    strcmp(key, "sha256") != 0)
			return ld_fail(ld, k, "unknown key '%s' in an identity (it has start, "
				       "length and sha256)", key);
	}
	for (size_t i = 0; i < N_ELEMS(fields); i++) {
		yaml_node_t *v = ld_get(ld, node, fields[i].key);

		if (v == NULL)
			return ld_fail(ld, node, "this identity has no %s", fields[i].key);
		if ((rc = fields[i].parse(ld, v, (char *)id + fields[i].offset, NULL)) != IW_OK)
			return rc;
	}
	if ((rc = ld_sha256(ld, hash, &sha, NULL)) != IW_OK)
		return rc;
	if (sha == NULL)
		return ld_fail(ld, hash, "sha256 may not be null in an identity");
	snprintf(id->sha256, sizeof id->sha256, "%s", sha);
	free(sha);
	if (id->length == 0)
		return ld_fail(ld, ld_get(ld, node, "length"), "an identity spans at least one byte");
	if ((uint64_t)id->start + id->length > IDENTITY_SPAN_MAX * 16ull)
		return ld_fail(ld, node, "start 0x%X + length %u is beyond any AVR's flash",
			       id->start, id->length);
	return IW_OK;
}

static enum iw_status
ld_image_id_opt(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	if (ld_is_null(node))
		return IW_OK;
	*(bool *)aux = true;
	return ld_image_id(ld, node, dst, NULL);
}

static const struct ld_field identity_fields[] = {
	LD_FIELD("version", false, ld_str_or_null, struct catalog_identity, version),
	LD_FIELD("note", false, ld_str_or_null, struct catalog_identity, note),
	LD_FIELD("image", true, ld_image_id, struct catalog_identity, image),
	LD_FIELD2("boot", false, ld_image_id_opt, struct catalog_identity, boot, has_boot),
};

static enum iw_status
identity_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	return ld_map(ld, item, identity_fields, N_ELEMS(identity_fields), elem, "identity");
}

static enum iw_status
ld_identities(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	return ld_list(ld, node, sizeof(struct catalog_identity), dst, aux, identity_item,
		       "identities ({ version, image, boot })");
}

/* The keys this catalog once had: a clear way forward instead of "unknown
 * key". */
static enum iw_status
ld_retired_hash(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	(void)dst;
	(void)aux;
	return ld_fail(ld, node, "sha256 and size were replaced by identities (a hash of "
		       "the file's bytes changes with its line endings): give "
		       "identities: [{ image: { start, length, sha256 } }], see "
		       "ispwiz-catalog(5), or leave the key out");
}

static const struct ld_field firmware_fields[] = {
	LD_FIELD("file", true, ld_str, struct catalog_isp_firmware, file),
	LD_FIELD("url", false, ld_str_or_null, struct catalog_isp_firmware, url),
	LD_FIELD("page", false, ld_str_or_null, struct catalog_isp_firmware, page),
	LD_FIELD("part", false, ld_str_or_null, struct catalog_isp_firmware, part),
	LD_FIELD("loader", true, ld_loader, struct catalog_isp_firmware, loader),
	LD_FIELD("instructions", true, ld_str, struct catalog_isp_firmware, instructions),
	LD_FIELD2("identities", false, ld_identities, struct catalog_isp_firmware, identities,
		  n_identities),
};

static enum iw_status
ld_firmware(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	struct catalog_isp_firmware *fw;

	(void)aux;
	if (ld_is_null(node))
		return IW_OK;
	fw = calloc(1, sizeof *fw);
	if (fw == NULL)
		return ld_nomem(ld);
	*(struct catalog_isp_firmware **)dst = fw;    /* owned from here on */
	return ld_map(ld, node, firmware_fields, N_ELEMS(firmware_fields), fw,
		      "isp_firmware");
}

static const struct ld_field programmer_fields[] = {
	LD_FIELD("id", true, ld_id, struct catalog_programmer, id),
	LD_FIELD("driver", true, ld_id, struct catalog_programmer, driver),
	LD_FIELD("name", true, ld_str, struct catalog_programmer, name),
	LD_FIELD("description", false, ld_str_or_null, struct catalog_programmer, description),
	LD_FIELD("avrdude", true, ld_str, struct catalog_programmer, avrdude_id),
	LD_FIELD("transport", true, ld_transport, struct catalog_programmer, transport),
	LD_FIELD("baud", false, ld_unsigned, struct catalog_programmer, baud),
	LD_FIELD2("usb_ids", false, ld_usb_id_list, struct catalog_programmer, usb_ids, n_usb_ids),
	LD_FIELD2("wiring", false, ld_wiring, struct catalog_programmer, wiring, n_wiring),
	LD_FIELD2("warnings", false, ld_str_list, struct catalog_programmer, warnings, n_warnings),
	LD_FIELD("max_flash", false, ld_uint32, struct catalog_programmer, max_flash),
	LD_FIELD("limit_note", false, ld_str_or_null, struct catalog_programmer, limit_note),
	LD_FIELD("isp_firmware", false, ld_firmware, struct catalog_programmer, firmware),
};

static enum iw_status
programmer_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	struct catalog_programmer *p = elem;
	enum iw_status rc;

	p->origin = origin_of(ld, item);
	rc = ld_map(ld, item, programmer_fields, N_ELEMS(programmer_fields), p,
		    "programmer entry");
	/* Where the driver is named: whether this build has it is known only
	 * above core (catalog_check_drivers), which reports it there. */
	if (rc == IW_OK)
		p->driver_origin = origin_of(ld, ld_get(ld, item, "driver"));
	return rc;
}

/* ---- parts: fuse bytes ---------------------------------------------------- */

static enum iw_status
ld_safety(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	static const char *const names[] = {
		"none", "confirm-change", "confirm-programmed",
		"refuse-programmed", "refuse-unprogrammed",
	};
	static const enum fuse_safety values[] = {
		FUSE_SAFETY_NONE, FUSE_SAFETY_CONFIRM_CHANGE,
		FUSE_SAFETY_CONFIRM_PROGRAMMED, FUSE_SAFETY_REFUSE_PROGRAMMED,
		FUSE_SAFETY_REFUSE_UNPROGRAMMED,
	};
	size_t i;
	enum iw_status rc = one_of(ld, node, "safety class", names, N_ELEMS(names), &i);

	(void)aux;
	if (rc == IW_OK)
		*(enum fuse_safety *)dst = values[i];
	return rc;
}

static const struct ld_field meaning_fields[] = {
	LD_FIELD("value", true, ld_byte, struct fuse_value_meaning, value),
	LD_FIELD("meaning", true, ld_str, struct fuse_value_meaning, meaning),
};

static enum iw_status
meaning_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	return ld_map(ld, item, meaning_fields, N_ELEMS(meaning_fields), elem,
		      "field value");
}

static enum iw_status
ld_meanings(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	return ld_list(ld, node, sizeof(struct fuse_value_meaning), dst, aux,
		       meaning_item, "{ value, meaning } rows");
}

static const struct ld_field field_fields[] = {
	LD_FIELD("name", true, ld_str, struct fuse_field, name),
	LD_FIELD("mask", true, ld_byte, struct fuse_field, mask),
	LD_FIELD("safety", false, ld_safety, struct fuse_field, safety),
	LD_FIELD("description", false, ld_str_or_null, struct fuse_field, description),
	LD_FIELD2("values", false, ld_meanings, struct fuse_field, values, n_values),
};

static unsigned
bit_count(uint8_t v)
{
	unsigned n = 0;

	for (; v != 0; v &= (uint8_t)(v - 1))
		n++;
	return n;
}

static enum iw_status
field_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	struct fuse_field *f = elem;
	yaml_node_t *values;
	unsigned max;
	enum iw_status rc;

	rc = ld_map(ld, item, field_fields, N_ELEMS(field_fields), f, "fuse field");
	if (rc != IW_OK)
		return rc;
	if (f->mask == 0)
		return ld_fail(ld, ld_get(ld, item, "mask"),
			       "field '%s' has mask 0; a field occupies at least one bit",
			       f->name);
	/* Values are right-aligned, so they count up to 2^bits - 1. */
	max = (1u << bit_count(f->mask)) - 1;
	values = ld_get(ld, item, "values");
	for (size_t i = 0; i < f->n_values; i++) {
		if (f->values[i].value > max) {
			yaml_node_t *row = ld_node(ld, values->data.sequence.items.start[i]);

			return ld_fail(ld, ld_get(ld, row, "value"),
				       "value 0x%X does not fit field '%s' (mask 0x%02X: %u bit%s, "
				       "values 0..0x%X, right-aligned)",
				       f->values[i].value, f->name, f->mask,
				       bit_count(f->mask), bit_count(f->mask) == 1 ? "" : "s", max);
		}
	}
	return catalog_check_value_rows(ld, item, f);
}

static enum iw_status
ld_fields(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	return ld_list(ld, node, sizeof(struct fuse_field), dst, aux, field_item,
		       "fuse fields");
}

static const struct ld_field byte_fields[] = {
	LD_FIELD("factory", true, ld_byte, struct fuse_byte_def, factory),
	LD_FIELD("unused", false, ld_byte, struct fuse_byte_def, unused_mask),
	LD_FIELD2("fields", true, ld_fields, struct fuse_byte_def, fields, n_fields),
};

/* Fields of one byte may not share bits with each other or with the unused
 * bits: the decoder and the safety rules assume each bit has one owner. */
static enum iw_status
check_masks(struct ld *ld, yaml_node_t *byte_node, const struct fuse_byte_def *def)
{
	yaml_node_t *list = ld_get(ld, byte_node, "fields");

	for (size_t i = 0; i < def->n_fields; i++) {
		const struct fuse_field *f = &def->fields[i];
		yaml_node_t *item = ld_node(ld, list->data.sequence.items.start[i]);
		yaml_node_t *mask = ld_get(ld, item, "mask");

		if (f->mask & def->unused_mask)
			return ld_fail(ld, mask,
				       "field '%s' (mask 0x%02X) uses bits 0x%02X that this fuse "
				       "byte marks unused (0x%02X)",
				       f->name, f->mask, f->mask & def->unused_mask,
				       def->unused_mask);
		for (size_t j = 0; j < i; j++) {
			const struct fuse_field *g = &def->fields[j];
			yaml_node_t *other = ld_node(ld, list->data.sequence.items.start[j]);

			if (strcmp(f->name, g->name) == 0)
				return ld_fail(ld, ld_get(ld, item, "name"),
					       "field '%s' is listed twice in this fuse byte "
					       "(first on line %d)", f->name, ld_line(other));
			if (f->mask & g->mask)
				return ld_fail(ld, mask,
					       "field '%s' (mask 0x%02X) overlaps field '%s' "
					       "(mask 0x%02X, line %d) in bits 0x%02X",
					       f->name, f->mask, g->name, g->mask,
					       ld_line(other), f->mask & g->mask);
		}
	}
	return IW_OK;
}

static enum iw_status
ld_fuse_byte(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	struct fuse_byte_def *def = dst;
	enum iw_status rc;

	(void)aux;
	if (ld_is_null(node))
		return IW_OK;   /* the part has no such byte (ATmega32A's efuse) */
	rc = ld_map(ld, node, byte_fields, N_ELEMS(byte_fields), def, "fuse byte");
	if (rc != IW_OK)
		return rc;
	def->present = true;
	return check_masks(ld, node, def);
}

#define BYTE_AT(k) ((size_t)(k) * sizeof(struct fuse_byte_def))
static const struct ld_field fuses_fields[] = {
	{ "lfuse", true, ld_fuse_byte, BYTE_AT(FUSE_LOW), 0, false },
	{ "hfuse", true, ld_fuse_byte, BYTE_AT(FUSE_HIGH), 0, false },
	{ "efuse", false, ld_fuse_byte, BYTE_AT(FUSE_EXT), 0, false },
};

static enum iw_status
ld_fuses(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	(void)aux;
	return ld_map(ld, node, fuses_fields, N_ELEMS(fuses_fields), dst, "fuses mapping");
}

/* ---- parts: boot table ---------------------------------------------------- */

static const struct ld_field boot_fields[] = {
	LD_FIELD("bootsz", true, ld_byte, struct boot_section, bootsz),
	LD_FIELD("size_words", true, ld_uint32, struct boot_section, size_words),
	LD_FIELD("start_word", true, ld_uint32, struct boot_section, start_word),
};

/* Rows are stored at boot[bootsz], whatever order the file lists them in. */
static enum iw_status
ld_boot(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	struct boot_section *boot = dst;
	int first_line[4] = { 0, 0, 0, 0 };

	(void)aux;
	if (node->type != YAML_SEQUENCE_NODE)
		return ld_fail(ld, node, "expected a list of { bootsz, size_words, "
			       "start_word } rows, one per BOOTSZ value");
	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		yaml_node_t *item = ld_node(ld, *it);
		struct boot_section row = { 0, 0, 0 };
		enum iw_status rc = ld_map(ld, item, boot_fields, N_ELEMS(boot_fields),
					   &row, "boot table row");

		if (rc != IW_OK)
			return rc;
		if (row.bootsz > 3)
			return ld_fail(ld, ld_get(ld, item, "bootsz"),
				       "bootsz %u is out of range: BOOTSZ is a 2-bit field (0..3)",
				       row.bootsz);
		if (row.size_words == 0)
			return ld_fail(ld, ld_get(ld, item, "size_words"),
				       "size_words must be more than 0");
		if (first_line[row.bootsz] != 0)
			return ld_fail(ld, ld_get(ld, item, "bootsz"),
				       "bootsz %u is listed twice (first on line %d)",
				       row.bootsz, first_line[row.bootsz]);
		first_line[row.bootsz] = ld_line(item);
		boot[row.bootsz] = row;
	}
	return IW_OK;
}

static const struct ld_field part_fields[] = {
	LD_FIELD("id", true, ld_id, struct catalog_part, id),
	LD_FIELD("name", true, ld_str, struct catalog_part, name),
	LD_FIELD("avrdude", true, ld_str, struct catalog_part, avrdude_id),
	LD_FIELD("signature", true, ld_signature, struct catalog_part, signature),
	LD_FIELD("flash", true, ld_uint32, struct catalog_part, flash_size),
	LD_FIELD("page", true, ld_uint32, struct catalog_part, page_size),
	LD_FIELD("eeprom", true, ld_uint32, struct catalog_part, eeprom_size),
	LD_FIELD("lock_mask", false, ld_byte, struct catalog_part, lock_mask),
	LD_FIELD("boot", true, ld_boot, struct catalog_part, boot),
	LD_FIELD("fuses", true, ld_fuses, struct catalog_part, fuses),
};

static enum iw_status
part_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	struct catalog_part *p = elem;

	enum iw_status rc;

	p->origin = origin_of(ld, item);
	p->lock_mask = 0x3F;    /* all six lock bits: true of every part we list */
	rc = ld_map(ld, item, part_fields, N_ELEMS(part_fields), p, "part entry");
	return rc != IW_OK ? rc : catalog_check_part_sizes(ld, item, p);
}

/* ---- bootloaders ---------------------------------------------------------- */

#define PRESET_FUSE(key, k) \
	{ (key), false, ld_byte_opt, \
	  offsetof(struct catalog_preset, fuse) + (size_t)(k), \
	  offsetof(struct catalog_preset, has_fuse) + (size_t)(k) * sizeof(bool), true }

static const struct ld_field preset_fields[] = {
	LD_FIELD("name", true, ld_str, struct catalog_preset, name),
	LD_FIELD("description", false, ld_str_or_null, struct catalog_preset, description),
	PRESET_FUSE("lfuse", FUSE_LOW),
	PRESET_FUSE("hfuse", FUSE_HIGH),
	PRESET_FUSE("efuse", FUSE_EXT),
	LD_FIELD2("lock", false, ld_byte_opt, struct catalog_preset, lock, has_lock),
};

static enum iw_status
preset_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	return ld_map(ld, item, preset_fields, N_ELEMS(preset_fields), elem, "preset");
}

static enum iw_status
ld_presets(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	struct catalog_preset **presets = dst;
	size_t *n = aux;
	enum iw_status rc;

	rc = ld_list(ld, node, sizeof(struct catalog_preset), dst, aux, preset_item,
		     "fuse presets");
	if (rc != IW_OK)
		return rc;
	for (size_t i = 0; i < *n; i++) {
		for (size_t j = 0; j < i; j++) {
			if (strcmp((*presets)[i].name, (*presets)[j].name) != 0)
				continue;
			yaml_node_t *item = ld_node(ld, node->data.sequence.items.start[i]);
			yaml_node_t *first = ld_node(ld, node->data.sequence.items.start[j]);

			return ld_fail(ld, ld_get(ld, item, "name"),
				       "preset '%s' is listed twice (first on line %d)",
				       (*presets)[i].name, ld_line(first));
		}
	}
	return IW_OK;
}

static enum iw_status
ld_usb_id_opt(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	if (ld_is_null(node))
		return IW_OK;
	*(bool *)aux = true;
	return ld_usb_id(ld, node, dst, NULL);
}

static const struct ld_field bootloader_fields[] = {
	LD_FIELD("id", true, ld_id, struct catalog_bootloader, id),
	LD_FIELD("family", true, ld_id, struct catalog_bootloader, family),
	LD_FIELD("name", true, ld_str, struct catalog_bootloader, name),
	/* Any text: catalog_validate() suggests the id for a name. */
	LD_FIELD("part", true, ld_str, struct catalog_bootloader, part),
	LD_FIELD("usb_id", true, ld_usb_id, struct catalog_bootloader, usb_id),
	LD_FIELD2("presets", true, ld_presets, struct catalog_bootloader, presets, n_presets),
	LD_FIELD("file", false, ld_str_or_null, struct catalog_bootloader, file),
	LD_FIELD("url", false, ld_str_or_null, struct catalog_bootloader, url),
	LD_FIELD("page", false, ld_str_or_null, struct catalog_bootloader, page),
	LD_FIELD2("identities", false, ld_identities, struct catalog_bootloader, identities,
		  n_identities),
	{ "sha256", false, ld_retired_hash, 0, 0, false },
	{ "size", false, ld_retired_hash, 0, 0, false },
	LD_FIELD("combined_sketch", false, ld_bool, struct catalog_bootloader, combined_sketch),
	LD_FIELD2("sketch_usb_id", false, ld_usb_id_opt, struct catalog_bootloader,
		  sketch_usb_id, has_sketch_usb_id),
	LD_FIELD("window_ms", false, ld_uint32, struct catalog_bootloader, window_ms),
	LD_FIELD("double_tap_window_ms", false, ld_uint32, struct catalog_bootloader,
		 double_tap_window_ms),
	LD_FIELD2("notes", false, ld_str_list, struct catalog_bootloader, notes, n_notes),
};

static enum iw_status
bootloader_item(struct ld *ld, yaml_node_t *item, void *elem)
{
	struct catalog_bootloader *b = elem;

	b->origin = origin_of(ld, item);
	return ld_map(ld, item, bootloader_fields, N_ELEMS(bootloader_fields), b,
		      "bootloader entry");
}

/* ---- the top level -------------------------------------------------------- */

/* Within one file an id may appear once per kind; across files a repeat is
 * an override, handled by catalog_merge(). */
static enum iw_status
unique_ids(struct ld *ld, yaml_node_t *list, const char *entries, size_t n,
	   size_t elem_size, size_t id_offset, const char *kind)
{
	for (size_t i = 0; i < n; i++) {
		const char *id_i = *(char *const *)(entries + i * elem_size + id_offset);

		for (size_t j = 0; j < i; j++) {
			const char *id_j = *(char *const *)(entries + j * elem_size + id_offset);

			if (strcmp(id_i, id_j) != 0)
				continue;
			yaml_node_t *item = ld_node(ld, list->data.sequence.items.start[i]);
			yaml_node_t *first = ld_node(ld, list->data.sequence.items.start[j]);

			return ld_fail(ld, ld_get(ld, item, "id"),
				       "duplicate %s id '%s' (first defined on line %d); "
				       "ids must be unique within a file",
				       kind, id_i, ld_line(ld_get(ld, first, "id")));
		}
	}
	return IW_OK;
}

#define ENTRY_LIST(fn, type, item_fn, what, kind)                              \
	static enum iw_status                                                 \
	fn(struct ld *ld, yaml_node_t *node, void *dst, void *aux)            \
	{                                                                     \
		enum iw_status rc = ld_list(ld, node, sizeof(type), dst, aux, \
					    item_fn, what);                   \
		const type *entries = *(type **)dst;                          \
		if (rc != IW_OK)                                              \
			return rc;                                            \
		return unique_ids(ld, node, (const char *)entries,            \
				  *(size_t *)aux, sizeof(type),               \
				  offsetof(type, id), kind);                  \
	}

ENTRY_LIST(ld_programmers, struct catalog_programmer, programmer_item,
	   "programmer entries", "programmer")
ENTRY_LIST(ld_parts, struct catalog_part, part_item, "part entries", "part")
ENTRY_LIST(ld_bootloaders, struct catalog_bootloader, bootloader_item,
	   "bootloader entries", "bootloader")

#define CATALOG_VERSION 1

/* The version is checked before anything else (see catalog_schema_load);
 * here it only has to be accepted as a key. */
static enum iw_status
ld_version(struct ld *ld, yaml_node_t *node, void *dst, void *aux)
{
	(void)ld; (void)node; (void)dst; (void)aux;
	return IW_OK;
}

static const struct ld_field top_fields[] = {
	{ "version", true, ld_version, 0, 0, false },
	LD_FIELD2("programmers", false, ld_programmers, struct catalog, programmers, n_programmers),
	LD_FIELD2("parts", false, ld_parts, struct catalog, parts, n_parts),
	LD_FIELD2("bootloaders", false, ld_bootloaders, struct catalog, bootloaders, n_bootloaders),
};

enum iw_status
catalog_schema_load(struct ld *ld, yaml_node_t *root, struct catalog *cat)
{
	yaml_node_t *version;
	uint32_t v;
	enum iw_status rc;

	if (root->type != YAML_MAPPING_NODE)
		return ld_fail(ld, root,
			       "a catalog is a mapping with the keys version, programmers, "
			       "parts and bootloaders, but this file's top level is %s",
			       root->type == YAML_SEQUENCE_NODE ? "a list" : "a single value");
	/* First, so that a future format's new keys are reported as a version
	 * problem rather than as unknown keys. */
	version = ld_get(ld, root, "version");
	if (version == NULL)
		return ld_fail(ld, root, "this catalog has no 'version' key; add "
			       "'version: %d' at the top", CATALOG_VERSION);
	rc = ld_uint32(ld, version, &v, NULL);
	if (rc != IW_OK)
		return rc;
	if (v != CATALOG_VERSION)
		return ld_fail(ld, version, "unsupported catalog version %u: this ispwiz "
			       "reads version %d", (unsigned)v, CATALOG_VERSION);
	return ld_map(ld, root, top_fields, N_ELEMS(top_fields), cat, "catalog");
}
