/*
 * test-backup.c - backup names that cannot collide: several jobs at once
 * on several chips into one folder, in the same second, each keep their
 * own chip's old contents; an existing set is never overwritten (read -o
 * NAME, a stale file of another process); a failed or cancelled job gives
 * its reservation back.
 */
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine-fixture.h"
#include "job/backup.h"
#include "job/job.h"

#define N_JOBS 6

struct lane {
	struct prog p;
	struct job_plan plan;
	struct job_result res;
	struct hex_image *img;
	uint8_t mark;               /* what this lane's chip held before */
	pthread_barrier_t *go;
};

static char dir[64];

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/ispwiz-backup-XXXXXX");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static unsigned
count_files(const char *path, const char *suffix)
{
	char cmd[256];
	unsigned n = 0;
	FILE *fp;

	snprintf(cmd, sizeof cmd, "ls -1 '%s' 2>/dev/null | grep -c '%s$'", path, suffix);
	if ((fp = popen(cmd, "r")) != NULL) {
		if (fscanf(fp, "%u", &n) != 1)
			n = 0;
		pclose(fp);
	}
	return n;
}

static void *
run_lane(void *arg)
{
	struct lane *l = arg;

	pthread_barrier_wait(l->go);
	job_run(&l->plan, NULL, NULL, &l->res);
	return NULL;
}

/* Six chips, each holding its own byte at 0x100, flashed at the same
 * moment with backups into one folder: six sets, each with its own chip. */
static void
test_simultaneous_jobs_get_their_own_backup(void **state)
{
	static struct lane lanes[N_JOBS];
	char backups[128];
	pthread_t th[N_JOBS];
	pthread_barrier_t go;
	uint8_t page[128];

	(void)state;
	snprintf(backups, sizeof backups, "%s/shared", dir);
	memset(page, 0x5A, sizeof page);
	pthread_barrier_init(&go, NULL, N_JOBS);
	for (int i = 0; i < N_JOBS; i++) {
		struct lane *l = &lanes[i];

		memset(l, 0, sizeof *l);
		fx_open_sim(&l->p, NULL, "atmega32u4", NULL);
		l->mark = (uint8_t)(0x10 + i);
		assert_int_equal(sim_target_preload_flash(fx_target(&l->p), 0x100, &l->mark, 1,
							  NULL), IW_OK);
		l->img = hex_image_new();
		assert_int_equal(hex_image_put(l->img, 0x7000, page, sizeof page, "t", 0, NULL),
				 IW_OK);
		job_plan_init(&l->plan);
		l->plan.catalog = &fx_catalog;
		l->plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
		l->plan.part = fx_part("atmega32u4");
		l->plan.prog = &l->p;
		l->plan.image = l->img;
		l->plan.image_path = "t.hex";
		l->plan.backup_dir = backups;
		l->go = &go;
	}
	for (int i = 0; i < N_JOBS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, run_lane, &lanes[i]), 0);
	for (int i = 0; i < N_JOBS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);

	assert_int_equal(count_files(backups, ".json"), N_JOBS);
	assert_int_equal(count_files(backups, "[0-9].hex"), N_JOBS);
	for (int i = 0; i < N_JOBS; i++) {
		struct lane *l = &lanes[i];
		struct hex_image *old = hex_image_new();
		uint8_t b = 0;

		assert_int_equal(l->res.status, IW_OK);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(l->res.backup_json, lanes[j].res.backup_json);
		assert_int_equal(hex_image_read_file(old, l->res.backup_hex, NULL), IW_OK);
		assert_true(hex_image_get(old, 0x100, &b));
		assert_int_equal(b, l->mark);
		hex_image_free(old);
		hex_image_free(l->img);
		prog_close(&l->p, NULL);
	}
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static bool
count_progress(void *user, const struct job_event *ev)
{
	unsigned *n = user;

	if (ev->kind == JOB_EVENT_PROGRESS && ev->phase == JOB_PHASE_BACKUP)
		(*n)++;
	return true;
}

static char *
read_text(const char *path)
{
	static char buf[4096];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* read -o NAME where NAME.json (or NAME.hex) is there: refused before the
 * chip is read, and the old files are untouched. */
static void
test_read_never_overwrites_a_set(void **state)
{
	struct job_plan plan;
	struct job_result res;
	struct prog p;
	char base[128], json[160], hex[160];
	unsigned reads = 0;

	(void)state;
	snprintf(base, sizeof base, "%s/mine", dir);
	snprintf(json, sizeof json, "%s.json", base);
	snprintf(hex, sizeof hex, "%s.hex", base);
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	job_plan_init(&plan);
	plan.catalog = &fx_catalog;
	plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
	plan.part = fx_part("atmega32u4");
	plan.prog = &p;
	plan.read_to = base;

	char taken[200];

	assert_false(backup_set_present(base, taken, sizeof taken));
	write_file(json, "old record\n");
	assert_true(backup_set_present(base, taken, sizeof taken));
	assert_string_equal(taken, json);
	assert_int_equal(job_run(&plan, count_progress, &reads, &res), IW_EXISTS);
	assert_non_null(strstr(res.error.msg, "a backup named"));
	assert_non_null(strstr(res.error.msg, "nothing was saved"));
	assert_string_equal(read_text(json), "old record\n");
	assert_int_equal(reads, 0);
	unlink(json);

	/* A .hex without its .json is someone else's: not mixed in either. */
	write_file(hex, ":00000001FF\n");
	assert_true(backup_set_present(base, taken, sizeof taken));
	assert_string_equal(taken, hex);
	assert_int_equal(job_run(&plan, NULL, NULL, &res), IW_EXISTS);
	assert_non_null(strstr(res.error.msg, "mine.hex already exists"));
	assert_string_equal(read_text(hex), ":00000001FF\n");
	assert_int_equal(access(json, F_OK), -1);
	unlink(hex);

	/* Free again: it is written, complete. */
	assert_int_equal(job_run(&plan, NULL, NULL, &res), IW_OK);
	assert_non_null(strstr(read_text(json), "\"complete\": true"));
	prog_close(&p, NULL);
}

/* The name is taken exclusively even when the folder already holds the
 * default name of this second. */
static void
test_taken_name_moves_on(void **state)
{
	const struct catalog_part *part = fx_part("atmega32u4");
	char a[256], b[256], c[300];

	(void)state;
	assert_int_equal(backup_make_base(dir, part, 1700000000, a, sizeof a, NULL), IW_OK);
	assert_int_equal(backup_make_base(dir, part, 1700000000, b, sizeof b, NULL), IW_OK);
	assert_string_not_equal(a, b);
	assert_non_null(strstr(b, "-2"));
	/* A reservation is an honest, incomplete record until written. */
	snprintf(c, sizeof c, "%s.json", a);
	assert_non_null(strstr(read_text(c), "\"complete\": false"));
	backup_release(a);
	backup_release(b);
	assert_int_equal(access(c, F_OK), -1);
}

/* A job that fails after its name was taken gives it back: no record of a
 * backup that does not exist. */
static void
test_failed_read_releases_the_name(void **state)
{
	static const char *const faults[] = { "miso-open", NULL };
	struct job_plan plan;
	struct job_result res;
	struct prog p;
	char backups[128];

	(void)state;
	snprintf(backups, sizeof backups, "%s/failing", dir);
	fx_open_sim(&p, NULL, "atmega32u4", faults);
	job_plan_init(&plan);
	plan.catalog = &fx_catalog;
	plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
	plan.part = fx_part("atmega32u4");
	plan.prog = &p;
	plan.backup_dir = backups;
	assert_int_not_equal(job_run(&plan, NULL, NULL, &res), IW_OK);
	assert_int_equal(count_files(backups, ".json"), 0);
	prog_close(&p, NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_simultaneous_jobs_get_their_own_backup,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_never_overwrites_a_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_taken_name_moves_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_read_releases_the_name, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
