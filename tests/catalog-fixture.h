/*
 * catalog-fixture.h - what the catalog loader tests (test-catalog-*.c)
 * share: two parts and a complete small catalog as inline YAML, and the
 * helpers that load a text and check the exact error it gives.
 *
 * The line numbers in the tests' expected messages count lines of these
 * texts, so they live in one place and change in one place.
 *
 * Header-only (static data, static inline helpers) so each test program
 * links no extra object and need not use every helper.
 */
#ifndef ISPWIZ_TESTS_CATALOG_FIXTURE_H
#define ISPWIZ_TESTS_CATALOG_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"

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
	"    page: https://example.org/promicro\n"
	"    window_ms: 750\n"
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
	"    identities: [{ image: { start: 0x7000, length: 2048, sha256:\n"
	"      0123456789ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef } }]\n" /* 45 */
	"parts:\n"
	PART_32U4
	PART_32A;

static inline enum iw_status
load(struct catalog *cat, const char *name, const char *yaml, struct iw_error *err)
{
	return catalog_load_buffer(cat, name, yaml, strlen(yaml), err);
}

/* Load `yaml` as t.yaml into an empty catalog; it must fail with exactly
 * `msg` and leave the catalog empty. */
static inline void
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

/* BASE followed by `tail` (a bootloaders: section, starting on line 52). */
static inline char *
base_plus(const char *tail)
{
	size_t n = strlen(BASE) + strlen(tail) + 1;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s%s", BASE, tail);
	return s;
}

#endif
