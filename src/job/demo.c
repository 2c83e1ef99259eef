/*
 * demo.c - the demo's simulated chip and stand-in image (demo.h).  We never ship third-party bootloader binaries, so the
 * stand-in is generated here, labelled as such in its name and its first
 * bytes, and sized and placed like the real one (4 KiB at 0x7000).
 *
 * The simulator answers instantly; a demo that finishes before anyone can
 * see a progress bar shows nothing, so its jobs ask for the pacing
 * decorator (prog-pace.c) to make reads and page writes take about as long
 * as on a USBasp.  --demo-slow makes that ten times slower, which is what
 * lets tests cancel or resize mid-flash.
 */
#include "job/demo.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim/sim-target.h"

#define DEMO_IMAGE_START 0x7000u
#define DEMO_IMAGE_SIZE  4096u
#define DEMO_LABEL "ispwiz demo stand-in, NOT a bootloader. "
/* The keyboard firmware the demo uploads through its simulated bootloader
 * on the Keyboard step: where QMK's builds start, about as big as a small
 * one (a real QMK build is 15-28 KiB; this keeps the bar short). */
#define DEMO_FIRMWARE_START 0x0000u
#define DEMO_FIRMWARE_SIZE  6144u
#define DEMO_FIRMWARE_LABEL "ispwiz demo stand-in, NOT a keyboard firmware. "

/* Pacing: about what a USBasp manages (~40 KiB/s reading, ~20 ms a page
 * with its USB round trips). */
#define PACE_READ_NS_PER_BYTE 25000u
#define PACE_PAGE_US          20000u
#define PACE_SLOW_FACTOR      10u

struct demo {
	char dir[1024];
	char state[1200];
	char image[1200];
	char firmware[1200];
	char backups[1200];
	bool slow;
	const struct catalog *cat;
};

/* --- setting up ---------------------------------------------------------------------- */

static enum iw_status
make_chip(struct demo *d, const struct catalog_part *part, struct iw_error *err)
{
	struct sim_target_options o;
	struct sim_target *t;
	enum iw_status st;

	memset(&o, 0, sizeof o);
	o.has_fuses = true;
	o.fuses[FUSE_LOW] = 0xFF;    /* Caterina's: external crystal, no CKDIV8 */
	o.fuses[FUSE_HIGH] = 0xD8;   /* 4 KiB boot section, BOOTRST */
	o.fuses[FUSE_EXT] = 0xCB;    /* brown-out at 2.6 V, as chips read it back */
	if ((t = sim_target_new(part, &o, err)) == NULL)
		return err->code;
	st = sim_target_save(t, d->state, err);
	sim_target_free(t);
	return st;
}

/* A labelled stand-in of `size` bytes at `start` into `path`. */
static enum iw_status
make_stand_in(uint32_t start, uint32_t size, const char *what, const char *path,
	      struct iw_error *err)
{
	uint8_t data[DEMO_FIRMWARE_SIZE > DEMO_IMAGE_SIZE ? DEMO_FIRMWARE_SIZE : DEMO_IMAGE_SIZE];
	struct hex_image *img = hex_image_new();
	size_t label = strlen(what);
	enum iw_status st;

	if (img == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory making the demo's files");
	/* The label repeats at the start of every page, so no page is blank
	 * and a look at any part of the file says what it is. */
	for (uint32_t i = 0; i < size; i++)
		data[i] = (uint8_t)(i * 37u + 11u + start);
	for (uint32_t page = 0; page < size; page += 128)
		memcpy(data + page, what, label < 128 ? label : 128);
	st = hex_image_put(img, start, data, size, "demo", 0, err);
	if (st == IW_OK)
		st = hex_image_write_file(img, path, err);
	hex_image_free(img);
	return st;
}

struct demo *
demo_new(const struct catalog *cat, bool slow, struct iw_error *err)
{
	const struct catalog_part *part = catalog_find_part(cat, DEMO_PART);
	const char *tmp = getenv("TMPDIR");
	struct demo *d;

	if (part == NULL || catalog_find_programmer(cat, DEMO_PROGRAMMER) == NULL ||
	    catalog_find_bootloader(cat, DEMO_BOOTLOADER) == NULL) {
		iw_error_set(err, IW_CATALOG, "the catalog lacks the demo's entries "
			     "(programmer '%s', part '%s', bootloader '%s'); check "
			     "--catalog or reinstall", DEMO_PROGRAMMER, DEMO_PART,
			     DEMO_BOOTLOADER);
		return NULL;
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory starting the demo");
		return NULL;
	}
	d->cat = cat;
	d->slow = slow;
	snprintf(d->dir, sizeof d->dir, "%s/ispwiz-demo.XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(d->dir) == NULL) {
		iw_error_set(err, IW_IO, "cannot make a temporary folder for the demo in %s "
			     "(set TMPDIR to a writable folder)", tmp != NULL ? tmp : "/tmp");
		free(d);
		return NULL;
	}
	snprintf(d->state, sizeof d->state, "%s/simulated-chip.json", d->dir);
	snprintf(d->image, sizeof d->image, "%s/demo-stand-in-NOT-A-BOOTLOADER.hex", d->dir);
	snprintf(d->firmware, sizeof d->firmware, "%s/demo-stand-in-NOT-A-KEYBOARD-FIRMWARE.hex",
		 d->dir);
	snprintf(d->backups, sizeof d->backups, "%s/backups", d->dir);
	if (make_chip(d, part, err) != IW_OK ||
	    make_stand_in(DEMO_IMAGE_START, DEMO_IMAGE_SIZE, DEMO_LABEL, d->image, err) != IW_OK ||
	    make_stand_in(DEMO_FIRMWARE_START, DEMO_FIRMWARE_SIZE, DEMO_FIRMWARE_LABEL,
			  d->firmware, err) != IW_OK) {
		iw_error_prefix(err, "setting up the demo");
		demo_free(d);
		return NULL;
	}
	return d;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void
demo_free(struct demo *d)
{
	if (d == NULL)
		return;
	/* Everything in the folder is the demo's own (chip, stand-in, backups). */
	nftw(d->dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	free(d);
}

const char *
demo_image_path(const struct demo *d)
{
	return d->image;
}

const char *
demo_firmware_path(const struct demo *d)
{
	return d->firmware;
}

const char *
demo_backup_dir(const struct demo *d)
{
	return d->backups;
}

void
demo_apply(const struct demo *d, struct job_plan *plan)
{
	unsigned factor = d->slow ? PACE_SLOW_FACTOR : 1u;

	/* The job opens the simulator on the demo's chip and saves it when it
	 * closes, which is what lets the next step see what this one wrote.
	 * An upload job (the Keyboard step) goes through the simulated
	 * bootloader on that chip (boot-sim.c) instead of a device on USB. */
	plan->sim_state = d->state;
	plan->pace_read_ns_per_byte = PACE_READ_NS_PER_BYTE * factor;
	plan->pace_page_us = PACE_PAGE_US * factor;
}
