/* cli-job.c - options, progress display and result output shared by the
 * commands that run an ISP job (flash, read, station). */
#include "config.h"

#include "cli/cli-job.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/json-util.h"
#include "job/wiring-doctor.h"
#include "core/clock.h"

#define MAX_BAUD 4000000UL

/* --- options ------------------------------------------------------------------ */

const int cli_job_repeatable[] = { 'x', CLI_JOB_OPT_SIM_FAULT, 0 };

int
cli_job_option(struct session *ctx, const struct cli_command *cmd, int c,
	       const char *arg, struct cli_job_opts *o, int *rc)
{
	switch (c) {
	case 'c':
		o->programmer = arg;
		return 1;
	case 'p':
		o->part = arg;
		return 1;
	case 'P':
		o->port = arg;
		return 1;
	case 'b': {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(arg, &end, 10);
		if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v == 0 ||
		    v > MAX_BAUD) {
			*rc = cli_usage_error(ctx, cmd, "-b %s: give the serial speed in baud, "
					      "1 to %lu (the ArduinoISP sketch talks 19200, a "
					      "Bus Pirate 115200)", arg, MAX_BAUD);
			return -1;
		}
		o->baud = (unsigned)v;
		return 1;
	}
	case 'x':
		if (strcmp(arg, "help") == 0) {
			o->driver_help = true;
			return 1;
		}
		if (o->n_driver_opts == CLI_JOB_MAX_DRIVER_OPTS) {
			*rc = cli_usage_error(ctx, cmd, "at most %d -x options",
					      CLI_JOB_MAX_DRIVER_OPTS);
			return -1;
		}
		o->driver_opts[o->n_driver_opts++] = arg;
		return 1;
	case CLI_JOB_OPT_SIM_STATE:
		o->sim_state = arg;
		return 1;
	case CLI_JOB_OPT_SIM_FAULT:
		if (o->n_sim_faults == CLI_JOB_MAX_FAULTS) {
			*rc = cli_usage_error(ctx, cmd, "at most %d --sim-fault options",
					      CLI_JOB_MAX_FAULTS);
			return -1;
		}
		o->sim_faults[o->n_sim_faults++] = arg;
		return 1;
	case CLI_JOB_OPT_JSON:
		ctx->json = true;
		return 1;
	default:
		return 0;
	}
}

static void
list_ids(const struct catalog *cat, bool programmers, char *buf, size_t size)
{
	size_t used = 0, n = programmers ? cat->n_programmers : cat->n_parts;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < size; i++) {
		const char *id = programmers ? cat->programmers[i].id : cat->parts[i].id;
		int k = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "", id);

		if (k < 0)
			break;
		used += (size_t)k;
	}
}

/* -c as a catalog entry; 0, or an exit code after printing the problem. */
static int
find_programmer(struct session *ctx,
		const struct cli_job_opts *o, const struct catalog_programmer **pg)
{
	const struct catalog *cat;
	char ids[512];

	if ((cat = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	*pg = catalog_find_programmer(cat, o->programmer);
	if (*pg == NULL) {
		list_ids(cat, true, ids, sizeof ids);
		return cli_unknown_id(ctx, "programmer", o->programmer,
				      "the catalog has: %s", ids);
	}
	return 0;
}

/* One option_help line as its spec and its text. */
static void
split_help(const char *line, char *spec, size_t size, const char **text)
{
	size_t n = strcspn(line, " ");

	snprintf(spec, size, "%.*s", (int)n, line);
	*text = line + n + strspn(line + n, " ");
}

bool
cli_job_driver_help(struct session *ctx, const struct cli_command *cmd,
		    const struct cli_job_opts *o, int *rc)
{
	const struct catalog_programmer *pg;
	const char *const *help;
	const char *name;
	json_t *list;

	if (!o->driver_help)
		return false;
	*rc = 0;
	if (o->programmer == NULL) {
		*rc = cli_usage_error(ctx, cmd, "-x help lists a programmer's options: "
				      "give -c PROGRAMMER too");
		return true;
	}
	if ((*rc = find_programmer(ctx, o, &pg)) != 0)
		return true;
	help = job_programmer_options(pg);
	name = catalog_programmer_label(pg);
	if (ctx->json) {
		list = json_array();
		for (const char *const *h = help; h != NULL && *h != NULL; h++) {
			char spec[128];
			const char *text;

			split_help(*h, spec, sizeof spec, &text);
			json_array_append_new(list, json_pack("{s:s, s:s}", "option", spec,
							      "help", text));
		}
		json_print_document(json_pack("{s:s, s:s, s:o}", "programmer", pg->id,
					      "driver", pg->driver != NULL ? pg->driver : "",
					      "options", list), stdout);
		return true;
	}
	if (help == NULL || help[0] == NULL) {
		printf("The %s (driver %s) takes no -x options.\n", name,
		       pg->driver != NULL ? pg->driver : "?");
		return true;
	}
	printf("Options of the %s (driver %s), each given as -x OPTION:\n", name, pg->driver);
	for (const char *const *h = help; *h != NULL; h++) {
		char spec[128];
		const char *text;

		split_help(*h, spec, sizeof spec, &text);
		printf("  %s\n      %s\n", spec, text);
	}
	return true;
}

int
cli_job_setup(struct session *ctx, const struct cli_command *cmd,
	      const struct cli_job_opts *o, struct job_plan *plan)
{
	struct iw_error err;
	char ids[512];
	int rc;

	if (o->programmer == NULL)
		return cli_usage_error(ctx, cmd, "no programmer: give -c PROGRAMMER "
				       "(`ispwiz list programmers`)");
	if (o->part == NULL)
		return cli_usage_error(ctx, cmd, "no part: give -p PART (`ispwiz list parts`)");
	if ((rc = find_programmer(ctx, o, &plan->programmer)) != 0)
		return rc;
	plan->catalog = cli_catalog(ctx);
	plan->driver_opts = o->driver_opts;
	plan->n_driver_opts = o->n_driver_opts;
	iw_error_clear(&err);
	if (job_plan_check_driver_options(plan, &err) != IW_OK)
		return cli_usage_error(ctx, cmd, "%s", err.msg);
	if (o->baud != 0 && plan->programmer->transport != CATALOG_TRANSPORT_SERIAL)
		return cli_usage_error(ctx, cmd, "-b %u: the %s is not a serial programmer, "
				       "so it has no baud rate; leave -b out", o->baud,
				       plan->programmer->name != NULL ?
				       plan->programmer->name : plan->programmer->id);
	plan->baud = o->baud;
	plan->part = catalog_find_part(plan->catalog, o->part);
	if (plan->part == NULL) {
		list_ids(plan->catalog, false, ids, sizeof ids);
		return cli_unknown_id(ctx, "part", o->part, "the catalog has: %s", ids);
	}
	if ((o->sim_state != NULL || o->n_sim_faults > 0) &&
	    plan->programmer->transport != CATALOG_TRANSPORT_SIM)
		return cli_usage_error(ctx, cmd, "--sim-state and --sim-fault only work "
				       "with the simulated programmer (-c sim)");
	plan->port = o->port;
	plan->sim_state = o->sim_state;
	plan->sim_faults = o->sim_faults;
	plan->n_sim_faults = o->n_sim_faults;
	return 0;
}

/* --- progress display -------------------------------------------------------------- */

#define BAR_WIDTH 24
#define REDRAW_NS 33000000LL      /* at most ~30 redraws a second */

struct display {
	struct session *ctx;
	bool tty;                 /* stderr is a terminal: draw bars */
	bool bar_shown;           /* a bar is on the current line */
	enum job_phase phase;
	uint32_t total;
	unsigned quarter;         /* plain mode: last 25% step printed */
	long long last_draw_ns;
	struct job_event last;    /* last progress, for redraws */
	char done_msg[JOB_MESSAGE_MAX];
};


static const char *
kib(double bytes, char *buf, size_t size)
{
	if (bytes >= 1024.0)
		snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
	else
		snprintf(buf, size, "%.0f B", bytes);
	return buf;
}

static void
clear_bar(struct display *d)
{
	if (d->bar_shown) {
		fputs("\r\033[K", stderr);
		d->bar_shown = false;
	}
}

static void
draw_bar(struct display *d, const struct job_event *ev)
{
	char bar[BAR_WIDTH + 1], done[24], total[24], rate[24];
	unsigned fill = ev->total > 0 ? (unsigned)((uint64_t)ev->done * BAR_WIDTH / ev->total) : 0;
	unsigned pct = ev->total > 0 ? (unsigned)((uint64_t)ev->done * 100 / ev->total) : 0;

	for (unsigned i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	if (job_phase_counts_time(ev->phase))
		/* A countdown: what is left, in seconds. */
		fprintf(stderr, "\r%s [%s] %u s left\033[K", job_phase_title(ev->phase), bar,
			(unsigned)((ev->total - (ev->done < ev->total ? ev->done : ev->total) +
				    999u) / 1000u));
	else
		fprintf(stderr, "\r%-14s [%s] %3u%%  %s / %s  %s/s\033[K",
			job_phase_title(ev->phase), bar, pct, kib(ev->done, done, sizeof done),
			kib(ev->total, total, sizeof total), kib(ev->rate, rate, sizeof rate));
	d->bar_shown = true;
	d->last_draw_ns = (long long)iw_clock_ns();
}

static void
json_event(const struct job_event *ev)
{
	json_t *obj = json_object();

	json_object_set_new(obj, "event", json_string(job_event_kind_name(ev->kind)));
	json_object_set_new(obj, "phase", json_string(job_phase_name(ev->phase)));
	if (ev->kind == JOB_EVENT_PHASE || ev->kind == JOB_EVENT_PROGRESS) {
		json_object_set_new(obj, "done", json_integer(ev->done));
		json_object_set_new(obj, "total", json_integer(ev->total));
		json_object_set_new(obj, "unit", json_string(job_phase_counts_time(ev->phase) ?
							     "ms" : "bytes"));
	}
	if (ev->kind == JOB_EVENT_PROGRESS)
		json_object_set_new(obj, "rate", json_real(ev->rate));
	json_object_set_new(obj, "elapsed", json_real(ev->elapsed));
	if (ev->kind != JOB_EVENT_PROGRESS)
		json_object_set_new(obj, "message", json_string(ev->message));
	json_print_event(obj, stdout);
}

static void
show(struct display *d, const struct job_event *ev)
{
	char a[24], b[24], c[24];

	if (d->ctx->json) {
		if (ev->kind != JOB_EVENT_DONE)
			json_event(ev);
		return;
	}
	switch (ev->kind) {
	case JOB_EVENT_PHASE:
		if (d->tty && d->bar_shown) {
			/* Leave the finished bar on screen. */
			draw_bar(d, &d->last);
			fputc('\n', stderr);
			d->bar_shown = false;
		}
		d->phase = ev->phase;
		d->total = ev->total;
		d->quarter = 0;
		memset(&d->last, 0, sizeof d->last);
		d->last.phase = ev->phase;
		d->last.total = ev->total;
		if (ev->phase == JOB_PHASE_PLAN)
			break;
		if (d->tty && ev->total > 0)
			draw_bar(d, &d->last);
		else if (ev->total > 0 && job_phase_counts_time(ev->phase))
			fprintf(stderr, "%s (up to %u s)\n", job_phase_title(ev->phase),
				ev->total / 1000u);
		else if (ev->total > 0)
			fprintf(stderr, "%s (%s)\n", job_phase_title(ev->phase),
				kib(ev->total, a, sizeof a));
		else
			fprintf(stderr, "%s\n", job_phase_title(ev->phase));
		break;
	case JOB_EVENT_PROGRESS:
		d->last = *ev;
		if (d->tty) {
			if (ev->done == ev->total || (long long)iw_clock_ns() - d->last_draw_ns >= REDRAW_NS)
				draw_bar(d, ev);
		} else if (ev->total > 0 && !job_phase_counts_time(ev->phase)) {
			unsigned q = (unsigned)((uint64_t)ev->done * 4 / ev->total);

			if (q > d->quarter) {
				d->quarter = q;
				fprintf(stderr, "  %s: %u%% (%s of %s, %s/s)\n",
					job_phase_title(ev->phase), q * 25,
					kib(ev->done, a, sizeof a), kib(ev->total, b, sizeof b),
					kib(ev->rate, c, sizeof c));
			}
		}
		break;
	case JOB_EVENT_INFO:
	case JOB_EVENT_WARNING: {
		bool complete = d->last.total > 0 && d->last.done >= d->last.total;

		if (d->tty && d->bar_shown && complete) {
			/* A finished bar stays; the line goes under it. */
			draw_bar(d, &d->last);
			fputc('\n', stderr);
			d->bar_shown = false;
		}
		clear_bar(d);
		fprintf(stderr, "  %s%s\n", ev->kind == JOB_EVENT_WARNING ? "warning: " : "",
			ev->message);
		if (d->tty && d->last.total > 0 && !complete && d->last.phase == d->phase)
			draw_bar(d, &d->last);
		break;
	}
	case JOB_EVENT_DONE:
		memcpy(d->done_msg, ev->message, sizeof d->done_msg);
		if (d->tty && d->bar_shown) {
			draw_bar(d, &d->last);
			fputc('\n', stderr);
			d->bar_shown = false;
		}
		break;
	}
}

/* --- running -------------------------------------------------------------------------- */

/* SIGINT (Ctrl-C), SIGTERM (kill, shutdown) and SIGHUP (the terminal went
 * away) all ask the job to stop at its next safe point. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_STOP_SIGNALS (sizeof stop_signals / sizeof stop_signals[0])

static volatile sig_atomic_t interrupted;

static void
on_stop_signal(int sig)
{
	interrupted = sig;
}

static void
diag_line(void *user, const char *line)
{
	(void)user;
	fprintf(stderr, "%s\n", line);
}

int
cli_job_execute(struct session *ctx, const struct job_plan *plan,
		struct job_result *res)
{
	struct display d;
	struct sigaction sa, old_sa[N_STOP_SIGNALS];
	struct iw_error err;
	struct job *job = NULL;
	bool done = false, cancel_sent = false;
	enum iw_status st;
	int code;

	memset(&d, 0, sizeof d);
	d.ctx = ctx;
	d.tty = !ctx->json && isatty(STDERR_FILENO);
	if (job_start(plan, &job, &err) != IW_OK)
		return cli_fail(ctx, &err);
	/* No SA_RESTART: a stop signal must wake poll() at once. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	interrupted = 0;
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &sa, &old_sa[i]);
	while (!done) {
		struct pollfd pfd = { job_event_fd(job), POLLIN, 0 };
		struct job_event ev;
		int rc = poll(&pfd, 1, 250);

		if (rc < 0 && errno != EINTR)
			break;
		if (interrupted && !cancel_sent) {
			job_cancel(job);
			cancel_sent = true;
			if (!ctx->json) {
				clear_bar(&d);
				fprintf(stderr, "  interrupted (SIG%s): stopping at the next "
					"safe point (a fuse or lock write always completes)\n",
					sigabbrev_np(interrupted) != NULL ?
					sigabbrev_np(interrupted) : "?");
			}
		}
		while (job_next_event(job, &ev)) {
			show(&d, &ev);
			if (ev.kind == JOB_EVENT_DONE)
				done = true;
		}
	}
	st = job_join(job, res);
	job_free(job);
	for (size_t i = 0; i < N_STOP_SIGNALS; i++)
		sigaction(stop_signals[i], &old_sa[i], NULL);
	code = iw_status_exit_code(st);
	if (ctx->json) {
		json_t *obj = json_pack("{s:s, s:s, s:i, s:s, s:o}",
					"event", "done",
					"status", iw_status_name(st),
					"exit_code", code,
					"message", st == IW_OK ? "ok" : res->error.msg,
					"result", cli_job_result_json(plan, res));

		if (obj != NULL)
			json_print_event(obj, stdout);
	}
	if (st == IW_OK && !ctx->json)
		printf("%s\n", d.done_msg);
	if (st != IW_OK) {
		fprintf(stderr, "%s: %s\n", ctx->argv0, res->error.msg);
		if (res->has_diagnosis && !ctx->json) {
			fputs("What to check:\n", stderr);
			wiring_doctor_render(&res->diagnosis, plan->programmer, diag_line, NULL);
		}
	}
	return code;
}

/* --- the result as JSON ---------------------------------------------------------------- */

static json_t *
path_or_null(const char *p)
{
	return p[0] != '\0' ? json_string(p) : json_null();
}

static json_t *
diagnosis_json(const struct job_plan *plan, const struct wiring_diagnosis *dg)
{
	json_t *causes = json_array(), *rows = json_array();

	for (size_t i = 0; i < dg->n_causes; i++)
		json_array_append_new(causes, json_pack("{s:s, s:s}",
			"cause", wiring_cause_name(dg->causes[i].cause),
			"text", dg->causes[i].text));
	for (size_t i = 0; plan->programmer != NULL && i < dg->n_rows; i++) {
		const struct catalog_wire *w = &plan->programmer->wiring[dg->rows[i]];

		json_array_append_new(rows, json_pack("{s:s, s:s}",
			"programmer_pin", w->programmer_pin != NULL ? w->programmer_pin : "",
			"target_pin", w->target_pin != NULL ? w->target_pin : ""));
	}
	return json_pack("{s:s, s:s, s:o, s:o}",
			 "symptom", wiring_symptom_name(dg->symptom),
			 "summary", dg->summary,
			 "causes", causes,
			 "check", rows);
}

json_t *
cli_job_result_json(const struct job_plan *plan, const struct job_result *res)
{
	json_t *o = json_object(), *sig = json_array();

	json_object_set_new(o, "status", json_string(iw_status_name(res->status)));
	json_object_set_new(o, "phase", json_string(job_phase_name(res->phase)));
	json_object_set_new(o, "seconds", json_real(res->seconds));
	json_object_set_new(o, "part", json_string(plan->part != NULL ? plan->part->id : ""));
	json_object_set_new(o, "sck_hz", res->connected ? json_integer(res->sck_hz) : json_null());
	json_object_set_new(o, "connect_note", res->connected ?
			    json_string(res->connect_note) : json_null());
	for (int i = 0; i < 3 && res->have_signature; i++)
		json_array_append_new(sig, json_hex_byte(res->signature[i]));
	json_object_set_new(o, "signature", res->have_signature ? sig : json_null());
	if (!res->have_signature)
		json_decref(sig);
	json_object_set_new(o, "fuses_before", res->have_fuses ?
			    json_fuse_set(&res->fuses_before) : json_null());
	json_object_set_new(o, "lock_before", res->have_fuses ?
			    json_hex_byte(res->lock_before) : json_null());
	json_object_set_new(o, "fuses_written", json_fuse_set(&res->fuses_written));
	json_object_set_new(o, "fuses_after", job_result_fuses_after_json(res));
	json_object_set_new(o, "lock_written", json_boolean(res->lock_written));
	json_object_set_new(o, "lock_after", job_result_lock_after_json(res));
	json_object_set_new(o, "chip_state", json_string(job_result_state_unknown(res) ?
							  "unknown" : "known"));
	if (plan->kind == JOB_KIND_UPLOAD) {
		json_object_set_new(o, "device", json_string_or_null(res->device[0] != '\0' ?
								     res->device : NULL));
		json_object_set_new(o, "bootloader", json_string_or_null(
			res->device_name[0] != '\0' ? res->device_name : NULL));
		json_object_set_new(o, "touched", json_boolean(res->touched));
		json_object_set_new(o, "verified", json_boolean(res->status == IW_OK &&
								!res->not_verified));
		json_object_set_new(o, "app_started", json_boolean(res->status == IW_OK &&
								   !res->app_not_started));
		json_object_set_new(o, "programmer_port", json_string_or_null(
			res->new_port[0] != '\0' ? res->new_port : NULL));
	}
	json_object_set_new(o, "backup", res->backup_json[0] == '\0' ? json_null() :
			    json_pack("{s:o, s:o, s:o}",
				      "hex", path_or_null(res->backup_hex),
				      "eeprom", path_or_null(res->backup_eeprom),
				      "json", path_or_null(res->backup_json)));
	json_object_set_new(o, "pages", json_pack("{s:I, s:I, s:I}",
		"written", (json_int_t)res->pages_written,
		"skipped", (json_int_t)res->pages_skipped,
		"verified", (json_int_t)res->pages_verified));
	json_object_set_new(o, "diagnosis", res->has_diagnosis ?
			    diagnosis_json(plan, &res->diagnosis) : json_null());
	return o;
}
