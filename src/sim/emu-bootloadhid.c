/*
 * emu-bootloadhid.c - obdev's BootloadHID on the simulated chip, as the
 * host sees it (PROTOCOLS.md 11, boot/bootloadhid-proto.h):
 *   - a low-speed V-USB HID, 16C0:05DF, "obdev.at" "HIDBoot", one interface
 *     (HID, an interrupt IN endpoint the firmware never uses);
 *   - GET_REPORT answers 7 bytes whatever report is asked for: ID 1, the
 *     page size, the flash size (the flash-size=N knob makes it lie);
 *   - SET_REPORT with report ID 2: the 24-bit address, then 128 bytes,
 *     word by word into the SPM page buffer; a word at a page's first byte
 *     erases that page first, the word that ends a page writes it.  The
 *     firmware never looks where it writes: its own section is written
 *     like any other (stats.own_section_writes counts it), and a report
 *     that starts inside a page writes it without an erase;
 *   - SET_REPORT with report ID 1 is answered, and the device leaves the
 *     bus right after: the application starts;
 *   - other class requests (SET_IDLE, ...) are accepted with no data.
 * The firmware does the SPM work inside the transfer, so its time is the
 * transfer's (emu_usb_reply.device_us).
 */
#include <string.h>

#include "boot/bootloadhid-proto.h"
#include "sim/emu-usb-int.h"

#define HID_DT_HID     0x21
#define HID_DT_REPORT  0x22
#define EP_INTERVAL_MS 200           /* the firmware's USB_CFG_INTR_POLL_INTERVAL */
#define LEAVE_US       1000u         /* it answers, then jumps to the application */

/* Two vendor feature reports: ID 1 of 6 bytes, ID 2 of 131. */
static const uint8_t report_descriptor[BOOTLOADHID_REPORT_DESCRIPTOR_LEN] = {
	0x06, 0x00, 0xFF,            /* Usage Page (vendor 0xFF00) */
	0x09, 0x01,                  /* Usage (1) */
	0xA1, 0x01,                  /* Collection (Application) */
	0x15, 0x00,                  /*   Logical Minimum (0) */
	0x26, 0xFF, 0x00,            /*   Logical Maximum (255) */
	0x75, 0x08,                  /*   Report Size (8) */
	0x85, BOOTLOADHID_REPORT_INFO, /* Report ID (1) */
	0x95, BOOTLOADHID_INFO_LEN - 1, /* Report Count (6) */
	0x09, 0x00,                  /*   Usage (0) */
	0xB2, 0x02, 0x01,            /*   Feature (Data, Var, Abs, Buffered) */
	0x85, BOOTLOADHID_REPORT_DATA, /* Report ID (2) */
	0x95, BOOTLOADHID_DATA_LEN - 1, /* Report Count (131) */
	0x09, 0x00,                  /*   Usage (0) */
	0xB2, 0x02, 0x01,            /*   Feature (Data, Var, Abs, Buffered) */
	0xC0,                        /* End Collection */
};

size_t
emu_bootloadhid_report_descriptor(uint8_t *buf, size_t size)
{
	memcpy(buf, report_descriptor, size < sizeof report_descriptor ? size :
	       sizeof report_descriptor);
	return sizeof report_descriptor;
}

size_t
emu_bootloadhid_descriptors(const struct emu_usb *u, uint8_t *buf, size_t size)
{
	const uint8_t all[18 + 34] = {
		/* device: USB 1.1, class per interface, 8-byte EP0 */
		18, 1, 0x10, 0x01, 0, 0, 0, 8,
		(uint8_t)u->opts.vid, (uint8_t)(u->opts.vid >> 8),
		(uint8_t)u->opts.pid, (uint8_t)(u->opts.pid >> 8),
		(uint8_t)u->bcd_device, (uint8_t)(u->bcd_device >> 8),
		u->manufacturer[0] != '\0' ? 1 : 0, u->product[0] != '\0' ? 2 : 0,
		u->serial[0] != '\0' ? 3 : 0, 1,
		/* configuration 1: bus powered, 100 mA */
		9, 2, 34, 0, 1, 1, 0, 0x80, 50,
		/* interface 0: HID, no boot protocol, one endpoint */
		9, 4, 0, 0, 1, 0x03, 0, 0, 0,
		/* HID 1.01, one report descriptor */
		9, HID_DT_HID, 0x01, 0x01, 0, 1, HID_DT_REPORT,
		BOOTLOADHID_REPORT_DESCRIPTOR_LEN, 0,
		/* EP1 IN, interrupt, 8 bytes */
		7, 5, 0x81, 0x03, 8, 0, EP_INTERVAL_MS,
	};

	memcpy(buf, all, size < sizeof all ? size : sizeof all);
	return sizeof all;
}

bool
emu_bootloadhid_is_flash_write(const uint8_t setup[8])
{
	return (setup[0] & EMU_USB_DIR_IN) == 0 && setup[1] == BOOTLOADHID_SET_REPORT &&
	       setup[2] == BOOTLOADHID_REPORT_DATA;
}

static int
info_report(struct emu_usb *u, uint8_t *data, size_t len)
{
	const struct catalog_part *part = sim_target_part(u->t);
	uint32_t page = part->page_size, flash = part->flash_size;
	uint8_t r[BOOTLOADHID_INFO_LEN];

	if (u->fault_on[EMU_USB_FAULT_FLASH_SIZE])
		flash = (uint32_t)u->fault_n[EMU_USB_FAULT_FLASH_SIZE];
	r[0] = BOOTLOADHID_REPORT_INFO;
	r[1] = (uint8_t)page;
	r[2] = (uint8_t)(page >> 8);
	for (int i = 0; i < 4; i++)
		r[3 + i] = (uint8_t)(flash >> (8 * i));
	if (len > sizeof r)
		len = sizeof r;
	memcpy(data, r, len);
	return (int)len;
}

/* Report 2: as the firmware takes it, word by word. */
static void
data_report(struct emu_usb *u, const uint8_t *data, size_t len)
{
	struct emu_bootloadhid *h = &u->u.blh;
	uint32_t page = sim_target_part(u->t)->page_size, own = emu_spm_boot_start(u->t);
	uint32_t addr, n;

	if (len < BOOTLOADHID_DATA_HEAD + 2)
		return;
	addr = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16;
	n = (uint32_t)(len - BOOTLOADHID_DATA_HEAD);
	if (n > BOOTLOADHID_BLOCK)
		n = BOOTLOADHID_BLOCK;
	for (uint32_t i = 0; i + 1 < n; i += 2) {
		if (addr % page == 0)
			emu_spm_erase(u->t, addr);
		emu_spm_fill(&h->spm, u->t, addr, data[BOOTLOADHID_DATA_HEAD + i],
			     data[BOOTLOADHID_DATA_HEAD + i + 1]);
		addr += 2;
		if (addr % page == 0) {
			uint32_t at = addr - 2;

			if (emu_spm_write(&h->spm, u->t, at) != 0)
				u->stats.unerased_writes++;
			if (at % sim_target_part(u->t)->flash_size >= own)
				u->stats.own_section_writes++;
			u->stats.spm_pages++;
		}
	}
}

int
emu_bootloadhid_class(struct emu_usb *u, const uint8_t setup[8], uint8_t *data, size_t len)
{
	bool in = (setup[0] & EMU_USB_DIR_IN) != 0;

	u->stats.class_requests++;
	switch (setup[1]) {
	case BOOTLOADHID_GET_REPORT:
		return in ? info_report(u, data, len) : 0;
	case BOOTLOADHID_SET_REPORT:
		if (in)
			return 0;
		if (setup[2] == BOOTLOADHID_REPORT_INFO) {
			u->leave_at_us = u->now_us + LEAVE_US;
			u->stats.left = true;
		} else if (setup[2] == BOOTLOADHID_REPORT_DATA) {
			data_report(u, data, len);
		}
		return (int)len;
	default:
		return 0;
	}
}
