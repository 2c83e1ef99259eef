/* test-usbasp.c - the usbasp driver through libusb against the emulated
 * USBasp in a umockdev testbed: the USB driver suite (tests/usb-suite.h)
 * with what to expect of this driver, then its own: the 3 MHz capability,
 * old firmware and its jumper, long addresses, a whole job with fuses, and
 * the shared USB ID rule. */
#include "config.h"

#include "usb-suite.h"

static const struct usb_case usbasp = {
	.id = "usbasp",
	.driver = &prog_usbasp_driver,
	.name = "USBasp",
	.usb_ids = "16C0:05DC, 03EB:C7B4",
	.emu = { .kind = EMU_USB_USBASP },
	.other = { .kind = EMU_USB_USBASP, .serial = "CAFE01" },
	.shared_id = true,
	.firmware_commits = true,
	.firmware_enable_tries = 32,
	/* 2011 firmware without the 3 MHz capability: the table starts at
	 * 1.5 MHz, which a 16 MHz chip follows. */
	.n_sck = 12,
	.sck_fastest = 1500000,
	.sck_slowest = 500,
	.fast_chip_sck = 1500000,
	/* a factory 32U4 runs at 2 MHz: 375 kHz is the first that works */
	.factory_chip_sck = 375000,
	.factory_chip_tries = 3,
	.read_512_requests = 3,            /* 200 + 200 + 112 */
	.no_target_knob = "miso-open",
	.unplug_at = 3,
	.unplug_doing = "writing the flash page at",
	/* GETCAPABILITIES stalls at open. */
	.stall = {
		.knob = "stall=0", .stage = USB_FAULT_AT_OPEN, .status = IW_PROTOCOL,
		.says = { "asking the USBasp for its capabilities", "USB stall" },
	},
	/* It stops answering at ENABLEPROG: the 5 s request timeout ends it. */
	.timeout = {
		.knob = "timeout=4", .stage = USB_FAULT_AT_CONNECT, .status = IW_TIMEOUT,
		.says = { "entering programming mode", "did not answer within 5000 ms" },
		.within_s = 8.0,
	},
	/* ENABLEPROG answers without its status byte. */
	.short_reply = {
		.knob = "short=4", .stage = USB_FAULT_AT_CONNECT, .status = IW_PROTOCOL,
		.says = { "answered 0 bytes instead of 1" },
	},
};

/* Firmware that reports the 3 MHz capability gets it offered first; a
 * 16 MHz chip (2.67 MHz at most) makes the search step down once. */
static void
test_3mhz_capability(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options fast = usbasp.emu;
	struct isp_connect_info info;

	fast.cap_3mhz = true;
	ufx_plug(f, &fast, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_must_open(f, "atmega32u4");
	assert_int_equal(f->p.caps.n_sck, 13);
	assert_int_equal(f->p.caps.sck_hz[0], 3000000);
	ufx_must_connect(f, &info);
	assert_int_equal(info.fastest_hz, 3000000);
	assert_int_equal(info.sck_hz, 1500000);
	assert_true(info.slowed);
}

/* Firmware before 1.3: no SETISPSCK.  One fixed clock, a note naming the
 * jumper, and the connection still works on a chip fast enough. */
static void
test_old_firmware(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options old = usbasp.emu;
	struct isp_connect_info info;

	old.old_firmware = true;
	ufx_plug(f, &old, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_must_open(f, "atmega32u4");
	assert_true(f->p.caps.fixed_sck);
	assert_int_equal(f->p.caps.n_sck, 1);
	assert_non_null(f->p.caps.note);
	ufx_contains(f->p.caps.note, "slow-clock jumper (JP3)");
	ufx_must_connect(f, &info);
	assert_int_equal(info.sck_hz, 375000);
	ufx_plan(f, "atmega32u4", 0x7000, 0x200, false);
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
	struct emu_usb_options old = usbasp.emu;
	struct isp_connect_info info;

	old.old_firmware = true;
	ufx_plug(f, &old, "atmega328p", -1, -1, -1, NULL);
	old.slow_jumper = true;
	ufx_plug(f, &old, "atmega328p", -1, -1, -1, NULL);
	assert_int_equal(ufx_open(f, "atmega328p", "usb:1-2"), IW_OK);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_NO_TARGET);
	assert_int_equal(info.tries, 1);
	assert_int_equal(ufx_open(f, "atmega328p", "usb:1-3"), IW_OK);
	ufx_must_connect(f, &info);
	assert_int_equal(emu_usb_sck_hz(f->emu[1]), 8000);
}

/* AT90USB1286: 256-byte pages span two blocks, each page committed once
 * (no LAST flag, which would make the firmware's 8-bit counter commit it
 * twice), long addresses above 64 KiB. */
static void
test_long_addresses(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t back[256];

	ufx_plug(f, &usbasp.emu, "at90usb1286", 0xDE, 0x99, 0xF3, NULL);
	ufx_must_open(f, "at90usb1286");
	assert_null(f->p.caps.note);
	ufx_must_connect(f, &info);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	ufx_write_pages(f, 0x1E000, 0x200, 256);
	assert_int_equal(emu_usb_stats(f->emu[0])->page_commits, 2);
	ufx_check_flash(f->t[0], 0x1E000, 0x200);
	ufx_check_erased(f->t[0], 0xE000, 256);
	assert_int_equal(isp_read_flash(&f->p, 0x1E100, back, 256, NULL, NULL, &f->err), IW_OK);
	ufx_check_pattern(back, 0x1E100, 256);
	/* after new mode, a low address still reads right */
	assert_int_equal(isp_read_flash(&f->p, 0x0000, back, 16, NULL, NULL, &f->err), IW_OK);
	for (uint32_t i = 0; i < 16; i++)
		assert_int_equal(back[i], 0xFF);
}

/* EEPROM in READEEPROM blocks right after long-address reads too (the
 * firmware's new mode applies to EEPROM as well). */
static void
test_eeprom_after_long_addresses(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t want[4096], got[4096], flash[16];
	uint64_t req0;

	ufx_plug(f, &usbasp.emu, "at90usb1286", 0xDE, 0x99, 0xF3, NULL);
	for (uint32_t i = 0; i < sizeof want; i++)
		want[i] = ufx_pattern(i + 9);
	assert_int_equal(sim_target_preload_eeprom(f->t[0], 0, want, sizeof want, NULL), IW_OK);
	ufx_must_open(f, "at90usb1286");
	ufx_must_connect(f, &info);
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
	struct emu_usb_options old = usbasp.emu;
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
	ufx_must_open(f, "at90usb1286");
}

/* The whole job with a Caterina-style bootloader and its fuses. */
static void
test_job_with_fuses(void **state)
{
	struct ufx *f = *state;
	struct sim_target *t = ufx_plug(f, &usbasp.emu, "atmega32u4", -1, -1, -1, NULL);

	ufx_must_open(f, "atmega32u4");
	ufx_plan(f, "atmega32u4", 0x7000, 0x1000, true);
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

/* A V-USB keyboard on the shared ID that does not say "USBasp": ispwiz
 * refuses to guess, and -P takes it if the user insists. */
static void
test_shared_id_not_programmer(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options kbd = usbasp.emu;

	kbd.manufacturer = "winkeyless.kr";
	kbd.product = "ps2avrGB";
	ufx_plug(f, &kbd, "atmega32a", -1, -1, -1, NULL);
	assert_int_equal(ufx_open(f, "atmega32a", NULL), IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "does not say it is a USBasp");
	ufx_contains(f->err.msg, "\"ps2avrGB\"");
	ufx_contains(f->err.msg, "-P usb:1-2");
	assert_int_equal(ufx_open(f, "atmega32a", "usb:1-2"), IW_OK);
}

/* The oldest firmware enumerates as 03EB:C7B4. */
static void
test_old_usb_id(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options old = usbasp.emu;

	old.vid = 0x03EB;
	old.pid = 0xC7B4;
	old.old_firmware = true;
	ufx_plug(f, &old, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_must_open(f, "atmega32u4");
	assert_true(f->p.caps.fixed_sck);
}

int
main(void)
{
	static const struct CMUnitTest own[] = {
		cmocka_unit_test(test_3mhz_capability),
		cmocka_unit_test(test_old_firmware),
		cmocka_unit_test(test_old_firmware_needs_jumper),
		cmocka_unit_test(test_long_addresses),
		cmocka_unit_test(test_eeprom_after_long_addresses),
		cmocka_unit_test(test_old_firmware_big_part_refused),
		cmocka_unit_test(test_job_with_fuses),
		cmocka_unit_test(test_shared_id_not_programmer),
		cmocka_unit_test(test_old_usb_id),
	};

	return usb_suite_run(&usbasp, own, sizeof own / sizeof own[0]);
}
