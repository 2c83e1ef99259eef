/*
 * demo.h - what `ispwiz --demo` runs against, without any hardware: the
 * built-in simulated programmer, a "bricked" ATmega32U4 on the other end
 * (blank flash, Caterina fuses FF/D8/CB: a Pro Micro keyboard whose
 * bootloader is gone) kept in a state file in a private temp dir, and a
 * labelled stand-in for the Atmel DFU bootloader, and one for a keyboard's
 * firmware, which the Keyboard step uploads through the simulated
 * bootloader on the same chip: nothing in the demo is real.
 */
#ifndef ISPWIZ_JOB_DEMO_H
#define ISPWIZ_JOB_DEMO_H

#include <stdbool.h>

#include "core/catalog.h"
#include "core/error.h"
#include "job/job.h"

struct demo;

#define DEMO_PROGRAMMER "sim"
#define DEMO_PART       "atmega32u4"
#define DEMO_BOOTLOADER "atmel-dfu-atmega32u4"

/* Make the temp dir with the chip and the stand-in image.  `slow`: jobs
 * run about ten times slower still (tests cancel and resize mid-flash).
 * NULL with err set when the catalog lacks the demo's entries or the temp
 * dir cannot be made. */
struct demo *demo_new(const struct catalog *cat, bool slow, struct iw_error *err);
/* Remove the temp dir and everything in it. */
void demo_free(struct demo *d);
const char *demo_image_path(const struct demo *d);
const char *demo_backup_dir(const struct demo *d);
/* The stand-in keyboard firmware (from 0x0000, below any boot section). */
const char *demo_firmware_path(const struct demo *d);
/* Point a job at the demo's simulated chip, paced like real hardware. */
void demo_apply(const struct demo *d, struct job_plan *plan);

#endif
