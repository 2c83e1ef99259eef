/*
 * hex-image.h - a sparse memory image (what an Intel HEX file describes),
 * with a strict reader, a writer and a merge.
 *
 * Every byte in the image remembers the file and line that set it, so that a
 * conflict between two records (or two files being merged) can name both.
 * Addresses are 32-bit byte addresses (types 02 and 04 are applied).
 */
#ifndef ISPWIZ_CORE_HEX_IMAGE_H
#define ISPWIZ_CORE_HEX_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

struct hex_image;

/* A run of consecutive present bytes, in address order. */
struct hex_segment {
	uint32_t addr;
	uint32_t len;
	const uint8_t *data;
};

struct hex_image *hex_image_new(void);
void hex_image_free(struct hex_image *img);

/* Parse Intel HEX into `img` (which may already hold data: records are added
 * with the usual overlap rules).  `name` is used in messages and in the
 * per-byte origin.  Errors name the file and line and say what is wrong:
 * bad checksum (with expected and found), non-hex character (column), short
 * record, length mismatch, unknown record type, missing end record, data
 * after the end record, empty file, conflicting overlap (both lines).
 * Blank lines are accepted only after the end record; lines may end in LF
 * or CRLF.  On failure `img` is left exactly as it was. */
enum iw_status hex_image_read_buffer(struct hex_image *img, const char *name,
				     const char *buf, size_t len,
				     struct iw_error *err);
enum iw_status hex_image_read_file(struct hex_image *img, const char *path,
				   struct iw_error *err);
/* The same, refusing (IW_RANGE, at its line, as soon as it is read) a data
 * byte at or above `limit`; `limit_why` says in the message what ends at
 * the limit ("the flash").  Parsing takes n log n
 * time in the number of records and memory proportional to the data,
 * whatever their order. */
enum iw_status hex_image_read_file_within(struct hex_image *img, const char *path,
					  uint32_t limit, const char *limit_why,
					  struct iw_error *err);

/* Whether `path` names a raw binary (ends in .bin, any case). */
bool hex_path_is_raw_binary(const char *path);
/* A raw binary's bytes at 0x0000 on (hex-read-bin.c).  IW_INPUT for an
 * empty file, IW_RANGE past `limit` bytes (`limit_why` says what ends
 * there), IW_NOT_FOUND / IW_IO naming the file. */
enum iw_status hex_image_read_bin(struct hex_image *img, const char *path, uint32_t limit,
				  const char *limit_why, struct iw_error *err);

/* Write as Intel HEX: 16-byte data records, type 04 records where the upper
 * 16 address bits change, one end record.  The file is written to a
 * temporary name and renamed, so a failure never leaves half a file. */
enum iw_status hex_image_write_stream(const struct hex_image *img, FILE *out,
				      struct iw_error *err);
enum iw_status hex_image_write_file(const struct hex_image *img,
				    const char *path, struct iw_error *err);

/* Set bytes; `origin`/`line` label them for later conflict messages.
 * Overlapping identical bytes are accepted; a different value is refused
 * naming the earlier origin:line and this one. */
enum iw_status hex_image_put(struct hex_image *img, uint32_t addr,
			     const uint8_t *data, size_t len,
			     const char *origin, unsigned line,
			     struct iw_error *err);
/* Add every byte of `src` to `dst` under the same rules (used by merge). */
enum iw_status hex_image_merge(struct hex_image *dst,
			       const struct hex_image *src,
			       struct iw_error *err);

bool hex_image_get(const struct hex_image *img, uint32_t addr, uint8_t *out);
/* Copy [addr, addr+len) into buf, filling absent bytes with `fill`; returns
 * true when at least one byte in the range is present. */
bool hex_image_read_range(const struct hex_image *img, uint32_t addr,
			  uint32_t len, uint8_t fill, uint8_t *buf);

bool hex_image_empty(const struct hex_image *img);
size_t hex_image_byte_count(const struct hex_image *img);   /* present bytes */
uint32_t hex_image_min_addr(const struct hex_image *img);   /* 0 when empty */
uint32_t hex_image_end_addr(const struct hex_image *img);   /* highest + 1; 0 when empty */
/* The highest present address itself (0 when empty).  Unlike the end it
 * never saturates, so a message can name a byte at 0xFFFFFFFF. */
uint32_t hex_image_last_addr(const struct hex_image *img);

size_t hex_image_segment_count(const struct hex_image *img);
struct hex_segment hex_image_segment(const struct hex_image *img, size_t i);
/* The last run of bytes of an image that has more than one ([*start,
 * *end), *end saturated like hex_image_end_addr), false otherwise.  In a file that carries an Arduino sketch and
 * its bootloader, that run is the bootloader. */
bool hex_image_last_segment(const struct hex_image *img, uint32_t *start, uint32_t *end);

/* Refuse an image that does not fit a part: any byte at or above
 * `flash_size` is an error naming the first such address and its origin. */
enum iw_status hex_image_check_fits(const struct hex_image *img,
				    uint32_t flash_size, const char *part_name,
				    struct iw_error *err);

/* Which file and line set the byte at `addr` (for verify-failure and
 * conflict messages).  `*name` stays valid while the image lives.  False
 * when the byte is absent. */
bool hex_image_origin(const struct hex_image *img, uint32_t addr,
		      const char **name, unsigned *line);

/* The start address a type 03 or 05 record gave (the last one wins).  AVR
 * tools have no use for it; it is kept so nothing in the file is silently
 * lost, and the writer does not emit it.  Merge keeps dst's if it has one. */
enum hex_start_kind {
	HEX_START_NONE,
	HEX_START_SEGMENT,   /* type 03: value is CS << 16 | IP */
	HEX_START_LINEAR,    /* type 05: value is EIP */
};
enum hex_start_kind hex_image_start_address(const struct hex_image *img,
					    uint32_t *value);
void hex_image_set_start(struct hex_image *img, enum hex_start_kind kind,
			 uint32_t value);

/* Exchange the whole contents of two images (the reader parses into a
 * scratch image and swaps it in, so a failed read changes nothing). */
void hex_image_swap(struct hex_image *a, struct hex_image *b);

#endif
