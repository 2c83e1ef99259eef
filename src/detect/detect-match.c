/*
 * detect-match.c - from a USB ID to catalog entries: which programmers and
 * bootloaders use it, whether that is ambiguous, and a hint on how a person
 * can tell the candidates apart.
 */
#include "detect/detect.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* USB IDs that belong to a chip or a shared vendor pool rather than to one
 * product, so a match on them is a "might be": common USB-serial chips and
 * the Teensyduino serial ID that several firmwares share. */
static const struct shared_id {
	unsigned short vid, pid;
	const char *what;
} shared_ids[] = {
	{ 0x0403, 0x6001, "the FTDI FT232 USB-serial chip, used by many adapters" },
	{ 0x1A86, 0x7523, "the CH340 USB-serial chip, used by many adapters and clone boards" },
	{ 0x16C0, 0x0483, "the shared Teensyduino USB serial ID, used by several boards and firmwares" },
};

static const char *
shared_id_note(struct catalog_usb_id id)
{
	for (size_t i = 0; i < sizeof shared_ids / sizeof shared_ids[0]; i++)
		if (shared_ids[i].vid == id.vid && shared_ids[i].pid == id.pid)
			return shared_ids[i].what;
	return NULL;
}

static bool
same_id(struct catalog_usb_id a, struct catalog_usb_id b)
{
	return a.vid == b.vid && a.pid == b.pid;
}

static void
add_candidate(struct detect_device *dev, enum detect_kind kind, const char *id,
	      const char *name, const struct catalog_programmer *p,
	      const struct catalog_bootloader *b)
{
	struct detect_candidate *c;

	for (size_t i = 0; i < dev->n_candidates; i++)
		if (dev->candidates[i].kind == kind && strcmp(dev->candidates[i].id, id) == 0)
			return;   /* one programmer listing the same ID twice */
	if (dev->n_candidates == DETECT_MAX_CANDIDATES)
		return;
	c = &dev->candidates[dev->n_candidates++];
	c->kind = kind;
	c->id = id;
	c->name = name != NULL ? name : id;
	c->programmer = p;
	c->bootloader = b;
}

/* A small growing string for composing hints. */
struct text {
	char buf[1024];
	size_t len;
};

__attribute__((format(printf, 2, 3)))
static void
text_add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof t->buf - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof t->buf - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < sizeof t->buf - t->len ? (size_t)n : sizeof t->buf - t->len - 1;
}

/* Whether candidate i is the first of its kind to show `label` (so lists
 * of bootloader families name each family once). */
static bool
first_with_label(const struct detect_device *dev, size_t i, bool by_family)
{
	const struct detect_candidate *c = &dev->candidates[i];

	if (!by_family)
		return true;
	for (size_t j = 0; j < i; j++) {
		const struct detect_candidate *o = &dev->candidates[j];

		if (o->kind == c->kind && o->bootloader->family != NULL &&
		    c->bootloader->family != NULL &&
		    strcmp(o->bootloader->family, c->bootloader->family) == 0)
			return false;
	}
	return true;
}

/* "a, b and c" over the candidates of one kind: programmers by display
 * name, bootloaders by family (the names are variant names, "ATmega32A",
 * which mean little alone) or, with `ids`, every entry by catalog id. */
static void
text_add_names(struct text *t, const struct detect_device *dev, enum detect_kind kind, bool ids)
{
	bool by_family = kind == DETECT_KIND_BOOTLOADER && !ids;
	size_t total = 0, done = 0;

	for (size_t i = 0; i < dev->n_candidates; i++)
		if (dev->candidates[i].kind == kind && first_with_label(dev, i, by_family))
			total++;
	for (size_t i = 0; i < dev->n_candidates; i++) {
		const struct detect_candidate *c = &dev->candidates[i];
		const char *label = ids ? c->id : c->name;

		if (c->kind != kind || !first_with_label(dev, i, by_family))
			continue;
		if (by_family && c->bootloader->family != NULL)
			label = c->bootloader->family;
		if (done > 0)
			text_add(t, "%s", done + 1 == total ? " and " : ", ");
		text_add(t, "%s", label);
		done++;
	}
}

static size_t
count_kind(const struct detect_device *dev, enum detect_kind kind)
{
	size_t n = 0;

	for (size_t i = 0; i < dev->n_candidates; i++)
		if (dev->candidates[i].kind == kind)
			n++;
	return n;
}

/* Why the ID does not settle it, and what does. */
static void
compose_hint(struct text *t, const struct detect_device *dev)
{
	char idbuf[10];
	const char *id = catalog_usb_id_str(dev->usb_id, idbuf);
	size_t n_prog = count_kind(dev, DETECT_KIND_PROGRAMMER);
	size_t n_boot = count_kind(dev, DETECT_KIND_BOOTLOADER);
	const char *shared = shared_id_note(dev->usb_id);

	if (n_prog > 0 && n_boot > 0) {
		/* The USBasp / USBaspLoader case: same ID, and in practice the
		 * same "www.fischl.de" / "USBasp" strings, so nothing the
		 * device reports can separate them.  Only behaviour can. */
		text_add(t, "%s is used both by the ", id);
		text_add_names(t, dev, DETECT_KIND_PROGRAMMER, false);
		text_add(t, " programmer%s and by boards running the ", n_prog > 1 ? "s" : "");
		text_add_names(t, dev, DETECT_KIND_BOOTLOADER, false);
		text_add(t, " bootloader");
		if (dev->manufacturer != NULL || dev->product != NULL)
			text_add(t, ", which report the same strings (this one: \"%s\" / \"%s\")",
				 dev->manufacturer != NULL ? dev->manufacturer : "",
				 dev->product != NULL ? dev->product : "");
		text_add(t, ". A board is in its bootloader only while its boot key or "
			 "jumper is held (or right after a reset); a programmer stays. "
			 "Unplug the keyboard (or release its boot key) and look again: "
			 "what remains is the programmer.");
	} else if (n_prog > 1) {
		bool same_driver = true;
		const char *drv = dev->candidates[0].programmer->driver;

		for (size_t i = 1; i < dev->n_candidates; i++) {
			const char *d = dev->candidates[i].programmer->driver;

			if (drv == NULL || d == NULL || strcmp(drv, d) != 0)
				same_driver = false;
		}
		text_add(t, "%s is used by more than one programmer (", id);
		text_add_names(t, dev, DETECT_KIND_PROGRAMMER, false);
		text_add(t, "): choose the board you plugged in, because the wiring differs");
		if (same_driver && drv != NULL)
			text_add(t, "; all use the %s driver", drv);
		text_add(t, ".");
	} else if (n_boot > 1) {
		text_add(t, "%s is the USB ID of several bootloaders (", id);
		text_add_names(t, dev, DETECT_KIND_BOOTLOADER, true);
		text_add(t, "): it cannot tell which board or variant this is.");
	}
	if (shared != NULL && dev->n_candidates > 1) {
		text_add(t, " %s is also %s.", id, shared);
	} else if (shared != NULL && dev->n_candidates == 1) {
		text_add(t, "%s is %s, so this is the %s only if that is what you "
			 "plugged in.", id, shared, dev->candidates[0].name);
	}
}

void
detect_match(const struct catalog *cat, struct detect_device *dev)
{
	struct text hint = { .len = 0 };
	const char *family = NULL;
	bool one_family = true;

	free(dev->hint);
	dev->hint = NULL;
	dev->id = NULL;
	dev->family = NULL;
	dev->n_candidates = 0;
	dev->ambiguous = false;
	dev->kind = dev->port != NULL ? DETECT_KIND_SERIAL : DETECT_KIND_UNKNOWN;
	if (!dev->is_usb || cat == NULL)
		return;

	/* Programmers first: when an ID is both, a programmer is the more
	 * likely thing to be plugged in for long (a bootloader shows up only
	 * while a board is held in it), so its kind leads. */
	for (size_t i = 0; i < cat->n_programmers; i++) {
		const struct catalog_programmer *p = &cat->programmers[i];

		for (size_t j = 0; j < p->n_usb_ids; j++)
			if (same_id(p->usb_ids[j], dev->usb_id))
				add_candidate(dev, DETECT_KIND_PROGRAMMER, p->id, p->name, p, NULL);
	}
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *b = &cat->bootloaders[i];

		if (!same_id(b->usb_id, dev->usb_id))
			continue;
		add_candidate(dev, DETECT_KIND_BOOTLOADER, b->id, b->name, NULL, b);
		if (family == NULL)
			family = b->family;
		else if (b->family == NULL || strcmp(family, b->family) != 0)
			one_family = false;
	}
	if (dev->n_candidates == 0)
		return;

	dev->kind = dev->candidates[0].kind;
	dev->ambiguous = dev->n_candidates > 1;
	if (!dev->ambiguous)
		dev->id = dev->candidates[0].id;
	if (one_family)
		dev->family = family;
	compose_hint(&hint, dev);
	if (hint.len > 0)
		dev->hint = strdup(hint.buf);   /* a lost hint is not worth failing for */
}
