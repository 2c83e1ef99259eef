/*
 * demo.c - what `ispwiz --demo` shows before the wizard exists: the steps
 * the wizard will take against the simulated programmer and a bricked
 * ATmega32U4, filled in from the catalog so the data is the real data.
 */
#include "cli/demo.h"

#include <stdio.h>

#define DEMO_PROGRAMMER "sim"
#define DEMO_PART       "atmega32u4"
#define DEMO_BOOTLOADER "atmel-dfu-atmega32u4"

int
demo_describe(struct cli_context *ctx)
{
	const struct catalog *cat = cli_catalog(ctx);
	const struct catalog_programmer *prog;
	const struct catalog_part *part;
	const struct catalog_bootloader *bl;
	struct iw_error err;
	char usb[10];

	if (cat == NULL)
		return iw_status_exit_code(IW_CATALOG);
	prog = catalog_find_programmer(cat, DEMO_PROGRAMMER);
	part = catalog_find_part(cat, DEMO_PART);
	bl = catalog_find_bootloader(cat, DEMO_BOOTLOADER);
	if (prog == NULL || part == NULL || bl == NULL || bl->n_presets == 0) {
		iw_error_set(&err, IW_CATALOG,
			     "the catalog lacks the demo entries (programmer '%s', "
			     "part '%s', bootloader '%s'); check --catalog or reinstall",
			     DEMO_PROGRAMMER, DEMO_PART, DEMO_BOOTLOADER);
		return cli_fail(ctx, &err);
	}

	printf("ispwiz demo: the interactive wizard is not built yet. This is the\n"
	       "session it will walk you through, against the simulator:\n\n");
	printf("  1. Programmer: %s (%s)\n", prog->name, prog->description);
	printf("  2. Wiring:\n");
	for (size_t i = 0; i < prog->n_wiring; i++)
		printf("       %-12s -> %s\n", prog->wiring[i].programmer_pin,
		       prog->wiring[i].target_pin);
	for (size_t i = 0; i < prog->n_warnings; i++)
		printf("     ! %s\n", prog->warnings[i]);
	printf("  3. Port: the simulated programmer appears a moment after this step opens.\n");
	printf("  4. Target: a bricked %s (signature %02X %02X %02X, empty flash).\n",
	       part->name, part->signature[0], part->signature[1], part->signature[2]);
	printf("  5. Bootloader: %s, preset '%s': lfuse 0x%02X hfuse 0x%02X",
	       bl->name, bl->presets[0].name, bl->presets[0].fuse[FUSE_LOW],
	       bl->presets[0].fuse[FUSE_HIGH]);
	if (bl->presets[0].has_fuse[FUSE_EXT])
		printf(" efuse 0x%02X", bl->presets[0].fuse[FUSE_EXT]);
	printf("\n  6. Review, backup, erase, write, verify, fuses.\n");
	printf("  7. Done: wait for USB ID %s to enumerate.\n\n",
	       catalog_usb_id_str(bl->usb_id, usb));
	printf("Meanwhile the command line works: try '%s list bootloaders --part %s'\n"
	       "or '%s fuses decode -p %s --lfuse 0x%02X --hfuse 0x%02X'.\n",
	       ctx->argv0, part->id, ctx->argv0, part->id,
	       bl->presets[0].fuse[FUSE_LOW], bl->presets[0].fuse[FUSE_HIGH]);
	return 0;
}
