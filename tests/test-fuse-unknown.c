/*
 * test-fuse-unknown.c - a programmer that fails in the middle of a fuse or
 * lock write: the result never claims a value it did not read back.  The
 * write counts as written from the moment it was sent, the byte is
 * "unknown" in the result and its JSON, and the message says what the chip
 * may hold and to reconnect and `ispwiz read` before anything else.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine-fixture.h"
#include "job/job.h"

/* How the wrapped simulator fails on the first instruction of the kind
 * chosen: after the chip took it, or before. */
enum when_fail { DELIVER_THEN_FAIL, FAIL_BEFORE };

static struct prog_driver failing;
static uint8_t fail_op0, fail_op1;     /* the instruction's first two bytes */
static enum when_fail fail_when;
static bool failed;

static enum iw_status
failing_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	if (!failed && in[0] == fail_op0 && (fail_op1 == 0 || in[1] == fail_op1)) {
		failed = true;
		if (fail_when == DELIVER_THEN_FAIL)
			(void)prog_sim_driver.cmd(p, in, out, err);
		return iw_error_set(err, IW_TIMEOUT, "the programmer stopped answering "
				    "(simulated)");
	}
	return prog_sim_driver.cmd(p, in, out, err);
}

struct fx {
	struct prog p;
	struct job_plan plan;
	struct job_result res;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	failing = prog_sim_driver;
	failing.cmd = failing_cmd;
	failed = false;
	fx_open_sim(&f->p, &failing, "atmega32u4", NULL);
	job_plan_init(&f->plan);
	f->plan.catalog = &fx_catalog;
	f->plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
	f->plan.part = fx_part("atmega32u4");
	f->plan.prog = &f->p;
	f->plan.backup = false;
	f->plan.yes = true;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	prog_close(&f->p, NULL);
	free(f);
	return 0;
}

static const char *
after(const struct fx *f, const char *byte)
{
	static char buf[32];
	json_t *o = job_result_fuses_after_json(&f->res);

	snprintf(buf, sizeof buf, "%s", json_string_value(json_object_get(o, byte)) != NULL ?
		 json_string_value(json_object_get(o, byte)) : "(none)");
	json_decref(o);
	return buf;
}

/* hfuse 0x99 -> 0xD9: the chip takes the write, then the programmer is
 * gone before it can say so. */
static void
test_fuse_write_delivered_then_link_fails(void **state)
{
	struct fx *f = *state;

	fuse_set_put(&f->plan.fuses, FUSE_HIGH, 0xD9);
	fail_op0 = 0xAC, fail_op1 = 0xA8, fail_when = DELIVER_THEN_FAIL;
	assert_int_equal(job_run(&f->plan, NULL, NULL, &f->res), IW_TIMEOUT);
	assert_int_equal(f->res.phase, JOB_PHASE_FUSES);
	/* The write was sent: it counts. */
	assert_true(f->res.fuses_written.present[FUSE_HIGH]);
	assert_int_equal(f->res.fuses_written.value[FUSE_HIGH], 0xD9);
	assert_true(job_result_state_unknown(&f->res));
	assert_string_equal(after(f, "hfuse"), "unknown");
	assert_string_equal(after(f, "lfuse"), "0x5E");      /* not written: known */
	assert_non_null(strstr(f->res.error.msg, "UNKNOWN"));
	assert_non_null(strstr(f->res.error.msg, "0x99 (as before), 0xD9 (as written)"));
	assert_non_null(strstr(f->res.error.msg, "ispwiz read -c sim -p atmega32u4"));
	assert_non_null(strstr(f->res.error.msg, "stopped answering"));
	/* And the chip does hold the new value, which nobody claimed. */
	assert_int_equal(sim_target_fuse(fx_target(&f->p), FUSE_HIGH), 0xD9);
}

/* The write never reaches the chip: still unknown, since nobody can tell
 * from this side. */
static void
test_fuse_write_lost(void **state)
{
	struct fx *f = *state;

	fuse_set_put(&f->plan.fuses, FUSE_HIGH, 0xD9);
	fail_op0 = 0xAC, fail_op1 = 0xA8, fail_when = FAIL_BEFORE;
	assert_int_equal(job_run(&f->plan, NULL, NULL, &f->res), IW_TIMEOUT);
	assert_true(f->res.fuses_written.present[FUSE_HIGH]);
	assert_string_equal(after(f, "hfuse"), "unknown");
}

/* A failure before any write (the first hfuse read) leaves nothing
 * unknown: the chip was not changed, and the result says so. */
static void
test_failure_before_any_write_is_known(void **state)
{
	struct fx *f = *state;

	fuse_set_put(&f->plan.fuses, FUSE_HIGH, 0xD9);
	fail_op0 = 0x58, fail_op1 = 0x08, fail_when = FAIL_BEFORE;
	assert_int_equal(job_run(&f->plan, NULL, NULL, &f->res), IW_TIMEOUT);
	assert_int_equal(f->res.phase, JOB_PHASE_READ_FUSES);
	assert_false(job_result_state_unknown(&f->res));
	assert_false(fuse_set_any(&f->res.fuses_written));
	assert_null(strstr(f->res.error.msg, "UNKNOWN"));
}

/* Reads succeed first, then the read-back fails. */
static int read_backs;

static enum iw_status
readback_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	if (in[0] == 0x58 && in[1] == 0x08 && ++read_backs == 2)
		return iw_error_set(err, IW_PROTOCOL, "garbage from the programmer (simulated)");
	return prog_sim_driver.cmd(p, in, out, err);
}

static void
test_fuse_second_read_fails(void **state)
{
	struct fx *f = *state;

	failing.cmd = readback_cmd;
	read_backs = 0;
	fuse_set_put(&f->plan.fuses, FUSE_HIGH, 0xD9);
	assert_int_equal(job_run(&f->plan, NULL, NULL, &f->res), IW_PROTOCOL);
	assert_int_equal(f->res.phase, JOB_PHASE_FUSE_CHECK);
	assert_true(f->res.fuses_written.present[FUSE_HIGH]);
	assert_string_equal(after(f, "hfuse"), "unknown");
	assert_non_null(strstr(f->res.error.msg, "UNKNOWN"));
}

/* The lock byte: the same rule. */
static void
test_lock_write_fails(void **state)
{
	struct fx *f = *state;
	uint8_t page[128];
	struct hex_image *img = hex_image_new();
	json_t *lock;

	memset(page, 0x11, sizeof page);
	assert_int_equal(hex_image_put(img, 0x7000, page, sizeof page, "t", 0, NULL), IW_OK);
	f->plan.image = img;
	f->plan.image_path = "t.hex";
	f->plan.has_lock = true;
	f->plan.lock = 0x2F;
	fail_op0 = 0xAC, fail_op1 = 0xE0, fail_when = DELIVER_THEN_FAIL;
	assert_int_equal(job_run(&f->plan, NULL, NULL, &f->res), IW_TIMEOUT);
	assert_true(f->res.lock_written);
	assert_true(f->res.lock_unknown);
	lock = job_result_lock_after_json(&f->res);
	assert_string_equal(json_string_value(lock), "unknown");
	json_decref(lock);
	assert_non_null(strstr(f->res.error.msg, "the lock byte is 0xFF or 0xEF or neither"));
	hex_image_free(img);
}

/* A clean run never says unknown. */
static void
test_clean_run_is_known(void **state)
{
	struct fx *f = *state;

	fuse_set_put(&f->plan.fuses, FUSE_HIGH, 0xD9);
	fail_op0 = 0x00;
	assert_int_equal(job_run(&f->plan, NULL, NULL, &f->res), IW_OK);
	assert_false(job_result_state_unknown(&f->res));
	assert_string_equal(after(f, "hfuse"), "0xD9");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fuse_write_delivered_then_link_fails, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fuse_write_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_before_any_write_is_known, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fuse_second_read_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_write_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_run_is_known, setup, teardown),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
