/*
 * boot-sim.c - the demo's simulated bootloader (boot-sim.h).  The demo
 * ISP-flashes a simulated chip; when the wizard then uploads the keyboard's
 * firmware "through the new bootloader", that bootloader is this client
 * acting on the same chip, so the upload job runs its real order (part
 * check, fit below the bootloader's section, erase, write, verify, start)
 * and nothing waits for a device that cannot exist.
 *
 * What a real bootloader would refuse, this one refuses too: a chip whose
 * boot section is blank has no bootloader to upload through.  BOOTRST is
 * not looked at: Atmel DFU's presets leave it unprogrammed and enter the
 * bootloader by the HWB pin.
 */
#include "boot/boot-sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/fuses.h"
#include "sim/sim-target.h"

struct sim_boot {
	struct sim_target *chip;
	char path[4096];
	unsigned pace_page_us;
	bool dirty;                  /* written since the last save */
};

static struct sim_boot *
sb_of(struct boot *b)
{
	return b->priv;
}

static bool
all_blank(const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

/* Where the chip's bootloader section starts, from its high fuse; IW_INPUT
 * when the chip could not start a bootloader at all. */
static enum iw_status
own_section(struct sim_boot *s, const struct catalog_part *part, uint32_t *start,
	    struct iw_error *err)
{
	uint8_t hfuse = sim_target_fuse(s->chip, FUSE_HIGH);

	if (!fuses_boot_start_byte(part, hfuse, start))
		return iw_error_set(err, IW_INPUT, "the simulated %s has no boot section "
				    "(high fuse 0x%02X): there is no bootloader to upload "
				    "through", catalog_part_label(part), hfuse);
	if (all_blank(sim_target_flash(s->chip) + *start, part->flash_size - *start))
		return iw_error_set(err, IW_INPUT, "the simulated %s's boot section (from "
				    "0x%05X) is blank: there is no bootloader to upload through; "
				    "flash one first", catalog_part_label(part), *start);
	return IW_OK;
}

static enum iw_status
sb_open(struct boot *b, const struct boot_options *opt, struct iw_error *err)
{
	const struct catalog_part *part = opt->part;
	struct sim_target_options topts;
	struct sim_boot *s;
	enum iw_status st;
	uint32_t start = 0;

	if (part == NULL || opt->port == NULL)
		return iw_error_set(err, IW_USAGE, "the simulated bootloader needs the chip's "
				    "part and state file");
	if ((s = calloc(1, sizeof *s)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the simulated "
				    "bootloader");
	memset(&topts, 0, sizeof topts);
	snprintf(s->path, sizeof s->path, "%s", opt->port);
	s->pace_page_us = opt->pace_page_us;
	if ((s->chip = sim_target_new(part, &topts, err)) == NULL) {
		st = err->code;
		goto fail;
	}
	if ((st = sim_target_load(s->chip, s->path, err)) != IW_OK ||
	    (st = own_section(s, part, &start, err)) != IW_OK)
		goto fail;
	b->priv = s;
	b->info.part = part;
	b->info.have_signature = true;
	memcpy(b->info.signature, sim_target_part(s->chip)->signature, 3);
	b->info.flash_size = part->flash_size;
	b->info.block_size = part->page_size;
	b->info.app_end = start;
	b->info.can_read = true;
	b->info.explicit_erase = true;
	snprintf(b->info.name, sizeof b->info.name, "the simulated bootloader");
	snprintf(b->info.where, sizeof b->info.where, "the demo's simulated chip");
	return IW_OK;
fail:
	iw_error_prefix(err, "opening the simulated bootloader");
	sim_target_free(s->chip);
	free(s);
	return st;
}

static enum iw_status
save(struct sim_boot *s, struct iw_error *err)
{
	enum iw_status st = sim_target_save(s->chip, s->path, err);

	if (st == IW_OK)
		s->dirty = false;
	return st;
}

static void
sb_close(struct boot *b)
{
	struct sim_boot *s = sb_of(b);
	struct iw_error err;

	if (s == NULL)
		return;
	/* A job that stopped half-way leaves the chip half-written, as a real
	 * one would; the error has been said already. */
	if (s->dirty)
		save(s, &err);
	sim_target_free(s->chip);
	free(s);
	b->priv = NULL;
}

static enum iw_status
sb_erase(struct boot *b, struct iw_error *err)
{
	struct sim_boot *s = sb_of(b);
	uint32_t n = b->info.app_end;
	uint8_t *ff = malloc(n > 0 ? n : 1);
	enum iw_status st;

	if (ff == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory erasing");
	memset(ff, 0xFF, n);
	st = sim_target_preload_flash(s->chip, 0, ff, n, err);
	free(ff);
	s->dirty = true;
	return st;
}

static enum iw_status
sb_write(struct boot *b, uint32_t addr, const uint8_t *data, uint32_t len,
	 struct iw_error *err)
{
	struct sim_boot *s = sb_of(b);

	/* The upload job never asks for this; a bootloader would ignore it. */
	if (addr + len > b->info.app_end)
		return iw_error_set(err, IW_RANGE, "block at 0x%05X reaches the bootloader's own "
				    "section (0x%05X)", addr, b->info.app_end);
	if (s->pace_page_us > 0)
		iw_sleep_ms((s->pace_page_us + 999u) / 1000u);
	s->dirty = true;
	return sim_target_preload_flash(s->chip, addr, data, len, err);
}

static enum iw_status
sb_read(struct boot *b, uint32_t addr, uint8_t *buf, uint32_t len, struct iw_error *err)
{
	struct sim_boot *s = sb_of(b);

	if (addr + len > b->info.flash_size)
		return iw_error_set(err, IW_RANGE, "read at 0x%05X past the end of flash", addr);
	memcpy(buf, sim_target_flash(s->chip) + addr, len);
	return IW_OK;
}

static enum iw_status
sb_start_app(struct boot *b, struct iw_error *err)
{
	return save(sb_of(b), err);
}

const struct boot_driver boot_sim_driver = {
	.name = "sim",
	.title = "the demo's simulated bootloader",
	.transport = CATALOG_TRANSPORT_SIM,
	.how_to_enter = "nothing to do: the demo's simulated chip is always in its bootloader",
	.open = sb_open,
	.close = sb_close,
	.erase = sb_erase,
	.write = sb_write,
	.read = sb_read,
	.start_app = sb_start_app,
};
