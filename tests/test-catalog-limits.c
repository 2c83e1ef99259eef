/*
 * test-catalog-limits.c - catalog values of the right type that no AVR has
 * are refused at load time, at their file:line:col, instead of loading and
 * failing in the middle of a job: a page of 1 byte (or 2, or 32 KiB, or
 * not a power of two), flash or EEPROM sizes of gigabytes, a value row
 * listed twice in a fuse field, and a programmer whose driver this build
 * does not have (catalog_check_drivers).
 */
#include "catalog-fixture.h"

/* FULL with the first `from` replaced by `to` (the caller frees it). */
static char *
full_with(const char *from, const char *to)
{
	const char *at = strstr(FULL, from);
	size_t n = strlen(FULL) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(at);
	assert_non_null(s);
	snprintf(s, n, "%.*s%s%s", (int)(at - FULL), FULL, to, at + strlen(from));
	return s;
}

static void
expect_refused(const char *from, const char *to, const char *msg)
{
	char *yaml = full_with(from, to);

	expect_load_error(yaml, msg);
	free(yaml);
}

/* Lines 51-53 of FULL are the ATmega32U4's flash, page and eeprom. */
#define SIZES "    flash: 32768\n    page: 128\n    eeprom: 1024\n"

static void
test_page_sizes(void **state)
{
	(void)state;
	expect_refused(SIZES, "    flash: 32768\n    page: 1\n    eeprom: 1024\n",
		       "t.yaml:52:11: part 'atmega32u4': a flash page of 1 bytes is not one "
		       "an AVR has; the page is a power of two from 16 to 1024 bytes (the "
		       "datasheet's \"page size\", in bytes, not words)");
	expect_refused(SIZES, "    flash: 32768\n    page: 96\n    eeprom: 1024\n",
		       "t.yaml:52:11: part 'atmega32u4': a flash page of 96 bytes is not one "
		       "an AVR has; the page is a power of two from 16 to 1024 bytes (the "
		       "datasheet's \"page size\", in bytes, not words)");
	expect_refused(SIZES, "    flash: 32768\n    page: 32768\n    eeprom: 1024\n",
		       "t.yaml:52:11: part 'atmega32u4': a flash page of 32768 bytes is not "
		       "one an AVR has; the page is a power of two from 16 to 1024 bytes (the "
		       "datasheet's \"page size\", in bytes, not words)");
}

static void
test_flash_sizes(void **state)
{
	(void)state;
	expect_refused(SIZES, "    flash: 4294967168\n    page: 128\n    eeprom: 1024\n",
		       "t.yaml:51:12: part 'atmega32u4': 4294967168 bytes of flash is out of "
		       "range: an AVR has 1024 bytes to 1024 KiB; give the size in bytes (32 "
		       "KiB is 32768)");
	expect_refused(SIZES, "    flash: 32\n    page: 16\n    eeprom: 1024\n",
		       "t.yaml:51:12: part 'atmega32u4': 32 bytes of flash is out of range: "
		       "an AVR has 1024 bytes to 1024 KiB; give the size in bytes (32 KiB is "
		       "32768)");
	expect_refused(SIZES, "    flash: 32704\n    page: 128\n    eeprom: 1024\n",
		       "t.yaml:51:12: part 'atmega32u4': flash (32704 bytes) must be a whole "
		       "number of pages (page 128 bytes)");
}

static void
test_eeprom_sizes(void **state)
{
	(void)state;
	expect_refused(SIZES, "    flash: 32768\n    page: 128\n    eeprom: 4294967295\n",
		       "t.yaml:53:13: part 'atmega32u4': 4294967295 bytes of EEPROM is out of "
		       "range: an AVR has at most a few KiB (up to 64 KiB here); give the size "
		       "in bytes, 0 when it has none");
	expect_refused(SIZES, "    flash: 32768\n    page: 128\n    eeprom: 4294967296\n",
		       "t.yaml:53:13: 4294967296 is out of range (0..4294967295)");
}

static void
test_duplicate_value_row(void **state)
{
	(void)state;
	expect_refused("              - { value: 0xF, meaning: low power crystal }\n",
		       "              - { value: 0xF, meaning: low power crystal }\n"
		       "              - { value: 0xF, meaning: external clock }\n",
		       "t.yaml:68:26: field 'CKSEL' lists value 0xF twice (first on line 67, "
		       "\"low power crystal\"); give each value one row");
}

/* The sizes of the shipped catalog are all inside the bounds. */
static void
test_shipped_catalog_loads(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	iw_error_clear(&err);
	if (catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK)
		fail_msg("%s", err.msg);
	catalog_free(&cat);
}

static bool
only_usbasp(const char *driver)
{
	return strcmp(driver, "usbasp") == 0;
}

static void
test_unknown_driver(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(load(&cat, "t.yaml", FULL, &err), IW_OK);
	/* Line 12 col 13: avrisp-promicro's "driver: avrisp". */
	assert_int_equal(catalog_check_drivers(&cat, only_usbasp, "usbasp", &err), IW_CATALOG);
	assert_string_equal(err.msg, "t.yaml:12:13: programmer 'avrisp-promicro' names driver "
			    "'avrisp', which this build does not have (it has: usbasp); use "
			    "one of those");
	catalog_free(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_flash_sizes),
		cmocka_unit_test(test_eeprom_sizes),
		cmocka_unit_test(test_duplicate_value_row),
		cmocka_unit_test(test_shipped_catalog_loads),
		cmocka_unit_test(test_unknown_driver),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
