/*
 * cmd-station.c - `ispwiz station`: the workshop mode.  The same job as
 * `ispwiz flash`, on board after board: wait for a board to answer, flash
 * it, print and log one line, wait for it to be taken off, again.
 *
 * What the operator sees is station-ui.c's; --log FILE writes the board
 * records as JSON Lines, appended and fsync'd board by board
 * (core/station.h).
 *
 * Ctrl-C (or SIGTERM) stops after the current board; a second one aborts
 * the board at its next safe point (never inside a fuse or lock write).
 * The station runs on a worker thread with those signals blocked, so they
 * never interrupt a driver's system call; the main thread only collects
 * them.
 * Exit status: 0 when every board passed; else the exit code of the last
 * failed board (6 target, 7 verify, 4 refused, 130 aborted, ...), unless
 * the station itself failed (programmer lost 5, log not writable 1).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "cli/station-ui.h"
#include "core/hex-image.h"
#include "job/station.h"

#define STATION_USAGE \
	"station -c PROG [-P PORT] [-b BAUD] [-x OPT]... -p PART " \
	"(-f FILE.hex | --bootloader ID [-f FILE.hex]) " \
	"[--preset NAME] [--lfuse X --hfuse X --efuse X] [--yes] [--count N] " \
	"[--log FILE] [--backup] [--dry-run] [--json] [--unsafe-fuses] " \
	"[--sim-state FILE] [--sim-fault KNOB]...\n" \
	"  Backups are off by default (dozens of blank boards); --backup keeps one per board.\n" \
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
};

struct station_opts {
	struct cli_job_opts job;
	struct cli_image_opts image;
	const char *count_text;
	const char *log_path;
	bool backup, dry_run;
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
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_station,
				.shortopts = CLI_JOB_SHORTOPTS CLI_IMAGE_SHORTOPTS,
				.longopts = longopts, .repeatable = cli_job_repeatable,
				.repeat_hint = cli_image_repeat_hint };
	int c;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		int handled = cli_image_option(ctx, &cmd_station, c, optarg, &o->job,
					       &o->image, rc);

		if (handled < 0)
			return -1;
		switch (c) {
		case OPT_COUNT: o->count_text = optarg; break;
		case OPT_LOG: o->log_path = optarg; break;
		case OPT_BACKUP: o->backup = true; break;
		case OPT_NO_BACKUP: o->backup = false; break;
		case OPT_DRY_RUN: o->dry_run = true; break;
		}
	}
	if (c == CLI_GETOPT_ERROR) {
		*rc = g.rc;
		return -1;
	}
	if (cli_image_finish(ctx, &cmd_station, &o->job, &o->image, argc, argv, rc))
		return -1;
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

static void *
station_thread(void *arg)
{
	struct station_ui *u = arg;
	struct station_ops ops;

	station_ui_ops(u, &ops);
	station_run(u->sp, NULL, &ops, &u->sum);
	atomic_store(&u->done, true);
	return NULL;
}

static int
run_station(struct session *ctx, const struct station_plan *sp)
{
	static const struct timespec tick = { 0, 100000000L }, now = { 0, 0 };
	struct station_ui *u = calloc(1, sizeof *u);
	struct sigaction sa, old_int, old_term, old_hup;
	struct iw_error err;
	sigset_t sigs, old;
	pthread_t th;
	int rc;

	if (u == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	station_ui_init(u, ctx, sp);
	/* Blocked here, and so in the worker too: only sigtimedwait below
	 * takes them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, &old);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	if ((rc = pthread_create(&th, NULL, station_thread, u)) != 0) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
		sigaction(SIGHUP, &old_hup, NULL);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		free(u);
		iw_error_set(&err, IW_NOMEM, "cannot start the station's thread: %s",
			     strerror(rc));
		return cli_fail(ctx, &err);
	}
	/* Ctrl-C once: finish this board; twice: abort it at a safe point.
	 * SIGTERM and SIGHUP (shutdown, the terminal gone) do not wait for
	 * a board: nobody may be there to take it off. */
	while (!atomic_load(&u->done)) {
		int sig = sigtimedwait(&sigs, NULL, &tick);

		if (sig == SIGINT)
			atomic_fetch_add(&u->interrupts, 1);
		else if (sig > 0 && atomic_load(&u->interrupts) < 2)
			atomic_store(&u->interrupts, 2);
	}
	pthread_join(th, NULL);
	/* A signal that came too late to matter must not kill us on unblock. */
	while (sigtimedwait(&sigs, NULL, &now) > 0)
		;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (u->sum.status != IW_OK)
		fprintf(stderr, "%s: %s\n", ctx->argv0, u->sum.error.msg);
	rc = station_ui_exit_code(&u->sum);
	free(u);
	return rc;
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
		}
		goto out;
	}
	if ((rc = check_plan(ctx, &sp)) != 0)
		goto out;
	rc = run_station(ctx, &sp);
out:
	hex_image_free(img);
	return rc;
}
