/* station-lanes.c - the station around its lanes: starting it (plan, log,
 * interrupted boards), adding lanes and their threads, the controls
 * (pause, stop, abort per lane or all), the counters and the snapshot a
 * dashboard draws, and the end. */
#include "config.h"

#include "job/station-int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"

/* --- what lanes call ------------------------------------------------------------- */

void
station_emit(struct station *s, struct station_lane *l, struct station_event *ev)
{
	ev->session = &s->session;
	if (l != NULL) {
		ev->lane = l->info.id;
		ev->info = &l->info;
		if (ev->board == 0)
			ev->board = l->board;
		if (ev->summary == NULL)
			ev->summary = &l->sum;
	} else if (ev->summary == NULL) {
		ev->summary = &s->total;
	}
	if (s->ops->event == NULL)
		return;
	pthread_mutex_lock(&s->emit_lock);
	s->ops->event(s->ops->user, ev);
	pthread_mutex_unlock(&s->emit_lock);
}

enum station_stop
station_lane_stop_level(struct station_lane *l)
{
	struct station *s = l->s;
	enum station_stop st, fe = STATION_RUN;

	if (s->ops->stop != NULL) {
		pthread_mutex_lock(&s->emit_lock);
		fe = s->ops->stop(s->ops->user);
		pthread_mutex_unlock(&s->emit_lock);
	}
	pthread_mutex_lock(&s->lock);
	st = l->ctl > s->ctl ? l->ctl : s->ctl;
	pthread_mutex_unlock(&s->lock);
	return fe > st ? fe : st;
}

void
station_lane_sleep(struct station_lane *l, unsigned ms)
{
	struct station *s = l->s;
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000u);
	until.tv_nsec += (long)(ms % 1000u) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (l->ctl == STATION_RUN && s->ctl == STATION_RUN &&
	       (s->sp->count == 0 || s->started_boards < s->sp->count) &&
	       pthread_cond_timedwait(&s->cond, &s->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&s->lock);
}

bool
station_take_board(struct station_lane *l)
{
	struct station *s = l->s;
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = s->sp->count == 0 || s->started_boards < s->sp->count;
	if (ok)
		s->started_boards++;
	/* Lanes waiting for a board of their own can give up now. */
	if (ok && s->sp->count != 0 && s->started_boards == s->sp->count)
		pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

bool
station_count_done(struct station *s)
{
	bool done;

	pthread_mutex_lock(&s->lock);
	done = s->sp->count != 0 && s->started_boards >= s->sp->count;
	pthread_mutex_unlock(&s->lock);
	return done;
}

void
station_wake(struct station *s)
{
	char c = 1;

	/* Non-blocking: a full pipe already says "look". */
	if (write(s->wake[1], &c, 1) < 0) {
		/* EAGAIN: a wake-up is pending anyway. */
	}
}

void
station_count_result(struct station *s, const char *cause, bool ok)
{
	size_t i;

	if (ok) {
		s->ok++;
		return;
	}
	s->failed++;
	for (i = 0; i < s->n_causes; i++)
		if (strcmp(s->causes[i].cause, cause != NULL ? cause : "other") == 0)
			break;
	if (i == s->n_causes) {
		if (s->n_causes == STATION_VIEW_CAUSES)
			return;     /* the view counts the rest as "other" */
		snprintf(s->causes[i].cause, sizeof s->causes[i].cause, "%s",
			 cause != NULL ? cause : "other");
		s->causes[i].n = 0;
		s->n_causes++;
	}
	s->causes[i].n++;
}

/* --- starting --------------------------------------------------------------------- */

static void
on_interrupted(void *user, json_t *record)
{
	struct station *s = user;
	struct station_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_INTERRUPTED;
	ev.record = record;
	station_emit(s, NULL, &ev);
}

static void
station_free(struct station *s)
{
	for (size_t i = 0; i < s->n_lanes; i++)
		free(s->lanes[i]);
	station_log_close(s->log);
	if (s->wake[0] >= 0)
		close(s->wake[0]);
	if (s->wake[1] >= 0)
		close(s->wake[1]);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->emit_lock);
	free(s);
}

static enum iw_status
open_session(struct station *s, struct iw_error *err)
{
	const struct station_plan *sp = s->sp;
	struct tm tm;
	char stamp[32] = "";
	enum iw_status st;

	s->session.started = time(NULL);
	if (localtime_r(&s->session.started, &tm) != NULL)
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	snprintf(s->session.id, sizeof s->session.id, "%s-%ld", stamp, (long)getpid());
	if (sp->job.image_path != NULL &&
	    (st = sha256_file_hex(sp->job.image_path, s->session.image_sha256, NULL,
				  err)) != IW_OK)
		return st;
	if (sp->log_path != NULL) {
		size_t dropped;

		if ((st = station_log_open(sp->log_path, &s->log, &dropped, err)) != IW_OK)
			return st;
		if (dropped > 0) {
			struct station_event ev;

			memset(&ev, 0, sizeof ev);
			ev.kind = STATION_EVENT_LOG_REPAIRED;
			ev.dropped = dropped;
			station_emit(s, NULL, &ev);
		}
		if ((st = station_log_recover(s->log, on_interrupted, s, err)) != IW_OK)
			return st;
	}
	return IW_OK;
}

enum iw_status
station_start(const struct station_plan *sp, const struct station_ops *ops,
	      struct station **out, struct iw_error *err)
{
	static const struct station_ops no_ops;
	struct station *s;
	struct station_event ev;
	pthread_condattr_t ca;
	enum iw_status st;

	*out = NULL;
	if ((st = station_plan_validate(sp, err)) != IW_OK)
		return st;
	/* jansson seeds its hash function on first use, which races when two
	 * lanes make their first object at once: seed it here, before any
	 * lane's thread exists. */
	json_object_seed(0);
	if ((s = calloc(1, sizeof *s)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory starting the station");
	s->sp = sp;
	s->ops = ops != NULL ? ops : &no_ops;
	s->t0 = iw_clock_s();
	s->wake[0] = s->wake[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->emit_lock, NULL);
	/* Lanes sleep against the monotonic clock: a clock change must not
	 * stall a poll. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if (pipe2(s->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		st = iw_error_set(err, IW_IO, "cannot start the station: %s", strerror(errno));
		station_free(s);
		return st;
	}
	if ((st = open_session(s, err)) != IW_OK) {
		station_free(s);
		return st;
	}
	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_START;
	station_emit(s, NULL, &ev);
	*out = s;
	return IW_OK;
}

/* --- lanes ------------------------------------------------------------------------- */

bool
station_has_key(struct station *s, const char *key)
{
	bool found = false;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_lanes && !found; i++)
		found = !s->lanes[i]->ended && strcmp(s->lanes[i]->key, key) == 0;
	pthread_mutex_unlock(&s->lock);
	return found;
}

static enum iw_status
add_lane(struct station *s, const char *port, const char *serial, const char *key,
	 struct prog *prog, unsigned *lane_id, struct iw_error *err)
{
	struct station_lane *l;
	int rc;

	if (port == NULL || port[0] == '\0')
		port = s->sp->job.port != NULL ? s->sp->job.port : "";
	if (strlen(port) >= STATION_PORT_MAX)
		return iw_error_set(err, IW_USAGE, "-P %s: the name is too long", port);
	if ((l = calloc(1, sizeof *l)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory adding a lane");
	l->s = s;
	l->p = prog;
	snprintf(l->info.port, sizeof l->info.port, "%s", port);
	snprintf(l->info.serial, sizeof l->info.serial, "%s", serial != NULL ? serial : "");
	snprintf(l->key, sizeof l->key, "%s", key != NULL ? key : "");
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_lanes; i++) {
		const struct station_lane *o = s->lanes[i];

		if (port[0] != '\0' && !o->ended && strcmp(o->info.port, port) == 0) {
			pthread_mutex_unlock(&s->lock);
			free(l);
			return iw_error_set(err, IW_USAGE, "-P %s is given twice: one lane per "
					    "programmer", port);
		}
	}
	if (s->n_lanes == STATION_MAX_LANES) {
		pthread_mutex_unlock(&s->lock);
		free(l);
		return iw_error_set(err, IW_RANGE, "a station drives at most %d programmers; "
				    "%s was left out", STATION_MAX_LANES,
				    port[0] != '\0' ? port : "one");
	}
	l->info.id = (unsigned)s->n_lanes + 1;
	l->view.info = l->info;
	l->view.state = STATION_LANE_OPENING;
	l->view.phase = JOB_PHASE_PLAN;
	if (s->ctl != STATION_RUN)
		l->ctl = s->ctl;
	s->lanes[s->n_lanes++] = l;
	rc = pthread_create(&l->thread, NULL, station_lane_main, l);
	if (rc != 0) {
		s->n_lanes--;
		pthread_mutex_unlock(&s->lock);
		free(l);
		return iw_error_set(err, IW_NOMEM, "cannot start a lane's thread: %s",
				    strerror(rc));
	}
	pthread_mutex_unlock(&s->lock);
	if (lane_id != NULL)
		*lane_id = l->info.id;
	station_wake(s);
	return IW_OK;
}

enum iw_status
station_add_lane(struct station *s, const char *port, const char *serial, struct prog *prog,
		 unsigned *lane_id, struct iw_error *err)
{
	return add_lane(s, port, serial, NULL, prog, lane_id, err);
}

enum iw_status
station_add_lane_keyed(struct station *s, const char *port, const char *serial,
		       const char *key, struct iw_error *err)
{
	return add_lane(s, port, serial, key, NULL, NULL, err);
}

/* --- control ----------------------------------------------------------------------- */

static void
control_lane(struct station_lane *l, enum station_control ctl)
{
	switch (ctl) {
	case STATION_CTL_PAUSE:
		l->paused = true;
		break;
	case STATION_CTL_RESUME:
		l->paused = false;
		break;
	case STATION_CTL_STOP:
		if (l->ctl < STATION_STOP_AFTER_BOARD)
			l->ctl = STATION_STOP_AFTER_BOARD;
		break;
	case STATION_CTL_ABORT:
		l->ctl = STATION_STOP_NOW;
		break;
	}
	l->view.paused = l->paused;
}

void
station_control(struct station *s, unsigned lane, enum station_control ctl)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_lanes; i++)
		if (lane == 0 || s->lanes[i]->info.id == lane)
			control_lane(s->lanes[i], ctl);
	if (lane == 0 && ctl == STATION_CTL_STOP && s->ctl < STATION_STOP_AFTER_BOARD)
		s->ctl = STATION_STOP_AFTER_BOARD;
	if (lane == 0 && ctl == STATION_CTL_ABORT)
		s->ctl = STATION_STOP_NOW;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	station_wake(s);
}

static bool
done_locked(struct station *s)
{
	bool count_done = s->sp->count != 0 && s->started_boards >= s->sp->count;

	for (size_t i = 0; i < s->n_lanes; i++)
		if (!s->lanes[i]->ended)
			return false;
	/* A watched station also ends when it is asked to or the count is
	 * done (the lanes still flashing have then ended too). */
	if (s->watching)
		return s->ctl != STATION_RUN || count_done;
	return true;
}

bool
station_done(struct station *s)
{
	bool d;

	pthread_mutex_lock(&s->lock);
	d = done_locked(s);
	pthread_mutex_unlock(&s->lock);
	return d;
}

bool
station_wait(struct station *s, int timeout_ms)
{
	struct timespec until;
	bool d;

	clock_gettime(CLOCK_MONOTONIC, &until);
	if (timeout_ms >= 0) {
		until.tv_sec += timeout_ms / 1000;
		until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
	}
	pthread_mutex_lock(&s->lock);
	while (!(d = done_locked(s))) {
		if (timeout_ms < 0)
			pthread_cond_wait(&s->cond, &s->lock);
		else if (pthread_cond_timedwait(&s->cond, &s->lock, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&s->lock);
	return d;
}

int
station_wake_fd(const struct station *s)
{
	return s->wake[0];
}

/* --- the view ---------------------------------------------------------------------- */

void
station_snapshot(struct station *s, struct station_view *v)
{
	memset(v, 0, sizeof *v);
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < s->n_lanes; i++)
		v->lanes[i] = s->lanes[i]->view;
	v->n_lanes = s->n_lanes;
	v->ok = s->ok;
	v->failed = s->failed;
	for (size_t i = 0; i < s->n_causes; i++) {
		snprintf(v->causes[i].cause, sizeof v->causes[i].cause, "%s", s->causes[i].cause);
		v->causes[i].n = s->causes[i].n;
	}
	v->n_causes = s->n_causes;
	v->watching = s->watching;
	v->done = done_locked(s);
	pthread_mutex_unlock(&s->lock);
	v->seconds = iw_clock_s() - s->t0;
}

/* --- the end ------------------------------------------------------------------------ */

/* The lanes' summaries added up into the station's. */
static void
add_up(struct station *s, struct station_summary *t)
{
	for (size_t i = 0; i < s->n_lanes; i++) {
		const struct station_summary *ls = &s->lanes[i]->sum;

		t->boards += ls->boards;
		t->ok += ls->ok;
		t->failed += ls->failed;
		t->lanes++;
		t->stopped |= ls->stopped;
		if (ls->status != IW_OK && !ls->log_failed) {
			if (t->lanes_failed++ == 0) {
				t->lane_failure = ls->status;
				t->lane_error = ls->error;
			}
		}
	}
}

enum iw_status
station_finish(struct station *s, bool now, struct station_summary *summary)
{
	struct station_event ev;
	enum iw_status st;

	station_control(s, 0, now ? STATION_CTL_ABORT : STATION_CTL_STOP);
	if (s->watch != NULL) {
		station_watch_stop(s->watch);
		s->watch = NULL;
	}
	/* The watcher is gone: no lane is added from here on. */
	for (size_t i = 0; i < s->n_lanes; i++) {
		pthread_join(s->lanes[i]->thread, NULL);
		s->lanes[i]->joined = true;
	}
	add_up(s, &s->total);
	s->total.seconds = iw_clock_s() - s->t0;
	if (s->total.status == IW_OK)
		iw_error_clear(&s->total.error);
	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_END;
	station_emit(s, NULL, &ev);
	st = s->total.status;
	if (summary != NULL)
		*summary = s->total;
	station_free(s);
	return st;
}

enum iw_status
station_run(const struct station_plan *sp, struct prog *prog, const struct station_ops *ops,
	    struct station_summary *summary)
{
	struct station *s;
	enum iw_status st;

	memset(summary, 0, sizeof *summary);
	if ((st = station_start(sp, ops, &s, &summary->error)) != IW_OK) {
		summary->status = st;
		return st;
	}
	if ((st = station_add_lane(s, NULL, NULL, prog, NULL, &summary->error)) != IW_OK) {
		struct iw_error keep = summary->error;

		station_finish(s, true, summary);
		summary->status = st;
		summary->error = keep;
		return st;
	}
	station_wait(s, -1);
	station_finish(s, false, summary);
	/* One lane: its failure is the station's (as before lanes). */
	if (summary->status == IW_OK && summary->lanes_failed > 0) {
		summary->status = summary->lane_failure;
		summary->error = summary->lane_error;
	}
	return summary->status;
}
