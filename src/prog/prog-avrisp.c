/*
 * prog-avrisp.c - the `avrisp` driver: STK500v1 as the ArduinoISP sketch
 * speaks it, on an Arduino board or as QMK's Pro Micro / Teensy 2.0 ISP
 * firmware (USB CDC, where the baud rate does not matter).
 *
 * Things the sketch does that shape this driver:
 *   - boards with auto-reset restart when the port opens and lose the first
 *     bytes, so sync is retried (bounded) after draining;
 *   - ENTER_PROGMODE answers OK even with no target at all, and UNIVERSAL
 *     returns only the fourth byte of an instruction, so the 0x53 echo of
 *     Programming Enable can never be seen.  enter() therefore proves the
 *     target is there by reading signature byte 0 (the vendor code, 0x1E for
 *     every catalog part) through UNIVERSAL: an absent, unpowered or
 *     unsynchronised chip answers 0x00 or 0xFF there;
 *   - ENTER_PROGMODE only pulses RESET when the sketch is not in
 *     programming mode already, so enter() leaves first;
 *   - PROG_PAGE commits the page without waiting for it, so the next access
 *     to the target waits out the datasheet's page-write time;
 *   - SCK is fixed (about 125 kHz on a 16 MHz host).
 */
#include "prog/prog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prog/isp.h"
#include "prog/serial.h"
#include "prog/stk500-proto.h"
#include "core/clock.h"

#define AVRISP_DEFAULT_BAUD   19200u
#define AVRISP_SYNC_TRIES     12u     /* x ~250 ms: covers a 2 s boot */
#define AVRISP_SYNC_WAIT_MS   200u
#define AVRISP_REPLY_MS       1000u   /* plus the transfer time */
#define AVRISP_SCK_HZ         125000u

static const uint32_t avrisp_sck[1] = { AVRISP_SCK_HZ };

struct avrisp {
	struct serial_port *sp;
	const struct catalog_programmer *entry;
	uint8_t sw_major, sw_minor;
	bool pmode;
	uint64_t busy_until_us;      /* a committed page may still be written */
	int ext_addr;                /* last Load Extended Address, -1 = none */
};

extern const struct prog_driver prog_avrisp_driver;

static struct avrisp *
priv(struct prog *p)
{
	return p->priv;
}

/* Wait until a page committed earlier is surely written: touching the
 * target before would corrupt it. */
static void
settle(struct avrisp *a)
{
	isp_settle(&a->busy_until_us);
}

/*
 * One STK500 exchange: send `cmd` (ending in STK_CRC_EOP), expect INSYNC,
 * `ndata` bytes into `data`, then OK.  Every way it can go wrong gets its
 * own message naming `what`.
 */
static enum iw_status
exchange(struct avrisp *a, const uint8_t *cmd, size_t n, uint8_t *data,
	 size_t ndata, unsigned extra_ms, const char *what, struct iw_error *err)
{
	uint8_t first, status;
	unsigned timeout = AVRISP_REPLY_MS + extra_ms + serial_wire_ms(a->sp, n + ndata + 2);
	size_t got = 0;
	enum iw_status st;
	char hex[64];

	st = serial_write(a->sp, cmd, n, timeout, err);
	if (st != IW_OK)
		return st;
	st = serial_read(a->sp, &first, 1, timeout, &got, err);
	if (st == IW_TIMEOUT)
		return iw_error_set(err, IW_TIMEOUT,
			"%s: the programmer stopped answering (no reply to %s within "
			"%u ms): it was reset or unplugged, or its firmware hung. "
			"Unplug it, plug it in again and retry",
			serial_name(a->sp), what, timeout);
	if (st != IW_OK)
		return st;
	switch (first) {
	case STK_INSYNC:
		break;
	case STK_NOSYNC:
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer lost sync (answered NOSYNC to %s): bytes "
			"were lost on the way or it reset. Retry; if it keeps "
			"happening, check the baud rate and the USB cable",
			serial_name(a->sp), what);
	case STK_FAILED:
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer reported failure (STK_FAILED) for %s",
			serial_name(a->sp), what);
	case STK_NODEVICE:
		return iw_error_set(err, IW_NO_TARGET,
			"%s: the programmer found no device for %s (STK_NODEVICE): "
			"check the cable to the target", serial_name(a->sp), what);
	case STK_UNKNOWN:
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer does not know %s (STK_UNKNOWN): its "
			"firmware is not the ArduinoISP sketch", serial_name(a->sp), what);
	default:
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer answered %s with 0x%02X, which is not "
			"STK500 (wrong baud rate, or another firmware is answering)",
			serial_name(a->sp), what, first);
	}
	if (ndata) {
		st = serial_read(a->sp, data, ndata, timeout, &got, err);
		if (st == IW_TIMEOUT && got == 1 && data[0] == STK_FAILED)
			return iw_error_set(err, IW_PROTOCOL,
				"%s: the programmer reported failure (STK_FAILED) for %s",
				serial_name(a->sp), what);
		if (st == IW_TIMEOUT)
			return iw_error_set(err, IW_PROTOCOL,
				"%s: the reply to %s was cut short: %zu of %zu data "
				"bytes arrived (%s) and then nothing for %u ms",
				serial_name(a->sp), what, got, ndata,
				serial_hex(data, got, hex, sizeof(hex)), timeout);
		if (st != IW_OK)
			return st;
	}
	st = serial_read(a->sp, &status, 1, timeout, &got, err);
	if (st == IW_TIMEOUT && ndata == 1 && data[0] == STK_FAILED)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer reported failure (STK_FAILED) for %s",
			serial_name(a->sp), what);
	if (st == IW_TIMEOUT)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the reply to %s was cut short: INSYNC and %zu data bytes "
			"arrived, but no status byte within %u ms",
			serial_name(a->sp), what, ndata, timeout);
	if (st != IW_OK)
		return st;
	if (status == STK_FAILED)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer reported failure (STK_FAILED) for %s",
			serial_name(a->sp), what);
	if (status != STK_OK)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the reply to %s ended in 0x%02X instead of OK (0x10)",
			serial_name(a->sp), what, status);
	return IW_OK;
}

/* Sync after whatever state the port is in: drain, then GET_SYNC until it
 * answers INSYNC OK twice in a row (the first success may be the late
 * answer to an earlier try). */
static enum iw_status
sync_programmer(struct avrisp *a, struct iw_error *err)
{
	static const uint8_t get_sync[2] = { STK_GET_SYNC, STK_CRC_EOP };
	uint8_t seen[16];
	size_t n_seen = 0;
	bool nosync = false, cut = false;
	unsigned good = 0;
	enum iw_status st;
	char hex[64];

	for (unsigned i = 0; i < AVRISP_SYNC_TRIES; i++) {
		uint8_t r[2];
		size_t got = 0;

		st = serial_drain(a->sp, 30, 300, NULL, err);
		if (st != IW_OK)
			return st;
		st = serial_write(a->sp, get_sync, 2, 500, err);
		if (st != IW_OK)
			return st;
		st = serial_read(a->sp, r, 2, AVRISP_SYNC_WAIT_MS + serial_wire_ms(a->sp, 4), &got, err);
		if (st != IW_OK && st != IW_TIMEOUT)
			return st;
		if (st == IW_OK && r[0] == STK_INSYNC && r[1] == STK_OK) {
			if (++good == 2)
				return IW_OK;
			continue;
		}
		good = 0;
		for (size_t k = 0; k < got && n_seen < sizeof(seen); k++)
			seen[n_seen++] = r[k];
		if (got >= 1 && r[0] == STK_NOSYNC)
			nosync = true;
		if (got == 1 && r[0] == STK_INSYNC)
			cut = true;
	}
	if (n_seen == 0) {
		const struct catalog_isp_firmware *fw = a->entry ? a->entry->firmware : NULL;

		return iw_error_set(err, IW_NO_PROGRAMMER,
			"%s: the programmer never answered STK500 sync (30 20, %u tries "
			"over about %u s). Nothing on this port speaks the ArduinoISP "
			"protocol: a Pro Micro still running its keyboard firmware, or "
			"sitting in its Caterina bootloader, does not. Load the ISP "
			"firmware onto it first (%s%s%s), then pass the port it "
			"enumerates with (16C0:0483 for QMK's ISP images)",
			serial_name(a->sp), AVRISP_SYNC_TRIES,
			AVRISP_SYNC_TRIES * (AVRISP_SYNC_WAIT_MS + 60) / 1000,
			fw && fw->file ? "file " : "the wizard's ISP-firmware step",
			fw && fw->file ? fw->file : "",
			fw && fw->file ? ", the wizard's ISP-firmware step" : "");
	}
	if (cut)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer's sync replies were cut short (INSYNC without "
			"OK; bytes seen: %s): the link drops bytes. Try another USB "
			"cable or port", serial_name(a->sp), serial_hex(seen, n_seen, hex, sizeof(hex)));
	if (nosync)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the programmer keeps answering NOSYNC to sync (bytes seen: "
			"%s): it does not receive our bytes intact. Check the baud rate "
			"(the ArduinoISP sketch runs at 19200: -b 19200)",
			serial_name(a->sp), serial_hex(seen, n_seen, hex, sizeof(hex)));
	return iw_error_set(err, IW_PROTOCOL,
		"%s: the programmer answered sync with bytes that are not STK500 "
		"(%s): wrong baud rate (the ArduinoISP sketch runs at 19200: -b "
		"19200; USB CDC boards take any), or another firmware is on this port",
		serial_name(a->sp), serial_hex(seen, n_seen, hex, sizeof(hex)));
}

static enum iw_status
get_parameter(struct avrisp *a, uint8_t which, uint8_t *value, struct iw_error *err)
{
	uint8_t cmd[3] = { STK_GET_PARAMETER, which, STK_CRC_EOP };

	return exchange(a, cmd, 3, value, 1, 0, "GET_PARAMETER", err);
}

static enum iw_status
set_device(struct avrisp *a, const struct catalog_part *part, struct iw_error *err)
{
	uint8_t cmd[1 + STK_SET_DEVICE_LEN + 1] = { STK_SET_DEVICE };
	uint8_t ext[1 + STK_SET_DEVICE_EXT_LEN + 1] = {
		STK_SET_DEVICE_EXT, STK_SET_DEVICE_EXT_LEN, 0, 0xD7, 0xA0, 0x01, STK_CRC_EOP,
	};
	unsigned fuses = 0;
	enum iw_status st;

	for (int b = 0; b < FUSE_COUNT; b++)
		fuses += part->fuses[b].present;
	/* devicecode 0 (the catalog parts have none; the sketch only asks
	 * whether it is >= 0xE0), revision, progtype 0 (both), parmode 1
	 * (full), polling 1, selftimed 1, one lock byte, the fuse count, poll
	 * values, then the sizes the sketch does use */
	cmd[4] = 1;
	cmd[5] = 1;
	cmd[6] = 1;
	cmd[7] = 1;
	cmd[8] = (uint8_t)fuses;
	cmd[9] = cmd[10] = cmd[11] = cmd[12] = 0xFF;
	cmd[13] = (uint8_t)(part->page_size >> 8);
	cmd[14] = (uint8_t)part->page_size;
	cmd[15] = (uint8_t)(part->eeprom_size >> 8);
	cmd[16] = (uint8_t)part->eeprom_size;
	cmd[17] = (uint8_t)(part->flash_size >> 24);
	cmd[18] = (uint8_t)(part->flash_size >> 16);
	cmd[19] = (uint8_t)(part->flash_size >> 8);
	cmd[20] = (uint8_t)part->flash_size;
	cmd[sizeof(cmd) - 1] = STK_CRC_EOP;
	st = exchange(a, cmd, sizeof(cmd), NULL, 0, 0, "SET_DEVICE", err);
	if (st != IW_OK)
		return st;
	/* EEPROM page size (4 bytes up to 1 KiB of EEPROM, else 8), PAGEL,
	 * BS2 and the reset disposition: the sketch reads and ignores them */
	ext[2] = part->eeprom_size > 1024 ? 8 : 4;
	return exchange(a, ext, sizeof(ext), NULL, 0, 0, "SET_DEVICE_EXT", err);
}

static enum iw_status
avrisp_open(struct prog *p, const struct prog_options *opt, struct iw_error *err)
{
	struct avrisp *a;
	enum iw_status st;

	if (!opt->part)
		return iw_error_set(err, IW_USAGE, "avrisp: no part chosen (--part)");
	if (!opt->port)
		return iw_error_set(err, IW_USAGE,
			"avrisp: no serial port given: pass the programmer's port with "
			"--port (e.g. /dev/ttyACM0 or a /dev/serial/by-id/ link)");
	a = calloc(1, sizeof(*a));
	if (!a)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	a->entry = opt->entry;
	a->ext_addr = -1;
	st = serial_open(&a->sp, opt->port, prog_baud(opt, AVRISP_DEFAULT_BAUD), err);
	if (st != IW_OK)
		goto fail;
	p->priv = a;
	st = sync_programmer(a, err);
	if (st != IW_OK)
		goto fail;
	if ((st = get_parameter(a, STK_PARM_SW_MAJOR, &a->sw_major, err)) != IW_OK ||
	    (st = get_parameter(a, STK_PARM_SW_MINOR, &a->sw_minor, err)) != IW_OK ||
	    (st = set_device(a, opt->part, err)) != IW_OK)
		goto fail;
	p->caps = (struct prog_caps){
		.sck_hz = avrisp_sck, .n_sck = 1, .fixed_sck = true,
		.paged_read = true, .paged_write = true,
	};
	return IW_OK;
fail:
	serial_close(a->sp);
	free(a);
	p->priv = NULL;
	return st;
}

static void
avrisp_leave(struct prog *p)
{
	static const uint8_t cmd[2] = { STK_LEAVE_PROGMODE, STK_CRC_EOP };
	struct avrisp *a = priv(p);

	if (!a || !a->sp)
		return;
	settle(a);
	/* Best effort: leave() cannot fail. */
	exchange(a, cmd, 2, NULL, 0, 0, "LEAVE_PROGMODE", NULL);
	a->pmode = false;
	a->ext_addr = -1;
}

static void
avrisp_close(struct prog *p)
{
	struct avrisp *a = priv(p);

	if (!a)
		return;
	if (a->pmode)
		avrisp_leave(p);
	serial_close(a->sp);
	free(a);
	p->priv = NULL;
}

static enum iw_status
universal(struct avrisp *a, const uint8_t in[4], uint8_t *result, struct iw_error *err)
{
	uint8_t cmd[6] = { STK_UNIVERSAL, in[0], in[1], in[2], in[3], STK_CRC_EOP };

	settle(a);
	return exchange(a, cmd, 6, result, 1, 0, "UNIVERSAL", err);
}

static enum iw_status
avrisp_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	static const uint8_t leave[2] = { STK_LEAVE_PROGMODE, STK_CRC_EOP };
	static const uint8_t enter[2] = { STK_ENTER_PROGMODE, STK_CRC_EOP };
	static const uint8_t sig0[4] = { 0x30, 0x00, 0x00, 0x00 };
	struct avrisp *a = priv(p);
	uint8_t vendor;
	enum iw_status st;

	(void)sck_hz;                /* fixed in the sketch */
	settle(a);
	/* The sketch pulses RESET only when it is not in programming mode
	 * already: leave first so every enter starts the same way. */
	st = exchange(a, leave, 2, NULL, 0, 0, "LEAVE_PROGMODE", err);
	if (st != IW_OK)
		return st;
	st = exchange(a, enter, 2, NULL, 0, 100, "ENTER_PROGMODE", err);
	if (st != IW_OK)
		return st;
	a->pmode = true;
	a->ext_addr = -1;
	st = universal(a, sig0, &vendor, err);
	if (st != IW_OK)
		return st;
	if (vendor != p->part->signature[0]) {
		const char *why = vendor == 0x00
			? "0x00: the target is probably not powered, or MISO is shorted to GND"
			: vendor == 0xFF
			? "0xFF: nothing answers on MISO; check RESET (pin 10 of a Pro Micro "
			  "goes to the target's RESET), MISO and the target's power"
			: "garbage: check that MOSI, MISO and SCK are not swapped";
		return iw_error_set(err, IW_NO_TARGET,
			"the target did not enter programming mode: the ArduinoISP "
			"sketch always reports success, so ispwiz read signature byte 0 "
			"and got %s (expected 0x%02X)", why, p->part->signature[0]);
	}
	return IW_OK;
}

static enum iw_status
avrisp_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	struct avrisp *a = priv(p);
	uint8_t r;
	enum iw_status st;

	st = universal(a, in, &r, err);
	if (st != IW_OK)
		return st;
	/* UNIVERSAL hands back only the byte clocked in with in[3]. */
	out[0] = out[1] = out[2] = 0;
	out[3] = r;
	if (in[0] == 0x4D)
		a->ext_addr = in[2];
	return IW_OK;
}

/* Flash above 128 KiB needs the extended address byte set first. */
static enum iw_status
ext_address(struct prog *p, uint32_t word, struct iw_error *err)
{
	struct avrisp *a = priv(p);
	uint8_t in[4] = { 0x4D, 0x00, (uint8_t)(word >> 16), 0x00 };
	uint8_t r;
	enum iw_status st;

	if (p->part->flash_size <= 0x20000u || a->ext_addr == (int)in[2])
		return IW_OK;
	st = universal(a, in, &r, err);
	if (st == IW_OK)
		a->ext_addr = in[2];
	return st;
}

static enum iw_status
load_address(struct avrisp *a, uint32_t word, struct iw_error *err)
{
	uint8_t cmd[4] = { STK_LOAD_ADDRESS, (uint8_t)word, (uint8_t)(word >> 8), STK_CRC_EOP };

	return exchange(a, cmd, 4, NULL, 0, 0, "LOAD_ADDRESS", err);
}

static enum iw_status
avrisp_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		  struct iw_error *err)
{
	struct avrisp *a = priv(p);
	uint8_t tmp[STK_SKETCH_BUFFER + 2];
	char what[48];

	while (len) {
		/* whole words, at most the sketch's buffer */
		uint32_t start = addr & ~1u;
		uint32_t skip = addr - start;
		uint32_t n = len + skip;
		uint8_t cmd[5];
		enum iw_status st;

		if (n > STK_SKETCH_BUFFER)
			n = STK_SKETCH_BUFFER;
		n = (n + 1) & ~1u;
		settle(a);
		if ((st = ext_address(p, start >> 1, err)) != IW_OK ||
		    (st = load_address(a, (start >> 1) & 0xFFFF, err)) != IW_OK)
			return st;
		cmd[0] = STK_READ_PAGE;
		cmd[1] = (uint8_t)(n >> 8);
		cmd[2] = (uint8_t)n;
		cmd[3] = STK_MEM_FLASH;
		cmd[4] = STK_CRC_EOP;
		snprintf(what, sizeof(what), "READ_PAGE at 0x%05X", start);
		/* the sketch clocks 4 bytes per flash byte at 125 kHz */
		st = exchange(a, cmd, 5, tmp, n, n * 32u * 1000u / AVRISP_SCK_HZ, what, err);
		if (st != IW_OK)
			return st;
		{
			uint32_t use = n - skip < len ? n - skip : len;

			memcpy(buf, tmp + skip, use);
			buf += use;
			addr += use;
			len -= use;
		}
	}
	return IW_OK;
}

static enum iw_status
avrisp_write_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
		  struct iw_error *err)
{
	struct avrisp *a = priv(p);
	uint8_t cmd[4 + STK_SKETCH_BUFFER + 1];
	char what[48];
	enum iw_status st;

	if (len > STK_SKETCH_BUFFER || (len & 1) || (addr & 1))
		return iw_error_set(err, IW_RANGE,
			"avrisp: a page of %u bytes at 0x%05X does not fit the "
			"ArduinoISP sketch's 256-byte buffer", len, addr);
	if ((st = load_address(a, (addr >> 1) & 0xFFFF, err)) != IW_OK)
		return st;
	/* The sketch loads the whole page buffer (two 4-byte instructions a
	 * word at 125 kHz, 256 us a byte) before it commits, and loading the
	 * buffer while the previous page is being written is allowed: only
	 * a page too short to take t_WD_FLASH that way needs the wait. */
	if ((uint64_t)len * 256u < ISP_PAGE_BUSY_US)
		settle(a);
	else
		a->busy_until_us = 0;
	if ((st = ext_address(p, addr >> 1, err)) != IW_OK)
		return st;
	cmd[0] = STK_PROG_PAGE;
	cmd[1] = (uint8_t)(len >> 8);
	cmd[2] = (uint8_t)len;
	cmd[3] = STK_MEM_FLASH;
	memcpy(cmd + 4, buf, len);
	cmd[4 + len] = STK_CRC_EOP;
	snprintf(what, sizeof(what), "PROG_PAGE at 0x%05X", addr);
	st = exchange(a, cmd, len + 5, NULL, 0, len * 32u * 1000u / AVRISP_SCK_HZ, what, err);
	if (st != IW_OK)
		return st;
	/* the sketch committed the page and did not wait for it */
	a->busy_until_us = iw_clock_us() + ISP_PAGE_BUSY_US;
	return IW_OK;
}

const struct prog_driver prog_avrisp_driver = {
	.name = "avrisp",
	.open = avrisp_open,
	.close = avrisp_close,
	.enter = avrisp_enter,
	.leave = avrisp_leave,
	.cmd = avrisp_cmd,
	.read_flash = avrisp_read_flash,
	.write_page = avrisp_write_page,
	.sync = NULL,
};
