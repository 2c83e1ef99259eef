/*
 * station-fixture.h - what the station tests (test-station,
 * test-station-lanes) share: a private scratch directory for the board
 * scripts and the log, and the plan every board runs - a 1792-byte
 * bootloader at the ATmega32U4's 4 KiB boot section with Caterina's fuses,
 * on the simulated programmer, without questions.
 *
 * Header-only (static functions), like engine-fixture.h, which it builds on.
 */
#ifndef ISPWIZ_TESTS_STATION_FIXTURE_H
#define ISPWIZ_TESTS_STATION_FIXTURE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/hex-image.h"
#include "job/station.h"
#include "engine-fixture.h"

/* Where the bootloader goes and how long it is. */
#define SFX_BOOT_ADDR 0x7000u
#define SFX_BOOT_LEN  0x700u

/* The byte the fixture's image holds at `addr`: a pattern no erased or
 * half-written flash has, so a read-back proves the write. */
static uint8_t
sfx_pattern(uint32_t addr)
{
	return (uint8_t)(addr * 7u + 3u);
}

/* Make "$TMPDIR/ispwiz-<name>-XXXXXX" into `dir` (/tmp when TMPDIR is unset
 * or so long that the paths built inside it would not fit the tests'
 * buffers).  Returns 0, or -1 with a message on stderr. */
static int
sfx_make_dir(char *dir, size_t size, const char *name)
{
	const char *tmp = getenv("TMPDIR");

	if (tmp == NULL || strlen(tmp) >= 30)
		tmp = "/tmp";
	snprintf(dir, size, "%s/ispwiz-%s-XXXXXX", tmp, name);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return -1;
	}
	return 0;
}

/* Fill `sp` with the fixture's bootloader job; `*img` gets the image, which
 * the caller frees with hex_image_free() after the plan is done with.
 * Returns 0, or -1 (nothing to free) when the image cannot be built. */
static int
sfx_bootloader_plan(struct station_plan *sp, struct hex_image **img)
{
	uint8_t buf[SFX_BOOT_LEN];

	for (uint32_t i = 0; i < sizeof buf; i++)
		buf[i] = sfx_pattern(SFX_BOOT_ADDR + i);
	if ((*img = hex_image_new()) == NULL)
		return -1;
	if (hex_image_put(*img, SFX_BOOT_ADDR, buf, sizeof buf, "boot.hex", 1, NULL) != IW_OK) {
		hex_image_free(*img);
		*img = NULL;
		return -1;
	}
	station_plan_init(sp);
	sp->job.catalog = &fx_catalog;
	sp->job.programmer = catalog_find_programmer(&fx_catalog, "sim");
	sp->job.part = fx_part("atmega32u4");
	sp->job.image = *img;
	sp->job.image_is_bootloader = true;
	fuse_set_put(&sp->job.fuses, FUSE_LOW, 0xFF);
	fuse_set_put(&sp->job.fuses, FUSE_HIGH, 0xD8);
	fuse_set_put(&sp->job.fuses, FUSE_EXT, 0xCB);
	sp->job.yes = true;
	return 0;
}

/* Both of the above, and the log's path inside the directory: what every
 * station test's setup does first.  Returns 0, or -1 with nothing left to
 * clean up. */
static int
sfx_setup(char *dir, size_t dir_size, const char *name, char *log, size_t log_size,
	  struct station_plan *sp, struct hex_image **img)
{
	if (sfx_make_dir(dir, dir_size, name) != 0)
		return -1;
	if (sfx_bootloader_plan(sp, img) != 0) {
		rmdir(dir);
		return -1;
	}
	snprintf(log, log_size, "%s/station.log", dir);
	return 0;
}

#endif
