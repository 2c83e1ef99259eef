/*
 * test-merge.c - combining a firmware image and a bootloader image into one
 * "production" file, the way `ispwiz merge` does it.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex-image.h"

#define assert_contains(hay, needle) do {                                   \
	const char *h_ = (hay), *n_ = (needle);                             \
	if (strstr(h_, n_) == NULL)                                          \
		fail_msg("expected \"%s\" in \"%s\"", n_, h_);               \
} while (0)

/* A HEX text builder, independent of the writer under test: data records
 * of `n` bytes of `value` from `addr` (one record per 16 bytes, below
 * 64 KiB only), then the end record. */
struct text {
	char buf[131072];
	size_t len;
};

static void
add_line(struct text *t, unsigned count, unsigned addr, unsigned type,
	 const uint8_t *data)
{
	unsigned sum = count + (addr >> 8) + (addr & 0xFF) + type;

	t->len += (size_t)snprintf(t->buf + t->len, sizeof t->buf - t->len,
				   ":%02X%04X%02X", count, addr, type);
	for (unsigned k = 0; k < count; k++) {
		sum += data[k];
		t->len += (size_t)snprintf(t->buf + t->len,
					   sizeof t->buf - t->len, "%02X",
					   data[k]);
	}
	t->len += (size_t)snprintf(t->buf + t->len, sizeof t->buf - t->len,
				   "%02X\n", (unsigned)(-sum & 0xFF));
	assert_true(t->len < sizeof t->buf);
}

static void
add_fill(struct text *t, unsigned addr, unsigned n, uint8_t value)
{
	uint8_t d[16];

	memset(d, value, sizeof d);
	while (n > 0) {
		unsigned c = n < 16 ? n : 16;

		add_line(t, c, addr, 0, d);
		addr += c;
		n -= c;
	}
}

static void
add_end(struct text *t)
{
	add_line(t, 0, 0, 1, NULL);
}

static struct hex_image *
load(const char *name, const struct text *t)
{
	struct hex_image *img = hex_image_new();
	struct iw_error err;

	assert_non_null(img);
	if (hex_image_read_buffer(img, name, t->buf, t->len, &err) != IW_OK)
		fail_msg("%s", err.msg);
	return img;
}

/* Firmware at 0x0000 (600 bytes), Caterina-sized bootloader at 0x7000. */
static void
make_pair(struct hex_image **fw, struct hex_image **bl)
{
	struct text f = { .len = 0 }, b = { .len = 0 };

	add_fill(&f, 0x0000, 600, 0x11);
	add_end(&f);
	add_fill(&b, 0x7000, 4096, 0x22);
	add_end(&b);
	*fw = load("fw.hex", &f);
	*bl = load("bl.hex", &b);
}

static char *
write_to_string(const struct hex_image *img)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct iw_error err;

	assert_non_null(f);
	assert_int_equal(hex_image_write_stream(img, f, &err), IW_OK);
	assert_int_equal(fclose(f), 0);
	return text;
}

static void
test_disjoint(void **state)
{
	struct hex_image *fw, *bl, *out = hex_image_new();
	struct iw_error err;
	const char *name = NULL;
	uint8_t b = 0;

	(void)state;
	make_pair(&fw, &bl);
	assert_int_equal(hex_image_merge(out, fw, &err), IW_OK);
	assert_int_equal(hex_image_merge(out, bl, &err), IW_OK);
	assert_int_equal(hex_image_byte_count(out), 600 + 4096);
	assert_int_equal(hex_image_segment_count(out), 2);
	assert_int_equal(hex_image_min_addr(out), 0);
	assert_int_equal(hex_image_end_addr(out), 0x8000);
	assert_true(hex_image_get(out, 0x257, &b));
	assert_int_equal(b, 0x11);
	assert_true(hex_image_get(out, 0x7FFF, &b));
	assert_int_equal(b, 0x22);
	/* Each byte still knows which file it came from. */
	assert_true(hex_image_origin(out, 0x10, &name, NULL));
	assert_string_equal(name, "fw.hex");
	assert_true(hex_image_origin(out, 0x7010, &name, NULL));
	assert_string_equal(name, "bl.hex");
	hex_image_free(fw);
	hex_image_free(bl);
	hex_image_free(out);
}

/* Touching ranges become one segment. */
static void
test_adjacent(void **state)
{
	struct text f = { .len = 0 }, b = { .len = 0 };
	struct hex_image *fw, *bl;
	struct iw_error err;

	(void)state;
	add_fill(&f, 0x6F00, 256, 0x11);
	add_end(&f);
	add_fill(&b, 0x7000, 256, 0x22);
	add_end(&b);
	fw = load("fw.hex", &f);
	bl = load("bl.hex", &b);
	assert_int_equal(hex_image_merge(fw, bl, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(fw), 1);
	assert_int_equal(hex_image_byte_count(fw), 512);
	hex_image_free(fw);
	hex_image_free(bl);
}

static void
test_identical_overlap(void **state)
{
	struct text f = { .len = 0 }, b = { .len = 0 };
	struct hex_image *fw, *bl;
	struct iw_error err;

	(void)state;
	add_fill(&f, 0x0000, 0x7010, 0x33);   /* runs 16 bytes into the boot area */
	add_end(&f);
	add_fill(&b, 0x7000, 4096, 0x33);
	add_end(&b);
	fw = load("fw.hex", &f);
	bl = load("bl.hex", &b);
	assert_int_equal(hex_image_merge(fw, bl, &err), IW_OK);
	assert_int_equal(hex_image_byte_count(fw), 0x8000);
	assert_int_equal(hex_image_segment_count(fw), 1);
	hex_image_free(fw);
	hex_image_free(bl);
}

static void
test_conflicting_overlap(void **state)
{
	struct text f = { .len = 0 }, b = { .len = 0 };
	struct hex_image *fw, *bl, *out = hex_image_new();
	struct iw_error err;
	uint8_t v = 0;

	(void)state;
	/* The firmware's lines 1..1793 cover 0x0000-0x700F; line 1793 holds
	 * 0x7000-0x700F, where the bootloader's line 1 differs. */
	add_fill(&f, 0x0000, 0x7010, 0x11);
	add_end(&f);
	add_fill(&b, 0x7000, 4096, 0x22);
	add_end(&b);
	fw = load("fw.hex", &f);
	bl = load("bl.hex", &b);
	assert_int_equal(hex_image_merge(out, fw, &err), IW_OK);
	assert_int_equal(hex_image_merge(out, bl, &err), IW_INPUT);
	assert_contains(err.msg, "bl.hex:1");
	assert_contains(err.msg, "fw.hex:1793");
	assert_contains(err.msg, "0x7000");
	assert_contains(err.msg, "0x22");
	assert_contains(err.msg, "0x11");
	/* The refused merge added nothing: the bootloader's bytes past the
	 * overlap are not there. */
	assert_int_equal(hex_image_byte_count(out), 0x7010);
	assert_false(hex_image_get(out, 0x7010, &v));
	hex_image_free(fw);
	hex_image_free(bl);
	hex_image_free(out);
}

/* A conflict late in the second image must not leave its early bytes in. */
static void
test_conflict_late_is_atomic(void **state)
{
	struct text f = { .len = 0 }, b = { .len = 0 };
	struct hex_image *fw, *bl;
	struct iw_error err;

	(void)state;
	add_fill(&f, 0x7FF0, 16, 0x11);
	add_end(&f);
	add_fill(&b, 0x7000, 4096, 0x22);
	add_end(&b);
	fw = load("fw.hex", &f);
	bl = load("bl.hex", &b);
	assert_int_equal(hex_image_merge(fw, bl, &err), IW_INPUT);
	assert_contains(err.msg, "bl.hex:256");
	assert_contains(err.msg, "fw.hex:1");
	assert_int_equal(hex_image_byte_count(fw), 16);
	hex_image_free(fw);
	hex_image_free(bl);
}

static void
test_fits_flash(void **state)
{
	struct hex_image *fw, *bl;
	struct iw_error err;

	(void)state;
	make_pair(&fw, &bl);
	assert_int_equal(hex_image_merge(fw, bl, &err), IW_OK);
	/* ATmega32U4: 32 KiB, the bootloader ends exactly at the top. */
	assert_int_equal(hex_image_check_fits(fw, 32768, "ATmega32U4", &err), IW_OK);
	hex_image_free(fw);
	hex_image_free(bl);
}

static void
test_does_not_fit_flash(void **state)
{
	struct hex_image *fw, *bl;
	struct iw_error err;

	(void)state;
	make_pair(&fw, &bl);
	assert_int_equal(hex_image_merge(fw, bl, &err), IW_OK);
	/* ATmega16U4: 16 KiB; the 32U4 bootloader at 0x7000 is out of range. */
	assert_int_equal(hex_image_check_fits(fw, 16384, "ATmega16U4", &err), IW_RANGE);
	assert_contains(err.msg, "ATmega16U4");
	assert_contains(err.msg, "0x7000");
	assert_contains(err.msg, "bl.hex:1");
	hex_image_free(fw);
	hex_image_free(bl);
}

static void
test_written_has_one_end_record(void **state)
{
	struct hex_image *fw, *bl, *back = hex_image_new();
	struct iw_error err;
	char *text;
	const char *p;
	int ends = 0;

	(void)state;
	make_pair(&fw, &bl);
	assert_int_equal(hex_image_merge(fw, bl, &err), IW_OK);
	text = write_to_string(fw);
	for (p = text; (p = strstr(p, ":00000001FF")) != NULL; p++)
		ends++;
	assert_int_equal(ends, 1);
	assert_string_equal(text + strlen(text) - 12, ":00000001FF\n");
	/* And it reads back as the same image. */
	assert_int_equal(hex_image_read_buffer(back, "out.hex", text, strlen(text), &err),
			 IW_OK);
	assert_int_equal(hex_image_byte_count(back), 600 + 4096);
	assert_int_equal(hex_image_segment_count(back), 2);
	free(text);
	hex_image_free(fw);
	hex_image_free(bl);
	hex_image_free(back);
}

static void
test_merge_keeps_start_address(void **state)
{
	struct hex_image *a = hex_image_new(), *b = hex_image_new();
	struct iw_error err;
	uint32_t v = 0;

	(void)state;
	hex_image_set_start(b, HEX_START_LINEAR, 0x7000);
	assert_int_equal(hex_image_merge(a, b, &err), IW_OK);
	assert_int_equal(hex_image_start_address(a, &v), HEX_START_LINEAR);
	assert_int_equal(v, 0x7000);
	hex_image_free(a);
	hex_image_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_disjoint),
		cmocka_unit_test(test_adjacent),
		cmocka_unit_test(test_identical_overlap),
		cmocka_unit_test(test_conflicting_overlap),
		cmocka_unit_test(test_conflict_late_is_atomic),
		cmocka_unit_test(test_fits_flash),
		cmocka_unit_test(test_does_not_fit_flash),
		cmocka_unit_test(test_written_has_one_end_record),
		cmocka_unit_test(test_merge_keeps_start_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
