/*
 * fuzz-hex.c - the libFuzzer harness of the Intel HEX reader.
 *
 * Any input must give IW_OK or a status with a message, never a crash, a
 * hang or a sanitizer report.  An input that parses must also survive the
 * rest of the image's life: written back as HEX and read again it is the
 * same image (every byte, every segment), and the lookups that callers use
 * agree with the segments.  A broken property aborts, which the fuzzer
 * reports like a crash.
 *
 * Built by `make fuzz` with clang -fsanitize=fuzzer; tests/fuzz-replay.c
 * runs the committed corpus through it under plain `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex-image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-hex: property broken: %s\n", what);
		abort();
	}
}

/* The segments are disjoint, not touching, in order; lookups agree. */
static void
check_shape(const struct hex_image *img)
{
	size_t n = hex_image_segment_count(img), bytes = 0;
	uint64_t prev_end = 0;

	for (size_t i = 0; i < n; i++) {
		struct hex_segment s = hex_image_segment(img, i);
		uint8_t v;

		check(s.len > 0, "empty segment");
		check(i == 0 || s.addr > prev_end, "segments touch or overlap");
		check(hex_image_get(img, s.addr, &v) && v == s.data[0], "first byte lookup");
		check(hex_image_get(img, s.addr + s.len - 1, &v) && v == s.data[s.len - 1],
		      "last byte lookup");
		check(s.addr == 0 || !hex_image_get(img, s.addr - 1, NULL),
		      "byte before a segment present");
		prev_end = (uint64_t)s.addr + s.len;
		bytes += s.len;
	}
	check(bytes == hex_image_byte_count(img), "byte count");
	check(n == 0 || hex_image_last_addr(img) == prev_end - 1, "last address");
}

static void
round_trip(const struct hex_image *img)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct hex_image *again;
	struct iw_error err;

	if (f == NULL)
		return;
	if (hex_image_write_stream(img, f, &err) != IW_OK) {
		fclose(f);
		free(text);
		return;
	}
	fclose(f);
	again = hex_image_new();
	check(again != NULL, "allocation");
	check(hex_image_read_buffer(again, "again", text, len, &err) == IW_OK,
	      "written image reads back");
	check(hex_image_segment_count(again) == hex_image_segment_count(img),
	      "segment count after the round trip");
	for (size_t i = 0; i < hex_image_segment_count(img); i++) {
		struct hex_segment a = hex_image_segment(img, i), b = hex_image_segment(again, i);

		check(a.addr == b.addr && a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
		      "segment after the round trip");
	}
	hex_image_free(again);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hex_image *img = hex_image_new();
	struct iw_error err;
	enum iw_status st;

	if (img == NULL)
		return 0;
	iw_error_clear(&err);
	st = hex_image_read_buffer(img, "fuzz.hex", (const char *)data, size, &err);
	if (st != IW_OK) {
		check(err.msg[0] != '\0', "a refusal without a message");
		check(hex_image_empty(img), "a refused file left data behind");
	} else {
		uint8_t page[256];

		check_shape(img);
		hex_image_check_fits(img, 32768, "part", &err);
		if (!hex_image_empty(img))
			hex_image_read_range(img, hex_image_min_addr(img), sizeof page, 0xFF, page);
		round_trip(img);
	}
	hex_image_free(img);
	return 0;
}
