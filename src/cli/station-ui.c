/* station-ui.c - what the operator of `ispwiz station` sees without the
 * dashboard: one line per board on stdout (time, lane, board number,
 * result, signature, duration; on failure the step, the message and the
 * likely cause) and a summary; the waiting and progress status on stderr,
 * as one live line on a terminal; or, with --json, one JSON object per
 * event on stdout, each with its lane.  Also the station's stop callback. */
#include "config.h"

#include "cli/station-ui.h"

#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/json-util.h"
#include "core/clock.h"

#define REDRAW_NS 100000000LL     /* the live status line: at most 10 redraws a second */

void
station_ui_init(struct station_ui *u, struct session *ctx, const struct station_plan *sp)
{
	memset(u, 0, sizeof *u);
	u->ctx = ctx;
	u->sp = sp;
	u->tty = !ctx->json && isatty(STDERR_FILENO);
	atomic_init(&u->interrupts, 0);
}


static void
clear_status(struct station_ui *u)
{
	if (u->status_shown) {
		fputs("\r\033[K", stderr);
		u->status_shown = false;
	}
}

/* The live line on a terminal; a plain line otherwise when `plain`. */
static void
status(struct station_ui *u, bool plain, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
status(struct station_ui *u, bool plain, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	if (u->ctx->json)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (u->tty) {
		fprintf(stderr, "\r%s\033[K", text);
		u->status_shown = true;
		u->last_draw_ns = (long long)iw_clock_ns();
	} else if (plain) {
		fprintf(stderr, "%s\n", text);
	}
}

/* A line that stays (stderr), below any live status. */
static void
note(struct station_ui *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
note(struct station_ui *u, const char *fmt, ...)
{
	char text[JOB_MESSAGE_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	clear_status(u);
	fprintf(stderr, "%s\n", text);
}

/* One event per line, flushed at once (a tool may be waiting on it). */
static void
print_event(json_t *o, FILE *out)
{
	json_dumpf(o, out, STATION_JSON_FLAGS);
	fputc('\n', out);
	fflush(out);
	json_decref(o);
}

static void
json_simple(const char *event, unsigned lane, unsigned board, const char *message)
{
	json_t *o = json_pack("{s:s}", "event", event);

	if (o == NULL)
		return;
	if (lane > 0)
		json_object_set_new(o, "lane", json_integer(lane));
	if (board > 0)
		json_object_set_new(o, "board", json_integer(board));
	if (message != NULL)
		json_object_set_new(o, "message", json_string(message));
	print_event(o, stdout);
}

static enum station_stop
ui_stop(void *user)
{
	struct station_ui *u = user;
	int n = atomic_load(&u->interrupts);

	if (n > u->announced) {
		const char *msg;

		if (u->flashing == 0)
			msg = "stopping";
		else if (n == 1)
			msg = "finishing the boards being flashed, then stopping; interrupt "
			      "again to abort them at the next safe point (a fuse or lock "
			      "write always completes)";
		else
			msg = "aborting the boards being flashed at the next safe point";
		if (u->ctx->json)
			json_simple("stopping", 0, 0, msg);
		else
			note(u, "%s: %s", u->ctx->argv0, msg);
		u->announced = n;
	}
	if (n >= 2 && u->flashing != 0)
		return STATION_STOP_NOW;
	if (n >= 1)
		return STATION_STOP_AFTER_BOARD;
	return STATION_RUN;
}

/* --- what the operator sees ------------------------------------------------------------ */

static const char *
fuses_text(const struct job_plan *jp, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int b = 0; b < FUSE_COUNT && used < size; b++) {
		int n;

		if (!jp->fuses.present[b])
			continue;
		n = snprintf(buf + used, size - used, "%s%s 0x%02X", used > 0 ? " " : "",
			     fuse_byte_name((enum fuse_byte)b), jp->fuses.value[b]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used == 0)
		snprintf(buf, size, "unchanged");
	return buf;
}

static void
show_start(struct station_ui *u, const struct station_event *ev)
{
	const struct station_plan *sp = u->sp;
	const struct job_plan *jp = &sp->job;
	const char *part = catalog_part_label(jp->part);
	char fuses[64], lock[16], count[48];

	if (u->ctx->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:b}",
				      "event", "start", "session", ev->session->id,
				      "part", jp->part->id, "programmer", jp->programmer->id,
				      "image", json_string_or_null(jp->image_path),
				      "image_sha256", json_string_or_null(
					      ev->session->image_sha256[0] != '\0' ?
					      ev->session->image_sha256 : NULL),
				      "log", json_string_or_null(sp->log_path),
				      "backup", jp->backup);

		if (o != NULL) {
			json_object_set_new(o, "count", sp->count != 0 ?
					    json_integer(sp->count) : json_null());
			print_event(o, stdout);
		}
		return;
	}
	if (jp->has_lock)
		snprintf(lock, sizeof lock, "0x%02X", jp->lock);
	else
		snprintf(lock, sizeof lock, "unchanged");
	note(u, "Station: %s via %s; image %s (SHA-256 %.16s...); fuses %s; lock %s",
	     part, jp->programmer->id,
	     jp->image_path != NULL ? jp->image_path : "none",
	     ev->session->image_sha256, fuses_text(jp, fuses, sizeof fuses), lock);
	if (sp->count != 0)
		snprintf(count, sizeof count, "stops after %u board%s", sp->count,
			 sp->count == 1 ? "" : "s");
	else
		snprintf(count, sizeof count, "runs until stopped");
	note(u, "  %s; %s%s; %s; Ctrl-C stops after the current boards",
	     jp->backup ? "a backup of each board before it is erased" :
	     "no backups (--backup keeps one per board)",
	     sp->log_path != NULL ? "log: " : "no log (--log FILE)",
	     sp->log_path != NULL ? sp->log_path : "", count);
}

static void
show_lane_start(struct station_ui *u, const struct station_event *ev)
{
	const struct station_lane_info *in = ev->info;

	if (u->ctx->json) {
		json_t *o = json_pack("{s:s, s:i, s:o, s:o}", "event", "lane", "lane",
				      (int)ev->lane,
				      "port", json_string_or_null(in->port[0] != '\0' ?
								  in->port : NULL),
				      "serial", json_string_or_null(in->serial[0] != '\0' ?
								    in->serial : NULL));

		if (o != NULL)
			print_event(o, stdout);
		return;
	}
	note(u, "lane %u: %s%s%s%s%s%s", ev->lane, u->sp->job.programmer->id,
	     in->port[0] != '\0' ? " on " : "", in->port,
	     in->serial[0] != '\0' ? " (serial " : "", in->serial,
	     in->serial[0] != '\0' ? ")" : "");
}

static void
show_lane_end(struct station_ui *u, const struct station_event *ev)
{
	const struct station_summary *sum = ev->summary;

	if (u->ctx->json) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:s, s:s}",
				      "event", "lane-end", "lane", (int)ev->lane,
				      "boards", (int)sum->boards, "ok", (int)sum->ok,
				      "failed", (int)sum->failed,
				      "status", iw_status_name(sum->status),
				      "message", sum->status == IW_OK ? "ok" : sum->error.msg);

		if (o != NULL)
			print_event(o, stdout);
		return;
	}
	if (ev->lane == 0)
		note(u, "%s: %s", u->ctx->argv0, sum->error.msg);
	else if (sum->status != IW_OK)
		note(u, "%s: lane %u (%s) ended: %s", u->ctx->argv0, ev->lane,
		     ev->info->port[0] != '\0' ? ev->info->port : u->sp->job.programmer->id,
		     sum->error.msg);
}

static void
show_job(struct station_ui *u, const struct station_event *ev)
{
	const struct job_event *j = ev->job;

	if (u->ctx->json) {
		if (j->kind == JOB_EVENT_PHASE && j->phase != JOB_PHASE_PLAN) {
			json_t *o = json_pack("{s:s, s:i, s:i, s:s}", "event", "phase",
					      "lane", (int)ev->lane,
					      "board", (int)ev->board, "phase",
					      job_phase_name(j->phase));

			if (o != NULL)
				print_event(o, stdout);
		} else if (j->kind == JOB_EVENT_WARNING) {
			json_t *o = json_pack("{s:s, s:i, s:i, s:s, s:s}", "event", "warning",
					      "lane", (int)ev->lane,
					      "board", (int)ev->board, "phase",
					      job_phase_name(j->phase), "message", j->message);

			if (o != NULL)
				print_event(o, stdout);
		}
		return;
	}
	switch (j->kind) {
	case JOB_EVENT_PHASE:
		if (j->phase != JOB_PHASE_PLAN)
			status(u, false, "lane %u board %u: %s", ev->lane, ev->board,
			       job_phase_title(j->phase));
		break;
	case JOB_EVENT_PROGRESS:
		if (j->total > 0 && (j->done == j->total ||
				     (long long)iw_clock_ns() - u->last_draw_ns >= REDRAW_NS))
			status(u, false, "lane %u board %u: %s %u%%", ev->lane, ev->board,
			       job_phase_title(j->phase),
			       (unsigned)((uint64_t)j->done * 100 / j->total));
		break;
	case JOB_EVENT_WARNING:
		note(u, "  lane %u board %u: warning: %s", ev->lane, ev->board, j->message);
		break;
	case JOB_EVENT_INFO:
		if (u->ctx->verbose > 0)
			note(u, "  lane %u board %u: %s", ev->lane, ev->board, j->message);
		break;
	case JOB_EVENT_DONE:
		break;
	}
}

static void
diag_line(void *user, const char *line)
{
	(void)user;
	fprintf(stderr, "    %s\n", line);
}

static void
show_result(struct station_ui *u, const struct station_event *ev)
{
	const struct job_result *res = ev->result;
	char when[32], sig[16] = "-- -- --", cause[STATION_CAUSE_MAX];
	const char *c;

	if (u->ctx->json) {
		json_t *o = json_pack("{s:s}", "event", "result");

		if (o != NULL) {
			if (ev->record != NULL)
				json_object_update(o, ev->record);
			print_event(o, stdout);
		}
		return;
	}
	clear_status(u);
	if (res->have_signature)
		snprintf(sig, sizeof sig, "%02X %02X %02X", res->signature[0],
			 res->signature[1], res->signature[2]);
	station_time_text(ev->when, when, sizeof when);
	c = station_cause(res, cause, sizeof cause);
	if (res->status == IW_OK) {
		printf("%s  lane %u  board %u  ok      %s  %5.1f s\n", when, ev->lane,
		       ev->board, sig, res->seconds);
	} else {
		printf("%s  lane %u  board %u  %-6s  %s  %5.1f s  %s: %s (likely: %s)\n", when,
		       ev->lane, ev->board, res->status == IW_CANCELLED ? "ABORT" : "FAILED",
		       sig, res->seconds, job_phase_name(res->phase), res->error.msg, c);
	}
	fflush(stdout);
	if (res->status != IW_OK && res->has_diagnosis && u->ctx->verbose > 0)
		wiring_doctor_render(&res->diagnosis, u->sp->job.programmer, diag_line, NULL);
}

static void
format_duration(double s, char *buf, size_t size)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%ld h %02ld min", t / 3600, t / 60 % 60);
	else if (t >= 60)
		snprintf(buf, size, "%ld min %02ld s", t / 60, t % 60);
	else
		snprintf(buf, size, "%.1f s", s);
}

int
station_ui_exit_code(const struct station_summary *sum, bool watching)
{
	if (sum->status != IW_OK)
		return iw_status_exit_code(sum->status);
	if (sum->failed > 0)
		return iw_status_exit_code(sum->last_failure);
	if (sum->lanes_failed > 0 && !watching)
		return iw_status_exit_code(sum->lane_failure);
	return 0;
}

static void
show_end(struct station_ui *u, const struct station_event *ev)
{
	const struct station_summary *sum = ev->summary;
	char dur[32], last[96] = "", lanes[64] = "";

	if (u->ctx->json) {
		json_t *o = json_pack("{s:s, s:i, s:i, s:i, s:i, s:i, s:f, s:b, s:s, s:s}",
				      "event", "summary", "boards", (int)sum->boards,
				      "ok", (int)sum->ok, "failed", (int)sum->failed,
				      "lanes", (int)sum->lanes,
				      "lanes_failed", (int)sum->lanes_failed,
				      "seconds", (double)(long)(sum->seconds * 1000.0 + 0.5) / 1000.0,
				      "stopped", sum->stopped,
				      "status", iw_status_name(sum->status),
				      "message", sum->status == IW_OK ? "ok" : sum->error.msg);

		if (o != NULL) {
			json_object_set_new(o, "exit_code", json_integer(
				station_ui_exit_code(sum, u->watching)));
			json_object_set_new(o, "last_failed_board", sum->failed > 0 ?
					    json_integer(sum->last_failed_board) : json_null());
			json_object_set_new(o, "last_failed_lane", sum->failed > 0 ?
					    json_integer(sum->last_failed_lane) : json_null());
			print_event(o, stdout);
		}
		return;
	}
	clear_status(u);
	format_duration(sum->seconds, dur, sizeof dur);
	if (sum->failed > 0)
		snprintf(last, sizeof last, " (last failure: lane %u board %u at %s)",
			 sum->last_failed_lane, sum->last_failed_board,
			 job_phase_name(sum->last_failed_phase));
	if (sum->lanes > 1 || sum->lanes_failed > 0)
		snprintf(lanes, sizeof lanes, " on %u lane%s%s", sum->lanes,
			 sum->lanes == 1 ? "" : "s",
			 sum->lanes_failed > 0 ? " (some ended early)" : "");
	printf("Station ended: %u board%s, %u ok, %u failed%s%s, in %s.\n", sum->boards,
	       sum->boards == 1 ? "" : "s", sum->ok, sum->failed, last, lanes, dur);
	fflush(stdout);
}

static void
show_interrupted(struct station_ui *u, const struct station_event *ev)
{
	json_t *b = json_object_get(ev->record, "board");
	json_t *lane = json_object_get(ev->record, "lane");
	json_t *sess = json_object_get(ev->record, "session");
	json_t *started = json_object_get(ev->record, "started");

	if (u->ctx->json) {
		json_t *o = json_pack("{s:s, s:O}", "event", "interrupted", "record",
				      ev->record);

		if (o != NULL)
			print_event(o, stdout);
		return;
	}
	note(u, "%s: warning: lane %lld board %lld of the run %s (started %s) was never "
	     "finished: the station stopped while flashing it; it may be half written, "
	     "flash it again (logged as interrupted)", u->ctx->argv0,
	     json_is_integer(lane) ? (long long)json_integer_value(lane) : 0LL,
	     json_is_integer(b) ? (long long)json_integer_value(b) : 0LL,
	     json_is_string(sess) ? json_string_value(sess) : "?",
	     json_is_string(started) ? json_string_value(started) : "?");
}

static void
ui_event(void *user, const struct station_event *ev)
{
	struct station_ui *u = user;

	switch (ev->kind) {
	case STATION_EVENT_START:
		show_start(u, ev);
		break;
	case STATION_EVENT_LANE_START:
		show_lane_start(u, ev);
		break;
	case STATION_EVENT_WAITING:
		if (u->ctx->json)
			json_simple("waiting", ev->lane, ev->board, NULL);
		else if (ev->summary->boards == 0)
			status(u, true, "lane %u: waiting for board %u (Ctrl-C to stop)",
			       ev->lane, ev->board);
		else
			status(u, true, "lane %u: waiting for board %u (so far %u ok, %u "
			       "failed; Ctrl-C to stop)", ev->lane, ev->board, ev->summary->ok,
			       ev->summary->failed);
		break;
	case STATION_EVENT_BOARD:
		u->flashing++;
		if (u->ctx->json)
			json_simple("board", ev->lane, ev->board, NULL);
		else
			status(u, false, "lane %u board %u: found", ev->lane, ev->board);
		break;
	case STATION_EVENT_JOB:
		show_job(u, ev);
		break;
	case STATION_EVENT_RESULT:
		if (u->flashing > 0)
			u->flashing--;
		show_result(u, ev);
		break;
	case STATION_EVENT_REMOVE:
		if (u->ctx->json)
			json_simple("remove", ev->lane, ev->board, NULL);
		else
			status(u, true, "lane %u: take board %u off the jig", ev->lane, ev->board);
		break;
	case STATION_EVENT_LOG_REPAIRED: {
		char msg[300];

		snprintf(msg, sizeof msg, "the log %s ended in a line cut short (%zu bytes, "
			 "from a crash or a full disk); it was cut off so every line is a "
			 "whole record", u->sp->log_path, ev->dropped);
		if (u->ctx->json)
			json_simple("log-repaired", 0, 0, msg);
		else
			note(u, "%s: note: %s", u->ctx->argv0, msg);
		break;
	}
	case STATION_EVENT_INTERRUPTED:
		show_interrupted(u, ev);
		break;
	case STATION_EVENT_SCRIPT_END:
		if (u->ctx->json)
			json_simple("script-end", ev->lane, 0,
				    "the simulated board script has ended");
		else
			note(u, "%s: lane %u: the simulated board script has ended; stopping",
			     u->ctx->argv0, ev->lane);
		break;
	case STATION_EVENT_LANE_END:
		show_lane_end(u, ev);
		break;
	case STATION_EVENT_END:
		show_end(u, ev);
		break;
	}
}

void
station_ui_ops(struct station_ui *u, struct station_ops *ops)
{
	memset(ops, 0, sizeof *ops);
	ops->event = ui_event;
	ops->stop = ui_stop;
	ops->user = u;
}
