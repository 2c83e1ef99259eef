/* catalog-json.c - catalog entries as JSON (see catalog-json.h). */
#include "config.h"

#include "cli/catalog-json.h"

#include <stdbool.h>

#include "core/json-util.h"

/* JSON builders record a failure instead of checking every call. */
struct jb {
	bool failed;
};

static void
put(struct jb *jb, json_t *obj, const char *key, json_t *value)
{
	/* jansson's _new calls release `value` even when they fail. */
	if (value == NULL || json_object_set_new(obj, key, value) != 0)
		jb->failed = true;
}

static void
append(struct jb *jb, json_t *array, json_t *value)
{
	if (value == NULL || json_array_append_new(array, value) != 0)
		jb->failed = true;
}

static json_t *
string_list(struct jb *jb, char *const *items, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		append(jb, a, json_string(items[i]));
	return a;
}

static json_t *
origin_json(struct jb *jb, const struct catalog_origin *o)
{
	json_t *obj = json_object();

	put(jb, obj, "file", json_string_or_null(o->file));
	put(jb, obj, "line", json_integer(o->line));
	put(jb, obj, "col", json_integer(o->col));
	return obj;
}

static json_t *
image_id_json(struct jb *jb, const struct image_id *id)
{
	json_t *o = json_object();

	put(jb, o, "start", json_integer(id->start));
	put(jb, o, "length", json_integer(id->length));
	put(jb, o, "sha256", json_string(id->sha256));
	return o;
}

static json_t *
identities_json(struct jb *jb, const struct catalog_identity *ids, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();

		put(jb, o, "version", json_string_or_null(ids[i].version));
		put(jb, o, "note", json_string_or_null(ids[i].note));
		put(jb, o, "image", image_id_json(jb, &ids[i].image));
		put(jb, o, "boot", ids[i].has_boot ? image_id_json(jb, &ids[i].boot) : json_null());
		append(jb, arr, o);
	}
	return arr;
}

static json_t *
programmer(struct jb *jb, const struct catalog_programmer *p)
{
	json_t *obj = json_object();
	json_t *ids = json_array(), *wiring = json_array();

	put(jb, obj, "id", json_string(p->id));
	put(jb, obj, "driver", json_string(p->driver));
	put(jb, obj, "name", json_string(p->name));
	put(jb, obj, "description", json_string_or_null(p->description));
	put(jb, obj, "avrdude", json_string(p->avrdude_id));
	put(jb, obj, "transport", json_string(catalog_transport_name(p->transport)));
	put(jb, obj, "baud", p->baud != 0 ? json_integer(p->baud) : json_null());
	for (size_t i = 0; i < p->n_usb_ids; i++)
		append(jb, ids, json_usb_id(p->usb_ids[i]));
	put(jb, obj, "usb_ids", ids);
	for (size_t i = 0; i < p->n_wiring; i++) {
		json_t *row = json_object();

		put(jb, row, "programmer", json_string(p->wiring[i].programmer_pin));
		put(jb, row, "target", json_string(p->wiring[i].target_pin));
		append(jb, wiring, row);
	}
	put(jb, obj, "wiring", wiring);
	put(jb, obj, "warnings", string_list(jb, p->warnings, p->n_warnings));
	put(jb, obj, "max_flash", p->max_flash != 0 ? json_integer(p->max_flash) : json_null());
	put(jb, obj, "limit_note", json_string_or_null(p->limit_note));
	if (p->firmware != NULL) {
		json_t *fw = json_object();

		put(jb, fw, "file", json_string(p->firmware->file));
		put(jb, fw, "url", json_string_or_null(p->firmware->url));
		put(jb, fw, "page", json_string_or_null(p->firmware->page));
		put(jb, fw, "part", json_string_or_null(p->firmware->part));
		put(jb, fw, "loader", json_string(p->firmware->loader));
		put(jb, fw, "identities", identities_json(jb, p->firmware->identities,
							  p->firmware->n_identities));
		put(jb, fw, "instructions", json_string(p->firmware->instructions));
		put(jb, obj, "isp_firmware", fw);
	} else {
		put(jb, obj, "isp_firmware", json_null());
	}
	put(jb, obj, "origin", origin_json(jb, &p->origin));
	return obj;
}

static json_t *
fuse_byte_json(struct jb *jb, const struct fuse_byte_def *def)
{
	json_t *obj, *fields;

	if (!def->present)
		return json_null();
	obj = json_object();
	fields = json_array();
	put(jb, obj, "factory", json_hex_byte(def->factory));
	put(jb, obj, "unused", json_hex_byte(def->unused_mask));
	for (size_t i = 0; i < def->n_fields; i++) {
		const struct fuse_field *f = &def->fields[i];
		json_t *field = json_object(), *values = json_array();

		put(jb, field, "name", json_string(f->name));
		put(jb, field, "mask", json_hex_byte(f->mask));
		put(jb, field, "safety", json_string(fuse_safety_name(f->safety)));
		put(jb, field, "description", json_string_or_null(f->description));
		for (size_t v = 0; v < f->n_values; v++) {
			json_t *row = json_object();

			put(jb, row, "value", json_hex_byte(f->values[v].value));
			put(jb, row, "meaning", json_string(f->values[v].meaning));
			append(jb, values, row);
		}
		put(jb, field, "values", values);
		append(jb, fields, field);
	}
	put(jb, obj, "fields", fields);
	return obj;
}

static json_t *
part(struct jb *jb, const struct catalog_part *p)
{
	json_t *obj = json_object(), *fuses = json_object(), *boot = json_array();

	put(jb, obj, "id", json_string(p->id));
	put(jb, obj, "name", json_string(p->name));
	put(jb, obj, "avrdude", json_string(p->avrdude_id));
	put(jb, obj, "signature", json_sprintf("%02X %02X %02X", p->signature[0],
					       p->signature[1], p->signature[2]));
	put(jb, obj, "flash", json_integer(p->flash_size));
	put(jb, obj, "page", json_integer(p->page_size));
	put(jb, obj, "eeprom", json_integer(p->eeprom_size));
	put(jb, obj, "lock_mask", json_hex_byte(p->lock_mask));
	for (int b = 0; b < FUSE_COUNT; b++)
		put(jb, fuses, fuse_byte_name(b), fuse_byte_json(jb, &p->fuses[b]));
	put(jb, obj, "fuses", fuses);
	/* In BOOTSZ order: 0 is the largest section. */
	for (int i = 0; i < 4; i++) {
		const struct boot_section *s = &p->boot[i];
		json_t *row = json_object();

		if (s->size_words == 0)
			continue;
		put(jb, row, "bootsz", json_integer(s->bootsz));
		put(jb, row, "size_words", json_integer(s->size_words));
		put(jb, row, "start_word", json_integer(s->start_word));
		put(jb, row, "start_byte", json_integer((json_int_t)s->start_word * 2));
		append(jb, boot, row);
	}
	put(jb, obj, "boot", boot);
	put(jb, obj, "origin", origin_json(jb, &p->origin));
	return obj;
}

static json_t *
bootloader(struct jb *jb, const struct catalog_bootloader *bl)
{
	json_t *obj = json_object(), *presets = json_array();

	put(jb, obj, "id", json_string(bl->id));
	put(jb, obj, "family", json_string(bl->family));
	put(jb, obj, "name", json_string(bl->name));
	put(jb, obj, "part", json_string(bl->part));
	put(jb, obj, "usb_id", json_usb_id(bl->usb_id));
	for (size_t i = 0; i < bl->n_presets; i++) {
		const struct catalog_preset *ps = &bl->presets[i];
		json_t *row = json_object();

		put(jb, row, "name", json_string(ps->name));
		put(jb, row, "description", json_string_or_null(ps->description));
		for (int b = 0; b < FUSE_COUNT; b++)
			put(jb, row, fuse_byte_name(b),
			    ps->has_fuse[b] ? json_hex_byte(ps->fuse[b]) : json_null());
		put(jb, row, "lock", ps->has_lock ? json_hex_byte(ps->lock) : json_null());
		append(jb, presets, row);
	}
	put(jb, obj, "presets", presets);
	put(jb, obj, "file", json_string_or_null(bl->file));
	put(jb, obj, "url", json_string_or_null(bl->url));
	put(jb, obj, "page", json_string_or_null(bl->page));
	put(jb, obj, "identities", identities_json(jb, bl->identities, bl->n_identities));
	put(jb, obj, "combined_sketch", json_boolean(bl->combined_sketch));
	put(jb, obj, "sketch_usb_id", bl->has_sketch_usb_id ? json_usb_id(bl->sketch_usb_id) :
	    json_null());
	put(jb, obj, "window_ms", bl->window_ms != 0 ? json_integer(bl->window_ms) : json_null());
	put(jb, obj, "double_tap_window_ms", bl->double_tap_window_ms != 0 ?
	    json_integer(bl->double_tap_window_ms) : json_null());
	put(jb, obj, "notes", string_list(jb, bl->notes, bl->n_notes));
	put(jb, obj, "origin", origin_json(jb, &bl->origin));
	return obj;
}

/* Builders note a failed allocation in jb instead of checking every call;
 * the object is only handed out when nothing failed. */
static json_t *
finish(struct jb *jb, json_t *obj)
{
	if (jb->failed) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *
catalog_json_programmer(const struct catalog_programmer *p)
{
	struct jb jb = { false };

	return finish(&jb, programmer(&jb, p));
}

json_t *
catalog_json_part(const struct catalog_part *p)
{
	struct jb jb = { false };

	return finish(&jb, part(&jb, p));
}

json_t *
catalog_json_bootloader(const struct catalog_bootloader *bl)
{
	struct jb jb = { false };

	return finish(&jb, bootloader(&jb, bl));
}
