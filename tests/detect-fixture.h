/*
 * detect-fixture.h - what the detect and hotplug tests plug in: umockdev
 * device descriptions of every programmer and bootloader family, written the way umockdev-record prints real hardware: the USB
 * device, its interface, and its serial port with the udev properties
 * (DEVLINKS, ID_USB_DRIVER) that udevd would add.
 *
 * The test binaries must run with libumockdev-preload.so in LD_PRELOAD
 * (tests/umockdev-run.sh does that); fx_require_umockdev() says so otherwise.
 */
#ifndef ISPWIZ_TESTS_DETECT_FIXTURE_H
#define ISPWIZ_TESTS_DETECT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <umockdev.h>

#include "detect-catalog.h"

/* --- devices ---------------------------------------------------------------- */

#define FX_HC "/sys/devices/pci0000:00/0000:00:14.0"

/* One USB device, optionally with one serial port. */
struct fx_dev {
	const char *bus;       /* kernel name = bus path: "1-3" */
	const char *hub;       /* bus path of the hub it sits behind, NULL: the root hub */
	const char *vid, *pid; /* as sysfs writes them: lower-case hex */
	const char *mfr, *prod, *serial;   /* NULL: attribute absent */
	int devnum;
	const char *cls;       /* bDeviceClass */
	const char *driver;    /* interface driver, NULL: no interface */
	const char *tty;       /* "ttyACM0", NULL: no serial port */
	int tty_minor;
	const char *tty_props; /* extra "E: K=V\n" lines for the tty */
};

FX_UNUSED static const struct fx_dev fx_roothub = {
	.bus = "usb1", .vid = "1d6b", .pid = "0002", .mfr = "Linux 6.1 xhci-hcd",
	.prod = "xHCI Host Controller", .serial = "0000:00:14.0", .devnum = 1, .cls = "09",
};
FX_UNUSED static const struct fx_dev fx_promicro_isp = {
	.bus = "1-1", .vid = "16c0", .pid = "0483", .mfr = "QMK", .prod = "Pro Micro ISP",
	.serial = "PM0001", .devnum = 2, .cls = "02", .driver = "cdc_acm",
	.tty = "ttyACM0", .tty_minor = 0,
};
FX_UNUSED static const struct fx_dev fx_usbtiny = {
	.bus = "1-2", .vid = "1781", .pid = "0c9f", .prod = "USBtiny", .devnum = 3, .cls = "ff",
};
FX_UNUSED static const struct fx_dev fx_usbasp = {
	.bus = "1-3", .vid = "16c0", .pid = "05dc", .mfr = "www.fischl.de", .prod = "USBasp",
	.devnum = 4, .cls = "ff",
};
FX_UNUSED static const struct fx_dev fx_buspirate = {
	.bus = "1-4", .vid = "0403", .pid = "6001", .mfr = "FTDI", .prod = "FT232R USB UART",
	.serial = "A10KZP45", .devnum = 5, .cls = "00", .driver = "ftdi_sio",
	.tty = "ttyUSB0", .tty_minor = 0,
};
FX_UNUSED static const struct fx_dev fx_dfu32u4 = {
	.bus = "1-5", .vid = "03eb", .pid = "2ff4", .mfr = "ATMEL", .prod = "ATm32U4DFU",
	.serial = "1.0.0", .devnum = 6, .cls = "00",
};
FX_UNUSED static const struct fx_dev fx_caterina = {
	.bus = "1-6", .vid = "1b4f", .pid = "9205", .mfr = "SparkFun", .prod = "SFE Pro Micro",
	.devnum = 7, .cls = "02", .driver = "cdc_acm", .tty = "ttyACM1", .tty_minor = 1,
};
FX_UNUSED static const struct fx_dev fx_bootloadhid = {
	.bus = "1-7", .vid = "16c0", .pid = "05df", .mfr = "obdev.at", .prod = "HIDBoot",
	.devnum = 8, .cls = "00", .driver = "usbhid",
};
FX_UNUSED static const struct fx_dev fx_unknown = {
	.bus = "1-8", .vid = "1234", .pid = "5678", .mfr = "Nobody", .prod = "Mystery gadget",
	.devnum = 9, .cls = "00",
};
/* A USB-serial adapter nobody in the catalog uses (CP2102). */
FX_UNUSED static const struct fx_dev fx_plain_serial = {
	.bus = "1-9", .vid = "10c4", .pid = "ea60", .mfr = "Silicon Labs",
	.prod = "CP2102 USB to UART Bridge Controller", .serial = "0001", .devnum = 10,
	.cls = "00", .driver = "cp210x", .tty = "ttyUSB1", .tty_minor = 1,
};

/* Sysfs path of the USB device; static buffer, valid until the next call. */
static inline const char *
fx_usb_path(const struct fx_dev *d)
{
	static char buf[256];

	if (strncmp(d->bus, "usb", 3) == 0)
		snprintf(buf, sizeof buf, FX_HC "/%s", d->bus);
	else if (d->hub != NULL)
		snprintf(buf, sizeof buf, FX_HC "/usb1/%s/%s", d->hub, d->bus);
	else
		snprintf(buf, sizeof buf, FX_HC "/usb1/%s", d->bus);
	return buf;
}

static inline const char *
fx_tty_path(const struct fx_dev *d)
{
	static char buf[320];

	snprintf(buf, sizeof buf, "%s/%s:1.0/tty/%s", fx_usb_path(d), d->bus, d->tty);
	return buf;
}

/* The umockdev-record style description: device, interface, port. */
static inline char *
fx_describe(const struct fx_dev *d)
{
	GString *s = g_string_new(NULL);
	const char *usb = fx_usb_path(d) + 4;   /* without "/sys" */
	char *usbp = g_strdup(usb);

	g_string_append_printf(s, "P: %s\nN: bus/usb/001/%03d\nE: DEVNAME=/dev/bus/usb/001/%03d\n"
			       "E: DEVTYPE=usb_device\nE: SUBSYSTEM=usb\n"
			       "A: idVendor=%s\nA: idProduct=%s\nA: bDeviceClass=%s\n"
			       "A: busnum=1\nA: devnum=%d\nA: dev=189:%d\n",
			       usbp, d->devnum, d->devnum, d->vid, d->pid, d->cls, d->devnum,
			       d->devnum - 1);
	if (d->mfr != NULL)
		g_string_append_printf(s, "A: manufacturer=%s\n", d->mfr);
	if (d->prod != NULL)
		g_string_append_printf(s, "A: product=%s\n", d->prod);
	if (d->serial != NULL)
		g_string_append_printf(s, "A: serial=%s\n", d->serial);
	g_string_append(s, "\n");
	if (d->driver != NULL)
		g_string_append_printf(s, "P: %s/%s:1.0\nE: DEVTYPE=usb_interface\nE: SUBSYSTEM=usb\n"
				       "E: DRIVER=%s\nA: bInterfaceClass=%s\n\n",
				       usbp, d->bus, d->driver, d->cls);
	if (d->tty != NULL) {
		g_string_append_printf(s, "P: %s/%s:1.0/tty/%s\nN: %s\nE: DEVNAME=/dev/%s\n"
				       "E: SUBSYSTEM=tty\nE: ID_USB_DRIVER=%s\n"
				       "A: dev=%d:%d\n",
				       usbp, d->bus, d->tty, d->tty, d->tty, d->driver,
				       strncmp(d->tty, "ttyACM", 6) == 0 ? 166 : 188, d->tty_minor);
		if (d->serial != NULL)
			g_string_append_printf(s, "E: DEVLINKS=/dev/serial/by-id/usb-%s_%s-if00 "
					       "/dev/serial/by-path/pci-0000:00:14.0-usb-0:%s:1.0\n",
					       d->mfr != NULL ? d->mfr : "x", d->serial, d->bus + 2);
		if (d->tty_props != NULL)
			g_string_append(s, d->tty_props);
		g_string_append(s, "\n");
	}
	g_free(usbp);
	return g_string_free(s, FALSE);
}

/* Plug a device into the testbed (umockdev announces it with "add"
 * uevents on its own in recent versions; fx_uevent() sends them anyway). */
static inline void
fx_add(UMockdevTestbed *tb, const struct fx_dev *d)
{
	char *text = fx_describe(d);
	GError *gerr = NULL;

	if (!umockdev_testbed_add_from_string(tb, text, &gerr)) {
		fprintf(stderr, "fixture: cannot add %s: %s\n", d->bus, gerr->message);
		abort();
	}
	g_free(text);
}

/* Send `action` for the device and its port, parent first like the kernel
 * does for "add" and children first for "remove". */
static inline void
fx_uevent(UMockdevTestbed *tb, const struct fx_dev *d, const char *action)
{
	char usb[256];

	snprintf(usb, sizeof usb, "%s", fx_usb_path(d));
	if (strcmp(action, "remove") == 0 && d->tty != NULL)
		umockdev_testbed_uevent(tb, fx_tty_path(d), action);
	umockdev_testbed_uevent(tb, usb, action);
	if (strcmp(action, "remove") != 0 && d->tty != NULL)
		umockdev_testbed_uevent(tb, fx_tty_path(d), action);
}

/* Unplug: the removal uevents (while sysfs still has the device, which
 * umockdev needs to describe it), then the sysfs tree. */
static inline void
fx_unplug(UMockdevTestbed *tb, const struct fx_dev *d)
{
	char usb[256];

	fx_uevent(tb, d, "remove");
	snprintf(usb, sizeof usb, "%s", fx_usb_path(d));
	umockdev_testbed_remove_device(tb, usb);
}

static inline void
fx_require_umockdev(void)
{
	const char *preload = getenv("LD_PRELOAD");

	/* umockdev_in_mock_environment() only turns true once a testbed
	 * exists; what matters here is that the preload library is in. */
	if (preload == NULL || strstr(preload, "libumockdev-preload") == NULL) {
		fprintf(stderr, "this test must run under umockdev: use tests/umockdev-run.sh "
			"or umockdev-wrapper (LD_PRELOAD=libumockdev-preload.so.0)\n");
		exit(77);
	}
}

#endif
