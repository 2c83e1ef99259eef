/*
 * boot-halfkay.c - HalfKay, the bootloader of PJRC's Teensy 2.0
 * (ATmega32U4), over libusb: the device is a HID, and each write is one
 * SET_REPORT of the block's address (low byte, high byte) followed by its
 * 128 bytes.
 *
 * The protocol is small and has sharp edges, handled here:
 *   - the first write erases the whole chip, so block 0 always goes first,
 *     even when the image leaves it blank, and while the chip erases the
 *     device does not take the report: that write is tried for up to 45 s
 *     (each try waiting up to 5 s, so the answer that comes when the erase
 *     ends is not missed), later ones for half a second;
 *   - a device that refuses a report (a stall) is not busy: that is
 *     retried for half a second only, whichever block it is;
 *   - only the first 32256 bytes can be written (the rest is HalfKay);
 *   - nothing can be read back, so an upload is not verified;
 *   - a report starting FF FF FF reboots into the application.
 * The protocol's numbers are in halfkay-proto.h, which the device-side
 * emulator shares.
 */
#include "boot/boot.h"
#include "boot/halfkay-proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "prog/usb.h"

#define HK_BLOCK          HALFKAY_32U4_BLOCK
#define HK_REPORT         HALFKAY_32U4_REPORT
/* The longest one try waits for the device's answer: the first block's
 * answer comes when the erase is over. */
#define HK_TRY_MAX_MS     5000u

static const struct catalog_usb_id hk_ids[] = { { HALFKAY_VID, HALFKAY_PID } };

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
	    (st = usb_link_claim(&h->link, HALFKAY_INTERFACE, err)) != IW_OK) {
		usb_link_close(&h->link);
		free(h);
		return st;
	}
	b->priv = h;
	b->info.part = opt->part;
	b->info.have_signature = false;
	b->info.flash_size = opt->part->flash_size;
	b->info.block_size = HK_BLOCK;
	b->info.app_end = HALFKAY_32U4_APP_END;
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

/* One report.  A device that does not answer is busy (erasing): it is
 * asked again until `patience_ms` is over, each try waiting as long as
 * that leaves (at most HK_TRY_MAX_MS).  Any other failure but a vanished
 * device is retried for HALFKAY_PATIENCE_MS at most. */
static enum iw_status
send_report(struct halfkay *h, uint8_t *report, unsigned patience_ms, const char *what,
	    struct iw_error *err)
{
	uint64_t t0 = iw_clock_ms();
	enum iw_status st;

	for (;;) {
		uint64_t spent = iw_clock_ms() - t0;
		unsigned left = spent < patience_ms ? patience_ms - (unsigned)spent : 0;
		unsigned try_ms = left < HK_TRY_MAX_MS ? left : HK_TRY_MAX_MS;

		h->link.dead_rc = 0;   /* busy is not gone: ask again */
		st = usb_link_control(&h->link, HALFKAY_REQ_TYPE, HALFKAY_REQ_SET_REPORT,
				      HALFKAY_REPORT_VALUE, HALFKAY_INTERFACE, report,
				      HK_REPORT, try_ms > 0 ? try_ms : 1, what, NULL, err);
		if (st == IW_OK || st == IW_NO_PROGRAMMER)
			return st;
		spent = iw_clock_ms() - t0;
		if (spent >= patience_ms || (st != IW_TIMEOUT && spent >= HALFKAY_PATIENCE_MS))
			return st;
		iw_sleep_ms(HALFKAY_RETRY_GAP_MS);
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
	/* Two address bytes: a block past the application area would wrap
	 * or land in HalfKay's own section, which it refuses. */
	if (addr % HK_BLOCK != 0 || addr > HALFKAY_32U4_APP_END - HK_BLOCK)
		return iw_error_set(err, IW_RANGE, "the block at 0x%05X is not one HalfKay "
				    "writes (128-byte blocks below 0x%04X)", addr,
				    HALFKAY_32U4_APP_END);
	report[0] = (uint8_t)addr;
	report[1] = (uint8_t)(addr >> 8);
	memset(report + 2, 0xFF, HK_BLOCK);
	memcpy(report + 2, data, len < HK_BLOCK ? len : HK_BLOCK);
	snprintf(what, sizeof what, "HalfKay's report for 0x%04X", addr);
	st = send_report(h, report, h->wrote_first ? HALFKAY_PATIENCE_MS :
			 HALFKAY_FIRST_PATIENCE_MS, what, err);
	if (st == IW_OK)
		h->wrote_first = true;
	else if (!h->wrote_first && st == IW_TIMEOUT)
		iw_error_set(err, IW_TIMEOUT, "HalfKay did not take the first block within %u s "
			     "(it erases the chip then, and answers when that is done): unplug "
			     "the Teensy, plug it in again, press its button and run the upload "
			     "at once", HALFKAY_FIRST_PATIENCE_MS / 1000u);
	else if (st == IW_TIMEOUT)
		/* The link's words are about ISP programmers and their targets. */
		iw_error_set(err, IW_TIMEOUT, "HalfKay did not take the block at 0x%04X within "
			     "%u ms: unplug the Teensy, plug it in again, press its button and "
			     "run the upload again", addr, HALFKAY_PATIENCE_MS);
	return st;
}

static enum iw_status
hk_start(struct boot *b, struct iw_error *err)
{
	struct halfkay *h = hk_of(b);
	uint8_t report[HK_REPORT];
	enum iw_status st;

	memset(report, 0, sizeof report);
	memset(report, HALFKAY_REBOOT_BYTE, HALFKAY_REBOOT_LEN);
	st = send_report(h, report, HALFKAY_PATIENCE_MS, "rebooting into the application", err);
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
