/* fuse-rules.c - safety classes of a fuse change, the before/after diff
 * text, and the boot-section fit check. */
#include "core/fuse-rules.h"

#include <stdio.h>
#include <string.h>

static const char *const class_names[] = {
	[FUSE_CLASS_UNCHANGED] = "unchanged",
	[FUSE_CLASS_INFORM] = "inform",
	[FUSE_CLASS_CONFIRM] = "confirm",
	[FUSE_CLASS_REFUSE] = "refuse",
};

const char *
fuse_class_name(enum fuse_class cls)
{
	if ((unsigned)cls >= sizeof class_names / sizeof class_names[0])
		return "?";
	return class_names[cls];
}

/* For a multi-bit field (no such field has a programmed/unprogrammed rule
 * in the seed catalog, but the data may say so) count it as programmed when
 * any bit is 0 and as unprogrammed when any bit is 1: the cautious reading
 * for both refuse rules. */
static bool
any_programmed(uint8_t value, unsigned width)
{
	uint8_t ones = (uint8_t)((1u << width) - 1u);

	return (value & ones) != ones;
}

static bool
any_unprogrammed(uint8_t value)
{
	return value != 0;
}

/* The class and the sentence that explains it, from the field's safety. */
/* The class and the sentence that explains it, from the field's safety.
 * The field's description is left out: the catalog's descriptions are
 * paragraphs, and front ends show them next to the field anyway. */
static enum fuse_class
classify_field(const struct fuse_field *f, unsigned width, uint8_t new_value,
	       char *reason, size_t size)
{
	const char *name = f->name != NULL ? f->name : "?";

	switch (f->safety) {
	case FUSE_SAFETY_REFUSE_UNPROGRAMMED:
		if (any_unprogrammed(new_value)) {
			snprintf(reason, size,
				 "leaving %s unprogrammed ends ISP access: only a "
				 "high-voltage programmer could reach the chip again", name);
			return FUSE_CLASS_REFUSE;
		}
		snprintf(reason, size, "%s stays programmed, so ISP keeps working", name);
		return FUSE_CLASS_INFORM;
	case FUSE_SAFETY_REFUSE_PROGRAMMED:
		if (any_programmed(new_value, width)) {
			snprintf(reason, size,
				 "programming %s ends ISP access: only a high-voltage "
				 "programmer could reach the chip again", name);
			return FUSE_CLASS_REFUSE;
		}
		snprintf(reason, size, "%s becomes unprogrammed, which keeps ISP working", name);
		return FUSE_CLASS_INFORM;
	case FUSE_SAFETY_CONFIRM_CHANGE:
		snprintf(reason, size,
			 "changing %s needs confirmation: a wrong value can stop the "
			 "board from running or from starting its bootloader", name);
		return FUSE_CLASS_CONFIRM;
	case FUSE_SAFETY_CONFIRM_PROGRAMMED:
		if (any_programmed(new_value, width)) {
			snprintf(reason, size,
				 "programming %s needs confirmation: it takes over pins "
				 "that a keyboard may use for its key matrix", name);
			return FUSE_CLASS_CONFIRM;
		}
		snprintf(reason, size, "%s becomes unprogrammed, which frees its pins", name);
		return FUSE_CLASS_INFORM;
	case FUSE_SAFETY_NONE:
		break;
	}
	snprintf(reason, size, "%s changes; no safety rule applies to it", name);
	return FUSE_CLASS_INFORM;
}

/* The bits of `value` under `mask`, packed down to the right (the mask of
 * unnamed bits need not be contiguous), so every change's values are
 * right-aligned like a field's. */
static uint8_t
gather_bits(uint8_t value, uint8_t mask)
{
	uint8_t out = 0;
	unsigned n = 0;

	for (unsigned bit = 0; bit < 8; bit++) {
		if (mask & (1u << bit)) {
			if (value & (1u << bit))
				out |= (uint8_t)(1u << n);
			n++;
		}
	}
	return out;
}

static enum iw_status
add_change(const struct catalog_part *part, struct fuse_diff *diff,
	   struct iw_error *err, struct fuse_change **out)
{
	if (diff->n_changes >= FUSE_RULES_MAX_CHANGES)
		return iw_error_set(err, IW_CATALOG,
				    "%s:%d:%d: the %s has more fuse fields than bits; "
				    "check that its fields do not overlap",
				    part->origin.file != NULL ? part->origin.file : "catalog",
				    part->origin.line, part->origin.col, catalog_part_label(part));
	*out = &diff->changes[diff->n_changes++];
	memset(*out, 0, sizeof **out);
	return IW_OK;
}

static enum iw_status
classify_byte(const struct catalog_part *part, enum fuse_byte b,
	      const struct fuse_set *before, const struct fuse_set *after,
	      struct fuse_diff *diff, struct iw_error *err)
{
	const struct fuse_byte_def *def = &part->fuses[b];
	uint8_t used = (uint8_t)~def->unused_mask, seen = 0, unnamed;
	bool old_known = before->present[b];
	uint8_t oldv = before->value[b], newv = after->value[b];
	struct fuse_change *c = NULL;
	enum iw_status st;

	for (size_t i = 0; i < def->n_fields; i++) {
		const struct fuse_field *f = &def->fields[i];
		struct fuse_field_state os, ns;

		if (f->mask & seen)
			return iw_error_set(err, IW_CATALOG,
					    "%s:%d:%d: fuse field %s of the %s's %s overlaps "
					    "another field (mask 0x%02X); fix the part entry",
					    part->origin.file != NULL ? part->origin.file : "catalog",
					    part->origin.line, part->origin.col,
					    f->name != NULL ? f->name : "?", catalog_part_label(part),
					    fuse_byte_name(b), f->mask);
		seen |= f->mask;
		/* Unused bits inside a field still do not count. */
		if (old_known && ((oldv ^ newv) & f->mask & used) == 0)
			continue;
		if ((st = add_change(part, diff, err, &c)) != IW_OK)
			return st;
		fuses_decode_field(part, b, f, newv, &ns);
		c->field = f;
		c->name = f->name != NULL ? f->name : "?";
		c->byte = b;
		c->mask = f->mask;
		c->single_bit = ns.single_bit;
		c->old_known = old_known;
		c->new_value = ns.value;
		snprintf(c->new_meaning, sizeof c->new_meaning, "%s", ns.meaning);
		if (old_known) {
			fuses_decode_field(part, b, f, oldv, &os);
			c->old_value = os.value;
			snprintf(c->old_meaning, sizeof c->old_meaning, "%s", os.meaning);
		}
		c->cls = classify_field(f, ns.width, ns.value, c->reason, sizeof c->reason);
	}

	unnamed = (uint8_t)(used & ~seen);
	if (unnamed != 0 && (!old_known || ((oldv ^ newv) & unnamed) != 0)) {
		char bits[24];

		if ((st = add_change(part, diff, err, &c)) != IW_OK)
			return st;
		c->name = "unnamed bits";
		c->byte = b;
		c->mask = unnamed;
		c->old_known = old_known;
		c->old_value = gather_bits(oldv, unnamed);
		c->new_value = gather_bits(newv, unnamed);
		c->cls = FUSE_CLASS_CONFIRM;
		snprintf(c->reason, sizeof c->reason,
			 "bits %s of the %s's %s (mask 0x%02X) are implemented but the catalog "
			 "does not say what they do; check the datasheet before changing them",
			 fuses_bits_text(unnamed, bits, sizeof bits), catalog_part_label(part),
			 fuse_byte_name(b), unnamed);
	}
	return IW_OK;
}

enum iw_status
fuse_rules_classify(const struct catalog_part *part,
		    const struct fuse_set *before, const struct fuse_set *after,
		    struct fuse_diff *diff, struct iw_error *err)
{
	enum iw_status st;

	memset(diff, 0, sizeof *diff);
	diff->overall = FUSE_CLASS_UNCHANGED;
	for (int b = 0; b < FUSE_COUNT; b++) {
		if (!after->present[b])
			continue;
		if (!part->fuses[b].present)
			return iw_error_set(err, IW_RANGE,
					    "the %s has no %s; leave the %s value out",
					    catalog_part_label(part), fuse_byte_name((enum fuse_byte)b),
					    fuse_byte_name((enum fuse_byte)b));
		st = classify_byte(part, (enum fuse_byte)b, before, after, diff, err);
		if (st != IW_OK)
			return st;
	}
	for (size_t i = 0; i < diff->n_changes; i++) {
		if (diff->changes[i].cls > diff->overall)
			diff->overall = diff->changes[i].cls;
	}
	return IW_OK;
}

/* ---- before/after text ----------------------------------------------------- */

struct line_ctx {
	fuse_rules_line_fn fn;
	void *user;
	enum fuse_class cls;
};

static void
line_adapter(void *user, const char *line)
{
	const struct line_ctx *lc = user;

	lc->fn(lc->user, lc->cls, line);
}

static void
emit(const struct line_ctx *lc, enum fuse_class cls, const char *line)
{
	lc->fn(lc->user, cls, line);
}

static void
emit_wrapped(const struct line_ctx *base, enum fuse_class cls, const char *lead,
	     const char *text)
{
	struct line_ctx lc = { base->fn, base->user, cls };

	fuses_wrap(lead, text, line_adapter, &lc);
}

static void
binary(uint8_t value, uint8_t mask, char *buf)
{
	/* As wide as the field: the number of bits set in the mask. */
	unsigned width = 0, i;

	for (uint8_t m = mask; m != 0; m &= (uint8_t)(m - 1))
		width++;
	for (i = 0; i < width; i++)
		buf[i] = (value >> (width - 1 - i)) & 1u ? '1' : '0';
	buf[i] = '\0';
}

/* "programmed" / "programmed, reset starts ..." for single bits; the
 * meaning alone for wider fields. */
static void
state_text(const struct fuse_change *c, bool old, char *buf, size_t size)
{
	const char *meaning = old ? c->old_meaning : c->new_meaning;
	uint8_t v = old ? c->old_value : c->new_value;
	const char *state = v == 0 ? "programmed" : "unprogrammed";

	if (c->field == NULL)
		snprintf(buf, size, "%s", "not described in the catalog");
	else if (!c->single_bit || strcmp(meaning, state) == 0)
		snprintf(buf, size, "%s", meaning);
	else
		snprintf(buf, size, "%s, %s", state, meaning);
}

static bool
plain_state(const struct fuse_change *c, bool old)
{
	const char *meaning = old ? c->old_meaning : c->new_meaning;

	return strcmp(meaning, "programmed") == 0 || strcmp(meaning, "unprogrammed") == 0;
}

static void
render_change(const struct line_ctx *lc, const struct fuse_change *c)
{
	char bits[24], oldb[9], newb[9], head[160], states[40] = "";
	char was[FUSES_MEANING_MAX + 16], now[FUSES_MEANING_MAX + 16];
	/* A bit whose values have no text of their own reads best on one line:
	 * "1 -> 0, unprogrammed -> programmed". */
	bool compact = c->field != NULL && c->single_bit && plain_state(c, false) &&
		       (!c->old_known || plain_state(c, true));

	fuses_bits_text(c->mask, bits, sizeof bits);
	binary(c->old_value, c->mask, oldb);
	binary(c->new_value, c->mask, newb);
	state_text(c, true, was, sizeof was);
	state_text(c, false, now, sizeof now);
	if (compact && c->old_known)
		snprintf(states, sizeof states, ", %.14s -> %.14s", was, now);
	else if (compact)
		snprintf(states, sizeof states, ", %.14s", now);
	snprintf(head, sizeof head, "  %-7s  %.24s (%s %s %s): %s -> %s%s",
		 fuse_class_name(c->cls), c->name, fuse_byte_name(c->byte),
		 (c->mask & (c->mask - 1)) != 0 ? "bits" : "bit",
		 bits, c->old_known ? oldb : "?", newb, states);
	emit(lc, c->cls, head);
	if (!compact) {
		if (c->old_known)
			emit_wrapped(lc, c->cls, "           was: ", was);
		emit_wrapped(lc, c->cls, "           now: ", now);
	}
	emit_wrapped(lc, c->cls, "           ", c->reason);
}

static void
render_byte_heading(const struct line_ctx *lc, const struct catalog_part *part,
		    enum fuse_byte b, const struct fuse_set *before,
		    const struct fuse_set *after, bool changed)
{
	char line[FUSES_TEXT_WIDTH + 1];
	const char *name = fuse_byte_name(b);

	if (!after->present[b]) {
		snprintf(line, sizeof line, "%s 0x%02X: not written", name, before->value[b]);
	} else if (!before->present[b]) {
		snprintf(line, sizeof line, "%s ? -> 0x%02X (current value not known)",
			 name, after->value[b]);
	} else if (changed) {
		snprintf(line, sizeof line, "%s 0x%02X -> 0x%02X", name,
			 before->value[b], after->value[b]);
	} else if (before->value[b] != after->value[b]) {
		snprintf(line, sizeof line,
			 "%s 0x%02X -> 0x%02X: unchanged (only unused bits 0x%02X differ)",
			 name, before->value[b], after->value[b],
			 (uint8_t)(fuses_unused_bits(part, b) &
				   (before->value[b] ^ after->value[b])));
	} else {
		snprintf(line, sizeof line, "%s 0x%02X: unchanged", name, after->value[b]);
	}
	emit(lc, FUSE_CLASS_UNCHANGED, line);
}

void
fuse_rules_render(const struct catalog_part *part,
		  const struct fuse_set *before, const struct fuse_set *after,
		  const struct fuse_diff *diff, fuse_rules_line_fn fn, void *user)
{
	struct line_ctx lc = { fn, user, FUSE_CLASS_UNCHANGED };
	size_t counts[FUSE_CLASS_REFUSE + 1] = { 0 };
	char line[FUSES_TEXT_WIDTH + 1];

	for (int b = 0; b < FUSE_COUNT; b++) {
		bool changed = false;

		if (!part->fuses[b].present || (!before->present[b] && !after->present[b]))
			continue;
		for (size_t i = 0; i < diff->n_changes; i++)
			changed = changed || diff->changes[i].byte == (enum fuse_byte)b;
		render_byte_heading(&lc, part, (enum fuse_byte)b, before, after, changed);
		for (size_t i = 0; i < diff->n_changes; i++) {
			if (diff->changes[i].byte == (enum fuse_byte)b)
				render_change(&lc, &diff->changes[i]);
		}
	}
	for (size_t i = 0; i < diff->n_changes; i++)
		counts[diff->changes[i].cls]++;

	switch (diff->overall) {
	case FUSE_CLASS_UNCHANGED:
		snprintf(line, sizeof line, "overall: unchanged - the fuses already have these values");
		break;
	case FUSE_CLASS_INFORM:
		snprintf(line, sizeof line, "overall: inform - %zu change%s, none needs confirmation",
			 diff->n_changes, diff->n_changes == 1 ? "" : "s");
		break;
	case FUSE_CLASS_CONFIRM:
		snprintf(line, sizeof line, "overall: confirm - %zu change%s need%s confirmation",
			 counts[FUSE_CLASS_CONFIRM], counts[FUSE_CLASS_CONFIRM] == 1 ? "" : "s",
			 counts[FUSE_CLASS_CONFIRM] == 1 ? "s" : "");
		break;
	case FUSE_CLASS_REFUSE:
		snprintf(line, sizeof line, "overall: refuse - %zu change%s would end ISP access",
			 counts[FUSE_CLASS_REFUSE], counts[FUSE_CLASS_REFUSE] == 1 ? "" : "s");
		break;
	}
	emit(&lc, diff->overall, line);
}

/* ---- boot section fit ------------------------------------------------------- */

/* "2 KiB" or "512-byte" style sizes for sentences. */
static const char *
size_short(const struct boot_section *sec, char *buf, size_t size)
{
	uint32_t bytes = sec->size_words * 2u;

	if (bytes % 1024u == 0)
		snprintf(buf, size, "%lu KiB", (unsigned long)(bytes / 1024u));
	else
		snprintf(buf, size, "%lu-byte", (unsigned long)bytes);
	return buf;
}

static uint32_t
sec_start(const struct boot_section *sec)
{
	return sec->start_word * 2u;
}

/* Every boot section start the part offers, lowest first, for a message. */
static void
list_starts(const struct catalog_part *part, char *buf, size_t size)
{
	uint32_t starts[4];
	size_t n = 0, len = 0;

	for (size_t i = 0; i < 4; i++) {
		if (part->boot[i].size_words != 0)
			starts[n++] = sec_start(&part->boot[i]);
	}
	for (size_t i = 1; i < n; i++) {
		for (size_t j = i; j > 0 && starts[j - 1] > starts[j]; j--) {
			uint32_t t = starts[j];

			starts[j] = starts[j - 1];
			starts[j - 1] = t;
		}
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s0x%04lX",
					i > 0 ? ", " : "", (unsigned long)starts[i]);
}

enum iw_status
fuse_rules_check_boot_fit(const struct catalog_part *part, uint8_t new_hfuse,
			  uint32_t image_start, uint32_t image_end,
			  struct iw_error *err)
{
	const struct fuse_field *bootsz;
	const struct boot_section *sel, *match = NULL;
	enum fuse_byte byte;
	char selb[9], sels[24], matchb[9], matchs[24], starts[64];

	if (image_end <= image_start)
		return iw_error_set(err, IW_INPUT,
				    "the bootloader image is empty (no bytes from 0x%04lX to 0x%04lX); "
				    "check that the file is a bootloader",
				    (unsigned long)image_start, (unsigned long)image_end);
	bootsz = fuses_find_field(part, "BOOTSZ", &byte);
	if (bootsz == NULL || byte != FUSE_HIGH)
		return iw_error_set(err, IW_CATALOG,
				    "%s:%d:%d: the %s has no BOOTSZ field in its hfuse, so the "
				    "boot section cannot be checked; fix the part entry",
				    part->origin.file != NULL ? part->origin.file : "catalog",
				    part->origin.line, part->origin.col, catalog_part_label(part));
	binary(fuses_field_value(bootsz, new_hfuse), bootsz->mask, selb);
	sel = fuses_bootsz(part, new_hfuse);
	if (sel == NULL)
		return iw_error_set(err, IW_CATALOG,
				    "%s:%d:%d: the catalog lists no boot section for BOOTSZ=%s "
				    "on the %s; fix the part's boot table",
				    part->origin.file != NULL ? part->origin.file : "catalog",
				    part->origin.line, part->origin.col, selb, catalog_part_label(part));
	size_short(sel, sels, sizeof sels);

	if (image_end > part->flash_size)
		return iw_error_set(err, IW_RANGE,
				    "the bootloader ends at 0x%04lX, past the end of the %s's "
				    "%lu KiB flash (0x%04lX); it is too big or built for another part",
				    (unsigned long)(image_end - 1), catalog_part_label(part),
				    (unsigned long)(part->flash_size / 1024u),
				    (unsigned long)part->flash_size);
	if (image_start == sec_start(sel))
		return IW_OK;

	for (size_t i = 0; i < 4; i++) {
		if (part->boot[i].size_words != 0 && sec_start(&part->boot[i]) == image_start)
			match = &part->boot[i];
	}
	if (match != NULL) {
		uint8_t fixed = fuses_field_put(bootsz, new_hfuse, match->bootsz);

		binary(match->bootsz, bootsz->mask, matchb);
		size_short(match, matchs, sizeof matchs);
		return iw_error_set(err, IW_REFUSED,
				    "the bootloader starts at 0x%04lX (a %s boot section) but hfuse "
				    "0x%02X selects BOOTSZ=%s, a %s section starting at 0x%04lX; "
				    "use BOOTSZ=%s (hfuse 0x%02X) or a bootloader built for 0x%04lX",
				    (unsigned long)image_start, matchs, new_hfuse, selb, sels,
				    (unsigned long)sec_start(sel), matchb, fixed,
				    (unsigned long)sec_start(sel));
	}
	list_starts(part, starts, sizeof starts);
	return iw_error_set(err, IW_REFUSED,
			    "the bootloader starts at 0x%04lX, which is not the start of any boot "
			    "section of the %s (%s), so no BOOTSZ value fits it; hfuse 0x%02X "
			    "selects BOOTSZ=%s, a %s section starting at 0x%04lX: use a bootloader "
			    "built for 0x%04lX",
			    (unsigned long)image_start, catalog_part_label(part), starts, new_hfuse,
			    selb, sels, (unsigned long)sec_start(sel),
			    (unsigned long)sec_start(sel));
}

bool
fuse_rules_boot_notice(const struct catalog_part *part,
		       const struct fuse_set *after, uint32_t image_start,
		       char *buf, size_t size)
{
	const struct fuse_field *hwbe;
	enum fuse_byte hwbe_byte;
	uint32_t start;
	uint8_t hfuse;

	if (!after->present[FUSE_HIGH] || size == 0)
		return false;
	hfuse = after->value[FUSE_HIGH];
	if (fuses_find_field(part, "BOOTRST", NULL) == NULL ||
	    fuses_bootrst_programmed(part, hfuse) ||
	    !fuses_boot_start_byte(part, hfuse, &start) || image_start < start)
		return false;

	hwbe = fuses_find_field(part, "HWBE", &hwbe_byte);
	if (hwbe != NULL && after->present[hwbe_byte] &&
	    (after->value[hwbe_byte] & hwbe->mask) == 0)
		snprintf(buf, size,
			 "BOOTRST is unprogrammed, so reset runs the application at 0x0000; "
			 "the bootloader at 0x%04lX is entered by holding the HWB pin low during "
			 "reset (HWBE is programmed), as Atmel DFU expects, or by a jump from "
			 "the application",
			 (unsigned long)start);
	else
		snprintf(buf, size,
			 "BOOTRST is unprogrammed, so reset runs the application at 0x0000; "
			 "the bootloader at 0x%04lX runs only when the application jumps to it",
			 (unsigned long)start);
	return true;
}
