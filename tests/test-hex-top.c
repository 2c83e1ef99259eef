/*
 * test-hex-top.c - images at the top of the 32-bit address space.
 *
 * An extended linear address record of 0xFFFF and data up to 0xFFFFFFFF is
 * valid Intel HEX.  Every walk over such an image's addresses or pages must
 * end (a 32-bit page counter wrapped to 0 and made `flash --dry-run` loop
 * forever), the messages must name the real addresses (the end of such an
 * image does not fit 32 bits), and a job must refuse it before anything is
 * planned or touched.  An alarm turns a hang into a failure.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/types.h>

#include <cmocka.h>

#include "core/hex-image.h"
#include "job/job.h"
#include "engine-fixture.h"

/* Seconds any one test may take before it counts as a hang. */
#define HANG_LIMIT 20

/* ELA 0xFFFF, 16 bytes at 0xFFFFFF80 and 16 at 0xFFFFFFF0 (the very top). */
static const char TOP_HEX[] =
	":02000004FFFFFC\n"
	":10FF80001111111111111111111111111111111161\n"
	":10FFF00022222222222222222222222222222222E1\n"
	":00000001FF\n";

static struct hex_image *
read_top(void)
{
	struct hex_image *img = hex_image_new();
	struct iw_error err;

	assert_non_null(img);
	iw_error_clear(&err);
	if (hex_image_read_buffer(img, "top.hex", TOP_HEX, strlen(TOP_HEX), &err) != IW_OK)
		fail_msg("top.hex refused: %s", err.msg);
	return img;
}

static void
test_addresses_at_the_top(void **state)
{
	struct hex_image *img = read_top();
	uint32_t start = 0, end = 0;

	(void)state;
	assert_int_equal(hex_image_min_addr(img), 0xFFFFFF80u);
	assert_int_equal(hex_image_last_addr(img), 0xFFFFFFFFu);
	/* The end saturates instead of wrapping to 0 (which reads as empty). */
	assert_int_equal(hex_image_end_addr(img), UINT32_MAX);
	assert_true(hex_image_last_segment(img, &start, &end));
	assert_int_equal(start, 0xFFFFFFF0u);
	assert_int_equal(end, UINT32_MAX);
	hex_image_free(img);
}

/* Data that would run past 0xFFFFFFFF is a damaged file, with its line. */
static void
test_record_past_the_top_is_refused(void **state)
{
	static const char past[] =
		":02000004FFFFFC\n"
		":10FFF80022222222222222222222222222222222D9\n"
		":00000001FF\n";
	struct hex_image *img = hex_image_new();
	struct iw_error err;

	(void)state;
	iw_error_clear(&err);
	assert_int_equal(hex_image_read_buffer(img, "past.hex", past, strlen(past), &err),
			 IW_INPUT);
	assert_non_null(strstr(err.msg, "past.hex:2:"));
	assert_non_null(strstr(err.msg, "0xFFFFFFFF"));
	assert_true(hex_image_empty(img));
	hex_image_free(img);
}

/* The fit check names the first byte past flash and the true span. */
static void
test_fit_message_names_the_addresses(void **state)
{
	struct hex_image *img = read_top();
	struct iw_error err;

	(void)state;
	iw_error_clear(&err);
	assert_int_equal(hex_image_check_fits(img, 32768, "ATmega32U4", &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "the byte at 0xFFFFFF80 (from top.hex:2)"));
	assert_non_null(strstr(err.msg, "spans 0xFFFFFF80-0xFFFFFFFF"));
	hex_image_free(img);
}

static void
count_lines(void *user, const char *line)
{
	(void)line;
	(*(unsigned *)user)++;
}

/* The dry run's page count and description walk the image's pages: both
 * must end, with the two pages the image touches. */
static void
test_page_walks_end(void **state)
{
	struct hex_image *img = read_top();
	struct job_plan plan;
	uint32_t covered = 0, blank = 0;
	unsigned lines = 0;

	(void)state;
	job_plan_init(&plan);
	plan.catalog = &fx_catalog;
	plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
	plan.part = fx_part("atmega32u4");
	plan.image = img;
	plan.image_path = "top.hex";
	alarm(HANG_LIMIT);
	job_plan_pages(&plan, &covered, &blank);
	/* 128-byte pages: 0xFFFFFF80 is the last page, both runs are in it. */
	assert_int_equal(covered, 1);
	assert_int_equal(blank, 0);
	job_plan_describe(&plan, count_lines, &lines);
	alarm(0);
	assert_true(lines > 0);
	hex_image_free(img);
}

static bool
no_events(void *user, const struct job_event *ev)
{
	(void)ev;
	(*(unsigned *)user)++;
	return true;
}

/* A job with such an image is refused before it connects. */
static void
test_job_refuses_before_touching(void **state)
{
	struct hex_image *img = read_top();
	struct job_result *res = calloc(1, sizeof *res);
	struct job_plan plan;
	struct prog p;
	unsigned events = 0;

	(void)state;
	assert_non_null(res);
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	job_plan_init(&plan);
	plan.catalog = &fx_catalog;
	plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
	plan.prog = &p;
	plan.part = fx_part("atmega32u4");
	plan.image = img;
	plan.image_path = "top.hex";
	plan.backup = false;
	alarm(HANG_LIMIT);
	assert_int_equal(job_run(&plan, no_events, &events, res), IW_RANGE);
	alarm(0);
	assert_non_null(strstr(res->error.msg, "0xFFFFFF80"));
	assert_int_equal(res->pages_written, 0);
	assert_int_equal(sim_target_flash(fx_target(&p))[0], 0xFF);
	prog_close(&p, NULL);
	free(res);
	hex_image_free(img);
}

/* With a limit, the first data byte at or above it is refused at its line
 * while reading, before a later damaged line is reached; the catalog's
 * limit is its largest part's flash. */
static void
test_limit_refuses_at_the_line(void **state)
{
	static const char far[] =
		":10000000000102030405060708090A0B0C0D0E0F78\n"
		":020000040100F9\n"
		":10000000000102030405060708090A0B0C0D0E0F78\n"
		"damaged\n";
	char path[] = "/tmp/ispwiz-hex-top-XXXXXX";
	int fd = mkstemp(path);
	struct hex_image *img = hex_image_new();
	struct iw_error err;
	char want[512];

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, far, sizeof far - 1), (ssize_t)(sizeof far - 1));
	close(fd);
	iw_error_clear(&err);
	assert_int_equal(hex_image_read_file_within(img, path, 0x8000, "the test's flash", &err),
			 IW_RANGE);
	snprintf(want, sizeof want, "%s:3: data at 0x1000000 lies past 0x7FFF, the end of "
		 "the test's flash; it cannot be flashed there: check that it is the right "
		 "file", path);
	assert_string_equal(err.msg, want);
	assert_true(hex_image_empty(img));
	assert_int_equal(catalog_read_image(&fx_catalog, img, path, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "the end of the largest flash of any part in the "
			       "catalog (the "));
	assert_ptr_equal(catalog_largest_part(&fx_catalog), fx_part("at90usb1286"));
	/* No limit: the damaged line is what stops it. */
	assert_int_equal(hex_image_read_file(img, path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, ":4:1: line does not start with ':'"));
	unlink(path);
	hex_image_free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addresses_at_the_top),
		cmocka_unit_test(test_record_past_the_top_is_refused),
		cmocka_unit_test(test_fit_message_names_the_addresses),
		cmocka_unit_test(test_page_walks_end),
		cmocka_unit_test(test_job_refuses_before_touching),
		cmocka_unit_test(test_limit_refuses_at_the_line),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
