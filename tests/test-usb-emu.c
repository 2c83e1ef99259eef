/* test-usb-emu.c - the USB programmer emulators on their own, one control
 * transfer at a time: descriptors, each firmware's requests and quirks
 * (USBtiny's 16-bit address, USBasp's page counter and address modes, old
 * firmware), time, and the fault knobs. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "engine-fixture.h"
#include "sim/emu-usb.h"

#define IN_VENDOR  0xC0
#define OUT_VENDOR 0x40

struct efx {
	struct sim_target *t;
	struct emu_usb *u;
	uint64_t now;            /* the "wall clock" handed to the emulator */
	struct emu_usb_reply r;
};

static void
efx_make(struct efx *f, const struct emu_usb_options *o, const char *part, bool fast)
{
	struct sim_target_options to;
	struct iw_error err;

	memset(f, 0, sizeof *f);
	memset(&to, 0, sizeof to);
	if (fast) {
		to.has_fuses = true;
		to.fuses[FUSE_LOW] = 0xFF;
		to.fuses[FUSE_HIGH] = 0xD8;
		to.fuses[FUSE_EXT] = 0xCB;
	}
	f->t = sim_target_new(fx_part(part), &to, &err);
	assert_non_null(f->t);
	f->u = emu_usb_new(o, f->t, &err);
	assert_non_null(f->u);
	f->now = 1000000;
}

static void
efx_free(struct efx *f)
{
	emu_usb_free(f->u);
	sim_target_free(f->t);
}

/* One transfer; returns the status (bytes or -errno). */
static int
ctl(struct efx *f, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
    uint8_t *data, uint16_t len)
{
	const uint8_t setup[8] = { type, req, (uint8_t)value, (uint8_t)(value >> 8),
				   (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)len,
				   (uint8_t)(len >> 8) };
	uint8_t none[1];

	emu_usb_control(f->u, setup, data != NULL ? data : none, len, f->now, &f->r);
	return f->r.status;
}

static void
spi(struct efx *f, uint8_t req, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
	assert_int_equal(ctl(f, IN_VENDOR, req, (uint16_t)(b << 8 | a), (uint16_t)(d << 8 | c),
			     out, 4), 4);
}

static const struct emu_usb_options tiny = { .kind = EMU_USB_USBTINY };
static const struct emu_usb_options asp = { .kind = EMU_USB_USBASP };

/* --- both ------------------------------------------------------------------- */

static void
test_descriptors(void **state)
{
	struct efx f;
	uint8_t d[64];
	size_t n;

	(void)state;
	efx_make(&f, &asp, "atmega32u4", true);
	n = emu_usb_descriptors(f.u, d, sizeof d);
	assert_int_equal(n, 36);
	assert_int_equal(d[0], 18);
	assert_int_equal(d[8] | d[9] << 8, 0x16C0);
	assert_int_equal(d[10] | d[11] << 8, 0x05DC);
	assert_int_equal(d[7], 8);                  /* low speed */
	assert_int_equal(d[16], 0);                 /* no serial */
	/* the product string, UTF-16LE */
	assert_int_equal(ctl(&f, 0x80, 6, 0x0302, 0x0409, d, 64), 14);
	assert_int_equal(d[1], 3);
	assert_int_equal(d[2], 'U');
	assert_int_equal(d[12], 'p');
	/* a string it does not have stalls */
	assert_int_equal(ctl(&f, 0x80, 6, 0x0303, 0x0409, d, 64), -EPIPE);
	assert_string_equal(emu_usb_manufacturer(f.u), "www.fischl.de");
	efx_free(&f);

	efx_make(&f, &tiny, "atmega32u4", true);
	assert_int_equal(emu_usb_vid(f.u), 0x1781);
	assert_int_equal(emu_usb_pid(f.u), 0x0C9F);
	assert_null(emu_usb_manufacturer(f.u));
	assert_string_equal(emu_usb_product(f.u), "USBtinyISP");
	efx_free(&f);
}

/* --- USBtiny -------------------------------------------------------------------- */

static void
test_tiny_echo_and_enable(void **state)
{
	struct efx f;
	uint8_t d[8];

	(void)state;
	efx_make(&f, &tiny, "atmega32u4", true);
	assert_int_equal(ctl(&f, IN_VENDOR, 0, 0x1234, 0x5678, d, 8), 8);
	assert_int_equal(d[2], 0x34);
	assert_int_equal(d[5], 0x56);
	assert_int_equal(ctl(&f, IN_VENDOR, 5, 2, 0, NULL, 0), 0);      /* 500 kHz, RESET low */
	assert_int_equal(emu_usb_sck_hz(f.u), 500000);
	spi(&f, 7, 0xAC, 0x53, 0, 0, d);
	assert_int_equal(d[2], 0x53);
	spi(&f, 7, 0x30, 0, 1, 0, d);
	assert_int_equal(d[3], 0x95);
	assert_int_equal(ctl(&f, IN_VENDOR, 6, 0, 0, NULL, 0), 0);      /* POWERDOWN */
	assert_int_equal(emu_usb_sck_hz(f.u), 0);
	efx_free(&f);
}

/* The paged requests carry a 16-bit byte address: on an AT90USB1286 a read
 * "at" 0x10000 is a read at 0. */
static void
test_tiny_address_wraps(void **state)
{
	struct efx f;
	uint8_t lo[4] = { 0x11, 0x22, 0x33, 0x44 }, hi[4] = { 0xA1, 0xA2, 0xA3, 0xA4 }, d[4];

	(void)state;
	efx_make(&f, &tiny, "at90usb1286", true);
	assert_int_equal(sim_target_preload_flash(f.t, 0x0000, lo, 4, NULL), IW_OK);
	assert_int_equal(sim_target_preload_flash(f.t, 0x10000, hi, 4, NULL), IW_OK);
	ctl(&f, IN_VENDOR, 5, 1, 0, NULL, 0);
	spi(&f, 7, 0xAC, 0x53, 0, 0, d);
	assert_int_equal(ctl(&f, IN_VENDOR, 9, 0, 0x0000, d, 4), 4);
	assert_memory_equal(d, lo, 4);
	/* the upper half is only reachable with single instructions */
	spi(&f, 7, 0x20, 0x80, 0x00, 0, d);
	assert_int_equal(d[3], 0xA1);
	spi(&f, 7, 0x28, 0x80, 0x00, 0, d);
	assert_int_equal(d[3], 0xA2);
	efx_free(&f);
}

/* A page through FLASH_WRITE (Load Page per byte) and Write Page over SPI;
 * time passed on the caller's clock makes the chip ready again. */
static void
test_tiny_page_write(void **state)
{
	struct efx f;
	uint8_t page[128], d[128];

	(void)state;
	efx_make(&f, &tiny, "atmega32u4", true);
	ctl(&f, IN_VENDOR, 5, 1, 0, NULL, 0);
	spi(&f, 7, 0xAC, 0x53, 0, 0, d);
	for (int i = 0; i < 128; i++)
		page[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(ctl(&f, OUT_VENDOR, 10, 0, 0x0100, page, 128), 128);
	assert_true(f.r.device_us >= 128u * 32u);   /* 128 instructions at 1 MHz */
	spi(&f, 7, 0x4C, 0x00, 0x80, 0, d);
	spi(&f, 7, 0xF0, 0, 0, 0, d);
	assert_int_equal(d[3] & 1, 1);              /* busy */
	/* The firmware's SPI time came on top of the caller's clock: 5 ms on
	 * that clock after Write Page, the page is done. */
	f.now += 5000;
	spi(&f, 7, 0xF0, 0, 0, 0, d);
	assert_int_equal(d[3] & 1, 0);
	assert_int_equal(ctl(&f, IN_VENDOR, 9, 0, 0x0100, d, 128), 128);
	assert_memory_equal(d, page, 128);
	assert_int_equal(sim_target_counters(f.t)->page_writes, 1);
	efx_free(&f);
}

/* EEPROM bytes with the firmware's own polling (timeout in wValue, poll
 * bytes set first): no write lands on a busy chip. */
static void
test_tiny_eeprom_polls(void **state)
{
	struct efx f;
	uint8_t data[4] = { 0x01, 0xFF, 0x80, 0x5A }, d[4];

	(void)state;
	efx_make(&f, &tiny, "atmega32u4", true);
	ctl(&f, IN_VENDOR, 5, 1, 0, NULL, 0);
	spi(&f, 7, 0xAC, 0x53, 0, 0, d);
	assert_int_equal(ctl(&f, IN_VENDOR, 8, 0xFFFF, 0, NULL, 0), 0);
	assert_int_equal(ctl(&f, OUT_VENDOR, 12, 20000, 0x10, data, 4), 4);
	assert_int_equal(sim_target_count_violations(f.t, SIM_VIOLATION_WRITE_WHILE_BUSY), 0);
	assert_memory_equal(sim_target_eeprom(f.t) + 0x10, data, 4);
	f.now += 20000;
	assert_int_equal(ctl(&f, IN_VENDOR, 11, 0, 0x10, d, 4), 4);
	assert_memory_equal(d, data, 4);
	efx_free(&f);
}

/* --- USBasp ------------------------------------------------------------------------ */

static void
test_asp_capabilities_and_sck(void **state)
{
	struct efx f;
	struct emu_usb_options o = asp;
	uint8_t d[4];

	(void)state;
	efx_make(&f, &asp, "atmega32u4", true);
	assert_int_equal(ctl(&f, IN_VENDOR, 127, 0, 0, d, 4), 4);
	assert_int_equal(d[0], 0x01);
	assert_int_equal(d[3], 0x00);
	assert_int_equal(ctl(&f, IN_VENDOR, 10, 12, 0, d, 4), 1);      /* 1.5 MHz */
	assert_int_equal(d[0], 0);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	assert_int_equal(emu_usb_sck_hz(f.u), 1500000);
	ctl(&f, IN_VENDOR, 10, 13, 0, d, 4);                            /* 3 MHz: not this one */
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	assert_int_equal(emu_usb_sck_hz(f.u), 375000);
	efx_free(&f);

	o.cap_3mhz = true;
	efx_make(&f, &o, "atmega32u4", true);
	assert_int_equal(ctl(&f, IN_VENDOR, 127, 0, 0, d, 4), 4);
	assert_int_equal(d[3], 0x01);
	ctl(&f, IN_VENDOR, 10, 13, 0, d, 4);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	assert_int_equal(emu_usb_sck_hz(f.u), 3000000);
	efx_free(&f);

	o = asp;
	o.slow_jumper = true;
	efx_make(&f, &o, "atmega32u4", true);
	ctl(&f, IN_VENDOR, 10, 12, 0, d, 4);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	assert_int_equal(emu_usb_sck_hz(f.u), 8000);                  /* JP3 wins */
	efx_free(&f);
}

/* Old firmware: no SETISPSCK, GETCAPABILITIES, SETLONGADDRESS (no data,
 * no stall), 375 kHz. */
static void
test_asp_old_firmware(void **state)
{
	struct efx f;
	struct emu_usb_options o = asp;
	uint8_t d[4];

	(void)state;
	o.old_firmware = true;
	efx_make(&f, &o, "atmega32u4", true);
	assert_int_equal(ctl(&f, IN_VENDOR, 127, 0, 0, d, 4), 0);
	assert_int_equal(ctl(&f, IN_VENDOR, 10, 12, 0, d, 4), 0);
	assert_int_equal(ctl(&f, IN_VENDOR, 9, 0, 0, d, 4), 0);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	assert_int_equal(emu_usb_sck_hz(f.u), 375000);
	assert_int_equal(ctl(&f, IN_VENDOR, 5, 0, 0, d, 4), 1);
	assert_int_equal(d[0], 0);
	assert_int_equal(emu_usb_stats(f.u)->unknown, 3);
	efx_free(&f);
}

/* ENABLEPROG retries 32 times, then answers 1. */
static void
test_asp_enable_fails(void **state)
{
	struct efx f;
	const char *spec = "reset-not-wired";
	struct sim_fault sf;
	uint8_t d[4];

	(void)state;
	efx_make(&f, &asp, "atmega32u4", true);
	assert_int_equal(sim_target_fault_parse(spec, &sf, NULL), IW_OK);
	assert_int_equal(sim_target_set_fault(f.t, &sf, NULL), IW_OK);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	assert_int_equal(ctl(&f, IN_VENDOR, 5, 0, 0, d, 4), 1);
	assert_int_equal(d[0], 1);
	assert_int_equal(emu_usb_stats(f.u)->enable_tries, 32);
	efx_free(&f);
}

/* WRITEFLASH: the firmware commits full pages itself and waits (data
 * polling) inside the transfer; with 256-byte pages its 8-bit counter makes
 * the LAST flag commit the last page a second time. */
static void
test_asp_page_commit_quirk(void **state)
{
	struct efx f;
	uint8_t page[256], d[4];

	(void)state;
	efx_make(&f, &asp, "at90usb1286", true);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	ctl(&f, IN_VENDOR, 5, 0, 0, d, 4);
	for (int i = 0; i < 256; i++)
		page[i] = (uint8_t)(i + 3);
	/* FIRST only: one commit, and the firmware waited for the chip */
	assert_int_equal(ctl(&f, OUT_VENDOR, 6, 0x0000, 0x1100, page, 256), 256);
	assert_int_equal(emu_usb_stats(f.u)->page_commits, 1);
	assert_true(f.r.device_us >= 4500);
	/* FIRST|LAST on a full 256-byte page: committed twice */
	assert_int_equal(ctl(&f, OUT_VENDOR, 6, 0x0100, 0x1300, page, 256), 256);
	assert_int_equal(emu_usb_stats(f.u)->page_commits, 3);
	assert_memory_equal(sim_target_flash(f.t) + 0x100, page, 256);
	assert_int_equal(sim_target_count_violations(f.t, SIM_VIOLATION_WRITE_WHILE_BUSY), 0);
	efx_free(&f);
}

/* SETLONGADDRESS switches to new mode until the next CONNECT: wValue is
 * ignored and the address runs on across blocks. */
static void
test_asp_long_address_mode(void **state)
{
	struct efx f;
	uint8_t a[4] = { 1, 2, 3, 4 }, b[4] = { 9, 8, 7, 6 }, d[4];

	(void)state;
	efx_make(&f, &asp, "at90usb1286", true);
	assert_int_equal(sim_target_preload_flash(f.t, 0x1E000, a, 4, NULL), IW_OK);
	assert_int_equal(sim_target_preload_flash(f.t, 0x0000, b, 4, NULL), IW_OK);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	ctl(&f, IN_VENDOR, 5, 0, 0, d, 4);
	assert_int_equal(ctl(&f, IN_VENDOR, 9, 0xE000, 0x0001, d, 4), 0);
	assert_int_equal(ctl(&f, IN_VENDOR, 4, 0x0000, 0, d, 2), 2);   /* wValue ignored */
	assert_int_equal(d[0], 1);
	assert_int_equal(ctl(&f, IN_VENDOR, 4, 0x0000, 0, d, 2), 2);   /* runs on */
	assert_int_equal(d[0], 3);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);                              /* CONNECT: legacy */
	ctl(&f, IN_VENDOR, 5, 0, 0, d, 4);
	assert_int_equal(ctl(&f, IN_VENDOR, 4, 0x0000, 0, d, 4), 4);
	assert_memory_equal(d, b, 4);
	efx_free(&f);
}

/* --- faults ---------------------------------------------------------------------- */

static void
test_fault_knobs(void **state)
{
	struct efx f;
	struct iw_error err;
	uint8_t page[128], d[4];

	(void)state;
	efx_make(&f, &asp, "atmega32u4", true);
	assert_int_equal(emu_usb_set_fault(f.u, "nonsense", &err), IW_NOT_FOUND);
	assert_int_equal(emu_usb_set_fault(f.u, "stall=x", &err), IW_USAGE);
	assert_int_equal(emu_usb_set_fault(f.u, "unplug=1", &err), IW_OK);
	memset(page, 0x55, sizeof page);
	ctl(&f, IN_VENDOR, 1, 0, 0, d, 4);
	ctl(&f, IN_VENDOR, 5, 0, 0, d, 4);
	assert_int_equal(ctl(&f, OUT_VENDOR, 6, 0x0000, 0x0180, page, 128), 128);
	assert_false(emu_usb_unplugged(f.u));
	assert_int_equal(ctl(&f, OUT_VENDOR, 6, 0x0080, 0x0180, page, 128), -ENODEV);
	assert_true(emu_usb_unplugged(f.u));
	assert_int_equal(ctl(&f, 0x80, 6, 0x0100, 0, d, 4), -ENODEV);  /* even standard ones */
	efx_free(&f);

	efx_make(&f, &tiny, "atmega32u4", true);
	assert_int_equal(emu_usb_set_fault(f.u, "short=1", &err), IW_OK);
	assert_int_equal(emu_usb_set_fault(f.u, "stall=3", &err), IW_OK);
	assert_int_equal(emu_usb_set_fault(f.u, "timeout=4", &err), IW_OK);
	assert_int_equal(ctl(&f, IN_VENDOR, 0, 0, 0, d, 4), 4);         /* 0: fine */
	assert_int_equal(ctl(&f, IN_VENDOR, 0, 0, 0, d, 4), 3);         /* 1: short */
	assert_int_equal(ctl(&f, IN_VENDOR, 5, 1, 0, NULL, 0), 0);      /* 2: nothing to cut */
	assert_int_equal(ctl(&f, IN_VENDOR, 0, 0, 0, d, 4), -EPIPE);    /* 3: stall */
	assert_int_equal(ctl(&f, IN_VENDOR, 0, 0, 0, d, 4), -ETIMEDOUT);
	assert_true(f.r.no_answer);
	assert_int_equal(emu_usb_stats(f.u)->stalls, 1);
	efx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_tiny_echo_and_enable),
		cmocka_unit_test(test_tiny_address_wraps),
		cmocka_unit_test(test_tiny_page_write),
		cmocka_unit_test(test_tiny_eeprom_polls),
		cmocka_unit_test(test_asp_capabilities_and_sck),
		cmocka_unit_test(test_asp_old_firmware),
		cmocka_unit_test(test_asp_enable_fails),
		cmocka_unit_test(test_asp_page_commit_quirk),
		cmocka_unit_test(test_asp_long_address_mode),
		cmocka_unit_test(test_fault_knobs),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
