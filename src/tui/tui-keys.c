/*
 * tui-keys.c - the one table from keys to what they mean.  Screens act on
 * actions, never on raw keys, so the bindings live here and nowhere else.
 */
#include "tui/tui-int.h"

#define CTRL(c) ((c) & 0x1f)

/* `normal` outside a text field; `text` inside one, where letters are typed
 * (TUI_ACT_NONE in that column means: type the character).  In a field,
 * Backspace only ever erases (it never leaves the step), and ?, j, k, q
 * are text: F1 is help there, Esc goes back. */
static const struct {
	int key;
	enum tui_action normal;
	enum tui_action text;
} bindings[] = {
	{ '\n',          TUI_ACT_NEXT,      TUI_ACT_NEXT },
	{ '\r',          TUI_ACT_NEXT,      TUI_ACT_NEXT },
	{ KEY_ENTER,     TUI_ACT_NEXT,      TUI_ACT_NEXT },
	{ 27,            TUI_ACT_BACK,      TUI_ACT_BACK },      /* Esc */
	{ KEY_BACKSPACE, TUI_ACT_BACK,      TUI_ACT_ERASE },
	{ 127,           TUI_ACT_BACK,      TUI_ACT_ERASE },
	{ CTRL('h'),     TUI_ACT_BACK,      TUI_ACT_ERASE },
	{ KEY_DC,        TUI_ACT_NONE,      TUI_ACT_DELETE },
	{ KEY_UP,        TUI_ACT_UP,        TUI_ACT_UP },
	{ KEY_DOWN,      TUI_ACT_DOWN,      TUI_ACT_DOWN },
	{ 'k',           TUI_ACT_UP,        TUI_ACT_NONE },
	{ 'j',           TUI_ACT_DOWN,      TUI_ACT_NONE },
	{ KEY_LEFT,      TUI_ACT_LEFT,      TUI_ACT_LEFT },
	{ KEY_RIGHT,     TUI_ACT_RIGHT,     TUI_ACT_RIGHT },
	{ KEY_PPAGE,     TUI_ACT_PAGE_UP,   TUI_ACT_PAGE_UP },
	{ KEY_NPAGE,     TUI_ACT_PAGE_DOWN, TUI_ACT_PAGE_DOWN },
	{ KEY_HOME,      TUI_ACT_HOME,      TUI_ACT_HOME },
	{ KEY_END,       TUI_ACT_END,       TUI_ACT_END },
	{ '\t',          TUI_ACT_TAB,       TUI_ACT_TAB },
	{ 'q',           TUI_ACT_QUIT,      TUI_ACT_NONE },
	{ 'Q',           TUI_ACT_QUIT,      TUI_ACT_NONE },
	{ '?',           TUI_ACT_HELP,      TUI_ACT_NONE },
	{ KEY_F(1),      TUI_ACT_HELP,      TUI_ACT_HELP },
	{ 'r',           TUI_ACT_RETRY,     TUI_ACT_NONE },
	{ 'R',           TUI_ACT_RETRY,     TUI_ACT_NONE },
	{ 'c',           TUI_ACT_CANCEL,    TUI_ACT_NONE },
	{ 'C',           TUI_ACT_CANCEL,    TUI_ACT_NONE },
	{ 'y',           TUI_ACT_YES,       TUI_ACT_NONE },
	{ 'Y',           TUI_ACT_YES,       TUI_ACT_NONE },
	{ 'n',           TUI_ACT_NO,        TUI_ACT_NONE },
	{ 'N',           TUI_ACT_NO,        TUI_ACT_NONE },
	{ 'a',           TUI_ACT_SHOW_ALL,  TUI_ACT_NONE },
	{ 'b',           TUI_ACT_RESTORE,   TUI_ACT_NONE },
	{ 'e',           TUI_ACT_EDIT,      TUI_ACT_NONE },
	{ 'o',           TUI_ACT_OPTIONS,   TUI_ACT_NONE },
	{ KEY_F(2),      TUI_ACT_EDIT,      TUI_ACT_EDIT },
	{ 'B',           TUI_ACT_RESTORE,   TUI_ACT_NONE },
	{ 'A',           TUI_ACT_SHOW_ALL,  TUI_ACT_NONE },
	{ CTRL('l'),     TUI_ACT_REDRAW,    TUI_ACT_REDRAW },
	{ CTRL('u'),     TUI_ACT_NONE,      TUI_ACT_CLEAR },
	{ 'd',           TUI_ACT_DOWNLOAD,  TUI_ACT_NONE },
	{ 'D',           TUI_ACT_DOWNLOAD,  TUI_ACT_NONE },
	{ 'f',           TUI_ACT_FIRMWARE,  TUI_ACT_NONE },
	{ 'F',           TUI_ACT_FIRMWARE,  TUI_ACT_NONE },
	{ 'w',           TUI_ACT_WHICH_KEYBOARD, TUI_ACT_NONE },
	{ 'W',           TUI_ACT_WHICH_KEYBOARD, TUI_ACT_NONE },
};

enum tui_action
tui_key_action(int ch, bool text)
{
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++) {
		if (bindings[i].key != ch)
			continue;
		if (text && bindings[i].text == TUI_ACT_NONE)
			break;
		return text ? bindings[i].text : bindings[i].normal;
	}
	if (text && ch >= 0x20 && ch < 0x7f)
		return TUI_ACT_TEXT;
	return TUI_ACT_NONE;
}
