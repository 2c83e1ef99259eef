/*
 * emu-caterina.c - Caterina, the Arduino bootloader of ATmega32U4 boards,
 * as its host sees it over USB serial, and the board it runs on.
 *
 * The bootloader speaks AVR109 (boot/avr109-proto.h, PROTOCOLS.md section
 * 7) and writes the chip's flash itself, through the target's back doors
 * (no ISP is involved).  Behaviour kept from the firmware, because hosts
 * meet it:
 *   - one command per USB packet: the bytes after a command in the same
 *     packet (up to 64 bytes, counted from the start of the host's
 *     transfer) are thrown away, so a host must wait for each answer;
 *   - 'B' with 'F' erases the page holding the address, fills the SPM page
 *     buffer word by word (bytes past the page wrap into it, an odd last
 *     byte is lost), writes that page and moves the address on; 'g' and
 *     'E' re-enable the RWW section, which clears the page buffer; a word
 *     can be filled only once until the buffer is cleared;
 *   - a memory type other than 'F'/'E' answers '?' and leaves the data
 *     bytes to be read as commands; ESC is ignored without an answer;
 *   - 'e' erases and writes every page below its own section;
 *   - its own section (from boot_start on) never changes: SPM there is
 *     locked out (BLB1x), counted in emu_stats.protected_writes;
 *   - its timeout counter runs only while the application area holds a
 *     program, is set back by block commands only, and 'E' sets it 500 ms
 *     short of the window: then the bootloader leaves the bus and jumps to
 *     the application (a blank one slides through erased flash into the
 *     bootloader again).
 * The board: a running sketch resets into the bootloader 120 ms after the
 * 1200-baud touch (the port set to 1200 baud, then DTR dropped or the
 * port closed), and every reset or jump shows on USB as a new enumeration
 * a moment later (emu_usb_presence()).
 */
#include <stdlib.h>
#include <string.h>

#include "boot/avr109-proto.h"
#include "sim/emu-int.h"

#define CAT_DEFAULT_WINDOW_MS 8000u
#define CAT_TOUCH_BAUD        1200u
#define CAT_TOUCH_RESET_US    120000u  /* the sketch's watchdog after the touch */
#define CAT_ENUM_US           300000u  /* from a reset or a jump to the next enumeration */
#define CAT_USB_PACKET        64u

static struct emu_caterina *
cat(struct emu *e)
{
	return &e->u.cat;
}

static const struct catalog_part *
part_of(const struct emu *e)
{
	return sim_target_part(e->t);
}

static uint32_t
page_size(const struct emu *e)
{
	uint32_t ps = part_of(e)->page_size;

	return ps > EMU_CAT_PAGE_MAX ? EMU_CAT_PAGE_MAX : ps;
}

static uint32_t
boot_start(const struct emu *e)
{
	const struct catalog_part *p = part_of(e);

	if (e->opts.boot_start != 0)
		return e->opts.boot_start;
	if (p->boot[0].size_words != 0)
		return p->boot[0].start_word * 2u;
	return p->flash_size;
}

/* pgm_read_word(0) != 0xFFFF: what Caterina asks before its clock runs. */
static bool
app_present(const struct emu *e)
{
	const uint8_t *f = sim_target_flash(e->t);

	return f[0] != 0xFF || f[1] != 0xFF;
}

static void
buffer_clear(struct emu_caterina *c)
{
	memset(c->page, 0xFF, sizeof c->page);
	memset(c->filled, 0, sizeof c->filled);
}

static void
enter(struct emu *e, enum emu_cat_state s)
{
	struct emu_caterina *c = cat(e);

	c->state = s;
	c->timer_us = 0;
	c->touch_pending = false;
	if (s == EMU_CAT_OFF)
		return;
	c->generation++;
	if (s == EMU_CAT_BOOT) {
		c->idle_us = 0;
		c->exiting = false;
		c->seen_command = false;
		c->addr = 0;
		buffer_clear(c);
		e->in_len = 0;
	}
}

/* Off the bus now; `next` enumerates after `us`. */
static void
go_off(struct emu *e, enum emu_cat_state next, uint64_t us)
{
	struct emu_caterina *c = cat(e);

	enter(e, EMU_CAT_OFF);
	c->next = next;
	c->timer_us = us;
	e->in_len = 0;
	e->out_len = 0;
}

/* The bootloader detaches and jumps to the application. */
static void
leave(struct emu *e)
{
	e->stats.exits++;
	go_off(e, app_present(e) ? EMU_CAT_APP : EMU_CAT_BOOT, CAT_ENUM_US);
}

void
emu_caterina_init(struct emu *e)
{
	struct emu_caterina *c = cat(e);

	memset(c, 0, sizeof *c);
	c->window_us = (uint64_t)(e->opts.window_ms != 0 ? e->opts.window_ms :
				  CAT_DEFAULT_WINDOW_MS) * 1000u;
	c->boot_start = boot_start(e);
	buffer_clear(c);
	if (e->opts.sketch)
		enter(e, EMU_CAT_SKETCH);
	else if (e->opts.appear_after_ms != 0)
		go_off(e, EMU_CAT_BOOT, (uint64_t)e->opts.appear_after_ms * 1000u);
	else
		enter(e, EMU_CAT_BOOT);
}

/* --- the board ------------------------------------------------------------ */

static void
touch(struct emu *e)
{
	struct emu_caterina *c = cat(e);

	if (c->state != EMU_CAT_SKETCH || c->touch_pending || e->host_baud != CAT_TOUCH_BAUD)
		return;
	e->stats.touches++;
	c->touch_pending = true;
	c->timer_us = CAT_TOUCH_RESET_US;
}

void
emu_caterina_lines(struct emu *e, bool dtr)
{
	/* The sketch's USB code looks at every line-state change: 1200
	 * baud with DTR low starts the watchdog. */
	if (!dtr)
		touch(e);
}

void
emu_caterina_closed(struct emu *e)
{
	/* Closing the port drops DTR. */
	touch(e);
}

void
emu_caterina_advance(struct emu *e, uint64_t us)
{
	struct emu_caterina *c = cat(e);

	while (us > 0 && !e->vanished) {
		switch (c->state) {
		case EMU_CAT_OFF:
			if (c->timer_us > us) {
				c->timer_us -= us;
				return;
			}
			us -= c->timer_us;
			enter(e, c->next);
			break;
		case EMU_CAT_SKETCH:
			if (!c->touch_pending)
				return;
			if (c->timer_us > us) {
				c->timer_us -= us;
				return;
			}
			us -= c->timer_us;
			go_off(e, EMU_CAT_BOOT, CAT_ENUM_US);
			break;
		case EMU_CAT_BOOT:
			if (!app_present(e))
				return;
			c->idle_us += us;
			if (c->idle_us <= c->window_us)
				return;
			if (!c->exiting)
				e->stats.window_closes++;
			leave(e);
			return;
		case EMU_CAT_APP:
			return;
		}
	}
}

enum emu_usb_presence
emu_caterina_presence(const struct emu *e, uint32_t *generation)
{
	const struct emu_caterina *c = &e->u.cat;

	if (generation != NULL)
		*generation = c->generation;
	if (e->vanished)
		return EMU_USB_NONE;
	switch (c->state) {
	case EMU_CAT_SKETCH:
		return EMU_USB_SKETCH;
	case EMU_CAT_BOOT:
		return EMU_USB_BOOTLOADER;
	case EMU_CAT_APP:
		return EMU_USB_APPLICATION;
	case EMU_CAT_OFF:
		break;
	}
	return EMU_USB_NONE;
}

const char *
emu_caterina_mode(const struct emu *e)
{
	switch (e->u.cat.state) {
	case EMU_CAT_SKETCH:
		return "sketch";
	case EMU_CAT_BOOT:
		return "bootloader";
	case EMU_CAT_APP:
		return "application";
	case EMU_CAT_OFF:
		break;
	}
	return "off";
}

/* --- self-programming (SPM) ------------------------------------------------ */

static bool
protected_addr(const struct emu *e, uint32_t addr)
{
	return (addr % part_of(e)->flash_size) >= e->u.cat.boot_start;
}

static void
spm_fill(struct emu *e, uint32_t addr, uint16_t word)
{
	struct emu_caterina *c = cat(e);
	uint32_t w = (addr % page_size(e)) / 2;

	if (c->filled[w])
		return;              /* once per word until the buffer is cleared */
	c->filled[w] = true;
	c->page[2 * w] = (uint8_t)word;
	c->page[2 * w + 1] = (uint8_t)(word >> 8);
}

static uint32_t
page_base(const struct emu *e, uint32_t addr)
{
	return (addr % part_of(e)->flash_size) / page_size(e) * page_size(e);
}

static void
spm_erase(struct emu *e, uint32_t addr)
{
	uint8_t blank[EMU_CAT_PAGE_MAX];

	if (protected_addr(e, addr)) {
		e->stats.protected_writes++;
		return;
	}
	memset(blank, 0xFF, sizeof blank);
	sim_target_preload_flash(e->t, page_base(e, addr), blank, page_size(e), NULL);
}

/* A page write programs the buffer into the page (bits only go from 1 to
 * 0) and clears the buffer; locked out, nothing happens at all. */
static bool
spm_write(struct emu *e, uint32_t addr)
{
	struct emu_caterina *c = cat(e);
	const uint8_t *flash = sim_target_flash(e->t);
	uint32_t base = page_base(e, addr), ps = page_size(e);
	uint8_t out[EMU_CAT_PAGE_MAX];

	if (protected_addr(e, addr)) {
		e->stats.protected_writes++;
		return false;
	}
	for (uint32_t i = 0; i < ps; i++)
		out[i] = flash[base + i] & c->page[i];
	sim_target_preload_flash(e->t, base, out, ps, NULL);
	buffer_clear(c);
	return true;
}

static uint8_t
flash_byte(const struct emu *e, uint32_t addr)
{
	return sim_target_flash(e->t)[addr % part_of(e)->flash_size];
}

static uint32_t
eeprom_index(const struct emu *e, uint32_t addr)
{
	uint32_t size = part_of(e)->eeprom_size;

	return size != 0 ? (addr >> 1) % size : 0;
}

static void
eeprom_put(struct emu *e, uint32_t addr, uint8_t v)
{
	if (part_of(e)->eeprom_size != 0)
		sim_target_preload_eeprom(e->t, eeprom_index(e, addr), &v, 1, NULL);
}

static uint8_t
eeprom_get(const struct emu *e, uint32_t addr)
{
	return part_of(e)->eeprom_size != 0 ? sim_target_eeprom(e->t)[eeprom_index(e, addr)] :
	       0xFF;
}

/* --- AVR109 ---------------------------------------------------------------- */

/* Bytes the command at `buf` takes, 0 when it is not all there yet. */
static size_t
command_length(const uint8_t *buf, size_t len)
{
	size_t need;

	switch (buf[0]) {
	case AVR109_SELECT_DEVICE:
	case AVR109_WRITE_LOCK:
	case AVR109_FILL_LOW:
	case AVR109_FILL_HIGH:
	case AVR109_WRITE_EEPROM:
		need = 2;
		break;
	case AVR109_SET_ADDRESS:
		need = 3;
		break;
	case AVR109_BLOCK_READ:
		need = 4;
		break;
	case AVR109_BLOCK_WRITE:
		if (len < 4)
			return 0;
		need = 4;
		if (buf[3] == AVR109_MEM_FLASH || buf[3] == AVR109_MEM_EEPROM)
			need += (size_t)buf[1] << 8 | buf[2];
		break;
	default:
		need = 1;
		break;
	}
	return len >= need ? need : 0;
}

static void
block_write(struct emu *e, const uint8_t *cmd)
{
	struct emu_caterina *c = cat(e);
	uint32_t size = (uint32_t)cmd[1] << 8 | cmd[2];
	const uint8_t *data = cmd + 4;
	uint32_t start = c->addr;
	bool high = false;
	uint8_t low = 0;

	if (cmd[3] == AVR109_MEM_EEPROM) {
		for (uint32_t i = 0; i < size; i++) {
			eeprom_put(e, c->addr, data[i]);
			c->addr += 2;
		}
		emu_reply_byte(e, AVR109_CR);
		return;
	}
	spm_erase(e, start);
	for (uint32_t i = 0; i < size; i++) {
		if (high) {
			spm_fill(e, c->addr, (uint16_t)(data[i] << 8 | low));
			c->addr += 2;
		} else {
			low = data[i];
		}
		high = !high;
	}
	if (spm_write(e, start))
		e->stats.blocks_written++;
	emu_reply_byte(e, AVR109_CR);
}

static void
block_read(struct emu *e, const uint8_t *cmd)
{
	struct emu_caterina *c = cat(e);
	uint32_t size = (uint32_t)cmd[1] << 8 | cmd[2];
	uint8_t *all = malloc(size != 0 ? size : 1);
	bool high = false;

	buffer_clear(c);             /* boot_rww_enable() */
	e->stats.blocks_read++;
	if (all == NULL) {
		e->oom = true;
		return;
	}
	for (uint32_t i = 0; i < size; i++) {
		if (cmd[3] == AVR109_MEM_FLASH) {
			all[i] = flash_byte(e, c->addr | (high ? 1u : 0u));
			if (high)
				c->addr += 2;
			high = !high;
		} else {
			all[i] = eeprom_get(e, c->addr);
			c->addr += 2;
		}
	}
	/* One reply: the reply knobs (cut, garbage) act on it as a whole. */
	emu_reply(e, all, size);
	free(all);
}

static void
execute(struct emu *e, const uint8_t *cmd)
{
	struct emu_caterina *c = cat(e);
	const struct catalog_part *p = part_of(e);
	uint8_t r[8];

	switch (cmd[0]) {
	case AVR109_ESC:
		return;
	case AVR109_EXIT:
		c->idle_us = c->window_us > CATERINA_EXIT_MS * 1000u ?
			     c->window_us - CATERINA_EXIT_MS * 1000u : 0;
		c->exiting = true;
		buffer_clear(c);
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_SELECT_DEVICE:
	case AVR109_ENTER_PROG:
	case AVR109_LEAVE_PROG:
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_DEVICE_CODES:
		r[0] = CATERINA_DEVICE_CODE;
		r[1] = 0;
		emu_reply(e, r, 2);
		return;
	case AVR109_AUTOINC:
		emu_reply_byte(e, AVR109_YES);
		return;
	case AVR109_SET_ADDRESS:
		c->addr = (uint32_t)cmd[1] << 9 | (uint32_t)cmd[2] << 1;
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_PROG_TYPE:
		emu_reply_byte(e, CATERINA_PROG_TYPE);
		return;
	case AVR109_IDENTIFY:
		emu_reply(e, (const uint8_t *)CATERINA_ID, CATERINA_ID_LEN);
		return;
	case AVR109_SW_VERSION:
		r[0] = CATERINA_SW_MAJOR;
		r[1] = CATERINA_SW_MINOR;
		emu_reply(e, r, 2);
		return;
	case AVR109_SIGNATURE:
		r[0] = p->signature[2];
		r[1] = p->signature[1];
		r[2] = p->signature[0];
		emu_reply(e, r, 3);
		return;
	case AVR109_CHIP_ERASE:
		for (uint32_t a = 0; a < c->boot_start; a += page_size(e)) {
			spm_erase(e, a);
			spm_write(e, a);
		}
		e->stats.erases++;
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_WRITE_LOCK:
		/* SPM can only program the boot lock bits. */
		sim_target_set_lock(e->t, sim_target_lock(e->t) & (uint8_t)~(cmd[1] & 0x3C));
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_READ_LOCK:
		emu_reply_byte(e, sim_target_lock(e->t));
		return;
	case AVR109_READ_LFUSE:
		emu_reply_byte(e, sim_target_fuse(e->t, FUSE_LOW));
		return;
	case AVR109_READ_HFUSE:
		emu_reply_byte(e, sim_target_fuse(e->t, FUSE_HIGH));
		return;
	case AVR109_READ_EFUSE:
		emu_reply_byte(e, sim_target_fuse(e->t, FUSE_EXT));
		return;
	case AVR109_BLOCK_SUPPORT:
		r[0] = AVR109_YES;
		r[1] = (uint8_t)(page_size(e) >> 8);
		r[2] = (uint8_t)page_size(e);
		emu_reply(e, r, 3);
		return;
	case AVR109_BLOCK_WRITE:
	case AVR109_BLOCK_READ:
		c->idle_us = 0;      /* block commands keep it waiting */
		if (cmd[3] != AVR109_MEM_FLASH && cmd[3] != AVR109_MEM_EEPROM) {
			emu_reply_byte(e, AVR109_UNKNOWN);
			return;
		}
		if (cmd[0] == AVR109_BLOCK_WRITE)
			block_write(e, cmd);
		else
			block_read(e, cmd);
		return;
	case AVR109_FILL_HIGH:
		/* A byte where SPM takes a word: the high byte is 0. */
		spm_fill(e, c->addr, cmd[1]);
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_FILL_LOW:
		spm_fill(e, c->addr | 1u, cmd[1]);
		c->addr += 2;
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_WRITE_PAGE:
		if (spm_write(e, c->addr))
			e->stats.blocks_written++;
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_READ_WORD:
		r[0] = flash_byte(e, c->addr + 1);
		r[1] = flash_byte(e, c->addr);
		emu_reply(e, r, 2);
		return;
	case AVR109_WRITE_EEPROM:
		eeprom_put(e, c->addr, cmd[1]);
		c->addr += 2;
		emu_reply_byte(e, AVR109_CR);
		return;
	case AVR109_READ_EEPROM:
		emu_reply_byte(e, eeprom_get(e, c->addr));
		c->addr += 2;
		return;
	default:
		e->stats.unknown++;
		emu_reply_byte(e, AVR109_UNKNOWN);
		return;
	}
}

void
emu_caterina_process(struct emu *e, size_t chunk_start)
{
	struct emu_caterina *c = cat(e);
	size_t used = 0;

	while (used < e->in_len) {
		size_t n;

		if (c->state != EMU_CAT_BOOT) {
			/* A sketch that reads nothing, or nobody at all. */
			used = e->in_len;
			break;
		}
		if (!c->seen_command && e->fault_on[EMU_FAULT_WINDOW_CLOSES]) {
			/* The window closed just before this byte came. */
			e->stats.window_closes++;
			leave(e);
			return;                  /* go_off() emptied the buffers */
		}
		n = command_length(e->in + used, e->in_len - used);
		if (n == 0)
			break;
		c->seen_command = true;
		e->stats.commands++;
		execute(e, e->in + used);
		used += n;
		/* The firmware acknowledges the whole OUT packet once the
		 * command is done: what else it held is lost. */
		if (used > chunk_start && used < e->in_len) {
			size_t rel = used - chunk_start;
			size_t end = chunk_start + (rel + CAT_USB_PACKET - 1) / CAT_USB_PACKET *
				     CAT_USB_PACKET;

			if (end > e->in_len)
				end = e->in_len;
			if (end > used) {
				e->stats.dropped += end - used;
				used = end;
			}
		}
	}
	if (used && used < e->in_len)
		memmove(e->in, e->in + used, e->in_len - used);
	e->in_len -= used;
}
