/*
 * usb-suite.h - the tests every USB driver must pass, written once and run
 * once per driver: test-usbtiny.c and test-usbasp.c each describe their
 * driver in a struct usb_case (tests/usb-fixture.h) and call
 * usb_suite_run() with it and their own tests.  What differs between the
 * drivers (clocks, request counts, knobs, wording) is data in the case;
 * what a test checks is the same for both.
 *
 * Header-only, like the fixture: one translation unit per test program.
 */
#ifndef ISPWIZ_TESTS_USB_SUITE_H
#define ISPWIZ_TESTS_USB_SUITE_H

#include "usb-fixture.h"

/* --- connecting ------------------------------------------------------------------ */

/* The SCK table, the fastest clock a 16 MHz chip follows, the signature,
 * and the clock stopping with programming mode. */
static void
test_connect_fast_chip(void **state)
{
	struct ufx *f = *state;
	const struct usb_case *c = f->c;
	struct isp_connect_info info;
	uint8_t sig[3];

	ufx_plug(f, &c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_must_open(f, "atmega32u4");
	assert_false(f->p.caps.fixed_sck);
	assert_null(f->p.caps.note);
	assert_int_equal(f->p.caps.n_sck, c->n_sck);
	assert_int_equal(f->p.caps.sck_hz[0], c->sck_fastest);
	assert_int_equal(f->p.caps.sck_hz[c->n_sck - 1], c->sck_slowest);
	ufx_must_connect(f, &info);
	assert_int_equal(info.sck_hz, c->fast_chip_sck);
	assert_false(info.slowed);
	assert_int_equal(emu_usb_sck_hz(f->emu[0]), c->fast_chip_sck);
	assert_int_equal(isp_read_signature(&f->p, sig, &f->err), IW_OK);
	assert_memory_equal(sig, fx_part("atmega32u4")->signature, 3);
	isp_disconnect(&f->p);
	assert_int_equal(emu_usb_sck_hz(f->emu[0]), 0);
}

/* A factory chip runs at 2 MHz (CKDIV8): SCK steps down to the first clock
 * that works, and the note says why. */
static void
test_factory_chip(void **state)
{
	struct ufx *f = *state;
	const struct usb_case *c = f->c;
	struct isp_connect_info info;

	ufx_plug(f, &c->emu, "atmega32u4", -1, -1, -1, NULL);
	ufx_must_open(f, "atmega32u4");
	ufx_must_connect(f, &info);
	assert_int_equal(info.sck_hz, c->factory_chip_sck);
	assert_int_equal(info.tries, c->factory_chip_tries);
	assert_true(info.slowed);
	ufx_contains(info.note, "CKDIV8");
	assert_true(sim_target_count_violations(f->t[0], SIM_VIOLATION_SCK_TOO_FAST) > 0);
}

/* --- flash and EEPROM ---------------------------------------------------------- */

/* One flash-writing request a 128-byte page (USBasp's firmware commits it
 * in the same request), the chip holds the pages, and they read back:
 * through the engine, and in the driver's own blocks. */
static void
test_pages_round_trip(void **state)
{
	struct ufx *f = *state;
	const struct usb_case *c = f->c;
	struct isp_connect_info info;
	uint8_t back[512];
	const struct emu_usb_stats *st;
	uint64_t req0, writes0;

	ufx_plug(f, &c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_must_open(f, "atmega32u4");
	ufx_must_connect(f, &info);
	assert_int_equal(isp_chip_erase(&f->p, &f->err), IW_OK);
	st = emu_usb_stats(f->emu[0]);
	req0 = st->vendor_requests;
	writes0 = st->flash_write_requests;
	ufx_write_pages(f, 0x7000, 0x200, 128);
	assert_int_equal(st->flash_write_requests - writes0, 4);
	if (c->firmware_commits)
		assert_int_equal(st->vendor_requests - req0, 4);
	assert_int_equal(st->page_commits, c->firmware_commits ? 4 : 0);
	ufx_check_flash(f->t[0], 0x7000, 0x200);
	assert_int_equal(isp_read_flash(&f->p, 0x7000, back, sizeof back, NULL, NULL, &f->err),
			 IW_OK);
	ufx_check_pattern(back, 0x7000, sizeof back);
	memset(back, 0, sizeof back);
	req0 = st->vendor_requests;
	assert_int_equal(f->p.driver->read_flash(&f->p, 0x7000, back, sizeof back, &f->err),
			 IW_OK);
	assert_int_equal(st->vendor_requests - req0, c->read_512_requests);
	ufx_check_pattern(back, 0x7000, sizeof back);
	assert_int_equal(sim_target_count_violations(f->t[0], SIM_VIOLATION_WRITE_WHILE_BUSY), 0);
	assert_int_equal(sim_target_count_violations(f->t[0], SIM_VIOLATION_WRITE_NO_ERASE), 0);
}

/* EEPROM (for the backup) in the driver's block reads, one request per
 * 64-byte chunk of the engine, not one instruction per byte. */
static void
test_eeprom_read(void **state)
{
	struct ufx *f = *state;
	struct isp_connect_info info;
	uint8_t want[1024], got[1024];
	uint64_t req0;

	ufx_plug(f, &f->c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	for (uint32_t i = 0; i < sizeof want; i++)
		want[i] = ufx_pattern(i + 5);
	assert_int_equal(sim_target_preload_eeprom(f->t[0], 0, want, sizeof want, NULL), IW_OK);
	ufx_must_open(f, "atmega32u4");
	ufx_must_connect(f, &info);
	req0 = emu_usb_stats(f->emu[0])->vendor_requests;
	assert_int_equal(isp_read_eeprom(&f->p, 0, got, sizeof got, NULL, NULL, &f->err), IW_OK);
	assert_memory_equal(got, want, sizeof want);
	assert_int_equal(emu_usb_stats(f->emu[0])->vendor_requests - req0, 16);
}

/* A whole job with a backup first (flash and EEPROM through the block
 * reads) on a 32U4: no warnings. */
static void
test_job_with_backup(void **state)
{
	struct ufx *f = *state;
	struct sim_target *t = ufx_plug(f, &f->c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);

	ufx_must_open(f, "atmega32u4");
	if (ufx_job(f, "atmega32u4", 0x7000, 0x1000, true) != IW_OK)
		fail_msg("%s\nlog:\n%s", f->res.error.msg, f->log);
	ufx_check_flash(t, 0x7000, 0x1000);
	assert_true(f->res.backup_hex[0] != '\0');
	assert_null(strstr(f->log, "W: "));
}

/* --- faults ------------------------------------------------------------------- */

/* Nobody answers at any clock: every clock of the table was tried. */
static void
test_no_target(void **state)
{
	struct ufx *f = *state;
	const struct usb_case *c = f->c;
	const char *const knobs[] = { c->no_target_knob, NULL };
	struct isp_connect_info info;

	ufx_plug(f, &c->emu, "atmega32u4", UFX_FAST_FUSES, knobs);
	ufx_must_open(f, "atmega32u4");
	assert_int_equal(isp_connect(&f->p, 0, &info, &f->err), IW_NO_TARGET);
	assert_int_equal(info.tries, c->n_sck);
	assert_int_equal(info.slowest_hz, c->sck_slowest);
	ufx_contains(f->err.msg, "did not answer Programming Enable");
	assert_int_equal(emu_usb_stats(f->emu[0])->enable_tries,
			 c->n_sck * c->firmware_enable_tries);
}

/* The cable is pulled in the middle of the write: LIBUSB_ERROR_NO_DEVICE
 * becomes an error that says so and names the page, and the job stops
 * there, at once. */
static void
test_unplug_mid_write(void **state)
{
	struct ufx *f = *state;
	const struct usb_case *c = f->c;
	char knob[32];
	double t0;

	snprintf(knob, sizeof knob, "unplug=%u", c->unplug_at);
	ufx_plug(f, &c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_knob(f, 0, knob);
	ufx_must_open(f, "atmega32u4");
	t0 = iw_clock_s();
	assert_int_equal(ufx_job(f, "atmega32u4", 0x7000, 0x1000, false), IW_NO_PROGRAMMER);
	assert_true(iw_clock_s() - t0 < 5.0);
	assert_int_equal(f->res.phase, JOB_PHASE_WRITE);
	ufx_contains(f->res.error.msg, "is gone (unplugged");
	ufx_containsf(f->res.error.msg, "%s 0x%05X", c->unplug_doing, 0x7000 + 128 * c->unplug_at);
	assert_int_equal(sim_target_counters(f->t[0])->page_writes, c->unplug_at);
	assert_int_equal(emu_usb_stats(f->emu[0])->page_commits,
			 c->firmware_commits ? c->unplug_at : 0);
}

/* The programmer refuses a request, stops answering (libusb's timeout
 * ends the request, no hang), or answers short. */
static void
test_stall(void **state)
{
	ufx_fault(*state, &((struct ufx *)*state)->c->stall);
}

static void
test_timeout(void **state)
{
	ufx_fault(*state, &((struct ufx *)*state)->c->timeout);
}

static void
test_short_reply(void **state)
{
	ufx_fault(*state, &((struct ufx *)*state)->c->short_reply);
}

/* --- finding it ------------------------------------------------------------- */

static void
test_missing(void **state)
{
	struct ufx *f = *state;

	assert_int_equal(ufx_open(f, "atmega32u4", NULL), IW_NO_PROGRAMMER);
	ufx_containsf(f->err.msg, "no %s (USB ID %s)", f->c->name, f->c->usb_ids);
}

/* Two of them: ispwiz lists both and asks; -P picks one by bus path, by
 * BUS:DEVICE or by serial (and only that one is talked to), and says when
 * it matches none. */
static void
test_two_programmers(void **state)
{
	static const struct {
		const char *port;
		size_t which;
	} picks[] = {
		{ "usb:1-3", 1 }, { "usb:1:4", 1 }, { "usb:CAFE01", 1 }, { "usb:1:3", 0 },
	};
	static const char *const parts[] = { "atmega32u4", "atmega16u4" };
	struct ufx *f = *state;
	const struct usb_case *c = f->c;
	struct isp_connect_info info;

	ufx_plug(f, &c->emu, parts[0], UFX_FAST_FUSES, NULL);
	ufx_plug(f, &c->other, parts[1], UFX_FAST_FUSES, NULL);
	assert_int_equal(ufx_open(f, parts[0], NULL), IW_NO_PROGRAMMER);
	ufx_contains(f->err.msg, "2 devices");
	ufx_contains(f->err.msg, "does not guess");
	ufx_contains(f->err.msg, "USB 1-2 (/dev/bus/usb/001/003, no serial");
	ufx_contains(f->err.msg, "USB 1-3 (/dev/bus/usb/001/004, serial CAFE01");
	ufx_contains(f->err.msg, "-P usb:BUS-PATH");
	assert_int_equal(strstr(f->err.msg, "USBaspLoader") != NULL, c->shared_id);
	for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
		size_t w = picks[i].which;
		uint64_t mine = sim_target_counters(f->t[w])->enables;
		uint64_t other = sim_target_counters(f->t[1 - w])->enables;

		if (ufx_open(f, parts[w], picks[i].port) != IW_OK)
			fail_msg("-P %s: %s", picks[i].port, f->err.msg);
		ufx_must_connect(f, &info);
		assert_true(sim_target_counters(f->t[w])->enables > mine);
		assert_int_equal(sim_target_counters(f->t[1 - w])->enables, other);
	}
	assert_int_equal(ufx_open(f, parts[0], "usb:1-9"), IW_NO_PROGRAMMER);
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
	ufx_plug(f, &f->c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	setenv("ISPWIZ_SHIM_PORT", usb_emu_node(f->port[0]), 1);
	setenv("ISPWIZ_SHIM_OPEN_ERRNO", "13", 1);
	assert_int_equal(ufx_open(f, "atmega32u4", NULL), IW_NO_PROGRAMMER);
	unsetenv("ISPWIZ_SHIM_OPEN_ERRNO");
	ufx_containsf(f->err.msg, "permission denied opening the %s at USB 1-2", f->c->name);
	ufx_contains(f->err.msg, "60-ispwiz.rules");
	ufx_contains(f->err.msg, "udevadm control --reload-rules && sudo udevadm trigger");
}

/* --- running it ----------------------------------------------------------------- */

#define USB_SUITE_MAX 64

/* The shared tests, then the driver's own (cmocka_unit_test() entries:
 * this gives each the fixture, with `c` as its case), in one group named
 * after the driver. */
static int
usb_suite_run(const struct usb_case *c, const struct CMUnitTest *own, size_t n_own)
{
	static const struct CMUnitTest shared[] = {
		cmocka_unit_test(test_connect_fast_chip),
		cmocka_unit_test(test_factory_chip),
		cmocka_unit_test(test_pages_round_trip),
		cmocka_unit_test(test_eeprom_read),
		cmocka_unit_test(test_job_with_backup),
		cmocka_unit_test(test_no_target),
		cmocka_unit_test(test_unplug_mid_write),
		cmocka_unit_test(test_stall),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_short_reply),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_two_programmers),
		cmocka_unit_test(test_permission_denied),
	};
	const size_t n_shared = sizeof shared / sizeof shared[0];
	struct CMUnitTest all[USB_SUITE_MAX];
	size_t n = 0;

	if (n_shared + n_own > USB_SUITE_MAX) {
		fprintf(stderr, "raise USB_SUITE_MAX to %zu\n", n_shared + n_own);
		return 1;
	}
	for (size_t i = 0; i < n_shared + n_own; i++) {
		all[n] = i < n_shared ? shared[i] : own[i - n_shared];
		all[n].setup_func = ufx_setup;
		all[n].teardown_func = ufx_teardown;
		/* cmocka's state is void *; the fixture only reads the case. */
		all[n].initial_state = (void *)c;
		n++;
	}
	/* cmocka_run_group_tests() wants an array of known size; this is the
	 * function behind it. */
	return _cmocka_run_group_tests(c->id, all, n, fx_load_catalog, fx_free_catalog);
}

#endif
