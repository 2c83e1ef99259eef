/*
 * hex-build.c - a whole HEX file's data records into an empty image in
 * n log n time and memory proportional to the data (see hex-image-int.h
 * for why the reader does not simply put record after record).
 *
 * Two passes over the records in address order: the first measures the
 * segments (runs of records that touch or overlap), the second copies the
 * bytes into one arena where every segment gets exactly its length.
 * Overlaps can only be with the segment being filled, since records come
 * in address order, so checking them costs one comparison per byte.
 */
#include "config.h"

#include "core/hex-image-int.h"

#include <stdlib.h>
#include <string.h>

void
hex_builder_init(struct hex_builder *b, struct hex_image *img)
{
	memset(b, 0, sizeof *b);
	b->img = img;
	b->sorted = true;
}

void
hex_builder_free(struct hex_builder *b)
{
	free(b->recs);
	free(b->bytes);
	b->recs = NULL;
	b->bytes = NULL;
	b->n_recs = b->n_bytes = 0;
}

bool
hex_builder_add(struct hex_builder *b, uint32_t addr, const uint8_t *data, unsigned len,
		const char *name, unsigned line)
{
	struct hex_rec *r;
	uint32_t oid;

	if (len == 0)
		return true;
	/* The arena offsets are 32-bit; the reader's file cap keeps far below. */
	if (b->n_bytes + len > UINT32_MAX ||
	    !hex_image_intern_origin(b->img, name, line, &oid) ||
	    !hex_image_grow((void **)&b->recs, &b->cap_recs, b->n_recs + 1, sizeof *b->recs) ||
	    !hex_image_grow((void **)&b->bytes, &b->cap_bytes, b->n_bytes + len, 1))
		return false;
	if (b->n_recs > 0 && addr < b->recs[b->n_recs - 1].addr)
		b->sorted = false;
	r = &b->recs[b->n_recs++];
	r->addr = addr;
	r->off = (uint32_t)b->n_bytes;
	r->oid = oid;
	r->len = (uint16_t)len;
	memcpy(b->bytes + b->n_bytes, data, len);
	b->n_bytes += len;
	return true;
}

/* Address order; records at one address in file order (their bytes were
 * appended in file order, so the offset says which came first). */
static int
by_address(const void *pa, const void *pb)
{
	const struct hex_rec *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->off < b->off ? -1 : a->off > b->off;
}

static uint64_t
rec_end(const struct hex_rec *r)
{
	return (uint64_t)r->addr + r->len;
}

/* The conflict to report: the pair whose later record comes first in the
 * file, then the lowest address. */
struct conflict {
	bool found;
	uint32_t addr;
	uint32_t later, earlier;     /* origin ids */
	uint8_t later_value, earlier_value;
};

static void
note_conflict(struct conflict *c, uint32_t addr, uint32_t oid_a, uint8_t va, uint32_t oid_b,
	      uint8_t vb)
{
	uint32_t later = oid_a > oid_b ? oid_a : oid_b;

	if (c->found && (later > c->later || (later == c->later && addr >= c->addr)))
		return;
	c->found = true;
	c->addr = addr;
	c->later = later;
	c->earlier = oid_a > oid_b ? oid_b : oid_a;
	c->later_value = oid_a > oid_b ? va : vb;
	c->earlier_value = oid_a > oid_b ? vb : va;
}

/* Copy record `r` into segment `s`, whose bytes up to `*filled` are set. */
static void
lay_record(const struct hex_builder *b, const struct hex_rec *r, struct seg *s,
	   uint64_t *filled, struct conflict *c)
{
	const uint8_t *data = b->bytes + r->off;
	uint64_t end = rec_end(r), overlap_end = end < *filled ? end : *filled;

	/* Bytes already set: the same value keeps the earliest line as its
	 * origin, a different one is a conflict (and the earliest line's value
	 * stays, so that later comparisons are against it). */
	for (uint64_t a = r->addr; a < overlap_end; a++) {
		size_t k = (size_t)(a - s->addr);
		uint8_t v = data[a - r->addr];

		if (s->data[k] != v)
			note_conflict(c, (uint32_t)a, r->oid, v, s->origin[k], s->data[k]);
		if (r->oid < s->origin[k]) {
			s->data[k] = v;
			s->origin[k] = r->oid;
		}
	}
	if (end > *filled) {
		uint64_t from = r->addr > *filled ? r->addr : *filled;
		size_t k = (size_t)(from - s->addr);

		memcpy(s->data + k, data + (from - r->addr), (size_t)(end - from));
		for (uint64_t a = from; a < end; a++)
			s->origin[k++] = r->oid;
		*filled = end;
	}
}

static enum iw_status
nomem(struct iw_error *err)
{
	return iw_error_set(err, IW_NOMEM, "out of memory while building the memory image");
}

enum iw_status
hex_builder_finish(struct hex_builder *b, struct iw_error *err)
{
	struct hex_image *img = b->img;
	struct conflict c = { .found = false };
	size_t n_segs = 0, total = 0, si = 0, at = 0;
	uint64_t end = 0, filled = 0;

	if (b->n_recs == 0)
		return IW_OK;
	if (!b->sorted)
		qsort(b->recs, b->n_recs, sizeof *b->recs, by_address);
	/* Pass 1: how many segments, and how many bytes in all. */
	for (size_t i = 0; i < b->n_recs; i++) {
		const struct hex_rec *r = &b->recs[i];

		if (i == 0 || r->addr > end) {
			if (i > 0)
				total += (size_t)(end - b->recs[at].addr);
			n_segs++;
			at = i;
			end = rec_end(r);
		} else if (rec_end(r) > end) {
			end = rec_end(r);
		}
	}
	total += (size_t)(end - b->recs[at].addr);
	img->segs = calloc(n_segs, sizeof *img->segs);
	img->arena_data = malloc(total);
	img->arena_origin = malloc(total * sizeof *img->arena_origin);
	if (img->segs == NULL || img->arena_data == NULL || img->arena_origin == NULL)
		return nomem(err);
	img->cap_segs = n_segs;
	/* Pass 2: lay the bytes out, segment after segment. */
	total = 0;
	for (size_t i = 0; i < b->n_recs; i++) {
		const struct hex_rec *r = &b->recs[i];
		struct seg *s;

		if (i == 0 || r->addr > filled) {
			if (i > 0) {
				img->segs[si].len = (uint32_t)(filled - img->segs[si].addr);
				total += img->segs[si].len;
				si++;
			}
			s = &img->segs[si];
			s->addr = r->addr;
			s->borrowed = true;
			s->data = img->arena_data + total;
			s->origin = img->arena_origin + total;
			filled = r->addr;
			img->n_segs = si + 1;
		}
		lay_record(b, r, &img->segs[si], &filled, &c);
	}
	img->segs[si].len = (uint32_t)(filled - img->segs[si].addr);
	for (size_t i = 0; i < img->n_segs; i++)
		img->segs[i].cap = img->segs[i].len;
	if (c.found) {
		const struct hex_origin *a = &img->origins[c.earlier], *l = &img->origins[c.later];

		return hex_image_conflict(err, img->names[l->name], l->line, c.addr,
					  c.later_value, img->names[a->name], a->line,
					  c.earlier_value);
	}
	return IW_OK;
}
