/*
 * screen-production.c - the guide's production image, between the
 * Bootloader step and the Review, only when the person pressed f there:
 * the keyboard's firmware goes under the bootloader and one ISP job
 * writes both, so the keyboard works as soon as the flash is done and the
 * Done step has nothing left to upload.
 *
 * The merge is the job layer's (job/production.c: ispwiz merge's rules,
 * and a bootloader, an ISP firmware, a build for a bigger chip or a
 * firmware reaching into the bootloader refused).  The merged image
 * becomes the wizard's image and is written next to the download cache
 * (the demo's: into its temp folder), so the review's avrdude command
 * names a file that exists.  The bootloader's own file is kept by path,
 * so going back and forth merges from it again, never from a merged one.
 */
#include "tui/tui-int.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/file-util.h"
#include "job/production.h"

#define FIELD_X 12

struct production_state {
	bool wanted;                 /* f on the Bootloader step */
	bool merged;                 /* t->image is the production image */
	char boot_path[4096];        /* the bootloader's own file */
	uint32_t boot_start, boot_end;
	char fw_path[4096];
	char what[900];              /* for the plan (job_plan.image_what) */
	struct tui_form form;
	struct tui_text intro;
	char note[700];
	enum tui_role note_role;
};

static struct production_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_production);
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

void
tui_production_want(struct tui *t, bool want)
{
	struct production_state *s = state(t);

	/* Called as the Bootloader step takes its file into t->image: from
	 * now on that is the bootloader alone. */
	s->wanted = want;
	s->merged = false;
	snprintf(s->boot_path, sizeof s->boot_path, "%s", t->image_path);
}

bool
tui_production_active(const struct tui *t)
{
	const struct production_state *s = state(t);

	return s->wanted && s->merged;
}

const char *
tui_production_firmware(const struct tui *t)
{
	return tui_production_active(t) ? state(t)->fw_path : NULL;
}

const char *
tui_production_boot_path(const struct tui *t)
{
	return state(t)->boot_path;
}

void
tui_production_plan(const struct tui *t, struct job_plan *plan)
{
	const struct production_state *s = state(t);

	if (!tui_production_active(t))
		return;
	/* Only the bootloader's bytes must sit in the boot section. */
	plan->boot_start = s->boot_start;
	plan->boot_end = s->boot_end;
	plan->image_what = s->what;
}

static bool
applies(const struct tui *t)
{
	return state(t)->wanted && t->image != NULL && t->part != NULL;
}

static int
form_y(void)
{
	return tui_body_top() + 7;
}

static void
fill_intro(struct tui *t)
{
	struct production_state *s = state(t);

	tui_text_clear(&s->intro);
	tui_text_init(&s->intro, COLS - 4);
	tui_text_addf(&s->intro, TUI_ROLE_NORMAL, "The production image: the keyboard's "
		      "firmware (QMK's KEYBOARD_KEYMAP.hex) goes under the bootloader %s and "
		      "one ISP job writes both, so the keyboard works as soon as the flash "
		      "is done; there is nothing to upload afterwards.", base_name(s->boot_path));
	if (t->demo != NULL)
		tui_text_add(&s->intro, TUI_ROLE_WARNING, 0, "The demo's stand-in keyboard "
			     "firmware is filled in below.");
}

static void
enter(struct tui *t)
{
	struct production_state *s = state(t);
	int widths[1] = { COLS - FIELD_X - 4 };

	memset(&s->form, 0, sizeof *s - offsetof(struct production_state, form));
	tui_text_init(&s->intro, COLS - 4);
	tui_form_init(&s->form, widths, 1);
	if (s->fw_path[0] != '\0')
		tui_form_set(&s->form, 0, s->fw_path);
	else if (t->demo != NULL)
		tui_form_set(&s->form, 0, demo_firmware_path(t->demo));
	snprintf(s->note, sizeof s->note, "The file's path (Tab completes). Enter merges and "
		 "goes to the review; Esc goes back to flash the bootloader alone.");
	s->note_role = TUI_ROLE_DIM;
}

static void
leave(struct tui *t)
{
	struct production_state *s = state(t);

	tui_form_free(&s->form);
	tui_text_clear(&s->intro);
}

static void
layout(struct tui *t)
{
	struct production_state *s = state(t);

	fill_intro(t);
	tui_form_place(&s->form, form_y(), FIELD_X);
	tui_form_goto(&s->form, 0);
}

static void
draw(struct tui *t)
{
	struct production_state *s = state(t);
	int y = tui_body_top() + 1;

	tui_put(y, 2, COLS - 4, TUI_ROLE_HEADING, "The keyboard's firmware too");
	tui_text_draw(&s->intro, y + 1, 2, form_y() - y - 2, COLS - 4);
	tui_put(form_y(), 2, FIELD_X - 2, TUI_ROLE_NORMAL, "Firmware:");
	tui_text_put(form_y() + 2, tui_body_rows_from(form_y() + 2), s->note_role, s->note);
}

static void
paint(struct tui *t)
{
	struct production_state *s = state(t);

	tui_form_focus(&s->form, true);
	tui_form_refresh(&s->form);
}

static bool
text_focus(const struct tui *t)
{
	(void)t;
	return true;
}

/* Where the merged image goes: the demo's temp folder, else
 * $XDG_CACHE_HOME/ispwiz/production/FIRMWARE+BOOTLOADER.hex. */
static bool
out_path(struct tui *t, char *buf, size_t size, struct iw_error *err)
{
	struct production_state *s = state(t);
	char dir[4096], cache[4096], failed[4096], fw[256];
	char *dot;
	int e;

	if (t->demo != NULL) {
		file_dir_of(demo_image_path(t->demo), dir, sizeof dir);
	} else {
		if (!file_cache_dir(cache, sizeof cache)) {
			iw_error_set(err, IW_IO, "nowhere to keep the merged image: set "
				     "XDG_CACHE_HOME or HOME");
			return false;
		}
		file_dir_of(cache, dir, sizeof dir);
		snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/production");
	}
	if ((e = file_make_dirs(dir, failed, sizeof failed)) != 0) {
		iw_error_set(err, IW_IO, "cannot make the folder %s for the merged image: %s",
			     failed, strerror(e));
		return false;
	}
	snprintf(fw, sizeof fw, "%.200s", base_name(s->fw_path));
	if ((dot = strrchr(fw, '.')) != NULL)
		*dot = '\0';
	if ((size_t)snprintf(buf, size, "%s/%s+%s", dir, fw, base_name(s->boot_path)) >= size) {
		iw_error_set(err, IW_IO, "the merged image's path is too long");
		return false;
	}
	return true;
}

static void
refuse(struct tui *t, const struct iw_error *err)
{
	struct production_state *s = state(t);

	snprintf(s->note, sizeof s->note, "%.690s", err->msg);
	s->note_role = TUI_ROLE_ERROR;
	tui_message(t, TUI_ROLE_ERROR, "Not merged (see above); Esc flashes the bootloader "
		    "alone.");
	tui_log(t, "production: refused: %s", err->msg);
}

static void
merge(struct tui *t)
{
	struct production_state *s = state(t);
	struct hex_image *boot = hex_image_new(), *fw = hex_image_new(), *out = NULL;
	char path[4096];
	struct iw_error err;

	tui_form_get(&s->form, 0, s->fw_path, sizeof s->fw_path);
	iw_error_clear(&err);
	if (s->fw_path[0] == '\0') {
		tui_message(t, TUI_ROLE_ERROR, "Give the keyboard's firmware file (.hex), or "
			    "Esc to flash the bootloader alone.");
		goto out;
	}
	if (boot == NULL || fw == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		refuse(t, &err);
		goto out;
	}
	if (hex_image_read_file(boot, s->boot_path, &err) != IW_OK ||
	    hex_image_read_file(fw, s->fw_path, &err) != IW_OK ||
	    production_merge(t->cat, t->part, boot, s->boot_path, fw, s->fw_path, &out,
			     &err) != IW_OK ||
	    !out_path(t, path, sizeof path, &err) ||
	    hex_image_write_file(out, path, &err) != IW_OK) {
		refuse(t, &err);
		goto out;
	}
	s->boot_start = hex_image_min_addr(boot);
	s->boot_end = hex_image_end_addr(boot);
	snprintf(s->what, sizeof s->what, "a production image: the bootloader %.300s "
		 "(0x%05X..0x%05X) plus the keyboard firmware %.300s (0x%05X..0x%05X)",
		 base_name(s->boot_path), s->boot_start, s->boot_end - 1, base_name(s->fw_path),
		 hex_image_min_addr(fw), hex_image_last_addr(fw));
	hex_image_free(t->image);
	t->image = out;
	out = NULL;
	snprintf(t->image_path, sizeof t->image_path, "%s", path);
	s->merged = true;
	tui_log(t, "production: %s, written to %s", s->what, path);
	tui_next(t);
out:
	hex_image_free(boot);
	hex_image_free(fw);
	hex_image_free(out);
}

/* Back to the Bootloader step: the wizard's image is the bootloader's own
 * file again, so that step shows and judges it, not the merged one. */
static void
unmerge(struct tui *t)
{
	struct production_state *s = state(t);
	struct hex_image *boot;
	struct iw_error err;

	if (!s->merged)
		return;
	s->merged = false;
	if ((boot = hex_image_new()) == NULL ||
	    hex_image_read_file(boot, s->boot_path, &err) != IW_OK) {
		/* The step reads the file again on Enter, and says what is wrong. */
		hex_image_free(boot);
		boot = NULL;
	}
	hex_image_free(t->image);
	t->image = boot;
	snprintf(t->image_path, sizeof t->image_path, "%s", s->boot_path);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct production_state *s = state(t);

	switch (a) {
	case TUI_ACT_NEXT:
		merge(t);
		return;
	case TUI_ACT_BACK:
		unmerge(t);
		tui_back(t);
		return;
	case TUI_ACT_TAB:
		tui_form_complete(t, &s->form, 0, tui_complete_path);
		return;
	default:
		tui_form_action(&s->form, a, ch);
	}
}

const struct tui_screen tui_screen_production = {
	.name = "Production",
	.data_size = sizeof(struct production_state),
	.help = "The guide's production image: the keyboard's QMK firmware "
		"(KEYBOARD_KEYMAP.hex) is merged under the bootloader by the rules of "
		"`ispwiz merge` and both are ISP-flashed at once, so the keyboard works "
		"right after the flash. Refused: a bootloader's or a programmer's file "
		"given as the firmware, a build for a chip with more flash, and a "
		"firmware that reaches into the bootloader. The merged file is kept in "
		"the download cache's production/ folder. Esc goes back to flash the "
		"bootloader alone.",
	.keys = "Enter merge and review  Tab complete  Esc back",
	.applies = applies,
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
	.text_focus = text_focus,
};
