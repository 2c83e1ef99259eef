/*
 * screen-flash.c - step 9: the job runs on its worker thread; this screen
 * draws a bar per phase (backup read, erase, write, verify, fuses) with
 * bytes, rate and time left from the events it reads off the job's fd.
 * Cancel asks first, and the job honours it only at a safe point: a fuse
 * write that has started always completes.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

#include "job/backup.h"

struct row {
	enum job_phase phase;
	const char *label;
	bool started, finished;
	uint32_t done, total;
	double rate;
};

struct flash_state {
	struct row rows[5];
	struct tui_text log;
	enum job_phase phase;
	bool running;
	bool ended;
	enum iw_status status;
	bool restoring;              /* the job puts the first backup back */
	bool restored;               /* ... and it did */
	char restoring_json[4096];   /* which backup */
	struct backup_set set;       /* what the restore plan points into */
	struct job_plan restore_plan;
};

static struct flash_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_flash);
}

static void add_log(struct flash_state *s, enum tui_role role, const char *line);
static void restore(struct tui *t, const char *json, const char *what);

static const struct row initial[5] = {
	{ .phase = JOB_PHASE_BACKUP, .label = "Backup read" },
	{ .phase = JOB_PHASE_ERASE, .label = "Erase" },
	{ .phase = JOB_PHASE_WRITE, .label = "Write" },
	{ .phase = JOB_PHASE_VERIFY, .label = "Verify" },
	{ .phase = JOB_PHASE_FUSES, .label = "Fuses" },
};

static int
log_y(void)
{
	return tui_body_top() + 9;
}

static int
log_rows(void)
{
	return tui_body_rows_from(log_y());
}

static void
reset_rows(struct tui *t)
{
	struct flash_state *s = state(t);

	memcpy(s->rows, initial, sizeof s->rows);
	tui_text_clear(&s->log);
	tui_text_init(&s->log, COLS - 4);
	s->phase = JOB_PHASE_PLAN;
	s->ended = false;
}

static void
start(struct tui *t)
{
	struct flash_state *s = state(t);

	reset_rows(t);
	s->restoring = false;
	t->flashed = false;
	t->put_back = false;
	s->running = tui_job_start(t, &t->plan, t->result);
	if (s->running)
		tui_message(t, TUI_ROLE_NORMAL, "Working. c cancels (it asks first).");
}

static void
enter(struct tui *t)
{
	struct flash_state *s = state(t);

	memset(s, 0, sizeof *s);
	tui_text_init(&s->log, COLS - 4);
	if (t->restore_now) {
		/* From the Welcome step's b: the backup given there. */
		t->restore_now = false;
		t->flashed = true;
		restore(t, t->restore_json, t->restore_json);
		return;
	}
	start(t);
}

static void
leave(struct tui *t)
{
	struct flash_state *s = state(t);

	tui_text_clear(&s->log);
	backup_set_free(&s->set);
	memset(&s->set, 0, sizeof s->set);
}

/* A restore job of the backup `json` in this screen. */
static void
restore(struct tui *t, const char *json, const char *what)
{
	struct flash_state *s = state(t);
	char why[IW_ERROR_MSG_MAX];

	if (tui_job_running(t) || s->running)
		return;
	snprintf(s->restoring_json, sizeof s->restoring_json, "%s", json);
	if (!tui_restore_plan(t, json, &s->set, &s->restore_plan, why, sizeof why)) {
		tui_message(t, TUI_ROLE_ERROR, "Cannot put the backup back: %s", why);
		return;
	}
	reset_rows(t);
	s->restoring = true;
	s->restored = false;
	add_log(s, TUI_ROLE_HEADING, "Putting back the backup:");
	add_log(s, TUI_ROLE_NORMAL, what);
	tui_log(t, "restore: %s", json);
	s->running = tui_job_start(t, &s->restore_plan, t->result);
	if (s->running)
		tui_message(t, TUI_ROLE_NORMAL, "Putting the backup back. c cancels (it asks "
			    "first).");
}

/* The answer to "Put back the backup?" after a failed or cancelled job. */
static void
put_back(struct tui *t)
{
	restore(t, t->first_backup_json, t->first_backup_hex);
}

static struct row *
row_of(struct flash_state *s, enum job_phase phase)
{
	for (size_t i = 0; i < 5; i++)
		if (s->rows[i].phase == phase)
			return &s->rows[i];
	return NULL;
}

static void
add_log(struct flash_state *s, enum tui_role role, const char *line)
{
	tui_text_add(&s->log, role, 4, line);
	/* Follow the newest line, as a terminal would. */
	tui_text_follow(&s->log, log_rows());
}

static void
diag_line(void *user, const char *line)
{
	add_log(user, TUI_ROLE_WARNING, line);
}

static void
on_job_event(struct flash_state *s, const struct job_event *ev)
{
	struct row *r = row_of(s, ev->phase);

	switch (ev->kind) {
	case JOB_EVENT_PHASE:
		for (size_t i = 0; i < 5; i++)
			if (s->rows[i].started && s->rows[i].phase < ev->phase)
				s->rows[i].finished = true;
		s->phase = ev->phase;
		if (r != NULL) {
			r->started = true;
			r->total = ev->total;
			r->done = 0;
		}
		break;
	case JOB_EVENT_PROGRESS:
		if (r != NULL) {
			r->done = ev->done;
			r->total = ev->total;
			r->rate = ev->rate;
		}
		break;
	case JOB_EVENT_INFO:
		/* The runner also logs the decoded fuse diff here; the review
		 * showed it in full, so only the summary line is repeated. */
		if (ev->topic != JOB_TOPIC_FUSE_DIFF)
			add_log(s, TUI_ROLE_DIM, ev->message);
		break;
	case JOB_EVENT_WARNING:
		add_log(s, TUI_ROLE_WARNING, ev->message);
		break;
	case JOB_EVENT_DONE:
		s->phase = ev->phase;
		for (size_t i = 0; i < 5; i++)
			if (s->rows[i].started && (ev->status == IW_OK || s->rows[i].phase < ev->phase))
				s->rows[i].finished = true;
		break;
	}
}

static void
on_job_done(struct tui *t)
{
	struct flash_state *s = state(t);
	const struct job_result *r = t->result;

	s->running = false;
	s->ended = true;
	s->status = r->status;
	tui_note_backup(t, r);
	if (s->restoring) {
		s->restored = r->status == IW_OK;
		t->put_back = s->restored;
		if (s->restored) {
			add_log(s, TUI_ROLE_OK, "The backup is back on the chip: its flash, "
				"EEPROM and fuses are what they were before ispwiz wrote to it "
				"(written and verified).");
			tui_message(t, TUI_ROLE_OK, "Put back and verified. Esc goes back, "
				    "q quits.");
		} else {
			add_log(s, TUI_ROLE_ERROR, r->error.msg);
			tui_message(t, TUI_ROLE_ERROR, "Putting the backup back failed (see "
				    "above). r tries again.");
		}
		tui_log(t, "restore: %s", s->restored ? "done" : r->error.msg);
		return;
	}
	t->flashed = true;
	if (r->status == IW_OK) {
		tui_next(t);
		return;
	}
	add_log(s, r->status == IW_CANCELLED ? TUI_ROLE_WARNING : TUI_ROLE_ERROR, r->error.msg);
	if (r->has_diagnosis)
		wiring_doctor_render(&r->diagnosis, t->programmer, diag_line, s);
	if (t->first_backup_hex[0] != '\0') {
		add_log(s, TUI_ROLE_NORMAL, "Backup of what the chip held before ispwiz wrote "
			"to it (b puts it back):");
		add_log(s, TUI_ROLE_NORMAL, t->first_backup_hex);
		if (t->later_backup[0] != '\0') {
			add_log(s, TUI_ROLE_DIM, "A later backup, of the chip as this retry "
				"found it (half-written):");
			add_log(s, TUI_ROLE_DIM, t->later_backup);
		}
	}
	if (r->status == IW_CANCELLED)
		tui_message(t, TUI_ROLE_WARNING, "Cancelled. r starts again, b puts the "
			    "backup back, Esc goes back.");
	else if (r->status == IW_CONFIRM)
		tui_message(t, TUI_ROLE_ERROR, "The chip's fuses differ from what the target "
			    "step read: Esc, and review the changes again.");
	else
		tui_message(t, TUI_ROLE_ERROR, "Flashing failed (see above). r tries again, "
			    "b puts the backup back.");
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	struct flash_state *s = state(t);

	if (ev->kind == TUI_EV_JOB && s->running)
		on_job_event(s, ev->job);
	else if (ev->kind == TUI_EV_JOB_DONE && s->running)
		on_job_done(t);
}

static void
layout(struct tui *t)
{
	struct flash_state *s = state(t);

	s->log.width = COLS - 4;
}

static const char *
kib(double bytes, char *buf, size_t size)
{
	snprintf(buf, size, "%.1f", bytes / 1024.0);
	return buf;
}

static void
draw_row(const struct flash_state *s, const struct row *r, int y)
{
	int bar = COLS - 60;
	char a[16], b[16], c[16], left[24];
	const char *what;

	tui_put(y, 2, 12, r->started ? TUI_ROLE_HEADING : TUI_ROLE_DIM, r->label);
	if (r->total > 0) {
		unsigned pct = (unsigned)((uint64_t)(r->done > r->total ? r->total : r->done) *
					  100u / r->total);
		double secs = r->rate > 0 ? (r->total - r->done) / r->rate : -1;

		tui_bar(y, 15, bar, r->done, r->total);
		if (r->finished || r->done >= r->total)
			snprintf(left, sizeof left, "done");
		else if (secs >= 0)
			snprintf(left, sizeof left, "%d:%02d left", (int)secs / 60, (int)secs % 60);
		else
			left[0] = '\0';
		tui_putf(y, 16 + bar, COLS - 18 - bar, r->finished ? TUI_ROLE_OK : TUI_ROLE_NORMAL,
			 "%3u%%  %s/%s KiB  %s KiB/s  %s", pct, kib(r->done, a, sizeof a),
			 kib(r->total, b, sizeof b), kib(r->rate, c, sizeof c), left);
		return;
	}
	what = r->finished ? "done" : r->started ? "working..." :
		s->ended && s->status == IW_OK ? "nothing to do" : s->ended ? "not run" : "waiting";
	tui_put(y, 15, COLS - 17, r->finished ? TUI_ROLE_OK : r->started ? TUI_ROLE_NORMAL :
		TUI_ROLE_DIM, what);
}

static void
draw(struct tui *t)
{
	struct flash_state *s = state(t);
	int y = tui_body_top() + 1;
	char title[200];

	if (s->restoring)
		tui_putf(y, 2, COLS - 4, TUI_ROLE_HEADING, "Putting the backup back on the %s",
			 catalog_part_label(t->part));
	else
		tui_putf(y, 2, COLS - 4, TUI_ROLE_HEADING, "Flashing the %s with %s%s",
			 catalog_part_label(t->part), t->bootloader != NULL ?
			 tui_bootloader_title(t->bootloader, title, sizeof title) : t->image_path,
			 tui_production_active(t) ? " plus the keyboard firmware" : "");
	tui_putf(y + 1, 2, COLS - 4, s->phase <= JOB_PHASE_READ_FUSES ? TUI_ROLE_NORMAL :
		 TUI_ROLE_DIM, "%s", s->ended ? (s->status == IW_OK ? "Finished." : "Stopped.") :
		 s->phase <= JOB_PHASE_READ_FUSES ? job_phase_title(s->phase) :
		 "Connected; signature and fuses checked.");
	for (int i = 0; i < 5; i++)
		draw_row(s, &s->rows[i], y + 2 + i);
	tui_text_draw(&s->log, log_y(), 2, log_rows(), COLS - 4);
}

static void
do_cancel(struct tui *t)
{
	struct flash_state *s = state(t);

	if (!s->running)
		return;
	tui_job_cancel(t);
	tui_message(t, TUI_ROLE_WARNING, "Stopping at the next safe point...");
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct flash_state *s = state(t);

	(void)ch;
	if (s->running) {
		if (a == TUI_ACT_CANCEL || a == TUI_ACT_BACK)
			tui_ask(t, do_cancel, "Stop flashing at the next safe point? A fuse "
				"write that has started always finishes. If the chip was "
				"already erased it has no bootloader until you flash again; "
				"the backup is kept.");
		else
			tui_text_scroll(&s->log, a, log_rows());
		return;
	}
	if (a == TUI_ACT_RETRY && !tui_job_running(t) && s->restoring) {
		/* Again what was being put back (a flash needs its plan from
		 * the review, which a restore from the Welcome step skipped). */
		char json[4096];

		snprintf(json, sizeof json, "%s", s->restoring_json);
		restore(t, json, json);
	} else if (a == TUI_ACT_RETRY && !tui_job_running(t)) {
		start(t);
	} else if (a == TUI_ACT_RESTORE && s->ended && (s->status != IW_OK || s->restoring)) {
		if (t->first_backup_json[0] == '\0')
			tui_message(t, TUI_ROLE_WARNING, "No backup was taken yet: the job "
				    "stopped before it read the chip, which is unchanged.");
		else
			tui_ask(t, put_back, "Put back the backup %s? The chip gets back its "
				"flash, EEPROM and fuses as they were before ispwiz wrote to it "
				"(a backup of it as it is now is taken first).",
				t->first_backup_hex);
	}
	else if (a == TUI_ACT_BACK)
		tui_back(t);
	else
		tui_text_scroll(&s->log, a, log_rows());
}

/* Once the job has ended (failed or cancelled) c does nothing: say what
 * does. */
static const char *
keys_now(const struct tui *t)
{
	struct flash_state *s = state(t);

	if (s->running || !s->ended)
		return NULL;
	return t->first_backup_json[0] != '\0' ? "r start again  b put back the backup  Esc back" :
	       "r start again  Esc back  Up/Down scroll";
}

const struct tui_screen tui_screen_flash = {
	.name = "Flash",
	.data_size = sizeof(struct flash_state),
	.help = "The chip is backed up, erased, written and verified; the fuses are "
		"written only after the verify passed, then read back. Each phase has "
		"its own bar with bytes done, speed and time left. c (or Esc) cancels "
		"after asking; the job stops at the next safe point, and a fuse write "
		"that has started always finishes. After a failed or cancelled job, b "
		"puts back the first backup this board's job took (what the chip held "
		"before ispwiz wrote to it); the backups of later retries are of a "
		"half-written chip.",
	.keys = "c cancel",
	.keys_now = keys_now,
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.action = action,
	.event = event,
};
