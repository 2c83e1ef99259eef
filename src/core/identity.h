/*
 * identity.h - what a HEX file or a chip's boot section *is*, independent
 * of how the file was written.
 *
 * The same upstream file comes with CRLF or LF line endings, with 16- or
 * 32-byte records, with or without explicit 0xFF padding, depending on
 * where it was fetched; a hash of the file's bytes proves nothing.  Two
 * identities are defined over the memory image instead:
 *
 *   image: from the lowest data address, up to and including the highest,
 *          every gap filled with 0xFF: SHA-256 of those bytes, with the
 *          start and the length.  It names a file.
 *   boot:  from the start of a boot section up to the last byte in it that
 *          is not 0xFF (gaps 0xFF): SHA-256, start and length.  Computed
 *          over a file's bytes or over bytes read from a chip, it names the
 *          bootloader a chip holds, and the one inside a combined (sketch +
 *          bootloader) or production file.
 *
 * A blank range has length 0 and no hash.
 */
#ifndef ISPWIZ_CORE_IDENTITY_H
#define ISPWIZ_CORE_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/hex-image.h"
#include "core/sha256.h"

/* The largest span an identity is computed over: far beyond any AVR's
 * flash, and small enough to hash in moments. */
#define IDENTITY_SPAN_MAX (16u * 1024u * 1024u)

struct image_id {
	uint32_t start;
	uint32_t length;                    /* 0: no data (sha256 is "") */
	char sha256[SHA256_HEX_LEN + 1];
};

/* The image identity of `img`.  IW_RANGE when the data spans more than
 * IDENTITY_SPAN_MAX bytes (no AVR image does). */
enum iw_status identity_image(const struct hex_image *img, struct image_id *out,
			      struct iw_error *err);

/* The boot identity of the section [start, end) of `img`.  IW_RANGE as
 * above. */
enum iw_status identity_boot(const struct hex_image *img, uint32_t start, uint32_t end,
			     struct image_id *out, struct iw_error *err);

/* The boot identity of bytes read from a chip: `data` holds the `len`
 * bytes from address `start`. */
void identity_boot_bytes(const uint8_t *data, uint32_t start, uint32_t len,
			 struct image_id *out);

/* Same start, length and hash (the hash compared without regard to case). */
bool identity_equal(const struct image_id *a, const struct image_id *b);

/* "0x7000+4096 4cee9274..." for messages and logs. */
const char *identity_text(const struct image_id *id, char *buf, size_t size);

#endif
