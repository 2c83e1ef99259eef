/*
 * prog-buspirate.c - the `buspirate` driver: a Bus Pirate (v3 over its FTDI
 * chip, v4 over USB CDC) in binary raw-SPI mode.
 *
 * The Bus Pirate may be in any state when we open it: its text terminal
 * (perhaps inside a menu), binary bit-bang mode, or SPI mode halfway
 * through a command left by a crashed program.  open() gets it back from
 * all of them (newlines, then zeros until "BBIO1") and close() always
 * returns it to the text terminal, also after an error, so the user's next
 * terminal session finds it as expected.
 *
 * Options (-x, as avrdude spells the ones it has too): RESET is driven by
 * CS (default) or by AUX (reset=aux); the Bus Pirate's supplies power the
 * target from the first enter() until close() unless it has its own
 * (nopower); pullups makes the outputs open-drain with the pull-ups to
 * Vpu, for a target at another voltage; speed= caps the SPI clock the
 * auto-SCK search starts from.
 * Instructions go out with a 4-byte bulk transfer (0x13); Load Page for a
 * whole page is one write-then-read without CS (0x05, firmware 5.10
 * and later) or, on older firmware, bulk transfers sent back to back.
 * Flash is read with the AVR extension's bulk read (0x06 0x02) when the
 * firmware has it.
 */
#include "prog/prog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "prog/buspirate.h"
#include "prog/buspirate-proto.h"
#include "prog/isp.h"
#include "prog/serial.h"
#include "core/clock.h"

#define BP_POWER_UP_MS    50u
#define BP_ENABLE_TRIES   2
/* A full bulk transfer as it goes out and comes back: the command (or
 * its ack) and BP_BULK_MAX bytes. */
#define BP_BULK_FRAME     (1 + BP_BULK_MAX)

/* The speeds, fastest first for the auto-SCK search, and their codes. */
static const uint32_t bp_sck[8] = {
#define BP_SCK_HZ(code, hz) hz,
	BP_SPI_SPEEDS(BP_SCK_HZ)
#undef BP_SCK_HZ
};
static const uint8_t bp_speed_code[8] = {
#define BP_SCK_CODE(code, hz) code,
	BP_SPI_SPEEDS(BP_SCK_CODE)
#undef BP_SCK_CODE
};
/* The same steps as `speed=` spells them (the list in bp_option_help). */
static const char *const bp_speed_name[8] = {
	"8M", "4M", "2.6M", "2M", "1M", "250k", "125k", "30k",
};

static const char *const bp_option_help[] = {
	"reset=cs|aux  the Bus Pirate pin wired to the target's RESET (default cs)",
	"pullups  open-drain outputs pulled up by the Bus Pirate's pull-ups to the "
	"voltage on its Vpu pin: for a target at another voltage, wire Vpu to the "
	"target's VCC",
	"nopower  leave the Bus Pirate's 3.3 V and 5 V supplies off: the target "
	"has its own supply",
	"speed=30k|125k|250k|1M|2M|2.6M|4M|8M  the fastest SPI clock to try; the "
	"automatic search starts there and steps down",
	NULL,
};

extern const struct prog_driver prog_buspirate_driver;

static struct buspirate *
priv(struct prog *p)
{
	return p->priv;
}

static void
settle(struct buspirate *b)
{
	isp_settle(&b->busy_until_us);
}

static enum iw_status
set_periph(struct buspirate *b, uint8_t bits, struct iw_error *err)
{
	enum iw_status st = buspirate_command(b, (uint8_t)(BP_SPI_PERIPH | bits),
				    "the power/pull-up/AUX/CS setting", err);

	if (st == IW_OK)
		b->periph = bits;
	return st;
}

static uint8_t
reset_bit(const struct buspirate *b)
{
	return b->reset_on_aux ? BP_PERIPH_AUX : BP_PERIPH_CS;
}

/* Power on (if asked) with RESET high or low.  CS idles high when RESET is
 * on AUX and vice versa, so the unused pin never disturbs the target. */
static enum iw_status
drive(struct buspirate *b, bool power, bool reset_low, struct iw_error *err)
{
	uint8_t bits = (uint8_t)((power && !b->nopower ? BP_PERIPH_POWER : 0) |
				 (b->pullups ? BP_PERIPH_PULLUPS : 0) | BP_PERIPH_AUX |
				 BP_PERIPH_CS);

	if (reset_low)
		bits &= (uint8_t)~reset_bit(b);
	return set_periph(b, bits, err);
}

/* The bp_sck index of a `speed=` word; 0 (the fastest) if it is none. */
static size_t
speed_index(const char *name)
{
	for (size_t i = 0; name != NULL && i < sizeof(bp_speed_name) / sizeof(bp_speed_name[0]); i++)
		if (strcasecmp(bp_speed_name[i], name) == 0)
			return i;
	return 0;
}

/* prog_open() has checked names and values against bp_option_help. */
static void
parse_options(struct buspirate *b, const struct prog_options *opt)
{
	const char *v;

	if (prog_option_get(opt, "reset", &v))
		b->reset_on_aux = v != NULL && strcasecmp(v, "aux") == 0;
	b->pullups = prog_option_get(opt, "pullups", NULL);
	b->nopower = prog_option_get(opt, "nopower", NULL);
	b->first_sck = prog_option_get(opt, "speed", &v) ? speed_index(v) : 0;
}

static bool
buspirate_avrdude_option(const char *opt, char *buf, size_t size)
{
	/* avrdude has reset= and spifreq= (the speed code); it always powers
	 * the target and has no pull-up switch. */
	if (strncmp(opt, "reset=", 6) == 0) {
		snprintf(buf, size, "reset=%s", strcasecmp(opt + 6, "aux") == 0 ? "aux" : "cs");
		return true;
	}
	if (strncmp(opt, "speed=", 6) == 0) {
		snprintf(buf, size, "spifreq=%u", bp_speed_code[speed_index(opt + 6)]);
		return true;
	}
	return false;
}

static void buspirate_close(struct prog *p);

static enum iw_status
buspirate_open(struct prog *p, const struct prog_options *opt, struct iw_error *err)
{
	struct buspirate *b;
	enum iw_status st;

	if (!opt->port)
		return iw_error_set(err, IW_USAGE,
			"buspirate: no serial port given: pass the Bus Pirate's port with "
			"--port (e.g. /dev/ttyUSB0 or a /dev/serial/by-id/ link)");
	b = calloc(1, sizeof(*b));
	if (!b)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	parse_options(b, opt);
	st = serial_open(&b->sp, opt->port, prog_baud(opt, BP_DEFAULT_BAUD), err);
	if (st != IW_OK) {
		free(b);
		return st;
	}
	p->priv = b;
	if ((st = buspirate_enter_bitbang(b, err)) != IW_OK ||
	    (st = buspirate_enter_spi(b, err)) != IW_OK ||
	    (st = buspirate_probe_features(b, err)) != IW_OK ||
	    /* push-pull 3.3 V outputs (open-drain with pullups), clock idle
	     * low, sample in the middle, data changes on the falling edge:
	     * SPI mode 0 */
	    (st = buspirate_command(b, (uint8_t)(BP_SPI_CONFIG | BP_CONFIG_CKE |
						 (b->pullups ? 0 : BP_CONFIG_PUSH_PULL)),
				    "the SPI configuration", err)) != IW_OK ||
	    (st = drive(b, false, false, err)) != IW_OK)
		goto fail;
	p->caps = (struct prog_caps){
		.sck_hz = bp_sck + b->first_sck,
		.n_sck = sizeof(bp_sck) / sizeof(bp_sck[0]) - b->first_sck,
		.paged_read = true, .paged_write = true,
	};
	return IW_OK;
fail:
	buspirate_close(p);
	return st;
}

static enum iw_status
bulk4(struct buspirate *b, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	uint8_t tx[5] = { BP_SPI_BULK | (4 - 1), in[0], in[1], in[2], in[3] };
	uint8_t rx[5];
	enum iw_status st = buspirate_transact(b, tx, 5, rx, 5, "an SPI transfer", err);

	if (st != IW_OK)
		return st;
	if (rx[0] != BP_ACK)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the Bus Pirate refused a bulk SPI transfer (answered 0x%02X)",
			serial_name(b->sp), rx[0]);
	memcpy(out, rx + 1, 4);
	return IW_OK;
}

static enum iw_status
buspirate_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	struct buspirate *b = priv(p);
	uint8_t code = 0;
	uint8_t out[4] = { 0 };
	enum iw_status st;
	char hex[32];

	settle(b);
	for (size_t i = 0; i < sizeof(bp_sck) / sizeof(bp_sck[0]); i++)
		if (bp_sck[i] <= sck_hz) {
			code = bp_speed_code[i];
			break;
		}
	if ((st = buspirate_command(b, (uint8_t)(BP_SPI_SPEED | code), "the SPI speed", err)) != IW_OK)
		return st;
	if (!b->powered) {
		/* power with RESET high, then let the supply settle */
		if ((st = drive(b, true, false, err)) != IW_OK)
			return st;
		if (!b->nopower)
			iw_sleep_us(BP_POWER_UP_MS * 1000u);
		b->powered = true;
	}
	/* A second try with a fresh RESET pulse only at the slow end: above
	 * it, a missing echo usually means "too fast", and the auto-SCK
	 * search will step down anyway. */
	for (int tries = 0; tries < (sck_hz <= 125000u ? BP_ENABLE_TRIES : 1); tries++) {
		static const uint8_t enable[4] = { 0xAC, 0x53, 0x00, 0x00 };

		/* a positive RESET pulse, then at least 20 ms low */
		if ((st = drive(b, true, false, err)) != IW_OK ||
		    (st = drive(b, true, true, err)) != IW_OK)
			return st;
		iw_sleep_us(20000);
		if ((st = bulk4(b, enable, out, err)) != IW_OK)
			return st;
		if (out[2] == 0x53)
			return IW_OK;
	}
	return iw_error_set(err, IW_NO_TARGET,
		"the target did not echo Programming Enable through the Bus Pirate "
		"(got %s; %s%s)", serial_hex(out, 4, hex, sizeof(hex)),
		out[0] == 0 && out[1] == 0 && out[2] == 0 ?
			(b->nopower ? "all zero: with -x nopower the target needs its own "
				      "supply: is it switched on?"
				    : "all zero: is the target powered?")
		: out[2] == 0xFF ?
			(b->reset_on_aux ? "0xFF: is the target's RESET wired to the Bus "
					   "Pirate's AUX (-x reset=aux) and MISO connected?"
					 : "0xFF: is the target's RESET wired to the Bus "
					   "Pirate's CS (AUX needs -x reset=aux) and MISO "
					   "connected?")
		: "check MOSI/MISO/CLK and lower the SCK",
		b->pullups ? "; with -x pullups, is Vpu wired to the target's VCC?" : "");
}

static void
buspirate_leave(struct prog *p)
{
	struct buspirate *b = priv(p);

	if (!b || b->broken || !b->in_spi)
		return;
	settle(b);
	/* Release RESET: best effort, leave() cannot fail.  The supply stays
	 * on until close(), so the auto-SCK search and the re-entry after a
	 * chip erase do not wait for the target to power up again. */
	drive(b, b->powered, false, NULL);
}

static void
buspirate_close(struct prog *p)
{
	struct buspirate *b = priv(p);

	if (!b)
		return;
	if (b->sp && !b->broken) {
		static const uint8_t bbio = BP_SPI_EXIT, reset = BP_BBIO_TERMINAL;
		uint8_t r[8];
		size_t n = 0;
		bool found = false;

		buspirate_leave(p);
		if (b->in_spi && b->powered && drive(b, false, false, NULL) == IW_OK)
			b->powered = false;
		/* SPI -> bit-bang -> text terminal; read up to its prompt */
		serial_write(b->sp, &bbio, 1, 200, NULL);
		serial_drain(b->sp, 20, 300, NULL, NULL);
		serial_write(b->sp, &reset, 1, 200, NULL);
		buspirate_expect_within(b, ">", 500, r, &n, sizeof(r), &found, NULL);
		serial_drain(b->sp, 20, 200, NULL, NULL);
	}
	serial_close(b->sp);
	free(b);
	p->priv = NULL;
}

static enum iw_status
buspirate_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	struct buspirate *b = priv(p);

	settle(b);
	return bulk4(b, in, out, err);
}

/* Load Page for a whole page: one write-then-read without CS when the
 * firmware has it, else 16-byte bulk transfers sent back to back. */
static enum iw_status
load_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
	  struct iw_error *err)
{
	struct buspirate *b = priv(p);
	size_t n = (size_t)len * 4u;
	uint8_t *tx = malloc(n + n / BP_BULK_MAX + 8), *rx = NULL;
	enum iw_status st;
	size_t o = 0;

	if (!tx)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	if (b->has_wtr) {
		tx[o++] = BP_SPI_WTR;
		tx[o++] = (uint8_t)(n >> 8);
		tx[o++] = (uint8_t)n;
		tx[o++] = 0;
		tx[o++] = 0;
	}
	for (uint32_t i = 0; i < len; i++) {
		uint32_t word = (addr + i) >> 1;

		if (!b->has_wtr && (i % 4) == 0)
			tx[o++] = (uint8_t)(BP_SPI_BULK | ((len - i >= 4 ? 4 : len - i) * 4 - 1));
		tx[o++] = (i & 1) ? 0x48 : 0x40;
		tx[o++] = (uint8_t)(word >> 8);
		tx[o++] = (uint8_t)word;
		tx[o++] = buf[i];
	}
	if (b->has_wtr) {
		uint8_t r;

		st = buspirate_transact(b, tx, o, &r, 1, "loading the page buffer", err);
		if (st == IW_OK && r != BP_ACK)
			st = iw_error_set(err, IW_PROTOCOL,
				"%s: the Bus Pirate refused the page load (write-then-read "
				"answered 0x%02X)", serial_name(b->sp), r);
	} else {
		/* every bulk command acks, then answers one byte per byte */
		rx = malloc(o);
		st = rx ? buspirate_transact(b, tx, o, rx, o, "loading the page buffer", err)
			: iw_error_set(err, IW_NOMEM, "out of memory");
		for (size_t i = 0; st == IW_OK && i < o; i += BP_BULK_FRAME)
			if (rx[i] != BP_ACK)
				st = iw_error_set(err, IW_PROTOCOL,
					"%s: the Bus Pirate refused a bulk transfer (answered 0x%02X)",
					serial_name(b->sp), rx[i]);
	}
	free(tx);
	free(rx);
	return st;
}

static enum iw_status
buspirate_write_page(struct prog *p, uint32_t addr, const uint8_t *buf,
		     uint32_t len, struct iw_error *err)
{
	struct buspirate *b = priv(p);
	uint32_t word = addr >> 1;
	uint8_t out[4];
	enum iw_status st;

	if ((size_t)len * 4u > BP_WTR_MAX || (len & 1))
		return iw_error_set(err, IW_RANGE,
			"buspirate: a %u-byte page does not fit one write-then-read", len);
	/* Loading the page buffer while the previous page is still being
	 * written is allowed; only the next Write Page must wait, so the wait
	 * overlaps with sending the page. */
	if ((st = load_page(p, addr, buf, len, err)) != IW_OK)
		return st;
	settle(b);
	if (p->part->flash_size > 0x20000u) {
		uint8_t ext[4] = { 0x4D, 0x00, (uint8_t)(word >> 16), 0x00 };

		if ((st = bulk4(b, ext, out, err)) != IW_OK)
			return st;
	}
	{
		uint8_t wp[4] = { 0x4C, (uint8_t)(word >> 8), (uint8_t)word, 0x00 };

		if ((st = bulk4(b, wp, out, err)) != IW_OK)
			return st;
	}
	/* the next access to the target waits out the page write */
	b->busy_until_us = iw_clock_us() + ISP_PAGE_BUSY_US;
	return IW_OK;
}

/* Bulk read through the AVR extension; words, at most one reply. */
static enum iw_status
read_ext(struct buspirate *b, uint32_t addr, uint8_t *buf, uint32_t len,
	 struct iw_error *err)
{
	uint32_t word = addr >> 1;
	uint8_t tx[10] = {
		BP_SPI_AVR_EXT, BP_AVR_BULK_READ,
		(uint8_t)(word >> 24), (uint8_t)(word >> 16), (uint8_t)(word >> 8), (uint8_t)word,
		(uint8_t)(len >> 24), (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len,
	};
	uint8_t *rx = malloc((size_t)len + 2);
	enum iw_status st;

	if (!rx)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	st = buspirate_transact(b, tx, sizeof(tx), rx, 2, "a bulk flash read", err);
	if (st == IW_OK && (rx[0] != BP_ACK || rx[1] != BP_ACK))
		st = iw_error_set(err, IW_PROTOCOL,
			"%s: the Bus Pirate refused a bulk flash read at 0x%05X "
			"(answered %02X %02X)", serial_name(b->sp), addr, rx[0], rx[1]);
	if (st == IW_OK) {
		size_t got = 0;
		unsigned timeout = BP_REPLY_MS + serial_wire_ms(b->sp, len);

		st = serial_read(b->sp, rx + 2, len, timeout, &got, err);
		if (st == IW_TIMEOUT)
			st = iw_error_set(err, IW_PROTOCOL,
				"%s: the bulk flash read at 0x%05X was cut short: %zu of "
				"%u bytes arrived", serial_name(b->sp), addr, got, len);
		else
			st = buspirate_fail_status(b, st);
	}
	if (st == IW_OK)
		memcpy(buf, rx + 2, len);
	free(rx);
	return st;
}

/* Fallback: Read Program Memory, four instructions per 16-byte bulk
 * transfer, all of them sent back to back. */
static enum iw_status
read_bulk(struct buspirate *b, uint32_t addr, uint8_t *buf, uint32_t len,
	  struct iw_error *err)
{
	size_t groups = (len + 3) / 4, o = 0;
	uint8_t *tx = malloc(groups * BP_BULK_FRAME), *rx = malloc(groups * BP_BULK_FRAME);
	enum iw_status st;

	if (!tx || !rx) {
		free(tx);
		free(rx);
		return iw_error_set(err, IW_NOMEM, "out of memory");
	}
	for (uint32_t i = 0; i < groups * 4; i++) {
		uint32_t a = addr + (i < len ? i : len - 1);
		uint32_t word = a >> 1;

		if ((i % 4) == 0)
			tx[o++] = BP_SPI_BULK | (BP_BULK_MAX - 1);
		tx[o++] = (a & 1) ? 0x28 : 0x20;
		tx[o++] = (uint8_t)(word >> 8);
		tx[o++] = (uint8_t)word;
		tx[o++] = 0x00;
	}
	st = buspirate_transact(b, tx, o, rx, o, "reading flash", err);
	for (uint32_t i = 0; st == IW_OK && i < len; i++) {
		size_t g = i / 4;

		if (rx[g * BP_BULK_FRAME] != BP_ACK) {
			st = iw_error_set(err, IW_PROTOCOL,
				"%s: the Bus Pirate refused a bulk transfer (answered 0x%02X)",
				serial_name(b->sp), rx[g * BP_BULK_FRAME]);
			break;
		}
		buf[i] = rx[g * BP_BULK_FRAME + 1 + (i % 4) * 4 + 3];
	}
	free(tx);
	free(rx);
	return st;
}

static enum iw_status
buspirate_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		     struct iw_error *err)
{
	struct buspirate *b = priv(p);

	settle(b);
	while (len) {
		uint32_t n = len > 256 ? 256 : len;
		enum iw_status st;

		/* the extension reads whole words below 64 K words */
		if (b->has_avr_ext && !(addr & 1) && !(n & 1) &&
		    ((addr + n) >> 1) <= BP_AVR_READ_WORDS)
			st = read_ext(b, addr, buf, n, err);
		else
			st = read_bulk(b, addr, buf, n, err);
		if (st != IW_OK)
			return st;
		addr += n;
		buf += n;
		len -= n;
	}
	return IW_OK;
}

const struct prog_driver prog_buspirate_driver = {
	.name = "buspirate",
	.open = buspirate_open,
	.close = buspirate_close,
	.enter = buspirate_enter,
	.leave = buspirate_leave,
	.cmd = buspirate_cmd,
	.read_flash = buspirate_read_flash,
	.write_page = buspirate_write_page,
	.sync = NULL,
	.option_help = bp_option_help,
	.avrdude_option = buspirate_avrdude_option,
};
