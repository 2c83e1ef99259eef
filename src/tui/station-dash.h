/*
 * station-dash.h - what the station dashboard's two files share: its
 * state (the snapshot it draws, the selected lane, the note line) and the
 * drawing (station-dash-draw.c); the loop and the keys are in
 * station-dash.c.
 */
#ifndef ISPWIZ_TUI_STATION_DASH_H
#define ISPWIZ_TUI_STATION_DASH_H

#include <stdbool.h>

#include "job/station.h"

struct station_dash {
	const struct station_plan *sp;
	struct station_view view;      /* the last snapshot */
	size_t selected;               /* index into view.lanes */
	char note[160];                /* what the last key did */
	int stops;                     /* q / Ctrl-C presses: 1 stop, 2 abort */
	bool ended;                    /* the station is done: any key leaves */
};

/* Draw the whole screen from d->view (stdscr; the caller refreshes). */
void station_dash_draw(const struct station_dash *d);

#endif
