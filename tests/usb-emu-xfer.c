/*
 * usb-emu-xfer.c - the transfers of an emulated USB device in the umockdev
 * testbed: control URBs as libusb-1.0 submits, reaps and discards them,
 * and libusb-0.1's synchronous USBDEVFS_CONTROL.  A device may hold a
 * transfer back (HalfKay NAKs while it erases or writes a page): then the
 * submit returns at once and the answer is handed over when it is due, or
 * never, when the host's own timeout discards the URB first.
 */
#include "usb-emu-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/usbdevice_fs.h>
#include "core/clock.h"

static void
sleep_until_us(uint64_t when)
{
	uint64_t now = iw_clock_us();
	struct timespec ts;

	if (when <= now)
		return;
	ts.tv_sec = (time_t)((when - now) / 1000000u);
	ts.tv_nsec = (long)((when - now) % 1000000u) * 1000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* When the answer to a transfer that reached the device at `start` is
 * due: the timing model's latency plus what the firmware spent on it, or
 * later when the device holds it back; 0 for at once. */
static uint64_t
answer_due(const struct usb_emu_port *p, uint64_t start, const struct emu_usb_reply *r)
{
	uint64_t due = 0;

	if (p->opts.latency_us != 0)
		due = start + p->opts.latency_us + r->device_us;
	if (r->until_us > due)
		due = r->until_us;
	return due;
}

/* Sleep without keeping the handler's lock (the testbed's thread may want
 * it meanwhile). */
static void
wait_unlocked(struct usb_emu_port *p, uint64_t when)
{
	pthread_mutex_unlock(&p->lock);
	sleep_until_us(when);
	pthread_mutex_lock(&p->lock);
}

/* --- the URB queues --------------------------------------------------------- */

static void
push(struct urb_slot **list, UMockdevIoctlData *urb, UMockdevIoctlClient *client)
{
	struct urb_slot *s = calloc(1, sizeof *s), **at = list;

	if (s == NULL)
		return;
	s->urb = umockdev_ioctl_data_ref(urb);
	s->client = client;
	while (*at != NULL)
		at = &(*at)->next;
	*at = s;
}

static struct urb_slot *
take(struct urb_slot **list, UMockdevIoctlClient *client, gulong client_addr)
{
	for (struct urb_slot **at = list; *at != NULL; at = &(*at)->next) {
		struct urb_slot *s = *at;

		if (s->client != client || (client_addr != 0 && s->urb->client_addr != client_addr))
			continue;
		*at = s->next;
		return s;
	}
	return NULL;
}

static void
drop_slot(struct urb_slot *s)
{
	umockdev_ioctl_data_unref(s->urb);
	if (s->buf != NULL)
		umockdev_ioctl_data_unref(s->buf);
	free(s);
}

static void
drop_client(struct urb_slot **list, UMockdevIoctlClient *client)
{
	struct urb_slot *s;

	while ((s = take(list, client, 0)) != NULL)
		drop_slot(s);
}

/* Write the URB's outcome back into the client's struct (for a URB whose
 * submit ioctl has long returned: update() marks it for writing back when
 * it is reaped). */
static void
set_urb_result(struct urb_slot *s, int status)
{
	struct usbdevfs_urb copy;

	memcpy(&copy, s->urb->data, sizeof copy);
	copy.status = status < 0 ? status : 0;
	copy.actual_length = status < 0 ? 0 : status;
	umockdev_ioctl_data_update(s->urb, 0, (guint8 *)&copy, (gint)sizeof copy);
}

/* --- requests ----------------------------------------------------------------- */

/* What the kernel checks before a control transfer reaches the device: a
 * request to an interface needs the interface claimed by this client (the
 * kernel claims it on the fly when it is free, and refuses with EBUSY
 * while a driver such as usbhid has it or another process holds it). */
static int
check_recipient(struct usb_emu_port *p, UMockdevIoctlClient *c, const uint8_t setup[8])
{
	if ((setup[0] & USB_RECIP_MASK) != USB_RECIP_INTERFACE)
		return 0;
	if (setup[4] != 0)
		return -EINVAL;            /* the devices have interface 0 only */
	if (p->claimed_by == c)
		return 0;
	if (p->claimed_by != NULL || p->kdriver != NULL)
		return -EBUSY;
	p->claimed_by = c;
	return 0;
}

/* One transfer through the emulator, its answer due at *due (0: now). */
static void
run_control(struct usb_emu_port *p, const uint8_t setup[8], uint8_t *data,
	    size_t len, struct emu_usb_reply *r, uint64_t *due)
{
	uint64_t start = iw_clock_us();

	*due = 0;
	if (p->removed) {
		memset(r, 0, sizeof *r);
		r->status = -ENODEV;
		return;
	}
	p->transfers++;
	p->dev.control(p->dev.dev, setup, data, len, start, r);
	if (!r->no_answer)
		*due = answer_due(p, start, r);
}

/* Run a transfer until the device has answered it: a hold is waited out
 * here, a NAKed transfer presented again when the device is ready.  True
 * when `r` holds the final outcome (an answer, no answer ever, or the
 * device gone); false when the answer (or, with r->nak, the next try) is
 * due at *due after `deadline` (0: none), or with `park` more than
 * HOLD_SLEEP_MAX_US from now or held back by the device: the caller parks
 * the transfer or gives up. */
static bool
run_until_taken(struct usb_emu_port *p, const uint8_t setup[8], uint8_t *data, size_t len,
		struct emu_usb_reply *r, uint64_t *due, bool park, uint64_t deadline)
{
	run_control(p, setup, data, len, r, due);
	for (;;) {
		uint64_t now = iw_clock_us();

		if (r->no_answer || r->status == -ENODEV)
			return true;
		if (*due <= now) {
			if (!r->nak)
				return true;
			run_control(p, setup, data, len, r, due);
			continue;
		}
		if ((park && (r->until_us != 0 || *due - now > HOLD_SLEEP_MAX_US)) ||
		    (deadline != 0 && *due > deadline))
			return false;
		wait_unlocked(p, *due);
	}
}

gboolean
usb_emu_submit_urb(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ud, *bd = NULL;
	struct usbdevfs_urb *urb;
	struct emu_usb_reply r;
	uint8_t setup[8];
	size_t len = 0;
	uint64_t due;
	int busy;

	ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
	if (ud == NULL)
		return FALSE;
	urb = (struct usbdevfs_urb *)ud->data;
	if (urb->type != USBDEVFS_URB_TYPE_CONTROL || urb->buffer_length < 8) {
		/* Neither programmer has other endpoints. */
		umockdev_ioctl_data_unref(ud);
		umockdev_ioctl_client_complete(c, -1, EINVAL);
		return TRUE;
	}
	bd = umockdev_ioctl_data_resolve(ud, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
					 (gsize)urb->buffer_length, NULL);
	if (bd == NULL) {
		umockdev_ioctl_data_unref(ud);
		return FALSE;
	}
	memcpy(setup, bd->data, 8);
	len = (size_t)(setup[6] | setup[7] << 8);
	if (len > (size_t)urb->buffer_length - 8)
		len = (size_t)urb->buffer_length - 8;
	if ((busy = check_recipient(p, c, setup)) != 0) {
		umockdev_ioctl_data_unref(bd);
		umockdev_ioctl_data_unref(ud);
		umockdev_ioctl_client_complete(c, -1, -busy);
		return TRUE;
	}
	if (!run_until_taken(p, setup, bd->data + 8, len, &r, &due, true, 0)) {
		/* Busy (an erase): answered later, when it is reaped. */
		struct urb_slot *s;

		push(&p->held, ud, c);
		for (s = p->held; s->next != NULL; s = s->next)
			;
		s->buf = bd;
		s->due_us = due;
		s->nak = r.nak;
		s->status = r.status;
		s->done_us = r.until_us != 0 ? r.until_us : iw_clock_us();
		umockdev_ioctl_data_unref(ud);
		umockdev_ioctl_client_complete(c, 0, 0);
		return TRUE;
	}
	umockdev_ioctl_data_unref(bd);
	if (r.status == -ENODEV) {
		umockdev_ioctl_client_complete(c, -1, ENODEV);
	} else if (r.no_answer) {
		/* Accepted, never completed: the host's timeout discards it. */
		push(&p->hanging, ud, c);
		umockdev_ioctl_client_complete(c, 0, 0);
	} else {
		urb->status = r.status < 0 ? r.status : 0;
		urb->actual_length = r.status < 0 ? 0 : r.status;
		push(&p->done, ud, c);
		umockdev_ioctl_client_complete(c, 0, 0);
	}
	umockdev_ioctl_data_unref(ud);
	return TRUE;
}

/* The held transfers of client `c` whose time has come: present a NAKed
 * one to the device again, hand an answered one over to REAPURB.  After an
 * unplug every one ends, with ENODEV as the kernel kills them unless the
 * device had finished it before it left. */
static void
promote_held(struct usb_emu_port *p, UMockdevIoctlClient *c)
{
	struct urb_slot **at = &p->held;

	while (*at != NULL) {
		struct urb_slot *s = *at;
		uint64_t now = iw_clock_us();

		if (s->client != c || (!p->removed && s->due_us > now)) {
			at = &s->next;
			continue;
		}
		if (!p->removed && s->nak) {
			const uint8_t *setup = s->buf->data;
			size_t len = (size_t)(setup[6] | setup[7] << 8);
			struct emu_usb_reply r;
			uint64_t due;

			run_control(p, setup, s->buf->data + 8, len, &r, &due);
			if (r.no_answer) {
				*at = s->next;
				s->next = NULL;
				push(&p->hanging, s->urb, c);
				drop_slot(s);
				continue;
			}
			if (r.status != -ENODEV && (r.nak || due > iw_clock_us())) {
				s->nak = r.nak;
				s->due_us = due;
				s->status = r.status;
				s->done_us = r.until_us != 0 ? r.until_us : iw_clock_us();
				at = &s->next;
				continue;
			}
			s->status = r.status;
			s->done_us = iw_clock_us();
			if ((setup[0] & 0x80) != 0 && r.status > 0)
				umockdev_ioctl_data_update(s->buf, 8, s->buf->data + 8, r.status);
		}
		*at = s->next;
		s->next = NULL;
		/* What the device had finished before it left is answered (that
		 * answer was on the wire); the rest dies with it. */
		set_urb_result(s, p->removed && (s->nak || s->done_us > p->removed_us) ?
			       -ENODEV : s->status);
		push(&p->done, s->urb, c);
		drop_slot(s);
	}
}

/* Client `c`'s first URB in `list`, left there; NULL: none. */
static const struct urb_slot *
take_peek(const struct urb_slot *list, UMockdevIoctlClient *c)
{
	for (; list != NULL; list = list->next)
		if (list->client == c)
			return list;
	return NULL;
}

/* The earliest time one of client `c`'s held transfers is due; 0: none. */
static uint64_t
next_held(const struct usb_emu_port *p, UMockdevIoctlClient *c)
{
	uint64_t next = 0;

	for (const struct urb_slot *s = p->held; s != NULL; s = s->next)
		if (s->client == c && (next == 0 || s->due_us < next))
			next = s->due_us;
	return next;
}

gboolean
usb_emu_reap_urb(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	struct urb_slot *s;
	UMockdevIoctlData *ptr;
	uint64_t next;

	promote_held(p, c);
	s = take(&p->done, c, 0);
	/* Nothing done yet, but a transfer held back or never to be answered:
	 * a umockdev node always polls ready, so the host asks again at once,
	 * in a busy loop.  Keep it waiting here for most of that time (a short
	 * while at most: the host's own timeout is late by that at worst); the
	 * last millisecond before a held answer it polls, so that the answer is
	 * seen when it is due. */
	if (s == NULL && !p->removed) {
		uint64_t now = iw_clock_us(), until = now + HOLD_SLEEP_MAX_US;

		next = next_held(p, c);
		if (next != 0 && next - REAP_SPIN_US < until)
			until = next > now + 2 * REAP_SPIN_US ? next - REAP_SPIN_US : now;
		else if (next == 0 && take_peek(p->hanging, c) == NULL)
			until = now;
		if (until > now) {
			wait_unlocked(p, until);
			promote_held(p, c);
			s = take(&p->done, c, 0);
		}
	}
	if (s == NULL) {
		/* Nothing finished: after an unplug nothing ever will. */
		umockdev_ioctl_client_complete(c, -1, p->removed ? ENODEV : EAGAIN);
		return TRUE;
	}
	ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
	if (ptr == NULL) {
		drop_slot(s);
		return FALSE;
	}
	umockdev_ioctl_data_set_ptr(ptr, 0, s->urb);
	umockdev_ioctl_data_unref(ptr);
	drop_slot(s);
	umockdev_ioctl_client_complete(c, 0, 0);
	return TRUE;
}

gboolean
usb_emu_discard_urb(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	gulong addr = *(gulong *)arg->data;
	struct urb_slot *s = take(&p->hanging, c, addr);

	/* A held one too: what the device did stays done, the answer is lost. */
	if (s == NULL)
		s = take(&p->held, c, addr);
	if (s == NULL) {
		umockdev_ioctl_client_complete(c, -1, EINVAL);
		return TRUE;
	}
	set_urb_result(s, -ENOENT);
	push(&p->done, s->urb, c);
	drop_slot(s);
	umockdev_ioctl_client_complete(c, 0, 0);
	return TRUE;
}

/* libusb-0.1's synchronous control transfer. */
gboolean
usb_emu_sync_control(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d, *b = NULL;
	struct usbdevfs_ctrltransfer *ct;
	struct emu_usb_reply r;
	uint8_t setup[8], none[1];
	uint32_t timeout_ms;
	uint64_t deadline, due;
	int busy;

	d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ctrltransfer), NULL);
	if (d == NULL)
		return FALSE;
	ct = (struct usbdevfs_ctrltransfer *)d->data;
	setup[0] = ct->bRequestType;
	setup[1] = ct->bRequest;
	setup[2] = (uint8_t)ct->wValue;
	setup[3] = (uint8_t)(ct->wValue >> 8);
	setup[4] = (uint8_t)ct->wIndex;
	setup[5] = (uint8_t)(ct->wIndex >> 8);
	setup[6] = (uint8_t)ct->wLength;
	setup[7] = (uint8_t)(ct->wLength >> 8);
	if (ct->wLength > 0) {
		b = umockdev_ioctl_data_resolve(d, G_STRUCT_OFFSET(struct usbdevfs_ctrltransfer, data),
						ct->wLength, NULL);
		if (b == NULL) {
			umockdev_ioctl_data_unref(d);
			return FALSE;
		}
	}
	timeout_ms = ct->timeout != 0 ? ct->timeout : 5000;
	deadline = iw_clock_us() + (uint64_t)timeout_ms * 1000u;
	if ((busy = check_recipient(p, c, setup)) != 0) {
		if (b != NULL)
			umockdev_ioctl_data_unref(b);
		umockdev_ioctl_data_unref(d);
		umockdev_ioctl_client_complete(c, -1, -busy);
		return TRUE;
	}
	/* The kernel waits for the answer up to the request's own timeout;
	 * the device may hold it back (NAK) meanwhile. */
	if (!run_until_taken(p, setup, b != NULL ? b->data : none, ct->wLength, &r, &due,
			     false, deadline))
		r.no_answer = true;   /* a NAKed one was never taken; a taken one stays done */
	if (b != NULL)
		umockdev_ioctl_data_unref(b);
	umockdev_ioctl_data_unref(d);
	if (r.no_answer) {
		/* The kernel gives up after the request's own timeout. */
		wait_unlocked(p, deadline);
		umockdev_ioctl_client_complete(c, -1, ETIMEDOUT);
	} else if (r.status < 0) {
		umockdev_ioctl_client_complete(c, -1, -r.status);
	} else {
		umockdev_ioctl_client_complete(c, r.status, 0);
	}
	return TRUE;
}

void
usb_emu_drop_urbs(struct usb_emu_port *p, UMockdevIoctlClient *c)
{
	drop_client(&p->done, c);
	drop_client(&p->hanging, c);
	drop_client(&p->held, c);
}

void
usb_emu_free_urbs(struct usb_emu_port *p)
{
	struct urb_slot **lists[] = { &p->done, &p->hanging, &p->held };

	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		struct urb_slot *s;

		while ((s = *lists[i]) != NULL) {
			*lists[i] = s->next;
			drop_slot(s);
		}
	}
}
