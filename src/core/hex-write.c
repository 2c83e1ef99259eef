/*
 * hex-write.c - write an image as Intel HEX.
 *
 * The output is the conventional shape every tool reads: data records of up
 * to 16 bytes that never cross a 16-byte boundary (so the same bytes always
 * land in the same record, which keeps diffs of two images readable), a type
 * 04 record whenever the upper 16 address bits change, and one end record.
 * Files are written under a temporary name next to the target and renamed,
 * so a reader never sees half a file and a failure leaves the old one alone.
 */
#include "config.h"

#include "core/hex-image.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RECORD_DATA_MAX 16

/* One record: ":" count, address, type, data, checksum, newline. */
static int
put_record(FILE *out, uint8_t type, uint16_t addr, const uint8_t *data,
	   unsigned count)
{
	uint8_t sum = (uint8_t)(count + (addr >> 8) + (addr & 0xFF) + type);

	if (fprintf(out, ":%02X%04X%02X", count, (unsigned)addr, type) < 0)
		return -1;
	for (unsigned k = 0; k < count; k++) {
		sum = (uint8_t)(sum + data[k]);
		if (fprintf(out, "%02X", data[k]) < 0)
			return -1;
	}
	return fprintf(out, "%02X\n", (uint8_t)-sum) < 0 ? -1 : 0;
}

enum iw_status
hex_image_write_stream(const struct hex_image *img, FILE *out,
		       struct iw_error *err)
{
	/* Readers start with an upper address of 0, so no 04 record is needed
	 * until data above 64 KiB appears. */
	uint32_t upper = 0;

	for (size_t i = 0; i < hex_image_segment_count(img); i++) {
		struct hex_segment s = hex_image_segment(img, i);
		uint64_t addr = s.addr, end = (uint64_t)s.addr + s.len;

		while (addr < end) {
			unsigned n = RECORD_DATA_MAX - (unsigned)(addr % RECORD_DATA_MAX);
			uint32_t hi = (uint32_t)(addr >> 16);

			if (n > end - addr)
				n = (unsigned)(end - addr);
			if (hi != upper) {
				uint8_t ela[2] = { (uint8_t)(hi >> 8), (uint8_t)hi };

				if (put_record(out, 0x04, 0, ela, 2) != 0)
					goto fail;
				upper = hi;
			}
			if (put_record(out, 0x00, (uint16_t)addr,
				       s.data + (addr - s.addr), n) != 0)
				goto fail;
			addr += n;
		}
	}
	if (put_record(out, 0x01, 0, NULL, 0) != 0 || fflush(out) != 0)
		goto fail;
	return IW_OK;
fail:
	return iw_error_set(err, IW_IO, "writing Intel HEX failed: %s",
			    strerror(errno));
}

/* Create "<path>.tmp.<pid>.<n>" exclusively; mode 0666 lets the umask
 * decide, as for any file the user creates. */
static int
create_temp(const char *path, char **tmp_out)
{
	size_t size = strlen(path) + 48;
	char *tmp = malloc(size);

	if (tmp == NULL) {
		errno = ENOMEM;
		return -1;
	}
	for (unsigned n = 0; n < 100; n++) {
		int fd;

		snprintf(tmp, size, "%s.tmp.%ld.%u", path, (long)getpid(), n);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp_out = tmp;
			return fd;
		}
		if (errno != EEXIST)
			break;
	}
	/* Keep the name for the message, the caller frees it. */
	*tmp_out = tmp;
	return -1;
}

enum iw_status
hex_image_write_file(const struct hex_image *img, const char *path,
		     struct iw_error *err)
{
	char *tmp = NULL;
	FILE *f = NULL;
	enum iw_status st;
	int fd = create_temp(path, &tmp);

	if (fd < 0) {
		st = iw_error_set(err, IW_IO,
			"cannot write '%s': creating the temporary file '%s' "
			"failed: %s; check that the directory exists and is "
			"writable", path, tmp != NULL ? tmp : "?",
			strerror(errno));
		free(tmp);
		return st;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		st = iw_error_set(err, IW_IO, "cannot write '%s': %s", path,
				  strerror(errno));
		close(fd);
		goto fail;
	}
	st = hex_image_write_stream(img, f, err);
	if (st != IW_OK) {
		iw_error_prefix(err, "cannot write '%s'", path);
		goto fail;
	}
	/* The data must be on disk before the name points at it, or a crash
	 * could leave an empty file under the final name. */
	if (fsync(fileno(f)) != 0) {
		st = iw_error_set(err, IW_IO, "cannot write '%s': %s", path,
				  strerror(errno));
		goto fail;
	}
	if (fclose(f) != 0) {
		f = NULL;
		st = iw_error_set(err, IW_IO, "cannot write '%s': %s", path,
				  strerror(errno));
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		st = iw_error_set(err, IW_IO,
			"cannot write '%s': renaming '%s' to it failed: %s",
			path, tmp, strerror(errno));
		goto fail;
	}
	free(tmp);
	return IW_OK;
fail:
	if (f != NULL)
		fclose(f);
	unlink(tmp);
	free(tmp);
	return st;
}
