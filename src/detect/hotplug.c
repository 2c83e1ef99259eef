/*
 * hotplug.c - the udev monitor and the debouncing between raw uevents and
 * the add/remove events front ends see.
 *
 * Every uevent only marks its group (the physical USB device, see
 * detect_group_of()) as pending with a deadline.  When the deadline passes
 * the group is looked at afresh and compared with what was last reported:
 * entries that went away are removals, new ones are adds.  So a burst of
 * uevents (USB device, interfaces, serial port) gives one add, and a
 * removal followed by the device coming back gives one add.
 */
#include "detect/hotplug.h"
#include "core/clock.h"
#include "core/devpath-lock.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

struct pending {
	char *group;
	uint64_t first_ms;     /* first uevent of this burst */
	uint64_t last_ms;      /* latest uevent */
	bool gone;             /* the latest uevent was a removal */
	bool saw_remove;       /* any removal in the burst */
};

struct hotplug {
	struct udev *udev;
	struct udev_monitor *mon;
	const struct catalog *cat;
	const struct detect_config *cfg;
	struct detect_list known;   /* as last reported */
	struct pending *pend;
	size_t n_pend;
	size_t cap_pend;
	unsigned settle_ms;
	unsigned remove_ms;
};


static uint64_t
deadline(const struct hotplug *h, const struct pending *p)
{
	uint64_t due = p->last_ms + (p->gone ? h->remove_ms : h->settle_ms);
	uint64_t cap = p->first_ms + HOTPLUG_MAX_DELAY_MS;

	return due < cap ? due : cap;
}

struct hotplug *
hotplug_new(const struct catalog *cat, const struct detect_config *cfg,
	    struct iw_error *err)
{
	struct hotplug *h = calloc(1, sizeof *h);
	const char *source;

	if (h == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory starting the device monitor");
		return NULL;
	}
	h->cat = cat;
	h->cfg = cfg;
	h->settle_ms = HOTPLUG_SETTLE_MS_DEFAULT;
	h->remove_ms = HOTPLUG_REMOVE_MS_DEFAULT;
	detect_list_init(&h->known);
	h->udev = udev_new();
	if (h->udev == NULL) {
		iw_error_set(err, IW_IO, "cannot start libudev to watch for devices: %s",
			     strerror(errno != 0 ? errno : ENOMEM));
		goto fail;
	}
	/* udevd's events come after its rules ran (permissions, by-id links),
	 * so prefer them; without a running udevd (containers) only the
	 * kernel's own events exist. */
	source = access("/run/udev/control", F_OK) == 0 ? "udev" : "kernel";
	h->mon = udev_monitor_new_from_netlink(h->udev, source);
	if (h->mon == NULL ||
	    udev_monitor_filter_add_match_subsystem_devtype(h->mon, "usb", "usb_device") < 0 ||
	    udev_monitor_filter_add_match_subsystem_devtype(h->mon, "tty", NULL) < 0 ||
	    udev_monitor_enable_receiving(h->mon) < 0) {
		iw_error_set(err, IW_IO, "cannot listen for device events (udev %s "
			     "monitor): %s; hotplug needs a netlink socket, which some "
			     "containers do not allow", source,
			     strerror(errno != 0 ? errno : EIO));
		goto fail;
	}
	/* A burst (a hub with several devices) must not overflow the socket;
	 * failure only means the default size, so it is not an error. */
	(void)udev_monitor_set_receive_buffer_size(h->mon, 1024 * 1024);
	/* Listening first, then listing: a device arriving in between shows
	 * up in both, and the diff makes that a no-op instead of a loss. */
	if (detect_enumerate(cat, cfg, &h->known, err) != IW_OK)
		goto fail;
	return h;
fail:
	hotplug_free(h);
	return NULL;
}

void
hotplug_free(struct hotplug *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n_pend; i++)
		free(h->pend[i].group);
	free(h->pend);
	detect_list_free(&h->known);
	if (h->mon != NULL)
		udev_monitor_unref(h->mon);
	if (h->udev != NULL)
		udev_unref(h->udev);
	free(h);
}

int
hotplug_fd(const struct hotplug *h)
{
	return udev_monitor_get_fd(h->mon);
}

const struct detect_list *
hotplug_devices(const struct hotplug *h)
{
	return &h->known;
}

void
hotplug_set_debounce(struct hotplug *h, unsigned settle_ms, unsigned remove_ms)
{
	h->settle_ms = settle_ms;
	h->remove_ms = remove_ms;
}

int
hotplug_timeout_ms(const struct hotplug *h)
{
	uint64_t now, next = UINT64_MAX;

	if (h->n_pend == 0)
		return -1;
	for (size_t i = 0; i < h->n_pend; i++) {
		uint64_t d = deadline(h, &h->pend[i]);

		if (d < next)
			next = d;
	}
	now = iw_clock_ms();
	return next <= now ? 0 : (int)(next - now);
}

static enum iw_status
note_uevent(struct hotplug *h, const char *syspath, const char *action, uint64_t now,
	    struct iw_error *err)
{
	bool removal = action != NULL && strcmp(action, "remove") == 0;
	char *group = detect_group_of(syspath);
	struct pending *p;

	if (group == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory noting a device event");
	for (size_t i = 0; i < h->n_pend; i++) {
		p = &h->pend[i];
		if (strcmp(p->group, group) == 0) {
			free(group);
			p->last_ms = now;
			p->gone = removal;
			p->saw_remove = p->saw_remove || removal;
			return IW_OK;
		}
	}
	if (h->n_pend == h->cap_pend) {
		size_t cap = h->cap_pend != 0 ? h->cap_pend * 2 : 8;
		struct pending *np = realloc(h->pend, cap * sizeof *np);

		if (np == NULL) {
			free(group);
			return iw_error_set(err, IW_NOMEM, "out of memory noting a device event");
		}
		h->pend = np;
		h->cap_pend = cap;
	}
	p = &h->pend[h->n_pend++];
	p->group = group;
	p->first_ms = p->last_ms = now;
	p->gone = removal;
	p->saw_remove = removal;
	return IW_OK;
}

static bool
str_differs(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/* Same device, but something a user would want to hear about changed. */
static bool
details_differ(const struct detect_device *a, const struct detect_device *b)
{
	return a->accessible != b->accessible || a->busy != b->busy ||
	       str_differs(a->problem, b->problem) || str_differs(a->by_id, b->by_id) ||
	       str_differs(a->serial, b->serial) || str_differs(a->product, b->product) ||
	       str_differs(a->manufacturer, b->manufacturer);
}

static void
emit(hotplug_cb cb, void *user, enum hotplug_action action,
     const struct detect_device *dev, bool reenumerated)
{
	struct hotplug_event ev = { .action = action, .dev = dev, .reenumerated = reenumerated };

	if (cb != NULL)
		cb(&ev, user);
}

/* Look at one group as it is now and report the difference. */
static enum iw_status
resolve(struct hotplug *h, const struct pending *p, hotplug_cb cb, void *user,
	struct iw_error *err)
{
	struct detect_list cur;
	enum iw_status st;

	detect_list_init(&cur);
	iw_devpath_lock();
	st = detect_collect_group(h->udev, h->cat, p->group, &cur, err);
	iw_devpath_unlock();
	if (st != IW_OK)
		goto out;
	detect_check_access(cur.items, cur.n, h->cfg);

	for (size_t i = 0; i < h->known.n;) {
		struct detect_device *k = &h->known.items[i];
		bool still = false;

		if (strcmp(k->group, p->group) != 0) {
			i++;
			continue;
		}
		for (size_t j = 0; j < cur.n && !still; j++)
			still = detect_device_same(k, &cur.items[j]);
		if (still) {
			i++;
			continue;
		}
		emit(cb, user, HOTPLUG_REMOVE, k, false);
		detect_list_remove(&h->known, i);
	}
	for (size_t j = 0; j < cur.n; j++) {
		struct detect_device *c = &cur.items[j];
		struct detect_device *k = NULL;

		for (size_t i = 0; i < h->known.n && k == NULL; i++)
			if (detect_device_same(&h->known.items[i], c))
				k = &h->known.items[i];
		if (k != NULL) {
			bool tell = p->saw_remove || details_differ(k, c);

			/* Keep the fresh copy either way: it is the truth now. */
			detect_device_clear(k);
			*k = *c;
			memset(c, 0, sizeof *c);
			if (tell)
				emit(cb, user, HOTPLUG_ADD, k, p->saw_remove);
			continue;
		}
		k = detect_list_add(&h->known);
		if (k == NULL) {
			st = iw_error_set(err, IW_NOMEM, "out of memory recording a new device");
			goto out;
		}
		*k = *c;
		memset(c, 0, sizeof *c);
		emit(cb, user, HOTPLUG_ADD, k, false);
	}
out:
	detect_list_free(&cur);
	return st;
}

/* Deliver every pending group due by `until` (UINT64_MAX: all of them). */
static enum iw_status
deliver(struct hotplug *h, uint64_t until, hotplug_cb cb, void *user, struct iw_error *err)
{
	size_t i = 0;

	while (i < h->n_pend) {
		struct pending p = h->pend[i];
		enum iw_status st;

		if (until != UINT64_MAX && deadline(h, &p) > until) {
			i++;
			continue;
		}
		/* Off the list before the callback runs, so a failure below
		 * never reports the same group twice. */
		memmove(&h->pend[i], &h->pend[i + 1], (h->n_pend - i - 1) * sizeof p);
		h->n_pend--;
		st = resolve(h, &p, cb, user, err);
		free(p.group);
		if (st != IW_OK)
			return st;
	}
	return IW_OK;
}

static enum iw_status
drain(struct hotplug *h, struct iw_error *err)
{
	struct pollfd pfd = { .fd = udev_monitor_get_fd(h->mon), .events = POLLIN };

	/* Ask poll() before every read: a receive that returns NULL for a
	 * filtered or malformed message must not end the loop early.  The
	 * bound keeps a flood from starving the caller's loop; what is left
	 * keeps the fd readable for the next round. */
	for (int n = 0; n < 1024 && poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN); n++) {
		struct udev_device *dev = udev_monitor_receive_device(h->mon);
		enum iw_status st;

		if (dev == NULL)
			continue;
		st = note_uevent(h, udev_device_get_syspath(dev), udev_device_get_action(dev),
				 iw_clock_ms(), err);
		udev_device_unref(dev);
		if (st != IW_OK)
			return st;
	}
	return IW_OK;
}

enum iw_status
hotplug_dispatch(struct hotplug *h, hotplug_cb cb, void *user, struct iw_error *err)
{
	enum iw_status st = drain(h, err);

	if (st != IW_OK)
		return st;
	return deliver(h, iw_clock_ms(), cb, user, err);
}

enum iw_status
hotplug_flush(struct hotplug *h, hotplug_cb cb, void *user, struct iw_error *err)
{
	enum iw_status st = drain(h, err);

	if (st != IW_OK)
		return st;
	return deliver(h, UINT64_MAX, cb, user, err);
}
