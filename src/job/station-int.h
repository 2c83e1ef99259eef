/*
 * station-int.h - what the station's own files share: the station (its
 * lanes, counters, log and lock) and one lane (its thread, programmer and
 * job).  station-lanes.c owns the station, station.c runs a lane's loop,
 * station-watch.c adds lanes from hotplug.
 *
 * Locking: s->lock guards the lanes array, every lane's `view`, `ctl`,
 * `paused` and `ended`, and the station's counters; s->emit_lock
 * serialises the front end's callbacks.  Neither is held while a lane
 * talks to its programmer, so a slow or stuck lane never holds up another.
 */
#ifndef ISPWIZ_JOB_STATION_INT_H
#define ISPWIZ_JOB_STATION_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "job/station.h"
#include "prog/prog.h"

struct station_watch;

struct station_lane {
	struct station *s;
	struct station_lane_info info;
	pthread_t thread;
	bool joined;

	/* The lane's own: only its thread touches these. */
	struct prog own;
	struct prog *p;                /* &own, or the one station_add_lane() got */
	bool opened;
	struct job_plan job;           /* sp->job on this lane's programmer and port */
	struct job_result *res;
	unsigned board;
	bool script_over;              /* a simulated board script has ended */
	enum job_phase phase;          /* of the board's job, for its durations */
	double phase_t0;
	struct station_board_times times;
	struct station_summary sum;

	/* Under s->lock. */
	enum station_stop ctl;         /* STATION_CTL_STOP / ABORT of this lane */
	bool paused;
	bool ended;
	struct station_lane_view view;
	char key[STATION_PORT_MAX];    /* the hotplug device it came from, or "" */
};

struct station {
	const struct station_plan *sp;
	const struct station_ops *ops;
	struct station_session session;
	struct station_log *log;
	double t0;

	pthread_mutex_t lock;
	pthread_cond_t cond;           /* control changed, a lane ended */
	pthread_mutex_t emit_lock;

	/* Under lock. */
	struct station_lane *lanes[STATION_MAX_LANES];
	size_t n_lanes;
	unsigned started_boards;       /* boards begun, over all lanes (for count) */
	enum station_stop ctl;         /* for every lane */
	unsigned ok, failed;
	struct station_tally_cause causes[STATION_VIEW_CAUSES];
	size_t n_causes;
	struct station_summary total;  /* log_failed, status of the station itself */
	bool watching;

	int wake[2];                   /* a pipe: written when the view changed */
	struct station_watch *watch;
};

/* The lane's thread (station.c). */
void *station_lane_main(void *arg);

/* Emit an event from a lane (lane NULL: the station), with the emit lock
 * held around the front end's callback. */
void station_emit(struct station *s, struct station_lane *l, struct station_event *ev);
/* The stop level a lane sees now: its own, the station's, the front
 * end's. */
enum station_stop station_lane_stop_level(struct station_lane *l);
/* Let `ms` pass in lane `l`, returning early on a control change. */
void station_lane_sleep(struct station_lane *l, unsigned ms);
/* Whether lane `l` may start another board (the count), and take it. */
bool station_take_board(struct station_lane *l);
/* Whether every board of `count` has been started (never without one). */
bool station_count_done(struct station *s);
/* The view changed: wake a dashboard.  With s->lock held or not. */
void station_wake(struct station *s);
/* A board's result counted in the station's totals (under s->lock). */
void station_count_result(struct station *s, const char *cause, bool ok);

/* The watcher (station-watch.c). */
void station_watch_stop(struct station_watch *w);
/* A lane from the watcher: the device `key` at `port`. */
enum iw_status station_add_lane_keyed(struct station *s, const char *port, const char *serial,
				      const char *key, struct iw_error *err);
/* The USB serial number of the programmer at `port` (a serial port, its
 * by-id link, usb:BUS-PORT or usb:SERIAL) into buf; unchanged when it
 * cannot be told. */
void station_lookup_serial(const struct catalog *cat, const char *port, char *buf,
			   size_t size);
/* Whether a lane that has not ended came from device `key`. */
bool station_has_key(struct station *s, const char *key);

#endif
