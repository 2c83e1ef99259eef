/*
 * usb-emu-dfu.c - the Atmel DFU emulator as a device of tests/usb-emu.c,
 * and the bus following it off and on.
 */
#include "usb-emu-dfu.h"

#include <string.h>

#include "core/clock.h"

static void
dfu_control(void *dev, const uint8_t setup[8], uint8_t *data, size_t len, uint64_t now_us,
	    struct emu_usb_reply *r)
{
	emu_dfu_control(dev, setup, data, len, now_us, r);
}

static size_t
dfu_descriptors(const void *dev, uint8_t *buf, size_t size)
{
	return emu_dfu_descriptors(dev, buf, size);
}

static void
dfu_set_timing(void *dev, bool device_time_slept)
{
	emu_dfu_set_timing(dev, device_time_slept);
}

static bool
dfu_leaving(const void *dev, uint64_t now_us)
{
	uint64_t at;

	return emu_dfu_bus(dev, &at, NULL) == EMU_DFU_LEAVING && now_us >= at;
}

struct usb_emu_port *
usb_emu_plug_atmel_dfu(UMockdevTestbed *tb, struct emu_dfu *dfu,
		       const struct usb_emu_plug_options *opts, struct iw_error *err)
{
	struct usb_emu_device d = {
		.dev = dfu,
		.control = dfu_control,
		.descriptors = dfu_descriptors,
		.set_timing = dfu_set_timing,
		.leaving = dfu_leaving,
		.vid = emu_dfu_vid(dfu),
		.pid = emu_dfu_pid(dfu),
		.bcd_device = emu_dfu_bcd_device(dfu),
		.manufacturer = emu_dfu_manufacturer(dfu),
		.product = emu_dfu_product(dfu),
		.serial = emu_dfu_serial(dfu),
		.full_speed = true,
	};

	return usb_emu_plug_device(tb, &d, opts, err);
}

enum iw_status
usb_emu_dfu_init(struct usb_emu_dfu *b, UMockdevTestbed *tb, struct emu_dfu *dfu,
		 const struct usb_emu_plug_options *opts, uint32_t appear_after_ms,
		 struct iw_error *err)
{
	memset(b, 0, sizeof *b);
	b->tb = tb;
	b->dfu = dfu;
	if (opts != NULL)
		b->opts = *opts;
	if (b->opts.busnum == 0)
		b->opts.busnum = 1;
	if (b->opts.port == 0)
		b->opts.port = 2;
	if (b->opts.devnum == 0)
		b->opts.devnum = b->opts.port + 1;
	b->appear_at_us = iw_clock_us() + (uint64_t)appear_after_ms * 1000u;
	if (appear_after_ms == 0 && !usb_emu_dfu_step(b)) {
		*err = b->err;
		return err->code != IW_OK ? err->code : IW_FAILED;
	}
	return IW_OK;
}

static void
plug(struct usb_emu_dfu *b)
{
	struct usb_emu_port *p;

	if (b->n == USB_EMU_DFU_MAX_PLUGS) {
		iw_error_set(&b->err, IW_RANGE, "the Atmel DFU device came back more than %d "
			     "times", USB_EMU_DFU_MAX_PLUGS);
		b->failed = true;
		return;
	}
	if ((p = usb_emu_plug_atmel_dfu(b->tb, b->dfu, &b->opts, &b->err)) == NULL) {
		b->failed = true;
		return;
	}
	b->ports[b->n++] = p;
	b->opts.devnum++;      /* a new address the next time it enumerates */
}

bool
usb_emu_dfu_step(struct usb_emu_dfu *b)
{
	struct usb_emu_port *p = usb_emu_dfu_port(b);
	uint64_t now = iw_clock_us(), leave_at, back_at;
	enum emu_dfu_bus_state st;

	if (b->failed)
		return false;
	if (p == NULL) {
		if (now >= b->appear_at_us)
			plug(b);
		return !b->failed;
	}
	usb_emu_lock(p);
	st = emu_dfu_bus(b->dfu, &leave_at, &back_at);
	usb_emu_unlock(p);
	if (st == EMU_DFU_LEAVING && now >= leave_at) {
		usb_emu_unplug(p);
		usb_emu_lock(p);
		emu_dfu_left(b->dfu);
		usb_emu_unlock(p);
		st = EMU_DFU_OFF_BUS;
	}
	if (st == EMU_DFU_OFF_BUS && back_at != 0 && now >= back_at) {
		usb_emu_lock(p);
		emu_dfu_enumerated(b->dfu);
		usb_emu_unlock(p);
		plug(b);
	}
	return !b->failed;
}

struct usb_emu_port *
usb_emu_dfu_port(const struct usb_emu_dfu *b)
{
	return b->n > 0 ? b->ports[b->n - 1] : NULL;
}

void
usb_emu_dfu_free(struct usb_emu_dfu *b)
{
	for (size_t i = 0; i < b->n; i++)
		usb_emu_free(b->ports[i]);
	b->n = 0;
}
