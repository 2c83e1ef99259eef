/* sha256.h - SHA-256 of files, as lower-case hex, for checking a bootloader
 * file against the known upstream one (nettle does the hashing). */
#ifndef ISPWIZ_CORE_SHA256_H
#define ISPWIZ_CORE_SHA256_H

#include <stddef.h>

#include "core/error.h"

#define SHA256_HEX_LEN 64

/* hex must hold SHA256_HEX_LEN + 1 bytes; size_out (may be NULL) gets the
 * file size in bytes. */
enum iw_status sha256_file_hex(const char *path, char hex[SHA256_HEX_LEN + 1],
			       long *size_out, struct iw_error *err);
void sha256_buffer_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif
