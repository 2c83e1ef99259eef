/*
 * hex-image.c - the sparse memory image behind every HEX file.
 *
 * Storage is a sorted array of disjoint, non-adjacent segments, each one
 * contiguous run of present bytes.  That is the shape callers want anyway
 * (hex_image_segment hands out a pointer into it), HEX files arrive mostly
 * in address order so a put usually just grows the last segment, and a
 * lookup is a binary search over the few segments a firmware has.
 *
 * Each byte also carries a 32-bit origin id: an index into a table of
 * (file name, line) pairs, with file names interned once per image.  That
 * costs 4 bytes per data byte, which is nothing at AVR flash sizes and lets
 * a conflict name exactly which line set the earlier value.
 */
#include "config.h"

#include "core/hex-image.h"
#include "core/hex-image-int.h"

#include <stdlib.h>
#include <string.h>


struct hex_image *
hex_image_new(void)
{
	return calloc(1, sizeof(struct hex_image));
}

static void
free_contents(struct hex_image *img)
{
	for (size_t i = 0; i < img->n_segs; i++) {
		if (img->segs[i].borrowed)
			continue;
		free(img->segs[i].data);
		free(img->segs[i].origin);
	}
	free(img->segs);
	free(img->arena_data);
	free(img->arena_origin);
	for (size_t i = 0; i < img->n_names; i++)
		free(img->names[i]);
	free(img->names);
	free(img->origins);
	memset(img, 0, sizeof *img);
}

void
hex_image_free(struct hex_image *img)
{
	if (img == NULL)
		return;
	free_contents(img);
	free(img);
}

void
hex_image_swap(struct hex_image *a, struct hex_image *b)
{
	struct hex_image tmp = *a;

	*a = *b;
	*b = tmp;
}

void
hex_image_set_start(struct hex_image *img, enum hex_start_kind kind,
		    uint32_t value)
{
	img->start_kind = kind;
	img->start = value;
}

enum hex_start_kind
hex_image_start_address(const struct hex_image *img, uint32_t *value)
{
	if (value != NULL)
		*value = img->start;
	return img->start_kind;
}

/* Grow an array of `size`-byte elements to hold at least `need`. */
bool
hex_image_grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *p;

	if (need <= *cap)
		return true;
	ncap = *cap != 0 ? *cap : 8;
	while (ncap < need)
		ncap *= 2;
	p = realloc(*arr, ncap * size);
	if (p == NULL)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

/* The origin id for (name, line), reusing the last entry when a file adds
 * several runs from one line (merge does that). */
bool
hex_image_intern_origin(struct hex_image *img, const char *name, unsigned line,
	      uint32_t *id)
{
	size_t n;

	if (name == NULL)
		name = "(unnamed)";
	for (n = 0; n < img->n_names; n++)
		if (strcmp(img->names[n], name) == 0)
			break;
	if (n == img->n_names) {
		char *copy = strdup(name);

		if (copy == NULL ||
		    !hex_image_grow((void **)&img->names, &img->cap_names, n + 1,
			  sizeof *img->names)) {
			free(copy);
			return false;
		}
		img->names[img->n_names++] = copy;
	}
	if (img->n_origins > 0 &&
	    img->origins[img->n_origins - 1].name == n &&
	    img->origins[img->n_origins - 1].line == line) {
		*id = (uint32_t)(img->n_origins - 1);
		return true;
	}
	if (img->n_origins >= UINT32_MAX ||
	    !hex_image_grow((void **)&img->origins, &img->cap_origins,
		  img->n_origins + 1, sizeof *img->origins))
		return false;
	img->origins[img->n_origins].name = (uint32_t)n;
	img->origins[img->n_origins].line = line;
	*id = (uint32_t)img->n_origins++;
	return true;
}

static uint64_t
seg_end(const struct seg *s)
{
	return (uint64_t)s->addr + s->len;
}

/* Index of the first segment whose end is at or after `addr`: the first
 * one that overlaps or touches a range starting at `addr`. */
static size_t
first_reaching(const struct hex_image *img, uint64_t addr)
{
	size_t lo = 0, hi = img->n_segs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (seg_end(&img->segs[mid]) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The segment holding `addr`, or NULL. */
static const struct seg *
find_seg(const struct hex_image *img, uint32_t addr)
{
	size_t i = first_reaching(img, (uint64_t)addr + 1);

	if (i < img->n_segs && img->segs[i].addr <= addr &&
	    addr < seg_end(&img->segs[i]))
		return &img->segs[i];
	return NULL;
}

bool
hex_image_origin(const struct hex_image *img, uint32_t addr,
		 const char **name, unsigned *line)
{
	const struct seg *s = find_seg(img, addr);
	const struct hex_origin *o;

	if (s == NULL)
		return false;
	o = &img->origins[s->origin[addr - s->addr]];
	if (name != NULL)
		*name = img->names[o->name];
	if (line != NULL)
		*line = o->line;
	return true;
}

enum iw_status
hex_image_conflict(struct iw_error *err, const char *name_b, unsigned line_b, uint32_t addr,
		   uint8_t vb, const char *name_a, unsigned line_a, uint8_t va)
{
	return iw_error_set(err, IW_INPUT,
		"%s:%u: conflicting data at address 0x%04X: this record has "
		"0x%02X but %s:%u already put 0x%02X there; the images overlap "
		"with different contents, so remove the overlap from one of them "
		"(check that the right files were given)",
		name_b != NULL ? name_b : "(unnamed)", line_b, addr, vb, name_a, line_a, va);
}

static enum iw_status
conflict_error(const struct hex_image *img, const struct seg *s, uint32_t addr,
	       uint8_t value, const char *name, unsigned line,
	       struct iw_error *err)
{
	const struct hex_origin *o = &img->origins[s->origin[addr - s->addr]];

	return hex_image_conflict(err, name, line, addr, value, img->names[o->name], o->line,
				  s->data[addr - s->addr]);
}

/* Refuse the put before anything changes if a present byte differs. */
static enum iw_status
check_conflicts(const struct hex_image *img, uint32_t addr,
		const uint8_t *data, size_t len, const char *name,
		unsigned line, struct iw_error *err)
{
	uint64_t end = (uint64_t)addr + len;

	for (size_t i = first_reaching(img, (uint64_t)addr + 1);
	     i < img->n_segs && img->segs[i].addr < end; i++) {
		const struct seg *s = &img->segs[i];
		uint64_t from = s->addr > addr ? s->addr : addr;
		uint64_t to = seg_end(s) < end ? seg_end(s) : end;

		for (uint64_t a = from; a < to; a++) {
			uint8_t v = data[a - addr];

			if (s->data[a - s->addr] != v)
				return conflict_error(img, s, (uint32_t)a, v,
						      name, line, err);
		}
	}
	return IW_OK;
}

static bool
seg_reserve(struct seg *s, uint64_t need)
{
	uint64_t ncap = s->cap != 0 ? s->cap : 64;
	uint8_t *d;
	uint32_t *o;

	if (need <= s->cap)
		return true;
	while (ncap < need)
		ncap *= 2;
	if (ncap > ADDR_SPACE)
		ncap = ADDR_SPACE;
	if (ncap > SIZE_MAX / sizeof(uint32_t))
		return false;
	if (s->borrowed) {
		/* A segment the reader built in the image's arena: give it its
		 * own storage before it grows (the arena is freed as a whole). */
		d = malloc((size_t)ncap);
		o = malloc((size_t)ncap * sizeof *o);
		if (d == NULL || o == NULL) {
			free(d);
			free(o);
			return false;
		}
		memcpy(d, s->data, s->len);
		memcpy(o, s->origin, (size_t)s->len * sizeof *o);
		s->data = d;
		s->origin = o;
		s->borrowed = false;
		s->cap = (uint32_t)(ncap == ADDR_SPACE ? UINT32_MAX : ncap);
		return true;
	}
	d = realloc(s->data, (size_t)ncap);
	if (d == NULL)
		return false;
	s->data = d;
	o = realloc(s->origin, (size_t)ncap * sizeof *o);
	if (o == NULL)
		return false;
	s->origin = o;
	s->cap = (uint32_t)(ncap == ADDR_SPACE ? UINT32_MAX : ncap);
	return true;
}

static void
fill(struct seg *s, uint64_t at, const uint8_t *data, uint64_t len,
     uint32_t origin)
{
	size_t off = (size_t)(at - s->addr);

	memcpy(s->data + off, data, (size_t)len);
	for (uint64_t k = 0; k < len; k++)
		s->origin[off + k] = origin;
}

static enum iw_status
nomem(struct iw_error *err)
{
	return iw_error_set(err, IW_NOMEM,
			    "out of memory while building the memory image");
}

enum iw_status
hex_image_put(struct hex_image *img, uint32_t addr, const uint8_t *data,
	      size_t len, const char *origin, unsigned line,
	      struct iw_error *err)
{
	uint64_t end = (uint64_t)addr + len;
	uint64_t new_start, new_end, old_start, old_end;
	size_t i, j;
	uint32_t oid;
	struct seg *t;
	enum iw_status st;

	if (len == 0)
		return IW_OK;
	if (end > ADDR_SPACE)
		return iw_error_set(err, IW_RANGE,
			"%s:%u: data at 0x%08X runs past the end of the 32-bit "
			"address space; the file is damaged",
			origin != NULL ? origin : "(unnamed)", line, addr);
	st = check_conflicts(img, addr, data, len, origin, line, err);
	if (st != IW_OK)
		return st;
	if (!hex_image_intern_origin(img, origin, line, &oid))
		return nomem(err);

	i = first_reaching(img, addr);
	if (i == img->n_segs || img->segs[i].addr > end) {
		/* Touches nothing: a new segment at position i. */
		struct seg s = { .addr = addr };

		if (!hex_image_grow((void **)&img->segs, &img->cap_segs, img->n_segs + 1,
			  sizeof *img->segs) ||
		    !seg_reserve(&s, len)) {
			free(s.data);
			free(s.origin);
			return nomem(err);
		}
		s.len = (uint32_t)len;
		fill(&s, addr, data, len, oid);
		memmove(&img->segs[i + 1], &img->segs[i],
			(img->n_segs - i) * sizeof *img->segs);
		img->segs[i] = s;
		img->n_segs++;
		return IW_OK;
	}

	/* Segments i..j overlap or touch [addr, end): fold them into i. */
	j = i;
	while (j + 1 < img->n_segs && img->segs[j + 1].addr <= end)
		j++;
	t = &img->segs[i];
	old_start = t->addr;
	old_end = seg_end(t);
	new_start = addr < old_start ? addr : old_start;
	new_end = end > seg_end(&img->segs[j]) ? end : seg_end(&img->segs[j]);
	if (!seg_reserve(t, new_end - new_start))
		return nomem(err);
	if (new_start < old_start) {
		size_t shift = (size_t)(old_start - new_start);

		memmove(t->data + shift, t->data, t->len);
		memmove(t->origin + shift, t->origin,
			t->len * sizeof *t->origin);
		t->addr = (uint32_t)new_start;
	}
	t->len = (uint32_t)(new_end - new_start);
	/* New bytes outside the old segment i; bytes inside it are identical
	 * (checked above) and keep their earlier origin. */
	if (addr < old_start)
		fill(t, addr, data, old_start - addr, oid);
	if (end > old_end)
		fill(t, old_end, data + (old_end - addr), end - old_end, oid);
	/* The later segments win over the new data for the same reason. */
	for (size_t k = i + 1; k <= j; k++) {
		struct seg *s = &img->segs[k];
		size_t off = s->addr - t->addr;

		memcpy(t->data + off, s->data, s->len);
		memcpy(t->origin + off, s->origin, s->len * sizeof *s->origin);
		if (!s->borrowed) {
			free(s->data);
			free(s->origin);
		}
	}
	memmove(&img->segs[i + 1], &img->segs[j + 1],
		(img->n_segs - j - 1) * sizeof *img->segs);
	img->n_segs -= j - i;
	return IW_OK;
}

/* Add one segment of `src` run by run, so that each byte keeps its origin. */
static enum iw_status
merge_seg(struct hex_image *dst, const struct hex_image *src,
	  const struct seg *s, struct iw_error *err)
{
	uint32_t k = 0;

	while (k < s->len) {
		uint32_t run = 1;
		const struct hex_origin *o = &src->origins[s->origin[k]];
		enum iw_status st;

		while (k + run < s->len && s->origin[k + run] == s->origin[k])
			run++;
		st = hex_image_put(dst, s->addr + k, s->data + k, run,
				   src->names[o->name], o->line, err);
		if (st != IW_OK)
			return st;
		k += run;
	}
	return IW_OK;
}

enum iw_status
hex_image_merge(struct hex_image *dst, const struct hex_image *src,
		struct iw_error *err)
{
	if (dst == src)
		return IW_OK;
	/* Check every byte first so a refused merge leaves dst untouched. */
	for (size_t i = 0; i < src->n_segs; i++) {
		const struct seg *s = &src->segs[i];

		for (uint32_t k = 0; k < s->len; k++) {
			const struct seg *d = find_seg(dst, s->addr + k);
			const struct hex_origin *o;
			uint32_t a = s->addr + k;

			if (d == NULL || d->data[a - d->addr] == s->data[k])
				continue;
			o = &src->origins[s->origin[k]];
			return conflict_error(dst, d, a, s->data[k],
					      src->names[o->name], o->line,
					      err);
		}
	}
	for (size_t i = 0; i < src->n_segs; i++) {
		enum iw_status st = merge_seg(dst, src, &src->segs[i], err);

		if (st != IW_OK)
			return st;
	}
	if (dst->start_kind == HEX_START_NONE)
		hex_image_set_start(dst, src->start_kind, src->start);
	return IW_OK;
}

bool
hex_image_get(const struct hex_image *img, uint32_t addr, uint8_t *out)
{
	const struct seg *s = find_seg(img, addr);

	if (s == NULL)
		return false;
	if (out != NULL)
		*out = s->data[addr - s->addr];
	return true;
}

bool
hex_image_read_range(const struct hex_image *img, uint32_t addr,
		     uint32_t len, uint8_t fill_byte, uint8_t *buf)
{
	uint64_t end = (uint64_t)addr + len;
	bool any = false;

	memset(buf, fill_byte, len);
	for (size_t i = first_reaching(img, (uint64_t)addr + 1);
	     i < img->n_segs && img->segs[i].addr < end; i++) {
		const struct seg *s = &img->segs[i];
		uint64_t from = s->addr > addr ? s->addr : addr;
		uint64_t to = seg_end(s) < end ? seg_end(s) : end;

		if (from >= to)
			continue;
		memcpy(buf + (from - addr), s->data + (from - s->addr),
		       (size_t)(to - from));
		any = true;
	}
	return any;
}

bool
hex_image_empty(const struct hex_image *img)
{
	return img->n_segs == 0;
}

size_t
hex_image_byte_count(const struct hex_image *img)
{
	size_t n = 0;

	for (size_t i = 0; i < img->n_segs; i++)
		n += img->segs[i].len;
	return n;
}

uint32_t
hex_image_min_addr(const struct hex_image *img)
{
	return img->n_segs != 0 ? img->segs[0].addr : 0;
}

uint32_t
hex_image_end_addr(const struct hex_image *img)
{
	uint64_t end;

	if (img->n_segs == 0)
		return 0;
	end = seg_end(&img->segs[img->n_segs - 1]);
	/* A byte at 0xFFFFFFFF has no uint32 "end"; saturate rather than
	 * wrap to 0, which would read as empty. */
	return end >= ADDR_SPACE ? UINT32_MAX : (uint32_t)end;
}

uint32_t
hex_image_last_addr(const struct hex_image *img)
{
	if (img->n_segs == 0)
		return 0;
	return (uint32_t)(seg_end(&img->segs[img->n_segs - 1]) - 1);
}

size_t
hex_image_segment_count(const struct hex_image *img)
{
	return img->n_segs;
}

struct hex_segment
hex_image_segment(const struct hex_image *img, size_t i)
{
	struct hex_segment out = { 0, 0, NULL };

	if (i < img->n_segs) {
		out.addr = img->segs[i].addr;
		out.len = img->segs[i].len;
		out.data = img->segs[i].data;
	}
	return out;
}

bool
hex_image_last_segment(const struct hex_image *img, uint32_t *start, uint32_t *end)
{
	size_t n = hex_image_segment_count(img);
	struct hex_segment seg;

	if (n < 2)
		return false;
	seg = hex_image_segment(img, n - 1);
	*start = seg.addr;
	/* The end of a run at the top of the address space does not fit 32
	 * bits: saturate, as hex_image_end_addr does, instead of wrapping to 0. */
	*end = (uint64_t)seg.addr + seg.len >= ADDR_SPACE ? UINT32_MAX : seg.addr + seg.len;
	return true;
}

enum iw_status
hex_image_check_fits(const struct hex_image *img, uint32_t flash_size,
		     const char *part_name, struct iw_error *err)
{
	size_t i = first_reaching(img, (uint64_t)flash_size + 1);
	const char *name = "?";
	unsigned line = 0;
	uint32_t first;

	if (i == img->n_segs)
		return IW_OK;
	first = img->segs[i].addr > flash_size ? img->segs[i].addr : flash_size;
	hex_image_origin(img, first, &name, &line);
	return iw_error_set(err, IW_RANGE,
		"the image does not fit %s: the byte at 0x%04X (from %s:%u) lies "
		"beyond its %u-byte flash (0x0000-0x%04X); the image spans "
		"0x%04X-0x%04X. Check that the part is right and that the file "
		"is meant for it",
		part_name != NULL ? part_name : "the part", first, name, line,
		(unsigned)flash_size, flash_size != 0 ? flash_size - 1 : 0,
		hex_image_min_addr(img), hex_image_last_addr(img));
}
