/* test-usbtiny.c - the usbtiny driver through libusb against the emulated
 * USBtinyISP in a umockdev testbed: the USB driver suite (tests/usb-suite.h)
 * with what to expect of this driver, then its own: chunks that shrink with
 * the clock, the slow path above 64 KiB, a bootloader job on an AT90USB1286,
 * and the ECHO check. */
#include "config.h"

#include "usb-suite.h"

static const struct usb_case usbtiny = {
	.id = "usbtiny",
	.driver = &prog_usbtiny_driver,
	.name = "USBtinyISP",
	.usb_ids = "1781:0C9F, 2341:0049, 2A03:0049",
	.emu = { .kind = EMU_USB_USBTINY },
	/* a SparkFun PocketAVR */
	.other = { .kind = EMU_USB_USBTINY, .vid = 0x2341, .pid = 0x0049, .serial = "CAFE01" },
	.n_sck = PROG_USBTINY_N_SCK,
	.sck_fastest = 1000000,
	.sck_slowest = 4000,
	.fast_chip_sck = 1000000,
	.factory_chip_sck = 500000,
	.factory_chip_tries = 2,
	.read_512_requests = 4,            /* 128-byte chunks at 1 MHz */
	.no_target_knob = "reset-not-wired",
	.unplug_at = 2,
	.unplug_doing = "loading the flash page at",
	.stall = {
		.knob = "stall=1", .stage = USB_FAULT_AT_CONNECT, .status = IW_PROTOCOL,
		.says = { "refused the request (USB stall)" }, .tries = 1,
	},
	.timeout = {
		.knob = "timeout=2", .stage = USB_FAULT_AT_CONNECT, .status = IW_TIMEOUT,
		.says = { "did not answer within", "ISP instruction AC 53 00 00" },
		.within_s = 4.0,
	},
	.short_reply = {
		.knob = "short=2", .stage = USB_FAULT_AT_CONNECT, .status = IW_PROTOCOL,
		.says = { "answered 3 of 4 bytes" },
	},
};

/* At a slow clock the chunks shrink (as the firmware needs), and
 * everything still arrives. */
static void
test_slow_clock_chunks(void **state)
{
	struct ufx *f = *state;
	uint8_t back[128];
	uint64_t before;

	ufx_plug(f, &usbtiny.emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_must_open(f, "atmega32u4");
	/* 31.25 kHz: period 32 µs, chunks of 64 */
	assert_int_equal(f->p.driver->enter(&f->p, 31250, &f->err), IW_OK);
	f->p.sck_hz = 31250;
	before = emu_usb_stats(f->emu[0])->flash_write_requests;
	ufx_write_pages(f, 0, 128, 128);
	assert_int_equal(emu_usb_stats(f->emu[0])->flash_write_requests - before, 2);
	assert_int_equal(isp_read_flash(&f->p, 0, back, 128, NULL, NULL, &f->err), IW_OK);
	ufx_check_pattern(back, 0, 128);
}

/* AT90USB1286: above 64 KiB the firmware's address wraps.  Writing still
 * goes through the paged request (in-page offsets) and Write Page with the
 * full address; reading falls back to one instruction per byte.  The
 * driver says so, and nothing lands in the lower half by mistake. */
static void
test_above_64k(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t back[256];

	ufx_plug(f, &usbtiny.emu, "at90usb1286", 0x5E, 0x99, 0xF3, NULL);
	ufx_must_open(f, "at90usb1286");
	assert_non_null(f->p.caps.note);
	ufx_contains(f->p.caps.note, "64 KiB");
	ufx_contains(f->p.caps.note, "one byte per USB transfer");
	ufx_must_connect(f, &info);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	ufx_write_pages(f, 0x1E000, 256, 256);
	ufx_check_flash(f->t[0], 0x1E000, 256);
	ufx_check_erased(f->t[0], 0xE000, 256);
	assert_int_equal(isp_read_flash(&f->p, 0x1E000, back, 256, NULL, NULL, &f->err), IW_OK);
	ufx_check_pattern(back, 0x1E000, 256);
	/* the paged read is what would have wrapped: */
	assert_int_equal(emu_usb_stats(f->emu[0])->flash_write_requests, 2);
}

/* The whole job (erase, write, verify) on a bootloader image at the top of
 * an AT90USB1286, and the caps note shows up as a warning. */
static void
test_job_bootloader(void **state)
{
	struct ufx *f = *state;
	struct sim_target *t = ufx_plug(f, &usbtiny.emu, "at90usb1286", 0x5E, 0x99, 0xF3, NULL);

	ufx_must_open(f, "at90usb1286");
	if (ufx_job(f, "at90usb1286", 0x1E000, 0x1000, false) != IW_OK)
		fail_msg("%s\nlog:\n%s", f->res.error.msg, f->log);
	ufx_check_flash(t, 0x1E000, 0x1000);
	assert_int_equal(f->res.pages_written, 16);
	assert_int_equal(f->res.pages_verified, 16);
	ufx_contains(f->log, "W: the USBtinyISP firmware addresses only 64 KiB");
}

/* The ECHO check catches a device that is not running the protocol. */
static void
test_bad_echo(void **state)
{
	static const struct usb_fault bad_echo = {
		.knob = "short=0", .stage = USB_FAULT_AT_OPEN, .status = IW_PROTOCOL,
		.says = { "checking the programmer (ECHO)" },
	};

	ufx_fault(*state, &bad_echo);
}

int
main(void)
{
	static const struct CMUnitTest own[] = {
		cmocka_unit_test(test_slow_clock_chunks),
		cmocka_unit_test(test_above_64k),
		cmocka_unit_test(test_job_bootloader),
		cmocka_unit_test(test_bad_echo),
	};

	return usb_suite_run(&usbtiny, own, sizeof own / sizeof own[0]);
}
