/* test-sim-target.c - the simulated AVR target against the datasheet's
 * serial programming rules, its fault knobs and its state file. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "sim/sim-target.h"

/* --- parts built here, independent of the YAML catalog -------------------- */

static struct fuse_field u4_low_fields[] = {
	{ .name = (char *)"CKDIV8", .mask = 0x80 },
	{ .name = (char *)"CKOUT", .mask = 0x40 },
	{ .name = (char *)"SUT", .mask = 0x30 },
	{ .name = (char *)"CKSEL", .mask = 0x0F },
};
static struct fuse_field u4_high_fields[] = {
	{ .name = (char *)"OCDEN", .mask = 0x80 },
	{ .name = (char *)"JTAGEN", .mask = 0x40 },
	{ .name = (char *)"SPIEN", .mask = 0x20 },
	{ .name = (char *)"WDTON", .mask = 0x10 },
	{ .name = (char *)"EESAVE", .mask = 0x08 },
	{ .name = (char *)"BOOTSZ", .mask = 0x06 },
	{ .name = (char *)"BOOTRST", .mask = 0x01 },
};
static struct fuse_field u4_ext_fields[] = {
	{ .name = (char *)"HWBE", .mask = 0x08 },
	{ .name = (char *)"BODLEVEL", .mask = 0x07 },
};

static void
u4_like(struct catalog_part *p, const char *id, uint8_t sig2, uint32_t flash,
	uint32_t eeprom)
{
	memset(p, 0, sizeof *p);
	p->id = (char *)id;
	p->signature[0] = 0x1E;
	p->signature[1] = flash == 32768 ? 0x95 : 0x94;
	p->signature[2] = sig2;
	p->flash_size = flash;
	p->page_size = 128;
	p->eeprom_size = eeprom;
	p->lock_mask = 0x3F;
	p->fuses[FUSE_LOW] = (struct fuse_byte_def){ true, 0x00, 0x5E, u4_low_fields, 4 };
	p->fuses[FUSE_HIGH] = (struct fuse_byte_def){ true, 0x00, 0x99, u4_high_fields, 7 };
	p->fuses[FUSE_EXT] = (struct fuse_byte_def){ true, 0xF0, 0xF3, u4_ext_fields, 2 };
}

static struct catalog_part m32u4, m16u4, m328p, m32a, usb1286, big;

static void
make_parts(void)
{
	u4_like(&m32u4, "atmega32u4", 0x87, 32768, 1024);
	u4_like(&m16u4, "atmega16u4", 0x88, 16384, 512);
	/* 328P: same fuse layout where it matters, factory 62/D9/FF, efuse
	 * bits 7..3 unused. */
	u4_like(&m328p, "atmega328p", 0x0F, 32768, 1024);
	m328p.fuses[FUSE_LOW].factory = 0x62;
	m328p.fuses[FUSE_HIGH].factory = 0xD9;
	m328p.fuses[FUSE_EXT].factory = 0xFF;
	m328p.fuses[FUSE_EXT].unused_mask = 0xF8;
	/* 32A described without any fields: the datasheet fallbacks apply. */
	memset(&m32a, 0, sizeof m32a);
	m32a.id = (char *)"atmega32a";
	m32a.signature[0] = 0x1E; m32a.signature[1] = 0x95; m32a.signature[2] = 0x02;
	m32a.flash_size = 32768; m32a.page_size = 128; m32a.eeprom_size = 1024;
	m32a.lock_mask = 0x3F;
	m32a.fuses[FUSE_LOW] = (struct fuse_byte_def){ true, 0x00, 0xE1, NULL, 0 };
	m32a.fuses[FUSE_HIGH] = (struct fuse_byte_def){ true, 0x00, 0x99, NULL, 0 };
	u4_like(&usb1286, "at90usb1286", 0x82, 131072, 4096);
	usb1286.signature[1] = 0x97;
	usb1286.page_size = 256;
	/* A made-up part over 128 KiB, to exercise Load Extended Address. */
	u4_like(&big, "bigpart", 0x01, 262144, 4096);
	big.page_size = 256;
}

/* --- helpers ----------------------------------------------------------- */

static struct sim_target *
new_target(const struct catalog_part *p, const struct sim_target_options *o)
{
	struct iw_error err = { 0 };
	struct sim_target *t = sim_target_new(p, o, &err);

	if (t == NULL)
		fail_msg("sim_target_new: %s", err.msg);
	return t;
}

static uint8_t
isp4(struct sim_target *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
	uint8_t in[4] = { a, b, c, d };

	sim_target_transfer(t, in, out);
	return out[3];
}

static uint8_t
isp(struct sim_target *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t out[4];

	return isp4(t, a, b, c, d, out);
}

/* RESET low, Programming Enable; true when 0x53 came back. */
static bool
enter(struct sim_target *t, uint32_t sck)
{
	uint8_t out[4];

	sim_target_set_sck(t, sck);
	sim_target_set_reset(t, true);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	return out[2] == 0x53;
}

static void
wait_ready(struct sim_target *t)
{
	int i;

	for (i = 0; i < 1000 && (isp(t, 0xF0, 0, 0, 0) & 1) != 0; i++)
		;
	assert_true(i < 1000);
}

static uint8_t
read_flash(struct sim_target *t, uint32_t byte_addr)
{
	uint32_t w = byte_addr / 2;

	return isp(t, (byte_addr & 1) ? 0x28 : 0x20, (uint8_t)(w >> 8), (uint8_t)w, 0);
}

/* Load a page from `data` (page_size bytes) and write it at `byte_addr`. */
static void
write_page(struct sim_target *t, uint32_t byte_addr, const uint8_t *data)
{
	uint32_t words = sim_target_part(t)->page_size / 2, i, w = byte_addr / 2;

	for (i = 0; i < words; i++) {
		isp(t, 0x40, 0x00, (uint8_t)i, data[2 * i]);
		isp(t, 0x48, 0x00, (uint8_t)i, data[2 * i + 1]);
	}
	isp(t, 0x4C, (uint8_t)(w >> 8), (uint8_t)w, 0x00);
}

static size_t
count(struct sim_target *t, enum sim_violation_kind k)
{
	return sim_target_count_violations(t, k);
}

struct tmpdir {
	char dir[64];
	char path[128];
};

/* The one temporary directory of the running test; the teardown removes
 * it, also when an assertion ended the test early. */
static struct tmpdir scratch;

static void
tmp_make(struct tmpdir *d)
{
	strcpy(d->dir, "/tmp/test-sim-target.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof d->path, "%s/chip.json", d->dir);
}

static int
tmp_entries(const struct tmpdir *d)
{
	DIR *dir = opendir(d->dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static void
tmp_remove(struct tmpdir *d)
{
	DIR *dir = opendir(d->dir);
	struct dirent *e;
	char p[400];

	if (dir != NULL) {
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", d->dir, e->d_name);
			unlink(p);
		}
		closedir(dir);
	}
	rmdir(d->dir);
	d->dir[0] = '\0';
}

static int
setup(void **state)
{
	make_parts();
	*state = new_target(&m32u4, NULL);
	return 0;
}

static int
teardown(void **state)
{
	if (scratch.dir[0] != '\0')
		tmp_remove(&scratch);
	sim_target_free(*state);
	return 0;
}

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

/* --- bookkeeping ----------------------------------------------------------- */

static void
test_violation_format_and_clear(void **state)
{
	struct sim_target *t = *state;
	char line[256];

	sim_target_set_reset(t, true);
	isp(t, 0x20, 0x00, 0x00, 0x00);
	assert_int_equal(sim_target_violation_count(t), 1);
	sim_target_violation_format(sim_target_violation(t, 0), line, sizeof line);
	assert_non_null(strstr(line, "not-enabled"));
	assert_non_null(strstr(line, "20 00 00 00"));
	assert_null(sim_target_violation(t, 1));
	sim_target_clear_violations(t);
	assert_int_equal(sim_target_violation_count(t), 0);
	assert_int_equal(count(t, SIM_VIOLATION_NOT_ENABLED), 0);
}

static void
test_preload_range(void **state)
{
	struct sim_target *t = *state;
	struct iw_error err = { 0 };
	uint8_t buf[4] = { 1, 2, 3, 4 };

	assert_int_equal(sim_target_preload_flash(t, 32764, buf, 4, &err), IW_OK);
	assert_int_equal(sim_target_preload_flash(t, 32765, buf, 4, &err), IW_RANGE);
	assert_int_equal(sim_target_preload_eeprom(t, 1024, buf, 1, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "EEPROM"));
}

static void
test_bad_geometry_refused(void **state)
{
	struct catalog_part p;
	struct iw_error err = { 0 };

	(void)state;
	make_parts();
	p = m32u4;
	p.page_size = 96;
	assert_null(sim_target_new(&p, NULL, &err));
	assert_int_equal(err.code, IW_RANGE);
	assert_non_null(strstr(err.msg, "atmega32u4"));
}

/* --- state file ---------------------------------------------------------- */

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_state_round_trip(void **state)
{
	struct sim_target *t = *state, *u;
	struct iw_error err = { 0 };
	struct tmpdir *d = &scratch;
	uint8_t page[128];
	char *text;
	long len;
	FILE *fp;

	tmp_make(d);
	memset(page, 0x3C, sizeof page);
	assert_true(enter(t, 125000));
	write_page(t, 0x7000, page);
	wait_ready(t);
	write_page(t, 0x7080, page);
	wait_ready(t);
	isp(t, 0xC0, 0x00, 0x07, 0x11);
	wait_ready(t);
	isp(t, 0xAC, 0xA8, 0x00, 0xD8);
	wait_ready(t);
	isp(t, 0xAC, 0xE0, 0x00, 0xEF);
	wait_ready(t);
	assert_int_equal(sim_target_save(t, d->path, &err), IW_OK);
	assert_int_equal(tmp_entries(d), 1);   /* no temporary left behind */

	/* Compact: the two adjacent pages are one run. */
	fp = fopen(d->path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	assert_true(len < 2000);
	text = calloc(1, (size_t)len + 1);
	fseek(fp, 0, SEEK_SET);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	assert_non_null(strstr(text, "\"address\": 28672"));
	assert_null(strstr(text, "\"address\": 28800"));
	free(text);

	u = new_target(&m32u4, NULL);
	assert_int_equal(sim_target_load(u, d->path, &err), IW_OK);
	assert_memory_equal(sim_target_flash(u), sim_target_flash(t), 32768);
	assert_memory_equal(sim_target_eeprom(u), sim_target_eeprom(t), 1024);
	assert_int_equal(sim_target_fuse(u, FUSE_HIGH), 0xD8);
	assert_int_equal(sim_target_fuse(u, FUSE_LOW), 0x5E);
	assert_int_equal(sim_target_lock(u), 0xEF);
	assert_int_equal(sim_target_counters(u)->page_writes, 2);
	assert_int_equal(sim_target_counters(u)->fuse_writes, 1);
	assert_memory_equal(sim_target_counters(u), sim_target_counters(t),
			    sizeof(struct sim_target_counters));
	/* A later run sees the earlier run's chip. */
	assert_true(enter(u, 125000));
	assert_int_equal(read_flash(u, 0x7000), 0x3C);
	sim_target_free(u);
	}

static void
test_state_load_errors(void **state)
{
	struct sim_target *t = *state, *other;
	struct iw_error err = { 0 };
	struct tmpdir *d = &scratch;
	char bad_path[256];
	static const uint8_t data[1] = { 0x42 };

	make_parts();
	tmp_make(d);
	sim_target_preload_flash(t, 0, data, 1, NULL);

	snprintf(bad_path, sizeof bad_path, "%s/none.json", d->dir);
	assert_int_equal(sim_target_load(t, bad_path, &err), IW_NOT_FOUND);
	assert_non_null(strstr(err.msg, "none.json"));

	write_text(d->path, "{\n  \"format\": \"ispwiz-sim-state\",\n  \"version\": 1,\n  oops\n}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "chip.json:4:"));

	write_text(d->path, "[1, 2]\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "not a JSON object"));

	write_text(d->path, "{\"format\": \"something-else\"}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "format"));

	write_text(d->path, "{\"format\": \"ispwiz-sim-state\", \"version\": 9}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "version"));

	/* A chip saved as another part. */
	other = new_target(&m16u4, NULL);
	assert_int_equal(sim_target_save(other, d->path, &err), IW_OK);
	sim_target_free(other);
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "atmega16u4"));
	assert_non_null(strstr(err.msg, "atmega32u4"));

#define DOC(sizes, rest) \
	"{\"format\": \"ispwiz-sim-state\", \"version\": 1, \"part\": \"atmega32u4\", " \
	sizes ", \"fuses\": {\"lfuse\": \"0x5E\", \"hfuse\": \"0x99\", \"efuse\": \"0xF3\"}, " \
	"\"lock\": \"0xFF\"" rest "}\n"
#define SIZES "\"flash_size\": 32768, \"page_size\": 128, \"eeprom_size\": 1024"

	write_text(d->path, DOC("\"flash_size\": 16384, \"page_size\": 128, \"eeprom_size\": 1024", ""));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "16384"));

	write_text(d->path, DOC("\"flash_size\": 32768, \"page_size\": 128, \"eeprom_size\": 512", ""));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "EEPROM"));

	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": 0, \"data\": \"0G\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "flash[0].data: character 1"));

	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": 0, \"data\": \"123\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "odd"));

	write_text(d->path, DOC(SIZES, ", \"eeprom\": [{\"address\": 1023, \"data\": \"0000\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "eeprom[0]"));

	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": -2, \"data\": \"00\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);

	write_text(d->path, DOC(SIZES, ", \"flash\": {}"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);

	write_text(d->path, DOC(SIZES, ", \"counters\": {\"erases\": -1}"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "counters.erases"));

	write_text(d->path,
		   "{\"format\": \"ispwiz-sim-state\", \"version\": 1, \"part\": \"atmega32u4\", "
		   SIZES ", \"fuses\": {\"lfuse\": \"0x5E\", \"hfuse\": \"0x999\", \"efuse\": \"0xF3\"},"
		   " \"lock\": \"0xFF\"}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "fuses.\"hfuse\""));

	write_text(d->path,
		   "{\"format\": \"ispwiz-sim-state\", \"version\": 1, \"part\": \"atmega32u4\", "
		   SIZES ", \"fuses\": {\"lfuse\": \"0x5E\", \"hfuse\": \"0x99\"}, \"lock\": \"0xFF\"}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "efuse"));

	/* A good file last: it loads, proving the documents above differed
	 * only where each test broke them. */
	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": 2, \"data\": \"abCD\"}]"));
	/* ... but first: none of the failures above touched the chip. */
	assert_int_equal(sim_target_flash(t)[0], 0x42);
	assert_int_equal(sim_target_load(t, d->path, &err), IW_OK);
	assert_int_equal(sim_target_flash(t)[0], 0xFF);
	assert_int_equal(sim_target_flash(t)[2], 0xAB);
	assert_int_equal(sim_target_flash(t)[3], 0xCD);
#undef DOC
#undef SIZES
	}

static void
test_state_save_errors(void **state)
{
	struct sim_target *t = *state;
	struct iw_error err = { 0 };

	assert_int_equal(sim_target_save(t, "/nonexistent-dir/x/chip.json", &err), IW_IO);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x/chip.json"));
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
		T(test_busy_polling_in_virtual_time),
		T(test_reads_of_busy_page_return_ff),
		T(test_write_while_busy_is_lost),
		T(test_realtime_mode),
		T(test_clock_from_fuses),
		T(test_ckdiv8_rejects_fast_sck),
		T(test_fuse_change_applies_after_leaving_programming),
		T(test_power_and_reset),
		T(test_fault_no_power),
		T(test_fault_reset_not_wired),
		T(test_fault_miso_open),
		T(test_fault_mosi_sck_swapped),
		T(test_fault_wrong_part),
		T(test_fault_corrupt_read),
		T(test_fault_disconnect_after),
		T(test_fault_locked),
		T(test_fault_parse),
		T(test_violation_format_and_clear),
		T(test_preload_range),
		T(test_bad_geometry_refused),
		T(test_state_round_trip),
		T(test_state_load_errors),
		T(test_state_save_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
