/*
 * emu-board.c - Caterina boards in the testbed: whenever what a board
 * shows on USB changes (the sketch resets into the bootloader, the
 * bootloader leaves for the application, the device vanishes), its old
 * device is unplugged and the new one plugged in at the same USB port,
 * with a new tty node, the way a kernel sees a board re-enumerate.  And
 * the boards ispwiz-emu --bootloader caterina builds from the catalog:
 * the USB IDs of a Caterina entry (bootloader, sketch), the application's
 * (--then-id), a second board (--extra-bootloader).
 */
#include <stdio.h>
#include <string.h>

#include "core/catalog.h"

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

/* --- what ispwiz-emu's options make of it ------------------------------------- */

static const struct catalog_bootloader *
pick_caterina(const struct catalog *cat, const struct catalog_part *part, const char *id)
{
	const struct catalog_bootloader *bl, *any = NULL;

	if (id != NULL) {
		bl = catalog_find_bootloader(cat, id);
		if (bl == NULL || bl->family == NULL || strcmp(bl->family, "caterina") != 0) {
			fprintf(stderr, "ispwiz-emu: --bootloader-id: '%s' is no Caterina entry of the catalog\n", id);
			return NULL;
		}
		return bl;
	}
	bl = catalog_find_bootloader(cat, "caterina-promicro16");
	if (bl != NULL && catalog_find_part(cat, bl->part) == part)
		return bl;
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		bl = &cat->bootloaders[i];
		if (bl->family == NULL || strcmp(bl->family, "caterina") != 0 ||
		    catalog_find_part(cat, bl->part) != part)
			continue;
		if (bl->has_sketch_usb_id)
			return bl;
		if (any == NULL)
			any = bl;
	}
	if (any == NULL)
		fprintf(stderr, "ispwiz-emu: the catalog has no Caterina for %s; give --bootloader-id\n",
			part->id);
	return any;
}

static int
parse_usb_id(const char *s, struct catalog_usb_id *id)
{
	unsigned v, p;
	char extra;

	if (sscanf(s, "%4x:%4x%c", &v, &p, &extra) != 2) {
		fprintf(stderr, "ispwiz-emu: --then-id: write VID:PID in hex, not '%s'\n", s);
		return -1;
	}
	id->vid = (uint16_t)v;
	id->pid = (uint16_t)p;
	return 0;
}

/* The application the board becomes: a catalog programmer's look when its
 * ID is one (16C0:0483 is QMK's ISP firmware: "Teensyduino", "USB Serial"). */
static struct usb_identity
app_identity(const struct catalog *cat, struct catalog_usb_id id)
{
	struct usb_identity u = { id, "ispwiz-emu", "Application", false };

	for (size_t i = 0; i < cat->n_programmers; i++)
		for (size_t k = 0; k < cat->programmers[i].n_usb_ids; k++)
			if (cat->programmers[i].usb_ids[k].vid == id.vid &&
			    cat->programmers[i].usb_ids[k].pid == id.pid) {
				u.manufacturer = cat->programmers[i].id;
				u.product = cat->programmers[i].name;
			}
	if (id.vid == 0x16C0) {
		u.manufacturer = "Teensyduino";
		u.product = "USB Serial";
	}
	return u;
}

static void
boot_identity(struct usb_identity *u, const struct catalog_bootloader *bl, char *name, size_t size)
{
	snprintf(name, size, "%s", bl->name != NULL ? bl->name : bl->id);
	*u = (struct usb_identity){ bl->usb_id, "ispwiz-emu", name, false };
}

int
emurun_caterina_setup(const struct emurun_caterina_args *a, const struct catalog *cat,
		      struct emu *e, struct emurun_boards *bs, struct sim_target **t2,
		      struct emu **e2)
{
	struct emurun_board_names *names = &bs->names;
	const struct catalog_bootloader *bl = pick_caterina(cat, catalog_find_part(cat, a->part), a->bootloader_id);
	struct emurun_board *b = &bs->b[0];
	struct iw_error err;

	if (bl == NULL)
		return 2;
	memset(b, 0, sizeof(*b));
	b->e = e;
	b->port = 1;
	snprintf(b->serial, sizeof(b->serial), "ISPWIZEMU01");
	boot_identity(&b->boot, bl, names->boot[0], sizeof(names->boot[0]));
	if (a->sketch) {
		if (!bl->has_sketch_usb_id) {
			fprintf(stderr, "ispwiz-emu: --sketch: %s has no sketch USB ID in the catalog\n", bl->id);
			return 2;
		}
		snprintf(names->sketch, sizeof(names->sketch), "%s sketch", names->boot[0]);
		b->sketch = (struct usb_identity){ bl->sketch_usb_id, "ispwiz-emu", names->sketch, false };
		b->has_sketch = true;
		b->app = b->sketch;
		b->has_app = true;
	}
	if (a->then_id) {
		struct catalog_usb_id id;

		if (parse_usb_id(a->then_id, &id) != 0)
			return 2;
		b->app = app_identity(cat, id);
		b->has_app = true;
	}
	b->shown_gen = UINT32_MAX;
	bs->n = 1;
	if (a->extra_bootloader) {
		const struct catalog_bootloader *bl2 = pick_caterina(cat, NULL, a->extra_bootloader);
		const struct catalog_part *part2 = bl2 ? catalog_find_part(cat, bl2->part) : NULL;
		struct emu_options o = { .kind = EMU_CATERINA };

		if (bl2 == NULL || part2 == NULL)
			return 2;
		*t2 = sim_target_new(part2, NULL, &err);
		if (*t2 == NULL || (*e2 = emu_new(&o, *t2, &err)) == NULL) {
			fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
			return 1;
		}
		b = &bs->b[1];
		memset(b, 0, sizeof(*b));
		b->e = *e2;
		b->port = 2;
		snprintf(b->serial, sizeof(b->serial), "ISPWIZEMU02");
		boot_identity(&b->boot, bl2, names->boot[1], sizeof(names->boot[1]));
		b->shown_gen = UINT32_MAX;
		bs->n = 2;
	}
	return 0;
}
