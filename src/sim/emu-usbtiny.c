/*
 * emu-usbtiny.c - the USBtiny ISP firmware's vendor requests.
 *
 * What the firmware does, restated from its behaviour (see PROTOCOLS.md 4):
 *   0  ECHO        the SETUP packet comes back (8 bytes)
 *   1-4, 13        port access of the generic USBtiny; nothing to do here
 *   5  POWERUP     wValue = SCK period in µs, wIndex = RESET level (0 low)
 *   6  POWERDOWN   pins released, RESET high
 *   7  SPI         wValue/wIndex carry the 4 instruction bytes, 4 bytes back
 *   8  POLL_BYTES  two byte values that mean "still writing"
 *   9/11 FLASH/EEPROM_READ   wIndex = byte address; one instruction per byte
 *   10/12 FLASH/EEPROM_WRITE wIndex = byte address, wValue = poll timeout
 *   14 SPI1        one byte
 * The address is the firmware's 16-bit `uint_t`: it wraps at 64 KiB, which
 * is why paged reads cannot reach the upper half of an AT90USB128x.  The
 * read instructions reuse whatever the fourth command byte last held.
 */
#include <string.h>

#include "sim/emu-usb-int.h"
#include "prog/usbtiny-proto.h"

uint32_t
emu_usbtiny_sck_hz(const struct emu_usb *u)
{
	const struct emu_usbtiny *s = &u->u.tiny;

	if (!s->powered)
		return 0;
	/* Its delay loop counts a zero period as 256. */
	return 1000000u / (s->sck_period != 0 ? s->sck_period : 256u);
}

/* The firmware's spi_rw(): build the read or write instruction for the
 * next address and clock it. */
static void
spi_rw(struct emu_usb *u)
{
	struct emu_usbtiny *s = &u->u.tiny;
	uint16_t a = s->address++;

	if (s->cmd0 & 0x80)              /* EEPROM: byte address, shifted */
		a = (uint16_t)(a << 1);
	s->cmd[0] = s->cmd0;
	if (a & 1)
		s->cmd[0] |= 0x08;
	s->cmd[1] = (uint8_t)(a >> 9);
	s->cmd[2] = (uint8_t)(a >> 1);
	emu_usb_spi(u, s->cmd, s->res);
}

static int
read_bytes(struct emu_usb *u, uint8_t *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		spi_rw(u);
		data[i] = u->u.tiny.res[3];
	}
	return (int)len;
}

static int
write_bytes(struct emu_usb *u, const uint8_t *data, size_t len)
{
	struct emu_usbtiny *s = &u->u.tiny;
	uint32_t step = 32u * (s->sck_period != 0 ? s->sck_period : 256u);

	for (size_t i = 0; i < len; i++) {
		s->cmd[3] = data[i];
		spi_rw(u);
		s->cmd[0] ^= 0x60;       /* the same address, as a read */
		/* With a timeout, poll until the byte reads back (and is not
		 * one of the "busy" values): byte-wise EEPROM and old parts. */
		for (uint32_t usec = 0; usec < s->timeout; usec += step) {
			emu_usb_spi(u, s->cmd, s->res);
			if (s->res[3] == s->cmd[3] && s->res[3] != s->poll1 &&
			    s->res[3] != s->poll2)
				break;
		}
	}
	return (int)len;
}

static void
power_up(struct emu_usb *u, const uint8_t setup[8])
{
	struct emu_usbtiny *s = &u->u.tiny;
	bool reset_high = setup[4] != USBTINY_RESET_LOW;

	s->sck_period = setup[2];
	s->powered = true;
	sim_target_set_sck(u->t, emu_usbtiny_sck_hz(u));
	sim_target_set_reset(u->t, !reset_high);
}

int
emu_usbtiny_vendor(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
		   size_t len)
{
	struct emu_usbtiny *s = &u->u.tiny;
	bool in = (setup[0] & EMU_USB_DIR_IN) != 0;

	switch (setup[1]) {
	case USBTINY_ECHO:
		if (len > 8)
			len = 8;
		memcpy(data, setup, len);
		return (int)len;
	case USBTINY_POWERUP:
		power_up(u, setup);
		return 0;
	case USBTINY_POWERDOWN:
		s->powered = false;
		sim_target_set_reset(u->t, false);
		return 0;
	case USBTINY_SPI: {
		uint8_t res[4];

		emu_usb_spi(u, setup + 2, res);
		if (len > 4)
			len = 4;
		memcpy(data, res, len);
		return (int)len;
	}
	case USBTINY_SPI1:
		if (len == 0)
			return 0;
		data[0] = sim_target_transfer_byte(u->t, setup[2]);
		return 1;
	case USBTINY_POLL_BYTES:
		s->poll1 = setup[2];
		s->poll2 = setup[3];
		return 0;
	case USBTINY_FLASH_READ:
	case USBTINY_EEPROM_READ:
		s->address = (uint16_t)(setup[4] | setup[5] << 8);
		s->cmd0 = setup[1] == USBTINY_FLASH_READ ? 0x20 : 0xA0;
		return in ? read_bytes(u, data, len) : 0;
	case USBTINY_FLASH_WRITE:
	case USBTINY_EEPROM_WRITE:
		s->address = (uint16_t)(setup[4] | setup[5] << 8);
		s->timeout = (uint16_t)(setup[2] | setup[3] << 8);
		s->cmd0 = setup[1] == USBTINY_FLASH_WRITE ? 0x40 : 0xC0;
		return in ? 0 : write_bytes(u, data, len);
	case USBTINY_READ:
	case USBTINY_WRITE:
	case USBTINY_CLR:
	case USBTINY_SET:
	case USBTINY_DDRWRITE:
		/* Port access of the generic USBtiny: no ISP meaning. */
		return 0;
	default:
		/* Unknown requests: no data, no stall. */
		u->stats.unknown++;
		return 0;
	}
}
