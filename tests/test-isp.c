/* test-isp.c - the ISP instruction layer (src/prog/isp.c) against the
 * simulated target: auto-SCK, signature, fuses, lock, erase, and flash
 * through the driver's paged calls and through the 4-byte fallbacks; and
 * the drivers' options (-x) as prog.c checks them. */
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

#include "engine-fixture.h"
#include "prog/isp.h"

/* The sim driver without paged calls: everything goes through isp.c's
 * fallbacks, as with a programmer that only moves 4-byte instructions. */
static struct prog_driver bytewise;

static const struct prog_driver *
bytewise_driver(void)
{
	bytewise = prog_sim_driver;
	bytewise.name = "sim-bytewise";
	bytewise.read_flash = NULL;
	bytewise.write_page = NULL;
	return &bytewise;
}

static void
open_bytewise(struct prog *p, const char *part, const char *const *faults)
{
	fx_open_sim(p, bytewise_driver(), part, faults);
	p->caps.paged_read = false;
	p->caps.paged_write = false;
}

static void
connect_or_fail(struct prog *p)
{
	struct isp_connect_info info;
	struct iw_error err;

	if (isp_connect(p, 0, &info, &err) != IW_OK)
		fail_msg("connect: %s", err.msg);
	/* Stepping SCK down on a slow chip means it saw too-fast clocks
	 * first; that is the search working, not a mistake to report. */
	assert_int_equal(sim_target_violation_count(fx_target(p)),
			 sim_target_count_violations(fx_target(p), SIM_VIOLATION_SCK_TOO_FAST));
	sim_target_clear_violations(fx_target(p));
}

/* Change a fuse behind the chip's back and power-cycle it, so the chip
 * runs with the new value as if it had been programmed earlier. */
static void
set_fuse_cold(struct prog *p, enum fuse_byte b, uint8_t v)
{
	sim_target_set_fuse(fx_target(p), b, v);
	sim_target_set_power(fx_target(p), false);
	sim_target_set_power(fx_target(p), true);
}

static void
close_prog(struct prog *p)
{
	assert_int_equal(prog_close(p, NULL), IW_OK);
}

static void
assert_no_violations(struct prog *p)
{
	struct sim_target *t = fx_target(p);
	size_t n = sim_target_violation_count(t);

	for (size_t i = 0; i < n; i++) {
		char text[256];

		sim_target_violation_format(sim_target_violation(t, i), text, sizeof text);
		print_error("violation: %s\n", text);
	}
	assert_int_equal(n, 0);
}

/* --- connecting ------------------------------------------------------------------- */

static void
test_connect_fast_chip_takes_fastest_step(void **state)
{
	struct isp_connect_info info;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	/* lfuse 0xFF: 16 MHz crystal, no CKDIV8: 2 MHz SCK is fine. */
	set_fuse_cold(&p, FUSE_LOW, 0xFF);
	assert_int_equal(isp_connect(&p, 0, &info, NULL), IW_OK);
	assert_int_equal(info.sck_hz, 2000000);
	assert_int_equal(info.tries, 1);
	assert_false(info.slowed);
	assert_int_equal(p.sck_hz, 2000000);
	assert_true(sim_target_in_programming_mode(fx_target(&p)));
	close_prog(&p);
}

static void
test_connect_ckdiv8_steps_down(void **state)
{
	struct isp_connect_info info;
	struct prog p;
	uint32_t fck;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);   /* factory 0x5E: CKDIV8 */
	fck = sim_target_clock_hz(fx_target(&p));
	assert_int_equal(isp_connect(&p, 0, &info, NULL), IW_OK);
	assert_true(info.sck_hz <= fck / 4);
	assert_true(info.slowed);
	assert_int_equal(info.fastest_hz, 2000000);
	assert_non_null(strstr(info.note, "CKDIV8"));
	/* Only the clocks that were too fast, nothing else. */
	assert_true(sim_target_count_violations(fx_target(&p), SIM_VIOLATION_SCK_TOO_FAST) > 0);
	assert_int_equal(sim_target_violation_count(fx_target(&p)),
			 sim_target_count_violations(fx_target(&p), SIM_VIOLATION_SCK_TOO_FAST));
	close_prog(&p);
}

static void
test_connect_slow_rc_clock(void **state)
{
	struct isp_connect_info info;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	/* CKSEL 0011: the 128 kHz RC oscillator, CKDIV8 off: SCK < 32 kHz. */
	set_fuse_cold(&p, FUSE_LOW, 0xE3);
	assert_int_equal(isp_connect(&p, 0, &info, NULL), IW_OK);
	assert_int_equal(info.sck_hz, 16000);
	assert_int_equal(info.tries, PROG_SIM_N_SCK);
	close_prog(&p);
}

static void
test_connect_respects_limit(void **state)
{
	struct isp_connect_info info;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	set_fuse_cold(&p, FUSE_LOW, 0xFF);
	assert_int_equal(isp_connect(&p, 300000, &info, NULL), IW_OK);
	assert_int_equal(info.sck_hz, 250000);
	assert_int_equal(info.fastest_hz, 250000);
	assert_false(info.slowed);
	close_prog(&p);
}

static void
test_connect_no_echo_anywhere(void **state)
{
	static const char *const faults[] = { "miso-open", NULL };
	struct isp_connect_info info;
	struct iw_error err;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", faults);
	assert_int_equal(isp_connect(&p, 0, &info, &err), IW_NO_TARGET);
	assert_int_equal(info.tries, PROG_SIM_N_SCK);
	assert_int_equal(info.fastest_hz, 2000000);
	assert_int_equal(info.slowest_hz, 16000);
	assert_non_null(strstr(err.msg, "2 MHz"));
	assert_non_null(strstr(err.msg, "16 kHz"));
	close_prog(&p);
}

static void
test_connect_fixed_sck_tries_once(void **state)
{
	struct isp_connect_info info;
	struct iw_error err;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);   /* CKDIV8: 2 MHz fails */
	p.caps.fixed_sck = true;
	assert_int_equal(isp_connect(&p, 0, &info, &err), IW_NO_TARGET);
	assert_int_equal(info.tries, 1);
	close_prog(&p);
}

/* --- small reads and writes ------------------------------------------------------------ */

static void
test_signature_and_calibration(void **state)
{
	uint8_t sig[3], cal;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "at90usb1286", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_read_signature(&p, sig, NULL), IW_OK);
	assert_memory_equal(sig, fx_part("at90usb1286")->signature, 3);
	assert_int_equal(isp_read_calibration(&p, &cal, NULL), IW_OK);
	assert_int_equal(cal, SIM_TARGET_DEFAULT_CALIBRATION);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_fuses_read_write(void **state)
{
	struct sim_target *t;
	uint8_t v;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	t = fx_target(&p);
	connect_or_fail(&p);
	assert_int_equal(isp_read_fuse(&p, FUSE_LOW, &v, NULL), IW_OK);
	assert_int_equal(v, 0x5E);
	assert_int_equal(isp_read_fuse(&p, FUSE_HIGH, &v, NULL), IW_OK);
	assert_int_equal(v, 0x99);
	assert_int_equal(isp_read_fuse(&p, FUSE_EXT, &v, NULL), IW_OK);
	assert_int_equal(v, 0xF3);
	/* Back to back: each write waits for RDY/BSY, so the second is not
	 * sent while the first is busy (the target would log it). */
	assert_int_equal(isp_write_fuse(&p, FUSE_LOW, 0xFF, NULL), IW_OK);
	assert_int_equal(isp_write_fuse(&p, FUSE_HIGH, 0xD8, NULL), IW_OK);
	assert_int_equal(isp_write_fuse(&p, FUSE_EXT, 0xCB, NULL), IW_OK);
	assert_int_equal(sim_target_fuse(t, FUSE_LOW), 0xFF);
	assert_int_equal(sim_target_fuse(t, FUSE_HIGH), 0xD8);
	assert_int_equal(isp_read_fuse(&p, FUSE_EXT, &v, NULL), IW_OK);
	assert_int_equal(v, 0xFB);   /* unused bits read back as 1 */
	assert_int_equal(sim_target_counters(t)->fuse_writes, 3);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_fuse_absent_byte(void **state)
{
	struct iw_error err;
	uint8_t v;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32a", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_read_fuse(&p, FUSE_EXT, &v, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "efuse"));
	assert_int_equal(isp_write_fuse(&p, FUSE_EXT, 0xFF, &err), IW_RANGE);
	assert_int_equal(sim_target_counters(fx_target(&p))->fuse_writes, 0);
	close_prog(&p);
}

static void
test_lock_write_and_erase_clears(void **state)
{
	struct sim_target *t;
	uint8_t lock;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	t = fx_target(&p);
	connect_or_fail(&p);
	assert_int_equal(isp_read_lock(&p, &lock, NULL), IW_OK);
	assert_int_equal(lock & 0x3F, 0x3F);
	assert_int_equal(isp_write_lock(&p, 0x2F, NULL), IW_OK);
	assert_int_equal(isp_read_lock(&p, &lock, NULL), IW_OK);
	assert_int_equal(lock & 0x3F, 0x2F);
	assert_int_equal(isp_chip_erase(&p, NULL), IW_OK);
	assert_true(sim_target_in_programming_mode(t));
	assert_int_equal(isp_read_lock(&p, &lock, NULL), IW_OK);
	assert_int_equal(lock & 0x3F, 0x3F);
	assert_int_equal(sim_target_counters(t)->erases, 1);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_wait_ready_times_out(void **state)
{
	struct sim_fault f;
	struct iw_error err;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	connect_or_fail(&p);
	/* MISO goes away after connecting: RDY/BSY reads 1 forever. */
	assert_int_equal(sim_target_fault_parse("miso-open", &f, NULL), IW_OK);
	assert_int_equal(sim_target_set_fault(fx_target(&p), &f, NULL), IW_OK);
	assert_int_equal(isp_write_fuse(&p, FUSE_LOW, 0x5E, &err), IW_TIMEOUT);
	assert_non_null(strstr(err.msg, "lfuse"));
	assert_non_null(strstr(err.msg, "busy"));
	close_prog(&p);
}

/* --- flash --------------------------------------------------------------------------- */

static void
fill_pattern(uint8_t *buf, uint32_t len, uint32_t seed)
{
	for (uint32_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seed * 7u + i * 13u + (i >> 8));
}

static void
check_page_roundtrip(struct prog *p, uint32_t addr)
{
	uint32_t page = p->part->page_size;
	uint8_t *out = malloc(page), *in = malloc(page);

	assert_non_null(out);
	assert_non_null(in);
	fill_pattern(out, page, addr);
	assert_int_equal(isp_write_page(p, addr, out, page, NULL), IW_OK);
	assert_memory_equal(sim_target_flash(fx_target(p)) + addr, out, page);
	assert_int_equal(isp_read_flash(p, addr, in, page, NULL, NULL, NULL), IW_OK);
	assert_memory_equal(in, out, page);
	free(out);
	free(in);
}

static void
test_flash_paged(void **state)
{
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_chip_erase(&p, NULL), IW_OK);
	check_page_roundtrip(&p, 0x0000);
	check_page_roundtrip(&p, 0x7F80);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_flash_fallback(void **state)
{
	struct prog p;

	(void)state;
	open_bytewise(&p, "atmega32u4", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_chip_erase(&p, NULL), IW_OK);
	check_page_roundtrip(&p, 0x0000);
	check_page_roundtrip(&p, 0x7000);
	assert_int_equal(sim_target_counters(fx_target(&p))->page_writes, 2);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_flash_fallback_big_pages_high_address(void **state)
{
	struct prog p;

	(void)state;
	/* 256-byte pages and addresses above 64 KiB (word address > 0x7FFF). */
	open_bytewise(&p, "at90usb1286", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_chip_erase(&p, NULL), IW_OK);
	check_page_roundtrip(&p, 0x1FF00);
	check_page_roundtrip(&p, 0x10000);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_flash_fallback_extended_address(void **state)
{
	struct catalog_part big;
	struct prog_options opt;
	struct prog p;

	(void)state;
	/* A 256 KiB variant of the AT90USB1286: the only way to reach flash
	 * above 128 KiB is Load Extended Address (0x4D). */
	big = *fx_part("at90usb1286");
	big.id = (char *)"test-256k";
	big.flash_size = 256u * 1024u;
	memset(&opt, 0, sizeof opt);
	opt.part = &big;
	opt.catalog = &fx_catalog;
	assert_int_equal(prog_open(&p, bytewise_driver(), &opt, NULL), IW_OK);
	p.caps.paged_read = p.caps.paged_write = false;
	connect_or_fail(&p);
	assert_int_equal(isp_chip_erase(&p, NULL), IW_OK);
	check_page_roundtrip(&p, 0x3FF00);
	check_page_roundtrip(&p, 0x20000);
	/* The low copy of those pages stays blank: the address did not wrap. */
	assert_int_equal(sim_target_flash(fx_target(&p))[0x1FF00], 0xFF);
	assert_int_equal(sim_target_flash(fx_target(&p))[0x00000], 0xFF);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_write_page_rejects_misaligned(void **state)
{
	uint8_t buf[128];
	struct iw_error err;
	struct prog p;

	(void)state;
	memset(buf, 0, sizeof buf);
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_write_page(&p, 0x40, buf, sizeof buf, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "0x00040"));
	assert_int_equal(sim_target_counters(fx_target(&p))->page_writes, 0);
	close_prog(&p);
}

static bool
stop_after_two(void *user, uint32_t done, uint32_t total)
{
	int *calls = user;

	(void)done;
	(void)total;
	return ++*calls < 2;
}

static void
test_read_flash_progress_can_stop(void **state)
{
	uint8_t buf[1024];
	struct iw_error err;
	int calls = 0;
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	connect_or_fail(&p);
	assert_int_equal(isp_read_flash(&p, 0, buf, sizeof buf, stop_after_two, &calls, &err),
			 IW_CANCELLED);
	assert_int_equal(calls, 2);
	close_prog(&p);
}

static void
test_eeprom_read(void **state)
{
	static const uint8_t data[4] = { 1, 2, 3, 4 };
	uint8_t buf[8];
	struct prog p;

	(void)state;
	fx_open_sim(&p, NULL, "atmega32u4", NULL);
	assert_int_equal(sim_target_preload_eeprom(fx_target(&p), 0x3FC, data, 4, NULL), IW_OK);
	connect_or_fail(&p);
	assert_int_equal(isp_read_eeprom(&p, 0x3F8, buf, 8, NULL, NULL, NULL), IW_OK);
	assert_int_equal(buf[0], 0xFF);
	assert_memory_equal(buf + 4, data, 4);
	assert_no_violations(&p);
	close_prog(&p);
}

static void
test_sck_text(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(isp_sck_text(2000000, buf, sizeof buf), "2 MHz");
	assert_string_equal(isp_sck_text(62500, buf, sizeof buf), "62.5 kHz");
	assert_string_equal(isp_sck_text(16000, buf, sizeof buf), "16 kHz");
	assert_string_equal(isp_sck_text(500, buf, sizeof buf), "500 Hz");
}

/* --- driver options (-x) ------------------------------------------------------------- */

static const char *const fake_help[] = {
	"fast  a switch",
	"mode=a|b  one of two words",
	"delay=MS  a value the driver reads itself",
	NULL,
};

/* The sim driver with a made-up option list. */
static struct prog_driver optioned;

static const struct prog_driver *
optioned_driver(void)
{
	optioned = prog_sim_driver;
	optioned.name = "fake";
	optioned.option_help = fake_help;
	return &optioned;
}

static enum iw_status
check1(const struct prog_driver *d, const char *opt, struct iw_error *err)
{
	const char *opts[1] = { opt };

	iw_error_clear(err);
	return prog_check_options(d, opts, 1, err);
}

static void
test_options_accepted(void **state)
{
	const char *opts[] = { "fast", "mode=B", "mode=a", "delay=20", "delay=soon" };
	struct iw_error err;

	(void)state;
	assert_int_equal(prog_check_options(optioned_driver(), opts, 5, &err), IW_OK);
	assert_int_equal(prog_check_options(optioned_driver(), NULL, 0, &err), IW_OK);
	assert_int_equal(prog_check_options(&prog_sim_driver, NULL, 0, &err), IW_OK);
}

static void
test_options_unknown_lists_valid(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(check1(optioned_driver(), "slow", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "unknown option -x slow for the fake programmer"));
	assert_non_null(strstr(err.msg, "fast, mode=a|b, delay=MS"));
	/* a prefix of a known name is not that name */
	assert_int_equal(check1(optioned_driver(), "fas", &err), IW_USAGE);
	assert_int_equal(check1(optioned_driver(), "", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "-x ''"));
	assert_int_equal(check1(optioned_driver(), "=a", &err), IW_USAGE);
}

static void
test_options_switch_takes_no_value(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(check1(optioned_driver(), "fast=1", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "fast is a switch and takes no value; give -x fast"));
}

static void
test_options_value_missing(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(check1(optioned_driver(), "mode", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "-x mode needs a value: -x mode=a|b"));
	assert_int_equal(check1(optioned_driver(), "delay=", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "-x delay=MS"));
}

static void
test_options_word_not_listed(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(check1(optioned_driver(), "mode=c", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "-x mode=c: the fake programmer's mode is one of a|b"));
	/* a word's prefix is not the word */
	assert_int_equal(check1(optioned_driver(), "mode=", &err), IW_USAGE);
	assert_int_equal(check1(optioned_driver(), "mode=a|b", &err), IW_USAGE);
}

static void
test_options_driver_without_any(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(check1(&prog_sim_driver, "reset=aux", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "-x reset=aux: the sim programmer takes no -x options"));
	assert_int_equal(check1(prog_driver_find("usbasp"), "slow", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "the usbasp programmer takes no -x options"));
	assert_int_equal(check1(prog_driver_find("avrisp"), "help", &err), IW_USAGE);
}

static void
test_option_get_last_wins(void **state)
{
	const char *opts[] = { "mode=a", "fast", "mode=b", "delay" };
	struct prog_options o;
	const char *v = "untouched";

	(void)state;
	memset(&o, 0, sizeof o);
	o.driver_opts = opts;
	o.n_driver_opts = 4;
	assert_true(prog_option_get(&o, "mode", &v));
	assert_string_equal(v, "b");
	assert_true(prog_option_get(&o, "fast", &v));
	assert_null(v);
	assert_true(prog_option_get(&o, "fast", NULL));
	assert_false(prog_option_get(&o, "fas", &v));
	assert_false(prog_option_get(&o, "mod", NULL));
	assert_false(prog_option_get(&o, "slow", NULL));
	o.n_driver_opts = 0;
	assert_false(prog_option_get(&o, "mode", NULL));
}

/* A wrong option stops prog_open() before the driver runs: the simulator
 * would otherwise create its state file. */
static void
test_prog_open_refuses_bad_option(void **state)
{
	const char *opts[] = { "reset=aux" };
	char path[] = "/tmp/ispwiz-isp-XXXXXX";
	char file[64];
	struct prog_options o;
	struct prog p;
	struct iw_error err;

	(void)state;
	assert_non_null(mkdtemp(path));
	snprintf(file, sizeof file, "%s/chip.json", path);
	memset(&o, 0, sizeof o);
	o.part = fx_part("atmega32u4");
	o.entry = catalog_find_programmer(&fx_catalog, "sim");
	o.catalog = &fx_catalog;
	o.sim_state = file;
	o.driver_opts = opts;
	o.n_driver_opts = 1;
	assert_int_equal(prog_open(&p, &prog_sim_driver, &o, &err), IW_USAGE);
	assert_null(p.driver);
	assert_null(p.priv);
	assert_int_equal(access(file, F_OK), -1);
	rmdir(path);
}

static void
test_buspirate_options(void **state)
{
	const struct prog_driver *d = prog_driver_find("buspirate");
	const char *good[] = { "reset=cs", "reset=AUX", "pullups", "nopower", "speed=2.6m" };
	struct iw_error err;
	char buf[64];

	(void)state;
	assert_non_null(d);
	assert_non_null(d->option_help);
	assert_int_equal(prog_check_options(d, good, 5, &err), IW_OK);
	assert_int_equal(check1(d, "reset=aux2", &err), IW_USAGE);
	assert_int_equal(check1(d, "speed=3M", &err), IW_USAGE);
	assert_non_null(strstr(err.msg, "30k|125k|250k|1M|2M|2.6M|4M|8M"));
	/* avrdude spells RESET on AUX the same, the speed as its code */
	assert_true(d->avrdude_option("reset=AUX", buf, sizeof buf));
	assert_string_equal(buf, "reset=aux");
	assert_true(d->avrdude_option("reset=cs", buf, sizeof buf));
	assert_string_equal(buf, "reset=cs");
	assert_true(d->avrdude_option("speed=30k", buf, sizeof buf));
	assert_string_equal(buf, "spifreq=0");
	assert_true(d->avrdude_option("speed=2.6M", buf, sizeof buf));
	assert_string_equal(buf, "spifreq=5");
	assert_true(d->avrdude_option("speed=8m", buf, sizeof buf));
	assert_string_equal(buf, "spifreq=7");
	assert_false(d->avrdude_option("pullups", buf, sizeof buf));
	assert_false(d->avrdude_option("nopower", buf, sizeof buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect_fast_chip_takes_fastest_step),
		cmocka_unit_test(test_connect_ckdiv8_steps_down),
		cmocka_unit_test(test_connect_slow_rc_clock),
		cmocka_unit_test(test_connect_respects_limit),
		cmocka_unit_test(test_connect_no_echo_anywhere),
		cmocka_unit_test(test_connect_fixed_sck_tries_once),
		cmocka_unit_test(test_signature_and_calibration),
		cmocka_unit_test(test_fuses_read_write),
		cmocka_unit_test(test_fuse_absent_byte),
		cmocka_unit_test(test_lock_write_and_erase_clears),
		cmocka_unit_test(test_wait_ready_times_out),
		cmocka_unit_test(test_flash_paged),
		cmocka_unit_test(test_flash_fallback),
		cmocka_unit_test(test_flash_fallback_big_pages_high_address),
		cmocka_unit_test(test_flash_fallback_extended_address),
		cmocka_unit_test(test_write_page_rejects_misaligned),
		cmocka_unit_test(test_read_flash_progress_can_stop),
		cmocka_unit_test(test_eeprom_read),
		cmocka_unit_test(test_sck_text),
		cmocka_unit_test(test_options_accepted),
		cmocka_unit_test(test_options_unknown_lists_valid),
		cmocka_unit_test(test_options_switch_takes_no_value),
		cmocka_unit_test(test_options_value_missing),
		cmocka_unit_test(test_options_word_not_listed),
		cmocka_unit_test(test_options_driver_without_any),
		cmocka_unit_test(test_option_get_last_wins),
		cmocka_unit_test(test_prog_open_refuses_bad_option),
		cmocka_unit_test(test_buspirate_options),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
