/*
 * usb.h - the USB side of the USBtinyISP and USBasp drivers, over
 * libusb-1.0: find the programmer without guessing, open it, and run vendor
 * control transfers with every libusb failure turned into a message that
 * says what happened and what to do.
 *
 * Finding: every device whose VID:PID belongs to the programmer is a
 * candidate.  Some IDs are shared (16C0:05DC is also a keyboard in its
 * USBaspLoader bootloader), so for those a device counts as the programmer
 * only if its product string says so.  With one clear candidate it is
 * used; with several, or with one that does not say it is the programmer,
 * the open fails and lists them by bus path and serial, asking for
 * -P usb:BUS-PATH or -P usb:SERIAL.  -P also takes usb:BUS:DEVICE (as
 * avrdude prints it) and the usbfs node /dev/bus/usb/BBB/DDD.
 *
 * Permission problems name the udev rule file ispwiz installs
 * (60-ispwiz.rules) and the command that reloads the rules.
 */
#ifndef ISPWIZ_PROG_USB_H
#define ISPWIZ_PROG_USB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"

struct libusb_context;
struct libusb_device_handle;

#define USB_MAX_IDS 8
#define USB_TEXT_MAX 128

/* What to look for. */
struct usb_want {
	const char *name;                   /* "USBasp": used in messages */
	struct catalog_usb_id ids[USB_MAX_IDS];
	size_t n_ids;
	/* IDs other devices use too, and the product string (and, when not
	 * NULL, the manufacturer string) that tell the device apart on them. */
	struct catalog_usb_id shared[USB_MAX_IDS];
	size_t n_shared;
	const char *product;
	const char *manufacturer;
};

struct usb_link {
	struct libusb_context *ctx;
	struct libusb_device_handle *h;
	const char *name;
	struct catalog_usb_id id;           /* the one opened */
	char bus_path[32];                  /* "1-2" */
	char node[40];                      /* /dev/bus/usb/001/005 */
	char manufacturer[USB_TEXT_MAX];    /* "" when the device has none */
	char product[USB_TEXT_MAX];
	char serial[USB_TEXT_MAX];
	double rtt_us;                      /* smoothed time of a short request */
	uint64_t transfers;
	uint64_t short_transfers;
	/* A timeout or an unplug: later requests fail at once with the same
	 * error instead of waiting out another timeout (clean-up after a
	 * failure must not hang). */
	int dead_rc;
	int claimed;                        /* interface claimed + 1, 0 for none */
};

/* Fill `w` from the catalog entry's usb_ids (or `defaults` when the entry
 * has none). */
void usb_want_init(struct usb_want *w, const char *name,
		   const struct catalog_programmer *entry,
		   const struct catalog_usb_id *defaults, size_t n_defaults);
/* Mark `id` as shared with other devices; `product` tells ours apart. */
void usb_want_share(struct usb_want *w, struct catalog_usb_id id, const char *product);

/* Find and open the programmer.  `port` is NULL, "usb", "usb:X" or X (a
 * bus path, BUS:DEVICE, a serial number or a usbfs node).
 * IW_NO_PROGRAMMER when it is missing, ambiguous or not accessible. */
enum iw_status usb_link_open(struct usb_link *l, const struct usb_want *w,
			     const char *port, struct iw_error *err);
void usb_link_close(struct usb_link *l);
/* Claim an interface (for class requests to it), detaching a kernel driver
 * while it is held.  IW_NO_PROGRAMMER saying what holds it. */
enum iw_status usb_link_claim(struct usb_link *l, int interface, struct iw_error *err);

/* "the USBasp at USB 1-2" for messages. */
const char *usb_link_where(const struct usb_link *l, char *buf, size_t size);

/*
 * A vendor request to the device (bmRequestType 0xC0, device recipient)
 * that reads up to `len` bytes.  With `got` NULL anything but exactly
 * `len` bytes is an error (IW_PROTOCOL); otherwise *got receives the count.
 * `what` says what the request was for ("reading flash at 0x1000").
 */
enum iw_status usb_link_in(struct usb_link *l, uint8_t request, uint16_t value,
			   uint16_t index, uint8_t *buf, uint16_t len,
			   unsigned timeout_ms, const char *what, int *got,
			   struct iw_error *err);
/* Any control transfer: `type` is bmRequestType (its bit 7 the
 * direction: class requests to an interface for HID and DFU devices).
 * With `got` NULL anything but exactly `len` bytes is IW_PROTOCOL. */
enum iw_status usb_link_control(struct usb_link *l, uint8_t type, uint8_t request,
				uint16_t value, uint16_t index, uint8_t *buf, uint16_t len,
				unsigned timeout_ms, const char *what, int *got,
				struct iw_error *err);
/* usb_link_in() with four command bytes where both firmwares carry them:
 * wValue = b[1] << 8 | b[0], wIndex = b[3] << 8 | b[2]. */
enum iw_status usb_link_in4(struct usb_link *l, uint8_t request, const uint8_t b[4],
			    uint8_t *buf, uint16_t len, unsigned timeout_ms,
			    const char *what, int *got, struct iw_error *err);
/* One ISP instruction that way (`request` is the firmware's: USBTINY_SPI,
 * USBASP_TRANSMIT), its four answer bytes into `out`. */
enum iw_status usb_link_isp(struct usb_link *l, uint8_t request, const uint8_t in[4],
			    uint8_t out[4], unsigned timeout_ms, struct iw_error *err);
/* The same host-to-device (0x40), sending `len` bytes (may be 0). */
enum iw_status usb_link_out(struct usb_link *l, uint8_t request, uint16_t value,
			    uint16_t index, const uint8_t *buf, uint16_t len,
			    unsigned timeout_ms, const char *what,
			    struct iw_error *err);

#endif
