/*
 * test-catalog-seed.c - the shipped catalog holds every seed row with its
 * exact values: the 16 bootloader rows of QMK's ISP flashing guide (plus the
 * AT90USB647/1287 twins), each programmer's USB IDs and wiring rows exactly
 * as the guide prints them, and the datasheet facts of every part.
 *
 * The expected values are written out here independently of the YAML, so a
 * typo in either place fails a test.  One cmocka test is generated per table
 * row (named after the entry) so a failure names the entry that is wrong.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/error.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."  /* the build passes the real one */
#endif

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define NONE (-1)       /* fuse byte absent (ATmega32A has no efuse) */

static struct catalog seed;     /* loaded once by the group setup */

/* ---- expected rows ------------------------------------------------------- */

struct preset_row {
	const char *name;
	int lfuse, hfuse, efuse;        /* NONE when the byte is absent */
};

struct bootloader_row {
	const char *id, *family, *name, *part;
	uint16_t vid, pid;
	struct preset_row presets[2];   /* name NULL ends the list */
	const char *file;               /* NULL: no upstream file, build it */
	const char *url;
	bool combined_sketch;
	const char *note;               /* a phrase some note must contain, or NULL */
};

#define QMK_UTIL "https://github.com/qmk/qmk_firmware/blob/master/util/"
#define SPARKFUN "https://github.com/sparkfun/Arduino_Boards/blob/master/sparkfun/avr/bootloaders/caterina/"
#define ADAFRUIT "https://github.com/adafruit/Caterina-Bootloader/blob/master/"
#define ARDUINO "https://github.com/arduino/ArduinoCore-avr/blob/master/bootloaders/caterina/"
#define DFU(h, hj) { { "default", 0x5E, (h), 0xF3 }, { "jtag-disabled", 0x5E, (hj), 0xF3 } }
#define ONE(l, h, e) { { "default", (l), (h), (e) }, { NULL, 0, 0, 0 } }

static const struct bootloader_row bootloader_rows[] = {
	/* Atmel DFU: both high fuses the guide gives ("0x99 / 0xD9 (JTAG disabled)") */
	{ "atmel-dfu-atmega16u4", "atmel-dfu", "ATmega16U4", "atmega16u4", 0x03EB, 0x2FF3,
	  DFU(0x99, 0xD9), "bootloader_atmega16u4_1.0.1.hex",
	  QMK_UTIL "bootloader_atmega16u4_1.0.1.hex", false, "HWB" },
	{ "atmel-dfu-atmega32u4", "atmel-dfu", "ATmega32U4", "atmega32u4", 0x03EB, 0x2FF4,
	  DFU(0x99, 0xD9), "bootloader_atmega32u4_1_0_0.hex",
	  QMK_UTIL "bootloader_atmega32u4_1_0_0.hex", false, "HWB" },
	{ "atmel-dfu-at90usb646", "atmel-dfu", "AT90USB64", "at90usb646", 0x03EB, 0x2FF9,
	  DFU(0x9B, 0xDB), "bootloader_at90usb64_1.0.0.hex",
	  QMK_UTIL "bootloader_at90usb64_1.0.0.hex", false, "Windows 8" },
	{ "atmel-dfu-at90usb647", "atmel-dfu", "AT90USB64 (AT90USB647)", "at90usb647",
	  0x03EB, 0x2FF9, DFU(0x9B, 0xDB), "bootloader_at90usb64_1.0.0.hex",
	  QMK_UTIL "bootloader_at90usb64_1.0.0.hex", false, "646" },
	{ "atmel-dfu-at90usb1286", "atmel-dfu", "AT90USB128", "at90usb1286", 0x03EB, 0x2FFB,
	  DFU(0x99, 0xD9), "bootloader_at90usb128_1.0.1.hex",
	  QMK_UTIL "bootloader_at90usb128_1.0.1.hex", false, "Windows 8" },
	{ "atmel-dfu-at90usb1287", "atmel-dfu", "AT90USB128 (AT90USB1287)", "at90usb1287",
	  0x03EB, 0x2FFB, DFU(0x99, 0xD9), "bootloader_at90usb128_1.0.1.hex",
	  QMK_UTIL "bootloader_at90usb128_1.0.1.hex", false, "1286" },
	/* Caterina; '*' rows carry a combined sketch */
	{ "caterina-promicro8", "caterina", "SparkFun Pro Micro (3V3/8MHz)", "atmega32u4",
	  0x1B4F, 0x9203, ONE(0xFF, 0xD8, 0xFE), "Caterina-promicro8.hex",
	  SPARKFUN "Caterina-promicro8.hex", false, "twice quickly" },
	{ "caterina-promicro16", "caterina", "SparkFun Pro Micro (5V/16MHz)", "atmega32u4",
	  0x1B4F, 0x9205, ONE(0xFF, 0xD8, 0xFB), "Caterina-promicro16.hex",
	  SPARKFUN "Caterina-promicro16.hex", false, "twice quickly" },
	{ "caterina-lilypadusb", "caterina", "SparkFun LilyPadUSB (and some Pro Micro clones)",
	  "atmega32u4", 0x1B4F, 0x9207, ONE(0xFF, 0xD8, 0xFE), "Caterina-lilypadusb.hex",
	  /* the guide links this one on the "main" branch */
	  "https://github.com/sparkfun/Arduino_Boards/blob/main/sparkfun/avr/bootloaders/caterina/Caterina-lilypadusb.hex",
	  false, "twice quickly" },
	{ "caterina-a-star-32u4", "caterina", "Pololu A-Star 32U4", "atmega32u4",
	  0x1FFB, 0x0101, ONE(0xFF, 0xD0, 0xF8), "Caterina-A-Star.hex",
	  "https://github.com/pololu/a-star/blob/master/bootloaders/caterina/Caterina-A-Star.hex",
	  true, "sketch" },
	{ "caterina-feather32u4", "caterina", "Adafruit Feather 32U4", "atmega32u4",
	  0x239A, 0x000C, ONE(0xFF, 0xD8, 0xFB), "Caterina-Feather32u4.hex",
	  ADAFRUIT "Built%20Firmwares/Caterina-Feather32u4.hex", false, NULL },
	{ "caterina-itsybitsy32u4-3v3", "caterina", "Adafruit ItsyBitsy 32U4 (3V3/8MHz)",
	  "atmega32u4", 0x239A, 0x000D, ONE(0xFF, 0xD8, 0xFB), "Caterina_itsybitsy3V.hex",
	  ADAFRUIT "Caterina_itsybitsy3V.hex", true, "sketch" },
	{ "caterina-itsybitsy32u4-5v", "caterina", "Adafruit ItsyBitsy 32U4 (5V/16MHz)",
	  "atmega32u4", 0x239A, 0x000E, ONE(0xFF, 0xD8, 0xFB), "Caterina_itsybitsy5V.hex",
	  ADAFRUIT "Caterina_itsybitsy5V.hex", false, NULL },
	{ "caterina-leonardo", "caterina", "Arduino Leonardo", "atmega32u4", 0x2341, 0x0036,
	  ONE(0xFF, 0xD8, 0xFB), "Caterina-Leonardo.hex", ARDUINO "Caterina-Leonardo.hex",
	  true, "sketch" },
	{ "caterina-micro", "caterina", "Arduino Micro", "atmega32u4", 0x2341, 0x0037,
	  ONE(0xFF, 0xD8, 0xFB), "Caterina-Micro.hex", ARDUINO "Caterina-Micro.hex",
	  true, "sketch" },
	/* BootloadHID and USBaspLoader: the ATmega32A has no extended fuse */
	{ "bootloadhid-atmega32a", "bootloadhid", "ATmega32A (PS2AVRGB)", "atmega32a",
	  0x16C0, 0x05DF, ONE(0x0F, 0xD0, NONE), "bootloader_ps2avrgb_bootloadhid_1.0.1.hex",
	  QMK_UTIL "bootloader_ps2avrgb_bootloadhid_1.0.1.hex", false, "PS2AVRGB" },
	{ "usbasploader-atmega32a", "usbasploader", "ATmega32A", "atmega32a", 0x16C0, 0x05DC,
	  ONE(0x1F, 0xC0, NONE), NULL,
	  "https://github.com/coseyfannitutti/USBaspLoader/tree/atmega32a", false, "main.hex" },
	{ "usbasploader-atmega328p", "usbasploader", "ATmega328P", "atmega328p", 0x16C0, 0x05DC,
	  ONE(0xD7, 0xD0, 0x04), NULL,
	  "https://github.com/coseyfannitutti/USBaspLoader/tree/atmega328p", false, "0xFC" },
};

struct programmer_row {
	const char *id, *driver, *avrdude;
	enum catalog_transport transport;
	unsigned baud;
	const char *usb_ids[3];         /* NULL ends the list */
	const char *wiring[6][2];       /* programmer pin, target pin */
	uint32_t max_flash;
	const char *fw_file, *fw_loader, *fw_url;       /* NULL: no ISP firmware */
	const char *warning;            /* a phrase some warning must contain */
};

#define ISP_HEADER { { "VCC", "VCC" }, { "GND", "GND" }, { "RST", "RESET" }, \
		     { "SCLK", "SCLK" }, { "MOSI", "MOSI" }, { "MISO", "MISO" } }

static const struct programmer_row programmer_rows[] = {
	{ "avrisp-promicro", "avrisp", "avrisp", CATALOG_TRANSPORT_SERIAL, 19200,
	  { "16C0:0483" },
	  { { "VCC", "VCC" }, { "GND", "GND" }, { "10 (B6)", "RESET" },
	    { "15 (B1)", "SCLK" }, { "16 (B2)", "MOSI" }, { "14 (B3)", "MISO" } },
	  0, "pro_micro_ISP_B6_10.hex", "caterina", QMK_UTIL "pro_micro_ISP_B6_10.hex",
	  "own RST pin" },
	{ "avrisp-teensy", "avrisp", "avrisp", CATALOG_TRANSPORT_SERIAL, 19200,
	  { "16C0:0483" },
	  { { "VCC", "VCC" }, { "GND", "GND" }, { "B0", "RESET" },
	    { "B1", "SCLK" }, { "B2", "MOSI" }, { "B3", "MISO" } },
	  0, "teensy_2.0_ISP_B0.hex", "halfkay", QMK_UTIL "teensy_2.0_ISP_B0.hex",
	  "own RESET" },
	/* The guide's "Arduino Uno / Micro as ISP" table (avrdude stk500v1). */
	{ "avrisp-uno", "avrisp", "stk500v1", CATALOG_TRANSPORT_SERIAL, 19200,
	  { "2341:0043" },
	  { { "5V", "VCC" }, { "GND", "GND" }, { "10 (B2)", "RESET" },
	    { "13 (B5)", "SCLK" }, { "11 (B3)", "MOSI" }, { "12 (B4)", "MISO" } },
	  0, NULL, NULL, NULL, "own RESET pin" },
	/* No max_flash: the driver reaches the upper 64 KiB of an AT90USB128x
	 * the slow way; the warning says so. */
	{ "usbtiny", "usbtiny", "usbtiny", CATALOG_TRANSPORT_USB, 0,
	  { "1781:0C9F", "2341:0049", "2A03:0049" }, ISP_HEADER,
	  0, NULL, NULL, NULL, "one byte per USB transfer" },
	{ "usbasp", "usbasp", "usbasp", CATALOG_TRANSPORT_USB, 0,
	  { "16C0:05DC", "03EB:C7B4" }, ISP_HEADER, 0, NULL, NULL, NULL, "jumper" },
	{ "buspirate", "buspirate", "buspirate", CATALOG_TRANSPORT_SERIAL, 115200,
	  { "0403:6001", "04D8:FB00" },
	  { { "+5V", "VCC" }, { "GND", "GND" }, { "RST", "RESET" },
	    { "CLK", "SCLK" }, { "MOSI", "MOSI" }, { "MISO", "MISO" } },
	  0, NULL, NULL, NULL, "5-pin ICSP" },
	{ "sim", "sim", "dryrun", CATALOG_TRANSPORT_SIM, 0, { NULL }, ISP_HEADER,
	  0, NULL, NULL, NULL, "Simulation" },
};

struct field_row {
	enum fuse_byte byte;
	const char *name;
	uint8_t mask;
	enum fuse_safety safety;
};

#define C_CHANGE FUSE_SAFETY_CONFIRM_CHANGE
#define C_PROG FUSE_SAFETY_CONFIRM_PROGRAMMED
#define R_PROG FUSE_SAFETY_REFUSE_PROGRAMMED
#define R_UNPROG FUSE_SAFETY_REFUSE_UNPROGRAMMED
#define NO_RISK FUSE_SAFETY_NONE

static const struct field_row u4_fields[] = {   /* also AT90USB64x/128x */
	{ FUSE_LOW, "CKDIV8", 0x80, C_CHANGE }, { FUSE_LOW, "CKOUT", 0x40, NO_RISK },
	{ FUSE_LOW, "SUT", 0x30, C_CHANGE }, { FUSE_LOW, "CKSEL", 0x0F, C_CHANGE },
	{ FUSE_HIGH, "OCDEN", 0x80, NO_RISK }, { FUSE_HIGH, "JTAGEN", 0x40, C_PROG },
	{ FUSE_HIGH, "SPIEN", 0x20, R_UNPROG }, { FUSE_HIGH, "WDTON", 0x10, NO_RISK },
	{ FUSE_HIGH, "EESAVE", 0x08, NO_RISK }, { FUSE_HIGH, "BOOTSZ", 0x06, C_CHANGE },
	{ FUSE_HIGH, "BOOTRST", 0x01, C_CHANGE },
	{ FUSE_EXT, "HWBE", 0x08, NO_RISK }, { FUSE_EXT, "BODLEVEL", 0x07, NO_RISK },
};

static const struct field_row m328p_fields[] = {
	{ FUSE_LOW, "CKDIV8", 0x80, C_CHANGE }, { FUSE_LOW, "CKOUT", 0x40, NO_RISK },
	{ FUSE_LOW, "SUT", 0x30, C_CHANGE }, { FUSE_LOW, "CKSEL", 0x0F, C_CHANGE },
	{ FUSE_HIGH, "RSTDISBL", 0x80, R_PROG }, { FUSE_HIGH, "DWEN", 0x40, R_PROG },
	{ FUSE_HIGH, "SPIEN", 0x20, R_UNPROG }, { FUSE_HIGH, "WDTON", 0x10, NO_RISK },
	{ FUSE_HIGH, "EESAVE", 0x08, NO_RISK }, { FUSE_HIGH, "BOOTSZ", 0x06, C_CHANGE },
	{ FUSE_HIGH, "BOOTRST", 0x01, C_CHANGE },
	{ FUSE_EXT, "BODLEVEL", 0x07, NO_RISK },
};

static const struct field_row m32a_fields[] = {
	{ FUSE_LOW, "BODLEVEL", 0x80, NO_RISK }, { FUSE_LOW, "BODEN", 0x40, NO_RISK },
	{ FUSE_LOW, "SUT", 0x30, C_CHANGE }, { FUSE_LOW, "CKSEL", 0x0F, C_CHANGE },
	{ FUSE_HIGH, "OCDEN", 0x80, NO_RISK }, { FUSE_HIGH, "JTAGEN", 0x40, C_PROG },
	{ FUSE_HIGH, "SPIEN", 0x20, R_UNPROG }, { FUSE_HIGH, "CKOPT", 0x10, C_CHANGE },
	{ FUSE_HIGH, "EESAVE", 0x08, NO_RISK }, { FUSE_HIGH, "BOOTSZ", 0x06, C_CHANGE },
	{ FUSE_HIGH, "BOOTRST", 0x01, C_CHANGE },
};

struct part_row {
	const char *id, *name, *avrdude;
	uint8_t signature[3];
	uint32_t flash, page, eeprom;
	uint32_t boot_words[4], boot_start[4];  /* indexed by BOOTSZ */
	int factory[FUSE_COUNT];                /* NONE: byte absent */
	uint8_t unused[FUSE_COUNT];
	const struct field_row *fields;
	size_t n_fields;
};

#define BOOT_SMALL { 2048, 1024, 512, 256 }
#define BOOT_LARGE { 4096, 2048, 1024, 512 }
#define U4_FIELDS u4_fields, N_ELEMS(u4_fields)

static const struct part_row part_rows[] = {
	{ "atmega16u4", "ATmega16U4", "m16u4", { 0x1E, 0x94, 0x88 }, 16384, 128, 512,
	  BOOT_SMALL, { 0x1800, 0x1C00, 0x1E00, 0x1F00 },
	  { 0x5E, 0x99, 0xF3 }, { 0x00, 0x00, 0xF0 }, U4_FIELDS },
	{ "atmega32u4", "ATmega32U4", "m32u4", { 0x1E, 0x95, 0x87 }, 32768, 128, 1024,
	  BOOT_SMALL, { 0x3800, 0x3C00, 0x3E00, 0x3F00 },
	  { 0x5E, 0x99, 0xF3 }, { 0x00, 0x00, 0xF0 }, U4_FIELDS },
	{ "at90usb646", "AT90USB646", "usb646", { 0x1E, 0x96, 0x82 }, 65536, 256, 2048,
	  BOOT_LARGE, { 0x7000, 0x7800, 0x7C00, 0x7E00 },
	  { 0x5E, 0x9B, 0xF3 }, { 0x00, 0x00, 0xF0 }, U4_FIELDS },
	{ "at90usb647", "AT90USB647", "usb647", { 0x1E, 0x96, 0x82 }, 65536, 256, 2048,
	  BOOT_LARGE, { 0x7000, 0x7800, 0x7C00, 0x7E00 },
	  { 0x5E, 0x9B, 0xF3 }, { 0x00, 0x00, 0xF0 }, U4_FIELDS },
	{ "at90usb1286", "AT90USB1286", "usb1286", { 0x1E, 0x97, 0x82 }, 131072, 256, 4096,
	  BOOT_LARGE, { 0xF000, 0xF800, 0xFC00, 0xFE00 },
	  { 0x5E, 0x99, 0xF3 }, { 0x00, 0x00, 0xF0 }, U4_FIELDS },
	{ "at90usb1287", "AT90USB1287", "usb1287", { 0x1E, 0x97, 0x82 }, 131072, 256, 4096,
	  BOOT_LARGE, { 0xF000, 0xF800, 0xFC00, 0xFE00 },
	  { 0x5E, 0x99, 0xF3 }, { 0x00, 0x00, 0xF0 }, U4_FIELDS },
	{ "atmega32a", "ATmega32A", "m32a", { 0x1E, 0x95, 0x02 }, 32768, 128, 1024,
	  BOOT_SMALL, { 0x3800, 0x3C00, 0x3E00, 0x3F00 },
	  { 0xE1, 0x99, NONE }, { 0x00, 0x00, 0x00 }, m32a_fields, N_ELEMS(m32a_fields) },
	{ "atmega328p", "ATmega328P", "m328p", { 0x1E, 0x95, 0x0F }, 32768, 128, 1024,
	  BOOT_SMALL, { 0x3800, 0x3C00, 0x3E00, 0x3F00 },
	  { 0x62, 0xD9, 0xFF }, { 0x00, 0x00, 0xF8 }, m328p_fields, N_ELEMS(m328p_fields) },
};

/* Spot checks of value meanings the wizard shows (datasheet facts). */
struct meaning_row {
	const char *part, *field;
	enum fuse_byte byte;
	uint8_t value;
	const char *phrase;
};

static const struct meaning_row meaning_rows[] = {
	{ "atmega32u4", "CKSEL", FUSE_LOW, 0xE, "8.0-16 MHz" },
	{ "atmega32u4", "CKSEL", FUSE_LOW, 0x2, "internal RC" },
	{ "atmega32u4", "BODLEVEL", FUSE_EXT, 0x3, "2.6 V" },
	{ "atmega32u4", "BODLEVEL", FUSE_EXT, 0x7, "disabled" },
	{ "atmega16u4", "BODLEVEL", FUSE_EXT, 0x6, "2.0 V" },
	{ "at90usb1286", "BODLEVEL", FUSE_EXT, 0x6, "Reserved" },
	{ "at90usb646", "BODLEVEL", FUSE_EXT, 0x0, "4.3 V" },
	{ "atmega328p", "BODLEVEL", FUSE_EXT, 0x4, "4.3 V" },
	{ "atmega328p", "CKSEL", FUSE_LOW, 0x3, "128 kHz" },
	{ "atmega328p", "CKSEL", FUSE_LOW, 0x7, "Full-swing" },
	{ "atmega32a", "BODLEVEL", FUSE_LOW, 0x1, "2.7 V" },
	{ "atmega32a", "BODLEVEL", FUSE_LOW, 0x0, "4.0 V" },
	{ "atmega32a", "CKSEL", FUSE_LOW, 0x1, "1 MHz" },
	{ "atmega32a", "CKSEL", FUSE_LOW, 0x9, "32.768 kHz" },
	{ "atmega32u4", "BOOTSZ", FUSE_HIGH, 0x0, "2048 words (4 KiB) at byte 0x7000" },
	{ "at90usb1286", "BOOTSZ", FUSE_HIGH, 0x0, "4096 words (8 KiB) at byte 0x1E000" },
};

/* ---- helpers -------------------------------------------------------------- */

static const char *
usb_id_text(struct catalog_usb_id id, char buf[static 10])
{
	snprintf(buf, 10, "%04X:%04X", id.vid, id.pid);
	return buf;
}

static bool
any_contains(char *const *texts, size_t n, const char *phrase)
{
	for (size_t i = 0; i < n; i++)
		if (texts[i] != NULL && strstr(texts[i], phrase) != NULL)
			return true;
	return false;
}

static const struct fuse_field *
field_named(const struct catalog_part *p, enum fuse_byte b, const char *name)
{
	const struct fuse_byte_def *def = &p->fuses[b];

	for (size_t i = 0; i < def->n_fields; i++)
		if (strcmp(def->fields[i].name, name) == 0)
			return &def->fields[i];
	return NULL;
}

static const char *
meaning_of(const struct fuse_field *f, uint8_t value)
{
	for (size_t i = 0; i < f->n_values; i++)
		if (f->values[i].value == value)
			return f->values[i].meaning;
	return NULL;
}

static const struct catalog_part *
need_part(const char *id)
{
	const struct catalog_part *p = catalog_find_part(&seed, id);

	if (p == NULL)
		fail_msg("part '%s' is missing from the catalog", id);
	return p;
}

/* ---- per-row tests -------------------------------------------------------- */

static void
check_bootloader(void **state)
{
	const struct bootloader_row *row = *state;
	const struct catalog_bootloader *bl = catalog_find_bootloader(&seed, row->id);
	size_t n = 0;

	if (bl == NULL)
		fail_msg("bootloader '%s' is missing", row->id);
	assert_string_equal(bl->family, row->family);
	assert_string_equal(bl->name, row->name);
	assert_string_equal(bl->part, row->part);
	assert_int_equal(bl->usb_id.vid, row->vid);
	assert_int_equal(bl->usb_id.pid, row->pid);
	for (; n < N_ELEMS(row->presets) && row->presets[n].name != NULL; n++) {
		const struct preset_row *want = &row->presets[n];
		const struct catalog_preset *got = catalog_find_preset(bl, want->name);

		if (got == NULL)
			fail_msg("%s: preset '%s' is missing", row->id, want->name);
		assert_true(got->has_fuse[FUSE_LOW] && got->has_fuse[FUSE_HIGH]);
		assert_int_equal(got->fuse[FUSE_LOW], want->lfuse);
		assert_int_equal(got->fuse[FUSE_HIGH], want->hfuse);
		assert_int_equal(got->has_fuse[FUSE_EXT], want->efuse != NONE);
		if (want->efuse != NONE)
			assert_int_equal(got->fuse[FUSE_EXT], want->efuse);
	}
	assert_int_equal(bl->n_presets, n);
	if (row->file == NULL)
		assert_null(bl->file);
	else
		assert_string_equal(bl->file, row->file);
	/* The guide links the page; url is the file itself (raw), for fetch. */
	assert_string_equal(bl->page, row->url);
	assert_int_equal(bl->combined_sketch, row->combined_sketch);
	if (row->note != NULL && !any_contains(bl->notes, bl->n_notes, row->note))
		fail_msg("%s: no note mentions '%s'", row->id, row->note);
	/* Every file the guide links is known by its identity, and can be
	 * fetched from the url; a bootloader carries its boot identity. */
	if (row->file != NULL) {
		assert_true(bl->n_identities >= 1);
		assert_true(bl->identities[0].has_boot);
		assert_int_equal(strlen(bl->identities[0].image.sha256), 64);
		assert_non_null(bl->url);
		assert_non_null(strstr(bl->url, "raw.githubusercontent.com"));
	}
}

static void
check_programmer(void **state)
{
	const struct programmer_row *row = *state;
	const struct catalog_programmer *p = catalog_find_programmer(&seed, row->id);
	char buf[10];
	size_t n_ids = 0;

	if (p == NULL)
		fail_msg("programmer '%s' is missing", row->id);
	assert_string_equal(p->driver, row->driver);
	assert_string_equal(p->avrdude_id, row->avrdude);
	assert_non_null(p->name);
	assert_non_null(p->description);
	assert_int_equal(p->transport, row->transport);
	assert_int_equal(p->baud, row->baud);
	while (n_ids < N_ELEMS(row->usb_ids) && row->usb_ids[n_ids] != NULL)
		n_ids++;
	assert_int_equal(p->n_usb_ids, n_ids);
	for (size_t i = 0; i < n_ids; i++)
		assert_string_equal(usb_id_text(p->usb_ids[i], buf), row->usb_ids[i]);
	assert_int_equal(p->n_wiring, N_ELEMS(row->wiring));
	for (size_t i = 0; i < N_ELEMS(row->wiring); i++) {
		assert_string_equal(p->wiring[i].programmer_pin, row->wiring[i][0]);
		assert_string_equal(p->wiring[i].target_pin, row->wiring[i][1]);
	}
	assert_int_equal(p->max_flash, row->max_flash);
	if (row->max_flash != 0)
		assert_non_null(p->limit_note);
	if (row->fw_file == NULL) {
		assert_null(p->firmware);
	} else {
		assert_non_null(p->firmware);
		assert_string_equal(p->firmware->file, row->fw_file);
		assert_string_equal(p->firmware->loader, row->fw_loader);
		assert_string_equal(p->firmware->page, row->fw_url);
		assert_non_null(strstr(p->firmware->url, "raw.githubusercontent.com"));
		assert_string_equal(p->firmware->part, "atmega32u4");
		assert_int_equal(p->firmware->n_identities, 1);
		assert_false(p->firmware->identities[0].has_boot);
		assert_non_null(p->firmware->instructions);
	}
	if (!any_contains(p->warnings, p->n_warnings, row->warning))
		fail_msg("%s: no warning mentions '%s'", row->id, row->warning);
}

static void
check_part(void **state)
{
	const struct part_row *row = *state;
	const struct catalog_part *p = need_part(row->id);

	assert_string_equal(p->id, row->id);
	assert_string_equal(p->name, row->name);
	assert_string_equal(p->avrdude_id, row->avrdude);
	assert_memory_equal(p->signature, row->signature, 3);
	assert_int_equal(p->flash_size, row->flash);
	assert_int_equal(p->page_size, row->page);
	assert_int_equal(p->eeprom_size, row->eeprom);
	assert_int_equal(p->lock_mask, 0x3F);
	for (unsigned bz = 0; bz < 4; bz++) {
		assert_int_equal(p->boot[bz].bootsz, bz);
		assert_int_equal(p->boot[bz].size_words, row->boot_words[bz]);
		assert_int_equal(p->boot[bz].start_word, row->boot_start[bz]);
	}
	for (int b = 0; b < FUSE_COUNT; b++) {
		assert_int_equal(p->fuses[b].present, row->factory[b] != NONE);
		if (row->factory[b] == NONE)
			continue;
		assert_int_equal(p->fuses[b].factory, row->factory[b]);
		assert_int_equal(p->fuses[b].unused_mask, row->unused[b]);
	}
	/* Every named field, with its bits and safety class, and no others. */
	size_t n_defined = 0;
	for (int b = 0; b < FUSE_COUNT; b++)
		n_defined += p->fuses[b].present ? p->fuses[b].n_fields : 0;
	assert_int_equal(n_defined, row->n_fields);
	for (size_t i = 0; i < row->n_fields; i++) {
		const struct field_row *want = &row->fields[i];
		const struct fuse_field *got = field_named(p, want->byte, want->name);

		if (got == NULL)
			fail_msg("%s: %s has no field %s", row->id, fuse_byte_name(want->byte),
				 want->name);
		assert_int_equal(got->mask, want->mask);
		assert_int_equal(got->safety, want->safety);
		assert_non_null(got->description);
	}
}

static void
check_meaning(void **state)
{
	const struct meaning_row *row = *state;
	const struct fuse_field *f = field_named(need_part(row->part), row->byte, row->field);
	const char *text;

	if (f == NULL)
		fail_msg("%s has no field %s", row->part, row->field);
	text = meaning_of(f, row->value);
	if (text == NULL || strstr(text, row->phrase) == NULL)
		fail_msg("%s %s=0x%X should mention '%s', says '%s'", row->part, row->field,
			 row->value, row->phrase, text != NULL ? text : "(nothing)");
}

/* ---- whole-catalog tests -------------------------------------------------- */

/* Every bit of every fuse byte is either in exactly one field or unused, so
 * a decoder never meets an unexplained bit. */
static void
test_fuse_bits_all_accounted(void **state)
{
	(void)state;
	for (size_t i = 0; i < seed.n_parts; i++) {
		const struct catalog_part *p = &seed.parts[i];

		for (int b = 0; b < FUSE_COUNT; b++) {
			uint8_t seen = p->fuses[b].unused_mask;

			if (!p->fuses[b].present)
				continue;
			for (size_t f = 0; f < p->fuses[b].n_fields; f++) {
				uint8_t m = p->fuses[b].fields[f].mask;

				if ((seen & m) != 0)
					fail_msg("%s %s: field %s overlaps another field or the "
						 "unused bits", p->id, fuse_byte_name(b),
						 p->fuses[b].fields[f].name);
				seen |= m;
			}
			if (seen != 0xFF)
				fail_msg("%s %s: bits 0x%02X are neither named nor unused",
					 p->id, fuse_byte_name(b), (unsigned)(uint8_t)~seen);
		}
	}
}

/* Multi-bit fields explain every value; BOOTSZ's meanings match the boot
 * table (size in words, start as a byte address). */
static void
test_multibit_fields_explain_every_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < seed.n_parts; i++) {
		const struct catalog_part *p = &seed.parts[i];

		for (int b = 0; b < FUSE_COUNT; b++) {
			for (size_t k = 0; p->fuses[b].present && k < p->fuses[b].n_fields; k++) {
				const struct fuse_field *f = &p->fuses[b].fields[k];
				unsigned bits = (unsigned)__builtin_popcount(f->mask);

				if (bits < 2)
					continue;
				for (unsigned v = 0; v < (1u << bits); v++)
					if (meaning_of(f, (uint8_t)v) == NULL)
						fail_msg("%s %s: no meaning for value %u", p->id,
							 f->name, v);
				if (strcmp(f->name, "BOOTSZ") != 0)
					continue;
				for (unsigned v = 0; v < 4; v++) {
					char want[64];

					snprintf(want, sizeof want, "%u words",
						 (unsigned)p->boot[v].size_words);
					assert_non_null(strstr(meaning_of(f, (uint8_t)v), want));
					snprintf(want, sizeof want, "at byte 0x%04X",
						 (unsigned)p->boot[v].start_word * 2);
					assert_non_null(strstr(meaning_of(f, (uint8_t)v), want));
				}
			}
		}
	}
}

static void
test_seed_counts(void **state)
{
	(void)state;
	/* at least the seed; users and later issues may add more */
	assert_true(seed.n_programmers >= N_ELEMS(programmer_rows));
	assert_true(seed.n_parts >= N_ELEMS(part_rows));
	assert_true(seed.n_bootloaders >= N_ELEMS(bootloader_rows));
	assert_true(seed.n_files >= 1);
}

/* ---- runner --------------------------------------------------------------- */

static int
load_seed(void **state)
{
	struct iw_error err = { 0 };
	const char *dir = getenv("ISPWIZ_DATADIR");
	char path[4096];

	(void)state;
	if (dir != NULL && dir[0] != '\0')
		snprintf(path, sizeof path, "%s/catalog.yaml", dir);
	else
		snprintf(path, sizeof path, "%s", TOP_SRCDIR "/data/catalog.yaml");
	catalog_init(&seed);
	if (catalog_load_file(&seed, path, &err) != IW_OK ||
	    catalog_validate(&seed, &err) != IW_OK) {
		print_error("cannot use the seed catalog %s: %s\n", path, err.msg);
		catalog_free(&seed);
		return -1;
	}
	return 0;
}

static int
free_seed(void **state)
{
	(void)state;
	catalog_free(&seed);
	return 0;
}

static void
add_test(struct CMUnitTest *tests, size_t *n, const char *kind, const char *id,
	 CMUnitTestFunction fn, const void *row)
{
	size_t size = strlen(kind) + strlen(id) + 2;
	char *name = malloc(size);

	if (name == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	snprintf(name, size, "%s %s", kind, id);
	tests[*n] = (struct CMUnitTest){ name, fn, NULL, NULL, (void *)(uintptr_t)row };
	(*n)++;
}

int
main(void)
{
	enum { N_TESTS = N_ELEMS(bootloader_rows) + N_ELEMS(programmer_rows) +
			 N_ELEMS(part_rows) + N_ELEMS(meaning_rows) + 3 };
	struct CMUnitTest tests[N_TESTS];
	size_t n = 0;
	int failed;

	/* One named test per row, so the report says which entry is wrong;
	 * the group macro only takes fixed arrays, hence the direct call. */
	for (size_t i = 0; i < N_ELEMS(bootloader_rows); i++)
		add_test(tests, &n, "bootloader", bootloader_rows[i].id, check_bootloader,
			 &bootloader_rows[i]);
	for (size_t i = 0; i < N_ELEMS(programmer_rows); i++)
		add_test(tests, &n, "programmer", programmer_rows[i].id, check_programmer,
			 &programmer_rows[i]);
	for (size_t i = 0; i < N_ELEMS(part_rows); i++)
		add_test(tests, &n, "part", part_rows[i].id, check_part, &part_rows[i]);
	for (size_t i = 0; i < N_ELEMS(meaning_rows); i++) {
		char id[64];

		snprintf(id, sizeof id, "%s %s=0x%X", meaning_rows[i].part,
			 meaning_rows[i].field, meaning_rows[i].value);
		add_test(tests, &n, "meaning", id, check_meaning, &meaning_rows[i]);
	}
	add_test(tests, &n, "catalog", "seed counts", test_seed_counts, NULL);
	add_test(tests, &n, "catalog", "fuse bits all accounted",
		 test_fuse_bits_all_accounted, NULL);
	add_test(tests, &n, "catalog", "multi-bit fields explain every value",
		 test_multibit_fields_explain_every_value, NULL);

	failed = _cmocka_run_group_tests("catalog-seed", tests, n, load_seed, free_seed);
	for (size_t i = 0; i < n; i++)
		free((char *)tests[i].name);
	return failed;
}
