/* station-dash-draw.c - the station dashboard's screen, drawn from one
 * snapshot: a title, a row per lane (programmer port and serial, boards
 * done, the current phase with its progress bar, the last result and its
 * cause), the totals (passed, failed by cause, boards per hour) and the
 * keys.  Laid out for 80x24; wider terminals get wider bars. */
#include "config.h"

#include "tui/station-dash.h"

#include <stdio.h>
#include <string.h>

#include "tui/tui-int.h"

/* Column starts of a lane row. */
#define COL_ID 0
#define COL_PORT 3
#define COL_DONE 29
#define COL_NOW 40
#define LAST_W 16        /* the last result and cause, at the right edge */

static const char *
state_word(const struct station_lane_view *l)
{
	switch (l->state) {
	case STATION_LANE_OPENING: return "opening";
	case STATION_LANE_WAITING: return l->paused ? "pausing" : "waiting for a board";
	case STATION_LANE_FLASHING: return job_phase_title(l->phase);
	case STATION_LANE_REMOVE: return "take the board off";
	case STATION_LANE_PAUSED: return "paused";
	case STATION_LANE_ENDED: return l->ended[0] != '\0' ? "ended: failed" : "ended";
	}
	return "";
}

static void
draw_lane(const struct station_lane_view *l, int y, bool selected)
{
	enum tui_role row = selected ? TUI_ROLE_SELECTED : TUI_ROLE_NORMAL;
	int now_w = COLS - COL_NOW - LAST_W - 1;
	char port[40], done[16], last[40];

	if (selected) {
		attrset(tui_attr(TUI_ROLE_SELECTED));
		mvhline(y, 0, ' ', COLS);
		attrset(A_NORMAL);
	}
	snprintf(port, sizeof port, "%s%s%s", l->info.port[0] != '\0' ? l->info.port : "sim",
		 l->info.serial[0] != '\0' ? " " : "", l->info.serial);
	tui_putf(y, COL_ID, 3, row, "%2u", l->info.id);
	tui_put(y, COL_PORT, COL_DONE - COL_PORT - 1, row, port);
	snprintf(done, sizeof done, "%u ok %u x", l->ok, l->failed);
	tui_put(y, COL_DONE, COL_NOW - COL_DONE - 1, l->failed > 0 ? TUI_ROLE_WARNING : row,
		done);
	if (l->state == STATION_LANE_FLASHING && l->total > 0 && now_w >= 20) {
		/* The phase's short name, so the bar fits at 80 columns. */
		tui_put(y, COL_NOW, 10, row, job_phase_name(l->phase));
		tui_bar(y, COL_NOW + 11, now_w - 11, l->done, l->total);
	} else {
		tui_put(y, COL_NOW, now_w, l->state == STATION_LANE_ENDED && l->ended[0] != '\0' ?
			TUI_ROLE_ERROR : l->state == STATION_LANE_PAUSED ? TUI_ROLE_WARNING : row,
			state_word(l));
	}
	if (l->last_result[0] == '\0')
		snprintf(last, sizeof last, "-");
	else if (l->last_cause[0] != '\0')
		snprintf(last, sizeof last, "%s: %s", l->last_result, l->last_cause);
	else
		snprintf(last, sizeof last, "%s", l->last_result);
	tui_put(y, COLS - LAST_W, LAST_W, strcmp(l->last_result, "ok") == 0 ? TUI_ROLE_OK :
		l->last_result[0] != '\0' ? TUI_ROLE_ERROR : row, last);
}

static void
draw_totals(const struct station_dash *d, int y)
{
	const struct station_view *v = &d->view;
	unsigned boards = v->ok + v->failed;
	double per_hour = v->seconds > 1.0 ? boards * 3600.0 / v->seconds : 0.0;
	char causes[200] = "";
	size_t used = 0;
	long s = (long)v->seconds;

	for (size_t i = 0; i < v->n_causes && used < sizeof causes; i++) {
		int n = snprintf(causes + used, sizeof causes - used, "%s%s %u",
				 i > 0 ? ", " : "", v->causes[i].cause, v->causes[i].n);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	tui_putf(y, 0, COLS, TUI_ROLE_HEADING, "Passed %u   Failed %u%s%s%s", v->ok, v->failed,
		 used > 0 ? " (" : "", causes, used > 0 ? ")" : "");
	tui_putf(y + 1, 0, COLS, TUI_ROLE_NORMAL, "%.0f boards/hour   %u board%s in %ld:%02ld:%02ld"
		 "   yield %.1f%%", per_hour, boards, boards == 1 ? "" : "s", s / 3600,
		 s / 60 % 60, s % 60, boards > 0 ? 100.0 * v->ok / boards : 0.0);
}

void
station_dash_draw(const struct station_dash *d)
{
	const struct station_view *v = &d->view;
	const struct job_plan *jp = &d->sp->job;
	int y = 3;

	erase();
	if (LINES < TUI_MIN_LINES || COLS < TUI_MIN_COLS) {
		tui_putf(0, 0, COLS, TUI_ROLE_ERROR, "The station dashboard needs %dx%d; this "
			 "terminal is %dx%d.", TUI_MIN_COLS, TUI_MIN_LINES, COLS, LINES);
		tui_put(1, 0, COLS, TUI_ROLE_NORMAL, "Make it larger; the lanes keep running.");
		return;
	}
	tui_putf(0, 0, COLS, TUI_ROLE_TITLE, "ispwiz station: %s via %s, %s%s",
		 catalog_part_label(jp->part), jp->programmer->id,
		 jp->image_path != NULL ? jp->image_path : "no image",
		 v->watching ? ", every programmer plugged in" : "");
	attrset(tui_attr(TUI_ROLE_HEADING));
	mvprintw(2, COL_ID, "%2s", "#");
	mvprintw(2, COL_PORT, "programmer");
	mvprintw(2, COL_DONE, "boards");
	mvprintw(2, COL_NOW, "now");
	mvprintw(2, COLS - LAST_W, "last");
	attrset(A_NORMAL);
	if (v->n_lanes == 0)
		tui_put(y, COL_PORT, COLS - COL_PORT, TUI_ROLE_DIM,
			v->watching ? "no programmer yet: plug one in" : "no lanes");
	for (size_t i = 0; i < v->n_lanes && y < LINES - 6; i++, y++)
		draw_lane(&v->lanes[i], y, i == d->selected);
	draw_totals(d, LINES - 5);
	if (v->n_lanes > 0 && d->selected < v->n_lanes &&
	    v->lanes[d->selected].state == STATION_LANE_ENDED &&
	    v->lanes[d->selected].ended[0] != '\0')
		tui_putf(LINES - 3, 0, COLS, TUI_ROLE_ERROR, "lane %u: %s",
			 v->lanes[d->selected].info.id, v->lanes[d->selected].ended);
	else
		tui_put(LINES - 3, 0, COLS, TUI_ROLE_INFO, d->note);
	if (d->ended)
		tui_put(LINES - 1, 0, COLS, TUI_ROLE_KEY, "The station has ended: press any key "
			"to leave.");
	else
		tui_put(LINES - 1, 0, COLS, TUI_ROLE_KEY, "Up/Down lane  p pause  r resume  "
			"s stop  a abort  P R S A: all lanes  q quit");
}
