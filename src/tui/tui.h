/*
 * tui.h - the wizard: what `ispwiz` with no command (or `ispwiz --demo`)
 * starts.  Everything ncurses lives behind this header in src/tui/.
 *
 * The wizard walks through welcome, programmer, ISP firmware, wiring, port,
 * target, bootloader, review, flash and done; it builds a job plan (core/job.h)
 * and shows the worker thread's events, and never talks to a programmer
 * itself.
 */
#ifndef ISPWIZ_TUI_TUI_H
#define ISPWIZ_TUI_TUI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "job/session.h"

#define TUI_MAX_FAULTS 8

struct tui_options {
	const char *argv0;
	const struct catalog *catalog;
	bool demo;                /* the sim programmer and a bricked ATmega32U4 */
	bool demo_slow;           /* flash about ten times slower (tests, showing off) */
	bool no_color;
	const char *log_path;     /* --log FILE: a timestamped record of the session */
	const char *demo_faults[TUI_MAX_FAULTS];
	size_t n_demo_faults;
	/* --demo-fault bootloader-silent: the demo's flashed board never shows
	 * up on USB (the Done step's wait, countdown and advice). */
	bool demo_bootloader_silent;
	int wait_usb_s;           /* --wait-usb SECONDS: the Done step's wait; 0: 60 */
};

/* Whether argv[1] is one of the wizard's own options (so main.c knows to
 * start the wizard rather than look for a command). */
bool tui_is_wizard_option(const char *arg);

/* Parse the wizard's options (argv[0] is the program), load the catalog
 * through ctx, and run the wizard.  Returns the process exit code; the
 * terminal is restored before anything is printed. */
int tui_main(struct session *ctx, int argc, char **argv);

/* Run the wizard on the controlling terminal; the exit code. */
int tui_run(const struct tui_options *opt);

/* The station dashboard (station-dash.c): the session's station_dashboard
 * hook, which main.c sets. */
void tui_station_dashboard(struct session *ctx, struct station *s,
			   const struct station_plan *sp, int sig_fd);

#endif
