/*
 * emu-avrisp.c - the ArduinoISP sketch (v1.x, "AVR ISP" sign-on, software
 * version 1.18) as QMK's Pro Micro / Teensy 2.0 ISP images and Arduino
 * boards run it, seen from the serial port.
 *
 * The sketch reads its commands with a blocking getch(); here a command is
 * only acted on once all of its bytes are in, which gives the same replies
 * and the same effects on the target in the same order.  Quirks kept on
 * purpose, because real hosts meet them:
 *   - a command it does not know costs one more byte: 0x12 (UNKNOWN) when
 *     that byte is 0x20, else 0x15 (NOSYNC), and whatever follows is read as
 *     new commands (so SET_PARAMETER 0x40 p v 0x20 desyncs it);
 *   - ENTER_PROGMODE answers OK whether or not a target answered;
 *   - PROG_PAGE fills one global 256-byte buffer, loads the target's page
 *     buffer word by word and commits (Write Page, no polling) whenever
 *     the word address crosses into another page, and at the end;
 *   - LOAD_ADDRESS takes a 16-bit word address; flash reads and writes move
 *     it on, EEPROM ones use it times two as the byte address.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/emu-int.h"
#include "prog/stk500-proto.h"

#define SKETCH_HWVER 2
#define SKETCH_SWMAJ 1
#define SKETCH_SWMIN 18

void
emu_avrisp_init(struct emu *e)
{
	memset(&e->u.avrisp, 0, sizeof(e->u.avrisp));
}

void
emu_avrisp_reset(struct emu *e)
{
	/* A reset restarts the sketch: globals are zero again and the
	 * target's RESET line is released (the pin is an input). */
	emu_avrisp_init(e);
	sim_target_set_reset(e->t, false);
}

static uint8_t
spi(struct emu *e, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	uint8_t buf[4] = { a, b, c, d };

	sim_target_transfer(e->t, buf, buf);
	return buf[3];
}

static void
start_pmode(struct emu *e)
{
	/* RESET low with SCK low, a positive pulse, then Programming Enable;
	 * the sketch never looks at the answer. */
	sim_target_set_reset(e->t, true);
	sim_target_advance_us(e->t, 20000);
	sim_target_set_reset(e->t, false);
	sim_target_advance_us(e->t, 100);
	sim_target_set_reset(e->t, true);
	sim_target_advance_us(e->t, 50000);
	spi(e, 0xAC, 0x53, 0x00, 0x00);
	e->u.avrisp.pmode = true;
}

static void
end_pmode(struct emu *e)
{
	sim_target_set_reset(e->t, false);
	e->u.avrisp.pmode = false;
}

/* The reply to a command whose trailing byte was `eop`: INSYNC + data + OK,
 * or a lone NOSYNC.  The command knobs replace it the way a failing
 * STK500 would answer. */
static void
reply(struct emu *e, uint8_t eop, const uint8_t *data, size_t len, uint8_t status)
{
	uint8_t buf[16];
	size_t n = 0;

	if (eop != STK_CRC_EOP) {
		e->u.avrisp.error++;
		emu_reply_byte(e, STK_NOSYNC);
		return;
	}
	if (emu_command_fault(e, EMU_FAULT_NOSYNC)) {
		emu_reply_byte(e, STK_NOSYNC);
		return;
	}
	buf[n++] = STK_INSYNC;
	if (emu_command_fault(e, EMU_FAULT_FAILED)) {
		buf[n++] = STK_FAILED;
		emu_reply(e, buf, n);
		return;
	}
	for (size_t i = 0; i < len && n < sizeof(buf) - 1; i++)
		buf[n++] = data[i];
	buf[n++] = status;
	emu_reply(e, buf, n);
}

static uint8_t
get_version(uint8_t which)
{
	switch (which) {
	case STK_PARM_HW_VER:
		return SKETCH_HWVER;
	case STK_PARM_SW_MAJOR:
		return SKETCH_SWMAJ;
	case STK_PARM_SW_MINOR:
		return SKETCH_SWMIN;
	case STK_PARM_PROGMODE:
		return STK_PROGMODE_SERIAL;
	default:
		return 0;
	}
}

static uint16_t
current_page(const struct emu_avrisp *s)
{
	/* pagesize is in bytes, `here` counts words */
	switch (s->pagesize) {
	case 32:
		return s->here & 0xFFF0;
	case 64:
		return s->here & 0xFFE0;
	case 128:
		return s->here & 0xFFC0;
	case 256:
		return s->here & 0xFF80;
	default:
		return s->here;
	}
}

static void
commit(struct emu *e, uint16_t page)
{
	spi(e, 0x4C, (uint8_t)(page >> 8), (uint8_t)page, 0);
}

static void
write_flash_pages(struct emu *e, size_t length)
{
	struct emu_avrisp *s = &e->u.avrisp;
	uint16_t page = current_page(s);
	size_t x = 0;

	while (x < length) {
		if (page != current_page(s)) {
			commit(e, page);
			page = current_page(s);
		}
		/* the sketch reads buff[x++] twice per word, also past an odd
		 * length or the end of the 256-byte buffer */
		spi(e, 0x40, (uint8_t)(s->here >> 8), (uint8_t)s->here,
		    x < sizeof(s->buff) ? s->buff[x] : 0xFF);
		x++;
		spi(e, 0x48, (uint8_t)(s->here >> 8), (uint8_t)s->here,
		    x < sizeof(s->buff) ? s->buff[x] : 0xFF);
		x++;
		s->here++;
	}
	commit(e, page);
}

static void
write_eeprom(struct emu *e, const uint8_t *data, size_t length)
{
	struct emu_avrisp *s = &e->u.avrisp;
	uint16_t start = (uint16_t)(s->here * 2u);

	for (size_t x = 0; x < length; x++) {
		uint16_t addr = (uint16_t)(start + x);

		spi(e, 0xC0, (uint8_t)(addr >> 8), (uint8_t)addr, data[x]);
		/* the sketch waits 45 ms after every byte */
		sim_target_advance_us(e->t, 45000);
	}
}

static void
fill(struct emu *e, const uint8_t *src, size_t n)
{
	struct emu_avrisp *s = &e->u.avrisp;

	if (n > sizeof(s->buff)) {
		/* On the AVR this overwrites whatever follows buff[]; we
		 * keep the first 256 bytes and count it. */
		e->stats.overflows++;
		n = sizeof(s->buff);
	}
	memcpy(s->buff, src, n);
}

static size_t
prog_page(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_avrisp *s = &e->u.avrisp;
	size_t length;
	uint8_t memtype;

	if (len < 4)
		return 0;
	length = (size_t)p[1] << 8 | p[2];
	memtype = p[3];
	if (memtype == STK_MEM_FLASH) {
		uint8_t eop;

		if (len < 4 + length + 1)
			return 0;
		fill(e, p + 4, length);
		eop = p[4 + length];
		if (eop == STK_CRC_EOP && !emu_command_fault(e, EMU_FAULT_NOSYNC) &&
		    !emu_command_fault(e, EMU_FAULT_FAILED))
			write_flash_pages(e, length);
		reply(e, eop, NULL, 0, STK_OK);
		return 4 + length + 1;
	}
	if (memtype == STK_MEM_EEPROM) {
		uint8_t eop;

		if (length > s->eepromsize) {
			/* write_eeprom() refuses before reading the data,
			 * then the reply code reads one byte as the EOP */
			if (len < 5)
				return 0;
			s->error++;
			if (p[4] == STK_CRC_EOP) {
				uint8_t r[2] = { STK_INSYNC, STK_FAILED };

				emu_reply(e, r, 2);
			} else {
				emu_reply_byte(e, STK_NOSYNC);
			}
			return 5;
		}
		if (len < 4 + length + 1)
			return 0;
		eop = p[4 + length];
		if (!emu_command_fault(e, EMU_FAULT_NOSYNC) &&
		    !emu_command_fault(e, EMU_FAULT_FAILED))
			write_eeprom(e, p + 4, length);
		reply(e, eop, NULL, 0, STK_OK);
		return 4 + length + 1;
	}
	emu_reply_byte(e, STK_FAILED);
	return 4;
}

static size_t
read_page(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_avrisp *s = &e->u.avrisp;
	size_t length;
	uint8_t memtype;
	uint8_t *buf;
	size_t n = 0;

	if (len < 5)
		return 0;
	length = (size_t)p[1] << 8 | p[2];
	memtype = p[3];
	if (p[4] != STK_CRC_EOP) {
		s->error++;
		emu_reply_byte(e, STK_NOSYNC);
		return 5;
	}
	if (emu_command_fault(e, EMU_FAULT_NOSYNC)) {
		emu_reply_byte(e, STK_NOSYNC);
		return 5;
	}
	/* INSYNC, the data (one word per step for flash, so an odd length
	 * gets one byte more), then the status */
	buf = malloc(length + 3);
	if (!buf) {
		e->oom = true;
		return 5;
	}
	buf[n++] = STK_INSYNC;
	if (emu_command_fault(e, EMU_FAULT_FAILED)) {
		buf[n++] = STK_FAILED;
	} else if (memtype == STK_MEM_FLASH) {
		for (size_t x = 0; x < length; x += 2) {
			buf[n++] = spi(e, 0x20, (uint8_t)(s->here >> 8), (uint8_t)s->here, 0);
			buf[n++] = spi(e, 0x28, (uint8_t)(s->here >> 8), (uint8_t)s->here, 0);
			s->here++;
		}
		buf[n++] = STK_OK;
	} else if (memtype == STK_MEM_EEPROM) {
		uint16_t addr = (uint16_t)(s->here * 2u);

		for (size_t x = 0; x < length; x++, addr++)
			buf[n++] = spi(e, 0xA0, (uint8_t)(addr >> 8), (uint8_t)addr, 0xFF);
		buf[n++] = STK_OK;
	} else {
		buf[n++] = STK_FAILED;
	}
	emu_reply(e, buf, n);
	free(buf);
	return 5;
}

static void
set_parameters(struct emu *e, const uint8_t *b)
{
	struct emu_avrisp *s = &e->u.avrisp;

	/* devicecode, revision, progtype, parmode, polling, selftimed,
	 * lockbytes, fusebytes, flashpoll, (flashpoll), eeprompoll x2,
	 * pagesize BE16, eepromsize BE16, flashsize BE32 */
	s->devicecode = b[0];
	s->pagesize = (uint16_t)(b[12] << 8 | b[13]);
	s->eepromsize = (uint16_t)(b[14] << 8 | b[15]);
}

size_t
emu_avrisp_step(struct emu *e, const uint8_t *p, size_t len)
{
	struct emu_avrisp *s = &e->u.avrisp;
	size_t used;

	if (!len)
		return 0;
	switch (p[0]) {
	case STK_GET_SYNC:
		if (len < 2)
			return 0;
		s->error = 0;
		if (p[1] == STK_CRC_EOP) {
			uint8_t r[2] = { STK_INSYNC, STK_OK };

			emu_reply(e, r, 2);   /* the knobs leave sync alone */
		} else {
			s->error++;
			emu_reply_byte(e, STK_NOSYNC);
		}
		used = 2;
		break;
	case STK_GET_SIGN_ON:
		if (len < 2)
			return 0;
		reply(e, p[1], (const uint8_t *)"AVR ISP", 7, STK_OK);
		used = 2;
		break;
	case STK_GET_PARAMETER:
		if (len < 3)
			return 0;
		{
			uint8_t v = get_version(p[1]);

			reply(e, p[2], &v, 1, STK_OK);
		}
		used = 3;
		break;
	case STK_SET_DEVICE:
		used = 1 + STK_SET_DEVICE_LEN + 1;
		if (len < used)
			return 0;
		set_parameters(e, p + 1);
		reply(e, p[used - 1], NULL, 0, STK_OK);
		break;
	case STK_SET_DEVICE_EXT:              /* ignored */
		used = 1 + STK_SET_DEVICE_EXT_LEN + 1;
		if (len < used)
			return 0;
		reply(e, p[used - 1], NULL, 0, STK_OK);
		break;
	case STK_ENTER_PROGMODE:
		if (len < 2)
			return 0;
		if (!s->pmode)
			start_pmode(e);
		reply(e, p[1], NULL, 0, STK_OK);
		used = 2;
		break;
	case STK_LEAVE_PROGMODE:
		if (len < 2)
			return 0;
		s->error = 0;
		end_pmode(e);
		reply(e, p[1], NULL, 0, STK_OK);
		used = 2;
		break;
	case STK_LOAD_ADDRESS:                /* little endian */
		if (len < 4)
			return 0;
		s->here = (uint16_t)(p[1] | p[2] << 8);
		reply(e, p[3], NULL, 0, STK_OK);
		used = 4;
		break;
	case STK_UNIVERSAL:
		if (len < 6)
			return 0;
		{
			uint8_t v = spi(e, p[1], p[2], p[3], p[4]);

			reply(e, p[5], &v, 1, STK_OK);
		}
		used = 6;
		break;
	case STK_PROG_FLASH:                  /* accepted, no effect */
		if (len < 4)
			return 0;
		reply(e, p[3], NULL, 0, STK_OK);
		used = 4;
		break;
	case STK_PROG_DATA:                   /* accepted, no effect */
		if (len < 3)
			return 0;
		reply(e, p[2], NULL, 0, STK_OK);
		used = 3;
		break;
	case STK_PROG_PAGE:
		used = prog_page(e, p, len);
		if (!used)
			return 0;
		break;
	case STK_READ_PAGE:
		used = read_page(e, p, len);
		if (!used)
			return 0;
		break;
	case STK_READ_SIGN:
		if (len < 2)
			return 0;
		if (p[1] != STK_CRC_EOP) {
			s->error++;
			emu_reply_byte(e, STK_NOSYNC);
		} else {
			uint8_t sig[3];

			for (uint8_t i = 0; i < 3; i++)
				sig[i] = spi(e, 0x30, 0x00, i, 0x00);
			reply(e, STK_CRC_EOP, sig, 3, STK_OK);
		}
		used = 2;
		break;
	case STK_CRC_EOP:                         /* a lone EOP: out of step */
		s->error++;
		emu_reply_byte(e, STK_NOSYNC);
		used = 1;
		break;
	default:
		/* Unknown (SET_PARAMETER, CHIP_ERASE, ...): one more byte is
		 * read; only a following EOP earns UNKNOWN. */
		if (len < 2)
			return 0;
		s->error++;
		e->stats.unknown++;
		emu_reply_byte(e, p[1] == STK_CRC_EOP ? STK_UNKNOWN : STK_NOSYNC);
		used = 2;
		break;
	}
	e->stats.commands++;
	return used;
}
