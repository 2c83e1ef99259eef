/* station.c - one lane's loop: wait for a board, run the job on it, log
 * it, wait for it to go, again; and the checks before the first board. */
#include "config.h"

#include "job/station-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "prog/prog.h"
#include "core/clock.h"

/* The presence poll runs at the slowest SCK at or above this, so that
 * every chip answers (a 128 kHz RC oscillator allows 32 kHz) without
 * making each poll long on programmers whose slowest step is very slow. */
#define STATION_PROBE_MIN_HZ 8000u

void
station_plan_init(struct station_plan *sp)
{
	memset(sp, 0, sizeof *sp);
	job_plan_init(&sp->job);
	sp->job.backup = false;
	sp->poll_ms = STATION_POLL_MS;
	sp->present_polls = STATION_PRESENT_POLLS;
	sp->absent_polls = STATION_ABSENT_POLLS;
}

bool
station_status_is_fatal(enum iw_status st)
{
	switch (st) {
	case IW_NO_PROGRAMMER:
	case IW_PROTOCOL:
	case IW_IO:
	case IW_NOMEM:
	case IW_USAGE:
	case IW_INPUT:
	case IW_CATALOG:
	case IW_NOT_FOUND:
	case IW_RANGE:
		return true;
	default:
		return false;
	}
}

/* --- the checks before the first board --------------------------------------- */

enum iw_status
station_factory_diff(const struct station_plan *sp, struct fuse_set *factory,
		     struct fuse_diff *diff, struct iw_error *err)
{
	const struct catalog_part *part = sp->job.part;

	fuse_set_init(factory);
	for (int b = 0; b < FUSE_COUNT; b++)
		if (sp->job.fuses.present[b] && part->fuses[b].present)
			fuse_set_put(factory, (enum fuse_byte)b, part->fuses[b].factory);
	return fuse_rules_classify(part, factory, &sp->job.fuses, diff, err);
}

/* Confirm-class changes cannot be confirmed board by board when nobody is
 * there, so they are accepted (with `yes`) or refused before the first
 * board.  A fresh chip's factory fuses are what most boards will hold. */
static enum iw_status
check_confirm_up_front(const struct station_plan *sp, struct iw_error *err)
{
	struct fuse_diff *diff;
	struct fuse_set factory;
	char names[400];
	size_t used = 0;
	enum iw_status st;

	if (sp->job.yes || !fuse_set_any(&sp->job.fuses))
		return IW_OK;
	if ((diff = malloc(sizeof *diff)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory checking the fuses");
	st = station_factory_diff(sp, &factory, diff, err);
	if (st == IW_OK && diff->overall >= FUSE_CLASS_CONFIRM) {
		names[0] = '\0';
		for (size_t i = 0; i < diff->n_changes && used < sizeof names; i++) {
			const struct fuse_change *c = &diff->changes[i];
			int n;

			if (c->cls < FUSE_CLASS_CONFIRM)
				continue;
			n = snprintf(names + used, sizeof names - used, "%s%s (%s)",
				     used > 0 ? ", " : "", c->name, fuse_byte_name(c->byte));
			if (n < 0)
				break;
			used += (size_t)n;
		}
		st = iw_error_set(err, IW_CONFIRM,
				  "on a factory-fresh %s these fuses change %s, which needs "
				  "confirmation; a station runs unattended, so accept the "
				  "change for every board with --yes (nothing was touched)",
				  sp->job.part->name != NULL ? sp->job.part->name :
				  sp->job.part->id, names);
	}
	free(diff);
	return st;
}

enum iw_status
station_plan_validate(const struct station_plan *sp, struct iw_error *err)
{
	const struct job_plan *jp = &sp->job;
	enum iw_status st;

	if (jp->prog != NULL)
		return iw_error_set(err, IW_USAGE, "the station opens the programmer itself: "
				    "pass an open one to station_run(), not in the job plan");
	if (jp->read_to != NULL)
		return iw_error_set(err, IW_USAGE, "a station writes boards; read a chip with "
				    "`ispwiz read`");
	if ((st = job_plan_validate(jp, err)) != IW_OK)
		return st;
	if (jp->image == NULL && !fuse_set_any(&jp->fuses) && !jp->has_lock)
		return iw_error_set(err, IW_USAGE, "nothing to do on each board: give an "
				    "image, fuses or lock bits");
	if (sp->poll_ms < 10 || sp->poll_ms > 10000)
		return iw_error_set(err, IW_RANGE, "the poll interval must be 10 to 10000 ms, "
				    "not %u", sp->poll_ms);
	if (sp->present_polls < 1 || sp->present_polls > 100 ||
	    sp->absent_polls < 1 || sp->absent_polls > 100)
		return iw_error_set(err, IW_RANGE, "a board must answer (and go silent) on "
				    "1 to 100 polls in a row before it counts");
	return check_confirm_up_front(sp, err);
}

/* --- a lane's loop ---------------------------------------------------------------- */

static double
since(double t0)
{
	return iw_clock_s() - t0;
}

static void
emit_kind(struct station_lane *l, enum station_event_kind kind, unsigned board)
{
	struct station_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.board = board;
	station_emit(l->s, l, &ev);
}

/* Set what the dashboard shows of this lane. */
static void
set_state(struct station_lane *l, enum station_lane_state state)
{
	struct station *s = l->s;

	pthread_mutex_lock(&s->lock);
	l->view.state = state;
	l->view.board = l->board;
	if (state != STATION_LANE_FLASHING)
		l->view.done = l->view.total = 0;
	pthread_mutex_unlock(&s->lock);
	station_wake(s);
}

static enum station_stop
stop_level(struct station_lane *l)
{
	enum station_stop st = station_lane_stop_level(l);

	/* No board will come after a simulated script's end. */
	return st == STATION_RUN && l->script_over ? STATION_STOP_AFTER_BOARD : st;
}

/* Let `ms` pass between polls: for real, or on a simulated board script's
 * own clock. */
static void
pause_ms(struct station_lane *l, unsigned ms)
{
	switch (prog_idle(l->p, ms)) {
	case PROG_IDLE_REAL:
		if (l->s->ops->wait != NULL)
			l->s->ops->wait(l->s->ops->user, ms);
		else
			station_lane_sleep(l, ms);
		break;
	case PROG_IDLE_VIRTUAL:
		break;
	case PROG_IDLE_OVER:
		if (!l->script_over) {
			l->script_over = true;
			emit_kind(l, STATION_EVENT_SCRIPT_END, 0);
		}
		break;
	}
}

static uint32_t
probe_clock(const struct prog *p)
{
	const uint32_t *steps = p->caps.sck_hz;
	size_t n = p->caps.n_sck;
	uint32_t hz;

	if (steps == NULL || n == 0)
		return 0;
	if (p->caps.fixed_sck)
		return steps[0];
	hz = steps[n - 1];
	for (size_t i = n; i-- > 0;)
		if (steps[i] >= STATION_PROBE_MIN_HZ) {
			hz = steps[i];
			break;
		}
	return hz;
}

/* Is a board on the cable?  Programming Enable at a slow clock, then let
 * go again.  Anything but "no echo" is the programmer's failure. */
static enum iw_status
probe(struct station_lane *l, bool *present, struct iw_error *err)
{
	struct prog *p = l->p;
	struct iw_error e;
	enum iw_status st;

	iw_error_clear(&e);
	st = p->driver->enter(p, probe_clock(p), &e);
	p->driver->leave(p);
	*present = st == IW_OK;
	if (st == IW_OK || st == IW_NO_TARGET)
		return IW_OK;
	*err = e;
	iw_error_prefix(err, "polling for a board");
	return st;
}

enum wait_end { WAIT_DONE, WAIT_STOPPED, WAIT_FAILED, WAIT_COUNTED };

/* Until the board has answered (`want` true) or stayed silent on `polls`
 * polls in a row. */
static enum wait_end
wait_for(struct station_lane *l, bool want, unsigned polls)
{
	unsigned run = 0;

	for (;;) {
		bool present;
		enum iw_status st;

		if (stop_level(l) != STATION_RUN)
			return WAIT_STOPPED;
		/* The last boards of --count went to other lanes. */
		if (station_count_done(l->s))
			return WAIT_COUNTED;
		if ((st = probe(l, &present, &l->sum.error)) != IW_OK) {
			l->sum.status = st;
			return WAIT_FAILED;
		}
		run = present == want ? run + 1 : 0;
		if (run >= polls)
			return WAIT_DONE;
		pause_ms(l, l->s->sp->poll_ms);
	}
}

/* A paused lane holds here, between boards, until resumed or stopped. */
static void
hold_while_paused(struct station_lane *l)
{
	struct station *s = l->s;
	bool held = false;

	pthread_mutex_lock(&s->lock);
	while (l->paused && l->ctl == STATION_RUN && s->ctl == STATION_RUN) {
		if (!held) {
			l->view.state = STATION_LANE_PAUSED;
			held = true;
			pthread_mutex_unlock(&s->lock);
			station_wake(s);
			pthread_mutex_lock(&s->lock);
			continue;
		}
		pthread_cond_wait(&s->cond, &s->lock);
	}
	pthread_mutex_unlock(&s->lock);
}

static bool
on_job_event(void *user, const struct job_event *jev)
{
	struct station_lane *l = user;
	struct station *s = l->s;
	struct station_event ev;
	bool visible = false;

	if (jev->kind == JOB_EVENT_PHASE && jev->phase != l->phase) {
		double now = iw_clock_s();

		if (l->phase < JOB_PHASE_COUNT)
			l->times.phase_s[l->phase] += now - l->phase_t0;
		l->phase = jev->phase;
		l->phase_t0 = now;
	}
	if (jev->kind == JOB_EVENT_PHASE || jev->kind == JOB_EVENT_PROGRESS) {
		pthread_mutex_lock(&s->lock);
		visible = l->view.phase != jev->phase || l->view.done != jev->done;
		l->view.phase = jev->phase;
		l->view.done = jev->done;
		l->view.total = jev->total;
		pthread_mutex_unlock(&s->lock);
	}
	if (visible)
		station_wake(s);
	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_JOB;
	ev.job = jev;
	station_emit(s, l, &ev);
	return stop_level(l) != STATION_STOP_NOW;
}

/* The log could not take this board's line (or its start): the lane (and
 * the station: every lane shares the log) cannot go on. */
static void
log_failed(struct station_lane *l, const struct iw_error *lerr)
{
	struct station *s = l->s;

	l->sum.log_failed = true;
	l->sum.status = lerr->code;
	l->sum.error = *lerr;
	pthread_mutex_lock(&s->lock);
	if (!s->total.log_failed) {
		s->total.log_failed = true;
		s->total.status = lerr->code;
		s->total.error = *lerr;
		iw_error_prefix(&s->total.error, "lane %u", l->info.id);
	}
	s->ctl = STATION_STOP_AFTER_BOARD;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static void
count_result(struct station_lane *l, const struct job_result *res)
{
	struct station *s = l->s;
	struct station_summary *sum = &l->sum;
	char cause[STATION_CAUSE_MAX];
	const char *c = station_cause(res, cause, sizeof cause);

	sum->boards++;
	if (res->status == IW_OK) {
		sum->ok++;
	} else {
		sum->failed++;
		sum->last_failed_board = l->board;
		sum->last_failed_lane = l->info.id;
		sum->last_failure = res->status;
		sum->last_failed_phase = res->phase;
	}
	pthread_mutex_lock(&s->lock);
	l->view.ok = sum->ok;
	l->view.failed = sum->failed;
	snprintf(l->view.last_result, sizeof l->view.last_result, "%s",
		 res->status == IW_OK ? "ok" : res->status == IW_CANCELLED ? "cancelled" :
		 "failed");
	snprintf(l->view.last_cause, sizeof l->view.last_cause, "%s", c != NULL ? c : "");
	station_count_result(s, c, res->status == IW_OK);
	if (res->status != IW_OK) {
		s->total.last_failed_board = l->board;
		s->total.last_failed_lane = l->info.id;
		s->total.last_failure = res->status;
		s->total.last_failed_phase = res->phase;
	}
	pthread_mutex_unlock(&s->lock);
	station_wake(s);
}

/* One board: run, count, log, report.  Returns false when the lane
 * cannot go on. */
static bool
do_board(struct station_lane *l)
{
	struct station *s = l->s;
	struct station_summary *sum = &l->sum;
	struct job_result *res = l->res;
	struct station_event ev;
	json_t *record;
	struct iw_error lerr;
	bool go_on = true;

	memset(&l->times, 0, sizeof l->times);
	l->times.started = time(NULL);
	l->phase = JOB_PHASE_COUNT;
	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_BOARD;
	ev.when = l->times.started;
	station_emit(s, l, &ev);
	set_state(l, STATION_LANE_FLASHING);
	if (s->log != NULL) {
		json_t *start = station_start_json(s->sp, &s->session, &l->info, l->board,
						   l->times.started);

		if (start == NULL || station_log_board_start(s->log, s->session.id, l->info.id,
							      l->board, start, &lerr) != IW_OK) {
			if (start == NULL)
				iw_error_set(&lerr, IW_NOMEM, "out of memory writing the log");
			json_decref(start);
			iw_error_prefix(&lerr, "board %u was not flashed: its start could not "
					"be noted", l->board);
			log_failed(l, &lerr);
			return false;
		}
		json_decref(start);
	}
	job_run(&l->job, on_job_event, l, res);
	if (l->phase < JOB_PHASE_COUNT)
		l->times.phase_s[l->phase] += iw_clock_s() - l->phase_t0;
	l->times.ended = time(NULL);
	count_result(l, res);
	record = station_record_json(s->sp, &s->session, &l->info, l->board, &l->times, res);
	if (s->log != NULL && (record == NULL ||
			       station_log_write(s->log, record, &lerr) != IW_OK)) {
		if (record == NULL)
			iw_error_set(&lerr, IW_NOMEM, "out of memory writing the log");
		iw_error_prefix(&lerr, "board %u was %s but could not be logged", l->board,
				res->status == IW_OK ? "flashed" : "not flashed");
		log_failed(l, &lerr);
		go_on = false;
	} else if (s->log != NULL) {
		station_log_board_end(s->log, s->session.id, l->info.id, l->board);
	}
	sum->seconds = since(s->t0);
	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_RESULT;
	ev.result = res;
	ev.record = record;
	ev.when = l->times.started;
	station_emit(s, l, &ev);
	json_decref(record);
	if (go_on && station_status_is_fatal(res->status)) {
		sum->status = res->status;
		sum->error = res->error;
		iw_error_prefix(&sum->error, "board %u", l->board);
		go_on = false;
	}
	return go_on;
}

static enum iw_status
open_programmer(struct station_lane *l, struct iw_error *err)
{
	enum iw_status st;

	if ((st = job_open_programmer(&l->job, &l->own, err)) != IW_OK)
		return st;
	l->p = &l->own;
	l->opened = true;
	return IW_OK;
}

static void
lane_loop(struct station_lane *l)
{
	const struct station_plan *sp = l->s->sp;
	struct station_summary *sum = &l->sum;
	enum wait_end w;

	for (;;) {
		hold_while_paused(l);
		emit_kind(l, STATION_EVENT_WAITING, l->board + 1);
		set_state(l, STATION_LANE_WAITING);
		w = wait_for(l, true, sp->present_polls);
		if (w != WAIT_DONE) {
			sum->stopped = w == WAIT_STOPPED;
			break;
		}
		/* With --count, the last boards may be on other lanes' jigs. */
		if (!station_take_board(l)) {
			sum->stopped = false;
			break;
		}
		l->board++;
		if (!do_board(l))
			break;
		if (l->res->status == IW_CANCELLED || stop_level(l) != STATION_RUN) {
			sum->stopped = true;
			break;
		}
		if (station_count_done(l->s))
			break;
		emit_kind(l, STATION_EVENT_REMOVE, l->board);
		set_state(l, STATION_LANE_REMOVE);
		w = wait_for(l, false, sp->absent_polls);
		if (w != WAIT_DONE) {
			sum->stopped = w == WAIT_STOPPED;
			break;
		}
	}
}

void *
station_lane_main(void *arg)
{
	struct station_lane *l = arg;
	struct station *s = l->s;
	struct station_summary *sum = &l->sum;
	sigset_t block;

	/* Signals are for the front end's thread: never interrupt a driver's
	 * system call here. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	l->job = s->sp->job;
	if (l->info.port[0] != '\0')
		l->job.port = l->info.port;
	/* For the log: which programmer this lane is, whatever port it got. */
	if (l->p == NULL && l->info.serial[0] == '\0' &&
	    l->job.programmer->transport != CATALOG_TRANSPORT_SIM) {
		char serial[STATION_SERIAL_MAX] = "";

		station_lookup_serial(l->job.catalog, l->info.port, serial, sizeof serial);
		pthread_mutex_lock(&s->lock);
		snprintf(l->info.serial, sizeof l->info.serial, "%s", serial);
		l->view.info = l->info;
		pthread_mutex_unlock(&s->lock);
	}
	if ((l->res = malloc(sizeof *l->res)) == NULL) {
		sum->status = iw_error_set(&sum->error, IW_NOMEM, "out of memory starting "
					   "lane %u", l->info.id);
	} else if (l->p == NULL && (sum->status = open_programmer(l, &sum->error)) != IW_OK) {
		iw_error_prefix(&sum->error, "lane %u", l->info.id);
	} else {
		l->job.prog = l->p;
		emit_kind(l, STATION_EVENT_LANE_START, 0);
		lane_loop(l);
	}
	if (l->opened) {
		struct iw_error e;

		iw_error_clear(&e);
		if (prog_close(&l->own, &e) != IW_OK && sum->status == IW_OK) {
			sum->status = e.code;
			sum->error = e;
		}
		l->opened = false;
	}
	free(l->res);
	l->res = NULL;
	sum->seconds = since(s->t0);
	if (sum->status == IW_OK)
		iw_error_clear(&sum->error);
	else
		sum->error.code = sum->status;
	emit_kind(l, STATION_EVENT_LANE_END, l->board);
	pthread_mutex_lock(&s->lock);
	l->ended = true;
	l->view.state = STATION_LANE_ENDED;
	snprintf(l->view.ended, sizeof l->view.ended, "%s",
		 sum->status != IW_OK ? sum->error.msg : "");
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	station_wake(s);
	return NULL;
}
