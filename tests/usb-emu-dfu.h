/*
 * usb-emu-dfu.h - an emulated Atmel DFU bootloader (src/sim/emu-atmel-dfu.h)
 * in a umockdev testbed (tests/usb-emu.h), and its trips off and onto the
 * bus: it may appear late (a person starting the bootloader), leaves when
 * it starts the application, and comes back after a reset (a blank chip,
 * the reenumerate knob) with a new device number on the same port, as a
 * real device re-enumerates.
 *
 * usb_emu_dfu_step() does what the bus does; call it often (every few ms)
 * from the thread that owns the testbed.  Test-only code.
 */
#ifndef ISPWIZ_TESTS_USB_EMU_DFU_H
#define ISPWIZ_TESTS_USB_EMU_DFU_H

#include <stdbool.h>
#include <stdint.h>

#include <umockdev.h>

#include "core/error.h"
#include "sim/emu-atmel-dfu.h"
#include "usb-emu.h"

#define USB_EMU_DFU_MAX_PLUGS 16

struct usb_emu_dfu {
	UMockdevTestbed *tb;
	struct emu_dfu *dfu;
	struct usb_emu_plug_options opts;   /* the port; devnum grows per plug */
	uint64_t appear_at_us;              /* the first plug, then (0: at once) */
	/* Every port it was plugged in at, in order; the last is the current
	 * one.  Kept until usb_emu_dfu_free(): a client may still hold one. */
	struct usb_emu_port *ports[USB_EMU_DFU_MAX_PLUGS];
	size_t n;
	struct iw_error err;                /* why a plug failed */
	bool failed;
};

/* Plug `dfu` in now, or `appear_after_ms` from now (at the first step). */
enum iw_status usb_emu_dfu_init(struct usb_emu_dfu *b, UMockdevTestbed *tb,
				struct emu_dfu *dfu, const struct usb_emu_plug_options *opts,
				uint32_t appear_after_ms, struct iw_error *err);
/* The bus follows the device: plugged in when due, removed once it has
 * left, plugged in again when it comes back.  false once a plug failed. */
bool usb_emu_dfu_step(struct usb_emu_dfu *b);
/* The port it is on now; NULL before it first appeared. */
struct usb_emu_port *usb_emu_dfu_port(const struct usb_emu_dfu *b);
void usb_emu_dfu_free(struct usb_emu_dfu *b);

/* Plug one Atmel DFU device in at one port (what usb_emu_dfu_step() does). */
struct usb_emu_port *usb_emu_plug_atmel_dfu(UMockdevTestbed *tb, struct emu_dfu *dfu,
					    const struct usb_emu_plug_options *opts,
					    struct iw_error *err);

#endif
