/*
 * fuses.h - decoding fuse bytes with the catalog's bit definitions.
 *
 * Nothing here knows a part by name: which bits exist, what they are called,
 * what each value means and which BOOTSZ value selects which boot section all
 * come from struct catalog_part.  The only names looked up are the two whose
 * meaning depends on other data: "BOOTSZ" (its meaning is computed from
 * part->boot[]) and "BOOTRST" (where reset jumps to).
 *
 * AVR convention: a fuse bit is "programmed" when it reads 0.  Unused bits
 * (fuse_byte_def.unused_mask) are unimplemented; datasheets say they read as
 * 1 but real chips do not always agree, so every comparison ignores them.
 *
 * Used by `ispwiz fuses`, the wizard's fuse screen and the job runner; no
 * function here prints anything.
 */
#ifndef ISPWIZ_CORE_FUSES_H
#define ISPWIZ_CORE_FUSES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"

/* Up to three fuse bytes; present[b] says whether value[b] is known/given. */
struct fuse_set {
	uint8_t value[FUSE_COUNT];
	bool present[FUSE_COUNT];
};

#define FUSES_MEANING_MAX 160

/* One named bit field of one fuse byte, decoded. */
struct fuse_field_state {
	const struct fuse_field *field;   /* into the catalog part */
	enum fuse_byte byte;
	uint8_t byte_value;               /* the whole fuse byte */
	uint8_t value;                    /* the field's bits, right-aligned */
	unsigned width;                   /* number of bits in the field */
	unsigned low_bit, high_bit;       /* bit positions, e.g. 2 and 1 for BOOTSZ */
	bool single_bit;
	bool programmed;                  /* single-bit fields only: bit is 0 */
	/* What this value means, never empty: the catalog's text for the
	 * value; for BOOTSZ the section it selects ("2048 words (4 KiB), boot
	 * section starts at byte 0x7000"); for BOOTRST where reset starts
	 * ("reset starts the boot section at 0x7000"); for a single-bit field
	 * without a text, "programmed"/"unprogrammed"; otherwise "value N is
	 * not described in the catalog". */
	char meaning[FUSES_MEANING_MAX];
};

/* Called once per field, in byte order (lfuse, hfuse, efuse) and in catalog
 * order within a byte. */
typedef void (*fuses_field_fn)(const struct fuse_field_state *state, void *user);

void fuse_set_init(struct fuse_set *set);                 /* nothing present */
void fuse_set_put(struct fuse_set *set, enum fuse_byte b, uint8_t value);
/* Whether any byte is present. */
bool fuse_set_any(const struct fuse_set *set);

/* A fuse or lock byte as a person writes it, the one rule for every front
 * end: "0xD8", "$D8", "0b11011000", or hex letters with or without digits
 * ("D8", "ff").  Bare digits ("99") are refused: fuse calculators print
 * hex, avrdude reads them as decimal, and a fuse byte is the last place to
 * guess.  IW_USAGE with a message that says what is wrong with `text`
 * (empty, negative, not a digit of its base, more than a byte, ambiguous)
 * and how to write it; the caller puts the option or field name in front. */
enum iw_status fuse_parse_byte(const char *text, uint8_t *out, struct iw_error *err);
/* How fuse and lock values are written, for help texts. */
const char *fuse_byte_syntax(void);
/* From a catalog preset (same layout: has_fuse -> present). */
void fuse_set_from_preset(struct fuse_set *set, const struct catalog_preset *preset);

/* Field geometry: bit width and position of the lowest bit of the mask. */
unsigned fuses_field_width(const struct fuse_field *field);
unsigned fuses_field_shift(const struct fuse_field *field);
/* The field's bits of `byte`, shifted down (BOOTSZ of 0xD8 -> 0). */
uint8_t fuses_field_value(const struct fuse_field *field, uint8_t byte);
/* `byte` with the field set to `value` (right-aligned); other bits kept. */
uint8_t fuses_field_put(const struct fuse_field *field, uint8_t byte, uint8_t value);

/* Find a field by name (case-insensitive) in any fuse byte of the part;
 * stores the byte in *byte when not NULL. NULL when the part has none. */
const struct fuse_field *fuses_find_field(const struct catalog_part *part,
					  const char *name, enum fuse_byte *byte);

/* Decode one field of a byte. */
void fuses_decode_field(const struct catalog_part *part, enum fuse_byte byte,
			const struct fuse_field *field, uint8_t value,
			struct fuse_field_state *out);
/* Decode every field of every byte present both on the part and in `set`. */
void fuses_decode(const struct catalog_part *part, const struct fuse_set *set,
		  fuses_field_fn fn, void *user);

/* The boot section the high fuse selects (looked up by boot[].bootsz, not
 * by position); NULL when the part has no BOOTSZ field or no table entry. */
const struct boot_section *fuses_bootsz(const struct catalog_part *part, uint8_t hfuse);
/* Byte address where that section starts; false when unknown. */
bool fuses_boot_start_byte(const struct catalog_part *part, uint8_t hfuse,
			   uint32_t *start);
/* Boot section entry for a BOOTSZ value; NULL when not in the table. */
const struct boot_section *fuses_boot_section(const struct catalog_part *part,
					      uint8_t bootsz);
/* "2048 words (4 KiB)" / "256 words (512 bytes)" into buf. */
const char *fuses_boot_size_text(const struct boot_section *sec, char *buf, size_t size);
/* True when the part has a BOOTRST field and it is programmed (0) in hfuse:
 * reset then starts at the boot section instead of address 0. */
bool fuses_bootrst_programmed(const struct catalog_part *part, uint8_t hfuse);

/* Unimplemented bits of a byte (0 when the byte does not exist). */
uint8_t fuses_unused_bits(const struct catalog_part *part, enum fuse_byte byte);
/* Bits covered by some named field. */
uint8_t fuses_named_bits(const struct catalog_part *part, enum fuse_byte byte);
/* Equal on every implemented bit (unused bits ignored): 0xFB == 0xCB for a
 * 32U4 efuse. */
bool fuses_equal_masked(const struct catalog_part *part, enum fuse_byte byte,
			uint8_t a, uint8_t b);
/* Every byte present in both sets equal under the mask, and the same bytes
 * present in both. */
bool fuses_set_equal_masked(const struct catalog_part *part,
			    const struct fuse_set *a, const struct fuse_set *b);
/* The byte as a datasheet-conforming chip reads it back: unused bits set. */
uint8_t fuses_normalize(const struct catalog_part *part, enum fuse_byte byte,
			uint8_t value);

/* Text rendering, shared by the CLI, the wizard and the job log: lines
 * without a newline, at most FUSES_TEXT_WIDTH columns. */
#define FUSES_TEXT_WIDTH 79
typedef void (*fuses_line_fn)(void *user, const char *line);

/* Emit `lead` followed by `text` word-wrapped; continuation lines are
 * indented to the width of `lead` (at most 40 columns). */
void fuses_wrap(const char *lead, const char *text, fuses_line_fn fn, void *user);
/* Bit positions of a mask as text: 0xF0 -> "7:4", 0x40 -> "6", 0xC8 -> "7:6,3";
 * "none" for 0. */
const char *fuses_bits_text(uint8_t mask, char *buf, size_t size);
/* The value in words: the meaning for a multi-bit field; "programmed" or
 * "unprogrammed", followed by ", meaning" when there is one, for a bit. */
const char *fuses_state_text(const struct fuse_field_state *st, char *buf, size_t size);
/* The whole decode: per byte present in `set` and on the part, a heading
 * ("hfuse 0x99 = 1001 1001"), per field its row ("  BOOTSZ   bits 2:1   00
 * 2048 words (4 KiB), boot section starts at byte 0x7000") with the field's
 * description wrapped under it, and a line on unused (and implemented but
 * unnamed) bits. */
void fuses_render_decode(const struct catalog_part *part, const struct fuse_set *set,
			 fuses_line_fn fn, void *user);

/* Check a set against the part: a byte the part lacks is an error ("the
 * ATmega32A has no efuse; leave the efuse value out"); with require_all, every byte the
 * part has must be present.  IW_RANGE with a message naming the byte. */
enum iw_status fuses_check_set(const struct catalog_part *part,
			       const struct fuse_set *set, bool require_all,
			       struct iw_error *err);

#endif
