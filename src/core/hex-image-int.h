/*
 * hex-image-int.h - the inside of a memory image, shared by hex-image.c
 * (lookups, put, merge) and hex-build.c (the reader's bulk build), and by
 * nothing else: callers see only core/hex-image.h.
 */
#ifndef ISPWIZ_CORE_HEX_IMAGE_INT_H
#define ISPWIZ_CORE_HEX_IMAGE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/hex-image.h"

#define ADDR_SPACE ((uint64_t)1 << 32)

struct hex_origin {
	uint32_t name;       /* index into img->names */
	unsigned line;
};

/* One contiguous run of present bytes.  A segment the reader built lives
 * in the image's arena (borrowed: its storage is not its own and is not
 * freed or grown in place). */
struct seg {
	uint32_t addr;
	uint32_t len;
	uint32_t cap;        /* allocated bytes of data[] and origin[] */
	bool borrowed;
	uint8_t *data;
	uint32_t *origin;    /* index into img->origins, one per byte */
};

struct hex_image {
	struct seg *segs;
	size_t n_segs, cap_segs;
	char **names;
	size_t n_names, cap_names;
	struct hex_origin *origins;
	size_t n_origins, cap_origins;
	uint8_t *arena_data;     /* the borrowed segments' bytes */
	uint32_t *arena_origin;  /* ... and their origins */
	enum hex_start_kind start_kind;
	uint32_t start;
};

/* Grow an array of `size`-byte elements to hold at least `need`. */
bool hex_image_grow(void **arr, size_t *cap, size_t need, size_t size);
/* The origin id for (name, line); a repeat of the last one reuses it. */
bool hex_image_intern_origin(struct hex_image *img, const char *name, unsigned line,
			     uint32_t *id);

/* The message of two records that put different bytes at one address:
 * `later` (name_b:line_b, value vb) and the one before it (a). */
enum iw_status hex_image_conflict(struct iw_error *err, const char *name_b, unsigned line_b,
				  uint32_t addr, uint8_t vb, const char *name_a,
				  unsigned line_a, uint8_t va);

/* ---- hex-build.c: a whole file's records into an empty image at once ----
 *
 * Putting records one at a time costs a memmove per record when they come
 * in descending order, and a segment (with slack) per isolated byte.  The
 * reader instead collects every data record, sorts them by address (when
 * the file was not already in order), and lays the segments out in one
 * arena with exact sizes: n log n time, memory proportional to the data. */
struct hex_rec {
	uint32_t addr;
	uint32_t off;        /* of its bytes in hex_builder.bytes */
	uint32_t oid;        /* origin id; ids grow in file order */
	uint16_t len;        /* 1..255 */
};

struct hex_builder {
	struct hex_image *img;   /* empty; gets the names, origins, segments */
	struct hex_rec *recs;
	size_t n_recs, cap_recs;
	uint8_t *bytes;
	size_t n_bytes, cap_bytes;
	bool sorted;             /* every record so far at or above the last */
};

void hex_builder_init(struct hex_builder *b, struct hex_image *img);
/* Add a data record; false when out of memory. */
bool hex_builder_add(struct hex_builder *b, uint32_t addr, const uint8_t *data,
		     unsigned len, const char *name, unsigned line);
/* Build the image from the records.  Bytes that two records set alike are
 * fine (the earlier line keeps them); different bytes are refused naming
 * both lines: of all such pairs, the one whose later line comes first in
 * the file, as a reader going line by line would have found it. */
enum iw_status hex_builder_finish(struct hex_builder *b, struct iw_error *err);
void hex_builder_free(struct hex_builder *b);

#endif
