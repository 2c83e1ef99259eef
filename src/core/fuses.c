/* fuses.c - fuse byte decoding driven by the catalog's bit definitions. */
#include "core/fuses.h"

#include <stdio.h>
#include <string.h>

/* The two fields whose meaning is computed rather than looked up. */
#define FIELD_BOOTSZ "BOOTSZ"
#define FIELD_BOOTRST "BOOTRST"

/* ASCII-only and locale-free: field names are upper-case identifiers, and
 * strcasecmp would need POSIX feature macros under -std=c11. */
static bool
name_equal(const char *a, const char *b)
{
	for (;; a++, b++) {
		char ca = *a, cb = *b;

		if (ca >= 'a' && ca <= 'z')
			ca = (char)(ca - 'a' + 'A');
		if (cb >= 'a' && cb <= 'z')
			cb = (char)(cb - 'a' + 'A');
		if (ca != cb)
			return false;
		if (ca == '\0')
			return true;
	}
}

void
fuse_set_init(struct fuse_set *set)
{
	memset(set, 0, sizeof *set);
}

bool
fuse_set_any(const struct fuse_set *set)
{
	for (int b = 0; b < FUSE_COUNT; b++)
		if (set->present[b])
			return true;
	return false;
}

void
fuse_set_put(struct fuse_set *set, enum fuse_byte b, uint8_t value)
{
	if ((unsigned)b >= FUSE_COUNT)
		return;
	set->value[b] = value;
	set->present[b] = true;
}

void
fuse_set_from_preset(struct fuse_set *set, const struct catalog_preset *preset)
{
	fuse_set_init(set);
	for (int b = 0; b < FUSE_COUNT; b++) {
		if (preset->has_fuse[b])
			fuse_set_put(set, (enum fuse_byte)b, preset->fuse[b]);
	}
}

unsigned
fuses_field_width(const struct fuse_field *field)
{
	unsigned n = 0;

	for (uint8_t m = field->mask; m != 0; m &= (uint8_t)(m - 1))
		n++;
	return n;
}

unsigned
fuses_field_shift(const struct fuse_field *field)
{
	unsigned shift = 0;

	if (field->mask == 0)
		return 0;
	while (!(field->mask & (1u << shift)))
		shift++;
	return shift;
}

uint8_t
fuses_field_value(const struct fuse_field *field, uint8_t byte)
{
	return (uint8_t)((byte & field->mask) >> fuses_field_shift(field));
}

uint8_t
fuses_field_put(const struct fuse_field *field, uint8_t byte, uint8_t value)
{
	unsigned shift = fuses_field_shift(field);

	return (uint8_t)((byte & ~field->mask) | ((value << shift) & field->mask));
}

const struct fuse_field *
fuses_find_field(const struct catalog_part *part, const char *name,
		 enum fuse_byte *byte)
{
	for (int b = 0; b < FUSE_COUNT; b++) {
		const struct fuse_byte_def *def = &part->fuses[b];

		if (!def->present)
			continue;
		for (size_t i = 0; i < def->n_fields; i++) {
			if (def->fields[i].name != NULL &&
			    name_equal(def->fields[i].name, name)) {
				if (byte != NULL)
					*byte = (enum fuse_byte)b;
				return &def->fields[i];
			}
		}
	}
	return NULL;
}

const struct boot_section *
fuses_boot_section(const struct catalog_part *part, uint8_t bootsz)
{
	/* Searched by value, so the table's order in the data does not matter;
	 * a zero size marks an entry the catalog did not fill in. */
	for (size_t i = 0; i < sizeof part->boot / sizeof part->boot[0]; i++) {
		if (part->boot[i].bootsz == bootsz && part->boot[i].size_words != 0)
			return &part->boot[i];
	}
	return NULL;
}

const struct boot_section *
fuses_bootsz(const struct catalog_part *part, uint8_t hfuse)
{
	enum fuse_byte byte;
	const struct fuse_field *f = fuses_find_field(part, FIELD_BOOTSZ, &byte);

	if (f == NULL || byte != FUSE_HIGH)
		return NULL;
	return fuses_boot_section(part, fuses_field_value(f, hfuse));
}

bool
fuses_boot_start_byte(const struct catalog_part *part, uint8_t hfuse,
		      uint32_t *start)
{
	const struct boot_section *sec = fuses_bootsz(part, hfuse);

	if (sec == NULL)
		return false;
	*start = sec->start_word * 2u;
	return true;
}

const char *
fuses_boot_size_text(const struct boot_section *sec, char *buf, size_t size)
{
	uint32_t bytes = sec->size_words * 2u;

	if (bytes % 1024u == 0)
		snprintf(buf, size, "%lu words (%lu KiB)",
			 (unsigned long)sec->size_words, (unsigned long)(bytes / 1024u));
	else
		snprintf(buf, size, "%lu words (%lu bytes)",
			 (unsigned long)sec->size_words, (unsigned long)bytes);
	return buf;
}

bool
fuses_bootrst_programmed(const struct catalog_part *part, uint8_t hfuse)
{
	enum fuse_byte byte;
	const struct fuse_field *f = fuses_find_field(part, FIELD_BOOTRST, &byte);

	return f != NULL && byte == FUSE_HIGH && (hfuse & f->mask) == 0;
}

uint8_t
fuses_unused_bits(const struct catalog_part *part, enum fuse_byte byte)
{
	if ((unsigned)byte >= FUSE_COUNT || !part->fuses[byte].present)
		return 0;
	return part->fuses[byte].unused_mask;
}

uint8_t
fuses_named_bits(const struct catalog_part *part, enum fuse_byte byte)
{
	uint8_t bits = 0;

	if ((unsigned)byte >= FUSE_COUNT || !part->fuses[byte].present)
		return 0;
	for (size_t i = 0; i < part->fuses[byte].n_fields; i++)
		bits |= part->fuses[byte].fields[i].mask;
	return bits;
}

bool
fuses_equal_masked(const struct catalog_part *part, enum fuse_byte byte,
		   uint8_t a, uint8_t b)
{
	uint8_t used = (uint8_t)~fuses_unused_bits(part, byte);

	return ((a ^ b) & used) == 0;
}

bool
fuses_set_equal_masked(const struct catalog_part *part,
		       const struct fuse_set *a, const struct fuse_set *b)
{
	for (int i = 0; i < FUSE_COUNT; i++) {
		if (a->present[i] != b->present[i])
			return false;
		if (a->present[i] &&
		    !fuses_equal_masked(part, (enum fuse_byte)i, a->value[i], b->value[i]))
			return false;
	}
	return true;
}

uint8_t
fuses_normalize(const struct catalog_part *part, enum fuse_byte byte,
		uint8_t value)
{
	return (uint8_t)(value | fuses_unused_bits(part, byte));
}

enum iw_status
fuses_check_set(const struct catalog_part *part, const struct fuse_set *set,
		bool require_all, struct iw_error *err)
{
	const char *pname = catalog_part_label(part);

	for (int b = 0; b < FUSE_COUNT; b++) {
		const char *bname = fuse_byte_name((enum fuse_byte)b);

		if (set->present[b] && !part->fuses[b].present)
			return iw_error_set(err, IW_RANGE,
					    "the %s has no %s; leave the %s value out",
					    pname, bname, bname);
		if (require_all && part->fuses[b].present && !set->present[b])
			return iw_error_set(err, IW_RANGE,
					    "no %s value given; the %s has an %s, so give all of its fuse bytes",
					    bname, pname, bname);
	}
	return IW_OK;
}

/* BOOTSZ: the section size and where it starts, from the part's table. */
static void
meaning_bootsz(const struct catalog_part *part, uint8_t value, char *buf,
	       size_t size)
{
	const struct boot_section *sec = fuses_boot_section(part, value);
	char sz[48];

	if (sec == NULL) {
		snprintf(buf, size, "no boot section is listed for BOOTSZ=%u", value);
		return;
	}
	snprintf(buf, size, "%s, boot section starts at byte 0x%04lX",
		 fuses_boot_size_text(sec, sz, sizeof sz),
		 (unsigned long)sec->start_word * 2ul);
}

/* BOOTRST: where reset jumps to, with the address the same byte's BOOTSZ
 * selects when that is known. */
static void
meaning_bootrst(const struct catalog_part *part, enum fuse_byte byte,
		uint8_t byte_value, bool programmed, char *buf, size_t size)
{
	uint32_t start;

	if (!programmed) {
		snprintf(buf, size, "reset starts the application at 0x0000");
		return;
	}
	if (byte == FUSE_HIGH && fuses_boot_start_byte(part, byte_value, &start))
		snprintf(buf, size, "reset starts the boot section at 0x%04lX",
			 (unsigned long)start);
	else
		snprintf(buf, size, "reset starts the boot section");
}

static const char *
catalog_meaning(const struct fuse_field *field, uint8_t value)
{
	for (size_t i = 0; i < field->n_values; i++) {
		if (field->values[i].value == value && field->values[i].meaning != NULL)
			return field->values[i].meaning;
	}
	return NULL;
}

void
fuses_decode_field(const struct catalog_part *part, enum fuse_byte byte,
		   const struct fuse_field *field, uint8_t value,
		   struct fuse_field_state *out)
{
	const char *text;

	memset(out, 0, sizeof *out);
	out->field = field;
	out->byte = byte;
	out->byte_value = value;
	out->value = fuses_field_value(field, value);
	out->width = fuses_field_width(field);
	out->low_bit = fuses_field_shift(field);
	out->high_bit = out->width != 0 ? out->low_bit + out->width - 1 : 0;
	out->single_bit = out->width == 1;
	out->programmed = out->single_bit && out->value == 0;

	if (field->name != NULL && name_equal(field->name, FIELD_BOOTSZ)) {
		meaning_bootsz(part, out->value, out->meaning, sizeof out->meaning);
		return;
	}
	if (field->name != NULL && name_equal(field->name, FIELD_BOOTRST) &&
	    out->single_bit) {
		meaning_bootrst(part, byte, value, out->programmed, out->meaning,
				sizeof out->meaning);
		return;
	}
	text = catalog_meaning(field, out->value);
	if (text != NULL)
		snprintf(out->meaning, sizeof out->meaning, "%s", text);
	else if (out->single_bit)
		snprintf(out->meaning, sizeof out->meaning, "%s",
			 out->programmed ? "programmed" : "unprogrammed");
	else
		snprintf(out->meaning, sizeof out->meaning,
			 "value %u is not described in the catalog", out->value);
}

void
fuses_decode(const struct catalog_part *part, const struct fuse_set *set,
	     fuses_field_fn fn, void *user)
{
	struct fuse_field_state state;

	for (int b = 0; b < FUSE_COUNT; b++) {
		const struct fuse_byte_def *def = &part->fuses[b];

		if (!def->present || !set->present[b])
			continue;
		for (size_t i = 0; i < def->n_fields; i++) {
			fuses_decode_field(part, (enum fuse_byte)b, &def->fields[i],
					   set->value[b], &state);
			fn(&state, user);
		}
	}
}

/* ---- text rendering ------------------------------------------------------ */

#define WRAP_MAX_INDENT 40

void
fuses_wrap(const char *lead, const char *text, fuses_line_fn fn, void *user)
{
	char line[FUSES_TEXT_WIDTH + 1];
	size_t lead_len = strlen(lead), indent, len, start;

	if (lead_len > FUSES_TEXT_WIDTH - 20)
		lead_len = FUSES_TEXT_WIDTH - 20;
	indent = lead_len < WRAP_MAX_INDENT ? lead_len : WRAP_MAX_INDENT;
	memcpy(line, lead, lead_len);
	len = start = lead_len;

	for (;;) {
		size_t word;

		while (*text == ' ')
			text++;
		if (*text == '\0')
			break;
		word = strcspn(text, " ");
		if (len > start && len + 1 + word > FUSES_TEXT_WIDTH) {
			/* The line has words and this one does not fit: break. */
			line[len] = '\0';
			fn(user, line);
			memset(line, ' ', indent);
			len = start = indent;
		}
		if (len > start)
			line[len++] = ' ';
		if (len + word > FUSES_TEXT_WIDTH) {
			/* A word longer than a whole line: cut it. */
			size_t part = FUSES_TEXT_WIDTH - len;

			memcpy(line + len, text, part);
			len += part;
			text += part;
			continue;
		}
		memcpy(line + len, text, word);
		len += word;
		text += word;
	}
	/* Trailing blanks of a lead with no text would be noise. */
	while (len > 0 && line[len - 1] == ' ')
		len--;
	line[len] = '\0';
	fn(user, line);
}

const char *
fuses_bits_text(uint8_t mask, char *buf, size_t size)
{
	size_t len = 0;
	int bit = 7;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (mask == 0) {
		snprintf(buf, size, "none");
		return buf;
	}
	while (bit >= 0) {
		int hi, lo;

		if (!(mask & (1u << bit))) {
			bit--;
			continue;
		}
		hi = lo = bit;
		while (lo > 0 && (mask & (1u << (lo - 1))))
			lo--;
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len,
						hi == lo ? "%s%d" : "%s%d:%d",
						len > 0 ? "," : "", hi, lo);
		bit = lo - 1;
	}
	return buf;
}

const char *
fuses_state_text(const struct fuse_field_state *st, char *buf, size_t size)
{
	if (st->single_bit) {
		const char *state = st->programmed ? "programmed" : "unprogrammed";

		if (strcmp(st->meaning, state) == 0)
			snprintf(buf, size, "%s", state);
		else
			snprintf(buf, size, "%s, %s", state, st->meaning);
	} else {
		snprintf(buf, size, "%s", st->meaning);
	}
	return buf;
}

/* Field value in binary, as wide as the field: BOOTSZ 0 -> "00". */
static void
binary_text(uint8_t value, unsigned width, char *buf)
{
	unsigned i;

	if (width > 8)
		width = 8;
	for (i = 0; i < width; i++)
		buf[i] = (value >> (width - 1 - i)) & 1u ? '1' : '0';
	buf[i] = '\0';
}

/* Where the text column of a decoded field starts: "  NAME     bits 3:0 1110 ". */
#define DECODE_TEXT_COLUMN 25

struct render_ctx {
	fuses_line_fn fn;
	void *user;
};

static void
render_field(const struct fuse_field_state *st, void *user)
{
	const struct render_ctx *rc = user;
	char bits[24], where[32], value[12], lead[80], text[2 * FUSES_MEANING_MAX];

	fuses_bits_text(st->field->mask, bits, sizeof bits);
	snprintf(where, sizeof where, "%s %s", st->single_bit ? "bit" : "bits", bits);
	binary_text(st->value, st->width, value);
	snprintf(lead, sizeof lead, "  %-8.24s %-8s %4s ",
		 st->field->name != NULL ? st->field->name : "?", where, value);
	fuses_wrap(lead, fuses_state_text(st, text, sizeof text), rc->fn, rc->user);
	/* The description goes under the value, so the value stays where the
	 * eye looks for it even when the catalog's text is a paragraph. */
	if (st->field->description != NULL && st->field->description[0] != '\0') {
		memset(lead, ' ', DECODE_TEXT_COLUMN);
		lead[DECODE_TEXT_COLUMN] = '\0';
		fuses_wrap(lead, st->field->description, rc->fn, rc->user);
	}
}

void
fuses_render_decode(const struct catalog_part *part, const struct fuse_set *set,
		    fuses_line_fn fn, void *user)
{
	struct render_ctx rc = { fn, user };

	for (int b = 0; b < FUSE_COUNT; b++) {
		const struct fuse_byte_def *def = &part->fuses[b];
		enum fuse_byte byte = (enum fuse_byte)b;
		uint8_t v = set->value[b], unused, unnamed;
		char line[FUSES_TEXT_WIDTH + 1], bin[9], bits[24];
		struct fuse_set one;

		if (!def->present || !set->present[b])
			continue;
		binary_text(v, 8, bin);
		snprintf(line, sizeof line, "%s 0x%02X = %.4s %.4s", fuse_byte_name(byte),
			 v, bin, bin + 4);
		fn(user, line);

		fuse_set_init(&one);
		fuse_set_put(&one, byte, v);
		fuses_decode(part, &one, render_field, &rc);

		unused = def->unused_mask;
		if (unused == 0) {
			fn(user, "  unused bits: none");
		} else {
			char text[160];

			snprintf(text, sizeof text,
				 "%s (mask 0x%02X), not implemented and ignored when comparing",
				 fuses_bits_text(unused, bits, sizeof bits), unused);
			if ((v & unused) != unused) {
				size_t n = strlen(text);

				snprintf(text + n, sizeof text - n,
					 "; 0x%02X equals 0x%02X on this part", v,
					 fuses_normalize(part, byte, v));
			}
			fuses_wrap("  unused bits: ", text, fn, user);
		}
		unnamed = (uint8_t)(~unused & ~fuses_named_bits(part, byte));
		if (unnamed != 0) {
			char text[160];

			snprintf(text, sizeof text,
				 "%s (mask 0x%02X) are implemented but not named in the catalog",
				 fuses_bits_text(unnamed, bits, sizeof bits), unnamed);
			fuses_wrap("  other bits: ", text, fn, user);
		}
	}
}

/* --- parsing a byte ---------------------------------------------------------- */

const char *
fuse_byte_syntax(void)
{
	return "write fuse and lock values as 0xNN (hex), $NN or 0bNNNNNNNN";
}

static int
digit_value(char c, unsigned base)
{
	int v = -1;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	return v >= 0 && (unsigned)v < base ? v : -1;
}

/* Bare digits are refused (fuse calculators mean hex, avrdude decimal);
 * the message says what each reading would be, and that neither fits a
 * byte when that is so. */
static enum iw_status
bare_digits(const char *text, struct iw_error *err)
{
	unsigned long as_dec = 0, as_hex = 0;

	for (const char *p = text; *p != '\0' && as_hex <= 0xFFFF; p++) {
		as_dec = as_dec * 10 + (unsigned long)(*p - '0');
		as_hex = as_hex * 16 + (unsigned long)(*p - '0');
	}
	if (as_dec > 0xFF)
		return iw_error_set(err, IW_USAGE, "'%s' is more than a byte, read as decimal "
				    "or as hex: a fuse or lock byte goes from 0x00 to 0xFF "
				    "(255); %s", text, fuse_byte_syntax());
	if (as_hex > 0xFF)
		return iw_error_set(err, IW_USAGE, "'%s' is ambiguous: bare digits are hex in "
				    "fuse calculators but decimal in avrdude, and 0x%s is more "
				    "than a byte; write 0x%02lX if you mean decimal %s", text, text,
				    as_dec, text);
	return iw_error_set(err, IW_USAGE, "'%s' is ambiguous: bare digits are hex in fuse "
			    "calculators but decimal in avrdude; write 0x%s if you mean hex, "
			    "0x%02lX if you mean decimal %s", text, text, as_dec, text);
}

enum iw_status
fuse_parse_byte(const char *text, uint8_t *out, struct iw_error *err)
{
	const char *digits = text;
	const char *base_name = "hex";
	unsigned base = 16, value = 0;
	bool only_decimal = true;

	if (text == NULL || text[0] == '\0')
		return iw_error_set(err, IW_USAGE, "no value given; %s", fuse_byte_syntax());
	if (text[0] == '-' || text[0] == '+')
		return iw_error_set(err, IW_USAGE, "'%s' has a sign; a fuse byte is a value "
				    "from 0x00 to 0xFF; %s", text, fuse_byte_syntax());
	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
		digits = text + 2;
	} else if (text[0] == '$') {
		digits = text + 1;
	} else if (text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
		digits = text + 2;
		base = 2;
		base_name = "binary";
	} else {
		for (const char *p = text; *p != '\0'; p++)
			if (*p < '0' || *p > '9')
				only_decimal = false;
		if (only_decimal)
			return bare_digits(text, err);
	}
	if (digits[0] == '\0')
		return iw_error_set(err, IW_USAGE, "'%s' has no digits after its prefix; %s",
				    text, fuse_byte_syntax());
	for (const char *p = digits; *p != '\0'; p++) {
		int d = digit_value(*p, base);

		if (d < 0)
			return iw_error_set(err, IW_USAGE, "'%s' is not a %s number: '%c' is "
					    "not a %s digit; %s", text, base_name,
					    *p >= 0x20 && *p < 0x7F ? *p : '?', base_name,
					    fuse_byte_syntax());
		value = value * base + (unsigned)d;
		if (value > 0xFF)
			return iw_error_set(err, IW_USAGE, "'%s' is more than a byte: a fuse "
					    "or lock byte goes from 0x00 to 0xFF", text);
	}
	*out = (uint8_t)value;
	return IW_OK;
}
