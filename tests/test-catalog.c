/*
 * test-catalog.c - the catalog loader, merge and validation: every kind of
 * mistake gets its own test asserting the exact "file:line:col: message",
 * plus the all-or-nothing property, overrides by id, the standard load
 * order, and the look-ups.
 *
 * Fixtures are inline YAML so that each test shows the lines it counts.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "core/catalog.h"

/* ---- fixtures ------------------------------------------------------------ */

/* A part with all three fuse bytes; lines 3-33 of BASE. */
#define PART_32U4                                                      \
	"  - id: atmega32u4\n"                                         \
	"    name: ATmega32U4\n"                                       \
	"    avrdude: m32u4\n"                                         \
	"    signature: \"1E 95 87\"\n"                                \
	"    flash: 32768\n"                                           \
	"    page: 128\n"                                              \
	"    eeprom: 1024\n"                                           \
	"    boot:\n"                                                  \
	"      - { bootsz: 3, size_words: 256, start_word: 0x3F00 }\n" \
	"      - { bootsz: 2, size_words: 512, start_word: 0x3E00 }\n" \
	"      - { bootsz: 1, size_words: 1024, start_word: 0x3C00 }\n"\
	"      - { bootsz: 0, size_words: 2048, start_word: 0x3800 }\n"\
	"    fuses:\n"                                                 \
	"      lfuse:\n"                                               \
	"        factory: 0x5E\n"                                      \
	"        fields:\n"                                            \
	"          - { name: CKDIV8, mask: 0x80, safety: confirm-change }\n" \
	"          - name: CKSEL\n"                                    \
	"            mask: 0x0F\n"                                     \
	"            values:\n"                                        \
	"              - { value: 0xF, meaning: low power crystal }\n" \
	"      hfuse:\n"                                               \
	"        factory: 0x99\n"                                      \
	"        fields:\n"                                            \
	"          - { name: SPIEN, mask: 0x20, safety: refuse-unprogrammed }\n" \
	"          - { name: BOOTSZ, mask: 0x06, safety: confirm-change }\n" \
	"      efuse:\n"                                               \
	"        factory: 0xF3\n"                                      \
	"        unused: 0xF0\n"                                       \
	"        fields:\n"                                            \
	"          - { name: BODLEVEL, mask: 0x07 }\n"

/* A part without an extended fuse; lines 34-51 of BASE. */
#define PART_32A                                                       \
	"  - id: atmega32a\n"                                          \
	"    name: ATmega32A\n"                                        \
	"    avrdude: m32\n"                                           \
	"    signature: \"1E 95 02\"\n"                                \
	"    flash: 32768\n"                                           \
	"    page: 128\n"                                              \
	"    eeprom: 1024\n"                                           \
	"    boot:\n"                                                  \
	"      - { bootsz: 0, size_words: 2048, start_word: 0x3800 }\n"\
	"      - { bootsz: 1, size_words: 1024, start_word: 0x3C00 }\n"\
	"      - { bootsz: 2, size_words: 512, start_word: 0x3E00 }\n" \
	"      - { bootsz: 3, size_words: 256, start_word: 0x3F00 }\n" \
	"    fuses:\n"                                                 \
	"      lfuse: { factory: 0xE1, fields: [] }\n"                 \
	"      hfuse:\n"                                               \
	"        factory: 0x99\n"                                      \
	"        fields: [ { name: SPIEN, mask: 0x20, safety: refuse-unprogrammed } ]\n" \
	"      efuse: null\n"

/* Parts only; line 1 "version: 1", line 2 "parts:". */
static const char BASE[] =
	"version: 1\n"
	"parts:\n"
	PART_32U4
	PART_32A;

/* A complete small catalog. */
static const char FULL[] =
	"version: 1\n"                                               /* 1 */
	"programmers:\n"
	"  - id: usbasp\n"
	"    driver: usbasp\n"
	"    name: USBasp\n"                                         /* 5 */
	"    avrdude: usbasp\n"
	"    transport: usb\n"
	"    usb_ids: [\"16C0:05DC\"]\n"
	"    wiring: [[\"RST\", \"RESET\"], [\"SCK\", \"SCLK\"]]\n"
	"    warnings: [\"Set the 5V jumper.\"]\n"                   /* 10 */
	"  - id: avrisp-promicro\n"
	"    driver: avrisp\n"
	"    name: Pro Micro as ISP\n"
	"    avrdude: avrisp\n"
	"    transport: serial\n"                                    /* 15 */
	"    baud: 19200\n"
	"    usb_ids: [\"16C0:0483\"]\n"
	"    isp_firmware:\n"
	"      file: pro_micro_ISP_B6_10.hex\n"
	"      loader: caterina\n"                                   /* 20 */
	"      instructions: Double-tap reset.\n"
	"bootloaders:\n"
	"  - id: caterina-promicro16\n"
	"    family: caterina\n"
	"    name: SparkFun Pro Micro (5V/16MHz)\n"                  /* 25 */
	"    part: atmega32u4\n"
	"    usb_id: \"1b4f:9205\"\n"
	"    presets:\n"
	"      - { name: default, lfuse: 0xFF, hfuse: \"0xD8\", efuse: 251 }\n"
	"    file: Caterina-promicro16.hex\n"                        /* 30 */
	"    url: https://example.org/Caterina-promicro16.hex\n"
	"    sha256: null\n"
	"    size: null\n"
	"    combined_sketch: false\n"
	"    notes: [\"Double-tap reset.\"]\n"                       /* 35 */
	"  - id: bootloadhid-atmega32a\n"
	"    family: bootloadhid\n"
	"    name: ps2avrGB\n"
	"    part: atmega32a\n"
	"    usb_id: \"16C0:05DF\"\n"                                /* 40 */
	"    presets:\n"
	"      - { name: default, lfuse: 0x0F, hfuse: 0xD0 }\n"
	"    file: null\n"
	"    sha256: 0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef\n"
	"    size: 2048\n"                                           /* 45 */
	"parts:\n"
	PART_32U4
	PART_32A;

static enum iw_status
load(struct catalog *cat, const char *name, const char *yaml, struct iw_error *err)
{
	return catalog_load_buffer(cat, name, yaml, strlen(yaml), err);
}

/* Load `yaml` as t.yaml into an empty catalog; it must fail with exactly
 * `msg` and leave the catalog empty. */
static void
expect_load_error(const char *yaml, const char *msg)
{
	struct catalog cat;
	struct iw_error err;

	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(load(&cat, "t.yaml", yaml, &err), IW_CATALOG);
	assert_int_equal(err.code, IW_CATALOG);
	assert_string_equal(err.msg, msg);
	assert_int_equal(cat.n_programmers, 0);
	assert_int_equal(cat.n_parts, 0);
	assert_int_equal(cat.n_bootloaders, 0);
	assert_int_equal(cat.n_files, 0);
	catalog_free(&cat);
}

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

/* BASE followed by `tail` (a bootloaders: section, starting on line 52). */
static char *
base_plus(const char *tail)
{
	size_t n = strlen(BASE) + strlen(tail) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s", BASE, tail);
	return s;
}

/* ---- successful loads ----------------------------------------------------- */

static void
test_full_catalog_loads(void **state)
{
	struct catalog cat;
	struct iw_error err;
	const struct catalog_programmer *pr;
	const struct catalog_bootloader *bl;
	const struct catalog_part *part;

	(void)state;
	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	assert_int_equal(catalog_validate(&cat, &err), IW_OK);
	assert_int_equal(cat.n_programmers, 2);
	assert_int_equal(cat.n_parts, 2);
	assert_int_equal(cat.n_bootloaders, 2);
	assert_int_equal(cat.n_files, 1);
	assert_string_equal(cat.files[0], "full.yaml");

	pr = catalog_find_programmer(&cat, "usbasp");
	assert_non_null(pr);
	assert_int_equal(pr->transport, CATALOG_TRANSPORT_USB);
	assert_int_equal(pr->n_usb_ids, 1);
	assert_int_equal(pr->usb_ids[0].vid, 0x16C0);
	assert_int_equal(pr->usb_ids[0].pid, 0x05DC);
	assert_int_equal(pr->n_wiring, 2);
	assert_string_equal(pr->wiring[1].programmer_pin, "SCK");
	assert_string_equal(pr->wiring[1].target_pin, "SCLK");
	assert_int_equal(pr->n_warnings, 1);
	assert_null(pr->firmware);
	assert_int_equal(pr->origin.line, 3);
	assert_int_equal(pr->origin.col, 5);
	assert_ptr_equal(pr->origin.file, cat.files[0]);

	pr = catalog_find_programmer(&cat, "avrisp-promicro");
	assert_non_null(pr);
	assert_int_equal(pr->baud, 19200);
	assert_non_null(pr->firmware);
	assert_string_equal(pr->firmware->loader, "caterina");
	assert_null(pr->firmware->url);

	bl = catalog_find_bootloader(&cat, "caterina-promicro16");
	assert_non_null(bl);
	assert_int_equal(bl->usb_id.vid, 0x1B4F);
	assert_int_equal(bl->usb_id.pid, 0x9205);
	assert_int_equal(bl->n_presets, 1);
	/* Hex ints, "0xNN" strings and decimal all give the same bytes. */
	assert_int_equal(bl->presets[0].fuse[FUSE_LOW], 0xFF);
	assert_int_equal(bl->presets[0].fuse[FUSE_HIGH], 0xD8);
	assert_int_equal(bl->presets[0].fuse[FUSE_EXT], 0xFB);
	assert_true(bl->presets[0].has_fuse[FUSE_EXT]);
	assert_false(bl->presets[0].has_lock);
	assert_null(bl->sha256);
	assert_int_equal(bl->size, -1);
	assert_int_equal(bl->n_notes, 1);
	assert_int_equal(bl->origin.line, 23);

	bl = catalog_find_bootloader(&cat, "bootloadhid-atmega32a");
	assert_non_null(bl);
	assert_null(bl->file);
	assert_null(bl->url);
	assert_false(bl->presets[0].has_fuse[FUSE_EXT]);
	assert_string_equal(bl->sha256,
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_int_equal(bl->size, 2048);

	part = catalog_find_part(&cat, "atmega32u4");
	assert_non_null(part);
	assert_memory_equal(part->signature, "\x1E\x95\x87", 3);
	assert_int_equal(part->lock_mask, 0x3F);
	/* Boot rows land at their BOOTSZ index whatever the listed order. */
	assert_int_equal(part->boot[3].size_words, 256);
	assert_int_equal(part->boot[3].start_word, 0x3F00);
	assert_int_equal(part->boot[0].bootsz, 0);
	assert_int_equal(part->boot[0].size_words, 2048);
	assert_true(part->fuses[FUSE_EXT].present);
	assert_int_equal(part->fuses[FUSE_EXT].unused_mask, 0xF0);
	assert_int_equal(part->fuses[FUSE_LOW].n_fields, 2);
	assert_int_equal(part->fuses[FUSE_LOW].fields[1].n_values, 1);
	assert_int_equal(part->fuses[FUSE_LOW].fields[1].values[0].value, 0xF);
	assert_int_equal(part->fuses[FUSE_HIGH].fields[0].safety,
			 FUSE_SAFETY_REFUSE_UNPROGRAMMED);
	assert_int_equal(part->fuses[FUSE_LOW].fields[1].safety, FUSE_SAFETY_NONE);
	part = catalog_find_part(&cat, "atmega32a");
	assert_false(part->fuses[FUSE_EXT].present);
	catalog_free(&cat);
}

static void
test_find_part_by_avrdude_id_and_name(void **state)
{
	struct catalog cat;
	struct iw_error err;
	const struct catalog_part *p;
	const uint8_t sig[3] = { 0x1E, 0x95, 0x02 };
	const uint8_t nosig[3] = { 0x1E, 0x00, 0x00 };

	(void)state;
	catalog_init(&cat);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	p = catalog_find_part(&cat, "m32u4");
	assert_non_null(p);
	assert_string_equal(p->id, "atmega32u4");
	assert_ptr_equal(catalog_find_part(&cat, "ATmega32U4"), p);
	assert_ptr_equal(catalog_find_part(&cat, "atmega32U4"), p);
	assert_ptr_equal(catalog_find_part(&cat, "M32U4"), p);
	assert_string_equal(catalog_find_part(&cat, "m32")->id, "atmega32a");
	assert_null(catalog_find_part(&cat, "m328p"));
	assert_null(catalog_find_part(&cat, NULL));
	assert_string_equal(catalog_find_part_by_signature(&cat, sig)->id, "atmega32a");
	assert_null(catalog_find_part_by_signature(&cat, nosig));
	assert_non_null(catalog_find_programmer(&cat, "USBasp"));
	assert_null(catalog_find_programmer(&cat, "usbtiny"));
	/* The avrdude/driver name finds the entry people mean. */
	assert_string_equal(catalog_find_programmer(&cat, "avrisp")->id,
			    "avrisp-promicro");
	assert_non_null(catalog_find_bootloader(&cat, "Caterina-ProMicro16"));
	assert_string_equal(catalog_find_preset(catalog_find_bootloader(&cat,
			    "caterina-promicro16"), "DEFAULT")->name, "default");
	assert_null(catalog_find_preset(catalog_find_bootloader(&cat,
		    "caterina-promicro16"), "jtag-disabled"));
	catalog_free(&cat);
}

static void
test_names(void **state)
{
	char buf[10];
	struct catalog_usb_id id = { 0x3eb, 0x2ff4 };

	(void)state;
	assert_string_equal(catalog_usb_id_str(id, buf), "03EB:2FF4");
	assert_string_equal(catalog_transport_name(CATALOG_TRANSPORT_SERIAL), "serial");
	assert_string_equal(catalog_transport_name(CATALOG_TRANSPORT_USB), "usb");
	assert_string_equal(catalog_transport_name(CATALOG_TRANSPORT_SIM), "sim");
	assert_string_equal(fuse_byte_name(FUSE_LOW), "lfuse");
	assert_string_equal(fuse_byte_name(FUSE_HIGH), "hfuse");
	assert_string_equal(fuse_byte_name(FUSE_EXT), "efuse");
	assert_string_equal(fuse_safety_name(FUSE_SAFETY_REFUSE_UNPROGRAMMED),
			    "refuse-unprogrammed");
	assert_string_equal(fuse_safety_name(FUSE_SAFETY_CONFIRM_PROGRAMMED),
			    "confirm-programmed");
}

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
	expect_load_error("version: 1\nbootloaders:\n  - sha256: abc\n",
			  "t.yaml:3:13: sha256 must be 64 hex digits or null, found 3 digits");
	expect_load_error("version: 1\nbootloaders:\n  - sha256: abcx\n",
			  "t.yaml:3:13: sha256 must be 64 hex digits or null; 'x' is not a hex digit");
}

static void
test_bad_size(void **state)
{
	(void)state;
	expect_load_error("version: 1\nbootloaders:\n  - size: -1\n",
			  "t.yaml:3:11: expected a whole number >= 0 (decimal, or hex as 0x..), "
			  "found '-1'");
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

/* ---- validation ---------------------------------------------------------- */

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

/* ---- merging ------------------------------------------------------------- */

static const char OVERRIDE[] =
	"version: 1\n"
	"bootloaders:\n"
	"  - id: caterina-promicro16\n"
	"    family: caterina\n"
	"    name: SparkFun Pro Micro (patched)\n"
	"    part: atmega32u4\n"
	"    usb_id: \"1B4F:9205\"\n"
	"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n"
	"    url: https://example.org/mine.hex\n"
	"  - id: my-board\n"
	"    family: caterina\n"
	"    name: My board\n"
	"    part: atmega32u4\n"
	"    usb_id: \"1209:0001\"\n"
	"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n";

static void
test_override_replaces_and_appends(void **state)
{
	struct catalog cat;
	struct iw_error err;
	const struct catalog_bootloader *bl;

	(void)state;
	catalog_init(&cat);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	assert_int_equal(load(&cat, "mine.yaml", OVERRIDE, &err), IW_OK);
	assert_int_equal(catalog_validate(&cat, &err), IW_OK);
	assert_int_equal(cat.n_bootloaders, 3);
	assert_int_equal(cat.n_files, 2);
	/* Replaced in place: the order of the list stays the installed one. */
	bl = &cat.bootloaders[0];
	assert_string_equal(bl->id, "caterina-promicro16");
	assert_string_equal(bl->name, "SparkFun Pro Micro (patched)");
	assert_string_equal(bl->url, "https://example.org/mine.hex");
	assert_null(bl->file);          /* the whole entry is replaced */
	assert_string_equal(bl->origin.file, "mine.yaml");
	assert_int_equal(bl->origin.line, 3);
	assert_string_equal(cat.bootloaders[1].id, "bootloadhid-atmega32a");
	assert_string_equal(cat.bootloaders[1].origin.file, "full.yaml");
	assert_string_equal(cat.bootloaders[2].id, "my-board");
	assert_int_equal(cat.bootloaders[2].usb_id.vid, 0x1209);
	assert_int_equal(cat.n_parts, 2);
	catalog_free(&cat);
}

static void
test_failed_load_leaves_catalog_unchanged(void **state)
{
	struct catalog cat;
	struct iw_error err;
	/* A good override of one entry, then a bad entry further down. */
	static const char bad[] =
		"version: 1\n"
		"bootloaders:\n"
		"  - id: caterina-promicro16\n"
		"    family: caterina\n"
		"    name: Changed\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1B4F:9205\"\n"
		"    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ]\n"
		"  - id: new-board\n"
		"    family: caterina\n"
		"    name: New\n"
		"    part: atmega32u4\n"
		"    usb_id: \"1209:000G\"\n";

	(void)state;
	catalog_init(&cat);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	assert_int_equal(load(&cat, "bad.yaml", bad, &err), IW_CATALOG);
	assert_string_equal(err.msg, "bad.yaml:13:13: expected a USB ID as VVVV:PPPP (4 hex "
			    "digits each, e.g. 03EB:2FF4), found '1209:000G'");
	assert_int_equal(cat.n_bootloaders, 2);
	assert_int_equal(cat.n_files, 1);
	assert_string_equal(catalog_find_bootloader(&cat, "caterina-promicro16")->name,
			    "SparkFun Pro Micro (5V/16MHz)");
	assert_null(catalog_find_bootloader(&cat, "new-board"));
	assert_int_equal(catalog_validate(&cat, &err), IW_OK);
	catalog_free(&cat);
}

/* ---- the standard load --------------------------------------------------- */

struct tmpdirs {
	char root[64];
	char data[96], config[96], user[128];
};

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
make_dirs(struct tmpdirs *t)
{
	snprintf(t->root, sizeof t->root, "/tmp/test-catalog.XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->data, sizeof t->data, "%s/data", t->root);
	snprintf(t->config, sizeof t->config, "%s/config", t->root);
	snprintf(t->user, sizeof t->user, "%s/ispwiz", t->config);
	assert_int_equal(mkdir(t->data, 0700), 0);
	assert_int_equal(mkdir(t->config, 0700), 0);
	setenv("ISPWIZ_DATADIR", t->data, 1);
	setenv("XDG_CONFIG_HOME", t->config, 1);
}

static void
remove_dirs(struct tmpdirs *t)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->root);
	assert_int_equal(system(cmd), 0);
	unsetenv("ISPWIZ_DATADIR");
	unsetenv("XDG_CONFIG_HOME");
}

static void
test_load_default_with_user_override(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char path[256];

	(void)state;
	make_dirs(&t);
	write_file(t.data, "catalog.yaml", FULL);
	assert_int_equal(mkdir(t.user, 0700), 0);
	write_file(t.user, "50-mine.yaml", OVERRIDE);
	/* Later in name order: overrides 50-mine.yaml's new board again. */
	write_file(t.user, "90-last.yml",
		   "version: 1\nbootloaders:\n"
		   "  - { id: my-board, family: caterina, name: Last word, part: atmega32u4,\n"
		   "      usb_id: \"1209:0002\",\n"
		   "      presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ] }\n");
	/* Not catalog files: ignored. */
	write_file(t.user, "notes.txt", "not yaml: [");
	write_file(t.user, ".#50-mine.yaml", "not yaml: [");

	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_OK);
	assert_int_equal(cat.n_files, 3);
	snprintf(path, sizeof path, "%s/catalog.yaml", t.data);
	assert_string_equal(cat.files[0], path);
	snprintf(path, sizeof path, "%s/90-last.yml", t.user);
	assert_string_equal(cat.files[2], path);
	assert_int_equal(cat.n_bootloaders, 3);
	assert_string_equal(catalog_find_bootloader(&cat, "caterina-promicro16")->url,
			    "https://example.org/mine.hex");
	assert_string_equal(catalog_find_bootloader(&cat, "my-board")->name, "Last word");
	assert_int_equal(catalog_find_bootloader(&cat, "my-board")->usb_id.pid, 2);
	catalog_free(&cat);

	/* An explicit catalog replaces the installed one; user files still apply. */
	snprintf(path, sizeof path, "%s/other.yaml", t.root);
	write_file(t.root, "other.yaml", FULL);
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, path, &err), IW_OK);
	assert_string_equal(cat.files[0], path);
	assert_int_equal(cat.n_files, 3);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_default_bad_user_file(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char expect[512];

	(void)state;
	make_dirs(&t);
	write_file(t.data, "catalog.yaml", FULL);
	assert_int_equal(mkdir(t.user, 0700), 0);
	write_file(t.user, "mine.yaml", "version: 1\nbootloaders:\n  - { id: x, part: nope }\n");
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_CATALOG);
	snprintf(expect, sizeof expect, "%s/mine.yaml:3:5: this bootloader entry is missing "
		 "the required key 'family'", t.user);
	assert_string_equal(err.msg, expect);
	/* Nothing of the installed file was kept either. */
	assert_int_equal(cat.n_bootloaders, 0);
	assert_int_equal(cat.n_files, 0);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_default_validates_across_files(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char expect[512];

	(void)state;
	make_dirs(&t);
	write_file(t.data, "catalog.yaml", FULL);
	assert_int_equal(mkdir(t.user, 0700), 0);
	write_file(t.user, "mine.yaml",
		   "version: 1\nbootloaders:\n"
		   "  - { id: y, family: caterina, name: Y, part: atmega16u4, usb_id: \"1209:0003\",\n"
		   "      presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB } ] }\n");
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_CATALOG);
	snprintf(expect, sizeof expect, "%s/mine.yaml:3:5: bootloader 'y' is for part "
		 "'atmega16u4', which is not in the catalog (known parts: atmega32u4, "
		 "atmega32a)", t.user);
	assert_string_equal(err.msg, expect);
	assert_int_equal(cat.n_files, 0);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_default_missing_installed_file(void **state)
{
	struct tmpdirs t;
	struct catalog cat;
	struct iw_error err;
	char expect[512];

	(void)state;
	make_dirs(&t);
	catalog_init(&cat);
	assert_int_equal(catalog_load_default(&cat, NULL, &err), IW_CATALOG);
	snprintf(expect, sizeof expect, "%s/catalog.yaml: cannot open the catalog: No such "
		 "file or directory (is ispwiz installed? run `make install`, or name a "
		 "catalog with --catalog FILE or $ISPWIZ_DATADIR)", t.data);
	assert_string_equal(err.msg, expect);
	catalog_free(&cat);
	remove_dirs(&t);
}

static void
test_load_file_missing(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	assert_int_equal(catalog_load_file(&cat, "/nonexistent/x.yaml", &err), IW_CATALOG);
	assert_string_equal(err.msg, "/nonexistent/x.yaml: cannot open the catalog: No such "
			    "file or directory");
	catalog_free(&cat);
}

/* The shipped catalog loads and validates (its contents are checked in
 * test-catalog-seed.c). */
static void
test_shipped_catalog_loads(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	iw_error_clear(&err);
	if (catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK ||
	    catalog_validate(&cat, &err) != IW_OK)
		fail_msg("%s", err.msg);
	assert_true(cat.n_parts > 0);
	catalog_free(&cat);
}

/* Two entries answering to one avrdude name but with different drivers:
 * the look-up refuses to guess. */
static void
test_find_programmer_by_avrdude_name_ambiguous(void **state)
{
	static const char two[] =
		"version: 1\n"
		"programmers:\n"
		"  - id: isp-one\n"
		"    driver: usbasp\n"
		"    name: One\n"
		"    avrdude: stk500v1\n"
		"    transport: usb\n"
		"    usb_ids: [\"16C0:05DC\"]\n"
		"    wiring: [[\"RST\", \"RESET\"]]\n"
		"  - id: isp-two\n"
		"    driver: avrisp\n"
		"    name: Two\n"
		"    avrdude: stk500v1\n"
		"    transport: serial\n"
		"    baud: 19200\n"
		"    usb_ids: [\"2341:0043\"]\n"
		"    wiring: [[\"10\", \"RESET\"]]\n";
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	assert_int_equal(catalog_load_buffer(&cat, "two.yaml", two, sizeof two - 1, &err), IW_OK);
	assert_null(catalog_find_programmer(&cat, "stk500v1"));
	assert_string_equal(catalog_find_programmer(&cat, "avrisp")->id, "isp-two");
	assert_string_equal(catalog_find_programmer(&cat, "ISP-ONE")->id, "isp-one");
	catalog_free(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_catalog_loads),
		cmocka_unit_test(test_find_part_by_avrdude_id_and_name),
		cmocka_unit_test(test_names),
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
		cmocka_unit_test(test_override_replaces_and_appends),
		cmocka_unit_test(test_failed_load_leaves_catalog_unchanged),
		cmocka_unit_test(test_load_default_with_user_override),
		cmocka_unit_test(test_load_default_bad_user_file),
		cmocka_unit_test(test_load_default_validates_across_files),
		cmocka_unit_test(test_load_default_missing_installed_file),
		cmocka_unit_test(test_load_file_missing),
		cmocka_unit_test(test_shipped_catalog_loads),
		cmocka_unit_test(test_find_programmer_by_avrdude_name_ambiguous),
	};

	/* The standard load reads these; start from a known state. */
	unsetenv("ISPWIZ_DATADIR");
	unsetenv("XDG_CONFIG_HOME");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
