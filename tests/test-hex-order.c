/*
 * test-hex-order.c - the reader builds a file's image in one sorted pass
 * (src/core/hex-build.c) instead of putting record after record; this
 * checks it gives what record after record gives, whatever the order:
 *
 * - random files of overlapping, touching and apart records (same bytes
 *   and different ones) against hex_image_put() line by line: the same
 *   bytes and origins, or the same conflict message naming the same lines;
 * - a 1 MiB image in descending record order equals the ascending one;
 * - a file of isolated one-byte records becomes one segment per byte, each
 *   exactly one byte long (no slack per segment: that was 1.4 GB for 50 MB).
 * - an image built by the reader still grows and merges like any other.
 * Times and memory of big files are measured by tests/bench-hex.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hex-fixture.h"

/* A tiny generator, so that a failure can be reproduced from its seed. */
static uint32_t
rnd(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

struct text {
	char *buf;
	size_t len, cap;
};

static void
emit(struct text *t, unsigned count, uint32_t addr, unsigned type, const uint8_t *data)
{
	uint8_t sum = (uint8_t)(count + (addr >> 8) + addr + type);

	if (t->len + 600 > t->cap) {
		t->cap = t->cap * 2 + 4096;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	t->len += (size_t)sprintf(t->buf + t->len, ":%02X%04X%02X", count, addr & 0xFFFF, type);
	for (unsigned i = 0; i < count; i++) {
		t->len += (size_t)sprintf(t->buf + t->len, "%02X", data[i]);
		sum = (uint8_t)(sum + data[i]);
	}
	t->len += (size_t)sprintf(t->buf + t->len, "%02X\n", (uint8_t)-sum);
}

struct rec {
	uint32_t addr;
	unsigned len;
	uint8_t data[32];
};

static void
compare_images(const struct hex_image *a, const struct hex_image *b)
{
	assert_int_equal(hex_image_segment_count(a), hex_image_segment_count(b));
	for (size_t i = 0; i < hex_image_segment_count(a); i++) {
		struct hex_segment sa = hex_image_segment(a, i), sb = hex_image_segment(b, i);

		assert_int_equal(sa.addr, sb.addr);
		assert_int_equal(sa.len, sb.len);
		assert_memory_equal(sa.data, sb.data, sa.len);
		for (uint32_t k = 0; k < sa.len; k++) {
			const char *na, *nb;
			unsigned la, lb;

			assert_true(hex_image_origin(a, sa.addr + k, &na, &la));
			assert_true(hex_image_origin(b, sb.addr + k, &nb, &lb));
			assert_string_equal(na, nb);
			assert_int_equal(la, lb);
		}
	}
}

/* One random file: records in a 200-byte window, values from a small set so
 * that overlaps agree often and disagree sometimes. */
static void
one_case(uint32_t seed)
{
	struct rec recs[40];
	struct text t = { NULL, 0, 0 };
	struct hex_image *seq = hex_image_new(), *img = NULL;
	struct iw_error e_seq, e_read;
	enum iw_status st_seq = IW_OK, st_read;
	unsigned n = 1 + rnd(&seed) % 40, values = 1 + rnd(&seed) % 3;
	uint32_t base = (rnd(&seed) % 2) ? 0x10000 : 0;

	assert_non_null(seq);
	iw_error_clear(&e_seq);
	if (base != 0)
		emit(&t, 2, 0, 4, (const uint8_t[]){ 0x00, 0x01 });
	for (unsigned i = 0; i < n; i++) {
		recs[i].addr = base + rnd(&seed) % 200;
		recs[i].len = 1 + rnd(&seed) % 32;
		for (unsigned k = 0; k < recs[i].len; k++)
			recs[i].data[k] = (uint8_t)(((recs[i].addr + k) * 7 +
						     rnd(&seed) % values) & 0xFF);
		emit(&t, recs[i].len, recs[i].addr, 0, recs[i].data);
		/* Line numbers: the 04 record (if any) is line 1. */
		if (st_seq == IW_OK)
			st_seq = hex_image_put(seq, recs[i].addr, recs[i].data, recs[i].len,
					       "t.hex", i + 1 + (base != 0), &e_seq);
	}
	emit(&t, 0, 0, 1, NULL);
	t.buf[t.len] = '\0';
	st_read = parse(t.buf, &img, &e_read);
	if (st_read != st_seq)
		fail_msg("seed %u: reader %d (%s), record by record %d (%s)", seed, st_read,
			 e_read.msg, st_seq, e_seq.msg);
	if (st_read == IW_OK)
		compare_images(img, seq);
	else
		assert_string_equal(e_read.msg, e_seq.msg);
	hex_image_free(img);
	hex_image_free(seq);
	free(t.buf);
}

static void
test_same_as_record_by_record(void **state)
{
	(void)state;
	for (uint32_t seed = 1; seed <= 3000; seed++)
		one_case(seed);
}

/* 1 MiB in 16-byte records, ascending or descending. */
static char *
mib_file(bool descending)
{
	struct text t = { NULL, 0, 0 };
	const uint32_t size = 1u << 20;

	for (uint32_t i = 0; i < size / 16; i++) {
		uint32_t a = descending ? size - 16 - i * 16 : i * 16;
		uint8_t data[16];

		for (unsigned k = 0; k < 16; k++)
			data[k] = (uint8_t)((a + k) * 13);
		if ((a & 0xFFFF) == (descending ? 0xFFF0u : 0u))
			emit(&t, 2, 0, 4, (const uint8_t[]){ (uint8_t)(a >> 24),
							      (uint8_t)(a >> 16) });
		emit(&t, 16, a, 0, data);
	}
	emit(&t, 0, 0, 1, NULL);
	t.buf[t.len] = '\0';
	return t.buf;
}

static void
test_descending_equals_ascending(void **state)
{
	char *up = mib_file(false), *down = mib_file(true);
	struct hex_image *a = NULL, *b = NULL;
	struct iw_error err;
	struct hex_segment sa, sb;

	(void)state;
	assert_int_equal(parse(up, &a, &err), IW_OK);
	assert_int_equal(parse(down, &b, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(a), 1);
	assert_int_equal(hex_image_segment_count(b), 1);
	sa = hex_image_segment(a, 0);
	sb = hex_image_segment(b, 0);
	assert_int_equal(sa.len, 1u << 20);
	assert_int_equal(sb.len, 1u << 20);
	assert_memory_equal(sa.data, sb.data, sa.len);
	hex_image_free(a);
	hex_image_free(b);
	free(up);
	free(down);
}

/* Isolated one-byte records: one exact segment each, in address order. */
static void
test_isolated_bytes(void **state)
{
	struct text t = { NULL, 0, 0 };
	struct hex_image *img = NULL;
	struct iw_error err;

	(void)state;
	for (uint32_t i = 0; i < 4096; i++) {
		uint8_t v = (uint8_t)i;

		emit(&t, 1, (4095 - i) * 2, 0, &v);
	}
	emit(&t, 0, 0, 1, NULL);
	t.buf[t.len] = '\0';
	assert_int_equal(parse(t.buf, &img, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 4096);
	assert_int_equal(hex_image_byte_count(img), 4096);
	for (size_t i = 0; i < 4096; i++) {
		struct hex_segment s = hex_image_segment(img, i);

		assert_int_equal(s.addr, i * 2);
		assert_int_equal(s.len, 1);
		assert_int_equal(s.data[0], (uint8_t)(4095 - i));
	}
	hex_image_free(img);
	free(t.buf);
}

/* The reader's segments live in one arena; a put that grows, joins or
 * prepends to them must work (and not free the arena piecewise: ASan and
 * valgrind watch). */
static void
test_built_image_grows(void **state)
{
	static const char text[] =
		":0400000001020304F2\n"
		":0400080005060708DA\n"
		":00000001FF\n";
	static const uint8_t fill[4] = { 0xA0, 0xA1, 0xA2, 0xA3 };
	static const uint8_t before[2] = { 0xB0, 0xB1 };
	struct hex_image *img = NULL, *other = NULL;
	struct iw_error err;
	uint8_t buf[16];

	(void)state;
	assert_int_equal(parse(text, &img, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 2);
	/* Join the two segments, then grow below the first. */
	assert_int_equal(hex_image_put(img, 4, fill, 4, "x", 1, &err), IW_OK);
	assert_int_equal(hex_image_segment_count(img), 1);
	assert_int_equal(hex_image_put(img, 0x10000, before, 2, "x", 2, &err), IW_OK);
	assert_int_equal(parse(text, &other, &err), IW_OK);
	assert_int_equal(hex_image_merge(other, img, &err), IW_OK);
	assert_true(hex_image_read_range(other, 0, 12, 0xFF, buf));
	assert_memory_equal(buf, ((const uint8_t[]){ 1, 2, 3, 4, 0xA0, 0xA1, 0xA2, 0xA3,
						     5, 6, 7, 8 }), 12);
	assert_int_equal(hex_image_segment_count(other), 2);
	hex_image_free(img);
	hex_image_free(other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_record_by_record),
		cmocka_unit_test(test_descending_equals_ascending),
		cmocka_unit_test(test_isolated_bytes),
		cmocka_unit_test(test_built_image_grows),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
