/*
 * test-detect-match.c - from USB IDs to catalog entries without any udev:
 * every programmer and bootloader family, the shared IDs (16C0:05DC is a
 * USBasp and a USBaspLoader keyboard; 16C0:0483 two ArduinoISP boards; the
 * FT232 chip), unknown devices, plain serial ports, the group key that ties
 * a board's uevents together, and the real data file when it loads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect.h"
#include "detect-catalog.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."  /* the build passes the real one */
#endif

#define FX_HC "/sys/devices/pci0000:00/0000:00:14.0"

static bool
has_candidate(const struct detect_device *d, const char *id)
{
	for (size_t i = 0; i < d->n_candidates; i++)
		if (strcmp(d->candidates[i].id, id) == 0)
			return true;
	return false;
}

static void
test_group_of_maps_children_to_their_usb_device(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ FX_HC "/usb1/1-1/1-1.4/1-1.4:1.0/tty/ttyACM0", FX_HC "/usb1/1-1/1-1.4" },
		{ FX_HC "/usb1/1-1/1-1.4/1-1.4:1.0", FX_HC "/usb1/1-1/1-1.4" },
		{ FX_HC "/usb1/1-1/1-1.4", FX_HC "/usb1/1-1/1-1.4" },
		{ FX_HC "/usb1/1-10", FX_HC "/usb1/1-10" },
		{ FX_HC "/usb1", FX_HC "/usb1" },
		{ "/sys/devices/platform/serial8250/tty/ttyS0", "/sys/devices/platform/serial8250/tty/ttyS0" },
		/* Look-alikes that are not USB device names. */
		{ "/sys/devices/virtual/tty/tty1", "/sys/devices/virtual/tty/tty1" },
		{ "/sys/devices/1-/x", "/sys/devices/1-/x" },
		{ "/sys/devices/1-1./x", "/sys/devices/1-1./x" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *g = detect_group_of(cases[i].in);

		assert_non_null(g);
		assert_string_equal(g, cases[i].out);
		free(g);
	}
}

static struct detect_device
usb_dev(unsigned short vid, unsigned short pid, const char *port)
{
	struct detect_device d;

	memset(&d, 0, sizeof d);
	d.is_usb = true;
	d.usb_id.vid = vid;
	d.usb_id.pid = pid;
	d.port = port != NULL ? strdup(port) : NULL;
	return d;
}

static void
test_match_each_programmer_and_bootloader(void **state)
{
	static const struct {
		unsigned short vid, pid;
		enum detect_kind kind;
		const char *id;      /* NULL: ambiguous */
		const char *family;
	} cases[] = {
		{ 0x1781, 0x0C9F, DETECT_KIND_PROGRAMMER, "usbtiny", NULL },
		{ 0x04D8, 0xFB00, DETECT_KIND_PROGRAMMER, "buspirate", NULL },
		{ 0x0403, 0x6001, DETECT_KIND_PROGRAMMER, "buspirate", NULL },
		{ 0x03EB, 0x2FF4, DETECT_KIND_BOOTLOADER, "atmel-dfu-atmega32u4", "atmel-dfu" },
		{ 0x1B4F, 0x9205, DETECT_KIND_BOOTLOADER, "caterina-promicro16", "caterina" },
		{ 0x2341, 0x0036, DETECT_KIND_BOOTLOADER, "caterina-leonardo", "caterina" },
		{ 0x16C0, 0x05DF, DETECT_KIND_BOOTLOADER, "bootloadhid-atmega32a", "bootloadhid" },
		{ 0x16C0, 0x0483, DETECT_KIND_PROGRAMMER, NULL, NULL },
		{ 0x16C0, 0x05DC, DETECT_KIND_PROGRAMMER, NULL, "usbasploader" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct detect_device d = usb_dev(cases[i].vid, cases[i].pid, NULL);

		detect_match(&fx_catalog, &d);
		assert_int_equal(d.kind, cases[i].kind);
		if (cases[i].id != NULL) {
			assert_false(d.ambiguous);
			assert_non_null(d.id);
			assert_string_equal(d.id, cases[i].id);
			assert_int_equal(d.n_candidates, 1);
		} else {
			assert_true(d.ambiguous);
			assert_null(d.id);
			assert_true(d.n_candidates >= 2);
			assert_non_null(d.hint);
		}
		if (cases[i].family != NULL) {
			assert_non_null(d.family);
			assert_string_equal(d.family, cases[i].family);
		}
		detect_device_clear(&d);
	}
}

static void
test_match_unknown_and_plain_serial(void **state)
{
	struct detect_device unk = usb_dev(0x1234, 0x5678, NULL);
	struct detect_device ser = usb_dev(0x10C4, 0xEA60, "/dev/ttyUSB1");
	struct detect_device uart;

	(void)state;
	detect_match(&fx_catalog, &unk);
	assert_int_equal(unk.kind, DETECT_KIND_UNKNOWN);
	assert_null(unk.id);
	assert_int_equal(unk.n_candidates, 0);
	assert_null(unk.hint);
	detect_match(&fx_catalog, &ser);
	assert_int_equal(ser.kind, DETECT_KIND_SERIAL);
	assert_null(ser.id);
	/* A non-USB serial port is a serial port whatever its (zero) ID. */
	memset(&uart, 0, sizeof uart);
	uart.port = strdup("/dev/ttyS0");
	detect_match(&fx_catalog, &uart);
	assert_int_equal(uart.kind, DETECT_KIND_SERIAL);
	assert_int_equal(uart.n_candidates, 0);
	/* No catalog: everything is unknown rather than a crash. */
	detect_match(NULL, &ser);
	assert_int_equal(ser.kind, DETECT_KIND_SERIAL);
	detect_device_clear(&unk);
	detect_device_clear(&ser);
	detect_device_clear(&uart);
}

static void
test_match_usbasp_ambiguity_explained(void **state)
{
	struct detect_device d = usb_dev(0x16C0, 0x05DC, NULL);

	(void)state;
	d.manufacturer = strdup("www.fischl.de");
	d.product = strdup("USBasp");
	detect_match(&fx_catalog, &d);
	assert_true(d.ambiguous);
	assert_null(d.id);
	assert_int_equal(d.n_candidates, 2);
	/* The programmer leads, the bootloader follows. */
	assert_int_equal(d.candidates[0].kind, DETECT_KIND_PROGRAMMER);
	assert_string_equal(d.candidates[0].id, "usbasp");
	assert_int_equal(d.candidates[1].kind, DETECT_KIND_BOOTLOADER);
	assert_string_equal(d.candidates[1].id, "usbasploader-atmega32a");
	assert_non_null(d.hint);
	assert_non_null(strstr(d.hint, "16C0:05DC"));
	assert_non_null(strstr(d.hint, "www.fischl.de"));
	assert_non_null(strstr(d.hint, "the USBasp programmer"));
	assert_non_null(strstr(d.hint, "the usbasploader bootloader"));
	assert_non_null(strstr(d.hint, "boot key"));
	assert_non_null(strstr(d.hint, "Unplug the keyboard"));
	detect_device_clear(&d);
}

static void
test_match_shared_ids_say_might_be(void **state)
{
	struct detect_device ftdi = usb_dev(0x0403, 0x6001, "/dev/ttyUSB0");
	struct detect_device teensy = usb_dev(0x16C0, 0x0483, "/dev/ttyACM0");

	(void)state;
	detect_match(&fx_catalog, &ftdi);
	assert_string_equal(ftdi.id, "buspirate");
	assert_non_null(ftdi.hint);
	assert_non_null(strstr(ftdi.hint, "FT232"));
	assert_non_null(strstr(ftdi.hint, "only if"));
	detect_match(&fx_catalog, &teensy);
	assert_true(teensy.ambiguous);
	assert_true(has_candidate(&teensy, "avrisp-promicro"));
	assert_true(has_candidate(&teensy, "avrisp-teensy"));
	assert_non_null(strstr(teensy.hint, "avrisp driver"));
	detect_device_clear(&ftdi);
	detect_device_clear(&teensy);
}

/* The data file, when the loader and the file are there: every ID the
 * catalog lists is recognised as that entry. */
static void
test_real_catalog_ids_are_recognised(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	if (catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK) {
		catalog_free(&cat);
		fail_msg("the shipped catalog does not load: %s", err.msg);
	}
	for (size_t i = 0; i < cat.n_programmers; i++) {
		for (size_t j = 0; j < cat.programmers[i].n_usb_ids; j++) {
			struct catalog_usb_id id = cat.programmers[i].usb_ids[j];
			struct detect_device d = usb_dev(id.vid, id.pid, NULL);

			detect_match(&cat, &d);
			assert_int_equal(d.kind, DETECT_KIND_PROGRAMMER);
			assert_true(has_candidate(&d, cat.programmers[i].id));
			detect_device_clear(&d);
		}
	}
	for (size_t i = 0; i < cat.n_bootloaders; i++) {
		struct catalog_usb_id id = cat.bootloaders[i].usb_id;
		struct detect_device d = usb_dev(id.vid, id.pid, NULL);

		detect_match(&cat, &d);
		assert_true(has_candidate(&d, cat.bootloaders[i].id));
		/* The USBaspLoader ID is also a programmer's: never silently one. */
		if (d.n_candidates > 1)
			assert_non_null(d.hint);
		detect_device_clear(&d);
	}
	catalog_free(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_group_of_maps_children_to_their_usb_device),
		cmocka_unit_test(test_match_each_programmer_and_bootloader),
		cmocka_unit_test(test_match_unknown_and_plain_serial),
		cmocka_unit_test(test_match_usbasp_ambiguity_explained),
		cmocka_unit_test(test_match_shared_ids_say_might_be),
		cmocka_unit_test(test_real_catalog_ids_are_recognised),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
