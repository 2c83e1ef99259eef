/*
 * tui-text.c - drawing text: cut to a width, word-wrapped into a scrolling
 * box, and progress bars.  Widths count UTF-8 code points: the catalog's
 * prose has dashes and arrows but no double-width characters.
 */
#include "tui/tui-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <langinfo.h>

/* Bytes of the first `cols` code points of s. */
static size_t
bytes_for_cols(const char *s, int cols)
{
	size_t i = 0;

	for (int c = 0; s[i] != '\0' && c < cols; c++) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

int
tui_width(const char *s)
{
	int w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

/* The mark at the end of a cut value: an ellipsis where the terminal
 * speaks UTF-8, else a plain "~" (one column either way). */
static const char *
cut_mark(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0) ?
	       "\u2026" : "~";
}

void
tui_put(int y, int x, int w, enum tui_role role, const char *s)
{
	if (w <= 0 || y < 0 || y >= LINES)
		return;
	attrset(tui_attr(role));
	if (tui_width(s) <= w) {
		mvaddstr(y, x, s);
	} else {
		/* Never cut a value silently: the mark says there is more, and
		 * the screen shows the whole value one key away. */
		mvaddnstr(y, x, s, (int)bytes_for_cols(s, w - 1));
		addstr(cut_mark());
	}
	attrset(A_NORMAL);
}

void
tui_cut(char *dst, size_t size, const char *s, int w)
{
	size_t n;

	if (size == 0)
		return;
	if (w <= 0) {
		dst[0] = '\0';
		return;
	}
	if (tui_width(s) <= w) {
		snprintf(dst, size, "%s", s);
		return;
	}
	n = bytes_for_cols(s, w - 1);
	snprintf(dst, size, "%.*s%s", (int)n, s, cut_mark());
}

void
tui_putf(int y, int x, int w, enum tui_role role, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tui_put(y, x, w, role, buf);
}

void
tui_bar(int y, int x, int w, uint32_t done, uint32_t total)
{
	int inner = w - 2, fill;

	if (inner < 1)
		return;
	fill = total > 0 ? (int)((uint64_t)(done > total ? total : done) * (unsigned)inner / total) : 0;
	mvaddch(y, x, '[');
	attrset(tui_attr(TUI_ROLE_BAR));
	for (int i = 0; i < fill; i++)
		addch('#');
	attrset(tui_attr(TUI_ROLE_DIM));
	for (int i = fill; i < inner; i++)
		addch('.');
	attrset(A_NORMAL);
	addch(']');
}

/* --- wrapped lines ------------------------------------------------------------ */

void
tui_text_init(struct tui_text *t, int width)
{
	memset(t, 0, sizeof *t);
	t->width = width > 10 ? width : 10;
}

void
tui_text_clear(struct tui_text *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->lines[i].text);
	free(t->lines);
	t->lines = NULL;
	t->n = t->cap = 0;
	t->top = 0;
}

static void
push(struct tui_text *t, enum tui_role role, const char *s, size_t len)
{
	struct tui_line *l;
	char *copy;

	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;

		if ((l = realloc(t->lines, cap * sizeof *l)) == NULL)
			return;   /* a line less on screen is better than a crash */
		t->lines = l;
		t->cap = cap;
	}
	if ((copy = malloc(len + 1)) == NULL)
		return;
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->lines[t->n].text = copy;
	t->lines[t->n].role = role;
	t->n++;
}

/* Whether the space at s[i] sits between a figure and its unit. */
static bool
unit_follows(const char *s, size_t i)
{
	static const char *const units[] = { "Hz", "kHz", "MHz", "KiB", "MiB", "bytes",
					     "ms", "s", "V", "%", "CK" };
	size_t len;

	if (i == 0 || s[i - 1] < '0' || s[i - 1] > '9')
		return false;
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		len = strlen(units[u]);
		if (strncmp(s + i + 1, units[u], len) == 0 &&
		    (s[i + 1 + len] == '\0' || s[i + 1 + len] == ' ' || s[i + 1 + len] == ',' ||
		     s[i + 1 + len] == '.' || s[i + 1 + len] == ')' || s[i + 1 + len] == ';' ||
		     s[i + 1 + len] == ':'))
			return true;
	}
	return false;
}

void
tui_text_add(struct tui_text *t, enum tui_role role, int indent, const char *s)
{
	char line[1024];
	/* One column stays free: a line that reaches its box's edge is one
	 * that was cut, never one that was wrapped. */
	int room = t->width - 1;
	bool first = true;

	/* Negative: a line formatted elsewhere; continue it under its own
	 * text rather than at a fixed column. */
	if (indent < 0) {
		indent = 2;
		for (const char *p = s; *p == ' '; p++)
			indent++;
	}
	if (indent >= t->width / 2)
		indent = 0;
	if (*s == '\0') {
		push(t, role, "", 0);
		return;
	}
	while (*s != '\0') {
		int lead = first ? 0 : indent;
		size_t fit = bytes_for_cols(s, room - lead), cut = fit;
		size_t used;

		if (s[fit] != '\0') {
			/* Break at the last space that fits, but not between a
			 * figure and its unit ("16 kHz"); a word longer than
			 * the line is cut where it must be. */
			size_t lead_sp = strspn(s, " ");

			while (cut > 0 && (s[cut] != ' ' || unit_follows(s, cut)))
				cut--;
			/* A break inside the line's own leading spaces would
			 * leave an empty row: cut the long word instead. */
			if (cut <= lead_sp) {
				cut = fit;
			} else {
				/* The word that would move to the next row does
				 * not fit there either: it is cut anyway, so cut
				 * it here rather than leave this row nearly empty
				 * ("Image:" alone above a long path). */
				const char *w = s + cut + strspn(s + cut, " ");
				size_t wl = strcspn(w, " ");

				if (bytes_for_cols(w, room - indent) < wl)
					cut = fit;
			}
		}
		used = (size_t)snprintf(line, sizeof line, "%*s", lead, "");
		if (used + cut >= sizeof line)
			cut = sizeof line - used - 1;
		memcpy(line + used, s, cut);
		push(t, role, line, used + cut);
		s += cut;
		while (*s == ' ')
			s++;
		first = false;
	}
}

void
tui_text_addf(struct tui_text *t, enum tui_role role, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	tui_text_add(t, role, 2, buf);
}

/* Rows of text shown in a box of h rows: when the text does not fit, the
 * last row is kept for the "more" marks, so they never cover any text. */
static size_t
rows_shown(const struct tui_text *t, int h)
{
	if (h <= 0)
		return 0;
	if (t->n <= (size_t)h || h < 2)
		return (size_t)h;
	return (size_t)h - 1;
}

static size_t
top_max(const struct tui_text *t, int h)
{
	size_t rows = rows_shown(t, h);

	return t->n > rows ? t->n - rows : 0;
}

/* A box made, drawn and dropped at once: for text that changes whenever
 * the screen does, so nothing needs to keep it. */
void
tui_text_put(int y, int h, enum tui_role role, const char *text)
{
	struct tui_text box;

	tui_text_init(&box, COLS - 4);
	tui_text_add(&box, role, 0, text);
	tui_text_draw(&box, y, 2, h, COLS - 4);
	tui_text_clear(&box);
}

void
tui_text_follow(struct tui_text *t, int h)
{
	t->top = top_max(t, h);
}

void
tui_text_draw(struct tui_text *t, int y, int x, int h, int w)
{
	size_t rows = rows_shown(t, h);
	int mx = x + w;

	if (h <= 0)
		return;
	if (t->top > top_max(t, h))
		t->top = top_max(t, h);
	for (size_t i = 0; i < rows && t->top + i < t->n; i++) {
		const struct tui_line *l = &t->lines[t->top + i];

		tui_put(y + (int)i, x, w, l->role, l->text);
	}
	if (rows == (size_t)h)
		return;
	/* Say when there is more, so nothing is silently cut off. */
	if (t->top + rows < t->n) {
		mx -= 8;
		tui_put(y + h - 1, mx, 8, TUI_ROLE_KEY, " more v ");
	}
	if (t->top > 0) {
		mx -= 8;
		tui_put(y + h - 1, mx, 8, TUI_ROLE_KEY, " more ^ ");
	}
}

bool
tui_text_scroll(struct tui_text *t, enum tui_action a, int h)
{
	size_t max = top_max(t, h);
	size_t rows = rows_shown(t, h);
	size_t page = rows > 2 ? rows - 1 : 1;

	switch (a) {
	case TUI_ACT_UP:
		if (t->top > 0)
			t->top--;
		return true;
	case TUI_ACT_DOWN:
		if (t->top < max)
			t->top++;
		return true;
	case TUI_ACT_PAGE_UP:
		t->top = t->top > page ? t->top - page : 0;
		return true;
	case TUI_ACT_PAGE_DOWN:
		t->top = t->top + page < max ? t->top + page : max;
		return true;
	case TUI_ACT_HOME:
		t->top = 0;
		return true;
	case TUI_ACT_END:
		t->top = max;
		return true;
	default:
		return false;
	}
}

/* One-page text screens: see tui-int.h.  These run as the current
 * screen's own functions, so its data is the text they show. */
struct tui_text *
tui_page_text(struct tui *t)
{
	return tui_screen_data(t, tui_current(t));
}

void
tui_page_draw(struct tui *t)
{
	tui_text_draw(tui_page_text(t), tui_body_top() + 1, 2, tui_body_rows() - 1, COLS - 4);
}

void
tui_page_action(struct tui *t, enum tui_action a, int ch)
{
	(void)ch;
	if (a == TUI_ACT_NEXT)
		tui_next(t);
	else if (a == TUI_ACT_BACK)
		tui_back(t);
	else
		tui_text_scroll(tui_page_text(t), a, tui_body_rows() - 1);
}

void
tui_page_leave(struct tui *t)
{
	tui_text_clear(tui_page_text(t));
}
