/*
 * test-fuses.c - decoding fuse bytes from the catalog's bit definitions,
 * against parts built in C (tests/fuse-fixture.h), so a loader or data bug
 * cannot hide a decoding bug or the other way round.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/fuses.h"
#include "fuse-fixture.h"

#define assert_contains(hay, needle) do {                                   \
	const char *h_ = (hay), *n_ = (needle);                             \
	if (strstr(h_, n_) == NULL)                                          \
		fail_msg("expected \"%s\" in \"%s\"", n_, h_);               \
} while (0)

/* ---- collecting decoded fields ------------------------------------------- */

#define MAX_STATES 32

struct states {
	struct fuse_field_state s[MAX_STATES];
	size_t n;
};

static void
collect(const struct fuse_field_state *st, void *user)
{
	struct states *c = user;

	assert_true(c->n < MAX_STATES);
	c->s[c->n++] = *st;
}

static const struct fuse_field_state *
find_state(const struct states *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->s[i].field->name, name) == 0)
			return &c->s[i];
	fail_msg("field %s not decoded", name);
	return NULL;
}

static void
decode3(const struct catalog_part *part, int l, int h, int e, struct states *out)
{
	struct fuse_set set;

	fuse_set_init(&set);
	if (l >= 0)
		fuse_set_put(&set, FUSE_LOW, (uint8_t)l);
	if (h >= 0)
		fuse_set_put(&set, FUSE_HIGH, (uint8_t)h);
	if (e >= 0)
		fuse_set_put(&set, FUSE_EXT, (uint8_t)e);
	memset(out, 0, sizeof *out);
	fuses_decode(part, &set, collect, out);
}

/* ---- collecting rendered lines ------------------------------------------- */

struct lines {
	char text[4096];
	size_t len;
	size_t n;
	size_t longest;
};

static void
add_line(void *user, const char *line)
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
	l->n++;
}

/* ---- field geometry -------------------------------------------------------- */

static void
test_field_geometry(void **state)
{
	struct fuse_field bootsz = { .name = "BOOTSZ", .mask = 0x06 };
	struct fuse_field cksel = { .name = "CKSEL", .mask = 0x0F };
	struct fuse_field ckdiv8 = { .name = "CKDIV8", .mask = 0x80 };

	(void)state;
	assert_int_equal(fuses_field_width(&bootsz), 2);
	assert_int_equal(fuses_field_shift(&bootsz), 1);
	assert_int_equal(fuses_field_value(&bootsz, 0xD8), 0);
	assert_int_equal(fuses_field_value(&bootsz, 0xDA), 1);
	assert_int_equal(fuses_field_value(&bootsz, 0xDE), 3);
	assert_int_equal(fuses_field_value(&cksel, 0x5E), 0xE);
	assert_int_equal(fuses_field_value(&ckdiv8, 0x5E), 0);
	assert_int_equal(fuses_field_value(&ckdiv8, 0xFF), 1);
	/* Putting keeps the other bits and drops value bits outside the field. */
	assert_int_equal(fuses_field_put(&bootsz, 0xD8, 1), 0xDA);
	assert_int_equal(fuses_field_put(&bootsz, 0xDE, 0), 0xD8);
	assert_int_equal(fuses_field_put(&bootsz, 0x00, 0xFF), 0x06);
	assert_int_equal(fuses_field_put(&ckdiv8, 0x5E, 1), 0xDE);
}

static void
test_bits_text(void **state)
{
	char buf[24];

	(void)state;
	assert_string_equal(fuses_bits_text(0xF0, buf, sizeof buf), "7:4");
	assert_string_equal(fuses_bits_text(0x40, buf, sizeof buf), "6");
	assert_string_equal(fuses_bits_text(0xC8, buf, sizeof buf), "7:6,3");
	assert_string_equal(fuses_bits_text(0x55, buf, sizeof buf), "6,4,2,0");
	assert_string_equal(fuses_bits_text(0xFF, buf, sizeof buf), "7:0");
	assert_string_equal(fuses_bits_text(0x00, buf, sizeof buf), "none");
	/* A short buffer truncates instead of overflowing. */
	assert_string_equal(fuses_bits_text(0x55, buf, 4), "6,4");
}

/* ---- decoding the common values ------------------------------------------ */

static void
test_decode_dfu_32u4(void **state)
{
	struct states c;
	const struct fuse_field_state *f;

	(void)state;
	decode3(fixture_atmega32u4(), 0x5E, 0x99, 0xF3, &c);
	assert_int_equal(c.n, 4 + 7 + 2);

	f = find_state(&c, "CKDIV8");
	assert_true(f->single_bit);
	assert_true(f->programmed);
	assert_int_equal(f->byte, FUSE_LOW);
	f = find_state(&c, "CKSEL");
	assert_false(f->single_bit);
	assert_int_equal(f->value, 0xE);
	assert_int_equal(f->width, 4);
	assert_int_equal(f->low_bit, 0);
	assert_int_equal(f->high_bit, 3);
	assert_string_equal(f->meaning, "low-power crystal 8-16 MHz, slowly rising power");
	f = find_state(&c, "SUT");
	assert_int_equal(f->value, 1);

	f = find_state(&c, "OCDEN");
	assert_false(f->programmed);
	assert_string_equal(f->meaning, "unprogrammed");
	f = find_state(&c, "JTAGEN");
	assert_true(f->programmed);
	assert_string_equal(f->meaning, "programmed");
	f = find_state(&c, "SPIEN");
	assert_true(f->programmed);
	f = find_state(&c, "BOOTSZ");
	assert_int_equal(f->byte, FUSE_HIGH);
	assert_int_equal(f->value, 0);
	assert_int_equal(f->low_bit, 1);
	assert_int_equal(f->high_bit, 2);
	assert_string_equal(f->meaning,
			    "2048 words (4 KiB), boot section starts at byte 0x7000");
	/* DFU leaves BOOTRST unprogrammed: it is entered through HWB. */
	f = find_state(&c, "BOOTRST");
	assert_false(f->programmed);
	assert_string_equal(f->meaning, "reset starts the application at 0x0000");

	f = find_state(&c, "HWBE");
	assert_true(f->programmed);
	assert_int_equal(f->byte, FUSE_EXT);
	f = find_state(&c, "BODLEVEL");
	assert_int_equal(f->value, 3);
	assert_string_equal(f->meaning, "brown-out at 2.6 V");
}

static void
test_decode_caterina_32u4(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();
	struct states a, b;
	const struct fuse_field_state *f;

	(void)state;
	decode3(p, 0xFF, 0xD8, 0xFB, &a);
	f = find_state(&a, "CKDIV8");
	assert_false(f->programmed);
	assert_int_equal(find_state(&a, "CKSEL")->value, 0xF);
	assert_int_equal(find_state(&a, "SUT")->value, 3);
	f = find_state(&a, "JTAGEN");
	assert_false(f->programmed);
	assert_true(find_state(&a, "SPIEN")->programmed);
	assert_int_equal(find_state(&a, "BOOTSZ")->value, 0);
	f = find_state(&a, "BOOTRST");
	assert_true(f->programmed);
	assert_string_equal(f->meaning, "reset starts the boot section at 0x7000");
	assert_false(find_state(&a, "HWBE")->programmed);

	/* Real chips read the unused efuse nibble as 0xC: 0xCB is the same
	 * setting as 0xFB, field by field and under the mask. */
	decode3(p, 0xFF, 0xD8, 0xCB, &b);
	assert_int_equal(find_state(&b, "HWBE")->value, find_state(&a, "HWBE")->value);
	assert_int_equal(find_state(&b, "BODLEVEL")->value, find_state(&a, "BODLEVEL")->value);
	assert_true(fuses_equal_masked(p, FUSE_EXT, 0xFB, 0xCB));
	assert_false(fuses_equal_masked(p, FUSE_EXT, 0xFB, 0xF3));
	assert_int_equal(fuses_normalize(p, FUSE_EXT, 0xCB), 0xFB);
}

static void
test_decode_328p_factory(void **state)
{
	const struct catalog_part *p = fixture_atmega328p();
	struct states c;
	const struct fuse_field_state *f;

	(void)state;
	decode3(p, 0x62, 0xD9, 0xFF, &c);
	assert_int_equal(c.n, 4 + 7 + 1);
	assert_true(find_state(&c, "CKDIV8")->programmed);
	f = find_state(&c, "CKSEL");
	assert_int_equal(f->value, 2);
	assert_string_equal(f->meaning, "calibrated internal RC oscillator 8 MHz");
	/* SUT has no value texts in the fixture. */
	f = find_state(&c, "SUT");
	assert_int_equal(f->value, 2);
	assert_string_equal(f->meaning, "value 2 is not described in the catalog");
	assert_false(find_state(&c, "RSTDISBL")->programmed);
	assert_false(find_state(&c, "DWEN")->programmed);
	assert_true(find_state(&c, "SPIEN")->programmed);
	assert_int_equal(find_state(&c, "BOOTSZ")->value, 0);
	assert_false(find_state(&c, "BOOTRST")->programmed);
	f = find_state(&c, "BODLEVEL");
	assert_int_equal(f->value, 7);
	assert_string_equal(f->meaning, "brown-out detection off");

	/* QMK writes 0x04 for USBaspLoader; on the 328P that equals 0xFC. */
	assert_true(fuses_equal_masked(p, FUSE_EXT, 0x04, 0xFC));
	assert_false(fuses_equal_masked(p, FUSE_EXT, 0x04, 0xFD));
	assert_int_equal(fuses_unused_bits(p, FUSE_EXT), 0xF8);
}

static void
test_decode_32a_has_no_efuse(void **state)
{
	const struct catalog_part *p = fixture_atmega32a();
	struct states c;
	struct fuse_set set;
	struct iw_error err;

	(void)state;
	/* An efuse in the set is skipped by the decoder... */
	decode3(p, 0xE1, 0x99, 0xFF, &c);
	assert_int_equal(c.n, 4 + 7);
	assert_int_equal(find_state(&c, "CKSEL")->value, 1);
	assert_false(find_state(&c, "BODEN")->programmed);
	assert_true(find_state(&c, "JTAGEN")->programmed);
	assert_int_equal(find_state(&c, "CKOPT")->value, 1);

	/* ...and refused by the check, naming the part and the byte. */
	fuse_set_init(&set);
	fuse_set_put(&set, FUSE_LOW, 0xE1);
	fuse_set_put(&set, FUSE_HIGH, 0x99);
	assert_int_equal(fuses_check_set(p, &set, true, &err), IW_OK);
	fuse_set_put(&set, FUSE_EXT, 0xFF);
	assert_int_equal(fuses_check_set(p, &set, false, &err), IW_RANGE);
	assert_contains(err.msg, "ATmega32A has no efuse");
	assert_int_equal(fuses_unused_bits(p, FUSE_EXT), 0);
	assert_int_equal(fuses_named_bits(p, FUSE_EXT), 0);
}

static void
test_check_set_require_all(void **state)
{
	struct fuse_set set;
	struct iw_error err;

	(void)state;
	fuse_set_init(&set);
	fuse_set_put(&set, FUSE_LOW, 0x5E);
	fuse_set_put(&set, FUSE_HIGH, 0x99);
	assert_int_equal(fuses_check_set(fixture_atmega32u4(), &set, false, &err), IW_OK);
	assert_int_equal(fuses_check_set(fixture_atmega32u4(), &set, true, &err), IW_RANGE);
	assert_contains(err.msg, "no efuse value given");
}

/* ---- boot section ----------------------------------------------------------- */

static void
test_bootsz_selects_section_by_value(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();
	const uint8_t hf[4] = { 0xD8, 0xDA, 0xDC, 0xDE };
	const uint32_t start[4] = { 0x7000, 0x7800, 0x7C00, 0x7E00 };
	const uint32_t words[4] = { 2048, 1024, 512, 256 };

	(void)state;
	for (int i = 0; i < 4; i++) {
		const struct boot_section *sec = fuses_bootsz(p, hf[i]);
		uint32_t s = 0;

		assert_non_null(sec);
		assert_int_equal(sec->bootsz, i);
		assert_int_equal(sec->size_words, words[i]);
		assert_true(fuses_boot_start_byte(p, hf[i], &s));
		assert_int_equal(s, start[i]);
	}
}

static void
test_boot_size_text(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();
	char buf[48];
	struct states c;

	(void)state;
	assert_string_equal(fuses_boot_size_text(fuses_boot_section(p, 0), buf, sizeof buf),
			    "2048 words (4 KiB)");
	assert_string_equal(fuses_boot_size_text(fuses_boot_section(p, 3), buf, sizeof buf),
			    "256 words (512 bytes)");
	decode3(p, 0xFF, 0xDE, -1, &c);
	assert_string_equal(find_state(&c, "BOOTSZ")->meaning,
			    "256 words (512 bytes), boot section starts at byte 0x7E00");
	/* 0xDE has BOOTRST programmed: reset goes to that section. */
	assert_string_equal(find_state(&c, "BOOTRST")->meaning,
			    "reset starts the boot section at 0x7E00");
}

static void
test_bootsz_missing_table_entry(void **state)
{
	struct catalog_part p = *fixture_atmega32u4();
	struct states c;
	uint32_t s = 0;

	(void)state;
	p.boot[0].size_words = 0;      /* BOOTSZ=3 not filled in */
	assert_null(fuses_bootsz(&p, 0xDF));
	assert_false(fuses_boot_start_byte(&p, 0xDF, &s));
	decode3(&p, 0xFF, 0xDF, -1, &c);
	assert_string_equal(find_state(&c, "BOOTSZ")->meaning,
			    "no boot section is listed for BOOTSZ=3");
	/* BOOTRST programmed without a known start still decodes. */
	decode3(&p, 0xFF, 0xDE, -1, &c);
	assert_string_equal(find_state(&c, "BOOTRST")->meaning,
			    "reset starts the boot section");
}

static void
test_bootrst_programmed(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();
	struct catalog_part nobootrst = *p;

	(void)state;
	assert_true(fuses_bootrst_programmed(p, 0xD8));
	assert_false(fuses_bootrst_programmed(p, 0x99));
	/* A part without the field never reports it programmed. */
	nobootrst.fuses[FUSE_HIGH].n_fields = 6;   /* BOOTRST is the last field */
	assert_false(fuses_bootrst_programmed(&nobootrst, 0xD8));
	assert_null(fuses_find_field(&nobootrst, "BOOTRST", NULL));
}

static void
test_find_field(void **state)
{
	enum fuse_byte b = FUSE_COUNT;
	const struct fuse_field *f;

	(void)state;
	f = fuses_find_field(fixture_atmega32u4(), "bootsz", &b);
	assert_non_null(f);
	assert_string_equal(f->name, "BOOTSZ");
	assert_int_equal(b, FUSE_HIGH);
	f = fuses_find_field(fixture_atmega32u4(), "HWBE", &b);
	assert_non_null(f);
	assert_int_equal(b, FUSE_EXT);
	assert_null(fuses_find_field(fixture_atmega32u4(), "RSTDISBL", NULL));
	assert_null(fuses_find_field(fixture_atmega32u4(), "BOOTSZX", NULL));
	/* The 32A's efuse does not exist, so nothing is found there. */
	assert_null(fuses_find_field(fixture_atmega32a(), "HWBE", NULL));
}

/* ---- masks and sets -------------------------------------------------------- */

static void
test_unused_and_named_bits(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();

	(void)state;
	assert_int_equal(fuses_unused_bits(p, FUSE_LOW), 0x00);
	assert_int_equal(fuses_unused_bits(p, FUSE_EXT), 0xF0);
	assert_int_equal(fuses_named_bits(p, FUSE_LOW), 0xFF);
	assert_int_equal(fuses_named_bits(p, FUSE_EXT), 0x0F);
	assert_int_equal(fuses_unused_bits(p, (enum fuse_byte)7), 0);
	/* Implemented bits always count. */
	assert_false(fuses_equal_masked(p, FUSE_LOW, 0x5E, 0xDE));
	assert_true(fuses_equal_masked(p, FUSE_LOW, 0x5E, 0x5E));
}

static void
test_set_equal_masked(void **state)
{
	const struct catalog_part *p = fixture_atmega32u4();
	struct fuse_set a, b;

	(void)state;
	fuse_set_init(&a);
	fuse_set_put(&a, FUSE_LOW, 0xFF);
	fuse_set_put(&a, FUSE_HIGH, 0xD8);
	fuse_set_put(&a, FUSE_EXT, 0xFB);
	b = a;
	b.value[FUSE_EXT] = 0xCB;
	assert_true(fuses_set_equal_masked(p, &a, &b));
	b.value[FUSE_HIGH] = 0xD9;
	assert_false(fuses_set_equal_masked(p, &a, &b));
	b = a;
	b.present[FUSE_EXT] = false;
	assert_false(fuses_set_equal_masked(p, &a, &b));
}

static void
test_set_from_preset(void **state)
{
	struct catalog_preset preset = {
		.name = "default", .fuse = { 0x5E, 0x99, 0xF3 },
		.has_fuse = { true, true, false },
	};
	struct fuse_set set;

	(void)state;
	fuse_set_from_preset(&set, &preset);
	assert_true(set.present[FUSE_LOW]);
	assert_int_equal(set.value[FUSE_HIGH], 0x99);
	assert_false(set.present[FUSE_EXT]);
	/* Out-of-range bytes are ignored, not written past the array. */
	fuse_set_put(&set, (enum fuse_byte)5, 0x12);
	assert_false(set.present[FUSE_EXT]);
}

/* ---- text ------------------------------------------------------------------- */

static void
test_wrap(void **state)
{
	struct lines l = { .len = 0 };
	char longword[120];

	(void)state;
	fuses_wrap("  lead: ", "one two three", add_line, &l);
	assert_string_equal(l.text, "  lead: one two three\n");

	memset(&l, 0, sizeof l);
	fuses_wrap("  x ", "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk "
		   "llll mmmm nnnn oooo pppp qqqq rrrr", add_line, &l);
	assert_int_equal(l.n, 2);
	assert_true(l.longest <= FUSES_TEXT_WIDTH);
	assert_contains(l.text, "\n    ");   /* continuation indented to the lead */

	/* A word wider than a line is cut, never overflowing. */
	memset(&l, 0, sizeof l);
	memset(longword, 'w', sizeof longword - 1);
	longword[sizeof longword - 1] = '\0';
	fuses_wrap("", longword, add_line, &l);
	assert_int_equal(l.n, 2);
	assert_int_equal(l.longest, FUSES_TEXT_WIDTH);

	/* An empty text gives the lead alone, without trailing blanks. */
	memset(&l, 0, sizeof l);
	fuses_wrap("  head  ", "", add_line, &l);
	assert_string_equal(l.text, "  head\n");
}

static void
test_render_decode(void **state)
{
	struct lines l = { .len = 0 };
	struct fuse_set set;

	(void)state;
	fuse_set_init(&set);
	fuse_set_put(&set, FUSE_LOW, 0x5E);
	fuse_set_put(&set, FUSE_HIGH, 0x99);
	fuse_set_put(&set, FUSE_EXT, 0xC3);
	fuses_render_decode(fixture_atmega32u4(), &set, add_line, &l);
	assert_true(l.longest <= FUSES_TEXT_WIDTH);
	assert_contains(l.text, "lfuse 0x5E = 0101 1110\n");
	assert_contains(l.text, "  CKDIV8   bit 7       0 programmed\n"
			"                         Divide clock by 8\n");
	assert_contains(l.text, "  CKSEL    bits 3:0 1110 low-power crystal 8-16 MHz, slowly "
			"rising power\n                         Clock source\n");
	assert_contains(l.text, "  JTAGEN   bit 6       0 programmed\n");
	assert_contains(l.text, "  BOOTSZ   bits 2:1   00 2048 words (4 KiB), boot section "
			"starts at byte 0x7000\n");
	assert_contains(l.text, "  BOOTRST  bit 0       1 unprogrammed, reset starts the "
			"application at 0x0000\n");
	assert_contains(l.text, "hfuse 0x99 = 1001 1001\n");
	assert_contains(l.text, "  unused bits: none\n");
	assert_contains(l.text, "  unused bits: 7:4 (mask 0xF0), not implemented");
	assert_contains(l.text, "0xC3 equals 0xF3 on this part");
}

static void
test_render_decode_unnamed_bits(void **state)
{
	struct catalog_part p = *fixture_atmega32u4();
	struct lines l = { .len = 0 };
	struct fuse_set set;

	(void)state;
	/* Leave CKSEL out of the definitions: its bits are implemented but
	 * nobody named them, and the decode must say so. */
	p.fuses[FUSE_LOW].n_fields = 3;
	fuse_set_init(&set);
	fuse_set_put(&set, FUSE_LOW, 0x5E);
	fuses_render_decode(&p, &set, add_line, &l);
	assert_contains(l.text, "  other bits: 3:0 (mask 0x0F) are implemented but not named");
	assert_false(strstr(l.text, "hfuse") != NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_geometry),
		cmocka_unit_test(test_bits_text),
		cmocka_unit_test(test_decode_dfu_32u4),
		cmocka_unit_test(test_decode_caterina_32u4),
		cmocka_unit_test(test_decode_328p_factory),
		cmocka_unit_test(test_decode_32a_has_no_efuse),
		cmocka_unit_test(test_check_set_require_all),
		cmocka_unit_test(test_bootsz_selects_section_by_value),
		cmocka_unit_test(test_boot_size_text),
		cmocka_unit_test(test_bootsz_missing_table_entry),
		cmocka_unit_test(test_bootrst_programmed),
		cmocka_unit_test(test_find_field),
		cmocka_unit_test(test_unused_and_named_bits),
		cmocka_unit_test(test_set_equal_masked),
		cmocka_unit_test(test_set_from_preset),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_render_decode),
		cmocka_unit_test(test_render_decode_unnamed_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
