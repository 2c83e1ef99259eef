/*
 * test-hex.c - the Intel HEX reader, writer and sparse image.
 *
 * Each failure mode of the reader has its own test that checks the message
 * names the right place and says what is wrong; the writer is checked
 * against hand-computed records and by reading its output back.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/hex-image.h"

#define assert_contains(hay, needle) do {                                   \
	const char *h_ = (hay), *n_ = (needle);                             \
	if (strstr(h_, n_) == NULL)                                          \
		fail_msg("expected \"%s\" in \"%s\"", n_, h_);               \
} while (0)

/* Read `text` as "t.hex" into a fresh image; the image is returned in
 * *out (freed by the caller), the status is returned. */
static enum iw_status
parse(const char *text, struct hex_image **out, struct iw_error *err)
{
	struct hex_image *img = hex_image_new();

	assert_non_null(img);
	iw_error_clear(err);
	*out = img;
	return hex_image_read_buffer(img, "t.hex", text, strlen(text), err);
}

/* Expect `text` to be refused with IW_INPUT and a message holding both
 * needles (the second may be NULL); the image must stay empty. */
static void
expect_refused(const char *text, const char *where, const char *what)
{
	struct hex_image *img;
	struct iw_error err;

	assert_int_equal(parse(text, &img, &err), IW_INPUT);
	assert_int_equal(err.code, IW_INPUT);
	assert_contains(err.msg, where);
	if (what != NULL)
		assert_contains(err.msg, what);
	assert_true(hex_image_empty(img));
	hex_image_free(img);
}

/* Written out as text in a string so the expectations do not depend on the
 * writer under test. */
static char *
write_to_string(const struct hex_image *img)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct iw_error err;

	assert_non_null(f);
	assert_int_equal(hex_image_write_stream(img, f, &err), IW_OK);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
assert_same_image(const struct hex_image *a, const struct hex_image *b)
{
	assert_int_equal(hex_image_segment_count(a), hex_image_segment_count(b));
	for (size_t i = 0; i < hex_image_segment_count(a); i++) {
		struct hex_segment sa = hex_image_segment(a, i);
		struct hex_segment sb = hex_image_segment(b, i);

		assert_int_equal(sa.addr, sb.addr);
		assert_int_equal(sa.len, sb.len);
		assert_memory_equal(sa.data, sb.data, sa.len);
	}
}

/* --- reading good files ---------------------------------------------------- */

static void
test_read_basic(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t b = 0;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_byte_count(img), 4);
	assert_int_equal(hex_image_min_addr(img), 0);
	assert_int_equal(hex_image_end_addr(img), 4);
	assert_true(hex_image_get(img, 3, &b));
	assert_int_equal(b, 4);
	assert_false(hex_image_get(img, 4, &b));
	hex_image_free(img);
}

static void
test_read_crlf(void **state)
{
	struct hex_image *img;
	struct iw_error err;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\r\n:00000001FF\r\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_byte_count(img), 4);
	hex_image_free(img);
}

static void
test_read_no_final_newline(void **state)
{
	struct hex_image *img;
	struct iw_error err;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF", &img, &err), IW_OK);
	hex_image_free(img);
}

static void
test_read_trailing_blank_lines(void **state)
{
	struct hex_image *img;
	struct iw_error err;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF\n\n\r\n\n", &img, &err), IW_OK);
	hex_image_free(img);
}

static void
test_read_lowercase(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t b = 0;

	(void)state;
	assert_int_equal(parse(":0400000001020304f2\n:00000001ff\n", &img, &err), IW_OK);
	assert_true(hex_image_get(img, 0, &b));
	assert_int_equal(b, 1);
	hex_image_free(img);
}

static void
test_read_start_records_ignored(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint32_t v = 0;

	(void)state;
	assert_int_equal(parse(":0400000312345678E5\n:0400000001020304F2\n"
			       ":040000050000700087\n:00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_byte_count(img), 4);
	assert_int_equal(hex_image_start_address(img, &v), HEX_START_LINEAR);
	assert_int_equal(v, 0x7000);
	hex_image_free(img);
}

static void
test_read_identical_overlap(void **state)
{
	struct hex_image *img;
	struct iw_error err;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:0400000001020304F2\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_byte_count(img), 4);
	hex_image_free(img);
}

static void
test_read_ext_linear(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t b = 0;

	(void)state;
	assert_int_equal(parse(":020000040001F9\n:0400000001020304F2\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_min_addr(img), 0x10000);
	assert_true(hex_image_get(img, 0x10002, &b));
	assert_int_equal(b, 3);
	hex_image_free(img);
}

/* In linear mode a record that crosses a 64 KiB boundary keeps going. */
static void
test_read_linear_crosses_64k(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t b = 0;

	(void)state;
	assert_int_equal(parse(":10FFF800000102030405060708090A0B0C0D0E0F81\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 1);
	assert_true(hex_image_get(img, 0x10007, &b));
	assert_int_equal(b, 0x0F);
	hex_image_free(img);
}

static void
test_read_ext_segment(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t b = 0;

	(void)state;
	/* Segment 0x1000 puts offset 0 at 0x10000. */
	assert_int_equal(parse(":020000021000EC\n:0400000001020304F2\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_min_addr(img), 0x10000);
	assert_true(hex_image_get(img, 0x10000, &b));
	assert_int_equal(b, 1);
	hex_image_free(img);
}

/* In segment mode the 16-bit offset wraps inside the segment. */
static void
test_read_ext_segment_wraps(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t b = 0;

	(void)state;
	assert_int_equal(parse(":020000021000EC\n"
			       ":10FFF800000102030405060708090A0B0C0D0E0F81\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 2);
	assert_true(hex_image_get(img, 0x1FFF8, &b));
	assert_int_equal(b, 0);
	assert_true(hex_image_get(img, 0x10000, &b));
	assert_int_equal(b, 8);
	assert_false(hex_image_get(img, 0x20000, &b));
	hex_image_free(img);
}

static void
test_read_failure_keeps_image(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	const char *bad = ":0400100001020304E2\n";  /* no end record */

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_read_buffer(img, "u.hex", bad, strlen(bad), &err),
			 IW_INPUT);
	assert_int_equal(hex_image_byte_count(img), 4);
	assert_int_equal(hex_image_segment_count(img), 1);
	hex_image_free(img);
}

/* A second read into the same image follows the overlap rules. */
static void
test_read_into_nonempty_conflict(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	const char *conflicting = ":010002009964\n:00000001FF\n";

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF\n", &img, &err), IW_OK);
	assert_int_equal(hex_image_read_buffer(img, "u.hex", conflicting,
					       strlen(conflicting), &err), IW_INPUT);
	assert_contains(err.msg, "u.hex:1");
	assert_contains(err.msg, "t.hex:1");
	assert_contains(err.msg, "0x0002");
	hex_image_free(img);
}

/* --- each bad input -------------------------------------------------------- */

static void
test_bad_checksum(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2\n:0400040001020304F0\n:00000001FF\n",
		       "t.hex:2: bad checksum", "expected 0x");
	expect_refused(":0400040001020304F0\n:00000001FF\n",
		       "expected 0xEE", "found 0xF0");
}

static void
test_non_hex_character(void **state)
{
	(void)state;
	expect_refused(":04000000010G0304F2\n:00000001FF\n",
		       "t.hex:1:13:", "non-hex character 'G'");
}

static void
test_non_hex_trailing_space(void **state)
{
	(void)state;
	expect_refused(":00000001FF \n", "t.hex:1:12:", "non-hex character ' '");
}

static void
test_carriage_return_inside_line(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2\r:00000001FF\r",
		       "t.hex:1:20:", "byte 0x0D");
}

static void
test_missing_colon(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2\n0400000001020304F2\n:00000001FF\n",
		       "t.hex:2:1:", "does not start with ':'");
}

static void
test_binary_file(void **state)
{
	(void)state;
	expect_refused("\x7f" "ELF\x02\x01\n", "t.hex:1:1:", "binary file");
}

static void
test_short_record(void **state)
{
	(void)state;
	expect_refused(":00000001\n", "t.hex:1: short record", "8 hex digits");
	expect_refused(":\n", "t.hex:1: short record", NULL);
}

static void
test_byte_count_mismatch(void **state)
{
	(void)state;
	/* Says 16 bytes, holds 4. */
	expect_refused(":1000000001020304E6\n:00000001FF\n",
		       "t.hex:1: byte count 0x10", "the line has 4");
}

static void
test_odd_digit_count(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2F\n:00000001FF\n",
		       "t.hex:1: odd number of hex digits (19)", NULL);
}

static void
test_unknown_record_type(void **state)
{
	(void)state;
	expect_refused(":00000006FA\n:00000001FF\n",
		       "t.hex:1: unknown record type 0x06", NULL);
}

static void
test_bad_ext_linear_length(void **state)
{
	(void)state;
	/* A type 04 record with one data byte. */
	expect_refused(":0100000401FA\n:00000001FF\n",
		       "t.hex:1: extended linear address record (type 04)",
		       "holds 1");
}

static void
test_bad_ext_segment_length(void **state)
{
	(void)state;
	expect_refused(":03000002100000EB\n:00000001FF\n",
		       "t.hex:1: extended segment address record (type 02)",
		       "holds 3");
}

static void
test_end_record_with_data(void **state)
{
	(void)state;
	expect_refused(":0100000100FE\n", "t.hex:1: end record (type 01)", "holds 1");
}

static void
test_missing_end_record(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2\n:0400040001020304EE\n",
		       "t.hex:2: missing end record", NULL);
}

static void
test_data_after_end(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2\n:00000001FF\n:0400040001020304EE\n",
		       "t.hex:3: data after the end record (line 2)", NULL);
	/* Two files joined by hand: the classic cause. */
	expect_refused(":00000001FF\n\n:00000001FF\n",
		       "t.hex:3: data after the end record", NULL);
}

static void
test_blank_line_between_records(void **state)
{
	(void)state;
	expect_refused(":0400000001020304F2\n\n:00000001FF\n",
		       "t.hex:2: blank line between records", NULL);
}

static void
test_empty_file(void **state)
{
	(void)state;
	expect_refused("", "t.hex: the file is empty", NULL);
	expect_refused("\n\r\n\n", "t.hex: the file is empty", NULL);
}

static void
test_conflicting_overlap(void **state)
{
	(void)state;
	/* Line 3 rewrites address 2 (0x03) as 0x99. */
	expect_refused(":0400000001020304F2\n:0400100001020304E2\n:010002009964\n"
		       ":00000001FF\n",
		       "t.hex:3: conflicting data at address 0x0002",
		       "t.hex:1 already put 0x03");
}

static void
test_past_address_space(void **state)
{
	(void)state;
	expect_refused(":02000004FFFFFC\n:02FFFF000102FD\n:00000001FF\n",
		       "t.hex:2: data record runs past address 0xFFFFFFFF", NULL);
}

static void
test_read_file_missing(void **state)
{
	struct hex_image *img = hex_image_new();
	struct iw_error err;

	(void)state;
	assert_int_equal(hex_image_read_file(img, "/nonexistent/fw.hex", &err),
			 IW_NOT_FOUND);
	assert_contains(err.msg, "'/nonexistent/fw.hex'");
	assert_contains(err.msg, "No such file or directory");
	hex_image_free(img);
}

/* --- the image itself ------------------------------------------------------ */

static void
test_put_coalesces(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t a[16], b[16], c[48];
	struct hex_segment s;

	(void)state;
	for (int i = 0; i < 48; i++)
		c[i] = (uint8_t)(i * 7);
	memcpy(a, c, 16);
	memcpy(b, c + 32, 16);
	assert_int_equal(hex_image_put(img, 0x100, a, 16, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x120, b, 16, "a", 3, NULL), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 2);
	/* Bridges both, overlapping each identically. */
	assert_int_equal(hex_image_put(img, 0x100, c, 48, "a", 2, NULL), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 1);
	s = hex_image_segment(img, 0);
	assert_int_equal(s.addr, 0x100);
	assert_int_equal(s.len, 48);
	assert_memory_equal(s.data, c, 48);
	/* An adjacent put in front joins too. */
	assert_int_equal(hex_image_put(img, 0xF0, c, 16, "a", 4, NULL), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 1);
	assert_int_equal(hex_image_min_addr(img), 0xF0);
	assert_int_equal(hex_image_byte_count(img), 64);
	hex_image_free(img);
}

static void
test_put_keeps_first_origin(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	const char *name = NULL;
	unsigned line = 0;

	(void)state;
	assert_int_equal(hex_image_put(img, 0, d, 4, "a.hex", 7, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 2, d + 2, 2, "b.hex", 9, NULL), IW_OK);
	assert_true(hex_image_origin(img, 3, &name, &line));
	assert_string_equal(name, "a.hex");
	assert_int_equal(line, 7);
	assert_false(hex_image_origin(img, 4, &name, &line));
	hex_image_free(img);
}

static void
test_put_conflict_names_both(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 }, e[2] = { 3, 5 };
	struct iw_error err;

	(void)state;
	assert_int_equal(hex_image_put(img, 0x7000, d, 4, "a.hex", 7, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x7002, e, 2, "b.hex", 9, &err), IW_INPUT);
	assert_contains(err.msg, "b.hex:9");
	assert_contains(err.msg, "a.hex:7");
	assert_contains(err.msg, "0x7003");
	/* Nothing of the refused put went in. */
	assert_int_equal(hex_image_byte_count(img), 4);
	hex_image_free(img);
}

static void
test_read_range(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[2] = { 0x11, 0x22 }, buf[6];
	const uint8_t want[6] = { 0xFF, 0x11, 0x22, 0xFF, 0x11, 0xFF };

	(void)state;
	assert_int_equal(hex_image_put(img, 0x41, d, 2, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x44, d, 1, "a", 2, NULL), IW_OK);
	assert_true(hex_image_read_range(img, 0x40, 6, 0xFF, buf));
	assert_memory_equal(buf, want, 6);
	assert_false(hex_image_read_range(img, 0x50, 6, 0xFF, buf));
	hex_image_free(img);
}

static void
test_empty_image(void **state)
{
	struct hex_image *img = hex_image_new();

	(void)state;
	assert_true(hex_image_empty(img));
	assert_int_equal(hex_image_byte_count(img), 0);
	assert_int_equal(hex_image_min_addr(img), 0);
	assert_int_equal(hex_image_end_addr(img), 0);
	assert_int_equal(hex_image_segment_count(img), 0);
	hex_image_free(img);
}

static void
test_check_fits(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t d[32];

	(void)state;
	memset(d, 0xAB, sizeof d);
	img = hex_image_new();
	assert_int_equal(hex_image_put(img, 0x3FE0, d, 32, "bl.hex", 5, NULL), IW_OK);
	/* Ends exactly at the end of 16 KiB: fits. */
	assert_int_equal(hex_image_check_fits(img, 0x4000, "ATmega16U4", &err), IW_OK);
	assert_int_equal(hex_image_put(img, 0x4010, d, 32, "bl.hex", 6, NULL), IW_OK);
	assert_int_equal(hex_image_check_fits(img, 0x4000, "ATmega16U4", &err), IW_RANGE);
	assert_contains(err.msg, "ATmega16U4");
	assert_contains(err.msg, "0x4010");
	assert_contains(err.msg, "bl.hex:6");
	assert_contains(err.msg, "16384-byte");
	assert_int_equal(hex_image_check_fits(img, 0x8000, "ATmega32U4", &err), IW_OK);
	hex_image_free(img);
}

/* A segment that starts below the flash end and runs past it. */
static void
test_check_fits_straddling(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	uint8_t d[32];

	(void)state;
	memset(d, 0, sizeof d);
	img = hex_image_new();
	assert_int_equal(hex_image_put(img, 0x3FF0, d, 32, "x.hex", 2, NULL), IW_OK);
	assert_int_equal(hex_image_check_fits(img, 0x4000, "ATmega16U4", &err), IW_RANGE);
	assert_contains(err.msg, "byte at 0x4000");
	hex_image_free(img);
}

/* --- writing ------------------------------------------------------------- */

static void
test_write_small(void **state)
{
	struct hex_image *img;
	struct iw_error err;
	char *text;

	(void)state;
	assert_int_equal(parse(":0400000001020304F2\n:00000001FF\n", &img, &err), IW_OK);
	text = write_to_string(img);
	assert_string_equal(text, ":0400000001020304F2\n:00000001FF\n");
	free(text);
	hex_image_free(img);
}

/* Records are cut at 16-byte boundaries, not 16 bytes from the start. */
static void
test_write_aligned_records(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[20];
	char *text;

	(void)state;
	for (int i = 0; i < 20; i++)
		d[i] = (uint8_t)i;
	assert_int_equal(hex_image_put(img, 0x0008, d, 20, "a", 1, NULL), IW_OK);
	text = write_to_string(img);
	assert_string_equal(text,
		":080008000001020304050607D4\n"
		":0C00100008090A0B0C0D0E0F1011121342\n"
		":00000001FF\n");
	free(text);
	hex_image_free(img);
}

static void
test_write_ext_linear_records(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[16];
	char *text;

	(void)state;
	for (int i = 0; i < 16; i++)
		d[i] = (uint8_t)i;
	/* 0x1FFF8..0x20007 crosses into the third 64 KiB bank. */
	assert_int_equal(hex_image_put(img, 0x1FFF8, d, 16, "a", 1, NULL), IW_OK);
	text = write_to_string(img);
	assert_string_equal(text,
		":020000040001F9\n"
		":08FFF8000001020304050607E5\n"
		":020000040002F8\n"
		":0800000008090A0B0C0D0E0F9C\n"
		":00000001FF\n");
	free(text);
	hex_image_free(img);
}

/* Below 64 KiB no 04 record is needed; after a high segment, coming back
 * down would need one, but segments are in address order so it cannot. */
static void
test_write_no_ext_below_64k(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	char *text;

	(void)state;
	assert_int_equal(hex_image_put(img, 0xFFF0, d, 4, "a", 1, NULL), IW_OK);
	text = write_to_string(img);
	assert_null(strstr(text, ":02000004"));
	free(text);
	hex_image_free(img);
}

static void
test_write_one_end_record(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[300];
	char *text;
	const char *p;
	int ends = 0;

	(void)state;
	memset(d, 0x5A, sizeof d);
	assert_int_equal(hex_image_put(img, 0x100, d, 300, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x7000, d, 300, "a", 2, NULL), IW_OK);
	text = write_to_string(img);
	for (p = text; (p = strstr(p, ":00000001FF")) != NULL; p++)
		ends++;
	assert_int_equal(ends, 1);
	/* And it is the last line. */
	assert_string_equal(text + strlen(text) - 12, ":00000001FF\n");
	free(text);
	hex_image_free(img);
}

static void
test_round_trip(void **state)
{
	struct hex_image *img = hex_image_new(), *back = hex_image_new();
	uint8_t d[700];
	struct iw_error err;
	char *text;

	(void)state;
	for (size_t i = 0; i < sizeof d; i++)
		d[i] = (uint8_t)(i * 31 + 7);
	assert_int_equal(hex_image_put(img, 0x0003, d, 100, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x7E01, d, 511, "a", 2, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0xFF80, d, 700, "a", 3, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0x1F000, d, 33, "a", 4, NULL), IW_OK);
	text = write_to_string(img);
	assert_int_equal(hex_image_read_buffer(back, "rt.hex", text, strlen(text), &err),
			 IW_OK);
	assert_same_image(img, back);
	free(text);
	/* And the written text reads back to the same text. */
	text = write_to_string(back);
	{
		char *again = write_to_string(img);

		assert_string_equal(text, again);
		free(again);
	}
	free(text);
	hex_image_free(img);
	hex_image_free(back);
}

/* A file using 02 records reads back the same after being written with 04. */
static void
test_round_trip_segment_file(void **state)
{
	struct hex_image *img, *back = hex_image_new();
	struct iw_error err;
	char *text;

	(void)state;
	assert_int_equal(parse(":020000021000EC\n"
			       ":10FFF800000102030405060708090A0B0C0D0E0F81\n"
			       ":00000001FF\n", &img, &err), IW_OK);
	text = write_to_string(img);
	assert_non_null(strstr(text, ":020000040001F9\n"));
	assert_int_equal(hex_image_read_buffer(back, "rt.hex", text, strlen(text), &err),
			 IW_OK);
	assert_same_image(img, back);
	free(text);
	hex_image_free(img);
	hex_image_free(back);
}

static char *
make_temp_dir(void)
{
	char tmpl[] = "/tmp/test-hex.XXXXXX";
	char *dir = mkdtemp(tmpl);

	assert_non_null(dir);
	return strdup(dir);
}

static int
count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write_file_and_read_back(void **state)
{
	struct hex_image *img = hex_image_new(), *back = hex_image_new();
	uint8_t d[40];
	struct iw_error err;
	char *dir = make_temp_dir();
	char path[512];

	(void)state;
	memset(d, 0x42, sizeof d);
	snprintf(path, sizeof path, "%s/out.hex", dir);
	assert_int_equal(hex_image_put(img, 0x20, d, 40, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_write_file(img, path, &err), IW_OK);
	/* Replacing an existing file works the same way. */
	assert_int_equal(hex_image_write_file(img, path, &err), IW_OK);
	assert_int_equal(count_entries(dir), 1);   /* no temp file left */
	assert_int_equal(hex_image_read_file(back, path, &err), IW_OK);
	assert_same_image(img, back);
	unlink(path);
	rmdir(dir);
	free(dir);
	hex_image_free(img);
	hex_image_free(back);
}

static void
test_write_file_missing_dir(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	struct iw_error err;
	char *dir = make_temp_dir();
	char path[600], sub[512];
	struct stat st;

	(void)state;
	snprintf(sub, sizeof sub, "%s/missing", dir);
	snprintf(path, sizeof path, "%s/out.hex", sub);
	assert_int_equal(hex_image_put(img, 0, d, 4, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_write_file(img, path, &err), IW_IO);
	assert_contains(err.msg, path);
	assert_contains(err.msg, "No such file or directory");
	assert_int_equal(stat(sub, &st), -1);
	assert_int_equal(count_entries(dir), 0);
	rmdir(dir);
	free(dir);
	hex_image_free(img);
}

/* The target name is a directory: the rename fails after the temp file was
 * written, and the temp file must not be left behind. */
static void
test_write_file_rename_fails(void **state)
{
	struct hex_image *img = hex_image_new();
	uint8_t d[4] = { 1, 2, 3, 4 };
	struct iw_error err;
	char *dir = make_temp_dir();
	char path[512];

	(void)state;
	snprintf(path, sizeof path, "%s/out.hex", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(hex_image_put(img, 0, d, 4, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_write_file(img, path, &err), IW_IO);
	assert_contains(err.msg, path);
	assert_int_equal(count_entries(dir), 1);   /* only the directory */
	rmdir(path);
	rmdir(dir);
	free(dir);
	hex_image_free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_basic),
		cmocka_unit_test(test_read_crlf),
		cmocka_unit_test(test_read_no_final_newline),
		cmocka_unit_test(test_read_trailing_blank_lines),
		cmocka_unit_test(test_read_lowercase),
		cmocka_unit_test(test_read_start_records_ignored),
		cmocka_unit_test(test_read_identical_overlap),
		cmocka_unit_test(test_read_ext_linear),
		cmocka_unit_test(test_read_linear_crosses_64k),
		cmocka_unit_test(test_read_ext_segment),
		cmocka_unit_test(test_read_ext_segment_wraps),
		cmocka_unit_test(test_read_failure_keeps_image),
		cmocka_unit_test(test_read_into_nonempty_conflict),
		cmocka_unit_test(test_bad_checksum),
		cmocka_unit_test(test_non_hex_character),
		cmocka_unit_test(test_non_hex_trailing_space),
		cmocka_unit_test(test_carriage_return_inside_line),
		cmocka_unit_test(test_missing_colon),
		cmocka_unit_test(test_binary_file),
		cmocka_unit_test(test_short_record),
		cmocka_unit_test(test_byte_count_mismatch),
		cmocka_unit_test(test_odd_digit_count),
		cmocka_unit_test(test_unknown_record_type),
		cmocka_unit_test(test_bad_ext_linear_length),
		cmocka_unit_test(test_bad_ext_segment_length),
		cmocka_unit_test(test_end_record_with_data),
		cmocka_unit_test(test_missing_end_record),
		cmocka_unit_test(test_data_after_end),
		cmocka_unit_test(test_blank_line_between_records),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_conflicting_overlap),
		cmocka_unit_test(test_past_address_space),
		cmocka_unit_test(test_read_file_missing),
		cmocka_unit_test(test_put_coalesces),
		cmocka_unit_test(test_put_keeps_first_origin),
		cmocka_unit_test(test_put_conflict_names_both),
		cmocka_unit_test(test_read_range),
		cmocka_unit_test(test_empty_image),
		cmocka_unit_test(test_check_fits),
		cmocka_unit_test(test_check_fits_straddling),
		cmocka_unit_test(test_write_small),
		cmocka_unit_test(test_write_aligned_records),
		cmocka_unit_test(test_write_ext_linear_records),
		cmocka_unit_test(test_write_no_ext_below_64k),
		cmocka_unit_test(test_write_one_end_record),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_round_trip_segment_file),
		cmocka_unit_test(test_write_file_and_read_back),
		cmocka_unit_test(test_write_file_missing_dir),
		cmocka_unit_test(test_write_file_rename_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
