/*
 * tui-fuse-editor.c - "Edit fuses" on the bootloader step: the part's fuse
 * fields by name, from the catalog's bit definitions, each a choice of its
 * values with their meanings (Left/Right step through them), the three
 * bytes and each change's risk class against what the chip holds now, all
 * recomputed on every key (fuse_rules_classify, the rule the review and
 * the command line use).  Enter hands the bytes to the step's fields; the
 * review then shows and judges them like any typed value.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

void
tui_fuse_editor_open(struct tui_fuse_editor *e, const struct catalog_part *part,
		     const struct fuse_set *chip, const struct fuse_set *start)
{
	memset(e, 0, sizeof *e);
	e->part = part;
	e->chip = *chip;
	e->value = *start;
	for (int b = 0; b < FUSE_COUNT; b++) {
		const struct fuse_byte_def *def = &part->fuses[b];

		if (!def->present)
			continue;
		if (!e->value.present[b])
			fuse_set_put(&e->value, (enum fuse_byte)b,
				     chip->present[b] ? chip->value[b] : def->factory);
		for (size_t f = 0; f < def->n_fields && e->n < TUI_FUSE_EDITOR_ROWS; f++) {
			e->byte[e->n] = (enum fuse_byte)b;
			e->field[e->n++] = &def->fields[f];
		}
	}
	e->open = true;
}

/* The next (dir 1) or previous (-1) value of the row's field: the
 * catalog's listed values in their order, else every value the bits hold. */
static void
step_value(struct tui_fuse_editor *e, int dir)
{
	const struct fuse_field *f = e->field[e->sel];
	enum fuse_byte b = e->byte[e->sel];
	uint8_t now = fuses_field_value(f, e->value.value[b]), next;
	unsigned span = 1u << fuses_field_width(f);

	if (f->n_values > 0) {
		size_t i = 0;

		while (i < f->n_values && f->values[i].value != now)
			i++;
		if (i == f->n_values)
			i = dir > 0 ? f->n_values - 1 : 0;
		i = (i + f->n_values + (size_t)(dir > 0 ? 1 : f->n_values - 1)) % f->n_values;
		next = f->values[i].value;
	} else {
		next = (uint8_t)((now + span + (unsigned)(dir > 0 ? 1 : (int)span - 1)) % span);
	}
	e->value.value[b] = fuses_field_put(f, e->value.value[b], next);
}

bool
tui_fuse_editor_action(struct tui_fuse_editor *e, enum tui_action a)
{
	switch (a) {
	case TUI_ACT_UP:
		if (e->sel > 0)
			e->sel--;
		return false;
	case TUI_ACT_DOWN:
		if (e->sel + 1 < e->n)
			e->sel++;
		return false;
	case TUI_ACT_HOME:
		e->sel = 0;
		return false;
	case TUI_ACT_END:
		e->sel = e->n > 0 ? e->n - 1 : 0;
		return false;
	case TUI_ACT_LEFT:
	case TUI_ACT_RIGHT:
	case TUI_ACT_TAB:
		if (e->n > 0)
			step_value(e, a == TUI_ACT_LEFT ? -1 : 1);
		return false;
	case TUI_ACT_NEXT:
		e->open = false;
		e->accepted = true;
		return true;
	case TUI_ACT_BACK:
		e->open = false;
		e->accepted = false;
		return true;
	default:
		return false;
	}
}

/* The risk class of the change in row i's field (unchanged: none). */
static enum fuse_class
row_class(const struct fuse_diff *d, const struct tui_fuse_editor *e, size_t i)
{
	for (size_t c = 0; c < d->n_changes; c++)
		if (d->changes[c].field == e->field[i] && d->changes[c].byte == e->byte[i])
			return d->changes[c].cls;
	return FUSE_CLASS_UNCHANGED;
}

void
tui_fuse_editor_draw(const struct tui_fuse_editor *e, int y, int x, int h, int w)
{
	struct fuse_diff diff;
	struct fuse_field_state st;
	struct iw_error err;
	char bytes[80] = "", line[400], state[FUSES_MEANING_MAX + 40];
	int rows = h - 8, top = 0;
	size_t used = 0;

	memset(&diff, 0, sizeof diff);
	fuse_rules_classify(e->part, &e->chip, &e->value, &diff, &err);
	for (int b = 0; b < FUSE_COUNT; b++)
		if (e->value.present[b])
			used += (size_t)snprintf(bytes + used, sizeof bytes - used, "%s%s 0x%02X",
						 used > 0 ? ", " : "", fuse_byte_name((enum fuse_byte)b),
						 e->value.value[b]);
	tui_putf(y, x, w, TUI_ROLE_HEADING, "Edit fuses: %s  (overall: %s)", bytes,
		 fuse_class_name(diff.overall));
	tui_put(y + 1, x, w, TUI_ROLE_DIM, "Up/Down field  Left/Right value  Enter use "
		"these  Esc cancel");
	if (rows < 1)
		return;
	if (e->sel >= (size_t)rows)
		top = (int)e->sel - rows + 1;
	for (int r = 0; r < rows && (size_t)(top + r) < e->n; r++) {
		size_t i = (size_t)(top + r);
		enum fuse_class cls = row_class(&diff, e, i);

		memset(&st, 0, sizeof st);
		fuses_decode_field(e->part, e->byte[i], e->field[i], e->value.value[e->byte[i]], &st);
		fuses_state_text(&st, state, sizeof state);
		snprintf(line, sizeof line, "%s %-5s %-9s %-8s %s", i == e->sel ? ">" : " ",
			 fuse_byte_name(e->byte[i]), e->field[i]->name,
			 cls == FUSE_CLASS_UNCHANGED ? "" : fuse_class_name(cls), state);
		tui_put(y + 2 + r, x, w, i == e->sel ? TUI_ROLE_SELECTED :
			cls == FUSE_CLASS_UNCHANGED ? TUI_ROLE_NORMAL : tui_role_for_class(cls), line);
	}
	if ((size_t)rows < e->n)
		tui_putf(y + 2 + rows, x, w, TUI_ROLE_KEY, "%d-%d of %zu  %s", top + 1,
			 top + rows, e->n, top > 0 ? "more ^" : "more v");
	/* What the chosen field does, and why its change is classed so. */
	if (e->n > 0) {
		struct tui_text text;

		tui_text_init(&text, w);
		/* The row's meaning in full (the row may have cut it). */
		memset(&st, 0, sizeof st);
		fuses_decode_field(e->part, e->byte[e->sel], e->field[e->sel],
				   e->value.value[e->byte[e->sel]], &st);
		snprintf(line, sizeof line, "%s now: %s", e->field[e->sel]->name,
			 fuses_state_text(&st, state, sizeof state));
		tui_text_add(&text, TUI_ROLE_NORMAL, 2, line);
		if (e->field[e->sel]->description != NULL)
			tui_text_add(&text, TUI_ROLE_DIM, 0, e->field[e->sel]->description);
		for (size_t c = 0; c < diff.n_changes; c++)
			if (diff.changes[c].field == e->field[e->sel])
				tui_text_add(&text, tui_role_for_class(diff.changes[c].cls), 0,
					     diff.changes[c].reason);
		tui_text_draw(&text, y + 3 + rows, x, 5, w);
		tui_text_clear(&text);
	}
}
