/*
 * hotplug.h - devices arriving and leaving, as events a poll() loop can
 * wait for, and "wait until USB ID VVVV:PPPP shows up" for the post-flash
 * check.
 *
 * A libudev monitor (subsystems usb and tty) feeds uevents in; they are
 * grouped per physical USB device and debounced, so a board that
 * re-enumerates (remove, then add within the window) or whose USB device
 * and serial port appear one after the other gives one event, carrying the
 * same matching and access checks as detect_enumerate().
 *
 * Debouncing never busy-waits: hotplug_timeout_ms() is the poll timeout
 * until the next pending event is due.
 *
 *     struct pollfd pfd = { hotplug_fd(h), POLLIN, 0 };
 *     for (;;) {
 *             poll(&pfd, 1, hotplug_timeout_ms(h));
 *             hotplug_dispatch(h, on_event, user, &err);
 *     }
 */
#ifndef ISPWIZ_DETECT_HOTPLUG_H
#define ISPWIZ_DETECT_HOTPLUG_H

#include <stdbool.h>

#include "core/catalog.h"
#include "core/error.h"
#include "detect/detect.h"

/* An add arrives this long after the last uevent of its device: long
 * enough for a CDC-ACM port to follow its USB device on a typical machine
 * (tens of ms), short enough that the delivered event stays under the
 * 100 ms the front ends aim for.  A port that binds later still arrives,
 * as an update of the same device (HOTPLUG_ADD means add-or-update). */
#define HOTPLUG_SETTLE_MS_DEFAULT 60
/* A removal is held this long in case the device comes back: a board that
 * resets or re-enumerates then gives one "add" instead of remove + add. */
#define HOTPLUG_REMOVE_MS_DEFAULT 500
/* A device that keeps sending uevents is reported after this much anyway. */
#define HOTPLUG_MAX_DELAY_MS 3000

enum hotplug_action {
	HOTPLUG_ADD,      /* new, came back after re-enumerating, or its details
	                     (permissions, busy) changed: treat as add-or-update */
	HOTPLUG_REMOVE,
};

struct hotplug_event {
	enum hotplug_action action;
	/* Valid during the callback only; for a removal, the device as it
	 * was last reported. */
	const struct detect_device *dev;
	bool reenumerated;   /* an add that folded a removal into it */
};

/* Called from hotplug_dispatch()/hotplug_flush(); must not call back into
 * the same struct hotplug. */
typedef void (*hotplug_cb)(const struct hotplug_event *ev, void *user);

struct hotplug;

/*
 * Start monitoring, then take the list of what is present now (events for
 * changes after that are never lost: the monitor is listening first).
 * `cat` and `cfg` (may be NULL) must outlive the monitor.
 */
struct hotplug *hotplug_new(const struct catalog *cat, const struct detect_config *cfg,
			    struct iw_error *err);
void hotplug_free(struct hotplug *h);

/* The fd to poll for POLLIN. */
int hotplug_fd(const struct hotplug *h);

/* Milliseconds until the next debounced event is due (0: dispatch now),
 * or -1 when nothing is pending: a ready-made poll() timeout. */
int hotplug_timeout_ms(const struct hotplug *h);

/* Read every pending uevent without blocking and deliver the events that
 * are due.  Fails only when memory or udev fail. */
enum iw_status hotplug_dispatch(struct hotplug *h, hotplug_cb cb, void *user,
				struct iw_error *err);

/* Deliver everything pending now, ignoring the debounce deadlines (before
 * giving up on a wait, or when shutting down). */
enum iw_status hotplug_flush(struct hotplug *h, hotplug_cb cb, void *user,
			     struct iw_error *err);

/* What is attached as far as the events reported so far say: the list from
 * hotplug_new() with every delivered event applied. */
const struct detect_list *hotplug_devices(const struct hotplug *h);

/* Change the windows (tests, benchmarks): settle for adds, hold for
 * removals, both in milliseconds. */
void hotplug_set_debounce(struct hotplug *h, unsigned settle_ms, unsigned remove_ms);

/*
 * Wait up to timeout_ms for a USB device with `id`; one already attached
 * counts.  No busy loop: poll() on the monitor.  When cancel_fd (>= 0)
 * becomes readable the wait ends with IW_CANCELLED (nothing is read from
 * it).  On success `out` (may be NULL) receives a copy of the device, to
 * be released with detect_device_clear().  Returns IW_OK, IW_TIMEOUT (with
 * a message naming the ID and what to check), IW_CANCELLED, or the error
 * that stopped the monitor.
 */
enum iw_status detect_wait_for_usb_id(const struct catalog *cat,
				      struct catalog_usb_id id, int timeout_ms,
				      int cancel_fd, struct detect_device *out,
				      struct iw_error *err);

#endif
