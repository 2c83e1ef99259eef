/*
 * prog-sim.h - the built-in simulated programmer (`-c sim`).
 *
 * It drives a simulated AVR target (src/sim/sim-target.h) the way a
 * programmer's firmware drives a real one, so the whole engine can run
 * without hardware: the wizard's --demo, `ispwiz flash -c sim`, and tests.
 *
 * prog_options for this driver:
 *   part         the chip on the simulated board (required);
 *   sim_state    a JSON file holding the chip between runs: loaded at open
 *                when it exists (a fresh chip otherwise: blank flash, factory
 *                fuses), saved by sync() and, best effort, by close().  When
 *                the file holds another part, the board carries that part and
 *                the job sees its signature;
 *   sim_faults   knobs as sim_target_fault_parse() spells them
 *                ("miso-open", "wrong-part=atmega328p", ...), plus the
 *                driver's own "realtime": write delays take real time (for
 *                demos and progress bars), and "boards=FILE": a script of
 *                boards put on and taken off the cable in virtual time
 *                (prog-sim-boards.h; not with sim_state or other knobs,
 *                which go on the script's board lines instead);
 *   catalog      resolves wrong-part=ID.
 * A chip with the wrong-part knob is never saved: the knob describes this
 * run's board, not the chip in the state file.
 */
#ifndef ISPWIZ_PROG_PROG_SIM_H
#define ISPWIZ_PROG_PROG_SIM_H

#include "prog/prog.h"
#include "sim/sim-target.h"

extern const struct prog_driver prog_sim_driver;

/* SCK steps, fastest first. */
#define PROG_SIM_N_SCK 7

/* Check one knob as open() would take it, before anything is opened: the
 * driver's own (realtime, boards=FILE) or the chip's, with wrong-part=ID
 * looked up in `cat` (may be NULL).  IW_USAGE naming every knob there is. */
enum iw_status prog_sim_check_fault(const char *spec, const struct catalog *cat,
				    struct iw_error *err);

/* The simulated chip behind an open sim programmer (tests look at its
 * counters and memories), or NULL when `p` is not one or, with a board
 * script, when no board is on the cable now. */
struct sim_target *prog_sim_target(struct prog *p);

/* --- board scripts (boards=FILE) --------------------------------------------- */

/* The chip of board `i` (0-based) of a board script: NULL until it has
 * been on the cable, kept afterwards so tests can see what was done to
 * each board.  Waiting on a scripted programmer (prog_idle) moves the
 * script's virtual clock. */
struct sim_target *prog_sim_board(struct prog *p, size_t i);

#endif
