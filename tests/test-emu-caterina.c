/*
 * test-emu-caterina.c - the Caterina emulator alone: AVR109 byte strings
 * in, byte strings out, over a simulated ATmega32U4, and the board around
 * the bootloader (touch, window, leaving for the application).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/avr109-proto.h"
#include "core/catalog.h"
#include "sim/emu.h"
#include "sim/sim-target.h"

static struct catalog cat;
static const struct catalog_part *m32u4, *m16u4;

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
	m16u4 = catalog_find_part(&cat, "atmega16u4");
	return m32u4 && m16u4 ? 0 : -1;
}

static int
group_teardown(void **state)
{
	(void)state;
	catalog_free(&cat);
	return 0;
}

static struct fx *
make_opts(const struct catalog_part *part, const struct emu_options *o)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct iw_error err;

	assert_non_null(f);
	f->t = sim_target_new(part, NULL, &err);
	assert_non_null(f->t);
	f->e = emu_new(o, f->t, &err);
	assert_non_null(f->e);
	return f;
}

static struct fx *
make(void)
{
	struct emu_options o = { .kind = EMU_CATERINA };

	return make_opts(m32u4, &o);
}

static void
destroy(struct fx *f)
{
	emu_free(f->e);
	sim_target_free(f->t);
	free(f);
}

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

/* One host transfer. */
static void
feed(struct fx *f, const void *bytes, size_t n)
{
	emu_input(f->e, bytes, n);
}

#define FEED(f, ...) do { const uint8_t b_[] = { __VA_ARGS__ }; feed(f, b_, sizeof(b_)); } while (0)
#define EXPECT(f, ...) do { const uint8_t w_[] = { __VA_ARGS__ }; expect(f, w_, sizeof(w_)); } while (0)

static void
block_write(struct fx *f, uint32_t byte_addr, const uint8_t *data, size_t n)
{
	uint8_t cmd[4 + 256];

	FEED(f, 'A', (uint8_t)(byte_addr >> 9), (uint8_t)(byte_addr >> 1));
	EXPECT(f, AVR109_CR);
	cmd[0] = 'B';
	cmd[1] = (uint8_t)(n >> 8);
	cmd[2] = (uint8_t)n;
	cmd[3] = 'F';
	memcpy(cmd + 4, data, n);
	feed(f, cmd, 4 + n);
	EXPECT(f, AVR109_CR);
}

static void
identify(void **state)
{
	struct fx *f = make();
	uint8_t b[16];

	(void)state;
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_BOOTLOADER);
	FEED(f, 0x1B);                   /* ESC: nothing */
	EXPECT(f);
	FEED(f, 'S');
	expect(f, "CATERIN", 7);
	FEED(f, 'V');
	EXPECT(f, '1', '0');
	FEED(f, 'v');                    /* not Caterina's */
	EXPECT(f, '?');
	FEED(f, 'p');
	EXPECT(f, 'S');
	FEED(f, 'a');
	EXPECT(f, 'Y');
	FEED(f, 'b');
	EXPECT(f, 'Y', 0x00, 0x80);
	FEED(f, 't');
	EXPECT(f, 0x44, 0x00);
	FEED(f, 'T', 0x44);
	EXPECT(f, AVR109_CR);
	FEED(f, 'P');
	EXPECT(f, AVR109_CR);
	FEED(f, 's');
	EXPECT(f, 0x87, 0x95, 0x1E);
	FEED(f, 'F');
	assert_int_equal(take(f, b, sizeof b), 1);
	assert_int_equal(b[0], sim_target_fuse(f->t, FUSE_LOW));
	FEED(f, 'L');
	EXPECT(f, AVR109_CR);
	FEED(f, 'x');
	EXPECT(f, '?');
	assert_int_equal(emu_stats(f->e)->unknown, 2);
	assert_string_equal(emu_mode_name(f->e), "bootloader");
	destroy(f);
}

static void
write_read_and_erase(void **state)
{
	struct fx *f = make();
	uint8_t page[128], got[128];

	(void)state;
	for (int i = 0; i < 128; i++)
		page[i] = (uint8_t)(i * 7 + 3);
	block_write(f, 0x0100, page, sizeof page);
	assert_memory_equal(sim_target_flash(f->t) + 0x100, page, 128);
	/* Read back in two halves: the address moved on by itself. */
	FEED(f, 'A', 0x00, 0x80);
	EXPECT(f, AVR109_CR);
	FEED(f, 'g', 0x00, 0x40, 'F');
	assert_int_equal(take(f, got, sizeof got), 64);
	FEED(f, 'g', 0x00, 0x40, 'F');
	assert_int_equal(take(f, got + 64, 64), 64);
	assert_memory_equal(got, page, 128);
	/* A page written again without the chip erase: B erases it first. */
	memset(page, 0xA5, sizeof page);
	block_write(f, 0x0100, page, sizeof page);
	assert_memory_equal(sim_target_flash(f->t) + 0x100, page, 128);
	assert_int_equal(emu_stats(f->e)->blocks_written, 2);
	/* e erases the application area only. */
	{
		uint8_t boot[128];

		memset(boot, 0x5A, sizeof boot);
		assert_int_equal(sim_target_preload_flash(f->t, 0x7000, boot, 128, NULL), IW_OK);
		FEED(f, 'e');
		EXPECT(f, AVR109_CR);
		assert_int_equal(sim_target_flash(f->t)[0x100], 0xFF);
		assert_memory_equal(sim_target_flash(f->t) + 0x7000, boot, 128);
	}
	assert_int_equal(emu_stats(f->e)->protected_writes, 0);
	destroy(f);
}

static void
own_section_is_protected(void **state)
{
	struct fx *f = make();
	uint8_t page[128];

	(void)state;
	memset(page, 0x00, sizeof page);
	block_write(f, 0x7000, page, sizeof page);
	assert_int_equal(sim_target_flash(f->t)[0x7000], 0xFF);
	assert_int_equal(emu_stats(f->e)->protected_writes, 2);  /* erase and write */
	assert_int_equal(emu_stats(f->e)->blocks_written, 0);
	destroy(f);
}

static void
block_past_the_page_wraps(void **state)
{
	struct fx *f = make();
	uint8_t data[130];

	(void)state;
	/* 130 bytes from 0x0000: the last word lands on word 0 of the same
	 * page buffer, already filled, so it is lost; page 1 is untouched. */
	memset(data, 0x11, sizeof data);
	data[128] = 0x22;
	data[129] = 0x33;
	block_write(f, 0, data, sizeof data);
	assert_int_equal(sim_target_flash(f->t)[0], 0x11);
	assert_int_equal(sim_target_flash(f->t)[128], 0xFF);
	destroy(f);
}

static void
bad_memory_type_reads_data_as_commands(void **state)
{
	struct fx *f = make();

	(void)state;
	FEED(f, 'B', 0x00, 0x01, 'X');
	EXPECT(f, '?');
	FEED(f, 'V');
	EXPECT(f, '1', '0');
	destroy(f);
}

static void
one_command_per_usb_packet(void **state)
{
	struct fx *f = make();

	(void)state;
	/* Two commands in one transfer: the second is lost. */
	FEED(f, 'p', 'a');
	EXPECT(f, 'S');
	assert_int_equal(emu_stats(f->e)->dropped, 1);
	/* A command split over two transfers is whole. */
	FEED(f, 'A', 0x00);
	EXPECT(f);
	FEED(f, 0x10);
	EXPECT(f, AVR109_CR);
	/* The next packet of the same transfer is read again. */
	{
		uint8_t buf[65];

		memset(buf, 'x', sizeof buf);
		buf[0] = 'p';
		buf[64] = 'a';
		feed(f, buf, sizeof buf);
		EXPECT(f, 'S', 'Y');
	}
	destroy(f);
}

static void
touch_starts_the_bootloader(void **state)
{
	struct emu_options o = { .kind = EMU_CATERINA, .sketch = true };
	struct fx *f = make_opts(m32u4, &o);
	uint32_t g0, g1;

	(void)state;
	assert_int_equal(emu_usb_presence(f->e, &g0), EMU_USB_SKETCH);
	/* The sketch ignores AVR109. */
	FEED(f, 'S');
	EXPECT(f);
	/* DTR dropped at another baud: nothing. */
	emu_set_host_baud(f->e, 9600);
	emu_set_lines(f->e, false, false);
	emu_advance_us(f->e, 1000000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_SKETCH);
	/* At 1200 baud: the watchdog, a reset, a new enumeration. */
	emu_set_host_baud(f->e, 1200);
	emu_port_closed(f->e);
	assert_int_equal(emu_stats(f->e)->touches, 1);
	emu_advance_us(f->e, 100000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_SKETCH);
	emu_advance_us(f->e, 100000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_NONE);
	emu_advance_us(f->e, 400000);
	assert_int_equal(emu_usb_presence(f->e, &g1), EMU_USB_BOOTLOADER);
	assert_true(g1 > g0);
	FEED(f, 'S');
	expect(f, "CATERIN", 7);
	destroy(f);
}

static void
window_runs_only_with_an_application(void **state)
{
	struct emu_options o = { .kind = EMU_CATERINA, .window_ms = 750 };
	struct fx *f = make_opts(m32u4, &o);
	uint8_t app[2] = { 0x0C, 0x94 };

	(void)state;
	/* Blank chip: Caterina waits for ever. */
	emu_advance_us(f->e, 5000000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_BOOTLOADER);
	assert_int_equal(sim_target_preload_flash(f->t, 0, app, 2, NULL), IW_OK);
	emu_advance_us(f->e, 500000);
	/* Commands other than B and g do not hold it. */
	FEED(f, 'S');
	expect(f, "CATERIN", 7);
	emu_advance_us(f->e, 300000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_NONE);
	assert_int_equal(emu_stats(f->e)->window_closes, 1);
	emu_advance_us(f->e, 400000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_APPLICATION);
	destroy(f);
}

static void
exit_leaves_500ms_later(void **state)
{
	struct fx *f = make();
	uint8_t page[128];

	(void)state;
	memset(page, 0x12, sizeof page);
	block_write(f, 0, page, sizeof page);
	FEED(f, 'E');
	EXPECT(f, AVR109_CR);
	emu_advance_us(f->e, 400000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_BOOTLOADER);
	emu_advance_us(f->e, 200000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_NONE);
	assert_int_equal(emu_stats(f->e)->window_closes, 0);
	assert_int_equal(emu_stats(f->e)->exits, 1);
	emu_advance_us(f->e, 400000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_APPLICATION);
	destroy(f);
}

static void
appears_after_a_while(void **state)
{
	struct emu_options o = { .kind = EMU_CATERINA, .appear_after_ms = 1000 };
	struct fx *f = make_opts(m32u4, &o);

	(void)state;
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_NONE);
	emu_advance_us(f->e, 999000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_NONE);
	emu_advance_us(f->e, 2000);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_BOOTLOADER);
	destroy(f);
}

static void
fault_window_closes(void **state)
{
	struct fx *f = make();
	struct iw_error err;

	(void)state;
	assert_int_equal(emu_set_fault(f->e, "window-closes", &err), IW_OK);
	FEED(f, 'S');
	EXPECT(f);
	assert_int_equal(emu_usb_presence(f->e, NULL), EMU_USB_NONE);
	assert_int_equal(emu_stats(f->e)->window_closes, 1);
	destroy(f);
}

static void
another_part(void **state)
{
	struct emu_options o = { .kind = EMU_CATERINA };
	struct fx *f = make_opts(m16u4, &o);
	uint8_t page[128];

	(void)state;
	FEED(f, 's');
	EXPECT(f, 0x88, 0x94, 0x1E);
	/* Its own section starts at 0x3000 there. */
	memset(page, 0, sizeof page);
	block_write(f, 0x3000, page, sizeof page);
	assert_int_equal(emu_stats(f->e)->protected_writes, 2);
	destroy(f);
}

static void
eeprom_blocks(void **state)
{
	struct fx *f = make();
	uint8_t got[4];

	(void)state;
	FEED(f, 'A', 0x00, 0x10);
	EXPECT(f, AVR109_CR);
	FEED(f, 'B', 0x00, 0x04, 'E', 1, 2, 3, 4);
	EXPECT(f, AVR109_CR);
	assert_int_equal(sim_target_eeprom(f->t)[0x10], 1);
	assert_int_equal(sim_target_eeprom(f->t)[0x13], 4);
	FEED(f, 'A', 0x00, 0x10);
	EXPECT(f, AVR109_CR);
	FEED(f, 'g', 0x00, 0x04, 'E');
	assert_int_equal(take(f, got, sizeof got), 4);
	assert_int_equal(got[2], 3);
	destroy(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(identify),
		cmocka_unit_test(write_read_and_erase),
		cmocka_unit_test(own_section_is_protected),
		cmocka_unit_test(block_past_the_page_wraps),
		cmocka_unit_test(bad_memory_type_reads_data_as_commands),
		cmocka_unit_test(one_command_per_usb_packet),
		cmocka_unit_test(touch_starts_the_bootloader),
		cmocka_unit_test(window_runs_only_with_an_application),
		cmocka_unit_test(exit_leaves_500ms_later),
		cmocka_unit_test(appears_after_a_while),
		cmocka_unit_test(fault_window_closes),
		cmocka_unit_test(another_part),
		cmocka_unit_test(eeprom_blocks),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
