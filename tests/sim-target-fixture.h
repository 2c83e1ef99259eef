/*
 * sim-target-fixture.h - what the simulated-target tests
 * (test-sim-target-*.c) share: parts built in C, independent of the YAML
 * catalog, a fresh ATmega32U4 target per test (setup/teardown), and
 * helpers that speak the 4-byte serial programming instructions.
 *
 * Header-only (static data, static inline helpers) so each test program
 * links no extra object and need not use every helper.
 */
#ifndef ISPWIZ_TESTS_SIM_TARGET_FIXTURE_H
#define ISPWIZ_TESTS_SIM_TARGET_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

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

static inline void
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

static inline void
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

static inline struct sim_target *
new_target(const struct catalog_part *p, const struct sim_target_options *o)
{
	struct iw_error err = { 0 };
	struct sim_target *t = sim_target_new(p, o, &err);

	if (t == NULL)
		fail_msg("sim_target_new: %s", err.msg);
	return t;
}

static inline uint8_t
isp4(struct sim_target *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
	uint8_t in[4] = { a, b, c, d };

	sim_target_transfer(t, in, out);
	return out[3];
}

static inline uint8_t
isp(struct sim_target *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t out[4];

	return isp4(t, a, b, c, d, out);
}

/* RESET low, Programming Enable; true when 0x53 came back. */
static inline bool
enter(struct sim_target *t, uint32_t sck)
{
	uint8_t out[4];

	sim_target_set_sck(t, sck);
	sim_target_set_reset(t, true);
	isp4(t, 0xAC, 0x53, 0x00, 0x00, out);
	return out[2] == 0x53;
}

static inline void
wait_ready(struct sim_target *t)
{
	int i;

	for (i = 0; i < 1000 && (isp(t, 0xF0, 0, 0, 0) & 1) != 0; i++)
		;
	assert_true(i < 1000);
}

static inline uint8_t
read_flash(struct sim_target *t, uint32_t byte_addr)
{
	uint32_t w = byte_addr / 2;

	return isp(t, (byte_addr & 1) ? 0x28 : 0x20, (uint8_t)(w >> 8), (uint8_t)w, 0);
}

/* Load a page from `data` (page_size bytes) and write it at `byte_addr`. */
static inline void
write_page(struct sim_target *t, uint32_t byte_addr, const uint8_t *data)
{
	uint32_t words = sim_target_part(t)->page_size / 2, i, w = byte_addr / 2;

	for (i = 0; i < words; i++) {
		isp(t, 0x40, 0x00, (uint8_t)i, data[2 * i]);
		isp(t, 0x48, 0x00, (uint8_t)i, data[2 * i + 1]);
	}
	isp(t, 0x4C, (uint8_t)(w >> 8), (uint8_t)w, 0x00);
}

static inline size_t
count(struct sim_target *t, enum sim_violation_kind k)
{
	return sim_target_count_violations(t, k);
}

/* Every test starts on a factory-fresh ATmega32U4 (*state). */
static inline int
setup(void **state)
{
	make_parts();
	*state = new_target(&m32u4, NULL);
	return 0;
}

static inline int
teardown(void **state)
{
	sim_target_free(*state);
	return 0;
}

#endif
