/* test-station-lanes.c - several lanes at once on simulated programmers
 * with board scripts: four lanes where one lane's target is faulty and one
 * programmer vanishes mid-board (the other lanes' boards all pass, and the
 * log says exactly what happened in each lane), --count shared by the
 * lanes, a target that hangs mid-board failing only that board, one lane
 * stopped or paused and resumed without touching the
 * others, a port given twice, and the log read back (--summary's tally:
 * per lane, per cause, a cut last line, a line that is not a record).
 * Run under helgrind by `make check-helgrind`. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "station-fixture.h"
#include "prog/prog-sim-boards.h"

#define LANES 4

struct fx {
	char dir[64];
	char script[LANES][128];
	char knob[LANES][160];
	const char *faults[LANES][2];
	char log[128];
	struct prog p[LANES];
	bool open[LANES];
	struct station_plan sp;
	struct hex_image *img;
	struct station *s;

	/* What the callback saw (it runs under the station's emit lock). */
	unsigned results[LANES + 1];
	unsigned lane_ends;
	enum iw_status lane_status[LANES + 1];
	unsigned order;                    /* events counted in order */
	unsigned lane1_board2_at, lane2_end_at;
	/* What it is told to do. */
	unsigned stop_lane_after_first;    /* this lane: STOP after its first board */
	unsigned pause_lane_after_first;   /* this lane: PAUSE, resumed when lane 2 ends */
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	if (sfx_setup(f->dir, sizeof f->dir, "lanes", f->log, sizeof f->log,
		      &f->sp, &f->img) != 0) {
		free(f);
		return -1;
	}
	f->sp.log_path = f->log;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char running[200];

	for (int i = 0; i < LANES; i++) {
		if (f->open[i])
			prog_close(&f->p[i], NULL);
		unlink(f->script[i]);
	}
	hex_image_free(f->img);
	unlink(f->log);
	snprintf(running, sizeof running, "%s.running", f->log);
	rmdir(running);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* --- a programmer that goes away mid-board ------------------------------------ */

/* The sim driver, except that once the board on it has had `VANISH_PAGES`
 * flash pages written, every call fails as an unplugged programmer's
 * would.  Only the vanishing lane's thread calls it. */
#define VANISH_PAGES 3
static struct prog_driver vanishing_driver;
static bool vanished;

static bool
gone(struct prog *p, struct iw_error *err)
{
	struct sim_target *t = prog_sim_target(p);

	if (!vanished && t != NULL && sim_target_counters(t)->page_writes >= VANISH_PAGES)
		vanished = true;
	if (vanished)
		iw_error_set(err, IW_NO_PROGRAMMER, "the programmer went away (unplugged)");
	return vanished;
}

static enum iw_status
vanishing_enter(struct prog *p, uint32_t hz, struct iw_error *err)
{
	return gone(p, err) ? IW_NO_PROGRAMMER : prog_sim_driver.enter(p, hz, err);
}

static enum iw_status
vanishing_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	return gone(p, err) ? IW_NO_PROGRAMMER : prog_sim_driver.cmd(p, in, out, err);
}

static enum iw_status
vanishing_read(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	return gone(p, err) ? IW_NO_PROGRAMMER : prog_sim_driver.read_flash(p, addr, buf, len,
									  err);
}

static enum iw_status
vanishing_write(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
		struct iw_error *err)
{
	return gone(p, err) ? IW_NO_PROGRAMMER : prog_sim_driver.write_page(p, addr, buf, len,
									  err);
}

static const struct prog_driver *
vanishing(void)
{
	vanishing_driver = prog_sim_driver;
	vanishing_driver.enter = vanishing_enter;
	vanishing_driver.cmd = vanishing_cmd;
	if (prog_sim_driver.read_flash != NULL)
		vanishing_driver.read_flash = vanishing_read;
	if (prog_sim_driver.write_page != NULL)
		vanishing_driver.write_page = vanishing_write;
	vanished = false;
	return &vanishing_driver;
}

/* --- the fixture's lanes ------------------------------------------------------ */

static void
lane_boards(struct fx *f, int i, const struct prog_driver *drv, const char *script)
{
	char dir[sizeof f->dir], path[sizeof f->script[i]];
	FILE *fp;

	memcpy(dir, f->dir, sizeof dir);
	snprintf(path, sizeof path, "%s/boards%d", dir, i + 1);
	memcpy(f->script[i], path, sizeof path);
	fp = fopen(f->script[i], "w");
	assert_non_null(fp);
	fputs(script, fp);
	assert_int_equal(fclose(fp), 0);
	snprintf(f->knob[i], sizeof f->knob[i], "boards=%s", path);
	f->faults[i][0] = f->knob[i];
	f->faults[i][1] = NULL;
	fx_open_sim(&f->p[i], drv, "atmega32u4", f->faults[i]);
	f->open[i] = true;
}

static void
on_event(void *user, const struct station_event *ev)
{
	struct fx *f = user;

	f->order++;
	assert_true(ev->lane <= LANES);
	switch (ev->kind) {
	case STATION_EVENT_RESULT:
		f->results[ev->lane]++;
		if (ev->lane == 1 && ev->board == 2)
			f->lane1_board2_at = f->order;
		if (f->results[ev->lane] == 1 && ev->lane == f->stop_lane_after_first)
			station_control(f->s, ev->lane, STATION_CTL_STOP);
		if (f->results[ev->lane] == 1 && ev->lane == f->pause_lane_after_first)
			station_control(f->s, ev->lane, STATION_CTL_PAUSE);
		break;
	case STATION_EVENT_LANE_END:
		f->lane_ends++;
		f->lane_status[ev->lane] = ev->summary->status;
		if (ev->lane == 2) {
			f->lane2_end_at = f->order;
			if (f->pause_lane_after_first != 0)
				station_control(f->s, f->pause_lane_after_first,
						STATION_CTL_RESUME);
		}
		break;
	default:
		break;
	}
}

/* Start the station on the fixture's open programmers, wait, finish. */
static enum iw_status
run_lanes(struct fx *f, int n, struct station_summary *sum)
{
	struct station_ops ops = { on_event, NULL, NULL, f };
	struct iw_error err;

	assert_int_equal(station_start(&f->sp, &ops, &f->s, &err), IW_OK);
	for (int i = 0; i < n; i++) {
		unsigned id = 0;

		assert_int_equal(station_add_lane(f->s, NULL, NULL, &f->p[i], &id, &err), IW_OK);
		assert_int_equal(id, (unsigned)i + 1);
	}
	assert_true(station_wait(f->s, 60000));
	return station_finish(f->s, false, sum);
}

static json_t **
read_log(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	json_t **recs = calloc(64, sizeof *recs);
	char line[8192];

	assert_non_null(fp);
	assert_non_null(recs);
	*n = 0;
	while (fgets(line, sizeof line, fp) != NULL && *n < 64) {
		json_error_t jerr;

		assert_non_null(recs[*n] = json_loads(line, 0, &jerr));
		(*n)++;
	}
	fclose(fp);
	return recs;
}

static void
free_log(json_t **recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(recs[i]);
	free(recs);
}

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

#define THREE_BOARDS "board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\nboard for 2s\nabsent 1s\n"
#define THREE_BAD "board corrupt-read=0x7010 for 2s\nabsent 1s\n" \
		  "board corrupt-read=0x7010 for 2s\nabsent 1s\n" \
		  "board corrupt-read=0x7010 for 2s\nabsent 1s\n"

/* The usual two-lane run: three good boards on each lane, run to the end;
 * what the test set before (a lane's stop or pause, --count) decides what
 * the lanes do on the way. */
static void
run_two_lanes_of_three(struct fx *f, struct station_summary *sum)
{
	lane_boards(f, 0, NULL, THREE_BOARDS);
	lane_boards(f, 1, NULL, THREE_BOARDS);
	assert_int_equal(run_lanes(f, 2, sum), IW_OK);
}

/* --- tests ------------------------------------------------------------------------ */

static void
test_four_lanes_fault_and_vanish(void **state)
{
	struct fx *f = *state;
	struct station_summary sum;
	struct station_tally t;
	struct iw_error err;
	unsigned per_lane[LANES + 1] = { 0 };
	json_t **recs;
	size_t n;

	lane_boards(f, 0, NULL, THREE_BOARDS);
	lane_boards(f, 1, vanishing(), THREE_BOARDS);
	lane_boards(f, 2, NULL, THREE_BAD);
	lane_boards(f, 3, NULL, THREE_BOARDS);
	assert_int_equal(run_lanes(f, LANES, &sum), IW_OK);
	assert_int_equal(sum.lanes, 4);
	assert_int_equal(sum.boards, 10);
	assert_int_equal(sum.ok, 6);
	assert_int_equal(sum.failed, 4);
	assert_int_equal(sum.lanes_failed, 1);
	assert_int_equal(sum.lane_failure, IW_NO_PROGRAMMER);
	assert_int_equal(f->lane_ends, 4);
	assert_int_equal(f->lane_status[1], IW_OK);
	assert_int_equal(f->lane_status[2], IW_NO_PROGRAMMER);
	assert_int_equal(f->lane_status[3], IW_OK);
	assert_int_equal(f->lane_status[4], IW_OK);
	/* Every board of the good lanes was flashed, once. */
	for (int lane = 0; lane < LANES; lane += 3)
		for (size_t b = 0; b < 3; b++) {
			struct sim_target *c = prog_sim_board(&f->p[lane], b);

			assert_non_null(c);
			assert_int_equal(sim_target_counters(c)->erases, 1);
			assert_int_equal(sim_target_flash(c)[0x7010], sfx_pattern(0x7010));
			assert_int_equal(sim_target_fuse(c, FUSE_HIGH), 0xD8);
		}
	/* The vanished lane never got to its second board. */
	assert_null(prog_sim_board(&f->p[1], 1));

	/* The log: exactly what happened, lane by lane. */
	recs = read_log(f->log, &n);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < n; i++) {
		json_t *r = recs[i];
		unsigned lane = (unsigned)json_integer_value(json_object_get(r, "lane"));
		json_t *phases = json_object_get(r, "phases");

		assert_true(lane >= 1 && lane <= LANES);
		per_lane[lane]++;
		assert_int_equal(json_integer_value(json_object_get(r, "board")), per_lane[lane]);
		assert_true(json_is_string(json_object_get(r, "started")));
		assert_true(json_is_string(json_object_get(r, "ended")));
		assert_true(json_is_object(phases));
		assert_true(json_is_real(json_object_get(phases, "connect")));
		switch (lane) {
		case 1:
		case 4:
			assert_string_equal(str(r, "result"), "ok");
			assert_true(json_is_null(json_object_get(r, "cause")));
			assert_true(json_is_real(json_object_get(phases, "write")));
			assert_true(json_is_real(json_object_get(phases, "fuses")));
			break;
		case 2:
			assert_string_equal(str(r, "result"), "failed");
			assert_string_equal(str(r, "status"), "NO_PROGRAMMER");
			assert_string_equal(str(r, "phase"), "write");
			assert_string_equal(str(r, "cause"), "programmer-lost");
			break;
		case 3:
			assert_string_equal(str(r, "result"), "failed");
			assert_string_equal(str(r, "status"), "VERIFY");
			assert_string_equal(str(r, "cause"), "noise");
			assert_null(json_object_get(phases, "fuses"));   /* never reached */
			break;
		}
	}
	free_log(recs, n);
	assert_int_equal(per_lane[1], 3);
	assert_int_equal(per_lane[2], 1);
	assert_int_equal(per_lane[3], 3);
	assert_int_equal(per_lane[4], 3);

	/* Read back as --summary does. */
	assert_int_equal(station_tally_file(f->log, &t, &err), IW_OK);
	assert_int_equal(t.boards, 10);
	assert_int_equal(t.ok, 6);
	assert_int_equal(t.failed, 4);
	assert_int_equal(t.sessions, 1);
	assert_int_equal(t.n_lanes, 4);
	assert_int_equal(t.lanes[1].lane, 2);
	assert_int_equal(t.lanes[1].failed, 1);
	assert_int_equal(t.lanes[2].failed, 3);
	assert_int_equal(t.lanes[3].ok, 3);
	assert_int_equal(t.n_causes, 2);
	assert_string_equal(t.causes[0].cause, "noise");
	assert_int_equal(t.causes[0].n, 3);
	assert_string_equal(t.causes[1].cause, "programmer-lost");
	assert_int_equal(t.causes[1].n, 1);
	assert_int_equal(t.cut_bytes, 0);
	station_tally_free(&t);
}

/* A target that stops answering in the middle of its board (a loose
 * contact, a hung chip) fails that board only; its lane goes on with the
 * next board, and the other lane never notices. */
static void
test_stuck_target_fails_only_its_lane(void **state)
{
	struct fx *f = *state;
	struct station_summary sum;
	json_t **recs;
	size_t n;

	lane_boards(f, 0, NULL, THREE_BOARDS);
	lane_boards(f, 1, NULL, "board disconnect-after=5 for 2s\nabsent 1s\n"
				"board for 2s\nabsent 1s\n");
	assert_int_equal(run_lanes(f, 2, &sum), IW_OK);
	assert_int_equal(sum.boards, 5);
	assert_int_equal(sum.ok, 4);
	assert_int_equal(sum.failed, 1);
	assert_int_equal(sum.lanes_failed, 0);
	assert_int_equal(f->results[1], 3);
	assert_int_equal(f->results[2], 2);
	recs = read_log(f->log, &n);
	assert_int_equal(n, 5);
	for (size_t i = 0; i < n; i++) {
		json_t *r = recs[i];
		bool stuck = json_integer_value(json_object_get(r, "lane")) == 2 &&
			     json_integer_value(json_object_get(r, "board")) == 1;

		assert_string_equal(str(r, "result"), stuck ? "failed" : "ok");
		if (stuck)
			assert_string_equal(str(r, "phase"), "write");
	}
	free_log(recs, n);
}

static void
test_count_is_shared_by_the_lanes(void **state)
{
	struct fx *f = *state;
	struct station_summary sum;
	unsigned flashed = 0;

	f->sp.count = 4;
	run_two_lanes_of_three(f, &sum);
	assert_int_equal(sum.boards, 4);
	assert_int_equal(sum.ok, 4);
	for (int lane = 0; lane < 2; lane++)
		for (size_t b = 0; b < 3; b++) {
			struct sim_target *c = prog_sim_board(&f->p[lane], b);

			if (c != NULL && sim_target_counters(c)->erases > 0) {
				assert_int_equal(sim_target_counters(c)->erases, 1);
				flashed++;
			}
		}
	assert_int_equal(flashed, 4);
}

static void
test_stop_one_lane_others_go_on(void **state)
{
	struct fx *f = *state;
	struct station_summary sum;

	f->stop_lane_after_first = 1;
	run_two_lanes_of_three(f, &sum);
	assert_int_equal(f->results[1], 1);
	assert_int_equal(f->results[2], 3);
	assert_int_equal(sum.boards, 4);
	assert_int_equal(sum.lanes_failed, 0);
	assert_null(prog_sim_board(&f->p[0], 1));
}

/* A programmer that comes back (the same serial as a lane that ended)
 * finds a board on its jig that it may have flashed: it waits for that
 * board to come off and flashes only the next one. */
static void
test_returning_programmer_skips_the_board_on_its_jig(void **state)
{
	struct fx *f = *state;
	struct station_ops ops = { on_event, NULL, NULL, f };
	struct station_summary sum;
	struct iw_error err;
	struct sim_target *c;

	f->stop_lane_after_first = 1;
	lane_boards(f, 0, NULL, THREE_BOARDS);
	lane_boards(f, 1, NULL, "board for 2s\nabsent 1s\nboard for 2s\nabsent 1s\n");
	assert_int_equal(station_start(&f->sp, &ops, &f->s, &err), IW_OK);
	assert_int_equal(station_add_lane(f->s, NULL, "ISPWIZEMU01", &f->p[0], NULL, &err),
			 IW_OK);
	assert_true(station_wait(f->s, 60000));   /* lane 1 stopped after its board */
	assert_int_equal(station_add_lane(f->s, NULL, "ISPWIZEMU01", &f->p[1], NULL, &err),
			 IW_OK);
	assert_true(station_wait(f->s, 60000));
	assert_int_equal(station_finish(f->s, false, &sum), IW_OK);
	assert_int_equal(f->results[1], 1);
	assert_int_equal(f->results[2], 1);
	/* The board that was on the jig when it came back was not touched. */
	c = prog_sim_board(&f->p[1], 0);
	assert_non_null(c);
	assert_int_equal(sim_target_counters(c)->erases, 0);
	c = prog_sim_board(&f->p[1], 1);
	assert_non_null(c);
	assert_int_equal(sim_target_counters(c)->erases, 1);
}

static void
test_paused_lane_holds_until_resumed(void **state)
{
	struct fx *f = *state;
	struct station_summary sum;

	f->pause_lane_after_first = 1;
	run_two_lanes_of_three(f, &sum);
	assert_int_equal(f->results[1], 3);
	assert_int_equal(f->results[2], 3);
	/* Lane 1's second board came only after lane 2 had ended and
	 * resumed it. */
	assert_true(f->lane2_end_at > 0);
	assert_true(f->lane1_board2_at > f->lane2_end_at);
}

static void
test_port_given_twice_is_refused(void **state)
{
	struct fx *f = *state;
	struct station_ops ops = { NULL, NULL, NULL, NULL };
	struct station_summary sum;
	struct iw_error err;

	lane_boards(f, 0, NULL, "board for 2s\nabsent 1s\n");
	lane_boards(f, 1, NULL, "board for 2s\nabsent 1s\n");
	assert_int_equal(station_start(&f->sp, &ops, &f->s, &err), IW_OK);
	assert_int_equal(station_add_lane(f->s, "/dev/ttyACM0", NULL, &f->p[0], NULL, &err),
			 IW_OK);
	assert_int_equal(station_add_lane(f->s, "/dev/ttyACM0", NULL, &f->p[1], NULL, &err),
			 IW_USAGE);
	assert_non_null(strstr(err.msg, "/dev/ttyACM0"));
	assert_true(station_wait(f->s, 60000));
	assert_int_equal(station_finish(f->s, false, &sum), IW_OK);
	assert_int_equal(sum.lanes, 1);
	assert_int_equal(sum.boards, 1);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void
test_tally_cut_line_bad_line_old_log(void **state)
{
	struct fx *f = *state;
	struct station_tally t;
	struct iw_error err;

	/* A log from before lanes (no lane: lane 1), an interrupted board,
	 * and a last line cut short, which is not counted. */
	write_file(f->log, "{\"board\":1,\"result\":\"ok\",\"session\":\"a\"}\n"
			   "{\"board\":2,\"result\":\"failed\",\"cause\":\"reset\",\"session\":\"a\"}\n"
			   "{\"lane\":2,\"board\":1,\"result\":\"interrupted\",\"session\":\"b\"}\n"
			   "{\"lane\":2,\"board\":2,\"res");
	assert_int_equal(station_tally_file(f->log, &t, &err), IW_OK);
	assert_int_equal(t.boards, 3);
	assert_int_equal(t.ok, 1);
	assert_int_equal(t.failed, 1);
	assert_int_equal(t.interrupted, 1);
	assert_int_equal(t.sessions, 2);
	assert_int_equal(t.n_lanes, 2);
	assert_int_equal(t.lanes[0].lane, 1);
	assert_int_equal(t.lanes[0].boards, 2);
	assert_int_equal(t.cut_bytes, strlen("{\"lane\":2,\"board\":2,\"res"));
	assert_int_equal(t.n_causes, 2);
	station_tally_free(&t);

	/* A line in the middle that is not a record: named by its line. */
	write_file(f->log, "{\"board\":1,\"result\":\"ok\"}\nnot json\n{\"board\":2,\"result\":\"ok\"}\n");
	assert_int_equal(station_tally_file(f->log, &t, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, ":2:"));
	write_file(f->log, "{\"board\":1}\n");
	assert_int_equal(station_tally_file(f->log, &t, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "result"));
	unlink(f->log);
	assert_int_equal(station_tally_file(f->log, &t, &err), IW_IO);
	assert_non_null(strstr(err.msg, f->log));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_four_lanes_fault_and_vanish, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stuck_target_fails_only_its_lane, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_count_is_shared_by_the_lanes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop_one_lane_others_go_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_paused_lane_holds_until_resumed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_port_given_twice_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_returning_programmer_skips_the_board_on_its_jig,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tally_cut_line_bad_line_old_log, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
