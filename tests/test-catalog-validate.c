/*
 * test-catalog-validate.c - catalog_validate(): the checks that need the
 * whole catalog (a bootloader's part exists, presets fit the part, SPIEN
 * stays programmed, boot tables are complete, transports have what they
 * need), each with its exact message.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "catalog-fixture.h"

/* ---- validation ---------------------------------------------------------- */

/* Load `yaml` (which must load) and validate: must fail with `msg`. */
static void
expect_validate_error(const char *yaml, const char *msg)
{
	struct catalog cat;
	struct iw_error err;

	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(load(&cat, "t.yaml", yaml, &err), IW_OK);
	assert_int_equal(catalog_validate(&cat, &err), IW_CATALOG);
	assert_string_equal(err.msg, msg);
	catalog_free(&cat);
}

static void
test_validate_unknown_part(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"                                     /* 52 */
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u5\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n");

	(void)state;
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'x' is for part 'atmega32u5', "
			      "which is not in the catalog (known parts: atmega32u4, atmega32a)");
	free(yaml);
}

static void
test_validate_part_by_other_name(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: m32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n");

	(void)state;
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'x' names part 'm32u4'; write "
			      "the part's id 'atmega32u4' instead");
	free(yaml);
	yaml = base_plus(
		"bootloaders:\n"
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: ATmega32U4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n");
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'x' names part 'ATmega32U4'; "
			      "write the part's id 'atmega32u4' instead");
	free(yaml);
}

static void
test_validate_efuse_on_part_without_efuse(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"                                     /* 52 */
		"  - id: usbasploader-atmega32a\n"
		"    family: usbasploader\n"
		"    name: USBaspLoader\n"
		"    part: atmega32a\n"
		"    usb_id: \"16C0:05DC\"\n"
		"    presets:\n"
		"      - { name: default, lfuse: 0x1F, hfuse: 0xC0 }\n"
		"      - { name: wrong, lfuse: 0x1F, hfuse: 0xC0, efuse: 0xFF }\n");

	(void)state;
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'usbasploader-atmega32a' preset "
			      "'wrong' sets efuse, but ATmega32A has no efuse; remove it from "
			      "the preset");
	free(yaml);
}

static void
test_validate_missing_efuse(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8 } ]\n");

	(void)state;
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'x' preset 'default' does not "
			      "set efuse, but ATmega32U4 has one; add 'efuse: 0x..' to the preset");
	free(yaml);
}

static void
test_validate_no_presets(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: []\n");

	(void)state;
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'x' has no fuse presets; add at "
			      "least '{ name: default, lfuse: 0x.., hfuse: 0x.., ... }'");
	free(yaml);
}

static void
test_validate_preset_disables_spien(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xF8, efuse: 0xFB } ]\n");

	(void)state;
	expect_validate_error(yaml, "t.yaml:53:5: bootloader 'x' preset 'default': hfuse 0xF8 "
			      "leaves SPIEN unprogrammed, which ends ISP access; fix the preset");
	free(yaml);
}

static void
test_validate_incomplete_boot_table(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "      - { bootsz: 2, size_words: 512, start_word: 0x3E00 }\n");

	(void)state;
	/* Turn the row into a comment of the same length. */
	at[6] = '#';
	expect_validate_error(yaml, "t.yaml:3:5: part 'atmega32u4' has no boot table row for "
			      "bootsz 2; list all four BOOTSZ values (0..3)");
	free(yaml);
}

static void
test_validate_boot_section_not_at_end(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "start_word: 0x3F00");

	(void)state;
	memcpy(at, "start_word: 0x3E00", 18);
	expect_validate_error(yaml, "t.yaml:3:5: part 'atmega32u4': the boot section for bootsz "
			      "3 (start word 0x3E00, 256 words) ends at word 0x3F00, but flash "
			      "ends at word 0x4000");
	free(yaml);
}

static void
test_validate_serial_needs_baud(void **state)
{
	(void)state;
	expect_validate_error("version: 1\nprogrammers:\n"
			      "  - { id: a, driver: avrisp, name: A, avrdude: avrisp, transport: serial }\n",
			      "t.yaml:3:5: programmer 'a' uses the serial transport but has no "
			      "'baud'; add its default rate (e.g. 'baud: 19200')");
}

static void
test_validate_usb_needs_ids(void **state)
{
	(void)state;
	expect_validate_error("version: 1\nprogrammers:\n"
			      "  - { id: a, driver: usbasp, name: A, avrdude: usbasp, transport: usb }\n",
			      "t.yaml:3:5: programmer 'a' talks USB but lists no 'usb_ids' to "
			      "find it by; add its \"VVVV:PPPP\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_unknown_part),
		cmocka_unit_test(test_validate_part_by_other_name),
		cmocka_unit_test(test_validate_efuse_on_part_without_efuse),
		cmocka_unit_test(test_validate_missing_efuse),
		cmocka_unit_test(test_validate_no_presets),
		cmocka_unit_test(test_validate_preset_disables_spien),
		cmocka_unit_test(test_validate_incomplete_boot_table),
		cmocka_unit_test(test_validate_boot_section_not_at_end),
		cmocka_unit_test(test_validate_serial_needs_baud),
		cmocka_unit_test(test_validate_usb_needs_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
