/*
 * screen-firmware.c - step 3, only for programmers that are themselves AVR
 * boards (Pro Micro, Teensy 2.0): ispwiz loads their ISP firmware itself,
 * through the board's own bootloader (Caterina, HalfKay), with the same
 * job the `ispwiz prepare` command runs (job_plan_prepare on the worker
 * thread).
 *
 *   - a board that already runs the ISP firmware (its programmer USB ID is
 *     plugged in, now or while the step is open) is recognised: the step
 *     says so and moves on by itself, once;
 *   - otherwise the file field holds the upstream file when it is here or
 *     in the download cache, with the known-image check under it; d
 *     downloads it (and checks it) when it is not;
 *   - Enter loads it: the job asks a running sketch to start its bootloader
 *     (the 1200-baud touch) or tells the person to start it by hand, with a
 *     live countdown of the wait; then a bar for the write and the verify,
 *     the wait for the programmer's own USB ID, and the result.  A file
 *     that is not the known upstream one is loaded only after a yes; one
 *     that is something else ispwiz knows is refused.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>

#define FIELD_X 10
#define WAIT_MS 60000u          /* for the bootloader, then for the programmer */
#define MOVE_ON_MS 1500

enum fw_stage {
	FW_FILE,          /* choose the file, load it */
	FW_FETCHING,      /* downloading it */
	FW_LOADING,       /* the upload job runs */
	FW_LOADED,        /* done: the programmer is there */
	FW_READY,         /* it already ran the firmware */
};

struct firmware_state {
	enum fw_stage stage;
	bool moved_on;               /* READY moved on by itself once: never again */
	struct tui_form form;
	bool field_focus;
	struct tui_text intro;
	char note[600];              /* the file against the known image */
	enum tui_role note_role;
	char result[600];
	enum tui_role result_role;
	struct tui_progress job;
	bool job_is_fetch;
	struct hex_image *img;       /* what the upload writes: outlives the job */
	char path[4096];
	struct job_plan plan;
};

static struct firmware_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_firmware);
}

static bool
applies(const struct tui *t)
{
	return t->programmer != NULL && t->programmer->firmware != NULL;
}

static bool
is_caterina(const struct tui *t)
{
	const char *loader = t->programmer->firmware->loader;

	return loader != NULL && strcmp(loader, "caterina") == 0;
}

static int
form_y(void)
{
	return tui_body_top() + 9;
}

static int
log_y(void)
{
	return form_y() + 5;
}

static int
log_rows(void)
{
	return tui_body_rows_from(log_y());
}

/* A device with the programmer's own USB ID and a port: a board that runs
 * the ISP firmware already. */
static bool
is_programmer(const struct tui *t, const struct detect_device *d)
{
	const struct catalog_programmer *pg = t->programmer;

	for (size_t i = 0; d->is_usb && d->port != NULL && i < pg->n_usb_ids; i++)
		if (d->usb_id.vid == pg->usb_ids[i].vid && d->usb_id.pid == pg->usb_ids[i].pid)
			return true;
	return false;
}

static void
ready(struct tui *t, const struct detect_device *d)
{
	struct firmware_state *s = state(t);
	char id[10];

	s->stage = FW_READY;
	snprintf(s->result, sizeof s->result, "The %s already runs its ISP firmware: found "
		 "it at %s (USB ID %s). Nothing to load.", t->programmer->name, d->port,
		 catalog_usb_id_str(d->usb_id, id));
	s->result_role = TUI_ROLE_OK;
	tui_log(t, "firmware: %s", s->result);
	if (!s->moved_on) {
		tui_set_timer(t, MOVE_ON_MS);
		tui_message(t, TUI_ROLE_OK, "Going on to the wiring...");
	} else {
		tui_message(t, TUI_ROLE_OK, "Press Enter to go on.");
	}
}

static bool
check_present(struct tui *t)
{
	struct tui_source *src = tui_get_source(t);
	const struct detect_list *now;

	if (src == NULL)
		return false;
	now = tui_source_devices(src);
	for (size_t i = 0; i < now->n; i++)
		if (is_programmer(t, &now->items[i])) {
			ready(t, &now->items[i]);
			return true;
		}
	return false;
}

/* The note under the field: what the file is.  The image (read) into
 * *out when asked; the judgement's status. */
static enum iw_status
judge(struct tui *t, const char *path, struct hex_image **out, struct iw_error *err)
{
	struct firmware_state *s = state(t);
	const struct catalog_part *part;
	struct hex_image *img;
	enum iw_status st;
	bool known;

	s->note[0] = '\0';
	if (path[0] == '\0')
		return iw_error_set(err, IW_NOT_FOUND, "no file");
	if ((part = job_prepare_part(t->cat, t->programmer, err)) == NULL)
		goto refused;
	if ((img = hex_image_new()) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	if ((st = catalog_read_image(t->cat, img, path, err)) != IW_OK) {
		hex_image_free(img);
		goto refused;
	}
	st = job_prepare_judge(t->cat, t->programmer, part, img, path, &known, err);
	if (st == IW_OK) {
		snprintf(s->note, sizeof s->note, "The known upstream %s (checked by its "
			 "identity).", t->programmer->firmware->file);
		s->note_role = TUI_ROLE_OK;
	} else {
		snprintf(s->note, sizeof s->note, "%.590s", err->msg);
		s->note_role = st == IW_CONFIRM ? TUI_ROLE_WARNING : TUI_ROLE_ERROR;
	}
	if (out != NULL && (st == IW_OK || st == IW_CONFIRM))
		*out = img;
	else
		hex_image_free(img);
	return st;
refused:
	snprintf(s->note, sizeof s->note, "%.590s", err->msg);
	s->note_role = TUI_ROLE_ERROR;
	return err->code != IW_OK ? err->code : IW_INPUT;
}

static void
fill_intro(struct tui *t)
{
	struct firmware_state *s = state(t);
	const struct catalog_isp_firmware *fw = t->programmer->firmware;

	tui_text_clear(&s->intro);
	tui_text_init(&s->intro, COLS - 4);
	tui_text_addf(&s->intro, TUI_ROLE_NORMAL, "The board becomes an ISP programmer only "
		      "while it runs QMK's ISP firmware (%s). ispwiz loads it once, through "
		      "the board's own %s bootloader: plug the board in on its own, not the "
		      "keyboard.", fw->file, is_caterina(t) ? "Caterina" : "HalfKay");
	if (is_caterina(t))
		tui_text_add(&s->intro, TUI_ROLE_DIM, 0, "A board that runs a sketch is asked "
			     "to start its bootloader (the 1200-baud touch). Otherwise, when "
			     "asked: short RST to GND twice quickly; the bootloader then waits "
			     "8 s (only 750 ms after a single reset).");
	else
		tui_text_add(&s->intro, TUI_ROLE_DIM, 0, "When asked, press the Teensy's "
			     "button: HalfKay then waits until it is written.");
}

static void
enter(struct tui *t)
{
	struct firmware_state *s = state(t);
	bool moved_on = s->moved_on;
	int widths[1] = { 56 };
	struct iw_error err;
	char path[4096];

	memset(s, 0, sizeof *s);
	s->moved_on = moved_on;
	tui_text_init(&s->intro, COLS - 4);
	tui_progress_init(&s->job, COLS - 2);
	tui_form_init(&s->form, widths, 1);
	tui_form_focus(&s->form, false);
	s->stage = FW_FILE;
	if (check_present(t))
		return;
	if (job_prepare_find_file(t->programmer, path, sizeof path, &err) == IW_OK) {
		snprintf(s->path, sizeof s->path, "%s", path);
		judge(t, path, NULL, &err);
	} else {
		snprintf(s->note, sizeof s->note, "%s is not here yet: press d to download "
			 "it (it is checked before it is kept), or type its path.",
			 t->programmer->firmware->file);
		s->note_role = TUI_ROLE_INFO;
	}
}

static void
leave(struct tui *t)
{
	struct firmware_state *s = state(t);

	tui_set_timer(t, -1);
	tui_form_free(&s->form);
	tui_text_clear(&s->intro);
	tui_progress_free(&s->job);
	hex_image_free(s->img);
	s->img = NULL;
}

static void
layout(struct tui *t)
{
	struct firmware_state *s = state(t);

	fill_intro(t);
	s->job.log.width = COLS - 4;
	tui_form_place(&s->form, form_y(), FIELD_X);
	if (s->path[0] != '\0') {
		tui_form_set(&s->form, 0, s->path);
		s->path[0] = '\0';
	}
	tui_form_goto(&s->form, 0);
}

static void
draw(struct tui *t)
{
	struct firmware_state *s = state(t);
	int y = tui_body_top() + 1;

	tui_putf(y, 2, COLS - 4, TUI_ROLE_HEADING, "First: the ISP firmware for the %s",
		 t->programmer->name);
	tui_text_draw(&s->intro, y + 1, 2, form_y() - y - 2, COLS - 4);
	tui_put(form_y(), 2, 8, TUI_ROLE_NORMAL, "File:");
	tui_text_put(form_y() + 1, 2, s->note_role, s->note);
	if (s->job.running) {
		tui_progress_draw(&s->job, form_y() + 3, 2, COLS - 4,
				  s->job_is_fetch ? NULL : t->programmer->name);
		/* The job said nobody started the bootloader: what to do, now. */
		if (!s->job_is_fetch && s->job.warned && s->job.phase == JOB_PHASE_WAIT)
			tui_put(form_y() + 4, 2, COLS - 4, TUI_ROLE_WARNING, is_caterina(t) ?
				"Now: short RST to GND twice quickly (the bootloader then "
				"waits 8 s)." : "Now: press the Teensy's button.");
	}
	else if (s->result[0] != '\0')
		tui_text_put(form_y() + 3, 2, s->result_role, s->result);
	tui_text_draw(&s->job.log, log_y(), 2, log_rows(), COLS - 4);
}

static void
paint(struct tui *t)
{
	struct firmware_state *s = state(t);

	tui_form_focus(&s->form, s->field_focus);
	tui_form_refresh(&s->form);
}

static bool
text_focus(const struct tui *t)
{
	return state(t)->field_focus;
}

static void
start_upload(struct tui *t)
{
	struct firmware_state *s = state(t);
	const struct catalog_part *part;
	struct iw_error err;

	if (s->img == NULL || (part = job_prepare_part(t->cat, t->programmer, &err)) == NULL)
		return;
	job_plan_prepare(&s->plan, t->cat, t->programmer, part, s->img, s->path);
	s->plan.wait_ms = WAIT_MS;
	s->job_is_fetch = false;
	s->result[0] = '\0';
	s->field_focus = false;
	if (!tui_progress_start(t, &s->job, &s->plan))
		return;
	s->stage = FW_LOADING;
	tui_message(t, TUI_ROLE_NORMAL, "%s", is_caterina(t) ? "Loading. If asked: short "
		    "RST to GND twice quickly. c cancels." : "Loading. If asked: press the "
		    "Teensy's button. c cancels.");
}

static void
load(struct tui *t)
{
	struct firmware_state *s = state(t);
	struct iw_error err;
	enum iw_status st;

	tui_form_get(&s->form, 0, s->path, sizeof s->path);
	if (s->path[0] == '\0') {
		tui_message(t, TUI_ROLE_ERROR, "No file: press d to download %s, or type its "
			    "path (Tab completes).", t->programmer->firmware->file);
		return;
	}
	hex_image_free(s->img);
	s->img = NULL;
	iw_error_clear(&err);
	st = judge(t, s->path, &s->img, &err);
	if (st == IW_CONFIRM) {
		tui_ask(t, start_upload, "%.300s. Load it anyway?", err.msg);
		return;
	}
	if (st != IW_OK) {
		tui_message(t, TUI_ROLE_ERROR, "Not loaded: %.400s", err.msg);
		return;
	}
	start_upload(t);
}

static void
download(struct tui *t)
{
	struct firmware_state *s = state(t);

	job_plan_init(&s->plan);
	s->plan.kind = JOB_KIND_FETCH;
	s->plan.catalog = t->cat;
	s->plan.fetch_id = t->programmer->id;
	s->job_is_fetch = true;
	s->result[0] = '\0';
	s->field_focus = false;
	if (tui_progress_start(t, &s->job, &s->plan)) {
		s->stage = FW_FETCHING;
		tui_message(t, TUI_ROLE_NORMAL, "Downloading %s... c cancels.",
			    t->programmer->firmware->file);
	}
}

/* What to do after a failed upload, by what failed. */
static const char *
upload_hint(const struct tui *t, enum iw_status st)
{
	switch (st) {
	case IW_NO_PROGRAMMER:
		return is_caterina(t) ? "Enter tries again: short RST to GND twice quickly "
		       "right after it. Try another USB cable (a charge-only one carries no "
		       "data); a port that comes and goes may be ModemManager's doing "
		       "(`ispwiz doctor`)." : "Enter tries again: press the Teensy's button "
		       "right after it. Try another USB cable (a charge-only one carries no "
		       "data).";
	case IW_CANCELLED:
		return "Cancelled. Enter loads the firmware again.";
	default:
		return "Enter loads the firmware again (it can simply be loaded once more).";
	}
}

static void
job_ended(struct tui *t)
{
	struct firmware_state *s = state(t);
	const struct job_result *r = &s->job.res;
	struct iw_error err;

	if (s->job_is_fetch) {
		s->stage = FW_FILE;
		if (r->status != IW_OK) {
			snprintf(s->result, sizeof s->result, "%.590s", r->error.msg);
			s->result_role = TUI_ROLE_ERROR;
			tui_message(t, TUI_ROLE_ERROR, "The download failed (see above).");
			return;
		}
		tui_form_set(&s->form, 0, r->fetched);
		judge(t, r->fetched, NULL, &err);
		snprintf(s->result, sizeof s->result, "%s %.500s.", r->fetched_cached ?
			 "Already downloaded:" : "Downloaded and checked:", r->fetched);
		s->result_role = TUI_ROLE_OK;
		tui_message(t, TUI_ROLE_OK, "Press Enter to load it onto the board.");
		return;
	}
	if (r->status == IW_OK) {
		s->stage = FW_LOADED;
		snprintf(s->result, sizeof s->result, "The ISP firmware is on the board (%s) and "
			 "it is back as the %s at %s.", r->not_verified ? "written; " "the "
			 "bootloader cannot read back, so it is not verified" : "written and "
			 "verified", t->programmer->name, r->new_port);
		s->result_role = TUI_ROLE_OK;
		tui_message(t, TUI_ROLE_OK, "Press Enter to go on to the wiring.");
		tui_log(t, "firmware: loaded, programmer at %s", r->new_port);
		return;
	}
	s->stage = FW_FILE;
	snprintf(s->result, sizeof s->result, "%.590s", r->error.msg);
	s->result_role = r->status == IW_CANCELLED ? TUI_ROLE_WARNING : TUI_ROLE_ERROR;
	tui_message(t, r->status == IW_CANCELLED ? TUI_ROLE_WARNING : TUI_ROLE_ERROR, "%s",
		    upload_hint(t, r->status));
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	struct firmware_state *s = state(t);

	if (tui_progress_take(t, &s->job, ev, log_rows(), job_ended))
		return;
	if (ev->kind == TUI_EV_DEVICE && s->stage == FW_FILE &&
	    ev->device->action == HOTPLUG_ADD && is_programmer(t, ev->device->dev)) {
		ready(t, ev->device->dev);
		return;
	}
	if (ev->kind == TUI_EV_TIMER && s->stage == FW_READY && !s->moved_on) {
		s->moved_on = true;
		tui_next(t);
	}
}

static void
do_cancel(struct tui *t)
{
	if (state(t)->job.running)
		tui_job_cancel(t);
}

static void
file_action(struct tui *t, enum tui_action a, int ch)
{
	struct firmware_state *s = state(t);

	switch (a) {
	case TUI_ACT_NEXT:
		load(t);
		return;
	case TUI_ACT_BACK:
		if (s->field_focus)
			s->field_focus = false;
		else
			tui_back(t);
		return;
	case TUI_ACT_DOWNLOAD:
		download(t);
		return;
	case TUI_ACT_UP:
		s->field_focus = false;
		return;
	case TUI_ACT_DOWN:
		s->field_focus = true;
		return;
	case TUI_ACT_TAB:
		if (!s->field_focus) {
			s->field_focus = true;
			return;
		}
		tui_form_complete(t, &s->form, 0, tui_complete_path);
		return;
	default:
		if (s->field_focus)
			tui_form_action(&s->form, a, ch);
		else
			tui_text_scroll(&s->job.log, a, log_rows());
	}
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct firmware_state *s = state(t);

	switch (s->stage) {
	case FW_FETCHING:
	case FW_LOADING:
		tui_progress_key(t, &s->job, a, log_rows(), do_cancel, s->stage == FW_FETCHING ?
				 "Stop the download? Nothing is kept." : "Stop loading the "
				 "firmware? A board left half-written only needs the firmware "
				 "loaded again.");
		return;
	case FW_READY:
	case FW_LOADED:
		if (a == TUI_ACT_NEXT) {
			tui_set_timer(t, -1);
			s->moved_on = true;
			tui_next(t);
		} else if (a == TUI_ACT_BACK) {
			tui_back(t);
		} else {
			tui_text_scroll(&s->job.log, a, log_rows());
		}
		return;
	case FW_FILE:
		file_action(t, a, ch);
		return;
	}
}

static const char *
keys_now(const struct tui *t)
{
	struct firmware_state *s = state(t);

	switch (s->stage) {
	case FW_FETCHING:
	case FW_LOADING:
		return "c cancel";
	case FW_READY:
	case FW_LOADED:
		return "Enter go on  Esc back";
	case FW_FILE:
		break;
	}
	return s->field_focus ? "Enter load  Tab complete  Up/Esc leave the field" :
	       "Enter load it  d download it  Tab/Down edit the file  Esc back";
}

const struct tui_screen tui_screen_firmware = {
	.name = "Firmware",
	.help = "Boards such as the Pro Micro and the Teensy 2.0 become ISP programmers "
		"only while they run QMK's ISP firmware. ispwiz loads it onto the "
		"programmer board (not onto the keyboard!) through the board's own "
		"bootloader: d downloads the upstream file (kept only when it is the "
		"known one), Enter loads it. For a Pro Micro without a running sketch, "
		"short RST to GND twice quickly when asked: its bootloader waits only "
		"8 s, the countdown shows how long ispwiz keeps looking. A board that "
		"already runs the firmware is recognised and the step is skipped.",
	.data_size = sizeof(struct firmware_state),
	.keys = "Enter load it  d download it  Esc back",
	.keys_now = keys_now,
	.applies = applies,
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
	.event = event,
	.text_focus = text_focus,
};
