/*
 * emu-usbasploader.c - USBaspLoader on the simulated chip: the USBasp
 * protocol answered by the chip for itself (PROTOCOLS.md 12), as Stephan
 * Baerwolf's builds with their default features behave:
 *   - TRANSMIT emulates a few instructions and answers 00 00 00 value, never
 *     an echo: Read Signature (the chip's own), Read Lock / Read Fuse L, H
 *     (and E on parts that have one), Read Program Memory low/high, Read
 *     and Write EEPROM byte, Chip Erase (every application page; nothing
 *     with the no-chip-erase knob); anything else, fuse and lock writes
 *     included, does nothing and answers 0, RDY/BSY polls say ready;
 *   - ENABLEPROG and SETISPSCK answer one 0 byte (success); CONNECT,
 *     GETCAPABILITIES and unknown requests answer no data;
 *   - READFLASH/READEEPROM/WRITEFLASH/WRITEEEPROM take wValue as the low 16
 *     address bits (SETLONGADDRESS sets all of them on chips over 64 KiB)
 *     and wLength's low byte as the count; flash words go into the SPM
 *     buffer, and the page is erased and written when the data crosses its
 *     end, or at the last word of a transfer flagged LAST; a word at or
 *     above the bootloader's own section ends the transfer unwritten
 *     (counted in stats.ignored_writes);
 *   - DISCONNECT: the device leaves the bus 500 ms later (the application
 *     starts), unless the stay knob is on.
 * The bootloader's own section is where the chip's high fuse puts it.
 */
#include <string.h>

#include "prog/usbasp-proto.h"
#include "sim/emu-usb-int.h"

#define EEPROM_WRITE_US 8500u        /* t_WD_EEPROM, worst case */

static uint8_t
flash_at(const struct emu_usb *u, uint32_t addr)
{
	const struct catalog_part *p = sim_target_part(u->t);

	return sim_target_flash(u->t)[addr % p->flash_size];
}

static uint8_t
eeprom_read(const struct emu_usb *u, uint32_t addr)
{
	const struct catalog_part *p = sim_target_part(u->t);

	return p->eeprom_size != 0 ? sim_target_eeprom(u->t)[addr % p->eeprom_size] : 0xFF;
}

static void
eeprom_write(struct emu_usb *u, uint32_t addr, uint8_t v)
{
	const struct catalog_part *p = sim_target_part(u->t);

	if (p->eeprom_size == 0)
		return;
	sim_target_preload_eeprom(u->t, addr % p->eeprom_size, &v, 1, NULL);
	sim_target_advance_us(u->t, EEPROM_WRITE_US);
}

static void
chip_erase(struct emu_usb *u)
{
	uint32_t page = sim_target_part(u->t)->page_size, own = emu_spm_boot_start(u->t);

	if (u->fault_on[EMU_USB_FAULT_NO_CHIP_ERASE])
		return;
	for (uint32_t a = 0; a < own; a += page)
		emu_spm_erase(u->t, a);
	u->stats.chip_erases++;
}

static uint8_t
fuse_or_zero(const struct emu_usb *u, enum fuse_byte b)
{
	return sim_target_part(u->t)->fuses[b].present ? sim_target_fuse(u->t, b) : 0;
}

/* TRANSMIT: the instruction bytes b0..b3; the fourth answer byte. */
static uint8_t
transmit(struct emu_usb *u, const uint8_t b[4])
{
	uint32_t word = (uint32_t)b[1] << 8 | b[2];
	const uint8_t *sig = sim_target_part(u->t)->signature;

	switch (b[0]) {
	case 0x30:
		return (b[2] & 3) < 3 ? sig[b[2] & 3] : 0;
	case 0x58:
		return b[1] == 0x00 ? sim_target_lock(u->t) :
		       b[1] == 0x08 ? fuse_or_zero(u, FUSE_HIGH) : 0;
	case 0x50:
		return b[1] == 0x00 ? fuse_or_zero(u, FUSE_LOW) :
		       b[1] == 0x08 ? fuse_or_zero(u, FUSE_EXT) : 0;
	case 0x20:
		return flash_at(u, word << 1);
	case 0x28:
		return flash_at(u, (word << 1) + 1);
	case 0xA0:
		return eeprom_read(u, word);
	case 0xC0:
		eeprom_write(u, word, b[3]);
		return 0;
	case 0xAC:
		if (b[1] == 0x80)
			chip_erase(u);
		return 0;         /* fuse and lock writes: nothing */
	default:
		return 0;
	}
}

static int
block_read(struct emu_usb *u, uint8_t *data, size_t len)
{
	struct emu_usbasploader *s = &u->u.ldr;

	if (len > s->remaining)
		len = s->remaining;
	s->remaining = (uint8_t)(s->remaining - len);
	for (size_t i = 0; i < len; i++) {
		data[i] = s->request == USBASP_READEEPROM ? eeprom_read(u, s->address & 0xFFFF) :
			  flash_at(u, s->address);
		s->address++;
	}
	return (int)len;
}

static void
commit_page(struct emu_usb *u, uint32_t addr)
{
	struct emu_usbasploader *s = &u->u.ldr;

	/* Erased on demand, then written: what its default build does. */
	emu_spm_erase(u->t, addr);
	if (emu_spm_write(&s->spm, u->t, addr) != 0)
		u->stats.unerased_writes++;
	u->stats.spm_pages++;
}

static int
block_write(struct emu_usb *u, const uint8_t *data, size_t len)
{
	struct emu_usbasploader *s = &u->u.ldr;
	uint32_t page = sim_target_part(u->t)->page_size, own = emu_spm_boot_start(u->t);
	size_t n = len;
	bool last;

	if (n > s->remaining)
		n = s->remaining;
	s->remaining = (uint8_t)(s->remaining - n);
	last = s->remaining == 0;
	if (s->request == USBASP_WRITEEEPROM) {
		for (size_t i = 0; i < n; i++)
			eeprom_write(u, s->address++ & 0xFFFF, data[i]);
		return (int)len;
	}
	for (size_t i = 0; i + 1 < n; i += 2) {
		if (s->address >= own) {
			u->stats.ignored_writes++;
			return (int)len;
		}
		emu_spm_fill(&s->spm, u->t, s->address, data[i], data[i + 1]);
		s->address += 2;
		if (s->address % page == 0 || (last && i + 2 >= n && s->last_page))
			commit_page(u, s->address - 2);
	}
	return (int)len;
}

int
emu_usbasploader_vendor(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
			size_t len)
{
	struct emu_usbasploader *s = &u->u.ldr;
	bool in = (setup[0] & EMU_USB_DIR_IN) != 0;
	uint8_t reply[4] = { 0, 0, 0, 0 };
	size_t n = 0;

	switch (setup[1]) {
	case USBASP_TRANSMIT:
		reply[3] = transmit(u, setup + 2);
		n = 4;
		break;
	case USBASP_ENABLEPROG:
	case USBASP_SETISPSCK:
		n = 1;                   /* one 0 byte: success */
		break;
	case USBASP_READFLASH:
	case USBASP_WRITEFLASH:
	case USBASP_READEEPROM:
	case USBASP_WRITEEEPROM:
	case USBASP_SETLONGADDRESS:
		s->address = (s->address & 0xFFFF0000u) | (uint32_t)(setup[2] | setup[3] << 8);
		if (setup[1] == USBASP_SETLONGADDRESS) {
			if (sim_target_part(u->t)->flash_size > 0x10000u)
				s->address = (s->address & 0xFFFFu) |
					     (uint32_t)(setup[4] | setup[5] << 8) << 16;
			break;
		}
		s->remaining = setup[6];
		s->last_page = (setup[5] & USBASP_FLAG_LAST) != 0;
		s->request = setup[1];
		if (setup[1] == USBASP_READFLASH || setup[1] == USBASP_READEEPROM)
			return in ? block_read(u, data, len) : 0;
		return in ? 0 : block_write(u, data, len);
	case USBASP_DISCONNECT:
		if (!u->fault_on[EMU_USB_FAULT_STAY] && u->leave_at_us == 0) {
			u->leave_at_us = u->now_us + EMU_USBASPLOADER_EXIT_US;
			u->stats.left = true;
		}
		break;
	default:
		/* CONNECT, GETCAPABILITIES, anything else: no data. */
		u->stats.unknown += setup[1] != USBASP_CONNECT;
		break;
	}
	if (!in)
		return 0;
	if (n > len)
		n = len;
	memcpy(data, reply, n);
	return (int)n;
}
