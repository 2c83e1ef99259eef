/*
 * test-hex-image.c - the sparse image itself: puts coalesce, the first
 * origin of a byte is kept, conflicts name both sources, range reads
 * fill gaps, and the fits-in-flash check names the first byte too far.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "hex-fixture.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_coalesces),
		cmocka_unit_test(test_put_keeps_first_origin),
		cmocka_unit_test(test_put_conflict_names_both),
		cmocka_unit_test(test_read_range),
		cmocka_unit_test(test_empty_image),
		cmocka_unit_test(test_check_fits),
		cmocka_unit_test(test_check_fits_straddling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
