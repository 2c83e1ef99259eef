/*
 * tui-review-fuses.c - the review's fuse changes, short enough to read:
 * one line per change with a reason that belongs to its field (what a
 * wrong clock source, start-up time, boot size, reset vector or JTAG
 * setting does to a keyboard), and the new meaning with only the variant
 * that applies (the SUT text for the clock source CKSEL selects, the
 * "(CKSEL0=1)" half that matches the new CKSEL0 bit).  The long decode of
 * every field stays with `ispwiz fuses decode`.
 */
#include "tui/tui-int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The reason a confirm-class change matters, by field (datasheet names). */
static const char *
field_reason(const struct fuse_change *c, char *buf, size_t size)
{
	bool now_programmed = c->single_bit && c->new_value == 0;

	if (strcmp(c->name, "CKSEL") == 0)
		return "the clock source: one the board does not have stops the chip "
		       "until a clock is fed to XTAL1";
	if (strcmp(c->name, "SUT") == 0)
		return "the start-up time of that clock: too short and the crystal may "
		       "not have settled when the chip starts";
	if (strcmp(c->name, "CKDIV8") == 0)
		return now_programmed ? "divides the clock by 8: USB stops working and "
		       "ISP must go 8 times slower" :
		       "the clock is no longer divided by 8: the chip runs at its "
		       "crystal's full speed";
	if (strcmp(c->name, "BOOTSZ") == 0)
		return "the boot section's size: the bootloader must start exactly where "
		       "the section starts, or it never runs";
	if (strcmp(c->name, "BOOTRST") == 0) {
		/* The decoded meaning says where reset starts: "unprogrammed,
		 * reset starts the application at 0x0000". */
		const char *m = strstr(c->new_meaning, ", ");

		snprintf(buf, size, "%s", m != NULL ? m + 2 : now_programmed ?
			 "reset starts the boot section" : "reset starts the application");
		return buf;
	}
	if (strcmp(c->name, "JTAGEN") == 0)
		return now_programmed ? "JTAG takes over its pins (PF4-PF7 on the 32U4): "
		       "keys wired to them stop working" : "frees the JTAG pins for the "
		       "key matrix";
	return c->reason;
}

/* Whether `word` occurs in `text` as a word of its own, ignoring case. */
static bool
has_word(const char *text, const char *word, size_t len)
{
	for (const char *p = text; *p != '\0'; p++) {
		if (strncasecmp(p, word, len) != 0)
			continue;
		if ((p == text || !isalnum((unsigned char)p[-1])) &&
		    !isalnum((unsigned char)p[len]))
			return true;
	}
	return false;
}

/* Whether the label of a variant ("Crystal", "RC, external clock or 32 kHz
 * crystal") names the clock source described by `source`. */
static bool
label_matches(const char *label, size_t len, const char *source)
{
	const char *p = label, *end = label + len;

	while (p < end) {
		const char *q = p;
		size_t n;

		while (q < end && *q != ',' && strncmp(q, " or ", 4) != 0)
			q++;
		n = (size_t)(q - p);
		if (n > 0 && has_word(source, p, n))
			return true;
		p = q < end ? q + (*q == ',' ? 1 : 4) : end;
		while (p < end && *p == ' ')
			p++;
	}
	return false;
}

/* The part of a meaning for the clock source in use: "A: x; B: y" keeps
 * the variant whose label names the source ("Crystal: ..."); then in
 * "x (F0=1) or y (F0=0)" the half whose condition holds. */
static void
pick_variant(const struct catalog_part *part, const struct fuse_set *after,
	     const char *meaning, const char *source, char *out, size_t size)
{
	char buf[FUSES_MEANING_MAX];
	const char *p = meaning, *chosen = NULL;
	size_t chosen_len = 0;

	snprintf(out, size, "%s", meaning);
	while (source != NULL && *p != '\0') {
		const char *semi = strstr(p, "; "), *colon = strchr(p, ':');
		size_t len = semi != NULL ? (size_t)(semi - p) : strlen(p);

		if (colon != NULL && (size_t)(colon - p) < len &&
		    label_matches(p, (size_t)(colon - p), source)) {
			chosen = colon + 1;
			chosen_len = len - (size_t)(colon + 1 - p);
			break;
		}
		if (semi == NULL)
			break;
		p = semi + 2;
	}
	if (chosen == NULL)
		return;
	while (chosen_len > 0 && *chosen == ' ')
		chosen++, chosen_len--;
	snprintf(buf, sizeof buf, "%.*s", (int)chosen_len, chosen);
	snprintf(out, size, "%s", buf);
	/* "x (CKSEL0=1) or y (CKSEL0=0)": the half whose bit matches. */
	for (char *half = buf; half != NULL;) {
		char *or = strstr(half, ") or "), *open, name[16];
		unsigned bit, want;
		const struct fuse_field *f;

		if (or != NULL)
			or[1] = '\0';
		open = strrchr(half, '(');
		if (open == NULL || sscanf(open, "(%15[A-Z]%u=%u)", name, &bit, &want) != 3)
			return;
		enum fuse_byte fb;

		if ((f = fuses_find_field(part, name, &fb)) != NULL && after->present[fb] &&
		    ((fuses_field_value(f, after->value[fb]) >> bit) & 1u) == want) {
			snprintf(out, size, "%s", half);
			return;
		}
		half = or != NULL ? or + 5 : NULL;
	}
}

/* The new CKSEL's meaning: the clock source the variants are chosen by. */
static const char *
clock_source(const struct catalog_part *part, const struct fuse_set *after, char *buf,
	     size_t size)
{
	struct fuse_field_state st;
	const struct fuse_field *f;
	enum fuse_byte b;

	if ((f = fuses_find_field(part, "CKSEL", &b)) == NULL || !after->present[b])
		return NULL;
	memset(&st, 0, sizeof st);
	fuses_decode_field(part, b, f, after->value[b], &st);
	snprintf(buf, size, "%s", st.meaning);
	return buf;
}

void
tui_review_fuses(struct tui_text *out, const struct catalog_part *part,
		 const struct fuse_set *before, const struct fuse_set *after,
		 const struct fuse_diff *diff, const char *preset_note)
{
	char source_buf[FUSES_MEANING_MAX], meaning[FUSES_MEANING_MAX], why[400];
	const char *source = clock_source(part, after, source_buf, sizeof source_buf);

	tui_text_add(out, TUI_ROLE_HEADING, 0, preset_note);
	for (int b = 0; b < FUSE_COUNT; b++) {
		bool changed = false;

		if (!after->present[b])
			continue;
		for (size_t i = 0; i < diff->n_changes; i++)
			changed |= diff->changes[i].byte == (enum fuse_byte)b;
		if (!changed) {
			tui_text_addf(out, TUI_ROLE_NORMAL, "%s 0x%02X, as the chip holds it",
				      fuse_byte_name((enum fuse_byte)b), after->value[b]);
			continue;
		}
		if (before->present[b])
			tui_text_addf(out, TUI_ROLE_NORMAL, "%s 0x%02X -> 0x%02X",
				      fuse_byte_name((enum fuse_byte)b), before->value[b],
				      after->value[b]);
		else
			tui_text_addf(out, TUI_ROLE_NORMAL, "%s -> 0x%02X",
				      fuse_byte_name((enum fuse_byte)b), after->value[b]);
		for (size_t i = 0; i < diff->n_changes; i++) {
			const struct fuse_change *c = &diff->changes[i];
			char line[700];

			if (c->byte != (enum fuse_byte)b)
				continue;
			snprintf(line, sizeof line, "  %-8s %s %s: %s", fuse_class_name(c->cls),
				 c->name, c->single_bit ? (c->new_value == 0 ?
				 "programmed" : "unprogrammed") : "changes",
				 c->cls == FUSE_CLASS_INFORM ? (c->field != NULL &&
				 c->field->description != NULL ? c->field->description :
				 c->reason) : field_reason(c, why, sizeof why));
			tui_text_add(out, tui_role_for_class(c->cls), 11, line);
			/* A multi-bit field: what the new value means, only the
			 * variant that applies. */
			if (!c->single_bit && c->new_meaning[0] != '\0') {
				pick_variant(part, after, c->new_meaning,
					     strcmp(c->name, "CKSEL") == 0 ? NULL : source,
					     meaning, sizeof meaning);
				snprintf(line, sizeof line, "           now: %s", meaning);
				tui_text_add(out, TUI_ROLE_DIM, 15, line);
			}
		}
	}
}
