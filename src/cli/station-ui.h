/*
 * station-ui.h - the operator's view of `ispwiz station` (text or JSON
 * events) and the callbacks that connect the station loop to the command
 * line: stop requests from signals, waiting (in virtual time for a
 * simulated board script).
 *
 * The station runs on a worker thread; the callbacks run there.  The main
 * thread only counts signals into `interrupts` and waits for `done`.
 */
#ifndef ISPWIZ_CLI_STATION_UI_H
#define ISPWIZ_CLI_STATION_UI_H

#include <stdatomic.h>
#include <stdbool.h>

#include "cli/cli.h"
#include "job/station.h"

struct station_ui {
	struct session *ctx;
	const struct station_plan *sp;
	bool tty;                 /* stderr is a terminal: one live status line */
	bool status_shown;
	long long last_draw_ns;
	unsigned board;           /* the board whose job runs, 0 between boards */
	int announced;            /* stop requests already acknowledged */
	atomic_int interrupts;    /* SIGINT/SIGTERM, counted by the main thread */
	atomic_bool done;         /* the worker has finished */
	struct station_summary sum;   /* the worker's result */
};

void station_ui_init(struct station_ui *u, struct session *ctx,
		     const struct station_plan *sp);
/* event, stop and wait for station_run(), with `u` as their user. */
void station_ui_ops(struct station_ui *u, struct station_ops *ops);
/* 0 when every board passed; else the last failed board's exit code,
 * unless the station itself failed (its own status then). */
int station_ui_exit_code(const struct station_summary *sum);

#endif
