/* usb-xfer.c - control transfers to an open USB programmer, and every
 * libusb failure turned into words. */
#include "prog/usb.h"
#include "prog/usb-int.h"
#include "core/clock.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libusb.h>

#define VENDOR_IN  (LIBUSB_ENDPOINT_IN | LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE)
#define VENDOR_OUT (LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_VENDOR | LIBUSB_RECIPIENT_DEVICE)


static void LIBUSB_CALL
transfer_done(struct libusb_transfer *t)
{
	*(int *)t->user_data = 1;
}

/* Our own buffer, zeroed (see usb-int.h), over libusb's asynchronous
 * calls. */
int
usb_control_transfer(libusb_context *ctx, libusb_device_handle *h, uint8_t type,
		     uint8_t request, uint16_t value, uint16_t index, uint8_t *data,
		     uint16_t len, unsigned timeout_ms)
{
	struct libusb_transfer *t = libusb_alloc_transfer(0);
	uint8_t *buf = calloc(1, (size_t)LIBUSB_CONTROL_SETUP_SIZE + len);
	int completed = 0, rc;

	if (t == NULL || buf == NULL) {
		rc = LIBUSB_ERROR_NO_MEM;
		goto out;
	}
	libusb_fill_control_setup(buf, type, request, value, index, len);
	if ((type & LIBUSB_ENDPOINT_IN) == 0 && len > 0)
		memcpy(buf + LIBUSB_CONTROL_SETUP_SIZE, data, len);
	libusb_fill_control_transfer(t, h, buf, transfer_done, &completed, timeout_ms);
	if ((rc = libusb_submit_transfer(t)) < 0)
		goto out;
	/* As libusb's own synchronous calls do: until the transfer is back,
	 * its memory is libusb's; if the event loop fails, cancel and keep
	 * waiting for the cancellation (the timeout bounds that too). */
	while (!completed) {
		rc = libusb_handle_events_completed(ctx, &completed);
		if (rc < 0 && rc != LIBUSB_ERROR_INTERRUPTED)
			libusb_cancel_transfer(t);
	}
	switch (t->status) {
	case LIBUSB_TRANSFER_COMPLETED:
		rc = t->actual_length;
		if ((type & LIBUSB_ENDPOINT_IN) != 0 && rc > 0)
			memcpy(data, libusb_control_transfer_get_data(t), (size_t)rc);
		break;
	case LIBUSB_TRANSFER_TIMED_OUT:
		rc = LIBUSB_ERROR_TIMEOUT;
		break;
	case LIBUSB_TRANSFER_STALL:
		rc = LIBUSB_ERROR_PIPE;
		break;
	case LIBUSB_TRANSFER_NO_DEVICE:
		rc = LIBUSB_ERROR_NO_DEVICE;
		break;
	case LIBUSB_TRANSFER_OVERFLOW:
		rc = LIBUSB_ERROR_OVERFLOW;
		break;
	default:
		rc = LIBUSB_ERROR_IO;
		break;
	}
out:
	libusb_free_transfer(t);
	free(buf);
	return rc;
}

const char *
usb_link_where(const struct usb_link *l, char *buf, size_t size)
{
	snprintf(buf, size, "the %s at USB %s", l->name, l->bus_path);
	return buf;
}

/* A libusb failure during a transfer, in words. */
static enum iw_status
transfer_error(struct usb_link *l, int rc, const char *what, unsigned timeout_ms,
	       struct iw_error *err)
{
	char where[96];

	usb_link_where(l, where, sizeof where);
	switch (rc) {
	case LIBUSB_ERROR_NO_DEVICE:
		return iw_error_set(err, IW_NO_PROGRAMMER,
				    "%s: %s is gone (unplugged, or it reset itself); plug it "
				    "in again and run the job again: it starts with a chip "
				    "erase, so a half-written chip is no problem", what, where);
	case LIBUSB_ERROR_PIPE:
		return iw_error_set(err, IW_PROTOCOL,
				    "%s: %s refused the request (USB stall): its firmware does "
				    "not know it or is in a bad state; unplug the programmer, "
				    "plug it in again and retry", what, where);
	case LIBUSB_ERROR_TIMEOUT:
		return iw_error_set(err, IW_TIMEOUT,
				    "%s: %s did not answer within %u ms; unplug it, plug it in "
				    "again and retry (if it keeps hanging, its firmware may be "
				    "stuck on a target that holds the lines)", what, where,
				    timeout_ms);
	case LIBUSB_ERROR_OVERFLOW:
		return iw_error_set(err, IW_PROTOCOL,
				    "%s: %s sent more data than was asked for: is it really a "
				    "%s?", what, where, l->name);
	case LIBUSB_ERROR_ACCESS:
		iw_error_prefix(err, "%s", what);
		return usb_access_error(l->name, l->bus_path, l->node, err);
	default:
		return iw_error_set(err, IW_IO, "%s: USB error on %s: %s", what, where,
				    libusb_strerror(rc));
	}
}

/* --- transfers -------------------------------------------------------------------- */

/* Remember failures after which the device will not answer again. */
static int
check_rc(struct usb_link *l, int rc)
{
	if (rc == LIBUSB_ERROR_TIMEOUT || rc == LIBUSB_ERROR_NO_DEVICE)
		l->dead_rc = rc;
	return rc;
}

/* The round trip of a short request: what one more poll costs.  Transfers
 * that move data take longer for reasons of their own and are left out. */
static void
note_rtt(struct usb_link *l, double t0, uint16_t len)
{
	double dt = (double)iw_clock_us() - t0;

	l->transfers++;
	if (len > 8)
		return;
	l->rtt_us = l->short_transfers++ == 0 ? dt : 0.8 * l->rtt_us + 0.2 * dt;
}

enum iw_status
usb_link_in(struct usb_link *l, uint8_t request, uint16_t value, uint16_t index,
	    uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
	    int *got, struct iw_error *err)
{
	return usb_link_control(l, VENDOR_IN, request, value, index, buf, len, timeout_ms,
				what, got, err);
}

enum iw_status
usb_link_control(struct usb_link *l, uint8_t type, uint8_t request, uint16_t value,
		 uint16_t index, uint8_t *buf, uint16_t len, unsigned timeout_ms,
		 const char *what, int *got, struct iw_error *err)
{
	double t0 = (double)iw_clock_us();
	int rc;

	if (l->dead_rc != 0)
		return transfer_error(l, l->dead_rc, what, timeout_ms, err);
	rc = check_rc(l, usb_control_transfer(l->ctx, l->h, type, request, value, index,
					  buf, len, timeout_ms));
	note_rtt(l, t0, len);
	if (rc < 0)
		return transfer_error(l, rc, what, timeout_ms, err);
	if (got != NULL) {
		*got = rc;
		return IW_OK;
	}
	if (rc != len) {
		char where[96];

		return iw_error_set(err, IW_PROTOCOL,
				    "%s: %s %s %d of %u bytes; unplug it, plug it in again and "
				    "retry", what, usb_link_where(l, where, sizeof where),
				    (type & LIBUSB_ENDPOINT_IN) ? "answered" : "took", rc,
				    (unsigned)len);
	}
	return IW_OK;
}

enum iw_status
usb_link_in4(struct usb_link *l, uint8_t request, const uint8_t b[4], uint8_t *buf,
	     uint16_t len, unsigned timeout_ms, const char *what, int *got,
	     struct iw_error *err)
{
	return usb_link_in(l, request, (uint16_t)(b[1] << 8 | b[0]),
			   (uint16_t)(b[3] << 8 | b[2]), buf, len, timeout_ms, what, got, err);
}

enum iw_status
usb_link_isp(struct usb_link *l, uint8_t request, const uint8_t in[4], uint8_t out[4],
	     unsigned timeout_ms, struct iw_error *err)
{
	char what[64];

	snprintf(what, sizeof what, "ISP instruction %02X %02X %02X %02X", in[0], in[1],
		 in[2], in[3]);
	return usb_link_in4(l, request, in, out, 4, timeout_ms, what, NULL, err);
}

enum iw_status
usb_link_out(struct usb_link *l, uint8_t request, uint16_t value, uint16_t index,
	     const uint8_t *buf, uint16_t len, unsigned timeout_ms, const char *what,
	     struct iw_error *err)
{
	double t0 = (double)iw_clock_us();
	int rc;

	if (l->dead_rc != 0)
		return transfer_error(l, l->dead_rc, what, timeout_ms, err);
	/* An OUT transfer only reads the buffer. */
	rc = check_rc(l, usb_control_transfer(l->ctx, l->h, VENDOR_OUT, request, value, index,
					  (uint8_t *)(uintptr_t)buf, len, timeout_ms));
	note_rtt(l, t0, len);
	if (rc < 0)
		return transfer_error(l, rc, what, timeout_ms, err);
	if (rc != len) {
		char where[96];

		return iw_error_set(err, IW_PROTOCOL,
				    "%s: %s took %d of %u bytes; unplug it, plug it in again "
				    "and retry", what, usb_link_where(l, where, sizeof where), rc,
				    (unsigned)len);
	}
	return IW_OK;
}
