/*
 * hex-fixture.h - what the Intel HEX tests (test-hex-*.c) share: a
 * substring assertion that prints both strings, and reading a text as
 * "t.hex" into a fresh image.
 *
 * Header-only (static inline) so each test program links no extra object.
 */
#ifndef ISPWIZ_TESTS_HEX_FIXTURE_H
#define ISPWIZ_TESTS_HEX_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/hex-image.h"

#define assert_contains(hay, needle) do {                                   \
	const char *h_ = (hay), *n_ = (needle);                             \
	if (strstr(h_, n_) == NULL)                                          \
		fail_msg("expected \"%s\" in \"%s\"", n_, h_);               \
} while (0)

/* Read `text` as "t.hex" into a fresh image; the image is returned in
 * *out (freed by the caller), the status is returned. */
static inline enum iw_status
parse(const char *text, struct hex_image **out, struct iw_error *err)
{
	struct hex_image *img = hex_image_new();

	assert_non_null(img);
	iw_error_clear(err);
	*out = img;
	return hex_image_read_buffer(img, "t.hex", text, strlen(text), err);
}

#endif
