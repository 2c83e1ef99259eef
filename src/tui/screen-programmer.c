/* screen-programmer.c - step 2: which programmer, from the catalog, with a
 * line on what each is. */
#include "tui/tui-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PROGRAMMERS 64

struct programmer_state {
	struct tui_list list;
	const struct catalog_programmer *progs[MAX_PROGRAMMERS];
	size_t n;
	int list_rows;
	struct tui_prog_options options;   /* o: the highlighted one's options */
};

static struct programmer_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_programmer);
}

static bool
is_sim(const struct catalog_programmer *p)
{
	return p->transport == CATALOG_TRANSPORT_SIM;
}

static void
enter(struct tui *t)
{
	struct programmer_state *s = state(t);
	char labels[MAX_PROGRAMMERS][128];
	const char *ptrs[MAX_PROGRAMMERS];
	int select = 0;

	memset(s, 0, sizeof *s);
	/* The demo has only the simulator behind its port list, so it comes
	 * first there; real sessions never see it. */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < t->cat->n_programmers && s->n < MAX_PROGRAMMERS; i++) {
			const struct catalog_programmer *p = &t->cat->programmers[i];

			if (is_sim(p) != (pass == 0) || (is_sim(p) && !t->opt->demo))
				continue;
			if (p == t->programmer)
				select = (int)s->n;
			s->progs[s->n++] = p;
		}
	for (size_t i = 0; i < s->n; i++) {
		snprintf(labels[i], sizeof labels[i], "%s", s->progs[i]->name != NULL ?
			 s->progs[i]->name : s->progs[i]->id);
		ptrs[i] = labels[i];
	}
	tui_list_init(&s->list, ptrs, s->n);
	tui_list_select(&s->list, select);
}

static void
leave(struct tui *t)
{
	struct programmer_state *s = state(t);

	tui_list_free(&s->list);
}

static void
layout(struct tui *t)
{
	struct programmer_state *s = state(t);
	/* The list takes the height that the description below leaves. */
	int rows = tui_list_rows_for(s->n, tui_body_rows() - 9);

	s->list_rows = rows;
	tui_list_place(&s->list, tui_body_top() + 2, 2, rows, COLS - 4);
	tui_list_log(t, &s->list, "programmers");
}

static const struct catalog_programmer *
highlighted(const struct programmer_state *s)
{
	int i = tui_list_index(&s->list);

	return i >= 0 && (size_t)i < s->n ? s->progs[i] : NULL;
}

static void
draw(struct tui *t)
{
	struct programmer_state *s = state(t);
	const struct catalog_programmer *p = highlighted(s);
	struct tui_text text;
	int y = tui_body_top() + 3 + s->list_rows;

	if (s->options.open) {
		tui_prog_options_draw(&s->options, t, tui_body_top() + 1, 2,
				      tui_body_rows() - 1, COLS - 4);
		return;
	}
	tui_put(tui_body_top() + 1, 2, COLS - 4, TUI_ROLE_HEADING,
		"Which programmer will you use?");
	if (p == NULL)
		return;
	tui_text_init(&text, COLS - 4);
	tui_text_add(&text, TUI_ROLE_NORMAL, 0, p->description != NULL ? p->description : "");
	tui_text_addf(&text, TUI_ROLE_DIM, "avrdude calls it -c %s; it connects over %s.",
		      p->avrdude_id != NULL ? p->avrdude_id : "?",
		      catalog_transport_name(p->transport));
	if (p->firmware != NULL)
		tui_text_add(&text, TUI_ROLE_WARNING, 2, "It needs ISP firmware of its own; "
			     "the next step says where to get it.");
	if (p->limit_note != NULL)
		tui_text_add(&text, TUI_ROLE_WARNING, 2, p->limit_note);
	if (p == t->programmer && (t->n_driver_opts > 0 || t->max_sck_hz != 0)) {
		char line[600];
		size_t used = (size_t)snprintf(line, sizeof line, "Options set:");

		for (size_t i = 0; i < t->n_driver_opts && used < sizeof line; i++)
			used += (size_t)snprintf(line + used, sizeof line - used, " -x %s",
						 t->driver_opt[i]);
		if (t->max_sck_hz != 0 && used < sizeof line)
			snprintf(line + used, sizeof line - used, " bit clock at most %u kHz",
				 (unsigned)(t->max_sck_hz / 1000u));
		tui_text_add(&text, TUI_ROLE_INFO, 2, line);
	}
	tui_text_draw(&text, y, 2, tui_body_rows_from(y), COLS - 4);
	tui_text_clear(&text);
}

static void
paint(struct tui *t)
{
	struct programmer_state *s = state(t);

	if (!s->options.open)
		tui_list_refresh(&s->list);
}

/* Another programmer than before: the port and the options chosen for the
 * old one no longer apply. */
static void
choose(struct tui *t, const struct catalog_programmer *p)
{
	if (t->programmer == p)
		return;
	detect_device_clear(&t->port_dev);
	t->have_port = false;
	t->port = NULL;
	t->n_driver_opts = 0;
	t->max_sck_hz = 0;
	t->programmer = p;
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct programmer_state *s = state(t);
	const struct catalog_programmer *p = highlighted(s);

	(void)ch;
	if (s->options.open) {
		if (tui_prog_options_action(&s->options, t, a))
			tui_log(t, "programmer options: %zu -x, bit clock %u Hz",
				t->n_driver_opts, (unsigned)t->max_sck_hz);
		return;
	}
	if (a == TUI_ACT_OPTIONS && p != NULL) {
		choose(t, p);
		tui_prog_options_open(&s->options, t);
		return;
	}
	if (tui_list_action(&s->list, a))
		return;
	if (a == TUI_ACT_BACK) {
		tui_back(t);
	} else if (a == TUI_ACT_NEXT && p != NULL) {
		if (t->opt->demo && !is_sim(p)) {
			tui_message(t, TUI_ROLE_WARNING, "The demo has only the simulated "
				    "programmer; run ispwiz without --demo for real hardware.");
			return;
		}
		choose(t, p);
		tui_log(t, "programmer: %s", p->id);
		tui_next(t);
	}
}

const struct tui_screen tui_screen_programmer = {
	.name = "Programmer",
	.data_size = sizeof(struct programmer_state),
	.help = "Choose the ISP programmer you have. The line under the list says what "
		"each one is. A Pro Micro or Teensy 2.0 works as a programmer once it "
		"runs QMK's ISP firmware. The USBtinyISP also reaches parts with more "
		"than 64 KiB of flash (AT90USB128x), but reads them back more slowly. "
		"o shows the highlighted programmer's options (avrdude's -x, from its "
		"driver's own table, such as the Bus Pirate's reset=aux, nopower and "
		"pullups) and a limit on the ISP bit clock for any programmer.",
	.keys = "Up/Down choose  o options  Enter select  Esc back",
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
};
