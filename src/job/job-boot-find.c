/*
 * job-boot-find.c - finding the one bootloader an upload talks to: among
 * what is plugged in, by the USB IDs the catalog (and each client) knows;
 * asking a running sketch to start its bootloader (Caterina's 1200-baud
 * touch); and waiting, with a countdown, for a person to start it by hand.
 *
 * Polling the enumeration every 100 ms is simpler than a hotplug monitor
 * on the worker thread and quick enough: a Caterina bootloader waits at
 * least 750 ms for its host.
 */
#include "job/job-upload.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/clock.h"
#include "detect/detect.h"

#define POLL_MS 100u
#define WAIT_DEFAULT_MS 30000u
/* After the 1200-baud touch the bootloader appears within a second; only
 * when it has not after this long is a person asked to start it. */
#define TOUCH_GRACE_MS 3000u

static bool
id_equal(struct catalog_usb_id a, struct catalog_usb_id b)
{
	return a.vid == b.vid && a.pid == b.pid;
}

/* Whether `id` is one `d` enumerates with: its own list, or the usb_id of
 * a catalog bootloader of its family. */
static bool
is_boot_id(const struct catalog *cat, const struct boot_driver *d, struct catalog_usb_id id)
{
	for (size_t i = 0; i < d->n_ids; i++)
		if (id_equal(d->ids[i], id))
			return true;
	for (size_t i = 0; d->family != NULL && i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];

		if (bl->family != NULL && strcmp(bl->family, d->family) == 0 &&
		    id_equal(bl->usb_id, id))
			return true;
	}
	return false;
}

/* The catalog bootloader whose sketch enumerates as `id`, for a client
 * that can ask a sketch to start it. */
static const struct catalog_bootloader *
sketch_of(const struct catalog *cat, const struct boot_driver *d, struct catalog_usb_id id)
{
	if (d->enter == NULL || d->family == NULL)
		return NULL;
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];

		if (bl->has_sketch_usb_id && id_equal(bl->sketch_usb_id, id) &&
		    bl->family != NULL && strcmp(bl->family, d->family) == 0)
			return bl;
	}
	return NULL;
}

/* Where a client opens a device: its serial port, or usb:BUS-PATH. */
static bool
where_of(const struct boot_driver *d, const struct detect_device *dev, char *buf, size_t size)
{
	if (d->transport == CATALOG_TRANSPORT_SERIAL) {
		if (dev->port == NULL)
			return false;
		snprintf(buf, size, "%s", dev->port);
		return true;
	}
	if (dev->port != NULL || dev->bus_path == NULL)
		return false;        /* one USB device, listed once, without its tty */
	snprintf(buf, size, "usb:%s", dev->bus_path);
	return true;
}

/* Whether the device's strings (when the kernel could read them) are the
 * ones `d` needs on a shared ID; the client checks again when it opens. */
static bool
strings_fit(const struct boot_driver *d, const struct detect_device *dev)
{
	if (d->manufacturer != NULL && dev->manufacturer != NULL &&
	    strcmp(d->manufacturer, dev->manufacturer) != 0)
		return false;
	return d->product == NULL || dev->product == NULL || strcmp(d->product, dev->product) == 0;
}

/* "the device at USB 1-2 (16C0:05DC) may be a USBasp programmer or a
 * USBaspLoader bootloader: ..." for a client only --via picks. */
static void
lookalike_text(const struct boot_driver *d, const struct detect_device *dev, char *buf,
	       size_t size)
{
	char idtext[10];

	snprintf(buf, size, "the device at USB %s (%s) may be %s or a %s bootloader: the two "
		 "look the same on USB, and ispwiz does not guess; if it is the keyboard's "
		 "bootloader, pass --via %s", dev->bus_path != NULL ? dev->bus_path : "?",
		 catalog_usb_id_str(dev->usb_id, idtext),
		 d->looks_like != NULL ? d->looks_like : "another device", d->title, d->name);
}

/* Whether the user's -P names this device.  After the sketch -P named was
 * touched, the bootloader comes back at another tty: the same USB port
 * (`touched_at`, its bus path) is what -P meant then. */
static bool
port_names(const char *port, const char *touched_at, const struct detect_device *dev)
{
	if (port == NULL)
		return true;
	if (touched_at != NULL && touched_at[0] != '\0' && dev->bus_path != NULL &&
	    strcmp(touched_at, dev->bus_path) == 0)
		return true;
	if (strncmp(port, "usb:", 4) == 0)
		return (dev->bus_path != NULL && strcmp(port + 4, dev->bus_path) == 0) ||
		       (dev->serial != NULL && strcmp(port + 4, dev->serial) == 0);
	return (dev->port != NULL && strcmp(port, dev->port) == 0) ||
	       (dev->by_id != NULL && strcmp(port, dev->by_id) == 0);
}

enum scan { SCAN_NONE, SCAN_ONE, SCAN_MANY, SCAN_SKETCH };

/* A sketch that can be asked to start its bootloader. */
struct sketch_seen {
	const struct boot_driver *driver;
	const struct catalog_bootloader *bl;
	char port[128];
	char bus_path[64];           /* its USB port, "" when not known */
};

/* One look at what is plugged in. */
static enum scan
scan(const struct job_plan *plan, const char *touched_at, const struct detect_list *list,
     struct boot_target *t, char *many, size_t many_size, struct sketch_seen *sk,
     char *alike, size_t alike_size)
{
	size_t found = 0, used = 0;
	enum scan result = SCAN_NONE;

	many[0] = '\0';
	alike[0] = '\0';
	for (size_t i = 0; i < list->n; i++) {
		const struct detect_device *dev = &list->items[i];

		if (!dev->is_usb || !port_names(plan->port, touched_at, dev))
			continue;
		for (size_t k = 0; boot_driver_at(k) != NULL; k++) {
			const struct boot_driver *d = boot_driver_at(k);
			char where[128], idtext[10];

			if (plan->via != NULL && strcmp(plan->via, d->name) != 0)
				continue;
			if (!where_of(d, dev, where, sizeof where))
				continue;
			/* A device named with -P goes to the client, which says
			 * what it is instead. */
			if (is_boot_id(plan->catalog, d, dev->usb_id) && plan->port == NULL &&
			    !strings_fit(d, dev))
				continue;
			if (is_boot_id(plan->catalog, d, dev->usb_id) && d->only_via &&
			    plan->via == NULL) {
				if (alike[0] == '\0')
					lookalike_text(d, dev, alike, alike_size);
				continue;
			}
			if (is_boot_id(plan->catalog, d, dev->usb_id)) {
				if (found++ == 0) {
					t->driver = d;
					t->id = dev->usb_id;
					snprintf(t->port, sizeof t->port, "%s", where);
				}
				used += (size_t)snprintf(many + used, used < many_size ?
							 many_size - used : 0, "%s%s %s (%s)",
							 used > 0 ? ", " : "", d->title, where,
							 catalog_usb_id_str(dev->usb_id, idtext));
				if (used >= many_size)
					used = many_size - 1;
			} else if (sketch_of(plan->catalog, d, dev->usb_id) != NULL &&
				   result == SCAN_NONE) {
				/* Not into *t: a bootloader found later in the
				 * list must keep its own client. */
				snprintf(sk->port, sizeof sk->port, "%s", where);
				snprintf(sk->bus_path, sizeof sk->bus_path, "%s",
					 dev->bus_path != NULL ? dev->bus_path : "");
				sk->bl = sketch_of(plan->catalog, d, dev->usb_id);
				sk->driver = d;
				result = SCAN_SKETCH;
			}
		}
	}
	if (found == 1)
		return SCAN_ONE;
	if (found > 1)
		return SCAN_MANY;
	return result;
}

/* What to tell a person who has to start the bootloader by hand. */
static void
instructions(struct job_runner *r, unsigned wait_ms, bool touched)
{
	const struct job_plan *plan = r->plan;
	const struct boot_driver *only = plan->via != NULL ? boot_driver_find(plan->via) : NULL;
	char how[512] = "";
	size_t used = 0;

	for (size_t k = 0; boot_driver_at(k) != NULL && used < sizeof how; k++) {
		const struct boot_driver *d = boot_driver_at(k);
		int n;

		if ((only != NULL && d != only) || (only == NULL && d->only_via))
			continue;
		n = snprintf(how + used, sizeof how - used, "%s%s: %s", used > 0 ? "; " : "",
			     d->title, d->how_to_enter);
		if (n > 0)
			used += (size_t)n;
	}
	job_say(r, JOB_EVENT_WARNING, "%s: start it now (%s); waiting up to %u s for it to "
		"appear%s%s", touched ? "the sketch did not start its bootloader" :
		"no bootloader is there yet", how, wait_ms / 1000u,
		plan->port != NULL ? " at " : "", plan->port != NULL ? plan->port : "");
}

enum iw_status
job_find_bootloader(struct job_runner *r, struct boot_target *t)
{
	const struct job_plan *plan = r->plan;
	struct iw_error *err = &r->res->error;
	unsigned wait_ms = plan->wait_ms != 0 ? plan->wait_ms : WAIT_DEFAULT_MS;
	uint64_t t0 = iw_clock_ms(), last_report = 0, touched_ms = 0;
	bool told = false, touched = false;
	char alike_seen[400] = "";
	char touched_at[64] = "";
	struct detect_list list;
	enum iw_status st;

	memset(t, 0, sizeof *t);
	if (plan->via != NULL && boot_driver_find(plan->via) == NULL) {
		char names[128];

		return iw_error_set(err, IW_USAGE, "--via %s: no such bootloader client (there "
				    "are: %s)", plan->via, boot_driver_names(names, sizeof names));
	}
	job_phase_begin(r, JOB_PHASE_WAIT, wait_ms);
	for (;;) {
		struct sketch_seen sk;
		char many[512], alike[400];
		uint64_t now;
		enum scan s;

		memset(&sk, 0, sizeof sk);
		detect_list_init(&list);
		if ((st = detect_enumerate(plan->catalog, NULL, &list, err)) != IW_OK) {
			detect_list_free(&list);
			return st;
		}
		s = scan(plan, touched_at, &list, t, many, sizeof many, &sk, alike, sizeof alike);
		detect_list_free(&list);
		if (alike[0] != '\0' && alike_seen[0] == '\0' && s != SCAN_ONE) {
			/* Said at once, so nobody waits out --wait for it. */
			snprintf(alike_seen, sizeof alike_seen, "%s", alike);
			job_say(r, JOB_EVENT_WARNING, "%s", alike_seen);
		}
		if (s == SCAN_ONE) {
			job_progress(r, wait_ms, wait_ms);
			snprintf(r->res->device, sizeof r->res->device, "%s", t->port);
			return IW_OK;
		}
		if (s == SCAN_MANY)
			return iw_error_set(err, IW_USAGE, "more than one bootloader is plugged "
					    "in (%s): unplug the others, or say which with -P", many);
		if (s == SCAN_SKETCH && !touched) {
			/* The board runs its sketch: ask it to start the
			 * bootloader, then wait for that to appear. */
			job_say(r, JOB_EVENT_INFO, "%s is %s's sketch, not its bootloader: "
				"asking it to start the bootloader (the 1200-baud touch)",
				sk.port, catalog_bootloader_label(sk.bl));
			if ((st = sk.driver->enter(sk.port, err)) != IW_OK) {
				iw_error_prefix(err, "starting the bootloader from the sketch at %s",
						sk.port);
				return st;
			}
			touched = true;
			touched_ms = iw_clock_ms();
			snprintf(touched_at, sizeof touched_at, "%s", sk.bus_path);
			r->res->touched = true;
			memset(t, 0, sizeof *t);
		} else if (!told && (!touched || iw_clock_ms() - touched_ms >= TOUCH_GRACE_MS)) {
			instructions(r, wait_ms, touched);
			told = true;
			memset(t, 0, sizeof *t);
		}
		now = iw_clock_ms();
		if (now - t0 >= wait_ms)
			break;
		if (now - last_report >= 200) {
			job_progress(r, (uint32_t)(now - t0), wait_ms);
			last_report = now;
		}
		if (job_stop_requested(r))
			return iw_error_set(err, IW_CANCELLED, "cancelled while waiting for the "
					    "bootloader; nothing was written");
		iw_sleep_ms(POLL_MS);
	}
	if (alike_seen[0] != '\0')
		return iw_error_set(err, IW_NO_PROGRAMMER, "no bootloader ispwiz may use appeared "
				    "within %u s: %s", wait_ms / 1000u, alike_seen);
	return iw_error_set(err, IW_NO_PROGRAMMER, "no bootloader appeared within %u s%s%s: "
			    "start it again and run the upload at once (a Caterina bootloader "
			    "waits only 750 ms after a single reset: reset twice quickly), try "
			    "another USB cable (a charge-only cable carries no data), and check "
			    "`ispwiz detect`; --wait gives it longer", wait_ms / 1000u,
			    touched ? " after the sketch was asked to start it" : "",
			    plan->port != NULL ? " at the port given with -P" : "");
}

enum iw_status
job_wait_for_ids(struct job_runner *r, const struct catalog_usb_id *ids, size_t n_ids,
		 const char *what, unsigned wait_ms, char *port, size_t size)
{
	struct iw_error *err = &r->res->error;
	uint64_t t0 = iw_clock_ms(), last_report = 0;
	struct detect_list list, before;
	enum iw_status st;

	/* What is there already is another board: the one just started has
	 * not left the bus yet (a Caterina leaves 500 ms after 'E'). */
	detect_list_init(&before);
	if ((st = detect_enumerate(r->plan->catalog, NULL, &before, err)) != IW_OK) {
		detect_list_free(&before);
		return st;
	}
	job_phase_begin(r, JOB_PHASE_WAIT_AFTER, wait_ms);
	for (;;) {
		uint64_t now;

		detect_list_init(&list);
		if ((st = detect_enumerate(r->plan->catalog, NULL, &list, err)) != IW_OK) {
			detect_list_free(&list);
			detect_list_free(&before);
			return st;
		}
		for (size_t i = 0; i < list.n; i++) {
			const struct detect_device *dev = &list.items[i];
			bool wanted = false, old = false;

			for (size_t k = 0; k < n_ids; k++)
				wanted |= dev->is_usb && dev->port != NULL &&
					  id_equal(dev->usb_id, ids[k]);
			for (size_t k = 0; wanted && k < before.n; k++)
				old |= detect_device_same(dev, &before.items[k]);
			if (!wanted || old)
				continue;
			snprintf(port, size, "%s", dev->port);
			detect_list_free(&list);
			detect_list_free(&before);
			job_progress(r, wait_ms, wait_ms);
			return IW_OK;
		}
		detect_list_free(&list);
		now = iw_clock_ms();
		if (now - t0 >= wait_ms)
			break;
		if (now - last_report >= 200) {
			job_progress(r, (uint32_t)(now - t0), wait_ms);
			last_report = now;
		}
		if (job_stop_requested(r)) {
			detect_list_free(&before);
			return iw_error_set(err, IW_CANCELLED, "cancelled while waiting for %s; "
					    "the firmware was written", what);
		}
		iw_sleep_ms(POLL_MS);
	}
	detect_list_free(&before);
	return iw_error_set(err, IW_NO_PROGRAMMER, "the firmware was written, but %s did not "
			    "appear on USB within %u s: unplug the board and plug it in again; if "
			    "it still does not appear, load the firmware once more (`ispwiz "
			    "prepare`)", what, wait_ms / 1000u);
}
