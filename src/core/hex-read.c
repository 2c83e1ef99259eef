/*
 * hex-read.c - a strict Intel HEX reader.
 *
 * Flashing a damaged image onto a chip is worse than refusing it, so every
 * deviation from the format is an error with its own message naming the
 * file, line and (for bad characters) column.  The only leniency is the one
 * real files need: LF or CRLF line endings and blank lines after the end
 * record.
 *
 * The file is parsed into a scratch image that replaces or is merged into
 * the caller's image only when the whole file was good.
 */
#include "config.h"

#include "core/hex-image.h"
#include "core/hex-image-int.h"
#include "core/file-util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Bigger than any HEX file for a part we support (128 KiB of flash is about
 * 360 KiB of HEX) by far; stops /dev/zero or a mistaken disk image from
 * eating memory. */
#define HEX_FILE_MAX ((size_t)64 << 20)

/* Byte count, two address bytes, type, checksum. */
#define RECORD_OVERHEAD 5

enum record_type {
	REC_DATA = 0x00,
	REC_END = 0x01,
	REC_EXT_SEGMENT = 0x02,
	REC_START_SEGMENT = 0x03,
	REC_EXT_LINEAR = 0x04,
	REC_START_LINEAR = 0x05,
};

struct reader {
	struct hex_image *img;
	struct hex_builder build;  /* the data records, laid out at the end */
	uint64_t limit;        /* data at or above is refused; 0: no limit */
	const char *limit_why; /* what the limit is, for the message */
	const char *name;
	unsigned line;
	unsigned records;      /* records seen so far */
	unsigned end_line;     /* line of the end record, 0 before it */
	unsigned last_line;    /* line of the last record */
	uint32_t base;         /* from the last 02 or 04 record */
	bool segment_mode;     /* 02 addressing wraps inside 64 KiB */
};


/* A character for a message: 'g', or "byte 0x0D" when not printable. */
static const char *
show_char(unsigned char c, char buf[16])
{
	if (c >= 0x20 && c < 0x7F)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02X", c);
	return buf;
}

static enum iw_status
bad_start(const struct reader *r, unsigned char c, struct iw_error *err)
{
	char shown[16];
	const char *hint = "is this really an Intel HEX file?";

	if (c == 0xEF)
		hint = "the file seems to start with a UTF-8 byte-order mark; "
		       "save it without one";
	else if (c == 0x7F || c < 0x09)
		hint = "this looks like a binary file (a .bin or .elf?), not "
		       "Intel HEX";
	return iw_error_set(err, IW_INPUT,
		"%s:%u:1: line does not start with ':' (found %s); every record "
		"of an Intel HEX file starts with ':'; %s",
		r->name, r->line, show_char(c, shown), hint);
}

static enum iw_status
bad_char(const struct reader *r, unsigned char c, size_t col,
	 struct iw_error *err)
{
	char shown[16];
	const char *hint = "the line is damaged";

	if (c == '\r')
		hint = "a carriage return inside the line: the file may use old "
		       "Mac line endings; convert it to LF or CRLF";
	else if (c == ' ' || c == '\t')
		hint = "remove the white space";
	return iw_error_set(err, IW_INPUT,
		"%s:%u:%zu: non-hex character %s in a record; %s",
		r->name, r->line, col, show_char(c, shown), hint);
}

static const char *
type_name(unsigned type)
{
	switch (type) {
	case REC_EXT_SEGMENT: return "extended segment address record (type 02)";
	case REC_START_SEGMENT: return "start segment address record (type 03)";
	case REC_EXT_LINEAR: return "extended linear address record (type 04)";
	case REC_START_LINEAR: return "start linear address record (type 05)";
	default: return "end record (type 01)";
	}
}

static enum iw_status
check_length(const struct reader *r, unsigned type, unsigned count,
	     unsigned want, struct iw_error *err)
{
	if (count == want)
		return IW_OK;
	return iw_error_set(err, IW_INPUT,
		"%s:%u: %s must hold %u data bytes, this one holds %u; the file "
		"is damaged or not Intel HEX",
		r->name, r->line, type_name(type), want, count);
}

/* One run of a data record's bytes, to the builder. */
static enum iw_status
add_run(struct reader *r, uint32_t addr, const uint8_t *data, unsigned count,
	struct iw_error *err)
{
	/* Refused while parsing, at its line: a file with data no part can
	 * hold is not read to its end first. */
	if (r->limit != 0 && count > 0 && (uint64_t)addr + count > r->limit) {
		uint32_t first = addr >= r->limit ? addr : (uint32_t)r->limit;

		return iw_error_set(err, IW_RANGE,
			"%s:%u: data at 0x%04X lies past 0x%04llX, the end of %s; it "
			"cannot be flashed there: check that it is the right file",
			r->name, r->line, first, (unsigned long long)r->limit - 1,
			r->limit_why);
	}
	if (!hex_builder_add(&r->build, addr, data, count, r->name, r->line))
		return iw_error_set(err, IW_NOMEM, "%s:%u: out of memory reading the image",
				    r->name, r->line);
	return IW_OK;
}

static enum iw_status
put_data(struct reader *r, uint16_t offset, const uint8_t *data,
	 unsigned count, struct iw_error *err)
{
	enum iw_status st;
	unsigned first = count;

	/* In segment mode the 16-bit offset wraps within the segment (that is
	 * how the 8086 saw it); in linear mode addresses simply continue. */
	if (r->segment_mode && (uint32_t)offset + count > 0x10000)
		first = 0x10000 - offset;
	st = add_run(r, r->base + offset, data, first, err);
	if (st == IW_OK && first < count)
		st = add_run(r, r->base, data + first, count - first, err);
	return st;
}

/* Everything after the syntax checks: act on one valid record. */
static enum iw_status
apply_record(struct reader *r, const uint8_t *rec, unsigned count,
	     struct iw_error *err)
{
	uint16_t offset = (uint16_t)(rec[1] << 8 | rec[2]);
	unsigned type = rec[3];
	const uint8_t *data = rec + 4;
	uint32_t value = 0;
	enum iw_status st;

	switch (type) {
	case REC_DATA:
		if (r->segment_mode)
			return put_data(r, offset, data, count, err);
		if ((uint64_t)r->base + offset + count > (uint64_t)1 << 32)
			return iw_error_set(err, IW_INPUT,
				"%s:%u: data record runs past address "
				"0xFFFFFFFF; the file is damaged",
				r->name, r->line);
		return add_run(r, r->base + offset, data, count, err);
	case REC_END:
		st = check_length(r, type, count, 0, err);
		if (st == IW_OK)
			r->end_line = r->line;
		return st;
	case REC_EXT_SEGMENT:
	case REC_EXT_LINEAR:
		st = check_length(r, type, count, 2, err);
		if (st != IW_OK)
			return st;
		value = (uint32_t)data[0] << 8 | data[1];
		r->segment_mode = type == REC_EXT_SEGMENT;
		r->base = r->segment_mode ? value << 4 : value << 16;
		return IW_OK;
	case REC_START_SEGMENT:
	case REC_START_LINEAR:
		st = check_length(r, type, count, 4, err);
		if (st != IW_OK)
			return st;
		value = (uint32_t)data[0] << 24 | (uint32_t)data[1] << 16 |
			(uint32_t)data[2] << 8 | data[3];
		hex_image_set_start(r->img, type == REC_START_SEGMENT ?
				    HEX_START_SEGMENT : HEX_START_LINEAR, value);
		return IW_OK;
	default:
		return iw_error_set(err, IW_INPUT,
			"%s:%u: unknown record type 0x%02X; Intel HEX defines "
			"only types 00 to 05", r->name, r->line, type);
	}
}

/* One non-blank line, without its line ending. */
static enum iw_status
parse_record(struct reader *r, const char *p, size_t n, struct iw_error *err)
{
	uint8_t rec[RECORD_OVERHEAD + 255];
	size_t digits, bytes;
	unsigned count;
	uint8_t sum = 0;

	if (p[0] != ':')
		return bad_start(r, (unsigned char)p[0], err);
	for (size_t k = 1; k < n; k++)
		if (hex_digit_value(p[k]) < 0)
			return bad_char(r, (unsigned char)p[k], k + 1, err);
	digits = n - 1;
	if (digits % 2 != 0)
		return iw_error_set(err, IW_INPUT,
			"%s:%u: odd number of hex digits (%zu) in the record; "
			"a digit is missing or extra, the line is damaged",
			r->name, r->line, digits);
	if (digits < 2 * RECORD_OVERHEAD)
		return iw_error_set(err, IW_INPUT,
			"%s:%u: short record: %zu hex digits, but even an empty "
			"record needs %d (byte count, address, type, checksum); "
			"the line is truncated",
			r->name, r->line, digits, 2 * RECORD_OVERHEAD);
	bytes = digits / 2;
	count = (unsigned)(hex_digit_value(p[1]) << 4 | hex_digit_value(p[2]));
	if (bytes != count + RECORD_OVERHEAD)
		return iw_error_set(err, IW_INPUT,
			"%s:%u: byte count 0x%02X says the record holds %u data "
			"bytes, but the line has %zu; the line is truncated or "
			"joined with another",
			r->name, r->line, count, count, bytes - RECORD_OVERHEAD);
	for (size_t k = 0; k < bytes; k++) {
		rec[k] = (uint8_t)(hex_digit_value(p[1 + 2 * k]) << 4 |
				   hex_digit_value(p[2 + 2 * k]));
		sum = (uint8_t)(sum + rec[k]);
	}
	if (sum != 0) {
		uint8_t found = rec[bytes - 1];
		uint8_t expected = (uint8_t)(found - sum);

		return iw_error_set(err, IW_INPUT,
			"%s:%u: bad checksum: expected 0x%02X, found 0x%02X; "
			"the line is damaged (get a fresh copy of the file)",
			r->name, r->line, expected, found);
	}
	return apply_record(r, rec, count, err);
}

static enum iw_status
parse_all(struct reader *r, const char *buf, size_t len, struct iw_error *err)
{
	size_t pos = 0;
	unsigned blank_line = 0;   /* first blank line since the last record */

	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (buf + pos)) : len - pos;
		const char *p = buf + pos;
		enum iw_status st;

		pos += n + (nl != NULL ? 1 : 0);
		r->line++;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			if (blank_line == 0)
				blank_line = r->line;
			continue;
		}
		if (r->end_line != 0)
			return iw_error_set(err, IW_INPUT,
				"%s:%u: data after the end record (line %u); "
				"nothing may follow it; if two HEX files were "
				"joined by hand, combine them with 'ispwiz "
				"merge' instead", r->name, r->line, r->end_line);
		if (blank_line != 0)
			return iw_error_set(err, IW_INPUT,
				"%s:%u: blank line between records; remove it "
				"(blank lines are accepted only after the end "
				"record)", r->name, blank_line);
		st = parse_record(r, p, n, err);
		if (st != IW_OK)
			return st;
		r->records++;
		r->last_line = r->line;
	}
	if (r->records == 0)
		return iw_error_set(err, IW_INPUT,
			"%s: the file is empty: it holds no Intel HEX records; "
			"check that it is the right file and that the download "
			"finished", r->name);
	if (r->end_line == 0)
		return iw_error_set(err, IW_INPUT,
			"%s:%u: missing end record (:00000001FF) after the last "
			"record; the file is probably truncated, get a fresh "
			"copy", r->name, r->last_line);
	return IW_OK;
}

/* Parse into a scratch image, then replace or merge into `img` only when
 * the whole file was good. */
static enum iw_status
read_buffer(struct hex_image *img, const char *name, const char *buf, size_t len,
	    uint64_t limit, const char *limit_why, struct iw_error *err)
{
	struct reader r = { .name = name != NULL ? name : "(buffer)", .limit = limit,
			    .limit_why = limit_why };
	enum iw_status st;

	r.img = hex_image_new();
	if (r.img == NULL)
		return iw_error_set(err, IW_NOMEM,
				    "%s: out of memory reading the image",
				    r.name);
	hex_builder_init(&r.build, r.img);
	st = parse_all(&r, buf, len, err);
	if (st == IW_OK)
		st = hex_builder_finish(&r.build, err);
	hex_builder_free(&r.build);
	if (st != IW_OK)
		goto done;
	if (hex_image_empty(img) &&
	    hex_image_start_address(img, NULL) == HEX_START_NONE)
		hex_image_swap(img, r.img);
	else
		st = hex_image_merge(img, r.img, err);
done:
	hex_image_free(r.img);
	return st;
}

enum iw_status
hex_image_read_buffer(struct hex_image *img, const char *name,
		      const char *buf, size_t len, struct iw_error *err)
{
	return read_buffer(img, name, buf, len, 0, NULL, err);
}

/* The whole file in memory, with a size cap (see HEX_FILE_MAX). */
static enum iw_status
slurp(const char *path, char **out, size_t *out_len, struct iw_error *err)
{
	int e = file_read_all(path, HEX_FILE_MAX, out, out_len);

	if (e == EFBIG)
		return iw_error_set(err, IW_INPUT,
				    "'%s' is larger than %zu MiB, far too big for an "
				    "AVR firmware image; is it the right file?",
				    path, HEX_FILE_MAX >> 20);
	if (e == ENOMEM)
		return iw_error_set(err, IW_NOMEM, "out of memory reading '%s'", path);
	if (e == ENOENT)
		return iw_error_set(err, IW_NOT_FOUND,
				    "cannot open '%s': %s; check the file name",
				    path, strerror(e));
	/* An input file that cannot be read is bad input (exit 3), like one
	 * that cannot be parsed: what to fix is the file or its name. */
	if (e == EISDIR)
		return iw_error_set(err, IW_INPUT, "'%s' is a folder, not a HEX file; give "
				    "the file inside it", path);
	if (e == EACCES || e == EPERM)
		return iw_error_set(err, IW_INPUT, "cannot read '%s': %s; check its "
				    "permissions", path, strerror(e));
	if (e != 0)
		return iw_error_set(err, IW_INPUT, "cannot read '%s': %s", path,
				    strerror(e));
	return IW_OK;
}

static enum iw_status
read_file(struct hex_image *img, const char *path, uint64_t limit, const char *limit_why,
	  struct iw_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	enum iw_status st = slurp(path, &buf, &len, err);

	if (st != IW_OK)
		return st;
	st = read_buffer(img, path, buf, len, limit, limit_why, err);
	free(buf);
	return st;
}

enum iw_status
hex_image_read_file(struct hex_image *img, const char *path,
		    struct iw_error *err)
{
	return read_file(img, path, 0, NULL, err);
}

enum iw_status
hex_image_read_file_within(struct hex_image *img, const char *path, uint32_t limit,
			   const char *limit_why, struct iw_error *err)
{
	return read_file(img, path, limit != 0 ? limit : ADDR_SPACE,
			 limit_why != NULL ? limit_why : "the flash", err);
}
