/*
 * usb-fixture.h - what the USB driver tests (test-usbtiny, test-usbasp)
 * share: a umockdev testbed per test with emulated programmers plugged in
 * (tests/usb-emu.h), each over its own simulated chip, and the driver under
 * test opened on them through libusb.  The driver under test is described
 * by a `struct usb_case` (below), which every test gets through its cmocka
 * state: the suite both drivers run (tests/usb-suite.h) reads from it what
 * to expect of this driver, and the fixture opens its driver.
 *
 * The programs run in-process under umockdev (tests/usb-drivers.sh puts
 * libumockdev-preload in LD_PRELOAD); umockdev's thread answers the URBs
 * while the test's thread sits in libusb.
 *
 * Header-only (static functions), like tests/engine-fixture.h.
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

/* 16 MHz crystal, CKDIV8 off: the chip follows SCK up to 2.67 MHz. */
#define UFX_FAST_FUSES 0xFF, 0xD8, 0xCB

/* --- the driver under test ----------------------------------------------------- */

/* Where a fault shows: opening the programmer, or entering programming
 * mode on the open one. */
enum usb_fault_stage {
	USB_FAULT_AT_OPEN,
	USB_FAULT_AT_CONNECT,
};

/* One programmer fault knob and what the driver must make of it. */
struct usb_fault {
	const char *knob;         /* emu_usb_set_fault() spec: "stall=1" */
	enum usb_fault_stage stage;
	enum iw_status status;
	const char *says[3];      /* the error message holds each (NULL ends) */
	size_t tries;             /* isp_connect()'s tries; 0: not checked */
	double within_s;          /* the failure comes within this; 0: not timed */
};

struct usb_case {
	const char *id;                   /* the catalog programmer: "usbtiny" */
	const struct prog_driver *driver;
	const char *name;                 /* what the messages call it: "USBtinyISP" */
	const char *usb_ids;              /* its IDs as the messages list them */
	struct emu_usb_options emu;       /* the emulated programmer */
	/* A second one for the tests with two plugged in: another of its IDs
	 * or the same, with the serial "CAFE01". */
	struct emu_usb_options other;
	/* Other devices use its USB ID (V-USB keyboards in USBaspLoader). */
	bool shared_id;
	/* The firmware commits a flash page itself (one request a page). */
	bool firmware_commits;
	/* The firmware tries Programming Enable this many times per clock
	 * (counted by the emulator); 0: the driver does its own tries. */
	uint64_t firmware_enable_tries;
	/* The SCK table the driver offers: how many, fastest, slowest. */
	size_t n_sck;
	uint32_t sck_fastest, sck_slowest;
	/* The SCK it settles at on a 16 MHz chip (UFX_FAST_FUSES) ... */
	uint32_t fast_chip_sck;
	/* ... and on a factory chip (2 MHz, CKDIV8), after how many tries. */
	uint32_t factory_chip_sck;
	size_t factory_chip_tries;
	/* Vendor requests for one 512-byte read_flash() at the fast clock. */
	uint64_t read_512_requests;
	/* A target fault (sim-target.h) that leaves nobody answering. */
	const char *no_target_knob;
	/* The cable is pulled at this flash-writing request (0 = the first)
	 * of a job at 0x7000 with 128-byte pages; the error names the page and
	 * what the driver was doing with it. */
	unsigned unplug_at;
	const char *unplug_doing;
	struct usb_fault stall, timeout, short_reply;
};

/* --- the fixture -------------------------------------------------------------- */

struct ufx {
	const struct usb_case *c;
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

/* cmocka setup: the test's initial state is its struct usb_case. */
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
	f->c = *state;
	f->tb = umockdev_testbed_new();
	snprintf(f->dir, sizeof f->dir, "/tmp/ispwiz-usb-XXXXXX");
	if (f->c == NULL || f->tb == NULL || mkdtemp(f->dir) == NULL)
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

/* Open the driver under test on `part`, -P `port` (NULL: none). */
static enum iw_status
ufx_open(struct ufx *f, const char *part, const char *port)
{
	struct prog_options opt;
	enum iw_status st;

	if (f->open) {
		prog_close(&f->p, NULL);
		f->open = false;
	}
	memset(&opt, 0, sizeof opt);
	opt.port = port;
	opt.entry = catalog_find_programmer(&fx_catalog, f->c->id);
	opt.part = fx_part(part);
	opt.catalog = &fx_catalog;
	iw_error_clear(&f->err);
	st = prog_open(&f->p, f->c->driver, &opt, &f->err);
	f->open = st == IW_OK;
	return st;
}

static __attribute__((unused)) void
ufx_must_open(struct ufx *f, const char *part)
{
	if (ufx_open(f, part, NULL) != IW_OK)
		fail_msg("open: %s", f->err.msg);
}

static __attribute__((unused)) void
ufx_must_connect(struct ufx *f, struct isp_connect_info *info)
{
	if (isp_connect(&f->p, 0, info, &f->err) != IW_OK)
		fail_msg("connect: %s", f->err.msg);
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

/* ufx_contains() with the wanted text made from a format. */
static __attribute__((unused, format(printf, 2, 3))) void
ufx_containsf(const char *text, const char *fmt, ...)
{
	char want[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	ufx_contains(text, want);
}

/* --- flash ---------------------------------------------------------------------- */

/* Write the pattern into [addr, addr+len) a page of `page` bytes at a time. */
static __attribute__((unused)) void
ufx_write_pages(struct ufx *f, uint32_t addr, uint32_t len, uint32_t page)
{
	uint8_t buf[256];

	assert_true(page <= sizeof buf);
	for (uint32_t a = addr; a < addr + len; a += page) {
		for (uint32_t i = 0; i < page; i++)
			buf[i] = ufx_pattern(a + i);
		if (isp_write_page(&f->p, a, buf, page, &f->err) != IW_OK)
			fail_msg("%s", f->err.msg);
	}
}

/* `buf` holds the pattern of [addr, addr+len). */
static __attribute__((unused)) void
ufx_check_pattern(const uint8_t *buf, uint32_t addr, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (buf[i] != ufx_pattern(addr + i))
			fail_msg("byte 0x%05X is 0x%02X, wanted 0x%02X", addr + i, buf[i],
				 ufx_pattern(addr + i));
}

/* The chip holds the pattern at [addr, addr+len). */
static __attribute__((unused)) void
ufx_check_flash(const struct sim_target *t, uint32_t addr, uint32_t len)
{
	ufx_check_pattern(sim_target_flash(t) + addr, addr, len);
}

/* The chip's flash is erased at [addr, addr+len). */
static __attribute__((unused)) void
ufx_check_erased(const struct sim_target *t, uint32_t addr, uint32_t len)
{
	const uint8_t *flash = sim_target_flash(t);

	for (uint32_t i = 0; i < len; i++)
		if (flash[addr + i] != 0xFF)
			fail_msg("flash 0x%05X is 0x%02X, not erased", addr + i, flash[addr + i]);
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
ufx_plan(struct ufx *f, const char *part, uint32_t addr, uint32_t len, bool backup)
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
	f->plan.programmer = catalog_find_programmer(&fx_catalog, f->c->id);
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
ufx_job(struct ufx *f, const char *part, uint32_t addr, uint32_t len, bool backup)
{
	ufx_plan(f, part, addr, len, backup);
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

/* --- faults ------------------------------------------------------------------- */

/* A fast 32U4 behind the driver's programmer with knob `x->knob`: the
 * driver fails where and as `x` says, in time. */
static __attribute__((unused)) void
ufx_fault(struct ufx *f, const struct usb_fault *x)
{
	struct isp_connect_info info;
	enum iw_status st;
	double t0;

	ufx_plug(f, &f->c->emu, "atmega32u4", UFX_FAST_FUSES, NULL);
	ufx_knob(f, 0, x->knob);
	t0 = iw_clock_s();
	if (x->stage == USB_FAULT_AT_OPEN) {
		st = ufx_open(f, "atmega32u4", NULL);
	} else {
		ufx_must_open(f, "atmega32u4");
		t0 = iw_clock_s();
		st = isp_connect(&f->p, 0, &info, &f->err);
	}
	if (st != x->status)
		fail_msg("%s: %s, wanted %s: %s", x->knob, iw_status_name(st),
			 iw_status_name(x->status), f->err.msg);
	if (x->within_s > 0 && iw_clock_s() - t0 >= x->within_s)
		fail_msg("%s: took %.1f s", x->knob, iw_clock_s() - t0);
	for (size_t i = 0; i < sizeof x->says / sizeof x->says[0] && x->says[i] != NULL; i++)
		ufx_contains(f->err.msg, x->says[i]);
	if (x->stage == USB_FAULT_AT_CONNECT && x->tries > 0)
		assert_int_equal(info.tries, x->tries);
}

#endif
