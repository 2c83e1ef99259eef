/*
 * tui-progress.c - what a screen shows of a job that is not an ISP flash:
 * a download (JOB_KIND_FETCH) or an upload through a chip's own bootloader
 * (JOB_KIND_UPLOAD).  One line says where the job is (a bar with bytes for
 * a download, a write or a verify; the seconds left for a wait, which is
 * the countdown a person racing a bootloader's window needs), and the
 * job's INFO and WARNING lines go into a small log under it.  The screen
 * owns the struct (it is in its data block) and passes it the events.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

void
tui_progress_init(struct tui_progress *p, int width)
{
	tui_text_clear(&p->log);
	memset(p, 0, sizeof *p);
	tui_text_init(&p->log, width);
}

void
tui_progress_free(struct tui_progress *p)
{
	tui_text_clear(&p->log);
}

bool
tui_progress_start(struct tui *t, struct tui_progress *p, const struct job_plan *plan)
{
	int width = p->log.width;

	tui_progress_init(p, width);
	p->running = tui_job_start(t, plan, &p->res);
	if (!p->running) {
		p->ended = true;
		p->res.status = IW_FAILED;
		snprintf(p->res.error.msg, sizeof p->res.error.msg, "%s", t->message);
	}
	return p->running;
}

/* What the Firmware and Keyboard steps (and any screen with an upload or
 * a download of its own) do with their job's events and keys, in one
 * place so they stay alike. */
bool
tui_progress_take(struct tui *t, struct tui_progress *p, const struct tui_event *ev,
		  int log_rows, void (*ended)(struct tui *t))
{
	if (ev->kind != TUI_EV_JOB && ev->kind != TUI_EV_JOB_DONE)
		return false;
	if (tui_progress_event(p, ev))
		ended(t);
	tui_text_follow(&p->log, log_rows);
	return true;
}

void
tui_progress_key(struct tui *t, struct tui_progress *p, enum tui_action a, int log_rows,
		 void (*cancel)(struct tui *t), const char *stop)
{
	if (a == TUI_ACT_CANCEL || a == TUI_ACT_BACK)
		tui_ask(t, cancel, "%s", stop);
	else
		tui_text_scroll(&p->log, a, log_rows);
}

bool
tui_progress_event(struct tui_progress *p, const struct tui_event *ev)
{
	const struct job_event *e = ev->job;

	if (!p->running)
		return false;
	if (ev->kind == TUI_EV_JOB_DONE) {
		p->running = false;
		p->ended = true;
		return true;
	}
	if (ev->kind != TUI_EV_JOB)
		return false;
	switch (e->kind) {
	case JOB_EVENT_PHASE:
		p->phase = e->phase;
		p->done = 0;
		p->total = e->total;
		break;
	case JOB_EVENT_PROGRESS:
		if (e->phase == p->phase) {
			p->done = e->done;
			p->total = e->total;
		}
		break;
	case JOB_EVENT_INFO:
	case JOB_EVENT_WARNING:
		tui_text_add(&p->log, e->kind == JOB_EVENT_WARNING ? TUI_ROLE_WARNING :
			     TUI_ROLE_DIM, 2, e->message);
		p->warned |= e->kind == JOB_EVENT_WARNING;
		break;
	case JOB_EVENT_DONE:
		p->phase = e->phase;
		break;
	}
	return false;
}

/* The seconds left of a wait phase, rounded up (a countdown that shows 0
 * while time is left reads as "too late"). */
static unsigned
seconds_left(const struct tui_progress *p)
{
	uint32_t left = p->total > p->done ? p->total - p->done : 0;

	return (left + 999u) / 1000u;
}

void
tui_progress_draw(const struct tui_progress *p, int y, int x, int w, const char *waiting_for)
{
	int bar;

	if (!p->running)
		return;
	if (job_phase_counts_time(p->phase)) {
		bool named = p->phase == JOB_PHASE_WAIT_AFTER && waiting_for != NULL;

		tui_putf(y, x, w, TUI_ROLE_HEADING, "%s%s%s%s: %u s left",
			 job_phase_title(p->phase), named ? " (" : "", named ? waiting_for : "",
			 named ? ")" : "", seconds_left(p));
		return;
	}
	if (p->total == 0) {
		tui_putf(y, x, w, TUI_ROLE_HEADING, "%s...", job_phase_title(p->phase));
		return;
	}
	bar = w - 34;
	if (bar < 10)
		bar = 10;
	tui_put(y, x, 12, TUI_ROLE_HEADING, job_phase_title(p->phase));
	tui_bar(y, x + 13, bar, p->done, p->total);
	tui_putf(y, x + 14 + bar, w - 14 - bar, TUI_ROLE_NORMAL, "%3u%% %u/%u B",
		 (unsigned)((uint64_t)(p->done > p->total ? p->total : p->done) * 100u / p->total),
		 p->done, p->total);
}
