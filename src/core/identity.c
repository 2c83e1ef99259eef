/* identity.c - image and boot identities over a memory image (identity.h).
 * Gaps and the bytes past the data are hashed as the 0xFF an erased flash
 * holds, in chunks, so a sparse image costs no more memory than its data. */
#include "core/identity.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <nettle/sha2.h>

static void
digest_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(ctx, sizeof d, d);
	for (size_t i = 0; i < sizeof d; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 0xF];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

static void
hash_blank(struct sha256_ctx *ctx, uint64_t n)
{
	static uint8_t ff[4096];

	if (ff[0] != 0xFF)
		memset(ff, 0xFF, sizeof ff);
	while (n > 0) {
		size_t k = n < sizeof ff ? (size_t)n : sizeof ff;

		sha256_update(ctx, k, ff);
		n -= k;
	}
}

/* SHA-256 of [start, end) of img, gaps as 0xFF. */
static void
hash_span(const struct hex_image *img, uint32_t start, uint64_t end, char *hex)
{
	struct sha256_ctx ctx;
	uint64_t at = start;
	size_t n = hex_image_segment_count(img);

	sha256_init(&ctx);
	for (size_t i = 0; i < n && at < end; i++) {
		struct hex_segment s = hex_image_segment(img, i);
		uint64_t s_end = (uint64_t)s.addr + s.len;
		uint64_t from, to;

		if (s_end <= at)
			continue;
		if (s.addr >= end)
			break;
		from = s.addr > at ? s.addr : at;
		to = s_end < end ? s_end : end;
		hash_blank(&ctx, from - at);
		sha256_update(&ctx, (size_t)(to - from), s.data + (from - s.addr));
		at = to;
	}
	hash_blank(&ctx, end - at);
	digest_hex(&ctx, hex);
}

static void
empty(struct image_id *out, uint32_t start)
{
	out->start = start;
	out->length = 0;
	out->sha256[0] = '\0';
}

enum iw_status
identity_image(const struct hex_image *img, struct image_id *out, struct iw_error *err)
{
	uint32_t lo = hex_image_min_addr(img);
	struct hex_segment last;
	uint64_t hi;

	if (hex_image_empty(img)) {
		empty(out, 0);
		return IW_OK;
	}
	last = hex_image_segment(img, hex_image_segment_count(img) - 1);
	hi = (uint64_t)last.addr + last.len;
	if (hi - lo > IDENTITY_SPAN_MAX)
		return iw_error_set(err, IW_RANGE, "the data spans 0x%X to 0x%llX, more than "
				    "%u MiB: this is not an AVR flash image", lo,
				    (unsigned long long)(hi - 1), IDENTITY_SPAN_MAX >> 20);
	out->start = lo;
	out->length = (uint32_t)(hi - lo);
	hash_span(img, lo, hi, out->sha256);
	return IW_OK;
}

/* The end of the last byte in [start, end) that is present and not 0xFF;
 * `start` when there is none. */
static uint64_t
last_used(const struct hex_image *img, uint32_t start, uint64_t end)
{
	size_t n = hex_image_segment_count(img);

	for (size_t i = n; i-- > 0;) {
		struct hex_segment s = hex_image_segment(img, i);
		uint64_t s_end = (uint64_t)s.addr + s.len;
		uint64_t top = s_end < end ? s_end : end;

		if (s_end <= start)
			break;
		for (uint64_t a = top; a > s.addr && a > start; a--)
			if (s.data[a - 1 - s.addr] != 0xFF)
				return a;
	}
	return start;
}

enum iw_status
identity_boot(const struct hex_image *img, uint32_t start, uint32_t end,
	      struct image_id *out, struct iw_error *err)
{
	uint64_t top;

	if (end <= start || (uint64_t)end - start > IDENTITY_SPAN_MAX)
		return iw_error_set(err, IW_RANGE, "boot section 0x%X to 0x%X: not a "
				    "section of an AVR flash", start, end);
	top = last_used(img, start, end);
	if (top == start) {
		empty(out, start);
		return IW_OK;
	}
	out->start = start;
	out->length = (uint32_t)(top - start);
	hash_span(img, start, top, out->sha256);
	return IW_OK;
}

void
identity_boot_bytes(const uint8_t *data, uint32_t start, uint32_t len, struct image_id *out)
{
	struct sha256_ctx ctx;
	uint32_t top = len;

	while (top > 0 && data[top - 1] == 0xFF)
		top--;
	if (top == 0) {
		empty(out, start);
		return;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, top, data);
	out->start = start;
	out->length = top;
	digest_hex(&ctx, out->sha256);
}

bool
identity_equal(const struct image_id *a, const struct image_id *b)
{
	return a->start == b->start && a->length == b->length &&
	       strcasecmp(a->sha256, b->sha256) == 0;
}

const char *
identity_text(const struct image_id *id, char *buf, size_t size)
{
	if (id->length == 0)
		snprintf(buf, size, "0x%04X+0 (blank)", id->start);
	else
		snprintf(buf, size, "0x%04X+%u %s", id->start, id->length, id->sha256);
	return buf;
}
