/* test-station.c - the station loop on the simulated programmer with board
 * scripts: boards in a row, a failing board logged with its cause while
 * the loop goes on, the same board never flashed twice (also when its
 * contact bounces), --count, stopping between boards and during one,
 * aborting a board safely, the log written and on disk before each board
 * is reported, a programmer that fails, the checks before the first board;
 * and the board-script parser itself. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "station-fixture.h"
#include "prog/prog-sim-boards.h"

#define MAX_BOARDS 64

/* --- fixture ---------------------------------------------------------------- */

struct fx {
	char dir[64];
	char script[128];
	char log[128];
	char knob[160];
	const char *faults[2];
	struct prog p;
	bool open;
	struct station_plan sp;
	struct hex_image *img;

	/* What the callbacks saw and what they are told to do. */
	unsigned results;
	enum iw_status status[MAX_BOARDS];
	char cause[MAX_BOARDS][32];
	unsigned log_lines_seen[MAX_BOARDS];   /* lines on disk at each RESULT */
	unsigned waiting, removing, starts, ends, job_events;
	enum station_stop requested;
	unsigned stop_after_results;           /* request AFTER_BOARD then; 0 = never */
	enum job_phase stop_in_phase;          /* request `stop_level` when it starts */
	enum station_stop stop_level;
	unsigned polls, real_waits, script_ends, interrupted;
	size_t repaired;
	struct station_summary sum;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	if (sfx_setup(f->dir, sizeof f->dir, "station", f->log, sizeof f->log,
		      &f->sp, &f->img) != 0) {
		free(f);
		return -1;
	}
	snprintf(f->script, sizeof f->script, "%s/boards", f->dir);
	f->stop_in_phase = JOB_PHASE_COUNT;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	if (f->open)
		prog_close(&f->p, NULL);
	hex_image_free(f->img);
	unlink(f->script);
	unlink(f->log);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Write the board script and open the simulator on it. */
static void
boards(struct fx *f, const char *script)
{
	FILE *fp = fopen(f->script, "w");

	assert_non_null(fp);
	fputs(script, fp);
	assert_int_equal(fclose(fp), 0);
	snprintf(f->knob, sizeof f->knob, "boards=%s", f->script);
	f->faults[0] = f->knob;
	f->faults[1] = NULL;
	fx_open_sim(&f->p, NULL, "atmega32u4", f->faults);
	f->open = true;
}

static unsigned
count_lines(const char *path)
{
	FILE *fp = fopen(path, "r");
	unsigned n = 0;
	int c;

	if (fp == NULL)
		return 0;
	while ((c = fgetc(fp)) != EOF)
		n += c == '\n';
	fclose(fp);
	return n;
}

static void
on_event(void *user, const struct station_event *ev)
{
	struct fx *f = user;

	switch (ev->kind) {
	case STATION_EVENT_START:
		f->starts++;
		break;
	case STATION_EVENT_WAITING:
		f->waiting++;
		break;
	case STATION_EVENT_REMOVE:
		f->removing++;
		break;
	case STATION_EVENT_JOB:
		f->job_events++;
		if (ev->job->kind == JOB_EVENT_PHASE && ev->job->phase == f->stop_in_phase)
			f->requested = f->stop_level;
		break;
	case STATION_EVENT_RESULT: {
		unsigned i = f->results++;
		json_t *cause = json_object_get(ev->record, "cause");

		assert_true(i < MAX_BOARDS);
		assert_int_equal(ev->board, i + 1);
		f->status[i] = ev->result->status;
		snprintf(f->cause[i], sizeof f->cause[i], "%s",
			 json_is_string(cause) ? json_string_value(cause) : "");
		/* Read through another descriptor: the line is already there. */
		f->log_lines_seen[i] = count_lines(f->log);
		if (f->stop_after_results != 0 && f->results == f->stop_after_results)
			f->requested = STATION_STOP_AFTER_BOARD;
		break;
	}
	case STATION_EVENT_SCRIPT_END:
		f->script_ends++;
		break;
	case STATION_EVENT_LOG_REPAIRED:
		f->repaired = ev->dropped;
		break;
	case STATION_EVENT_INTERRUPTED:
		f->interrupted++;
		break;
	case STATION_EVENT_END:
		f->ends++;
		break;
	case STATION_EVENT_BOARD:
	case STATION_EVENT_LANE_START:
	case STATION_EVENT_LANE_END:
		break;
	}
}

/* Asked at every poll (and inside jobs), so it also counts the polls. */
static enum station_stop
on_stop(void *user)
{
	struct fx *f = user;

	/* A test that never ends is worse than a failing one. */
	if (++f->polls > 100000)
		f->requested = STATION_STOP_NOW;
	return f->requested;
}

/* Scripted boards run on virtual time: a real wait means the script is
 * not driving the station. */
static void
on_wait(void *user, unsigned ms)
{
	struct fx *f = user;

	(void)ms;
	f->real_waits++;
}

static enum iw_status
run(struct fx *f)
{
	struct station_ops ops = { on_event, on_stop, on_wait, f };

	return station_run(&f->sp, &f->p, &ops, &f->sum);
}

static struct sim_target *
chip(struct fx *f, size_t i)
{
	return prog_sim_board(&f->p, i);
}

static void
assert_flashed_once(struct fx *f, size_t i)
{
	struct sim_target *t = chip(f, i);

	assert_non_null(t);
	assert_int_equal(sim_target_counters(t)->erases, 1);
	assert_int_equal(sim_target_flash(t)[0x7010], sfx_pattern(0x7010));
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD8);
}

static void
assert_untouched(struct fx *f, size_t i)
{
	struct sim_target *t = chip(f, i);

	if (t != NULL)
		assert_int_equal(sim_target_counters(t)->erases, 0);
}

/* --- the loop ------------------------------------------------------------------ */

static void
test_boards_in_a_row(void **state)
{
	struct fx *f = *state;

	boards(f, "absent 1s\nboard for 3s\nabsent 1s\nboard blank for 2s\n"
		  "absent 700ms\nboard for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 3);
	assert_int_equal(f->sum.ok, 3);
	assert_int_equal(f->sum.failed, 0);
	assert_int_equal(f->sum.last_failure, IW_OK);
	assert_true(f->sum.stopped);        /* by the end of the script */
	for (size_t i = 0; i < 3; i++)
		assert_flashed_once(f, i);
	assert_int_equal(f->starts, 1);
	assert_int_equal(f->ends, 1);
	assert_int_equal(f->waiting, 4);    /* the fourth never came */
	assert_int_equal(f->removing, 3);
}

static void
test_failing_board_logged_and_loop_goes_on(void **state)
{
	struct fx *f = *state;
	json_error_t jerr;
	FILE *fp;
	char line[8192];
	unsigned n = 0;

	f->sp.log_path = f->log;
	boards(f, "board for 2s\nabsent 1s\nboard wrong-part=atmega328p for 2s\n"
		  "absent 1s\nboard corrupt-read=0x7010 for 2s\nabsent 1s\n"
		  "board for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 4);
	assert_int_equal(f->sum.ok, 2);
	assert_int_equal(f->sum.failed, 2);
	assert_int_equal(f->status[1], IW_SIGNATURE);
	assert_string_equal(f->cause[1], "wrong-part");
	assert_int_equal(f->status[2], IW_VERIFY);
	assert_string_equal(f->cause[2], "noise");
	assert_int_equal(f->sum.last_failed_board, 3);
	assert_int_equal(f->sum.last_failure, IW_VERIFY);
	assert_int_equal(f->sum.last_failed_phase, JOB_PHASE_VERIFY);
	assert_flashed_once(f, 0);
	assert_int_equal(sim_target_counters(chip(f, 1))->erases, 0);   /* nothing written */
	assert_int_equal(sim_target_fuse(chip(f, 2), FUSE_HIGH), 0x99); /* no fuses after a bad verify */
	assert_flashed_once(f, 3);

	/* One JSON line per board, in order, with the failure's cause. */
	fp = fopen(f->log, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof line, fp) != NULL) {
		json_t *o = json_loads(line, 0, &jerr);

		assert_non_null(o);
		assert_int_equal(json_integer_value(json_object_get(o, "board")), n + 1);
		assert_string_equal(json_string_value(json_object_get(o, "result")),
				    n == 1 || n == 2 ? "failed" : "ok");
		if (n == 1) {
			assert_string_equal(json_string_value(json_object_get(o, "status")),
					    "SIGNATURE");
			assert_string_equal(json_string_value(json_object_get(o, "cause")),
					    "wrong-part");
			assert_int_equal(json_integer_value(json_object_get(o, "exit_code")), 6);
		}
		json_decref(o);
		n++;
	}
	fclose(fp);
	assert_int_equal(n, 4);
}

static void
test_log_on_disk_before_each_report(void **state)
{
	struct fx *f = *state;

	f->sp.log_path = f->log;
	boards(f, "board for 1s\nabsent 1s\nboard for 1s\nabsent 1s\nboard for 1s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->results, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(f->log_lines_seen[i], i + 1);
}

static void
test_log_appends_and_repairs_a_cut_line(void **state)
{
	struct fx *f = *state;
	char buf[16384];
	FILE *fp = fopen(f->log, "w");
	size_t len;

	/* A previous session's line, cut short by a crash. */
	assert_non_null(fp);
	fputs("{\"board\":1}\n{\"board\":2,\"res", fp);
	fclose(fp);
	f->sp.log_path = f->log;
	boards(f, "board for 1s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	/* The cut line is gone (it was never a record), the new one follows
	 * the last whole line, and the run said so. */
	assert_int_equal(count_lines(f->log), 2);
	assert_int_equal(f->repaired, 15);
	fp = fopen(f->log, "r");
	assert_non_null(fp);
	len = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[len] = '\0';
	assert_non_null(strstr(buf, "{\"board\":1}\n{\"time\":"));
	assert_null(strstr(buf, "\"res\n"));
}

/* A board a previous run started and never finished (kill -9, a crash):
 * its marker is found, it gets an "interrupted" line, and is reported. */
static void
test_interrupted_board_reported_on_next_start(void **state)
{
	struct fx *f = *state;
	char dir[200], marker[300];
	FILE *fp;

	snprintf(dir, sizeof dir, "%s.running", f->log);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(marker, sizeof marker, "%s/20260101T000000-99-lane0-board7.json", dir);
	fp = fopen(marker, "w");
	assert_non_null(fp);
	fputs("{\"session\":\"20260101T000000-99\",\"lane\":0,\"board\":7,"
	      "\"started\":\"2026-01-01T00:00:00+00:00\"}", fp);
	fclose(fp);
	f->sp.log_path = f->log;
	boards(f, "board for 1s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->interrupted, 1);
	assert_int_equal(access(marker, F_OK), -1);
	/* The interrupted line first, then this run's board; no marker left. */
	assert_int_equal(count_lines(f->log), 2);
	{
		char buf[16384];
		size_t len;

		fp = fopen(f->log, "r");
		assert_non_null(fp);
		len = fread(buf, 1, sizeof buf - 1, fp);
		fclose(fp);
		buf[len] = '\0';
		assert_non_null(strstr(buf, "\"board\":7"));
		assert_non_null(strstr(buf, "\"result\":\"interrupted\""));
		assert_non_null(strstr(buf, "flash it again"));
	}
	assert_int_equal(access(dir, F_OK), -1);   /* no board in progress: no folder */
}

/* The disk fills up while a record is written: the line is whole or
 * absent, never cut (RLIMIT_FSIZE stands in for a full disk). */
static void
test_log_line_whole_or_absent_on_full_disk(void **state)
{
	struct fx *f = *state;
	struct rlimit old, lim;
	struct stat st;
	FILE *fp = fopen(f->log, "w");

	assert_non_null(fp);
	fputs("{\"board\":1}\n", fp);
	fclose(fp);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 12 + 400;        /* room for the start marker and part of a record */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	f->sp.log_path = f->log;
	boards(f, "board for 1s\nabsent 1s\n");
	assert_int_not_equal(run(f), IW_OK);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, SIG_DFL);
	assert_true(f->sum.log_failed);
	assert_non_null(strstr(f->sum.error.msg, "nothing of this line was kept"));
	assert_int_equal(stat(f->log, &st), 0);
	assert_int_equal(st.st_size, 12);
	assert_int_equal(count_lines(f->log), 1);
}

static void
test_same_board_never_flashed_twice(void **state)
{
	struct fx *f = *state;

	/* It stays a minute: 200 polls that all find it. */
	boards(f, "board for 60s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	assert_int_equal(sim_target_counters(chip(f, 0))->erases, 1);
	assert_true(f->polls > 150);
	assert_int_equal(f->real_waits, 0);
	assert_int_equal(f->script_ends, 1);
}

static void
test_bouncing_contact_is_not_a_new_board(void **state)
{
	struct fx *f = *state;

	/* A 100 ms gap is shorter than two polls: not a swap.  (The script
	 * can only say "another chip", which makes a skipped one visible.) */
	boards(f, "board for 3s\nabsent 100ms\nboard for 3s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	assert_untouched(f, 1);
}

static void
test_count_stops_after_n_boards(void **state)
{
	struct fx *f = *state;

	f->sp.count = 2;
	boards(f, "board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\nboard for 2s\n"
		  "absent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 2);
	assert_false(f->sum.stopped);
	assert_int_equal(f->removing, 1);   /* no wait after the last one */
	assert_untouched(f, 2);
}

static void
test_stop_between_boards(void **state)
{
	struct fx *f = *state;

	f->stop_after_results = 1;
	boards(f, "board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	assert_true(f->sum.stopped);
	assert_int_equal(f->removing, 0);
	assert_untouched(f, 1);
}

static void
test_stop_during_a_board_finishes_it(void **state)
{
	struct fx *f = *state;

	f->stop_in_phase = JOB_PHASE_WRITE;
	f->stop_level = STATION_STOP_AFTER_BOARD;
	boards(f, "board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	assert_int_equal(f->sum.ok, 1);
	assert_true(f->sum.stopped);
	assert_flashed_once(f, 0);
	assert_untouched(f, 1);
}

static void
test_stop_now_aborts_the_board_safely(void **state)
{
	struct fx *f = *state;

	f->stop_in_phase = JOB_PHASE_WRITE;
	f->stop_level = STATION_STOP_NOW;
	boards(f, "board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	assert_int_equal(f->sum.failed, 1);
	assert_int_equal(f->sum.last_failure, IW_CANCELLED);
	assert_int_equal(f->status[0], IW_CANCELLED);
	/* Cancelled between pages: the fuses were never touched. */
	assert_int_equal(sim_target_counters(chip(f, 0))->fuse_writes, 0);
	assert_int_equal(sim_target_fuse(chip(f, 0), FUSE_HIGH), 0x99);
	assert_untouched(f, 1);
}

static void
test_stop_now_during_fuses_completes_them(void **state)
{
	struct fx *f = *state;

	f->stop_in_phase = JOB_PHASE_FUSES;
	f->stop_level = STATION_STOP_NOW;
	boards(f, "board for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	/* Every fuse byte the job started on is written whole. */
	assert_int_equal(sim_target_fuse(chip(f, 0), FUSE_LOW), 0xFF);
	assert_int_equal(sim_target_fuse(chip(f, 0), FUSE_HIGH), 0xD8);
	assert_int_equal(sim_target_fuse(chip(f, 0), FUSE_EXT), 0xCB | 0xF0);
}

static void
test_board_pulled_mid_job(void **state)
{
	struct fx *f = *state;

	/* Found after two polls (~320 ms), gone while its pages are written. */
	boards(f, "board for 500ms\nabsent 1s\nboard for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 2);
	assert_int_equal(f->status[0], IW_NO_TARGET);
	assert_false(station_status_is_fatal(f->status[0]));
	assert_int_equal(sim_target_counters(chip(f, 0))->fuse_writes, 0);
	assert_int_equal(f->status[1], IW_OK);
}

static void
test_silent_board_is_not_seen(void **state)
{
	struct fx *f = *state;

	/* RESET not wired: it never answers, exactly like an empty jig. */
	boards(f, "board reset-not-wired for 3s\nabsent 1s\nboard for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_OK);
	assert_int_equal(f->sum.boards, 1);
	assert_int_equal(f->sum.ok, 1);
	assert_flashed_once(f, 1);
}

/* A programmer that stops working after a while. */
static unsigned enters_left;

static enum iw_status
failing_enter(struct prog *p, uint32_t hz, struct iw_error *err)
{
	if (enters_left == 0)
		return iw_error_set(err, IW_NO_PROGRAMMER, "the programmer is gone");
	enters_left--;
	return prog_sim_driver.enter(p, hz, err);
}

static void
test_programmer_failure_ends_the_station(void **state)
{
	struct fx *f = *state;
	static struct prog_driver drv;

	drv = prog_sim_driver;
	drv.enter = failing_enter;
	enters_left = 12;
	snprintf(f->script, sizeof f->script, "%s/boards", f->dir);
	{
		FILE *fp = fopen(f->script, "w");

		assert_non_null(fp);
		fputs("board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\n", fp);
		fclose(fp);
	}
	snprintf(f->knob, sizeof f->knob, "boards=%s", f->script);
	f->faults[0] = f->knob;
	f->faults[1] = NULL;
	fx_open_sim(&f->p, &drv, "atmega32u4", f->faults);
	f->open = true;
	assert_int_equal(run(f), IW_NO_PROGRAMMER);
	assert_int_equal(f->sum.status, IW_NO_PROGRAMMER);
	assert_non_null(strstr(f->sum.error.msg, "the programmer is gone"));
	assert_true(f->sum.boards >= 1);
	assert_int_equal(f->ends, 1);
}

/* --- before the first board ----------------------------------------------------- */

static void
test_confirm_class_needs_yes_up_front(void **state)
{
	struct fx *f = *state;
	struct iw_error err;

	f->sp.job.yes = false;
	boards(f, "board for 2s\nabsent 1s\n");
	assert_int_equal(station_plan_validate(&f->sp, &err), IW_CONFIRM);
	assert_non_null(strstr(err.msg, "BOOTRST"));
	assert_non_null(strstr(err.msg, "--yes"));
	assert_int_equal(run(f), IW_CONFIRM);
	assert_int_equal(f->starts, 0);
	assert_int_equal(f->sum.boards, 0);
	assert_untouched(f, 0);
}

static void
test_refuse_class_refused_up_front(void **state)
{
	struct fx *f = *state;
	struct iw_error err;

	fuse_set_put(&f->sp.job.fuses, FUSE_HIGH, 0xF8);   /* SPIEN unprogrammed */
	assert_int_equal(station_plan_validate(&f->sp, &err), IW_REFUSED);
	assert_non_null(strstr(err.msg, "SPIEN"));
}

static void
test_unwritable_log_stops_before_any_board(void **state)
{
	struct fx *f = *state;
	char bad[160];

	snprintf(bad, sizeof bad, "%s/no/such/dir/log", f->dir);
	f->sp.log_path = bad;
	boards(f, "board for 2s\nabsent 1s\n");
	assert_int_equal(run(f), IW_IO);
	assert_non_null(strstr(f->sum.error.msg, bad));
	assert_int_equal(f->sum.boards, 0);
	assert_untouched(f, 0);
}

static void
test_nothing_to_do_is_refused(void **state)
{
	struct fx *f = *state;
	struct iw_error err;

	f->sp.job.image = NULL;
	fuse_set_init(&f->sp.job.fuses);
	assert_int_equal(station_plan_validate(&f->sp, &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "nothing to do"));
}

static void
test_factory_fuses_need_no_yes(void **state)
{
	struct fx *f = *state;
	struct iw_error err;

	/* Writing what a fresh chip already holds changes nothing. */
	f->sp.job.yes = false;
	fuse_set_init(&f->sp.job.fuses);
	fuse_set_put(&f->sp.job.fuses, FUSE_HIGH, f->sp.job.part->fuses[FUSE_HIGH].factory);
	f->sp.job.image_is_bootloader = false;
	assert_int_equal(station_plan_validate(&f->sp, &err), IW_OK);
}

/* --- the board script ------------------------------------------------------------- */

static void
expect_parse_error(const char *text, const char *where, const char *what)
{
	struct sim_boards *b = NULL;
	struct iw_error err;

	assert_int_equal(sim_boards_parse("s", text, &fx_catalog, &b, &err), IW_INPUT);
	assert_null(b);
	if (strstr(err.msg, where) == NULL || strstr(err.msg, what) == NULL)
		fail_msg("expected '%s' and '%s' in: %s", where, what, err.msg);
}

static void
test_script_errors(void **state)
{
	(void)state;
	expect_parse_error("board for 2x\n", "s:1:11:", "not a duration");
	expect_parse_error("absent 1s\nboard miso-open bogus for 1s\n", "s:2:17:",
			   "unknown fault knob");
	expect_parse_error("board\nabsent 1s\n", "s:2:1:", "stays forever");
	expect_parse_error("# nothing\nabsent 1s\n", "s:", "no `board` line");
	expect_parse_error("boar for 1s\n", "s:1:1:", "start with");
	expect_parse_error("board hfuse=D8 for 1s\n", "s:1:7:", "0xNN");
	expect_parse_error("board wrong-part=nosuch for 1s\n", "s:1:7:", "nosuch");
	expect_parse_error("board for\n", "s:1:7:", "needs a duration");
	expect_parse_error("absent 0ms\nboard\n", "s:1:8:", "out of range");
}

static void
test_script_timeline(void **state)
{
	struct sim_boards *b = NULL;
	struct sim_boards_slot s;
	struct iw_error err;

	(void)state;
	assert_int_equal(sim_boards_parse("s", "absent 1s # empty jig\n\n"
					  "board hfuse=0xD8 lock=0x2F for 1.5s\n"
					  "board locked for 500ms\n", &fx_catalog, &b, &err), IW_OK);
	assert_int_equal(sim_boards_count(b), 2);
	assert_true(sim_boards_slot_at(b, 0, &s));
	assert_false(s.present);
	assert_true(sim_boards_slot_at(b, 1000000, &s));
	assert_true(s.present);
	assert_int_equal(s.board, 0);
	assert_int_equal(s.line, 3);
	assert_int_equal(s.end_us, 2500000);
	assert_true(sim_boards_slot_at(b, 2999999, &s));
	assert_int_equal(s.board, 1);
	assert_false(sim_boards_slot_at(b, 3000000, &s));
	assert_false(s.present);
	{
		struct sim_target *t = sim_boards_make_target(b, 0, fx_part("atmega32u4"), NULL,
							      &err);

		assert_non_null(t);
		assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD8);
		assert_int_equal(sim_target_lock(t) & 0x3F, 0x2F);
		sim_target_free(t);
	}
	sim_boards_free(b);
}

static void
test_script_with_state_file_is_refused(void **state)
{
	struct fx *f = *state;
	struct prog_options opt;
	struct iw_error err;
	struct prog p;
	FILE *fp = fopen(f->script, "w");

	assert_non_null(fp);
	fputs("board for 1s\n", fp);
	fclose(fp);
	snprintf(f->knob, sizeof f->knob, "boards=%s", f->script);
	f->faults[0] = f->knob;
	memset(&opt, 0, sizeof opt);
	opt.part = fx_part("atmega32u4");
	opt.catalog = &fx_catalog;
	opt.sim_faults = f->faults;
	opt.n_sim_faults = 1;
	opt.sim_state = "chip.json";
	assert_int_equal(prog_open(&p, &prog_sim_driver, &opt, &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "--sim-state"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_boards_in_a_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failing_board_logged_and_loop_goes_on,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_on_disk_before_each_report, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_interrupted_board_reported_on_next_start,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_line_whole_or_absent_on_full_disk,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_appends_and_repairs_a_cut_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_same_board_never_flashed_twice, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bouncing_contact_is_not_a_new_board, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_count_stops_after_n_boards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_between_boards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_during_a_board_finishes_it, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_now_aborts_the_board_safely, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_now_during_fuses_completes_them, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_board_pulled_mid_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_silent_board_is_not_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_programmer_failure_ends_the_station, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_confirm_class_needs_yes_up_front, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refuse_class_refused_up_front, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unwritable_log_stops_before_any_board, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nothing_to_do_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_factory_fuses_need_no_yes, setup, teardown),
		cmocka_unit_test(test_script_errors),
		cmocka_unit_test(test_script_timeline),
		cmocka_unit_test_setup_teardown(test_script_with_state_file_is_refused, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
