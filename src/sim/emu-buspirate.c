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
#include "prog/buspirate-proto.h"

/* SCK per speed code. */
static const uint32_t bp_speeds[8] = {
#define BP_SPEED_ROW(code, hz) [code] = hz,
	BP_SPI_SPEEDS(BP_SPEED_ROW)
#undef BP_SPEED_ROW
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
	bool power = e->opts.self_powered || (spi && (b->periph & BP_PERIPH_POWER));
	bool reset_pin_high;

	if (e->opts.reset_on_aux)
		reset_pin_high = !b->aux_driven || (b->periph & BP_PERIPH_AUX) != 0;
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

/* An acknowledgement, refused under the stk-failed knob. */
static uint8_t
ack_byte(const struct emu *e)
{
	return emu_command_fault(e, EMU_FAULT_FAILED) ? BP_NAK : BP_ACK;
}

static void
ack(struct emu *e)
{
	emu_reply_byte(e, ack_byte(e));
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
	b->config = BP_CONFIG_CKE;   /* the firmware's default */
	b->bulk_left = 0;
	b->avr_ext = false;
	sim_target_set_sck(e->t, bp_speeds[0]);
	apply_pins(e);
	reply_str(e, BP_SPI_ID);
}

static void
leave_spi(struct emu *e)
{
	struct emu_buspirate *b = &e->u.bp;

	b->mode = EMU_BP_BBIO;
	b->periph = 0;
	b->aux_driven = false;
	apply_pins(e);
	reply_str(e, BP_BBIO_ID);
}

/* --- text terminal -------------------------------------------------------- */

static size_t
text_step(struct emu *e, const uint8_t *p)
{
	struct emu_buspirate *b = &e->u.bp;
	uint8_t c = p[0];

	if (c == 0x00) {
		if (++b->zeros >= BP_BBIO_ZEROS) {
			b->zeros = 0;
			b->line_len = 0;
			b->mode = EMU_BP_BBIO;
			reply_str(e, BP_BBIO_ID);
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

	if (c == BP_BBIO_RESET) {
		reply_str(e, BP_BBIO_ID);
		return 1;
	}
	if (c == BP_BBIO_SPI) {
		enter_spi(e);
		return 1;
	}
	if (c == BP_BBIO_TERMINAL) {
		/* back to the terminal after a full reset */
		emu_reply_byte(e, BP_ACK);
		reply_str(e, bp_banner);
		b->mode = EMU_BP_TEXT;
		b->zeros = 0;
		b->line_len = 0;
		apply_pins(e);
		return 1;
	}
	if (c == BP_BBIO_PWM) {
		if (len < 1 + BP_BBIO_PWM_ARGS)
			return 0;
		emu_reply_byte(e, BP_ACK);
		return 1 + BP_BBIO_PWM_ARGS;
	}
	if ((c & BP_CMD_MASK) == BP_BBIO_MISC) {  /* self tests, PWM off, ... */
		emu_reply_byte(e, BP_ACK);
		return 1;
	}
	if ((c & BP_BBIO_PINS_DIR_MASK) == BP_BBIO_PINS_DIR || (c & BP_BBIO_PINS_SET)) {
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
	bool with_cs = p[0] == BP_SPI_WTR_CS;
	size_t wcount, rcount;
	uint8_t *out;

	if (len < 5)
		return 0;
	wcount = (size_t)p[1] << 8 | p[2];
	rcount = (size_t)p[3] << 8 | p[4];
	if (wcount > BP_WTR_MAX || rcount > BP_WTR_MAX) {
		emu_reply_byte(e, BP_NAK);
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
	out[0] = ack_byte(e);
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

/* BP_AVR_BULK_READ: BE32 word address and BE32 byte count. */
static size_t
avr_bulk_read(struct emu *e, const uint8_t *p, size_t len)
{
	uint32_t word, count;
	uint8_t *out;

	if (len < 9)
		return 0;
	word = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
	count = (uint32_t)p[5] << 24 | (uint32_t)p[6] << 16 | (uint32_t)p[7] << 8 | p[8];
	/* (the first two keep the sum from overflowing) */
	if (word >= BP_AVR_READ_WORDS || count > BP_AVR_READ_WORDS ||
	    word + count / 2 > BP_AVR_READ_WORDS) {
		emu_reply_byte(e, BP_NAK);
		return 9;
	}
	out = malloc((size_t)count + 1);
	if (!out) {
		e->oom = true;
		return 9;
	}
	out[0] = BP_ACK;
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
	case BP_AVR_NULL:
		emu_reply_byte(e, BP_ACK);
		break;
	case BP_AVR_VERSION: {
		uint8_t v[3] = { BP_ACK, 0x00, 0x01 };   /* version 1 */

		emu_reply(e, v, 3);
		break;
	}
	case BP_AVR_BULK_READ:
		used = avr_bulk_read(e, p, len);
		if (!used)
			return 0;
		break;
	default:
		emu_reply_byte(e, BP_NAK);
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
	case BP_SPI_EXIT:
		leave_spi(e);
		return 1;
	case BP_SPI_MODE_ID:
		reply_str(e, BP_SPI_ID);
		return 1;
	case BP_SPI_CS_LOW:
	case BP_SPI_CS_HIGH:
		b->cs_high = c == BP_SPI_CS_HIGH;
		apply_pins(e);
		ack(e);
		return 1;
	case BP_SPI_WTR_CS:
	case BP_SPI_WTR:
		return write_then_read(e, p, len);
	case BP_SPI_AVR_EXT:
		b->avr_ext = true;
		emu_reply_byte(e, BP_ACK);
		return 1;
	default:
		break;
	}
	if ((c & BP_CMD_MASK) == BP_SPI_BULK) {      /* 1..16 bytes */
		b->bulk_left = (unsigned)(c & BP_ARG_MASK) + 1;
		ack(e);
		return 1;
	}
	if ((c & BP_CMD_MASK) == BP_SPI_PERIPH) {
		if ((c & BP_PERIPH_POWER) && !(b->periph & BP_PERIPH_POWER))
			e->stats.power_ons++;
		if ((c & BP_PERIPH_PULLUPS) && !(b->periph & BP_PERIPH_PULLUPS))
			e->stats.pullup_ons++;
		b->periph = c & BP_ARG_MASK;
		b->aux_driven = true;
		b->cs_high = (c & BP_PERIPH_CS) != 0;
		apply_pins(e);
		ack(e);
		return 1;
	}
	if ((c & ~BP_SPEED_CODE_MASK) == BP_SPI_SPEED) {
		b->speed = c & BP_SPEED_CODE_MASK;
		sim_target_set_sck(e->t, bp_speeds[b->speed]);
		ack(e);
		return 1;
	}
	if ((c & BP_CMD_MASK) == BP_SPI_CONFIG) {    /* output type, idle, edge, sample */
		if (!(c & BP_CONFIG_PUSH_PULL))
			e->stats.open_drain++;
		b->config = c & BP_ARG_MASK;
		ack(e);
		return 1;
	}
	e->stats.unknown++;
	emu_reply_byte(e, BP_NAK);
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
