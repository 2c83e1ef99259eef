/*
 * test-catalog-syntax.c - the catalog loader on YAML-level and
 * structural mistakes: broken YAML, wrong top level, version, unknown,
 * repeated and missing keys, wrong value types.  Each test asserts the
 * exact "file:line:col: message" and that nothing was loaded.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "catalog-fixture.h"

/* ---- YAML-level failures ------------------------------------------------ */

static void
test_syntax_error(void **state)
{
	(void)state;
	expect_load_error("version: 1\nparts:\n  - id: x\n   name: y\n",
			  "t.yaml:4:4: did not find expected '-' indicator "
			  "(while parsing a block collection on line 3)");
}

static void
test_syntax_error_unterminated_quote(void **state)
{
	(void)state;
	expect_load_error("version: 1\nparts:\n  - id: \"x\n",
			  "t.yaml:4:1: found unexpected end of stream "
			  "(while scanning a quoted scalar on line 3)");
}

static void
test_invalid_utf8(void **state)
{
	(void)state;
	/* Column counts characters: "é" before the bad byte is one column. */
	expect_load_error("version: 1\nx: \"\xc3\xa9\xff\"\n",
			  "t.yaml:2:6: invalid leading UTF-8 octet (the file must be UTF-8 text)");
}

static void
test_empty_file(void **state)
{
	(void)state;
	expect_load_error("", "t.yaml:1:1: the catalog is empty; it needs at least 'version: 1'");
	expect_load_error("# only a comment\n",
			  "t.yaml:1:1: the catalog is empty; it needs at least 'version: 1'");
}

static void
test_second_document(void **state)
{
	(void)state;
	expect_load_error("version: 1\n---\nversion: 1\n",
			  "t.yaml:2:1: a second YAML document starts here; a catalog file "
			  "holds one document (remove the '---')");
}

static void
test_alias_refused(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers: &p []\nparts: *p\n",
			  "t.yaml:3:8: YAML aliases (*p) are not supported in a catalog; "
			  "write the value out in full");
}

static void
test_wrong_top_level_type(void **state)
{
	(void)state;
	expect_load_error("- version: 1\n",
			  "t.yaml:1:1: a catalog is a mapping with the keys version, "
			  "programmers, parts and bootloaders, but this file's top level is a list");
	expect_load_error("just text\n",
			  "t.yaml:1:1: a catalog is a mapping with the keys version, "
			  "programmers, parts and bootloaders, but this file's top level is a "
			  "single value");
}

static void
test_missing_version(void **state)
{
	(void)state;
	expect_load_error("parts: []\n",
			  "t.yaml:1:1: this catalog has no 'version' key; add 'version: 1' at the top");
}

static void
test_unsupported_version(void **state)
{
	(void)state;
	expect_load_error("parts: []\nversion: 2\n",
			  "t.yaml:2:10: unsupported catalog version 2: this ispwiz reads version 1");
}

static void
test_unknown_key_with_suggestion(void **state)
{
	(void)state;
	expect_load_error("version: 1\nboootloaders: []\n",
			  "t.yaml:2:1: unknown key 'boootloaders' in this catalog "
			  "(did you mean 'bootloaders'?)");
}

static void
test_unknown_key_lists_known_keys(void **state)
{
	(void)state;
	expect_load_error("version: 1\nboards: []\n",
			  "t.yaml:2:1: unknown key 'boards' in this catalog (known keys: "
			  "version, programmers, parts, bootloaders)");
}

static void
test_unknown_key_in_entry(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"                                     /* 52 */
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n"
		"    urll: https://example.org/x.hex\n");             /* 59 */

	(void)state;
	expect_load_error(yaml, "t.yaml:59:5: unknown key 'urll' in this bootloader entry "
			  "(did you mean 'url'?)");
	free(yaml);
}

static void
test_repeated_key(void **state)
{
	(void)state;
	expect_load_error("version: 1\nparts: []\nparts: []\n",
			  "t.yaml:3:1: key 'parts' appears twice in this catalog (first on line 2)");
}

static void
test_missing_required_key(void **state)
{
	(void)state;
	expect_load_error("version: 1\n"
			  "programmers:\n"
			  "  - id: usbasp\n"
			  "    driver: usbasp\n"
			  "    name: USBasp\n"
			  "    transport: usb\n",
			  "t.yaml:3:5: this programmer entry is missing the required key 'avrdude'");
}

static void
test_wrong_value_type(void **state)
{
	(void)state;
	expect_load_error("version: 1\nparts: { id: x }\n",
			  "t.yaml:2:8: expected a list of part entries, found a mapping");
	expect_load_error("version: 1\nprogrammers:\n  - id: [a]\n",
			  "t.yaml:3:9: expected text, found a list");
	expect_load_error("version: 1\nprogrammers:\n  - id:\n",
			  "t.yaml:3:8: expected text, found nothing");
}

static void
test_bad_id(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers:\n  - id: Pro Micro\n",
			  "t.yaml:3:9: 'Pro Micro' is not a valid id: use lower-case letters, "
			  "digits, '-', '_' and '.', starting with a letter or digit");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_syntax_error_unterminated_quote),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_second_document),
		cmocka_unit_test(test_alias_refused),
		cmocka_unit_test(test_wrong_top_level_type),
		cmocka_unit_test(test_missing_version),
		cmocka_unit_test(test_unsupported_version),
		cmocka_unit_test(test_unknown_key_with_suggestion),
		cmocka_unit_test(test_unknown_key_lists_known_keys),
		cmocka_unit_test(test_unknown_key_in_entry),
		cmocka_unit_test(test_repeated_key),
		cmocka_unit_test(test_missing_required_key),
		cmocka_unit_test(test_wrong_value_type),
		cmocka_unit_test(test_bad_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
