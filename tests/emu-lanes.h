/*
 * emu-lanes.h - ispwiz-emu with several emulated serial programmers in one
 * testbed (--count N, or --programmer repeated): each has its own USB
 * serial number (ISPWIZEMU01, ...), its own port (1-N, ttyACM(N-1) or
 * ttyUSB(N-1)), its own simulated target and its own fault knobs
 * (--fault N:KNOB), for `ispwiz station` with one lane per programmer.
 *
 * Each target can sit in a jig (--jig BOARDS): a board is "taken off" once
 * the station, after writing its pages, polls it again (a new Programming
 * Enable after the last page write: the lane is waiting for it to go),
 * stays off for --jig-off-ms, and a fresh board (blank flash, factory
 * fuses) goes on, until BOARDS boards have been served.
 *
 * Programmers come and go while the command runs: --unplug N:PAGES pulls
 * programmer N out once its current board has had PAGES pages written
 * (mid-board), --plug-after N:BOARDS plugs a new one in once programmer N
 * has finished BOARDS boards.
 *
 * When the command has ended PREFIX.lanes.json says, per programmer, what
 * each of its boards went through (erases, page writes, fuse writes,
 * whether it was finished) and whether it was unplugged.  Test tool only.
 */
#ifndef ISPWIZ_TESTS_EMU_LANES_H
#define ISPWIZ_TESTS_EMU_LANES_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "emu-runner.h"

#define EMU_LANES_MAX 8
#define EMU_LANES_MAX_FAULTS 16

struct emu_lanes_args {
	enum emu_kind kinds[EMU_LANES_MAX];   /* per programmer */
	struct usb_identity idents[EMU_LANES_MAX];
	size_t n;                             /* programmers plugged at the start */
	size_t n_max;                         /* including the ones plugged later */
	const char *faults[EMU_LANES_MAX_FAULTS];   /* "KNOB" (all) or "N:KNOB" */
	size_t n_faults;
	unsigned jig_boards;                  /* 0: one board that stays */
	unsigned jig_off_ms;
	unsigned unplug_lane, unplug_pages;   /* 0: never */
	unsigned plug_after_lane, plug_after_boards;
	unsigned pace;                        /* baud; 0 = unpaced */
	unsigned uart_baud;
	const char *dump;
	char **command;
};

/* Run the command against the programmers; its exit status (128+N for a
 * signal), 1 for an internal failure, 2 for bad options (said on
 * stderr). */
int emu_lanes_run(const struct emu_lanes_args *a, const struct catalog *cat,
		  const struct catalog_part *part);

#endif
