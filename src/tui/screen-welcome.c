/* screen-welcome.c - step 1: what you need, what will happen, how to quit. */
#include "tui/tui-int.h"

static void
fill(struct tui *t)
{
	struct tui_text *text = tui_page_text(t);
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
}

const struct tui_screen tui_screen_welcome = {
	.name = "Welcome",
	.help = "This first step only explains. Press Enter to choose your programmer. "
		"Nothing is written to any chip until you confirm the review step, and "
		"you can go back with Esc at every step before that.",
	.data_size = TUI_PAGE_DATA,
	.keys = "Enter start",
	.layout = fill,
	.draw = tui_page_draw,
	.action = tui_page_action,
	.leave = tui_page_leave,
};
