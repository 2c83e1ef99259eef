/*
 * detect-wait.c - "wait up to N seconds for USB ID VVVV:PPPP": the
 * post-flash proof that a new bootloader enumerates.  Built on the hotplug
 * monitor, so it sleeps in poll() and sees the device with its serial port
 * and access checks, exactly as the event stream would report it.
 */
#include "detect/hotplug.h"
#include "core/clock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

struct wait_state {
	struct catalog_usb_id id;
	struct detect_device *out;
	bool found;
	/* Seen, but its serial port is still to come: the USB device and its
	 * tty are announced apart, and on a busy machine the tty can come
	 * after the debounce window that usually folds them. */
	bool portless;
	bool nomem;
};

static bool
has_id(const struct detect_device *d, struct catalog_usb_id id)
{
	return d->is_usb && d->usb_id.vid == id.vid && d->usb_id.pid == id.pid;
}

/* Whether what the catalog says the device is talks over a serial port. */
static bool
wants_port(const struct detect_device *d)
{
	for (size_t i = 0; i < d->n_candidates; i++) {
		const struct detect_candidate *c = &d->candidates[i];

		if (c->programmer != NULL && c->programmer->transport == CATALOG_TRANSPORT_SERIAL)
			return true;
		if (c->bootloader != NULL &&
		    catalog_family_transport(c->bootloader->family) == CATALOG_TRANSPORT_SERIAL)
			return true;
	}
	return false;
}

static void
take(struct wait_state *ws, const struct detect_device *d)
{
	if (ws->out != NULL) {
		detect_device_clear(ws->out);
		if (!detect_device_copy(ws->out, d))
			ws->nomem = true;
	}
	ws->portless = d->port == NULL && wants_port(d);
	ws->found = !ws->portless;
}

static void
on_event(const struct hotplug_event *ev, void *user)
{
	struct wait_state *ws = user;

	if (!ws->found && ev->action == HOTPLUG_ADD && has_id(ev->dev, ws->id))
		take(ws, ev->dev);
	else if (ws->portless && ev->action == HOTPLUG_REMOVE && has_id(ev->dev, ws->id))
		ws->portless = false;
}


static enum iw_status
finish(struct wait_state *ws, struct iw_error *err)
{
	if (ws->nomem)
		return iw_error_set(err, IW_NOMEM, "out of memory copying the device found");
	return IW_OK;
}

enum iw_status
detect_wait_for_usb_id(const struct catalog *cat, struct catalog_usb_id id,
		       int timeout_ms, int cancel_fd, struct detect_device *out,
		       struct iw_error *err)
{
	struct wait_state ws = { .id = id, .out = out };
	const struct detect_list *now;
	struct hotplug *h;
	enum iw_status st = IW_OK;
	int64_t end = (int64_t)iw_clock_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	char idbuf[10];

	if (out != NULL)
		memset(out, 0, sizeof *out);
	h = hotplug_new(cat, NULL, err);
	if (h == NULL)
		return err != NULL ? err->code : IW_IO;
	now = hotplug_devices(h);
	for (size_t i = 0; i < now->n && !ws.found; i++)
		if (has_id(&now->items[i], id))
			take(&ws, &now->items[i]);

	while (!ws.found) {
		struct pollfd pfd[2] = {
			{ .fd = hotplug_fd(h), .events = POLLIN },
			{ .fd = cancel_fd, .events = POLLIN },
		};
		int64_t left = end - (int64_t)iw_clock_ms();
		int wait = hotplug_timeout_ms(h);

		if (left <= 0) {
			/* A device that arrived but is still settling counts. */
			st = hotplug_flush(h, on_event, &ws, err);
			if (st != IW_OK || ws.found)
				break;
			/* It is there without its port: that is still the
			 * answer (the caller says the port is missing). */
			if (ws.portless) {
				ws.found = true;
				break;
			}
			st = iw_error_set(err, IW_TIMEOUT,
					  "no USB device with ID %s appeared within %d.%d s; "
					  "check the cable, that the board was reset into its "
					  "bootloader, and (for a changed bootloader) that the "
					  "fuses select the boot section",
					  catalog_usb_id_str(id, idbuf), timeout_ms / 1000,
					  (timeout_ms % 1000) / 100);
			break;
		}
		if (wait < 0 || wait > left)
			wait = (int)left;
		if (poll(pfd, cancel_fd >= 0 ? 2 : 1, wait) < 0 && errno != EINTR) {
			st = iw_error_set(err, IW_IO, "waiting for USB ID %s: poll: %s",
					  catalog_usb_id_str(id, idbuf), strerror(errno));
			break;
		}
		if (cancel_fd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			st = iw_error_set(err, IW_CANCELLED, "stopped waiting for USB ID %s",
					  catalog_usb_id_str(id, idbuf));
			break;
		}
		st = hotplug_dispatch(h, on_event, &ws, err);
		if (st != IW_OK)
			break;
	}
	if (st == IW_OK)
		st = finish(&ws, err);
	if (st != IW_OK && out != NULL)
		detect_device_clear(out);
	hotplug_free(h);
	return st;
}
