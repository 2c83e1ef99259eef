/* json-util.c - ispwiz's JSON conventions over jansson. */
#include "core/json-util.h"

json_t *
json_hex_byte(uint8_t value)
{
	return json_sprintf("0x%02X", value);
}

json_t *
json_usb_id(struct catalog_usb_id id)
{
	return json_sprintf("%04X:%04X", id.vid, id.pid);
}

json_t *
json_string_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static int
print_with_flags(json_t *value, FILE *out, size_t flags)
{
	int rc = json_dumpf(value, out, flags);

	json_decref(value);
	if (rc != 0 || fputc('\n', out) == EOF || fflush(out) != 0)
		return -1;
	return 0;
}

int
json_print_document(json_t *doc, FILE *out)
{
	return print_with_flags(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

int
json_print_event(json_t *event, FILE *out)
{
	return print_with_flags(event, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
}

json_t *
json_fuse_set(const struct fuse_set *set)
{
	json_t *o = json_object();

	for (int b = 0; b < FUSE_COUNT; b++)
		if (set->present[b])
			json_object_set_new(o, fuse_byte_name((enum fuse_byte)b),
					    json_hex_byte(set->value[b]));
	return o;
}
