/*
 * emu-halfkay.c - PJRC's HalfKay bootloader on a Teensy 2.0 (ATmega32U4),
 * as the host sees it (PROTOCOLS.md 8, boot/halfkay-proto.h):
 *   - a full-speed HID, 16C0:0478, no strings, one interface whose usbhid
 *     driver the host detaches before it claims it (the glue models that);
 *   - HID SET_REPORT (21 09 0200, interface 0), 130 bytes: the block's byte
 *     address low, high, then 128 bytes; the chip writes that flash page;
 *   - the first report erases the chip (every application page, by SPM),
 *     which takes erase_us; the device answers it only then, and holds any
 *     report that comes meanwhile back (NAKs it) until the erase is over;
 *     its block is written when the erase ends;
 *   - each page write takes page_us; the report is answered when the page
 *     is written, and a report coming while one is written waits;
 *   - a block at or past 32256 is HalfKay's own: refused (ignored) and
 *     counted as a violation; so are reports of another length (stalled),
 *     addresses inside a block (the chip uses the page, the low bits are
 *     ignored) and writes that want bits to go from 0 to 1;
 *   - a report starting FF FF FF is answered and the device leaves the bus:
 *     the application starts;
 *   - knobs: busy-first=MS (the erase takes MS and nothing is answered
 *     meanwhile: the reports, the first included, are lost and the host has
 *     to time out and send them again), vanish=N (the device leaves the bus
 *     after N reports), stall, timeout.
 * Flash is written into the simulated target directly (HalfKay programs
 * its own chip; there is no ISP here).  Times are the caller's clock.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "boot/halfkay-proto.h"
#include "sim/emu-usb-int.h"

#define HID_SET_IDLE 0x0A

/* The device, its configuration, interface, HID and endpoint descriptors,
 * as a Teensy 2.0 in HalfKay gives them (self-powered flag clear, 100 mA,
 * one interrupt IN endpoint the bootloader never uses). */
static const uint8_t hk_device[18] = {
	18, 1, 0x00, 0x02,             /* USB 2.0 */
	0, 0, 0, 64,                   /* class per interface; EP0 64 bytes */
	(uint8_t)HALFKAY_VID, (uint8_t)(HALFKAY_VID >> 8),
	(uint8_t)HALFKAY_PID, (uint8_t)(HALFKAY_PID >> 8),
	0x00, 0x01,                    /* bcdDevice 1.00 */
	0, 0, 0,                       /* no strings */
	1,
};

/* Vendor usage page 0xFF9C; one output report of 130 bytes. */
static const uint8_t hk_report[] = {
	0x06, 0x9C, 0xFF,              /* Usage Page (vendor 0xFF9C) */
	0x09, 0x19,                    /* Usage (0x19) */
	0xA1, 0x01,                    /* Collection (Application) */
	0x75, 0x08,                    /*   Report Size (8) */
	0x15, 0x00,                    /*   Logical Minimum (0) */
	0x26, 0xFF, 0x00,              /*   Logical Maximum (255) */
	0x96, (uint8_t)HALFKAY_32U4_REPORT, (uint8_t)(HALFKAY_32U4_REPORT >> 8),
	                               /*   Report Count (130) */
	0x09, 0x01,                    /*   Usage (1) */
	0x91, 0x02,                    /*   Output (Data, Variable, Absolute) */
	0xC0,                          /* End Collection */
};

static const uint8_t hk_config[34] = {
	9, 2, 34, 0, 1, 1, 0, 0x80, 50,            /* configuration 1 */
	9, 4, 0, 0, 1, 0x03, 0, 0, 0,              /* interface 0: HID, 1 endpoint */
	9, 0x21, 0x11, 0x01, 0, 1, 0x22,           /* HID 1.11, one report descriptor */
	(uint8_t)sizeof hk_report, 0,
	7, 5, 0x81, 0x03, 64, 0, 64,               /* EP1 IN, interrupt, 64 bytes */
};

size_t
emu_halfkay_descriptors(const struct emu_usb *u, uint8_t *buf, size_t size)
{
	uint8_t all[sizeof hk_device + sizeof hk_config];

	memcpy(all, hk_device, sizeof hk_device);
	all[8] = (uint8_t)u->opts.vid;
	all[9] = (uint8_t)(u->opts.vid >> 8);
	all[10] = (uint8_t)u->opts.pid;
	all[11] = (uint8_t)(u->opts.pid >> 8);
	memcpy(all + sizeof hk_device, hk_config, sizeof hk_config);
	memcpy(buf, all, size < sizeof all ? size : sizeof all);
	return sizeof all;
}

size_t
emu_halfkay_report_descriptor(uint8_t *buf, size_t size)
{
	memcpy(buf, hk_report, size < sizeof hk_report ? size : sizeof hk_report);
	return sizeof hk_report;
}

void
emu_halfkay_init(struct emu_usb *u)
{
	struct emu_halfkay *h = &u->u.hk;

	memset(h, 0, sizeof *h);
	h->erase_us = u->opts.erase_us != 0 ? u->opts.erase_us : EMU_HALFKAY_ERASE_US_DEFAULT;
	h->page_us = u->opts.page_us != 0 ? u->opts.page_us : EMU_HALFKAY_PAGE_US_DEFAULT;
}

static void
violation(struct emu_usb *u, const char *fmt, ...)
{
	struct emu_halfkay *h = &u->u.hk;
	va_list ap;

	u->stats.violations++;
	if (h->n_violations == EMU_HALFKAY_VIOLATIONS_KEPT)
		return;
	va_start(ap, fmt);
	vsnprintf(h->violations[h->n_violations++], EMU_HALFKAY_VIOLATION_LEN, fmt, ap);
	va_end(ap);
}

/* One page into the flash, the way SPM writes it: bits only go from 1 to
 * 0; one that would have to go back up stays 0 (and is the host's fault). */
static void
write_page(struct emu_usb *u, uint32_t addr, const uint8_t *data)
{
	const uint8_t *flash = sim_target_flash(u->t);
	uint8_t page[HALFKAY_32U4_BLOCK];
	unsigned up = 0;

	for (uint32_t i = 0; i < HALFKAY_32U4_BLOCK; i++) {
		page[i] = flash[addr + i] & data[i];
		if ((data[i] & (uint8_t)~flash[addr + i]) != 0)
			up++;
	}
	if (up > 0)
		violation(u, "report %llu: block 0x%04X written without an erase: %u byte%s "
			  "wanted bits back to 1 (they stayed 0)",
			  (unsigned long long)u->stats.reports, addr, up, up == 1 ? "" : "s");
	/* In range by construction: a failure here is the emulator's bug. */
	if (sim_target_preload_flash(u->t, addr, page, sizeof page, NULL) == IW_OK)
		u->stats.blocks_written++;
}

/* The erase is over by `now`: the first block goes in. */
static void
finish_erase(struct emu_halfkay *h, struct emu_usb *u, uint64_t now_us)
{
	if (!h->erasing || now_us < h->erase_end_us)
		return;
	h->erasing = false;
	if (h->pending) {
		write_page(u, h->pending_addr, h->pending_data);
		h->pending = false;
	}
	h->page_end_us = h->erase_end_us;
}

/* Every application page to 0xFF (the bootloader's own stay). */
static void
erase_chip(struct emu_usb *u)
{
	uint8_t blank[HALFKAY_32U4_BLOCK];

	memset(blank, 0xFF, sizeof blank);
	for (uint32_t a = 0; a < HALFKAY_32U4_APP_END; a += HALFKAY_32U4_BLOCK)
		sim_target_preload_flash(u->t, a, blank, sizeof blank, NULL);
	u->stats.erases++;
}

/* The block a report names: refused (false) when it is HalfKay's own. */
static bool
block_of(struct emu_usb *u, const uint8_t *data, uint32_t *addr)
{
	uint32_t a = (uint32_t)data[0] | (uint32_t)data[1] << 8;

	if (a % HALFKAY_32U4_BLOCK != 0)
		violation(u, "report %llu: address 0x%04X is inside a block: the chip writes "
			  "the page at 0x%04X", (unsigned long long)u->stats.reports, a,
			  a & ~(HALFKAY_32U4_BLOCK - 1));
	a &= ~(HALFKAY_32U4_BLOCK - 1);
	if (a >= HALFKAY_32U4_APP_END) {
		violation(u, "report %llu: block 0x%04X is at or past 0x%04X, HalfKay's own "
			  "section: refused", (unsigned long long)u->stats.reports, a,
			  HALFKAY_32U4_APP_END);
		return false;
	}
	*addr = a;
	return true;
}

/* Leave the bus once the answer due at `at_us` is out. */
static void
leave(struct emu_usb *u, uint64_t at_us)
{
	u->leave_at_us = at_us != 0 ? at_us : 1;
}

/* A report taken at `now_us`, answered at `until_us` (0: at once): count
 * it, and leave the bus after the vanish knob's Nth. */
static void
taken(struct emu_usb *u, struct emu_usb_reply *r, int status, uint64_t now_us,
      uint64_t until_us)
{
	u->stats.reports++;
	r->status = status;
	r->until_us = until_us;
	if (emu_usb_fault_at(u, EMU_USB_FAULT_VANISH, u->stats.reports))
		leave(u, until_us != 0 ? until_us : now_us);
}

void
emu_halfkay_class(struct emu_usb *u, const uint8_t setup[8], uint8_t *data, size_t len,
		  uint64_t now_us, struct emu_usb_reply *r)
{
	struct emu_halfkay *h = &u->u.hk;
	uint16_t value = (uint16_t)(setup[2] | setup[3] << 8);
	uint16_t index = (uint16_t)(setup[4] | setup[5] << 8);
	uint32_t addr = 0;

	/* usbhid sends SET_IDLE when it binds; it is accepted and ignored. */
	if (setup[0] == HALFKAY_REQ_TYPE && setup[1] == HID_SET_IDLE) {
		r->status = 0;
		return;
	}
	if (setup[0] != HALFKAY_REQ_TYPE || setup[1] != HALFKAY_REQ_SET_REPORT ||
	    value != HALFKAY_REPORT_VALUE || index != HALFKAY_INTERFACE) {
		u->stats.unknown++;
		u->stats.stalls++;
		r->status = -EPIPE;
		return;
	}
	if (emu_usb_fault_at(u, EMU_USB_FAULT_VANISH, u->stats.reports)) {
		u->unplugged = true;       /* vanish=0: gone before the first */
		r->status = -ENODEV;
		return;
	}
	finish_erase(h, u, now_us);
	if (h->erasing) {
		if (h->erase_silent) {
			u->stats.busy_ignored++;
			r->no_answer = true;
			r->status = -ETIMEDOUT;
		} else {
			u->stats.busy_naks++;
			r->nak = true;
			r->until_us = h->erase_end_us;
		}
		return;
	}
	if (now_us < h->page_end_us) {
		u->stats.busy_naks++;
		r->nak = true;
		r->until_us = h->page_end_us;
		return;
	}
	if (len != HALFKAY_32U4_REPORT) {
		violation(u, "report %llu: %zu bytes; HalfKay on the ATmega32U4 takes %u "
			  "(2 address bytes + 128): stalled", (unsigned long long)u->stats.reports,
			  len, HALFKAY_32U4_REPORT);
		u->stats.stalls++;
		r->status = -EPIPE;
		return;
	}
	if (data[0] == HALFKAY_REBOOT_BYTE && data[1] == HALFKAY_REBOOT_BYTE &&
	    data[2] == HALFKAY_REBOOT_BYTE) {
		/* Answered, then the application starts: off the bus. */
		h->rebooted = true;
		taken(u, r, (int)len, now_us, 0);
		leave(u, now_us);
		return;
	}
	if (!h->erased) {
		/* The first write: erase everything, then this block. */
		h->erased = true;
		h->erasing = true;
		h->erase_silent = u->fault_on[EMU_USB_FAULT_BUSY_FIRST];
		h->erase_end_us = now_us + h->erase_us;
		erase_chip(u);
		if (h->erase_silent) {
			/* busy-first: not even this one is answered, and it is lost */
			u->stats.busy_ignored++;
			r->no_answer = true;
			r->status = -ETIMEDOUT;
			return;
		}
		if (block_of(u, data, &addr)) {
			h->pending = true;
			h->pending_addr = addr;
			memcpy(h->pending_data, data + HALFKAY_32U4_ADDR_BYTES, HALFKAY_32U4_BLOCK);
		}
		taken(u, r, (int)len, now_us, h->erase_end_us);
		return;
	}
	if (!block_of(u, data, &addr)) {
		taken(u, r, (int)len, now_us, 0);
		return;
	}
	write_page(u, addr, data + HALFKAY_32U4_ADDR_BYTES);
	h->page_end_us = now_us + h->page_us;
	taken(u, r, (int)len, now_us, h->page_end_us);
}
