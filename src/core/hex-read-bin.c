/*
 * hex-read-bin.c - a raw binary (.bin) as an image: its bytes from
 * address 0x0000 on, as dfu-programmer and QMK take a .bin for the Atmel
 * DFU bootloader.  A .bin carries no addresses and no checksum, so which
 * uploads may take one is the job layer's rule (job-upload-file.c); this
 * only reads it, refusing an empty file and one too big for `limit`.
 */
#include "core/hex-image.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/file-util.h"

bool
hex_path_is_raw_binary(const char *path)
{
	size_t n = path != NULL ? strlen(path) : 0;

	return n > 4 && strcasecmp(path + n - 4, ".bin") == 0;
}

enum iw_status
hex_image_read_bin(struct hex_image *img, const char *path, uint32_t limit,
		   const char *limit_why, struct iw_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	enum iw_status st;
	int e;

	/* One byte more than fits, so "too big" is told from "just fits". */
	e = file_read_all(path, (size_t)limit + 1u, &buf, &len);
	if (e == EFBIG)
		return iw_error_set(err, IW_RANGE, "%s: a raw binary is loaded from 0x0000, and "
				    "this one is more than %u bytes: it reaches past %s; check "
				    "that it is this keyboard's build", path, limit, limit_why);
	if (e != 0)
		return iw_error_set(err, e == ENOENT ? IW_NOT_FOUND : IW_IO, "%s: %s", path,
				    strerror(e));
	if (len == 0) {
		free(buf);
		return iw_error_set(err, IW_INPUT, "%s is empty: no firmware to write", path);
	}
	if (len > limit) {
		free(buf);
		return iw_error_set(err, IW_RANGE, "%s: a raw binary is loaded from 0x0000, and "
				    "its %zu bytes reach 0x%05zX, past %s; check that it is this "
				    "keyboard's build", path, len, len - 1, limit_why);
	}
	st = hex_image_put(img, 0, (const uint8_t *)buf, len, path, 0, err);
	free(buf);
	return st;
}
