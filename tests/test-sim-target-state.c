/*
 * test-sim-target-state.c - what the simulated target keeps: its log of
 * rule violations, preloaded memory, the geometry it accepts, and the
 * JSON state file that carries a chip from one run to the next.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>

#include "sim-target-fixture.h"

/* --- bookkeeping ----------------------------------------------------------- */

static void
test_violation_format_and_clear(void **state)
{
	struct sim_target *t = *state;
	char line[256];

	sim_target_set_reset(t, true);
	isp(t, 0x20, 0x00, 0x00, 0x00);
	assert_int_equal(sim_target_violation_count(t), 1);
	sim_target_violation_format(sim_target_violation(t, 0), line, sizeof line);
	assert_non_null(strstr(line, "not-enabled"));
	assert_non_null(strstr(line, "20 00 00 00"));
	assert_null(sim_target_violation(t, 1));
	sim_target_clear_violations(t);
	assert_int_equal(sim_target_violation_count(t), 0);
	assert_int_equal(count(t, SIM_VIOLATION_NOT_ENABLED), 0);
}

static void
test_preload_range(void **state)
{
	struct sim_target *t = *state;
	struct iw_error err = { 0 };
	uint8_t buf[4] = { 1, 2, 3, 4 };

	assert_int_equal(sim_target_preload_flash(t, 32764, buf, 4, &err), IW_OK);
	assert_int_equal(sim_target_preload_flash(t, 32765, buf, 4, &err), IW_RANGE);
	assert_int_equal(sim_target_preload_eeprom(t, 1024, buf, 1, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "EEPROM"));
}

static void
test_bad_geometry_refused(void **state)
{
	struct catalog_part p;
	struct iw_error err = { 0 };

	(void)state;
	make_parts();
	p = m32u4;
	p.page_size = 96;
	assert_null(sim_target_new(&p, NULL, &err));
	assert_int_equal(err.code, IW_RANGE);
	assert_non_null(strstr(err.msg, "atmega32u4"));
}

/* --- state file ---------------------------------------------------------- */

struct tmpdir {
	char dir[64];
	char path[128];
};

/* The one temporary directory of the running test; the teardown removes
 * it, also when an assertion ended the test early. */
static struct tmpdir scratch;

static void
tmp_make(struct tmpdir *d)
{
	strcpy(d->dir, "/tmp/test-sim-target.XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof d->path, "%s/chip.json", d->dir);
}

static int
tmp_entries(const struct tmpdir *d)
{
	DIR *dir = opendir(d->dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static void
tmp_remove(struct tmpdir *d)
{
	DIR *dir = opendir(d->dir);
	struct dirent *e;
	char p[400];

	if (dir != NULL) {
		while ((e = readdir(dir)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(p, sizeof p, "%s/%s", d->dir, e->d_name);
			unlink(p);
		}
		closedir(dir);
	}
	rmdir(d->dir);
	d->dir[0] = '\0';
}

/* Also removes the running test's temporary directory. */
static int
teardown_scratch(void **state)
{
	if (scratch.dir[0] != '\0')
		tmp_remove(&scratch);
	return teardown(state);
}

static void
write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void
test_state_round_trip(void **state)
{
	struct sim_target *t = *state, *u;
	struct iw_error err = { 0 };
	struct tmpdir *d = &scratch;
	uint8_t page[128];
	char *text;
	long len;
	FILE *fp;

	tmp_make(d);
	memset(page, 0x3C, sizeof page);
	assert_true(enter(t, 125000));
	write_page(t, 0x7000, page);
	wait_ready(t);
	write_page(t, 0x7080, page);
	wait_ready(t);
	isp(t, 0xC0, 0x00, 0x07, 0x11);
	wait_ready(t);
	isp(t, 0xAC, 0xA8, 0x00, 0xD8);
	wait_ready(t);
	isp(t, 0xAC, 0xE0, 0x00, 0xEF);
	wait_ready(t);
	assert_int_equal(sim_target_save(t, d->path, &err), IW_OK);
	assert_int_equal(tmp_entries(d), 1);   /* no temporary left behind */

	/* Compact: the two adjacent pages are one run. */
	fp = fopen(d->path, "r");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	len = ftell(fp);
	assert_true(len < 2000);
	text = calloc(1, (size_t)len + 1);
	fseek(fp, 0, SEEK_SET);
	assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
	fclose(fp);
	assert_non_null(strstr(text, "\"address\": 28672"));
	assert_null(strstr(text, "\"address\": 28800"));
	free(text);

	u = new_target(&m32u4, NULL);
	assert_int_equal(sim_target_load(u, d->path, &err), IW_OK);
	assert_memory_equal(sim_target_flash(u), sim_target_flash(t), 32768);
	assert_memory_equal(sim_target_eeprom(u), sim_target_eeprom(t), 1024);
	assert_int_equal(sim_target_fuse(u, FUSE_HIGH), 0xD8);
	assert_int_equal(sim_target_fuse(u, FUSE_LOW), 0x5E);
	assert_int_equal(sim_target_lock(u), 0xEF);
	assert_int_equal(sim_target_counters(u)->page_writes, 2);
	assert_int_equal(sim_target_counters(u)->fuse_writes, 1);
	assert_memory_equal(sim_target_counters(u), sim_target_counters(t),
			    sizeof(struct sim_target_counters));
	/* A later run sees the earlier run's chip. */
	assert_true(enter(u, 125000));
	assert_int_equal(read_flash(u, 0x7000), 0x3C);
	sim_target_free(u);
}

static void
test_state_load_errors(void **state)
{
	struct sim_target *t = *state, *other;
	struct iw_error err = { 0 };
	struct tmpdir *d = &scratch;
	char bad_path[256];
	static const uint8_t data[1] = { 0x42 };

	make_parts();
	tmp_make(d);
	sim_target_preload_flash(t, 0, data, 1, NULL);

	snprintf(bad_path, sizeof bad_path, "%s/none.json", d->dir);
	assert_int_equal(sim_target_load(t, bad_path, &err), IW_NOT_FOUND);
	assert_non_null(strstr(err.msg, "none.json"));

	write_text(d->path, "{\n  \"format\": \"ispwiz-sim-state\",\n  \"version\": 1,\n  oops\n}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "chip.json:4:"));

	write_text(d->path, "[1, 2]\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "not a JSON object"));

	write_text(d->path, "{\"format\": \"something-else\"}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "format"));

	write_text(d->path, "{\"format\": \"ispwiz-sim-state\", \"version\": 9}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "version"));

	/* A chip saved as another part. */
	other = new_target(&m16u4, NULL);
	assert_int_equal(sim_target_save(other, d->path, &err), IW_OK);
	sim_target_free(other);
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "atmega16u4"));
	assert_non_null(strstr(err.msg, "atmega32u4"));

#define DOC(sizes, rest) \
	"{\"format\": \"ispwiz-sim-state\", \"version\": 1, \"part\": \"atmega32u4\", " \
	sizes ", \"fuses\": {\"lfuse\": \"0x5E\", \"hfuse\": \"0x99\", \"efuse\": \"0xF3\"}, " \
	"\"lock\": \"0xFF\"" rest "}\n"
#define SIZES "\"flash_size\": 32768, \"page_size\": 128, \"eeprom_size\": 1024"

	write_text(d->path, DOC("\"flash_size\": 16384, \"page_size\": 128, \"eeprom_size\": 1024", ""));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "16384"));

	write_text(d->path, DOC("\"flash_size\": 32768, \"page_size\": 128, \"eeprom_size\": 512", ""));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "EEPROM"));

	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": 0, \"data\": \"0G\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "flash[0].data: character 1"));

	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": 0, \"data\": \"123\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "odd"));

	write_text(d->path, DOC(SIZES, ", \"eeprom\": [{\"address\": 1023, \"data\": \"0000\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "eeprom[0]"));

	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": -2, \"data\": \"00\"}]"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);

	write_text(d->path, DOC(SIZES, ", \"flash\": {}"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);

	write_text(d->path, DOC(SIZES, ", \"counters\": {\"erases\": -1}"));
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "counters.erases"));

	write_text(d->path,
		   "{\"format\": \"ispwiz-sim-state\", \"version\": 1, \"part\": \"atmega32u4\", "
		   SIZES ", \"fuses\": {\"lfuse\": \"0x5E\", \"hfuse\": \"0x999\", \"efuse\": \"0xF3\"},"
		   " \"lock\": \"0xFF\"}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "fuses.\"hfuse\""));

	write_text(d->path,
		   "{\"format\": \"ispwiz-sim-state\", \"version\": 1, \"part\": \"atmega32u4\", "
		   SIZES ", \"fuses\": {\"lfuse\": \"0x5E\", \"hfuse\": \"0x99\"}, \"lock\": \"0xFF\"}\n");
	assert_int_equal(sim_target_load(t, d->path, &err), IW_INPUT);
	assert_non_null(strstr(err.msg, "efuse"));

	/* A good file last: it loads, proving the documents above differed
	 * only where each test broke them. */
	write_text(d->path, DOC(SIZES, ", \"flash\": [{\"address\": 2, \"data\": \"abCD\"}]"));
	/* ... but first: none of the failures above touched the chip. */
	assert_int_equal(sim_target_flash(t)[0], 0x42);
	assert_int_equal(sim_target_load(t, d->path, &err), IW_OK);
	assert_int_equal(sim_target_flash(t)[0], 0xFF);
	assert_int_equal(sim_target_flash(t)[2], 0xAB);
	assert_int_equal(sim_target_flash(t)[3], 0xCD);
#undef DOC
#undef SIZES
}

static void
test_state_save_errors(void **state)
{
	struct sim_target *t = *state;
	struct iw_error err = { 0 };

	assert_int_equal(sim_target_save(t, "/nonexistent-dir/x/chip.json", &err), IW_IO);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x/chip.json"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown_scratch)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_violation_format_and_clear),
		T(test_preload_range),
		T(test_bad_geometry_refused),
		T(test_state_round_trip),
		T(test_state_load_errors),
		T(test_state_save_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
