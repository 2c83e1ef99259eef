/*
 * tui-widgets.c - lists (the menu library) and text fields (the form
 * library), each in a window of its own so the frame on stdscr can be
 * redrawn without disturbing them; and shell-like path completion for
 * the file field.
 *
 * Windows are made again on every layout (resize): menus and forms can
 * only change window while unposted, so place() unposts, swaps and posts.
 */
#include "tui/tui-int.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* --- lists ---------------------------------------------------------------------- */

static void
list_colors(struct tui_list *l)
{
	if (l->menu == NULL)
		return;
	set_menu_fore(l->menu, l->focused ? tui_attr(TUI_ROLE_SELECTED) : A_BOLD);
	set_menu_back(l->menu, tui_attr(TUI_ROLE_NORMAL));
	set_menu_grey(l->menu, tui_attr(TUI_ROLE_DIM));
}

static void
free_items(struct tui_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->items != NULL && l->items[i] != NULL)
			free_item(l->items[i]);
		if (l->labels != NULL)
			free(l->labels[i]);
		if (l->items != NULL)
			l->items[i] = NULL;
		if (l->labels != NULL)
			l->labels[i] = NULL;
	}
}

/* Items from the full labels, each cut to `cols` with the ellipsis mark
 * (a menu whose items are wider than its window refuses to post). */
static bool
make_items(struct tui_list *l, int cols)
{
	char buf[512];

	free_items(l);
	for (size_t i = 0; i < l->n; i++) {
		tui_cut(buf, sizeof buf, l->full[i], cols);
		if ((l->labels[i] = strdup(buf)) == NULL ||
		    (l->items[i] = new_item(l->labels[i], "")) == NULL)
			return false;
	}
	return true;
}

bool
tui_list_init(struct tui_list *l, const char *const *labels, size_t n)
{
	memset(l, 0, sizeof *l);
	l->focused = true;
	l->full = calloc(n + 1, sizeof *l->full);
	l->labels = calloc(n + 1, sizeof *l->labels);
	l->items = calloc(n + 1, sizeof *l->items);
	if (l->full == NULL || l->labels == NULL || l->items == NULL)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		if ((l->full[i] = strdup(labels[i])) == NULL)
			goto fail;
		l->n++;
	}
	if (n > 0) {
		if (!make_items(l, 200) || (l->menu = new_menu(l->items)) == NULL)
			goto fail;
		menu_opts_off(l->menu, O_SHOWDESC);
		set_menu_mark(l->menu, "> ");
		list_colors(l);
	}
	return true;
fail:
	tui_list_free(l);
	return false;
}

void
tui_list_free(struct tui_list *l)
{
	if (l->menu != NULL) {
		unpost_menu(l->menu);
		free_menu(l->menu);
	}
	free_items(l);
	if (l->full != NULL)
		for (size_t i = 0; i < l->n; i++)
			free(l->full[i]);
	if (l->sub != NULL)
		delwin(l->sub);
	if (l->win != NULL)
		delwin(l->win);
	free(l->items);
	free(l->labels);
	free(l->full);
	memset(l, 0, sizeof *l);
}

bool
tui_list_relabel(struct tui_list *l, const char *const *labels)
{
	for (size_t i = 0; i < l->n; i++) {
		char *copy = strdup(labels[i]);

		if (copy == NULL)
			return false;
		free(l->full[i]);
		l->full[i] = copy;
	}
	return true;
}

int
tui_list_rows_for(size_t n, int room)
{
	if (room < 2)
		return room < 1 ? 1 : room;
	/* All of them, or as many as fit with a row for the "more" marks. */
	return n <= (size_t)room ? (int)(n > 0 ? n : 1) : room;
}

void
tui_list_place(struct tui_list *l, int y, int x, int h, int w)
{
	int keep = tui_list_index(l), rows;
	WINDOW *old;

	if (h < 1)
		h = 1;
	old = l->win;
	if (l->menu != NULL)
		unpost_menu(l->menu);
	/* A list that does not fit keeps its last row for the "more" marks. */
	rows = (size_t)h < l->n && h >= 2 ? h - 1 : h;
	l->rows = rows;
	l->hidden = l->n > (size_t)rows;
	l->win = newwin(h, w, y, x);
	/* The menu lets go of the old window before it is deleted: it still
	 * looks at it while switching. */
	if (l->win != NULL && l->menu != NULL) {
		set_menu_win(l->menu, l->win);
		set_menu_sub(l->menu, derwin(l->win, rows, w, 0, 0));
	}
	if (old != NULL) {
		delwin(l->sub);
		delwin(old);
	}
	l->sub = l->menu != NULL && l->win != NULL ? menu_sub(l->menu) : NULL;
	if (l->win == NULL || l->menu == NULL)
		return;
	/* Items are cut to the window, less the "> " mark. */
	set_menu_items(l->menu, NULL);
	if (!make_items(l, w - 2))
		return;
	set_menu_items(l->menu, l->items);
	set_menu_format(l->menu, rows, 1);   /* this resets the current item... */
	list_colors(l);
	post_menu(l->menu);
	tui_list_select(l, keep);            /* ...so it is put back */
}

void
tui_list_log(const struct tui *t, const struct tui_list *l, const char *name)
{
	tui_log(t, "layout: list %s shows %d of %zu rows", name,
		l->hidden ? l->rows : (int)l->n, l->n);
}
bool
tui_list_action(struct tui_list *l, enum tui_action a)
{
	int req;

	switch (a) {
	case TUI_ACT_UP: req = REQ_UP_ITEM; break;
	case TUI_ACT_DOWN: req = REQ_DOWN_ITEM; break;
	case TUI_ACT_PAGE_UP: req = REQ_SCR_UPAGE; break;
	case TUI_ACT_PAGE_DOWN: req = REQ_SCR_DPAGE; break;
	case TUI_ACT_HOME: req = REQ_FIRST_ITEM; break;
	case TUI_ACT_END: req = REQ_LAST_ITEM; break;
	default: return false;
	}
	if (l->menu != NULL)
		menu_driver(l->menu, req);
	return true;
}

int
tui_list_index(const struct tui_list *l)
{
	ITEM *it;

	if (l->menu == NULL || (it = current_item(l->menu)) == NULL)
		return -1;
	return item_index(it);
}

void
tui_list_select(struct tui_list *l, int i)
{
	if (l->menu != NULL && i >= 0 && (size_t)i < l->n)
		set_current_item(l->menu, l->items[i]);
}

void
tui_list_focus(struct tui_list *l, bool focused)
{
	l->focused = focused;
	list_colors(l);
}

void
tui_list_refresh(struct tui_list *l)
{
	int h, w, top;

	if (l->win == NULL)
		return;
	getmaxyx(l->win, h, w);
	if (l->hidden && l->menu != NULL) {
		/* The same marks as a scrolling text box, on the row kept free. */
		top = top_row(l->menu);
		wmove(l->win, h - 1, 0);
		wclrtoeol(l->win);
		wattrset(l->win, tui_attr(TUI_ROLE_KEY));
		mvwprintw(l->win, h - 1, 2, "%d-%d of %zu", top + 1, top + l->rows, l->n);
		if ((size_t)(top + l->rows) < l->n)
			mvwaddstr(l->win, h - 1, w - 8, " more v ");
		if (top > 0)
			mvwaddstr(l->win, h - 1, w - 16, " more ^ ");
		wattrset(l->win, A_NORMAL);
	}
	touchwin(l->win);
	wnoutrefresh(l->win);
}

/* --- text fields ------------------------------------------------------------------ */

bool
tui_form_init(struct tui_form *f, const int *widths, size_t n)
{
	memset(f, 0, sizeof *f);
	if (n > TUI_FORM_MAX)
		return false;
	f->focused = true;
	for (size_t i = 0; i < n; i++) {
		FIELD *fd = new_field(1, widths[i], (int)i, 0, 0, 0);

		if (fd == NULL)
			goto fail;
		f->fields[i] = fd;
		f->n++;
		set_field_back(fd, tui_attr(TUI_ROLE_FIELD));
		field_opts_off(fd, O_AUTOSKIP);
		if (widths[i] >= 16) {
			/* Paths are longer than the field: let it scroll. */
			field_opts_off(fd, O_STATIC);
			set_max_field(fd, 4095);
		}
		if (widths[i] > f->cols)
			f->cols = widths[i];
	}
	f->rows = (int)n;
	if ((f->form = new_form(f->fields)) == NULL)
		goto fail;
	/* Backspace at the start of a field must not jump into the previous
	 * one, nor Enter into the next: the screens decide where focus goes. */
	form_opts_off(f->form, O_BS_OVERLOAD | O_NL_OVERLOAD);
	return true;
fail:
	tui_form_free(f);
	return false;
}

void
tui_form_free(struct tui_form *f)
{
	if (f->form != NULL) {
		unpost_form(f->form);
		free_form(f->form);
	}
	for (size_t i = 0; i < f->n; i++)
		free_field(f->fields[i]);
	if (f->win != NULL)
		delwin(f->win);
	memset(f, 0, sizeof *f);
}

void
tui_form_place(struct tui_form *f, int y, int x)
{
	WINDOW *old = f->win;

	if (f->form == NULL)
		return;
	unpost_form(f->form);
	if ((f->win = newwin(f->rows, f->cols, y, x)) != NULL) {
		set_form_win(f->form, f->win);
		set_form_sub(f->form, f->win);
	}
	if (old != NULL)
		delwin(old);    /* only now: the form looked at it until here */
	if (f->win == NULL)
		return;
	post_form(f->form);
	form_driver(f->form, REQ_INS_MODE);
	form_driver(f->form, REQ_END_LINE);
}

void
tui_form_set(struct tui_form *f, size_t i, const char *text)
{
	if (i >= f->n)
		return;
	set_field_buffer(f->fields[i], 0, text);
	if (f->form != NULL && current_field(f->form) == f->fields[i])
		form_driver(f->form, REQ_END_LINE);
}

const char *
tui_form_get(struct tui_form *f, size_t i, char *buf, size_t size)
{
	const char *s;
	size_t len;

	buf[0] = '\0';
	if (i >= f->n)
		return buf;
	if (f->form != NULL)
		form_driver(f->form, REQ_VALIDATION);   /* moves typed text into the buffer */
	if ((s = field_buffer(f->fields[i], 0)) == NULL)
		return buf;
	while (*s == ' ')
		s++;
	snprintf(buf, size, "%s", s);
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == ' ')
		buf[--len] = '\0';
	return buf;
}

void
tui_form_goto(struct tui_form *f, size_t i)
{
	if (f->form == NULL || i >= f->n)
		return;
	set_current_field(f->form, f->fields[i]);
	form_driver(f->form, REQ_END_LINE);
}

bool
tui_form_action(struct tui_form *f, enum tui_action a, int ch)
{
	int req;

	if (f->form == NULL)
		return false;
	switch (a) {
	case TUI_ACT_TEXT: req = ch; break;
	case TUI_ACT_ERASE: req = REQ_DEL_PREV; break;
	case TUI_ACT_DELETE: req = REQ_DEL_CHAR; break;
	case TUI_ACT_LEFT: req = REQ_PREV_CHAR; break;
	case TUI_ACT_RIGHT: req = REQ_NEXT_CHAR; break;
	case TUI_ACT_HOME: req = REQ_BEG_LINE; break;
	case TUI_ACT_END: req = REQ_END_LINE; break;
	case TUI_ACT_CLEAR: req = REQ_CLR_FIELD; break;
	default: return false;
	}
	form_driver(f->form, req);
	return true;
}

void
tui_form_focus(struct tui_form *f, bool focused)
{
	f->focused = focused;
}

void
tui_form_refresh(struct tui_form *f)
{
	if (f->win == NULL || f->form == NULL)
		return;
	touchwin(f->win);
	if (f->focused)
		pos_form_cursor(f->form);
	wnoutrefresh(f->win);
}

/* --- path completion ------------------------------------------------------------------ */

#define COMPLETE_MAX 256

struct match {
	char *name;
	bool dir;
};

static int
by_name(const void *a, const void *b)
{
	return strcmp(((const struct match *)a)->name, ((const struct match *)b)->name);
}

void
tui_complete_path(char *buf, size_t size, char *note, size_t note_size)
{
	char dir[4096], prefix[4096], common[512];
	const char *slash, *base, *home = getenv("HOME");
	struct match *m;
	size_t nmatch = 0, blen, used = 0;
	struct dirent *de;
	DIR *d;

	note[0] = '\0';
	/* "~" and "~/..." are the home folder, as in a shell. */
	if (buf[0] == '~' && (buf[1] == '/' || buf[1] == '\0') && home != NULL) {
		char tmp[4096];

		snprintf(tmp, sizeof tmp, "%s%s%s", home, buf[1] == '\0' ? "/" : "", buf + 1);
		snprintf(buf, size, "%s", tmp);
	}
	slash = strrchr(buf, '/');
	if (slash != NULL) {
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - buf + 1), buf);
		base = slash + 1;
	} else {
		snprintf(dir, sizeof dir, "./");
		base = buf;
	}
	snprintf(prefix, sizeof prefix, "%.*s", (int)(base - buf), buf);
	blen = strlen(base);
	if ((d = opendir(dir)) == NULL) {
		snprintf(note, note_size, "cannot read the folder %s", dir);
		return;
	}
	if ((m = calloc(COMPLETE_MAX, sizeof *m)) == NULL) {
		closedir(d);
		snprintf(note, note_size, "out of memory");
		return;
	}
	while ((de = readdir(d)) != NULL && nmatch < COMPLETE_MAX) {
		char full[8192];
		struct stat st;

		if (strncmp(de->d_name, base, blen) != 0)
			continue;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		    (de->d_name[0] == '.' && base[0] != '.'))
			continue;
		if ((m[nmatch].name = strdup(de->d_name)) == NULL)
			break;
		snprintf(full, sizeof full, "%s%s", dir, de->d_name);
		m[nmatch++].dir = stat(full, &st) == 0 && S_ISDIR(st.st_mode);
	}
	closedir(d);
	if (nmatch == 0) {
		snprintf(note, note_size, "no file in %s starts with \"%s\"", dir, base);
		free(m);
		return;
	}
	/* Sorted as ls sorts them, folders marked with a slash. */
	qsort(m, nmatch, sizeof *m, by_name);
	snprintf(common, sizeof common, "%s", m[0].name);
	for (size_t i = 1; i < nmatch; i++) {
		size_t k;

		for (k = 0; common[k] != '\0' && common[k] == m[i].name[k]; k++)
			;
		common[k] = '\0';
	}
	snprintf(buf, size, "%s%s%s", prefix, common, nmatch == 1 && m[0].dir ? "/" : "");
	if (nmatch > 1) {
		used = (size_t)snprintf(note, note_size, "%zu matches:", nmatch);
		for (size_t i = 0; i < nmatch && used < note_size; i++)
			used += (size_t)snprintf(note + used, note_size - used, " %s%s",
						 m[i].name, m[i].dir ? "/" : "");
	}
	for (size_t i = 0; i < nmatch; i++)
		free(m[i].name);
	free(m);
}

void
tui_form_complete(struct tui *t, struct tui_form *f, size_t i,
		  void (*complete)(char *buf, size_t size, char *note, size_t note_size))
{
	char buf[4096], note[400];

	tui_form_get(f, i, buf, sizeof buf);
	complete(buf, sizeof buf, note, sizeof note);
	tui_form_set(f, i, buf);
	tui_message(t, TUI_ROLE_DIM, "%s", note);
}
