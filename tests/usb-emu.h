/*
 * usb-emu.h - plug an emulated USB programmer or bootloader
 * (src/sim/emu-usb.h) into a umockdev testbed, so that libusb-1.0 and libusb-0.1 (and with them our
 * drivers and avrdude) find it and talk to it unmodified.
 *
 * The device appears in the testbed's sysfs with its descriptors and
 * strings, and its usbfs node (/dev/bus/usb/BBB/DDD) is answered by an
 * ioctl handler: control URBs (SUBMITURB/REAPURB/DISCARDURB, as libusb-1.0
 * uses them), synchronous USBDEVFS_CONTROL (libusb-0.1), CONNECTINFO,
 * claim/release and friends, the interface's kernel driver (GETDRIVER,
 * DISCONNECT/CONNECT, DISCONNECT_CLAIM: usbhid on a HID until a client
 * detaches it; class requests to an interface need it claimed), and read()
 * of the descriptors.  A device that holds a transfer back (HalfKay while
 * it erases) gets it answered later, or never when the host's timeout ends
 * it first.  The handler
 * runs on umockdev's own thread: a process that serves another (the
 * emulator runner) just waits, and an in-process test calls libusb on its
 * own thread.  Works for clients in this process and in child processes
 * started inside the testbed.
 *
 * Timing model: with latency_us set, every control transfer takes that
 * long plus the time the firmware spent on it (SPI bytes, its own waits),
 * like a low-speed device that answers in the next 1 ms frame.
 *
 * Test-only code (needs umockdev and GLib); never linked into ispwiz.
 */
#ifndef ISPWIZ_TESTS_USB_EMU_H
#define ISPWIZ_TESTS_USB_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include <umockdev.h>

#include "core/error.h"
#include "sim/emu-usb.h"

struct usb_emu_port;

struct usb_emu_plug_options {
	unsigned busnum;          /* 0 = 1 */
	unsigned devnum;          /* 0 = port + 1 */
	unsigned port;            /* root-hub port, the bus path is BUS-PORT; 0 = 2 */
	uint32_t latency_us;      /* per control transfer; 0 = as fast as possible */
	bool held;                /* another process has claimed interface 0 */
};

/* Add the bus's root hub (once per bus; harmless to repeat). */
void usb_emu_add_root_hub(UMockdevTestbed *tb, unsigned busnum);

/* Plug `emu` in.  The emulator must outlive the port; the testbed too. */
struct usb_emu_port *usb_emu_plug(UMockdevTestbed *tb, struct emu_usb *emu,
				  const struct usb_emu_plug_options *opts,
				  struct iw_error *err);
/* A USB serial device (CDC ACM, its tty /dev/ttyACM0 a pty) at bus path
 * BUS-PORT: what a board running a USB-serial firmware shows, such as a
 * Teensy with the ISP firmware (16C0:0483).  Returns the pty's master fd
 * (the caller closes it) and the node in `node`, or -1. */
struct usb_emu_serial {
	unsigned busnum, port, devnum;   /* 0: 1, 2, port + 10 */
	uint16_t vid, pid;
	const char *manufacturer, *product, *serial;   /* NULL: none */
};
int usb_emu_add_serial(UMockdevTestbed *tb, const struct usb_emu_serial *sd, char *node,
		       size_t node_size, struct iw_error *err);

/*
 * Any emulated device, as the port sees it: its answer to each control
 * transfer (as emu_usb_control()), its descriptors (as sysfs shows them),
 * whether the caller sleeps its time (emu_usb_set_timing()), whether it
 * leaves the bus by `now_us` (the caller's clock), and its identity
 * (strings NULL when absent; copied), speed and the kernel driver bound to
 * interface 0 when plugged in (NULL: none).  usb_emu_plug() builds one for
 * a struct emu_usb; the Atmel DFU emulator has its own.
 */
struct usb_emu_device {
	void *dev;
	void (*control)(void *dev, const uint8_t setup[8], uint8_t *data, size_t len,
			uint64_t now_us, struct emu_usb_reply *r);
	size_t (*descriptors)(const void *dev, uint8_t *buf, size_t size);
	void (*set_timing)(void *dev, bool device_time_slept);
	bool (*leaving)(const void *dev, uint64_t now_us);
	uint16_t vid, pid, bcd_device;
	const char *manufacturer, *product, *serial;
	bool full_speed;
	const char *interface_driver;
};
struct usb_emu_port *usb_emu_plug_device(UMockdevTestbed *tb, const struct usb_emu_device *d,
					 const struct usb_emu_plug_options *opts,
					 struct iw_error *err);
/* /dev/bus/usb/BBB/DDD, and the bus path ("1-2"). */
const char *usb_emu_node(const struct usb_emu_port *p);
const char *usb_emu_bus_path(const struct usb_emu_port *p);
/* Pull the cable: the device leaves sysfs (a remove uevent) and every
 * ioctl on an open handle fails with ENODEV. */
void usb_emu_unplug(struct usb_emu_port *p);
/* The emulator's unplug knob fired, or the device leaves the bus by itself
 * now (a bootloader that started the application); the handler cannot
 * touch the testbed from its thread: call usb_emu_unplug() from the
 * testbed's. */
bool usb_emu_wants_unplug(const struct usb_emu_port *p);
/* Detach the handler and free (the emulator is the caller's). */
void usb_emu_free(struct usb_emu_port *p);

/* Keep the handler away while the caller looks at the emulator or its
 * target from another thread. */
void usb_emu_lock(struct usb_emu_port *p);
void usb_emu_unlock(struct usb_emu_port *p);

/* Control transfers served so far. */
uint64_t usb_emu_transfers(const struct usb_emu_port *p);

#endif
