/*
 * boot-atmel-dfu.c - Atmel's USB DFU bootloader of the megaAVR USB parts
 * (ATmega16U4/32U4, AT90USB64x/128x) over libusb: Atmel's FLIP commands on
 * the DFU class requests of interface 0 (boot/atmel-dfu-proto.h).
 *
 *   open     get the bootloader to dfuIDLE (clear an error, abort a
 *            transfer), read its version and the chip's signature bytes,
 *            and try one byte of flash: a refusal (errFILE) means the
 *            security bit is set, which the erase clears;
 *   erase    04 00 FF, then GETSTATUS until it is no longer dfuDNBUSY
 *            (sleeping the bwPollTimeout the device asks for), then a blank
 *            check of the application area;
 *   write    one program command per block: the 6 command bytes in a
 *            32-byte control block, the data, a 16-byte suffix; GETSTATUS
 *            says whether it took;
 *   read     a read command, then UPLOADs of up to 1 KiB;
 *   start    04 03 01 00 00 (jump to 0x0000), then a zero-length DNLOAD:
 *            the device leaves the bus.
 * On the AT90USB128x every command addresses 64 KiB: the page is selected
 * first (06 03 00 PAGE) whenever an address lies in another one.
 *
 * Blocks are 1 KiB, the most one program command or UPLOAD carries: every
 * block costs one DNLOAD and one GETSTATUS to write and a DNLOAD and an
 * UPLOAD to read back, so the block size sets the number of transfers.
 *
 * Where the bootloader's own section starts (the end of what may be
 * written) is not something the device says: it comes from the catalog's
 * Atmel DFU entry for the part, the boot start of its known files, else the
 * boot section its fuse preset selects; never guessed.
 */
#include "boot/boot.h"
#include "boot/atmel-dfu-proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/fuses.h"
#include "prog/usb.h"

#define DFU_BLOCK           ATMEL_DFU_MAX_TRANSFER
#define DFU_MSG_MAX         (ATMEL_DFU_CONTROL_BLOCK + ATMEL_DFU_ALIGN + DFU_BLOCK + \
			     ATMEL_DFU_SUFFIX)
#define DFU_TIMEOUT_MS      1000u
#define DFU_WRITE_TIMEOUT_MS 5000u      /* a block is 4-8 page writes */
#define DFU_ERASE_MAX_MS    20000u
#define DFU_POLL_MAX_MS     1000u
#define DFU_IDLE_TRIES      4

static const struct catalog_usb_id dfu_ids[] = {
	{ ATMEL_DFU_VID, ATMEL_DFU_PID_ATMEGA16U4 },
	{ ATMEL_DFU_VID, ATMEL_DFU_PID_ATMEGA32U4 },
	{ ATMEL_DFU_VID, ATMEL_DFU_PID_AT90USB64 },
	{ ATMEL_DFU_VID, ATMEL_DFU_PID_AT90USB128 },
};
#define N_DFU_IDS (sizeof dfu_ids / sizeof dfu_ids[0])

struct atmel_dfu {
	struct usb_link link;
	uint16_t transaction;        /* DNLOAD/UPLOAD wValue */
	int page;                    /* the 64 KiB page selected; -1: not known */
	bool secured;                /* reading was refused at open */
	uint8_t msg[DFU_MSG_MAX];
};

struct dfu_status {
	uint8_t status, state;
	uint32_t poll_ms;
};

static struct atmel_dfu *
dfu_of(struct boot *b)
{
	return b->priv;
}

/* --- status codes in words ---------------------------------------------------------- */

static const char *
status_text(uint8_t s)
{
	switch (s) {
	case ATMEL_DFU_OK: return "OK";
	case ATMEL_DFU_ERR_TARGET: return "errTARGET: the data is not for this device";
	case ATMEL_DFU_ERR_FILE: return "errFILE: the chip is read-protected";
	case ATMEL_DFU_ERR_WRITE: return "errWRITE: it cannot write the memory";
	case ATMEL_DFU_ERR_ERASE: return "errERASE: the erase failed";
	case ATMEL_DFU_ERR_CHECK_ERASED: return "errCHECK_ERASED: the memory is not blank";
	case ATMEL_DFU_ERR_PROG: return "errPROG: programming failed";
	case ATMEL_DFU_ERR_VERIFY: return "errVERIFY: the memory did not verify";
	case ATMEL_DFU_ERR_ADDRESS: return "errADDRESS: an address it may not touch";
	case ATMEL_DFU_ERR_NOTDONE: return "errNOTDONE: the data ended too early";
	case ATMEL_DFU_ERR_FIRMWARE: return "errFIRMWARE: its firmware is corrupt";
	case ATMEL_DFU_ERR_VENDOR: return "errVENDOR";
	case ATMEL_DFU_ERR_USBR: return "errUSBR: an unexpected USB reset";
	case ATMEL_DFU_ERR_POR: return "errPOR: an unexpected power-on reset";
	case ATMEL_DFU_ERR_UNKNOWN: return "errUNKNOWN";
	case ATMEL_DFU_ERR_STALLEDPKT: return "errSTALLEDPKT: it did not expect that request";
	default: return "an unknown status";
	}
}

/* --- requests ------------------------------------------------------------------------- */

static enum iw_status
dfu_out(struct atmel_dfu *a, uint8_t req, uint8_t *data, uint16_t len, unsigned timeout_ms,
	const char *what, struct iw_error *err)
{
	uint16_t value = req == ATMEL_DFU_DNLOAD ? a->transaction++ : 0;

	return usb_link_control(&a->link, ATMEL_DFU_TYPE_OUT, req, value, ATMEL_DFU_INTERFACE,
				data, len, timeout_ms, what, NULL, err);
}

static enum iw_status
dfu_upload(struct atmel_dfu *a, uint8_t *buf, uint16_t len, const char *what,
	   struct iw_error *err)
{
	return usb_link_control(&a->link, ATMEL_DFU_TYPE_IN, ATMEL_DFU_UPLOAD, a->transaction++,
				ATMEL_DFU_INTERFACE, buf, len, DFU_TIMEOUT_MS, what, NULL, err);
}

static enum iw_status
dfu_get_status(struct atmel_dfu *a, struct dfu_status *s, const char *what,
	       struct iw_error *err)
{
	uint8_t b[ATMEL_DFU_STATUS_LEN];
	enum iw_status st;

	st = usb_link_control(&a->link, ATMEL_DFU_TYPE_IN, ATMEL_DFU_GETSTATUS, 0,
			      ATMEL_DFU_INTERFACE, b, sizeof b, DFU_TIMEOUT_MS, what, NULL, err);
	if (st != IW_OK)
		return st;
	s->status = b[0];
	s->poll_ms = (uint32_t)(b[1] | b[2] << 8 | b[3] << 16);
	s->state = b[4];
	return IW_OK;
}

static enum iw_status
dfu_command(struct atmel_dfu *a, const uint8_t *cmd, uint16_t len, const char *what,
	    struct iw_error *err)
{
	uint8_t b[8];

	memcpy(b, cmd, len);
	return dfu_out(a, ATMEL_DFU_DNLOAD, b, len, DFU_TIMEOUT_MS, what, err);
}

/*
 * A request failed, or GETSTATUS reported an error: ask the device why
 * (when the request itself failed), put it back in dfuIDLE, and say what
 * happened with `advice` (what the person does about this status) when
 * the device gave a status.  Returns the status to fail with.
 */
static enum iw_status
dfu_explain(struct atmel_dfu *a, enum iw_status st, const struct dfu_status *known,
	    const char *what, const char *advice, struct iw_error *err)
{
	struct dfu_status s;
	struct iw_error ignored;

	if (st == IW_NO_PROGRAMMER || st == IW_TIMEOUT)
		return st;          /* gone or hung: nothing to ask */
	if (known != NULL)
		s = *known;
	else if (dfu_get_status(a, &s, what, &ignored) != IW_OK || s.status == ATMEL_DFU_OK)
		return st;          /* keep the transfer's own error */
	dfu_out(a, ATMEL_DFU_CLRSTATUS, NULL, 0, DFU_TIMEOUT_MS, what, &ignored);
	return iw_error_set(err, IW_PROTOCOL, "%s: the bootloader reports %s%s%s", what,
			    status_text(s.status), advice != NULL ? "; " : "",
			    advice != NULL ? advice : "");
}

/* What a person does about a status after a write (`stalled`: the device
 * refused the command itself) or a read. */
static const char *
advice_for(uint8_t status, bool writing, bool stalled)
{
	switch (status) {
	case ATMEL_DFU_ERR_FILE:
		return "the chip's security bit is set: the bootloader reads nothing back "
		       "until a chip erase clears it, so erase first (`ispwiz upload` erases "
		       "before it writes)";
	case ATMEL_DFU_ERR_WRITE:
		if (stalled)
			return "the chip's security bit is set: the bootloader writes nothing "
			       "until a chip erase clears it, so erase first (`ispwiz upload` "
			       "erases before it writes)";
		return writing ? "run the upload again (it erases first); if it fails at the "
				 "same place again, the flash may be worn out" :
				 "run the upload again";
	case ATMEL_DFU_ERR_ADDRESS:
		return "the block lies where the bootloader does not write: its own section "
		       "may start lower than the catalog says (check the fuses: `ispwiz read "
		       "--identify` over ISP)";
	case ATMEL_DFU_ERR_STALLEDPKT:
		return "start the bootloader again (replug the board, or reset it) and retry";
	default:
		return "run the upload again; if it fails the same way, replug the board and "
		       "start the bootloader again";
	}
}

/* The 64 KiB page that `addr` lies in. */
static enum iw_status
dfu_select(struct atmel_dfu *a, uint32_t addr, struct iw_error *err)
{
	int page = (int)(addr / ATMEL_DFU_PAGE_SIZE);
	uint8_t cmd[4] = { ATMEL_DFU_SELECT, ATMEL_DFU_SELECT_MEMORY, ATMEL_DFU_SELECT_PAGE,
			   (uint8_t)page };
	char what[64];
	enum iw_status st;

	if (page == a->page)
		return IW_OK;
	snprintf(what, sizeof what, "selecting the 64 KiB page %d", page);
	if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) != IW_OK)
		return dfu_explain(a, st, NULL, what, NULL, err);
	a->page = page;
	return IW_OK;
}

/* dfuIDLE with status OK, from wherever the last host left it. */
static enum iw_status
dfu_make_idle(struct atmel_dfu *a, struct iw_error *err)
{
	const char *what = "getting the bootloader ready";
	struct dfu_status s = { 0, 0, 0 };
	enum iw_status st;

	for (int i = 0; i < DFU_IDLE_TRIES; i++) {
		if ((st = dfu_get_status(a, &s, what, err)) != IW_OK) {
			if (st == IW_NO_PROGRAMMER || st == IW_TIMEOUT)
				return st;
			dfu_out(a, ATMEL_DFU_CLRSTATUS, NULL, 0, DFU_TIMEOUT_MS, what, err);
			continue;
		}
		if (s.state == ATMEL_DFU_IDLE && s.status == ATMEL_DFU_OK)
			return IW_OK;
		if (s.state == ATMEL_DFU_APP_IDLE || s.state == ATMEL_DFU_APP_DETACH)
			return iw_error_set(err, IW_PROTOCOL, "%s: the device is running its "
					    "application, not the bootloader; start the "
					    "bootloader (hold HWB low while resetting, or the "
					    "keyboard's reset key) and retry", what);
		if (s.state == ATMEL_DFU_DNBUSY)
			iw_sleep_ms(s.poll_ms < DFU_POLL_MAX_MS ? s.poll_ms + 1 : DFU_POLL_MAX_MS);
		else if (s.state == ATMEL_DFU_ERROR || s.status != ATMEL_DFU_OK)
			st = dfu_out(a, ATMEL_DFU_CLRSTATUS, NULL, 0, DFU_TIMEOUT_MS, what, err);
		else
			st = dfu_out(a, ATMEL_DFU_ABORT, NULL, 0, DFU_TIMEOUT_MS, what, err);
		if (st == IW_NO_PROGRAMMER || st == IW_TIMEOUT)
			return st;
	}
	return iw_error_set(err, IW_PROTOCOL, "%s: it stays in DFU state %u (status %s) "
			    "whatever it is told; replug the board, start the bootloader again "
			    "and retry", what, s.state, status_text(s.status));
}

/* A DISPLAY command (read, blank check) for the `n` bytes from `addr`
 * inside its 64 KiB page. */
static void
range_cmd(uint8_t cmd[6], uint8_t what, uint32_t addr, uint32_t n)
{
	uint32_t lo = addr % ATMEL_DFU_PAGE_SIZE, end = lo + n - 1;

	cmd[0] = ATMEL_DFU_DISPLAY;
	cmd[1] = what;
	cmd[2] = (uint8_t)(lo >> 8);
	cmd[3] = (uint8_t)lo;
	cmd[4] = (uint8_t)(end >> 8);
	cmd[5] = (uint8_t)end;
}

/* One configuration byte: 05 BANK INDEX, then an UPLOAD of one byte. */
static enum iw_status
dfu_config(struct atmel_dfu *a, uint8_t bank, uint8_t index, uint8_t *v, struct iw_error *err)
{
	const uint8_t cmd[3] = { ATMEL_DFU_READ_CONFIG, bank, index };
	char what[64];
	enum iw_status st;

	snprintf(what, sizeof what, "reading the bootloader's byte 0x%02X 0x%02X", bank, index);
	if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) != IW_OK ||
	    (st = dfu_upload(a, v, 1, what, err)) != IW_OK)
		return dfu_explain(a, st, NULL, what, NULL, err);
	return IW_OK;
}

/* Read [addr, addr+len) in commands and UPLOADs of up to 1 KiB that stay in
 * one 64 KiB page. */
static enum iw_status
dfu_read_range(struct atmel_dfu *a, uint32_t addr, uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	enum iw_status st;

	while (len > 0) {
		uint32_t room = ATMEL_DFU_PAGE_SIZE - addr % ATMEL_DFU_PAGE_SIZE;
		uint32_t n = len < DFU_BLOCK ? len : DFU_BLOCK;
		uint8_t cmd[6];
		char what[64];

		if (n > room)
			n = room;
		range_cmd(cmd, ATMEL_DFU_DISPLAY_FLASH, addr, n);
		snprintf(what, sizeof what, "reading 0x%05X-0x%05X", addr, addr + n - 1);
		if ((st = dfu_select(a, addr, err)) != IW_OK)
			return st;
		if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) != IW_OK ||
		    (st = dfu_upload(a, buf, (uint16_t)n, what, err)) != IW_OK) {
			struct dfu_status s;
			struct iw_error ignored;

			if (st == IW_NO_PROGRAMMER || st == IW_TIMEOUT ||
			    dfu_get_status(a, &s, what, &ignored) != IW_OK || s.status == ATMEL_DFU_OK)
				return st;
			return dfu_explain(a, st, &s, what, advice_for(s.status, false, true),
					   err);
		}
		addr += n;
		buf += n;
		len -= n;
	}
	return IW_OK;
}

/* --- where the bootloader's own section starts ------------------------------------- */

static enum iw_status
dfu_app_end(const struct catalog *cat, const struct catalog_part *part, uint32_t *end,
	    struct iw_error *err)
{
	bool found = false;

	*end = UINT32_MAX;
	for (size_t i = 0; cat != NULL && i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];

		if (bl->family == NULL || strcmp(bl->family, "atmel-dfu") != 0 ||
		    bl->part == NULL || strcmp(bl->part, part->id) != 0)
			continue;
		/* The known files: the lowest boot start of any of them. */
		for (size_t k = 0; k < bl->n_identities; k++)
			if (bl->identities[k].has_boot && bl->identities[k].boot.start < *end) {
				*end = bl->identities[k].boot.start;
				found = true;
			}
		/* Else the section its fuse preset selects. */
		for (size_t k = 0; !found && k < bl->n_presets; k++) {
			const struct boot_section *sec;

			if (!bl->presets[k].has_fuse[FUSE_HIGH])
				continue;
			sec = fuses_bootsz(part, bl->presets[k].fuse[FUSE_HIGH]);
			if (sec != NULL && sec->start_word * 2u < *end)
				*end = sec->start_word * 2u;
		}
		found = found || *end != UINT32_MAX;
	}
	if (found && *end > 0 && *end <= part->flash_size)
		return IW_OK;
	return iw_error_set(err, IW_NOT_FOUND, "the catalog has no Atmel DFU bootloader for the "
			    "%s, so ispwiz does not know where the bootloader's own section "
			    "starts and writes nothing; add an atmel-dfu entry for the part to "
			    "the catalog (ispwiz-catalog(5))", catalog_part_label(part));
}

/* --- the client ------------------------------------------------------------------------ */

static void
add_id(struct usb_want *w, struct catalog_usb_id id)
{
	for (size_t k = 0; k < w->n_ids; k++)
		if (w->ids[k].vid == id.vid && w->ids[k].pid == id.pid)
			return;
	if (w->n_ids < USB_MAX_IDS)
		w->ids[w->n_ids++] = id;
}

/* The IDs it may have: the caller's, the catalog's Atmel DFU entries',
 * and Atmel's own. */
static void
want_ids(struct usb_want *w, const struct boot_options *opt)
{
	const struct catalog *cat = opt->catalog;

	memset(w, 0, sizeof *w);
	w->name = "Atmel DFU bootloader";
	for (size_t i = 0; i < opt->n_usb_ids; i++)
		add_id(w, opt->usb_ids[i]);
	for (size_t i = 0; cat != NULL && i < cat->n_bootloaders; i++)
		if (cat->bootloaders[i].family != NULL &&
		    strcmp(cat->bootloaders[i].family, "atmel-dfu") == 0)
			add_id(w, cat->bootloaders[i].usb_id);
	for (size_t i = 0; i < N_DFU_IDS; i++)
		add_id(w, dfu_ids[i]);
}

/* Whether the flash reads back: a refusal (errFILE) is the security bit. */
static enum iw_status
dfu_probe_security(struct atmel_dfu *a, struct iw_error *err)
{
	const uint8_t cmd[6] = { ATMEL_DFU_DISPLAY, ATMEL_DFU_DISPLAY_FLASH, 0, 0, 0, 0 };
	const char *what = "reading the first byte of flash";
	struct iw_error ignored;
	struct dfu_status s;
	enum iw_status st;
	uint8_t v;

	if ((st = dfu_select(a, 0, err)) != IW_OK)
		return st;
	if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) == IW_OK &&
	    (st = dfu_upload(a, &v, 1, what, err)) == IW_OK)
		return IW_OK;
	if (st == IW_NO_PROGRAMMER || st == IW_TIMEOUT ||
	    dfu_get_status(a, &s, what, &ignored) != IW_OK)
		return st;
	if (s.status != ATMEL_DFU_ERR_FILE)
		return dfu_explain(a, st, &s, what, advice_for(s.status, false, true), err);
	a->secured = true;
	return dfu_out(a, ATMEL_DFU_CLRSTATUS, NULL, 0, DFU_TIMEOUT_MS, what, err);
}

static enum iw_status
dfu_open(struct boot *b, const struct boot_options *opt, struct iw_error *err)
{
	struct atmel_dfu *a;
	const struct catalog_part *part;
	struct usb_want want;
	uint8_t version;
	enum iw_status st;

	if (opt->part == NULL)
		return iw_error_set(err, IW_USAGE, "an upload through an Atmel DFU bootloader "
				    "needs the part: give -p PART");
	if ((a = calloc(1, sizeof *a)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the Atmel DFU bootloader");
	a->page = -1;
	want_ids(&want, opt);
	if ((st = usb_link_open(&a->link, &want, opt->port, err)) != IW_OK)
		goto fail_free;
	if ((st = usb_link_claim(&a->link, ATMEL_DFU_INTERFACE, err)) != IW_OK ||
	    (st = dfu_make_idle(a, err)) != IW_OK ||
	    (st = dfu_config(a, ATMEL_DFU_CFG_BOOTLOADER, ATMEL_DFU_CFG_VERSION, &version,
			     err)) != IW_OK ||
	    (st = dfu_config(a, ATMEL_DFU_CFG_SIGNATURE, ATMEL_DFU_CFG_SIG1,
			     &b->info.signature[0], err)) != IW_OK ||
	    (st = dfu_config(a, ATMEL_DFU_CFG_SIGNATURE, ATMEL_DFU_CFG_SIG2,
			     &b->info.signature[1], err)) != IW_OK ||
	    (st = dfu_config(a, ATMEL_DFU_CFG_SIGNATURE, ATMEL_DFU_CFG_SIG3,
			     &b->info.signature[2], err)) != IW_OK)
		goto fail;
	b->info.have_signature = true;
	part = opt->catalog != NULL ?
	       catalog_find_part_by_signature(opt->catalog, b->info.signature) : NULL;
	if (part == NULL)
		part = opt->part;
	/* Another part than -p: the job refuses it by the signature; the
	 * section is only needed for the part it is. */
	if ((st = dfu_app_end(opt->catalog, part, &b->info.app_end, err)) != IW_OK &&
	    part == opt->part)
		goto fail;
	if (st != IW_OK)
		b->info.app_end = part->flash_size;
	/* Up to 64 KiB there is only page 0; above, a page is selected
	 * before the first command that addresses flash. */
	if (part->flash_size <= ATMEL_DFU_PAGE_SIZE)
		a->page = 0;
	if ((st = dfu_probe_security(a, err)) != IW_OK)
		goto fail;
	b->priv = a;
	b->info.part = part;
	b->info.flash_size = part->flash_size;
	b->info.block_size = DFU_BLOCK;
	b->info.can_read = true;
	b->info.explicit_erase = true;
	b->info.first_block_erases = false;
	snprintf(b->info.name, sizeof b->info.name, "Atmel DFU");
	snprintf(b->info.version, sizeof b->info.version, "version 0x%02X", version);
	snprintf(b->info.where, sizeof b->info.where, "USB %s%s", a->link.bus_path,
		 a->secured ? " (its security bit is set: it reads nothing back until the "
		 "erase, which clears the bit)" : "");
	return IW_OK;

fail:
	usb_link_close(&a->link);
fail_free:
	free(a);
	return st;
}

static void
dfu_close(struct boot *b)
{
	struct atmel_dfu *a = dfu_of(b);

	if (a == NULL)
		return;
	usb_link_close(&a->link);
	free(a);
	b->priv = NULL;
}

/* The application area is blank: a blank check per 64 KiB page. */
static enum iw_status
dfu_blank_check(struct atmel_dfu *a, uint32_t end, struct iw_error *err)
{
	for (uint32_t addr = 0; addr < end;) {
		uint32_t n = end - addr, room = ATMEL_DFU_PAGE_SIZE - addr % ATMEL_DFU_PAGE_SIZE;
		uint8_t cmd[6], where[ATMEL_DFU_BLANK_ADDR_LEN];
		const char *what = "checking that the erase took";
		struct dfu_status s;
		enum iw_status st;

		if (n > room)
			n = room;
		range_cmd(cmd, ATMEL_DFU_DISPLAY_BLANK, addr, n);
		if ((st = dfu_select(a, addr, err)) != IW_OK)
			return st;
		if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) != IW_OK)
			return dfu_explain(a, st, NULL, what, NULL, err);
		if ((st = dfu_get_status(a, &s, what, err)) != IW_OK)
			return st;
		if (s.status == ATMEL_DFU_ERR_CHECK_ERASED) {
			struct iw_error ignored;
			uint32_t at = addr - addr % ATMEL_DFU_PAGE_SIZE;

			if (dfu_upload(a, where, sizeof where, what, &ignored) == IW_OK)
				at += (uint32_t)(where[0] | where[1] << 8);
			dfu_out(a, ATMEL_DFU_CLRSTATUS, NULL, 0, DFU_TIMEOUT_MS, what, &ignored);
			return iw_error_set(err, IW_PROTOCOL, "%s: the bootloader says the "
					    "application area still holds data at 0x%05X after "
					    "the erase; run the upload again, and if it fails the "
					    "same way the chip's flash is damaged", what, at);
		}
		if (s.status != ATMEL_DFU_OK)
			return dfu_explain(a, IW_PROTOCOL, &s, what, NULL, err);
		addr += n;
	}
	return IW_OK;
}

static enum iw_status
dfu_erase(struct boot *b, struct iw_error *err)
{
	struct atmel_dfu *a = dfu_of(b);
	const uint8_t cmd[3] = { ATMEL_DFU_WRITE, ATMEL_DFU_WRITE_ERASE, ATMEL_DFU_ERASE_ALL };
	const char *what = "erasing the application area";
	uint64_t t0 = iw_clock_ms();
	struct dfu_status s;
	enum iw_status st;

	if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) != IW_OK)
		return dfu_explain(a, st, NULL, what, NULL, err);
	for (;;) {
		if ((st = dfu_get_status(a, &s, what, err)) != IW_OK)
			return st;
		if (s.status != ATMEL_DFU_OK)
			return dfu_explain(a, IW_PROTOCOL, &s, what, NULL, err);
		if (s.state != ATMEL_DFU_DNBUSY)
			break;
		if (iw_clock_ms() - t0 > DFU_ERASE_MAX_MS)
			return iw_error_set(err, IW_TIMEOUT, "%s: the bootloader is still busy "
					    "after %u s; replug the board, start the bootloader "
					    "again and retry", what, DFU_ERASE_MAX_MS / 1000u);
		/* As long as it asks, at least 1 ms, at most a second. */
		iw_sleep_ms(s.poll_ms == 0 ? 1 : s.poll_ms < DFU_POLL_MAX_MS ? s.poll_ms :
			    DFU_POLL_MAX_MS);
	}
	a->secured = false;
	return dfu_blank_check(a, b->info.app_end, err);
}

static enum iw_status
dfu_write(struct boot *b, uint32_t addr, const uint8_t *data, uint32_t len,
	  struct iw_error *err)
{
	struct atmel_dfu *a = dfu_of(b);
	uint32_t n = len, lo = addr % ATMEL_DFU_PAGE_SIZE, fill = lo % ATMEL_DFU_ALIGN;
	uint8_t *m = a->msg, *suffix;
	struct dfu_status s;
	char what[64];
	enum iw_status st;

	/* The job pads the last block with 0xFF: what lies past the end of
	 * the application area is padding, and is not sent. */
	if (addr + n > b->info.app_end) {
		for (uint32_t i = b->info.app_end > addr ? b->info.app_end - addr : 0; i < n; i++)
			if (data[i] != 0xFF)
				return iw_error_set(err, IW_RANGE, "the block at 0x%05X reaches "
						    "0x%05X, the bootloader's own section; nothing "
						    "of it was written", addr, b->info.app_end);
		n = b->info.app_end > addr ? b->info.app_end - addr : 0;
	}
	if (n == 0)
		return IW_OK;
	if (n > DFU_BLOCK || lo + n > ATMEL_DFU_PAGE_SIZE)
		return iw_error_set(err, IW_USAGE, "Atmel DFU: a block of %u bytes at 0x%05X "
				    "does not fit one command", n, addr);
	snprintf(what, sizeof what, "writing 0x%05X-0x%05X", addr, addr + n - 1);
	if ((st = dfu_select(a, addr, err)) != IW_OK)
		return st;
	memset(m, 0, ATMEL_DFU_CONTROL_BLOCK + fill);
	m[0] = ATMEL_DFU_PROG_START;
	m[1] = ATMEL_DFU_MEM_FLASH;
	m[2] = (uint8_t)(lo >> 8);
	m[3] = (uint8_t)lo;
	m[4] = (uint8_t)((lo + n - 1) >> 8);
	m[5] = (uint8_t)(lo + n - 1);
	memcpy(m + ATMEL_DFU_CONTROL_BLOCK + fill, data, n);
	/* The DFU file suffix, which the bootloader ignores: bcdDevice,
	 * idProduct, idVendor (0xFFFF: any), bcdDFU 1.00, "UFD", its length,
	 * and a CRC it does not check. */
	suffix = m + ATMEL_DFU_CONTROL_BLOCK + fill + n;
	memset(suffix, 0xFF, 6);
	suffix[6] = 0x00;
	suffix[7] = 0x01;
	suffix[8] = 'U';
	suffix[9] = 'F';
	suffix[10] = 'D';
	suffix[11] = ATMEL_DFU_SUFFIX;
	memset(suffix + 12, 0, 4);
	st = dfu_out(a, ATMEL_DFU_DNLOAD, m, (uint16_t)(suffix + ATMEL_DFU_SUFFIX - m),
		     DFU_WRITE_TIMEOUT_MS, what, err);
	if (st != IW_OK) {
		struct iw_error ignored;

		/* Refused outright (a stall): ask why. */
		if (st == IW_NO_PROGRAMMER || st == IW_TIMEOUT ||
		    dfu_get_status(a, &s, what, &ignored) != IW_OK || s.status == ATMEL_DFU_OK)
			return st;
		return dfu_explain(a, st, &s, what, advice_for(s.status, true, true), err);
	}
	if ((st = dfu_get_status(a, &s, what, err)) != IW_OK)
		return st;
	if (s.status != ATMEL_DFU_OK)
		return dfu_explain(a, IW_PROTOCOL, &s, what, advice_for(s.status, true, false),
				   err);
	return IW_OK;
}

static enum iw_status
dfu_read(struct boot *b, uint32_t addr, uint8_t *buf, uint32_t len, struct iw_error *err)
{
	return dfu_read_range(dfu_of(b), addr, buf, len, err);
}

static enum iw_status
dfu_start(struct boot *b, struct iw_error *err)
{
	struct atmel_dfu *a = dfu_of(b);
	const uint8_t cmd[5] = { ATMEL_DFU_WRITE, ATMEL_DFU_WRITE_START, ATMEL_DFU_START_JUMP,
				 0x00, 0x00 };
	const char *what = "starting the application";
	enum iw_status st;

	if ((st = dfu_command(a, cmd, sizeof cmd, what, err)) != IW_OK)
		return dfu_explain(a, st, NULL, what, NULL, err);
	st = dfu_out(a, ATMEL_DFU_DNLOAD, NULL, 0, DFU_TIMEOUT_MS, what, err);
	/* The device leaves the bus as it starts the application; that it
	 * went is no failure. */
	return st == IW_NO_PROGRAMMER ? IW_OK : st;
}

const struct boot_driver boot_atmel_dfu_driver = {
	.name = "atmel-dfu",
	.title = "Atmel DFU",
	.transport = CATALOG_TRANSPORT_USB,
	.family = "atmel-dfu",
	.ids = dfu_ids,
	.n_ids = N_DFU_IDS,
	.how_to_enter = "hold the board's HWB low (often a button) while pressing reset, "
			"or use the keyboard's reset key",
	.open = dfu_open,
	.close = dfu_close,
	.erase = dfu_erase,
	.write = dfu_write,
	.read = dfu_read,
	.start_app = dfu_start,
};
