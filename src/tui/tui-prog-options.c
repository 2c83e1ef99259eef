/*
 * tui-prog-options.c - the programmer's options in the wizard (o on the
 * programmer step): the driver's own option table (job_programmer_options,
 * avrdude's -x: the Bus Pirate's reset=cs|aux, pullups, nopower, speed=...),
 * each a switch or a choice of its listed words, and a bit-clock limit that
 * applies to every programmer (the job steps SCK down from there).  The
 * choices go into struct tui (driver_opts, max_sck_hz), which every plan
 * the wizard builds takes, so the avrdude command in the review shows them.
 * Options that take a free value (NAME=VALUE) are listed with their help
 * but set only from the command line's -x.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The bit-clock limits offered, fastest first; 0 is "as fast as it goes". */
static const uint32_t clocks[] = { 0, 2000000, 1000000, 500000, 250000, 125000,
				   62500, 32000, 16000, 8000 };
#define N_CLOCKS (sizeof clocks / sizeof clocks[0])

static const char *
clock_text(uint32_t hz, char *buf, size_t size)
{
	if (hz == 0)
		snprintf(buf, size, "automatic (the fastest the chip answers)");
	else if (hz >= 1000000u)
		snprintf(buf, size, "at most %g MHz", hz / 1e6);
	else
		snprintf(buf, size, "at most %g kHz", hz / 1e3);
	return buf;
}

/* One option spec "name=a|b  help" or "name  help" into its parts. */
static void
parse_spec(const char *spec, struct tui_prog_option *o)
{
	const char *gap = strstr(spec, "  "), *eq;
	size_t len = gap != NULL ? (size_t)(gap - spec) : strlen(spec);

	memset(o, 0, sizeof o[0]);
	o->help = gap != NULL ? gap + 2 : "";
	eq = memchr(spec, '=', len);
	snprintf(o->name, sizeof o->name, "%.*s", (int)(eq != NULL ? (size_t)(eq - spec) : len),
		 spec);
	if (eq == NULL) {
		o->kind = TUI_OPT_SWITCH;
		return;
	}
	snprintf(o->words, sizeof o->words, "%.*s", (int)(len - (size_t)(eq + 1 - spec)), eq + 1);
	/* Capitals name a value the driver reads itself: no list to offer. */
	o->kind = o->words[0] >= 'A' && o->words[0] <= 'Z' ? TUI_OPT_VALUE : TUI_OPT_CHOICE;
	if (o->kind == TUI_OPT_CHOICE)
		for (char *p = o->words; *p != '\0'; p++)
			if (*p == '|')
				o->n_words++;
	if (o->kind == TUI_OPT_CHOICE)
		o->n_words++;
}

/* Word i of a choice ("cs|aux", 1 -> "aux") into buf. */
static const char *
word(const struct tui_prog_option *o, int i, char *buf, size_t size)
{
	const char *p = o->words;

	for (int k = 0; k < i && p != NULL; k++)
		if ((p = strchr(p, '|')) != NULL)
			p++;
	if (p == NULL)
		return "";
	snprintf(buf, size, "%.*s", (int)strcspn(p, "|"), p);
	return buf;
}

void
tui_prog_options_open(struct tui_prog_options *e, const struct tui *t)
{
	const char *const *help = job_programmer_options(t->programmer);
	char w[64];

	memset(e, 0, sizeof *e);
	for (size_t i = 0; help != NULL && help[i] != NULL && e->n < TUI_PROG_OPTIONS_MAX; i++)
		parse_spec(help[i], &e->opts[e->n++]);
	/* What is set now: "-1" is "not given" (the driver's default). */
	for (size_t i = 0; i < e->n; i++) {
		struct tui_prog_option *o = &e->opts[i];

		o->choice = -1;
		for (size_t k = 0; k < t->n_driver_opts; k++) {
			const char *v = t->driver_opt[k];
			size_t n = strlen(o->name);

			if (strncmp(v, o->name, n) != 0 || (v[n] != '\0' && v[n] != '='))
				continue;
			if (o->kind == TUI_OPT_SWITCH)
				o->choice = 0;
			for (int j = 0; o->kind == TUI_OPT_CHOICE && j < o->n_words; j++)
				if (strcmp(word(o, j, w, sizeof w), v + n + 1) == 0)
					o->choice = j;
			if (o->kind == TUI_OPT_VALUE)
				snprintf(o->value, sizeof o->value, "%s", v + n + 1);
		}
	}
	for (size_t c = 0; c < N_CLOCKS; c++)
		if (clocks[c] == t->max_sck_hz)
			e->clock = c;
	e->open = true;
}

bool
tui_prog_options_action(struct tui_prog_options *e, struct tui *t, enum tui_action a)
{
	size_t rows = e->n + 1;   /* the options, then the bit clock */

	switch (a) {
	case TUI_ACT_UP:
		if (e->sel > 0)
			e->sel--;
		return false;
	case TUI_ACT_DOWN:
		if (e->sel + 1 < rows)
			e->sel++;
		return false;
	case TUI_ACT_LEFT:
	case TUI_ACT_RIGHT:
	case TUI_ACT_TAB: {
		int dir = a == TUI_ACT_LEFT ? -1 : 1;

		if (e->sel == e->n) {
			e->clock = (e->clock + N_CLOCKS + (size_t)(dir > 0 ? 1 : N_CLOCKS - 1)) %
				   N_CLOCKS;
		} else {
			struct tui_prog_option *o = &e->opts[e->sel];
			/* Off (-1), then each word, round again. */
			int span = o->kind == TUI_OPT_SWITCH ? 2 : o->kind == TUI_OPT_CHOICE ?
				   o->n_words + 1 : 0;

			if (span > 0)
				o->choice = (o->choice + 1 + span + dir) % span - 1;
		}
		return false;
	}
	case TUI_ACT_NEXT: {
		char w[64];

		t->n_driver_opts = 0;
		for (size_t i = 0; i < e->n && t->n_driver_opts < TUI_PROG_OPTIONS_MAX; i++) {
			const struct tui_prog_option *o = &e->opts[i];
			char *dst = t->driver_opt[t->n_driver_opts];

			if (o->kind == TUI_OPT_SWITCH && o->choice == 0)
				snprintf(dst, sizeof t->driver_opt[0], "%s", o->name);
			else if (o->kind == TUI_OPT_CHOICE && o->choice >= 0)
				snprintf(dst, sizeof t->driver_opt[0], "%s=%s", o->name,
					 word(o, o->choice, w, sizeof w));
			else if (o->kind == TUI_OPT_VALUE && o->value[0] != '\0')
				snprintf(dst, sizeof t->driver_opt[0], "%s=%s", o->name, o->value);
			else
				continue;
			t->driver_opt_ptr[t->n_driver_opts] = dst;
			t->n_driver_opts++;
		}
		t->max_sck_hz = clocks[e->clock];
		e->open = false;
		return true;
	}
	case TUI_ACT_BACK:
		e->open = false;
		return true;
	default:
		return false;
	}
}

void
tui_prog_options_draw(const struct tui_prog_options *e, const struct tui *t,
		      int y, int x, int h, int w)
{
	char line[300], buf[64], v[80];
	struct tui_text text;
	int row = y + 2;

	tui_putf(y, x, w, TUI_ROLE_HEADING, "Options of the %s", t->programmer->name);
	tui_put(y + 1, x, w, TUI_ROLE_DIM, "Up/Down option  Left/Right value  Enter use "
		"these  Esc cancel");
	if (e->n == 0)
		tui_put(row++, x, w, TUI_ROLE_DIM, "  Its driver takes no -x options.");
	for (size_t i = 0; i < e->n && row < y + h - 5; i++, row++) {
		const struct tui_prog_option *o = &e->opts[i];

		if (o->kind == TUI_OPT_SWITCH)
			snprintf(v, sizeof v, "%s", o->choice == 0 ? "on" : "off (default)");
		else if (o->kind == TUI_OPT_CHOICE)
			snprintf(v, sizeof v, "%s", o->choice >= 0 ? word(o, o->choice, buf,
				 sizeof buf) : "not given (the driver's default)");
		else
			snprintf(v, sizeof v, "%s", o->value[0] != '\0' ? o->value :
				 "set with -x on the command line");
		snprintf(line, sizeof line, "%s -x %-10s %s", i == e->sel ? ">" : " ", o->name, v);
		tui_put(row, x, w, i == e->sel ? TUI_ROLE_SELECTED : TUI_ROLE_NORMAL, line);
	}
	snprintf(line, sizeof line, "%s bit clock     %s", e->sel == e->n ? ">" : " ",
		 clock_text(clocks[e->clock], buf, sizeof buf));
	tui_put(row++, x, w, e->sel == e->n ? TUI_ROLE_SELECTED : TUI_ROLE_NORMAL, line);
	tui_text_init(&text, w);
	if (e->sel < e->n)
		tui_text_add(&text, TUI_ROLE_DIM, 0, e->opts[e->sel].help);
	else
		tui_text_add(&text, TUI_ROLE_DIM, 0, "The fastest ISP clock (SCK) to try; the "
			     "job steps down from there until the chip answers. A limit helps "
			     "with long wires or a slow target clock.");
	tui_text_draw(&text, row + 1, x, y + h - row - 1, w);
	tui_text_clear(&text);
}
