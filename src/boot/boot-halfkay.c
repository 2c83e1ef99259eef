/*
 * boot-halfkay.c - HalfKay, the bootloader of PJRC's Teensy 2.0
 * (ATmega32U4), over libusb: the device is a HID, and each write is one
 * SET_REPORT of the block's address (low byte, high byte) followed by its
 * 128 bytes.
 *
 * The protocol is small and has sharp edges, handled here:
 *   - the first write erases the whole chip, so block 0 always goes first,
 *     even when the image leaves it blank, and while the chip erases the
 *     device does not take the report: that write is retried for up to
 *     45 s, later ones for half a second;
 *   - only the first 32256 bytes can be written (the rest is HalfKay);
 *   - nothing can be read back, so an upload is not verified;
 *   - a report whose address bytes are FF FF reboots into the application.
 */
#include "boot/boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "prog/usb.h"

#define HK_BLOCK          128u
#define HK_REPORT         (2u + HK_BLOCK)
#define HK_APP_END_32U4   32256u
#define HK_TIMEOUT_MS     1000u
#define HK_FIRST_RETRY_MS 45000u
#define HK_RETRY_MS       500u
#define HK_RETRY_GAP_MS   10u

/* HID class request to interface 0: SET_REPORT, output report 0. */
#define HK_TYPE     0x21
#define HK_SET_REPORT 0x09
#define HK_VALUE    0x0200

static const struct catalog_usb_id hk_ids[] = { { 0x16C0, 0x0478 } };

struct halfkay {
	struct usb_link link;
	bool wrote_first;
};

static struct halfkay *
hk_of(struct boot *b)
{
	return b->priv;
}

static enum iw_status
hk_open(struct boot *b, const struct boot_options *opt, struct iw_error *err)
{
	struct halfkay *h = calloc(1, sizeof *h);
	struct usb_want want;
	enum iw_status st;

	if (h == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening HalfKay");
	if (opt->part == NULL || strcmp(opt->part->id, "atmega32u4") != 0) {
		free(h);
		return iw_error_set(err, IW_USAGE, "HalfKay is handled for the Teensy 2.0 "
				    "(ATmega32U4) only; give -p atmega32u4");
	}
	memset(&want, 0, sizeof want);
	want.name = "Teensy (HalfKay bootloader)";
	want.ids[0] = hk_ids[0];
	want.n_ids = 1;
	if ((st = usb_link_open(&h->link, &want, opt->port, err)) != IW_OK ||
	    (st = usb_link_claim(&h->link, 0, err)) != IW_OK) {
		usb_link_close(&h->link);
		free(h);
		return st;
	}
	b->priv = h;
	b->info.part = opt->part;
	b->info.have_signature = false;
	b->info.flash_size = opt->part->flash_size;
	b->info.block_size = HK_BLOCK;
	b->info.app_end = HK_APP_END_32U4;
	b->info.can_read = false;
	b->info.explicit_erase = false;
	b->info.first_block_erases = true;
	snprintf(b->info.name, sizeof b->info.name, "HalfKay");
	snprintf(b->info.where, sizeof b->info.where, "USB %s", h->link.bus_path);
	return IW_OK;
}

static void
hk_close(struct boot *b)
{
	struct halfkay *h = hk_of(b);

	if (h == NULL)
		return;
	usb_link_close(&h->link);
	free(h);
	b->priv = NULL;
}

/* One report, retried while the device is busy (erasing) for up to
 * `patience_ms`. */
static enum iw_status
send_report(struct halfkay *h, uint8_t *report, unsigned patience_ms, const char *what,
	    struct iw_error *err)
{
	uint64_t t0 = iw_clock_ms();
	enum iw_status st;

	for (;;) {
		h->link.dead_rc = 0;   /* busy is not gone: ask again */
		st = usb_link_control(&h->link, HK_TYPE, HK_SET_REPORT, HK_VALUE, 0, report,
				      HK_REPORT, HK_TIMEOUT_MS, what, NULL, err);
		if (st == IW_OK || st == IW_NO_PROGRAMMER)
			return st;
		if (iw_clock_ms() - t0 >= patience_ms)
			return st;
		iw_sleep_ms(HK_RETRY_GAP_MS);
	}
}

static enum iw_status
hk_write(struct boot *b, uint32_t addr, const uint8_t *data, uint32_t len,
	 struct iw_error *err)
{
	struct halfkay *h = hk_of(b);
	uint8_t report[HK_REPORT];
	char what[64];
	enum iw_status st;

	if (!h->wrote_first && addr != 0)
		return iw_error_set(err, IW_USAGE, "HalfKay's first write erases the chip: "
				    "block 0 must go first");
	report[0] = (uint8_t)addr;
	report[1] = (uint8_t)(addr >> 8);
	memset(report + 2, 0xFF, HK_BLOCK);
	memcpy(report + 2, data, len < HK_BLOCK ? len : HK_BLOCK);
	snprintf(what, sizeof what, "writing the block at 0x%04X", addr);
	st = send_report(h, report, h->wrote_first ? HK_RETRY_MS : HK_FIRST_RETRY_MS, what, err);
	if (st == IW_OK)
		h->wrote_first = true;
	else if (!h->wrote_first && st == IW_TIMEOUT)
		iw_error_set(err, IW_TIMEOUT, "HalfKay did not take the first block within %u s "
			     "(it erases the chip then): press the Teensy's button again and "
			     "run the upload at once", HK_FIRST_RETRY_MS / 1000u);
	return st;
}

static enum iw_status
hk_start(struct boot *b, struct iw_error *err)
{
	struct halfkay *h = hk_of(b);
	uint8_t report[HK_REPORT];
	enum iw_status st;

	memset(report, 0, sizeof report);
	report[0] = report[1] = report[2] = 0xFF;
	st = send_report(h, report, HK_RETRY_MS, "rebooting into the application", err);
	/* The device leaves at once; that it went is no failure. */
	return st == IW_NO_PROGRAMMER ? IW_OK : st;
}

const struct boot_driver boot_halfkay_driver = {
	.name = "halfkay",
	.title = "HalfKay (Teensy)",
	.transport = CATALOG_TRANSPORT_USB,
	.family = NULL,
	.ids = hk_ids,
	.n_ids = 1,
	.how_to_enter = "press the Teensy's pushbutton",
	.open = hk_open,
	.close = hk_close,
	.write = hk_write,
	.start_app = hk_start,
};
