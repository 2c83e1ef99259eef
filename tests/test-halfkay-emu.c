/* test-halfkay-emu.c - the HalfKay emulator on its own, one control
 * transfer at a time (no libusb, no umockdev): descriptors, the erase on
 * the first write and the holds while it runs, page writes, what it
 * refuses and counts as violations, the reboot, and its fault knobs. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "boot/halfkay-proto.h"
#include "engine-fixture.h"
#include "sim/emu-usb.h"

struct hfx {
	struct sim_target *t;
	struct emu_usb *u;
	uint64_t now;            /* the caller's clock, µs */
	struct emu_usb_reply r;
};

static void
hfx_make(struct hfx *f, uint32_t erase_us, const char *fault)
{
	struct emu_usb_options o;
	struct iw_error err;

	memset(f, 0, sizeof *f);
	memset(&o, 0, sizeof o);
	o.kind = EMU_USB_HALFKAY;
	o.erase_us = erase_us;
	f->t = sim_target_new(fx_part("atmega32u4"), NULL, &err);
	assert_non_null(f->t);
	f->u = emu_usb_new(&o, f->t, &err);
	assert_non_null(f->u);
	if (fault != NULL)
		assert_int_equal(emu_usb_set_fault(f->u, fault, &err), IW_OK);
	f->now = 5000000;
}

static void
hfx_free(struct hfx *f)
{
	emu_usb_free(f->u);
	sim_target_free(f->t);
}

static int
ctl(struct hfx *f, uint8_t type, uint8_t req, uint16_t value, uint16_t index,
    uint8_t *data, uint16_t len)
{
	const uint8_t setup[8] = { type, req, (uint8_t)value, (uint8_t)(value >> 8),
				   (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)len,
				   (uint8_t)(len >> 8) };
	uint8_t none[1];

	emu_usb_control(f->u, setup, data != NULL ? data : none, len, f->now, &f->r);
	return f->r.status;
}

/* One SET_REPORT for the block at `addr` filled with `fill`. */
static int
report(struct hfx *f, uint16_t addr, uint8_t fill)
{
	uint8_t rep[HALFKAY_32U4_REPORT];

	rep[0] = (uint8_t)addr;
	rep[1] = (uint8_t)(addr >> 8);
	memset(rep + 2, fill, HALFKAY_32U4_BLOCK);
	return ctl(f, HALFKAY_REQ_TYPE, HALFKAY_REQ_SET_REPORT, HALFKAY_REPORT_VALUE,
		   HALFKAY_INTERFACE, rep, sizeof rep);
}

static int
reboot(struct hfx *f)
{
	uint8_t rep[HALFKAY_32U4_REPORT];

	memset(rep, 0, sizeof rep);
	memset(rep, 0xFF, HALFKAY_REBOOT_LEN);
	return ctl(f, HALFKAY_REQ_TYPE, HALFKAY_REQ_SET_REPORT, HALFKAY_REPORT_VALUE,
		   HALFKAY_INTERFACE, rep, sizeof rep);
}

static uint8_t
flash_at(const struct hfx *f, uint32_t a)
{
	return sim_target_flash(f->t)[a];
}

static void
test_descriptors(void **state)
{
	struct hfx f;
	uint8_t d[64], buf[64];
	size_t n;

	(void)state;
	hfx_make(&f, 0, NULL);
	n = emu_usb_descriptors(f.u, d, sizeof d);
	assert_int_equal(n, 18 + 34);
	assert_int_equal(d[7], 64);                            /* full speed EP0 */
	assert_int_equal(d[8] | d[9] << 8, HALFKAY_VID);
	assert_int_equal(d[10] | d[11] << 8, HALFKAY_PID);
	assert_int_equal(d[14] | d[15] | d[16], 0);            /* no strings */
	assert_int_equal(d[18 + 9 + 5], 0x03);                 /* a HID interface */
	assert_true(emu_usb_full_speed(f.u));
	assert_string_equal(emu_usb_interface_driver(f.u), "usbhid");
	assert_null(emu_usb_product(f.u));
	/* The standard requests give the same; strings stall. */
	assert_int_equal(ctl(&f, 0x80, 6, 0x0200, 0, buf, 255), 34);
	assert_memory_equal(buf, d + 18, 34);
	assert_int_equal(ctl(&f, 0x80, 6, 0x0302, 0x0409, buf, 255), -EPIPE);
	/* The report descriptor, from the interface: one 130-byte output. */
	n = (size_t)ctl(&f, 0x81, 6, 0x2200, 0, buf, sizeof buf);
	assert_int_equal(n, d[18 + 9 + 9 + 7]);
	assert_non_null(memchr(buf, 0x91, n));
	/* No vendor requests. */
	assert_int_equal(ctl(&f, 0xC0, 1, 0, 0, buf, 4), -EPIPE);
	hfx_free(&f);
}

static void
test_erase_then_write(void **state)
{
	struct hfx f;
	uint8_t pre[16];
	uint64_t end;

	(void)state;
	hfx_make(&f, 0, NULL);
	memset(pre, 0x00, sizeof pre);
	assert_int_equal(sim_target_preload_flash(f.t, 0x1000, pre, sizeof pre, NULL), IW_OK);
	assert_int_equal(sim_target_preload_flash(f.t, 0x7E00, pre, sizeof pre, NULL), IW_OK);
	/* The first report erases: taken, answered when the erase is over. */
	assert_int_equal(report(&f, 0x0000, 0x11), HALFKAY_32U4_REPORT);
	assert_false(f.r.nak);
	end = f.now + EMU_HALFKAY_ERASE_US_DEFAULT;
	assert_int_equal(f.r.until_us, end);
	assert_int_equal(emu_usb_stats(f.u)->erases, 1);
	assert_int_equal(flash_at(&f, 0x1000), 0xFF);          /* erased */
	assert_int_equal(flash_at(&f, 0x7E00), 0x00);          /* HalfKay's own stays */
	/* Meanwhile reports are held back (NAK) until the erase ends. */
	f.now += 1000;
	assert_int_equal(report(&f, 0x0080, 0x22), 0);
	assert_true(f.r.nak);
	assert_int_equal(f.r.until_us, end);
	assert_int_equal(emu_usb_stats(f.u)->busy_naks, 1);
	/* Then block 0 is in, and the held report is taken. */
	f.now = end;
	assert_int_equal(report(&f, 0x0080, 0x22), HALFKAY_32U4_REPORT);
	assert_false(f.r.nak);
	assert_int_equal(f.r.until_us, end + EMU_HALFKAY_PAGE_US_DEFAULT);
	assert_int_equal(flash_at(&f, 0x0000), 0x11);
	assert_int_equal(flash_at(&f, 0x00FF), 0x22);
	/* A report during that page write waits for it. */
	f.now += 100;
	assert_int_equal(report(&f, 0x0100, 0x33), 0);
	assert_true(f.r.nak);
	f.now = end + EMU_HALFKAY_PAGE_US_DEFAULT;
	assert_int_equal(report(&f, 0x0100, 0x33), HALFKAY_32U4_REPORT);
	assert_int_equal(emu_usb_stats(f.u)->blocks_written, 3);
	assert_int_equal(emu_usb_stats(f.u)->reports, 3);
	assert_int_equal(emu_usb_violation_count(f.u), 0);
	/* The reboot is answered, and the device is off the bus. */
	f.now += 10000;
	assert_int_equal(reboot(&f), HALFKAY_32U4_REPORT);
	assert_true(emu_usb_rebooted(f.u));
	assert_true(emu_usb_unplugged(f.u));
	assert_int_equal(report(&f, 0x0180, 0x44), -ENODEV);
	hfx_free(&f);
}

static void
test_refused(void **state)
{
	struct hfx f;
	uint8_t shortrep[66];

	(void)state;
	hfx_make(&f, 1000, NULL);
	assert_int_equal(report(&f, 0x0000, 0xA5), HALFKAY_32U4_REPORT);
	f.now += 1000;
	/* HalfKay's own section: ignored (answered), a violation. */
	assert_int_equal(report(&f, HALFKAY_32U4_APP_END, 0x00), HALFKAY_32U4_REPORT);
	assert_int_equal(flash_at(&f, HALFKAY_32U4_APP_END), 0xFF);
	assert_int_equal(emu_usb_violation_count(f.u), 1);
	assert_non_null(strstr(emu_usb_violation(f.u, 0), "0x7E00"));
	f.now += 10000;
	/* A report of another length: stalled. */
	memset(shortrep, 0, sizeof shortrep);
	shortrep[0] = 0x80;
	assert_int_equal(ctl(&f, HALFKAY_REQ_TYPE, HALFKAY_REQ_SET_REPORT, HALFKAY_REPORT_VALUE,
			     0, shortrep, sizeof shortrep), -EPIPE);
	assert_int_equal(emu_usb_violation_count(f.u), 2);
	/* An address inside a block: the page is written, and noted. */
	assert_int_equal(report(&f, 0x0105, 0x5A), HALFKAY_32U4_REPORT);
	assert_int_equal(flash_at(&f, 0x0100), 0x5A);
	assert_int_equal(emu_usb_violation_count(f.u), 3);
	f.now += 10000;
	/* Writing block 0 again without an erase: bits stay 0. */
	assert_int_equal(report(&f, 0x0000, 0x5A), HALFKAY_32U4_REPORT);
	assert_int_equal(flash_at(&f, 0x0000), 0xA5 & 0x5A);
	assert_int_equal(emu_usb_violation_count(f.u), 4);
	assert_non_null(strstr(emu_usb_violation(f.u, 3), "without an erase"));
	assert_int_equal(emu_usb_stats(f.u)->violations, 4);
	hfx_free(&f);
}

static void
test_knobs(void **state)
{
	struct hfx f;
	struct iw_error err;

	(void)state;
	/* busy-first: no answer for MS, the first block lost. */
	hfx_make(&f, 0, "busy-first=3000");
	assert_int_equal(report(&f, 0x0000, 0x11), -ETIMEDOUT);
	assert_true(f.r.no_answer);
	f.now += 2999000;
	assert_int_equal(report(&f, 0x0000, 0x11), -ETIMEDOUT);
	assert_int_equal(emu_usb_stats(f.u)->busy_ignored, 2);
	f.now += 1000;
	assert_int_equal(report(&f, 0x0000, 0x11), HALFKAY_32U4_REPORT);
	assert_int_equal(flash_at(&f, 0x0000), 0x11);
	assert_int_equal(emu_usb_stats(f.u)->erases, 1);
	hfx_free(&f);
	/* vanish=2: off the bus after two reports. */
	hfx_make(&f, 1000, "vanish=2");
	assert_int_equal(report(&f, 0x0000, 0x11), HALFKAY_32U4_REPORT);
	f.now += 1000;
	assert_int_equal(report(&f, 0x0080, 0x11), HALFKAY_32U4_REPORT);
	assert_true(emu_usb_unplugged(f.u));
	assert_false(emu_usb_rebooted(f.u));
	f.now += 10000;
	assert_int_equal(report(&f, 0x0100, 0x11), -ENODEV);
	hfx_free(&f);
	/* stall=1: from the second report on. */
	hfx_make(&f, 1000, "stall=1");
	assert_int_equal(report(&f, 0x0000, 0x11), HALFKAY_32U4_REPORT);
	f.now += 1000;
	assert_int_equal(report(&f, 0x0080, 0x11), -EPIPE);
	assert_int_equal(report(&f, 0x0080, 0x11), -EPIPE);
	/* The programmers' knobs are not HalfKay's, and the reverse. */
	assert_int_equal(emu_usb_set_fault(f.u, "short=1", &err), IW_USAGE);
	assert_int_equal(emu_usb_set_fault(f.u, "busy-first", &err), IW_USAGE);
	assert_int_equal(emu_usb_set_fault(f.u, "no-such", &err), IW_NOT_FOUND);
	hfx_free(&f);
	{
		struct emu_usb_options o = { .kind = EMU_USB_USBTINY };
		struct sim_target *t = sim_target_new(fx_part("atmega32u4"), NULL, &err);
		struct emu_usb *u = emu_usb_new(&o, t, &err);

		assert_int_equal(emu_usb_set_fault(u, "vanish=1", &err), IW_USAGE);
		assert_null(emu_usb_interface_driver(u));
		emu_usb_free(u);
		sim_target_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_erase_then_write),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_knobs),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
