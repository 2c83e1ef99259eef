/*
 * sim-target.c - the simulated chip's life cycle, its pins (power, RESET,
 * SCK), its clock, time, what reaches MISO, and the back-door accessors.
 * Elsewhere: the instruction set (sim-target-isp.c), fault knobs
 * (sim-target-fault.c), counters and violations (sim-target-log.c), the
 * state file (sim-target-state.c).
 */
#include "config.h"

#include "sim/sim-target-int.h"
#include "core/clock.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- fuse field positions ------------------------------------------------ */

static uint8_t
field_mask(const struct fuse_byte_def *def, const char *name, uint8_t fallback)
{
	size_t i;

	/* A part described without any fields gets the datasheet position;
	 * one whose fields do not name this one does not have it. */
	if (def->n_fields == 0)
		return fallback;
	for (i = 0; i < def->n_fields; i++)
		if (def->fields[i].name != NULL && strcmp(def->fields[i].name, name) == 0)
			return def->fields[i].mask;
	return 0;
}

static void
find_fuse_bits(const struct catalog_part *part, struct sim_fuse_bits *bits)
{
	const struct fuse_byte_def *low = &part->fuses[FUSE_LOW];
	const struct fuse_byte_def *high = &part->fuses[FUSE_HIGH];

	/* Of the catalog's parts, exactly those with an extended fuse have
	 * CKDIV8 (the ATmega32A has neither). */
	bits->ckdiv8 = field_mask(low, "CKDIV8",
				  part->fuses[FUSE_EXT].present ? 0x80 : 0x00);
	bits->cksel = field_mask(low, "CKSEL", 0x0F);
	bits->spien = field_mask(high, "SPIEN", 0x20);
	bits->eesave = field_mask(high, "EESAVE", 0x08);
}

static uint8_t
fuse_normalise(const struct catalog_part *part, enum fuse_byte b, uint8_t v)
{
	if (!part->fuses[b].present)
		return 0xFF;
	return (uint8_t)(v | part->fuses[b].unused_mask);
}

/* --- life cycle -------------------------------------------------------------- */

static enum iw_status
check_geometry(const struct catalog_part *part, struct iw_error *err)
{
	const char *id = part->id != NULL ? part->id : "(unnamed part)";

	if (part->page_size < 2 || part->page_size > 1024 ||
	    (part->page_size & (part->page_size - 1)) != 0)
		return iw_error_set(err, IW_RANGE,
				    "part %s: flash page size %" PRIu32 " is not a power of two"
				    " between 2 and 1024; fix the part's `page` in the catalog",
				    id, part->page_size);
	if (part->flash_size == 0 || part->flash_size % part->page_size != 0 ||
	    part->flash_size > (1u << 24))
		return iw_error_set(err, IW_RANGE,
				    "part %s: flash size %" PRIu32 " is not a whole number of"
				    " %" PRIu32 "-byte pages up to 16 MiB; fix the part's `flash`"
				    " in the catalog", id, part->flash_size, part->page_size);
	if (part->eeprom_size > 65536)
		return iw_error_set(err, IW_RANGE,
				    "part %s: EEPROM size %" PRIu32 " is beyond the 16-bit"
				    " address of the EEPROM instructions; fix the part's `eeprom`",
				    id, part->eeprom_size);
	return IW_OK;
}

enum iw_status
sim_target_build_chip(struct sim_target *t, const struct catalog_part *part,
		      const uint8_t *fuses, struct iw_error *err)
{
	uint8_t *flash = NULL, *eeprom = NULL, *page_buf = NULL, *loaded = NULL;
	enum iw_status st;
	int b;

	st = check_geometry(part, err);
	if (st != IW_OK)
		return st;
	flash = malloc(part->flash_size);
	eeprom = malloc(part->eeprom_size > 0 ? part->eeprom_size : 1);
	page_buf = malloc(part->page_size);
	loaded = malloc(part->page_size);
	if (flash == NULL || eeprom == NULL || page_buf == NULL || loaded == NULL) {
		st = iw_error_set(err, IW_NOMEM,
				  "out of memory for a simulated %s (%" PRIu32 " bytes of flash)",
				  part->id != NULL ? part->id : "part", part->flash_size);
		goto fail;
	}
	memset(flash, 0xFF, part->flash_size);
	memset(eeprom, 0xFF, part->eeprom_size > 0 ? part->eeprom_size : 1);

	free(t->flash);
	free(t->eeprom);
	free(t->page_buf);
	free(t->page_loaded);
	t->flash = flash;
	t->eeprom = eeprom;
	t->page_buf = page_buf;
	t->page_loaded = loaded;
	t->part = part;
	find_fuse_bits(part, &t->bits);
	t->page_words = part->page_size / 2;
	if (t->opts.eeprom_page_size != 0)
		t->eeprom_page = t->opts.eeprom_page_size;
	else
		t->eeprom_page = part->eeprom_size >= 2048 ? 8 : 4;
	for (b = 0; b < FUSE_COUNT; b++)
		t->fuses[b] = fuse_normalise(part, (enum fuse_byte)b,
					     fuses != NULL ? fuses[b] : part->fuses[b].factory);
	t->lock = 0xFF;
	t->busy.what = SIM_BUSY_NONE;
	t->prog_enabled = false;
	t->frame_pos = 0;
	sim_target_reset_buffers(t);
	sim_target_latch_fuses(t);
	return IW_OK;
fail:
	free(flash);
	free(eeprom);
	free(page_buf);
	free(loaded);
	return st;
}

struct sim_target *
sim_target_new(const struct catalog_part *part,
	       const struct sim_target_options *opts, struct iw_error *err)
{
	struct sim_target *t;

	if (part == NULL) {
		iw_error_set(err, IW_USAGE, "simulated target: no part given");
		return NULL;
	}
	t = calloc(1, sizeof *t);
	if (t == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory for a simulated target");
		return NULL;
	}
	if (opts != NULL)
		t->opts = *opts;
	if (t->opts.crystal_hz == 0)
		t->opts.crystal_hz = SIM_TARGET_DEFAULT_CRYSTAL_HZ;
	if (t->opts.eeprom_page_size > SIM_EEPROM_PAGE_MAX ||
	    (t->opts.eeprom_page_size & (t->opts.eeprom_page_size - 1)) != 0) {
		iw_error_set(err, IW_RANGE,
			     "simulated target: EEPROM page size %" PRIu32 " is not a power"
			     " of two up to %d", t->opts.eeprom_page_size, SIM_EEPROM_PAGE_MAX);
		goto fail;
	}
	t->calibration = t->opts.has_calibration ? t->opts.calibration
						 : SIM_TARGET_DEFAULT_CALIBRATION;
	t->powered = true;
	t->sck_hz = SIM_TARGET_DEFAULT_SCK_HZ;
	t->noise = 0x2545F491u;
	if (sim_target_build_chip(t, part, t->opts.has_fuses ? t->opts.fuses : NULL, err) != IW_OK)
		goto fail;
	if (t->opts.has_lock)
		t->lock = (uint8_t)(t->opts.lock | (uint8_t)~part->lock_mask);
	return t;
fail:
	sim_target_free(t);
	return NULL;
}

void
sim_target_free(struct sim_target *t)
{
	if (t == NULL)
		return;
	free(t->flash);
	free(t->eeprom);
	free(t->page_buf);
	free(t->page_loaded);
	free(t->log);
	free(t);
}

void
sim_target_reset_buffers(struct sim_target *t)
{
	memset(t->page_buf, 0xFF, t->part->page_size);
	memset(t->page_loaded, 0, t->part->page_size);
	memset(t->eeprom_buf, 0xFF, sizeof t->eeprom_buf);
	memset(t->eeprom_loaded, 0, sizeof t->eeprom_loaded);
	t->ext_addr = 0;
}

void
sim_target_latch_fuses(struct sim_target *t)
{
	memcpy(t->latched, t->fuses, sizeof t->latched);
}

/* --- pins ------------------------------------------------------------------- */

bool
sim_target_chip_powered(const struct sim_target *t)
{
	return t->powered && !t->fault[SIM_FAULT_NO_POWER];
}

bool
sim_target_chip_in_reset(const struct sim_target *t)
{
	return t->reset_low && !t->fault[SIM_FAULT_RESET_NOT_WIRED];
}

/* Whatever the chip was doing stops; an operation in flight is taken as
 * finished (the model does not corrupt memory on a brown-out). */
void
sim_target_chip_power_lost(struct sim_target *t)
{
	t->prog_enabled = false;
	t->frame_pos = 0;
	t->busy.what = SIM_BUSY_NONE;
	sim_target_reset_buffers(t);
}

void
sim_target_chip_power_up(struct sim_target *t)
{
	sim_target_chip_power_lost(t);
	sim_target_latch_fuses(t);
}

void
sim_target_set_power(struct sim_target *t, bool on)
{
	bool was = sim_target_chip_powered(t);

	t->powered = on;
	if (was && !sim_target_chip_powered(t))
		sim_target_chip_power_lost(t);
	else if (!was && sim_target_chip_powered(t))
		sim_target_chip_power_up(t);
}

void
sim_target_chip_leave_programming(struct sim_target *t)
{
	t->prog_enabled = false;
	t->frame_pos = 0;
	sim_target_reset_buffers(t);
	/* Fuses are latched when programming mode ends: a new clock source
	 * or CKDIV8 applies only from here on. */
	sim_target_latch_fuses(t);
}

void
sim_target_set_reset(struct sim_target *t, bool low)
{
	bool was = sim_target_chip_in_reset(t);

	t->reset_low = low;
	if (!sim_target_chip_powered(t))
		return;
	if (!was && sim_target_chip_in_reset(t)) {
		/* A fresh start of the serial interface: byte framing restarts,
		 * Programming Enable is needed again. */
		t->prog_enabled = false;
		t->frame_pos = 0;
		sim_target_reset_buffers(t);
	} else if (was && !sim_target_chip_in_reset(t)) {
		sim_target_chip_leave_programming(t);
	}
}

void
sim_target_set_sck(struct sim_target *t, uint32_t hz)
{
	t->sck_hz = hz != 0 ? hz : SIM_TARGET_DEFAULT_SCK_HZ;
}

uint32_t
sim_target_sck_hz(const struct sim_target *t)
{
	return t->sck_hz;
}

/* --- clock ------------------------------------------------------------------ */

static unsigned
lowest_bit(uint8_t mask)
{
	unsigned n = 0;

	while (mask != 0 && (mask & 1u) == 0) {
		mask >>= 1;
		n++;
	}
	return n;
}

uint32_t
sim_target_clock_hz(const struct sim_target *t)
{
	uint8_t lfuse = t->latched[FUSE_LOW];
	unsigned cksel = (unsigned)(lfuse & t->bits.cksel) >> lowest_bit(t->bits.cksel);
	uint32_t xtal = t->opts.crystal_hz;
	uint32_t hz;

	if (t->bits.ckdiv8 != 0) {
		/* 32U4/16U4/AT90USB/328P: 0010 calibrated RC 8 MHz, 0011
		 * 128 kHz RC, 0100-0101 low-frequency crystal; 0000 external
		 * clock and 0110-1111 crystals run at the board's crystal
		 * (reserved codes are taken as the crystal too). */
		switch (cksel) {
		case 0x2: hz = 8000000u; break;
		case 0x3: hz = 128000u; break;
		case 0x4: case 0x5: hz = 32768u; break;
		default: hz = xtal; break;
		}
		if ((lfuse & t->bits.ckdiv8) == 0)
			hz /= 8;
	} else {
		/* ATmega32A: 0001-0100 calibrated RC 1/2/4/8 MHz, 1001
		 * low-frequency crystal, the rest external (at the crystal). */
		switch (cksel) {
		case 0x1: hz = 1000000u; break;
		case 0x2: hz = 2000000u; break;
		case 0x3: hz = 4000000u; break;
		case 0x4: hz = 8000000u; break;
		case 0x9: hz = 32768u; break;
		default: hz = xtal; break;
		}
	}
	return hz;
}

uint32_t
sim_target_max_sck_hz(const struct sim_target *t)
{
	uint32_t fck = sim_target_clock_hz(t);

	return fck < 12000000u ? fck / 4 : fck / 6;
}

/* --- time ------------------------------------------------------------------- */


uint64_t
sim_target_now_ns(const struct sim_target *t)
{
	if (t->opts.realtime)
		return iw_clock_ns() + t->skew_ns;
	return t->vnow_ns;
}

uint64_t
sim_target_now_us(const struct sim_target *t)
{
	return sim_target_now_ns(t) / 1000u;
}

void
sim_target_advance_us(struct sim_target *t, uint64_t us)
{
	if (t->opts.realtime)
		t->skew_ns += us * 1000u;
	else
		t->vnow_ns += us * 1000u;
}

void
sim_target_tick_byte(struct sim_target *t)
{
	if (!t->opts.realtime)
		t->vnow_ns += 8000000000u / t->sck_hz;
}

bool
sim_target_busy(const struct sim_target *t)
{
	return t->busy.what != SIM_BUSY_NONE &&
	       sim_target_now_ns(t) < t->busy.until_ns;
}

/* --- transfers -------------------------------------------------------------- */

/* What a chip whose SCK and MOSI are swapped shifts out: noise that never
 * looks like the 0x53 echo, so no driver is fooled into "in sync". */
static uint8_t
noise(struct sim_target *t)
{
	uint32_t x = t->noise;
	uint8_t v;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	t->noise = x;
	v = (uint8_t)(x >> 24);
	return v == 0x53 ? 0x52 : v;
}

uint8_t
sim_target_transfer_byte(struct sim_target *t, uint8_t in)
{
	uint8_t out;

	if (t->disconnected) {
		out = 0xFF;   /* cable pulled: the programmer's input floats high */
		sim_target_tick_byte(t);
	} else if (!sim_target_chip_powered(t)) {
		out = 0x00;   /* the unpowered chip clamps its pins low */
		sim_target_tick_byte(t);
	} else if (!sim_target_chip_in_reset(t)) {
		out = 0xFF;   /* the firmware runs; MISO is an input with pull-up */
		sim_target_tick_byte(t);
	} else if (t->fault[SIM_FAULT_MOSI_SCK_SWAPPED]) {
		out = noise(t);
		sim_target_tick_byte(t);
	} else {
		out = sim_target_isp_byte(t, in);   /* ticks the clock itself */
	}
	/* An open MISO hides whatever the chip (or its absence) says. */
	return t->fault[SIM_FAULT_MISO_OPEN] ? 0xFF : out;
}

void
sim_target_transfer(struct sim_target *t, const uint8_t in[4], uint8_t out[4])
{
	uint8_t buf[4];
	int i;

	memcpy(buf, in, 4);
	for (i = 0; i < 4; i++)
		out[i] = sim_target_transfer_byte(t, buf[i]);
}

/* --- content ---------------------------------------------------------------- */

const struct catalog_part *
sim_target_part(const struct sim_target *t)
{
	return t->part;
}

const uint8_t *
sim_target_flash(const struct sim_target *t)
{
	return t->flash;
}

const uint8_t *
sim_target_eeprom(const struct sim_target *t)
{
	return t->eeprom;
}

uint8_t
sim_target_fuse(const struct sim_target *t, enum fuse_byte which)
{
	return (unsigned)which < FUSE_COUNT ? t->fuses[which] : 0xFF;
}

uint8_t
sim_target_lock(const struct sim_target *t)
{
	return t->lock;
}

void
sim_target_set_fuse(struct sim_target *t, enum fuse_byte which, uint8_t value)
{
	if ((unsigned)which < FUSE_COUNT)
		t->fuses[which] = fuse_normalise(t->part, which, value);
}

void
sim_target_set_lock(struct sim_target *t, uint8_t value)
{
	t->lock = (uint8_t)(value | (uint8_t)~t->part->lock_mask);
}

static enum iw_status
preload(uint8_t *mem, uint32_t size, const char *what, uint32_t addr,
	const uint8_t *data, size_t len, struct iw_error *err)
{
	if (addr > size || len > size - addr)
		return iw_error_set(err, IW_RANGE,
				    "preload of %zu bytes at 0x%" PRIX32 " does not fit the"
				    " %" PRIu32 " bytes of %s", len, addr, size, what);
	if (len > 0)
		memcpy(mem + addr, data, len);
	return IW_OK;
}

enum iw_status
sim_target_preload_flash(struct sim_target *t, uint32_t addr,
			 const uint8_t *data, size_t len, struct iw_error *err)
{
	return preload(t->flash, t->part->flash_size, "flash", addr, data, len, err);
}

enum iw_status
sim_target_preload_eeprom(struct sim_target *t, uint32_t addr,
			  const uint8_t *data, size_t len, struct iw_error *err)
{
	return preload(t->eeprom, t->part->eeprom_size, "EEPROM", addr, data, len, err);
}

bool
sim_target_in_programming_mode(const struct sim_target *t)
{
	return sim_target_chip_powered(t) && sim_target_chip_in_reset(t) && t->prog_enabled;
}

