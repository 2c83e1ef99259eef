/*
 * usb-emu-int.h - what the two halves of tests/usb-emu.c share: the port's
 * state, and the transfers (usb-emu-xfer.c: URBs submitted, held back by a
 * busy device, reaped and discarded; libusb-0.1's synchronous control
 * transfer).  Nothing else includes it.
 */
#ifndef ISPWIZ_TESTS_USB_EMU_INT_H
#define ISPWIZ_TESTS_USB_EMU_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "usb-emu.h"

#define USB_EMU_MAX_CLIENTS 16
#define USB_SPEED_LOW 1          /* enum usb_device_speed */
#define USB_SPEED_FULL 2
#define USB_RECIP_MASK 0x1F
#define USB_RECIP_INTERFACE 0x01
/* An answer the timing model delays this little is waited for in the
 * handler; a later one, and any the device itself holds back (an erase, a
 * page write), is parked: the submit returns at once, as the kernel's does,
 * the host's own timeout can end the transfer first, and the host's
 * turnaround overlaps the device's time as it does on a real bus. */
#define HOLD_SLEEP_MAX_US 20000u
/* How long before a held transfer is due the host is left to poll. */
#define REAP_SPIN_US 1000u

/* A URB the device has taken and not yet handed back. */
struct urb_slot {
	UMockdevIoctlData *urb;       /* the client's struct usbdevfs_urb */
	UMockdevIoctlClient *client;  /* who submitted it (not owned) */
	/* held back by the device (see emu_usb_reply.until_us): */
	UMockdevIoctlData *buf;       /* the URB's buffer: SETUP + data */
	uint64_t due_us;              /* when the answer is due */
	bool nak;                     /* present it to the device again then */
	int status;                   /* !nak: the answer */
	uint64_t done_us;             /* !nak: when the device was done with it */
	struct urb_slot *next;
};

struct client_pos {
	UMockdevIoctlClient *client;  /* not owned: cleared when it vanishes */
	size_t read_pos;              /* read() offset into the descriptors */
};

#define USB_EMU_STRING_MAX 64

struct usb_emu_port {
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	struct usb_emu_device dev;    /* its strings point at the copies below */
	char manufacturer[USB_EMU_STRING_MAX];
	char product[USB_EMU_STRING_MAX];
	char serial[USB_EMU_STRING_MAX];
	struct usb_emu_plug_options opts;
	char node[64];
	char syspath[160];
	char bus_path[32];
	pthread_mutex_t lock;
	bool removed;                 /* taken out of the testbed */
	uint64_t removed_us;          /* ... then */
	uint64_t transfers;

	struct urb_slot *done;        /* completed, waiting for REAPURB */
	struct urb_slot *hanging;     /* never answered (timeout knob) */
	struct urb_slot *held;        /* answered later (the device is busy) */
	struct client_pos clients[USB_EMU_MAX_CLIENTS];

	/* Interface 0 as the kernel sees it: the driver bound to it (usbhid
	 * on a HID, NULL when none), and the usbfs client that claimed it. */
	const char *kdriver;
	UMockdevIoctlClient *claimed_by;
	char other;                   /* &other: "another process" (opts.held) */
};

/* The requests usb-emu.c hands to usb-emu-xfer.c (the port locked):
 * FALSE when the argument cannot be read (umockdev then fails the call). */
gboolean usb_emu_submit_urb(struct usb_emu_port *p, UMockdevIoctlClient *c,
			    UMockdevIoctlData *arg);
gboolean usb_emu_reap_urb(struct usb_emu_port *p, UMockdevIoctlClient *c,
			  UMockdevIoctlData *arg);
gboolean usb_emu_discard_urb(struct usb_emu_port *p, UMockdevIoctlClient *c,
			     UMockdevIoctlData *arg);
gboolean usb_emu_sync_control(struct usb_emu_port *p, UMockdevIoctlClient *c,
			      UMockdevIoctlData *arg);
/* Forget client `c`'s URBs (it closed the node), or everyone's. */
void usb_emu_drop_urbs(struct usb_emu_port *p, UMockdevIoctlClient *c);
void usb_emu_free_urbs(struct usb_emu_port *p);

#endif
