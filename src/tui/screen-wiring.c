/* screen-wiring.c - step 4: the programmer's wiring table from the catalog,
 * with its warnings where nobody can miss them. */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

static void
fill(struct tui *t)
{
	struct tui_text *text = tui_page_text(t);
	const struct catalog_programmer *p = t->programmer;

	tui_text_clear(text);
	tui_text_init(text, COLS - 4);
	tui_text_addf(text, TUI_ROLE_HEADING, "Wire the %s to the keyboard's controller:",
		      p->name);
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_addf(text, TUI_ROLE_DIM, "    %-18s    %s", "Programmer", "Target");
	for (size_t i = 0; i < p->n_wiring; i++)
		tui_text_addf(text, TUI_ROLE_NORMAL, "    %-18s -> %s",
			      p->wiring[i].programmer_pin, p->wiring[i].target_pin);
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	for (size_t i = 0; i < p->n_warnings; i++) {
		char line[1200];

		/* The catalog speaks the command line's -x: say where the
		 * wizard has them. */
		snprintf(line, sizeof line, "!  %s%s", p->warnings[i],
			 strstr(p->warnings[i], "-x ") != NULL ? " In the wizard these "
			 "are set with o on the Programmer step." : "");
		tui_text_add(text, TUI_ROLE_WARNING, 3, line);
	}
	if (p->n_warnings > 0)
		tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_DIM, 0, "Unplug the keyboard's own USB cable while the "
		     "programmer powers it. Most failed ISP sessions are a loose RESET wire "
		     "or MOSI and MISO swapped: check each wire twice.");
	tui_text_add(text, TUI_ROLE_KEY, 0, "Press Enter when it is wired.");
}

const struct tui_screen tui_screen_wiring = {
	.name = "Wiring",
	.help = "Connect each programmer pin in the left column to the target pin on "
		"the right. On a keyboard PCB the ISP pins are often labelled pads or "
		"the pins of the controller itself; the controller's datasheet shows "
		"which pin is which. Read the highlighted warnings: they are the "
		"mistakes people make most.",
	.data_size = TUI_PAGE_DATA,
	.keys = "Enter wired  Esc back",
	.layout = fill,
	.draw = tui_page_draw,
	.action = tui_page_action,
	.leave = tui_page_leave,
};
