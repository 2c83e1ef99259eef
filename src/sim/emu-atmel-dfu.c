/*
 * emu-atmel-dfu.c - Atmel's DFU bootloader as its firmware answers the DFU
 * class requests: the state machine and the FLIP commands that ride on
 * DNLOAD (boot/atmel-dfu-proto.h).  The device around it (descriptors,
 * standard requests, knobs, the bus) is emu-atmel-dfu-usb.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "boot/atmel-dfu-proto.h"
#include "sim/emu-atmel-dfu-int.h"

#define WRITE_CHUNK 256u

static const char *const status_names[] = {
	"OK", "errTARGET", "errFILE", "errWRITE", "errERASE", "errCHECK_ERASED",
	"errPROG", "errVERIFY", "errADDRESS", "errNOTDONE", "errFIRMWARE",
	"errVENDOR", "errUSBR", "errPOR", "errUNKNOWN", "errSTALLEDPKT",
};

static const char *
status_name(uint8_t s)
{
	return s < sizeof status_names / sizeof status_names[0] ? status_names[s] : "?";
}

void
emu_dfu_violate(struct emu_dfu *d, const char *fmt, ...)
{
	uint64_t i = d->stats.violations++;
	va_list ap;

	if (i >= EMU_DFU_VIOLATIONS_KEPT)
		return;
	va_start(ap, fmt);
	vsnprintf(d->violations[i], EMU_DFU_VIOLATION_LEN, fmt, ap);
	va_end(ap);
}

void
emu_dfu_reset_state(struct emu_dfu *d)
{
	d->state = ATMEL_DFU_IDLE;
	d->status = ATMEL_DFU_OK;
	d->page = 0;
	d->pending = EMU_DFU_PENDING_NONE;
	d->start_armed = false;
	d->busy_until = 0;
}

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
spend(struct emu_dfu *d, struct emu_usb_reply *r, uint64_t us)
{
	r->device_us += us;
	d->now += us;
}

/* Into dfuERROR.  A stall's errSTALLEDPKT does not hide the error that was
 * already there. */
static void
fail(struct emu_dfu *d, uint8_t status)
{
	if (d->state != ATMEL_DFU_ERROR)
		d->stats.errors++;
	if (d->state != ATMEL_DFU_ERROR || d->status == ATMEL_DFU_OK ||
	    status != ATMEL_DFU_ERR_STALLEDPKT)
		d->status = status;
	d->state = ATMEL_DFU_ERROR;
	if (d->pending != EMU_DFU_PENDING_BLANK_ADDR)
		d->pending = EMU_DFU_PENDING_NONE;
	d->start_armed = false;
}

static int
stall(struct emu_dfu *d, uint8_t status)
{
	fail(d, status);
	d->stats.stalls++;
	return -EPIPE;
}

/* The chip resets now (the reenumerate knob): it drops off the bus and
 * the bootloader enumerates again after its restart time. */
static int
reset_now(struct emu_dfu *d)
{
	d->bus = EMU_DFU_LEAVING;
	d->leave_at = d->caller_now;
	d->back_at = d->caller_now + (uint64_t)d->opts.restart_ms * 1000u;
	return -ENODEV;
}

/* --- program ------------------------------------------------------------------ */

/* What SPM does with a page write: bits can only go from 1 to 0. */
static void
write_flash(struct emu_dfu *d, uint32_t addr, const uint8_t *src, uint32_t n,
	    struct emu_usb_reply *r)
{
	const uint8_t *flash = sim_target_flash(d->t);
	uint32_t ps = d->part->page_size, pages = (addr + n - 1) / ps - addr / ps + 1;
	uint64_t stuck = 0;
	uint8_t buf[WRITE_CHUNK];
	struct iw_error err;

	for (uint32_t done = 0; done < n; done += WRITE_CHUNK) {
		uint32_t k = n - done < WRITE_CHUNK ? n - done : WRITE_CHUNK;

		for (uint32_t i = 0; i < k; i++) {
			uint8_t old = flash[addr + done + i], want = src[done + i];

			for (uint8_t bits = (uint8_t)(want & ~old); bits != 0; bits &= (uint8_t)(bits - 1))
				stuck++;
			buf[i] = old & want;
		}
		sim_target_preload_flash(d->t, addr + done, buf, k, &err);
	}
	if (stuck != 0)
		emu_dfu_violate(d, "program 0x%05X-0x%05X without an erase: %llu bits wanted "
				"to go from 0 to 1 and stayed 0", addr, addr + n - 1,
				(unsigned long long)stuck);
	d->stats.bytes_programmed += n;
	d->stats.pages_programmed += pages;
	spend(d, r, (uint64_t)pages * d->page_us);
}

static int
program(struct emu_dfu *d, const uint8_t *p, size_t len, struct emu_usb_reply *r)
{
	uint64_t nth = d->stats.program_commands++;
	uint32_t start, end, n, off;
	struct iw_error err;

	if (d->fault_on[EMU_DFU_FAULT_REENUMERATE] && nth == d->fault_n[EMU_DFU_FAULT_REENUMERATE])
		return reset_now(d);
	if (d->secured) {
		d->stats.refused++;
		return stall(d, ATMEL_DFU_ERR_WRITE);
	}
	start = be16(p + 2);
	end = be16(p + 4);
	if (end < start) {
		emu_dfu_violate(d, "program: end 0x%04X before start 0x%04X", end, start);
		fail(d, ATMEL_DFU_ERR_ADDRESS);
		return (int)len;
	}
	n = end - start + 1;
	off = ATMEL_DFU_CONTROL_BLOCK + start % ATMEL_DFU_ALIGN;
	if (len < (size_t)off + n) {
		emu_dfu_violate(d, "program 0x%04X-0x%04X: the DNLOAD carries %zu bytes, not "
				"%u (control block, %u filler, %u data) and the suffix", start,
				end, len, off + n, start % ATMEL_DFU_ALIGN, n);
		fail(d, ATMEL_DFU_ERR_NOTDONE);
		return (int)len;
	}
	if (len < (size_t)off + n + ATMEL_DFU_SUFFIX)
		emu_dfu_violate(d, "program 0x%04X-0x%04X: no 16-byte DFU suffix", start, end);
	if (d->fault_on[EMU_DFU_FAULT_STATUS_ERROR] &&
	    nth == d->fault_n[EMU_DFU_FAULT_STATUS_ERROR]) {
		fail(d, ATMEL_DFU_ERR_WRITE);
		return (int)len;
	}
	if (p[1] == ATMEL_DFU_MEM_FLASH) {
		uint32_t addr = (uint32_t)d->page * ATMEL_DFU_PAGE_SIZE + start;

		if (addr + n > d->boot_start) {
			d->stats.refused++;
			emu_dfu_violate(d, "program 0x%05X-0x%05X reaches the bootloader's own "
					"section (0x%05X on): refused, nothing written", addr,
					addr + n - 1, d->boot_start);
			fail(d, ATMEL_DFU_ERR_ADDRESS);
			return (int)len;
		}
		write_flash(d, addr, p + off, n, r);
	} else if (p[1] == ATMEL_DFU_MEM_EEPROM) {
		if (sim_target_preload_eeprom(d->t, start, p + off, n, &err) != IW_OK) {
			emu_dfu_violate(d, "program EEPROM 0x%04X-0x%04X: past its %u bytes",
					start, end, d->part->eeprom_size);
			fail(d, ATMEL_DFU_ERR_ADDRESS);
			return (int)len;
		}
	} else {
		emu_dfu_violate(d, "program: memory 0x%02X is neither flash nor EEPROM", p[1]);
		fail(d, ATMEL_DFU_ERR_TARGET);
		return (int)len;
	}
	d->state = ATMEL_DFU_DNLOAD_IDLE;
	return (int)len;
}

/* --- read, blank check ----------------------------------------------------------- */

static int
display(struct emu_dfu *d, const uint8_t *p, size_t len)
{
	uint32_t base = (uint32_t)d->page * ATMEL_DFU_PAGE_SIZE;
	uint32_t start = be16(p + 2), end = be16(p + 4);
	uint32_t limit = p[1] == ATMEL_DFU_DISPLAY_EEPROM ? d->part->eeprom_size :
			 d->part->flash_size;
	const uint8_t *flash = sim_target_flash(d->t);

	if (p[1] == ATMEL_DFU_DISPLAY_EEPROM)
		base = 0;
	if (end < start || base + end >= limit) {
		emu_dfu_violate(d, "read 0x%05X-0x%05X: outside the memory", base + start,
				base + end);
		fail(d, ATMEL_DFU_ERR_ADDRESS);
		return (int)len;
	}
	switch (p[1]) {
	case ATMEL_DFU_DISPLAY_FLASH:
	case ATMEL_DFU_DISPLAY_EEPROM:
		d->pending = p[1] == ATMEL_DFU_DISPLAY_FLASH ? EMU_DFU_PENDING_FLASH :
			     EMU_DFU_PENDING_EEPROM;
		d->read_addr = base + start;
		d->read_end = base + end + 1;
		d->state = ATMEL_DFU_UPLOAD_IDLE;
		return (int)len;
	case ATMEL_DFU_DISPLAY_BLANK:
		d->stats.blank_checks++;
		for (uint32_t a = base + start; a <= base + end; a++)
			if (flash[a] != 0xFF) {
				d->blank_addr = (uint16_t)a;
				d->pending = EMU_DFU_PENDING_BLANK_ADDR;
				fail(d, ATMEL_DFU_ERR_CHECK_ERASED);
				return (int)len;
			}
		d->state = ATMEL_DFU_DNLOAD_IDLE;
		return (int)len;
	default:
		emu_dfu_violate(d, "display command 0x03 0x%02X is not one of Atmel's", p[1]);
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
}

/* --- erase, start, configuration, page -------------------------------------------- */

static int
write_cmd(struct emu_dfu *d, const uint8_t *p, size_t len)
{
	if (p[1] == ATMEL_DFU_WRITE_ERASE && p[2] == ATMEL_DFU_ERASE_ALL) {
		uint8_t blank[WRITE_CHUNK];
		struct iw_error err;

		memset(blank, 0xFF, sizeof blank);
		for (uint32_t a = 0; a < d->boot_start; a += WRITE_CHUNK)
			sim_target_preload_flash(d->t, a, blank, d->boot_start - a < WRITE_CHUNK ?
						 d->boot_start - a : WRITE_CHUNK, &err);
		d->secured = false;
		d->stats.erases++;
		d->busy_until = d->now + d->erase_us;
		d->state = d->erase_us != 0 ? ATMEL_DFU_DNBUSY : ATMEL_DFU_DNLOAD_IDLE;
		return (int)len;
	}
	if (p[1] == ATMEL_DFU_WRITE_START &&
	    (p[2] == ATMEL_DFU_START_RESET || (p[2] == ATMEL_DFU_START_JUMP && len >= 5))) {
		d->start_armed = true;
		d->start_jump = p[2] == ATMEL_DFU_START_JUMP;
		d->state = ATMEL_DFU_DNLOAD_IDLE;
		return (int)len;
	}
	emu_dfu_violate(d, "write command 0x04 0x%02X 0x%02X is not one an AVR's bootloader "
			"takes", p[1], p[2]);
	return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
}

static int
read_config(struct emu_dfu *d, const uint8_t *p, size_t len)
{
	const uint8_t *sig = sim_target_part(d->t)->signature;
	int v = -1;

	if (p[1] == ATMEL_DFU_CFG_BOOTLOADER) {
		if (p[2] == ATMEL_DFU_CFG_VERSION)
			v = d->opts.version;
		else if (p[2] == ATMEL_DFU_CFG_ID1)
			v = d->opts.id1;
		else if (p[2] == ATMEL_DFU_CFG_ID2)
			v = d->opts.id2;
	} else if (p[1] == ATMEL_DFU_CFG_SIGNATURE) {
		if (p[2] == ATMEL_DFU_CFG_MANUFACTURER)
			v = ATMEL_DFU_MANUFACTURER_ATMEL;
		else if (p[2] == ATMEL_DFU_CFG_SIG1)
			v = sig[0];
		else if (p[2] == ATMEL_DFU_CFG_SIG2)
			v = sig[1];
		else if (p[2] == ATMEL_DFU_CFG_SIG3)
			v = sig[2];
	}
	if (v < 0) {
		emu_dfu_violate(d, "read configuration 0x05 0x%02X 0x%02X: no such byte", p[1],
				p[2]);
		fail(d, ATMEL_DFU_ERR_ADDRESS);
		return (int)len;
	}
	d->stats.config_reads++;
	d->byte = (uint8_t)v;
	d->pending = EMU_DFU_PENDING_BYTE;
	d->state = ATMEL_DFU_DNLOAD_IDLE;
	return (int)len;
}

static int
select_cmd(struct emu_dfu *d, const uint8_t *p, size_t len)
{
	if (len < 4 || p[1] != ATMEL_DFU_SELECT_MEMORY || p[2] != ATMEL_DFU_SELECT_PAGE) {
		emu_dfu_violate(d, "select command 0x06 0x%02X 0x%02X is not the page select",
				p[1], len >= 3 ? p[2] : 0);
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
	if ((uint32_t)p[3] * ATMEL_DFU_PAGE_SIZE >= d->part->flash_size) {
		emu_dfu_violate(d, "select page %u: the %u bytes of flash have no such page",
				p[3], d->part->flash_size);
		fail(d, ATMEL_DFU_ERR_ADDRESS);
		return (int)len;
	}
	d->stats.page_selects++;
	d->page = p[3];
	d->state = ATMEL_DFU_DNLOAD_IDLE;
	return (int)len;
}

/* --- the requests ------------------------------------------------------------------ */

static bool
app_blank(const struct emu_dfu *d)
{
	const uint8_t *flash = sim_target_flash(d->t);

	return flash[0] == 0xFF && flash[1] == 0xFF;
}

static int
zero_length(struct emu_dfu *d)
{
	if (d->start_armed) {
		/* The bootloader leaves: the application runs, or on a blank
		 * chip the CPU runs through the erased flash into the boot
		 * section and the bootloader starts again. */
		d->stats.app_starts++;
		d->app_running = !app_blank(d);
		d->bus = EMU_DFU_LEAVING;
		d->leave_at = d->caller_now + EMU_DFU_LEAVE_MS * 1000u;
		d->back_at = d->app_running ? 0 :
			     d->leave_at + (uint64_t)d->opts.restart_ms * 1000u;
		d->start_armed = false;
		d->state = ATMEL_DFU_IDLE;
		return 0;
	}
	if (d->state == ATMEL_DFU_DNLOAD_IDLE)
		d->state = ATMEL_DFU_IDLE;
	return 0;
}

static int
dnload(struct emu_dfu *d, const uint8_t *p, size_t len, struct emu_usb_reply *r)
{
	static const size_t need[] = {
		[ATMEL_DFU_PROG_START] = 6, [ATMEL_DFU_DISPLAY] = 6, [ATMEL_DFU_WRITE] = 3,
		[ATMEL_DFU_READ_CONFIG] = 3, [ATMEL_DFU_SELECT] = 4,
	};

	d->stats.dnloads++;
	if (d->state == ATMEL_DFU_ERROR) {
		emu_dfu_violate(d, "DNLOAD in dfuERROR (%s): stalled; CLRSTATUS comes first",
				status_name(d->status));
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
	if (len == 0)
		return zero_length(d);
	d->stats.commands++;
	d->pending = EMU_DFU_PENDING_NONE;
	if (p[0] >= sizeof need / sizeof need[0] || need[p[0]] == 0) {
		emu_dfu_violate(d, "command group 0x%02X is not one of Atmel's", p[0]);
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
	if (len < need[p[0]]) {
		emu_dfu_violate(d, "command 0x%02X: %zu bytes, too short", p[0], len);
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
	if (p[0] != ATMEL_DFU_WRITE || p[1] != ATMEL_DFU_WRITE_START)
		d->start_armed = false;
	switch (p[0]) {
	case ATMEL_DFU_PROG_START:
		return program(d, p, len, r);
	case ATMEL_DFU_DISPLAY:
		return display(d, p, len);
	case ATMEL_DFU_WRITE:
		return write_cmd(d, p, len);
	case ATMEL_DFU_READ_CONFIG:
		return read_config(d, p, len);
	default:
		return select_cmd(d, p, len);
	}
}

static int
upload(struct emu_dfu *d, uint8_t *data, size_t len)
{
	const uint8_t *mem;
	size_t n;

	d->stats.uploads++;
	if (d->state == ATMEL_DFU_ERROR && d->pending == EMU_DFU_PENDING_BLANK_ADDR) {
		uint8_t a[ATMEL_DFU_BLANK_ADDR_LEN] = { (uint8_t)d->blank_addr,
							(uint8_t)(d->blank_addr >> 8) };

		n = len < sizeof a ? len : sizeof a;
		memcpy(data, a, n);
		return (int)n;
	}
	if (d->state == ATMEL_DFU_ERROR) {
		emu_dfu_violate(d, "UPLOAD in dfuERROR (%s): stalled; CLRSTATUS comes first",
				status_name(d->status));
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
	switch (d->pending) {
	case EMU_DFU_PENDING_BYTE:
		if (len == 0)
			return 0;
		data[0] = d->byte;
		return 1;
	case EMU_DFU_PENDING_FLASH:
	case EMU_DFU_PENDING_EEPROM:
		if (d->secured) {
			d->stats.refused++;
			return stall(d, ATMEL_DFU_ERR_FILE);
		}
		mem = d->pending == EMU_DFU_PENDING_FLASH ? sim_target_flash(d->t) :
		      sim_target_eeprom(d->t);
		n = d->read_end - d->read_addr;
		if (len < n)
			n = len;
		memcpy(data, mem + d->read_addr, n);
		d->read_addr += (uint32_t)n;
		d->stats.bytes_read += n;
		if (d->read_addr == d->read_end) {
			d->pending = EMU_DFU_PENDING_NONE;
			d->state = ATMEL_DFU_IDLE;
		}
		return (int)n;
	default:
		emu_dfu_violate(d, "UPLOAD with no read command before it: stalled");
		return stall(d, ATMEL_DFU_ERR_STALLEDPKT);
	}
}

static int
get_status(struct emu_dfu *d, uint8_t *data, size_t len)
{
	uint8_t s[ATMEL_DFU_STATUS_LEN] = { d->status, 0, 0, 0, d->state, 0 };
	size_t n = len < sizeof s ? len : sizeof s;

	d->stats.getstatus++;
	if (d->state == ATMEL_DFU_DNBUSY) {
		uint64_t left_ms = (d->busy_until - d->now + 999u) / 1000u;

		if (left_ms > 0xFFFFFF)
			left_ms = 0xFFFFFF;
		s[1] = (uint8_t)left_ms;
		s[2] = (uint8_t)(left_ms >> 8);
		s[3] = (uint8_t)(left_ms >> 16);
		d->stats.busy_polls++;
	}
	memcpy(data, s, n);
	return (int)n;
}

void
emu_dfu_class(struct emu_dfu *d, const uint8_t setup[8], uint8_t *data, size_t len,
	      struct emu_usb_reply *r)
{
	bool in = (setup[0] & 0x80) != 0;
	uint8_t req = setup[1];
	uint16_t index = (uint16_t)(setup[4] | setup[5] << 8);

	if (index != ATMEL_DFU_INTERFACE) {
		d->stats.stalls++;
		r->status = -EPIPE;
		return;
	}
	/* While the erase runs the firmware answers only GETSTATUS and
	 * GETSTATE between pages; anything else waits for the end. */
	if (d->state == ATMEL_DFU_DNBUSY && d->now < d->busy_until &&
	    req != ATMEL_DFU_GETSTATUS && req != ATMEL_DFU_GETSTATE) {
		d->stats.held++;
		spend(d, r, d->busy_until - d->now);
	}
	if (d->state == ATMEL_DFU_DNBUSY && d->now >= d->busy_until)
		d->state = ATMEL_DFU_DNLOAD_IDLE;
	if (in != (req == ATMEL_DFU_UPLOAD || req == ATMEL_DFU_GETSTATUS ||
		   req == ATMEL_DFU_GETSTATE)) {
		emu_dfu_violate(d, "class request %u with the wrong direction: stalled", req);
		r->status = stall(d, ATMEL_DFU_ERR_STALLEDPKT);
		return;
	}
	switch (req) {
	case ATMEL_DFU_DNLOAD:
		r->status = dnload(d, data, len, r);
		break;
	case ATMEL_DFU_UPLOAD:
		r->status = upload(d, data, len);
		break;
	case ATMEL_DFU_GETSTATUS:
		r->status = get_status(d, data, len);
		break;
	case ATMEL_DFU_CLRSTATUS:
		d->stats.clrstatus++;
		d->status = ATMEL_DFU_OK;
		if (d->state == ATMEL_DFU_ERROR)
			d->state = ATMEL_DFU_IDLE;
		d->pending = EMU_DFU_PENDING_NONE;
		r->status = 0;
		break;
	case ATMEL_DFU_GETSTATE:
		d->stats.getstate++;
		if (len > 0)
			data[0] = d->state;
		r->status = len > 0 ? 1 : 0;
		break;
	case ATMEL_DFU_ABORT:
		d->stats.aborts++;
		if (d->state == ATMEL_DFU_ERROR) {
			r->status = stall(d, ATMEL_DFU_ERR_STALLEDPKT);
			break;
		}
		d->state = ATMEL_DFU_IDLE;
		d->pending = EMU_DFU_PENDING_NONE;
		d->start_armed = false;
		r->status = 0;
		break;
	default:
		/* DETACH is for a device in its application (runtime) mode. */
		emu_dfu_violate(d, "class request %u is not one the bootloader takes", req);
		r->status = stall(d, ATMEL_DFU_ERR_STALLEDPKT);
		break;
	}
}
