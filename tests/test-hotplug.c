/*
 * test-hotplug.c - add/remove events from umockdev uevents through the
 * libudev monitor, the debouncing between them, and waiting for a USB ID.
 * Runs in-process under libumockdev-preload (tests/umockdev-run.sh).
 *
 * The windows are shortened (settle 100 ms, removals held 300 ms) so the
 * tests stay quick; the logic is the same at the defaults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "detect/hotplug.h"
#include "core/clock.h"
#include "detect-fixture.h"

#define SETTLE_MS 100
#define REMOVE_MS 300

static UMockdevTestbed *tb;

static int
setup(void **state)
{
	(void)state;
	tb = umockdev_testbed_new();
	return tb != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	/* A failed check may have left the real uid switched (see the
	 * permission tests): give it back before the next test. */
	if (geteuid() == 0 && getuid() != 0 && setreuid(0, (uid_t)-1) != 0)
		return -1;
	g_object_unref(tb);
	tb = NULL;
	return 0;
}


struct rec {
	enum hotplug_action action;
	bool reenumerated;
	struct detect_device dev;
	int64_t at;
};

struct recs {
	struct rec r[16];
	size_t n;
};

static void
record(const struct hotplug_event *ev, void *user)
{
	struct recs *rs = user;
	struct rec *r;

	assert_true(rs->n < sizeof rs->r / sizeof rs->r[0]);
	r = &rs->r[rs->n++];
	r->action = ev->action;
	r->reenumerated = ev->reenumerated;
	r->at = (int64_t)iw_clock_ms();
	assert_true(detect_device_copy(&r->dev, ev->dev));
}

static void
recs_free(struct recs *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		detect_device_clear(&rs->r[i].dev);
	rs->n = 0;
}

/* Run a front end's loop for `ms`: poll with the monitor's own timeout,
 * dispatch.  Returns how many times poll() returned. */
static int
pump(struct hotplug *h, struct recs *rs, int ms)
{
	struct iw_error err;
	int64_t end = (int64_t)iw_clock_ms() + ms;
	int rounds = 0;

	for (;;) {
		struct pollfd pfd = { .fd = hotplug_fd(h), .events = POLLIN };
		int64_t left = end - (int64_t)iw_clock_ms();
		int t = hotplug_timeout_ms(h);

		if (left <= 0)
			break;
		if (t < 0 || t > left)
			t = (int)left;
		assert_true(poll(&pfd, 1, t) >= 0);
		rounds++;
		assert_int_equal(hotplug_dispatch(h, record, rs, &err), IW_OK);
	}
	return rounds;
}

static struct hotplug *
start(void)
{
	struct iw_error err;
	struct hotplug *h;

	iw_error_clear(&err);
	h = hotplug_new(&fx_catalog, NULL, &err);
	if (h == NULL)
		fail_msg("hotplug_new: %s", err.msg);
	hotplug_set_debounce(h, SETTLE_MS, REMOVE_MS);
	return h;
}

static void
plug(const struct fx_dev *d)
{
	/* umockdev announces the device itself; the explicit uevents make
	 * sure of it on older versions and add to the burst to fold. */
	fx_add(tb, d);
	fx_uevent(tb, d, "add");
}

/* --- events ---------------------------------------------------------------- */

static void
test_baseline_is_what_is_present(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };

	(void)state;
	fx_add(tb, &fx_usbtiny);
	h = start();
	assert_int_equal(hotplug_devices(h)->n, 1);
	assert_string_equal(hotplug_devices(h)->items[0].id, "usbtiny");
	/* Present before the monitor started: no event for it. */
	assert_int_equal(hotplug_timeout_ms(h), -1);
	pump(h, &rs, 150);
	assert_int_equal(rs.n, 0);
	hotplug_free(h);
}

static void
test_plugging_a_board_gives_one_add(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };
	int64_t t0;

	(void)state;
	h = start();
	t0 = (int64_t)iw_clock_ms();
	plug(&fx_promicro_isp);
	/* USB device + serial port, each announced twice, and a change. */
	umockdev_testbed_uevent(tb, fx_tty_path(&fx_promicro_isp), "change");
	pump(h, &rs, SETTLE_MS + 300);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].action, HOTPLUG_ADD);
	assert_false(rs.r[0].reenumerated);
	assert_string_equal(rs.r[0].dev.port, "/dev/ttyACM0");
	assert_string_equal(rs.r[0].dev.bus_path, "1-1");
	assert_string_equal(rs.r[0].dev.by_id, "/dev/serial/by-id/usb-QMK_PM0001-if00");
	assert_int_equal(rs.r[0].dev.kind, DETECT_KIND_PROGRAMMER);
	assert_string_equal(rs.r[0].dev.candidates[0].id, "avrisp-promicro");
	/* Debounced: not before the settle time has passed. */
	assert_true(rs.r[0].at - t0 >= SETTLE_MS);
	assert_int_equal(hotplug_devices(h)->n, 1);
	assert_int_equal(hotplug_timeout_ms(h), -1);
	recs_free(&rs);
	hotplug_free(h);
}

static void
test_two_devices_give_two_adds(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };
	bool seen_tiny = false, seen_dfu = false;

	(void)state;
	h = start();
	plug(&fx_usbtiny);
	plug(&fx_dfu32u4);
	pump(h, &rs, SETTLE_MS + 300);
	assert_int_equal(rs.n, 2);
	for (size_t i = 0; i < rs.n; i++) {
		assert_int_equal(rs.r[i].action, HOTPLUG_ADD);
		seen_tiny = seen_tiny || strcmp(rs.r[i].dev.id, "usbtiny") == 0;
		seen_dfu = seen_dfu || strcmp(rs.r[i].dev.id, "atmel-dfu-atmega32u4") == 0;
	}
	assert_true(seen_tiny);
	assert_true(seen_dfu);
	assert_int_equal(hotplug_devices(h)->n, 2);
	recs_free(&rs);
	hotplug_free(h);
}

static void
test_reenumeration_within_window_gives_one_add(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };

	(void)state;
	fx_add(tb, &fx_promicro_isp);
	h = start();
	/* The board drops off the bus and is back 50 ms later. */
	fx_uevent(tb, &fx_promicro_isp, "remove");
	usleep(50 * 1000);
	fx_uevent(tb, &fx_promicro_isp, "add");
	pump(h, &rs, REMOVE_MS + SETTLE_MS + 300);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].action, HOTPLUG_ADD);
	assert_true(rs.r[0].reenumerated);
	assert_string_equal(rs.r[0].dev.port, "/dev/ttyACM0");
	assert_int_equal(hotplug_devices(h)->n, 1);
	recs_free(&rs);
	hotplug_free(h);
}

static void
test_unplug_gives_one_remove_after_the_window(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };

	(void)state;
	fx_add(tb, &fx_caterina);
	fx_add(tb, &fx_usbtiny);
	h = start();
	fx_unplug(tb, &fx_caterina);
	/* Held back while it might come back... */
	pump(h, &rs, REMOVE_MS - 150);
	assert_int_equal(rs.n, 0);
	assert_true(hotplug_timeout_ms(h) > 0);
	/* ...then reported, with what it was. */
	pump(h, &rs, 400);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].action, HOTPLUG_REMOVE);
	assert_string_equal(rs.r[0].dev.port, "/dev/ttyACM1");
	assert_string_equal(rs.r[0].dev.id, "caterina-promicro16");
	assert_int_equal(hotplug_devices(h)->n, 1);
	assert_string_equal(hotplug_devices(h)->items[0].id, "usbtiny");
	recs_free(&rs);
	hotplug_free(h);
}

static void
test_glitch_never_reported(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };

	(void)state;
	h = start();
	plug(&fx_bootloadhid);
	fx_unplug(tb, &fx_bootloadhid);
	pump(h, &rs, REMOVE_MS + SETTLE_MS + 200);
	/* In and out within the window: nothing was there to report. */
	assert_int_equal(rs.n, 0);
	assert_int_equal(hotplug_devices(h)->n, 0);
	hotplug_free(h);
}

static void
test_debounce_sleeps_in_poll(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };
	struct iw_error err;
	int t, rounds;

	(void)state;
	h = start();
	assert_int_equal(hotplug_timeout_ms(h), -1);
	plug(&fx_usbtiny);
	/* Let the uevents arrive, read them: the deadline is now known. */
	usleep(20 * 1000);
	assert_int_equal(hotplug_dispatch(h, record, &rs, &err), IW_OK);
	assert_int_equal(rs.n, 0);
	t = hotplug_timeout_ms(h);
	assert_true(t > 0);
	assert_true(t <= SETTLE_MS);
	/* A whole window passes in a handful of wake-ups, not a spin. */
	rounds = pump(h, &rs, SETTLE_MS + 200);
	assert_int_equal(rs.n, 1);
	assert_true(rounds <= 6);
	assert_int_equal(hotplug_timeout_ms(h), -1);
	recs_free(&rs);
	hotplug_free(h);
}

static void
test_permission_change_is_reported(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };
	char *root = umockdev_testbed_get_root_dir(tb);
	char *node = g_strconcat(root, "/dev/bus/usb/001/003", NULL);
	uid_t ruid = getuid();
	struct iw_error err;

	(void)state;
	fx_add(tb, &fx_usbtiny);
	assert_int_equal(chmod(node, 0), 0);
	if (ruid == 0) {
		/* access(2) checks the real uid: be somebody for it. */
		assert_int_equal(chmod(root, 0755), 0);
		assert_int_equal(setreuid(65534, (uid_t)-1), 0);
	}
	h = start();
	assert_false(hotplug_devices(h)->items[0].accessible);
	/* The user installs the udev rule and runs `udevadm trigger`. */
	assert_int_equal(chmod(node, 0666), 0);
	umockdev_testbed_uevent(tb, fx_usb_path(&fx_usbtiny), "change");
	pump(h, &rs, SETTLE_MS + 300);
	assert_true(hotplug_flush(h, record, &rs, &err) == IW_OK);
	if (ruid == 0)
		assert_int_equal(setreuid(0, (uid_t)-1), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].action, HOTPLUG_ADD);
	assert_false(rs.r[0].reenumerated);
	assert_true(rs.r[0].dev.accessible);
	assert_null(rs.r[0].dev.problem);
	recs_free(&rs);
	hotplug_free(h);
	g_free(node);
	g_free(root);
}

static void
test_flush_ignores_deadlines(void **state)
{
	struct hotplug *h;
	struct recs rs = { .n = 0 };
	struct iw_error err;

	(void)state;
	h = start();
	hotplug_set_debounce(h, 10000, 10000);
	plug(&fx_usbtiny);
	usleep(20 * 1000);
	assert_int_equal(hotplug_flush(h, record, &rs, &err), IW_OK);
	assert_int_equal(rs.n, 1);
	assert_int_equal(hotplug_timeout_ms(h), -1);
	recs_free(&rs);
	hotplug_free(h);
}

/* --- waiting for a USB ID ---------------------------------------------------- */

static const struct catalog_usb_id dfu_id = { 0x03EB, 0x2FF4 };
static const struct catalog_usb_id caterina_id = { 0x1B4F, 0x9205 };

static void
test_wait_device_already_there(void **state)
{
	struct detect_device dev;
	struct iw_error err;
	int64_t t0;

	(void)state;
	fx_add(tb, &fx_dfu32u4);
	t0 = (int64_t)iw_clock_ms();
	assert_int_equal(detect_wait_for_usb_id(&fx_catalog, dfu_id, 2000, -1, &dev, &err), IW_OK);
	assert_true((int64_t)iw_clock_ms() - t0 < 500);
	assert_string_equal(dev.id, "atmel-dfu-atmega32u4");
	assert_string_equal(dev.bus_path, "1-5");
	detect_device_clear(&dev);
}

/* End a plugging child.  Success leaves by exec'ing true(1): under the
 * valgrind pass a forked child is still valgrind's, and its exit would run
 * a leak check over everything the test program had allocated before the
 * fork and fail with valgrind's error code; an exec ends that image
 * without one, and the status still says whether the plug went in. */
static void
child_exit(bool ok)
{
	if (ok)
		execlp("true", "true", (char *)NULL);
	_exit(1);
}

/* Plug `d` in 150 ms from now, from a child process: the testbed lives in
 * files and a socket, so a child can change it, while a thread changing it
 * under the wait's libudev calls races inside umockdev's preload (a crash
 * now and then on a loaded machine). */
static pid_t
plug_later(const struct fx_dev *d)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(150 * 1000);
		plug(d);
		child_exit(true);
	}
	return pid;
}

static void
plugged(pid_t pid)
{
	int status;

	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void
test_wait_device_arrives(void **state)
{
	struct detect_device dev;
	struct iw_error err;
	pid_t pid;
	int64_t t0, took;

	(void)state;
	t0 = (int64_t)iw_clock_ms();
	pid = plug_later(&fx_caterina);
	assert_int_equal(detect_wait_for_usb_id(&fx_catalog, caterina_id, 3000, -1, &dev, &err), IW_OK);
	took = (int64_t)iw_clock_ms() - t0;
	plugged(pid);
	assert_true(took >= 150);
	assert_true(took < 2000);
	assert_string_equal(dev.id, "caterina-promicro16");
	/* Waited for the port too, not just the USB device. */
	assert_non_null(dev.port);
	assert_string_equal(dev.port, "/dev/ttyACM1");
	detect_device_clear(&dev);
}

/* The board's USB device first, its tty 400 ms later (after the debounce
 * window that usually folds the two): the wait is for the port too. */
static pid_t
plug_port_late(const struct fx_dev *d)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct fx_dev bare = *d;
		char *full = fx_describe(d), *tty;
		GError *gerr = NULL;

		bare.tty = NULL;
		usleep(100 * 1000);
		plug(&bare);
		usleep(400 * 1000);
		tty = strstr(full, "\nP: ");
		while (tty != NULL && strstr(tty + 1, "\nP: ") != NULL)
			tty = strstr(tty + 1, "\nP: ");
		if (tty == NULL || !umockdev_testbed_add_from_string(tb, tty + 1, &gerr))
			child_exit(false);
		umockdev_testbed_uevent(tb, fx_tty_path(d), "add");
		g_free(full);
		child_exit(true);
	}
	return pid;
}

static void
test_wait_for_a_port_that_comes_late(void **state)
{
	struct detect_device dev;
	struct iw_error err;
	pid_t pid;
	int64_t t0, took;

	(void)state;
	t0 = (int64_t)iw_clock_ms();
	pid = plug_port_late(&fx_caterina);
	assert_int_equal(detect_wait_for_usb_id(&fx_catalog, caterina_id, 3000, -1, &dev, &err), IW_OK);
	took = (int64_t)iw_clock_ms() - t0;
	plugged(pid);
	assert_true(took >= 500);
	assert_non_null(dev.port);
	assert_string_equal(dev.port, "/dev/ttyACM1");
	detect_device_clear(&dev);
}

static void
test_wait_times_out_and_says_so(void **state)
{
	struct detect_device dev;
	struct iw_error err;
	pid_t pid;
	int64_t t0, took;

	(void)state;
	t0 = (int64_t)iw_clock_ms();
	/* Something else arriving does not end the wait. */
	pid = plug_later(&fx_usbtiny);
	assert_int_equal(detect_wait_for_usb_id(&fx_catalog, caterina_id, 600, -1, &dev, &err),
			 IW_TIMEOUT);
	took = (int64_t)iw_clock_ms() - t0;
	plugged(pid);
	assert_true(took >= 600);
	assert_true(took < 1600);
	assert_int_equal(err.code, IW_TIMEOUT);
	assert_non_null(strstr(err.msg, "1B4F:9205"));
	assert_non_null(strstr(err.msg, "0.6 s"));
	assert_null(dev.key);
}

static void
test_wait_can_be_cancelled(void **state)
{
	struct iw_error err;
	int p[2];
	int64_t t0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	t0 = (int64_t)iw_clock_ms();
	assert_int_equal(detect_wait_for_usb_id(&fx_catalog, caterina_id, 5000, p[0], NULL, &err),
			 IW_CANCELLED);
	assert_true((int64_t)iw_clock_ms() - t0 < 1000);
	assert_non_null(strstr(err.msg, "1B4F:9205"));
	close(p[0]);
	close(p[1]);
}

/* --- `ispwiz detect --watch --json` ------------------------------------------ */

/* The next line the child prints, parsed; NULL after `ms` without one. */
static json_t *
next_json_line(FILE *in, int fd, int ms)
{
	char line[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	json_error_t jerr;
	json_t *obj;

	if (poll(&pfd, 1, ms) <= 0 || fgets(line, sizeof line, in) == NULL)
		return NULL;
	obj = json_loads(line, 0, &jerr);
	if (obj == NULL)
		fail_msg("not one JSON object per line: %s (%s)", line, jerr.text);
	return obj;
}

static const char *
jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "(not a string)";
}

static void
test_cli_watch_prints_one_line_per_event(void **state)
{
	const char *ispwiz = getenv("ISPWIZ");
	int out[2], status;
	pid_t child;
	FILE *in;
	json_t *ev;

	(void)state;
	if (ispwiz == NULL || getenv("ISPWIZ_DATADIR") == NULL) {
		fprintf(stderr, "skipped: ISPWIZ and ISPWIZ_DATADIR are set by make check\n");
		skip();
	}
	fx_add(tb, &fx_usbtiny);
	assert_int_equal(pipe(out), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		/* Inherits LD_PRELOAD and the testbed's UMOCKDEV_DIR. */
		dup2(out[1], STDOUT_FILENO);
		close(out[0]);
		close(out[1]);
		execl(ispwiz, "ispwiz", "detect", "--watch", "--json", (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	in = fdopen(out[0], "r");
	assert_non_null(in);
	setvbuf(in, NULL, _IONBF, 0);   /* poll() must see what fgets has not */

	/* What was there at the start comes first, marked as such. */
	ev = next_json_line(in, out[0], 5000);
	assert_non_null(ev);
	assert_string_equal(jstr(ev, "event"), "add");
	assert_string_equal(jstr(ev, "usb_id"), "1781:0C9F");
	assert_true(json_is_true(json_object_get(ev, "initial")));
	json_decref(ev);

	plug(&fx_caterina);
	ev = next_json_line(in, out[0], 3000);
	assert_non_null(ev);
	assert_string_equal(jstr(ev, "event"), "add");
	assert_string_equal(jstr(ev, "usb_id"), "1B4F:9205");
	assert_string_equal(jstr(ev, "port"), "/dev/ttyACM1");
	assert_string_equal(jstr(ev, "bus_path"), "1-6");
	assert_true(json_is_boolean(json_object_get(ev, "accessible")));
	assert_null(json_object_get(ev, "initial"));
	json_decref(ev);

	fx_unplug(tb, &fx_caterina);
	ev = next_json_line(in, out[0], 3000);
	assert_non_null(ev);
	assert_string_equal(jstr(ev, "event"), "remove");
	assert_string_equal(jstr(ev, "port"), "/dev/ttyACM1");
	json_decref(ev);

	/* Nothing else happened, so nothing else is printed... */
	assert_null(next_json_line(in, out[0], 700));
	/* ...and an interrupt is a normal end. */
	kill(child, SIGINT);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	fclose(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_baseline_is_what_is_present, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plugging_a_board_gives_one_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_devices_give_two_adds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reenumeration_within_window_gives_one_add, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unplug_gives_one_remove_after_the_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_glitch_never_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debounce_sleeps_in_poll, setup, teardown),
		cmocka_unit_test_setup_teardown(test_permission_change_is_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_ignores_deadlines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_device_already_there, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_device_arrives, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_for_a_port_that_comes_late, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_times_out_and_says_so, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wait_can_be_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_watch_prints_one_line_per_event, setup, teardown),
	};

	fx_require_umockdev();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
