/*
 * boot-sim.h - the demo's simulated bootloader: the client an upload uses
 * when its plan names a simulator state file (the demo's chip) instead of
 * a device on USB.  Not in boot.c's list: nobody picks it with --via or
 * finds it on a bus; only a plan that already runs on the simulator gets
 * it (job-upload.c).
 */
#ifndef ISPWIZ_BOOT_BOOT_SIM_H
#define ISPWIZ_BOOT_BOOT_SIM_H

#include "boot/boot.h"

/* opt->port is the state file (sim_target_save's), opt->part the chip it
 * holds.  It behaves as the bootloader the chip's boot section holds: its
 * own section is the one the chip's high fuse selects, an upload erases
 * and writes only below it, reads back, and saves the chip when it starts
 * the application, so the next step sees what was written. */
extern const struct boot_driver boot_sim_driver;

#endif
