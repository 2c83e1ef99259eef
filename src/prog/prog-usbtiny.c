/*
 * prog-usbtiny.c - the `usbtiny` driver: Adafruit's USBtinyISP, SparkFun's
 * PocketAVR and other programmers running the USBtiny ISP firmware.
 *
 * Every operation is a vendor control transfer (PROTOCOLS.md 4).  The
 * firmware's paged requests carry a 16-bit byte address, so on parts with
 * more than 64 KiB of flash (AT90USB128x):
 *   - writes still use the paged request: Load Program Memory Page only
 *     looks at the in-page offset, which survives the wrap, and the page is
 *     committed with Write Page through the raw SPI request, which carries
 *     the full word address;
 *   - reads above 64 KiB fall back to one Read Program Memory instruction
 *     per byte, a USB round trip each: correct, but about a hundred times
 *     slower, which open() says in caps.note.
 */
#include "prog/prog-usbtiny.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog/isp.h"
#include "prog/usb.h"
#include "prog/usbtiny-proto.h"
#include "core/clock.h"

#define TINY_CHUNK 128u            /* bytes per paged request */
#define TINY_EXT_LIMIT 0x20000u    /* Load Extended Address above this */
#define TINY_TIMEOUT_MS 1000u      /* plus the SPI time of the request */
/* Datasheet: after power-up or a RESET pulse, RESET low for 20 ms before
 * Programming Enable. */
#define TINY_RESET_SETTLE_US 20000u
#define TINY_ENABLE_TRIES 2
#define TINY_PAGE_DELAY_US 4500u    /* t_WD_FLASH, worst case */
#define TINY_POLL_MARGIN_US 200u    /* so the first poll rarely comes early */

/* SCK periods (µs) the firmware accepts, fastest first, as clocks. */
static const uint32_t tiny_sck_hz[PROG_USBTINY_N_SCK] = {
	1000000u, 500000u, 250000u, 125000u, 62500u, 31250u, 15625u, 8000u, 4000u,
};

static const struct catalog_usb_id tiny_ids[] = {
	{ USBTINY_VID, USBTINY_PID }, { 0x2341, 0x0049 }, { 0x2A03, 0x0049 },
};

struct tiny {
	struct usb_link link;
	bool powered;
	uint8_t period;            /* SCK period in µs */
	uint32_t chunk;
	bool ext;                  /* part needs Load Extended Address */
	char note[ISP_NOTE_MAX];
};

static struct tiny *
priv(struct prog *p)
{
	return p->priv;
}

/* Milliseconds the firmware needs to clock `instr` instructions. */
static unsigned
spi_ms(const struct tiny *t, uint32_t instr)
{
	return (unsigned)((uint64_t)instr * 32u * t->period / 1000u);
}

static enum iw_status
control(struct tiny *t, uint8_t req, uint16_t value, uint16_t index, const char *what,
	struct iw_error *err)
{
	return usb_link_in(&t->link, req, value, index, NULL, 0, TINY_TIMEOUT_MS, what,
			   NULL, err);
}

/* POWERUP at the current SCK period, RESET driven to `reset`. */
static enum iw_status
power_up(struct tiny *t, uint16_t reset, const char *what, struct iw_error *err)
{
	return control(t, USBTINY_POWERUP, t->period, reset, what, err);
}

static enum iw_status
spi(struct tiny *t, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	return usb_link_isp(&t->link, USBTINY_SPI, in, out, TINY_TIMEOUT_MS + spi_ms(t, 1), err);
}

static enum iw_status
spi4(struct tiny *t, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4],
     struct iw_error *err)
{
	const uint8_t in[4] = { a, b, c, d };
	uint8_t scratch[4];

	return spi(t, in, out != NULL ? out : scratch, err);
}

/* The firmware echoes the SETUP packet: proof that the device runs the
 * USBtiny protocol before anything goes to the target. */
static enum iw_status
echo_check(struct tiny *t, struct iw_error *err)
{
	uint8_t back[8];
	char where[96];

	if (usb_link_in(&t->link, USBTINY_ECHO, 0x5AA5, 0x1234, back, 8, TINY_TIMEOUT_MS,
			"checking the programmer (ECHO)", NULL, err) != IW_OK)
		return err != NULL ? err->code : IW_IO;
	if (back[1] != USBTINY_ECHO || back[2] != 0xA5 || back[3] != 0x5A || back[4] != 0x34 ||
	    back[5] != 0x12)
		return iw_error_set(err, IW_PROTOCOL,
				    "%s does not answer like a USBtinyISP (its ECHO came back "
				    "as %02X %02X %02X %02X %02X %02X %02X %02X); is it running "
				    "the USBtiny firmware?",
				    usb_link_where(&t->link, where, sizeof where), back[0],
				    back[1], back[2], back[3], back[4], back[5], back[6], back[7]);
	return IW_OK;
}

static void
describe_part(struct tiny *t, const struct catalog_part *part)
{
	t->note[0] = '\0';
	if (part == NULL || part->flash_size <= USBTINY_ADDR_LIMIT)
		return;
	snprintf(t->note, sizeof t->note,
		 "the USBtinyISP firmware addresses only 64 KiB: on the %s, writing works "
		 "as usual, but flash above 64 KiB is read one byte per USB transfer, so "
		 "reading or verifying it is about a hundred times slower (a full backup "
		 "of the upper %u KiB takes a minute or more; --no-backup skips it)",
		 catalog_part_label(part),
		 (part->flash_size - USBTINY_ADDR_LIMIT) / 1024u);
}

static enum iw_status
tiny_open(struct prog *p, const struct prog_options *opt, struct iw_error *err)
{
	struct usb_want want;
	struct tiny *t;
	enum iw_status st;

	t = calloc(1, sizeof *t);
	if (t == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the USBtinyISP");
	usb_want_init(&want, "USBtinyISP", opt->entry, tiny_ids,
		      sizeof tiny_ids / sizeof tiny_ids[0]);
	if ((st = usb_link_open(&t->link, &want, opt->port, err)) != IW_OK) {
		free(t);
		return st;
	}
	if ((st = echo_check(t, err)) != IW_OK) {
		usb_link_close(&t->link);
		free(t);
		return st;
	}
	t->period = 10;
	t->chunk = TINY_CHUNK;
	t->ext = opt->part != NULL && opt->part->flash_size > TINY_EXT_LIMIT;
	describe_part(t, opt->part);
	p->priv = t;
	p->caps = (struct prog_caps){
		.sck_hz = tiny_sck_hz, .n_sck = PROG_USBTINY_N_SCK,
		.paged_read = true, .paged_write = true,
		.note = t->note[0] != '\0' ? t->note : NULL,
	};
	return IW_OK;
}

static void
tiny_close(struct prog *p)
{
	struct tiny *t = priv(p);

	if (t == NULL)
		return;
	usb_link_close(&t->link);
	free(t);
	p->priv = NULL;
}

static uint8_t
period_for(uint32_t hz)
{
	uint32_t period;

	if (hz == 0)
		return 10;               /* the firmware's usual default */
	period = (1000000u + hz / 2) / hz;
	if (period < USBTINY_PERIOD_MIN)
		period = USBTINY_PERIOD_MIN;
	if (period > USBTINY_PERIOD_MAX)
		period = USBTINY_PERIOD_MAX;
	return (uint8_t)period;
}

/* Chunks shrink with slow clocks so one request never takes long. */
static uint32_t
chunk_for(uint8_t period)
{
	uint32_t chunk = TINY_CHUNK, p = period;

	while (chunk > 8 && p > 16) {
		chunk >>= 1;
		p >>= 1;
	}
	return chunk;
}

static enum iw_status
tiny_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	struct tiny *t = priv(p);
	uint8_t out[4];
	char hz[32];
	enum iw_status st;

	t->period = period_for(sck_hz);
	t->chunk = chunk_for(t->period);
	if (t->powered) {
		/* A positive RESET pulse restarts the chip's serial framing. */
		if ((st = power_up(t, USBTINY_RESET_HIGH, "pulsing RESET", err)) != IW_OK)
			return st;
	}
	if ((st = power_up(t, USBTINY_RESET_LOW, "powering up the target", err)) != IW_OK)
		return st;
	iw_sleep_us(TINY_RESET_SETTLE_US);
	t->powered = true;
	for (int i = 0; i < TINY_ENABLE_TRIES; i++) {
		if ((st = spi4(t, 0xAC, 0x53, 0x00, 0x00, out, err)) != IW_OK)
			return st;
		if (out[2] == 0x53)
			return IW_OK;
		if ((st = power_up(t, USBTINY_RESET_HIGH, "pulsing RESET", err)) != IW_OK ||
		    (st = power_up(t, USBTINY_RESET_LOW, "pulsing RESET", err)) != IW_OK)
			return st;
		iw_sleep_us(TINY_RESET_SETTLE_US);
	}
	p->have_answer = true;
	memcpy(p->answer, out, sizeof p->answer);
	return iw_error_set(err, IW_NO_TARGET,
			    "no Programming Enable echo at SCK %s (SCK period %u µs; the "
			    "target answered %02X %02X %02X %02X)",
			    isp_sck_text(1000000u / t->period, hz, sizeof hz), t->period,
			    out[0], out[1], out[2], out[3]);
}

static void
tiny_leave(struct prog *p)
{
	struct tiny *t = priv(p);

	if (!t->powered)
		return;
	/* Best effort: the caller may be cleaning up after the programmer
	 * vanished. */
	control(t, USBTINY_POWERDOWN, 0, 0, "releasing the target", NULL);
	t->powered = false;
}

static enum iw_status
tiny_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	return spi(priv(p), in, out, err);
}

/* Above 64 KiB the paged request would wrap: one instruction per byte. */
static enum iw_status
read_bytewise(struct tiny *t, uint32_t addr, uint8_t *buf, uint32_t len,
	      struct iw_error *err)
{
	int32_t ext_sent = -1;
	enum iw_status st;

	for (uint32_t i = 0; i < len; i++) {
		uint32_t byte = addr + i, word = byte >> 1;
		uint8_t out[4];

		if (t->ext && (int32_t)(word >> 16) != ext_sent) {
			st = spi4(t, 0x4D, 0x00, (uint8_t)(word >> 16), 0x00, NULL, err);
			if (st != IW_OK)
				return st;
			ext_sent = (int32_t)(word >> 16);
		}
		st = spi4(t, (byte & 1) ? 0x28 : 0x20, (uint8_t)(word >> 8), (uint8_t)word,
			  0x00, out, err);
		if (st != IW_OK)
			return st;
		buf[i] = out[3];
	}
	return IW_OK;
}

static enum iw_status
tiny_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		struct iw_error *err)
{
	struct tiny *t = priv(p);
	uint32_t done = 0;
	enum iw_status st;

	while (done < len && addr + done < USBTINY_ADDR_LIMIT) {
		uint32_t a = addr + done, n = len - done;
		char what[64];

		if (n > t->chunk)
			n = t->chunk;
		if (a + n > USBTINY_ADDR_LIMIT)
			n = USBTINY_ADDR_LIMIT - a;
		snprintf(what, sizeof what, "reading flash at 0x%05X", a);
		st = usb_link_in(&t->link, USBTINY_FLASH_READ, 0, (uint16_t)a, buf + done,
				 (uint16_t)n, TINY_TIMEOUT_MS + spi_ms(t, n), what, NULL, err);
		if (st != IW_OK)
			return st;
		done += n;
	}
	if (done < len)
		return read_bytewise(t, addr + done, buf + done, len - done, err);
	return IW_OK;
}

static enum iw_status
tiny_read_eeprom(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		 struct iw_error *err)
{
	struct tiny *t = priv(p);
	enum iw_status st;

	for (uint32_t done = 0; done < len;) {
		uint32_t a = addr + done, n = len - done < t->chunk ? len - done : t->chunk;
		char what[64];

		snprintf(what, sizeof what, "reading EEPROM at 0x%04X", a);
		st = usb_link_in(&t->link, USBTINY_EEPROM_READ, 0, (uint16_t)a, buf + done,
				 (uint16_t)n, TINY_TIMEOUT_MS + spi_ms(t, n), what, NULL, err);
		if (st != IW_OK)
			return st;
		done += n;
	}
	return IW_OK;
}

/* Wait out the page write: sleep through most of the datasheet's worst
 * case (less the time one poll takes to come back), then poll RDY/BSY. */
static enum iw_status
wait_page(struct prog *p, uint32_t addr, struct iw_error *err)
{
	struct tiny *t = priv(p);
	double head = TINY_PAGE_DELAY_US + TINY_POLL_MARGIN_US - t->link.rtt_us;
	char what[48];

	if (head > 0)
		iw_sleep_us((uint64_t)head);
	snprintf(what, sizeof what, "writing the flash page at 0x%05X", addr);
	return isp_wait_ready(p, ISP_PAGE_TIMEOUT_MS, what, err);
}

static enum iw_status
tiny_write_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
		struct iw_error *err)
{
	struct tiny *t = priv(p);
	uint32_t word = addr >> 1;
	enum iw_status st;

	/* Load Program Memory Page only uses the in-page offset, so the
	 * firmware's 16-bit address is enough even above 64 KiB. */
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < t->chunk ? len - done : t->chunk;
		char what[64];

		snprintf(what, sizeof what, "loading the flash page at 0x%05X", addr);
		st = usb_link_out(&t->link, USBTINY_FLASH_WRITE, 0, (uint16_t)(addr + done),
				  buf + done, (uint16_t)n, TINY_TIMEOUT_MS + spi_ms(t, n), what,
				  err);
		if (st != IW_OK)
			return st;
		done += n;
	}
	if (t->ext && (st = spi4(t, 0x4D, 0x00, (uint8_t)(word >> 16), 0x00, NULL, err)) != IW_OK)
		return st;
	if ((st = spi4(t, 0x4C, (uint8_t)(word >> 8), (uint8_t)word, 0x00, NULL, err)) != IW_OK)
		return st;
	return wait_page(p, addr, err);
}

const struct prog_driver prog_usbtiny_driver = {
	.name = "usbtiny",
	.open = tiny_open,
	.close = tiny_close,
	.enter = tiny_enter,
	.leave = tiny_leave,
	.cmd = tiny_cmd,
	.read_flash = tiny_read_flash,
	.write_page = tiny_write_page,
	.read_eeprom = tiny_read_eeprom,
};
