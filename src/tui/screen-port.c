/*
 * screen-port.c - step 5: the live list of what is plugged in.  When
 * exactly one device that matches the chosen programmer is there, it is
 * selected; a port this user cannot open, or one another process holds,
 * says why and what to do.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/doctor.h"

#define MAX_DEVICES 32
/* Rows under the list for the chosen device's details. */
#define DETAIL_ROWS 6

struct port_state {
	struct tui_list list;
	char *keys[MAX_DEVICES];          /* detect_device.key per row */
	size_t n;
	size_t hidden;                    /* root hubs and devices the catalog does not know */
	bool show_all;                    /* the a key: list them too */
	int list_rows;
	char *hint_key;                   /* the device doctor_hint_for_device was asked about */
	char *hint;                       /* and its answer (NULL: none) */
};

static struct port_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_port);
}

static bool
matches(const struct tui *t, const struct detect_device *d)
{
	for (size_t i = 0; i < d->n_candidates; i++)
		if (d->candidates[i].programmer == t->programmer)
			return true;
	return false;
}

/* A serial programmer may sit behind any USB-serial adapter (an Arduino
 * running ArduinoISP has the Arduino's IDs), so any serial port will do. */
static bool
acceptable(const struct tui *t, const struct detect_device *d)
{
	return matches(t, d) ||
	       (t->programmer->transport == CATALOG_TRANSPORT_SERIAL && d->port != NULL);
}

static const struct detect_device *
find(const struct tui *t, const char *key)
{
	const struct detect_list *l;

	if (t->source == NULL || key == NULL)
		return NULL;
	l = tui_source_devices(t->source);
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i].key, key) == 0)
			return &l->items[i];
	return NULL;
}

static const struct detect_device *
highlighted(const struct tui *t)
{
	struct port_state *s = state(t);
	int i = tui_list_index(&s->list);

	return i >= 0 && (size_t)i < s->n ? find(t, s->keys[i]) : NULL;
}

static void
clear_rows(struct port_state *s)
{
	tui_list_free(&s->list);
	for (size_t i = 0; i < s->n; i++)
		free(s->keys[i]);
	s->n = 0;
}

static void
clear_hint(struct port_state *s)
{
	free(s->hint_key);
	free(s->hint);
	s->hint_key = NULL;
	s->hint = NULL;
}

/* Whether a device can be opened now (an inaccessible or busy one is
 * listed, with why, but never chosen for the user). */
static bool
usable(const struct detect_device *d)
{
	return d->problem == NULL && d->accessible && !d->busy;
}

/* Root hubs and devices that are nothing in the catalog are noise while
 * looking for a programmer: hidden until the a key shows them. */
static bool
worth_listing(const struct tui *t, const struct detect_device *d)
{
	if (!detect_device_is_listed(d, false))
		return false;
	return d->n_candidates > 0 || acceptable(t, d);
}

static void
place(struct tui *t)
{
	struct port_state *s = state(t);
	int room = tui_body_rows() - 3 - DETAIL_ROWS;

	s->list_rows = tui_list_rows_for(s->n, room);
	tui_list_place(&s->list, tui_body_top() + 3, 2, s->list_rows, COLS - 4);
	tui_list_log(t, &s->list, "devices");
}

/* Why a listed device cannot be used, in a few words for its row. */
static const char *
row_problem(const struct detect_device *d)
{
	if (d->busy)
		return "in use by another program";
	if (!d->accessible)
		return "no permission to open it";
	if (d->problem != NULL)
		return "cannot be used yet";
	return NULL;
}

/* Whether another listed device looks the same (same USB ID and name):
 * its row then carries the serial number or USB path that tells them apart. */
static bool
has_twin(const struct detect_list *l, const struct detect_device *d)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct detect_device *o = &l->items[i];

		if (o == d || !detect_device_is_listed(o, false))
			continue;
		if (o->usb_id.vid == d->usb_id.vid && o->usb_id.pid == d->usb_id.pid &&
		    (o->product == NULL) == (d->product == NULL) &&
		    (o->product == NULL || strcmp(o->product, d->product) == 0))
			return true;
	}
	return false;
}

static const char *
device_name(const struct detect_device *d)
{
	return d->product != NULL ? d->product :
	       d->manufacturer != NULL ? d->manufacturer : "USB device";
}

/* Rebuild the rows from the source, keeping the highlighted device.  The
 * name column is as wide as the longest name (up to half the row). */
static void
rebuild(struct tui *t, const char *keep)
{
	struct port_state *s = state(t);
	char labels[MAX_DEVICES][240], id[10], where[160];
	const char *ptrs[MAX_DEVICES];
	const struct detect_list *l = t->source != NULL ? tui_source_devices(t->source) : NULL;
	char *keep_copy = keep != NULL ? strdup(keep) : NULL;
	int select = 0, name_w = 8;

	clear_rows(s);
	s->hidden = 0;
	for (size_t i = 0; l != NULL && i < l->n; i++)
		if ((s->show_all || worth_listing(t, &l->items[i])) &&
		    tui_width(device_name(&l->items[i])) > name_w)
			name_w = tui_width(device_name(&l->items[i]));
	if (name_w > (COLS - 8) / 2)
		name_w = (COLS - 8) / 2;
	for (size_t i = 0; l != NULL && i < l->n && s->n < MAX_DEVICES; i++) {
		const struct detect_device *d = &l->items[i];
		const char *why = row_problem(d);
		char name[160];

		if (!s->show_all && !worth_listing(t, d)) {
			s->hidden++;
			continue;
		}
		tui_cut(name, sizeof name, device_name(d), name_w);
		snprintf(where, sizeof where, "%s", d->port != NULL ? d->port :
			 d->bus_path != NULL ? d->bus_path : "");
		if (has_twin(l, d)) {
			/* Two of the same kind: the serial number, else the USB
			 * port path (stable while the cable stays). */
			if (d->serial != NULL && d->serial[0] != '\0')
				snprintf(where, sizeof where, "%s%sserial %s",
					 d->port != NULL ? d->port : "",
					 d->port != NULL ? "  " : "", d->serial);
			else if (d->bus_path != NULL)
				snprintf(where, sizeof where, "%s%sUSB port %s",
					 d->port != NULL ? d->port : "",
					 d->port != NULL ? "  " : "", d->bus_path);
		}
		snprintf(labels[s->n], sizeof labels[s->n], "%c %-*s  %s  %s%s%s",
			 why != NULL ? '!' : matches(t, d) ? '*' : ' ',
			 name_w + (int)(strlen(name) - (size_t)tui_width(name)), name,
			 catalog_usb_id_str(d->usb_id, id), where, why != NULL ? "  " : "",
			 why != NULL ? why : "");
		ptrs[s->n] = labels[s->n];
		if (keep_copy != NULL && strcmp(keep_copy, d->key) == 0)
			select = (int)s->n;
		s->keys[s->n++] = strdup(d->key);
	}
	free(keep_copy);
	tui_list_init(&s->list, ptrs, s->n);
	tui_list_select(&s->list, select);
	if (!t->too_small)
		place(t);
}

/* Select the one matching device, if there is exactly one. */
static bool
auto_select(struct tui *t)
{
	struct port_state *s = state(t);
	int found = -1, count = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct detect_device *d = find(t, s->keys[i]);

		if (d != NULL && matches(t, d) && usable(d)) {
			found = (int)i;
			count++;
		}
	}
	if (count != 1)
		return false;
	tui_list_select(&s->list, found);
	return true;
}

static void
say_found(struct tui *t)
{
	const struct detect_device *d = highlighted(t);

	if (d == NULL)
		return;
	if (d->problem != NULL)
		tui_message(t, TUI_ROLE_ERROR, "Found the %s, but it cannot be used yet: "
			    "see below.", t->programmer->name);
	else
		tui_message(t, TUI_ROLE_OK, "Found the %s%s%s: selected. Press Enter to use it.",
			    t->programmer->name, d->port != NULL ? " on " : "",
			    d->port != NULL ? d->port : "");
}

static void
enter(struct tui *t)
{
	struct port_state *s = state(t);

	memset(s, 0, sizeof *s);
	tui_get_source(t);
	rebuild(t, t->have_port ? t->port_dev.key : NULL);
	if (!t->have_port && auto_select(t))
		say_found(t);
}

static void
leave(struct tui *t)
{
	clear_rows(state(t));
	clear_hint(state(t));
}

static void
layout(struct tui *t)
{
	/* The name column follows the width: the rows are made again. */
	rebuild(t, highlighted(t) != NULL ? highlighted(t)->key : NULL);
}

/* The doctor's sentence for a device that cannot be used (asked once per
 * device: it reads the system's udev rules and processes). */
static const char *
doctor_hint(struct port_state *s, const struct detect_device *d)
{
	if (usable(d))
		return NULL;
	if (s->hint_key == NULL || strcmp(s->hint_key, d->key) != 0) {
		clear_hint(s);
		s->hint_key = strdup(d->key);
		s->hint = doctor_hint_for_device(d);
	}
	return s->hint;
}

static void
draw_details(struct tui *t, const struct detect_device *d, int y)
{
	const char *dh = doctor_hint(state(t), d);
	struct tui_text text;
	char id[10];
	int h = tui_body_rows_from(y);

	tui_text_init(&text, COLS - 4);
	tui_text_addf(&text, TUI_ROLE_NORMAL, "%s%s%s, USB ID %s%s%s",
		      d->manufacturer != NULL ? d->manufacturer : "",
		      d->manufacturer != NULL ? " " : "",
		      d->product != NULL ? d->product : "(no name)",
		      catalog_usb_id_str(d->usb_id, id), d->port != NULL ? ", port " : "",
		      d->port != NULL ? d->port : "");
	if (d->by_id != NULL)
		tui_text_addf(&text, TUI_ROLE_DIM, "also %s", d->by_id);
	if (matches(t, d))
		tui_text_addf(&text, TUI_ROLE_OK, "This is a %s.", t->programmer->name);
	else if (d->n_candidates > 0)
		tui_text_addf(&text, TUI_ROLE_DIM, "Looks like: %s (not the programmer you chose).",
			      d->candidates[0].name);
	else if (!acceptable(t, d))
		tui_text_add(&text, TUI_ROLE_DIM, 0, "Not a programmer ispwiz knows.");
	if (d->hint != NULL)
		tui_text_add(&text, TUI_ROLE_DIM, 2, d->hint);
	if (d->serial != NULL && d->serial[0] != '\0')
		tui_text_addf(&text, TUI_ROLE_DIM, "Serial number %s, USB port %s.", d->serial,
			      d->bus_path != NULL ? d->bus_path : "?");
	if (d->problem != NULL)
		tui_text_add(&text, TUI_ROLE_ERROR, 2, d->problem);
	else if (!usable(d))
		tui_text_add(&text, TUI_ROLE_ERROR, 2, d->busy ? "Another program has this "
			     "port open; close it and plug the programmer in again." :
			     "You may not open this device: see 'ispwiz doctor'.");
	if (dh != NULL)
		tui_text_add(&text, TUI_ROLE_DIM, 2, dh);
	tui_text_draw(&text, y, 2, h, COLS - 4);
	tui_text_clear(&text);
}

static void
draw(struct tui *t)
{
	struct port_state *s = state(t);
	const struct detect_device *d = highlighted(t);

	tui_put(tui_body_top() + 1, 2, COLS - 4, TUI_ROLE_HEADING,
		"Plug in the programmer. Devices show up here as they come and go:");
	if (t->source == NULL) {
		tui_put(tui_body_top() + 3, 4, COLS - 6, TUI_ROLE_ERROR,
			"The live device list is not available (see the message below).");
		return;
	}
	if (s->hidden > 0)
		tui_putf(tui_body_top() + 2, 2, COLS - 4, TUI_ROLE_DIM, "%zu other device%s "
			 "(hubs, nothing ispwiz knows) hidden: a shows them.", s->hidden,
			 s->hidden == 1 ? "" : "s");
	else if (s->show_all)
		tui_put(tui_body_top() + 2, 2, COLS - 4, TUI_ROLE_DIM,
			"Every device is listed: a hides hubs and unknown ones again.");
	if (s->n == 0) {
		tui_put(tui_body_top() + 3, 4, COLS - 6, TUI_ROLE_DIM,
			"Waiting for the programmer... plug it in now.");
		return;
	}
	/* The legend is prose under the list, not a row that looks like one. */
	tui_put(tui_body_top() + 3 + s->list_rows, 4, COLS - 6, TUI_ROLE_DIM,
		"(* marks your programmer, ! a device that cannot be used yet)");
	if (d != NULL)
		draw_details(t, d, tui_body_top() + 5 + s->list_rows);
}

static void
paint(struct tui *t)
{
	struct port_state *s = state(t);

	if (s->n > 0)
		tui_list_refresh(&s->list);
}

static void
choose(struct tui *t)
{
	const struct detect_device *d = highlighted(t);

	if (d == NULL) {
		tui_message(t, TUI_ROLE_WARNING, "Nothing to choose yet: plug in the %s.",
			    t->programmer->name);
		return;
	}
	if (d->problem != NULL || !d->accessible || d->busy) {
		tui_message(t, TUI_ROLE_ERROR, "%s", d->problem != NULL ? d->problem :
			    "This device cannot be opened now.");
		return;
	}
	if (!acceptable(t, d)) {
		tui_message(t, TUI_ROLE_ERROR, "That is not a %s; choose the device marked *.",
			    t->programmer->name);
		return;
	}
	detect_device_clear(&t->port_dev);
	if (!detect_device_copy(&t->port_dev, d)) {
		tui_message(t, TUI_ROLE_ERROR, "Out of memory.");
		return;
	}
	t->have_port = true;
	if (t->programmer->transport == CATALOG_TRANSPORT_SIM)
		t->port = NULL;
	else if (t->programmer->transport == CATALOG_TRANSPORT_SERIAL)
		t->port = t->port_dev.port;
	else
		t->port = t->port_dev.bus_path;
	tui_log(t, "port: %s", t->port != NULL ? t->port : "(simulated)");
	tui_next(t);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct port_state *s = state(t);

	(void)ch;
	if (s->n > 0 && tui_list_action(&s->list, a))
		return;
	if (a == TUI_ACT_BACK)
		tui_back(t);
	else if (a == TUI_ACT_NEXT)
		choose(t);
	else if (a == TUI_ACT_RETRY && t->source == NULL && tui_get_source(t) != NULL)
		rebuild(t, NULL);
	else if (a == TUI_ACT_SHOW_ALL) {
		const struct detect_device *d = highlighted(t);
		char *keep = d != NULL ? strdup(d->key) : NULL;

		s->show_all = !s->show_all;
		rebuild(t, keep);
		free(keep);
	}
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	const struct detect_device *cur;
	char *keep;

	if (ev->kind != TUI_EV_DEVICE)
		return;
	cur = highlighted(t);
	keep = cur != NULL ? strdup(cur->key) : NULL;
	rebuild(t, keep);
	free(keep);
	if (ev->device->action == HOTPLUG_ADD && matches(t, ev->device->dev) && auto_select(t))
		say_found(t);
	else if (ev->device->action == HOTPLUG_REMOVE && matches(t, ev->device->dev))
		tui_message(t, TUI_ROLE_WARNING, "The %s was unplugged.", t->programmer->name);
}

const struct tui_screen tui_screen_port = {
	.name = "Port",
	.data_size = sizeof(struct port_state),
	.help = "Plug the programmer into this computer. It appears in the list as "
		"soon as the system has set it up; when exactly one device matches the "
		"programmer you chose, it is selected for you. A device marked ! cannot "
		"be opened yet: the text under the list says why (permissions, or "
		"another program such as ModemManager holding the port) and what to do; "
		"such a device is never selected for you. Root hubs and devices that are "
		"nothing in the catalog are hidden: a shows them. Two programmers of the "
		"same kind are told apart by serial number or USB port path.",
	.keys = "Up/Down choose  Enter use it  a all devices  Esc back",
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
	.event = event,
};
