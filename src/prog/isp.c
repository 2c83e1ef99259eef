/* isp.c - the AVR serial-programming instruction set over a driver. */
#include "prog/isp.h"
#include "core/clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Parts with more than 128 KiB of flash need Load Extended Address for
 * word addresses past 16 bits; no catalog part does today, but the
 * fallbacks below handle it so a bigger part is only a catalog entry. */
#define ISP_EXT_ADDR_LIMIT 0x20000u

/* After this many busy answers in a row the wait starts sleeping between
 * polls, so a slow write does not spin a CPU for milliseconds. */
#define ISP_POLL_SPIN 32

const char *
isp_sck_text(uint32_t hz, char *buf, size_t size)
{
	if (hz == 0)
		snprintf(buf, size, "the programmer's default clock");
	else if (hz >= 1000000u)
		snprintf(buf, size, "%g MHz", hz / 1e6);
	else if (hz >= 1000u)
		snprintf(buf, size, "%g kHz", hz / 1e3);
	else
		snprintf(buf, size, "%u Hz", (unsigned)hz);
	return buf;
}

static const char *
part_name(const struct prog *p)
{
	if (p->part == NULL)
		return "target";
	return catalog_part_label(p->part);
}

static enum iw_status
isp_cmd(struct prog *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d,
	uint8_t out[4], struct iw_error *err)
{
	const uint8_t in[4] = { a, b, c, d };
	uint8_t scratch[4];

	return p->driver->cmd(p, in, out != NULL ? out : scratch, err);
}

/* --- connecting ---------------------------------------------------------- */

static void
describe_slow(struct isp_connect_info *info, uint32_t failed_hz)
{
	char ok[32], bad[32], lo[32], hi[32];

	isp_sck_text(info->sck_hz, ok, sizeof ok);
	isp_sck_text(failed_hz, bad, sizeof bad);
	/* SCK must stay below a quarter of the target clock, so an answer at
	 * `ok` and none at `bad` brackets the target clock. */
	isp_sck_text(info->sck_hz * 4u, lo, sizeof lo);
	isp_sck_text(failed_hz * 4u, hi, sizeof hi);
	snprintf(info->note, sizeof info->note,
		 "connected at SCK %s after no answer at %s and above: the target "
		 "clock is probably between %s and %s (a fresh chip runs at 1 or "
		 "2 MHz because CKDIV8 is programmed), or the wires are long",
		 ok, bad, lo, hi);
}

enum iw_status
isp_connect(struct prog *p, uint32_t max_hz, struct isp_connect_info *info,
	    struct iw_error *err)
{
	static const uint32_t default_step[1] = { 0 };
	const uint32_t *steps = p->caps.sck_hz;
	size_t n = p->caps.n_sck;
	uint32_t last_failed = 0;
	struct iw_error e;
	char a[32], b[32];

	memset(info, 0, sizeof *info);
	if (steps == NULL || n == 0) {
		steps = default_step;
		n = 1;
	}
	if (p->caps.fixed_sck)
		n = 1;
	for (size_t i = 0; i < n; i++) {
		uint32_t hz = steps[i];
		enum iw_status st;

		if (max_hz != 0 && hz > max_hz && !p->caps.fixed_sck)
			continue;
		if (info->tries == 0)
			info->fastest_hz = hz;
		info->slowest_hz = hz;
		info->tries++;
		iw_error_clear(&e);
		p->have_answer = false;
		st = p->driver->enter(p, hz, &e);
		if (st == IW_NO_TARGET && p->have_answer) {
			info->have_answer = true;
			memcpy(info->answer, p->answer, sizeof info->answer);
		}
		if (st == IW_OK) {
			p->sck_hz = hz;
			info->sck_hz = hz;
			info->slowed = info->tries > 1;
			if (info->slowed)
				describe_slow(info, last_failed);
			else
				snprintf(info->note, sizeof info->note,
					 "connected at SCK %s", isp_sck_text(hz, a, sizeof a));
			return IW_OK;
		}
		/* Put RESET and the lines back in a known state before the next try. */
		p->driver->leave(p);
		if (st != IW_NO_TARGET) {
			if (err != NULL)
				*err = e;
			return st;
		}
		last_failed = hz;
	}
	if (info->tries == 0)
		return iw_error_set(err, IW_RANGE,
				    "the programmer's slowest SCK (%s) is above the limit "
				    "of %s; raise the limit",
				    isp_sck_text(steps[n - 1], a, sizeof a),
				    isp_sck_text(max_hz, b, sizeof b));
	/* Keep what the driver itself saw (an ArduinoISP reports the byte it
	 * read instead of an echo): it is often the best clue. */
	if (info->tries == 1)
		iw_error_set(err, IW_NO_TARGET,
			     "the %s did not answer Programming Enable at SCK %s "
			     "(the 0x53 echo never came back)",
			     part_name(p), isp_sck_text(info->fastest_hz, a, sizeof a));
	else
		iw_error_set(err, IW_NO_TARGET,
			     "the %s did not answer Programming Enable at any SCK from "
			     "%s down to %s (%zu tries; the 0x53 echo never came back)",
			     part_name(p), isp_sck_text(info->fastest_hz, a, sizeof a),
			     isp_sck_text(info->slowest_hz, b, sizeof b), info->tries);
	if (err != NULL && e.msg[0] != '\0') {
		size_t used = strlen(err->msg);

		snprintf(err->msg + used, sizeof err->msg - used,
			 "; the programmer reported: %.*s",
			 (int)(sizeof err->msg - used), e.msg);
	}
	return IW_NO_TARGET;
}

void
isp_disconnect(struct prog *p)
{
	p->driver->leave(p);
}

/* --- small reads and writes ---------------------------------------------- */

enum iw_status
isp_read_signature(struct prog *p, uint8_t sig[3], struct iw_error *err)
{
	uint8_t out[4];
	enum iw_status st;

	for (uint8_t i = 0; i < 3; i++) {
		if ((st = isp_cmd(p, 0x30, 0x00, i, 0x00, out, err)) != IW_OK)
			return st;
		sig[i] = out[3];
	}
	return IW_OK;
}

enum iw_status
isp_read_calibration(struct prog *p, uint8_t *cal, struct iw_error *err)
{
	uint8_t out[4];
	enum iw_status st;

	if ((st = isp_cmd(p, 0x38, 0x00, 0x00, 0x00, out, err)) != IW_OK)
		return st;
	*cal = out[3];
	return IW_OK;
}

/* Instruction bytes per fuse byte: read (first two) and write (second). */
static const uint8_t fuse_read_op[FUSE_COUNT][2] = {
	[FUSE_LOW] = { 0x50, 0x00 },
	[FUSE_HIGH] = { 0x58, 0x08 },
	[FUSE_EXT] = { 0x50, 0x08 },
};
static const uint8_t fuse_write_op[FUSE_COUNT] = {
	[FUSE_LOW] = 0xA0,
	[FUSE_HIGH] = 0xA8,
	[FUSE_EXT] = 0xA4,
};

static enum iw_status
check_fuse_byte(struct prog *p, enum fuse_byte b, struct iw_error *err)
{
	if ((unsigned)b >= FUSE_COUNT || (p->part != NULL && !p->part->fuses[b].present))
		return iw_error_set(err, IW_RANGE, "the %s has no %s",
				    part_name(p), fuse_byte_name(b));
	return IW_OK;
}

enum iw_status
isp_read_fuse(struct prog *p, enum fuse_byte b, uint8_t *value, struct iw_error *err)
{
	uint8_t out[4];
	enum iw_status st;

	if ((st = check_fuse_byte(p, b, err)) != IW_OK)
		return st;
	st = isp_cmd(p, fuse_read_op[b][0], fuse_read_op[b][1], 0x00, 0x00, out, err);
	if (st != IW_OK)
		return st;
	*value = out[3];
	return IW_OK;
}

enum iw_status
isp_write_fuse(struct prog *p, enum fuse_byte b, uint8_t value, struct iw_error *err)
{
	enum iw_status st;
	char what[48];

	if ((st = check_fuse_byte(p, b, err)) != IW_OK)
		return st;
	if ((st = isp_cmd(p, 0xAC, fuse_write_op[b], 0x00, value, NULL, err)) != IW_OK)
		return st;
	snprintf(what, sizeof what, "writing %s 0x%02X", fuse_byte_name(b), value);
	return isp_wait_ready(p, ISP_FUSE_TIMEOUT_MS, what, err);
}

enum iw_status
isp_read_lock(struct prog *p, uint8_t *lock, struct iw_error *err)
{
	uint8_t out[4];
	enum iw_status st;

	if ((st = isp_cmd(p, 0x58, 0x00, 0x00, 0x00, out, err)) != IW_OK)
		return st;
	*lock = out[3];
	return IW_OK;
}

enum iw_status
isp_write_lock(struct prog *p, uint8_t lock, struct iw_error *err)
{
	enum iw_status st;
	char what[48];

	st = isp_cmd(p, 0xAC, 0xE0, 0x00, (uint8_t)(lock | 0xC0), NULL, err);
	if (st != IW_OK)
		return st;
	snprintf(what, sizeof what, "writing lock bits 0x%02X", lock);
	return isp_wait_ready(p, ISP_FUSE_TIMEOUT_MS, what, err);
}

/* --- waiting -------------------------------------------------------------- */


enum iw_status
isp_wait_ready(struct prog *p, unsigned timeout_ms, const char *what,
	       struct iw_error *err)
{
	double deadline = (double)iw_clock_ms() + timeout_ms;
	unsigned polls = 0;
	uint8_t out[4];
	enum iw_status st;

	for (;;) {
		if ((st = isp_cmd(p, 0xF0, 0x00, 0x00, 0x00, out, err)) != IW_OK)
			return st;
		polls++;
		if ((out[3] & 0x01) == 0)
			return IW_OK;
		if ((double)iw_clock_ms() > deadline)
			break;
		if (polls > ISP_POLL_SPIN)
			iw_sleep_us(200);
	}
	return iw_error_set(err, IW_TIMEOUT,
			    "%s: the %s still reported busy (RDY/BSY) after %u ms and "
			    "%u polls; check MISO and the target's power",
			    what, part_name(p), timeout_ms, polls);
}

void
isp_settle(uint64_t *busy_until_us)
{
	uint64_t now = iw_clock_us();

	if (*busy_until_us > now)
		iw_sleep_us(*busy_until_us - now);
	*busy_until_us = 0;
}

/* --- erase ------------------------------------------------------------------ */

enum iw_status
isp_chip_erase(struct prog *p, struct iw_error *err)
{
	enum iw_status st;
	char hz[32];

	if ((st = isp_cmd(p, 0xAC, 0x80, 0x00, 0x00, NULL, err)) != IW_OK)
		return st;
	if ((st = isp_wait_ready(p, ISP_ERASE_TIMEOUT_MS, "chip erase", err)) != IW_OK)
		return st;
	p->driver->leave(p);
	st = p->driver->enter(p, p->sck_hz, err);
	if (st == IW_NO_TARGET)
		iw_error_prefix(err, "re-entering programming mode after the chip "
				"erase at SCK %s", isp_sck_text(p->sck_hz, hz, sizeof hz));
	return st;
}

/* --- flash ------------------------------------------------------------------ */

static bool
needs_ext_addr(const struct prog *p, uint32_t end)
{
	return end > ISP_EXT_ADDR_LIMIT ||
	       (p->part != NULL && p->part->flash_size > ISP_EXT_ADDR_LIMIT);
}

static enum iw_status
load_ext_addr(struct prog *p, uint32_t word, struct iw_error *err)
{
	return isp_cmd(p, 0x4D, 0x00, (uint8_t)(word >> 16), 0x00, NULL, err);
}

static uint32_t
chunk_size(const struct prog *p)
{
	if (p->part != NULL && p->part->page_size != 0)
		return p->part->page_size;
	return 256;
}

enum iw_status
isp_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
	       isp_progress_fn fn, void *user, struct iw_error *err)
{
	bool paged = p->driver->read_flash != NULL && p->caps.paged_read;
	bool ext = needs_ext_addr(p, addr + len);
	uint32_t chunk = chunk_size(p), done = 0;
	int32_t ext_sent = -1;
	enum iw_status st;

	while (done < len) {
		uint32_t n = len - done < chunk ? len - done : chunk;
		uint32_t a = addr + done;

		if (paged) {
			st = p->driver->read_flash(p, a, buf + done, n, err);
			if (st != IW_OK)
				return st;
		} else {
			for (uint32_t i = 0; i < n; i++) {
				uint32_t byte = a + i, word = byte >> 1;
				uint8_t out[4];

				if (ext && (int32_t)(word >> 16) != ext_sent) {
					if ((st = load_ext_addr(p, word, err)) != IW_OK)
						return st;
					ext_sent = (int32_t)(word >> 16);
				}
				st = isp_cmd(p, (byte & 1) ? 0x28 : 0x20,
					     (uint8_t)(word >> 8), (uint8_t)word, 0x00, out, err);
				if (st != IW_OK)
					return st;
				buf[done + i] = out[3];
			}
		}
		done += n;
		if (fn != NULL && !fn(user, done, len))
			return iw_error_set(err, IW_CANCELLED,
					    "reading flash cancelled at 0x%05X", addr + done);
	}
	return IW_OK;
}

enum iw_status
isp_write_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	uint32_t page_word = addr >> 1;
	enum iw_status st;
	char what[48];

	if (len == 0 || (len & 1) != 0 || (addr % len) != 0)
		return iw_error_set(err, IW_RANGE,
				    "page write at 0x%05X with %u bytes: the address must be "
				    "page-aligned and the length a whole page of words",
				    addr, len);
	if (p->driver->write_page != NULL && p->caps.paged_write)
		return p->driver->write_page(p, addr, buf, len, err);

	/* Fill the page buffer one word at a time, low byte first: the
	 * in-page word offset is all the target looks at. */
	for (uint32_t i = 0; i < len / 2; i++) {
		uint8_t off = (uint8_t)i;

		if ((st = isp_cmd(p, 0x40, 0x00, off, buf[2 * i], NULL, err)) != IW_OK)
			return st;
		if ((st = isp_cmd(p, 0x48, 0x00, off, buf[2 * i + 1], NULL, err)) != IW_OK)
			return st;
	}
	if (needs_ext_addr(p, addr + len) &&
	    (st = load_ext_addr(p, page_word, err)) != IW_OK)
		return st;
	st = isp_cmd(p, 0x4C, (uint8_t)(page_word >> 8), (uint8_t)page_word, 0x00,
		     NULL, err);
	if (st != IW_OK)
		return st;
	snprintf(what, sizeof what, "writing the flash page at 0x%05X", addr);
	return isp_wait_ready(p, ISP_PAGE_TIMEOUT_MS, what, err);
}

/* --- EEPROM ------------------------------------------------------------------ */

/* Byte by byte with Write EEPROM Memory (0xC0): every part of the catalog
 * has it, and every driver can send it, where the paged form (0xC1/0xC2)
 * differs between parts.  Each byte is a wait of up to t_WD_EEPROM (9 ms on
 * the megaAVRs), so the caller writes only the bytes that differ. */
enum iw_status
isp_write_eeprom_byte(struct prog *p, uint32_t addr, uint8_t value,
		      struct iw_error *err)
{
	uint8_t out[4];
	char what[64];
	enum iw_status st;

	st = isp_cmd(p, 0xC0, (uint8_t)(addr >> 8), (uint8_t)addr, value, out, err);
	if (st != IW_OK)
		return st;
	snprintf(what, sizeof what, "writing the EEPROM byte at 0x%04X", addr);
	return isp_wait_ready(p, ISP_EEPROM_TIMEOUT_MS, what, err);
}

enum iw_status
isp_read_eeprom(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		isp_progress_fn fn, void *user, struct iw_error *err)
{
	const uint32_t chunk = 64;
	enum iw_status st;

	if (p->driver->read_eeprom != NULL) {
		for (uint32_t i = 0; i < len; i += chunk) {
			uint32_t n = len - i < chunk ? len - i : chunk;

			if ((st = p->driver->read_eeprom(p, addr + i, buf + i, n, err)) != IW_OK)
				return st;
			if (fn != NULL && !fn(user, i + n, len))
				return iw_error_set(err, IW_CANCELLED,
						    "reading EEPROM cancelled at 0x%04X", addr + i + n);
		}
		return IW_OK;
	}
	for (uint32_t i = 0; i < len; i++) {
		uint32_t a = addr + i;
		uint8_t out[4];

		st = isp_cmd(p, 0xA0, (uint8_t)(a >> 8), (uint8_t)a, 0x00, out, err);
		if (st != IW_OK)
			return st;
		buf[i] = out[3];
		if (fn != NULL && ((i + 1) % chunk == 0 || i + 1 == len) &&
		    !fn(user, i + 1, len))
			return iw_error_set(err, IW_CANCELLED,
					    "reading EEPROM cancelled at 0x%04X", a + 1);
	}
	return IW_OK;
}
