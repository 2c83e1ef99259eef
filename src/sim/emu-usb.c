/*
 * emu-usb.c - what the USB emulators share: identity and descriptors, the
 * standard requests, the fault knobs and the clock.  The firmware protocols
 * live in emu-usbtiny.c, emu-usbasp.c and emu-halfkay.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/emu-usb-int.h"
#include "sim/emu-knob.h"
#include "sim/emu-usb-std.h"
#include "boot/bootloadhid-proto.h"
#include "prog/usbasp-proto.h"
#include "prog/usbtiny-proto.h"
#include "boot/halfkay-proto.h"

#define USB_DT_HID     0x21
#define USB_DT_REPORT  0x22
#define USB_RECIP_MASK 0x1F
#define USB_RECIP_INTERFACE 0x01
#define USBASPLOADER_BCD_DEVICE 0x0102   /* its usbconfig.h: version 1.02 */

/* String indices as each firmware numbers them: USBtiny gives the vendor
 * name index 1, the product 2 and the serial 3 and uses 0 for a string it
 * was built without; V-USB (USBasp) does the same. */
#define STR_MANUFACTURER 1
#define STR_PRODUCT      2
#define STR_SERIAL       3

static const struct emu_knob usb_faults[EMU_USB_FAULT_COUNT] = {
#define EMU_USB_FAULT_ROW(id, name, kinds, help) { name, help },
	EMU_USB_FAULT_LIST(EMU_USB_FAULT_ROW)
#undef EMU_USB_FAULT_ROW
};

static const unsigned fault_kinds[] = {
#define EMU_USB_FAULT_KINDS(id, name, kinds, help) kinds,
	EMU_USB_FAULT_LIST(EMU_USB_FAULT_KINDS)
#undef EMU_USB_FAULT_KINDS
};

static unsigned
kind_bit(enum emu_usb_kind kind)
{
	return kind == EMU_USB_USBTINY ? EMU_USB_K_TINY :
	       kind == EMU_USB_USBASP ? EMU_USB_K_ASP :
	       kind == EMU_USB_HALFKAY ? EMU_USB_K_HK : EMU_USB_K_BLH;
}

const char *
emu_usb_fault_name(enum emu_usb_fault_kind kind)
{
	return emu_knob_name(usb_faults, EMU_USB_FAULT_COUNT, (int)kind);
}

const char *
emu_usb_fault_help(enum emu_usb_fault_kind kind)
{
	return emu_knob_help(usb_faults, EMU_USB_FAULT_COUNT, (int)kind);
}

static void
copy_string(char *dst, const char *given, const char *dflt)
{
	snprintf(dst, EMU_USB_STRING_MAX, "%s", given != NULL ? given : dflt);
}

struct emu_usb *
emu_usb_new(const struct emu_usb_options *opts, struct sim_target *t,
	    struct iw_error *err)
{
	struct emu_usb *u;
	bool tiny, hk;

	if (opts == NULL || t == NULL) {
		iw_error_set(err, IW_USAGE, "USB emulator: no options or no target");
		return NULL;
	}
	if (opts->kind != EMU_USB_USBTINY && opts->kind != EMU_USB_USBASP &&
	    opts->kind != EMU_USB_HALFKAY && opts->kind != EMU_USB_BOOTLOADHID) {
		iw_error_set(err, IW_USAGE, "USB emulator: unknown programmer kind %d",
			     (int)opts->kind);
		return NULL;
	}
	if (opts->kind == EMU_USB_HALFKAY &&
	    (sim_target_part(t)->flash_size != 32768 || sim_target_part(t)->page_size != 128)) {
		iw_error_set(err, IW_USAGE, "the HalfKay emulator is a Teensy 2.0: its chip is an "
			     "ATmega32U4 (32 KiB of flash in 128-byte pages), not the %s",
			     sim_target_part(t)->id);
		return NULL;
	}
	u = calloc(1, sizeof *u);
	if (u == NULL) {
		iw_error_set(err, IW_NOMEM, "USB emulator: out of memory");
		return NULL;
	}
	u->opts = *opts;
	u->t = t;
	tiny = opts->kind == EMU_USB_USBTINY;
	hk = opts->kind == EMU_USB_HALFKAY;
	if (opts->kind == EMU_USB_BOOTLOADHID) {
		if (u->opts.vid == 0 && u->opts.pid == 0) {
			u->opts.vid = BOOTLOADHID_VID;
			u->opts.pid = BOOTLOADHID_PID;
		}
		copy_string(u->manufacturer, opts->manufacturer, BOOTLOADHID_MANUFACTURER);
		copy_string(u->product, opts->product, BOOTLOADHID_PRODUCT);
		copy_string(u->serial, opts->serial, "");
		u->bcd_device = BOOTLOADHID_BCD_DEVICE;
		u->opts.manufacturer = u->opts.product = u->opts.serial = NULL;
		return u;
	}
	if (u->opts.vid == 0 && u->opts.pid == 0) {
		u->opts.vid = tiny ? USBTINY_VID : hk ? HALFKAY_VID : USBASP_VID;
		u->opts.pid = tiny ? USBTINY_PID : hk ? HALFKAY_PID : USBASP_PID;
	}
	/* The USBtiny firmware is usually built without a vendor name; the
	 * USBasp's strings are what avrdude checks on the shared VID/PID (and
	 * USBaspLoader has them too); HalfKay has no strings at all. */
	copy_string(u->manufacturer, opts->manufacturer, tiny || hk ? "" : USBASP_MANUFACTURER);
	copy_string(u->product, opts->product, tiny ? USBTINY_PRODUCT : hk ? "" : USBASP_PRODUCT);
	copy_string(u->serial, opts->serial, "");
	u->bcd_device = tiny ? 0x0107 : hk ? 0x0100 : opts->usbasploader ? USBASPLOADER_BCD_DEVICE :
			(opts->old_firmware ? 0x0102 : 0x0104);
	u->opts.manufacturer = u->opts.product = u->opts.serial = NULL;
	/* The firmware's state starts zeroed (calloc), as its globals do;
	 * HalfKay's has times to set. */
	if (hk)
		emu_halfkay_init(u);
	return u;
}

void
emu_usb_free(struct emu_usb *u)
{
	free(u);
}

enum iw_status
emu_usb_set_fault(struct emu_usb *u, const char *spec, struct iw_error *err)
{
	const char *eq = strchr(spec, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	enum iw_status st;

	/* The name first, for what the shared parser does not know: which
	 * emulators a knob applies to, and the one that needs its =N. */
	for (int k = 0; k < EMU_USB_FAULT_COUNT; k++) {
		if (strlen(usb_faults[k].name) != name_len ||
		    strncmp(usb_faults[k].name, spec, name_len) != 0)
			continue;
		if ((fault_kinds[k] & kind_bit(u->opts.kind)) == 0)
			return iw_error_set(err, IW_USAGE, "--fault %s is not a knob of the %s "
					    "emulator", usb_faults[k].name, emu_usb_kind_name(u));
		if (k == EMU_USB_FAULT_BUSY_FIRST && eq == NULL)
			return iw_error_set(err, IW_USAGE, "--fault busy-first: say how long the "
					    "erase takes: busy-first=MS");
	}
	st = emu_knob_set(usb_faults, EMU_USB_FAULT_COUNT, spec, "USB device", u->fault_on,
			  u->fault_n, err);
	if (st == IW_OK && u->fault_on[EMU_USB_FAULT_BUSY_FIRST]) {
		uint64_t n = u->fault_n[EMU_USB_FAULT_BUSY_FIRST];

		u->u.hk.erase_us = (uint32_t)(n > UINT32_MAX / 1000u ? UINT32_MAX : n * 1000u);
	}
	return st;
}

uint16_t
emu_usb_vid(const struct emu_usb *u)
{
	return u->opts.vid;
}

uint16_t
emu_usb_pid(const struct emu_usb *u)
{
	return u->opts.pid;
}

static const char *
or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

const char *
emu_usb_manufacturer(const struct emu_usb *u)
{
	return or_null(u->manufacturer);
}

const char *
emu_usb_product(const struct emu_usb *u)
{
	return or_null(u->product);
}

const char *
emu_usb_serial(const struct emu_usb *u)
{
	return or_null(u->serial);
}

const char *
emu_usb_kind_name(const struct emu_usb *u)
{
	return u->opts.kind == EMU_USB_USBTINY ? "usbtiny" :
	       u->opts.kind == EMU_USB_HALFKAY ? "halfkay" :
	       u->opts.kind == EMU_USB_BOOTLOADHID ? "bootloadhid" :
	       u->opts.usbasploader ? "usbasploader" : "usbasp";
}

bool
emu_usb_unplugged(const struct emu_usb *u)
{
	return u->unplugged || u->leave_at_us != 0;
}

uint64_t
emu_usb_leaves_at(const struct emu_usb *u)
{
	return u->unplugged ? 0 : u->leave_at_us;
}

bool
emu_usb_rebooted(const struct emu_usb *u)
{
	return u->opts.kind == EMU_USB_HALFKAY && u->u.hk.rebooted;
}

bool
emu_usb_full_speed(const struct emu_usb *u)
{
	return u->opts.kind == EMU_USB_HALFKAY;
}

const char *
emu_usb_interface_driver(const struct emu_usb *u)
{
	/* A HID: the kernel binds usbhid; the programmers are vendor-class. */
	return u->opts.kind == EMU_USB_HALFKAY ? "usbhid" : NULL;
}

uint16_t
emu_usb_bcd_device(const struct emu_usb *u)
{
	return u->bcd_device;
}

size_t
emu_usb_violation_count(const struct emu_usb *u)
{
	return u->opts.kind == EMU_USB_HALFKAY ? u->u.hk.n_violations : 0;
}

const char *
emu_usb_violation(const struct emu_usb *u, size_t i)
{
	return i < emu_usb_violation_count(u) ? u->u.hk.violations[i] : NULL;
}

const struct emu_usb_stats *
emu_usb_stats(const struct emu_usb *u)
{
	return &u->stats;
}

uint32_t
emu_usb_sck_hz(const struct emu_usb *u)
{
	if (u->opts.kind == EMU_USB_HALFKAY || u->opts.kind == EMU_USB_BOOTLOADHID ||
	    u->opts.usbasploader)
		return 0;                /* no ISP: the chip writes itself */
	return u->opts.kind == EMU_USB_USBTINY ? emu_usbtiny_sck_hz(u) :
	       emu_usbasp_sck_hz(u);
}

void
emu_usb_spi(struct emu_usb *u, const uint8_t in[4], uint8_t out[4])
{
	sim_target_transfer(u->t, in, out);
}

/* --- descriptors ---------------------------------------------------------- */

static size_t
device_descriptor(const struct emu_usb *u, uint8_t d[18])
{
	d[0] = 18;
	d[1] = USB_DT_DEVICE;
	d[2] = 0x10;                     /* USB 1.1: both are low-speed devices */
	d[3] = 0x01;
	d[4] = 0xFF;                     /* vendor-specific class */
	d[5] = 0;
	d[6] = 0;
	d[7] = 8;                        /* low speed: 8-byte control packets */
	d[8] = (uint8_t)u->opts.vid;
	d[9] = (uint8_t)(u->opts.vid >> 8);
	d[10] = (uint8_t)u->opts.pid;
	d[11] = (uint8_t)(u->opts.pid >> 8);
	d[12] = (uint8_t)u->bcd_device;
	d[13] = (uint8_t)(u->bcd_device >> 8);
	d[14] = u->manufacturer[0] != '\0' ? STR_MANUFACTURER : 0;
	d[15] = u->product[0] != '\0' ? STR_PRODUCT : 0;
	d[16] = u->serial[0] != '\0' ? STR_SERIAL : 0;
	d[17] = 1;
	return 18;
}

/* One configuration, one interface, no endpoints besides endpoint 0: both
 * firmwares talk through control transfers only. */
static size_t
config_descriptor(const struct emu_usb *u, uint8_t d[18])
{
	static const uint8_t cfg[18] = {
		9, USB_DT_CONFIG, 18, 0, 1, 1, 0, 0x80, 50,
		9, 4, 0, 0, 0, 0, 0, 0, 0,
	};

	memcpy(d, cfg, sizeof cfg);
	/* USBtiny declares the class on the interface too. */
	if (u->opts.kind == EMU_USB_USBTINY)
		d[9 + 5] = 0xFF;
	return sizeof cfg;
}

size_t
emu_usb_descriptors(const struct emu_usb *u, uint8_t *buf, size_t size)
{
	uint8_t all[36];
	size_t n;

	if (u->opts.kind == EMU_USB_HALFKAY)
		return emu_halfkay_descriptors(u, buf, size);
	if (u->opts.kind == EMU_USB_BOOTLOADHID)
		return emu_bootloadhid_descriptors(u, buf, size);
	n = device_descriptor(u, all);

	n += config_descriptor(u, all + n);
	memcpy(buf, all, size < n ? size : n);
	return n;
}

/* HalfKay's descriptors from the whole set: the device descriptor, the
 * configuration (with everything under it), the HID descriptor inside it
 * and the report descriptor. */
static size_t
halfkay_descriptor(const struct emu_usb *u, uint8_t type, uint8_t *buf, size_t cap)
{
	uint8_t all[64];
	size_t n = emu_halfkay_descriptors(u, all, sizeof all);

	switch (type) {
	case USB_DT_DEVICE:
		memcpy(buf, all, 18);
		return 18;
	case USB_DT_CONFIG:
		memcpy(buf, all + 18, n - 18);
		return n - 18;
	case USB_DT_HID:
		memcpy(buf, all + 18 + 9 + 9, 9);
		return 9;
	case USB_DT_REPORT:
		return emu_halfkay_report_descriptor(buf, cap);
	default:
		return 0;
	}
}

/* Standard requests: what the USB stack of each firmware answers. */
static int
standard_request(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
		 size_t len)
{
	uint8_t buf[256];
	uint8_t type = setup[3], index = setup[2];
	size_t n;

	if (u->opts.kind == EMU_USB_HALFKAY && setup[1] == USB_REQ_GET_DESCRIPTOR) {
		bool to_intf = (setup[0] & USB_RECIP_MASK) == USB_RECIP_INTERFACE;

		/* No strings; HID and report descriptors from the interface. */
		n = 0;
		if (!to_intf && (type == USB_DT_DEVICE || (type == USB_DT_CONFIG && index == 0)))
			n = halfkay_descriptor(u, type, buf, sizeof buf);
		else if (to_intf && (type == USB_DT_HID || type == USB_DT_REPORT) && index == 0 &&
			 setup[4] == 0)
			n = halfkay_descriptor(u, type, buf, sizeof buf);
		if (n == 0) {
			u->stats.stalls++;
			return -EPIPE;
		}
		return emu_usb_copy_out(data, len, buf, n);
	}
	switch (setup[1]) {
	case USB_REQ_GET_DESCRIPTOR:
		if (type == USB_DT_DEVICE || (type == USB_DT_CONFIG && index == 0)) {
			/* The device descriptor is 18 bytes, the configuration
			 * (with its interface and endpoints) follows it. */
			uint8_t all[128];
			size_t total = emu_usb_descriptors(u, all, sizeof all);

			if (type == USB_DT_DEVICE) {
				memcpy(buf, all, 18);
				n = 18;
			} else {
				n = total - 18;
				memcpy(buf, all + 18, n);
			}
		} else if (type == USB_DT_REPORT && u->opts.kind == EMU_USB_BOOTLOADHID) {
			n = emu_bootloadhid_report_descriptor(buf, sizeof buf);
		} else if (type == USB_DT_STRING && index == 0) {
			n = emu_usb_langids(buf);
		} else if (type == USB_DT_STRING && index == STR_MANUFACTURER &&
			   u->manufacturer[0] != '\0') {
			n = emu_usb_string_descriptor(u->manufacturer, buf, sizeof buf);
		} else if (type == USB_DT_STRING && index == STR_PRODUCT &&
			   u->product[0] != '\0') {
			n = emu_usb_string_descriptor(u->product, buf, sizeof buf);
		} else if (type == USB_DT_STRING && index == STR_SERIAL &&
			   u->serial[0] != '\0') {
			n = emu_usb_string_descriptor(u->serial, buf, sizeof buf);
		} else {
			u->stats.stalls++;
			return -EPIPE;
		}
		return emu_usb_copy_out(data, len, buf, n);
	default:
		return emu_usb_std_plain(setup[1], data, len);
	}
}

/* --- one transfer ------------------------------------------------------------- */

void
emu_usb_set_timing(struct emu_usb *u, bool device_time_slept)
{
	u->device_time_slept = device_time_slept;
}

static void
sync_clock(struct emu_usb *u, uint64_t now_us)
{
	uint64_t due, cur;

	if (!u->time_pinned) {
		u->time_pinned = true;
		u->wall0_us = u->last_us = now_us;
		u->target0_us = sim_target_now_us(u->t);
		return;
	}
	if (now_us < u->last_us)
		return;
	if (!u->device_time_slept) {
		/* The firmware's work took no time on the caller's clock: what
		 * passed between two transfers passes on top of it. */
		sim_target_advance_us(u->t, now_us - u->last_us);
		u->last_us = now_us;
		return;
	}
	u->last_us = now_us;
	/* The caller's clock already holds the firmware's time; the target
	 * runs ahead only within a transfer. */
	due = u->target0_us + (now_us - u->wall0_us);
	cur = sim_target_now_us(u->t);
	if (due > cur)
		sim_target_advance_us(u->t, due - cur);
}

static bool
fault_from(const struct emu_usb *u, enum emu_usb_fault_kind k, uint64_t index)
{
	return u->fault_on[k] && index >= u->fault_n[k];
}

bool
emu_usb_fault_at(const struct emu_usb *u, enum emu_usb_fault_kind k, uint64_t index)
{
	return fault_from(u, k, index);
}

/* HalfKay: its HID class requests.  The knobs count the reports taken so
 * far, so a report the device held back and sees again is the same one. */
static void
halfkay_control(struct emu_usb *u, const uint8_t setup[8], uint8_t *data, size_t len,
		uint64_t now_us, struct emu_usb_reply *r)
{
	uint64_t index = u->stats.reports;

	u->stats.class_requests++;
	if (fault_from(u, EMU_USB_FAULT_TIMEOUT, index)) {
		r->no_answer = true;
		r->status = -ETIMEDOUT;
		return;
	}
	if (fault_from(u, EMU_USB_FAULT_STALL, index)) {
		u->stats.stalls++;
		r->status = -EPIPE;
		return;
	}
	emu_halfkay_class(u, setup, data, len, now_us, r);
}

void
emu_usb_control(struct emu_usb *u, const uint8_t setup[8], uint8_t *data,
		size_t len, uint64_t now_us, struct emu_usb_reply *r)
{
	bool in = (setup[0] & EMU_USB_DIR_IN) != 0;
	bool flash_write;
	uint64_t index, before;
	uint8_t type;
	int n;

	memset(r, 0, sizeof *r);
	u->stats.transfers++;
	if (u->leave_at_us != 0 && now_us >= u->leave_at_us)
		u->unplugged = true;
	if (u->unplugged) {
		r->status = -ENODEV;
		return;
	}
	u->now_us = now_us;
	sync_clock(u, now_us);
	before = sim_target_now_us(u->t);
	type = setup[0] & EMU_USB_TYPE_MASK;
	if (type == EMU_USB_TYPE_STD) {
		r->status = standard_request(u, setup, data, len);
		return;
	}
	if (u->stats.first_request_us == 0)
		u->stats.first_request_us = now_us;
	u->stats.last_request_us = now_us;
	if (u->opts.kind == EMU_USB_HALFKAY) {
		if (type == EMU_USB_TYPE_CLASS) {
			halfkay_control(u, setup, data, len, now_us, r);
		} else {
			/* HalfKay knows no vendor requests. */
			u->stats.stalls++;
			u->stats.unknown++;
			r->status = -EPIPE;
		}
		return;
	}
	/* BootloadHID talks HID class requests; the others vendor requests
	 * (their class requests are answered as the standard ones were). */
	if (type != EMU_USB_TYPE_VENDOR &&
	    !(type == EMU_USB_TYPE_CLASS && u->opts.kind == EMU_USB_BOOTLOADHID)) {
		r->status = standard_request(u, setup, data, len);
		return;
	}
	index = u->requests++;
	if (type == EMU_USB_TYPE_VENDOR)
		u->stats.vendor_requests++;
	if (u->opts.kind == EMU_USB_BOOTLOADHID)
		flash_write = emu_bootloadhid_is_flash_write(setup);
	else
		flash_write = setup[1] == (u->opts.kind == EMU_USB_USBTINY ? USBTINY_FLASH_WRITE :
					   USBASP_WRITEFLASH);
	if (flash_write) {
		uint64_t nth = u->stats.flash_write_requests++;

		if (u->fault_on[EMU_USB_FAULT_UNPLUG] && nth >= u->fault_n[EMU_USB_FAULT_UNPLUG]) {
			u->unplugged = true;
			r->status = -ENODEV;
			return;
		}
	}
	if (fault_from(u, EMU_USB_FAULT_TIMEOUT, index)) {
		r->no_answer = true;
		r->status = -ETIMEDOUT;
		return;
	}
	if (fault_from(u, EMU_USB_FAULT_STALL, index)) {
		u->stats.stalls++;
		r->status = -EPIPE;
		return;
	}
	if (u->opts.kind == EMU_USB_USBTINY)
		n = emu_usbtiny_vendor(u, setup, data, len);
	else if (u->opts.kind == EMU_USB_BOOTLOADHID)
		/* V-USB answers vendor requests it does not know with no data. */
		n = type == EMU_USB_TYPE_CLASS ? emu_bootloadhid_class(u, setup, data, len) : 0;
	else if (u->opts.usbasploader)
		n = emu_usbasploader_vendor(u, setup, data, len);
	else
		n = emu_usbasp_vendor(u, setup, data, len);
	if (in && n > 0 && fault_from(u, EMU_USB_FAULT_SHORT, index))
		n--;
	r->status = n;
	r->device_us = sim_target_now_us(u->t) - before;
}
