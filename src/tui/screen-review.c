/*
 * screen-review.c - step 8: everything that will happen, before it does.
 * The verdict first (so it is on screen at 80x24 without scrolling), then
 * the decoded fuse diff from what the chip holds now, coloured by risk
 * class, the plan with the backup location, and the equivalent avrdude
 * command.  Confirm-class changes need the part's name typed; refused ones
 * cannot go on at all: the wizard has no override (the command line's
 * --unsafe-fuses is for people who know exactly why).
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum verdict {
	VERDICT_GO,          /* nothing dangerous */
	VERDICT_CONFIRM,     /* type the part name */
	VERDICT_REFUSED,     /* a change would end ISP access */
	VERDICT_BLOCKED,     /* the plan fails another check */
};

struct review_state {
	struct tui_text text;
	struct tui_form form;
	enum verdict verdict;
	char reason[IW_ERROR_MSG_MAX];
	struct fuse_diff diff;
	bool have_form;
	bool in_fuses;       /* plan_line is in the plan's fuse decode */
};

static struct review_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_review);
}

/* Where a plan line wraps to: under the value of a "Label:      value"
 * line (the columns job_plan_describe aligns), unless a word of it (a
 * path) would fit a row only from further left; else two past its own
 * leading spaces. */
static int
value_column(const char *line, int width)
{
	size_t key = strcspn(line, ": "), longest = 0;

	if (key == 0 || line[key] != ':' || line[key + 1] != ' ')
		return -1;
	key += 1 + strspn(line + key + 1, " ");
	for (const char *w = line + key; *w != '\0'; w += strspn(w, " ")) {
		size_t n = strcspn(w, " ");

		longest = n > longest ? n : longest;
		w += n;
	}
	return key <= 16 && (int)(key + longest) < width ? (int)key : -1;
}

/* The plan's lines, less its "Part:" and "Fuses:" with the decode of every
 * fuse field (the changes above say what matters; `ispwiz fuses decode`
 * has it all). */
static void
plan_line(void *user, const char *line)
{
	struct review_state *s = user;

	/* The part is the target step's, the fuses are shown above. */
	if (strncmp(line, "Fuses:", 6) == 0 || strncmp(line, "Part:", 5) == 0) {
		s->in_fuses = true;
		return;
	} else if (s->in_fuses) {
		if (line[0] == ' ')
			return;
		s->in_fuses = false;
	}
	tui_text_add(&s->text, TUI_ROLE_NORMAL, value_column(line, s->text.width), line);
}

static void
names_of(const struct review_state *s, enum fuse_class cls, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->diff.n_changes && used < size; i++)
		if (s->diff.changes[i].cls == cls)
			used += (size_t)snprintf(buf + used, size - used, "%s%s (%s)",
						 used > 0 ? ", " : "", s->diff.changes[i].name,
						 fuse_byte_name(s->diff.changes[i].byte));
}

static size_t
count_of(const struct review_state *s, enum fuse_class cls)
{
	size_t n = 0;

	for (size_t i = 0; i < s->diff.n_changes; i++)
		n += s->diff.changes[i].cls == cls;
	return n;
}

static void
judge(struct tui *t, struct job_plan *plan)
{
	struct review_state *s = state(t);
	struct iw_error err;
	enum iw_status st;

	iw_error_clear(&err);
	memset(&s->diff, 0, sizeof s->diff);
	if (!tui_build_plan(t, plan, s->reason, sizeof s->reason)) {
		s->verdict = VERDICT_BLOCKED;
		return;
	}
	if (t->probe->have_fuses &&
	    fuse_rules_classify(t->part, &t->probe->fuses_before, &plan->fuses, &s->diff,
				&err) != IW_OK) {
		s->verdict = VERDICT_BLOCKED;
		snprintf(s->reason, sizeof s->reason, "%s", err.msg);
		return;
	}
	st = job_plan_validate(plan, &err);
	if (s->diff.overall == FUSE_CLASS_REFUSE || (st == IW_REFUSED && s->diff.n_changes == 0)) {
		s->verdict = VERDICT_REFUSED;
		snprintf(s->reason, sizeof s->reason, "%s", err.msg);
	} else if (st != IW_OK) {
		s->verdict = VERDICT_BLOCKED;
		snprintf(s->reason, sizeof s->reason, "%s", err.msg);
	} else {
		s->verdict = s->diff.overall == FUSE_CLASS_CONFIRM ? VERDICT_CONFIRM : VERDICT_GO;
	}
}

static void
fill(struct tui *t)
{
	struct review_state *s = state(t);
	struct job_plan plan;
	char names[400], cmd[4096], notice[400];

	tui_text_clear(&s->text);
	/* One column wider than the other screens: the diff and the plan come
	 * preformatted to 79 columns and should not wrap again at 80. */
	tui_text_init(&s->text, COLS - 4);
	judge(t, &plan);
	switch (s->verdict) {
	case VERDICT_REFUSED:
		names_of(s, FUSE_CLASS_REFUSE, names, sizeof names);
		tui_text_addf(&s->text, TUI_ROLE_ERROR, "Refused: %s would end ISP access to "
			      "the chip. This cannot be flashed; go back (Esc) and choose "
			      "other fuses.", names[0] != '\0' ? names : "the fuse change");
		break;
	case VERDICT_BLOCKED:
		tui_text_addf(&s->text, TUI_ROLE_ERROR, "This cannot be flashed: %s", s->reason);
		break;
	case VERDICT_CONFIRM:
		names_of(s, FUSE_CLASS_CONFIRM, names, sizeof names);
		tui_text_addf(&s->text, TUI_ROLE_CONFIRM, "%zu fuse change%s need%s your "
			      "confirmation (marked confirm below).", count_of(s, FUSE_CLASS_CONFIRM),
			      count_of(s, FUSE_CLASS_CONFIRM) == 1 ? "" : "s",
			      count_of(s, FUSE_CLASS_CONFIRM) == 1 ? "s" : "");
		break;
	case VERDICT_GO:
		tui_text_add(&s->text, TUI_ROLE_OK, 2, "No dangerous fuse changes. Press Enter "
			     "to back up the chip and flash it.");
		break;
	}
	if (s->verdict == VERDICT_BLOCKED && plan.part == NULL)
		return;
	/* Before anything runs, not during the backup: a locked chip's flash
	 * reads as garbage, so only its fuses can be kept. */
	if (t->probe->chip_locked || (t->probe->have_fuses &&
				      (t->probe->lock_before & 0x03) != 0x03))
		tui_text_addf(&s->text, TUI_ROLE_WARNING, "The chip is locked (lock 0x%02X, "
			      "LB1/LB2 programmed): its flash and EEPROM cannot be read, so "
			      "the backup will hold fuses only; what the flash holds now "
			      "cannot be put back.", t->probe->lock_before);
	tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
	if (t->probe->have_fuses && fuse_set_any(&plan.fuses)) {
		char note[300];

		if (t->preset != NULL)
			snprintf(note, sizeof note, "Fuses: preset \"%s\", this bootloader's "
				 "own standard values.", t->preset->name);
		else
			snprintf(note, sizeof note, "Fuses: custom values, not a preset of "
				 "this bootloader.");
		tui_review_fuses(&s->text, t->part, &t->probe->fuses_before, &plan.fuses,
				 &s->diff, note);
		/* Where the bootloader starts (a production image has the
		 * firmware below it). */
		if (fuse_rules_boot_notice(t->part, &plan.fuses, plan.boot_end != 0 ?
					   plan.boot_start : hex_image_min_addr(t->image),
					   notice, sizeof notice))
			tui_text_add(&s->text, TUI_ROLE_INFO, 2, notice);
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
	}
	if (t->sha_note[0] != '\0')
		tui_text_add(&s->text, t->sha_role, 2, t->sha_note);
	tui_text_add(&s->text, TUI_ROLE_HEADING, 0, "The plan:");
	s->in_fuses = false;
	job_plan_describe(&plan, plan_line, s);
	tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
	/* The command on lines of its own that paste whole. */
	tui_text_add(&s->text, TUI_ROLE_HEADING, 0, "The same job with avrdude:");
	job_plan_avrdude_command(&plan, cmd, sizeof cmd);
	tui_text_add_command(&s->text, TUI_ROLE_DIM, cmd);
}

static void
enter(struct tui *t)
{
	struct review_state *s = state(t);
	int width = 24;

	memset(s, 0, sizeof *s);
	tui_text_init(&s->text, COLS - 4);
	fill(t);
	s->have_form = s->verdict == VERDICT_CONFIRM && tui_form_init(&s->form, &width, 1);
	if (s->verdict == VERDICT_CONFIRM)
		tui_message(t, TUI_ROLE_CONFIRM, "Type %s and press Enter to flash; Esc goes back.",
			    catalog_part_label(t->part));
	else if (s->verdict != VERDICT_GO)
		tui_message(t, TUI_ROLE_ERROR, "Nothing will be written. Esc goes back.");
}

static void
leave(struct tui *t)
{
	struct review_state *s = state(t);

	tui_text_clear(&s->text);
	if (s->have_form)
		tui_form_free(&s->form);
	s->have_form = false;
}

static int
text_rows(const struct review_state *s)
{
	return tui_body_rows() - 1 - (s->have_form ? 2 : 0);
}

static void
layout(struct tui *t)
{
	struct review_state *s = state(t);

	fill(t);
	if (s->have_form)
		tui_form_place(&s->form, LINES - 4, 4 + tui_width(catalog_part_label(t->part)) + 18);
}

static void
draw(struct tui *t)
{
	struct review_state *s = state(t);

	tui_text_draw(&s->text, tui_body_top() + 1, 2, text_rows(s), COLS - 4);
	if (s->have_form)
		tui_putf(LINES - 4, 2, COLS - 4, TUI_ROLE_CONFIRM, "Type %s to confirm:",
			 catalog_part_label(t->part));
}

static void
paint(struct tui *t)
{
	struct review_state *s = state(t);

	if (s->have_form)
		tui_form_refresh(&s->form);
}

static bool
text_focus(const struct tui *t)
{
	struct review_state *s = state(t);

	return s->have_form;
}

static void
go(struct tui *t)
{
	struct review_state *s = state(t);
	char typed[64];

	switch (s->verdict) {
	case VERDICT_REFUSED:
	case VERDICT_BLOCKED:
		tui_message(t, TUI_ROLE_ERROR, "Nothing is written: %s Esc goes back.",
			    s->verdict == VERDICT_REFUSED ? "a refused fuse change cannot be "
			    "flashed." : "the plan does not pass its checks.");
		return;
	case VERDICT_CONFIRM:
		tui_form_get(&s->form, 0, typed, sizeof typed);
		if (strcasecmp(typed, catalog_part_label(t->part)) != 0) {
			tui_message(t, TUI_ROLE_ERROR, "\"%s\" is not %s: nothing will be "
				    "written. Type the part name exactly, or Esc to go back.",
				    typed, catalog_part_label(t->part));
			return;
		}
		break;
	case VERDICT_GO:
		break;
	}
	tui_build_plan(t, &t->plan, s->reason, sizeof s->reason);
	/* Only what was confirmed here: if the chip changed since the target
	 * step, the runner stops before writing and says so. */
	t->plan.yes = s->verdict == VERDICT_CONFIRM;
	tui_log(t, "review: confirmed (%s)", s->verdict == VERDICT_CONFIRM ? "typed the part name" :
		"no dangerous changes");
	tui_next(t);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct review_state *s = state(t);

	if (a == TUI_ACT_UP || a == TUI_ACT_DOWN || a == TUI_ACT_PAGE_UP ||
	    a == TUI_ACT_PAGE_DOWN) {
		tui_text_scroll(&s->text, a, text_rows(s));
	} else if (a == TUI_ACT_BACK) {
		/* From a refusal, back to the field that has to change. */
		t->refused = false;
		for (size_t i = 0; s->verdict == VERDICT_REFUSED && i < s->diff.n_changes; i++)
			if (s->diff.changes[i].cls == FUSE_CLASS_REFUSE) {
				t->refused = true;
				t->refused_byte = s->diff.changes[i].byte;
				break;
			}
		tui_back(t);
	} else if (a == TUI_ACT_NEXT) {
		go(t);
	} else if (s->have_form) {
		tui_form_action(&s->form, a, ch);
	}
}

const struct tui_screen tui_screen_review = {
	.name = "Review",
	.data_size = sizeof(struct review_state),
	.help = "Read this before anything is written. The top line is the verdict. "
		"Each fuse change is shown with what it means before and after, and its "
		"risk: 'inform' changes are harmless, 'confirm' changes (clock, boot "
		"section, reset vector, JTAG) need you to type the part name, and "
		"'refuse' changes would lock ISP out of the chip for good, so they "
		"cannot be flashed from here. The chip's flash, EEPROM and fuses are "
		"backed up first, to the folder shown in the plan. Up/Down/PgUp/PgDn "
		"scroll.",
	.keys = "PgUp/PgDn scroll  Enter flash  Esc back",
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
	.text_focus = text_focus,
};
