/*
 * test-atmel-dfu.c - the Atmel DFU client (src/boot/boot-atmel-dfu.c)
 * against the emulated bootloader (src/sim/emu-atmel-dfu.h) through libusb,
 * in-process under umockdev (tests/atmel-dfu-driver.sh): what it says about
 * the device, erase-write-read-start, the 64 KiB pages, where the
 * bootloader's own section comes from, the security bit (a read before the
 * erase says an erase is needed), a status error, the device resetting in
 * the middle, and a device left in any DFU state by another host.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/atmel-dfu-proto.h"
#include "boot/boot.h"
#include "core/clock.h"
#include "engine-fixture.h"
#include "sim/emu-atmel-dfu.h"
#include "usb-emu-dfu.h"


struct afx {
	UMockdevTestbed *tb;
	struct sim_target *t;
	struct emu_dfu *d;
	struct usb_emu_dfu bus;
	bool plugged;
	struct boot b;
	bool open;
	struct iw_error err;
	struct catalog *cat;        /* the catalog the client gets */
};

static int
afx_setup(void **state)
{
	struct afx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	if (getenv("LD_PRELOAD") == NULL ||
	    strstr(getenv("LD_PRELOAD"), "libumockdev-preload") == NULL) {
		fprintf(stderr, "run me through tests/atmel-dfu-driver.sh (umockdev preload)\n");
		free(f);
		return -1;
	}
	f->tb = umockdev_testbed_new();
	f->cat = &fx_catalog;
	*state = f;
	return 0;
}

static int
afx_teardown(void **state)
{
	struct afx *f = *state;

	if (f->open)
		boot_close(&f->b);
	if (f->plugged)
		usb_emu_dfu_free(&f->bus);
	emu_dfu_free(f->d);
	sim_target_free(f->t);
	g_object_unref(f->tb);
	free(f);
	return 0;
}

/* The chip `part` in its bootloader, with knobs (NULL-terminated). */
static void
afx_plug(struct afx *f, const char *part, uint16_t pid, const char *const *knobs)
{
	struct emu_dfu_options o;
	struct iw_error err;

	memset(&o, 0, sizeof o);
	o.pid = pid;
	o.times_given = true;
	o.erase_us = 20000;
	o.page_us = 0;
	f->t = sim_target_new(fx_part(part), NULL, &err);
	assert_non_null(f->t);
	f->d = emu_dfu_new(&o, f->t, &err);
	if (f->d == NULL)
		fail_msg("%s", err.msg);
	for (size_t i = 0; knobs != NULL && knobs[i] != NULL; i++)
		assert_int_equal(emu_dfu_set_fault(f->d, knobs[i], &err), IW_OK);
	if (usb_emu_dfu_init(&f->bus, f->tb, f->d, NULL, 0, &err) != IW_OK)
		fail_msg("%s", err.msg);
	f->plugged = true;
}

static enum iw_status
afx_open(struct afx *f, const char *part)
{
	struct boot_options opt;
	enum iw_status st;

	if (f->open)
		boot_close(&f->b);
	memset(&opt, 0, sizeof opt);
	opt.catalog = f->cat;
	opt.part = fx_part(part);
	iw_error_clear(&f->err);
	st = boot_open(&f->b, boot_driver_find("atmel-dfu"), &opt, &f->err);
	f->open = st == IW_OK;
	return st;
}

static void
afx_must_open(struct afx *f, const char *part)
{
	if (afx_open(f, part) != IW_OK)
		fail_msg("open: %s", f->err.msg);
}

static void
contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", text, want);
}

static void
pattern(uint8_t *b, uint32_t addr, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)((addr + i) * 13u + (addr >> 10) + 1u);
}

static void
must(struct afx *f, enum iw_status st, const char *what)
{
	if (st != IW_OK)
		fail_msg("%s: %s", what, f->err.msg);
}

static void
write_block(struct afx *f, uint32_t addr)
{
	uint8_t data[1024];

	pattern(data, addr, sizeof data);
	must(f, f->b.driver->write(&f->b, addr, data, sizeof data, &f->err), "write");
}

static void
check_block(struct afx *f, uint32_t addr)
{
	uint8_t want[1024], got[1024];

	pattern(want, addr, sizeof want);
	must(f, f->b.driver->read(&f->b, addr, got, sizeof got, &f->err), "read");
	assert_memory_equal(got, want, sizeof want);
	assert_memory_equal(sim_target_flash(f->t) + addr, want, sizeof want);
}

/* Do what the bus does until `done` or 3 s. */
static bool
afx_wait(struct afx *f, bool (*done)(struct afx *))
{
	uint64_t t0 = iw_clock_ms();

	while (iw_clock_ms() - t0 < 3000) {
		assert_true(usb_emu_dfu_step(&f->bus));
		if (done(f))
			return true;
		iw_sleep_ms(2);
	}
	return false;
}

static bool
gone(struct afx *f)
{
	return emu_dfu_bus(f->d, NULL, NULL) == EMU_DFU_OFF_BUS;
}

static bool
back(struct afx *f)
{
	return emu_dfu_bus(f->d, NULL, NULL) == EMU_DFU_ON_BUS && f->bus.n >= 2;
}

/* --- the device ----------------------------------------------------------------------- */

static void
test_open_says_what_it_is(void **state)
{
	struct afx *f = *state;

	afx_plug(f, "atmega32u4", 0, NULL);
	afx_must_open(f, "atmega32u4");
	assert_true(f->b.info.have_signature);
	assert_memory_equal(f->b.info.signature, fx_part("atmega32u4")->signature, 3);
	assert_ptr_equal(f->b.info.part, fx_part("atmega32u4"));
	/* The catalog's file for the 32U4 starts at 0x7000. */
	assert_int_equal(f->b.info.app_end, 0x7000);
	assert_int_equal(f->b.info.flash_size, 32768);
	assert_int_equal(f->b.info.block_size, ATMEL_DFU_MAX_TRANSFER);
	assert_true(f->b.info.can_read);
	assert_true(f->b.info.explicit_erase);
	assert_false(f->b.info.first_block_erases);
	assert_string_equal(f->b.info.name, "Atmel DFU");
	assert_string_equal(f->b.info.version, "version 0x00");
	assert_string_equal(f->b.info.where, "USB 1-2");
	assert_int_equal(emu_dfu_violation_count(f->d), 0);
}

static void
test_erase_write_read_start(void **state)
{
	struct afx *f = *state;

	afx_plug(f, "atmega32u4", 0, NULL);
	assert_int_equal(sim_target_preload_flash(f->t, 0x2000, (const uint8_t *)"old", 3, NULL),
			 IW_OK);
	afx_must_open(f, "atmega32u4");
	must(f, f->b.driver->erase(&f->b, &f->err), "erase");
	assert_int_equal(sim_target_flash(f->t)[0x2000], 0xFF);
	assert_int_equal(emu_dfu_stats(f->d)->blank_checks, 1);
	write_block(f, 0x0000);
	write_block(f, 0x6C00);                  /* the last below the bootloader */
	check_block(f, 0x0000);
	check_block(f, 0x6C00);
	must(f, f->b.driver->start_app(&f->b, &f->err), "start");
	assert_true(emu_dfu_app_running(f->d));
	assert_true(afx_wait(f, gone));
	assert_int_equal(emu_dfu_violation_count(f->d), 0);
}

/* The AT90USB1286: blocks on both sides of 64 KiB, the page selected for
 * each. */
static void
test_pages(void **state)
{
	struct afx *f = *state;

	afx_plug(f, "at90usb1286", 0, NULL);
	afx_must_open(f, "at90usb1286");
	assert_int_equal(f->b.info.app_end, 0x1E000);
	must(f, f->b.driver->erase(&f->b, &f->err), "erase");
	write_block(f, 0x0FC00);
	write_block(f, 0x10000);
	write_block(f, 0x1DC00);
	check_block(f, 0x0FC00);
	check_block(f, 0x10000);
	check_block(f, 0x1DC00);
	assert_true(emu_dfu_stats(f->d)->page_selects >= 4);
	assert_int_equal(emu_dfu_violation_count(f->d), 0);
}

/* Past the application area: padding is not sent, data is refused. */
static void
test_block_past_app_end(void **state)
{
	struct afx *f = *state;
	uint8_t data[1024];

	afx_plug(f, "atmega32u4", 0, NULL);
	afx_must_open(f, "atmega32u4");
	memset(data, 0xFF, sizeof data);
	must(f, f->b.driver->write(&f->b, 0x7000, data, sizeof data, &f->err), "padding");
	data[5] = 0x12;
	assert_int_equal(f->b.driver->write(&f->b, 0x7000, data, sizeof data, &f->err), IW_RANGE);
	contains(f->err.msg, "0x07000, the bootloader's own section");
	assert_int_equal(emu_dfu_stats(f->d)->program_commands, 0);
}

/* Another part than -p answers: the client reports what it is (the job
 * refuses it by the signature). */
static void
test_other_part(void **state)
{
	struct afx *f = *state;

	afx_plug(f, "atmega16u4", 0, NULL);
	afx_must_open(f, "atmega32u4");
	assert_memory_equal(f->b.info.signature, fx_part("atmega16u4")->signature, 3);
	assert_ptr_equal(f->b.info.part, fx_part("atmega16u4"));
	assert_int_equal(f->b.info.app_end, 0x3000);
	assert_int_equal(f->b.info.flash_size, 16384);
}

/* --- where the bootloader's section comes from ------------------------------------ */

static void
test_section_from_preset(void **state)
{
	static const char mine[] =
		"version: 1\nbootloaders:\n"
		"  - id: atmel-dfu-atmega32u4\n"
		"    family: atmel-dfu\n"
		"    name: ATmega32U4, a 2 KiB build\n"
		"    part: atmega32u4\n"
		"    usb_id: \"03EB:2FF4\"\n"
		"    presets: [ { name: default, lfuse: 0x5E, hfuse: 0x9B, efuse: 0xF3 } ]\n";
	struct afx *f = *state;
	struct catalog cat;
	struct iw_error err;

	catalog_init(&cat);
	assert_int_equal(catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err), IW_OK);
	if (catalog_load_buffer(&cat, "mine.yaml", mine, sizeof mine - 1, &err) != IW_OK)
		fail_msg("%s", err.msg);
	f->cat = &cat;
	afx_plug(f, "atmega32u4", 0, NULL);
	afx_must_open(f, "atmega32u4");
	/* hfuse 0x9B: BOOTSZ=01, 1024 words from word 0x3C00. */
	assert_int_equal(f->b.info.app_end, 0x7800);
	boot_close(&f->b);
	f->open = false;
	catalog_free(&cat);
}

static void
test_no_catalog_entry(void **state)
{
	struct afx *f = *state;

	afx_plug(f, "atmega328p", ATMEL_DFU_PID_ATMEGA32U4, NULL);
	assert_int_equal(afx_open(f, "atmega328p"), IW_NOT_FOUND);
	contains(f->err.msg, "the catalog has no Atmel DFU bootloader for the ATmega328P");
	contains(f->err.msg, "writes nothing");
}

/* --- faults ------------------------------------------------------------------------ */

/* The security bit: open says so, a read before the erase says an erase
 * is needed, so does a write; the erase clears it. */
static void
test_secured(void **state)
{
	static const char *const knobs[] = { "secured", NULL };
	struct afx *f = *state;
	uint8_t buf[1024];

	afx_plug(f, "atmega32u4", 0, knobs);
	afx_must_open(f, "atmega32u4");
	contains(f->b.info.where, "its security bit is set");
	assert_int_equal(f->b.driver->read(&f->b, 0, buf, 128, &f->err), IW_PROTOCOL);
	contains(f->err.msg, "reading 0x00000-0x0007F");
	contains(f->err.msg, "errFILE");
	contains(f->err.msg, "erase first");
	pattern(buf, 0, sizeof buf);
	assert_int_equal(f->b.driver->write(&f->b, 0, buf, sizeof buf, &f->err), IW_PROTOCOL);
	contains(f->err.msg, "errWRITE");
	contains(f->err.msg, "security bit is set");
	assert_int_equal(sim_target_flash(f->t)[0], 0xFF);
	must(f, f->b.driver->erase(&f->b, &f->err), "erase");
	assert_false(emu_dfu_secured(f->d));
	write_block(f, 0);
	check_block(f, 0);
}

static void
test_status_error(void **state)
{
	static const char *const knobs[] = { "status-error=1", NULL };
	struct afx *f = *state;
	uint8_t data[1024];

	afx_plug(f, "atmega32u4", 0, knobs);
	afx_must_open(f, "atmega32u4");
	must(f, f->b.driver->erase(&f->b, &f->err), "erase");
	write_block(f, 0x0000);
	pattern(data, 0x0400, sizeof data);
	assert_int_equal(f->b.driver->write(&f->b, 0x0400, data, sizeof data, &f->err),
			 IW_PROTOCOL);
	contains(f->err.msg, "writing 0x00400-0x007FF");
	contains(f->err.msg, "errWRITE");
	contains(f->err.msg, "run the upload again");
	/* The client cleared the status: the bootloader goes on. */
	write_block(f, 0x0400);
	check_block(f, 0x0400);
}

/* The chip resets in the middle: the write fails as gone, the device comes
 * back on its own, and a new session works. */
static void
test_reenumerate(void **state)
{
	static const char *const knobs[] = { "reenumerate=1", NULL };
	struct afx *f = *state;
	uint8_t data[1024];

	afx_plug(f, "atmega32u4", 0, knobs);
	afx_must_open(f, "atmega32u4");
	must(f, f->b.driver->erase(&f->b, &f->err), "erase");
	write_block(f, 0x0000);
	pattern(data, 0x0400, sizeof data);
	assert_int_equal(f->b.driver->write(&f->b, 0x0400, data, sizeof data, &f->err),
			 IW_NO_PROGRAMMER);
	contains(f->err.msg, "is gone");
	boot_close(&f->b);
	f->open = false;
	assert_true(afx_wait(f, back));
	assert_int_equal(emu_dfu_stats(f->d)->enumerations, 2);
	afx_must_open(f, "atmega32u4");
	assert_string_equal(f->b.info.where, "USB 1-2");
	write_block(f, 0x0400);
	check_block(f, 0x0000);
	check_block(f, 0x0400);
}

/* Another host left the bootloader in dfuERROR, or in the middle of a
 * read: open gets it back to dfuIDLE. */
static void
test_left_in_any_state(void **state)
{
	struct afx *f = *state;
	const uint8_t upload[8] = { ATMEL_DFU_TYPE_IN, ATMEL_DFU_UPLOAD, 0, 0, 0, 0, 1, 0 };
	uint8_t read_cmd[8] = { ATMEL_DFU_TYPE_OUT, ATMEL_DFU_DNLOAD, 0, 0, 0, 0, 6, 0 };
	uint8_t cmd[6] = { ATMEL_DFU_DISPLAY, 0, 0, 0, 0, 0x0F }, b[1];
	struct emu_usb_reply r;

	afx_plug(f, "atmega32u4", 0, NULL);
	usb_emu_lock(usb_emu_dfu_port(&f->bus));
	emu_dfu_control(f->d, upload, b, 1, iw_clock_us(), &r);      /* dfuERROR */
	usb_emu_unlock(usb_emu_dfu_port(&f->bus));
	assert_int_equal(r.status, -EPIPE);
	afx_must_open(f, "atmega32u4");
	assert_true(emu_dfu_stats(f->d)->clrstatus >= 1);
	boot_close(&f->b);
	f->open = false;
	usb_emu_lock(usb_emu_dfu_port(&f->bus));
	emu_dfu_control(f->d, read_cmd, cmd, 6, iw_clock_us(), &r);  /* dfuUPLOAD-IDLE */
	usb_emu_unlock(usb_emu_dfu_port(&f->bus));
	assert_int_equal(r.status, 6);
	afx_must_open(f, "atmega32u4");
	assert_true(emu_dfu_stats(f->d)->aborts >= 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_says_what_it_is, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_erase_write_read_start, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_pages, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_block_past_app_end, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_other_part, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_section_from_preset, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_no_catalog_entry, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_secured, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_status_error, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_reenumerate, afx_setup, afx_teardown),
		cmocka_unit_test_setup_teardown(test_left_in_any_state, afx_setup, afx_teardown),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
