/*
 * tui-source.c - where the port step's live list comes from.  Two sources
 * behind one interface so the screens cannot tell them apart:
 *   real: src/detect's debounced libudev monitor (an fd and a timeout for
 *         the poll loop);
 *   demo: a timer that "plugs in" the simulated programmer a moment after
 *         the port step opens, and later a board with the flashed
 *         bootloader's USB ID, so the demo exercises the same code paths.
 */
#include "tui/tui-int.h"
#include "core/clock.h"

#include <stdlib.h>
#include <string.h>

#define DEMO_MAX_PENDING 4

enum demo_kind {
	PENDING_PROGRAMMER,
	PENDING_BOARD,
};

struct demo_pending {
	long long at_ms;
	enum demo_kind kind;
	struct catalog_usb_id id;
};

struct tui_source {
	bool demo;
	struct hotplug *hp;                      /* real */
	const struct catalog *cat;               /* demo */
	const struct catalog_programmer *sim;
	struct detect_list devs;
	struct demo_pending pending[DEMO_MAX_PENDING];
	size_t n_pending;
};

struct tui_source *
tui_source_new_real(const struct catalog *cat, struct iw_error *err)
{
	struct tui_source *s = calloc(1, sizeof *s);

	if (s == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory starting the device monitor");
		return NULL;
	}
	detect_list_init(&s->devs);
	if ((s->hp = hotplug_new(cat, NULL, err)) == NULL) {
		free(s);
		return NULL;
	}
	return s;
}

static void
schedule(struct tui_source *s, enum demo_kind kind, struct catalog_usb_id id, int delay_ms)
{
	if (s->n_pending == DEMO_MAX_PENDING)
		return;
	s->pending[s->n_pending].at_ms = (long long)iw_clock_ms() + delay_ms;
	s->pending[s->n_pending].kind = kind;
	s->pending[s->n_pending].id = id;
	s->n_pending++;
}

struct tui_source *
tui_source_new_demo(const struct catalog *cat, const struct catalog_programmer *sim,
		    int delay_ms)
{
	struct tui_source *s = calloc(1, sizeof *s);
	struct catalog_usb_id none = { 0, 0 };

	if (s == NULL)
		return NULL;
	s->demo = true;
	s->cat = cat;
	s->sim = sim;
	detect_list_init(&s->devs);
	schedule(s, PENDING_PROGRAMMER, none, delay_ms);
	return s;
}

void
tui_source_free(struct tui_source *s)
{
	if (s == NULL)
		return;
	hotplug_free(s->hp);
	detect_list_free(&s->devs);
	free(s);
}

int
tui_source_fd(const struct tui_source *s)
{
	return s->hp != NULL ? hotplug_fd(s->hp) : -1;
}

int
tui_source_timeout_ms(const struct tui_source *s)
{
	long long now = (long long)iw_clock_ms(), best = -1;

	if (s->hp != NULL)
		return hotplug_timeout_ms(s->hp);
	for (size_t i = 0; i < s->n_pending; i++) {
		long long left = s->pending[i].at_ms - now;

		if (left < 0)
			left = 0;
		if (best < 0 || left < best)
			best = left;
	}
	return (int)best;
}

/* The simulated devices, filled the way detect fills real ones. */
static bool
make_device(struct tui_source *s, const struct demo_pending *p, struct detect_device *d)
{
	char key[64];

	snprintf(key, sizeof key, "demo:%s", p->kind == PENDING_PROGRAMMER ? "programmer" : "board");
	d->key = strdup(key);
	d->group = strdup(key);
	d->is_usb = true;
	d->manufacturer = strdup("ispwiz demo");
	d->accessible = true;
	d->busnum = 1;
	d->devnum = p->kind == PENDING_PROGRAMMER ? 7 : 8;
	d->bus_path = strdup(p->kind == PENDING_PROGRAMMER ? "1-1" : "1-2");
	if (p->kind == PENDING_PROGRAMMER) {
		d->product = strdup("Simulated programmer");
		d->kind = DETECT_KIND_PROGRAMMER;
		d->id = s->sim->id;
		d->candidates[0].kind = DETECT_KIND_PROGRAMMER;
		d->candidates[0].id = s->sim->id;
		d->candidates[0].name = s->sim->name;
		d->candidates[0].programmer = s->sim;
		d->n_candidates = 1;
	} else {
		d->usb_id = p->id;
		d->product = strdup("Keyboard with the new bootloader (simulated)");
		detect_match(s->cat, d);
	}
	return d->key != NULL && d->group != NULL && d->manufacturer != NULL &&
	       d->product != NULL && d->bus_path != NULL;
}

enum iw_status
tui_source_dispatch(struct tui_source *s, hotplug_cb cb, void *user, struct iw_error *err)
{
	long long now = (long long)iw_clock_ms();
	size_t i = 0;

	if (s->hp != NULL)
		return hotplug_dispatch(s->hp, cb, user, err);
	while (i < s->n_pending) {
		struct demo_pending p = s->pending[i];
		struct detect_device *d;
		struct hotplug_event ev;

		if (p.at_ms > now) {
			i++;
			continue;
		}
		memmove(&s->pending[i], &s->pending[i + 1],
			(s->n_pending - i - 1) * sizeof s->pending[0]);
		s->n_pending--;
		if ((d = detect_list_add(&s->devs)) == NULL)
			return iw_error_set(err, IW_NOMEM, "out of memory");
		if (!make_device(s, &p, d)) {
			detect_list_remove(&s->devs, s->devs.n - 1);
			return iw_error_set(err, IW_NOMEM, "out of memory");
		}
		memset(&ev, 0, sizeof ev);
		ev.action = HOTPLUG_ADD;
		ev.dev = d;
		cb(&ev, user);
	}
	return IW_OK;
}

const struct detect_list *
tui_source_devices(const struct tui_source *s)
{
	return s->hp != NULL ? hotplug_devices(s->hp) : &s->devs;
}

void
tui_source_expect(struct tui_source *s, struct catalog_usb_id id, int delay_ms)
{
	if (!s->demo)
		return;
	/* Unplugging the ISP cable takes the programmer away; the board
	 * then shows up on its own USB cable. */
	for (size_t i = 0; i < s->devs.n; i++)
		if (strcmp(s->devs.items[i].key, "demo:board") == 0)
			return;
	schedule(s, PENDING_BOARD, id, delay_ms);
}
