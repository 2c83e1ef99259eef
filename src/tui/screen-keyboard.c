/*
 * screen-keyboard.c - the last step, only when the person chose "flash
 * your keyboard's firmware now" on the Done step: the keyboard gets its
 * firmware through the bootloader just flashed, so the wizard ends with a
 * working keyboard.
 *
 *   - the keyboard's QMK name (optional) is read from the local QMK
 *     checkout (core/qmk.c, what --keyboard reads): its chip must be the
 *     one flashed, its BOOTLOADER should be the one now on the chip, and
 *     the built <keyboard>_<keymap>.hex in the checkout fills the file;
 *   - the file: a bootloader's own file or a programmer's ISP firmware is
 *     refused; a .bin (raw binary at 0x0000) is taken only when the
 *     bootloader is Atmel DFU (job_upload_read_file); the rest (fit below
 *     the bootloader's section, the part) the upload job checks;
 *   - Enter uploads it with the upload job (job-upload.c) through the
 *     client of the flashed bootloader's family: the job waits for the
 *     bootloader on USB (a countdown), then a bar for the write and the
 *     verify, and the result: verified, or "this bootloader cannot read
 *     back" where that is so;
 *   - in the demo nothing is real: the keyboard is the demo's simulated
 *     chip, whose simulated bootloader (boot-sim.c) takes the demo's
 *     stand-in firmware (or any file given) through the same upload job,
 *     paced like the demo's ISP jobs, instead of waiting for a device.
 */
#include "tui/tui-int.h"

#include <glob.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/catalog-identify.h"
#include "core/qmk.h"

#define FIELD_X 12
#define WAIT_MS 60000u

enum { F_KEYBOARD, F_FILE, F_COUNT };

struct keyboard_state {
	bool wanted;                 /* chosen on the Done step */
	struct tui_form form;
	size_t focus;
	struct tui_text intro;
	char note[700];
	enum tui_role note_role;
	char result[700];
	enum tui_role result_role;
	bool done;                   /* uploaded */
	struct tui_progress job;
	struct hex_image *img;       /* what the upload writes: outlives the job */
	bool raw;                    /* it came from a .bin */
	char path[4096];
};

static struct keyboard_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_keyboard);
}

static bool
applies(const struct tui *t)
{
	return state(t)->wanted && t->bootloader != NULL && t->part != NULL;
}

void
tui_keyboard_begin(struct tui *t)
{
	state(t)->wanted = true;
	tui_goto(t, &tui_screen_keyboard);
}

const char *
tui_keyboard_command(const struct tui *t, const char *file, char *buf, size_t size)
{
	snprintf(buf, size, "ispwiz upload -p %s%s%s -f %s", t->part->id,
		 t->bootloader->family != NULL ? " --via " : "",
		 t->bootloader->family != NULL ? t->bootloader->family : "",
		 file != NULL && file[0] != '\0' ? file : "KEYBOARD_KEYMAP.hex");
	return buf;
}

static int
form_y(void)
{
	return tui_body_top() + 6;
}

static int
log_y(void)
{
	return form_y() + 7;
}

static int
log_rows(void)
{
	return tui_body_rows_from(log_y());
}

static void
fill_intro(struct tui *t)
{
	struct keyboard_state *s = state(t);
	char title[200];

	tui_text_clear(&s->intro);
	tui_text_init(&s->intro, COLS - 4);
	if (t->demo != NULL) {
		tui_text_addf(&s->intro, TUI_ROLE_WARNING, "The demo has no keyboard: its "
			      "simulated chip's %s bootloader takes the demo's stand-in firmware "
			      "(filled in below) through the same upload as a real one. On a "
			      "real keyboard give its QMK name or its .hex.",
			      tui_bootloader_title(t->bootloader, title, sizeof title));
		return;
	}
	tui_text_addf(&s->intro, TUI_ROLE_NORMAL, "Leave the keyboard plugged into USB: its "
		      "new bootloader (%s) writes the firmware. Give the keyboard's QMK name to "
		      "check it and find its build (qmk compile -kb KEYBOARD -km KEYMAP), or "
		      "the .hex file's path.", tui_bootloader_title(t->bootloader, title,
		      sizeof title));
}

static void
enter(struct tui *t)
{
	struct keyboard_state *s = state(t);
	int widths[F_COUNT] = { 40, 56 };

	s->wanted = true;
	memset(&s->form, 0, sizeof *s - offsetof(struct keyboard_state, form));
	tui_text_init(&s->intro, COLS - 4);
	tui_progress_init(&s->job, COLS - 4);
	tui_form_init(&s->form, widths, F_COUNT);
	s->focus = F_KEYBOARD;
	snprintf(s->note, sizeof s->note, "The keyboard's name is optional (e.g. crkbd/rev1; "
		 "Tab completes it): Enter looks it up. Or type the file's path below.");
	s->note_role = TUI_ROLE_DIM;
	if (t->demo != NULL)
		tui_form_set(&s->form, F_FILE, demo_firmware_path(t->demo));
}

static void
leave(struct tui *t)
{
	struct keyboard_state *s = state(t);

	tui_form_free(&s->form);
	tui_text_clear(&s->intro);
	tui_progress_free(&s->job);
	hex_image_free(s->img);
	s->img = NULL;
}

static void
layout(struct tui *t)
{
	struct keyboard_state *s = state(t);

	fill_intro(t);
	s->job.log.width = COLS - 4;
	tui_form_place(&s->form, form_y(), FIELD_X);
	tui_form_goto(&s->form, s->focus);
}

static void
draw(struct tui *t)
{
	struct keyboard_state *s = state(t);
	int y = tui_body_top() + 1;

	tui_put(y, 2, COLS - 4, TUI_ROLE_HEADING, "Flash your keyboard's firmware");
	tui_text_draw(&s->intro, y + 1, 2, form_y() - y - 1, COLS - 4);
	tui_put(form_y(), 2, FIELD_X - 2, TUI_ROLE_NORMAL, "Keyboard:");
	tui_put(form_y() + 1, 2, FIELD_X - 2, TUI_ROLE_NORMAL, "File:");
	tui_text_put(form_y() + 2, 3, s->note_role, s->note);
	if (s->job.running)
		tui_progress_draw(&s->job, form_y() + 5, 2, COLS - 4, NULL);
	else if (s->result[0] != '\0')
		tui_text_put(form_y() + 5, 2, s->result_role, s->result);
	tui_text_draw(&s->job.log, log_y(), 2, log_rows(), COLS - 4);
}

static void
paint(struct tui *t)
{
	struct keyboard_state *s = state(t);

	tui_form_focus(&s->form, !s->job.running && !s->done);
	tui_form_refresh(&s->form);
}

static bool
text_focus(const struct tui *t)
{
	const struct keyboard_state *s = state(t);

	return !s->job.running && !s->done;
}

/* The built firmware of keyboard `name` in the checkout: QMK writes
 * <keyboard with / as _>_<keymap>.<ext> at its top (.hex, or .bin for
 * some boards).  The one match into `path`; how many there were. */
static size_t
find_built(const char *home, const char *name, const char *ext, char *path, size_t size)
{
	char pattern[1400], flat[QMK_TEXT_MAX * 4];
	glob_t g;
	size_t n = 0;

	snprintf(flat, sizeof flat, "%.250s", name);
	for (char *c = flat; *c != '\0'; c++)
		if (*c == '/')
			*c = '_';
	snprintf(pattern, sizeof pattern, "%s/%s_*.%s", home, flat, ext);
	if (glob(pattern, 0, NULL, &g) == 0) {
		n = g.gl_pathc;
		if (n == 1)
			snprintf(path, size, "%s", g.gl_pathv[0]);
	}
	globfree(&g);
	return n;
}

/* The keyboard's QMK definition against what was flashed; fills the file
 * field from the checkout.  The note says what was found. */
static void
look_up(struct tui *t, const char *name)
{
	struct keyboard_state *s = state(t);
	struct qmk_keyboard kb;
	struct qmk_choice ch;
	struct iw_error err;
	char path[4096];
	size_t n;

	s->note_role = TUI_ROLE_ERROR;
	if (qmk_keyboard_read(name, &kb, &err) != IW_OK) {
		snprintf(s->note, sizeof s->note, "%.690s", err.msg);
		return;
	}
	/* Only the part and the family matter here: a bootloader ispwiz
	 * cannot put on, or several of the family, is not this step's
	 * business (it is on the chip already). */
	if (qmk_choose(t->cat, &kb, name, &ch, &err) != IW_OK && ch.part == NULL) {
		snprintf(s->note, sizeof s->note, "%.690s", err.msg);
		return;
	}
	if (ch.part != t->part) {
		snprintf(s->note, sizeof s->note, "Keyboard %.100s has the %s (%.300s), but the chip "
			 "flashed is the %s: check the keyboard's name.", name,
			 ch.part != NULL ? catalog_part_label(ch.part) : kb.processor,
			 kb.where_processor, catalog_part_label(t->part));
		return;
	}
	if (ch.family != NULL && t->bootloader->family != NULL &&
	    strcmp(ch.family, t->bootloader->family) != 0) {
		snprintf(s->note, sizeof s->note, "Keyboard %.100s is built for the %s bootloader "
			 "(%.300s), but the chip now has %s: its firmware would not find its "
			 "bootloader again; build it with BOOTLOADER = %s.", name, kb.bootloader,
			 kb.where_bootloader, catalog_family_label(t->bootloader->family),
			 t->bootloader->family);
		s->note_role = TUI_ROLE_WARNING;
	} else {
		snprintf(s->note, sizeof s->note, "Keyboard %.100s: %s, bootloader %s (%.300s).", name,
			 catalog_part_label(ch.part), kb.bootloader[0] != '\0' ? kb.bootloader :
			 "not named", kb.where_bootloader[0] != '\0' ? kb.where_bootloader :
			 kb.where_processor);
		s->note_role = TUI_ROLE_OK;
	}
	n = find_built(kb.home, name, "hex", path, sizeof path);
	/* Only Atmel DFU takes a .bin (job_upload_read_file). */
	if (n == 0 && t->bootloader->family != NULL &&
	    strcmp(t->bootloader->family, JOB_RAW_BINARY_VIA) == 0)
		n = find_built(kb.home, name, "bin", path, sizeof path);
	if (n == 1) {
		tui_form_set(&s->form, F_FILE, path);
	} else {
		size_t used = strlen(s->note);

		snprintf(s->note + used, sizeof s->note - used, n == 0 ? " No built firmware "
			 "in %.300s yet: qmk compile it, or type the file's path." : " Several "
			 "builds in %.300s: type which one.", kb.home);
	}
	s->focus = F_FILE;
	tui_form_goto(&s->form, F_FILE);
}

/* The file read and judged: a bootloader or an ISP firmware is refused. */
static bool
read_file(struct tui *t)
{
	struct keyboard_state *s = state(t);
	const struct catalog_programmer *pg;
	struct catalog_matches m;
	struct iw_error err;

	hex_image_free(s->img);
	if ((s->img = hex_image_new()) == NULL) {
		tui_message(t, TUI_ROLE_ERROR, "Out of memory.");
		return false;
	}
	/* A .bin only where the bootloader just flashed is Atmel DFU. */
	if (job_upload_read_file(t->cat, t->bootloader->family, s->img, s->path, &s->raw,
				 &err) != IW_OK ||
	    job_upload_check_file(t->cat, s->img, s->path, &err) != IW_OK)
		goto refused;
	if (catalog_identify(t->cat, s->img, &m, &err) != IW_OK)
		goto refused;
	if ((pg = catalog_matches_firmware(&m)) != NULL) {
		iw_error_set(&err, IW_REFUSED, "%s is the ISP firmware of the %s, not a "
			     "keyboard's firmware", s->path, catalog_programmer_label(pg));
		goto refused;
	}
	return true;
refused:
	snprintf(s->note, sizeof s->note, "%.690s", err.msg);
	s->note_role = TUI_ROLE_ERROR;
	tui_message(t, TUI_ROLE_ERROR, "Not uploaded (see above).");
	hex_image_free(s->img);
	s->img = NULL;
	return false;
}

static void
upload(struct tui *t)
{
	struct keyboard_state *s = state(t);
	struct job_plan plan;

	tui_form_get(&s->form, F_FILE, s->path, sizeof s->path);
	if (s->path[0] == '\0') {
		tui_message(t, TUI_ROLE_ERROR, "Give the keyboard's firmware file (.hex; .bin "
			    "for Atmel DFU), or its QMK name above.");
		return;
	}
	if (!read_file(t))
		return;
	job_plan_init(&plan);
	plan.kind = JOB_KIND_UPLOAD;
	plan.catalog = t->cat;
	plan.part = t->part;
	plan.image = s->img;
	plan.image_path = s->path;
	plan.image_raw = s->raw;
	/* The wizard knows which bootloader it just put on (which also tells
	 * USBaspLoader from a USBasp programmer). */
	plan.via = t->bootloader->family;
	plan.wait_ms = WAIT_MS;
	/* The demo's keyboard is its simulated chip: no device to wait for. */
	if (t->demo != NULL)
		demo_apply(t->demo, &plan);
	s->result[0] = '\0';
	if (tui_progress_start(t, &s->job, &plan))
		tui_message(t, TUI_ROLE_NORMAL, t->demo != NULL ? "Uploading to the simulated "
			    "chip. c cancels." : "Uploading; keep the keyboard plugged in. c "
			    "cancels.");
	else
		tui_message(t, TUI_ROLE_ERROR, "%s", s->job.res.error.msg);
}

static void
ended(struct tui *t)
{
	struct keyboard_state *s = state(t);
	const struct job_result *r = &s->job.res;
	char cmd[4400];

	if (r->status == IW_OK) {
		s->done = true;
		snprintf(s->result, sizeof s->result, "Your keyboard is back: its firmware is "
			 "%s%s.", r->not_verified ? "written; this bootloader cannot read back, "
			 "so it is not verified" : "written and verified", r->app_not_started ?
			 "; start it by hand (see above)" : ", and it was started");
		s->result_role = TUI_ROLE_OK;
		tui_message(t, TUI_ROLE_OK, "All done. Enter or q quits.");
		tui_log(t, "keyboard: %s", s->result);
		return;
	}
	snprintf(s->result, sizeof s->result, "%.690s", r->error.msg);
	s->result_role = r->status == IW_CANCELLED ? TUI_ROLE_WARNING : TUI_ROLE_ERROR;
	tui_message(t, TUI_ROLE_ERROR, "Not uploaded. Enter tries again; later: %s",
		    tui_keyboard_command(t, s->path, cmd, sizeof cmd));
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	struct keyboard_state *s = state(t);

	tui_progress_take(t, &s->job, ev, log_rows(), ended);
}

static void
do_cancel(struct tui *t)
{
	if (state(t)->job.running)
		tui_job_cancel(t);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct keyboard_state *s = state(t);
	char buf[4096];

	if (s->job.running) {
		tui_progress_key(t, &s->job, a, log_rows(), do_cancel, "Stop the upload? The "
				 "keyboard keeps its bootloader: the firmware can simply be "
				 "uploaded again.");
		return;
	}
	if (s->done) {
		if (a == TUI_ACT_NEXT)
			tui_request_quit(t);
		else
			tui_text_scroll(&s->job.log, a, log_rows());
		return;
	}
	switch (a) {
	case TUI_ACT_BACK:
		s->wanted = false;
		tui_goto(t, &tui_screen_done);
		return;
	case TUI_ACT_NEXT:
		if (s->focus == F_KEYBOARD) {
			tui_form_get(&s->form, F_KEYBOARD, buf, sizeof buf);
			if (buf[0] != '\0') {
				look_up(t, buf);
				return;
			}
			s->focus = F_FILE;
			tui_form_goto(&s->form, F_FILE);
			return;
		}
		upload(t);
		return;
	case TUI_ACT_UP:
	case TUI_ACT_DOWN:
		s->focus = a == TUI_ACT_UP ? F_KEYBOARD : F_FILE;
		tui_form_goto(&s->form, s->focus);
		return;
	case TUI_ACT_TAB:
		/* The keyboard's name from the QMK checkout, a folder at a time. */
		if (s->focus == F_KEYBOARD)
			tui_form_complete(t, &s->form, F_KEYBOARD, tui_complete_keyboard);
		else
			tui_form_complete(t, &s->form, F_FILE, tui_complete_path);
		return;
	default:
		tui_form_action(&s->form, a, ch);
	}
}

static const char *
keys_now(const struct tui *t)
{
	const struct keyboard_state *s = state(t);

	if (s->job.running)
		return "c cancel";
	if (s->done)
		return "Enter quit";
	return s->focus == F_KEYBOARD ? "Enter look it up  Tab complete  Down the file  Esc back" :
	       "Enter upload  Tab complete  Up the keyboard  Esc back";
}

const struct tui_screen tui_screen_keyboard = {
	.name = "Keyboard",
	.data_size = sizeof(struct keyboard_state),
	.help = "The chip has its bootloader back but no firmware yet. Give the "
		"keyboard's QMK firmware (KEYBOARD_KEYMAP.hex from qmk compile), or the "
		"keyboard's QMK name to find it in your QMK checkout ($QMK_HOME, "
		"user.qmk_home in qmk.ini, or ~/qmk_firmware) and to check that it is "
		"built for this chip and bootloader. ispwiz waits for the bootloader on "
		"USB, writes only what the file covers, verifies it where the bootloader "
		"can read back, and starts the keyboard. A bootloader's file or a "
		"programmer's ISP firmware is refused.",
	.keys = "Enter upload  Esc back",
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
