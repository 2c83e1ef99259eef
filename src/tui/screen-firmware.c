/* screen-firmware.c - step 3, only for programmers that are themselves
 * AVR boards (Pro Micro, Teensy 2.0): the ISP firmware they must run
 * first, and where it comes from. */
#include "tui/tui-int.h"

#include <string.h>

static bool
applies(const struct tui *t)
{
	return t->programmer != NULL && t->programmer->firmware != NULL;
}

static void
fill(struct tui *t)
{
	struct tui_text *text = tui_page_text(t);
	const struct catalog_isp_firmware *fw = t->programmer->firmware;
	bool caterina = fw->loader != NULL && strcmp(fw->loader, "caterina") == 0;

	tui_text_clear(text);
	tui_text_init(text, COLS - 4);
	tui_text_addf(text, TUI_ROLE_HEADING, "First, the %s needs its own ISP firmware.",
		      t->programmer->name);
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "The programmer board runs a small firmware "
		     "that turns it into an ISP programmer. Load it once; after that the "
		     "board shows up as a USB serial port and the next steps find it.");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_addf(text, TUI_ROLE_NORMAL, "File:    %s", fw->file != NULL ? fw->file : "?");
	tui_text_addf(text, TUI_ROLE_INFO, "From:    %s", fw->url != NULL ? fw->url : "?");
	tui_text_addf(text, TUI_ROLE_NORMAL, "Loader:  %s", caterina ?
		      "Caterina (the board's own USB bootloader)" : "HalfKay (press the "
		      "Teensy's button)");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	if (fw->instructions != NULL)
		tui_text_add(text, TUI_ROLE_NORMAL, 0, fw->instructions);
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_WARNING, 0, "This version of ispwiz cannot write the "
		     "firmware itself yet; until it can, load it with:");
	if (caterina)
		tui_text_addf(text, TUI_ROLE_NORMAL, "  avrdude -c avr109 -p atmega32u4 -P "
			      "/dev/ttyACM0 -U flash:w:%s:i", fw->file != NULL ? fw->file : "FILE.hex");
	else
		tui_text_addf(text, TUI_ROLE_NORMAL, "  teensy_loader_cli --mcu=atmega32u4 -w %s",
			      fw->file != NULL ? fw->file : "FILE.hex");
	tui_text_add(text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(text, TUI_ROLE_KEY, 0, "Press Enter when the firmware is on the board.");
}

const struct tui_screen tui_screen_firmware = {
	.name = "Firmware",
	.help = "Boards such as the Pro Micro and the Teensy 2.0 become ISP programmers "
		"only while they run QMK's ISP firmware. Load it onto the programmer "
		"board (not onto the keyboard!) once, as described, then go on.",
	.data_size = TUI_PAGE_DATA,
	.keys = "Enter done  Esc back",
	.applies = applies,
	.layout = fill,
	.draw = tui_page_draw,
	.action = tui_page_action,
	.leave = tui_page_leave,
};
