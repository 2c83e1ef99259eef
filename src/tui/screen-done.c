/*
 * screen-done.c - step 10: the result, where the backup went, the log;
 * then "unplug the ISP cable and plug the board into USB" and a live wait
 * for the new bootloader's USB ID on the same device source the port step
 * used, shown as found or not found.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

#include "core/clock.h"

#define WAIT_MS_DEFAULT 60000
/* How long the wait lasts: --wait-usb, else a minute. */
#define WAIT_MS (t->opt->wait_usb_s > 0 ? t->opt->wait_usb_s * 1000 : WAIT_MS_DEFAULT)
#define TICK_MS 1000      /* the countdown's step */

enum wait_state {
	WAIT_NONE,        /* the bootloader has no USB ID to look for */
	WAIT_WAITING,
	WAIT_FOUND,
	WAIT_NOT_FOUND,
};

struct done_state {
	struct tui_text text;
	enum wait_state wait;
	long long deadline_ms;    /* when the wait gives up */
	char found[300];
	bool later;          /* the keyboard's firmware: "later" was chosen */
};

/* Seconds left on the wait, rounded up. */
static int
seconds_left(const struct done_state *s)
{
	long long left = s->deadline_ms - (long long)iw_clock_ms();

	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

static struct done_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_done);
}

static bool
is_target_id(const struct tui *t, const struct detect_device *d)
{
	return d->is_usb && d->usb_id.vid == t->bootloader->usb_id.vid &&
	       d->usb_id.pid == t->bootloader->usb_id.pid;
}

static void
found(struct tui *t, const struct detect_device *d)
{
	struct done_state *s = state(t);
	char id[10];

	s->wait = WAIT_FOUND;
	snprintf(s->found, sizeof s->found, "Found: %s (%s)%s%s. The new bootloader is alive.",
		 d->product != NULL ? d->product : "a USB device",
		 catalog_usb_id_str(d->usb_id, id), d->port != NULL ? " on " : "",
		 d->port != NULL ? d->port : "");
	tui_set_timer(t, -1);
	tui_message(t, TUI_ROLE_OK, "All done. Enter or q quits; Esc flashes another board.");
	tui_log(t, "done: %s", s->found);
}

static void
start_wait(struct tui *t)
{
	struct done_state *s = state(t);
	struct tui_source *src;
	const struct detect_list *now;

	s->wait = WAIT_NONE;
	if (t->bootloader == NULL || (t->bootloader->usb_id.vid == 0 &&
				      t->bootloader->usb_id.pid == 0))
		return;
	if ((src = tui_get_source(t)) == NULL)
		return;
	s->wait = WAIT_WAITING;
	now = tui_source_devices(src);
	for (size_t i = 0; i < now->n; i++)
		if (is_target_id(t, &now->items[i])) {
			found(t, &now->items[i]);
			return;
		}
	if (!t->opt->demo_bootloader_silent)
		tui_source_expect(src, t->bootloader->usb_id, 1500);
	s->deadline_ms = (long long)iw_clock_ms() + WAIT_MS;
	tui_set_timer(t, TICK_MS);
	tui_message(t, TUI_ROLE_NORMAL, "Waiting for the board (%d s)...", WAIT_MS / 1000);
}

/* Once the bootloader is there: the keyboard's firmware now (the keyboard
 * step) or later (the command that does it). */
static void
add_keyboard_choice(struct tui *t)
{
	struct done_state *s = state(t);
	char cmd[600];

	tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
	if (tui_production_firmware(t) != NULL) {
		/* It went on with the bootloader: nothing left to upload. */
		tui_text_addf(&s->text, TUI_ROLE_OK, "The keyboard's firmware %s went on with "
			      "the bootloader (the production image): there is nothing more to "
			      "upload.", tui_production_firmware(t));
		return;
	}
	if (!s->later) {
		tui_text_add(&s->text, TUI_ROLE_HEADING, 0, "Flash your keyboard's firmware "
			     "now? y: now, through the new bootloader; n: later.");
		return;
	}
	tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "Later: with the keyboard plugged into "
		     "USB, run");
	tui_text_addf(&s->text, TUI_ROLE_INFO, "  %s", tui_keyboard_command(t, NULL, cmd,
		      sizeof cmd));
}

/* The catalog's notes on the bootloader (how it is entered, combined
 * files): where they matter, when it did not show up. */
static void
add_notes(struct tui *t)
{
	struct done_state *s = state(t);
	char title[200];

	if (t->bootloader != NULL && t->bootloader->n_notes > 0) {
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
		tui_text_addf(&s->text, TUI_ROLE_HEADING, "Notes on %s:",
			      tui_bootloader_title(t->bootloader, title, sizeof title));
		for (size_t i = 0; i < t->bootloader->n_notes; i++) {
			char line[600];

			snprintf(line, sizeof line, "  - %s", t->bootloader->notes[i]);
			tui_text_add(&s->text, TUI_ROLE_NORMAL, 4, line);
		}
	}
}

static void
fill(struct tui *t)
{
	struct done_state *s = state(t);
	const struct job_result *r = t->result;
	char id[10], title[200];

	tui_text_clear(&s->text);
	tui_text_init(&s->text, COLS - 4);
	/* Named by the identity of what was verified, never by the row picked. */
	tui_text_addf(&s->text, TUI_ROLE_OK, "The %s now holds %s%s%s, written and verified.",
		      catalog_part_label(t->part), tui_flashed_name(t, title, sizeof title),
		      tui_production_active(t) ? " plus the keyboard's firmware " : "",
		      tui_production_active(t) ? strrchr(tui_production_firmware(t), '/') != NULL ?
		      strrchr(tui_production_firmware(t), '/') + 1 : tui_production_firmware(t) : "");
	tui_text_addf(&s->text, TUI_ROLE_DIM, "%u page%s written, %u blank skipped, %u "
		      "verified, in %.1f s.", r->pages_written, r->pages_written == 1 ? "" : "s",
		      r->pages_skipped, r->pages_verified, r->seconds);
	if (fuse_set_any(&r->fuses_written))
		tui_text_addf(&s->text, TUI_ROLE_NORMAL, "Fuses now: lfuse 0x%02X, hfuse 0x%02X, "
			      "efuse 0x%02X (read back and checked).", r->fuses_after.value[FUSE_LOW],
			      r->fuses_after.value[FUSE_HIGH], r->fuses_after.value[FUSE_EXT]);
	else
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 2, "The fuses already had the right values.");
	tui_note_backup(t, r);
	if (t->first_backup_hex[0] != '\0')
		tui_describe_backups(t, &s->text);
	else
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 2, "No backup was taken.");
	if (tui_log_enabled(t) && t->opt->log_path != NULL)
		tui_text_addf(&s->text, TUI_ROLE_DIM, "The session log has every step and "
			      "job event: %s", t->opt->log_path);
	else
		tui_text_add(&s->text, TUI_ROLE_DIM, 2, "No log was kept; start ispwiz with "
			     "--log FILE to keep one.");
	tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "");
	if (s->wait == WAIT_NONE) {
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 0, "Unplug the ISP cable and plug the "
			     "keyboard into USB.");
		return;
	}
	tui_text_addf(&s->text, TUI_ROLE_HEADING, "Now unplug the ISP cable and plug the "
		      "board into USB. Waiting for %s (USB ID %s)...",
		      tui_bootloader_title(t->bootloader, title, sizeof title),
		      catalog_usb_id_str(t->bootloader->usb_id, id));
	if (s->wait == WAIT_FOUND) {
		tui_text_add(&s->text, TUI_ROLE_OK, 2, s->found);
		add_keyboard_choice(t);
	} else if (s->wait == WAIT_WAITING) {
		tui_text_addf(&s->text, TUI_ROLE_NORMAL, "%d s left of %d s.", seconds_left(s),
			      WAIT_MS / 1000);
	} else if (s->wait == WAIT_NOT_FOUND) {
		tui_text_addf(&s->text, TUI_ROLE_ERROR, "Not found: nothing with USB ID %s "
			      "appeared within %d s. Check the USB cable, then:",
			      catalog_usb_id_str(t->bootloader->usb_id, id), WAIT_MS / 1000);
		tui_done_advice(&s->text, t->part, t->bootloader, &r->fuses_after);
		tui_text_add(&s->text, TUI_ROLE_NORMAL, 2, "r waits again.");
		add_notes(t);
	}
}

static void
enter(struct tui *t)
{
	struct done_state *s = state(t);

	memset(s, 0, sizeof *s);
	tui_text_init(&s->text, COLS - 4);
	start_wait(t);
	fill(t);
}

static void
leave(struct tui *t)
{
	struct done_state *s = state(t);

	tui_set_timer(t, -1);
	tui_text_clear(&s->text);
}

static void
layout(struct tui *t)
{
	fill(t);
}

static void
draw(struct tui *t)
{
	struct done_state *s = state(t);

	tui_put(tui_body_top() + 1, 2, COLS - 4, TUI_ROLE_HEADING, "Done");
	tui_text_draw(&s->text, tui_body_top() + 2, 2, tui_body_rows() - 2, COLS - 4);
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	struct done_state *s = state(t);

	if (ev->kind == TUI_EV_DEVICE && s->wait == WAIT_WAITING &&
	    ev->device->action == HOTPLUG_ADD && is_target_id(t, ev->device->dev)) {
		found(t, ev->device->dev);
		fill(t);
	} else if (ev->kind == TUI_EV_TIMER && s->wait == WAIT_WAITING &&
		   seconds_left(s) > 0) {
		/* The countdown: a tick a second until the deadline. */
		tui_set_timer(t, TICK_MS);
		fill(t);
		t->dirty = true;
	} else if (ev->kind == TUI_EV_TIMER && s->wait == WAIT_WAITING) {
		s->wait = WAIT_NOT_FOUND;
		tui_message(t, TUI_ROLE_ERROR, "The bootloader did not show up. r waits again.");
		tui_log(t, "done: USB ID not found");
		fill(t);
	}
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct done_state *s = state(t);

	(void)ch;
	if (tui_text_scroll(&s->text, a, tui_body_rows() - 2))
		return;
	if (a == TUI_ACT_YES && s->wait == WAIT_FOUND && tui_production_firmware(t) == NULL) {
		tui_keyboard_begin(t);
	} else if (a == TUI_ACT_NO && s->wait == WAIT_FOUND) {
		s->later = true;
		tui_log(t, "done: the keyboard's firmware later");
		fill(t);
	} else if (a == TUI_ACT_NEXT) {
		tui_request_quit(t);
	} else if (a == TUI_ACT_RETRY && s->wait == WAIT_NOT_FOUND) {
		start_wait(t);
		fill(t);
	} else if (a == TUI_ACT_BACK) {
		/* Another board: back to the target step, never into the flash
		 * step (that would write again); its backups are its own. */
		tui_forget_backups(t);
		tui_goto(t, &tui_screen_target);
	}
}

static const char *
keys_now(const struct tui *t)
{
	const struct done_state *s = state(t);

	return s->wait == WAIT_FOUND && !s->later ?
	       "y firmware now  n later  Enter quit  Esc another board" : NULL;
}

const struct tui_screen tui_screen_done = {
	.name = "Done",
	.data_size = sizeof(struct done_state),
	.help = "The chip was written and verified. Unplug the ISP wires, then plug the "
		"keyboard into USB on its own: ispwiz watches for the USB ID the new "
		"bootloader enumerates with and says whether it appeared. To flash "
		"another board of the same kind, press Esc: it starts again at the "
		"target step. Once the bootloader is there, y goes on to flash the "
		"keyboard's own firmware through it; n shows the command that does it "
		"later.",
	.keys = "Enter quit  r wait again  Esc another board",
	.keys_now = keys_now,
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.action = action,
	.event = event,
};
