/*
 * sim-target-state.c - the simulated chip to and from a JSON file, so that
 * `-c sim --sim-state FILE` keeps one chip across runs.
 *
 * Layout (version 1):
 *   { "format": "ispwiz-sim-state", "version": 1, "part": "atmega32u4",
 *     "signature": "1E 95 87", "flash_size": 32768, "page_size": 128,
 *     "eeprom_size": 1024,
 *     "fuses": { "lfuse": "0x5E", "hfuse": "0x99", "efuse": "0xF3" },
 *     "lock": "0xFF", "calibration": "0x9A",
 *     "counters": { "erases": 1, ... },
 *     "flash":  [ { "address": 28672, "data": "0C94..." }, ... ],
 *     "eeprom": [ ... ] }
 * Memories are stored as runs of whole non-blank pages (a blank page is all
 * 0xFF), so a chip holding only a bootloader stays small.
 */
#include "config.h"

#include "sim/sim-target-int.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/file-util.h"
#include "core/json-util.h"

#define STATE_FORMAT "ispwiz-sim-state"
#define STATE_VERSION 1
#define EEPROM_RUN_GRAIN 16u

static const char *const fuse_keys[FUSE_COUNT] = { "lfuse", "hfuse", "efuse" };

/* Counters by name, so save and load cannot disagree. */
#define COUNTER_LIST(X) \
	X(transfers) X(enables) X(erases) X(page_writes) \
	X(flash_bytes_written) X(eeprom_bytes_written) X(fuse_writes) X(lock_writes)

/* --- save ------------------------------------------------------------------- */

static bool
blank(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

static json_t *
hex_string(const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	char *s = malloc(n * 2 + 1);
	json_t *j;
	size_t i;

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		s[2 * i] = digits[p[i] >> 4];
		s[2 * i + 1] = digits[p[i] & 0x0F];
	}
	s[n * 2] = '\0';
	j = json_string(s);
	free(s);
	return j;
}

/* Runs of consecutive non-blank blocks of `grain` bytes. */
static json_t *
memory_runs(const uint8_t *mem, uint32_t size, uint32_t grain)
{
	json_t *runs = json_array();
	uint32_t at = 0;

	if (runs == NULL)
		return NULL;
	while (at < size) {
		uint32_t start, n;
		json_t *run;

		if (blank(mem + at, grain < size - at ? grain : size - at)) {
			at += grain;
			continue;
		}
		start = at;
		while (at < size && !blank(mem + at, grain < size - at ? grain : size - at))
			at += grain;
		n = (at < size ? at : size) - start;
		run = json_pack("{s:I, s:o}", "address", (json_int_t)start,
				"data", hex_string(mem + start, n));
		if (run == NULL || json_array_append_new(runs, run) != 0) {
			json_decref(runs);
			return NULL;
		}
	}
	return runs;
}

static json_t *
state_document(const struct sim_target *t)
{
	const struct catalog_part *p = t->part;
	json_t *doc, *fuses, *counters;
	char sig[16];
	int b;

	snprintf(sig, sizeof sig, "%02X %02X %02X",
		 p->signature[0], p->signature[1], p->signature[2]);
	fuses = json_object();
	counters = json_object();
	if (fuses == NULL || counters == NULL)
		goto fail;
	for (b = 0; b < FUSE_COUNT; b++)
		if (p->fuses[b].present &&
		    json_object_set_new(fuses, fuse_keys[b], json_hex_byte(t->fuses[b])) != 0)
			goto fail;
#define COUNTER_SAVE(name) \
	if (json_object_set_new(counters, #name, \
				json_integer((json_int_t)t->counters.name)) != 0) \
		goto fail;
	COUNTER_LIST(COUNTER_SAVE)
#undef COUNTER_SAVE
	doc = json_pack("{s:s, s:i, s:s, s:s, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
			"format", STATE_FORMAT,
			"version", STATE_VERSION,
			"part", p->id != NULL ? p->id : "",
			"signature", sig,
			"flash_size", (json_int_t)p->flash_size,
			"page_size", (json_int_t)p->page_size,
			"eeprom_size", (json_int_t)p->eeprom_size,
			"fuses", fuses,
			"lock", json_hex_byte(t->lock),
			"calibration", json_hex_byte(t->calibration),
			"counters", counters,
			"flash", memory_runs(t->flash, p->flash_size, p->page_size),
			"eeprom", memory_runs(t->eeprom, p->eeprom_size, EEPROM_RUN_GRAIN));
	return doc;   /* "o" took the references, also on failure */
fail:
	json_decref(fuses);
	json_decref(counters);
	return NULL;
}

enum iw_status
sim_target_save(const struct sim_target *t, const char *path,
		struct iw_error *err)
{
	json_t *doc;
	char *tmp = NULL;
	FILE *fp = NULL;
	int fd = -1;
	enum iw_status st;

	doc = state_document(t);
	tmp = malloc(strlen(path) + 8);
	if (doc == NULL || tmp == NULL) {
		st = iw_error_set(err, IW_NOMEM, "%s: out of memory building the"
				  " simulated chip's state", path);
		goto fail_notmp;
	}
	/* Write next to the target so the rename stays on one file system. */
	sprintf(tmp, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		st = iw_error_set(err, IW_IO, "%s: cannot create a temporary file"
				  " next to it: %s; check that the directory exists"
				  " and is writable", path, strerror(errno));
		goto fail_notmp;
	}
	fp = fdopen(fd, "w");
	if (fp == NULL) {
		st = iw_error_set(err, IW_IO, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (json_dumpf(doc, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0 ||
	    fputc('\n', fp) == EOF || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		st = iw_error_set(err, IW_IO, "%s: writing the simulated chip's"
				  " state failed: %s; check free space", tmp,
				  strerror(errno));
		goto fail;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		st = iw_error_set(err, IW_IO, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fp = NULL;
	if (rename(tmp, path) != 0) {
		st = iw_error_set(err, IW_IO, "%s: cannot replace it with %s: %s",
				  path, tmp, strerror(errno));
		goto fail;
	}
	free(tmp);
	json_decref(doc);
	return IW_OK;
fail:
	if (fp != NULL)
		fclose(fp);
	if (fd >= 0)
		close(fd);
	unlink(tmp);
fail_notmp:
	free(tmp);
	json_decref(doc);
	return st;
}

/* --- load ------------------------------------------------------------------- */

/* Everything a state file holds, checked but not yet applied. */
struct staged {
	uint8_t *flash;
	uint8_t *eeprom;
	uint8_t fuses[FUSE_COUNT];
	uint8_t lock;
	uint8_t calibration;
	struct sim_target_counters counters;
};

#define DELETE_HINT "fix it or delete it to start with a blank chip"

static enum iw_status
bad(struct iw_error *err, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum iw_status
bad(struct iw_error *err, const char *path, const char *fmt, ...)
{
	char what[IW_ERROR_MSG_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	return iw_error_set(err, IW_INPUT, "%s: %s; " DELETE_HINT, path, what);
}

/* A byte written as "0xNN" (what save writes) or as a plain integer. */
static bool
byte_value(const json_t *j, uint8_t *out)
{
	if (json_is_integer(j)) {
		json_int_t v = json_integer_value(j);

		if (v < 0 || v > 255)
			return false;
		*out = (uint8_t)v;
		return true;
	}
	if (json_is_string(j)) {
		const char *s = json_string_value(j);
		char *end;
		unsigned long v;

		if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s[2] == '\0')
			return false;
		v = strtoul(s + 2, &end, 16);
		if (*end != '\0' || v > 255)
			return false;
		*out = (uint8_t)v;
		return true;
	}
	return false;
}

static enum iw_status
get_byte(const json_t *obj, const char *key, const char *where, bool required,
	 uint8_t *out, const char *path, struct iw_error *err)
{
	const json_t *j = json_object_get(obj, key);

	if (j == NULL) {
		if (!required)
			return IW_OK;
		return bad(err, path, "%s\"%s\" is missing", where, key);
	}
	if (!byte_value(j, out))
		return bad(err, path, "%s\"%s\" is not a byte (write it as \"0xNN\")",
			   where, key);
	return IW_OK;
}

static enum iw_status
load_runs(const json_t *doc, const char *key, uint8_t *mem, uint32_t size,
	  const char *path, struct iw_error *err)
{
	const json_t *runs = json_object_get(doc, key);
	size_t i, j;

	if (runs == NULL)
		return IW_OK;   /* a blank memory */
	if (!json_is_array(runs))
		return bad(err, path, "\"%s\" is not an array of runs", key);
	for (i = 0; i < json_array_size(runs); i++) {
		const json_t *run = json_array_get(runs, i);
		const json_t *addr = json_object_get(run, "address");
		const json_t *data = json_object_get(run, "data");
		json_int_t a;
		const char *hex;
		size_t digits, n;

		if (!json_is_object(run) || !json_is_integer(addr) || !json_is_string(data))
			return bad(err, path, "%s[%zu] needs an integer \"address\" and"
				   " a hex string \"data\"", key, i);
		a = json_integer_value(addr);
		hex = json_string_value(data);
		digits = json_string_length(data);
		if (digits % 2 != 0)
			return bad(err, path, "%s[%zu].data has an odd number of hex"
				   " digits (%zu)", key, i, digits);
		n = digits / 2;
		if (a < 0 || (uint64_t)a > size || n > size - (uint64_t)a)
			return bad(err, path, "%s[%zu]: %zu bytes at address %" JSON_INTEGER_FORMAT
				   " do not fit the %" PRIu32 " bytes of %s",
				   key, i, n, a, size, key);
		for (j = 0; j < n; j++) {
			int hi = hex_digit_value(hex[2 * j]), lo = hex_digit_value(hex[2 * j + 1]);

			if (hi < 0 || lo < 0)
				return bad(err, path, "%s[%zu].data: character %zu is not a"
					   " hex digit", key, i, hi < 0 ? 2 * j : 2 * j + 1);
			mem[(size_t)a + j] = (uint8_t)(hi << 4 | lo);
		}
	}
	return IW_OK;
}

static enum iw_status
check_size(const json_t *doc, const char *key, uint32_t want, const char *what,
	   const struct catalog_part *p, const char *path, struct iw_error *err)
{
	const json_t *j = json_object_get(doc, key);

	if (!json_is_integer(j))
		return bad(err, path, "\"%s\" is missing or not an integer", key);
	if (json_integer_value(j) != (json_int_t)want)
		return iw_error_set(err, IW_INPUT,
				    "%s: the saved chip has %" JSON_INTEGER_FORMAT " bytes of"
				    " %s but the catalog's %s has %" PRIu32 "; the part"
				    " definition changed since the file was written: delete"
				    " the file to start with a blank chip",
				    path, json_integer_value(j), what, p->id, want);
	return IW_OK;
}

static enum iw_status
load_counters(const json_t *doc, struct sim_target_counters *c,
	      const char *path, struct iw_error *err)
{
	const json_t *obj = json_object_get(doc, "counters");
	const json_t *j;

	if (obj == NULL)
		return IW_OK;
	if (!json_is_object(obj))
		return bad(err, path, "\"counters\" is not an object");
#define COUNTER_LOAD(name) \
	j = json_object_get(obj, #name); \
	if (j != NULL) { \
		if (!json_is_integer(j) || json_integer_value(j) < 0) \
			return bad(err, path, "counters.%s is not a non-negative" \
				   " integer", #name); \
		c->name = (uint64_t)json_integer_value(j); \
	}
	COUNTER_LIST(COUNTER_LOAD)
#undef COUNTER_LOAD
	return IW_OK;
}

static enum iw_status
stage(const struct sim_target *t, const json_t *doc, struct staged *s,
      const char *path, struct iw_error *err)
{
	const struct catalog_part *p = t->part;
	const json_t *j, *fuses;
	enum iw_status st;
	int b;

	if (!json_is_object(doc))
		return bad(err, path, "the top level is not a JSON object, so this is"
			   " not an ispwiz sim state file");
	j = json_object_get(doc, "format");
	if (!json_is_string(j) || strcmp(json_string_value(j), STATE_FORMAT) != 0)
		return bad(err, path, "\"format\" is not \"" STATE_FORMAT "\", so this"
			   " is not an ispwiz sim state file");
	j = json_object_get(doc, "version");
	if (!json_is_integer(j) || json_integer_value(j) != STATE_VERSION)
		return bad(err, path, "unsupported \"version\" (this ispwiz reads"
			   " version %d)", STATE_VERSION);
	j = json_object_get(doc, "part");
	if (!json_is_string(j))
		return bad(err, path, "\"part\" is missing or not a string");
	if (p->id == NULL || strcmp(json_string_value(j), p->id) != 0)
		return iw_error_set(err, IW_INPUT,
				    "%s: the saved chip is a %s, not the %s simulated"
				    " now; choose -p %s, or use another --sim-state file",
				    path, json_string_value(j), p->id != NULL ? p->id : "?",
				    json_string_value(j));
	if ((st = check_size(doc, "flash_size", p->flash_size, "flash", p, path, err)) != IW_OK ||
	    (st = check_size(doc, "page_size", p->page_size, "flash page", p, path, err)) != IW_OK ||
	    (st = check_size(doc, "eeprom_size", p->eeprom_size, "EEPROM", p, path, err)) != IW_OK)
		return st;

	fuses = json_object_get(doc, "fuses");
	if (!json_is_object(fuses))
		return bad(err, path, "\"fuses\" is missing or not an object");
	for (b = 0; b < FUSE_COUNT; b++) {
		if (!p->fuses[b].present) {
			if (json_object_get(fuses, fuse_keys[b]) != NULL)
				return bad(err, path, "fuses.%s is set but the %s has no"
					   " such fuse byte", fuse_keys[b], p->id);
			s->fuses[b] = 0xFF;
			continue;
		}
		st = get_byte(fuses, fuse_keys[b], "fuses.", true, &s->fuses[b], path, err);
		if (st != IW_OK)
			return st;
		s->fuses[b] |= p->fuses[b].unused_mask;
	}
	s->lock = 0xFF;
	if ((st = get_byte(doc, "lock", "", true, &s->lock, path, err)) != IW_OK)
		return st;
	s->lock |= (uint8_t)~p->lock_mask;
	s->calibration = t->calibration;
	if ((st = get_byte(doc, "calibration", "", false, &s->calibration, path, err)) != IW_OK)
		return st;
	if ((st = load_counters(doc, &s->counters, path, err)) != IW_OK)
		return st;
	if ((st = load_runs(doc, "flash", s->flash, p->flash_size, path, err)) != IW_OK)
		return st;
	return load_runs(doc, "eeprom", s->eeprom, p->eeprom_size, path, err);
}

enum iw_status
sim_target_load(struct sim_target *t, const char *path, struct iw_error *err)
{
	const struct catalog_part *p = t->part;
	struct staged s;
	json_error_t jerr;
	json_t *doc = NULL;
	FILE *fp;
	enum iw_status st;

	memset(&s, 0, sizeof s);
	fp = fopen(path, "r");
	if (fp == NULL) {
		if (errno == ENOENT)
			return iw_error_set(err, IW_NOT_FOUND,
					    "%s: no such sim state file (a run that"
					    " saves creates it)", path);
		return iw_error_set(err, IW_IO, "%s: cannot open: %s", path,
				    strerror(errno));
	}
	doc = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (doc == NULL)
		return iw_error_set(err, IW_INPUT, "%s:%d:%d: %s; the sim state file"
				    " is not valid JSON: " DELETE_HINT,
				    path, jerr.line, jerr.column, jerr.text);

	s.flash = malloc(p->flash_size);
	s.eeprom = malloc(p->eeprom_size > 0 ? p->eeprom_size : 1);
	if (s.flash == NULL || s.eeprom == NULL) {
		st = iw_error_set(err, IW_NOMEM, "%s: out of memory loading it", path);
		goto out;
	}
	memset(s.flash, 0xFF, p->flash_size);
	memset(s.eeprom, 0xFF, p->eeprom_size > 0 ? p->eeprom_size : 1);
	st = stage(t, doc, &s, path, err);
	if (st != IW_OK)
		goto out;

	/* All checked: now the chip becomes the saved one, as after a
	 * power-up with RESET where the pins left it. */
	memcpy(t->flash, s.flash, p->flash_size);
	if (p->eeprom_size > 0)
		memcpy(t->eeprom, s.eeprom, p->eeprom_size);
	memcpy(t->fuses, s.fuses, sizeof t->fuses);
	t->lock = s.lock;
	t->calibration = s.calibration;
	t->counters = s.counters;
	t->busy.what = SIM_BUSY_NONE;
	t->prog_enabled = false;
	t->frame_pos = 0;
	sim_target_reset_buffers(t);
	sim_target_latch_fuses(t);
out:
	free(s.flash);
	free(s.eeprom);
	json_decref(doc);
	return st;
}
