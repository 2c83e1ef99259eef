/*
 * test-sim-target-faults.c - the simulated target's fault knobs (no
 * power, RESET not wired, MISO open, MOSI/SCK swapped, wrong part,
 * corrupt read, disconnect, locked chip) and the parser of their specs.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sim-target-fixture.h"

/* --- faults -------------------------------------------------------------- */

static void
set_fault(struct sim_target *t, const char *spec, const struct catalog_part *p)
{
	struct sim_fault f;
	struct iw_error err = { 0 };

	if (sim_target_fault_parse(spec, &f, &err) != IW_OK)
		fail_msg("%s: %s", spec, err.msg);
	f.part = p;
	if (sim_target_set_fault(t, &f, &err) != IW_OK)
		fail_msg("%s: %s", spec, err.msg);
}

static void
read_signature(struct sim_target *t, uint8_t sig[3])
{
	int i;

	for (i = 0; i < 3; i++)
		sig[i] = isp(t, 0x30, 0x00, (uint8_t)i, 0x00);
}

static void
test_fault_no_power(void **state)
{
	struct sim_target *t = *state;
	uint8_t sig[3], out[4];

	set_fault(t, "no-power", NULL);
	sim_target_set_reset(t, true);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_equal(out[2], 0x00);
	read_signature(t, sig);
	assert_int_equal(sig[0] | sig[1] | sig[2], 0x00);
	assert_true(sim_target_has_fault(t, SIM_FAULT_NO_POWER));
	sim_target_clear_fault(t, SIM_FAULT_NO_POWER);
	assert_true(enter(t, 125000));
}

static void
test_fault_reset_not_wired(void **state)
{
	struct sim_target *t = *state;
	uint8_t out[4];

	set_fault(t, "reset-not-wired", NULL);
	sim_target_set_reset(t, true);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_equal(out[2], 0xFF);
	assert_false(sim_target_in_programming_mode(t));
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

static void
test_fault_miso_open(void **state)
{
	struct sim_target *t = *state;
	uint8_t sig[3], out[4];

	set_fault(t, "miso-open", NULL);
	sim_target_set_reset(t, true);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_equal(out[2], 0xFF);
	read_signature(t, sig);
	assert_int_equal(sig[0] & sig[1] & sig[2], 0xFF);
	/* The chip itself heard everything. */
	assert_true(sim_target_in_programming_mode(t));
	isp(t, 0xC0, 0x00, 0x00, 0x5A);
	assert_int_equal(sim_target_eeprom(t)[0], 0x5A);
}

static void
test_fault_mosi_sck_swapped(void **state)
{
	struct sim_target *t = *state;
	uint8_t out[4];
	int i;

	set_fault(t, "mosi-sck-swapped", NULL);
	sim_target_set_reset(t, true);
	for (i = 0; i < 200; i++) {
		isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
		assert_int_not_equal(out[2], 0x53);
	}
	assert_false(sim_target_in_programming_mode(t));
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

static void
test_fault_wrong_part(void **state)
{
	struct sim_target *t = *state;
	struct sim_fault f;
	struct iw_error err = { 0 };
	uint8_t sig[3];

	assert_int_equal(sim_target_fault_parse("wrong-part=atmega16u4", &f, &err), IW_OK);
	assert_string_equal(f.part_id, "atmega16u4");
	/* The caller must resolve the id first. */
	assert_int_equal(sim_target_set_fault(t, &f, &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "atmega16u4"));

	set_fault(t, "wrong-part=atmega16u4", &m16u4);
	assert_ptr_equal(sim_target_part(t), &m16u4);
	assert_true(enter(t, 125000));
	read_signature(t, sig);
	assert_int_equal(sig[1], 0x94);
	assert_int_equal(sig[2], 0x88);
	isp(t, 0x20, 0x20, 0x00, 0x00);   /* byte 0x4000: past 16 KiB */
	assert_int_equal(count(t, SIM_VIOLATION_ADDRESS_RANGE), 1);
}

static void
test_fault_corrupt_read(void **state)
{
	struct sim_target *t = *state;
	struct sim_fault f;
	struct iw_error err = { 0 };
	static const uint8_t data[2] = { 0x10, 0x20 };

	sim_target_preload_flash(t, 0x100, data, 2, NULL);
	set_fault(t, "corrupt-read=0x101", NULL);
	assert_true(enter(t, 125000));
	assert_int_equal(read_flash(t, 0x100), 0x10);
	assert_int_equal(read_flash(t, 0x101), 0x21);
	assert_int_equal(sim_target_flash(t)[0x101], 0x20);

	assert_int_equal(sim_target_fault_parse("corrupt-read=0x8000", &f, &err), IW_OK);
	assert_int_equal(sim_target_set_fault(t, &f, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "0x8000"));
}

static void
test_fault_disconnect_after(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128], sig[3];

	memset(page, 0x00, sizeof page);
	set_fault(t, "disconnect-after=2", NULL);
	assert_true(enter(t, 125000));
	write_page(t, 0x000, page);
	wait_ready(t);
	write_page(t, 0x080, page);
	/* Gone: polls, reads and writes see an open line. */
	assert_int_equal(isp(t, 0xF0, 0x00, 0x00, 0x00), 0xFF);
	read_signature(t, sig);
	assert_int_equal(sig[0] & sig[1] & sig[2], 0xFF);
	sim_target_advance_us(t, 10000);
	write_page(t, 0x100, page);
	assert_int_equal(sim_target_flash(t)[0x100], 0xFF);
	assert_int_equal(sim_target_counters(t)->page_writes, 2);
}

static void
test_fault_locked(void **state)
{
	struct sim_target *t = *state;
	static const uint8_t data[1] = { 0x42 };

	sim_target_preload_flash(t, 0, data, 1, NULL);
	set_fault(t, "locked", NULL);
	assert_true(enter(t, 125000));
	assert_int_equal(isp(t, 0x58, 0x00, 0x00, 0x00), 0xFC);
	assert_int_not_equal(read_flash(t, 0), 0x42);
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	wait_ready(t);
	assert_int_equal(isp(t, 0x58, 0x00, 0x00, 0x00), 0xFF);
}

static void
test_fault_parse(void **state)
{
	struct sim_fault f;
	struct iw_error err = { 0 };
	int k;

	(void)state;
	for (k = 0; k < SIM_FAULT_COUNT; k++) {
		char spec[96];

		snprintf(spec, sizeof spec, "%s%s", sim_target_fault_name((enum sim_fault_kind)k),
			 sim_target_fault_param((enum sim_fault_kind)k) == SIM_FAULT_PARAM_NUMBER ? "=12"
			 : sim_target_fault_param((enum sim_fault_kind)k) == SIM_FAULT_PARAM_PART ? "=x" : "");
		assert_int_equal(sim_target_fault_parse(spec, &f, &err), IW_OK);
		assert_int_equal(f.kind, k);
		assert_true(strlen(sim_target_fault_help((enum sim_fault_kind)k)) > 0);
	}
	assert_int_equal(sim_target_fault_parse("disconnect-after=0x10", &f, &err), IW_OK);
	assert_int_equal(f.param, 16);

	assert_int_equal(sim_target_fault_parse("brownout", &f, &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "brownout"));
	assert_non_null(strstr(err.msg, "miso-open"));
	assert_int_equal(sim_target_fault_parse("corrupt-read", &f, &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "corrupt-read=N"));
	assert_int_equal(sim_target_fault_parse("corrupt-read=12x", &f, &err), IW_USAGE);
	assert_int_equal(sim_target_fault_parse("corrupt-read=-1", &f, &err), IW_USAGE);
	assert_int_equal(sim_target_fault_parse("disconnect-after=0x100000000", &f, &err), IW_USAGE);
	assert_int_equal(sim_target_fault_parse("locked=1", &f, &err), IW_USAGE);
	assert_int_equal(sim_target_fault_parse("wrong-part=", &f, &err), IW_USAGE);
	assert_int_equal(sim_target_fault_parse(
		"wrong-part=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		&f, &err), IW_USAGE);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_fault_no_power),
		T(test_fault_reset_not_wired),
		T(test_fault_miso_open),
		T(test_fault_mosi_sck_swapped),
		T(test_fault_wrong_part),
		T(test_fault_corrupt_read),
		T(test_fault_disconnect_after),
		T(test_fault_locked),
		T(test_fault_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
