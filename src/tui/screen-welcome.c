/* screen-welcome.c - step 1: what you need, what will happen, how to quit;
 * and b, the way back: the path of a backup to put back onto the chip
 * (the programmer, port and target steps follow, then the restore). */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

#include "job/backup.h"

struct welcome_state {
	struct tui_text text;     /* first: tui_page_text() reads it */
	struct tui_form form;     /* the backup's path, while asking */
	bool asking;
	char note[400];
};

static struct welcome_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_welcome);
}

static int
field_y(void)
{
	return LINES - 5;
}

static void
fill(struct tui *t)
{
	struct tui_text *text = tui_page_text(t);
	struct welcome_state *s = state(t);

	if (s->asking)
		tui_form_place(&s->form, field_y(), 10);
	tui_text_clear(text);
	tui_text_init(text, COLS - 4);
	tui_text_add(text, TUI_ROLE_HEADING, 0, "Let's put a bootloader back on your keyboard.");
	tui_text_add(text, TUI_ROLE_NORMAL, 0,
		     "This wizard writes a bootloader onto an AVR keyboard controller "
		     "(ATmega32U4 and friends) through an ISP programmer, one checked step "
		     "at a time.");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_HEADING, 0, "You need");
	tui_text_add(text, TUI_ROLE_NORMAL, 4, "  - an ISP programmer: USBasp, USBtinyISP, a Pro "
		     "Micro or Teensy 2.0 running ISP firmware, or a Bus Pirate;");
	tui_text_add(text, TUI_ROLE_NORMAL, 4, "  - the keyboard (its controller is the target);");
	tui_text_add(text, TUI_ROLE_NORMAL, 4, "  - six jumper wires: VCC, GND, RESET, SCLK, MOSI, MISO.");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_HEADING, 0, "What will happen");
	tui_text_add(text, TUI_ROLE_NORMAL, 2, "  You pick the programmer and wire it; ispwiz "
		     "finds its port, reads the chip and offers the bootloaders that fit. "
		     "Nothing is written before you have seen every fuse change in the "
		     "review, and the chip is backed up first. Afterwards ispwiz checks "
		     "that the new bootloader shows up on USB.");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	if (t->opt->demo)
		tui_text_add(text, TUI_ROLE_WARNING, 0, "This is the demo: the programmer and "
			     "the chip are simulated. On the other end waits a \"bricked\" "
			     "ATmega32U4, a Pro Micro whose bootloader is gone.");
	tui_text_add(text, TUI_ROLE_KEY, 0, "Press Enter to start. q quits at any time; ? "
		     "explains the step you are on.");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_HEADING, 0, "Put back a backup");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "Every job backs the chip up first (flash, "
		     "EEPROM, fuses). Press b to write such a backup back: give its .json "
		     "file, then choose the programmer and port as for a flash.");
}

static void
draw(struct tui *t)
{
	struct welcome_state *s = state(t);

	if (!s->asking) {
		tui_page_draw(t);
		return;
	}
	tui_text_draw(&s->text, tui_body_top() + 1, 2, field_y() - tui_body_top() - 2, COLS - 4);
	tui_put(field_y() - 1, 2, COLS - 4, TUI_ROLE_HEADING, "The backup to put back "
		"(its .json, as `ispwiz flash` and the wizard write them):");
	tui_put(field_y(), 2, 8, TUI_ROLE_NORMAL, "Backup:");
	tui_put(field_y() + 1, 2, COLS - 4, TUI_ROLE_DIM, s->note);
}

static void
paint(struct tui *t)
{
	struct welcome_state *s = state(t);

	if (s->asking)
		tui_form_refresh(&s->form);
}

static bool
text_focus(const struct tui *t)
{
	return state(t)->asking;
}

static void
stop_asking(struct welcome_state *s)
{
	if (s->asking)
		tui_form_free(&s->form);
	s->asking = false;
}

/* Check the backup now (it names its part; its files must match its
 * record), so a wrong path is said here, not after the wiring. */
static void
take_backup(struct tui *t)
{
	struct welcome_state *s = state(t);
	struct backup_set set;
	struct iw_error err;
	char path[4096];

	tui_form_get(&s->form, 0, path, sizeof path);
	memset(&set, 0, sizeof set);
	iw_error_clear(&err);
	if (path[0] == '\0') {
		tui_message(t, TUI_ROLE_ERROR, "Give the backup's .json file; Tab completes.");
		return;
	}
	if (backup_load(path, t->cat, &set, &err) != IW_OK) {
		tui_message(t, TUI_ROLE_ERROR, "%s", err.msg);
		backup_set_free(&set);
		return;
	}
	snprintf(t->restore_json, sizeof t->restore_json, "%s", path);
	tui_log(t, "restore: chosen %s (%s)", path, catalog_part_label(set.part));
	backup_set_free(&set);
	stop_asking(s);
	tui_next(t);
	tui_message(t, TUI_ROLE_INFO, "Putting back %s: choose the programmer.",
		    t->restore_json);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct welcome_state *s = state(t);
	int width = COLS - 14;
	char path[4096];

	if (!s->asking) {
		if (a == TUI_ACT_RESTORE) {
			if (!tui_form_init(&s->form, &width, 1))
				return;
			s->asking = true;
			s->note[0] = '\0';
			tui_form_place(&s->form, field_y(), 10);
			return;
		}
		if (a == TUI_ACT_NEXT)
			t->restore_json[0] = '\0';   /* a flash, not a restore */
		tui_page_action(t, a, ch);
		return;
	}
	switch (a) {
	case TUI_ACT_NEXT:
		take_backup(t);
		break;
	case TUI_ACT_BACK:
		stop_asking(s);
		tui_message(t, TUI_ROLE_NORMAL, "%s", "");
		break;
	case TUI_ACT_TAB:
		tui_form_get(&s->form, 0, path, sizeof path);
		tui_complete_path(path, sizeof path, s->note, sizeof s->note);
		tui_form_set(&s->form, 0, path);
		break;
	default:
		tui_form_action(&s->form, a, ch);
		break;
	}
}

static void
leave(struct tui *t)
{
	stop_asking(state(t));
	tui_page_leave(t);
}

const struct tui_screen tui_screen_welcome = {
	.name = "Welcome",
	.help = "This first step only explains. Press Enter to choose your programmer. "
		"Nothing is written to any chip until you confirm the review step, and "
		"you can go back with Esc at every step before that. b puts back a "
		"backup that an earlier job took: type the path of its .json file (Tab "
		"completes it); the programmer, port and target steps follow, the "
		"target step asks before anything is written, and the backup of "
		"another part is refused.",
	.data_size = sizeof(struct welcome_state),
	.keys = "Enter start  b put back a backup",
	.layout = fill,
	.draw = draw,
	.paint = paint,
	.action = action,
	.leave = leave,
	.text_focus = text_focus,
};
