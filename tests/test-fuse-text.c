/*
 * test-fuse-text.c - fuse and lock values as people type them: what is
 * accepted, and for each kind of wrong text a message that says what is
 * actually wrong with it (out of range, not hex, a sign, no digits, bare
 * digits and what they would mean read either way), not one catch-all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/fuses.h"

#define SYNTAX "write fuse and lock values as 0xNN (hex), $NN or 0bNNNNNNNN"

static void
accepted(const char *text, uint8_t want)
{
	struct iw_error err;
	uint8_t v = 0;

	iw_error_clear(&err);
	if (fuse_parse_byte(text, &v, &err) != IW_OK)
		fail_msg("'%s' refused: %s", text, err.msg);
	assert_int_equal(v, want);
}

static void
refused(const char *text, const char *msg)
{
	struct iw_error err;
	uint8_t v = 0x5A;

	iw_error_clear(&err);
	assert_int_equal(fuse_parse_byte(text, &v, &err), IW_USAGE);
	assert_string_equal(err.msg, msg);
	assert_int_equal(v, 0x5A);
}

static void
test_accepted_forms(void **state)
{
	(void)state;
	accepted("0xD8", 0xD8);
	accepted("0Xd8", 0xD8);
	accepted("$ff", 0xFF);
	accepted("0b11011000", 0xD8);
	accepted("0x0", 0x00);
	accepted("0x00FF", 0xFF);
}

static void
test_out_of_range(void **state)
{
	(void)state;
	refused("0x100", "'0x100' is more than a byte: a fuse or lock byte goes from 0x00 to 0xFF");
	refused("$1FF", "'$1FF' is more than a byte: a fuse or lock byte goes from 0x00 to 0xFF");
	refused("0b111111111", "'0b111111111' is more than a byte: a fuse or lock byte goes "
		"from 0x00 to 0xFF");
}

static void
test_not_digits(void **state)
{
	(void)state;
	refused("0xZZ", "'0xZZ' is not a hex number: 'Z' is not a hex digit; " SYNTAX);
	refused("0b102", "'0b102' is not a binary number: '2' is not a binary digit; " SYNTAX);
	refused("D8h", "'D8h' is not a hex number: 'h' is not a hex digit; " SYNTAX);
	refused("0x", "'0x' has no digits after its prefix; " SYNTAX);
	refused("", "no value given; " SYNTAX);
}

static void
test_signs(void **state)
{
	(void)state;
	refused("-1", "'-1' has a sign; a fuse byte is a value from 0x00 to 0xFF; " SYNTAX);
	refused("+0x10", "'+0x10' has a sign; a fuse byte is a value from 0x00 to 0xFF; " SYNTAX);
}

/* Bare digits: never guessed, and the message gives both readings. */
static void
test_bare_digits(void **state)
{
	(void)state;
	refused("99", "'99' is ambiguous: bare digits are hex in fuse calculators but decimal "
		"in avrdude; write 0x99 if you mean hex, 0x63 if you mean decimal 99");
	refused("200", "'200' is ambiguous: bare digits are hex in fuse calculators but "
		"decimal in avrdude, and 0x200 is more than a byte; write 0xC8 if you mean "
		"decimal 200");
	refused("256", "'256' is more than a byte, read as decimal or as hex: a fuse or lock "
		"byte goes from 0x00 to 0xFF (255); " SYNTAX);
	refused("99999999999999999999", "'99999999999999999999' is more than a byte, read as "
		"decimal or as hex: a fuse or lock byte goes from 0x00 to 0xFF (255); " SYNTAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted_forms),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_not_digits),
		cmocka_unit_test(test_signs),
		cmocka_unit_test(test_bare_digits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
