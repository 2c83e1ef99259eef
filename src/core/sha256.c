/* sha256.c - file and buffer hashing over nettle. */
#include "core/sha256.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

static void
to_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char hex[SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
		hex[2 * i] = digits[digest[i] >> 4];
		hex[2 * i + 1] = digits[digest[i] & 0xF];
	}
	hex[SHA256_HEX_LEN] = '\0';
}

void
sha256_buffer_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof digest, digest);
	to_hex(digest, hex);
}

enum iw_status
sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1], long *size_out,
		struct iw_error *err)
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	uint8_t buf[8192];
	long total = 0;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL)
		return iw_error_set(err, IW_IO, "cannot open %s: %s", path,
				    strerror(errno));
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		sha256_update(&ctx, n, buf);
		total += (long)n;
	}
	if (ferror(f)) {
		int e = errno;
		fclose(f);
		return iw_error_set(err, IW_IO, "cannot read %s: %s", path,
				    strerror(e));
	}
	fclose(f);
	sha256_digest(&ctx, sizeof digest, digest);
	to_hex(digest, hex);
	if (size_out != NULL)
		*size_out = total;
	return IW_OK;
}
