/*
 * station-ui.h - the operator's view of `ispwiz station` without the
 * dashboard (text lines or JSON events, each carrying its lane) and the
 * stop callback that turns the signals the main thread counted into stop
 * requests.
 *
 * The callbacks run on the lanes' threads, one at a time (the station
 * serialises them); the main thread only counts signals into
 * `interrupts`.
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
	unsigned flashing;        /* lanes whose board's job runs now */
	bool watching;            /* --all: lanes come and go */
	int announced;            /* stop requests already acknowledged */
	atomic_int interrupts;    /* SIGINT/SIGTERM, counted by the main thread */
};

void station_ui_init(struct station_ui *u, struct session *ctx,
		     const struct station_plan *sp);
/* event and stop for station_start(), with `u` as their user. */
void station_ui_ops(struct station_ui *u, struct station_ops *ops);
/* 0 when every board passed and every lane ran to its end; else the
 * last failed board's exit code; else the first failed lane's (not with
 * --all: a programmer unplugged there is a lane dropped, and its board
 * has failed already); the station's own failure before all of them. */
int station_ui_exit_code(const struct station_summary *sum, bool watching);

#endif
