/*
 * emu-buspirate.c - a Bus Pirate v3 (firmware 5.10 or later) as the host
 * sees it over its serial port: the text terminal, binary bit-bang mode and
 * binary raw SPI with the AVR extension.
 *
 * Behaviour kept from the firmware because hosts depend on it:
 *   - in the terminal, 20 consecutive 0x00 bytes switch to bit-bang mode,
 *     which answers "BBIO1"; every further 0x00 answers "BBIO1" again (a
 *     host that sends 20 zeros to a Bus Pirate already in binary mode gets
 *     20 replies and must drain them);
 *   - in bit-bang mode 0x01 enters SPI ("SPI1"), 0x0F goes back to the
 *     terminal (0x01, then the banner and the "HiZ>" prompt);
 *   - in SPI mode 0x00 goes back to bit-bang ("BBIO1") and resets the pins:
 *     power off, outputs released;
 *   - 0x04/0x05 write-then-read answer 0x00 without reading any data when a
 *     count is over 4096;
 *   - a 0x1x bulk transfer answers 0x01 at once, then one byte per byte;
 *   - unknown SPI-mode commands answer 0x00.
 * The target is powered from the Bus Pirate's supply (0x4x bit 3) or has
 * its own (self_powered), and its RESET is wired to CS (or to AUX:
 * reset_on_aux).  AUX stays an input, left high by the target's RESET
 * pull-up, until SPI mode's first 0x4x command drives it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/emu-int.h"

#define BP_WTR_MAX 4096u

static const uint32_t bp_speeds[8] = {
	30000, 125000, 250000, 1000000, 2000000, 2600000, 4000000, 8000000,
};

static const char bp_banner[] =
	"\r\nBus Pirate v3.5 (ispwiz emulator)\r\n"
	"Firmware v6.1 r1676  Bootloader v4.4\r\n"
	"HiZ>";

/* Drive the target's power and RESET from the pins. */
static void
apply_pins(struct emu *e)
{
	struct emu_buspirate *b = &e->u.bp;
	bool spi = b->mode == EMU_BP_SPI;
	bool power = e->opts.self_powered || (spi && (b->periph & 0x08));
	bool reset_pin_high;

	if (e->opts.reset_on_aux)
		reset_pin_high = !b->aux_driven || (b->periph & 0x02) != 0;
	else
		reset_pin_high = b->cs_high;
	sim_target_set_power(e->t, power);
	/* Outside SPI mode the pins are inputs: the target's pull-up keeps
	 * RESET high. */
	sim_target_set_reset(e->t, spi && power && !reset_pin_high);
}

void
emu_buspirate_init(struct emu *e)
{
	memset(&e->u.bp, 0, sizeof(e->u.bp));
	e->u.bp.mode = EMU_BP_TEXT;
	e->u.bp.cs_high = true;
	apply_pins(e);
}

static void
reply_str(struct emu *e, const char *s)
{
	emu_reply(e, (const uint8_t *)s, strlen(s));
}

/* An acknowledgement: 0x01, or 0x00 under the stk-failed knob. */
static void
ack(struct emu *e)
{
	emu_reply_byte(e, emu_command_fault(e, EMU_FAULT_FAILED) ? 0x00 : 0x01);
}

static void
enter_spi(struct emu *e)
{
	struct emu_buspirate *b = &e->u.bp;

	b->mode = EMU_BP_SPI;
	b->periph = 0;
	b->aux_driven = false;
	b->cs_high = true;
	b->speed = 0;
	b->config = 0x02;            /* firmware default: CKE set */
	b->bulk_left = 0;
	b->avr_ext = false;
	sim_target_set_sck(e->t, bp_speeds[0]);
	apply_pins(e);
	reply_str(e, "SPI1");
}

static void
leave_spi(struct emu *e)
{
	struct emu_buspirate *b = &e->u.bp;

	b->mode = EMU_BP_BBIO;
	b->periph = 0;
	b->aux_driven = false;
	apply_pins(e);
	reply_str(e, "BBIO1");
}

/* --- text terminal -------------------------------------------------------- */

static size_t
text_step(struct emu *e, const uint8_t *p)
{
	struct emu_buspirate *b = &e->u.bp;
	uint8_t c = p[0];

	if (c == 0x00) {
		if (++b->zeros >= 20) {
			b->zeros = 0;
			b->line_len = 0;
			b->mode = EMU_BP_BBIO;
			reply_str(e, "BBIO1");
		}
		return 1;
	}
	b->zeros = 0;
	if (c == '\r' || c == '\n') {
		b->line[b->line_len] = '\0';
		if (strcmp(b->line, "#") == 0) {
			reply_str(e, "\r\nRESET\r\n");
			reply_str(e, bp_banner);
		} else {
			reply_str(e, "\r\nHiZ>");
		}
		b->line_len = 0;
		return 1;
	}
	/* the terminal echoes what is typed */
	if (b->line_len < sizeof(b->line) - 1)
		b->line[b->line_len++] = (char)c;
	emu_reply_byte(e, c);
	return 1;
}

/* --- binary bit-bang ------------------------------------------------------- */

static size_t
bbio_step(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_buspirate *b = &e->u.bp;
	uint8_t c = p[0];

	if (c == 0x00) {
		reply_str(e, "BBIO1");
		return 1;
	}
	if (c == 0x01) {
		enter_spi(e);
		return 1;
	}
	if (c == 0x0F) {
		/* back to the terminal after a full reset */
		emu_reply_byte(e, 0x01);
		reply_str(e, bp_banner);
		b->mode = EMU_BP_TEXT;
		b->zeros = 0;
		b->line_len = 0;
		apply_pins(e);
		return 1;
	}
	if (c == 0x12) {                     /* PWM setup: 5 argument bytes */
		if (len < 6)
			return 0;
		emu_reply_byte(e, 0x01);
		return 6;
	}
	if (c >= 0x10 && c <= 0x1F) {        /* self tests, PWM off, ... */
		emu_reply_byte(e, 0x01);
		return 1;
	}
	if ((c & 0xE0) == 0x40 || (c & 0x80)) {
		/* pin directions / pin levels: the firmware answers with the
		 * pins as read back; with nothing attached that is the
		 * command's own bits */
		emu_reply_byte(e, (uint8_t)(c & 0x7F));
		return 1;
	}
	/* other protocol modes (I2C, UART, 1-Wire, raw) are not emulated:
	 * the host hears nothing, as from a firmware without them */
	e->stats.unknown++;
	return 1;
}

/* --- binary SPI ------------------------------------------------------------ */

static size_t
write_then_read(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_buspirate *b = &e->u.bp;
	bool with_cs = p[0] == 0x04;
	size_t wcount, rcount;
	uint8_t *out;

	if (len < 5)
		return 0;
	wcount = (size_t)p[1] << 8 | p[2];
	rcount = (size_t)p[3] << 8 | p[4];
	if (wcount > BP_WTR_MAX || rcount > BP_WTR_MAX) {
		emu_reply_byte(e, 0x00);
		return 5;
	}
	if (len < 5 + wcount)
		return 0;
	out = malloc(rcount + 1);
	if (!out) {
		e->oom = true;
		return 5 + wcount;
	}
	if (with_cs) {
		b->cs_high = false;
		apply_pins(e);
	}
	for (size_t i = 0; i < wcount; i++)
		sim_target_transfer_byte(e->t, p[5 + i]);
	out[0] = emu_command_fault(e, EMU_FAULT_FAILED) ? 0x00 : 0x01;
	for (size_t i = 0; i < rcount; i++)
		out[1 + i] = sim_target_transfer_byte(e->t, 0xFF);
	if (with_cs) {
		b->cs_high = true;
		apply_pins(e);
	}
	emu_reply(e, out, rcount + 1);
	free(out);
	return 5 + wcount;
}

/* 0x06 0x02: bulk flash read, BE32 word address and BE32 byte count. */
static size_t
avr_bulk_read(struct emu *e, const uint8_t *p, size_t len)
{
	uint32_t word, count;
	uint8_t *out;

	if (len < 9)
		return 0;
	word = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	count = (uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
	if (word > 0xFFFF || count > 0x10000 || word + count / 2 > 0x10000) {
		emu_reply_byte(e, 0x00);
		return 9;
	}
	out = malloc((size_t)count + 1);
	if (!out) {
		e->oom = true;
		return 9;
	}
	out[0] = 0x01;
	for (uint32_t i = 0; i < count; i++) {
		uint32_t w = word + i / 2;
		uint8_t in[4] = { (i & 1) ? 0x28 : 0x20, (uint8_t)(w >> 8), (uint8_t)w, 0 };

		sim_target_transfer(e->t, in, in);
		out[1 + i] = in[3];
	}
	emu_reply(e, out, (size_t)count + 1);
	free(out);
	return 9;
}

static size_t
avr_ext_step(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_buspirate *b = &e->u.bp;
	size_t used = 1;

	switch (p[0]) {
	case 0x00:                   /* null */
		emu_reply_byte(e, 0x01);
		break;
	case 0x01: {                 /* version */
		uint8_t v[3] = { 0x01, 0x00, 0x01 };

		emu_reply(e, v, 3);
		break;
	}
	case 0x02:
		used = avr_bulk_read(e, p, len);
		if (!used)
			return 0;
		break;
	default:
		emu_reply_byte(e, 0x00);
		break;
	}
	b->avr_ext = false;
	return used;
}

static size_t
spi_step(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_buspirate *b = &e->u.bp;
	uint8_t c = p[0];

	if (b->bulk_left) {
		emu_reply_byte(e, sim_target_transfer_byte(e->t, c));
		b->bulk_left--;
		return 1;
	}
	if (b->avr_ext)
		return avr_ext_step(e, p, len);

	switch (c) {
	case 0x00:
		leave_spi(e);
		return 1;
	case 0x01:
		reply_str(e, "SPI1");
		return 1;
	case 0x02:
	case 0x03:
		b->cs_high = c == 0x03;
		apply_pins(e);
		ack(e);
		return 1;
	case 0x04:
	case 0x05:
		return write_then_read(e, p, len);
	case 0x06:
		b->avr_ext = true;
		emu_reply_byte(e, 0x01);
		return 1;
	default:
		break;
	}
	if ((c & 0xF0) == 0x10) {            /* bulk: 1..16 bytes */
		b->bulk_left = (unsigned)(c & 0x0F) + 1;
		ack(e);
		return 1;
	}
	if ((c & 0xF0) == 0x40) {            /* power, pull-ups, AUX, CS */
		if ((c & 0x08) && !(b->periph & 0x08))
			e->stats.power_ons++;
		if ((c & 0x04) && !(b->periph & 0x04))
			e->stats.pullup_ons++;
		b->periph = c & 0x0F;
		b->aux_driven = true;
		b->cs_high = (c & 0x01) != 0;
		apply_pins(e);
		ack(e);
		return 1;
	}
	if ((c & 0xF8) == 0x60) {            /* speed */
		b->speed = c & 0x07;
		sim_target_set_sck(e->t, bp_speeds[b->speed]);
		ack(e);
		return 1;
	}
	if ((c & 0xF0) == 0x80) {            /* output type, idle, edge, sample */
		if (!(c & 0x08))
			e->stats.open_drain++;
		b->config = c & 0x0F;
		ack(e);
		return 1;
	}
	e->stats.unknown++;
	emu_reply_byte(e, 0x00);
	return 1;
}

size_t
emu_buspirate_step(struct emu *e, const uint8_t *p, size_t len)
{
	size_t used;

	if (!len)
		return 0;
	switch (e->u.bp.mode) {
	case EMU_BP_TEXT:
		used = text_step(e, p);
		break;
	case EMU_BP_BBIO:
		used = bbio_step(e, p, len);
		break;
	case EMU_BP_SPI:
	default:
		used = spi_step(e, p, len);
		break;
	}
	if (used)
		e->stats.commands++;
	return used;
}
