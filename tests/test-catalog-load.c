/*
 * test-catalog-load.c - catalogs that load: every kind of value lands in
 * the right field, and the look-ups find parts, programmers, bootloaders
 * and presets by id, avrdude name or display name (and refuse to guess
 * between two entries).
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "catalog-fixture.h"

/* ---- successful loads ----------------------------------------------------- */

static void
test_full_catalog_loads(void **state)
{
	struct catalog cat;
	struct iw_error err;
	const struct catalog_programmer *pr;
	const struct catalog_bootloader *bl;
	const struct catalog_part *part;

	(void)state;
	catalog_init(&cat);
	iw_error_clear(&err);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	assert_int_equal(catalog_validate(&cat, &err), IW_OK);
	assert_int_equal(cat.n_programmers, 2);
	assert_int_equal(cat.n_parts, 2);
	assert_int_equal(cat.n_bootloaders, 2);
	assert_int_equal(cat.n_files, 1);
	assert_string_equal(cat.files[0], "full.yaml");

	pr = catalog_find_programmer(&cat, "usbasp");
	assert_non_null(pr);
	assert_int_equal(pr->transport, CATALOG_TRANSPORT_USB);
	assert_int_equal(pr->n_usb_ids, 1);
	assert_int_equal(pr->usb_ids[0].vid, 0x16C0);
	assert_int_equal(pr->usb_ids[0].pid, 0x05DC);
	assert_int_equal(pr->n_wiring, 2);
	assert_string_equal(pr->wiring[1].programmer_pin, "SCK");
	assert_string_equal(pr->wiring[1].target_pin, "SCLK");
	assert_int_equal(pr->n_warnings, 1);
	assert_null(pr->firmware);
	assert_int_equal(pr->origin.line, 3);
	assert_int_equal(pr->origin.col, 5);
	assert_ptr_equal(pr->origin.file, cat.files[0]);

	pr = catalog_find_programmer(&cat, "avrisp-promicro");
	assert_non_null(pr);
	assert_int_equal(pr->baud, 19200);
	assert_non_null(pr->firmware);
	assert_string_equal(pr->firmware->loader, "caterina");
	assert_null(pr->firmware->url);

	bl = catalog_find_bootloader(&cat, "caterina-promicro16");
	assert_non_null(bl);
	assert_int_equal(bl->usb_id.vid, 0x1B4F);
	assert_int_equal(bl->usb_id.pid, 0x9205);
	assert_int_equal(bl->n_presets, 1);
	/* Hex ints, "0xNN" strings and decimal all give the same bytes. */
	assert_int_equal(bl->presets[0].fuse[FUSE_LOW], 0xFF);
	assert_int_equal(bl->presets[0].fuse[FUSE_HIGH], 0xD8);
	assert_int_equal(bl->presets[0].fuse[FUSE_EXT], 0xFB);
	assert_true(bl->presets[0].has_fuse[FUSE_EXT]);
	assert_false(bl->presets[0].has_lock);
	assert_int_equal(bl->n_identities, 0);
	assert_string_equal(bl->page, "https://example.org/promicro");
	assert_int_equal(bl->window_ms, 750);
	assert_false(bl->has_sketch_usb_id);
	assert_int_equal(bl->n_notes, 1);
	assert_int_equal(bl->origin.line, 23);

	bl = catalog_find_bootloader(&cat, "bootloadhid-atmega32a");
	assert_non_null(bl);
	assert_null(bl->file);
	assert_null(bl->url);
	assert_false(bl->presets[0].has_fuse[FUSE_EXT]);
	assert_int_equal(bl->n_identities, 1);
	assert_string_equal(bl->identities[0].image.sha256,
			    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_int_equal(bl->identities[0].image.start, 0x7000);
	assert_int_equal(bl->identities[0].image.length, 2048);
	assert_false(bl->identities[0].has_boot);

	part = catalog_find_part(&cat, "atmega32u4");
	assert_non_null(part);
	assert_memory_equal(part->signature, "\x1E\x95\x87", 3);
	assert_int_equal(part->lock_mask, 0x3F);
	/* Boot rows land at their BOOTSZ index whatever the listed order. */
	assert_int_equal(part->boot[3].size_words, 256);
	assert_int_equal(part->boot[3].start_word, 0x3F00);
	assert_int_equal(part->boot[0].bootsz, 0);
	assert_int_equal(part->boot[0].size_words, 2048);
	assert_true(part->fuses[FUSE_EXT].present);
	assert_int_equal(part->fuses[FUSE_EXT].unused_mask, 0xF0);
	assert_int_equal(part->fuses[FUSE_LOW].n_fields, 2);
	assert_int_equal(part->fuses[FUSE_LOW].fields[1].n_values, 1);
	assert_int_equal(part->fuses[FUSE_LOW].fields[1].values[0].value, 0xF);
	assert_int_equal(part->fuses[FUSE_HIGH].fields[0].safety,
			 FUSE_SAFETY_REFUSE_UNPROGRAMMED);
	assert_int_equal(part->fuses[FUSE_LOW].fields[1].safety, FUSE_SAFETY_NONE);
	part = catalog_find_part(&cat, "atmega32a");
	assert_false(part->fuses[FUSE_EXT].present);
	catalog_free(&cat);
}

static void
test_find_part_by_avrdude_id_and_name(void **state)
{
	struct catalog cat;
	struct iw_error err;
	const struct catalog_part *p;
	const uint8_t sig[3] = { 0x1E, 0x95, 0x02 };
	const uint8_t nosig[3] = { 0x1E, 0x00, 0x00 };

	(void)state;
	catalog_init(&cat);
	assert_int_equal(load(&cat, "full.yaml", FULL, &err), IW_OK);
	p = catalog_find_part(&cat, "m32u4");
	assert_non_null(p);
	assert_string_equal(p->id, "atmega32u4");
	assert_ptr_equal(catalog_find_part(&cat, "ATmega32U4"), p);
	assert_ptr_equal(catalog_find_part(&cat, "atmega32U4"), p);
	assert_ptr_equal(catalog_find_part(&cat, "M32U4"), p);
	assert_string_equal(catalog_find_part(&cat, "m32")->id, "atmega32a");
	assert_null(catalog_find_part(&cat, "m328p"));
	assert_null(catalog_find_part(&cat, NULL));
	assert_string_equal(catalog_find_part_by_signature(&cat, sig)->id, "atmega32a");
	assert_null(catalog_find_part_by_signature(&cat, nosig));
	assert_non_null(catalog_find_programmer(&cat, "USBasp"));
	assert_null(catalog_find_programmer(&cat, "usbtiny"));
	/* The avrdude/driver name finds the entry people mean. */
	assert_string_equal(catalog_find_programmer(&cat, "avrisp")->id,
			    "avrisp-promicro");
	assert_non_null(catalog_find_bootloader(&cat, "Caterina-ProMicro16"));
	assert_string_equal(catalog_find_preset(catalog_find_bootloader(&cat,
			    "caterina-promicro16"), "DEFAULT")->name, "default");
	assert_null(catalog_find_preset(catalog_find_bootloader(&cat,
		    "caterina-promicro16"), "jtag-disabled"));
	catalog_free(&cat);
}

static void
test_names(void **state)
{
	char buf[10];
	struct catalog_usb_id id = { 0x3eb, 0x2ff4 };

	(void)state;
	assert_string_equal(catalog_usb_id_str(id, buf), "03EB:2FF4");
	assert_string_equal(catalog_transport_name(CATALOG_TRANSPORT_SERIAL), "serial");
	assert_string_equal(catalog_transport_name(CATALOG_TRANSPORT_USB), "usb");
	assert_string_equal(catalog_transport_name(CATALOG_TRANSPORT_SIM), "sim");
	assert_string_equal(fuse_byte_name(FUSE_LOW), "lfuse");
	assert_string_equal(fuse_byte_name(FUSE_HIGH), "hfuse");
	assert_string_equal(fuse_byte_name(FUSE_EXT), "efuse");
	assert_string_equal(fuse_safety_name(FUSE_SAFETY_REFUSE_UNPROGRAMMED),
			    "refuse-unprogrammed");
	assert_string_equal(fuse_safety_name(FUSE_SAFETY_CONFIRM_PROGRAMMED),
			    "confirm-programmed");
}

/* The shipped catalog loads and validates (its contents are checked in
 * test-catalog-seed.c). */
static void
test_shipped_catalog_loads(void **state)
{
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	iw_error_clear(&err);
	if (catalog_load_file(&cat, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK ||
	    catalog_validate(&cat, &err) != IW_OK)
		fail_msg("%s", err.msg);
	assert_true(cat.n_parts > 0);
	catalog_free(&cat);
}

/* Two entries answering to one avrdude name but with different drivers:
 * the look-up refuses to guess. */
static void
test_find_programmer_by_avrdude_name_ambiguous(void **state)
{
	static const char two[] =
		"version: 1\n"
		"programmers:\n"
		"  - id: isp-one\n"
		"    driver: usbasp\n"
		"    name: One\n"
		"    avrdude: stk500v1\n"
		"    transport: usb\n"
		"    usb_ids: [\"16C0:05DC\"]\n"
		"    wiring: [[\"RST\", \"RESET\"]]\n"
		"  - id: isp-two\n"
		"    driver: avrisp\n"
		"    name: Two\n"
		"    avrdude: stk500v1\n"
		"    transport: serial\n"
		"    baud: 19200\n"
		"    usb_ids: [\"2341:0043\"]\n"
		"    wiring: [[\"10\", \"RESET\"]]\n";
	struct catalog cat;
	struct iw_error err;

	(void)state;
	catalog_init(&cat);
	assert_int_equal(catalog_load_buffer(&cat, "two.yaml", two, sizeof two - 1, &err), IW_OK);
	assert_null(catalog_find_programmer(&cat, "stk500v1"));
	assert_string_equal(catalog_find_programmer(&cat, "avrisp")->id, "isp-two");
	assert_string_equal(catalog_find_programmer(&cat, "ISP-ONE")->id, "isp-one");
	catalog_free(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_catalog_loads),
		cmocka_unit_test(test_find_part_by_avrdude_id_and_name),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_shipped_catalog_loads),
		cmocka_unit_test(test_find_programmer_by_avrdude_name_ambiguous),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
