/*
 * sim-target-isp.c - the serial programming instruction set of a classic
 * AVR, one byte at a time the way the chip sees it.
 *
 * The chip's SPI shift register is what makes the echo: whatever byte it
 * received last is shifted out while the next one comes in.  After the
 * third byte the chip knows the instruction, so for reads it loads the data
 * into the shift register and the programmer receives it during the fourth
 * byte.  Writes take effect when the fourth byte (the data) is complete.
 */
#include "config.h"

#include "sim/sim-target-int.h"

#include <string.h>

enum op {
	OP_UNKNOWN,
	OP_ENABLE,
	OP_ERASE,
	OP_POLL,
	OP_EXT_ADDR,
	OP_READ_FLASH_LO,
	OP_READ_FLASH_HI,
	OP_LOAD_LO,
	OP_LOAD_HI,
	OP_WRITE_PAGE,
	OP_READ_EEPROM,
	OP_WRITE_EEPROM,
	OP_LOAD_EEPROM,
	OP_WRITE_EEPROM_PAGE,
	OP_READ_LOCK,
	OP_WRITE_LOCK,
	OP_READ_SIGNATURE,
	OP_READ_CALIBRATION,
	OP_READ_LFUSE,
	OP_READ_HFUSE,
	OP_READ_EFUSE,
	OP_WRITE_LFUSE,
	OP_WRITE_HFUSE,
	OP_WRITE_EFUSE,
};

/* The first two bytes name the instruction (datasheet "Serial Programming
 * Instruction Set"); an instruction for a fuse byte the part lacks is
 * unknown to it. */
static enum op
decode(const struct sim_target *t, uint8_t b0, uint8_t b1)
{
	const struct fuse_byte_def *f = t->part->fuses;

	switch (b0) {
	case 0xAC:
		if (b1 == 0x53)
			return OP_ENABLE;
		if ((b1 & 0xE0) == 0x80)
			return OP_ERASE;
		if ((b1 & 0xE0) == 0xE0)
			return OP_WRITE_LOCK;
		if (b1 == 0xA0 && f[FUSE_LOW].present)
			return OP_WRITE_LFUSE;
		if (b1 == 0xA8 && f[FUSE_HIGH].present)
			return OP_WRITE_HFUSE;
		if (b1 == 0xA4 && f[FUSE_EXT].present)
			return OP_WRITE_EFUSE;
		return OP_UNKNOWN;
	case 0xF0: return OP_POLL;
	case 0x4D: return OP_EXT_ADDR;
	case 0x20: return OP_READ_FLASH_LO;
	case 0x28: return OP_READ_FLASH_HI;
	case 0x40: return OP_LOAD_LO;
	case 0x48: return OP_LOAD_HI;
	case 0x4C: return OP_WRITE_PAGE;
	case 0xA0: return OP_READ_EEPROM;
	case 0xC0: return OP_WRITE_EEPROM;
	case 0xC1: return OP_LOAD_EEPROM;
	case 0xC2: return OP_WRITE_EEPROM_PAGE;
	case 0x30: return OP_READ_SIGNATURE;
	case 0x38: return OP_READ_CALIBRATION;
	case 0x50:
		if (b1 == 0x00 && f[FUSE_LOW].present)
			return OP_READ_LFUSE;
		if (b1 == 0x08 && f[FUSE_EXT].present)
			return OP_READ_EFUSE;
		return OP_UNKNOWN;
	case 0x58:
		if (b1 == 0x00)
			return OP_READ_LOCK;
		if (b1 == 0x08 && f[FUSE_HIGH].present)
			return OP_READ_HFUSE;
		return OP_UNKNOWN;
	default:
		return OP_UNKNOWN;
	}
}

/* --- addresses and protection ---------------------------------------------- */

/* Byte address of a flash instruction's word address.  The extended
 * address byte only matters on parts with more than 64 Ki words. */
static uint32_t
flash_byte_addr(struct sim_target *t, bool high)
{
	uint32_t word = (uint32_t)t->frame[1] << 8 | t->frame[2];

	if (t->part->flash_size > 0x20000)
		word |= (uint32_t)t->ext_addr << 16;
	return word * 2 + (high ? 1u : 0u);
}

/* Real chips ignore address bits beyond their memory, which wraps; the
 * target does the same but lets tests know. */
static uint32_t
wrap(struct sim_target *t, uint32_t addr, uint32_t size)
{
	if (addr < size)
		return addr;
	sim_target_note(t, SIM_VIOLATION_ADDRESS_RANGE, t->frame, addr, size);
	return addr % size;
}

/* Lock mode 2 (LB1 programmed) forbids programming flash, EEPROM and fuses;
 * mode 3 (LB2 too) forbids reading them back as well. */
static bool
writes_locked(const struct sim_target *t)
{
	return (t->lock & 0x03) != 0x03;
}

static bool
reads_locked(const struct sim_target *t)
{
	return (t->lock & 0x02) == 0;
}

/* What a mode-3 chip gives instead of its content: a fixed pattern that is
 * neither the data nor blank, so a verify fails and a blank check too. */
static uint8_t
locked_pattern(uint32_t addr)
{
	return (uint8_t)((addr * 7u) ^ 0x5Au);
}

static bool
busy_covers(const struct sim_target *t, enum sim_busy_what what, uint32_t addr)
{
	if (!sim_target_busy(t))
		return false;
	if (t->busy.what == SIM_BUSY_ERASE)
		return what == SIM_BUSY_FLASH || what == SIM_BUSY_EEPROM ||
		       what == SIM_BUSY_LOCK;
	if (t->busy.what != what)
		return false;
	if (what == SIM_BUSY_LOCK)
		return true;
	if (what == SIM_BUSY_FUSE)
		return t->busy.start == addr;
	return addr >= t->busy.start && addr - t->busy.start < t->busy.len;
}

static void
start_busy(struct sim_target *t, enum sim_busy_what what, uint32_t start,
	   uint32_t len, uint32_t delay_us)
{
	t->busy.what = what;
	t->busy.start = start;
	t->busy.len = len;
	t->busy.until_ns = sim_target_now_ns(t) + (uint64_t)delay_us * 1000u;
}

/* --- reads (decided after the third byte) ---------------------------------- */

static void
defer_note(struct sim_target *t, enum sim_violation_kind kind, uint32_t addr)
{
	t->deferred = true;
	t->deferred_kind = kind;
	t->deferred_addr = addr;
}

static uint8_t
read_memory(struct sim_target *t, enum sim_busy_what what, uint32_t addr)
{
	const uint8_t *mem = what == SIM_BUSY_FLASH ? t->flash : t->eeprom;
	uint32_t size = what == SIM_BUSY_FLASH ? t->part->flash_size
					       : t->part->eeprom_size;
	uint8_t v;

	if (size == 0) {
		defer_note(t, SIM_VIOLATION_ADDRESS_RANGE, addr);
		return 0xFF;
	}
	if (addr >= size) {
		defer_note(t, SIM_VIOLATION_ADDRESS_RANGE, addr);
		addr %= size;
	}
	if (busy_covers(t, what, addr)) {
		defer_note(t, SIM_VIOLATION_READ_WHILE_BUSY, addr);
		return 0xFF;
	}
	if (reads_locked(t))
		return locked_pattern(addr);
	v = mem[addr];
	if (what == SIM_BUSY_FLASH && t->fault[SIM_FAULT_CORRUPT_READ] &&
	    addr == t->corrupt_addr)
		v ^= 0x01;
	return v;
}

static uint8_t
read_fuse(struct sim_target *t, enum fuse_byte b)
{
	if (busy_covers(t, SIM_BUSY_FUSE, (uint32_t)b)) {
		defer_note(t, SIM_VIOLATION_READ_WHILE_BUSY, 0);
		return 0xFF;
	}
	return t->fuses[b];
}

/* The byte the chip shifts out during the fourth byte. */
static uint8_t
fourth_byte(struct sim_target *t)
{
	const uint8_t *f = t->frame;

	if (t->frame_garbled || !t->prog_enabled)
		return f[2];
	switch (decode(t, f[0], f[1])) {
	case OP_POLL:
		return sim_target_busy(t) ? 0xFF : 0xFE;
	case OP_READ_FLASH_LO:
		return read_memory(t, SIM_BUSY_FLASH, flash_byte_addr(t, false));
	case OP_READ_FLASH_HI:
		return read_memory(t, SIM_BUSY_FLASH, flash_byte_addr(t, true));
	case OP_READ_EEPROM:
		return read_memory(t, SIM_BUSY_EEPROM, (uint32_t)f[1] << 8 | f[2]);
	case OP_READ_LOCK:
		if (busy_covers(t, SIM_BUSY_LOCK, 0)) {
			defer_note(t, SIM_VIOLATION_READ_WHILE_BUSY, 0);
			return 0xFF;
		}
		return t->lock;
	case OP_READ_SIGNATURE:
		return (f[2] & 0x03) < 3 ? t->part->signature[f[2] & 0x03] : 0xFF;
	case OP_READ_CALIBRATION:
		return f[2] == 0 ? t->calibration : 0xFF;
	case OP_READ_LFUSE:
		return read_fuse(t, FUSE_LOW);
	case OP_READ_HFUSE:
		return read_fuse(t, FUSE_HIGH);
	case OP_READ_EFUSE:
		return read_fuse(t, FUSE_EXT);
	default:
		return f[2];
	}
}

/* --- writes (after the fourth byte) ----------------------------------------- */

static unsigned
popcount8(uint8_t v)
{
	unsigned n = 0;

	for (; v != 0; v &= (uint8_t)(v - 1))
		n++;
	return n;
}

static void
clear_page_buffers(struct sim_target *t)
{
	memset(t->page_buf, 0xFF, t->part->page_size);
	memset(t->page_loaded, 0, t->part->page_size);
	memset(t->eeprom_buf, 0xFF, sizeof t->eeprom_buf);
	memset(t->eeprom_loaded, 0, sizeof t->eeprom_loaded);
}

static void
chip_erase(struct sim_target *t)
{
	bool eesave = t->bits.eesave != 0 &&
		      (t->fuses[FUSE_HIGH] & t->bits.eesave) == 0;

	/* EESAVE acts at once, unlike the other fuses (datasheet). */
	memset(t->flash, 0xFF, t->part->flash_size);
	if (!eesave && t->part->eeprom_size > 0)
		memset(t->eeprom, 0xFF, t->part->eeprom_size);
	t->lock = 0xFF;
	/* The extended address survives: the datasheet has it kept until
	 * it is loaded again. */
	clear_page_buffers(t);
	start_busy(t, SIM_BUSY_ERASE, 0, 0, SIM_TARGET_ERASE_DELAY_US);
	t->counters.erases++;
}

static void
write_page(struct sim_target *t)
{
	uint32_t size = t->part->page_size;
	uint32_t base = wrap(t, flash_byte_addr(t, false), t->part->flash_size) &
			~(size - 1);
	unsigned bits = 0;
	uint32_t i;

	if (writes_locked(t)) {
		sim_target_note(t, SIM_VIOLATION_WRITE_LOCKED, t->frame, base, 0);
		memset(t->page_buf, 0xFF, size);
		memset(t->page_loaded, 0, size);
		return;
	}
	/* Programming can only clear bits: whatever the buffer wants as 1
	 * over a 0 in flash stays 0 unless the chip was erased first. */
	for (i = 0; i < size; i++) {
		if (t->page_loaded[i])
			bits += popcount8((uint8_t)(t->page_buf[i] & ~t->flash[base + i]));
		t->flash[base + i] &= t->page_buf[i];
	}
	if (bits > 0)
		sim_target_note(t, SIM_VIOLATION_WRITE_NO_ERASE, t->frame, base, bits);
	memset(t->page_buf, 0xFF, size);
	memset(t->page_loaded, 0, size);
	start_busy(t, SIM_BUSY_FLASH, base, size, SIM_TARGET_FLASH_DELAY_US);
	t->counters.page_writes++;
	t->counters.flash_bytes_written += size;
	if (t->fault[SIM_FAULT_DISCONNECT_AFTER] &&
	    ++t->pages_since_fault >= t->disconnect_after)
		t->disconnected = true;
}

static void
load_page(struct sim_target *t, bool high)
{
	uint32_t i = (t->frame[2] & (t->page_words - 1)) * 2u + (high ? 1u : 0u);

	t->page_buf[i] = t->frame[3];
	t->page_loaded[i] = 1;
}

static bool
eeprom_usable(struct sim_target *t, uint32_t addr)
{
	if (t->part->eeprom_size == 0) {
		sim_target_note(t, SIM_VIOLATION_ADDRESS_RANGE, t->frame, addr, 0);
		return false;
	}
	if (writes_locked(t)) {
		sim_target_note(t, SIM_VIOLATION_WRITE_LOCKED, t->frame, addr, 0);
		return false;
	}
	return true;
}

static void
write_eeprom(struct sim_target *t)
{
	uint32_t addr = (uint32_t)t->frame[1] << 8 | t->frame[2];

	if (!eeprom_usable(t, addr))
		return;
	addr = wrap(t, addr, t->part->eeprom_size);
	/* EEPROM writes erase the byte first, so any value can be written. */
	t->eeprom[addr] = t->frame[3];
	start_busy(t, SIM_BUSY_EEPROM, addr, 1, SIM_TARGET_EEPROM_DELAY_US);
	t->counters.eeprom_bytes_written++;
}

static void
write_eeprom_page(struct sim_target *t)
{
	uint32_t addr = (uint32_t)t->frame[1] << 8 | t->frame[2];
	uint32_t base, i;

	if (!eeprom_usable(t, addr)) {
		memset(t->eeprom_loaded, 0, sizeof t->eeprom_loaded);
		return;
	}
	base = wrap(t, addr, t->part->eeprom_size) & ~(t->eeprom_page - 1);
	/* Only the bytes loaded since the last page write are written. */
	for (i = 0; i < t->eeprom_page && base + i < t->part->eeprom_size; i++) {
		if (!t->eeprom_loaded[i])
			continue;
		t->eeprom[base + i] = t->eeprom_buf[i];
		t->counters.eeprom_bytes_written++;
	}
	memset(t->eeprom_buf, 0xFF, sizeof t->eeprom_buf);
	memset(t->eeprom_loaded, 0, sizeof t->eeprom_loaded);
	start_busy(t, SIM_BUSY_EEPROM, base, t->eeprom_page, SIM_TARGET_EEPROM_DELAY_US);
}

static void
write_fuse(struct sim_target *t, enum fuse_byte b)
{
	uint8_t v = (uint8_t)(t->frame[3] | t->part->fuses[b].unused_mask);

	if (writes_locked(t)) {
		sim_target_note(t, SIM_VIOLATION_WRITE_LOCKED, t->frame, 0, (uint32_t)b);
		return;
	}
	/* SPIEN is not accessible in serial programming mode: it stays
	 * programmed whatever the programmer sends. */
	if (b == FUSE_HIGH && (v & t->bits.spien) != 0) {
		sim_target_note(t, SIM_VIOLATION_SPIEN_KEPT, t->frame, 0, v);
		v &= (uint8_t)~t->bits.spien;
	}
	/* Stored now, read back as written, but the chip keeps running on
	 * the latched values until it leaves programming mode. */
	t->fuses[b] = v;
	start_busy(t, SIM_BUSY_FUSE, (uint32_t)b, 1, SIM_TARGET_FUSE_DELAY_US);
	t->counters.fuse_writes++;
}

static void
write_lock(struct sim_target *t)
{
	uint8_t unused = (uint8_t)~t->part->lock_mask;
	uint8_t want = (uint8_t)(t->frame[3] | unused);
	uint8_t raise = (uint8_t)(want & ~t->lock);

	if (raise != 0)
		sim_target_note(t, SIM_VIOLATION_LOCK_UNPROGRAM, t->frame, 0, raise);
	t->lock = (uint8_t)((t->lock & want) | unused);
	start_busy(t, SIM_BUSY_LOCK, 0, 1, SIM_TARGET_LOCK_DELAY_US);
	t->counters.lock_writes++;
}

static bool
is_write(enum op op)
{
	switch (op) {
	case OP_ERASE: case OP_WRITE_PAGE: case OP_WRITE_EEPROM:
	case OP_WRITE_EEPROM_PAGE: case OP_WRITE_LOCK:
	case OP_WRITE_LFUSE: case OP_WRITE_HFUSE: case OP_WRITE_EFUSE:
		return true;
	default:
		return false;
	}
}

static void
execute(struct sim_target *t)
{
	enum op op = decode(t, t->frame[0], t->frame[1]);

	if (is_write(op) && sim_target_busy(t)) {
		/* The datasheet requires waiting; a real chip loses the data. */
		sim_target_note(t, SIM_VIOLATION_WRITE_WHILE_BUSY, t->frame, 0, 0);
		return;
	}
	switch (op) {
	case OP_ENABLE:
		t->counters.enables++;
		break;
	case OP_ERASE:
		chip_erase(t);
		break;
	case OP_EXT_ADDR:
		t->ext_addr = t->frame[2];
		break;
	case OP_LOAD_LO:
	case OP_LOAD_HI:
		load_page(t, op == OP_LOAD_HI);
		break;
	case OP_WRITE_PAGE:
		write_page(t);
		break;
	case OP_WRITE_EEPROM:
		write_eeprom(t);
		break;
	case OP_LOAD_EEPROM: {
		uint32_t i = t->frame[2] & (t->eeprom_page - 1);

		t->eeprom_buf[i] = t->frame[3];
		t->eeprom_loaded[i] = 1;
		break;
	}
	case OP_WRITE_EEPROM_PAGE:
		write_eeprom_page(t);
		break;
	case OP_WRITE_LOCK:
		write_lock(t);
		break;
	case OP_WRITE_LFUSE:
		write_fuse(t, FUSE_LOW);
		break;
	case OP_WRITE_HFUSE:
		write_fuse(t, FUSE_HIGH);
		break;
	case OP_WRITE_EFUSE:
		write_fuse(t, FUSE_EXT);
		break;
	case OP_UNKNOWN:
		sim_target_note(t, SIM_VIOLATION_UNKNOWN, t->frame, 0, 0);
		break;
	default:
		break;   /* reads and polls were answered during byte 4 */
	}
}

static void
finish_frame(struct sim_target *t)
{
	t->counters.transfers++;
	if (t->deferred) {
		sim_target_note(t, t->deferred_kind, t->frame, t->deferred_addr, 0);
		t->deferred = false;
	}
	if (t->frame_garbled) {
		/* The chip sampled MOSI off by a bit: whatever it decoded is
		 * not what was sent, and it is not in sync. */
		sim_target_note(t, SIM_VIOLATION_SCK_TOO_FAST, t->frame, 0,
				sim_target_max_sck_hz(t));
		return;
	}
	if (!t->prog_enabled) {
		if (decode(t, t->frame[0], t->frame[1]) == OP_ENABLE) {
			t->prog_enabled = true;
			t->counters.enables++;
		} else {
			sim_target_note(t, SIM_VIOLATION_NOT_ENABLED, t->frame, 0, 0);
		}
		return;
	}
	execute(t);
}

uint8_t
sim_target_isp_byte(struct sim_target *t, uint8_t in)
{
	bool too_fast = t->sck_hz > sim_target_max_sck_hz(t);
	unsigned pos = t->frame_pos;
	uint8_t out = pos == 3 ? t->pending_out : t->shift;
	uint8_t got = in;

	sim_target_tick_byte(t);
	if (too_fast) {
		/* Sampling too late by one bit: the chip sees the stream
		 * shifted right, and echoes what it saw. */
		got = (uint8_t)(in >> 1 | (t->prev_raw & 1u) << 7);
	}
	t->prev_raw = in;
	t->shift = got;
	t->frame[pos] = got;
	t->frame_garbled = pos == 0 ? too_fast : (t->frame_garbled || too_fast);
	if (pos == 0)
		t->deferred = false;
	if (pos == 2)
		t->pending_out = fourth_byte(t);
	if (pos < 3) {
		t->frame_pos = pos + 1;
		return out;
	}
	t->frame_pos = 0;
	finish_frame(t);
	return out;
}
