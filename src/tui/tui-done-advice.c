/*
 * tui-done-advice.c - what to do when the new bootloader does not show up
 * on USB, by its family: each one is entered its own way, and the generic
 * "check the cable" helps nobody who has a Caterina board that only waits
 * 750 ms after a reset, or an Atmel DFU chip whose fuses send reset to the
 * application.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

static void
atmel_dfu(struct tui_text *out, const struct catalog_part *part, const struct fuse_set *fuses)
{
	bool bootrst = fuses->present[FUSE_HIGH] &&
		       fuses_bootrst_programmed(part, fuses->value[FUSE_HIGH]);
	enum fuse_byte b;
	const struct fuse_field *hwbe = fuses_find_field(part, "HWBE", &b);
	bool hwb = hwbe != NULL && fuses->present[b] &&
		   fuses_field_value(hwbe, fuses->value[b]) == 0;

	if (bootrst)
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - BOOTRST is programmed, so every "
			     "reset starts Atmel DFU: press the board's reset button (or "
			     "short RST to GND) once with USB plugged in.");
	else
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - BOOTRST is unprogrammed, so reset "
			     "runs the application; Atmel DFU starts only while the "
			     "application area is empty or through the HWB pin.");
	if (hwb)
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - HWBE is programmed: hold HWB (PE2 "
			     "on the 32U4) low while you release reset, and Atmel DFU starts "
			     "whatever BOOTRST says.");
	else
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - HWBE is unprogrammed: the HWB pin "
			     "does not start the bootloader; only BOOTRST does.");
}

void
tui_done_advice(struct tui_text *out, const struct catalog_part *part,
		const struct catalog_bootloader *bl, const struct fuse_set *fuses)
{
	const char *family = bl->family != NULL ? bl->family : "";

	if (strcmp(family, "caterina") == 0) {
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - Caterina waits only about 750 ms "
			     "after a reset, then starts the application (a fresh chip has "
			     "none, so it stays). Press reset twice quickly, within 750 ms: "
			     "the LED pulses while Caterina waits, about 8 s.");
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - Its port is a serial one "
			     "(/dev/ttyACM*): ModemManager probing it can make it vanish; "
			     "'ispwiz doctor' checks that.");
	} else if (strcmp(family, "atmel-dfu") == 0) {
		atmel_dfu(out, part, fuses);
	} else if (strcmp(family, "halfkay") == 0) {
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - HalfKay starts from the board's "
			     "button: press it once with USB plugged in.");
	} else if (strcmp(family, "bootloadhid") == 0 ||
		   strcmp(family, "usbasploader") == 0) {
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - This bootloader starts only while "
			     "its boot jumper or key is held as the board is plugged in; "
			     "otherwise it runs the application at once.");
	} else {
		tui_text_add(out, TUI_ROLE_NORMAL, 4, "  - Reset the board with USB plugged "
			     "in, and see the bootloader's notes below for how it is entered.");
	}
}
