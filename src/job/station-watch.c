/* station-watch.c - `--all`: every attached programmer of the plan's kind
 * is a lane, and so is each one plugged in while the station runs.  A
 * thread watches the udev monitor (detect/hotplug.h) until the station
 * finishes.
 *
 * An unplugged programmer needs nothing from here: its lane's next read
 * or write fails, which ends the lane (the board it was on fails with
 * "programmer-lost").  The same programmer plugged in again is a new
 * device and gets a new lane. */
#include "config.h"

#include "job/station-int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect/hotplug.h"

struct station_watch {
	struct station *s;
	struct hotplug *h;
	pthread_t thread;
	int quit[2];              /* a pipe: written to end the thread */
};

/* Whether `dev` is a programmer of the plan's kind, and where a driver
 * opens it. */
static bool
lane_port(const struct station *s, const struct detect_device *dev, char *port, size_t size)
{
	const struct catalog_programmer *want = s->sp->job.programmer;
	bool match = false;

	for (size_t i = 0; i < dev->n_candidates && !match; i++) {
		const struct catalog_programmer *c = dev->candidates[i].programmer;

		match = c != NULL && (c == want || strcmp(c->id, want->id) == 0);
	}
	if (!match)
		return false;
	if (want->transport == CATALOG_TRANSPORT_SERIAL) {
		/* The USB device can come before its tty: the tty's event
		 * follows as an update of the same device. */
		if (dev->port == NULL)
			return false;
		snprintf(port, size, "%s", dev->port);
		return true;
	}
	if (dev->bus_path == NULL)
		return false;
	snprintf(port, size, "usb:%s", dev->bus_path);
	return true;
}

static void
consider(struct station_watch *w, const struct detect_device *dev)
{
	struct station *s = w->s;
	char port[STATION_PORT_MAX];
	const char *key = dev->key != NULL ? dev->key : "";
	struct iw_error err;

	if (!lane_port(s, dev, port, sizeof port) || station_has_key(s, key))
		return;
	if (station_add_lane_keyed(s, port, dev->serial, key, &err) != IW_OK) {
		/* Too many lanes, or the same port as a lane from -P: say so
		 * once on the station's own line. */
		struct station_event ev;
		struct station_summary note;

		memset(&note, 0, sizeof note);
		note.status = err.code;
		note.error = err;
		memset(&ev, 0, sizeof ev);
		ev.kind = STATION_EVENT_LANE_END;
		ev.summary = &note;
		station_emit(s, NULL, &ev);
	}
}

static void
on_hotplug(const struct hotplug_event *ev, void *user)
{
	if (ev->action == HOTPLUG_ADD)
		consider(user, ev->dev);
}

static void *
watch_main(void *arg)
{
	struct station_watch *w = arg;
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	for (;;) {
		struct pollfd pfd[2] = {
			{ hotplug_fd(w->h), POLLIN, 0 },
			{ w->quit[0], POLLIN, 0 },
		};
		struct iw_error err;

		if (poll(pfd, 2, hotplug_timeout_ms(w->h)) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents != 0)
			break;
		if (hotplug_dispatch(w->h, on_hotplug, w, &err) != IW_OK)
			break;
	}
	return NULL;
}

enum iw_status
station_watch_check(const struct station_plan *sp, struct iw_error *err)
{
	if (sp->job.programmer->transport == CATALOG_TRANSPORT_SIM)
		return iw_error_set(err, IW_USAGE, "--all finds programmers on USB; the "
				    "simulated programmer is not one: give -P for each lane");
	return IW_OK;
}

enum iw_status
station_watch_all(struct station *s, struct iw_error *err)
{
	struct station_watch *w;
	const struct detect_list *now;
	int rc;

	if (s->watch != NULL)
		return IW_OK;
	if (station_watch_check(s->sp, err) != IW_OK)
		return err->code;
	if ((w = calloc(1, sizeof *w)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory watching for programmers");
	w->s = s;
	if (pipe2(w->quit, O_CLOEXEC) != 0) {
		free(w);
		return iw_error_set(err, IW_IO, "cannot watch for programmers: %s",
				    strerror(errno));
	}
	if ((w->h = hotplug_new(s->sp->job.catalog, NULL, err)) == NULL) {
		close(w->quit[0]);
		close(w->quit[1]);
		free(w);
		return err->code;
	}
	pthread_mutex_lock(&s->lock);
	s->watching = true;
	pthread_mutex_unlock(&s->lock);
	now = hotplug_devices(w->h);
	for (size_t i = 0; i < now->n; i++)
		consider(w, &now->items[i]);
	if ((rc = pthread_create(&w->thread, NULL, watch_main, w)) != 0) {
		hotplug_free(w->h);
		close(w->quit[0]);
		close(w->quit[1]);
		free(w);
		return iw_error_set(err, IW_NOMEM, "cannot start the programmer watcher: %s",
				    strerror(rc));
	}
	s->watch = w;
	return IW_OK;
}

void
station_watch_stop(struct station_watch *w)
{
	char c = 1;

	if (write(w->quit[1], &c, 1) < 0) {
		/* The pipe cannot be full: one byte, once. */
	}
	pthread_join(w->thread, NULL);
	hotplug_free(w->h);
	close(w->quit[0]);
	close(w->quit[1]);
	free(w);
}

void
station_lookup_serial(const struct catalog *cat, const char *port, char *buf, size_t size)
{
	const struct detect_config identity = { .identity_only = true };
	struct detect_list list;
	struct iw_error err;

	if (port == NULL || port[0] == '\0')
		return;
	if (strncmp(port, "usb:", 4) == 0 && strchr(port + 4, '-') == NULL &&
	    strchr(port + 4, ':') == NULL) {
		snprintf(buf, size, "%s", port + 4);      /* usb:SERIAL */
		return;
	}
	detect_list_init(&list);
	if (detect_enumerate(cat, &identity, &list, &err) == IW_OK)
		for (size_t i = 0; i < list.n; i++) {
			const struct detect_device *d = &list.items[i];
			bool same = (d->port != NULL && strcmp(d->port, port) == 0) ||
				    (d->by_id != NULL && strcmp(d->by_id, port) == 0) ||
				    (d->bus_path != NULL && strncmp(port, "usb:", 4) == 0 &&
				     strcmp(d->bus_path, port + 4) == 0);

			if (same && d->serial != NULL) {
				snprintf(buf, size, "%s", d->serial);
				break;
			}
		}
	detect_list_free(&list);
}
