/*
 * prog-sim-boards.h - a script of boards coming and going on the simulated
 * programmer's cable, so the station mode (and anything else that waits
 * for targets) can be tested: `-c sim --sim-fault boards=FILE`.
 *
 * The script is a timeline in the simulator's virtual time, one entry a
 * line; '#' starts a comment:
 *
 *   absent 1s                          nothing on the cable for 1 s
 *   board for 3s                       a fresh chip of the -p part, 3 s
 *   board wrong-part=atmega328p for 2s another chip is on this board
 *   board hfuse=0xD8 lock=0x2F for 2s  a chip that was configured before
 *   board corrupt-read=0x7010 for 2s   any --sim-fault knob, per board
 *   board                              stays until the end (last line only)
 *
 * Durations are a number with `ms` or `s` (fractions allowed, at most a
 * day).  A board line takes the target's fault knobs (sim-target.h; e.g.
 * reset-not-wired, which makes the board invisible to programming-enable,
 * as on a real jig), `lfuse=`, `hfuse=`, `efuse=` and `lock=` with 0xNN
 * values for the chip's state when it arrives, and the word `blank` (no
 * effect; for readability).  Each board line is its own chip, created when
 * it arrives and kept afterwards so tests can count what was done to it.
 * After the last line nothing is on the cable and nothing will come: the
 * driver reports that (prog_sim_idle) so a test run ends instead of
 * waiting forever.
 *
 * Time is virtual: it passes with every instruction clocked (at the SCK in
 * use, also while nothing listens) and with prog_sim_idle(), never with
 * the wall clock, so a script of minutes runs in milliseconds and every
 * run is the same.
 */
#ifndef ISPWIZ_PROG_PROG_SIM_BOARDS_H
#define ISPWIZ_PROG_PROG_SIM_BOARDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"
#include "sim/sim-target.h"

#define SIM_BOARDS_FOREVER UINT64_MAX
#define SIM_BOARDS_MAX_ENTRIES 10000
#define SIM_BOARDS_MAX_KNOBS 8

struct sim_boards;

/* One stretch of the timeline. */
struct sim_boards_slot {
	bool present;            /* a board is on the cable */
	size_t board;            /* which one (0-based, in script order) */
	uint64_t start_us;
	uint64_t end_us;         /* SIM_BOARDS_FOREVER for an open-ended board */
	unsigned line;           /* in the script, for messages */
};

/* Parse `text` (named `name` in messages: "name:line:col: ...").  `cat`
 * resolves wrong-part=ID.  IW_INPUT with the position and what is
 * accepted; IW_NOMEM. */
enum iw_status sim_boards_parse(const char *name, const char *text,
				const struct catalog *cat, struct sim_boards **out,
				struct iw_error *err);
/* Read and parse a script file (IW_NOT_FOUND / IW_IO naming it). */
enum iw_status sim_boards_load(const char *path, const struct catalog *cat,
			       struct sim_boards **out, struct iw_error *err);
void sim_boards_free(struct sim_boards *b);

/* Board lines in the script. */
size_t sim_boards_count(const struct sim_boards *b);

/* What is on the cable at virtual time `t_us`.  Returns false once `t_us`
 * is past the script's end (out says absent, forever). */
bool sim_boards_slot_at(const struct sim_boards *b, uint64_t t_us,
			struct sim_boards_slot *out);

/* A fresh chip for board `board`: `part` (the -p part) with the board's
 * fuses, lock and knobs, powered up.  `opts` as sim_target_new(). */
struct sim_target *sim_boards_make_target(const struct sim_boards *b, size_t board,
					  const struct catalog_part *part,
					  const struct sim_target_options *opts,
					  struct iw_error *err);

#endif
