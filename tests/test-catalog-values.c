/*
 * test-catalog-values.c - the catalog loader on bad values (numbers,
 * bytes, USB IDs, signatures, enums, hashes, wiring rows, duplicate ids)
 * and on inconsistent fuse and boot-table definitions.  Each test asserts
 * the exact "file:line:col: message" and that nothing was loaded.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "catalog-fixture.h"

/* ---- value failures ------------------------------------------------------ */

static void
test_bad_hex_byte(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "factory: 0x5E");

	(void)state;
	memcpy(at, "factory: 0xZE", 13);
	/* "factory: 0x5E" is line 17, the value at column 18. */
	expect_load_error(yaml, "t.yaml:17:18: expected a whole number >= 0 (decimal, "
			  "or hex as 0x..), found '0xZE'");
	free(yaml);
}

static void
test_ambiguous_leading_zero(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers:\n  - { id: a, driver: a, name: A, "
			  "avrdude: a, transport: serial, baud: 0100 }\n",
			  "t.yaml:3:71: expected a whole number >= 0 (decimal, or hex as 0x..), "
			  "found '0100'");
}

static void
test_byte_out_of_range(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"                                     /* 52 */
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets:\n"
		"      - { name: default, lfuse: 0x1FF, hfuse: 0xD8, efuse: 0xFB }\n"); /* 59 */

	(void)state;
	expect_load_error(yaml, "t.yaml:59:33: 0x1FF is out of range (a byte is 0..255, "
			  "0x00..0xFF)");
	free(yaml);
	expect_load_error("version: 1\nparts:\n  - lock_mask: 256\n",
			  "t.yaml:3:16: 256 is out of range (a byte is 0..255, 0x00..0xFF)");
}

static void
test_bad_usb_id(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers:\n  - usb_ids: [\"16C0:0483\", \"16C0-0483\"]\n",
			  "t.yaml:3:28: expected a USB ID as VVVV:PPPP (4 hex digits each, "
			  "e.g. 03EB:2FF4), found '16C0-0483'");
	expect_load_error("version: 1\nbootloaders:\n  - usb_id: 1B4F:92050\n",
			  "t.yaml:3:13: expected a USB ID as VVVV:PPPP (4 hex digits each, "
			  "e.g. 03EB:2FF4), found '1B4F:92050'");
}

static void
test_bad_signature(void **state)
{
	(void)state;
	expect_load_error("version: 1\nparts:\n  - signature: 1E9587\n",
			  "t.yaml:3:16: expected a signature as three hex bytes like "
			  "\"1E 95 87\", found '1E9587'");
	expect_load_error("version: 1\nparts:\n  - signature: \"1E 95 8G\"\n",
			  "t.yaml:3:16: expected a signature as three hex bytes like "
			  "\"1E 95 87\", found '1E 95 8G'");
}

static void
test_bad_enum(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers:\n  - transport: bluetooth\n",
			  "t.yaml:3:16: unknown transport 'bluetooth' (known: serial, usb, sim)");
	expect_load_error("version: 1\nparts:\n  - fuses:\n      lfuse:\n        fields:\n"
			  "          - { safety: refuse-programed }\n",
			  "t.yaml:6:23: unknown safety class 'refuse-programed' (did you mean "
			  "'refuse-programmed'? known: none, confirm-change, confirm-programmed, "
			  "refuse-programmed, refuse-unprogrammed)");
}

static void
test_bad_bool(void **state)
{
	(void)state;
	expect_load_error("version: 1\nbootloaders:\n  - combined_sketch: yes\n",
			  "t.yaml:3:22: expected true or false, found 'yes'");
}

static void
test_bad_sha256(void **state)
{
	(void)state;
	expect_load_error("version: 1\nbootloaders:\n"
			  "  - identities: [{ image: { start: 0, length: 1, sha256: abc } }]\n",
			  "t.yaml:3:58: sha256 must be 64 hex digits or null, found 3 digits");
	expect_load_error("version: 1\nbootloaders:\n"
			  "  - identities: [{ image: { start: 0, length: 1, sha256: abcx } }]\n",
			  "t.yaml:3:58: sha256 must be 64 hex digits or null; 'x' is not a hex digit");
}

/* The keys identities replaced say so, and what to write instead. */
#define RETIRED "sha256 and size were replaced by identities (a hash of the file's " \
	"bytes changes with its line endings): give identities: [{ image: { start, " \
	"length, sha256 } }], see ispwiz-catalog(5), or leave the key out"
static void
test_bad_size(void **state)
{
	(void)state;
	expect_load_error("version: 1\nbootloaders:\n  - size: -1\n",
			  "t.yaml:3:11: " RETIRED);
	expect_load_error("version: 1\nbootloaders:\n  - sha256: null\n",
			  "t.yaml:3:13: " RETIRED);
	expect_load_error("version: 1\nbootloaders:\n"
			  "  - identities: [{ image: { start: 0, length: 0, sha256: "
			  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef } }]\n",
			  "t.yaml:3:47: an identity spans at least one byte");
}

static void
test_bad_wiring_row(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers:\n  - wiring: [[\"10 (B6)\", \"RESET\"], [\"GND\"]]\n",
			  "t.yaml:3:36: a wiring row is a pair [programmer pin, target pin], "
			  "e.g. [\"10 (B6)\", \"RESET\"]");
}

static void
test_bad_firmware_loader(void **state)
{
	(void)state;
	expect_load_error("version: 1\nprogrammers:\n  - isp_firmware: { loader: caterna }\n",
			  "t.yaml:3:29: unknown firmware loader 'caterna' (did you mean "
			  "'caterina'? known: caterina, halfkay)");
}

static void
test_duplicate_id(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"                                     /* 52 */
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n"
		"  - id: x\n"                                        /* 59 */
		"    family: caterina\n"
		"    name: X again\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n");

	(void)state;
	expect_load_error(yaml, "t.yaml:59:9: duplicate bootloader id 'x' (first defined on "
			  "line 53); ids must be unique within a file");
	free(yaml);
}

static void
test_duplicate_preset(void **state)
{
	char *yaml = base_plus(
		"bootloaders:\n"                                     /* 52 */
		"  - id: x\n"
		"    family: caterina\n"
		"    name: X\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets:\n"
		"      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB }\n"
		"      - { name: default, lfuse: 0xFF, hfuse: 0xD9, efuse: 0xFB }\n"); /* 60 */

	(void)state;
	expect_load_error(yaml, "t.yaml:60:17: preset 'default' is listed twice (first on line 59)");
	free(yaml);
}

/* ---- fuse definitions ---------------------------------------------------- */

static void
test_overlapping_fuse_masks(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "name: BOOTSZ, mask: 0x06");

	(void)state;
	memcpy(at, "name: BOOTSZ, mask: 0x24", 24);
	/* BOOTSZ's row is line 28; its mask value at column 35. */
	expect_load_error(yaml, "t.yaml:28:35: field 'BOOTSZ' (mask 0x24) overlaps field "
			  "'SPIEN' (mask 0x20, line 27) in bits 0x20");
	free(yaml);
}

static void
test_mask_in_unused_bits(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "name: BODLEVEL, mask: 0x07");

	(void)state;
	memcpy(at, "name: BODLEVEL, mask: 0x17", 26);
	expect_load_error(yaml, "t.yaml:33:37: field 'BODLEVEL' (mask 0x17) uses bits 0x10 "
			  "that this fuse byte marks unused (0xF0)");
	free(yaml);
}

static void
test_zero_mask(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "name: BODLEVEL, mask: 0x07");

	(void)state;
	memcpy(at, "name: BODLEVEL, mask: 0x00", 26);
	expect_load_error(yaml, "t.yaml:33:37: field 'BODLEVEL' has mask 0; a field "
			  "occupies at least one bit");
	free(yaml);
}

static void
test_value_wider_than_field(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "value: 0xF,");

	(void)state;
	/* Two spaces keep the length, moving the value to column 27. */
	memcpy(at, "value:  31,", 11);
	expect_load_error(yaml, "t.yaml:23:27: value 0x1F does not fit field 'CKSEL' "
			  "(mask 0x0F: 4 bits, values 0..0xF, right-aligned)");
	free(yaml);
}

static void
test_boot_row_twice(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "bootsz: 2, size_words: 512");

	(void)state;
	memcpy(at, "bootsz: 3", 9);
	expect_load_error(yaml, "t.yaml:12:19: bootsz 3 is listed twice (first on line 11)");
	free(yaml);
}

static void
test_boot_row_out_of_range(void **state)
{
	char *yaml = strdup(BASE);
	char *at = strstr(yaml, "bootsz: 2, size_words: 512");

	(void)state;
	memcpy(at, "bootsz: 4", 9);
	expect_load_error(yaml, "t.yaml:12:19: bootsz 4 is out of range: BOOTSZ is a "
			  "2-bit field (0..3)");
	free(yaml);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_hex_byte),
		cmocka_unit_test(test_ambiguous_leading_zero),
		cmocka_unit_test(test_byte_out_of_range),
		cmocka_unit_test(test_bad_usb_id),
		cmocka_unit_test(test_bad_signature),
		cmocka_unit_test(test_bad_enum),
		cmocka_unit_test(test_bad_bool),
		cmocka_unit_test(test_bad_sha256),
		cmocka_unit_test(test_bad_size),
		cmocka_unit_test(test_bad_wiring_row),
		cmocka_unit_test(test_bad_firmware_loader),
		cmocka_unit_test(test_duplicate_id),
		cmocka_unit_test(test_duplicate_preset),
		cmocka_unit_test(test_overlapping_fuse_masks),
		cmocka_unit_test(test_mask_in_unused_bits),
		cmocka_unit_test(test_zero_mask),
		cmocka_unit_test(test_value_wider_than_field),
		cmocka_unit_test(test_boot_row_twice),
		cmocka_unit_test(test_boot_row_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
