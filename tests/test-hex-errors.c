/*
 * test-hex-errors.c - the Intel HEX reader on bad input: each failure
 * mode has its own test that checks the message names the right place
 * and says what is wrong, and that nothing was loaded.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hex-fixture.h"

/* --- each bad input -------------------------------------------------------- */

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
