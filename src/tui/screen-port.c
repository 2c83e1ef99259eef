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

#define MAX_DEVICES 32
#define LIST_ROWS 7

struct port_state {
	struct tui_list list;
	char *keys[MAX_DEVICES];          /* detect_device.key per row */
	size_t n;
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
place(struct port_state *s)
{
	tui_list_place(&s->list, tui_body_top() + 3, 2, LIST_ROWS, COLS - 4);
}

/* Rebuild the rows from the source, keeping the highlighted device. */
static void
rebuild(struct tui *t, const char *keep)
{
	struct port_state *s = state(t);
	char labels[MAX_DEVICES][160], id[10];
	const char *ptrs[MAX_DEVICES];
	const struct detect_list *l = t->source != NULL ? tui_source_devices(t->source) : NULL;
	char *keep_copy = keep != NULL ? strdup(keep) : NULL;
	int select = 0;

	clear_rows(s);
	for (size_t i = 0; l != NULL && i < l->n && s->n < MAX_DEVICES; i++) {
		const struct detect_device *d = &l->items[i];
		const char *what = d->product != NULL ? d->product :
				   d->manufacturer != NULL ? d->manufacturer : "USB device";

		if (!detect_device_is_listed(d, false))
			continue;
		snprintf(labels[s->n], sizeof labels[s->n], "%c %-34.34s %s  %s",
			 d->problem != NULL ? '!' : matches(t, d) ? '*' : ' ', what,
			 catalog_usb_id_str(d->usb_id, id),
			 d->port != NULL ? d->port : d->bus_path != NULL ? d->bus_path : "");
		ptrs[s->n] = labels[s->n];
		if (keep_copy != NULL && strcmp(keep_copy, d->key) == 0)
			select = (int)s->n;
		s->keys[s->n++] = strdup(d->key);
	}
	free(keep_copy);
	tui_list_init(&s->list, ptrs, s->n);
	tui_list_select(&s->list, select);
	if (!t->too_small)
		place(s);
}

/* Select the one matching device, if there is exactly one. */
static bool
auto_select(struct tui *t)
{
	struct port_state *s = state(t);
	int found = -1, count = 0;

	for (size_t i = 0; i < s->n; i++) {
		const struct detect_device *d = find(t, s->keys[i]);

		if (d != NULL && matches(t, d)) {
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
}

static void
layout(struct tui *t)
{
	place(state(t));
}

static void
draw_details(const struct tui *t, const struct detect_device *d, int y)
{
	struct tui_text text;
	char id[10];
	int h = tui_body_rows() - (y - tui_body_top());

	tui_text_init(&text, COLS - 4);
	tui_text_addf(&text, TUI_ROLE_NORMAL, "%s %s, USB ID %s%s%s",
		      d->manufacturer != NULL ? d->manufacturer : "",
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
	if (d->problem != NULL)
		tui_text_add(&text, TUI_ROLE_ERROR, 2, d->problem);
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
	if (s->n == 0) {
		tui_put(tui_body_top() + 3, 4, COLS - 6, TUI_ROLE_DIM,
			"Waiting for the programmer... plug it in now.");
		return;
	}
	tui_put(tui_body_top() + 2, 2, COLS - 4, TUI_ROLE_DIM,
		"  * your programmer   ! needs attention");
	if (d != NULL)
		draw_details(t, d, tui_body_top() + 4 + LIST_ROWS);
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
		"another program such as ModemManager holding the port) and what to do.",
	.keys = "Up/Down choose  Enter use it  Esc back",
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
	.event = event,
};
