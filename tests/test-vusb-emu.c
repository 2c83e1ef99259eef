/* test-vusb-emu.c - the V-USB bootloader emulators on their own, one control
 * transfer at a time (BootloadHID's reports, USBaspLoader's emulated
 * instructions, own section, leaving the bus), and where the boot clients
 * put the bootloader's own section (boot_own_section()). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "engine-fixture.h"
#include "boot/boot.h"
#include "boot/bootloadhid-proto.h"
#include "prog/usbasp-proto.h"
#include "sim/emu-usb.h"

#define IN_VENDOR  0xC0
#define OUT_VENDOR 0x40

struct vfx {
	struct sim_target *t;
	struct emu_usb *u;
	uint64_t now;
	struct emu_usb_reply r;
};

/* A chip of `part` with `hfuse`, its flash full of 0x5A below 0x7000 and
 * 0xB0 above (an old application and the bootloader). */
static void
vfx_make(struct vfx *f, enum emu_usb_kind kind, bool loader, const char *part, uint8_t hfuse)
{
	struct emu_usb_options o = { .kind = kind, .usbasploader = loader };
	struct sim_target_options to;
	struct iw_error err;
	static uint8_t fill[0x8000];

	memset(f, 0, sizeof *f);
	memset(&to, 0, sizeof to);
	to.has_fuses = true;
	to.fuses[FUSE_LOW] = 0x1F;
	to.fuses[FUSE_HIGH] = hfuse;
	to.fuses[FUSE_EXT] = 0xFC;
	f->t = sim_target_new(fx_part(part), &to, &err);
	assert_non_null(f->t);
	memset(fill, 0x5A, 0x7000);
	memset(fill + 0x7000, 0xB0, 0x1000);
	assert_int_equal(sim_target_preload_flash(f->t, 0, fill, sizeof fill, &err), IW_OK);
	f->u = emu_usb_new(&o, f->t, &err);
	assert_non_null(f->u);
	f->now = 1000000;
}

static void
vfx_free(struct vfx *f)
{
	emu_usb_free(f->u);
	sim_target_free(f->t);
}

static int
ctl(struct vfx *f, uint8_t type, uint8_t req, uint16_t value, uint16_t index, uint8_t *data,
    uint16_t len)
{
	const uint8_t setup[8] = { type, req, (uint8_t)value, (uint8_t)(value >> 8),
				   (uint8_t)index, (uint8_t)(index >> 8), (uint8_t)len,
				   (uint8_t)(len >> 8) };
	uint8_t none[1];

	emu_usb_control(f->u, setup, data != NULL ? data : none, len, f->now, &f->r);
	f->now += 1000;
	return f->r.status;
}

static uint8_t
flash(const struct vfx *f, uint32_t a)
{
	return sim_target_flash(f->t)[a];
}

/* --- BootloadHID --------------------------------------------------------------- */

static int
hid_block(struct vfx *f, uint32_t addr, uint8_t value)
{
	uint8_t r[BOOTLOADHID_DATA_LEN];

	r[0] = BOOTLOADHID_REPORT_DATA;
	r[1] = (uint8_t)addr;
	r[2] = (uint8_t)(addr >> 8);
	r[3] = (uint8_t)(addr >> 16);
	memset(r + 4, value, BOOTLOADHID_BLOCK);
	return ctl(f, BOOTLOADHID_TYPE_SET, BOOTLOADHID_SET_REPORT,
		   BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_DATA, 0, r, sizeof r);
}

static void
test_hid_identity(void **state)
{
	struct vfx f;
	uint8_t d[64];
	size_t n;

	(void)state;
	vfx_make(&f, EMU_USB_BOOTLOADHID, false, "atmega32a", 0xD0);
	assert_int_equal(emu_usb_vid(f.u), 0x16C0);
	assert_int_equal(emu_usb_pid(f.u), 0x05DF);
	assert_string_equal(emu_usb_manufacturer(f.u), "obdev.at");
	assert_string_equal(emu_usb_product(f.u), "HIDBoot");
	n = emu_usb_descriptors(f.u, d, sizeof d);
	assert_int_equal(n, 18 + 34);
	assert_int_equal(d[4], 0);              /* class per interface */
	assert_int_equal(d[18 + 9 + 5], 0x03);  /* interface: HID */
	assert_int_equal(d[18 + 18 + 1], 0x21); /* HID descriptor */
	assert_int_equal(d[18 + 18 + 7], BOOTLOADHID_REPORT_DESCRIPTOR_LEN);
	/* The report descriptor, asked of the interface. */
	assert_int_equal(ctl(&f, 0x81, 0x06, 0x2200, 0, d, 64), BOOTLOADHID_REPORT_DESCRIPTOR_LEN);
	assert_int_equal(d[0], 0x06);
	assert_int_equal(d[BOOTLOADHID_REPORT_DESCRIPTOR_LEN - 1], 0xC0);
	vfx_free(&f);
}

static void
test_hid_info_report(void **state)
{
	struct vfx f;
	struct iw_error err;
	uint8_t d[8];

	(void)state;
	vfx_make(&f, EMU_USB_BOOTLOADHID, false, "atmega32a", 0xD0);
	assert_int_equal(ctl(&f, BOOTLOADHID_TYPE_GET, BOOTLOADHID_GET_REPORT,
			     BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_INFO, 0, d, 7), 7);
	assert_int_equal(d[0], 1);
	assert_int_equal(d[1] | d[2] << 8, 128);
	assert_int_equal(d[3] | d[4] << 8 | d[5] << 16 | d[6] << 24, 32768);
	assert_int_equal(emu_usb_set_fault(f.u, "flash-size=16384", &err), IW_OK);
	assert_int_equal(ctl(&f, BOOTLOADHID_TYPE_GET, BOOTLOADHID_GET_REPORT,
			     BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_INFO, 0, d, 7), 7);
	assert_int_equal(d[3] | d[4] << 8 | d[5] << 16 | d[6] << 24, 16384);
	vfx_free(&f);
}

/* A block at a page start erases the page: old bits do not stick. */
static void
test_hid_block_erases_page(void **state)
{
	struct vfx f;

	(void)state;
	vfx_make(&f, EMU_USB_BOOTLOADHID, false, "atmega32a", 0xD0);
	assert_int_equal(hid_block(&f, 0x0100, 0xA5), BOOTLOADHID_DATA_LEN);
	assert_int_equal(flash(&f, 0x0100), 0xA5);
	assert_int_equal(flash(&f, 0x017F), 0xA5);
	assert_int_equal(flash(&f, 0x0180), 0x5A);     /* the next page: untouched */
	assert_int_equal(emu_usb_stats(f.u)->spm_pages, 1);
	assert_int_equal(emu_usb_stats(f.u)->unerased_writes, 0);
	assert_true(f.r.device_us >= 8000);           /* erase + write inside the transfer */
	vfx_free(&f);
}

/* It writes wherever it is told, itself included (the client must not). */
static void
test_hid_overwrites_itself(void **state)
{
	struct vfx f;

	(void)state;
	vfx_make(&f, EMU_USB_BOOTLOADHID, false, "atmega32a", 0xD0);
	assert_int_equal(hid_block(&f, 0x7000, 0x11), BOOTLOADHID_DATA_LEN);
	assert_int_equal(flash(&f, 0x7000), 0x11);
	assert_int_equal(emu_usb_stats(f.u)->own_section_writes, 1);
	vfx_free(&f);
}

static void
test_hid_leaves(void **state)
{
	struct vfx f;
	uint8_t r[BOOTLOADHID_INFO_LEN] = { BOOTLOADHID_REPORT_INFO };

	(void)state;
	vfx_make(&f, EMU_USB_BOOTLOADHID, false, "atmega32a", 0xD0);
	assert_int_equal(ctl(&f, BOOTLOADHID_TYPE_SET, BOOTLOADHID_SET_REPORT,
			     BOOTLOADHID_FEATURE | BOOTLOADHID_REPORT_INFO, 0, r, sizeof r),
			 (int)sizeof r);
	assert_true(emu_usb_leaves_at(f.u) != 0);
	assert_true(emu_usb_stats(f.u)->left);
	f.now = emu_usb_leaves_at(f.u);
	assert_int_equal(hid_block(&f, 0, 0), -ENODEV);
	vfx_free(&f);
}

static void
test_hid_unplug_counts_reports(void **state)
{
	struct vfx f;
	struct iw_error err;

	(void)state;
	vfx_make(&f, EMU_USB_BOOTLOADHID, false, "atmega32a", 0xD0);
	assert_int_equal(emu_usb_set_fault(f.u, "unplug=2", &err), IW_OK);
	assert_int_equal(hid_block(&f, 0, 1), BOOTLOADHID_DATA_LEN);
	assert_int_equal(hid_block(&f, 128, 1), BOOTLOADHID_DATA_LEN);
	assert_int_equal(hid_block(&f, 256, 1), -ENODEV);
	assert_true(emu_usb_unplugged(f.u));
	vfx_free(&f);
}

/* --- USBaspLoader --------------------------------------------------------------- */

static void
transmit(struct vfx *f, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
	assert_int_equal(ctl(f, IN_VENDOR, USBASP_TRANSMIT, (uint16_t)(b << 8 | a),
			     (uint16_t)(d << 8 | c), out, 4), 4);
}

static void
test_loader_emulated_instructions(void **state)
{
	struct vfx f;
	uint8_t out[4], caps[4];

	(void)state;
	vfx_make(&f, EMU_USB_USBASP, true, "atmega32a", 0xC0);
	assert_int_equal(ctl(&f, IN_VENDOR, USBASP_GETCAPABILITIES, 0, 0, caps, 4), 0);
	assert_int_equal(ctl(&f, IN_VENDOR, USBASP_ENABLEPROG, 0, 0, out, 4), 1);
	assert_int_equal(out[0], USBASP_OK);
	transmit(&f, 0xAC, 0x53, 0x00, 0x00, out);
	assert_int_equal(out[2], 0);            /* no echo, ever */
	for (uint8_t i = 0; i < 3; i++) {
		transmit(&f, 0x30, 0x00, i, 0x00, out);
		assert_int_equal(out[3], fx_part("atmega32a")->signature[i]);
	}
	transmit(&f, 0x58, 0x08, 0x00, 0x00, out);
	assert_int_equal(out[3], 0xC0);         /* hfuse reads */
	transmit(&f, 0xAC, 0xA8, 0x00, 0xD8, out);
	assert_int_equal(sim_target_fuse(f.t, FUSE_HIGH), 0xC0);   /* ... but does not write */
	transmit(&f, 0x28, 0x38, 0x00, 0x00, out);
	assert_int_equal(out[3], 0xB0);         /* byte 0x7001: the bootloader */
	vfx_free(&f);
}

static void
test_loader_erase_keeps_itself(void **state)
{
	struct vfx f;
	uint8_t out[4];

	(void)state;
	vfx_make(&f, EMU_USB_USBASP, true, "atmega32a", 0xC0);
	transmit(&f, 0xAC, 0x80, 0x00, 0x00, out);
	assert_int_equal(flash(&f, 0x0000), 0xFF);
	assert_int_equal(flash(&f, 0x6FFF), 0xFF);
	assert_int_equal(flash(&f, 0x7000), 0xB0);
	assert_int_equal(emu_usb_stats(f.u)->chip_erases, 1);
	vfx_free(&f);
}

static int
write_flash(struct vfx *f, uint16_t addr, uint8_t *data, uint16_t len, uint8_t flags)
{
	return ctl(f, OUT_VENDOR, USBASP_WRITEFLASH, addr, (uint16_t)((flags << 8) | 128), data,
		   len);
}

static void
test_loader_writes_pages_not_itself(void **state)
{
	struct vfx f;
	uint8_t page[128];

	(void)state;
	vfx_make(&f, EMU_USB_USBASP, true, "atmega32a", 0xC0);
	memset(page, 0x33, sizeof page);
	/* Not erased first: the page is erased on demand. */
	assert_int_equal(write_flash(&f, 0x0200, page, 128, USBASP_FLAG_FIRST), 128);
	assert_int_equal(flash(&f, 0x0200), 0x33);
	assert_int_equal(flash(&f, 0x027F), 0x33);
	assert_int_equal(emu_usb_stats(f.u)->spm_pages, 1);
	/* Its own section: ignored. */
	memset(page, 0x00, sizeof page);
	assert_int_equal(write_flash(&f, 0x7000, page, 128, USBASP_FLAG_FIRST), 128);
	assert_int_equal(flash(&f, 0x7000), 0xB0);
	assert_int_equal(emu_usb_stats(f.u)->ignored_writes, 1);
	/* A partial page goes in with LAST. */
	memset(page, 0x44, sizeof page);
	assert_int_equal(write_flash(&f, 0x0400, page, 64, USBASP_FLAG_FIRST | USBASP_FLAG_LAST),
			 64);
	assert_int_equal(flash(&f, 0x043F), 0x44);
	assert_int_equal(flash(&f, 0x0440), 0xFF);
	vfx_free(&f);
}

static void
test_loader_disconnect_leaves(void **state)
{
	struct vfx f;
	struct iw_error err;
	uint8_t out[4];

	(void)state;
	vfx_make(&f, EMU_USB_USBASP, true, "atmega32a", 0xC0);
	assert_int_equal(ctl(&f, IN_VENDOR, USBASP_DISCONNECT, 0, 0, out, 4), 0);
	assert_int_equal(emu_usb_leaves_at(f.u), f.now - 1000 + EMU_USBASPLOADER_EXIT_US);
	transmit(&f, 0x30, 0x00, 0x00, 0x00, out);     /* still there meanwhile */
	f.now = emu_usb_leaves_at(f.u);
	assert_int_equal(ctl(&f, IN_VENDOR, USBASP_TRANSMIT, 0x30, 0, out, 4), -ENODEV);
	vfx_free(&f);

	vfx_make(&f, EMU_USB_USBASP, true, "atmega32a", 0xC0);
	assert_int_equal(emu_usb_set_fault(f.u, "stay", &err), IW_OK);
	assert_int_equal(ctl(&f, IN_VENDOR, USBASP_DISCONNECT, 0, 0, out, 4), 0);
	assert_int_equal(emu_usb_leaves_at(f.u), 0);
	assert_false(emu_usb_stats(f.u)->left);
	vfx_free(&f);
}

/* --- the own section the clients keep clear -------------------------------------- */

static void
test_own_section(void **state)
{
	const struct catalog_part *m32a = fx_part("atmega32a");

	(void)state;
	/* BootloadHID: its boot identity. */
	assert_int_equal(boot_own_section(&fx_catalog, m32a, "bootloadhid"), 0x7000);
	/* USBaspLoader has no file: the BOOTSZ its preset's hfuse selects
	 * (0xC0 and 0xD0: BOOTSZ 00, 2048 words). */
	assert_int_equal(boot_own_section(&fx_catalog, m32a, "usbasploader"), 0x7000);
	assert_int_equal(boot_own_section(&fx_catalog, fx_part("atmega328p"), "usbasploader"),
			 0x7000);
	/* Caterina on a 32U4: the lowest of its identities' boot starts. */
	assert_int_equal(boot_own_section(&fx_catalog, fx_part("atmega32u4"), "caterina"),
			 0x7000);
	/* Nothing known of the family on the part: the largest boot section. */
	assert_int_equal(boot_own_section(&fx_catalog, fx_part("atmega16u4"), "bootloadhid"),
			 0x3000);
	assert_int_equal(boot_own_section(&fx_catalog, m32a, NULL), 0x7000);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hid_identity),
		cmocka_unit_test(test_hid_info_report),
		cmocka_unit_test(test_hid_block_erases_page),
		cmocka_unit_test(test_hid_overwrites_itself),
		cmocka_unit_test(test_hid_leaves),
		cmocka_unit_test(test_hid_unplug_counts_reports),
		cmocka_unit_test(test_loader_emulated_instructions),
		cmocka_unit_test(test_loader_erase_keeps_itself),
		cmocka_unit_test(test_loader_writes_pages_not_itself),
		cmocka_unit_test(test_loader_disconnect_leaves),
		cmocka_unit_test(test_own_section),
	};

	return cmocka_run_group_tests(tests, fx_load_catalog, fx_free_catalog);
}
