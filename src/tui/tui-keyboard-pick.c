/*
 * tui-keyboard-pick.c - "Which keyboard is it?" on the bootloader step (w):
 * the keyboard's QMK name, Tab completing it from the local checkout, and
 * on Enter the same look-up `--keyboard NAME` does (core/qmk.c), which
 * picks the list row of the bootloader the keyboard's rules.mk or
 * keyboard.json names.  When it cannot (no such keyboard, a bootloader the
 * catalog cannot serve, a keyboard with another chip than the one the
 * target step found) the panel stays open and says why, so the name can be
 * fixed there.
 */
#include "tui/tui-int.h"

#include <string.h>

#include "core/qmk.h"

#define PICK_FIELD_X 12

static int
field_y(void)
{
	return tui_body_top() + 5;
}

void
tui_keyboard_pick_layout(struct tui_keyboard_pick *p)
{
	if (p->open)
		tui_form_place(&p->form, field_y(), PICK_FIELD_X);
}

void
tui_keyboard_pick_open(struct tui_keyboard_pick *p)
{
	int width = COLS - PICK_FIELD_X - 4;

	tui_keyboard_pick_close(p);
	if (!tui_form_init(&p->form, &width, 1))
		return;   /* out of memory: the key does nothing */
	p->open = true;
	p->note[0] = '\0';
	p->note_role = TUI_ROLE_DIM;
	tui_keyboard_pick_layout(p);
	tui_form_goto(&p->form, 0);
}

void
tui_keyboard_pick_close(struct tui_keyboard_pick *p)
{
	if (p->open)
		tui_form_free(&p->form);
	p->open = false;
}

void
tui_keyboard_pick_draw(struct tui_keyboard_pick *p)
{
	struct tui_text text;
	char home[1024];
	bool have = qmk_home(home, sizeof home);
	int y = tui_body_top() + 1;

	tui_put(y, 2, COLS - 4, TUI_ROLE_HEADING, "Which keyboard is it?");
	tui_put(y + 1, 4, COLS - 6, TUI_ROLE_DIM, "Its QMK name, as under keyboards/ "
		"(\"crkbd/rev1\"); Tab completes it.");
	/* The checkout on a line of its own: a long path is cut, not wrapped. */
	tui_putf(y + 2, 4, COLS - 6, have ? TUI_ROLE_DIM : TUI_ROLE_WARNING, have ?
		 "QMK checkout: %s" : "No QMK checkout at %s: set QMK_HOME.", home);
	tui_put(field_y(), 2, PICK_FIELD_X - 2, TUI_ROLE_NORMAL, "Keyboard:");
	tui_text_init(&text, COLS - 4);
	tui_text_add(&text, p->note_role, 0, p->note);
	tui_text_draw(&text, field_y() + 2, 2, tui_body_top() + tui_body_rows() - field_y() - 2,
		      COLS - 4);
	tui_text_clear(&text);
}

void
tui_keyboard_pick_paint(struct tui_keyboard_pick *p)
{
	tui_form_focus(&p->form, true);
	tui_form_refresh(&p->form);
}

/* The file that said it, from the checkout down ("keyboards/crkbd/rules.mk"). */
static const char *
from_home(const struct qmk_keyboard *kb, const char *path)
{
	size_t n = strlen(kb->home);

	if (n > 0 && strncmp(path, kb->home, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/* The row to pick for the keyboard: the catalog's entry, else (several of
 * the family fit) the highlighted row when it is of the family, else the
 * family's first.  -1 with the reason in the note. */
static int
look_up(struct tui *t, struct tui_keyboard_pick *p, const char *name,
	const struct catalog_bootloader *const *rows, size_t n, int now,
	struct qmk_keyboard *kbp, size_t *fits)
{
	struct qmk_keyboard kb;
	struct qmk_choice ch;
	struct iw_error err;
	enum iw_status st;
	int row = -1;

	*fits = 0;
	p->note_role = TUI_ROLE_ERROR;
	if (name[0] == '\0') {
		snprintf(p->note, sizeof p->note, "Type the keyboard's QMK name first "
			 "(Tab completes it), or Esc to go back to the list.");
		return -1;
	}
	if (qmk_keyboard_read(name, &kb, &err) != IW_OK) {
		snprintf(p->note, sizeof p->note, "%.390s", err.msg);
		return -1;
	}
	st = qmk_choose(t->cat, &kb, name, &ch, &err);
	if (ch.part == NULL) {
		snprintf(p->note, sizeof p->note, "%.390s", err.msg);
		return -1;
	}
	/* The chip is what the target step read; the keyboard must match it. */
	if (ch.part != t->part) {
		snprintf(p->note, sizeof p->note, "Keyboard %.80s has the %s (%.200s), but the "
			 "target step found the %s: check the keyboard's name, or the chip "
			 "wired.", name, catalog_part_label(ch.part), from_home(&kb, kb.where_processor),
			 catalog_part_label(t->part));
		return -1;
	}
	if (st != IW_OK && st != IW_USAGE) {
		snprintf(p->note, sizeof p->note, "%.390s", err.msg);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		bool of_family = rows[i]->family != NULL && strcmp(rows[i]->family, ch.family) == 0;

		if (ch.bootloader != NULL ? rows[i] != ch.bootloader : !of_family)
			continue;
		if (i == 0 || rows[i] != rows[i - 1])
			(*fits)++;
		if (row < 0 || (int)i == now)
			row = (int)i;
	}
	if (row < 0)
		snprintf(p->note, sizeof p->note, "Keyboard %.80s wants %s, but the list has no "
			 "row for it.", name, catalog_family_label(ch.family));
	*kbp = kb;
	return row;
}

int
tui_keyboard_pick_action(struct tui *t, struct tui_keyboard_pick *p, enum tui_action a,
			 int ch, const struct catalog_bootloader *const *rows, size_t n, int now)
{
	struct qmk_keyboard kb;
	char name[256], said[1400];
	size_t fits;
	int row;

	switch (a) {
	case TUI_ACT_BACK:
		tui_keyboard_pick_close(p);
		tui_message(t, TUI_ROLE_NORMAL, "%s", "");
		return -1;
	case TUI_ACT_TAB:
		tui_form_get(&p->form, 0, name, sizeof name);
		tui_complete_keyboard(name, sizeof name, p->note, sizeof p->note);
		p->note_role = TUI_ROLE_DIM;
		tui_form_set(&p->form, 0, name);
		return -1;
	case TUI_ACT_NEXT:
		break;
	default:
		tui_form_action(&p->form, a, ch);
		return -1;
	}
	tui_form_get(&p->form, 0, name, sizeof name);
	row = look_up(t, p, name, rows, n, now, &kb, &fits);
	if (row < 0) {
		tui_log(t, "which keyboard: %s: %s", name, p->note);
		return -1;
	}
	snprintf(said, sizeof said, "%.100s: %s, %s (from %.300s)", name, catalog_part_label(t->part),
		 catalog_family_label(rows[row]->family), from_home(&kb, kb.where_bootloader));
	tui_keyboard_pick_close(p);
	tui_message(t, TUI_ROLE_OK, "%s", said);
	/* Several entries of the family (the Caterina boards): the keyboard
	 * cannot say which board's build it is; the person can.  The note
	 * stays for the screen to show under its list. */
	p->note_role = TUI_ROLE_INFO;
	if (fits > 1)
		snprintf(p->note, sizeof p->note, "%zu %s boards fit %.100s: Up/Down to the one "
			 "you have.", fits, catalog_family_label(rows[row]->family), name);
	else
		p->note[0] = '\0';
	tui_log(t, "which keyboard: %s: row %d%s%s", name, row, p->note[0] != '\0' ? "; " : "",
		p->note);
	return row;
}
