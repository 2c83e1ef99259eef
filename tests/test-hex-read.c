/*
 * test-hex-read.c - the Intel HEX reader on good files: line endings,
 * case, start records, identical overlaps, extended linear and segment
 * addresses (with their different wrap rules), and a second read into
 * an image that already holds data.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hex-fixture.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
