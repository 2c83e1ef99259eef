/*
 * boot-bootloadhid.c - obdev's BootloadHID (PS2AVRGB boards on the
 * ATmega32A), over libusb: a V-USB HID whose two feature reports say how
 * big the chip is and take one 128-byte block at a 24-bit address
 * (boot/bootloadhid-proto.h).
 *
 * What the protocol leaves to the host, handled here:
 *   - 16C0:05DF is V-USB's ID for any HID gadget: only a device whose
 *     strings are "obdev.at" / "HIDBoot" is taken;
 *   - the device says its page and flash size but not which chip it is, and
 *     not where its own section starts; it does not protect that section
 *     either, a write there overwrites the bootloader.  So the sizes must be
 *     the part's (else the board holds another chip, or a bootloader built
 *     for one), and the own section comes from the catalog's boot identity
 *     of BootloadHID for the part: no block at or above it is ever sent;
 *   - there is no erase: each page is erased when a write reaches it, so
 *     every block of the image's range is written (boot_info.write_blank);
 *   - nothing can be read back: the upload is not verified.
 */
#include "boot/boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootloadhid-proto.h"
#include "prog/usb.h"

/* A report takes a few milliseconds (a page erase and write); far more is a
 * device that stopped. */
#define BLH_TIMEOUT_MS 2000u
#define BLH_INTERFACE  0

static const struct catalog_usb_id blh_ids[] = { { BOOTLOADHID_VID, BOOTLOADHID_PID } };

struct bootloadhid {
	struct usb_link link;
	uint32_t page_size;
};

static struct bootloadhid *
blh_of(struct boot *b)
{
	return b->priv;
}

static uint32_t
le(const uint8_t *p, int n)
{
	uint32_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* The link's failure, said of the bootloader rather than of a programmer. */
static enum iw_status
went_away(struct bootloadhid *h, enum iw_status st, const char *what, struct iw_error *err)
{
	if (st != IW_NO_PROGRAMMER)
		return st;
	return iw_error_set(err, IW_NO_PROGRAMMER, "%s: the BootloadHID bootloader at USB %s "
			    "went away (unplugged, or it left the bootloader); start it again "
			    "(on most boards: hold the key it names while plugging the board in) "
			    "and run the upload again", what, h->link.bus_path);
}

/* Report 1: the page and flash size; both must be the part's. */
static enum iw_status
read_sizes(struct boot *b, struct bootloadhid *h, const struct catalog_part *part,
	   struct iw_error *err)
{
	uint8_t info[BOOTLOADHID_INFO_LEN];
	uint32_t page, flash;
	int got = 0;
	enum iw_status st;

	st = usb_link_control(&h->link, BOOTLOADHID_TYPE_GET, BOOTLOADHID_GET_REPORT,
			      BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_INFO, BLH_INTERFACE, info,
			      sizeof info, BLH_TIMEOUT_MS, "reading its sizes (report 1)", &got,
			      err);
	if (st != IW_OK)
		return went_away(h, st, "reading its sizes", err);
	if (got < BOOTLOADHID_INFO_LEN || info[0] != BOOTLOADHID_REPORT_INFO)
		return iw_error_set(err, IW_PROTOCOL, "the device at USB %s answered the size "
				    "report with %d bytes (report ID %u) where BootloadHID gives 7 "
				    "(ID 1): it is not a BootloadHID bootloader, or not one this "
				    "client knows", h->link.bus_path, got, got > 0 ? info[0] : 0u);
	page = le(info + 1, 2);
	flash = le(info + 3, 4);
	if (flash != part->flash_size || page != part->page_size)
		return iw_error_set(err, IW_SIGNATURE, "the BootloadHID bootloader at USB %s "
				    "reports %u bytes of flash in %u-byte pages, but the %s given "
				    "with -p has %u bytes in %u-byte pages: the board holds another "
				    "chip, or a BootloadHID built for another chip; nothing was "
				    "written. Give the part the board really has, or put the "
				    "bootloader built for it on over ISP (`ispwiz flash`)",
				    h->link.bus_path, flash, page, catalog_part_label(part),
				    part->flash_size, part->page_size);
	/* Pages of 128 bytes or less go whole in one report; larger ones in
	 * several, all of them (the page is written when its end is reached). */
	if (page == 0 || (page < BOOTLOADHID_BLOCK ? BOOTLOADHID_BLOCK % page :
			  page % BOOTLOADHID_BLOCK) != 0)
		return iw_error_set(err, IW_PROTOCOL, "the BootloadHID bootloader at USB %s "
				    "reports %u-byte pages, which do not fit its 128-byte reports",
				    h->link.bus_path, page);
	h->page_size = page;
	b->info.flash_size = flash;
	b->info.block_size = page > BOOTLOADHID_BLOCK ? page : BOOTLOADHID_BLOCK;
	return IW_OK;
}

static enum iw_status
blh_open(struct boot *b, const struct boot_options *opt, struct iw_error *err)
{
	struct bootloadhid *h;
	struct usb_want want;
	enum iw_status st;

	if (opt->part == NULL)
		return iw_error_set(err, IW_USAGE, "BootloadHID does not say which chip it runs "
				    "on: give the part with -p (`ispwiz list parts`)");
	if ((h = calloc(1, sizeof *h)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening BootloadHID");
	memset(&want, 0, sizeof want);
	want.name = "BootloadHID bootloader";
	want.ids[0] = blh_ids[0];
	want.n_ids = 1;
	usb_want_share(&want, blh_ids[0], BOOTLOADHID_PRODUCT);
	want.manufacturer = BOOTLOADHID_MANUFACTURER;
	if ((st = usb_link_open(&h->link, &want, opt->port, err)) != IW_OK) {
		free(h);
		return st;
	}
	/* A port given as usb:BUS-PATH is opened whatever it says it is. */
	if (strcmp(h->link.manufacturer, BOOTLOADHID_MANUFACTURER) != 0 ||
	    strcmp(h->link.product, BOOTLOADHID_PRODUCT) != 0) {
		st = iw_error_set(err, IW_NO_PROGRAMMER, "the device at USB %s has BootloadHID's "
				  "USB ID 16C0:05DF but calls itself \"%s\" \"%s\", not \"%s\" "
				  "\"%s\": V-USB lends this ID to any HID gadget, and this one is "
				  "not a BootloadHID bootloader; start the keyboard's bootloader, "
				  "or name it with -P usb:BUS-PATH", h->link.bus_path,
				  h->link.manufacturer, h->link.product, BOOTLOADHID_MANUFACTURER,
				  BOOTLOADHID_PRODUCT);
		goto fail;
	}
	if ((st = usb_link_claim(&h->link, BLH_INTERFACE, err)) != IW_OK ||
	    (st = read_sizes(b, h, opt->part, err)) != IW_OK)
		goto fail;
	b->priv = h;
	b->info.part = opt->part;
	b->info.have_signature = false;
	b->info.app_end = boot_own_section(opt->catalog, opt->part, "bootloadhid");
	if (b->info.app_end > b->info.flash_size)
		b->info.app_end = b->info.flash_size;
	b->info.can_read = false;
	b->info.explicit_erase = false;
	b->info.first_block_erases = false;
	b->info.write_blank = true;
	snprintf(b->info.name, sizeof b->info.name, "BootloadHID");
	snprintf(b->info.where, sizeof b->info.where, "USB %s", h->link.bus_path);
	return IW_OK;
fail:
	usb_link_close(&h->link);
	free(h);
	return st;
}

static void
blh_close(struct boot *b)
{
	struct bootloadhid *h = blh_of(b);

	if (h == NULL)
		return;
	usb_link_close(&h->link);
	free(h);
	b->priv = NULL;
}

static enum iw_status
blh_write(struct boot *b, uint32_t addr, const uint8_t *data, uint32_t len,
	  struct iw_error *err)
{
	struct bootloadhid *h = blh_of(b);
	uint32_t bs = b->info.block_size;
	uint8_t report[BOOTLOADHID_DATA_LEN];
	char what[64];
	enum iw_status st;

	/* The firmware would overwrite itself: never send such a block. */
	if (addr % bs != 0 || addr + bs > b->info.app_end)
		return iw_error_set(err, IW_RANGE, "the block at 0x%05X is %s: BootloadHID does "
				    "not protect its own section (from 0x%05X), so ispwiz never "
				    "writes there; nothing was sent", addr, addr % bs != 0 ?
				    "not block-aligned" : "in the bootloader's own section",
				    b->info.app_end);
	for (uint32_t off = 0; off < bs; off += BOOTLOADHID_BLOCK) {
		uint32_t at = addr + off;

		report[0] = BOOTLOADHID_REPORT_DATA;
		report[1] = (uint8_t)at;
		report[2] = (uint8_t)(at >> 8);
		report[3] = (uint8_t)(at >> 16);
		memset(report + BOOTLOADHID_DATA_HEAD, 0xFF, BOOTLOADHID_BLOCK);
		if (off < len)
			memcpy(report + BOOTLOADHID_DATA_HEAD, data + off,
			       len - off < BOOTLOADHID_BLOCK ? len - off : BOOTLOADHID_BLOCK);
		snprintf(what, sizeof what, "writing the block at 0x%05X", at);
		st = usb_link_control(&h->link, BOOTLOADHID_TYPE_SET, BOOTLOADHID_SET_REPORT,
				      BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_DATA, BLH_INTERFACE,
				      report, sizeof report, BLH_TIMEOUT_MS, what, NULL, err);
		if (st != IW_OK)
			return went_away(h, st, what, err);
	}
	return IW_OK;
}

static enum iw_status
blh_start(struct boot *b, struct iw_error *err)
{
	struct bootloadhid *h = blh_of(b);
	uint8_t report[BOOTLOADHID_INFO_LEN] = { BOOTLOADHID_REPORT_INFO };
	enum iw_status st;

	st = usb_link_control(&h->link, BOOTLOADHID_TYPE_SET, BOOTLOADHID_SET_REPORT,
			      BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_INFO, BLH_INTERFACE, report,
			      sizeof report, BLH_TIMEOUT_MS, "starting the application", NULL, err);
	/* The firmware jumps to the application right after answering; the
	 * answer may be lost on the way, which is no failure. */
	if (st == IW_NO_PROGRAMMER || st == IW_IO)
		return IW_OK;
	return st;
}

const struct boot_driver boot_bootloadhid_driver = {
	.name = "bootloadhid",
	.title = "BootloadHID",
	.transport = CATALOG_TRANSPORT_USB,
	.family = "bootloadhid",
	.ids = blh_ids,
	.n_ids = 1,
	.manufacturer = BOOTLOADHID_MANUFACTURER,
	.product = BOOTLOADHID_PRODUCT,
	.how_to_enter = "hold the key the board's bootloader listens for (often the top "
			"left one) while plugging it in",
	.open = blh_open,
	.close = blh_close,
	.write = blh_write,
	.start_app = blh_start,
};
