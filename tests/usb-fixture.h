/*
 * usb-fixture.h - what the USB driver tests (test-usbtiny, test-usbasp)
 * share: a umockdev testbed per test with emulated programmers plugged in
 * (tests/usb-emu.h), each over its own simulated chip, and the real driver
 * opened on them through libusb.
 *
 * The programs run in-process under umockdev (tests/usb-drivers.sh puts
 * libumockdev-preload in LD_PRELOAD); umockdev's thread answers the URBs
 * while the test's thread sits in libusb.
 */
#ifndef ISPWIZ_TESTS_USB_FIXTURE_H
#define ISPWIZ_TESTS_USB_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/hex-image.h"
#include "job/job.h"
#include "engine-fixture.h"
#include "prog/isp.h"
#include "prog/prog-usbasp.h"
#include "prog/prog-usbtiny.h"
#include "sim/emu-usb.h"
#include "core/clock.h"
#include "usb-emu.h"

#define UFX_MAX 4

struct ufx {
	UMockdevTestbed *tb;
	struct sim_target *t[UFX_MAX];
	struct emu_usb *emu[UFX_MAX];
	struct usb_emu_port *port[UFX_MAX];
	size_t n;
	struct prog p;
	bool open;
	struct iw_error err;
	char dir[64];
	/* the job, when a test runs one */
	struct job_plan plan;
	struct job_result res;
	struct hex_image *img;
	char log[16384];
	size_t log_len;
};

static int
ufx_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
ufx_setup(void **state)
{
	struct ufx *f = calloc(1, sizeof *f);

	if (f == NULL)
		return -1;
	if (getenv("LD_PRELOAD") == NULL ||
	    strstr(getenv("LD_PRELOAD"), "libumockdev-preload") == NULL) {
		fprintf(stderr, "run me through tests/usb-drivers.sh (umockdev preload)\n");
		free(f);
		return -1;
	}
	f->tb = umockdev_testbed_new();
	snprintf(f->dir, sizeof f->dir, "/tmp/ispwiz-usb-XXXXXX");
	if (f->tb == NULL || mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int
ufx_teardown(void **state)
{
	struct ufx *f = *state;

	if (f->open)
		prog_close(&f->p, NULL);
	for (size_t i = 0; i < f->n; i++) {
		usb_emu_free(f->port[i]);
		emu_usb_free(f->emu[i]);
		sim_target_free(f->t[i]);
	}
	hex_image_free(f->img);
	g_object_unref(f->tb);
	nftw(f->dir, ufx_rm, 8, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* A chip of `part` with fuses L,H,E (any < 0: factory) and target knobs
 * (NULL-terminated), behind an emulated programmer made from `o`, on
 * root-hub port 2 + the number of devices already plugged in. */
static struct sim_target *
ufx_plug(struct ufx *f, const struct emu_usb_options *o, const char *part, int l,
	 int h, int e, const char *const *faults)
{
	struct sim_target_options topts;
	struct usb_emu_plug_options popts;
	struct iw_error err;
	size_t i = f->n;

	assert_true(i < UFX_MAX);
	memset(&topts, 0, sizeof topts);
	if (l >= 0 && h >= 0) {
		topts.has_fuses = true;
		topts.fuses[FUSE_LOW] = (uint8_t)l;
		topts.fuses[FUSE_HIGH] = (uint8_t)h;
		topts.fuses[FUSE_EXT] = (uint8_t)(e >= 0 ? e : 0xFF);
	}
	f->t[i] = sim_target_new(fx_part(part), &topts, &err);
	assert_non_null(f->t[i]);
	for (size_t k = 0; faults != NULL && faults[k] != NULL; k++) {
		struct sim_fault sf;

		if (sim_target_fault_parse(faults[k], &sf, &err) != IW_OK)
			fail_msg("%s", err.msg);
		assert_int_equal(sim_target_set_fault(f->t[i], &sf, &err), IW_OK);
	}
	f->emu[i] = emu_usb_new(o, f->t[i], &err);
	assert_non_null(f->emu[i]);
	memset(&popts, 0, sizeof popts);
	popts.port = (unsigned)(2 + i);
	f->port[i] = usb_emu_plug(f->tb, f->emu[i], &popts, &err);
	if (f->port[i] == NULL)
		fail_msg("%s", err.msg);
	f->n++;
	return f->t[i];
}

static __attribute__((unused)) void
ufx_knob(struct ufx *f, size_t i, const char *spec)
{
	assert_int_equal(emu_usb_set_fault(f->emu[i], spec, &f->err), IW_OK);
}

/* Open driver `drv` (catalog programmer `prog_id`) on `part`. */
static enum iw_status
ufx_open(struct ufx *f, const struct prog_driver *drv, const char *prog_id,
	 const char *part, const char *port)
{
	struct prog_options opt;
	enum iw_status st;

	if (f->open) {
		prog_close(&f->p, NULL);
		f->open = false;
	}
	memset(&opt, 0, sizeof opt);
	opt.port = port;
	opt.entry = catalog_find_programmer(&fx_catalog, prog_id);
	opt.part = fx_part(part);
	opt.catalog = &fx_catalog;
	iw_error_clear(&f->err);
	st = prog_open(&f->p, drv, &opt, &f->err);
	f->open = st == IW_OK;
	return st;
}

static __attribute__((unused)) void
ufx_must_open(struct ufx *f, const struct prog_driver *drv, const char *prog_id,
	      const char *part)
{
	if (ufx_open(f, drv, prog_id, part, NULL) != IW_OK)
		fail_msg("open: %s", f->err.msg);
}

static __attribute__((unused)) uint8_t
ufx_pattern(uint32_t addr)
{
	return (uint8_t)(addr * 31u + (addr >> 8) + 7u);
}


static __attribute__((unused)) void
ufx_contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", text, want);
}

/* --- jobs -------------------------------------------------------------------- */

static __attribute__((unused)) bool
ufx_record(void *user, const struct job_event *ev)
{
	struct ufx *f = user;

	if (ev->kind == JOB_EVENT_INFO || ev->kind == JOB_EVENT_WARNING) {
		int n = snprintf(f->log + f->log_len, sizeof f->log - f->log_len, "%s%s\n",
				 ev->kind == JOB_EVENT_WARNING ? "W: " : "", ev->message);

		if (n > 0 && (size_t)n < sizeof f->log - f->log_len)
			f->log_len += (size_t)n;
	}
	return true;
}

/* Plan a job on the open programmer: image of `len` pattern bytes at
 * `addr`, no backup unless asked.  The test may add to f->plan, then
 * ufx_run(). */
static __attribute__((unused)) void
ufx_plan(struct ufx *f, const char *prog_id, const char *part, uint32_t addr,
	 uint32_t len, bool backup)
{
	uint8_t *buf = malloc(len);

	assert_non_null(buf);
	for (uint32_t i = 0; i < len; i++)
		buf[i] = ufx_pattern(addr + i);
	hex_image_free(f->img);
	f->img = hex_image_new();
	assert_int_equal(hex_image_put(f->img, addr, buf, len, "test.hex", 1, NULL), IW_OK);
	free(buf);
	job_plan_init(&f->plan);
	f->plan.catalog = &fx_catalog;
	f->plan.programmer = catalog_find_programmer(&fx_catalog, prog_id);
	f->plan.part = fx_part(part);
	f->plan.prog = &f->p;
	f->plan.image = f->img;
	f->plan.image_path = "test.hex";
	f->plan.backup = backup;
	f->plan.backup_dir = f->dir;
}

static __attribute__((unused)) enum iw_status
ufx_run(struct ufx *f)
{
	f->log_len = 0;
	f->log[0] = '\0';
	return job_run(&f->plan, ufx_record, f, &f->res);
}

static __attribute__((unused)) enum iw_status
ufx_job(struct ufx *f, const char *prog_id, const char *part, uint32_t addr,
	uint32_t len, bool backup)
{
	ufx_plan(f, prog_id, part, addr, len, backup);
	return ufx_run(f);
}

/* The first violations the chip logged, for failure messages. */
static __attribute__((unused)) const char *
ufx_violations(struct ufx *f, size_t i)
{
	static char text[2048];
	size_t used = 0;

	text[0] = '\0';
	size_t n = sim_target_violation_count(f->t[i]);

	for (int k = 0; k < SIM_VIOLATION_COUNT; k++) {
		size_t c = sim_target_count_violations(f->t[i], (enum sim_violation_kind)k);

		if (c > 0)
			used += (size_t)snprintf(text + used, sizeof text - used, "  %zu %s\n", c,
						 sim_target_violation_name((enum sim_violation_kind)k));
	}

	/* the last ones: what happened just before the failure */
	for (size_t k = n > 4 ? n - 4 : 0; k < n && used < sizeof text; k++) {
		char one[256];

		sim_target_violation_format(sim_target_violation(f->t[i], k), one, sizeof one);
		used += (size_t)snprintf(text + used, sizeof text - used, "  %s\n", one);
		if (used >= sizeof text)
			break;
	}
	return text;
}

/* The chip holds the pattern at [addr, addr+len). */
static __attribute__((unused)) void
ufx_check_flash(const struct sim_target *t, uint32_t addr, uint32_t len)
{
	const uint8_t *flash = sim_target_flash(t);

	for (uint32_t i = 0; i < len; i++)
		if (flash[addr + i] != ufx_pattern(addr + i))
			fail_msg("flash 0x%05X is 0x%02X, wanted 0x%02X", addr + i,
				 flash[addr + i], ufx_pattern(addr + i));
}

#endif
