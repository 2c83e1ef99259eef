/* test-usbtiny.c - the usbtiny driver through libusb against the emulated
 * USBtinyISP in a umockdev testbed: auto-SCK, paged and chunked transfers,
 * the slow path above 64 KiB, a whole job, and every fault ending in its
 * own error without hanging. */
#include "config.h"

#include "usb-fixture.h"

static const struct emu_usb_options tiny = { .kind = EMU_USB_USBTINY };

/* 16 MHz crystal, CKDIV8 off: the chip follows SCK up to 2.67 MHz. */
#define FAST_FUSES 0xFF, 0xD8, 0xCB

static void
test_connect_fast_chip(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t sig[3];

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_null(f->p.caps.note);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(info.sck_hz, 1000000);
	assert_false(info.slowed);
	assert_int_equal(isp_read_signature(&f->p, sig, &f->err), IW_OK);
	assert_memory_equal(sig, fx_part("atmega32u4")->signature, 3);
	assert_int_equal(emu_usb_sck_hz(f->emu[0]), 1000000);
	isp_disconnect(&f->p);
	assert_int_equal(emu_usb_sck_hz(f->emu[0]), 0);
}

/* A factory chip runs at 2 MHz (CKDIV8): SCK must drop to 500 kHz, and
 * the note says why. */
static void
test_connect_steps_down(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;

	ufx_plug(f, &tiny, "atmega32u4", -1, -1, -1, NULL);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(info.sck_hz, 500000);
	assert_true(info.slowed);
	ufx_contains(info.note, "CKDIV8");
	assert_int_equal(sim_target_count_violations(f->t[0], SIM_VIOLATION_SCK_TOO_FAST) > 0, 1);
}

/* Pages go out in FLASH_WRITE chunks, are committed with Write Page, and
 * read back with FLASH_READ; the chip ends up holding them. */
static void
test_pages_round_trip(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t page[128], back[512];
	const struct emu_usb_stats *st;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	for (uint32_t a = 0x7000; a < 0x7200; a += 128) {
		for (uint32_t i = 0; i < 128; i++)
			page[i] = ufx_pattern(a + i);
		if (isp_write_page(&f->p, a, page, 128, &f->err) != IW_OK)
			fail_msg("%s", f->err.msg);
	}
	ufx_check_flash(f->t[0], 0x7000, 0x200);
	st = emu_usb_stats(f->emu[0]);
	assert_int_equal(st->flash_write_requests, 4);
	assert_int_equal(isp_read_flash(&f->p, 0x7000, back, sizeof back, NULL, NULL, &f->err),
			 IW_OK);
	for (uint32_t i = 0; i < sizeof back; i++)
		assert_int_equal(back[i], ufx_pattern(0x7000 + i));
	assert_int_equal(sim_target_count_violations(f->t[0], SIM_VIOLATION_WRITE_WHILE_BUSY), 0);
	assert_int_equal(sim_target_count_violations(f->t[0], SIM_VIOLATION_WRITE_NO_ERASE), 0);
}

/* At a slow clock the chunks shrink (as the firmware needs), and
 * everything still arrives. */
static void
test_slow_clock_chunks(void **state)
{
	struct ufx *f = *state;
	uint8_t page[128], back[128];
	uint64_t before;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	/* 31.25 kHz: period 32 µs, chunks of 64 */
	assert_int_equal(f->p.driver->enter(&f->p, 31250, &f->err), IW_OK);
	f->p.sck_hz = 31250;
	for (uint32_t i = 0; i < 128; i++)
		page[i] = ufx_pattern(i);
	before = emu_usb_stats(f->emu[0])->flash_write_requests;
	assert_int_equal(isp_write_page(&f->p, 0, page, 128, &f->err), IW_OK);
	assert_int_equal(emu_usb_stats(f->emu[0])->flash_write_requests - before, 2);
	assert_int_equal(isp_read_flash(&f->p, 0, back, 128, NULL, NULL, &f->err), IW_OK);
	assert_memory_equal(back, page, 128);
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
	uint8_t page[256], back[256];
	const uint8_t *flash;

	ufx_plug(f, &tiny, "at90usb1286", 0x5E, 0x99, 0xF3, NULL);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "at90usb1286");
	assert_non_null(f->p.caps.note);
	ufx_contains(f->p.caps.note, "64 KiB");
	ufx_contains(f->p.caps.note, "one byte per USB transfer");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	for (uint32_t i = 0; i < 256; i++)
		page[i] = ufx_pattern(0x1E000 + i);
	assert_int_equal(isp_write_page(&f->p, 0x1E000, page, 256, &f->err), IW_OK);
	ufx_check_flash(f->t[0], 0x1E000, 256);
	flash = sim_target_flash(f->t[0]);
	for (uint32_t i = 0; i < 256; i++)
		assert_int_equal(flash[0xE000 + i], 0xFF);
	assert_int_equal(isp_read_flash(&f->p, 0x1E000, back, 256, NULL, NULL, &f->err), IW_OK);
	assert_memory_equal(back, page, 256);
	/* the paged read is what would have wrapped: */
	assert_int_equal(emu_usb_stats(f->emu[0])->flash_write_requests, 2);
}

/* The whole job (erase, write, verify) on a bootloader image at the top of
 * an AT90USB1286, and the caps note shows up as a warning. */
static void
test_job_bootloader(void **state)
{
	struct ufx *f = *state;
	struct sim_target *t = ufx_plug(f, &tiny, "at90usb1286", 0x5E, 0x99, 0xF3, NULL);

	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "at90usb1286");
	if (ufx_job(f, "usbtiny", "at90usb1286", 0x1E000, 0x1000, false) != IW_OK)
		fail_msg("%s\nlog:\n%s", f->res.error.msg, f->log);
	ufx_check_flash(t, 0x1E000, 0x1000);
	assert_int_equal(f->res.pages_written, 16);
	assert_int_equal(f->res.pages_verified, 16);
	ufx_contains(f->log, "W: the USBtinyISP firmware addresses only 64 KiB");
}

/* The same with a backup of a 32U4: flash through the paged read. */
static void
test_job_with_backup(void **state)
{
	struct ufx *f = *state;
	struct sim_target *t = ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);

	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	if (ufx_job(f, "usbtiny", "atmega32u4", 0x7000, 0x1000, true) != IW_OK)
		fail_msg("%s\nlog:\n%s", f->res.error.msg, f->log);
	ufx_check_flash(t, 0x7000, 0x1000);
	assert_true(f->res.backup_hex[0] != '\0');
	assert_null(strstr(f->log, "W: "));
}

/* EEPROM (for the backup) in chunked EEPROM_READ requests, not one
 * instruction per byte. */
static void
test_eeprom_read(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t want[1024], got[1024];
	uint64_t req0;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	for (uint32_t i = 0; i < sizeof want; i++)
		want[i] = ufx_pattern(i + 5);
	assert_int_equal(sim_target_preload_eeprom(f->t[0], 0, want, sizeof want, NULL), IW_OK);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	req0 = emu_usb_stats(f->emu[0])->vendor_requests;
	assert_int_equal(isp_read_eeprom(&f->p, 0, got, sizeof got, NULL, NULL, &f->err), IW_OK);
	assert_memory_equal(got, want, sizeof want);
	assert_int_equal(emu_usb_stats(f->emu[0])->vendor_requests - req0, 16);
}

/* --- faults ------------------------------------------------------------------- */

static void
test_no_target(void **state)
{
	struct ufx *f = *state;
	const char *const knobs[] = { "reset-not-wired", NULL };
	struct isp_connect_info info;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, knobs);
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_NO_TARGET);
	assert_int_equal(info.tries, PROG_USBTINY_N_SCK);
	ufx_contains(f->err.msg, "did not answer Programming Enable");
}

/* The cable is pulled at the third page: LIBUSB_ERROR_NO_DEVICE becomes an
 * error that says so, and the job stops there. */
static void
test_unplug_mid_write(void **state)
{
	struct ufx *f = *state;
	double t0;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "unplug=2");
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	t0 = iw_clock_s();
	assert_int_equal(ufx_job(f, "usbtiny", "atmega32u4", 0x7000, 0x1000, false), IW_NO_PROGRAMMER);
	assert_true(iw_clock_s() - t0 < 5.0);
	assert_int_equal(f->res.phase, JOB_PHASE_WRITE);
	ufx_contains(f->res.error.msg, "is gone (unplugged");
	ufx_contains(f->res.error.msg, "0x07100");
	assert_int_equal(sim_target_counters(f->t[0])->page_writes, 2);
}

static void
test_stall(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "stall=1");
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_PROTOCOL);
	ufx_contains(f->err.msg, "refused the request (USB stall)");
	assert_int_equal(info.tries, 1);
}

/* A programmer that stops answering: libusb's timeout ends each request,
 * no hang. */
static void
test_timeout(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	double t0;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "timeout=2");
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	t0 = iw_clock_s();
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_TIMEOUT);
	assert_true(iw_clock_s() - t0 < 4.0);
	ufx_contains(f->err.msg, "did not answer within");
	ufx_contains(f->err.msg, "ISP instruction AC 53 00 00");
}

static void
test_short_read(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "short=2");
	ufx_must_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_PROTOCOL);
	ufx_contains(f->err.msg, "answered 3 of 4 bytes");
}

/* The ECHO check catches a device that is not running the protocol. */
static void
test_bad_echo(void **state)
{
	struct ufx *f = *state;

	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_knob(f, 0, "short=0");
	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4", NULL),
			 IW_PROTOCOL);
	ufx_contains(f->err.msg, "checking the programmer (ECHO)");
}

/* --- finding it ------------------------------------------------------------- */

static void
test_missing(void **state)
{
	struct ufx *f = *state;

	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4", NULL),
			 IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "no USBtinyISP (USB ID 1781:0C9F, 2341:0049, 2A03:0049)");
}

/* Two of them: ispwiz lists both and asks; -P picks one by bus path or by
 * BUS:DEVICE. */
static void
test_two_programmers(void **state)
{
	struct ufx *f = *state;
	struct emu_usb_options sparkfun = tiny;
	struct isp_connect_info info;

	sparkfun.vid = 0x2341;
	sparkfun.pid = 0x0049;
	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	ufx_plug(f, &sparkfun, "atmega16u4", FAST_FUSES, NULL);
	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4", NULL),
			 IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "2 devices");
	ufx_contains(f->err.msg, "USB 1-2");
	ufx_contains(f->err.msg, "USB 1-3");
	ufx_contains(f->err.msg, "-P usb:BUS-PATH");
	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega16u4", "usb:1-3"),
			 IW_OK);
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_OK);
	assert_true(sim_target_counters(f->t[1])->enables > 0);
	assert_int_equal(sim_target_counters(f->t[0])->enables, 0);
	prog_close(&f->p, NULL);
	f->open = false;
	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4", "usb:1:3"),
			 IW_OK);
	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4", "usb:1-9"),
			 IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "-P usb:1-9: none of the devices");
}

/* Permission denied on the usbfs node (the preloaded shim fails the open,
 * as the kernel does without a udev rule). */
static void
test_permission_denied(void **state)
{
	struct ufx *f = *state;

	if (getenv("ISPWIZ_USB_SHIM") == NULL)
		skip();
	ufx_plug(f, &tiny, "atmega32u4", FAST_FUSES, NULL);
	setenv("ISPWIZ_SHIM_PORT", usb_emu_node(f->port[0]), 1);
	setenv("ISPWIZ_SHIM_OPEN_ERRNO", "13", 1);
	assert_int_equal(ufx_open(f, &prog_usbtiny_driver, "usbtiny", "atmega32u4", NULL),
			 IW_NO_PROGRAMMER);
	unsetenv("ISPWIZ_SHIM_OPEN_ERRNO");
	ufx_contains(f->err.msg, "permission denied");
	ufx_contains(f->err.msg, "60-ispwiz.rules");
	ufx_contains(f->err.msg, "udevadm control --reload-rules && sudo udevadm trigger");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, ufx_setup, ufx_teardown)
		T(test_connect_fast_chip),
		T(test_connect_steps_down),
		T(test_pages_round_trip),
		T(test_slow_clock_chunks),
		T(test_above_64k),
		T(test_job_bootloader),
		T(test_job_with_backup),
		T(test_eeprom_read),
		T(test_no_target),
		T(test_unplug_mid_write),
		T(test_stall),
		T(test_timeout),
		T(test_short_read),
		T(test_bad_echo),
		T(test_missing),
		T(test_two_programmers),
		T(test_permission_denied),
#undef T
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
