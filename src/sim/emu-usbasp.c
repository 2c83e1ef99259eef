/*
 * emu-usbasp.c - the USBasp firmware's vendor requests.
 *
 * Restated from the firmware's behaviour (PROTOCOLS.md 5): the four ISP
 * bytes of TRANSMIT ride in wValue/wIndex; flash and EEPROM blocks move in
 * the data stage while the firmware clocks one instruction per byte; on
 * WRITEFLASH it counts bytes into pages itself and commits each full page
 * (and, with the LAST flag, a partial one), waiting for the chip by polling
 * the page's last byte until it stops reading 0xFF, or 4.8 ms when that
 * byte is 0xFF anyway.  Its page counter is an 8-bit variable, so with
 * 256-byte pages the LAST flag commits the last page a second time.
 *
 * The pre-2009 firmware (old_firmware) knows neither SETISPSCK nor
 * GETCAPABILITIES nor SETLONGADDRESS (it answers them with no data, like
 * every unknown request), keeps a 16-bit address and clocks at 375 kHz, or
 * 8 kHz with the slow-clock jumper.
 */
#include <string.h>

#include "sim/emu-usb-int.h"
#include "prog/usbasp-proto.h"

/* The firmware's timer ticks that its waits count in. */
#define ASP_TICK_US       320u
#define ASP_WAIT_FLASH_US (15u * ASP_TICK_US)   /* clockWait(15): 4.8 ms */
#define ASP_WAIT_EEPROM_US (30u * ASP_TICK_US)  /* clockWait(30): 9.6 ms */
#define ASP_POLL_RETRIES  30u

/* SCK per SETISPSCK option; 0 (auto) and unknown options give 375 kHz. */
static const uint32_t asp_sck_hz[] = {
	[USBASP_SCK_AUTO] = USBASP_DEFAULT_SCK_HZ,
#define ASP_SCK_ROW(option, hz) [option] = hz,
	USBASP_SCK_OPTIONS(ASP_SCK_ROW)
#undef ASP_SCK_ROW
};

static uint32_t
option_hz(const struct emu_usb *u, uint8_t option)
{
	if (option == USBASP_SCK_3MHZ && !u->opts.cap_3mhz)
		return USBASP_DEFAULT_SCK_HZ;
	if (option >= sizeof asp_sck_hz / sizeof asp_sck_hz[0])
		return USBASP_DEFAULT_SCK_HZ;
	return asp_sck_hz[option];
}

uint32_t
emu_usbasp_sck_hz(const struct emu_usb *u)
{
	if (!u->u.asp.connected)
		return 0;
	if (u->opts.slow_jumper)
		return asp_sck_hz[USBASP_SCK_8KHZ];
	if (u->opts.old_firmware)
		return USBASP_DEFAULT_SCK_HZ;
	return option_hz(u, u->u.asp.prog_sck);
}

static void
wait_us(struct emu_usb *u, uint32_t us)
{
	sim_target_advance_us(u->t, us);
}

static uint8_t
spi4(struct emu_usb *u, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	const uint8_t in[4] = { a, b, c, d };
	uint8_t out[4];

	emu_usb_spi(u, in, out);
	return out[3];
}

/* A RESET pulse restarts the chip's serial framing. */
static void
pulse_reset(struct emu_usb *u)
{
	sim_target_set_reset(u->t, false);
	wait_us(u, ASP_TICK_US);
	sim_target_set_reset(u->t, true);
	wait_us(u, ASP_TICK_US);
}

static void
update_extended(struct emu_usb *u, uint32_t address)
{
	struct emu_usbasp *s = &u->u.asp;
	uint8_t hi = (uint8_t)(address >> 17);

	if (u->opts.old_firmware || s->hiaddr == hi)
		return;
	s->hiaddr = hi;
	spi4(u, 0x4D, 0x00, hi, 0x00);
}

static uint8_t
read_flash(struct emu_usb *u, uint32_t address)
{
	update_extended(u, address);
	return spi4(u, (uint8_t)(0x20 | ((address & 1) << 3)), (uint8_t)(address >> 9),
		    (uint8_t)(address >> 1), 0x00);
}

/* Poll `address` until it no longer reads `busy`, in the firmware's 320 µs
 * retry ticks; gives up silently after 30 of them, as the firmware does. */
static void
poll_until(struct emu_usb *u, uint32_t address, uint8_t busy)
{
	uint64_t start = sim_target_now_us(u->t);
	unsigned retries = ASP_POLL_RETRIES;

	while (retries != 0) {
		uint64_t before = sim_target_now_us(u->t);

		if (read_flash(u, address) != busy)
			return;
		if (sim_target_now_us(u->t) == before)
			wait_us(u, 1);       /* a stalled clock would spin forever */
		if (sim_target_now_us(u->t) - start > ASP_TICK_US) {
			start = sim_target_now_us(u->t);
			retries--;
		}
	}
}

static void
write_flash_byte(struct emu_usb *u, uint32_t address, uint8_t data, bool poll)
{
	update_extended(u, address);
	spi4(u, (uint8_t)(0x40 | ((address & 1) << 3)), (uint8_t)(address >> 9),
	     (uint8_t)(address >> 1), data);
	if (!poll)
		return;
	/* Byte mode (parts without pages): 0x7F cannot be told from busy. */
	if (data == 0x7F)
		wait_us(u, ASP_WAIT_FLASH_US);
	else
		poll_until(u, address, 0x7F);
}

static void
flush_page(struct emu_usb *u, uint32_t address, uint8_t pollvalue)
{
	update_extended(u, address);
	spi4(u, 0x4C, (uint8_t)(address >> 9), (uint8_t)(address >> 1), 0x00);
	u->stats.page_commits++;
	if (pollvalue == 0xFF)
		wait_us(u, ASP_WAIT_FLASH_US);
	else
		poll_until(u, address, 0xFF);
}

static uint32_t
next_address(const struct emu_usb *u, uint32_t a)
{
	/* The old firmware's address is an `unsigned int`: 16 bits. */
	return u->opts.old_firmware ? (uint16_t)(a + 1) : a + 1;
}

static int
block_read(struct emu_usb *u, bool flash, uint8_t *data, size_t len)
{
	struct emu_usbasp *s = &u->u.asp;

	for (size_t i = 0; i < len; i++) {
		if (flash)
			data[i] = read_flash(u, s->address);
		else
			data[i] = spi4(u, 0xA0, (uint8_t)(s->address >> 8),
				       (uint8_t)s->address, 0x00);
		s->address = next_address(u, s->address);
	}
	/* A short last packet ends the read. */
	if (len % 8 != 0)
		s->state = EMU_USBASP_IDLE;
	return (int)len;
}

static int
block_write(struct emu_usb *u, const uint8_t *data, size_t len)
{
	struct emu_usbasp *s = &u->u.asp;

	for (size_t i = 0; i < len && s->nbytes > 0; i++) {
		if (s->state == EMU_USBASP_WRITEFLASH) {
			if (s->pagesize == 0) {
				write_flash_byte(u, s->address, data[i], true);
			} else {
				write_flash_byte(u, s->address, data[i], false);
				s->pagecounter--;
				if (s->pagecounter == 0) {
					flush_page(u, s->address, data[i]);
					s->pagecounter = (uint8_t)s->pagesize;
				}
			}
		} else {
			spi4(u, 0xC0, (uint8_t)(s->address >> 8), (uint8_t)s->address,
			     data[i]);
			wait_us(u, ASP_WAIT_EEPROM_US);
		}
		s->nbytes--;
		if (s->nbytes == 0) {
			s->state = EMU_USBASP_IDLE;
			/* The 8-bit counter never equals a 256-byte page size, so
			 * there the last page is committed again. */
			if ((s->blockflags & USBASP_FLAG_LAST) && s->pagecounter != s->pagesize)
				flush_page(u, s->address, data[i]);
		}
		s->address = next_address(u, s->address);
	}
	return (int)len;
}

static void
connect(struct emu_usb *u)
{
	struct emu_usbasp *s = &u->u.asp;

	s->connected = true;
	s->newmode = false;
	s->hiaddr = 0;
	sim_target_set_sck(u->t, emu_usbasp_sck_hz(u));
	sim_target_set_reset(u->t, true);
	pulse_reset(u);
}

static uint8_t
enable_prog(struct emu_usb *u)
{
	for (unsigned i = 0; i < USBASP_ENABLE_TRIES; i++) {
		const uint8_t in[4] = { 0xAC, 0x53, 0x00, 0x00 };
		uint8_t out[4];

		u->stats.enable_tries++;
		emu_usb_spi(u, in, out);
		if (out[2] == 0x53)
			return USBASP_OK;
		pulse_reset(u);
	}
	return USBASP_FAILED;
}

static void
start_write(struct emu_usb *u, const uint8_t setup[8], bool flash)
{
	struct emu_usbasp *s = &u->u.asp;

	if (!s->newmode)
		s->address = (uint32_t)(setup[2] | setup[3] << 8);
	if (flash) {
		s->pagesize = (uint16_t)(setup[4] | ((setup[5] & 0xF0) << 4));
		s->blockflags = setup[5] & USBASP_FLAG_MASK;
		if (s->blockflags & USBASP_FLAG_FIRST)
			s->pagecounter = (uint8_t)s->pagesize;
		s->state = EMU_USBASP_WRITEFLASH;
	} else {
		s->pagesize = 0;
		s->blockflags = 0;
		s->state = EMU_USBASP_WRITEEEPROM;
	}
	s->nbytes = (uint16_t)(setup[6] | setup[7] << 8);
}

int
emu_usbasp_vendor(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
		  size_t len)
{
	struct emu_usbasp *s = &u->u.asp;
	bool in = (setup[0] & EMU_USB_DIR_IN) != 0;
	uint8_t reply[4];
	uint32_t caps;
	size_t n = 0;

	switch (setup[1]) {
	case USBASP_CONNECT:
		connect(u);
		break;
	case USBASP_DISCONNECT:
		s->connected = false;
		sim_target_set_reset(u->t, false);
		break;
	case USBASP_TRANSMIT: {
		uint8_t out[4];

		emu_usb_spi(u, setup + 2, out);
		memcpy(reply, out, 4);
		n = 4;
		break;
	}
	case USBASP_READFLASH:
	case USBASP_READEEPROM:
		if (!s->newmode)
			s->address = (uint32_t)(setup[2] | setup[3] << 8);
		s->nbytes = (uint16_t)(setup[6] | setup[7] << 8);
		s->state = setup[1] == USBASP_READFLASH ? EMU_USBASP_READFLASH :
			   EMU_USBASP_READEEPROM;
		return in ? block_read(u, setup[1] == USBASP_READFLASH, data, len) : 0;
	case USBASP_ENABLEPROG:
		reply[0] = enable_prog(u);
		n = 1;
		break;
	case USBASP_WRITEFLASH:
	case USBASP_WRITEEEPROM:
		start_write(u, setup, setup[1] == USBASP_WRITEFLASH);
		return in ? 0 : block_write(u, data, len);
	case USBASP_SETLONGADDRESS:
		if (u->opts.old_firmware)
			goto unknown;
		s->newmode = true;
		s->address = (uint32_t)setup[2] | (uint32_t)setup[3] << 8 |
			     (uint32_t)setup[4] << 16 | (uint32_t)setup[5] << 24;
		break;
	case USBASP_SETISPSCK:
		if (u->opts.old_firmware)
			goto unknown;
		s->prog_sck = setup[2];
		reply[0] = USBASP_OK;
		n = 1;
		break;
	case USBASP_GETCAPABILITIES:
		if (u->opts.old_firmware)
			goto unknown;
		caps = USBASP_CAP_TPI | (u->opts.cap_3mhz ? USBASP_CAP_3MHZ : 0);
		for (n = 0; n < 4; n++)           /* little endian */
			reply[n] = (uint8_t)(caps >> (8 * n));
		break;
	default:
		goto unknown;
	}
	if (!in)
		return 0;
	if (n > len)
		n = len;
	memcpy(data, reply, n);
	return (int)n;

unknown:
	/* V-USB answers what it does not know with no data, never a stall. */
	u->stats.unknown++;
	return 0;
}
