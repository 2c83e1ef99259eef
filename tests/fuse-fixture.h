/*
 * fuse-fixture.h - three catalog parts built in C for the fuse unit tests,
 * so that they test the decoding and the rules alone, not the catalog
 * loader or the data file.  Bit layouts follow the datasheets: an
 * ATmega32U4 (three fuse bytes, HWBE, JTAGEN), an ATmega328P (RSTDISBL and
 * DWEN, efuse bits 7:3 unused) and an ATmega32A (no efuse).
 *
 * Header-only (static inline accessors) so each test program can include
 * it without another object file.
 */
#ifndef ISPWIZ_TESTS_FUSE_FIXTURE_H
#define ISPWIZ_TESTS_FUSE_FIXTURE_H

#include "core/catalog.h"

#define FX_FIELD(n, m, s, d) { .name = (n), .mask = (m), .safety = (s), .description = (d) }
#define FX_VALUES(arr) .values = (arr), .n_values = sizeof(arr) / sizeof((arr)[0])
#define FX_BYTE(f, u, fields_) { .present = true, .factory = (f), .unused_mask = (u), \
		.fields = (fields_), .n_fields = sizeof(fields_) / sizeof((fields_)[0]) }

/* Boot tables of the 32 KiB parts (words): BOOTSZ 3..0 = 256..2048.
 * Listed in the data file's order (3 first) to prove lookups go by value. */
#define FX_BOOT_32K { \
	{ .bootsz = 3, .size_words = 256, .start_word = 0x3F00 }, \
	{ .bootsz = 2, .size_words = 512, .start_word = 0x3E00 }, \
	{ .bootsz = 1, .size_words = 1024, .start_word = 0x3C00 }, \
	{ .bootsz = 0, .size_words = 2048, .start_word = 0x3800 }, \
}

static struct fuse_value_meaning fx_cksel_values[] = {
	{ 0x0, "external clock" },
	{ 0x2, "calibrated internal RC oscillator 8 MHz" },
	{ 0xE, "low-power crystal 8-16 MHz, slowly rising power" },
	{ 0xF, "low-power crystal 8-16 MHz, fast rising power" },
};

static struct fuse_value_meaning fx_sut_values[] = {
	{ 0x1, "start-up 16K CK + 4.1 ms" },
	{ 0x3, "start-up 16K CK + 65 ms" },
};

static struct fuse_value_meaning fx_bodlevel_values[] = {
	{ 0x3, "brown-out at 2.6 V" },
	{ 0x7, "brown-out detection off" },
};

static inline const struct catalog_part *
fixture_atmega32u4(void)
{
	static struct fuse_field low[] = {
		FX_FIELD("CKDIV8", 0x80, FUSE_SAFETY_CONFIRM_CHANGE, "Divide clock by 8"),
		FX_FIELD("CKOUT", 0x40, FUSE_SAFETY_NONE, "Clock output on PC7"),
		{ .name = "SUT", .mask = 0x30, .safety = FUSE_SAFETY_CONFIRM_CHANGE,
		  .description = "Start-up time", FX_VALUES(fx_sut_values) },
		{ .name = "CKSEL", .mask = 0x0F, .safety = FUSE_SAFETY_CONFIRM_CHANGE,
		  .description = "Clock source", FX_VALUES(fx_cksel_values) },
	};
	static struct fuse_field high[] = {
		FX_FIELD("OCDEN", 0x80, FUSE_SAFETY_NONE, "On-chip debug enabled"),
		FX_FIELD("JTAGEN", 0x40, FUSE_SAFETY_CONFIRM_PROGRAMMED, "JTAG interface enabled"),
		FX_FIELD("SPIEN", 0x20, FUSE_SAFETY_REFUSE_UNPROGRAMMED, "Serial programming (ISP) enabled"),
		FX_FIELD("WDTON", 0x10, FUSE_SAFETY_NONE, "Watchdog always on"),
		FX_FIELD("EESAVE", 0x08, FUSE_SAFETY_NONE, "Keep EEPROM through chip erase"),
		FX_FIELD("BOOTSZ", 0x06, FUSE_SAFETY_CONFIRM_CHANGE, "Boot section size"),
		FX_FIELD("BOOTRST", 0x01, FUSE_SAFETY_CONFIRM_CHANGE, "Reset vector"),
	};
	static struct fuse_field ext[] = {
		FX_FIELD("HWBE", 0x08, FUSE_SAFETY_NONE, "Hardware boot enable (HWB pin)"),
		{ .name = "BODLEVEL", .mask = 0x07, .safety = FUSE_SAFETY_NONE,
		  .description = "Brown-out level", FX_VALUES(fx_bodlevel_values) },
	};
	static struct catalog_part part = {
		.id = "atmega32u4", .name = "ATmega32U4", .avrdude_id = "m32u4",
		.signature = { 0x1E, 0x95, 0x87 },
		.flash_size = 32768, .page_size = 128, .eeprom_size = 1024,
		.fuses = {
			[FUSE_LOW] = FX_BYTE(0x5E, 0x00, low),
			[FUSE_HIGH] = FX_BYTE(0x99, 0x00, high),
			[FUSE_EXT] = FX_BYTE(0xF3, 0xF0, ext),
		},
		.lock_mask = 0x3F,
		.boot = FX_BOOT_32K,
		.origin = { "fixture", 1, 1 },
	};

	return &part;
}

static inline const struct catalog_part *
fixture_atmega328p(void)
{
	static struct fuse_field low[] = {
		FX_FIELD("CKDIV8", 0x80, FUSE_SAFETY_CONFIRM_CHANGE, "Divide clock by 8"),
		FX_FIELD("CKOUT", 0x40, FUSE_SAFETY_NONE, "Clock output on PB0"),
		FX_FIELD("SUT", 0x30, FUSE_SAFETY_CONFIRM_CHANGE, "Start-up time"),
		{ .name = "CKSEL", .mask = 0x0F, .safety = FUSE_SAFETY_CONFIRM_CHANGE,
		  .description = "Clock source", FX_VALUES(fx_cksel_values) },
	};
	static struct fuse_field high[] = {
		FX_FIELD("RSTDISBL", 0x80, FUSE_SAFETY_REFUSE_PROGRAMMED, "RESET pin disabled"),
		FX_FIELD("DWEN", 0x40, FUSE_SAFETY_REFUSE_PROGRAMMED, "debugWIRE enabled"),
		FX_FIELD("SPIEN", 0x20, FUSE_SAFETY_REFUSE_UNPROGRAMMED, "Serial programming (ISP) enabled"),
		FX_FIELD("WDTON", 0x10, FUSE_SAFETY_NONE, "Watchdog always on"),
		FX_FIELD("EESAVE", 0x08, FUSE_SAFETY_NONE, "Keep EEPROM through chip erase"),
		FX_FIELD("BOOTSZ", 0x06, FUSE_SAFETY_CONFIRM_CHANGE, "Boot section size"),
		FX_FIELD("BOOTRST", 0x01, FUSE_SAFETY_CONFIRM_CHANGE, "Reset vector"),
	};
	static struct fuse_field ext[] = {
		{ .name = "BODLEVEL", .mask = 0x07, .safety = FUSE_SAFETY_NONE,
		  .description = "Brown-out level", FX_VALUES(fx_bodlevel_values) },
	};
	static struct catalog_part part = {
		.id = "atmega328p", .name = "ATmega328P", .avrdude_id = "m328p",
		.signature = { 0x1E, 0x95, 0x0F },
		.flash_size = 32768, .page_size = 128, .eeprom_size = 1024,
		.fuses = {
			[FUSE_LOW] = FX_BYTE(0x62, 0x00, low),
			[FUSE_HIGH] = FX_BYTE(0xD9, 0x00, high),
			[FUSE_EXT] = FX_BYTE(0xFF, 0xF8, ext),
		},
		.lock_mask = 0x3F,
		.boot = FX_BOOT_32K,
		.origin = { "fixture", 2, 1 },
	};

	return &part;
}

static inline const struct catalog_part *
fixture_atmega32a(void)
{
	static struct fuse_field low[] = {
		FX_FIELD("BODLEVEL", 0x80, FUSE_SAFETY_NONE, "Brown-out level 2.7 V (1) or 4.0 V (0)"),
		FX_FIELD("BODEN", 0x40, FUSE_SAFETY_NONE, "Brown-out detection enabled"),
		FX_FIELD("SUT", 0x30, FUSE_SAFETY_CONFIRM_CHANGE, "Start-up time"),
		FX_FIELD("CKSEL", 0x0F, FUSE_SAFETY_CONFIRM_CHANGE, "Clock source"),
	};
	static struct fuse_field high[] = {
		FX_FIELD("OCDEN", 0x80, FUSE_SAFETY_NONE, "On-chip debug enabled"),
		FX_FIELD("JTAGEN", 0x40, FUSE_SAFETY_CONFIRM_PROGRAMMED, "JTAG interface enabled"),
		FX_FIELD("SPIEN", 0x20, FUSE_SAFETY_REFUSE_UNPROGRAMMED, "Serial programming (ISP) enabled"),
		FX_FIELD("CKOPT", 0x10, FUSE_SAFETY_CONFIRM_CHANGE, "Oscillator options"),
		FX_FIELD("EESAVE", 0x08, FUSE_SAFETY_NONE, "Keep EEPROM through chip erase"),
		FX_FIELD("BOOTSZ", 0x06, FUSE_SAFETY_CONFIRM_CHANGE, "Boot section size"),
		FX_FIELD("BOOTRST", 0x01, FUSE_SAFETY_CONFIRM_CHANGE, "Reset vector"),
	};
	static struct catalog_part part = {
		.id = "atmega32a", .name = "ATmega32A", .avrdude_id = "m32a",
		.signature = { 0x1E, 0x95, 0x02 },
		.flash_size = 32768, .page_size = 128, .eeprom_size = 1024,
		.fuses = {
			[FUSE_LOW] = FX_BYTE(0xE1, 0x00, low),
			[FUSE_HIGH] = FX_BYTE(0x99, 0x00, high),
			[FUSE_EXT] = { .present = false },
		},
		.lock_mask = 0x3F,
		.boot = FX_BOOT_32K,
		.origin = { "fixture", 3, 1 },
	};

	return &part;
}

#endif
