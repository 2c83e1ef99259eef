/* test-job.c - the job runner end to end on the simulated programmer:
 * every step in its order, every fault knob ending with its own error,
 * the fuse safety rules stopping before any write, backups, cancel, and
 * the worker thread's event channel.  Runs under helgrind too. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/hex-image.h"
#include "job/job.h"
#include "engine-fixture.h"

/* --- fixture: a temp dir, a plan on an open sim programmer, an event log -- */

struct rec {
	enum job_phase phases[32];
	size_t n_phases;
	unsigned progress[JOB_PHASE_COUNT];
	char log[32768];            /* info and warning lines, newline-separated */
	size_t log_len;
	unsigned stop_after_write;  /* 0 = never ask to stop */
	unsigned write_progress;
	unsigned done_events;
	bool event_after_done;
	enum iw_status done_status;
};

struct fx {
	char dir[64];
	char backups[128];
	struct prog p;
	bool open;
	struct job_plan plan;
	struct job_result *res;
	struct hex_image *img;
	struct rec rec;
};

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
	struct fx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof f->dir, "/tmp/ispwiz-job-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->backups, sizeof f->backups, "%s/backups", f->dir);
	f->res = calloc(1, sizeof *f->res);
	if (f->res == NULL)
		return -1;
	job_plan_init(&f->plan);
	f->plan.catalog = &fx_catalog;
	f->plan.programmer = catalog_find_programmer(&fx_catalog, "sim");
	f->plan.backup_dir = f->backups;
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
	nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(f->res);
	free(f);
	return 0;
}

/* Open the simulated board with `part` and knobs, and aim the plan at it. */
static struct sim_target *
board(struct fx *f, const char *part, const char *const *faults)
{
	fx_open_sim(&f->p, NULL, part, faults);
	f->open = true;
	f->plan.prog = &f->p;
	f->plan.part = fx_part(part);
	return fx_target(&f->p);
}

static void
fuse_cold(struct fx *f, enum fuse_byte b, uint8_t v)
{
	struct sim_target *t = fx_target(&f->p);

	sim_target_set_fuse(t, b, v);
	sim_target_set_power(t, false);
	sim_target_set_power(t, true);
}

static uint8_t
pattern(uint32_t addr)
{
	return (uint8_t)(addr * 29u + (addr >> 7) + 1u);
}

/* `len` bytes of pattern at `addr`, added to the plan's image. */
static void
image_add(struct fx *f, uint32_t addr, uint32_t len)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = pattern(addr + i);
	if (f->img == NULL)
		f->img = hex_image_new();
	assert_non_null(f->img);
	assert_int_equal(hex_image_put(f->img, addr, buf, len, "test.hex", 1, NULL), IW_OK);
	free(buf);
	f->plan.image = f->img;
	f->plan.image_path = "test.hex";
}

static void
image_add_blank(struct fx *f, uint32_t addr, uint32_t len)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	memset(buf, 0xFF, len);
	if (f->img == NULL)
		f->img = hex_image_new();
	assert_int_equal(hex_image_put(f->img, addr, buf, len, "test.hex", 2, NULL), IW_OK);
	free(buf);
	f->plan.image = f->img;
	f->plan.image_path = "test.hex";
}

static void
want_fuses(struct fx *f, int l, int h, int e)
{
	if (l >= 0)
		fuse_set_put(&f->plan.fuses, FUSE_LOW, (uint8_t)l);
	if (h >= 0)
		fuse_set_put(&f->plan.fuses, FUSE_HIGH, (uint8_t)h);
	if (e >= 0)
		fuse_set_put(&f->plan.fuses, FUSE_EXT, (uint8_t)e);
}

static bool
record(void *user, const struct job_event *ev)
{
	struct rec *r = user;

	if (r->done_events > 0)
		r->event_after_done = true;
	switch (ev->kind) {
	case JOB_EVENT_PHASE:
		if (r->n_phases < 32)
			r->phases[r->n_phases++] = ev->phase;
		break;
	case JOB_EVENT_PROGRESS:
		r->progress[ev->phase]++;
		if (ev->phase == JOB_PHASE_WRITE)
			r->write_progress++;
		break;
	case JOB_EVENT_INFO:
	case JOB_EVENT_WARNING: {
		int n = snprintf(r->log + r->log_len, sizeof r->log - r->log_len, "%s%s\n",
				 ev->kind == JOB_EVENT_WARNING ? "W: " : "", ev->message);

		if (n > 0 && (size_t)n < sizeof r->log - r->log_len)
			r->log_len += (size_t)n;
		break;
	}
	case JOB_EVENT_DONE:
		r->done_events++;
		r->done_status = ev->status;
		break;
	}
	return r->stop_after_write == 0 || r->write_progress < r->stop_after_write;
}

static enum iw_status
run(struct fx *f)
{
	enum iw_status st = job_run(&f->plan, record, &f->rec, f->res);

	/* Whatever happened, exactly one DONE event, last, with the status. */
	assert_int_equal(f->rec.done_events, 1);
	assert_false(f->rec.event_after_done);
	assert_int_equal(f->rec.done_status, st);
	assert_int_equal(f->res->status, st);
	if (st != IW_OK)
		assert_int_equal(f->res->error.code, st);
	return st;
}

static void
expect(struct fx *f, enum iw_status want)
{
	enum iw_status st = run(f);

	if (st != want)
		fail_msg("job ended with %s (%s), wanted %s; log:\n%s",
			 iw_status_name(st), f->res->error.msg, iw_status_name(want), f->rec.log);
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return path[0] != '\0' && stat(path, &st) == 0 && st.st_size > 0;
}

/* Entries in a directory (0 when it does not exist). */
static size_t
count_files(const char *dir)
{
	struct dirent *d;
	size_t n = 0;
	DIR *h = opendir(dir);

	if (h == NULL)
		return 0;
	while ((d = readdir(h)) != NULL)
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	closedir(h);
	return n;
}

static void
assert_untouched(struct sim_target *t)
{
	const struct sim_target_counters *c = sim_target_counters(t);

	assert_int_equal(c->erases, 0);
	assert_int_equal(c->page_writes, 0);
	assert_int_equal(c->eeprom_bytes_written, 0);
	assert_int_equal(c->fuse_writes, 0);
	assert_int_equal(c->lock_writes, 0);
}

static void
assert_image_on_chip(struct fx *f, struct sim_target *t)
{
	const uint8_t *flash = sim_target_flash(t);

	for (size_t i = 0; i < hex_image_segment_count(f->img); i++) {
		struct hex_segment s = hex_image_segment(f->img, i);

		assert_memory_equal(flash + s.addr, s.data, s.len);
	}
}

static void
assert_only_sck_violations(struct sim_target *t)
{
	size_t n = sim_target_violation_count(t);

	for (size_t i = 0; i < n; i++) {
		const struct sim_violation *v = sim_target_violation(t, i);
		char text[256];

		if (v->kind == SIM_VIOLATION_SCK_TOO_FAST)
			continue;
		sim_target_violation_format(v, text, sizeof text);
		fail_msg("the engine did something a real chip would punish: %s", text);
	}
}

/* --- a whole job -------------------------------------------------------------------- */

static void
test_full_job_in_order(void **state)
{
	static const enum job_phase order[] = {
		JOB_PHASE_PLAN, JOB_PHASE_CONNECT, JOB_PHASE_SIGNATURE,
		JOB_PHASE_READ_FUSES, JOB_PHASE_BACKUP, JOB_PHASE_ERASE,
		JOB_PHASE_WRITE, JOB_PHASE_VERIFY, JOB_PHASE_FUSES,
		JOB_PHASE_FUSE_CHECK, JOB_PHASE_LOCK,
	};
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	/* A Caterina-sized bootloader in the 4 KiB boot section, the Caterina
	 * fuses, and a lock byte: everything a job can do. */
	image_add(f, 0x7000, 0x0F00);
	f->plan.image_is_bootloader = true;
	want_fuses(f, 0xFF, 0xD8, 0xCB);
	f->plan.has_lock = true;
	f->plan.lock = 0x2F;
	f->plan.yes = true;
	expect(f, IW_OK);
	assert_int_equal(f->rec.n_phases, sizeof order / sizeof order[0]);
	assert_memory_equal(f->rec.phases, order, sizeof order);
	assert_int_equal(f->res->phase, JOB_PHASE_DONE);
	assert_image_on_chip(f, t);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0xFF);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD8);
	assert_int_equal(sim_target_fuse(t, FUSE_EXT), 0xFB);   /* 0xCB, unused bits set */
	assert_int_equal(sim_target_lock(t) & 0x3F, 0x2F);
	assert_int_equal(sim_target_counters(t)->erases, 1);
	assert_int_equal(sim_target_counters(t)->page_writes, 30);
	assert_int_equal(f->res->pages_written, 30);
	assert_int_equal(f->res->pages_verified, 30);
	assert_true(f->res->lock_written);
	assert_true(f->res->have_diff);
	assert_true(file_exists(f->res->backup_hex));
	assert_true(file_exists(f->res->backup_eeprom));
	assert_true(file_exists(f->res->backup_json));
	assert_only_sck_violations(t);
}

static void
test_blank_pages_skipped_but_verified(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	/* Pages 0, 1 and 4 hold data; 2 and 3 are explicitly all 0xFF. */
	image_add(f, 0x000, 0x100);
	image_add_blank(f, 0x100, 0x100);
	image_add(f, 0x200, 0x080);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_int_equal(sim_target_counters(t)->page_writes, 3);
	assert_int_equal(f->res->pages_written, 3);
	assert_int_equal(f->res->pages_skipped, 2);
	assert_int_equal(f->res->pages_verified, 5);
	assert_int_equal(f->rec.progress[JOB_PHASE_WRITE], 3);
	assert_image_on_chip(f, t);
	assert_only_sck_violations(t);
}

static void
test_erase_before_write(void **state)
{
	static const uint8_t old[4] = { 0x00, 0x00, 0x00, 0x00 };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	/* Old content under the new image: without the erase the page write
	 * could not turn those 0 bits into 1 and verify would fail. */
	assert_int_equal(sim_target_preload_flash(t, 0x7000, old, 4, NULL), IW_OK);
	image_add(f, 0x7000, 0x80);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_image_on_chip(f, t);
	assert_int_equal(sim_target_count_violations(t, SIM_VIOLATION_WRITE_NO_ERASE), 0);
}

static void
test_autosck_ckdiv8(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);   /* factory: CKDIV8 */
	uint32_t fck = sim_target_clock_hz(t);

	image_add(f, 0, 0x80);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_true(f->res->sck_hz <= fck / 4);
	assert_true(f->res->sck_hz > 0);
	assert_non_null(strstr(f->res->connect_note, "CKDIV8"));
	assert_non_null(strstr(f->rec.log, "connected at SCK"));
}

static void
test_autosck_fast_chip(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	fuse_cold(f, FUSE_LOW, 0xFF);   /* 16 MHz, no divider */
	f->plan.backup = false;
	image_add(f, 0, 0x80);
	expect(f, IW_OK);
	assert_int_equal(f->res->sck_hz, 2000000);
}

static void
test_backup_holds_old_content(void **state)
{
	static const uint8_t app[6] = { 0x0C, 0x94, 0x5C, 0x00, 0x0C, 0x94 };
	static const uint8_t eep[3] = { 0x42, 0x43, 0x44 };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);
	struct hex_image *old = hex_image_new();
	json_error_t jerr;
	json_t *doc;
	uint8_t b;

	assert_int_equal(sim_target_preload_flash(t, 0x1230, app, sizeof app, NULL), IW_OK);
	assert_int_equal(sim_target_preload_eeprom(t, 0x10, eep, sizeof eep, NULL), IW_OK);
	image_add(f, 0x7000, 0x100);
	expect(f, IW_OK);
	/* Under the default name pattern, in the directory asked for. */
	assert_non_null(strstr(f->res->backup_hex, f->backups));
	assert_non_null(strstr(f->res->backup_hex, "/atmega32u4-"));
	assert_int_equal(hex_image_read_file(old, f->res->backup_hex, NULL), IW_OK);
	for (size_t i = 0; i < sizeof app; i++) {
		assert_true(hex_image_get(old, 0x1230 + (uint32_t)i, &b));
		assert_int_equal(b, app[i]);
	}
	assert_false(hex_image_get(old, 0x7000, &b));   /* was blank then */
	hex_image_free(old);
	old = hex_image_new();
	assert_int_equal(hex_image_read_file(old, f->res->backup_eeprom, NULL), IW_OK);
	assert_true(hex_image_get(old, 0x11, &b));
	assert_int_equal(b, 0x43);
	hex_image_free(old);
	doc = json_load_file(f->res->backup_json, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "part")), "atmega32u4");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "fuses"),
							      "hfuse")), "0x99");
	assert_string_equal(json_string_value(json_object_get(doc, "lock")), "0xFF");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "signature"), 2)),
			    "0x87");
	json_decref(doc);
}

static void
test_two_backups_same_second_both_kept(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	image_add(f, 0, 0x80);
	expect(f, IW_OK);
	memset(&f->rec, 0, sizeof f->rec);
	expect(f, IW_OK);
	/* Two jobs, two complete backups (3 files each), whatever the clock. */
	assert_int_equal(count_files(f->backups), 6);
}

static void
test_no_backup(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	image_add(f, 0, 0x80);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_int_equal(count_files(f->backups), 0);
	assert_int_equal(f->res->backup_json[0], '\0');
	assert_non_null(strstr(f->rec.log, "no backup"));
}

static void
test_read_job(void **state)
{
	static const uint8_t data[3] = { 1, 2, 3 };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega328p", NULL);
	char base[128], path[160];
	struct hex_image *img = hex_image_new();
	json_error_t jerr;
	json_t *doc;
	uint8_t b;

	assert_int_equal(sim_target_preload_flash(t, 0x4000, data, 3, NULL), IW_OK);
	snprintf(base, sizeof base, "%s/chip", f->dir);
	f->plan.read_to = base;
	expect(f, IW_OK);
	assert_untouched(t);
	snprintf(path, sizeof path, "%s.hex", base);
	assert_string_equal(f->res->backup_hex, path);
	assert_int_equal(hex_image_read_file(img, path, NULL), IW_OK);
	assert_true(hex_image_get(img, 0x4002, &b));
	assert_int_equal(b, 3);
	hex_image_free(img);
	snprintf(path, sizeof path, "%s.json", base);
	doc = json_load_file(path, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "fuses"),
							      "lfuse")), "0x62");
	json_decref(doc);
	/* Nothing after the backup step. */
	assert_int_equal(f->rec.phases[f->rec.n_phases - 1], JOB_PHASE_BACKUP);
}

static void
test_read_job_refuses_writes(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	f->plan.read_to = "/nonexistent/x";
	image_add(f, 0, 0x80);
	expect(f, IW_USAGE);
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

/* --- fault knobs ----------------------------------------------------------------------- */

static void
no_echo_case(struct fx *f, const char *knob, enum wiring_cause cause)
{
	const char *faults[] = { knob, NULL };
	struct sim_target *t = board(f, "atmega32u4", faults);

	image_add(f, 0, 0x80);
	want_fuses(f, 0xFF, -1, -1);
	f->plan.yes = true;
	expect(f, IW_NO_TARGET);
	assert_int_equal(f->res->phase, JOB_PHASE_CONNECT);
	assert_false(f->res->connected);
	assert_non_null(strstr(f->res->error.msg, "Programming Enable"));
	assert_true(f->res->has_diagnosis);
	assert_int_equal(f->res->diagnosis.symptom, WIRING_SYMPTOM_NO_ECHO);
	/* The evidence on MISO ranks the true cause first (miso-open answers
	 * FF as reset-not-wired does: on the wire the two cannot be told
	 * apart, so RESET, the commoner mistake, comes first and MISO second). */
	assert_true(f->res->diagnosis.n_causes >= 2);
	if (cause == WIRING_CAUSE_MISO) {
		assert_int_equal(f->res->diagnosis.causes[0].cause, WIRING_CAUSE_RESET);
		assert_int_equal(f->res->diagnosis.causes[1].cause, WIRING_CAUSE_MISO);
	} else {
		assert_int_equal(f->res->diagnosis.causes[0].cause, cause);
	}
	assert_true(f->res->diagnosis.n_rows > 0);
	assert_untouched(t);
	assert_int_equal(count_files(f->backups), 0);
}

static void
test_fault_no_power(void **state)
{
	no_echo_case(*state, "no-power", WIRING_CAUSE_UNPOWERED);
}

static void
test_fault_reset_not_wired(void **state)
{
	no_echo_case(*state, "reset-not-wired", WIRING_CAUSE_RESET);
}

static void
test_fault_miso_open(void **state)
{
	no_echo_case(*state, "miso-open", WIRING_CAUSE_MISO);
}

static void
test_fault_mosi_sck_swapped(void **state)
{
	no_echo_case(*state, "mosi-sck-swapped", WIRING_CAUSE_MOSI_SCK);
}

static void
test_fault_wrong_part_stops_before_erase(void **state)
{
	static const char *const faults[] = { "wrong-part=atmega328p", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);

	image_add(f, 0, 0x80);
	want_fuses(f, 0xFF, -1, -1);
	f->plan.yes = true;
	expect(f, IW_SIGNATURE);
	assert_int_equal(f->res->phase, JOB_PHASE_SIGNATURE);
	assert_non_null(strstr(f->res->error.msg, "ATmega328P"));
	assert_non_null(strstr(f->res->error.msg, "ATmega32U4"));
	assert_non_null(strstr(f->res->error.msg, "1E 95 0F"));
	assert_int_equal(f->res->diagnosis.symptom, WIRING_SYMPTOM_OTHER_PART);
	assert_true(wiring_doctor_has_cause(&f->res->diagnosis, WIRING_CAUSE_WRONG_PART));
	assert_untouched(t);
}

static void
test_fault_corrupt_read_fails_verify_keeps_fuses(void **state)
{
	static const char *const faults[] = { "corrupt-read=0x7010", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);

	image_add(f, 0x7000, 0x200);
	want_fuses(f, 0xFF, 0xD8, 0xCB);
	f->plan.has_lock = true;
	f->plan.lock = 0x2F;
	f->plan.yes = true;
	expect(f, IW_VERIFY);
	assert_int_equal(f->res->phase, JOB_PHASE_VERIFY);
	/* First bad address, expected and found, and the count. */
	assert_non_null(strstr(f->res->error.msg, "0x07010"));
	assert_non_null(strstr(f->res->error.msg, "1 byte differs"));
	{
		char want[64];

		snprintf(want, sizeof want, "expected 0x%02X", pattern(0x7010));
		assert_non_null(strstr(f->res->error.msg, want));
		snprintf(want, sizeof want, "read 0x%02X", pattern(0x7010) ^ 1);
		assert_non_null(strstr(f->res->error.msg, want));
	}
	assert_non_null(strstr(f->res->error.msg, "test.hex:1"));
	assert_int_equal(f->res->diagnosis.symptom, WIRING_SYMPTOM_VERIFY);
	/* Never fuses or lock after a failed verify; the backup stays. */
	assert_int_equal(sim_target_counters(t)->fuse_writes, 0);
	assert_int_equal(sim_target_counters(t)->lock_writes, 0);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0x99);
	assert_true(file_exists(f->res->backup_json));
	assert_true(file_exists(f->res->backup_hex));
}

static void
test_fault_disconnect_mid_write(void **state)
{
	static const char *const faults[] = { "disconnect-after=4", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);

	image_add(f, 0, 10 * 128);
	want_fuses(f, 0xFF, -1, -1);
	f->plan.yes = true;
	expect(f, IW_NO_TARGET);
	assert_int_equal(f->res->phase, JOB_PHASE_WRITE);
	/* The cable goes right after the 4th page is committed: that page's
	 * RDY/BSY poll is the first thing nobody answers. */
	assert_int_equal(sim_target_counters(t)->page_writes, 4);
	assert_int_equal(f->res->pages_written, 3);
	assert_non_null(strstr(f->res->error.msg, "page at 0x00180"));
	assert_non_null(strstr(f->res->error.msg, "stopped answering"));
	assert_int_equal(f->res->diagnosis.symptom, WIRING_SYMPTOM_LOST);
	assert_int_equal(sim_target_counters(t)->fuse_writes, 0);
	assert_true(file_exists(f->res->backup_json));
	assert_non_null(strstr(f->res->error.msg, f->res->backup_hex));
}

static void
test_fault_locked_flash_job(void **state)
{
	static const char *const faults[] = { "locked", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);

	image_add(f, 0x100, 0x100);
	expect(f, IW_OK);
	/* The erase unlocked it; the backup could not hold the flash. */
	assert_non_null(strstr(f->rec.log, "W: the chip is locked"));
	assert_int_equal(f->res->backup_hex[0], '\0');
	assert_true(file_exists(f->res->backup_json));
	assert_int_equal(f->res->lock_before, 0xFC);
	assert_int_equal(sim_target_lock(t) & 0x3F, 0x3F);
	assert_image_on_chip(f, t);
}

static void
test_fault_locked_read_job(void **state)
{
	static const char *const faults[] = { "locked", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);
	char base[128];

	snprintf(base, sizeof base, "%s/locked", f->dir);
	f->plan.read_to = base;
	expect(f, IW_FAILED);
	assert_non_null(strstr(f->res->error.msg, "locked"));
	assert_int_equal(f->res->diagnosis.symptom, WIRING_SYMPTOM_LOCKED);
	assert_true(wiring_doctor_has_cause(&f->res->diagnosis, WIRING_CAUSE_LOCK_BITS));
	assert_true(file_exists(f->res->backup_json));
	assert_untouched(t);
}

static void
test_fault_locked_fuse_only_refused(void **state)
{
	static const char *const faults[] = { "locked", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);

	want_fuses(f, -1, 0xD9, -1);   /* JTAG off: inform only */
	expect(f, IW_REFUSED);
	assert_non_null(strstr(f->res->error.msg, "locked"));
	assert_untouched(t);
}

/* A programmer that never checks the echo (ArduinoISP's enter answers OK
 * even without a target): the failure then shows in the signature. */
static struct prog_driver blind;

static enum iw_status
blind_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	(void)prog_sim_driver.enter(p, sck_hz, err);
	return IW_OK;
}

static void
blind_case(struct fx *f, const char *knob, enum iw_status want, enum wiring_symptom sym)
{
	const char *faults[] = { knob, NULL };
	struct sim_target *t;

	blind = prog_sim_driver;
	blind.enter = blind_enter;
	fx_open_sim(&f->p, &blind, "atmega32u4", faults);
	f->open = true;
	f->plan.prog = &f->p;
	f->plan.part = fx_part("atmega32u4");
	t = fx_target(&f->p);
	image_add(f, 0, 0x80);
	expect(f, want);
	assert_int_equal(f->res->phase, JOB_PHASE_SIGNATURE);
	assert_int_equal(f->res->diagnosis.symptom, sym);
	assert_untouched(t);
}

static void
test_signature_ff(void **state)
{
	struct fx *f = *state;

	blind_case(f, "miso-open", IW_NO_TARGET, WIRING_SYMPTOM_SIGNATURE_FF);
	assert_non_null(strstr(f->res->error.msg, "FF FF FF"));
	assert_true(wiring_doctor_has_cause(&f->res->diagnosis, WIRING_CAUSE_MISO));
}

static void
test_signature_00(void **state)
{
	struct fx *f = *state;

	blind_case(f, "no-power", IW_NO_TARGET, WIRING_SYMPTOM_SIGNATURE_00);
	assert_non_null(strstr(f->res->error.msg, "00 00 00"));
	assert_true(wiring_doctor_has_cause(&f->res->diagnosis, WIRING_CAUSE_UNPOWERED));
}

static void
test_signature_garbage(void **state)
{
	struct fx *f = *state;

	blind_case(f, "mosi-sck-swapped", IW_SIGNATURE, WIRING_SYMPTOM_SIGNATURE_BAD);
	assert_non_null(strstr(f->res->error.msg, "any other part"));
}

/* --- fuse safety ------------------------------------------------------------------------- */

static void
refused_case(struct fx *f, const char *part, int hfuse, const char *field)
{
	struct sim_target *t = board(f, part, NULL);

	image_add(f, 0, 0x80);
	want_fuses(f, -1, hfuse, -1);
	f->plan.yes = true;                  /* --yes alone is not enough */
	expect(f, IW_REFUSED);
	assert_int_equal(f->res->phase, JOB_PHASE_PLAN);
	assert_non_null(strstr(f->res->error.msg, field));
	assert_non_null(strstr(f->res->error.msg, "--unsafe-fuses"));
	/* Refused before the programmer talked to the chip at all. */
	assert_int_equal(sim_target_counters(t)->transfers, 0);
	assert_untouched(t);
	assert_int_equal(count_files(f->backups), 0);
}

static void
test_refuse_spien_unprogrammed(void **state)
{
	refused_case(*state, "atmega32u4", 0xB9, "SPIEN");
}

static void
test_refuse_rstdisbl_programmed(void **state)
{
	refused_case(*state, "atmega328p", 0x59, "RSTDISBL");
}

static void
test_refuse_dwen_programmed(void **state)
{
	refused_case(*state, "atmega328p", 0x99, "DWEN");
}

static void
test_refuse_unsafe_needs_yes(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega328p", NULL);

	want_fuses(f, -1, 0x59, -1);
	f->plan.unsafe_fuses = true;
	expect(f, IW_CONFIRM);
	assert_non_null(strstr(f->res->error.msg, "--yes"));
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

static void
test_unsafe_and_yes_writes_but_spien_stays(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	want_fuses(f, -1, 0xB9, -1);
	f->plan.unsafe_fuses = true;
	f->plan.yes = true;
	f->plan.backup = false;
	/* The chip keeps SPIEN programmed over ISP; the read-back says so. */
	expect(f, IW_VERIFY);
	assert_int_equal(f->res->phase, JOB_PHASE_FUSE_CHECK);
	assert_non_null(strstr(f->res->error.msg, "hfuse reads back 0x99"));
	assert_int_equal(sim_target_counters(t)->fuse_writes, 1);
}

static void
confirm_case(struct fx *f, int lfuse, int hfuse, const char *field)
{
	struct sim_target *t = fx_target(&f->p);

	image_add(f, 0, 0x80);
	want_fuses(f, lfuse, hfuse, -1);
	expect(f, IW_CONFIRM);
	assert_int_equal(f->res->phase, JOB_PHASE_READ_FUSES);
	assert_non_null(strstr(f->res->error.msg, field));
	assert_non_null(strstr(f->res->error.msg, "--yes"));
	assert_true(f->res->have_diff);
	assert_int_equal(f->res->diff.overall, FUSE_CLASS_CONFIRM);
	/* The decoded diff was shown. */
	assert_non_null(strstr(f->rec.log, field));
	assert_untouched(t);
	assert_int_equal(count_files(f->backups), 0);
}

static void
test_confirm_cksel(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	confirm_case(f, 0x5F, -1, "CKSEL");
}

static void
test_confirm_sut(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	confirm_case(f, 0x6E, -1, "SUT");
}

static void
test_confirm_ckdiv8(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	confirm_case(f, 0xDE, -1, "CKDIV8");
}

static void
test_confirm_bootsz(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	confirm_case(f, -1, 0x9B, "BOOTSZ");
}

static void
test_confirm_bootrst(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	confirm_case(f, -1, 0x98, "BOOTRST");
}

static void
test_confirm_jtagen_enabled(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	fuse_cold(f, FUSE_HIGH, 0xD9);   /* JTAG off now */
	confirm_case(f, -1, 0x99, "JTAGEN");
}

static void
test_inform_jtagen_disabled_needs_no_yes(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	want_fuses(f, -1, 0xD9, -1);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD9);
	assert_int_equal(sim_target_counters(t)->fuse_writes, 1);
}

static void
test_confirmed_with_yes(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	image_add(f, 0, 0x80);
	want_fuses(f, 0xDE, 0x98, -1);
	f->plan.yes = true;
	expect(f, IW_OK);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0xDE);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0x98);
	assert_non_null(strstr(f->rec.log, "writing lfuse 0x5E -> 0xDE"));
}

static void
test_unchanged_fuses_not_rewritten(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	/* Factory values, the efuse with different unused bits: no change,
	 * so neither --yes nor a write is needed. */
	want_fuses(f, 0x5E, 0x99, 0xC3);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_int_equal(f->res->diff.overall, FUSE_CLASS_UNCHANGED);
	assert_int_equal(sim_target_counters(t)->fuse_writes, 0);
	assert_non_null(strstr(f->rec.log, "not rewritten"));
}

static void
test_boot_fit_refused(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	/* A 2 KiB bootloader at 0x7800, but hfuse 0xD8 selects 4 KiB at 0x7000. */
	image_add(f, 0x7800, 0x700);
	f->plan.image_is_bootloader = true;
	want_fuses(f, 0xFF, 0xD8, 0xCB);
	f->plan.yes = true;
	expect(f, IW_REFUSED);
	assert_int_equal(f->res->phase, JOB_PHASE_PLAN);
	assert_non_null(strstr(f->res->error.msg, "BOOTSZ"));
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

/* A plain -f image (no --bootloader) with a 4 KiB bootloader at 0x7000 and
 * an hfuse whose BOOTRST is programmed but BOOTSZ=01 selects 0x7800: the
 * same refusal as for --bootloader, before the chip is touched. */
static void
test_boot_fit_plain_image_refused(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);

	image_add(f, 0x7000, 0x1000);
	want_fuses(f, -1, 0x9A, -1);
	f->plan.yes = true;
	expect(f, IW_REFUSED);
	assert_int_equal(f->res->phase, JOB_PHASE_PLAN);
	assert_non_null(strstr(f->res->error.msg, "BOOTSZ=00"));
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

/* A combined image: application bytes at 0 and a bootloader at 0x7000.
 * Only the bootloader part is checked, so hfuse 0xD8 (4 KiB at 0x7000)
 * passes and 0x9A (0x7800) is refused. */
static void
test_boot_fit_plain_combined_image(void **state)
{
	struct fx *f = *state;

	f->plan.part = fx_part("atmega32u4");
	image_add(f, 0x0000, 0x400);
	image_add(f, 0x7000, 0x800);
	want_fuses(f, -1, 0xD8, -1);
	assert_int_equal(job_plan_validate(&f->plan, NULL), IW_OK);
	want_fuses(f, -1, 0x9A, -1);
	assert_int_equal(job_plan_validate(&f->plan, NULL), IW_REFUSED);
	/* BOOTRST unprogrammed (0x9B): reset runs the application, no check */
	want_fuses(f, -1, 0x9B, -1);
	assert_int_equal(job_plan_validate(&f->plan, NULL), IW_OK);
}

/* Application bytes only, below every boot section: nothing to fit. */
static void
test_boot_fit_plain_app_only(void **state)
{
	struct fx *f = *state;

	f->plan.part = fx_part("atmega32u4");
	image_add(f, 0x0000, 0x2000);
	want_fuses(f, -1, 0x9A, -1);
	assert_int_equal(job_plan_validate(&f->plan, NULL), IW_OK);
}

static void
test_boot_fit_warning_with_chip_hfuse(void **state)
{
	struct fx *f = *state;

	board(f, "atmega32u4", NULL);
	/* No hfuse in the plan: the chip's 0x99 (BOOTSZ=00, 0x7000) is what
	 * counts, and 0x7800 is not where that section starts. */
	image_add(f, 0x7800, 0x700);
	f->plan.image_is_bootloader = true;
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_non_null(strstr(f->rec.log, "W: with the chip's current hfuse"));
}

/* --- plan checks ---------------------------------------------------------------------------- */

static void
test_image_too_big(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega16u4", NULL);

	image_add(f, 0x4000, 0x80);   /* the 16U4 has 16 KiB */
	expect(f, IW_RANGE);
	assert_int_equal(f->res->phase, JOB_PHASE_PLAN);
	assert_non_null(strstr(f->res->error.msg, "0x4000"));
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

/* A programmer whose catalog entry sets max_flash is refused for a bigger
 * part before the chip is touched.  (No shipped programmer has a limit any
 * more, so the entry is a copy of usbtiny's with one.) */
static void
test_programmer_flash_limit(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "at90usb1286", NULL);
	struct catalog_programmer limited;

	assert_non_null(catalog_find_programmer(&fx_catalog, "usbtiny"));
	limited = *catalog_find_programmer(&fx_catalog, "usbtiny");
	limited.max_flash = 65536;
	limited.limit_note = "a test limit";
	f->plan.programmer = &limited;
	image_add(f, 0, 0x100);
	expect(f, IW_RANGE);
	assert_non_null(strstr(f->res->error.msg, "64 KiB"));
	assert_non_null(strstr(f->res->error.msg, "a test limit"));
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

/* USBtinyISP used to be refused for parts over 64 KiB; its driver now
 * writes them (and reads the upper half the slow way, which the driver
 * announces: tests/test-usbtiny.c checks that on the real driver).  The
 * plan for a bootloader at the top of an AT90USB1286 goes through. */
static void
test_usbtiny_big_part(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "at90usb1286", NULL);

	f->plan.programmer = catalog_find_programmer(&fx_catalog, "usbtiny");
	assert_non_null(f->plan.programmer);
	assert_int_equal(f->plan.programmer->max_flash, 0);
	image_add(f, 0x1E000, 0x400);
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_int_equal(sim_target_flash(t)[0x1E000], pattern(0x1E000));
	assert_int_equal(sim_target_flash(t)[0x1E3FF], pattern(0x1E3FF));
}

static void
test_missing_part(void **state)
{
	struct fx *f = *state;

	f->plan.part = NULL;
	expect(f, IW_USAGE);
	assert_non_null(strstr(f->res->error.msg, "-p PART"));
}

/* What the wizard may stop without asking: a probe, a read, a download. */
static void
test_plan_changes_chip(void **state)
{
	struct job_plan p;
	struct hex_image *img = hex_image_new();

	(void)state;
	assert_non_null(img);
	job_plan_init(&p);
	assert_false(job_plan_changes_chip(&p));      /* a probe */
	p.inspect = true;
	assert_false(job_plan_changes_chip(&p));      /* ... that reads the boot section */
	fuse_set_put(&p.fuses, FUSE_HIGH, 0xD8);
	assert_true(job_plan_changes_chip(&p));
	p.read_to = "/tmp/backup";
	assert_false(job_plan_changes_chip(&p));      /* a read changes nothing */
	job_plan_init(&p);
	p.image = img;
	assert_true(job_plan_changes_chip(&p));
	job_plan_init(&p);
	p.has_lock = true;
	assert_true(job_plan_changes_chip(&p));
	job_plan_init(&p);
	p.kind = JOB_KIND_FETCH;
	assert_false(job_plan_changes_chip(&p));
	p.kind = JOB_KIND_UPLOAD;
	assert_true(job_plan_changes_chip(&p));
	hex_image_free(img);
}

static void
test_sim_state_between_runs(void **state)
{
	struct fx *f = *state;
	char path[128], base[128];
	struct hex_image *back = hex_image_new();
	uint8_t b;

	/* The job opens and closes the programmer itself here. */
	snprintf(path, sizeof path, "%s/chip.json", f->dir);
	f->plan.part = fx_part("atmega32u4");
	f->plan.sim_state = path;
	image_add(f, 0x7000, 0x100);
	want_fuses(f, 0xFF, 0xD8, -1);
	f->plan.yes = true;
	f->plan.backup = false;
	expect(f, IW_OK);
	assert_true(file_exists(path));

	memset(&f->rec, 0, sizeof f->rec);
	f->plan.image = NULL;
	fuse_set_init(&f->plan.fuses);
	snprintf(base, sizeof base, "%s/again", f->dir);
	f->plan.read_to = base;
	expect(f, IW_OK);
	assert_int_equal(f->res->fuses_before.value[FUSE_HIGH], 0xD8);
	/* lfuse 0xFF: a 16 MHz chip now, so the fastest clock works. */
	assert_int_equal(f->res->sck_hz, 2000000);
	assert_int_equal(hex_image_read_file(back, f->res->backup_hex, NULL), IW_OK);
	assert_true(hex_image_get(back, 0x7005, &b));
	assert_int_equal(b, pattern(0x7005));
	hex_image_free(back);
}

static void
test_sim_state_bad_file(void **state)
{
	struct fx *f = *state;
	char path[128];
	FILE *fp;

	snprintf(path, sizeof path, "%s/bad.json", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("{ not json", fp);
	fclose(fp);
	f->plan.part = fx_part("atmega32u4");
	f->plan.sim_state = path;
	expect(f, IW_INPUT);
	assert_int_equal(f->res->phase, JOB_PHASE_CONNECT);
	assert_non_null(strstr(f->res->error.msg, "--sim-state"));
}

/* --- cancel --------------------------------------------------------------------------------- */

static void
test_cancel_mid_write(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);
	const uint8_t *flash = sim_target_flash(t);

	image_add(f, 0, 20 * 128);
	want_fuses(f, 0xFF, -1, -1);
	f->plan.has_lock = true;
	f->plan.lock = 0x2F;
	f->plan.yes = true;
	f->rec.stop_after_write = 3;
	expect(f, IW_CANCELLED);
	assert_int_equal(f->res->phase, JOB_PHASE_WRITE);
	assert_int_equal(f->res->pages_written, 3);
	assert_int_equal(sim_target_counters(t)->page_writes, 3);
	assert_non_null(strstr(f->res->error.msg, "3 of 20 pages"));
	/* The chip: erased, three pages written, the rest blank, fuses and
	 * lock as before. */
	for (uint32_t a = 0; a < 3 * 128; a++)
		assert_int_equal(flash[a], pattern(a));
	for (uint32_t a = 3 * 128; a < 20 * 128; a++)
		assert_int_equal(flash[a], 0xFF);
	assert_int_equal(sim_target_counters(t)->fuse_writes, 0);
	assert_int_equal(sim_target_counters(t)->lock_writes, 0);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0x5E);
	assert_true(file_exists(f->res->backup_json));
}

/* --- the worker thread ------------------------------------------------------------------------- */

/* Drain events until DONE (or a 20 s deadline); returns the count.  With
 * cancel_in_write, cancel at the first write progress. */
static size_t
pump(struct job *job, struct rec *r, bool cancel_in_write)
{
	struct pollfd pfd = { job_event_fd(job), POLLIN, 0 };
	size_t n = 0;
	int idle = 0;

	while (r->done_events == 0 && idle < 200) {
		struct job_event ev;
		int rc = poll(&pfd, 1, 100);

		if (rc == 0) {
			idle++;
			continue;
		}
		assert_true(rc > 0);
		while (job_next_event(job, &ev)) {
			n++;
			record(r, &ev);
			if (cancel_in_write && ev.phase == JOB_PHASE_WRITE &&
			    ev.kind == JOB_EVENT_PROGRESS)
				job_cancel(job);
		}
	}
	return n;
}

static void
test_worker_runs_job(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);
	struct job_event ev, snap;
	struct job *job = NULL;

	image_add(f, 0x7000, 0x1000);
	want_fuses(f, 0xFF, 0xD8, 0xCB);
	f->plan.yes = true;
	assert_int_equal(job_start(&f->plan, &job, NULL), IW_OK);
	assert_true(pump(job, &f->rec, false) > 0);
	assert_int_equal(job_join(job, f->res), IW_OK);
	assert_int_equal(f->rec.done_events, 1);
	assert_int_equal(f->rec.done_status, IW_OK);
	assert_false(f->rec.event_after_done);
	assert_int_equal(f->rec.phases[0], JOB_PHASE_PLAN);
	assert_int_equal(f->rec.phases[f->rec.n_phases - 1], JOB_PHASE_FUSE_CHECK);
	assert_true(f->rec.progress[JOB_PHASE_WRITE] >= 1);
	assert_false(job_next_event(job, &ev));
	job_snapshot(job, &snap);
	assert_int_equal(snap.kind, JOB_EVENT_DONE);
	job_free(job);
	assert_image_on_chip(f, t);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD8);
}

static void
test_worker_cancel(void **state)
{
	static const char *const faults[] = { "realtime", NULL };
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", faults);
	struct job *job = NULL;

	/* Real write delays (4.5 ms a page) leave time to cancel. */
	image_add(f, 0, 200 * 128);
	want_fuses(f, 0xFF, -1, -1);
	f->plan.yes = true;
	f->plan.backup = false;
	assert_int_equal(job_start(&f->plan, &job, NULL), IW_OK);
	pump(job, &f->rec, true);
	assert_int_equal(job_join(job, f->res), IW_CANCELLED);
	job_free(job);
	assert_int_equal(f->rec.done_status, IW_CANCELLED);
	assert_int_equal(f->res->phase, JOB_PHASE_WRITE);
	assert_true(f->res->pages_written >= 1);
	assert_true(f->res->pages_written < 200);
	assert_int_equal(sim_target_counters(t)->page_writes, f->res->pages_written);
	assert_int_equal(sim_target_counters(t)->fuse_writes, 0);
}

static void
test_worker_refused_plan(void **state)
{
	struct fx *f = *state;
	struct sim_target *t = board(f, "atmega32u4", NULL);
	struct job *job = NULL;

	want_fuses(f, -1, 0xB9, -1);
	assert_int_equal(job_start(&f->plan, &job, NULL), IW_OK);
	pump(job, &f->rec, false);
	assert_int_equal(job_join(job, f->res), IW_REFUSED);
	job_free(job);
	assert_int_equal(f->rec.done_status, IW_REFUSED);
	assert_int_equal(sim_target_counters(t)->transfers, 0);
}

/* --- the plan in words ----------------------------------------------------------------------- */

static void
collect(void *user, const char *line)
{
	struct rec *r = user;
	int n = snprintf(r->log + r->log_len, sizeof r->log - r->log_len, "%s\n", line);

	if (n > 0 && (size_t)n < sizeof r->log - r->log_len)
		r->log_len += (size_t)n;
}

static void
test_avrdude_command_and_describe(void **state)
{
	struct fx *f = *state;
	char cmd[1024];

	f->plan.programmer = catalog_find_programmer(&fx_catalog, "usbasp");
	f->plan.part = fx_part("atmega32u4");
	image_add(f, 0x7000, 0x100);
	f->plan.image_path = "boot loader.hex";
	want_fuses(f, 0xFF, 0xD8, 0xCB);
	f->plan.has_lock = true;
	f->plan.lock = 0x2F;
	job_plan_avrdude_command(&f->plan, cmd, sizeof cmd);
	assert_string_equal(cmd, "avrdude -c usbasp -P usb -p m32u4 -e -U 'flash:w:boot loader.hex:i' "
			    "-U lfuse:w:0xFF:m -U hfuse:w:0xD8:m -U efuse:w:0xCB:m "
			    "-U lock:w:0x2F:m");
	job_plan_describe(&f->plan, collect, &f->rec);
	assert_non_null(strstr(f->rec.log, "2 pages of 128 bytes to write"));
	assert_non_null(strstr(f->rec.log, "BOOTSZ"));
	assert_non_null(strstr(f->rec.log, "erase, write, verify, fuses, fuse check, lock"));
}

/* A USB programmer: avrdude knows -P usb and usb:BBB:DDD only, so our bus
 * paths and serials become -P usb with a note, and a usbfs node becomes
 * usb:BBB:DDD. */
static void
test_avrdude_command_usb_port(void **state)
{
	static const struct {
		const char *port, *want;
	} cases[] = {
		{ "usb:1-2", "avrdude -c usbtiny -P usb -p m32u4 -U hfuse:w:0xD8:m  "
			     "# avrdude picks the first matching device; unplug others" },
		{ "usb:ABC123", "avrdude -c usbtiny -P usb -p m32u4 -U hfuse:w:0xD8:m  "
				"# avrdude picks the first matching device; unplug others" },
		{ "usb:001:005", "avrdude -c usbtiny -P usb:001:005 -p m32u4 -U hfuse:w:0xD8:m" },
		{ "/dev/bus/usb/002/007",
		  "avrdude -c usbtiny -P usb:002:007 -p m32u4 -U hfuse:w:0xD8:m" },
		{ "usb", "avrdude -c usbtiny -P usb -p m32u4 -U hfuse:w:0xD8:m" },
		{ "", "avrdude -c usbtiny -P usb -p m32u4 -U hfuse:w:0xD8:m" },
	};
	struct fx *f = *state;
	char cmd[1024];

	f->plan.programmer = catalog_find_programmer(&fx_catalog, "usbtiny");
	assert_non_null(f->plan.programmer);
	f->plan.part = fx_part("atmega32u4");
	want_fuses(f, -1, 0xD8, -1);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f->plan.port = cases[i].port;
		job_plan_avrdude_command(&f->plan, cmd, sizeof cmd);
		assert_string_equal(cmd, cases[i].want);
	}
}

/* Options avrdude has go in as -x (RESET pin, the speed as its code);
 * the others close the line as a comment, and the plan names them all. */
static void
test_avrdude_command_driver_options(void **state)
{
	static const char *const opts[] = { "reset=aux", "nopower", "speed=250k", "pullups" };
	struct fx *f = *state;
	char cmd[1024];

	f->plan.programmer = catalog_find_programmer(&fx_catalog, "buspirate");
	f->plan.port = "/dev/ttyUSB0";
	f->plan.part = fx_part("atmega32u4");
	f->plan.driver_opts = opts;
	f->plan.n_driver_opts = 4;
	want_fuses(f, -1, 0xD8, -1);
	assert_int_equal(job_plan_validate(&f->plan, NULL), IW_OK);
	job_plan_avrdude_command(&f->plan, cmd, sizeof cmd);
	assert_string_equal(cmd, "avrdude -c buspirate -P /dev/ttyUSB0 -b 115200 -x reset=aux "
			    "-x spifreq=2 -p m32u4 -U hfuse:w:0xD8:m  "
			    "# not in avrdude: -x nopower -x pullups");
	job_plan_describe(&f->plan, collect, &f->rec);
	assert_non_null(strstr(f->rec.log, "Options:    -x reset=aux -x nopower -x speed=250k "
			       "-x pullups\n"));

	/* a read job too, and without options nothing changes */
	fuse_set_init(&f->plan.fuses);
	f->plan.read_to = "chip";
	f->plan.n_driver_opts = 1;
	job_plan_avrdude_command(&f->plan, cmd, sizeof cmd);
	assert_non_null(strstr(cmd, "-b 115200 -x reset=aux -p m32u4 -U flash:r:chip.hex:i"));
	assert_null(strchr(cmd, '#'));
	f->plan.n_driver_opts = 0;
	job_plan_avrdude_command(&f->plan, cmd, sizeof cmd);
	assert_null(strstr(cmd, " -x "));
}

/* A -x the driver does not take stops the job at the plan: the simulator
 * is never opened, so its state file never appears. */
static void
test_driver_option_refused_before_open(void **state)
{
	static const char *const opts[] = { "reset=aux" };
	struct fx *f = *state;
	char path[128];

	snprintf(path, sizeof path, "%s/chip.json", f->dir);
	f->plan.part = fx_part("atmega32u4");
	f->plan.sim_state = path;
	f->plan.driver_opts = opts;
	f->plan.n_driver_opts = 1;
	image_add(f, 0x7000, 0x100);
	expect(f, IW_USAGE);
	assert_non_null(strstr(f->res->error.msg, "the sim programmer takes no -x options"));
	assert_false(f->res->connected);
	assert_false(file_exists(path));
	assert_int_equal(job_plan_check_driver_options(&f->plan, NULL), IW_USAGE);
	f->plan.n_driver_opts = 0;
	assert_int_equal(job_plan_check_driver_options(&f->plan, NULL), IW_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_full_job_in_order),
		T(test_blank_pages_skipped_but_verified),
		T(test_erase_before_write),
		T(test_autosck_ckdiv8),
		T(test_autosck_fast_chip),
		T(test_backup_holds_old_content),
		T(test_two_backups_same_second_both_kept),
		T(test_no_backup),
		T(test_read_job),
		T(test_read_job_refuses_writes),
		T(test_fault_no_power),
		T(test_fault_reset_not_wired),
		T(test_fault_miso_open),
		T(test_fault_mosi_sck_swapped),
		T(test_fault_wrong_part_stops_before_erase),
		T(test_fault_corrupt_read_fails_verify_keeps_fuses),
		T(test_fault_disconnect_mid_write),
		T(test_fault_locked_flash_job),
		T(test_fault_locked_read_job),
		T(test_fault_locked_fuse_only_refused),
		T(test_signature_ff),
		T(test_signature_00),
		T(test_signature_garbage),
		T(test_refuse_spien_unprogrammed),
		T(test_refuse_rstdisbl_programmed),
		T(test_refuse_dwen_programmed),
		T(test_refuse_unsafe_needs_yes),
		T(test_unsafe_and_yes_writes_but_spien_stays),
		T(test_confirm_cksel),
		T(test_confirm_sut),
		T(test_confirm_ckdiv8),
		T(test_confirm_bootsz),
		T(test_confirm_bootrst),
		T(test_confirm_jtagen_enabled),
		T(test_inform_jtagen_disabled_needs_no_yes),
		T(test_confirmed_with_yes),
		T(test_unchanged_fuses_not_rewritten),
		T(test_boot_fit_refused),
		T(test_boot_fit_plain_image_refused),
		T(test_boot_fit_plain_combined_image),
		T(test_boot_fit_plain_app_only),
		T(test_boot_fit_warning_with_chip_hfuse),
		T(test_image_too_big),
		T(test_programmer_flash_limit),
		T(test_usbtiny_big_part),
		T(test_missing_part),
		cmocka_unit_test(test_plan_changes_chip),
		T(test_sim_state_between_runs),
		T(test_sim_state_bad_file),
		T(test_cancel_mid_write),
		T(test_worker_runs_job),
		T(test_worker_cancel),
		T(test_worker_refused_plan),
		T(test_avrdude_command_and_describe),
		T(test_avrdude_command_driver_options),
		T(test_avrdude_command_usb_port),
		T(test_driver_option_refused_before_open),
#undef T
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
