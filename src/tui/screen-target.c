/*
 * screen-target.c - step 6: talk to the chip.  A job with nothing to write
 * connects (the runner steps SCK down until the chip answers), reads the
 * signature and the fuses.  The signature names the part: when it is
 * another catalog part than the one guessed, the probe runs again for that
 * part so its fuses are read with the right layout.  On failure the wiring
 * doctor's diagnosis is shown, with a key to try again.
 */
#include "tui/tui-int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

struct target_state {
	struct tui_text text;
	bool running;
	bool ok;
	int reprobes;
	int attempt;             /* 1 on entering, one more per r */
	const struct catalog_part *guess;
	const struct catalog_part *pending;   /* start once the old job has ended */
};

static struct target_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_target);
}

static const struct catalog_part *
first_guess(const struct tui *t)
{
	const struct catalog_part *p;

	if (t->part != NULL)
		return t->part;
	/* The keyboard controller people meet most; the signature corrects it. */
	if ((p = catalog_find_part(t->cat, DEMO_PART)) != NULL)
		return p;
	return t->cat->n_parts > 0 ? &t->cat->parts[0] : NULL;
}

static void
start(struct tui *t, const struct catalog_part *part)
{
	struct target_state *s = state(t);
	struct job_plan plan;

	if (tui_job_running(t)) {
		/* The probe of an earlier visit is still winding down. */
		s->pending = part;
		return;
	}
	s->pending = NULL;
	tui_text_clear(&s->text);
	tui_text_init(&s->text, COLS - 4);
	s->ok = false;
	s->guess = part;
	tui_plan_start(t, &plan, part);
	plan.backup = false;     /* this job only reads the signature and fuses */
	plan.inspect = true;     /* ... and the boot section, to say what it holds */
	plan.inspect_sample = true;
	if (s->attempt > 1)
		/* A retry says that it is one, and with which clock it starts
		 * (the runner steps down from there). */
		tui_text_addf(&s->text, TUI_ROLE_NORMAL, "Attempt %d: connecting through "
			      "the %s%s%s, stepping the clock down from the fastest...",
			      s->attempt, t->programmer->name, t->port != NULL ? " on " : "",
			      t->port != NULL ? t->port : "");
	else
		tui_text_addf(&s->text, TUI_ROLE_NORMAL, "Connecting through the %s%s%s...",
			      t->programmer->name, t->port != NULL ? " on " : "",
			      t->port != NULL ? t->port : "");
	s->running = tui_job_start(t, &plan, t->probe);
	if (!s->running)
		tui_text_add(&s->text, TUI_ROLE_ERROR, 2, t->message);
	tui_message(t, TUI_ROLE_NORMAL, "%s", "");
}

static void
enter(struct tui *t)
{
	struct target_state *s = state(t);

	memset(s, 0, sizeof *s);
	s->attempt = 1;
	tui_text_init(&s->text, COLS - 4);
	if (first_guess(t) == NULL) {
		tui_text_add(&s->text, TUI_ROLE_ERROR, 0, "The catalog has no parts.");
		return;
	}
	start(t, first_guess(t));
}

static void
leave(struct tui *t)
{
	struct target_state *s = state(t);

	/* A probe only reads: stopping it midway cannot hurt the chip, and
	 * it ends at the next step boundary, within moments. */
	if (s->running && tui_job_running(t))
		tui_job_cancel(t);
	tui_text_clear(&s->text);
}

struct decode_ctx {
	struct tui_text *text;
	int byte;
};

/* One line per field: the full decode with descriptions is in `ispwiz
 * fuses decode`; here the state is what matters. */
static void
decode_field(const struct fuse_field_state *st, void *user)
{
	struct decode_ctx *c = user;
	char state[FUSES_MEANING_MAX + 40], line[FUSES_MEANING_MAX + 80];

	if ((int)st->byte != c->byte) {
		c->byte = (int)st->byte;
		tui_text_addf(c->text, TUI_ROLE_HEADING, "%s 0x%02X",
			      fuse_byte_name(st->byte), st->byte_value);
	}
	fuses_state_text(st, state, sizeof state);
	snprintf(line, sizeof line, "  %-9s %s", st->field->name, state);
	tui_text_add(c->text, TUI_ROLE_NORMAL, 12, line);
}

/* The wiring doctor's diagnosis, wrapped to this window (its own
 * rendering is for 79-column terminals and logs). */
static void
add_diagnosis(struct tui_text *text, const struct wiring_diagnosis *d,
	      const struct catalog_programmer *programmer)
{
	char line[WIRING_TEXT_MAX + 8];

	tui_text_add(text, TUI_ROLE_WARNING, 0, d->summary);
	if (d->n_causes > 0) {
		tui_text_add(text, TUI_ROLE_WARNING, 0, "Likely causes, most likely first:");
		for (size_t i = 0; i < d->n_causes; i++) {
			snprintf(line, sizeof line, "  %zu. %s", i + 1, d->causes[i].text);
			tui_text_add(text, TUI_ROLE_WARNING, 5, line);
		}
	}
	if (programmer != NULL && d->n_rows > 0) {
		tui_text_addf(text, TUI_ROLE_NORMAL, "Check these wires (%s -> target):",
			      catalog_programmer_label(programmer));
		for (size_t i = 0; i < d->n_rows; i++) {
			const struct catalog_wire *w = &programmer->wiring[d->rows[i]];

			snprintf(line, sizeof line, "  %-16s -> %s",
				 w->programmer_pin != NULL ? w->programmer_pin : "?",
				 w->target_pin != NULL ? w->target_pin : "?");
			tui_text_add(text, TUI_ROLE_NORMAL, 4, line);
		}
	}
	if (programmer != NULL && d->show_warnings)
		for (size_t i = 0; i < programmer->n_warnings; i++) {
			snprintf(line, sizeof line, "Warning: %s", programmer->warnings[i]);
			tui_text_add(text, TUI_ROLE_WARNING, 9, line);
		}
}

/* What the chip holds now (job_inspect_text): the boot section's sentence
 * (a known bootloader, blank, or unknown data) when `boot`, else the rest
 * (the application area, what BOOTRST makes of it), which goes with the
 * fuses. */
static void
add_holds(struct tui *t, struct tui_text *text, bool boot)
{
	const struct job_result *r = t->probe;
	struct job_plan plan;
	char line[900], *rest;

	job_plan_init(&plan);
	plan.part = t->part;
	if (job_inspect_text(&plan, r, line, sizeof line)[0] == '\0')
		return;
	if ((rest = strstr(line, "; ")) != NULL) {
		*rest = '\0';
		rest += 2;
		rest[0] = (char)toupper((unsigned char)rest[0]);
	}
	line[0] = (char)toupper((unsigned char)line[0]);
	if (boot)
		tui_text_addf(text, r->chip_bootloader == NULL ? TUI_ROLE_WARNING :
			      TUI_ROLE_OK, "%s.", line);
	else if (rest != NULL)
		tui_text_addf(text, TUI_ROLE_NORMAL, "%s.", rest);
}

static void
show_found(struct tui *t)
{
	struct target_state *s = state(t);
	const struct job_result *r = t->probe;
	struct decode_ctx dc = { &s->text, -1 };

	t->part = s->guess;
	s->ok = true;
	tui_text_clear(&s->text);
	tui_text_init(&s->text, COLS - 4);
	tui_text_addf(&s->text, TUI_ROLE_OK, "Found an %s (signature %02X %02X %02X).",
		      catalog_part_label(t->part), r->signature[0], r->signature[1],
		      r->signature[2]);
	if (r->connect_note[0] != '\0')
		tui_text_add(&s->text, TUI_ROLE_DIM, 2, r->connect_note);
	tui_text_addf(&s->text, TUI_ROLE_NORMAL, "%u KiB flash, %u-byte pages; lock 0x%02X%s.",
		      t->part->flash_size / 1024u, t->part->page_size, r->lock_before,
		      (r->lock_before & 0x03) != 0x03 ? " (locked: the erase unlocks it)" : "");
	add_holds(t, &s->text, true);
	tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
	tui_text_add(&s->text, TUI_ROLE_DIM, 0, "Its fuses now (ispwiz fuses decode explains "
		     "each field):");
	fuses_decode(t->part, &r->fuses_before, decode_field, &dc);
	add_holds(t, &s->text, false);
	tui_message(t, TUI_ROLE_OK, "%s", t->restore_json[0] != '\0' ?
		    "Press Enter to put the backup back (it asks first)." :
		    "Press Enter to choose the bootloader.");
	tui_log(t, "target: %s, fuses %02X %02X %02X", t->part->id,
		r->fuses_before.value[FUSE_LOW], r->fuses_before.value[FUSE_HIGH],
		r->fuses_before.value[FUSE_EXT]);
}

/* The status line after a failed probe: the wiring only when the chip
 * itself did not answer; a programmer or port problem is fixed elsewhere. */
static const char *
failure_hint(enum iw_status st)
{
	switch (st) {
	case IW_NO_TARGET:
	case IW_SIGNATURE:
		return "The chip did not answer: fix the wiring, then press r to try again.";
	case IW_NO_PROGRAMMER:
	case IW_TIMEOUT:
	case IW_PROTOCOL:
	case IW_IO:
		return "The programmer or its port failed (see above): check the port, "
		       "cable and programmer, then press r to try again.";
	default:
		return "The chip could not be read (see above): fix the cause, then "
		       "press r to try again.";
	}
}

static void
finished(struct tui *t)
{
	struct target_state *s = state(t);
	const struct job_result *r = t->probe;
	const struct catalog_part *other;

	s->running = false;
	if (r->status == IW_OK) {
		show_found(t);
		return;
	}
	/* Another part than the guess: probe again as that part, once. */
	if (r->status == IW_SIGNATURE && r->have_signature && s->reprobes == 0 &&
	    (other = catalog_find_part_by_signature(t->cat, r->signature)) != NULL &&
	    other != s->guess) {
		s->reprobes++;
		start(t, other);
		return;
	}
	tui_text_add(&s->text, TUI_ROLE_ERROR, 2, r->error.msg[0] != '\0' ? r->error.msg :
		     "the target did not answer");
	if (s->attempt > 1)
		tui_text_addf(&s->text, TUI_ROLE_ERROR, "Attempt %d failed as well.", s->attempt);
	if (r->has_diagnosis) {
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
		tui_text_add(&s->text, TUI_ROLE_HEADING, 0, "What the wiring doctor says:");
		add_diagnosis(&s->text, &r->diagnosis, t->programmer);
	}
	tui_message(t, TUI_ROLE_ERROR, "%s", failure_hint(r->status));
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	struct target_state *s = state(t);

	if (ev->kind == TUI_EV_JOB_DONE) {
		if (s->running)
			finished(t);
		else if (s->pending != NULL)
			start(t, s->pending);
		return;
	}
	if (ev->kind != TUI_EV_JOB || !s->running)
		return;
	if (ev->job->kind == JOB_EVENT_PHASE && ev->job->phase != JOB_PHASE_PLAN &&
	    ev->job->phase != JOB_PHASE_DONE)
		tui_text_addf(&s->text, TUI_ROLE_DIM, "%s...", job_phase_title(ev->job->phase));
	else if (ev->job->kind == JOB_EVENT_WARNING)
		tui_text_add(&s->text, TUI_ROLE_WARNING, 2, ev->job->message);
}

/* Yes to putting the Welcome step's backup back: the flash step runs it. */
static void
restore_yes(struct tui *t)
{
	t->restore_now = true;
	tui_goto(t, &tui_screen_flash);
}

static void
layout(struct tui *t)
{
	struct target_state *s = state(t);

	s->text.width = COLS - 4;
}

static void
draw(struct tui *t)
{
	struct target_state *s = state(t);

	tui_put(tui_body_top() + 1, 2, COLS - 4, TUI_ROLE_HEADING, "The target chip");
	tui_text_draw(&s->text, tui_body_top() + 2, 2, tui_body_rows() - 2, COLS - 4);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct target_state *s = state(t);

	(void)ch;
	if (tui_text_scroll(&s->text, a, tui_body_rows() - 2))
		return;
	switch (a) {
	case TUI_ACT_BACK:
		tui_back(t);
		break;
	case TUI_ACT_RETRY:
		if (!s->running && !tui_job_running(t)) {
			s->reprobes = 0;
			s->attempt++;
			tui_log(t, "target: attempt %d", s->attempt);
			start(t, first_guess(t));
		}
		break;
	case TUI_ACT_NEXT:
		if (s->ok && t->restore_json[0] != '\0')
			tui_ask(t, restore_yes, "Put back %s onto this %s? Its flash, EEPROM "
				"and fuses are written as the backup holds them (a backup of "
				"the chip as it is now is taken first).", t->restore_json,
				catalog_part_label(t->part));
		else if (s->ok)
			tui_next(t);
		else if (s->running)
			tui_message(t, TUI_ROLE_NORMAL, "Still talking to the chip...");
		else
			tui_message(t, TUI_ROLE_ERROR, "The chip has not answered yet: fix "
				    "the wiring and press r to try again.");
		break;
	default:
		break;
	}
}

const struct tui_screen tui_screen_target = {
	.name = "Target",
	.data_size = sizeof(struct target_state),
	.help = "ispwiz connects to the chip, starting with a fast ISP clock and "
		"slowing down until the chip answers (a fresh chip runs slowly). The "
		"signature tells which chip it is, and its fuses are shown decoded. If "
		"the chip does not answer, the wiring doctor lists the likely causes and "
		"the wires to check: fix them and press r.",
	.keys = "Enter go on  r retry  Esc back",
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.action = action,
	.event = event,
};
