/*
 * cmd-station.c - `ispwiz station`: the workshop mode.  The same job as
 * `ispwiz flash`, on board after board and on several programmers at once
 * (-P repeated, or --all): in each lane, wait for a board to answer, flash
 * it, print and log one line, wait for it to be taken off, again.
 *
 * On a terminal the dashboard (src/tui, reached through the session's
 * station_dashboard hook so that this file never sees ncurses) shows the
 * lanes; otherwise, or with --plain or --json, station-ui.c prints a line
 * per board and event, each with its lane.  --log FILE writes the board
 * records as JSON Lines, appended and fsync'd board by board
 * (job/station.h); --summary FILE reads such a log back
 * (station-summary.c).
 *
 * Ctrl-C (or SIGTERM) stops after the current boards; a second one aborts
 * them at their next safe point (never inside a fuse or lock write).  The
 * lanes run on their own threads with those signals blocked, so they never
 * interrupt a driver's system call; the main thread only collects them.
 * Exit status: 0 when every board passed; else the exit code of the last
 * failed board (6 target, 7 verify, 4 refused, 130 aborted, ...), unless
 * the station itself failed (log not writable 1) or, without --all, a
 * lane's programmer failed or went away (5).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "cli/station-summary.h"
#include "cli/station-ui.h"
#include "core/hex-image.h"
#include "job/station.h"

#define STATION_USAGE \
	"station -c PROG [-P PORT]... [--all] [-b BAUD] [-x OPT]... -p PART " \
	"(-f FILE.hex | --bootloader ID [-f FILE.hex]) " \
	"[--preset NAME] [--lfuse X --hfuse X --efuse X] [--yes] [--count N] " \
	"[--log FILE] [--backup] [--plain] [--dry-run] [--json] [--unsafe-fuses] " \
	"[--sim-state FILE] [--sim-fault KNOB]...\n" \
	"       station --summary LOG [--json]\n" \
	"  One lane per programmer: -P once per programmer (serial port, usb:BUS-PORT or\n" \
	"  usb:SERIAL), or --all for every attached programmer of the -c kind, including\n" \
	"  ones plugged in later.  --count N counts boards over all lanes.\n" \
	"  On a terminal a dashboard shows the lanes (p/r pause/resume, s stop, a abort\n" \
	"  the selected lane, P/R/S/A all of them, q stop all); --plain prints lines.\n" \
	"  Backups are off by default (dozens of blank boards); --backup keeps one per board.\n" \
	"  --summary LOG prints boards and yield per lane and per cause of failure.\n" \
	"  Exit status: 0 if every board passed, else the code of the last failed board."

#define MAX_COUNT 1000000u

static int station_main(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_station = {
	.name = "station",
	.usage = STATION_USAGE,
	.summary = "workshop mode: the same job on board after board, a log line each",
	.run = station_main,
};

enum {
	OPT_COUNT = 0x2100,
	OPT_LOG,
	OPT_BACKUP,
	OPT_NO_BACKUP,
	OPT_DRY_RUN,
	OPT_ALL,
	OPT_PLAIN,
};

/* -P may name one programmer per lane. */
static const int station_repeatable[] = { 'x', 'P', CLI_JOB_OPT_SIM_FAULT, 0 };

struct station_opts {
	struct cli_job_opts job;
	struct cli_image_opts image;
	const char *count_text;
	const char *log_path;
	bool backup, dry_run, all, plain;
	const char *ports[STATION_MAX_LANES];
	size_t n_ports;
};

static int
parse(struct session *ctx, int argc, char **argv, struct station_opts *o, int *rc)
{
	static const struct option longopts[] = {
		CLI_JOB_LONGOPTS,
		CLI_IMAGE_LONGOPTS,
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "backup", no_argument, NULL, OPT_BACKUP },
		{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "plain", no_argument, NULL, OPT_PLAIN },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_station,
				.shortopts = CLI_JOB_SHORTOPTS CLI_IMAGE_SHORTOPTS,
				.longopts = longopts, .repeatable = station_repeatable,
				.repeat_hint = cli_image_repeat_hint };
	int c;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		int handled;

		if (c == 'P') {
			for (size_t i = 0; i < o->n_ports; i++)
				if (strcmp(o->ports[i], optarg) == 0) {
					*rc = cli_usage_error(ctx, &cmd_station, "-P %s is given "
							      "twice: one lane per programmer",
							      optarg);
					return -1;
				}
			if (o->n_ports == STATION_MAX_LANES) {
				*rc = cli_usage_error(ctx, &cmd_station, "-P %s: a station drives "
						      "at most %d programmers", optarg,
						      STATION_MAX_LANES);
				return -1;
			}
			o->ports[o->n_ports++] = optarg;
			/* The first one is the plan's, for the checks of a port. */
			if (o->n_ports > 1)
				continue;
		}
		handled = cli_image_option(ctx, &cmd_station, c, optarg, &o->job, &o->image, rc);
		if (handled < 0)
			return -1;
		switch (c) {
		case OPT_COUNT: o->count_text = optarg; break;
		case OPT_LOG: o->log_path = optarg; break;
		case OPT_BACKUP: o->backup = true; break;
		case OPT_NO_BACKUP: o->backup = false; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		case OPT_ALL: o->all = true; break;
		case OPT_PLAIN: o->plain = true; break;
		}
	}
	if (c == CLI_GETOPT_ERROR) {
		*rc = g.rc;
		return -1;
	}
	if (cli_image_finish(ctx, &cmd_station, &o->job, &o->image, argc, argv, rc))
		return -1;
	if (o->all && o->n_ports > 0) {
		*rc = cli_usage_error(ctx, &cmd_station, "--all finds the programmers itself; "
				      "give either --all or -P for each one");
		return -1;
	}
	return 0;
}

static int
parse_count(struct session *ctx, const char *text, unsigned *out)
{
	char *end;
	unsigned long v;

	*out = 0;
	if (text == NULL)
		return 0;
	errno = 0;
	v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0 || v == 0 ||
	    v > MAX_COUNT)
		return cli_usage_error(ctx, &cmd_station, "--count %s: give the number of "
				       "boards, 1 to %u (without --count the station runs "
				       "until Ctrl-C)", text, MAX_COUNT);
	*out = (unsigned)v;
	return 0;
}

/* --- the command ------------------------------------------------------------------------- */

static void
diff_line(void *user, enum fuse_class cls, const char *line)
{
	(void)user;
	(void)cls;
	fprintf(stderr, "  %s\n", line);
}

/* Everything before the first board; on a confirm-class change, the
 * decoded diff from the factory fuses so the operator sees what --yes
 * would accept. */
static int
check_plan(struct session *ctx, const struct station_plan *sp)
{
	struct iw_error err;
	enum iw_status st;
	int rc;

	iw_error_clear(&err);
	if ((st = station_plan_validate(sp, &err)) == IW_OK)
		return 0;
	rc = cli_fail(ctx, &err);
	if (st == IW_CONFIRM && !ctx->json) {
		struct fuse_diff *diff = malloc(sizeof *diff);
		struct fuse_set factory;

		if (diff != NULL && station_factory_diff(sp, &factory, diff, NULL) == IW_OK) {
			fprintf(stderr, "From the factory fuses:\n");
			fuse_rules_render(sp->job.part, &factory, &sp->job.fuses, diff,
					  diff_line, NULL);
		}
		free(diff);
	}
	return rc;
}

/* Never runs (the signals stay blocked); installing it only makes sure an
 * inherited SIG_IGN (a shell's background job) does not discard them. */
static void
on_signal(int sig)
{
	(void)sig;
}

/* The signals the station takes, blocked in every thread (the lanes
 * inherit the mask) and read from a signalfd by the front end. */
struct station_signals {
	sigset_t set, old;
	struct sigaction old_int, old_term, old_hup;
	int fd;
};

static bool
signals_take(struct station_signals *sg)
{
	struct sigaction sa;

	sigemptyset(&sg->set);
	sigaddset(&sg->set, SIGINT);
	sigaddset(&sg->set, SIGTERM);
	sigaddset(&sg->set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sg->set, &sg->old);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &sg->old_int);
	sigaction(SIGTERM, &sa, &sg->old_term);
	sigaction(SIGHUP, &sa, &sg->old_hup);
	sg->fd = signalfd(-1, &sg->set, SFD_CLOEXEC | SFD_NONBLOCK);
	return sg->fd >= 0;
}

static void
signals_give_back(struct station_signals *sg)
{
	static const struct timespec now = { 0, 0 };

	/* A signal that came too late to matter must not kill us on unblock. */
	while (sigtimedwait(&sg->set, NULL, &now) > 0)
		;
	if (sg->fd >= 0)
		close(sg->fd);
	sigaction(SIGINT, &sg->old_int, NULL);
	sigaction(SIGTERM, &sg->old_term, NULL);
	sigaction(SIGHUP, &sg->old_hup, NULL);
	pthread_sigmask(SIG_SETMASK, &sg->old, NULL);
}

/* Without the dashboard: Ctrl-C once finishes the boards being flashed,
 * twice aborts them at a safe point.  SIGTERM and SIGHUP (shutdown, the
 * terminal gone) do not wait for a board: nobody may be there to take it
 * off. */
static void
plain_loop(struct station *s, struct station_ui *u, int sig_fd)
{
	while (!station_done(s)) {
		struct pollfd pfd = { sig_fd, POLLIN, 0 };
		struct signalfd_siginfo si;

		if (poll(&pfd, 1, 100) <= 0)
			continue;
		while (read(sig_fd, &si, sizeof si) == (ssize_t)sizeof si) {
			int n;

			if (si.ssi_signo == SIGINT)
				n = atomic_fetch_add(&u->interrupts, 1) + 1;
			else if ((n = atomic_load(&u->interrupts)) < 2)
				atomic_store(&u->interrupts, n = 2);
			station_control(s, 0, n >= 2 ? STATION_CTL_ABORT : STATION_CTL_STOP);
		}
	}
}

static int
run_station(struct session *ctx, const struct station_plan *sp, const struct station_opts *o)
{
	struct station_ui *u = calloc(1, sizeof *u);
	struct station_signals sg;
	struct station_summary sum;
	struct station_ops ops;
	struct station *s = NULL;
	struct iw_error err;
	bool dash;
	int rc;

	if (u == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	station_ui_init(u, ctx, sp);
	u->watching = o->all;
	dash = ctx->station_dashboard != NULL && !ctx->json && !o->plain &&
	       isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	if (!signals_take(&sg)) {
		iw_error_set(&err, IW_IO, "cannot take the signals: %s", strerror(errno));
		signals_give_back(&sg);
		free(u);
		return cli_fail(ctx, &err);
	}
	/* The dashboard draws from snapshots; the lines need every event. */
	station_ui_ops(u, &ops);
	if (dash)
		ops.event = NULL;
	iw_error_clear(&err);
	if (station_start(sp, &ops, &s, &err) != IW_OK)
		goto fail;
	for (size_t i = 0; i < o->n_ports; i++)
		if (station_add_lane(s, o->ports[i], NULL, NULL, NULL, &err) != IW_OK)
			goto fail;
	if (o->all && station_watch_all(s, &err) != IW_OK)
		goto fail;
	if (!o->all && o->n_ports == 0 &&
	    station_add_lane(s, NULL, NULL, NULL, NULL, &err) != IW_OK)
		goto fail;
	if (dash)
		ctx->station_dashboard(ctx, s, sp, sg.fd);
	else
		plain_loop(s, u, sg.fd);
	station_finish(s, false, &sum);
	signals_give_back(&sg);
	if (sum.status != IW_OK)
		fprintf(stderr, "%s: %s\n", ctx->argv0, sum.error.msg);
	else if (sum.lanes_failed > 0 && dash)
		fprintf(stderr, "%s: %s\n", ctx->argv0, sum.lane_error.msg);
	if (dash)
		printf("Station ended: %u board%s, %u ok, %u failed on %u lane%s, in %.0f s.\n",
		       sum.boards, sum.boards == 1 ? "" : "s", sum.ok, sum.failed, sum.lanes,
		       sum.lanes == 1 ? "" : "s", sum.seconds);
	rc = station_ui_exit_code(&sum, o->all);
	free(u);
	return rc;
fail:
	if (s != NULL)
		station_finish(s, true, NULL);
	signals_give_back(&sg);
	free(u);
	return cli_fail(ctx, &err);
}

static int
station_main(struct session *ctx, int argc, char **argv)
{
	struct station_opts o;
	struct station_plan sp;
	struct hex_image *img = NULL;
	int rc = 0;

	memset(&o, 0, sizeof o);
	station_plan_init(&sp);
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--summary") == 0 || strncmp(argv[i], "--summary=", 10) == 0)
			return station_summary_main(ctx, &cmd_station, argc, argv);
	if (parse(ctx, argc, argv, &o, &rc) != 0)
		return rc;
	if ((rc = parse_count(ctx, o.count_text, &sp.count)) != 0)
		return rc;
	if ((rc = cli_job_setup(ctx, &cmd_station, &o.job, &sp.job)) != 0)
		return rc;
	if ((rc = cli_image_setup(ctx, &cmd_station, &o.image, &sp.job, &img)) != 0)
		goto out;
	sp.job.backup = o.backup;
	sp.log_path = o.log_path;
	if (o.dry_run) {
		if ((rc = cli_job_dry_run(ctx, &sp.job)) == 0)
			rc = check_plan(ctx, &sp);
		if (rc == 0 && !ctx->json) {
			if (sp.count != 0)
				printf("Station: stops after %u board%s", sp.count,
				       sp.count == 1 ? "" : "s");
			else
				printf("Station: runs until stopped");
			printf("; a board counts when it answers on %u polls %u ms apart, "
			       "and as gone after %u silent polls; %s%s\n",
			       sp.present_polls, sp.poll_ms, sp.absent_polls,
			       sp.log_path != NULL ? "log: " : "no log",
			       sp.log_path != NULL ? sp.log_path : "");
			if (o.all)
				printf("Lanes: every attached %s, and each one plugged in\n",
				       sp.job.programmer->id);
			for (size_t i = 0; i < o.n_ports; i++)
				printf("Lane %zu: %s\n", i + 1, o.ports[i]);
		}
		goto out;
	}
	if ((rc = check_plan(ctx, &sp)) != 0)
		goto out;
	rc = run_station(ctx, &sp, &o);
out:
	hex_image_free(img);
	return rc;
}
