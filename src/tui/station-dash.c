/* station-dash.c - the station dashboard: `ispwiz station` on a terminal.
 * One poll() loop on this thread over the keyboard, the station's wake-up
 * pipe and the signals; it draws from a snapshot of the station
 * (station_snapshot) at most ~30 times a second, and its keys become
 * station_control() calls on the selected lane or on all of them.  The
 * lanes never touch the terminal. */
#include "config.h"

#include "tui/station-dash.h"

#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "core/clock.h"
#include "tui/tui-int.h"
#include "tui/tui.h"

/* The second q (or Ctrl-C) aborts the boards being flashed. */
enum dash_action {
	DASH_NONE,
	DASH_UP,
	DASH_DOWN,
	DASH_PAUSE,
	DASH_RESUME,
	DASH_STOP,
	DASH_ABORT,
	DASH_PAUSE_ALL,
	DASH_RESUME_ALL,
	DASH_STOP_ALL,
	DASH_ABORT_ALL,
	DASH_QUIT,
	DASH_REDRAW,
};

static const struct {
	int key;
	enum dash_action action;
} dash_keys[] = {
	{ KEY_UP, DASH_UP }, { 'k', DASH_UP },
	{ KEY_DOWN, DASH_DOWN }, { 'j', DASH_DOWN },
	{ 'p', DASH_PAUSE }, { 'r', DASH_RESUME }, { 's', DASH_STOP }, { 'a', DASH_ABORT },
	{ 'P', DASH_PAUSE_ALL }, { 'R', DASH_RESUME_ALL }, { 'S', DASH_STOP_ALL },
	{ 'A', DASH_ABORT_ALL },
	{ 'q', DASH_QUIT }, { 3, DASH_QUIT },           /* Ctrl-C in raw mode */
	{ 12, DASH_REDRAW }, { KEY_RESIZE, DASH_REDRAW },
};

static enum dash_action
dash_action_for(int ch)
{
	for (size_t i = 0; i < sizeof dash_keys / sizeof dash_keys[0]; i++)
		if (dash_keys[i].key == ch)
			return dash_keys[i].action;
	return DASH_NONE;
}

/* q, Ctrl-C, SIGINT: stop after the boards being flashed; again: abort. */
static void
quit(struct station_dash *d, struct station *s, bool now)
{
	d->stops = now ? 2 : d->stops + 1;
	if (d->stops >= 2) {
		station_control(s, 0, STATION_CTL_ABORT);
		snprintf(d->note, sizeof d->note, "aborting the boards being flashed at the next "
			 "safe point (a fuse or lock write always completes)");
	} else {
		station_control(s, 0, STATION_CTL_STOP);
		snprintf(d->note, sizeof d->note, "stopping: the boards being flashed finish "
			 "first; q again aborts them");
	}
}

static void
act(struct station_dash *d, struct station *s, enum dash_action a)
{
	const struct station_lane_view *l = d->selected < d->view.n_lanes ?
					    &d->view.lanes[d->selected] : NULL;
	static const struct { enum dash_action a; enum station_control c; bool all;
			      const char *what; } ctl[] = {
		{ DASH_PAUSE, STATION_CTL_PAUSE, false, "pauses after this board" },
		{ DASH_RESUME, STATION_CTL_RESUME, false, "resumed" },
		{ DASH_STOP, STATION_CTL_STOP, false, "stops after this board" },
		{ DASH_ABORT, STATION_CTL_ABORT, false, "aborts its board at the next safe point" },
		{ DASH_PAUSE_ALL, STATION_CTL_PAUSE, true, "pause after their boards" },
		{ DASH_RESUME_ALL, STATION_CTL_RESUME, true, "resumed" },
		{ DASH_STOP_ALL, STATION_CTL_STOP, true, "stop after their boards" },
		{ DASH_ABORT_ALL, STATION_CTL_ABORT, true, "abort their boards at a safe point" },
	};

	switch (a) {
	case DASH_UP:
		if (d->selected > 0)
			d->selected--;
		return;
	case DASH_DOWN:
		if (d->selected + 1 < d->view.n_lanes)
			d->selected++;
		return;
	case DASH_QUIT:
		quit(d, s, false);
		return;
	case DASH_REDRAW:
	case DASH_NONE:
		return;
	default:
		break;
	}
	for (size_t i = 0; i < sizeof ctl / sizeof ctl[0]; i++) {
		if (ctl[i].a != a)
			continue;
		if (ctl[i].all) {
			station_control(s, 0, ctl[i].c);
			snprintf(d->note, sizeof d->note, "all lanes %s", ctl[i].what);
		} else if (l != NULL) {
			station_control(s, l->info.id, ctl[i].c);
			snprintf(d->note, sizeof d->note, "lane %u %s", l->info.id, ctl[i].what);
		}
	}
}

static void
drain(int fd)
{
	char buf[256];

	while (read(fd, buf, sizeof buf) > 0)
		;
}

/* Signals: SIGINT as q; SIGTERM and SIGHUP (shutdown, the terminal gone)
 * abort at once: nobody may be there to take a board off. */
static void
on_signals(struct station_dash *d, struct station *s, int sig_fd)
{
	struct signalfd_siginfo si;

	while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
		quit(d, s, si.ssi_signo != SIGINT);
}

void
tui_station_dashboard(struct session *ctx, struct station *s, const struct station_plan *sp,
		      int sig_fd)
{
	struct station_dash d;
	long long last_draw = 0;
	bool dirty = true;

	(void)ctx;
	memset(&d, 0, sizeof d);
	d.sp = sp;
	setlocale(LC_CTYPE, "");
	if (initscr() == NULL) {
		/* No usable terminal after all: the lanes run on, unseen. */
		station_wait(s, -1);
		return;
	}
	raw();
	noecho();
	curs_set(0);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	tui_colors_init(true);
	for (;;) {
		struct pollfd pfd[3] = {
			{ STDIN_FILENO, POLLIN, 0 },
			{ station_wake_fd(s), POLLIN, 0 },
			{ sig_fd, POLLIN, 0 },
		};
		long long now = (long long)iw_clock_ns() / 1000000LL;
		int timeout = 1000, ch;

		if (dirty && now - last_draw >= TUI_REDRAW_MS) {
			station_snapshot(s, &d.view);
			if (d.view.done && !d.ended) {
				d.ended = true;
				snprintf(d.note, sizeof d.note, "every lane has ended");
			}
			if (d.selected >= d.view.n_lanes && d.view.n_lanes > 0)
				d.selected = d.view.n_lanes - 1;
			station_dash_draw(&d);
			refresh();
			last_draw = now;
			dirty = false;
		} else if (dirty) {
			timeout = (int)(TUI_REDRAW_MS - (now - last_draw));
		}
		if (poll(pfd, 3, timeout) == 0)
			dirty = true;       /* the clock and boards/hour move on */
		if (pfd[1].revents & POLLIN) {
			drain(pfd[1].fd);
			dirty = true;
		}
		/* The terminal went away: nobody can press the last key. */
		if ((pfd[0].revents & (POLLHUP | POLLERR)) && d.ended)
			break;
		if (pfd[2].revents & POLLIN) {
			on_signals(&d, s, sig_fd);
			dirty = true;
		}
		/* Every key that is waiting, so none is lost behind a redraw. */
		while ((ch = getch()) != ERR) {
			dirty = true;
			if (d.ended && ch != KEY_RESIZE)
				goto out;
			act(&d, s, dash_action_for(ch));
		}
	}
out:
	endwin();
}
