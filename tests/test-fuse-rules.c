/*
 * test-fuse-rules.c - the safety class of every kind of fuse change, the
 * rendered before/after diff, and the boot-section fit check, against the
 * C-built parts of tests/fuse-fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/fuse-rules.h"
#include "fuse-fixture.h"

#define assert_contains(hay, needle) do {                                   \
	const char *h_ = (hay), *n_ = (needle);                             \
	if (strstr(h_, n_) == NULL)                                          \
		fail_msg("expected \"%s\" in \"%s\"", n_, h_);               \
} while (0)

static struct fuse_set
set3(int l, int h, int e)
{
	struct fuse_set s;

	fuse_set_init(&s);
	if (l >= 0)
		fuse_set_put(&s, FUSE_LOW, (uint8_t)l);
	if (h >= 0)
		fuse_set_put(&s, FUSE_HIGH, (uint8_t)h);
	if (e >= 0)
		fuse_set_put(&s, FUSE_EXT, (uint8_t)e);
	return s;
}

/* Classify and require success; the diff is static so tests can keep a
 * pointer without a large stack frame. */
static const struct fuse_diff *
classify(const struct catalog_part *p, struct fuse_set before, struct fuse_set after)
{
	static struct fuse_diff diff;
	struct iw_error err = { .code = IW_OK };

	if (fuse_rules_classify(p, &before, &after, &diff, &err) != IW_OK)
		fail_msg("classify failed: %s", err.msg);
	return &diff;
}

static const struct fuse_change *
change(const struct fuse_diff *d, const char *name)
{
	for (size_t i = 0; i < d->n_changes; i++)
		if (strcmp(d->changes[i].name, name) == 0)
			return &d->changes[i];
	return NULL;
}

static const struct fuse_change *
only_change(const struct fuse_diff *d, const char *name)
{
	const struct fuse_change *c = change(d, name);

	if (d->n_changes != 1 || c == NULL)
		fail_msg("expected exactly one change, to %s; got %zu", name, d->n_changes);
	return c;
}

/* ---- refuse ---------------------------------------------------------------- */

static void
test_spien_off_refused(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	/* 0x99 -> 0xB9 sets bit 5: SPIEN unprogrammed. */
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x5E, 0xB9, 0xF3));
	c = only_change(d, "SPIEN");
	assert_int_equal(c->cls, FUSE_CLASS_REFUSE);
	assert_int_equal(c->byte, FUSE_HIGH);
	assert_int_equal(c->old_value, 0);
	assert_int_equal(c->new_value, 1);
	assert_contains(c->reason, "SPIEN");
	assert_contains(c->reason, "ends ISP access");
	assert_int_equal(d->overall, FUSE_CLASS_REFUSE);
}

static void
test_spien_on_informs(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	/* Going the other way keeps ISP: never refused. */
	d = classify(fixture_atmega32u4(), set3(0x5E, 0xB9, 0xF3), set3(0x5E, 0x99, 0xF3));
	assert_int_equal(only_change(d, "SPIEN")->cls, FUSE_CLASS_INFORM);
	assert_int_equal(d->overall, FUSE_CLASS_INFORM);
}

static void
test_rstdisbl_on_refused(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	d = classify(fixture_atmega328p(), set3(0x62, 0xD9, 0xFF), set3(0x62, 0x59, 0xFF));
	c = only_change(d, "RSTDISBL");
	assert_int_equal(c->cls, FUSE_CLASS_REFUSE);
	assert_contains(c->reason, "programming RSTDISBL");
	assert_int_equal(d->overall, FUSE_CLASS_REFUSE);
}

static void
test_rstdisbl_off_informs(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega328p(), set3(0x62, 0x59, 0xFF), set3(0x62, 0xD9, 0xFF));
	assert_int_equal(only_change(d, "RSTDISBL")->cls, FUSE_CLASS_INFORM);
}

static void
test_dwen_on_refused(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega328p(), set3(0x62, 0xD9, 0xFF), set3(0x62, 0x99, 0xFF));
	assert_int_equal(only_change(d, "DWEN")->cls, FUSE_CLASS_REFUSE);
	assert_int_equal(d->overall, FUSE_CLASS_REFUSE);
}

/* ---- confirm --------------------------------------------------------------- */

static void
test_ckdiv8_change_confirm(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	/* Both directions: setting it can make ISP too fast for the chip. */
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0xDE, 0x99, 0xF3));
	assert_int_equal(only_change(d, "CKDIV8")->cls, FUSE_CLASS_CONFIRM);
	d = classify(fixture_atmega32u4(), set3(0xDE, 0x99, 0xF3), set3(0x5E, 0x99, 0xF3));
	assert_int_equal(only_change(d, "CKDIV8")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(d->overall, FUSE_CLASS_CONFIRM);
}

static void
test_cksel_change_confirm(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x5F, 0x99, 0xF3));
	c = only_change(d, "CKSEL");
	assert_int_equal(c->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(c->old_value, 0xE);
	assert_int_equal(c->new_value, 0xF);
	assert_string_equal(c->old_meaning, "low-power crystal 8-16 MHz, slowly rising power");
	assert_string_equal(c->new_meaning, "low-power crystal 8-16 MHz, fast rising power");
	assert_contains(c->reason, "changing CKSEL needs confirmation");
}

static void
test_sut_change_confirm(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x7E, 0x99, 0xF3));
	assert_int_equal(only_change(d, "SUT")->cls, FUSE_CLASS_CONFIRM);
}

static void
test_bootsz_change_confirm(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0xFF, 0xD8, 0xFB), set3(0xFF, 0xDA, 0xFB));
	c = only_change(d, "BOOTSZ");
	assert_int_equal(c->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(c->mask, 0x06);
	assert_string_equal(c->old_meaning, "2048 words (4 KiB), boot section starts at byte 0x7000");
	assert_string_equal(c->new_meaning, "1024 words (2 KiB), boot section starts at byte 0x7800");
}

static void
test_bootrst_change_confirm(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0xFF, 0xD8, 0xFB), set3(0xFF, 0xD9, 0xFB));
	c = only_change(d, "BOOTRST");
	assert_int_equal(c->cls, FUSE_CLASS_CONFIRM);
	assert_true(c->single_bit);
	assert_string_equal(c->old_meaning, "reset starts the boot section at 0x7000");
	assert_string_equal(c->new_meaning, "reset starts the application at 0x0000");
}

static void
test_jtagen_enable_confirm_disable_inform(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0xFF, 0xD8, 0xFB), set3(0xFF, 0x98, 0xFB));
	assert_int_equal(only_change(d, "JTAGEN")->cls, FUSE_CLASS_CONFIRM);
	assert_contains(only_change(d, "JTAGEN")->reason, "key matrix");
	/* The DFU preset's "JTAG disabled" variant: 0x99 -> 0xD9. */
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x5E, 0xD9, 0xF3));
	assert_int_equal(only_change(d, "JTAGEN")->cls, FUSE_CLASS_INFORM);
	assert_int_equal(d->overall, FUSE_CLASS_INFORM);
}

static void
test_unnamed_bits_confirm(void **state)
{
	struct catalog_part p = *fixture_atmega32u4();
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	p.fuses[FUSE_LOW].n_fields = 3;   /* CKSEL bits left undefined */
	d = classify(&p, set3(0x5E, -1, -1), set3(0x5F, -1, -1));
	c = only_change(d, "unnamed bits");
	assert_null(c->field);
	assert_int_equal(c->mask, 0x0F);
	assert_int_equal(c->cls, FUSE_CLASS_CONFIRM);
	assert_contains(c->reason, "check the datasheet");
	assert_int_equal(c->old_value, 0xE);
	assert_int_equal(c->new_value, 0xF);

	/* Scattered unnamed bits are packed right-aligned: with only CKDIV8
	 * and SUT named, bits 6 and 3:0 are unnamed. */
	{
		const struct fuse_field *all = fixture_atmega32u4()->fuses[FUSE_LOW].fields;
		struct fuse_field two[2];

		two[0] = all[0];   /* CKDIV8 */
		two[1] = all[2];   /* SUT */
		p.fuses[FUSE_LOW].fields = two;
		p.fuses[FUSE_LOW].n_fields = 2;
		d = classify(&p, set3(0x5E, -1, -1), set3(0x1F, -1, -1));
		c = change(d, "unnamed bits");
		assert_non_null(c);
		assert_int_equal(c->mask, 0x4F);
		assert_int_equal(c->old_value, 0x1E);   /* bit 6 = 1, bits 3:0 = 1110 */
		assert_int_equal(c->new_value, 0x0F);
	}
}

/* ---- inform and no change --------------------------------------------------- */

static void
test_eesave_inform(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x5E, 0x91, 0xF3));
	c = only_change(d, "EESAVE");
	assert_int_equal(c->cls, FUSE_CLASS_INFORM);
	assert_contains(c->reason, "no safety rule");
	assert_int_equal(d->overall, FUSE_CLASS_INFORM);
}

static void
test_unused_bits_ignored(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0xFF, 0xD8, 0xFB), set3(0xFF, 0xD8, 0xCB));
	assert_int_equal(d->n_changes, 0);
	assert_int_equal(d->overall, FUSE_CLASS_UNCHANGED);
	d = classify(fixture_atmega328p(), set3(0xFF, 0xDA, 0xFC), set3(0xFF, 0xDA, 0x04));
	assert_int_equal(d->n_changes, 0);
	/* ...but a real BODLEVEL change next to them still shows. */
	d = classify(fixture_atmega328p(), set3(0xFF, 0xDA, 0xFF), set3(0xFF, 0xDA, 0x04));
	assert_int_equal(only_change(d, "BODLEVEL")->cls, FUSE_CLASS_INFORM);
}

static void
test_identical_sets_unchanged(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x5E, 0x99, 0xF3));
	assert_int_equal(d->n_changes, 0);
	assert_int_equal(d->overall, FUSE_CLASS_UNCHANGED);
}

static void
test_caterina_to_dfu(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0xFF, 0xD8, 0xFB), set3(0x5E, 0x99, 0xF3));
	assert_int_equal(d->n_changes, 6);
	assert_int_equal(change(d, "CKDIV8")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(change(d, "SUT")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(change(d, "CKSEL")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(change(d, "JTAGEN")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(change(d, "BOOTRST")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(change(d, "HWBE")->cls, FUSE_CLASS_INFORM);
	assert_null(change(d, "BOOTSZ"));
	assert_null(change(d, "OCDEN"));
	assert_null(change(d, "SPIEN"));
	assert_int_equal(d->overall, FUSE_CLASS_CONFIRM);
	/* Changes come in byte order. */
	assert_int_equal(d->changes[0].byte, FUSE_LOW);
	assert_int_equal(d->changes[5].byte, FUSE_EXT);
}

static void
test_overall_is_worst(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	/* EESAVE (inform), BOOTRST (confirm) and SPIEN off (refuse) at once. */
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x98, 0xF3), set3(0x5E, 0xB1, 0xF3));
	assert_int_equal(d->n_changes, 3);
	assert_int_equal(change(d, "EESAVE")->cls, FUSE_CLASS_INFORM);
	assert_int_equal(change(d, "BOOTRST")->cls, FUSE_CLASS_CONFIRM);
	assert_int_equal(change(d, "SPIEN")->cls, FUSE_CLASS_REFUSE);
	assert_int_equal(d->overall, FUSE_CLASS_REFUSE);
}

static void
test_unknown_before_counts_every_field(void **state)
{
	const struct fuse_diff *d;
	const struct fuse_change *c;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, -1), set3(0x5E, 0x99, 0xF3));
	assert_int_equal(d->n_changes, 2);
	c = change(d, "HWBE");
	assert_false(c->old_known);
	assert_string_equal(c->old_meaning, "");
	assert_int_equal(d->overall, FUSE_CLASS_INFORM);
}

static void
test_byte_not_in_after_is_not_compared(void **state)
{
	const struct fuse_diff *d;

	(void)state;
	d = classify(fixture_atmega32u4(), set3(0x5E, 0x99, 0xF3), set3(0x5E, 0x99, -1));
	assert_int_equal(d->n_changes, 0);
}

static void
test_efuse_on_part_without_one(void **state)
{
	struct fuse_set a = set3(0xE1, 0x99, -1), b = set3(0xE1, 0x99, 0xFF);
	struct fuse_diff diff;
	struct iw_error err;

	(void)state;
	assert_int_equal(fuse_rules_classify(fixture_atmega32a(), &a, &b, &diff, &err), IW_RANGE);
	assert_contains(err.msg, "ATmega32A has no efuse");
}

static void
test_overlapping_fields_rejected(void **state)
{
	struct catalog_part p = *fixture_atmega32u4();
	struct fuse_field fields[2] = {
		{ .name = "A", .mask = 0x0F },
		{ .name = "B", .mask = 0x18 },
	};
	struct fuse_set a = set3(0xFF, -1, -1), b = set3(0x00, -1, -1);
	struct fuse_diff diff;
	struct iw_error err;

	(void)state;
	p.fuses[FUSE_LOW].fields = fields;
	p.fuses[FUSE_LOW].n_fields = 2;
	assert_int_equal(fuse_rules_classify(&p, &a, &b, &diff, &err), IW_CATALOG);
	assert_contains(err.msg, "fixture:1:1:");
	assert_contains(err.msg, "field B");
	assert_contains(err.msg, "overlaps");
}

static void
test_class_names(void **state)
{
	(void)state;
	assert_string_equal(fuse_class_name(FUSE_CLASS_UNCHANGED), "unchanged");
	assert_string_equal(fuse_class_name(FUSE_CLASS_INFORM), "inform");
	assert_string_equal(fuse_class_name(FUSE_CLASS_CONFIRM), "confirm");
	assert_string_equal(fuse_class_name(FUSE_CLASS_REFUSE), "refuse");
	assert_string_equal(fuse_class_name((enum fuse_class)42), "?");
}

/* ---- the rendered diff ------------------------------------------------------ */

struct lines {
	char text[8192];
	size_t len, longest;
	int by_class[FUSE_CLASS_REFUSE + 1];
};

static void
add_line(void *user, enum fuse_class cls, const char *line)
{
	struct lines *l = user;
	size_t n = strlen(line);

	if (n > l->longest)
		l->longest = n;
	assert_true(l->len + n + 2 < sizeof l->text);
	memcpy(l->text + l->len, line, n);
	l->len += n;
	l->text[l->len++] = '\n';
	l->text[l->len] = '\0';
	l->by_class[cls]++;
}

static void
test_render_caterina_to_dfu(void **state)
{
	struct fuse_set a = set3(0xFF, 0xD8, 0xFB), b = set3(0x5E, 0x99, 0xF3);
	const struct fuse_diff *d = classify(fixture_atmega32u4(), a, b);
	static struct lines l;

	(void)state;
	memset(&l, 0, sizeof l);
	fuse_rules_render(fixture_atmega32u4(), &a, &b, d, add_line, &l);
	assert_true(l.longest <= FUSES_TEXT_WIDTH);
	assert_contains(l.text, "lfuse 0xFF -> 0x5E\n");
	assert_contains(l.text, "hfuse 0xD8 -> 0x99\n");
	assert_contains(l.text, "efuse 0xFB -> 0xF3\n");
	assert_contains(l.text, "  confirm  CKDIV8 (lfuse bit 7): 1 -> 0, unprogrammed -> programmed\n");
	assert_contains(l.text, "  confirm  CKSEL (lfuse bits 3:0): 1111 -> 1110\n");
	assert_contains(l.text, "  confirm  JTAGEN (hfuse bit 6): 1 -> 0, unprogrammed -> programmed\n");
	assert_contains(l.text, "           was: programmed, reset starts the boot section at 0x7000\n");
	assert_contains(l.text, "           now: unprogrammed, reset starts the application at 0x0000\n");
	assert_contains(l.text, "  inform   HWBE (efuse bit 3): 1 -> 0, unprogrammed -> programmed\n");
	assert_contains(l.text, "overall: confirm - 5 changes need confirmation\n");
	assert_true(l.by_class[FUSE_CLASS_CONFIRM] > 0);
	assert_true(l.by_class[FUSE_CLASS_INFORM] > 0);
	assert_int_equal(l.by_class[FUSE_CLASS_REFUSE], 0);
}

static void
test_render_unchanged_and_unused(void **state)
{
	struct fuse_set a = set3(0xFF, 0xD8, 0xFB), b = set3(0xFF, 0xD8, 0xCB);
	const struct fuse_diff *d = classify(fixture_atmega32u4(), a, b);
	static struct lines l;

	(void)state;
	memset(&l, 0, sizeof l);
	fuse_rules_render(fixture_atmega32u4(), &a, &b, d, add_line, &l);
	assert_contains(l.text, "lfuse 0xFF: unchanged\n");
	assert_contains(l.text, "efuse 0xFB -> 0xCB: unchanged (only unused bits 0x30 differ)\n");
	assert_contains(l.text, "overall: unchanged");
}

static void
test_render_refuse_and_unknown(void **state)
{
	struct fuse_set a = set3(0x5E, 0x99, -1), b = set3(0x5E, 0xB9, 0xF3);
	const struct fuse_diff *d = classify(fixture_atmega32u4(), a, b);
	static struct lines l;

	(void)state;
	memset(&l, 0, sizeof l);
	fuse_rules_render(fixture_atmega32u4(), &a, &b, d, add_line, &l);
	assert_contains(l.text, "  refuse   SPIEN (hfuse bit 5): 0 -> 1, programmed -> unprogrammed\n");
	assert_contains(l.text, "efuse ? -> 0xF3 (current value not known)\n");
	assert_contains(l.text, "  inform   BODLEVEL (efuse bits 2:0): ? -> 011\n");
	assert_contains(l.text, "overall: refuse - 1 change would end ISP access\n");
	assert_true(l.longest <= FUSES_TEXT_WIDTH);
}

/* ---- boot-section fit ------------------------------------------------------- */

static void
test_boot_fit_ok(void **state)
{
	struct iw_error err;
	const struct catalog_part *p = fixture_atmega32u4();

	(void)state;
	/* Caterina (4 KiB section at 0x7000) and Atmel DFU (BOOTRST off). */
	assert_int_equal(fuse_rules_check_boot_fit(p, 0xD8, 0x7000, 0x7E00, &err), IW_OK);
	assert_int_equal(fuse_rules_check_boot_fit(p, 0x99, 0x7000, 0x8000, &err), IW_OK);
	/* A 512-byte bootloader with the matching BOOTSZ=11. */
	assert_int_equal(fuse_rules_check_boot_fit(p, 0xDE, 0x7E00, 0x8000, &err), IW_OK);
}

static void
test_boot_fit_wrong_start_suggests_bootsz(void **state)
{
	struct iw_error err;
	const struct catalog_part *p = fixture_atmega32u4();

	(void)state;
	assert_int_equal(fuse_rules_check_boot_fit(p, 0xD8, 0x7800, 0x8000, &err), IW_REFUSED);
	assert_string_equal(err.msg,
			    "the bootloader starts at 0x7800 (a 2 KiB boot section) but hfuse "
			    "0xD8 selects BOOTSZ=00, a 4 KiB section starting at 0x7000; use "
			    "BOOTSZ=01 (hfuse 0xDA) or a bootloader built for 0x7000");
	/* The suggestion keeps the other bits: from the DFU's 0x99. */
	assert_int_equal(fuse_rules_check_boot_fit(p, 0x99, 0x7E00, 0x8000, &err), IW_REFUSED);
	assert_contains(err.msg, "(a 512-byte boot section)");
	assert_contains(err.msg, "use BOOTSZ=11 (hfuse 0x9F)");
	/* A bootloader for a bigger section than the fuse selects. */
	assert_int_equal(fuse_rules_check_boot_fit(p, 0xDE, 0x7000, 0x8000, &err), IW_REFUSED);
	assert_contains(err.msg, "use BOOTSZ=00 (hfuse 0xD8)");
}

static void
test_boot_fit_no_section_matches(void **state)
{
	struct iw_error err;
	const struct catalog_part *p = fixture_atmega32u4();

	(void)state;
	assert_int_equal(fuse_rules_check_boot_fit(p, 0xD8, 0x7100, 0x8000, &err), IW_REFUSED);
	assert_contains(err.msg, "0x7100, which is not the start of any boot section");
	assert_contains(err.msg, "(0x7000, 0x7800, 0x7C00, 0x7E00)");
	assert_contains(err.msg, "use a bootloader built for 0x7000");
	/* Bigger than the largest boot section. */
	assert_int_equal(fuse_rules_check_boot_fit(p, 0xD8, 0x6000, 0x8000, &err), IW_REFUSED);
	assert_contains(err.msg, "0x6000");
}

static void
test_boot_fit_too_big(void **state)
{
	struct iw_error err;

	(void)state;
	assert_int_equal(fuse_rules_check_boot_fit(fixture_atmega32u4(), 0xD8, 0x7000,
						   0x8010, &err), IW_RANGE);
	assert_contains(err.msg, "ends at 0x800F, past the end of the ATmega32U4's 32 KiB flash");
}

static void
test_boot_fit_empty_and_no_bootsz(void **state)
{
	struct iw_error err;
	struct catalog_part p = *fixture_atmega32u4();

	(void)state;
	assert_int_equal(fuse_rules_check_boot_fit(&p, 0xD8, 0x7000, 0x7000, &err), IW_INPUT);
	assert_contains(err.msg, "empty");
	p.fuses[FUSE_HIGH].n_fields = 5;   /* drop BOOTSZ and BOOTRST */
	assert_int_equal(fuse_rules_check_boot_fit(&p, 0xD8, 0x7000, 0x8000, &err), IW_CATALOG);
	assert_contains(err.msg, "no BOOTSZ field");
	p = *fixture_atmega32u4();
	p.boot[3].size_words = 0;          /* BOOTSZ=0 missing from the table */
	assert_int_equal(fuse_rules_check_boot_fit(&p, 0xD8, 0x7000, 0x8000, &err), IW_CATALOG);
	assert_contains(err.msg, "no boot section for BOOTSZ=00");
}

static void
test_boot_notice(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();
	struct fuse_set dfu = set3(0x5E, 0x99, 0xF3), dfu_no_hwb = set3(0x5E, 0x99, 0xFB);
	struct fuse_set caterina = set3(0xFF, 0xD8, 0xFB);
	char buf[320];

	(void)state;
	assert_true(fuse_rules_boot_notice(p, &dfu, 0x7000, buf, sizeof buf));
	assert_contains(buf, "BOOTRST is unprogrammed");
	assert_contains(buf, "HWB pin");
	assert_contains(buf, "0x7000");
	assert_true(fuse_rules_boot_notice(p, &dfu_no_hwb, 0x7000, buf, sizeof buf));
	assert_contains(buf, "runs only when the application jumps to it");
	/* BOOTRST programmed, or an application image: nothing to say. */
	assert_false(fuse_rules_boot_notice(p, &caterina, 0x7000, buf, sizeof buf));
	assert_false(fuse_rules_boot_notice(p, &dfu, 0x0000, buf, sizeof buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spien_off_refused),
		cmocka_unit_test(test_spien_on_informs),
		cmocka_unit_test(test_rstdisbl_on_refused),
		cmocka_unit_test(test_rstdisbl_off_informs),
		cmocka_unit_test(test_dwen_on_refused),
		cmocka_unit_test(test_ckdiv8_change_confirm),
		cmocka_unit_test(test_cksel_change_confirm),
		cmocka_unit_test(test_sut_change_confirm),
		cmocka_unit_test(test_bootsz_change_confirm),
		cmocka_unit_test(test_bootrst_change_confirm),
		cmocka_unit_test(test_jtagen_enable_confirm_disable_inform),
		cmocka_unit_test(test_unnamed_bits_confirm),
		cmocka_unit_test(test_eesave_inform),
		cmocka_unit_test(test_unused_bits_ignored),
		cmocka_unit_test(test_identical_sets_unchanged),
		cmocka_unit_test(test_caterina_to_dfu),
		cmocka_unit_test(test_overall_is_worst),
		cmocka_unit_test(test_unknown_before_counts_every_field),
		cmocka_unit_test(test_byte_not_in_after_is_not_compared),
		cmocka_unit_test(test_efuse_on_part_without_one),
		cmocka_unit_test(test_overlapping_fields_rejected),
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_render_caterina_to_dfu),
		cmocka_unit_test(test_render_unchanged_and_unused),
		cmocka_unit_test(test_render_refuse_and_unknown),
		cmocka_unit_test(test_boot_fit_ok),
		cmocka_unit_test(test_boot_fit_wrong_start_suggests_bootsz),
		cmocka_unit_test(test_boot_fit_no_section_matches),
		cmocka_unit_test(test_boot_fit_too_big),
		cmocka_unit_test(test_boot_fit_empty_and_no_bootsz),
		cmocka_unit_test(test_boot_notice),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
