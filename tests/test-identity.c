/*
 * test-identity.c - image and boot identities do not depend on how a file
 * is written (CRLF or LF, record length, explicit 0xFF padding or gaps),
 * and do depend on every byte that matters; the chip-side computation
 * agrees with the file-side one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/identity.h"

/* Intel HEX of `len` bytes at `addr` (below 64 KiB), `per` bytes a record,
 * lines ending in `eol`. */
static char *
hex_text(const uint8_t *data, uint32_t addr, uint32_t len, unsigned per, const char *eol)
{
	size_t cap = (size_t)len * 3 + 64 * (len / per + 2);
	char *out = malloc(cap), *p = out;

	assert_non_null(out);
	for (uint32_t off = 0; off < len; off += per) {
		unsigned n = len - off < per ? len - off : per;
		uint32_t a = addr + off;
		unsigned sum = n + (a >> 8) + (a & 0xFF);

		p += sprintf(p, ":%02X%04X00", n, a & 0xFFFF);
		for (unsigned i = 0; i < n; i++) {
			p += sprintf(p, "%02X", data[off + i]);
			sum += data[off + i];
		}
		p += sprintf(p, "%02X%s", (unsigned)(-sum & 0xFF), eol);
	}
	sprintf(p, ":00000001FF%s", eol);
	return out;
}

static struct hex_image *
read_text(const char *text)
{
	struct hex_image *img = hex_image_new();
	struct iw_error err;

	assert_non_null(img);
	if (hex_image_read_buffer(img, "t", text, strlen(text), &err) != IW_OK)
		fail_msg("%s", err.msg);
	return img;
}

static uint8_t data[4096];

static int
setup(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 31u + 7u);
	/* A bootloader ends before its section does: the tail is erased. */
	memset(data + 4000, 0xFF, sizeof data - 4000);
	return 0;
}

static void
test_line_endings_and_record_sizes_do_not_matter(void **state)
{
	static const unsigned pers[] = { 16, 32, 7 };
	static const char *const eols[] = { "\n", "\r\n" };
	struct image_id first = { 0, 0, "" };
	bool have = false;

	(void)state;
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < 2; j++) {
			char *t = hex_text(data, 0x7000, sizeof data, pers[i], eols[j]);
			struct hex_image *img = read_text(t);
			struct image_id id;

			assert_int_equal(identity_image(img, &id, NULL), IW_OK);
			assert_int_equal(id.start, 0x7000);
			assert_int_equal(id.length, sizeof data);
			if (have)
				assert_true(identity_equal(&id, &first));
			first = id;
			have = true;
			hex_image_free(img);
			free(t);
		}
}

/* Explicit 0xFF records and a gap are the same flash. */
static void
test_gap_equals_padding(void **state)
{
	uint8_t padded[256];
	struct hex_image *a = hex_image_new(), *b = hex_image_new();
	struct image_id ia, ib;

	(void)state;
	memset(padded, 0xFF, sizeof padded);
	memcpy(padded, data, 16);
	memcpy(padded + 240, data + 240, 16);
	assert_int_equal(hex_image_put(a, 0x100, padded, sizeof padded, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(b, 0x100, data, 16, "b", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(b, 0x100 + 240, data + 240, 16, "b", 2, NULL), IW_OK);
	assert_int_equal(identity_image(a, &ia, NULL), IW_OK);
	assert_int_equal(identity_image(b, &ib, NULL), IW_OK);
	assert_true(identity_equal(&ia, &ib));
	hex_image_free(a);
	hex_image_free(b);
}

/* One byte changes the identity; so does moving the same bytes. */
static void
test_every_byte_counts(void **state)
{
	struct hex_image *a = hex_image_new(), *b = hex_image_new(), *c = hex_image_new();
	struct image_id ia, ib, ic;
	uint8_t other[64];

	(void)state;
	memcpy(other, data, sizeof other);
	other[33] ^= 0x01;
	assert_int_equal(hex_image_put(a, 0x7000, data, 64, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(b, 0x7000, other, 64, "b", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(c, 0x7080, data, 64, "c", 1, NULL), IW_OK);
	identity_image(a, &ia, NULL);
	identity_image(b, &ib, NULL);
	identity_image(c, &ic, NULL);
	assert_false(identity_equal(&ia, &ib));
	assert_false(identity_equal(&ia, &ic));
	assert_string_equal(ia.sha256, ic.sha256);   /* same bytes, other place */
	hex_image_free(a);
	hex_image_free(b);
	hex_image_free(c);
}

/* The boot identity of a combined file (a sketch below, the bootloader in
 * its section) is that of the bootloader alone, and equals what the same
 * computation gives over the section read back from a chip. */
static void
test_boot_identity_inside_a_combined_file(void **state)
{
	struct hex_image *boot = hex_image_new(), *both = hex_image_new();
	struct image_id alone, inside, chip, whole;
	uint8_t *flash = malloc(0x8000);

	(void)state;
	assert_non_null(flash);
	assert_int_equal(hex_image_put(boot, 0x7000, data, sizeof data, "b", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(both, 0x0000, data, 0x200, "s", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(both, 0x7000, data, sizeof data, "b", 1, NULL), IW_OK);
	assert_int_equal(identity_boot(boot, 0x7000, 0x8000, &alone, NULL), IW_OK);
	assert_int_equal(identity_boot(both, 0x7000, 0x8000, &inside, NULL), IW_OK);
	assert_int_equal(alone.length, 4000);        /* the trailing 0xFF are not counted */
	assert_true(identity_equal(&alone, &inside));
	assert_int_equal(identity_image(both, &whole, NULL), IW_OK);
	assert_false(identity_equal(&whole, &inside));

	memset(flash, 0xFF, 0x8000);
	memcpy(flash + 0x7000, data, sizeof data);
	identity_boot_bytes(flash + 0x7000, 0x7000, 0x1000, &chip);
	assert_true(identity_equal(&chip, &alone));
	free(flash);
	hex_image_free(boot);
	hex_image_free(both);
}

static void
test_blank_is_length_zero(void **state)
{
	struct hex_image *img = hex_image_new();
	struct image_id id;
	uint8_t ff[128];
	char text[64];

	(void)state;
	memset(ff, 0xFF, sizeof ff);
	assert_int_equal(identity_image(img, &id, NULL), IW_OK);
	assert_int_equal(id.length, 0);
	assert_int_equal(hex_image_put(img, 0x7000, ff, sizeof ff, "f", 1, NULL), IW_OK);
	assert_int_equal(identity_boot(img, 0x7000, 0x8000, &id, NULL), IW_OK);
	assert_int_equal(id.length, 0);
	assert_string_equal(identity_text(&id, text, sizeof text), "0x7000+0 (blank)");
	identity_boot_bytes(ff, 0x3000, sizeof ff, &id);
	assert_int_equal(id.length, 0);
	hex_image_free(img);
}

/* Bytes at both ends of the 32-bit space: refused, not hashed for ever. */
static void
test_huge_span_refused(void **state)
{
	struct hex_image *img = hex_image_new();
	struct image_id id;
	struct iw_error err;

	(void)state;
	assert_int_equal(hex_image_put(img, 0, data, 4, "a", 1, NULL), IW_OK);
	assert_int_equal(hex_image_put(img, 0xFFFFFF00u, data, 4, "a", 2, NULL), IW_OK);
	assert_int_equal(identity_image(img, &id, &err), IW_RANGE);
	assert_non_null(strstr(err.msg, "not an AVR flash image"));
	hex_image_free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_endings_and_record_sizes_do_not_matter),
		cmocka_unit_test(test_gap_equals_padding),
		cmocka_unit_test(test_every_byte_counts),
		cmocka_unit_test(test_boot_identity_inside_a_combined_file),
		cmocka_unit_test(test_blank_is_length_zero),
		cmocka_unit_test(test_huge_span_refused),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
