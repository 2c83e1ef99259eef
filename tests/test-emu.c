/*
 * test-emu.c - the programmer emulators alone: byte strings in, byte
 * strings out, over a simulated ATmega32U4 from the source catalog.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "sim/emu.h"
#include "sim/sim-target.h"

static struct catalog cat;
static const struct catalog_part *m32u4;

struct fx {
	struct sim_target *t;
	struct emu *e;
};

static int
group_setup(void **state)
{
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	if (catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	m32u4 = catalog_find_part(&cat, "atmega32u4");
	return m32u4 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	catalog_free(&cat);
	return 0;
}

static struct fx *
make(enum emu_kind kind, uint32_t uart_baud, bool auto_reset)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct emu_options o = {
		.kind = kind, .uart_baud = uart_baud, .auto_reset = auto_reset, .boot_ms = 100,
	};
	struct iw_error err;

	assert_non_null(f);
	f->t = sim_target_new(m32u4, NULL, &err);
	assert_non_null(f->t);
	f->e = emu_new(&o, f->t, &err);
	assert_non_null(f->e);
	return f;
}

static void
destroy(struct fx *f)
{
	emu_free(f->e);
	sim_target_free(f->t);
	free(f);
}

static void
feed(struct fx *f, const void *bytes, size_t n)
{
	emu_input(f->e, bytes, n);
}

/* Take all output; returns its length, copies up to cap bytes. */
static size_t
take(struct fx *f, uint8_t *buf, size_t cap)
{
	const uint8_t *out;
	size_t n = emu_output(f->e, &out);

	if (n)
		memcpy(buf, out, n < cap ? n : cap);
	emu_output_consume(f->e, n);
	return n;
}

static void
expect(struct fx *f, const void *want, size_t n)
{
	uint8_t got[600];
	size_t len = take(f, got, sizeof(got));

	assert_int_equal(len, n);
	if (n)
		assert_memory_equal(got, want, n);
}

#define FEED(f, ...) do { const uint8_t b_[] = { __VA_ARGS__ }; feed(f, b_, sizeof(b_)); } while (0)
#define EXPECT(f, ...) do { const uint8_t w_[] = { __VA_ARGS__ }; expect(f, w_, sizeof(w_)); } while (0)

/* SET_DEVICE for a 32U4: 128-byte pages, 1 KiB EEPROM, 32 KiB flash. */
static void
set_device(struct fx *f)
{
	uint8_t cmd[22] = { 0x42, 0, 0, 0, 1, 1, 1, 1, 3, 0xFF, 0xFF, 0xFF, 0xFF,
			    0x00, 0x80, 0x04, 0x00, 0, 0, 0x80, 0x00, 0x20 };

	feed(f, cmd, sizeof(cmd));
	EXPECT(f, 0x14, 0x10);
}

/* --- avrisp --------------------------------------------------------------- */

static void
avrisp_sync(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x30, 0x20);
	EXPECT(f, 0x14, 0x10);
	destroy(f);
}

static void
avrisp_sync_without_eop_is_nosync(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x30, 0x41);
	EXPECT(f, 0x15);
	destroy(f);
}

static void
avrisp_sign_on(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x31, 0x20);
	EXPECT(f, 0x14, 'A', 'V', 'R', ' ', 'I', 'S', 'P', 0x10);
	destroy(f);
}

static void
avrisp_parameters(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x41, 0x80, 0x20, 0x41, 0x81, 0x20, 0x41, 0x82, 0x20,
	     0x41, 0x93, 0x20, 0x41, 0x98, 0x20);
	EXPECT(f, 0x14, 2, 0x10, 0x14, 1, 0x10, 0x14, 18, 0x10,
	       0x14, 'S', 0x10, 0x14, 0, 0x10);
	destroy(f);
}

static void
avrisp_waits_for_whole_command(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x41, 0x81);
	EXPECT(f);
	FEED(f, 0x20);
	EXPECT(f, 0x14, 1, 0x10);
	destroy(f);
}

static void
avrisp_unknown_command(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x52, 0x20);                 /* CHIP_ERASE: not in the sketch */
	EXPECT(f, 0x12);
	assert_int_equal(emu_stats(f->e)->unknown, 1);
	destroy(f);
}

static void
avrisp_set_parameter_desyncs(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	/* 40 eats 81 (not EOP): NOSYNC; then 05 is a command and 20 its EOP */
	FEED(f, 0x40, 0x81, 0x05, 0x20);
	EXPECT(f, 0x15, 0x12);
	destroy(f);
}

static void
avrisp_lone_eop(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x20);
	EXPECT(f, 0x15);
	destroy(f);
}

static void
avrisp_enter_says_ok_without_target(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);
	struct sim_fault sf;

	(void)state;
	assert_int_equal(sim_target_fault_parse("reset-not-wired", &sf, NULL), IW_OK);
	assert_int_equal(sim_target_set_fault(f->t, &sf, NULL), IW_OK);
	FEED(f, 0x50, 0x20);
	EXPECT(f, 0x14, 0x10);
	/* but the signature read shows nobody is there */
	FEED(f, 0x56, 0x30, 0x00, 0x00, 0x00, 0x20);
	EXPECT(f, 0x14, 0xFF, 0x10);
	destroy(f);
}

static void
avrisp_universal_and_read_sign(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x50, 0x20);
	EXPECT(f, 0x14, 0x10);
	assert_true(emu_in_programming_mode(f->e));
	FEED(f, 0x56, 0x30, 0x00, 0x00, 0x00, 0x20);
	EXPECT(f, 0x14, 0x1E, 0x10);
	FEED(f, 0x75, 0x20);
	EXPECT(f, 0x14, 0x1E, 0x95, 0x87, 0x10);
	FEED(f, 0x51, 0x20);
	EXPECT(f, 0x14, 0x10);
	assert_false(emu_in_programming_mode(f->e));
	destroy(f);
}

/* Erase, then PROG_PAGE `len` bytes of a pattern at word address `word`. */
static void
program(struct fx *f, uint16_t word, size_t len)
{
	uint8_t *cmd = malloc(len + 5);

	assert_non_null(cmd);
	FEED(f, 0x55, (uint8_t)word, (uint8_t)(word >> 8), 0x20);
	EXPECT(f, 0x14, 0x10);
	cmd[0] = 0x64;
	cmd[1] = (uint8_t)(len >> 8);
	cmd[2] = (uint8_t)len;
	cmd[3] = 'F';
	for (size_t i = 0; i < len; i++)
		cmd[4 + i] = (uint8_t)(i * 7 + 1);
	cmd[4 + len] = 0x20;
	feed(f, cmd, len + 5);
	free(cmd);
	EXPECT(f, 0x14, 0x10);
	emu_advance_us(f->e, 10000);
}

static void
enter_erased(struct fx *f)
{
	set_device(f);
	FEED(f, 0x50, 0x20);
	EXPECT(f, 0x14, 0x10);
	FEED(f, 0x56, 0xAC, 0x80, 0x00, 0x00, 0x20);
	EXPECT(f, 0x14, 0x00, 0x10);
	emu_advance_us(f->e, 20000);
}

static void
avrisp_page_write_and_read(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);
	uint8_t got[200];

	(void)state;
	enter_erased(f);
	program(f, 0x40, 128);               /* byte address 0x80 */
	assert_int_equal(sim_target_counters(f->t)->page_writes, 1);
	for (size_t i = 0; i < 128; i++)
		assert_int_equal(sim_target_flash(f->t)[0x80 + i], (uint8_t)(i * 7 + 1));
	FEED(f, 0x55, 0x40, 0x00, 0x20);
	EXPECT(f, 0x14, 0x10);
	FEED(f, 0x74, 0x00, 0x80, 'F', 0x20);
	assert_int_equal(take(f, got, sizeof(got)), 130);
	assert_int_equal(got[0], 0x14);
	assert_int_equal(got[129], 0x10);
	assert_memory_equal(got + 1, sim_target_flash(f->t) + 0x80, 128);
	assert_int_equal(sim_target_violation_count(f->t), 0);
	destroy(f);
}

static void
avrisp_commits_at_page_boundaries(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	enter_erased(f);
	/* 128 words from word 0x20: the end of page 0, all of page 1, the
	 * start of page 2 (64 words a page): three commits */
	program(f, 0x20, 256);
	assert_int_equal(sim_target_counters(f->t)->page_writes, 3);
	assert_int_equal(sim_target_flash(f->t)[0x40], 1);
	assert_int_equal(sim_target_flash(f->t)[0xC0], (uint8_t)(128 * 7 + 1));
	destroy(f);
}

static void
avrisp_buffer_is_256_bytes(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	enter_erased(f);
	program(f, 0, 300);
	assert_int_equal(emu_stats(f->e)->overflows, 1);
	destroy(f);
}

static void
avrisp_odd_read_length_sends_a_whole_word(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);
	uint8_t got[16];

	(void)state;
	FEED(f, 0x50, 0x20);
	EXPECT(f, 0x14, 0x10);
	FEED(f, 0x55, 0, 0, 0x20);
	EXPECT(f, 0x14, 0x10);
	FEED(f, 0x74, 0x00, 0x03, 'F', 0x20);
	assert_int_equal(take(f, got, sizeof(got)), 1 + 4 + 1);
	destroy(f);
}

static void
avrisp_bad_memtype(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	FEED(f, 0x64, 0x00, 0x02, 'X');
	EXPECT(f, 0x11);
	destroy(f);
}

static void
avrisp_fault_silent(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "silent", NULL), IW_OK);
	FEED(f, 0x30, 0x20);
	EXPECT(f);
	destroy(f);
}

static void
avrisp_fault_garbage(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);
	uint8_t got[8];

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "garbage", NULL), IW_OK);
	FEED(f, 0x30, 0x20);
	assert_int_equal(take(f, got, sizeof(got)), 2);
	assert_true(got[0] & 0x80);
	assert_true(got[1] & 0x80);
	destroy(f);
}

static void
avrisp_fault_cut(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "cut=1", NULL), IW_OK);
	FEED(f, 0x30, 0x20, 0x30, 0x20);
	EXPECT(f, 0x14, 0x10, 0x14);
	destroy(f);
}

static void
avrisp_fault_failed_and_nosync(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "stk-failed=1", NULL), IW_OK);
	FEED(f, 0x41, 0x81, 0x20, 0x41, 0x81, 0x20, 0x30, 0x20);
	EXPECT(f, 0x14, 1, 0x10, 0x14, 0x11, 0x14, 0x10);
	destroy(f);
	f = make(EMU_AVRISP, 0, false);
	assert_int_equal(emu_set_fault(f->e, "nosync", NULL), IW_OK);
	FEED(f, 0x50, 0x20);
	EXPECT(f, 0x15);
	destroy(f);
}

static void
avrisp_fault_vanish(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "vanish=3", NULL), IW_OK);
	FEED(f, 0x30, 0x20);
	assert_false(emu_vanished(f->e));
	FEED(f, 0x30, 0x20);
	assert_true(emu_vanished(f->e));
	destroy(f);
}

static void
avrisp_fault_bad_spec(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, false);
	struct iw_error err;

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "cut=x", &err), IW_USAGE);
	assert_int_equal(emu_set_fault(f->e, "miso-open", &err), IW_NOT_FOUND);
	destroy(f);
}

static void
avrisp_wrong_baud(void **state)
{
	struct fx *f = make(EMU_AVRISP, 19200, false);
	uint8_t got[8];
	size_t n;

	(void)state;
	emu_set_host_baud(f->e, 115200);
	FEED(f, 0x30, 0x20);
	n = take(f, got, sizeof(got));
	for (size_t i = 0; i < n; i++)
		assert_true(got[i] & 0x80);
	emu_set_host_baud(f->e, 19200);
	FEED(f, 0x30, 0x20);
	EXPECT(f, 0x14, 0x10);
	destroy(f);
}

static void
avrisp_auto_reset_drops_bytes_while_booting(void **state)
{
	struct fx *f = make(EMU_AVRISP, 0, true);

	(void)state;
	emu_port_opened(f->e);
	assert_string_equal(emu_mode_name(f->e), "booting");
	FEED(f, 0x30, 0x20);
	EXPECT(f);
	emu_advance_us(f->e, 100000);
	FEED(f, 0x30, 0x20);
	EXPECT(f, 0x14, 0x10);
	/* DTR dropped and raised again: another reset */
	emu_set_lines(f->e, false, false);
	emu_set_lines(f->e, true, true);
	assert_int_equal(emu_stats(f->e)->resets, 2);
	destroy(f);
}

/* --- buspirate ------------------------------------------------------------- */

static void
to_spi(struct fx *f)
{
	uint8_t zeros[20] = { 0 };

	feed(f, zeros, 20);
	expect(f, "BBIO1", 5);
	FEED(f, 0x01);
	expect(f, "SPI1", 4);
}

static void
bp_text_mode(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);
	uint8_t zeros[19] = { 0 };

	(void)state;
	assert_string_equal(emu_mode_name(f->e), "text");
	FEED(f, '\n');
	expect(f, "\r\nHiZ>", 6);
	feed(f, zeros, 19);
	EXPECT(f);
	/* a non-zero byte starts the count again */
	FEED(f, 'x');
	EXPECT(f, 'x');
	feed(f, zeros, 19);
	EXPECT(f);
	FEED(f, 0x00);
	expect(f, "BBIO1", 5);
	assert_string_equal(emu_mode_name(f->e), "bbio");
	destroy(f);
}

static void
bp_modes(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);
	uint8_t got[200];
	size_t n;

	(void)state;
	to_spi(f);
	FEED(f, 0x01);
	expect(f, "SPI1", 4);
	FEED(f, 0x00);
	expect(f, "BBIO1", 5);
	FEED(f, 0x00, 0x00);
	expect(f, "BBIO1BBIO1", 10);
	FEED(f, 0x0F);
	n = take(f, got, sizeof(got));
	assert_true(n <= sizeof(got));
	assert_true(n > 5);
	assert_int_equal(got[0], 0x01);
	assert_memory_equal(got + n - 4, "HiZ>", 4);
	assert_string_equal(emu_mode_name(f->e), "text");
	destroy(f);
}

static void
bp_program_enable_and_bulk(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);

	(void)state;
	to_spi(f);
	/* 250 kHz (a factory 32U4 runs at 2 MHz), config, power + AUX + CS high */
	FEED(f, 0x62, 0x8A, 0x4B);
	EXPECT(f, 0x01, 0x01, 0x01);
	assert_int_equal(sim_target_sck_hz(f->t), 250000);
	emu_advance_us(f->e, 50000);
	FEED(f, 0x4A);                       /* CS low: RESET low */
	EXPECT(f, 0x01);
	emu_advance_us(f->e, 20000);
	FEED(f, 0x13, 0xAC, 0x53, 0x00, 0x00);
	EXPECT(f, 0x01, 0x00, 0xAC, 0x53, 0x00);
	assert_true(emu_in_programming_mode(f->e));
	FEED(f, 0x13, 0x30, 0x00, 0x01, 0x00);
	EXPECT(f, 0x01, 0x00, 0x30, 0x00, 0x95);
	destroy(f);
}

static void
bp_write_then_read(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);

	(void)state;
	to_spi(f);
	FEED(f, 0x05, 0x10, 0x01, 0x00, 0x00);   /* 4097 bytes: refused at once */
	EXPECT(f, 0x00);
	FEED(f, 0x05, 0x00, 0x02, 0x00, 0x01, 0xAA);
	EXPECT(f);                               /* still one data byte to come */
	FEED(f, 0xBB);
	assert_int_equal(emu_output(f->e, &(const uint8_t *){ NULL }), 2);
	destroy(f);
}

static void
bp_avr_extension(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);
	uint8_t pattern[4] = { 0x0C, 0x94, 0x56, 0x00 };
	uint8_t got[16];

	(void)state;
	assert_int_equal(sim_target_preload_flash(f->t, 0x100, pattern, 4, NULL), IW_OK);
	to_spi(f);
	FEED(f, 0x06);
	EXPECT(f, 0x01);
	FEED(f, 0x01);
	EXPECT(f, 0x01, 0x00, 0x01);
	FEED(f, 0x62, 0x4B);
	EXPECT(f, 0x01, 0x01);
	FEED(f, 0x4A);
	EXPECT(f, 0x01);
	emu_advance_us(f->e, 20000);
	FEED(f, 0x13, 0xAC, 0x53, 0x00, 0x00);
	EXPECT(f, 0x01, 0x00, 0xAC, 0x53, 0x00);
	FEED(f, 0x06, 0x02, 0, 0, 0, 0x80, 0, 0, 0, 4);
	assert_int_equal(take(f, got, sizeof(got)), 6);
	assert_int_equal(got[0], 0x01);
	assert_int_equal(got[1], 0x01);
	assert_memory_equal(got + 2, pattern, 4);
	destroy(f);
}

static void
bp_unknown_spi_command(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);

	(void)state;
	to_spi(f);
	FEED(f, 0x2F);
	EXPECT(f, 0x00);
	destroy(f);
}

static void
bp_fault_failed(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "stk-failed=21", NULL), IW_OK);
	to_spi(f);
	FEED(f, 0x8A);
	EXPECT(f, 0x00);
	destroy(f);
}

static void
bp_target_unpowered_until_asked(void **state)
{
	struct fx *f = make(EMU_BUSPIRATE, 0, false);

	(void)state;
	to_spi(f);
	FEED(f, 0x13, 0xAC, 0x53, 0x00, 0x00);
	EXPECT(f, 0x01, 0x00, 0x00, 0x00, 0x00);
	destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(avrisp_sync),
		cmocka_unit_test(avrisp_sync_without_eop_is_nosync),
		cmocka_unit_test(avrisp_sign_on),
		cmocka_unit_test(avrisp_parameters),
		cmocka_unit_test(avrisp_waits_for_whole_command),
		cmocka_unit_test(avrisp_unknown_command),
		cmocka_unit_test(avrisp_set_parameter_desyncs),
		cmocka_unit_test(avrisp_lone_eop),
		cmocka_unit_test(avrisp_enter_says_ok_without_target),
		cmocka_unit_test(avrisp_universal_and_read_sign),
		cmocka_unit_test(avrisp_page_write_and_read),
		cmocka_unit_test(avrisp_commits_at_page_boundaries),
		cmocka_unit_test(avrisp_buffer_is_256_bytes),
		cmocka_unit_test(avrisp_odd_read_length_sends_a_whole_word),
		cmocka_unit_test(avrisp_bad_memtype),
		cmocka_unit_test(avrisp_fault_silent),
		cmocka_unit_test(avrisp_fault_garbage),
		cmocka_unit_test(avrisp_fault_cut),
		cmocka_unit_test(avrisp_fault_failed_and_nosync),
		cmocka_unit_test(avrisp_fault_vanish),
		cmocka_unit_test(avrisp_fault_bad_spec),
		cmocka_unit_test(avrisp_wrong_baud),
		cmocka_unit_test(avrisp_auto_reset_drops_bytes_while_booting),
		cmocka_unit_test(bp_text_mode),
		cmocka_unit_test(bp_modes),
		cmocka_unit_test(bp_program_enable_and_bulk),
		cmocka_unit_test(bp_write_then_read),
		cmocka_unit_test(bp_avr_extension),
		cmocka_unit_test(bp_unknown_spi_command),
		cmocka_unit_test(bp_fault_failed),
		cmocka_unit_test(bp_target_unpowered_until_asked),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
