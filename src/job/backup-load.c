/*
 * backup-load.c - a backup read back for `ispwiz restore`: the record
 * (BASE.json) checked field by field against the catalog, and its memory
 * files checked against the record, before anything goes near a chip.
 *
 * What is refused, each with its own message: a file that is not a backup
 * record, one from a newer ispwiz, a reservation whose job never wrote its
 * backup ("complete": false), a part the catalog does not know or whose
 * signature the record contradicts, fuse bytes the part does not have, a
 * missing or malformed memory file, one larger than the part, and one
 * whose content is not what the record's SHA-256 says the chip held.
 */
#include "job/backup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/hex-image.h"
#include "core/sha256.h"

/* BASE, BASE.json, BASE.hex and BASE.eep.hex all name the backup BASE. */
static void
record_path(const char *given, char *out, size_t size)
{
	static const char *const suffixes[] = { ".eep.hex", ".hex", ".json" };
	size_t len = strlen(given);

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t n = strlen(suffixes[i]);

		if (len > n && strcmp(given + len - n, suffixes[i]) == 0) {
			snprintf(out, size, "%.*s.json", (int)(len - n), given);
			return;
		}
	}
	snprintf(out, size, "%s.json", given);
}

/* A file the record names, next to the record. */
static void
sibling(const char *json_path, const char *name, char *out, size_t size)
{
	const char *slash = strrchr(json_path, '/');

	if (name[0] == '/' || slash == NULL)
		snprintf(out, size, "%s", name);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - json_path), json_path, name);
}

static enum iw_status
bad(struct iw_error *err, const char *path, const char *why)
{
	return iw_error_set(err, IW_INPUT, "%s: %s; it is not a backup ispwiz can restore "
			    "(nothing was touched)", path, why);
}

static bool
hex_byte(json_t *v, uint8_t *out)
{
	const char *s = json_string_value(v);
	char *end;
	unsigned long n;

	if (s == NULL || strncmp(s, "0x", 2) != 0 || s[2] == '\0')
		return false;
	errno = 0;
	n = strtoul(s + 2, &end, 16);
	if (errno != 0 || *end != '\0' || n > 0xFF)
		return false;
	*out = (uint8_t)n;
	return true;
}

static enum iw_status
load_part(json_t *root, const struct catalog *cat, struct backup_set *set,
	  struct iw_error *err)
{
	const char *id = json_string_value(json_object_get(root, "part"));
	json_t *sig = json_object_get(root, "signature");

	if (id == NULL)
		return bad(err, set->json, "it names no part (\"part\")");
	if ((set->part = catalog_find_part(cat, id)) == NULL)
		return iw_error_set(err, IW_INPUT, "%s: the backup is of a part called '%s' "
				    "that the catalog does not know; use the catalog the "
				    "backup was made with (--catalog FILE)", set->json, id);
	if (!json_is_array(sig) || json_array_size(sig) != 3)
		return bad(err, set->json, "its signature is not three bytes");
	for (size_t i = 0; i < 3; i++)
		if (!hex_byte(json_array_get(sig, i), &set->signature[i]))
			return bad(err, set->json, "its signature is not three bytes "
				   "like \"0x1E\"");
	if (memcmp(set->signature, set->part->signature, 3) != 0)
		return iw_error_set(err, IW_INPUT, "%s: the record says %s but its "
				    "signature %02X %02X %02X is not that part's (%02X %02X "
				    "%02X); the record was changed after it was written",
				    set->json, catalog_part_label(set->part),
				    set->signature[0], set->signature[1], set->signature[2],
				    set->part->signature[0], set->part->signature[1],
				    set->part->signature[2]);
	return IW_OK;
}

static enum iw_status
load_fuses(json_t *root, struct backup_set *set, struct iw_error *err)
{
	json_t *fuses = json_object_get(root, "fuses"), *lock = json_object_get(root, "lock");
	const char *key;
	json_t *v;

	fuse_set_init(&set->fuses);
	if (!json_is_object(fuses))
		return bad(err, set->json, "it has no \"fuses\" object");
	json_object_foreach(fuses, key, v) {
		int b;

		for (b = 0; b < FUSE_COUNT; b++)
			if (strcmp(key, fuse_byte_name((enum fuse_byte)b)) == 0)
				break;
		if (b == FUSE_COUNT || !set->part->fuses[b].present)
			return iw_error_set(err, IW_INPUT, "%s: the fuse byte \"%s\" is not "
					    "one the %s has; the record was changed after "
					    "it was written", set->json, key,
					    catalog_part_label(set->part));
		if (!hex_byte(v, &set->fuses.value[b]))
			return iw_error_set(err, IW_INPUT, "%s: %s is not a byte like "
					    "\"0x99\"", set->json, key);
		set->fuses.present[b] = true;
	}
	set->have_lock = lock != NULL && !json_is_null(lock);
	if (set->have_lock && !hex_byte(lock, &set->lock))
		return iw_error_set(err, IW_INPUT, "%s: the lock is not a byte like \"0xFF\"",
				    set->json);
	return IW_OK;
}

/* The bytes a backup's HEX file leaves out were blank (0xFF) on the chip;
 * a restore puts them back too, so the image covers the whole flash: its
 * blank pages are skipped by the writer (the erase made them so) and read
 * by the verify (proof that it did). */
static enum iw_status
fill_gaps(struct hex_image *img, uint32_t size, struct iw_error *err)
{
	static const char origin[] = "blank in the backup";
	size_t n = hex_image_segment_count(img);
	uint32_t *gap = malloc((n + 1) * 2 * sizeof *gap), a = 0, ng = 0;
	uint8_t ff[256];
	enum iw_status st = IW_OK;

	if (gap == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	/* The gaps first: filling them changes the segment list. */
	for (size_t i = 0; i <= n; i++) {
		uint32_t end = i < n ? hex_image_segment(img, i).addr : size;

		if (end > a) {
			gap[ng * 2] = a;
			gap[ng * 2 + 1] = end;
			ng++;
		}
		if (i < n)
			a = hex_image_segment(img, i).addr + hex_image_segment(img, i).len;
	}
	memset(ff, 0xFF, sizeof ff);
	for (uint32_t g = 0; g < ng && st == IW_OK; g++)
		for (a = gap[g * 2]; a < gap[g * 2 + 1] && st == IW_OK; a += sizeof ff) {
			uint32_t len = gap[g * 2 + 1] - a < sizeof ff ? gap[g * 2 + 1] - a : sizeof ff;

			st = hex_image_put(img, a, ff, len, origin, 0, err);
		}
	free(gap);
	return st;
}

/* One memory's file: read, fitted into `size` bytes, and checked against
 * the record's SHA-256 of those bytes.  `*mem` stays NULL when the record
 * says the memory was not saved; with `image` the file's image is kept
 * too (its lines name the bytes in a verify failure). */
static enum iw_status
load_memory(json_t *rec, const char *what, const char *json_path, uint32_t size,
	    char *path, size_t path_size, uint8_t **mem, struct hex_image **image,
	    struct iw_error *err)
{
	const char *name = json_string_value(json_object_get(rec, "file"));
	const char *want = json_string_value(json_object_get(rec, "sha256"));
	struct hex_image *img;
	char got[SHA256_HEX_LEN + 1];
	enum iw_status st;

	*mem = NULL;
	path[0] = '\0';
	if (name == NULL)
		return IW_OK;
	if (size == 0)
		return iw_error_set(err, IW_INPUT, "%s: it names an %s file but the part "
				    "has no %s", json_path, what, what);
	sibling(json_path, name, path, path_size);
	if ((img = hex_image_new()) == NULL || (*mem = malloc(size)) == NULL) {
		hex_image_free(img);
		return iw_error_set(err, IW_NOMEM, "out of memory reading %s", path);
	}
	st = hex_image_read_file(img, path, err);
	if (st == IW_OK)
		st = hex_image_check_fits(img, size, what, err);
	if (st != IW_OK) {
		iw_error_prefix(err, "the backup's %s file", what);
		goto fail;
	}
	hex_image_read_range(img, 0, size, 0xFF, *mem);
	if (want != NULL) {
		sha256_buffer_hex(*mem, size, got);
		if (strcmp(got, want) != 0) {
			st = iw_error_set(err, IW_INPUT, "%s does not hold what the backup "
					  "recorded (the %s's SHA-256 is %.16s..., the record "
					  "says %.16s...): the file was changed or damaged after "
					  "the backup was taken; nothing was touched", path, what,
					  got, want);
			goto fail;
		}
	}
	if (image != NULL && (st = fill_gaps(img, size, err)) != IW_OK)
		goto fail;
	if (image != NULL)
		*image = img;
	else
		hex_image_free(img);
	return IW_OK;
fail:
	hex_image_free(img);
	free(*mem);
	*mem = NULL;
	return st;
}

static enum iw_status
load_record(json_t *root, const struct catalog *cat, struct backup_set *set,
	    struct iw_error *err)
{
	const char *format = json_string_value(json_object_get(root, "format"));
	json_t *complete = json_object_get(root, "complete");
	json_int_t version = json_integer_value(json_object_get(root, "version"));
	const char *s;
	enum iw_status st;

	if (format == NULL || strcmp(format, "ispwiz-backup") != 0)
		return bad(err, set->json, "its \"format\" is not \"ispwiz-backup\"");
	if (version > 1)
		return iw_error_set(err, IW_INPUT, "%s: a backup of format version %lld, made "
				    "by a newer ispwiz; restore it with that version",
				    set->json, (long long)version);
	if (json_is_false(complete))
		return iw_error_set(err, IW_INPUT, "%s is only a reservation: the job that "
				    "took this name stopped before its backup was written, so "
				    "there is nothing to restore; look for another backup of "
				    "this chip", set->json);
	if ((st = load_part(root, cat, set, err)) != IW_OK || (st = load_fuses(root, set, err)) != IW_OK)
		return st;
	if ((s = json_string_value(json_object_get(root, "created"))) != NULL)
		snprintf(set->created, sizeof set->created, "%s", s);
	if ((s = json_string_value(json_object_get(root, "programmer"))) != NULL)
		snprintf(set->programmer, sizeof set->programmer, "%s", s);
	if ((s = json_string_value(json_object_get(root, "note"))) != NULL)
		snprintf(set->note, sizeof set->note, "%s", s);
	if ((st = load_memory(json_object_get(root, "flash"), "flash", set->json,
			      set->part->flash_size, set->hex, sizeof set->hex,
			      &set->flash_data, &set->flash, err)) != IW_OK ||
	    (st = load_memory(json_object_get(root, "eeprom"), "EEPROM", set->json,
			      set->part->eeprom_size, set->eeprom, sizeof set->eeprom,
			      &set->eeprom_data, NULL, err)) != IW_OK)
		return st;
	snprintf(set->what, sizeof set->what, "the backup taken %s (%s)",
		 set->created[0] != '\0' ? set->created : "at an unknown time", set->json);
	return IW_OK;
}

enum iw_status
backup_load(const char *path, const struct catalog *cat, struct backup_set *set,
	    struct iw_error *err)
{
	json_error_t jerr;
	json_t *root;
	struct stat sb;
	enum iw_status st;

	memset(set, 0, sizeof *set);
	record_path(path, set->json, sizeof set->json);
	if (stat(set->json, &sb) != 0)
		return iw_error_set(err, errno == ENOENT ? IW_NOT_FOUND : IW_INPUT,
				    "cannot read the backup record %s: %s; give the .json "
				    "file that `ispwiz flash` or `ispwiz read -o` wrote",
				    set->json, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return iw_error_set(err, IW_INPUT, "%s is not a file; give the backup's "
				    ".json file", set->json);
	root = json_load_file(set->json, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return iw_error_set(err, IW_INPUT, "%s:%d:%d: not a backup record: %s",
				    set->json, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(root))
		st = bad(err, set->json, "it is not a JSON object");
	else
		st = load_record(root, cat, set, err);
	json_decref(root);
	if (st != IW_OK)
		backup_set_free(set);
	return st;
}

void
backup_set_free(struct backup_set *set)
{
	hex_image_free(set->flash);
	free(set->flash_data);
	free(set->eeprom_data);
	set->flash = NULL;
	set->flash_data = NULL;
	set->eeprom_data = NULL;
}
