/*
 * emu-usb-serve.h - ispwiz-emu's USB mode (--programmer usbtiny|usbasp,
 * --bootloader atmel-dfu|halfkay|bootloadhid|usbasploader): plug an emulated USBtinyISP
 * or USBasp over the target, or a USB bootloader on it (a Teensy in HalfKay,
 * BootloadHID, USBaspLoader), into the testbed, run the command inside it,
 * and serve the device until the command ends.  A HalfKay can plug in late (as
 * when its button is pressed), and after its reboot report a USB serial
 * device with another ID can appear (the firmware it loaded, running).
 * Test tool only.
 */
#ifndef ISPWIZ_TESTS_EMU_USB_SERVE_H
#define ISPWIZ_TESTS_EMU_USB_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <umockdev.h>

#include "core/catalog.h"
#include "sim/emu-usb.h"
#include "sim/sim-target.h"

struct emurun_usb_args {
	enum emu_usb_kind kind;
	uint32_t latency_us;         /* --latency-us: per control transfer */
	bool old_firmware;           /* --old-firmware (USBasp before 1.3) */
	bool cap_3mhz;               /* --3mhz (USBasp reports 3 MHz SCK) */
	bool slow_jumper;            /* --jumper (USBasp's JP3 closed) */
	const char *product;         /* --usb-product: another product string */
	const char *serial;          /* --usb-serial */
	unsigned extra;              /* --usb-extra N: more look-alike devices */
	uint32_t erase_ms;           /* --erase-ms: HalfKay's erase (0: realistic) */
	uint32_t appear_after_ms;    /* --appear-after-ms: plugged in that late */
	bool then;                   /* --then-id VID:PID: after HalfKay's reboot */
	struct catalog_usb_id then_id;
	bool usbasploader;           /* --bootloader usbasploader */
	bool dfu;                    /* --bootloader atmel-dfu (src/sim/emu-atmel-dfu.h) */
	bool instant_chip;           /* --instant-chip: DFU erase and page writes take no time */
	const char *dump;            /* --dump PREFIX: PREFIX.usb.json */
};

/* Whether `name` names a USB programmer; sets *kind. */
bool emurun_usb_kind(const char *name, enum emu_usb_kind *kind);
/* Whether `name` names a USB bootloader ispwiz-emu emulates here
 * (atmel-dfu, halfkay, bootloadhid, usbasploader); sets the kind and mode
 * in `u`. */
bool emurun_usb_bootloader(const char *name, struct emurun_usb_args *u);

/* Print the USB knobs for --help. */
void emurun_usb_usage(FILE *out);

/*
 * Serve: programmer fault knobs from `faults` go to the emulator, the rest
 * to the target (wrong-part resolved in `cat`); "eacces" makes the open of
 * the usbfs node fail (through the preloaded shim).  COMMAND runs with
 * every "{port}" replaced by "usb" and ISPWIZ_EMU_USB_PATH set to the bus
 * path of the first device ("1-2").  Returns 0 and the command's wait
 * status in *status, 2 for a bad knob, 1 for an internal failure.  With
 * u->dfu the device is an Atmel DFU bootloader, and with u->dump
 * PREFIX.dfu.json gets its statistics and violations.  With
 * u->dump, PREFIX.usb.json gets the device's statistics and violations.
 */
int emurun_usb(const struct emurun_usb_args *u, UMockdevTestbed *tb,
	       const struct catalog *cat, struct sim_target *t,
	       const char *const *faults, size_t n_faults, char **command,
	       int *status);

#endif
