/*
 * boot-usbasploader.c - USBaspLoader (obdev's, and Stephan Baerwolf's
 * descendants that keyboards use): a V-USB bootloader that answers the
 * USBasp protocol (PROTOCOLS.md 5 and 12) for the chip it runs on.  The
 * protocol work is src/prog's usbasp driver, used as it is; this file only
 * knows what differs from a programmer:
 *   - the ISP instructions are emulated: the signature is the chip's own,
 *     Chip Erase erases the application area, fuse and lock writes do
 *     nothing, and no instruction ever echoes (a real chip behind a USBasp
 *     echoes Programming Enable's 0x53);
 *   - writes into its own section are ignored, so the client never sends
 *     them (its start comes from the catalog: boot_own_section());
 *   - some builds erase only with Chip Erase, others only page by page as
 *     they write, so every block of the image's range is written;
 *   - DISCONNECT is how a host says it is done: builds made to leave then
 *     start the application half a second later, others stay until the
 *     board's boot key is pressed again or it is reset.  Which one it is
 *     shows in whether the device leaves the bus.
 * A USBasp programmer has the same ID and strings.  Finding never picks
 * this client (only --via does), and open() refuses a device that turns
 * out to be a programmer, before anything is erased: the 2011 USBasp
 * firmware answers GETCAPABILITIES, an older one with no chip behind it
 * cannot enter programming mode (USBaspLoader always can), and a chip
 * behind one echoes Programming Enable.
 */
#include "boot/boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "prog/isp.h"
#include "prog/prog-usbasp.h"
#include "prog/usbasp-proto.h"

/* How long a build that leaves after DISCONNECT takes (it waits 500 ms),
 * with room; and how often to look. */
#define UL_LEAVE_MS 1500u
#define UL_LOOK_MS  100u

static const struct catalog_usb_id ul_ids[1];

struct loader {
	struct prog p;
	char bus_path[32];
};

static struct loader *
ul_of(struct boot *b)
{
	return b->priv;
}

static enum iw_status
isp(struct loader *u, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4],
    struct iw_error *err)
{
	const uint8_t in[4] = { a, b, c, d };

	return u->p.driver->cmd(&u->p, in, out, err);
}

/* The link's failure, said of the bootloader rather than of a programmer. */
static enum iw_status
went_away(struct loader *u, enum iw_status st, const char *what, struct iw_error *err)
{
	if (st != IW_NO_PROGRAMMER)
		return st;
	return iw_error_set(err, IW_NO_PROGRAMMER, "%s: USBaspLoader at USB %s went away "
			    "(unplugged, or it left the bootloader); start it again (hold the "
			    "board's boot key while plugging it in) and run the upload again",
			    what, u->bus_path);
}

static enum iw_status
refuse(struct loader *u, const char *evidence, struct iw_error *err)
{
	return iw_error_set(err, IW_REFUSED, "a USBasp where USBaspLoader was expected: the "
			    "device at USB %s %s, so it is a USBasp programmer, not a keyboard "
			    "in its USBaspLoader bootloader (both enumerate as 16C0:05DC "
			    "\"www.fischl.de\" \"USBasp\"). Going on would erase and write "
			    "whatever chip is on its ISP cable, bootloader included, so nothing "
			    "was done. To program that chip use `ispwiz flash -c usbasp`; to "
			    "upload through USBaspLoader, start the keyboard's bootloader and "
			    "name it with -P usb:BUS-PATH (`ispwiz detect` lists both)",
			    u->bus_path, evidence);
}

/* Is it the bootloader?  Cheapest evidence first, and nothing that erases
 * or writes: a programmer's target only sees a RESET pulse. */
static enum iw_status
check_not_programmer(struct loader *u, struct iw_error *err)
{
	struct prog_usbasp_firmware fw;
	uint8_t out[4];
	enum iw_status st;

	prog_usbasp_firmware(&u->p, &fw);
	snprintf(u->bus_path, sizeof u->bus_path, "%s", fw.bus_path);
	if (fw.answers_caps)
		return refuse(u, "answers GETCAPABILITIES as the USBasp firmware of 2011 does "
			      "(USBaspLoader does not know that request)", err);
	st = u->p.driver->enter(&u->p, 0, err);
	if (st == IW_NO_TARGET) {
		u->p.driver->leave(&u->p);   /* releases the programmer's pins */
		return refuse(u, "cannot enter programming mode (no chip answers on its ISP "
			      "cable), which USBaspLoader always can", err);
	}
	if (st != IW_OK)
		return went_away(u, st, "entering programming mode", err);
	if ((st = isp(u, 0xAC, 0x53, 0x00, 0x00, out, err)) != IW_OK)
		return went_away(u, st, "asking for the Programming Enable echo", err);
	if (out[2] == 0x53) {
		u->p.driver->leave(&u->p);   /* releases the programmer's target */
		return refuse(u, "echoes Programming Enable (0x53) as a chip on an ISP cable "
			      "does; USBaspLoader emulates the instructions and never echoes", err);
	}
	return IW_OK;
}

static enum iw_status
read_identity(struct boot *b, struct loader *u, const struct boot_options *opt,
	      struct iw_error *err)
{
	enum iw_status st;

	if ((st = isp_read_signature(&u->p, b->info.signature, err)) != IW_OK)
		return went_away(u, st, "reading the signature", err);
	b->info.have_signature = true;
	if (opt->catalog != NULL) {
		const struct catalog_part *p = catalog_find_part_by_signature(opt->catalog,
									     b->info.signature);
		if (p != NULL)
			b->info.part = p;
	}
	if (b->info.part == NULL)
		return iw_error_set(err, IW_SIGNATURE, "USBaspLoader at USB %s reports signature "
				    "%02X %02X %02X, which no catalog part has", u->bus_path,
				    b->info.signature[0], b->info.signature[1],
				    b->info.signature[2]);
	b->info.flash_size = b->info.part->flash_size;
	b->info.block_size = b->info.part->page_size;
	b->info.app_end = boot_own_section(opt->catalog, b->info.part, "usbasploader");
	if (b->info.app_end > b->info.flash_size)
		b->info.app_end = b->info.flash_size;
	return IW_OK;
}

static enum iw_status
ul_open(struct boot *b, const struct boot_options *opt, struct iw_error *err)
{
	struct prog_options po;
	struct loader *u;
	enum iw_status st;

	if ((u = calloc(1, sizeof *u)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening USBaspLoader");
	memset(&po, 0, sizeof po);
	po.port = opt->port;
	po.part = opt->part;
	po.catalog = opt->catalog;
	if ((st = prog_open(&u->p, &prog_usbasp_driver, &po, err)) != IW_OK) {
		iw_error_prefix(err, "opening USBaspLoader");
		free(u);
		return st;
	}
	if ((st = check_not_programmer(u, err)) != IW_OK ||
	    (st = read_identity(b, u, opt, err)) != IW_OK)
		goto fail;
	b->priv = u;
	b->info.can_read = true;
	b->info.explicit_erase = true;
	b->info.first_block_erases = false;
	b->info.write_blank = true;
	snprintf(b->info.name, sizeof b->info.name, "USBaspLoader");
	snprintf(b->info.where, sizeof b->info.where, "USB %s", u->bus_path);
	return IW_OK;
fail:
	/* No DISCONNECT: a bootloader that leaves on it would be gone. */
	prog_close(&u->p, NULL);
	free(u);
	return st;
}

static void
ul_close(struct boot *b)
{
	struct loader *u = ul_of(b);

	if (u == NULL)
		return;
	/* Without DISCONNECT after a failure, the bootloader stays for the
	 * next try. */
	prog_close(&u->p, NULL);
	free(u);
	b->priv = NULL;
}

/* Chip Erase, as USBaspLoader emulates it: the application area only, done
 * before the answer comes.  Not isp_chip_erase(): it leaves programming
 * mode (DISCONNECT) to re-enter, and a build that exits on DISCONNECT
 * would be gone. */
static enum iw_status
ul_erase(struct boot *b, struct iw_error *err)
{
	struct loader *u = ul_of(b);
	uint8_t out[4];
	enum iw_status st;

	if ((st = isp(u, 0xAC, 0x80, 0x00, 0x00, out, err)) != IW_OK ||
	    (st = isp_wait_ready(&u->p, ISP_ERASE_TIMEOUT_MS, "erasing the application area",
				 err)) != IW_OK)
		return went_away(u, st, "erasing the application area", err);
	return IW_OK;
}

static enum iw_status
ul_write(struct boot *b, uint32_t addr, const uint8_t *data, uint32_t len,
	 struct iw_error *err)
{
	struct loader *u = ul_of(b);
	uint32_t bs = b->info.block_size;
	uint8_t page[512];
	char what[64];
	enum iw_status st;

	if (bs > sizeof page || addr % bs != 0 || addr + bs > b->info.app_end)
		return iw_error_set(err, IW_RANGE, "the block at 0x%05X is outside the "
				    "application area (below 0x%05X, whole %u-byte pages): "
				    "USBaspLoader would ignore it; nothing was sent", addr,
				    b->info.app_end, bs);
	memset(page, 0xFF, bs);
	memcpy(page, data, len < bs ? len : bs);
	snprintf(what, sizeof what, "writing the page at 0x%05X", addr);
	if ((st = isp_write_page(&u->p, addr, page, bs, err)) != IW_OK)
		return went_away(u, st, what, err);
	return IW_OK;
}

static enum iw_status
ul_read(struct boot *b, uint32_t addr, uint8_t *buf, uint32_t len, struct iw_error *err)
{
	struct loader *u = ul_of(b);
	enum iw_status st = isp_read_flash(&u->p, addr, buf, len, NULL, NULL, err);

	return st == IW_OK ? IW_OK : went_away(u, st, "reading back", err);
}

/* DISCONNECT, then watch whether it leaves the bus.  A signature read is
 * the question asked: it changes nothing, and unlike an unknown request it
 * does not tell Baerwolf's builds to stay. */
static enum iw_status
ul_start(struct boot *b, struct iw_error *err)
{
	struct loader *u = ul_of(b);
	uint64_t t0 = iw_clock_ms();
	uint8_t out[4];

	(void)err;
	u->p.driver->leave(&u->p);
	while (iw_clock_ms() - t0 < UL_LEAVE_MS) {
		iw_sleep_ms(UL_LOOK_MS);
		if (isp(u, 0x30, 0x00, 0x00, 0x00, out, NULL) != IW_OK)
			return IW_OK;        /* gone: the application runs */
	}
	snprintf(b->info.start_note, sizeof b->info.start_note, "USBaspLoader was still there "
		 "%u s after the disconnect: this build does not start the application by "
		 "itself. Release the boot key or jumper and press it again, or reset the "
		 "board, to start the firmware", UL_LEAVE_MS / 1000u);
	return IW_OK;
}

const struct boot_driver boot_usbasploader_driver = {
	.name = "usbasploader",
	.title = "USBaspLoader",
	.transport = CATALOG_TRANSPORT_USB,
	.family = "usbasploader",
	.ids = ul_ids,
	.n_ids = 0,
	.manufacturer = USBASP_MANUFACTURER,
	.product = USBASP_PRODUCT,
	.only_via = true,
	.looks_like = "a USBasp programmer",
	.how_to_enter = "hold the board's boot key (or close its boot jumper) while plugging "
			"it in",
	.open = ul_open,
	.close = ul_close,
	.erase = ul_erase,
	.write = ul_write,
	.read = ul_read,
	.start_app = ul_start,
};
