/*
 * emu-board.c - Caterina boards in the testbed: whenever what a board
 * shows on USB changes (the sketch resets into the bootloader, the
 * bootloader leaves for the application, the device vanishes), its old
 * device is unplugged and the new one plugged in at the same USB port,
 * with a new tty node, the way a kernel sees a board re-enumerate.
 */
#include <stdio.h>
#include <string.h>

#include "emu-runner.h"

static const struct usb_identity *
identity_of(const struct emurun_board *b, enum emu_usb_presence pres)
{
	switch (pres) {
	case EMU_USB_SKETCH:
		return b->has_sketch ? &b->sketch : NULL;
	case EMU_USB_BOOTLOADER:
		return &b->boot;
	case EMU_USB_APPLICATION:
		return b->has_app ? &b->app : NULL;
	case EMU_USB_NONE:
		break;
	}
	return NULL;
}

static void
unplug(struct pump *p, struct emurun_boards *bs, struct emurun_board *b)
{
	if (!b->plugged)
		return;
	emurun_pump_detach(p, b->link);
	b->link = NULL;
	emurun_testbed_remove_tty(bs->tb, &b->tty);
	b->plugged = false;
}

int
emurun_boards_tick(struct pump *p, void *ctx)
{
	struct emurun_boards *bs = ctx;

	for (size_t i = 0; i < bs->n; i++) {
		struct emurun_board *b = &bs->b[i];
		const struct usb_identity *u;
		uint32_t gen;
		enum emu_usb_presence pres = emu_usb_presence(b->e, &gen);

		emurun_pump_add_emu(p, b->e);
		if (pres == b->shown && gen == b->shown_gen)
			continue;
		unplug(p, bs, b);
		b->shown = pres;
		b->shown_gen = gen;
		if ((u = identity_of(b, pres)) == NULL)
			continue;
		if (emurun_testbed_add_tty(bs->tb, u, b->port, bs->next_tty++, b->serial,
					   &b->tty) != 0)
			return -1;
		b->plugged = true;
		b->link = emurun_pump_attach(p, b->tty.master, b->e, b->tty.node);
		if (b->link == NULL) {
			fprintf(stderr, "ispwiz-emu: too many ports at once\n");
			unplug(p, bs, b);
			return -1;
		}
	}
	return 0;
}

void
emurun_boards_unplug(struct pump *p, struct emurun_boards *bs)
{
	for (size_t i = 0; i < bs->n; i++)
		unplug(p, bs, &bs->b[i]);
}
