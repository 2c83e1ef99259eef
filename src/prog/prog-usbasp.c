/*
 * prog-usbasp.c - the `usbasp` driver: Thomas Fischl's USBasp and its many
 * clones (PROTOCOLS.md 5).
 *
 * The firmware does the ISP work itself: CONNECT drives the pins at the
 * SCK chosen with SETISPSCK, ENABLEPROG retries Programming Enable with
 * RESET pulses, WRITEFLASH loads bytes and commits each full page, waiting
 * for the chip by data polling, READFLASH reads blocks.  Addresses travel
 * in wValue (16 bits) unless SETLONGADDRESS switched the firmware to its
 * 32-bit "new mode", which lasts until the next CONNECT.
 *
 * Firmware before 1.3 (2009) cannot set SCK: it clocks at 375 kHz, or
 * about 8 kHz when the slow-clock jumper (JP3) is closed.  The driver then
 * offers that one clock and says so in caps.note, because a factory-fresh
 * chip (1 MHz with CKDIV8) only answers the slow one.  That firmware has no
 * long addresses either; above 64 KiB it falls back to single instructions.
 */
#include "prog/prog-usbasp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog/isp.h"
#include "prog/usb.h"
#include "prog/usbasp-proto.h"
#include "core/clock.h"

#define ASP_BLOCK 200u               /* bytes per READ/WRITEFLASH */
#define ASP_BLOCK_SLOW 20u           /* below 10 kHz SCK */
#define ASP_SLOW_HZ 10000u
#define ASP_TIMEOUT_MS 5000u         /* ENABLEPROG at 500 Hz takes ~2 s */
#define ASP_RESET_SETTLE_US 20000u   /* datasheet: 20 ms after RESET low */
#define ASP_OLD_LIMIT 0x20000u        /* old firmware: no Load Extended Address */

/* The firmware's SETISPSCK options and their clocks, fastest first. */
static const struct {
	uint8_t option;
	uint32_t hz;
} asp_table[] = {
#define ASP_SCK_ROW(option, hz) { option, hz },
	USBASP_SCK_OPTIONS(ASP_SCK_ROW)
#undef ASP_SCK_ROW
};

#define ASP_N_TABLE (sizeof asp_table / sizeof asp_table[0])

static const struct catalog_usb_id asp_ids[] = {
	{ USBASP_VID, USBASP_PID }, { USBASP_OLD_VID, USBASP_OLD_PID },
};

struct asp {
	struct usb_link link;
	uint32_t caps;               /* GETCAPABILITIES, 0 when it has none */
	bool answers_caps;           /* ... and whether it answered at all */
	bool can_set_sck;            /* firmware 1.3 or later */
	bool newmode;                /* SETLONGADDRESS sent since CONNECT */
	bool connected;
	uint32_t sck_hz;
	uint32_t steps[ASP_N_TABLE];
	char note[ISP_NOTE_MAX];
	/* Read-ahead: the job verifies page by page, but the firmware reads
	 * 200-byte blocks, so the rest of the last block is kept for the next
	 * page.  Anything that may change the flash or the mode drops it. */
	uint8_t ahead[ASP_BLOCK];
	uint32_t ahead_addr, ahead_len;
	uint32_t flash_size;
};

static struct asp *
priv(struct prog *p)
{
	return p->priv;
}

static void
forget_ahead(struct asp *a)
{
	a->ahead_len = 0;
}

static enum iw_status
request(struct asp *a, uint8_t req, const uint8_t b[4], uint8_t *reply, uint16_t len,
	const char *what, int *got, struct iw_error *err)
{
	return usb_link_in4(&a->link, req, b, reply, len, ASP_TIMEOUT_MS, what, got, err);
}

static enum iw_status
simple(struct asp *a, uint8_t req, uint8_t b0, const char *what, uint8_t *reply,
       uint16_t len, int *got, struct iw_error *err)
{
	const uint8_t b[4] = { b0, 0, 0, 0 };
	uint8_t scratch[4];

	return request(a, req, b, reply != NULL ? reply : scratch, len, what, got, err);
}

/* Which firmware is this?  GETCAPABILITIES answers 4 bytes on 2011
 * firmware and nothing before; SETISPSCK answers one 0 byte from 1.3 on. */
static enum iw_status
probe_firmware(struct asp *a, struct iw_error *err)
{
	uint8_t r[4] = { 0 };
	int got = 0;
	enum iw_status st;

	st = simple(a, USBASP_GETCAPABILITIES, 0, "asking the USBasp for its capabilities",
		    r, 4, &got, err);
	if (st != IW_OK)
		return st;
	a->answers_caps = got == 4;
	a->caps = got == 4 ? (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 |
		  (uint32_t)r[3] << 24 : 0;
	memset(r, 0xEE, sizeof r);
	st = simple(a, USBASP_SETISPSCK, USBASP_SCK_AUTO, "checking whether the USBasp can set its SCK", r,
		    4, &got, err);
	if (st != IW_OK)
		return st;
	a->can_set_sck = got == 1 && r[0] == USBASP_OK;
	return IW_OK;
}

/* The SCK steps this firmware offers, and the rest of the caps. */
static void
fill_caps(struct prog *p, struct asp *a)
{
	size_t n = 0;

	if (!a->can_set_sck) {
		a->steps[n++] = USBASP_DEFAULT_SCK_HZ;
		snprintf(a->note, sizeof a->note,
			 "this USBasp's firmware is older than 1.3 (2009) and cannot set its "
			 "ISP clock: it runs at 375 kHz, or about 8 kHz with the slow-clock "
			 "jumper (JP3) closed. A factory-fresh chip (1 MHz with CKDIV8) only "
			 "answers the slow clock: if the target does not answer, close JP3 "
			 "and retry; updating the USBasp firmware removes the need");
	} else {
		for (size_t i = 0; i < ASP_N_TABLE; i++) {
			if (asp_table[i].option == USBASP_SCK_3MHZ && !(a->caps & USBASP_CAP_3MHZ))
				continue;
			a->steps[n++] = asp_table[i].hz;
		}
	}
	p->caps = (struct prog_caps){
		.sck_hz = a->steps, .n_sck = n, .fixed_sck = !a->can_set_sck,
		.paged_read = true, .paged_write = true,
		.note = a->note[0] != '\0' ? a->note : NULL,
	};
}

static enum iw_status
asp_open(struct prog *p, const struct prog_options *opt, struct iw_error *err)
{
	struct usb_want want;
	struct asp *a;
	enum iw_status st;

	a = calloc(1, sizeof *a);
	if (a == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the USBasp");
	usb_want_init(&want, "USBasp", opt->entry, asp_ids, sizeof asp_ids / sizeof asp_ids[0]);
	/* A keyboard in its USBaspLoader bootloader has the same ID. */
	usb_want_share(&want, asp_ids[0], USBASP_PRODUCT);
	if ((st = usb_link_open(&a->link, &want, opt->port, err)) != IW_OK) {
		free(a);
		return st;
	}
	if ((st = probe_firmware(a, err)) != IW_OK)
		goto fail;
	/* Old firmware has no long addresses; the single-instruction fallback
	 * covers up to 128 KiB (no Load Extended Address). */
	if (!a->can_set_sck && opt->part != NULL && opt->part->flash_size > ASP_OLD_LIMIT) {
		st = iw_error_set(err, IW_REFUSED,
				  "this USBasp's firmware (older than 1.3) cannot address the "
				  "%u KiB of the %s: it has no long addresses and ispwiz's "
				  "fallback stops at 128 KiB; nothing was touched. Update the "
				  "USBasp firmware, or use another programmer",
				  opt->part->flash_size / 1024u,
				  catalog_part_label(opt->part));
		goto fail;
	}
	a->flash_size = opt->part != NULL ? opt->part->flash_size : 0;
	p->priv = a;
	fill_caps(p, a);
	return IW_OK;

fail:
	usb_link_close(&a->link);
	free(a);
	return st;
}

static void
asp_close(struct prog *p)
{
	struct asp *a = priv(p);

	if (a == NULL)
		return;
	usb_link_close(&a->link);
	free(a);
	p->priv = NULL;
}

/* The table's fastest clock at or below `hz`. */
static size_t
table_index(uint32_t hz)
{
	for (size_t i = 0; i < ASP_N_TABLE; i++)
		if (asp_table[i].hz <= hz)
			return i;
	return ASP_N_TABLE - 1;
}

static enum iw_status
asp_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	struct asp *a = priv(p);
	uint8_t r[4] = { 0 };
	char hz[32], what[80];
	int got = 0;
	enum iw_status st;

	forget_ahead(a);
	if (a->can_set_sck) {
		size_t i = table_index(sck_hz != 0 ? sck_hz : USBASP_DEFAULT_SCK_HZ);

		snprintf(what, sizeof what, "setting SCK %s",
			 isp_sck_text(asp_table[i].hz, hz, sizeof hz));
		st = simple(a, USBASP_SETISPSCK, asp_table[i].option, what, r, 4, &got, err);
		if (st != IW_OK)
			return st;
		if (got != 1 || r[0] != USBASP_OK)
			return iw_error_set(err, IW_PROTOCOL,
					    "%s: the USBasp answered %d bytes (%02X) instead of "
					    "one 0 byte; unplug it, plug it in again and retry",
					    what, got, r[0]);
		a->sck_hz = asp_table[i].hz;
	} else {
		a->sck_hz = USBASP_DEFAULT_SCK_HZ;
	}
	st = simple(a, USBASP_CONNECT, 0, "connecting to the target", r, 4, &got, err);
	if (st != IW_OK)
		return st;
	a->connected = true;
	a->newmode = false;
	iw_sleep_us(ASP_RESET_SETTLE_US);
	st = simple(a, USBASP_ENABLEPROG, 0, "entering programming mode", r, 4, &got, err);
	if (st != IW_OK)
		return st;
	if (got != 1)
		return iw_error_set(err, IW_PROTOCOL,
				    "entering programming mode: the USBasp answered %d bytes "
				    "instead of 1; unplug it, plug it in again and retry", got);
	if (r[0] == USBASP_OK)
		return IW_OK;
	return iw_error_set(err, IW_NO_TARGET,
			    "no Programming Enable echo at SCK %s (the USBasp tried %u "
			    "times with RESET pulses)%s",
			    isp_sck_text(a->sck_hz, hz, sizeof hz), USBASP_ENABLE_TRIES,
			    a->can_set_sck ? "" : "; this firmware cannot go slower unless "
			    "the slow-clock jumper JP3 is closed");
}

static void
asp_leave(struct prog *p)
{
	struct asp *a = priv(p);

	forget_ahead(a);
	if (!a->connected)
		return;
	/* Best effort: after an unplug there is nobody to tell. */
	simple(a, USBASP_DISCONNECT, 0, "releasing the target", NULL, 4, NULL, NULL);
	a->connected = false;
	a->newmode = false;
}

static enum iw_status
asp_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	/* Any instruction may erase or write (the read-ahead would go stale). */
	forget_ahead(priv(p));
	return usb_link_isp(&priv(p)->link, USBASP_TRANSMIT, in, out, ASP_TIMEOUT_MS, err);
}

static uint32_t
block_size(const struct asp *a)
{
	return a->sck_hz != 0 && a->sck_hz < ASP_SLOW_HZ ? ASP_BLOCK_SLOW : ASP_BLOCK;
}

/* Once the firmware is in new mode it ignores wValue until the next
 * CONNECT, so from then on every block gets its long address. */
static enum iw_status
set_address(struct asp *a, uint32_t addr, uint32_t len, struct iw_error *err)
{
	uint8_t b[4] = { (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
			 (uint8_t)(addr >> 24) };
	uint8_t r[4];
	char what[64];
	int got;

	if (!a->newmode && addr + len <= USBASP_LEGACY_LIMIT)
		return IW_OK;
	snprintf(what, sizeof what, "setting the address 0x%05X", addr);
	a->newmode = true;
	/* It answers with no data. */
	return request(a, USBASP_SETLONGADDRESS, b, r, 4, what, &got, err);
}

/* Old firmware above 64 KiB: one Read Program Memory per byte. */
static enum iw_status
read_bytewise(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
	      struct iw_error *err)
{
	for (uint32_t i = 0; i < len; i++) {
		uint32_t byte = addr + i, word = byte >> 1;
		const uint8_t in[4] = { (byte & 1) ? 0x28 : 0x20, (uint8_t)(word >> 8),
					(uint8_t)word, 0x00 };
		uint8_t out[4];
		enum iw_status st = asp_cmd(p, in, out, err);

		if (st != IW_OK)
			return st;
		buf[i] = out[3];
	}
	return IW_OK;
}

/* How far one block from `at` may reach: the flash end, and for legacy
 * addressing 64 KiB (the firmware's 16-bit address would wrap). */
static uint32_t
block_end(const struct asp *a, uint32_t at, uint32_t block)
{
	uint32_t end = at + block;

	if (a->flash_size != 0 && end > a->flash_size)
		end = a->flash_size;
	if (!a->newmode && at < USBASP_LEGACY_LIMIT && end > USBASP_LEGACY_LIMIT)
		end = USBASP_LEGACY_LIMIT;
	return end;
}

static enum iw_status
asp_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	struct asp *a = priv(p);
	uint32_t block = block_size(a), done = 0;
	enum iw_status st;

	if (!a->can_set_sck && addr + len > USBASP_LEGACY_LIMIT)
		return read_bytewise(p, addr, buf, len, err);
	if (a->ahead_len > 0 && addr == a->ahead_addr) {
		done = len < a->ahead_len ? len : a->ahead_len;
		memcpy(buf, a->ahead, done);
		memmove(a->ahead, a->ahead + done, a->ahead_len - done);
		a->ahead_addr += done;
		a->ahead_len -= done;
	}
	while (done < len) {
		uint32_t at = addr + done, want = len - done < block ? len - done : block;
		uint32_t n = block_end(a, at, block) - at;
		const uint8_t b[4] = { (uint8_t)at, (uint8_t)(at >> 8), 0, 0 };
		uint8_t data[ASP_BLOCK];
		char what[64];

		if (n < want)
			n = want;
		forget_ahead(a);
		if ((st = set_address(a, at, n, err)) != IW_OK)
			return st;
		snprintf(what, sizeof what, "reading flash at 0x%05X", at);
		if ((st = request(a, USBASP_READFLASH, b, data, (uint16_t)n, what, NULL,
				  err)) != IW_OK)
			return st;
		memcpy(buf + done, data, want);
		if (n > want) {
			memcpy(a->ahead, data + want, n - want);
			a->ahead_addr = at + want;
			a->ahead_len = n - want;
		}
		done += want;
	}
	return IW_OK;
}

static enum iw_status
asp_read_eeprom(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		struct iw_error *err)
{
	struct asp *a = priv(p);
	uint32_t block = block_size(a);
	enum iw_status st;

	for (uint32_t done = 0; done < len;) {
		uint32_t at = addr + done, n = len - done < block ? len - done : block;
		const uint8_t b[4] = { (uint8_t)at, (uint8_t)(at >> 8), 0, 0 };
		char what[64];

		/* in new mode the firmware takes EEPROM addresses from there too */
		if ((st = set_address(a, at, n, err)) != IW_OK)
			return st;
		snprintf(what, sizeof what, "reading EEPROM at 0x%04X", at);
		if ((st = request(a, USBASP_READEEPROM, b, buf + done, (uint16_t)n, what, NULL,
				  err)) != IW_OK)
			return st;
		done += n;
	}
	return IW_OK;
}

/* Old firmware above 64 KiB: its Write Page would go to the wrapped
 * address, so load and commit with single instructions. */
static enum iw_status
write_bytewise(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	uint32_t word = addr >> 1;
	uint8_t out[4];
	char what[48];
	enum iw_status st;

	for (uint32_t i = 0; i < len; i++) {
		const uint8_t in[4] = { (i & 1) ? 0x48 : 0x40, 0x00, (uint8_t)(i >> 1), buf[i] };

		if ((st = asp_cmd(p, in, out, err)) != IW_OK)
			return st;
	}
	{
		const uint8_t in[4] = { 0x4C, (uint8_t)(word >> 8), (uint8_t)word, 0x00 };

		if ((st = asp_cmd(p, in, out, err)) != IW_OK)
			return st;
	}
	snprintf(what, sizeof what, "writing the flash page at 0x%05X", addr);
	return isp_wait_ready(p, ISP_PAGE_TIMEOUT_MS, what, err);
}

static enum iw_status
asp_write_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	struct asp *a = priv(p);
	uint32_t block = block_size(a);
	uint8_t flags = USBASP_FLAG_FIRST;
	enum iw_status st;

	forget_ahead(a);
	if (!a->can_set_sck && addr + len > USBASP_LEGACY_LIMIT)
		return write_bytewise(p, addr, buf, len, err);
	/* A full page: the firmware commits it when its byte counter runs
	 * out, so no LAST flag (which, with 256-byte pages, would make it
	 * commit the page a second time). */
	for (uint32_t done = 0; done < len;) {
		uint32_t at = addr + done, n = len - done < block ? len - done : block;
		uint16_t value = (uint16_t)at;
		uint16_t index = (uint16_t)((len & 0xFF) | ((flags | ((len & 0xF00) >> 4)) << 8));
		char what[64];

		if ((st = set_address(a, at, n, err)) != IW_OK)
			return st;
		snprintf(what, sizeof what, "writing the flash page at 0x%05X", addr);
		st = usb_link_out(&a->link, USBASP_WRITEFLASH, value, index, buf + done,
				  (uint16_t)n, ASP_TIMEOUT_MS, what, err);
		if (st != IW_OK)
			return st;
		flags = 0;
		done += n;
	}
	return IW_OK;
}

bool
prog_usbasp_firmware(const struct prog *p, struct prog_usbasp_firmware *out)
{
	const struct asp *a;

	memset(out, 0, sizeof *out);
	if (p->driver != &prog_usbasp_driver || (a = p->priv) == NULL)
		return false;
	out->answers_caps = a->answers_caps;
	out->caps = a->caps;
	out->can_set_sck = a->can_set_sck;
	snprintf(out->bus_path, sizeof out->bus_path, "%s", a->link.bus_path);
	return true;
}

const struct prog_driver prog_usbasp_driver = {
	.name = "usbasp",
	.open = asp_open,
	.close = asp_close,
	.enter = asp_enter,
	.leave = asp_leave,
	.cmd = asp_cmd,
	.read_flash = asp_read_flash,
	.write_page = asp_write_page,
	.read_eeprom = asp_read_eeprom,
};
