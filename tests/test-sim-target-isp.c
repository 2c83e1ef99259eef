/*
 * test-sim-target-isp.c - the simulated AVR target against the
 * datasheet's serial programming instructions: Programming Enable and
 * its echo, signature and calibration reads, flash pages, chip erase,
 * EEPROM, and the fuse and lock bits.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "sim-target-fixture.h"

/* --- programming enable, echo, reads ---------------------------------- */

static void
test_enable_echo_on_third_byte(void **state)
{
	struct sim_target *t = *state;
	uint8_t out[4];

	sim_target_set_sck(t, 125000);
	sim_target_set_reset(t, true);
	assert_false(sim_target_in_programming_mode(t));
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	/* Each byte comes back one byte later. */
	assert_int_equal(out[1], 0xAC);
	assert_int_equal(out[2], 0x53);
	assert_int_equal(out[3], 0x00);
	assert_true(sim_target_in_programming_mode(t));
	assert_int_equal(sim_target_counters(t)->enables, 1);
	/* The next instruction starts with the last byte of this one. */
	isp4(t, 0x30, 0x00, 0x00, 0x00, out);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(out[1], 0x30);
}

static void
test_instructions_before_enable_are_ignored(void **state)
{
	struct sim_target *t = *state;
	uint8_t out[4];

	sim_target_set_reset(t, true);
	isp4(t, 0x30, 0x00, 0x00, 0x00, out);
	assert_int_not_equal(out[3], 0x1E);   /* only the echo */
	assert_int_equal(count(t, SIM_VIOLATION_NOT_ENABLED), 1);
	isp(t, 0xAC, 0x80, 0x00, 0x00);       /* erase refused too */
	assert_int_equal(sim_target_counters(t)->erases, 0);
}

static void
test_signature_calibration_fuses_lock(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	assert_int_equal(isp(t, 0x30, 0x00, 0x00, 0x00), 0x1E);
	assert_int_equal(isp(t, 0x30, 0x00, 0x01, 0x00), 0x95);
	assert_int_equal(isp(t, 0x30, 0x00, 0x02, 0x00), 0x87);
	assert_int_equal(isp(t, 0x38, 0x00, 0x00, 0x00), SIM_TARGET_DEFAULT_CALIBRATION);
	assert_int_equal(isp(t, 0x50, 0x00, 0x00, 0x00), 0x5E);
	assert_int_equal(isp(t, 0x58, 0x08, 0x00, 0x00), 0x99);
	assert_int_equal(isp(t, 0x50, 0x08, 0x00, 0x00), 0xF3);
	assert_int_equal(isp(t, 0x58, 0x00, 0x00, 0x00), 0xFF);
	assert_int_equal(sim_target_violation_count(t), 0);
}

static void
test_byte_level_transfer_matches(void **state)
{
	struct sim_target *t = *state;
	static const uint8_t in[4] = { 0x30, 0x00, 0x02, 0x00 };
	uint8_t out[4];
	int i;

	assert_true(enter(t, 125000));
	for (i = 0; i < 4; i++)
		out[i] = sim_target_transfer_byte(t, in[i]);
	assert_int_equal(out[1], 0x30);
	assert_int_equal(out[2], 0x00);
	assert_int_equal(out[3], 0x87);
}

static void
test_unknown_and_missing_fuse_instructions(void **state)
{
	struct sim_target *t;

	make_parts();
	t = new_target(&m32a, NULL);
	assert_true(enter(t, 100000));
	isp(t, 0x77, 0x00, 0x00, 0x00);
	assert_int_equal(count(t, SIM_VIOLATION_UNKNOWN), 1);
	/* The 32A has no extended fuse: 50 08 is not an instruction for it. */
	assert_int_not_equal(isp(t, 0x50, 0x08, 0x00, 0x00), 0xFF);
	isp(t, 0xAC, 0xA4, 0x00, 0x00);
	assert_int_equal(count(t, SIM_VIOLATION_UNKNOWN), 3);
	assert_int_equal(sim_target_fuse(t, FUSE_EXT), 0xFF);
	sim_target_free(t);
	(void)state;
}

/* --- flash ------------------------------------------------------------ */

static void
test_page_write_and_read_back(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];
	uint32_t i;

	for (i = 0; i < sizeof page; i++)
		page[i] = (uint8_t)(i * 3);
	assert_true(enter(t, 125000));
	write_page(t, 0x0100, page);
	wait_ready(t);
	for (i = 0; i < sizeof page; i++)
		assert_int_equal(read_flash(t, 0x0100 + i), page[i]);
	assert_memory_equal(sim_target_flash(t) + 0x100, page, sizeof page);
	assert_int_equal(read_flash(t, 0x0180), 0xFF);
	assert_int_equal(sim_target_counters(t)->page_writes, 1);
	assert_int_equal(sim_target_counters(t)->flash_bytes_written, 128);
	assert_int_equal(sim_target_violation_count(t), 0);
}

static void
test_page_buffer_is_reset_after_write(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];

	memset(page, 0x00, sizeof page);
	assert_true(enter(t, 125000));
	isp(t, 0x40, 0x00, 0x00, 0x12);
	isp(t, 0x4C, 0x00, 0x00, 0x00);
	wait_ready(t);
	assert_int_equal(read_flash(t, 0), 0x12);
	/* Without new loads the buffer is all 0xFF: the next page stays blank. */
	isp(t, 0x4C, 0x00, 0x40, 0x00);
	wait_ready(t);
	assert_int_equal(read_flash(t, 0x80), 0xFF);
	(void)page;
}

static void
test_in_page_offset_bits(void **state)
{
	struct sim_target *t = *state;
	struct sim_target *u;

	/* 64-word pages: offset bits beyond 6 are ignored, and so are the
	 * in-page bits of the Write Page address. */
	assert_true(enter(t, 125000));
	isp(t, 0x40, 0x00, 0x41, 0xAB);   /* word 0x41 -> offset 1 */
	isp(t, 0x4C, 0x00, 0x47, 0x00);   /* word 0x47 -> page at word 0x40 */
	wait_ready(t);
	assert_int_equal(read_flash(t, 0x82), 0xAB);

	/* 128-word pages (AT90USB128x): 7 offset bits. */
	u = new_target(&usb1286, NULL);
	assert_true(enter(u, 125000));
	isp(u, 0x48, 0x00, 0x7F, 0xCD);
	isp(u, 0x4C, 0x01, 0x00, 0x00);   /* word 0x100 = byte 0x200 */
	wait_ready(u);
	assert_int_equal(sim_target_flash(u)[0x200 + 0xFF], 0xCD);
	sim_target_free(u);
}

static void
test_write_without_erase_ands_and_is_logged(void **state)
{
	struct sim_target *t = *state;
	const struct sim_violation *v;
	uint8_t page[128];

	assert_true(enter(t, 125000));
	memset(page, 0xF0, sizeof page);
	write_page(t, 0, page);
	wait_ready(t);
	assert_int_equal(count(t, SIM_VIOLATION_WRITE_NO_ERASE), 0);

	/* 0x0F over 0xF0: the four high bits cannot come back; result 0x00. */
	memset(page, 0x0F, sizeof page);
	write_page(t, 0, page);
	wait_ready(t);
	assert_int_equal(read_flash(t, 0), 0x00);
	assert_int_equal(count(t, SIM_VIOLATION_WRITE_NO_ERASE), 1);
	v = sim_target_violation(t, 0);
	assert_non_null(v);
	assert_int_equal(v->kind, SIM_VIOLATION_WRITE_NO_ERASE);
	assert_int_equal(v->address, 0);
	assert_int_equal(v->detail, 128 * 4);

	/* Clearing more bits without erase is legal and silent. */
	memset(page, 0x00, sizeof page);
	write_page(t, 0, page);
	wait_ready(t);
	assert_int_equal(count(t, SIM_VIOLATION_WRITE_NO_ERASE), 1);
}

static void
test_extended_address(void **state)
{
	struct sim_target *t;

	make_parts();
	t = new_target(&big, NULL);
	assert_true(enter(t, 125000));
	isp(t, 0x4D, 0x00, 0x01, 0x00);
	isp(t, 0x40, 0x00, 0x00, 0x5A);
	isp(t, 0x4C, 0x00, 0x00, 0x00);
	wait_ready(t);
	assert_int_equal(sim_target_flash(t)[0x20000], 0x5A);
	assert_int_equal(sim_target_flash(t)[0], 0xFF);
	assert_int_equal(isp(t, 0x20, 0x00, 0x00, 0x00), 0x5A);
	/* It stays loaded across a chip erase, until loaded again. */
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	wait_ready(t);
	isp(t, 0x40, 0x00, 0x01, 0x77);
	isp(t, 0x4C, 0x00, 0x00, 0x00);
	wait_ready(t);
	assert_int_equal(sim_target_flash(t)[0x20002], 0x77);
	isp(t, 0x4D, 0x00, 0x00, 0x00);
	assert_int_equal(isp(t, 0x20, 0x00, 0x01, 0x00), 0xFF);
	sim_target_free(t);
	(void)state;
}

static void
test_address_beyond_flash_wraps_and_is_logged(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0x20, 0x40, 0x00, 0x00);   /* word 0x4000 = byte 0x8000 */
	assert_int_equal(count(t, SIM_VIOLATION_ADDRESS_RANGE), 1);
}

/* --- erase ------------------------------------------------------------- */

static void
test_erase_clears_flash_eeprom_lock_not_fuses(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];

	memset(page, 0x11, sizeof page);
	assert_true(enter(t, 125000));
	write_page(t, 0, page);
	wait_ready(t);
	isp(t, 0xC0, 0x00, 0x10, 0x42);
	wait_ready(t);
	isp(t, 0xAC, 0xA0, 0x00, 0xFF);   /* lfuse */
	wait_ready(t);
	isp(t, 0xAC, 0xE0, 0x00, 0xFE);   /* LB1 */
	wait_ready(t);
	assert_int_equal(sim_target_lock(t), 0xFE);

	isp(t, 0xAC, 0x80, 0x00, 0x00);
	assert_true(sim_target_busy(t));
	wait_ready(t);
	/* Programming continues without a new enable. */
	assert_int_equal(read_flash(t, 0), 0xFF);
	assert_int_equal(isp(t, 0xA0, 0x00, 0x10, 0x00), 0xFF);
	assert_int_equal(isp(t, 0x58, 0x00, 0x00, 0x00), 0xFF);
	assert_int_equal(isp(t, 0x50, 0x00, 0x00, 0x00), 0xFF);   /* the lfuse we wrote */
	assert_int_equal(isp(t, 0x58, 0x08, 0x00, 0x00), 0x99);
	assert_int_equal(sim_target_counters(t)->erases, 1);
	/* ... and a re-enable, as avrdude does, is fine too. */
	assert_true(enter(t, 125000));
}

static void
test_erase_keeps_eeprom_with_eesave(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xC0, 0x00, 0x05, 0x42);
	wait_ready(t);
	isp(t, 0xAC, 0xA8, 0x00, 0x91);   /* 0x99 with EESAVE programmed */
	wait_ready(t);
	/* EESAVE acts at once, without leaving programming mode. */
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	wait_ready(t);
	assert_int_equal(isp(t, 0xA0, 0x00, 0x05, 0x00), 0x42);
}

static void
test_erase_takes_9ms(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	sim_target_advance_us(t, 8900);
	assert_true(sim_target_busy(t));
	sim_target_advance_us(t, 200);
	assert_false(sim_target_busy(t));
}

/* --- EEPROM --------------------------------------------------------------- */

static void
test_eeprom_byte_and_page(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xC0, 0x03, 0xFF, 0x77);
	wait_ready(t);
	assert_int_equal(isp(t, 0xA0, 0x03, 0xFF, 0x00), 0x77);
	/* EEPROM bytes are erased as they are written: 0x00 -> 0xFF works. */
	isp(t, 0xC0, 0x03, 0xFF, 0x00);
	wait_ready(t);
	isp(t, 0xC0, 0x03, 0xFF, 0xFF);
	wait_ready(t);
	assert_int_equal(isp(t, 0xA0, 0x03, 0xFF, 0x00), 0xFF);

	/* Page of 4: load bytes 0 and 2 only; 1 and 3 keep their value. */
	isp(t, 0xC0, 0x00, 0x21, 0x99);
	wait_ready(t);
	isp(t, 0xC1, 0x00, 0x00, 0xA0);
	isp(t, 0xC1, 0x00, 0x02, 0xA2);
	isp(t, 0xC2, 0x00, 0x22, 0x00);   /* in-page bits ignored */
	wait_ready(t);
	assert_int_equal(sim_target_eeprom(t)[0x20], 0xA0);
	assert_int_equal(sim_target_eeprom(t)[0x21], 0x99);
	assert_int_equal(sim_target_eeprom(t)[0x22], 0xA2);
	assert_int_equal(sim_target_eeprom(t)[0x23], 0xFF);
	assert_int_equal(sim_target_counters(t)->eeprom_bytes_written, 6);
}

/* --- fuses and lock ---------------------------------------------------- */

static void
test_unused_fuse_bits_read_as_one(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xAC, 0xA4, 0x00, 0x03);
	wait_ready(t);
	assert_int_equal(isp(t, 0x50, 0x08, 0x00, 0x00), 0xF3);
	assert_int_equal(sim_target_fuse(t, FUSE_EXT), 0xF3);
	assert_int_equal(sim_target_counters(t)->fuse_writes, 1);
}

static void
test_spien_stays_programmed(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xAC, 0xA8, 0x00, 0xFF);
	wait_ready(t);
	assert_int_equal(isp(t, 0x58, 0x08, 0x00, 0x00), 0xDF);
	assert_int_equal(count(t, SIM_VIOLATION_SPIEN_KEPT), 1);
}

static void
test_fuse_reads_ff_while_busy(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xAC, 0xA0, 0x00, 0xDE);
	assert_int_equal(isp(t, 0x50, 0x00, 0x00, 0x00), 0xFF);
	assert_int_equal(count(t, SIM_VIOLATION_READ_WHILE_BUSY), 1);
	/* Other fuses are readable meanwhile. */
	assert_int_equal(isp(t, 0x58, 0x08, 0x00, 0x00), 0x99);
	sim_target_advance_us(t, SIM_TARGET_FUSE_DELAY_US);
	assert_int_equal(isp(t, 0x50, 0x00, 0x00, 0x00), 0xDE);
}

static void
test_lock_bits_only_program(void **state)
{
	struct sim_target *t = *state;

	assert_true(enter(t, 125000));
	isp(t, 0xAC, 0xE0, 0x00, 0xEF);   /* BLB11 */
	wait_ready(t);
	assert_int_equal(isp(t, 0x58, 0x00, 0x00, 0x00), 0xEF);
	isp(t, 0xAC, 0xE0, 0x00, 0xFF);   /* cannot unprogram */
	wait_ready(t);
	assert_int_equal(isp(t, 0x58, 0x00, 0x00, 0x00), 0xEF);
	assert_int_equal(count(t, SIM_VIOLATION_LOCK_UNPROGRAM), 1);
	assert_int_equal(sim_target_counters(t)->lock_writes, 2);
}

static void
test_lock_mode3_hides_and_protects(void **state)
{
	struct sim_target *t = *state;
	uint8_t page[128];

	memset(page, 0x00, sizeof page);
	sim_target_preload_flash(t, 0, page, 4, NULL);
	assert_true(enter(t, 125000));
	isp(t, 0xAC, 0xE0, 0x00, 0xFC);
	wait_ready(t);
	/* Neither the content (0x00) nor blank. */
	assert_int_not_equal(read_flash(t, 0), 0x00);
	assert_int_not_equal(read_flash(t, 0), 0xFF);
	write_page(t, 0x80, page);
	assert_int_equal(sim_target_flash(t)[0x80], 0xFF);
	isp(t, 0xAC, 0xA0, 0x00, 0xFF);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0x5E);
	isp(t, 0xC0, 0x00, 0x00, 0x12);
	assert_int_equal(sim_target_eeprom(t)[0], 0xFF);
	assert_int_equal(count(t, SIM_VIOLATION_WRITE_LOCKED), 3);
	/* Signature and fuses stay readable. */
	assert_int_equal(isp(t, 0x30, 0x00, 0x00, 0x00), 0x1E);
	assert_int_equal(isp(t, 0x50, 0x00, 0x00, 0x00), 0x5E);
	/* Only a chip erase unlocks. */
	isp(t, 0xAC, 0x80, 0x00, 0x00);
	wait_ready(t);
	assert_int_equal(read_flash(t, 0), 0xFF);
	assert_int_equal(sim_target_lock(t), 0xFF);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_enable_echo_on_third_byte),
		T(test_instructions_before_enable_are_ignored),
		T(test_signature_calibration_fuses_lock),
		T(test_byte_level_transfer_matches),
		T(test_unknown_and_missing_fuse_instructions),
		T(test_page_write_and_read_back),
		T(test_page_buffer_is_reset_after_write),
		T(test_in_page_offset_bits),
		T(test_write_without_erase_ands_and_is_logged),
		T(test_extended_address),
		T(test_address_beyond_flash_wraps_and_is_logged),
		T(test_erase_clears_flash_eeprom_lock_not_fuses),
		T(test_erase_keeps_eeprom_with_eesave),
		T(test_erase_takes_9ms),
		T(test_eeprom_byte_and_page),
		T(test_unused_fuse_bits_read_as_one),
		T(test_spien_stays_programmed),
		T(test_fuse_reads_ff_while_busy),
		T(test_lock_bits_only_program),
		T(test_lock_mode3_hides_and_protects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
