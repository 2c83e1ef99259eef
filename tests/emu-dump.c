/*
 * emu-dump.c - the target's state before and after the command: --preload
 * in, PREFIX.hex and PREFIX.json out.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/hex-image.h"
#include "core/json-util.h"
#include "emu-runner.h"

int
emurun_preload_flash(struct sim_target *t, const char *path)
{
	struct hex_image *img = hex_image_new();
	struct iw_error err;
	int rc = -1;

	if (!img)
		return -1;
	if (hex_image_read_file(img, path, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: --preload: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < hex_image_segment_count(img); i++) {
		struct hex_segment seg = hex_image_segment(img, i);

		if (sim_target_preload_flash(t, seg.addr, seg.data, seg.len, &err) != IW_OK) {
			fprintf(stderr, "ispwiz-emu: --preload %s: %s\n", path, err.msg);
			goto out;
		}
	}
	rc = 0;
out:
	hex_image_free(img);
	return rc;
}

int
emurun_dump_hex(const struct sim_target *t, const char *path)
{
	const struct catalog_part *part = sim_target_part(t);
	const uint8_t *flash = sim_target_flash(t);
	struct hex_image *img = hex_image_new();
	struct iw_error err;
	int rc = -1;

	if (!img)
		return -1;
	/* Only pages that hold something: a blank chip dumps as an empty file. */
	for (uint32_t a = 0; a < part->flash_size; a += part->page_size) {
		bool blank = true;

		for (uint32_t i = 0; i < part->page_size && blank; i++)
			blank = flash[a + i] == 0xFF;
		if (!blank && hex_image_put(img, a, flash + a, part->page_size,
					    "target", 0, &err) != IW_OK)
			goto out;
	}
	if (hex_image_write_file(img, path, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		goto out;
	}
	rc = 0;
out:
	hex_image_free(img);
	return rc;
}

int
emurun_dump_json(const struct sim_target *t, const struct emu *e, const char *path)
{
	const struct catalog_part *part = sim_target_part(t);
	const struct sim_target_counters *c = sim_target_counters(t);
	const struct emu_stats *st = e != NULL ? emu_stats(e) : NULL;
	json_t *doc = json_object(), *fuses = json_object(), *ctr = json_object();
	json_t *viol = json_array(), *em = json_object();
	char *tmp = NULL;
	FILE *f = NULL;
	int rc = -1;

	for (int b = 0; b < FUSE_COUNT; b++)
		if (part->fuses[b].present)
			json_object_set_new(fuses, fuse_byte_name(b),
					    json_hex_byte(sim_target_fuse(t, b)));
	json_object_set_new(doc, "part", json_string(part->id));
	json_object_set_new(doc, "fuses", fuses);
	json_object_set_new(doc, "lock", json_hex_byte(sim_target_lock(t)));
	json_object_set_new(ctr, "erases", json_integer((json_int_t)c->erases));
	json_object_set_new(ctr, "page_writes", json_integer((json_int_t)c->page_writes));
	json_object_set_new(ctr, "fuse_writes", json_integer((json_int_t)c->fuse_writes));
	json_object_set_new(ctr, "lock_writes", json_integer((json_int_t)c->lock_writes));
	json_object_set_new(ctr, "enables", json_integer((json_int_t)c->enables));
	json_object_set_new(ctr, "transfers", json_integer((json_int_t)c->transfers));
	json_object_set_new(doc, "counters", ctr);
	for (size_t i = 0; i < sim_target_violation_count(t); i++) {
		char buf[256];

		sim_target_violation_format(sim_target_violation(t, i), buf, sizeof(buf));
		json_array_append_new(viol, json_string(buf));
	}
	json_object_set_new(doc, "violations", viol);
	if (e == NULL)                 /* a USB programmer (emu-usb-serve.c) */
		goto write;
	json_object_set_new(em, "mode", json_string(emu_mode_name(e)));
	json_object_set_new(em, "bytes_in", json_integer((json_int_t)st->bytes_in));
	json_object_set_new(em, "bytes_out", json_integer((json_int_t)st->bytes_out));
	json_object_set_new(em, "commands", json_integer((json_int_t)st->commands));
	json_object_set_new(em, "resets", json_integer((json_int_t)st->resets));
	json_object_set_new(em, "overflows", json_integer((json_int_t)st->overflows));
	json_object_set_new(em, "unknown", json_integer((json_int_t)st->unknown));
	json_object_set_new(em, "power_ons", json_integer((json_int_t)st->power_ons));
	json_object_set_new(em, "pullup_ons", json_integer((json_int_t)st->pullup_ons));
	json_object_set_new(em, "open_drain", json_integer((json_int_t)st->open_drain));
	json_object_set_new(em, "touches", json_integer((json_int_t)st->touches));
	json_object_set_new(em, "erases", json_integer((json_int_t)st->erases));
	json_object_set_new(em, "blocks_written", json_integer((json_int_t)st->blocks_written));
	json_object_set_new(em, "blocks_read", json_integer((json_int_t)st->blocks_read));
	json_object_set_new(em, "protected_writes",
			    json_integer((json_int_t)st->protected_writes));
	json_object_set_new(em, "dropped", json_integer((json_int_t)st->dropped));
	json_object_set_new(em, "window_closes", json_integer((json_int_t)st->window_closes));
	json_object_set_new(em, "exits", json_integer((json_int_t)st->exits));
	json_object_set_new(em, "programming_mode", json_boolean(emu_in_programming_mode(e)));
	json_object_set_new(doc, "emulator", em);
	em = NULL;
write:
	json_decref(em);

	if (asprintf(&tmp, "%s.tmp", path) < 0)
		goto out;
	f = fopen(tmp, "w");
	if (!f || json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 ||
	    fputc('\n', f) == EOF) {
		fprintf(stderr, "ispwiz-emu: cannot write %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		fprintf(stderr, "ispwiz-emu: cannot rename %s: %s\n", tmp, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc && tmp)
		unlink(tmp);
	free(tmp);
	json_decref(doc);
	return rc;
}

int
emurun_dump(const struct sim_target *t, const struct emu *e, const char *prefix)
{
	char *hex = NULL, *json = NULL;
	int rc = asprintf(&hex, "%s.hex", prefix) < 0 || asprintf(&json, "%s.json", prefix) < 0 ||
		 emurun_dump_hex(t, hex) != 0 || emurun_dump_json(t, e, json) != 0 ? -1 : 0;

	free(hex);
	free(json);
	return rc;
}
