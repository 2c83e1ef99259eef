/* test-usbasp.c - the usbasp driver through libusb against the emulated
 * USBasp in a umockdev testbed: SCK negotiation with the firmware's table,
 * old firmware and its jumper, paged blocks and long addresses, the shared
 * USB ID rule, a whole job with fuses, and the faults. */
#include "config.h"

#include "usb-fixture.h"

static const struct emu_usb_options asp = { .kind = EMU_USB_USBASP };

#define FAST_FUSES 0xFF, 0xD8, 0xCB

/* 2011 firmware without the 3 MHz capability: the table starts at 1.5 MHz,
 * which a 16 MHz chip follows. */
static void
test_negotiates_table(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t sig[3];

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_false(f->p.caps.fixed_sck);
	assert_null(f->p.caps.note);
	assert_int_equal(f->p.caps.n_sck, 12);
	assert_int_equal(f->p.caps.sck_hz[0], 1500000);
	assert_int_equal(f->p.caps.sck_hz[11], 500);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(info.sck_hz, 1500000);
	assert_false(info.slowed);
	assert_int_equal(emu_usb_sck_hz(f->emu[0]), 1500000);
	assert_int_equal(isp_read_signature(&f->p, sig, &f->err), IW_OK);
	assert_memory_equal(sig, fx_part("atmega32u4")->signature, 3);
}

/* Firmware that reports the 3 MHz capability gets it offered first; a
 * 16 MHz chip (2.67 MHz at most) makes the search step down once. */
static void
test_3mhz_capability(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options fast = asp;
	struct isp_connect_info info;

	fast.cap_3mhz = true;
	ufx_plug(f, &fast, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_int_equal(f->p.caps.n_sck, 13);
	assert_int_equal(f->p.caps.sck_hz[0], 3000000);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(info.fastest_hz, 3000000);
	assert_int_equal(info.sck_hz, 1500000);
	assert_true(info.slowed);
}

/* A factory 32U4 runs at 2 MHz: 375 kHz is the first that works. */
static void
test_factory_chip(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;

	ufx_plug(f, &asp, "atmega32u4", -1, -1, -1, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(info.sck_hz, 375000);
	assert_int_equal(info.tries, 3);
	ufx_contains(info.note, "CKDIV8");
}

/* Firmware before 1.3: no SETISPSCK.  One fixed clock, a note naming the
 * jumper, and the connection still works on a chip fast enough. */
static void
test_old_firmware(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options old = asp;
	struct isp_connect_info info;

	old.old_firmware = true;
	ufx_plug(f, &old, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_true(f->p.caps.fixed_sck);
	assert_int_equal(f->p.caps.n_sck, 1);
	assert_non_null(f->p.caps.note);
	ufx_contains(f->p.caps.note, "slow-clock jumper (JP3)");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(info.sck_hz, 375000);
	ufx_plan(f, "usbasp", "atmega32u4", 0x7000, 0x200, false);
	if (ufx_run(f) != IW_OK)
		fail_msg("%s", f->res.error.msg);
	ufx_contains(f->log, "W: this USBasp's firmware is older than 1.3");
	ufx_check_flash(f->t[0], 0x7000, 0x200);
}

/* Old firmware and a chip at 1 MHz (the 328P's factory clock): 375 kHz is
 * too fast and there is nothing slower, unless JP3 is closed. */
static void
test_old_firmware_needs_jumper(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options old = asp;
	struct isp_connect_info info;

	old.old_firmware = true;
	ufx_plug(f, &old, "atmega328p", -1, -1, -1, NULL);
	old.slow_jumper = true;
	ufx_plug(f, &old, "atmega328p", -1, -1, -1, NULL);
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega328p", "usb:1-2"),
			 IW_OK);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_NO_TARGET);
	assert_int_equal(info.tries, 1);
	prog_close(&f->p, NULL);
	f->open = false;
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega328p", "usb:1-3"),
			 IW_OK);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(emu_usb_sck_hz(f->emu[1]), 8000);
}

/* One WRITEFLASH per 128-byte page (FIRST flag, firmware commits), reads in
 * 200-byte blocks, all below 64 KiB without SETLONGADDRESS. */
static void
test_pages_round_trip(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t page[128], back[512];
	const struct emu_usb_stats *st = NULL;
	uint64_t req0;

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	st = emu_usb_stats(f->emu[0]);
	req0 = st->vendor_requests;
	for (uint32_t a = 0x7000; a < 0x7200; a += 128) {
		for (uint32_t i = 0; i < 128; i++)
			page[i] = ufx_pattern(a + i);
		if (isp_write_page(&f->p, a, page, 128, &f->err) != IW_OK)
			fail_msg("%s", f->err.msg);
	}
	assert_int_equal(st->vendor_requests - req0, 4);
	assert_int_equal(st->page_commits, 4);
	ufx_check_flash(f->t[0], 0x7000, 0x200);
	req0 = st->vendor_requests;
	assert_int_equal(f->p.driver->read_flash(&f->p, 0x7000, back, sizeof back, &f->err),
			 IW_OK);
	assert_int_equal(st->vendor_requests - req0, 3);    /* 200 + 200 + 112 */
	for (uint32_t i = 0; i < sizeof back; i++)
		assert_int_equal(back[i], ufx_pattern(0x7000 + i));
	assert_int_equal(sim_target_count_violations(f->t[0], SIM_VIOLATION_WRITE_WHILE_BUSY), 0);
}

/* AT90USB1286: 256-byte pages span two blocks, each page committed once
 * (no LAST flag, which would make the firmware's 8-bit counter commit it
 * twice), long addresses above 64 KiB. */
static void
test_long_addresses(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t page[256], back[256];

	ufx_plug(f, &asp, "at90usb1286", 0xDE, 0x99, 0xF3, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "at90usb1286");
	assert_null(f->p.caps.note);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	for (uint32_t a = 0x1E000; a < 0x1E200; a += 256) {
		for (uint32_t i = 0; i < 256; i++)
			page[i] = ufx_pattern(a + i);
		if (isp_write_page(&f->p, a, page, 256, &f->err) != IW_OK)
			fail_msg("%s", f->err.msg);
	}
	assert_int_equal(emu_usb_stats(f->emu[0])->page_commits, 2);
	ufx_check_flash(f->t[0], 0x1E000, 0x200);
	for (uint32_t i = 0; i < 256; i++)
		assert_int_equal(sim_target_flash(f->t[0])[0xE000 + i], 0xFF);
	assert_int_equal(isp_read_flash(&f->p, 0x1E100, back, 256, NULL, NULL, &f->err), IW_OK);
	for (uint32_t i = 0; i < 256; i++)
		assert_int_equal(back[i], ufx_pattern(0x1E100 + i));
	/* after new mode, a low address still reads right */
	assert_int_equal(isp_read_flash(&f->p, 0x0000, back, 16, NULL, NULL, &f->err), IW_OK);
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(back[i], 0xFF);
}

/* EEPROM in READEEPROM blocks, right after long-address reads too (the
 * firmware's new mode applies to EEPROM as well). */
static void
test_eeprom_read(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t want[4096], got[4096], flash[16];
	uint64_t req0;

	ufx_plug(f, &asp, "at90usb1286", 0xDE, 0x99, 0xF3, NULL);
	for (uint32_t i = 0; i < sizeof want; i++)
		want[i] = ufx_pattern(i + 9);
	assert_int_equal(sim_target_preload_eeprom(f->t[0], 0, want, sizeof want, NULL), IW_OK);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "at90usb1286");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(isp_read_flash(&f->p, 0x1F000, flash, 16, NULL, NULL, &f->err), IW_OK);
	req0 = emu_usb_stats(f->emu[0])->vendor_requests;
	assert_int_equal(isp_read_eeprom(&f->p, 0, got, sizeof got, NULL, NULL, &f->err), IW_OK);
	assert_memory_equal(got, want, sizeof want);
	/* 64-byte chunks from the engine, each a long address + a block */
	assert_int_equal(emu_usb_stats(f->emu[0])->vendor_requests - req0, 2 * 64);
}

/* Old firmware cannot reach a part over 128 KiB (none in the catalog yet:
 * an AT90USB1286 made twice as big stands in): refused at open, before
 * anything goes to the chip. */
static void
test_old_firmware_big_part_refused(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options old = asp;
	struct catalog_part big = *fx_part("at90usb1286");
	struct prog_options opt;

	old.old_firmware = true;
	ufx_plug(f, &old, "at90usb1286", 0xDE, 0x99, 0xF3, NULL);
	big.flash_size = 256 * 1024;
	memset(&opt, 0, sizeof opt);
	opt.entry = catalog_find_programmer(&fx_catalog, "usbasp");
	opt.part = &big;
	assert_int_equal(prog_open(&f->p, &prog_usbasp_driver, &opt, &f->err), IW_REFUSED);
	ufx_contains(f->err.msg, "cannot address the 256 KiB");
	ufx_contains(f->err.msg, "nothing was touched");
	assert_int_equal(sim_target_counters(f->t[0])->transfers, 0);
	/* the real AT90USB1286 (128 KiB) is fine */
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "at90usb1286");
}

/* The whole job with a Caterina-style bootloader and its fuses. */
static void
test_job_with_fuses(void **state)
{
	struct ufx *f = *state;
	struct sim_target *t = ufx_plug(f, &asp, "atmega32u4", -1, -1, -1, NULL);

	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	ufx_plan(f, "usbasp", "atmega32u4", 0x7000, 0x1000, true);
	fuse_set_put(&f->plan.fuses, FUSE_LOW, 0xFF);
	fuse_set_put(&f->plan.fuses, FUSE_HIGH, 0xD8);
	fuse_set_put(&f->plan.fuses, FUSE_EXT, 0xCB);
	f->plan.image_is_bootloader = true;
	f->plan.yes = true;
	if (ufx_run(f) != IW_OK)
		fail_msg("%s\nviolations:\n%s", f->res.error.msg, ufx_violations(f, 0));
	ufx_check_flash(t, 0x7000, 0x1000);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0xFF);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD8);
	assert_int_equal(f->res.pages_verified, 32);
	assert_true(f->res.backup_hex[0] != '\0');
}

/* --- finding it -------------------------------------------------------------- */

/* A V-USB keyboard on the shared ID that does not say "USBasp": ispwiz
 * refuses to guess, and -P takes it if the user insists. */
static void
test_shared_id_not_programmer(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options kbd = asp;

	kbd.manufacturer = "winkeyless.kr";
	kbd.product = "ps2avrGB";
	ufx_plug(f, &kbd, "atmega32a", -1, -1, -1, NULL);
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega32a", NULL),
			 IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "does not say it is a USBasp");
	ufx_contains(f->err.msg, "\"ps2avrGB\"");
	ufx_contains(f->err.msg, "-P usb:1-2");
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega32a", "usb:1-2"),
			 IW_OK);
}

/* Two devices with the shared ID: list them by bus path and serial, ask;
 * -P usb:SERIAL picks one. */
static void
test_two_devices_ask(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options serial = asp;
	struct isp_connect_info info;

	serial.serial = "CAFE01";
	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_plug(f, &serial, "atmega32u4", FAST_FUSES, NULL);
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4", NULL),
			 IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "does not guess");
	ufx_contains(f->err.msg, "USB 1-2 (/dev/bus/usb/001/003, no serial");
	ufx_contains(f->err.msg, "USB 1-3 (/dev/bus/usb/001/004, serial CAFE01");
	ufx_contains(f->err.msg, "USBaspLoader");
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4", "usb:CAFE01"),
			 IW_OK);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_true(sim_target_counters(f->t[1])->enables > 0);
	assert_int_equal(sim_target_counters(f->t[0])->enables, 0);
}

/* The oldest firmware enumerates as 03EB:C7B4. */
static void
test_old_usb_id(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options old = asp;

	old.vid = 0x03EB;
	old.pid = 0xC7B4;
	old.old_firmware = true;
	ufx_plug(f, &old, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_true(f->p.caps.fixed_sck);
}

/* --- faults ------------------------------------------------------------------ */

static void
test_no_target(void **state)
{
	struct ufx *f = *state;
	const char *const knobs[] = { "miso-open", NULL };
	struct isp_connect_info info;

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, knobs);
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_NO_TARGET);
	assert_int_equal(info.tries, 12);
	assert_int_equal(info.slowest_hz, 500);
	/* the firmware tried 32 times at each clock */
	assert_int_equal(emu_usb_stats(f->emu[0])->enable_tries, 12 * 32);
}

static void
test_unplug_mid_write(void **state)
{
	struct ufx *f = *state;

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "unplug=3");
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_int_equal(ufx_job(f, "usbasp", "atmega32u4", 0x7000, 0x1000, false), IW_NO_PROGRAMMER);
	assert_int_equal(f->res.phase, JOB_PHASE_WRITE);
	ufx_contains(f->res.error.msg, "writing the flash page at 0x07180");
	ufx_contains(f->res.error.msg, "is gone (unplugged");
	assert_int_equal(emu_usb_stats(f->emu[0])->page_commits, 3);
}

/* GETCAPABILITIES stalls at open. */
static void
test_stall(void **state)
{
	struct ufx *f = *state;

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "stall=0");
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4", NULL),
			 IW_PROTOCOL);
	ufx_contains(f->err.msg, "asking the USBasp for its capabilities");
	ufx_contains(f->err.msg, "USB stall");
}

/* It stops answering at ENABLEPROG: the 5 s request timeout ends it. */
static void
test_timeout(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	double t0;

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "timeout=4");
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	t0 = iw_clock_s();
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_TIMEOUT);
	assert_true(iw_clock_s() - t0 < 8.0);
	ufx_contains(f->err.msg, "entering programming mode");
	ufx_contains(f->err.msg, "did not answer within 5000 ms");
}

/* ENABLEPROG answers without its status byte. */
static void
test_short_reply(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;

	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "short=4");
	ufx_must_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_PROTOCOL);
	ufx_contains(f->err.msg, "answered 0 bytes instead of 1");
}

static void
test_permission_denied(void **state)
{
	struct ufx *f = *state;

	if (getenv("ISPWIZ_USB_SHIM") == NULL)
		skip();
	ufx_plug(f, &asp, "atmega32u4", FAST_FUSES, NULL);
	setenv("ISPWIZ_SHIM_PORT", usb_emu_node(f->port[0]), 1);
	setenv("ISPWIZ_SHIM_OPEN_ERRNO", "13", 1);
	assert_int_equal(ufx_open(f, &prog_usbasp_driver, "usbasp", "atmega32u4", NULL),
			 IW_NO_PROGRAMMER);
	unsetenv("ISPWIZ_SHIM_OPEN_ERRNO");
	ufx_contains(f->err.msg, "permission denied opening the USBasp at USB 1-2");
	ufx_contains(f->err.msg, "60-ispwiz.rules");
	ufx_contains(f->err.msg, "udevadm control --reload-rules && sudo udevadm trigger");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, ufx_setup, ufx_teardown)
		T(test_negotiates_table),
		T(test_3mhz_capability),
		T(test_factory_chip),
		T(test_old_firmware),
		T(test_old_firmware_needs_jumper),
		T(test_pages_round_trip),
		T(test_long_addresses),
		T(test_job_with_fuses),
		T(test_eeprom_read),
		T(test_shared_id_not_programmer),
		T(test_two_devices_ask),
		T(test_old_usb_id),
		T(test_old_firmware_big_part_refused),
		T(test_no_target),
		T(test_unplug_mid_write),
		T(test_stall),
		T(test_timeout),
		T(test_short_reply),
		T(test_permission_denied),
#undef T
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
