/*
 * tui-colors.c - one table of roles: what each kind of text looks like in
 * colour and in monochrome.  Monochrome when NO_COLOR is set (any value,
 * see no-color.org), with --no-color, or when the terminal has no colours.
 * Colours keep the terminal's own background (-1).
 */
#include "tui/tui-int.h"

#include <stdlib.h>

static const struct {
	short fg;
	attr_t color_attr;   /* added to the colour pair */
	attr_t mono;         /* used alone without colour */
} roles[TUI_ROLE_COUNT] = {
	[TUI_ROLE_NORMAL]    = { -1,            A_NORMAL,  A_NORMAL },
	[TUI_ROLE_TITLE]     = { COLOR_CYAN,    A_BOLD,    A_BOLD },
	[TUI_ROLE_STEP_DONE] = { COLOR_GREEN,   A_NORMAL,  A_NORMAL },
	[TUI_ROLE_STEP_NOW]  = { COLOR_CYAN,    A_BOLD | A_REVERSE, A_REVERSE },
	[TUI_ROLE_STEP_TODO] = { -1,            A_DIM,     A_DIM },
	[TUI_ROLE_HEADING]   = { -1,            A_BOLD,    A_BOLD },
	[TUI_ROLE_DIM]       = { -1,            A_DIM,     A_DIM },
	[TUI_ROLE_KEY]       = { COLOR_CYAN,    A_BOLD,    A_BOLD },
	[TUI_ROLE_OK]        = { COLOR_GREEN,   A_BOLD,    A_BOLD },
	[TUI_ROLE_INFO]      = { COLOR_BLUE,    A_NORMAL,  A_NORMAL },
	[TUI_ROLE_CONFIRM]   = { COLOR_YELLOW,  A_BOLD,    A_BOLD | A_UNDERLINE },
	[TUI_ROLE_WARNING]   = { COLOR_YELLOW,  A_NORMAL,  A_BOLD },
	[TUI_ROLE_ERROR]     = { COLOR_RED,     A_BOLD,    A_BOLD | A_REVERSE },
	[TUI_ROLE_SELECTED]  = { COLOR_CYAN,    A_REVERSE, A_REVERSE },
	[TUI_ROLE_BAR]       = { COLOR_GREEN,   A_BOLD,    A_BOLD },
	[TUI_ROLE_FIELD]     = { -1,            A_UNDERLINE, A_UNDERLINE },
	[TUI_ROLE_DIALOG]    = { -1,            A_BOLD,    A_BOLD },
};

/* Whether start_color() took on this terminal.  A file-scope variable on
 * purpose, unlike the screens' state: it describes the one curses terminal
 * (whose colour pairs, LINES and COLS ncurses itself keeps globally), is
 * written once right after initscr() and only read after that, and keeping
 * it here lets tui_put(), the text box and the widgets draw without being
 * handed the whole session. */
static bool color_on;

void
tui_colors_init(bool want_color)
{
	const char *nc = getenv("NO_COLOR");

	color_on = want_color && (nc == NULL || nc[0] == '\0') && has_colors();
	if (!color_on)
		return;
	if (start_color() != OK) {
		color_on = false;
		return;
	}
	use_default_colors();
	/* Pair i+1 for role i: only the foreground changes. */
	for (int i = 0; i < TUI_ROLE_COUNT; i++)
		init_pair((short)(i + 1), roles[i].fg, -1);
}

bool
tui_colors_enabled(void)
{
	return color_on;
}

attr_t
tui_attr(enum tui_role role)
{
	if ((unsigned)role >= TUI_ROLE_COUNT)
		role = TUI_ROLE_NORMAL;
	if (!color_on)
		return roles[role].mono;
	return roles[role].color_attr | (roles[role].fg >= 0 ? COLOR_PAIR(role + 1) : 0);
}

enum tui_role
tui_role_for_class(enum fuse_class cls)
{
	switch (cls) {
	case FUSE_CLASS_INFORM: return TUI_ROLE_INFO;
	case FUSE_CLASS_CONFIRM: return TUI_ROLE_CONFIRM;
	case FUSE_CLASS_REFUSE: return TUI_ROLE_ERROR;
	case FUSE_CLASS_UNCHANGED: break;
	}
	return TUI_ROLE_NORMAL;
}
