/* station.c - the station loop: wait for a board, run the job on it, log
 * it, wait for it to go, again; and the checks before the first board. */
#include "config.h"

#include "job/station.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* --- the loop ------------------------------------------------------------------- */

struct station_ctx {
	const struct station_plan *sp;
	const struct station_ops *ops;
	struct station_summary *sum;
	struct station_session session;
	struct job_plan job;           /* sp->job on the station's programmer */
	struct prog own;
	struct prog *p;
	bool opened;
	struct station_log *log;
	struct job_result *res;
	unsigned board;
	unsigned lane;                 /* this station's lane in the log (0: the only one) */
	bool script_over;              /* a simulated board script has ended */
	double t0;
};

static double
since(double t0)
{
	return iw_clock_s() - t0;
}

static void
emit(struct station_ctx *c, struct station_event *ev)
{
	ev->session = &c->session;
	if (ev->board == 0)
		ev->board = c->board;
	if (ev->summary == NULL)
		ev->summary = c->sum;
	if (c->ops->event != NULL)
		c->ops->event(c->ops->user, ev);
}

static void
emit_kind(struct station_ctx *c, enum station_event_kind kind, unsigned board)
{
	struct station_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.board = board;
	emit(c, &ev);
}

static enum station_stop
stop_level(struct station_ctx *c)
{
	enum station_stop s = c->ops->stop != NULL ? c->ops->stop(c->ops->user) : STATION_RUN;

	/* No board will come after a simulated script's end. */
	return s == STATION_RUN && c->script_over ? STATION_STOP_AFTER_BOARD : s;
}

/* Let `ms` pass between polls: for real (through the front end, which
 * returns early on a stop), or on a simulated board script's own clock. */
static void
pause_ms(struct station_ctx *c, unsigned ms)
{
	switch (prog_idle(c->p, ms)) {
	case PROG_IDLE_REAL:
		if (c->ops->wait != NULL)
			c->ops->wait(c->ops->user, ms);
		else
			iw_sleep_ms(ms);
		break;
	case PROG_IDLE_VIRTUAL:
		break;
	case PROG_IDLE_OVER:
		if (!c->script_over) {
			c->script_over = true;
			emit_kind(c, STATION_EVENT_SCRIPT_END, 0);
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
probe(struct station_ctx *c, bool *present, struct iw_error *err)
{
	struct prog *p = c->p;
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

enum wait_end { WAIT_DONE, WAIT_STOPPED, WAIT_FAILED };

/* Until the board has answered (`want` true) or stayed silent on `polls`
 * polls in a row. */
static enum wait_end
wait_for(struct station_ctx *c, bool want, unsigned polls)
{
	unsigned run = 0;

	for (;;) {
		bool present;
		enum iw_status st;

		if (stop_level(c) != STATION_RUN)
			return WAIT_STOPPED;
		if ((st = probe(c, &present, &c->sum->error)) != IW_OK) {
			c->sum->status = st;
			return WAIT_FAILED;
		}
		run = present == want ? run + 1 : 0;
		if (run >= polls)
			return WAIT_DONE;
		pause_ms(c, c->sp->poll_ms);
	}
}

static bool
on_job_event(void *user, const struct job_event *jev)
{
	struct station_ctx *c = user;
	struct station_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_JOB;
	ev.job = jev;
	emit(c, &ev);
	return stop_level(c) != STATION_STOP_NOW;
}

/* One board: run, count, log, report.  Returns false when the station
 * cannot go on. */
static bool
do_board(struct station_ctx *c)
{
	struct station_summary *sum = c->sum;
	struct job_result *res = c->res;
	struct station_event ev;
	time_t when = time(NULL);
	json_t *record;
	struct iw_error lerr;
	bool go_on = true;

	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_BOARD;
	ev.when = when;
	emit(c, &ev);
	if (c->log != NULL) {
		json_t *start = station_start_json(c->sp, &c->session, c->lane, c->board, when);

		if (start == NULL || station_log_board_start(c->log, c->session.id, c->lane,
							      c->board, start, &lerr) != IW_OK) {
			if (start == NULL)
				iw_error_set(&lerr, IW_NOMEM, "out of memory writing the log");
			json_decref(start);
			sum->log_failed = true;
			sum->status = lerr.code;
			sum->error = lerr;
			iw_error_prefix(&sum->error, "board %u was not flashed: its start "
					"could not be noted", c->board);
			return false;
		}
		json_decref(start);
	}
	job_run(&c->job, on_job_event, c, res);
	sum->boards++;
	if (res->status == IW_OK) {
		sum->ok++;
	} else {
		sum->failed++;
		sum->last_failed_board = c->board;
		sum->last_failure = res->status;
		sum->last_failed_phase = res->phase;
	}
	record = station_record_json(c->sp, &c->session, c->board, when, res);
	if (c->log != NULL && (record == NULL ||
			       station_log_write(c->log, record, &lerr) != IW_OK)) {
		if (record == NULL)
			iw_error_set(&lerr, IW_NOMEM, "out of memory writing the log");
		sum->log_failed = true;
		sum->status = lerr.code;
		sum->error = lerr;
		iw_error_prefix(&sum->error, "board %u was %s but could not be logged",
				c->board, res->status == IW_OK ? "flashed" : "not flashed");
		go_on = false;
	} else if (c->log != NULL) {
		station_log_board_end(c->log, c->session.id, c->lane, c->board);
	}
	sum->seconds = since(c->t0);
	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_RESULT;
	ev.result = res;
	ev.record = record;
	ev.when = when;
	emit(c, &ev);
	json_decref(record);
	if (go_on && station_status_is_fatal(res->status)) {
		sum->status = res->status;
		sum->error = res->error;
		iw_error_prefix(&sum->error, "board %u", c->board);
		go_on = false;
	}
	return go_on;
}

static enum iw_status
open_programmer(struct station_ctx *c, struct iw_error *err)
{
	enum iw_status st;

	if ((st = job_open_programmer(&c->sp->job, &c->own, err)) != IW_OK)
		return st;
	c->p = &c->own;
	c->opened = true;
	return IW_OK;
}

static void
on_interrupted(void *user, json_t *record)
{
	struct station_ctx *c = user;
	struct station_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = STATION_EVENT_INTERRUPTED;
	ev.record = record;
	emit(c, &ev);
}

static enum iw_status
start(struct station_ctx *c, struct prog *prog)
{
	const struct station_plan *sp = c->sp;
	struct station_summary *sum = c->sum;
	struct tm tm;
	char stamp[32] = "";
	enum iw_status st;

	if ((st = station_plan_validate(sp, &sum->error)) != IW_OK)
		return st;
	c->session.started = time(NULL);
	if (localtime_r(&c->session.started, &tm) != NULL)
		strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
	snprintf(c->session.id, sizeof c->session.id, "%s-%ld", stamp, (long)getpid());
	if (sp->job.image_path != NULL &&
	    (st = sha256_file_hex(sp->job.image_path, c->session.image_sha256, NULL,
				  &sum->error)) != IW_OK)
		return st;
	if ((c->res = malloc(sizeof *c->res)) == NULL)
		return iw_error_set(&sum->error, IW_NOMEM, "out of memory starting the station");
	if (sp->log_path != NULL) {
		size_t dropped;
		struct station_event ev;

		if ((st = station_log_open(sp->log_path, &c->log, &dropped, &sum->error)) != IW_OK)
			return st;
		if (dropped > 0) {
			memset(&ev, 0, sizeof ev);
			ev.kind = STATION_EVENT_LOG_REPAIRED;
			ev.dropped = dropped;
			emit(c, &ev);
		}
		if ((st = station_log_recover(c->log, on_interrupted, c, &sum->error)) != IW_OK)
			return st;
	}
	if (prog != NULL)
		c->p = prog;
	else if ((st = open_programmer(c, &sum->error)) != IW_OK)
		return st;
	c->job = sp->job;
	c->job.prog = c->p;
	return IW_OK;
}

enum iw_status
station_run(const struct station_plan *sp, struct prog *prog,
	    const struct station_ops *ops, struct station_summary *summary)
{
	static const struct station_ops no_ops;
	struct station_ctx c;
	enum wait_end w;

	memset(summary, 0, sizeof *summary);
	memset(&c, 0, sizeof c);
	c.sp = sp;
	c.ops = ops != NULL ? ops : &no_ops;
	c.sum = summary;
	c.t0 = iw_clock_s();
	if ((summary->status = start(&c, prog)) != IW_OK)
		goto out;
	emit_kind(&c, STATION_EVENT_START, 0);
	for (;;) {
		if (sp->count != 0 && summary->boards >= sp->count)
			break;
		emit_kind(&c, STATION_EVENT_WAITING, c.board + 1);
		w = wait_for(&c, true, sp->present_polls);
		if (w != WAIT_DONE) {
			summary->stopped = w == WAIT_STOPPED;
			break;
		}
		c.board++;
		if (!do_board(&c))
			break;
		if (c.res->status == IW_CANCELLED || stop_level(&c) != STATION_RUN) {
			summary->stopped = true;
			break;
		}
		if (sp->count != 0 && summary->boards >= sp->count)
			break;
		emit_kind(&c, STATION_EVENT_REMOVE, c.board);
		w = wait_for(&c, false, sp->absent_polls);
		if (w != WAIT_DONE) {
			summary->stopped = w == WAIT_STOPPED;
			break;
		}
	}
out:
	if (c.opened) {
		struct iw_error e;

		iw_error_clear(&e);
		if (prog_close(&c.own, &e) != IW_OK && summary->status == IW_OK) {
			summary->status = e.code;
			summary->error = e;
		}
	}
	station_log_close(c.log);
	free(c.res);
	summary->seconds = since(c.t0);
	if (summary->status == IW_OK)
		iw_error_clear(&summary->error);
	else
		summary->error.code = summary->status;
	emit_kind(&c, STATION_EVENT_END, c.board);
	return summary->status;
}
