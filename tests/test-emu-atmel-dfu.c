/* test-emu-atmel-dfu.c - the Atmel DFU bootloader emulator on its own, one
 * control transfer at a time: what it shows on the bus, the DFU state
 * machine and its status codes, each command, the chip's flash as SPM
 * leaves it, its own section, the security bit, the 64 KiB pages, the
 * erase's time, starting the application, and the fault knobs. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "boot/atmel-dfu-proto.h"
#include "engine-fixture.h"
#include "sim/emu-atmel-dfu.h"

struct dfx {
	struct sim_target *t;
	struct emu_dfu *d;
	uint64_t now;               /* the caller's clock handed to the emulator */
	struct emu_usb_reply r;
};

static void
dfx_make(struct dfx *f, const char *part, const struct emu_dfu_options *o)
{
	struct emu_dfu_options def;
	struct iw_error err;

	memset(f, 0, sizeof *f);
	memset(&def, 0, sizeof def);
	def.times_given = true;     /* instant unless a test asks for time */
	f->t = sim_target_new(fx_part(part), NULL, &err);
	assert_non_null(f->t);
	f->d = emu_dfu_new(o != NULL ? o : &def, f->t, &err);
	if (f->d == NULL)
		fail_msg("%s", err.msg);
	f->now = 1000000;
}

static void
dfx_free(struct dfx *f)
{
	emu_dfu_free(f->d);
	sim_target_free(f->t);
}

static int
ctl(struct dfx *f, uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
    uint16_t len)
{
	const uint8_t setup[8] = { type, req, (uint8_t)value, (uint8_t)(value >> 8),
				   (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)len,
				   (uint8_t)(len >> 8) };
	uint8_t none[1];

	emu_dfu_control(f->d, setup, data != NULL ? data : none, len, f->now, &f->r);
	return f->r.status;
}

static int
dnload(struct dfx *f, const uint8_t *p, uint16_t len)
{
	uint8_t buf[1200];

	if (len > 0)
		memcpy(buf, p, len);
	return ctl(f, ATMEL_DFU_TYPE_OUT, ATMEL_DFU_DNLOAD, 0, 0, buf, len);
}

static int
upload(struct dfx *f, uint8_t *buf, uint16_t len)
{
	return ctl(f, ATMEL_DFU_TYPE_IN, ATMEL_DFU_UPLOAD, 0, 0, buf, len);
}

/* GETSTATUS: bStatus, bState, the poll timeout. */
static void
status(struct dfx *f, uint8_t *st, uint8_t *state, uint32_t *poll)
{
	uint8_t b[6];

	assert_int_equal(ctl(f, ATMEL_DFU_TYPE_IN, ATMEL_DFU_GETSTATUS, 0, 0, b, 6), 6);
	*st = b[0];
	*state = b[4];
	if (poll != NULL)
		*poll = (uint32_t)(b[1] | b[2] << 8 | b[3] << 16);
}

static void
expect_status(struct dfx *f, uint8_t want_status, uint8_t want_state)
{
	uint8_t st, state;

	status(f, &st, &state, NULL);
	if (st != want_status || state != want_state)
		fail_msg("status 0x%02X state %u, wanted 0x%02X state %u", st, state,
			 want_status, want_state);
}

static int
clrstatus(struct dfx *f)
{
	return ctl(f, ATMEL_DFU_TYPE_OUT, ATMEL_DFU_CLRSTATUS, 0, 0, NULL, 0);
}

/* A program command for [start, start+n) of the selected page. */
static int
program(struct dfx *f, uint8_t mem, uint16_t start, const uint8_t *data, uint16_t n)
{
	uint8_t m[32 + 31 + 1024 + 16];
	uint16_t fill = start % 32, end = (uint16_t)(start + n - 1);

	memset(m, 0, sizeof m);
	m[0] = ATMEL_DFU_PROG_START;
	m[1] = mem;
	m[2] = (uint8_t)(start >> 8);
	m[3] = (uint8_t)start;
	m[4] = (uint8_t)(end >> 8);
	m[5] = (uint8_t)end;
	memcpy(m + 32 + fill, data, n);
	return dnload(f, m, (uint16_t)(32 + fill + n + 16));
}

static int
read_cmd(struct dfx *f, uint8_t what, uint16_t start, uint16_t end)
{
	const uint8_t c[6] = { ATMEL_DFU_DISPLAY, what, (uint8_t)(start >> 8), (uint8_t)start,
			       (uint8_t)(end >> 8), (uint8_t)end };

	return dnload(f, c, 6);
}

static int
select_page(struct dfx *f, uint8_t page)
{
	const uint8_t c[4] = { ATMEL_DFU_SELECT, 0x03, 0x00, page };

	return dnload(f, c, 4);
}

static int
erase(struct dfx *f)
{
	const uint8_t c[3] = { ATMEL_DFU_WRITE, 0x00, 0xFF };

	return dnload(f, c, 3);
}

static uint8_t
config(struct dfx *f, uint8_t bank, uint8_t index)
{
	const uint8_t c[3] = { ATMEL_DFU_READ_CONFIG, bank, index };
	uint8_t v = 0;

	assert_int_equal(dnload(f, c, 3), 3);
	assert_int_equal(upload(f, &v, 1), 1);
	return v;
}

static void
pattern(uint8_t *b, uint32_t addr, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		b[i] = (uint8_t)((addr + i) * 29u + 3u);
}

/* --- what the bus sees -------------------------------------------------------------- */

static void
test_descriptors(void **state)
{
	static const struct {
		const char *part;
		uint16_t pid;
	} parts[] = {
		{ "atmega16u4", 0x2FF3 }, { "atmega32u4", 0x2FF4 }, { "at90usb646", 0x2FF9 },
		{ "at90usb1286", 0x2FFB },
	};
	uint8_t d[64];

	(void)state;
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		struct dfx f;

		dfx_make(&f, parts[i].part, NULL);
		assert_int_equal(emu_dfu_descriptors(f.d, d, sizeof d), 36);
		assert_int_equal(d[7], 32);                          /* EP0 */
		assert_int_equal(d[8] | d[9] << 8, 0x03EB);
		assert_int_equal(d[10] | d[11] << 8, parts[i].pid);
		assert_int_equal(d[18 + 2] | d[18 + 3] << 8, 18);    /* no functional descriptor */
		assert_int_equal(d[18 + 4], 1);                      /* one interface */
		assert_int_equal(d[27 + 4], 0);                      /* no endpoints */
		assert_int_equal(d[27 + 5], 0xFE);
		assert_int_equal(d[27 + 6], 0x01);
		assert_int_equal(emu_dfu_pid(f.d), parts[i].pid);
		dfx_free(&f);
	}
}

static void
test_no_dfu_for_other_parts(void **state)
{
	struct emu_dfu_options o;
	struct sim_target *t;
	struct iw_error err;

	(void)state;
	memset(&o, 0, sizeof o);
	t = sim_target_new(fx_part("atmega328p"), NULL, &err);
	assert_null(emu_dfu_new(&o, t, &err));
	assert_non_null(strstr(err.msg, "no DFU bootloader"));
	sim_target_free(t);
}

/* Its own section is what the chip's high fuse selects: 4 KiB on a
 * factory 32U4 (BOOTSZ=00), 8 KiB on an AT90USB1286, 4 KiB on a 646. */
static void
test_boot_section_from_fuses(void **state)
{
	struct dfx f;

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(emu_dfu_boot_start(f.d), 0x7000);
	dfx_free(&f);
	dfx_make(&f, "at90usb1286", NULL);
	assert_int_equal(emu_dfu_boot_start(f.d), 0x1E000);
	dfx_free(&f);
	dfx_make(&f, "at90usb646", NULL);
	assert_int_equal(emu_dfu_boot_start(f.d), 0xF000);
	dfx_free(&f);
}

/* --- the state machine ------------------------------------------------------------- */

static void
test_idle_and_errors(void **state)
{
	struct dfx f;
	uint8_t b[4], st_byte;

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	/* An UPLOAD with nothing asked: stalled, dfuERROR (errSTALLEDPKT). */
	assert_int_equal(upload(&f, b, 1), -EPIPE);
	expect_status(&f, ATMEL_DFU_ERR_STALLEDPKT, ATMEL_DFU_ERROR);
	/* In dfuERROR a DNLOAD and an ABORT stall too; GETSTATE answers. */
	assert_int_equal(erase(&f), -EPIPE);
	assert_int_equal(ctl(&f, ATMEL_DFU_TYPE_OUT, ATMEL_DFU_ABORT, 0, 0, NULL, 0), -EPIPE);
	assert_int_equal(ctl(&f, ATMEL_DFU_TYPE_IN, ATMEL_DFU_GETSTATE, 0, 0, &st_byte, 1), 1);
	assert_int_equal(st_byte, ATMEL_DFU_ERROR);
	assert_int_equal(clrstatus(&f), 0);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	/* A read command leaves dfuUPLOAD-IDLE; ABORT goes back to dfuIDLE. */
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0, 15), 6);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_UPLOAD_IDLE);
	assert_int_equal(ctl(&f, ATMEL_DFU_TYPE_OUT, ATMEL_DFU_ABORT, 0, 0, NULL, 0), 0);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	/* DETACH is for the application; another interface is not the DFU one. */
	assert_int_equal(ctl(&f, ATMEL_DFU_TYPE_OUT, ATMEL_DFU_DETACH, 1000, 0, NULL, 0), -EPIPE);
	assert_int_equal(clrstatus(&f), 0);
	assert_int_equal(ctl(&f, ATMEL_DFU_TYPE_IN, ATMEL_DFU_GETSTATUS, 0, 1, b, 6), -EPIPE);
	/* An unknown command group. */
	b[0] = 0x07;
	assert_int_equal(dnload(&f, b, 1), -EPIPE);
	expect_status(&f, ATMEL_DFU_ERR_STALLEDPKT, ATMEL_DFU_ERROR);
	assert_true(emu_dfu_stats(f.d)->violations > 0);
	dfx_free(&f);
}

static void
test_config_bytes(void **state)
{
	struct emu_dfu_options o;
	struct dfx f;
	const uint8_t bad[3] = { ATMEL_DFU_READ_CONFIG, 0x01, 0x42 };

	(void)state;
	memset(&o, 0, sizeof o);
	o.times_given = true;
	o.version = 0x10;
	dfx_make(&f, "atmega32u4", &o);
	assert_int_equal(config(&f, 0x00, 0x00), 0x10);
	assert_int_equal(config(&f, 0x01, 0x30), 0x58);
	assert_int_equal(config(&f, 0x01, 0x31), 0x1E);
	assert_int_equal(config(&f, 0x01, 0x60), 0x95);
	assert_int_equal(config(&f, 0x01, 0x61), 0x87);
	assert_int_equal(dnload(&f, bad, 3), 3);
	expect_status(&f, ATMEL_DFU_ERR_ADDRESS, ATMEL_DFU_ERROR);
	dfx_free(&f);
}

/* --- flash --------------------------------------------------------------------------- */

static void
test_program_and_read(void **state)
{
	struct dfx f;
	uint8_t data[1024], back[1024];
	const uint8_t *flash;

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	pattern(data, 0x0400, sizeof data);
	assert_int_equal(program(&f, ATMEL_DFU_MEM_FLASH, 0x0400, data, 1024), 32 + 1024 + 16);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_memory_equal(sim_target_flash(f.t) + 0x400, data, 1024);
	assert_int_equal(emu_dfu_stats(f.d)->pages_programmed, 8);
	/* Read in two UPLOADs; then back to dfuIDLE. */
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0x0400, 0x07FF), 6);
	assert_int_equal(upload(&f, back, 600), 600);
	assert_int_equal(upload(&f, back + 600, 1024), 424);
	assert_memory_equal(back, data, 1024);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	/* An unaligned start: the data follows start % 32 filler bytes. */
	pattern(data, 0x1010, 16);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0x1010, data, 16) > 0);
	assert_memory_equal(sim_target_flash(f.t) + 0x1010, data, 16);
	/* Writing again over it only clears bits, and says so. */
	memset(data, 0xF0, 16);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0x1010, data, 16) > 0);
	flash = sim_target_flash(f.t);
	pattern(back, 0x1010, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(flash[0x1010 + i], back[i] & 0xF0);
	assert_non_null(strstr(emu_dfu_violation(f.d, 0), "without an erase"));
	dfx_free(&f);
}

static void
test_eeprom(void **state)
{
	struct dfx f;
	uint8_t data[64], back[64];

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	pattern(data, 7, sizeof data);
	assert_true(program(&f, ATMEL_DFU_MEM_EEPROM, 0x0100, data, 64) > 0);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_memory_equal(sim_target_eeprom(f.t) + 0x100, data, 64);
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_EEPROM, 0x0100, 0x013F), 6);
	assert_int_equal(upload(&f, back, 64), 64);
	assert_memory_equal(back, data, 64);
	dfx_free(&f);
}

static void
test_own_section_refused(void **state)
{
	struct dfx f;
	uint8_t data[1024];

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	pattern(data, 0x6C00, sizeof data);
	/* 0x6E00-0x71FF reaches 0x7000: errADDRESS, nothing written. */
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0x6E00, data, 1024) > 0);
	expect_status(&f, ATMEL_DFU_ERR_ADDRESS, ATMEL_DFU_ERROR);
	for (uint32_t a = 0x6E00; a < 0x7200; a++)
		assert_int_equal(sim_target_flash(f.t)[a], 0xFF);
	assert_int_equal(emu_dfu_stats(f.d)->refused, 1);
	assert_non_null(strstr(emu_dfu_violation(f.d, 0), "own section"));
	/* The erase leaves it alone too. */
	assert_int_equal(clrstatus(&f), 0);
	assert_int_equal(sim_target_preload_flash(f.t, 0x7000, data, 16, NULL), IW_OK);
	assert_int_equal(erase(&f), 3);
	assert_memory_equal(sim_target_flash(f.t) + 0x7000, data, 16);
	dfx_free(&f);
}

static void
test_blank_check(void **state)
{
	struct dfx f;
	uint8_t b[2] = { 0x00, 0x00 };

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_BLANK, 0, 0x6FFF), 6);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_int_equal(sim_target_preload_flash(f.t, 0x1234, b, 1, NULL), IW_OK);
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_BLANK, 0, 0x6FFF), 6);
	expect_status(&f, ATMEL_DFU_ERR_CHECK_ERASED, ATMEL_DFU_ERROR);
	assert_int_equal(upload(&f, b, 2), 2);
	assert_int_equal(b[0] | b[1] << 8, 0x1234);
	/* Past the flash: errADDRESS. */
	assert_int_equal(clrstatus(&f), 0);
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0, 0x8000), 6);
	expect_status(&f, ATMEL_DFU_ERR_ADDRESS, ATMEL_DFU_ERROR);
	dfx_free(&f);
}

/* The AT90USB1286: addresses are 16 bits inside the selected 64 KiB page. */
static void
test_pages(void **state)
{
	struct dfx f;
	uint8_t data[256], back[256];

	(void)state;
	dfx_make(&f, "at90usb1286", NULL);
	pattern(data, 0x10100, sizeof data);
	assert_int_equal(select_page(&f, 1), 4);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0x0100, data, 256) > 0);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_memory_equal(sim_target_flash(f.t) + 0x10100, data, 256);
	for (int i = 0; i < 256; i++)
		assert_int_equal(sim_target_flash(f.t)[0x100 + i], 0xFF);
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0x0100, 0x01FF), 6);
	assert_int_equal(upload(&f, back, 256), 256);
	assert_memory_equal(back, data, 256);
	/* Page 1 ends where the bootloader starts (0x1E000). */
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0xE000, data, 256) > 0);
	expect_status(&f, ATMEL_DFU_ERR_ADDRESS, ATMEL_DFU_ERROR);
	assert_int_equal(clrstatus(&f), 0);
	/* There is no page 2. */
	assert_int_equal(select_page(&f, 2), 4);
	expect_status(&f, ATMEL_DFU_ERR_ADDRESS, ATMEL_DFU_ERROR);
	dfx_free(&f);
	/* A 32U4 takes page 0 (the reference client selects it) and no other. */
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(select_page(&f, 0), 4);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_int_equal(select_page(&f, 1), 4);
	expect_status(&f, ATMEL_DFU_ERR_ADDRESS, ATMEL_DFU_ERROR);
	dfx_free(&f);
}

/* The erase takes its time: GETSTATUS says dfuDNBUSY with the time left,
 * anything else waits for the end. */
static void
test_erase_time(void **state)
{
	struct emu_dfu_options o;
	struct dfx f;
	uint8_t st, s, b[1];
	uint32_t poll;

	(void)state;
	memset(&o, 0, sizeof o);
	dfx_make(&f, "atmega32u4", &o);      /* realistic: 4 ms a page, 224 pages */
	assert_int_equal(erase(&f), 3);
	status(&f, &st, &s, &poll);
	assert_int_equal(st, ATMEL_DFU_OK);
	assert_int_equal(s, ATMEL_DFU_DNBUSY);
	assert_int_equal(poll, 896);
	f.now += 500000;
	status(&f, &st, &s, &poll);
	assert_int_equal(s, ATMEL_DFU_DNBUSY);
	assert_int_equal(poll, 396);
	/* A command now is held until the erase is over. */
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0, 0), 6);
	assert_int_equal(f.r.device_us, 396000);
	assert_int_equal(emu_dfu_stats(f.d)->held, 1);
	assert_int_equal(upload(&f, b, 1), 1);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	/* A program command takes 4 ms a page. */
	pattern(b, 0, 1);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0x0000, b, 1) > 0);
	assert_int_equal(f.r.device_us, 4000);
	dfx_free(&f);
}

static void
test_secured(void **state)
{
	struct dfx f;
	uint8_t b[16];

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(emu_dfu_set_fault(f.d, "secured", NULL), IW_OK);
	assert_true(emu_dfu_secured(f.d));
	/* The signature still reads. */
	assert_int_equal(config(&f, 0x01, 0x31), 0x1E);
	/* Reads: the command is taken, the UPLOAD stalls with errFILE. */
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0, 15), 6);
	assert_int_equal(upload(&f, b, 16), -EPIPE);
	expect_status(&f, ATMEL_DFU_ERR_FILE, ATMEL_DFU_ERROR);
	assert_int_equal(clrstatus(&f), 0);
	/* Writes: the command stalls, errWRITE. */
	pattern(b, 0, 16);
	assert_int_equal(program(&f, ATMEL_DFU_MEM_FLASH, 0, b, 16), -EPIPE);
	expect_status(&f, ATMEL_DFU_ERR_WRITE, ATMEL_DFU_ERROR);
	assert_int_equal(sim_target_flash(f.t)[0], 0xFF);
	assert_int_equal(clrstatus(&f), 0);
	/* The erase clears the bit. */
	assert_int_equal(erase(&f), 3);
	assert_false(emu_dfu_secured(f.d));
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0, b, 16) > 0);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_int_equal(read_cmd(&f, ATMEL_DFU_DISPLAY_FLASH, 0, 15), 6);
	assert_int_equal(upload(&f, b, 16), 16);
	dfx_free(&f);
}

/* --- leaving the bus ------------------------------------------------------------------ */

static void
test_start_app(void **state)
{
	const uint8_t jump[5] = { ATMEL_DFU_WRITE, 0x03, 0x01, 0x00, 0x00 };
	struct dfx f;
	uint8_t b[2] = { 0x0C, 0x94 };
	uint64_t leave, back;

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(sim_target_preload_flash(f.t, 0, b, 2, NULL), IW_OK);
	assert_int_equal(dnload(&f, jump, 5), 5);
	assert_int_equal(emu_dfu_bus(f.d, NULL, NULL), EMU_DFU_ON_BUS);
	assert_int_equal(dnload(&f, NULL, 0), 0);
	assert_int_equal(emu_dfu_bus(f.d, &leave, &back), EMU_DFU_LEAVING);
	assert_int_equal(leave, f.now + EMU_DFU_LEAVE_MS * 1000u);
	assert_int_equal(back, 0);
	assert_true(emu_dfu_app_running(f.d));
	assert_int_equal(ctl(&f, ATMEL_DFU_TYPE_IN, ATMEL_DFU_GETSTATUS, 0, 0, b, 6), -ENODEV);
	dfx_free(&f);

	/* A blank chip runs into the bootloader again: it comes back. */
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(dnload(&f, jump, 5), 5);
	assert_int_equal(dnload(&f, NULL, 0), 0);
	assert_int_equal(emu_dfu_bus(f.d, &leave, &back), EMU_DFU_LEAVING);
	assert_int_equal(back, leave + EMU_DFU_RESTART_MS * 1000u);
	assert_false(emu_dfu_app_running(f.d));
	emu_dfu_left(f.d);
	assert_int_equal(emu_dfu_bus(f.d, NULL, NULL), EMU_DFU_OFF_BUS);
	emu_dfu_enumerated(f.d);
	assert_int_equal(emu_dfu_bus(f.d, NULL, NULL), EMU_DFU_ON_BUS);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	assert_int_equal(emu_dfu_stats(f.d)->enumerations, 2);
	dfx_free(&f);
}

/* --- the knobs ---------------------------------------------------------------------- */

static void
test_knobs(void **state)
{
	struct dfx f;
	struct iw_error err;
	uint8_t data[128];
	uint64_t leave, back;

	(void)state;
	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(emu_dfu_set_fault(f.d, "nonsense", &err), IW_NOT_FOUND);
	assert_int_equal(emu_dfu_set_fault(f.d, "status-error=x", &err), IW_USAGE);
	assert_int_equal(emu_dfu_set_fault(f.d, "status-error=1", &err), IW_OK);
	pattern(data, 0, sizeof data);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0, data, 128) > 0);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_DNLOAD_IDLE);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 128, data, 128) > 0);
	expect_status(&f, ATMEL_DFU_ERR_WRITE, ATMEL_DFU_ERROR);
	assert_int_equal(sim_target_flash(f.t)[128], 0xFF);
	dfx_free(&f);

	dfx_make(&f, "atmega32u4", NULL);
	assert_int_equal(emu_dfu_set_fault(f.d, "reenumerate=1", &err), IW_OK);
	assert_true(program(&f, ATMEL_DFU_MEM_FLASH, 0, data, 128) > 0);
	assert_int_equal(program(&f, ATMEL_DFU_MEM_FLASH, 128, data, 128), -ENODEV);
	assert_int_equal(emu_dfu_bus(f.d, &leave, &back), EMU_DFU_LEAVING);
	assert_int_equal(leave, f.now);
	assert_int_equal(back, f.now + EMU_DFU_RESTART_MS * 1000u);
	emu_dfu_left(f.d);
	emu_dfu_enumerated(f.d);
	expect_status(&f, ATMEL_DFU_OK, ATMEL_DFU_IDLE);
	/* What was written before stays. */
	assert_memory_equal(sim_target_flash(f.t), data, 128);
	dfx_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_no_dfu_for_other_parts),
		cmocka_unit_test(test_boot_section_from_fuses),
		cmocka_unit_test(test_idle_and_errors),
		cmocka_unit_test(test_config_bytes),
		cmocka_unit_test(test_program_and_read),
		cmocka_unit_test(test_eeprom),
		cmocka_unit_test(test_own_section_refused),
		cmocka_unit_test(test_blank_check),
		cmocka_unit_test(test_pages),
		cmocka_unit_test(test_erase_time),
		cmocka_unit_test(test_secured),
		cmocka_unit_test(test_start_app),
		cmocka_unit_test(test_knobs),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
