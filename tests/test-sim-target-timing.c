/*
 * test-sim-target-timing.c - the simulated target in time and on its
 * pins: what reads and writes do while the chip is busy, virtual and
 * real time, the clock the fuses select with the SCK limit that follows
 * from it, and the power and RESET lines.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <time.h>

#include "sim-target-fixture.h"

/* --- time ------------------------------------------------------------------ */

static void
test_busy_polling_in_virtual_time(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];
	uint64_t t0;
	int polls = 0;

	memset(page, 0x00, sizeof page);
	assert_true(enter(t, 125000));
	write_page(t, 0x100, page);
	t0 = sim_target_now_us(t);
	while ((isp(t, 0xF0, 0x00, 0x00, 0x00) & 1) != 0)
		polls++;
	/* 32 bits at 125 kHz = 256 us per poll: about 4.5 ms of polling. */
	assert_in_range(polls, 16, 18);
	assert_in_range(sim_target_now_us(t) - t0, 4500, 4500 + 2 * 256);
}

static void
test_reads_of_busy_page_return_ff(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];

	memset(page, 0x00, sizeof page);
	sim_target_preload_flash(t, 0x200, page, 1, NULL);
	assert_true(enter(t, 125000));
	write_page(t, 0x100, page);
	assert_int_equal(read_flash(t, 0x100), 0xFF);
	assert_int_equal(count(t, SIM_VIOLATION_READ_WHILE_BUSY), 1);
	assert_int_equal(read_flash(t, 0x200), 0x00);   /* another page */
	sim_target_advance_us(t, SIM_TARGET_FLASH_DELAY_US);
	assert_int_equal(read_flash(t, 0x100), 0x00);
}

static void
test_write_while_busy_is_lost(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];

	memset(page, 0x00, sizeof page);
	assert_true(enter(t, 125000));
	write_page(t, 0x000, page);
	isp(t, 0x4C, 0x00, 0x40, 0x00);   /* next page, no wait */
	assert_int_equal(count(t, SIM_VIOLATION_WRITE_WHILE_BUSY), 1);
	isp(t, 0xAC, 0xA0, 0x00, 0xFF);
	assert_int_equal(count(t, SIM_VIOLATION_WRITE_WHILE_BUSY), 2);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0x5E);
	assert_int_equal(sim_target_counters(t)->page_writes, 1);
}

static void
test_realtime_mode(void **state)
{
	struct sim_target_options o = { .realtime = true };
	struct sim_target *t = new_target(&m32u4, &o);
	struct timespec ts = { 0, 12 * 1000 * 1000 };
	struct timespec before, after;
	long elapsed_us;

	assert_true(enter(t, 125000));
	clock_gettime(CLOCK_MONOTONIC, &before);
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	clock_gettime(CLOCK_MONOTONIC, &after);
	elapsed_us = (after.tv_sec - before.tv_sec) * 1000000L +
		     (after.tv_nsec - before.tv_nsec) / 1000L;
	/* Busy for 9 ms of real time (unless this machine stalled that long
	 * between the two lines). */
	if (elapsed_us < 8000)
		assert_true(sim_target_busy(t));
	nanosleep(&ts, NULL);
	assert_false(sim_target_busy(t));
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	sim_target_advance_us(t, 10000);
	assert_false(sim_target_busy(t));
	sim_target_free(t);
	(void)state;
}

/* --- clock and SCK ------------------------------------------------------- */

static void
test_clock_from_fuses(void **state)
{
	struct sim_target_options o = { .crystal_hz = 8000000 };
	struct sim_target *t = *state, *u;

	/* Factory 32U4 on a 16 MHz board: crystal / 8. */
	assert_int_equal(sim_target_clock_hz(t), 2000000);
	assert_int_equal(sim_target_max_sck_hz(t), 500000);
	u = new_target(&m32u4, &o);
	assert_int_equal(sim_target_clock_hz(u), 1000000);
	sim_target_free(u);
	/* 328P factory 0x62: internal RC 8 MHz / 8. */
	u = new_target(&m328p, NULL);
	assert_int_equal(sim_target_clock_hz(u), 1000000);
	assert_int_equal(sim_target_max_sck_hz(u), 250000);
	sim_target_free(u);
	/* 32A factory 0xE1 (no fields, no CKDIV8): internal RC 1 MHz. */
	u = new_target(&m32a, NULL);
	assert_int_equal(sim_target_clock_hz(u), 1000000);
	sim_target_free(u);
}

static void
test_ckdiv8_rejects_fast_sck(void **state)
{
	struct sim_target *t = *state;
	uint8_t out[4];

	sim_target_set_reset(t, true);
	sim_target_set_sck(t, 1000000);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_not_equal(out[2], 0x53);
	assert_int_not_equal(out[1], 0xAC);   /* shifted garbage, not an echo */
	assert_false(sim_target_in_programming_mode(t));
	assert_int_equal(count(t, SIM_VIOLATION_SCK_TOO_FAST), 1);

	sim_target_set_sck(t, 250000);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_equal(out[2], 0x53);
	assert_true(sim_target_in_programming_mode(t));

	/* Once in, a too-fast instruction is garbled and does nothing. */
	sim_target_set_sck(t, 1000000);
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	assert_int_equal(sim_target_counters(t)->erases, 0);
	assert_int_not_equal(isp(t, 0x30, 0x00, 0x00, 0x00), 0x1E);
}

static void
test_fuse_change_applies_after_leaving_programming(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 250000));
	isp(t, 0xAC, 0xA0, 0x00, 0xDE);   /* CKDIV8 unprogrammed */
	wait_ready(t);
	assert_int_equal(isp(t, 0x50, 0x00, 0x00, 0x00), 0xDE);
	assert_int_equal(sim_target_clock_hz(t), 2000000);
	sim_target_set_reset(t, false);
	assert_int_equal(sim_target_clock_hz(t), 16000000);
	/* 16 MHz is >= 12 MHz: SCK must stay below fck/6. */
	assert_int_equal(sim_target_max_sck_hz(t), 2666666);
	assert_true(enter(t, 2000000));
}

/* --- pins -------------------------------------------------------------- */

static void
test_power_and_reset(void **state)
{
	struct sim_target *t = *state;
	uint8_t out[4];

	assert_true(enter(t, 125000));
	sim_target_set_power(t, false);
	isp4(t, 0x30, 0x00, 0x00, 0x00, out);
	assert_int_equal(out[1] | out[2] | out[3], 0x00);
	assert_false(sim_target_in_programming_mode(t));
	sim_target_set_power(t, true);
	assert_true(enter(t, 125000));

	/* RESET released: the firmware runs; nothing answers. */
	sim_target_set_reset(t, false);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_equal(out[2], 0xFF);
	assert_false(sim_target_in_programming_mode(t));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_busy_polling_in_virtual_time),
		T(test_reads_of_busy_page_return_ff),
		T(test_write_while_busy_is_lost),
		T(test_realtime_mode),
		T(test_clock_from_fuses),
		T(test_ckdiv8_rejects_fast_sck),
		T(test_fuse_change_applies_after_leaving_programming),
		T(test_power_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
