/*
 * usb-int.h - what usb.c (finding and opening) and usb-xfer.c (transfers)
 * share.  Nothing else includes it.
 */
#ifndef ISPWIZ_PROG_USB_INT_H
#define ISPWIZ_PROG_USB_INT_H

#include <stdint.h>

#include <libusb.h>

#include "core/error.h"

#ifndef ISPWIZ_UDEVRULESDIR
#define ISPWIZ_UDEVRULESDIR "/usr/lib/udev/rules.d"
#endif

/*
 * One control transfer, synchronous, like libusb_control_transfer() but
 * with a zeroed buffer of our own: whatever the device leaves unwritten in
 * a short answer reads as 0, never as uninitialised heap.  Returns the bytes
 * moved or a LIBUSB_ERROR.
 */
int usb_control_transfer(libusb_context *ctx, libusb_device_handle *h, uint8_t type,
			 uint8_t request, uint16_t value, uint16_t index, uint8_t *data,
			 uint16_t len, unsigned timeout_ms);

/* Permission denied on the programmer's usbfs node: the udev rules. */
enum iw_status usb_access_error(const char *name, const char *bus_path,
				const char *node, struct iw_error *err);

#endif
