/*
 * emu-atmel-dfu-usb.c - the Atmel DFU bootloader as a USB device: its
 * identity and descriptors, the standard requests its USB stack answers,
 * the fault knobs, the clock and the bus.  The DFU protocol itself is in
 * emu-atmel-dfu.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/atmel-dfu-proto.h"
#include "core/fuses.h"
#include "sim/emu-atmel-dfu-int.h"
#include "sim/emu-knob.h"
#include "sim/emu-usb-std.h"

#define USB_TYPE_MASK  0x60
#define USB_TYPE_STD   0x00
#define USB_CLASS_TO_INTERFACE 0x21      /* type class, recipient interface */

#define STR_MANUFACTURER 1
#define STR_PRODUCT      2
#define STR_SERIAL       3
#define EP0_SIZE         32              /* bMaxPacketSize0 of the bootloader */
#define DESC_LEN         (18 + 9 + 9)

static const struct emu_knob knobs[] = {
#define EMU_DFU_KNOB(id, name, help) { name, help },
	EMU_DFU_FAULT_LIST(EMU_DFU_KNOB)
#undef EMU_DFU_KNOB
};

/* The parts Atmel ships the bootloader on: their PID and product string
 * (the strings as lsusb is reported to show them; unconfirmed). */
static const struct {
	const char *part;
	uint16_t pid;
	const char *product;
} parts[] = {
	{ "atmega16u4", ATMEL_DFU_PID_ATMEGA16U4, "ATm16U4DFU" },
	{ "atmega32u4", ATMEL_DFU_PID_ATMEGA32U4, "ATm32U4DFU" },
	{ "at90usb646", ATMEL_DFU_PID_AT90USB64, "AT90USB64 DFU" },
	{ "at90usb647", ATMEL_DFU_PID_AT90USB64, "AT90USB64 DFU" },
	{ "at90usb1286", ATMEL_DFU_PID_AT90USB128, "AT90USB128 DFU" },
	{ "at90usb1287", ATMEL_DFU_PID_AT90USB128, "AT90USB128 DFU" },
};

const char *
emu_dfu_fault_name(enum emu_dfu_fault_kind kind)
{
	return emu_knob_name(knobs, EMU_DFU_FAULT_COUNT, (int)kind);
}

const char *
emu_dfu_fault_help(enum emu_dfu_fault_kind kind)
{
	return emu_knob_help(knobs, EMU_DFU_FAULT_COUNT, (int)kind);
}

struct emu_dfu *
emu_dfu_new(const struct emu_dfu_options *opts, struct sim_target *t, struct iw_error *err)
{
	const struct catalog_part *part = t != NULL ? sim_target_part(t) : NULL;
	const struct boot_section *sec;
	struct emu_dfu *d;
	size_t i;

	if (opts == NULL || part == NULL) {
		iw_error_set(err, IW_USAGE, "Atmel DFU emulator: no options or no target");
		return NULL;
	}
	for (i = 0; i < sizeof parts / sizeof parts[0]; i++)
		if (strcmp(parts[i].part, part->id) == 0)
			break;
	if (i == sizeof parts / sizeof parts[0] && opts->pid == 0) {
		iw_error_set(err, IW_USAGE, "Atmel DFU emulator: Atmel ships no DFU bootloader "
			     "for the %s (give a PID to emulate one anyway)", part->name);
		return NULL;
	}
	if ((d = calloc(1, sizeof *d)) == NULL) {
		iw_error_set(err, IW_NOMEM, "Atmel DFU emulator: out of memory");
		return NULL;
	}
	d->opts = *opts;
	d->t = t;
	d->part = part;
	if (d->opts.pid == 0)
		d->opts.pid = parts[i].pid;
	if (d->opts.restart_ms == 0)
		d->opts.restart_ms = EMU_DFU_RESTART_MS;
	snprintf(d->product, sizeof d->product, "%s",
		 i < sizeof parts / sizeof parts[0] ? parts[i].product : "DFU");
	snprintf(d->serial, sizeof d->serial, "1.0.0");
	d->boot_start = opts->boot_start;
	if (d->boot_start == 0) {
		sec = fuses_bootsz(part, sim_target_fuse(t, FUSE_HIGH));
		d->boot_start = sec != NULL ? sec->start_word * 2u : 0;
	}
	if (d->boot_start == 0 || d->boot_start >= part->flash_size ||
	    d->boot_start % part->page_size != 0) {
		iw_error_set(err, IW_USAGE, "Atmel DFU emulator: the bootloader's section at "
			     "0x%05X is not a page boundary inside the %u bytes of flash",
			     d->boot_start, part->flash_size);
		free(d);
		return NULL;
	}
	d->erase_us = opts->times_given ? opts->erase_us :
		      d->boot_start / part->page_size * EMU_DFU_PAGE_ERASE_US;
	d->page_us = opts->times_given ? opts->page_us : EMU_DFU_PAGE_WRITE_US;
	d->secured = opts->secured;
	d->bus = EMU_DFU_ON_BUS;
	d->stats.enumerations = 1;
	emu_dfu_reset_state(d);
	return d;
}

void
emu_dfu_free(struct emu_dfu *d)
{
	free(d);
}

enum iw_status
emu_dfu_set_fault(struct emu_dfu *d, const char *spec, struct iw_error *err)
{
	enum iw_status st = emu_knob_set(knobs, EMU_DFU_FAULT_COUNT, spec, "Atmel DFU",
					 d->fault_on, d->fault_n, err);

	if (st == IW_OK && d->fault_on[EMU_DFU_FAULT_SECURED])
		d->secured = true;
	return st;
}

uint16_t
emu_dfu_vid(const struct emu_dfu *d)
{
	(void)d;
	return ATMEL_DFU_VID;
}

uint16_t
emu_dfu_pid(const struct emu_dfu *d)
{
	return d->opts.pid;
}

uint16_t
emu_dfu_bcd_device(const struct emu_dfu *d)
{
	(void)d;
	return 0x0000;
}

const char *
emu_dfu_manufacturer(const struct emu_dfu *d)
{
	(void)d;
	return "ATMEL";
}

const char *
emu_dfu_product(const struct emu_dfu *d)
{
	return d->product;
}

const char *
emu_dfu_serial(const struct emu_dfu *d)
{
	return d->serial;
}

uint32_t
emu_dfu_boot_start(const struct emu_dfu *d)
{
	return d->boot_start;
}

bool
emu_dfu_secured(const struct emu_dfu *d)
{
	return d->secured;
}

bool
emu_dfu_app_running(const struct emu_dfu *d)
{
	return d->app_running;
}

const struct emu_dfu_stats *
emu_dfu_stats(const struct emu_dfu *d)
{
	return &d->stats;
}

size_t
emu_dfu_violation_count(const struct emu_dfu *d)
{
	return d->stats.violations < EMU_DFU_VIOLATIONS_KEPT ? (size_t)d->stats.violations :
	       EMU_DFU_VIOLATIONS_KEPT;
}

uint64_t
emu_dfu_gap(const struct emu_dfu *d, size_t i)
{
	return i < d->stats.gaps && i < EMU_DFU_GAPS_KEPT ? d->gap_us[i] : 0;
}

const char *
emu_dfu_violation(const struct emu_dfu *d, size_t i)
{
	return i < emu_dfu_violation_count(d) ? d->violations[i] : NULL;
}

/* --- the bus ----------------------------------------------------------------- */

enum emu_dfu_bus_state
emu_dfu_bus(const struct emu_dfu *d, uint64_t *leave_at, uint64_t *back_at)
{
	if (leave_at != NULL)
		*leave_at = d->leave_at;
	if (back_at != NULL)
		*back_at = d->back_at;
	return d->bus;
}

void
emu_dfu_left(struct emu_dfu *d)
{
	if (d->bus == EMU_DFU_LEAVING)
		d->bus = EMU_DFU_OFF_BUS;
}

void
emu_dfu_enumerated(struct emu_dfu *d)
{
	d->bus = EMU_DFU_ON_BUS;
	d->app_running = false;
	d->leave_at = d->back_at = 0;
	d->stats.enumerations++;
	emu_dfu_reset_state(d);
}

/* --- descriptors and standard requests ------------------------------------------- */

static size_t
descriptors(const struct emu_dfu *d, uint8_t b[DESC_LEN])
{
	/* Device: USB 2.0 full speed, class per interface, 32-byte EP0. */
	const uint8_t dev[18] = {
		18, USB_DT_DEVICE, 0x00, 0x02, 0x00, 0x00, 0x00, EP0_SIZE,
		(uint8_t)ATMEL_DFU_VID, (uint8_t)(ATMEL_DFU_VID >> 8),
		(uint8_t)d->opts.pid, (uint8_t)(d->opts.pid >> 8), 0x00, 0x00,
		STR_MANUFACTURER, STR_PRODUCT, STR_SERIAL, 1,
	};
	/* One configuration (bus powered, 100 mA) with one interface, no
	 * endpoints, and no DFU functional descriptor. */
	const uint8_t cfg[18] = {
		9, USB_DT_CONFIG, 18, 0, 1, 1, 0, 0x80, 50,
		9, 4, ATMEL_DFU_INTERFACE, 0, 0, ATMEL_DFU_CLASS, ATMEL_DFU_SUBCLASS, 0, 0,
	};

	memcpy(b, dev, sizeof dev);
	memcpy(b + sizeof dev, cfg, sizeof cfg);
	return sizeof dev + sizeof cfg;
}

size_t
emu_dfu_descriptors(const struct emu_dfu *d, uint8_t *buf, size_t size)
{
	uint8_t all[DESC_LEN];
	size_t n = descriptors(d, all);

	memcpy(buf, all, size < n ? size : n);
	return n;
}

static int
standard_request(struct emu_dfu *d, const uint8_t setup[8], uint8_t *data, size_t len)
{
	uint8_t buf[2 + 2 * EMU_DFU_STRING_MAX > DESC_LEN ? 2 + 2 * EMU_DFU_STRING_MAX : DESC_LEN];
	uint8_t type = setup[3], index = setup[2];
	size_t n;

	switch (setup[1]) {
	case USB_REQ_GET_DESCRIPTOR:
		if (type == USB_DT_DEVICE) {
			descriptors(d, buf);
			return emu_usb_copy_out(data, len, buf, 18);
		}
		if (type == USB_DT_CONFIG && index == 0) {
			descriptors(d, buf);
			return emu_usb_copy_out(data, len, buf + 18, 18);
		}
		if (type == USB_DT_STRING && index == 0)
			n = emu_usb_langids(buf);
		else if (type == USB_DT_STRING && index == STR_MANUFACTURER)
			n = emu_usb_string_descriptor(emu_dfu_manufacturer(d), buf, sizeof buf);
		else if (type == USB_DT_STRING && index == STR_PRODUCT)
			n = emu_usb_string_descriptor(d->product, buf, sizeof buf);
		else if (type == USB_DT_STRING && index == STR_SERIAL)
			n = emu_usb_string_descriptor(d->serial, buf, sizeof buf);
		else
			return -EPIPE;
		return emu_usb_copy_out(data, len, buf, n);
	default:
		return emu_usb_std_plain(setup[1], data, len);
	}
}

/* --- one transfer ------------------------------------------------------------------ */

void
emu_dfu_set_timing(struct emu_dfu *d, bool device_time_slept)
{
	d->device_time_slept = device_time_slept;
}

void
emu_dfu_control(struct emu_dfu *d, const uint8_t setup[8], uint8_t *data, size_t len,
		uint64_t now_us, struct emu_usb_reply *r)
{
	memset(r, 0, sizeof *r);
	d->stats.transfers++;
	if (d->bus != EMU_DFU_ON_BUS) {
		r->status = -ENODEV;
		return;
	}
	d->caller_now = now_us;
	d->now = now_us + d->skew;
	if ((setup[0] & USB_TYPE_MASK) == USB_TYPE_STD) {
		r->status = standard_request(d, setup, data, len);
	} else if ((setup[0] & 0x7F) == USB_CLASS_TO_INTERFACE) {
		d->stats.class_requests++;
		if (d->stats.first_request_us == 0)
			d->stats.first_request_us = now_us;
		else if (d->last_was_quick && d->stats.gaps++ < EMU_DFU_GAPS_KEPT)
			d->gap_us[d->stats.gaps - 1] = (uint32_t)(now_us - d->stats.last_request_us);
		d->stats.last_request_us = now_us;
		emu_dfu_class(d, setup, data, len, r);
		d->last_was_quick = r->device_us == 0 && d->state != ATMEL_DFU_DNBUSY;
	} else {
		/* No vendor requests, nothing for the device itself. */
		d->stats.stalls++;
		r->status = -EPIPE;
	}
	/* A caller that does not sleep the device's time: it passes on top. */
	if (!d->device_time_slept)
		d->skew += r->device_us;
}
