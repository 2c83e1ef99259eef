/*
 * tui.c - the frame, moving between steps, the overlays (help, yes/no),
 * and the running job as the screens see it.  The poll() loop and the
 * terminal's life cycle are in tui-run.c.
 */
#include "tui/tui-int.h"
#include "core/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


int
tui_body_top(void)
{
	return TUI_BODY_TOP;
}

int
tui_body_rows(void)
{
	return LINES - TUI_BODY_TOP - TUI_FOOTER_ROWS;
}

int
tui_body_rows_from(int y)
{
	return tui_body_rows() - (y - tui_body_top());
}

void
tui_message(struct tui *t, enum tui_role role, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->message, sizeof t->message, fmt, ap);
	va_end(ap);
	t->message_role = role;
	if (t->message[0] != '\0')
		tui_log(t, "%s: %s", tui_current(t)->name, t->message);
	t->dirty = true;
}

void
tui_set_timer(struct tui *t, int ms)
{
	t->timer_at_ms = ms < 0 ? 0 : (long long)iw_clock_ms() + ms;
}

/* --- screens and their data ------------------------------------------------------ */

const struct tui_screen *
tui_current(const struct tui *t)
{
	return t->screens[t->cur];
}

bool
tui_screens_alloc(struct tui *t)
{
	if ((t->data = calloc(t->n_screens, sizeof *t->data)) == NULL)
		return false;
	for (size_t i = 0; i < t->n_screens; i++)
		if (t->screens[i]->data_size > 0 &&
		    (t->data[i] = calloc(1, t->screens[i]->data_size)) == NULL)
			return false;
	return true;
}

void
tui_screens_free(struct tui *t)
{
	if (t->data == NULL)
		return;
	for (size_t i = 0; i < t->n_screens; i++)
		free(t->data[i]);
	free(t->data);
	t->data = NULL;
}

void *
tui_screen_data(const struct tui *t, const struct tui_screen *screen)
{
	for (size_t i = 0; i < t->n_screens; i++)
		if (t->screens[i] == screen)
			return t->data[i];
	return NULL;
}

/* --- steps --------------------------------------------------------------------- */

static bool
applies(const struct tui *t, size_t i)
{
	return t->screens[i]->applies == NULL || t->screens[i]->applies(t);
}

static void
switch_to(struct tui *t, size_t i)
{
	const struct tui_screen *old = tui_current(t);

	if (old->leave != NULL)
		old->leave(t);
	t->cur = i;
	t->message[0] = '\0';
	t->timer_at_ms = 0;
	tui_log(t, "step: %s", tui_current(t)->name);
	if (tui_current(t)->enter != NULL)
		tui_current(t)->enter(t);
	if (!t->too_small && tui_current(t)->layout != NULL)
		tui_current(t)->layout(t);
	t->dirty = true;
}

void
tui_next(struct tui *t)
{
	for (size_t i = t->cur + 1; i < t->n_screens; i++)
		if (applies(t, i)) {
			switch_to(t, i);
			return;
		}
}

void
tui_back(struct tui *t)
{
	for (size_t i = t->cur; i-- > 0;)
		if (applies(t, i)) {
			switch_to(t, i);
			return;
		}
}

void
tui_goto(struct tui *t, const struct tui_screen *s)
{
	for (size_t i = 0; i < t->n_screens; i++)
		if (t->screens[i] == s) {
			switch_to(t, i);
			return;
		}
}

/* --- the frame ----------------------------------------------------------------- */

static void
draw_steps(const struct tui *t)
{
	int x = 1;

	for (size_t i = 0; i < t->n_screens; i++) {
		const char *name = t->screens[i]->name;
		enum tui_role role = i < t->cur ? TUI_ROLE_STEP_DONE :
				     i == t->cur ? TUI_ROLE_STEP_NOW : TUI_ROLE_STEP_TODO;

		if (!applies(t, i))
			continue;
		if (x + tui_width(name) + 1 > COLS)
			break;
		tui_put(1, x, COLS - x, role, name);
		x += tui_width(name) + 1;
	}
}

static void
draw_frame(const struct tui *t)
{
	const struct tui_screen *s = tui_current(t);
	size_t step = 0, steps = 0;
	char hints[256];
	const char *keys;

	for (size_t i = 0; i < t->n_screens; i++) {
		if (!applies(t, i))
			continue;
		steps++;
		if (i <= t->cur)
			step++;
	}
	tui_putf(0, 0, COLS, TUI_ROLE_TITLE, " ispwiz - step %zu of %zu: %s", step, steps,
		 s->name);
	if (t->opt->demo)
		tui_put(0, COLS - 24, 22, TUI_ROLE_WARNING, "DEMO: nothing is real");
	draw_steps(t);
	attrset(tui_attr(TUI_ROLE_DIM));
	mvhline(2, 0, ACS_HLINE, COLS);
	attrset(A_NORMAL);
	if (tui_width(t->message) > COLS - 2) {
		/* Cut with the mark, and the whole of it one key away. */
		char cut[600];

		tui_cut(cut, sizeof cut, t->message, COLS - 2 - 16);
		tui_putf(LINES - 2, 1, COLS - 2, t->message_role, "%s (F1: all of it)", cut);
	} else {
		tui_put(LINES - 2, 1, COLS - 2, t->message_role, t->message);
	}
	keys = s->keys_now != NULL ? s->keys_now(t) : NULL;
	if (keys == NULL)
		keys = s->keys != NULL ? s->keys : "";
	/* In a text field ? and q are typed: the hints say what works there. */
	if (s->text_focus != NULL && s->text_focus(t))
		snprintf(hints, sizeof hints, "%s  Ctrl-U clear  F1 help", keys);
	else
		snprintf(hints, sizeof hints, "%s  ? help  q quit", keys);
	/* Too long for the window: the screen's own keys stay whole, and "q
	 * quit" goes first (the help says that q quits). */
	if (tui_width(hints) > COLS - 2 && (s->text_focus == NULL || !s->text_focus(t)))
		snprintf(hints, sizeof hints, "%s  ? help", keys);
	tui_put(LINES - 1, 1, COLS - 2, TUI_ROLE_KEY, hints);
}

static void
draw_too_small(void)
{
	int y = LINES / 2 - 1;

	if (y < 0)
		y = 0;
	tui_put(y, 0, COLS, TUI_ROLE_WARNING, "The window is too small.");
	tui_putf(y + 1, 0, COLS, TUI_ROLE_NORMAL, "Make the window at least %dx%d "
		 "(now %dx%d).", TUI_MIN_COLS, TUI_MIN_LINES, COLS, LINES);
	tui_put(y + 2, 0, COLS, TUI_ROLE_DIM, "q quits");
}

/* --- overlays ------------------------------------------------------------------ */

static WINDOW *
centered_box(int h, int w)
{
	if (h > LINES - 2)
		h = LINES - 2;
	if (w > COLS - 4)
		w = COLS - 4;
	return newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
}

static void
close_help(struct tui *t)
{
	if (t->help_panel != NULL)
		del_panel(t->help_panel);
	if (t->help_win != NULL)
		delwin(t->help_win);
	t->help_panel = NULL;
	t->help_win = NULL;
	t->dirty = true;
}

static void
fill_help(struct tui *t)
{
	struct tui_text text;
	int h, w;

	getmaxyx(t->help_win, h, w);
	werase(t->help_win);
	wattrset(t->help_win, tui_attr(TUI_ROLE_DIALOG));
	box(t->help_win, 0, 0);
	mvwprintw(t->help_win, 0, 2, " Help: %s ", tui_current(t)->name);
	wattrset(t->help_win, A_NORMAL);
	tui_text_init(&text, w - 4);
	if (t->help_message[0] != '\0') {
		/* The message line, whole, when it was too long for its row:
		 * first, because it is what F1 was pressed for. */
		tui_text_add(&text, t->message_role, 0, t->help_message);
		tui_text_add(&text, TUI_ROLE_NORMAL, 0, "");
	}
	tui_text_add(&text, TUI_ROLE_NORMAL, 0, tui_current(t)->help);
	tui_text_add(&text, TUI_ROLE_NORMAL, 0, "");
	if (tui_current(t)->text_focus != NULL && tui_current(t)->text_focus(t))
		tui_text_add(&text, TUI_ROLE_DIM, 0, "Keys: a text field has the cursor, so "
			     "letters, ?, j, k and q are typed into it; Backspace erases, "
			     "Ctrl-U clears the field, F1 shows this help, Esc goes back a step.");
	else
		tui_text_add(&text, TUI_ROLE_DIM, 0, "Keys: arrows or j/k move, Enter goes on, "
			     "Esc or Backspace goes back a step, q quits (it asks first while "
			     "the chip is being written), ? or F1 shows this help.");
	for (size_t i = 0; i < text.n && (int)i < h - 3; i++) {
		bool cut = text.n > (size_t)(h - 3) && (int)i == h - 4;

		wattrset(t->help_win, tui_attr(cut ? TUI_ROLE_DIM : text.lines[i].role));
		mvwaddnstr(t->help_win, 1 + (int)i, 2, cut ? "... (more than the window "
			   "holds: make it taller to read the rest)" : text.lines[i].text, w - 4);
	}
	wattrset(t->help_win, tui_attr(TUI_ROLE_KEY));
	mvwaddstr(t->help_win, h - 2, 2, "Press any key to close this help.");
	wattrset(t->help_win, A_NORMAL);
	tui_text_clear(&text);
}

static void
open_help(struct tui *t)
{
	struct tui_text text;
	int lines;

	close_help(t);
	/* As tall as the text (the same wrapping fill_help does), no taller. */
	tui_text_init(&text, 68);
	tui_text_add(&text, TUI_ROLE_NORMAL, 0, tui_current(t)->help);
	snprintf(t->help_message, sizeof t->help_message, "%s",
		 tui_width(t->message) > COLS - 2 ? t->message : "");
	if (t->help_message[0] != '\0')
		tui_text_add(&text, TUI_ROLE_NORMAL, 0, t->help_message);
	lines = (int)text.n + 10;
	tui_text_clear(&text);
	if ((t->help_win = centered_box(lines < LINES - 4 ? lines : LINES - 4, 72)) == NULL)
		return;
	t->help_panel = new_panel(t->help_win);
	fill_help(t);
	t->dirty = true;
}

static void
close_ask(struct tui *t)
{
	if (t->ask_panel != NULL)
		del_panel(t->ask_panel);
	if (t->ask_win != NULL)
		delwin(t->ask_win);
	t->ask_panel = NULL;
	t->ask_win = NULL;
	t->ask_yes = NULL;
	t->dirty = true;
}

static void
fill_ask(struct tui *t)
{
	struct tui_text text;
	int h, w;

	getmaxyx(t->ask_win, h, w);
	werase(t->ask_win);
	wattrset(t->ask_win, tui_attr(TUI_ROLE_WARNING));
	box(t->ask_win, 0, 0);
	mvwaddstr(t->ask_win, 0, 2, " Are you sure? ");
	wattrset(t->ask_win, A_NORMAL);
	tui_text_init(&text, w - 4);
	tui_text_add(&text, TUI_ROLE_NORMAL, 0, t->ask_text);
	for (size_t i = 0; i < text.n && (int)i < h - 4; i++)
		mvwaddnstr(t->ask_win, 1 + (int)i, 2, text.lines[i].text, w - 4);
	wattrset(t->ask_win, tui_attr(TUI_ROLE_KEY));
	mvwaddstr(t->ask_win, h - 2, 2, "y yes    n or Esc no");
	wattrset(t->ask_win, A_NORMAL);
	tui_text_clear(&text);
}

static void
place_ask(struct tui *t)
{
	if (t->ask_panel != NULL)
		del_panel(t->ask_panel);
	if (t->ask_win != NULL)
		delwin(t->ask_win);
	t->ask_panel = NULL;
	if ((t->ask_win = centered_box(8, 66)) == NULL)
		return;
	t->ask_panel = new_panel(t->ask_win);
	fill_ask(t);
}

void
tui_ask(struct tui *t, tui_yes_fn on_yes, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t->ask_text, sizeof t->ask_text, fmt, ap);
	va_end(ap);
	place_ask(t);
	t->ask_yes = on_yes;
	tui_log(t, "asked: %s", t->ask_text);
	t->dirty = true;
}

/* --- drawing and keys, called from the loop ---------------------------------------- */

void
tui_draw(struct tui *t)
{
	const struct tui_screen *s = tui_current(t);
	bool cursor = false;

	erase();
	if (t->too_small) {
		draw_too_small();
		wnoutrefresh(stdscr);
		curs_set(0);
		doupdate();
		return;
	}
	draw_frame(t);
	if (s->draw != NULL)
		s->draw(t);
	wnoutrefresh(stdscr);
	if (s->paint != NULL)
		s->paint(t);
	cursor = s->text_focus != NULL && s->text_focus(t);
	if (t->help_win != NULL || t->ask_win != NULL) {
		if (t->help_win != NULL)
			touchwin(t->help_win);
		if (t->ask_win != NULL) {
			touchwin(t->ask_win);
			top_panel(t->ask_panel);
		}
		update_panels();
		cursor = false;
	}
	/* The cursor shows only where typing goes: the focused field, which
	 * paint() refreshed last. */
	curs_set(cursor ? 1 : 0);
	doupdate();
	t->dirty = false;
	t->last_draw_ms = (long long)iw_clock_ms();
}

void
tui_relayout(struct tui *t)
{
	t->too_small = LINES < TUI_MIN_LINES || COLS < TUI_MIN_COLS;
	tui_log(t, "terminal is %dx%d%s", COLS, LINES, t->too_small ? " (too small)" : "");
	if (!t->too_small) {
		if (tui_current(t)->layout != NULL)
			tui_current(t)->layout(t);
		if (t->help_win != NULL)
			open_help(t);
		if (t->ask_win != NULL)
			place_ask(t);
	}
	clearok(curscr, TRUE);
	t->dirty = true;
}

void
tui_key(struct tui *t, int ch)
{
	const struct tui_screen *s = tui_current(t);
	enum tui_action a;

	if (ch == KEY_RESIZE) {
		tui_relayout(t);
		return;
	}
	t->dirty = true;
	if (t->help_win != NULL) {
		close_help(t);
		return;
	}
	if (t->ask_win != NULL) {
		a = tui_key_action(ch, false);
		if (a == TUI_ACT_YES) {
			tui_yes_fn fn = t->ask_yes;

			tui_log(t, "answered: yes");
			close_ask(t);
			if (fn != NULL)
				fn(t);
		} else if (a == TUI_ACT_NO || a == TUI_ACT_BACK || a == TUI_ACT_NEXT ||
			   a == TUI_ACT_QUIT) {
			tui_log(t, "answered: no");
			close_ask(t);
		}
		return;
	}
	a = tui_key_action(ch, !t->too_small && s->text_focus != NULL && s->text_focus(t));
	switch (a) {
	case TUI_ACT_NONE:
		return;
	case TUI_ACT_REDRAW:
		clearok(curscr, TRUE);
		return;
	case TUI_ACT_QUIT:
		tui_request_quit(t);
		return;
	case TUI_ACT_HELP:
		if (!t->too_small)
			open_help(t);
		return;
	default:
		break;
	}
	if (!t->too_small && s->action != NULL)
		s->action(t, a, ch);
}

/* --- quitting --------------------------------------------------------------------- */

static void
quit_during_job(struct tui *t)
{
	if (!tui_job_running(t)) {
		/* It ended while the question was open. */
		t->quit = true;
		return;
	}
	tui_job_cancel(t);
	t->quit_after_job = true;
	tui_message(t, TUI_ROLE_WARNING, "Stopping at the next safe point, then quitting...");
}

void
tui_request_quit(struct tui *t)
{
	if (tui_job_running(t) && !job_plan_changes_chip(&t->job_plan)) {
		/* A probe, read or download: nothing to lose by stopping it. */
		tui_job_cancel(t);
		t->quit_after_job = true;
		tui_message(t, TUI_ROLE_NORMAL, "Stopping the %s, then quitting...",
			    t->job_plan.kind == JOB_KIND_FETCH ? "download" : "read");
		return;
	}
	if (tui_job_running(t)) {
		tui_ask(t, quit_during_job, "Quit now? The chip is being worked on: the "
			"job stops at the next safe point first, and a fuse write that has "
			"started always finishes. The chip may be left without a bootloader.");
		return;
	}
	t->quit = true;
}

/* --- the job ------------------------------------------------------------------------ */

bool
tui_job_running(const struct tui *t)
{
	return t->job != NULL;
}

void
tui_job_cancel(struct tui *t)
{
	if (t->job != NULL) {
		tui_log(t, "job: cancel requested");
		job_cancel(t->job);
	}
}

bool
tui_job_start(struct tui *t, const struct job_plan *plan, struct job_result *dest)
{
	struct iw_error err;
	char cmd[2048];

	if (t->job != NULL)
		return false;
	iw_error_clear(&err);
	t->job_plan = *plan;
	if (t->demo != NULL)
		demo_apply(t->demo, &t->job_plan);
	if (job_start(&t->job_plan, &t->job, &err) != IW_OK) {
		tui_message(t, TUI_ROLE_ERROR, "%s", err.msg);
		return false;
	}
	t->job_dest = dest;
	tui_log(t, "job: started (%s)", job_plan_avrdude_command(plan, cmd, sizeof cmd));
	return true;
}
