/*
 * screen-bootloader.c - step 7: which bootloader and fuses.  The list holds
 * the catalog's bootloaders for the detected part, one row per fuse preset
 * (so the JTAG-disabled variant is a row of its own).  Below it: the file
 * to flash (Tab completes paths) and the three fuse bytes, filled from the
 * preset; editing them makes custom fuses, which the review then classes
 * like any other change.  The file's SHA-256 is compared with the known
 * upstream file's.
 */
#include "tui/tui-int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/catalog-identify.h"

#define MAX_ITEMS 64
#define FIELD_X 10
/* Body rows besides the list: the heading and a gap (2), description (2),
 * "Upstream:" and its URL on lines of their own (3), the preset line, a
 * gap, the file and fuse fields (4), the note under them and what the file
 * is (2). */
#define ROWS_BESIDES_LIST 16

struct bootloader_state {
	struct tui_list list;
	const struct catalog_bootloader *bl[MAX_ITEMS];
	const struct catalog_preset *preset[MAX_ITEMS];
	size_t n;
	struct tui_form form;
	enum fuse_byte field_byte[TUI_FORM_MAX];   /* fields 1.. are fuse bytes */
	size_t n_fields;
	int focus;             /* -1: the list, else a field */
	bool file_edited;
	bool file_error;       /* the message is about the file field's path */
	int shown_item;
	int list_rows, title_w, preset_w;
	struct tui_fuse_editor editor;   /* e: "Edit fuses" */
	char note[400];
	enum tui_role note_role;
	/* The file's identity, under the fields (judged again when the path
	 * or the row changes), and the "Download it" job. */
	char ident[600], ident_path[4096];
	const struct catalog_bootloader *ident_bl;
	enum tui_role ident_role;
	struct tui_progress fetch;
	bool production;       /* f: the keyboard's firmware is merged in next */
	struct tui_keyboard_pick pick;   /* w: "Which keyboard is it?" */
};

static struct bootloader_state *
state(const struct tui *t)
{
	return tui_screen_data(t, &tui_screen_bootloader);
}

static int
list_y(void)
{
	return tui_body_top() + 2;
}

static int
form_y(const struct bootloader_state *s)
{
	return list_y() + s->list_rows + 7;
}

/* The list's rows for the window: the bootloader's title column as wide as
 * the longest title (less what the preset and fuse columns need), cut with
 * the ellipsis mark beyond that, never mid-column. */
static void
make_labels(struct tui *t, char labels[][200], const char **ptrs)
{
	struct bootloader_state *s = state(t);
	int title_w = 10, preset_w = 6, room;
	char title[160], cut[160], pcut[40];

	for (size_t i = 0; i < s->n; i++) {
		int w = tui_width(tui_bootloader_title(s->bl[i], title, sizeof title));

		if (w > title_w)
			title_w = w;
		if (tui_width(s->preset[i]->name) > preset_w)
			preset_w = tui_width(s->preset[i]->name);
	}
	if (preset_w > 16)
		preset_w = 16;
	/* COLS - 4 for the window, 2 for the "> " mark, 2 + 2 gaps, 8 for
	 * "FF FF FF", and a column left free at the edge. */
	room = COLS - 4 - 2 - 4 - preset_w - 8 - 1;
	if (title_w > room)
		title_w = room;
	s->title_w = title_w;
	s->preset_w = preset_w;
	for (size_t i = 0; i < s->n; i++) {
		const struct catalog_preset *pr = s->preset[i];

		tui_cut(cut, sizeof cut, tui_bootloader_title(s->bl[i], title, sizeof title),
			title_w);
		tui_cut(pcut, sizeof pcut, pr->name, preset_w);
		snprintf(labels[i], 200, "%-*s  %-*s  %02X %02X",
			 title_w + (int)(strlen(cut) - (size_t)tui_width(cut)), cut,
			 preset_w + (int)(strlen(pcut) - (size_t)tui_width(pcut)), pcut,
			 pr->fuse[FUSE_LOW], pr->fuse[FUSE_HIGH]);
		if (pr->has_fuse[FUSE_EXT])
			snprintf(labels[i] + strlen(labels[i]), 200 - strlen(labels[i]),
				 " %02X", pr->fuse[FUSE_EXT]);
		ptrs[i] = labels[i];
	}
}

static void
default_file(struct tui *t, const struct catalog_bootloader *bl)
{
	struct bootloader_state *s = state(t);
	const char *file = "";

	if (t->demo != NULL)
		file = demo_image_path(t->demo);
	else if (bl->file != NULL && access(bl->file, R_OK) == 0)
		file = bl->file;
	tui_form_set(&s->form, 0, file);
}

static void
apply_item(struct tui *t, int i)
{
	struct bootloader_state *s = state(t);
	char v[8];

	if (i < 0 || (size_t)i >= s->n)
		return;
	s->shown_item = i;
	for (size_t f = 1; f < s->n_fields; f++) {
		enum fuse_byte b = s->field_byte[f];

		snprintf(v, sizeof v, s->preset[i]->has_fuse[b] ? "0x%02X" : "",
			 s->preset[i]->fuse[b]);
		tui_form_set(&s->form, f, v);
	}
	if (!s->file_edited)
		default_file(t, s->bl[i]);
}

static void
enter(struct tui *t)
{
	struct bootloader_state *s = state(t);
	char (*labels)[200] = calloc(MAX_ITEMS, sizeof *labels);
	const char *ptrs[MAX_ITEMS];
	int widths[TUI_FORM_MAX] = { COLS - FIELD_X - 4 }, select = 0;

	memset(s, 0, sizeof *s);
	s->focus = -1;
	tui_progress_init(&s->fetch, COLS - 4);
	for (size_t i = 0; i < t->cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &t->cat->bootloaders[i];

		if (catalog_find_part(t->cat, bl->part) != t->part)
			continue;
		for (size_t p = 0; p < bl->n_presets && s->n < MAX_ITEMS; p++) {
			const struct catalog_preset *pr = &bl->presets[p];

			/* The previous choice, else the demo's swap to Atmel DFU. */
			if ((t->bootloader == bl && (t->preset == pr || (t->preset == NULL && p == 0))) ||
			    (t->bootloader == NULL && t->demo != NULL && p == 0 &&
			     strcmp(bl->id, DEMO_BOOTLOADER) == 0))
				select = (int)s->n;
			s->bl[s->n] = bl;
			s->preset[s->n++] = pr;
		}
	}
	if (labels != NULL) {
		make_labels(t, labels, ptrs);
		tui_list_init(&s->list, ptrs, s->n);
	}
	free(labels);
	tui_list_select(&s->list, select);
	s->n_fields = 1;
	for (int b = 0; b < FUSE_COUNT; b++)
		if (t->part->fuses[b].present) {
			s->field_byte[s->n_fields] = (enum fuse_byte)b;
			widths[s->n_fields++] = 6;   /* room for the cursor after "0xD8" */
		}
	tui_form_init(&s->form, widths, s->n_fields);
	tui_form_focus(&s->form, false);
	s->shown_item = -1;
	if (s->n == 0)
		tui_message(t, TUI_ROLE_ERROR, "The catalog has no bootloader for the %s; "
			    "add one in ~/.config/ispwiz/ (see ispwiz-catalog(5)).",
			    catalog_part_label(t->part));
}

static void
leave(struct tui *t)
{
	struct bootloader_state *s = state(t);

	tui_list_free(&s->list);
	tui_form_free(&s->form);
	tui_progress_free(&s->fetch);
	tui_keyboard_pick_close(&s->pick);
}

static void
layout(struct tui *t)
{
	struct bootloader_state *s = state(t);

	char (*labels)[200] = calloc(MAX_ITEMS, sizeof *labels);
	const char *ptrs[MAX_ITEMS];

	/* Columns follow the window's width, the list its height. */
	if (labels != NULL && s->n > 0) {
		make_labels(t, labels, ptrs);
		tui_list_relabel(&s->list, ptrs);
	}
	free(labels);
	s->list_rows = tui_list_rows_for(s->n, tui_body_rows() - ROWS_BESIDES_LIST);
	tui_list_place(&s->list, list_y(), 2, s->list_rows, COLS - 4);
	tui_list_log(t, &s->list, "bootloaders");
	tui_form_place(&s->form, form_y(s), FIELD_X);
	/* Fill after placing: the form keeps the cursor only while posted. */
	if (s->shown_item < 0) {
		apply_item(t, tui_list_index(&s->list));
		if (t->bootloader != NULL && t->image_path[0] != '\0') {
			tui_form_set(&s->form, 0, t->image_path);
			s->file_edited = true;
		}
		if (t->bootloader != NULL && t->preset == NULL)
			for (size_t f = 1; f < s->n_fields; f++) {
				char v[8];

				snprintf(v, sizeof v, "0x%02X", t->fuses.value[s->field_byte[f]]);
				tui_form_set(&s->form, f, v);
			}
	}
	/* Back from a refused fuse value: the cursor is in its field. */
	if (t->refused) {
		t->refused = false;
		for (size_t f = 1; f < s->n_fields; f++)
			if (s->field_byte[f] == t->refused_byte) {
				s->focus = (int)f;
				tui_message(t, TUI_ROLE_ERROR, "The review refused this %s value: "
					    "change it (Ctrl-U clears the field).",
					    fuse_byte_name(t->refused_byte));
			}
	}
	tui_form_goto(&s->form, s->focus >= 0 ? (size_t)s->focus : 0);
	tui_keyboard_pick_layout(&s->pick);
}

/* Whether the fuse fields still hold the highlighted preset's values. */
static bool
fields_match_preset(struct bootloader_state *s, int item)
{
	char v[16];
	uint8_t byte;

	for (size_t f = 1; f < s->n_fields; f++) {
		enum fuse_byte b = s->field_byte[f];

		tui_form_get(&s->form, f, v, sizeof v);
		if (!s->preset[item]->has_fuse[b]) {
			if (v[0] != '\0')
				return false;
			continue;
		}
		if (fuse_parse_byte(v, &byte, NULL) != IW_OK || byte != s->preset[item]->fuse[b])
			return false;
	}
	return true;
}

/* Under the fields: the download's progress while it runs, else what the
 * file in the field is (by identity, judged again when it changes). */
static void
draw_identity(struct tui *t, const struct catalog_bootloader *bl, int y)
{
	struct bootloader_state *s = state(t);
	char path[4096];

	if (s->fetch.running) {
		tui_progress_draw(&s->fetch, y, 2, COLS - 4, NULL);
		return;
	}
	tui_form_get(&s->form, 0, path, sizeof path);
	if (strcmp(path, s->ident_path) != 0 || bl != s->ident_bl) {
		snprintf(s->ident_path, sizeof s->ident_path, "%s", path);
		s->ident_bl = bl;
		tui_file_identity(t, bl, path, s->ident, sizeof s->ident, &s->ident_role);
	}
	tui_text_put(y, tui_body_rows_from(y), s->ident_role, s->ident);
}

static void
draw(struct tui *t)
{
	struct bootloader_state *s = state(t);
	int i = tui_list_index(&s->list), y = list_y() + s->list_rows;
	const struct catalog_bootloader *bl;
	struct tui_text text;
	char id[10];

	if (s->pick.open) {
		tui_keyboard_pick_draw(&s->pick);
		return;
	}
	if (s->editor.open) {
		tui_fuse_editor_draw(&s->editor, tui_body_top() + 1, 2, tui_body_rows() - 1,
				     COLS - 4);
		return;
	}
	/* Column heads over the list's label columns (after the "> " mark). */
	tui_putf(tui_body_top() + 1, 2, s->title_w + 2, TUI_ROLE_HEADING,
		 "Bootloaders for the %s", catalog_part_label(t->part));
	tui_put(tui_body_top() + 1, 2 + 2 + s->title_w + 2, s->preset_w, TUI_ROLE_DIM, "preset");
	tui_put(tui_body_top() + 1, 2 + 2 + s->title_w + 2 + s->preset_w + 2, 9, TUI_ROLE_DIM,
		"L  H  E");
	if (i < 0)
		return;
	bl = s->bl[i];
	tui_text_init(&text, COLS - 6);
	tui_text_addf(&text, TUI_ROLE_DIM, "%s. Enumerates as %s.",
		      s->preset[i]->description != NULL ? s->preset[i]->description :
		      s->preset[i]->name, catalog_usb_id_str(bl->usb_id, id));
	tui_text_draw(&text, y, 4, 2, COLS - 6);
	tui_text_clear(&text);
	/* The URL on lines of its own, whole, so it can be selected and copied. */
	tui_put(y + 2, 4, COLS - 6, TUI_ROLE_DIM, bl->url != NULL ? "Upstream:" :
		bl->file != NULL ? "Upstream file:" : "Upstream: none known; build it yourself.");
	if (bl->url != NULL || bl->file != NULL) {
		const char *u = bl->url != NULL ? bl->url : bl->file;
		int w = COLS - 9;

		/* URLs are ASCII: a long one goes on over two lines, then is
		 * cut with the mark (the catalog's file name is in the help). */
		if (strlen(u) > (size_t)w) {
			mvaddnstr(y + 3, 6, u, w);
			tui_put(y + 4, 6, w, TUI_ROLE_NORMAL, u + w);
		} else {
			tui_put(y + 3, 6, w, TUI_ROLE_NORMAL, u);
		}
	}
	if (fields_match_preset(s, i))
		tui_putf(y + 5, 4, COLS - 6, TUI_ROLE_DIM, "Fuses below are preset \"%s\"; "
			 "edit them for custom fuses.", s->preset[i]->name);
	else
		tui_put(y + 5, 4, COLS - 6, TUI_ROLE_WARNING, "Custom fuses: the review "
			"shows what each change does and refuses dangerous ones.");
	tui_put(form_y(s), 2, 8, TUI_ROLE_NORMAL, "File:");
	for (size_t f = 1; f < s->n_fields; f++)
		tui_putf(form_y(s) + (int)f, 2, 8, TUI_ROLE_NORMAL, "%s:",
			 fuse_byte_name(s->field_byte[f]));
	tui_put(form_y(s) + (int)s->n_fields, 2, COLS - 4, s->note_role, s->note);
	draw_identity(t, bl, form_y(s) + (int)s->n_fields + 1);
}

static void
paint(struct tui *t)
{
	struct bootloader_state *s = state(t);

	if (s->pick.open)
		tui_keyboard_pick_paint(&s->pick);
	if (s->editor.open || s->pick.open)
		return;   /* the editor or the keyboard's name covers the list and the fields */
	tui_list_focus(&s->list, s->focus < 0);
	tui_list_refresh(&s->list);
	tui_form_focus(&s->form, s->focus >= 0);
	tui_form_refresh(&s->form);
}

static bool
text_focus(const struct tui *t)
{
	struct bootloader_state *s = state(t);

	return (s->focus >= 0 && !s->editor.open) || s->pick.open;
}

static const char *
keys_now(const struct tui *t)
{
	if (state(t)->pick.open)
		return "Tab complete  Enter pick its bootloader  Esc the list";
	if (state(t)->editor.open)
		return "Up/Down field  Left/Right value  Enter use  Esc cancel";
	return text_focus(t) ? "Up/Down fields  Tab complete  F2 fuses  Enter review" : NULL;
}

/* What the file is, by its identity (the rule `ispwiz flash` follows too):
 * the note under the file field, and whether it may be flashed at all. */
static bool
judge_file(struct tui *t, const struct catalog_bootloader *bl, const char *path,
	   const struct hex_image *img)
{
	struct catalog_judgement j;
	struct iw_error err;

	if (t->demo != NULL && strcmp(path, demo_image_path(t->demo)) == 0) {
		snprintf(t->sha_note, sizeof t->sha_note, "Demo stand-in image, generated "
			 "for the simulator: not the real %s bootloader.", bl->name);
		t->sha_role = TUI_ROLE_WARNING;
		return true;
	}
	if (catalog_judge_bootloader_file(t->cat, img, path, t->part, bl, &j, &err) != IW_OK) {
		snprintf(t->sha_note, sizeof t->sha_note, "%.390s", err.msg);
		t->sha_role = TUI_ROLE_ERROR;
		return false;
	}
	snprintf(t->sha_note, sizeof t->sha_note, "%.390s", j.text);
	switch (j.verdict) {
	case CATALOG_FILE_KNOWN:
	case CATALOG_FILE_CARRIES:
		t->sha_role = TUI_ROLE_OK;
		break;
	case CATALOG_FILE_UNKNOWN:
		t->sha_role = TUI_ROLE_WARNING;
		break;
	case CATALOG_FILE_IS_OTHER:
	case CATALOG_FILE_WRONG_PART:
	case CATALOG_FILE_FIRMWARE:
		t->sha_role = TUI_ROLE_ERROR;
		break;
	}
	tui_log(t, "file %s: %s", path, t->sha_note);
	return !catalog_verdict_refuses(j.verdict) && j.verdict != CATALOG_FILE_IS_OTHER;
}

static void
choose(struct tui *t)
{
	struct bootloader_state *s = state(t);
	int i = tui_list_index(&s->list);
	char path[4096], v[16];
	struct fuse_set fuses;
	struct hex_image *img;
	struct iw_error err;

	if (i < 0)
		return;
	tui_form_get(&s->form, 0, path, sizeof path);
	if (path[0] == '\0') {
		tui_message(t, TUI_ROLE_ERROR, "Give the bootloader file: d downloads %s, or "
			    "type its path; Tab completes.",
			    s->bl[i]->file != NULL ? s->bl[i]->file : "it");
		return;
	}
	fuse_set_init(&fuses);
	for (size_t f = 1; f < s->n_fields; f++) {
		uint8_t byte;

		tui_form_get(&s->form, f, v, sizeof v);
		if (v[0] == '\0')
			continue;
		/* The CLI's parser and its words: --lfuse 11 and lfuse 11 here
		 * are refused alike; the cursor goes to the field to fix. */
		if (fuse_parse_byte(v, &byte, &err) != IW_OK) {
			tui_message(t, TUI_ROLE_ERROR, "%s: %s", fuse_byte_name(s->field_byte[f]),
				    err.msg);
			s->focus = (int)f;
			tui_form_goto(&s->form, f);
			return;
		}
		fuse_set_put(&fuses, s->field_byte[f], byte);
	}
	if ((img = hex_image_new()) == NULL || hex_image_read_file(img, path, &err) != IW_OK) {
		tui_message(t, TUI_ROLE_ERROR, "%s", img == NULL ? "Out of memory." : err.msg);
		hex_image_free(img);
		s->file_error = true;
		s->focus = 0;
		tui_form_goto(&s->form, 0);
		return;
	}
	if (!judge_file(t, s->bl[i], path, img)) {
		tui_message(t, TUI_ROLE_ERROR, "%s", t->sha_note);
		hex_image_free(img);
		s->file_error = true;
		s->focus = 0;
		tui_form_goto(&s->form, 0);
		return;
	}
	hex_image_free(t->image);
	t->image = img;
	snprintf(t->image_path, sizeof t->image_path, "%s", path);
	t->bootloader = s->bl[i];
	t->preset = fields_match_preset(s, i) ? s->preset[i] : NULL;
	t->fuses = fuses;
	tui_log(t, "bootloader: %s, %s, fuses %02X %02X %02X", t->bootloader->id,
		t->preset != NULL ? t->preset->name : "custom", fuses.value[FUSE_LOW],
		fuses.value[FUSE_HIGH], fuses.value[FUSE_EXT]);
	tui_production_want(t, s->production);
	tui_next(t);
}

static void
field_action(struct tui *t, enum tui_action a, int ch)
{
	struct bootloader_state *s = state(t);
	size_t f = (size_t)s->focus;
	char path[4096];

	switch (a) {
	case TUI_ACT_UP:
		s->focus = f == 0 ? -1 : (int)f - 1;
		break;
	case TUI_ACT_DOWN:
		if (f + 1 < s->n_fields)
			s->focus = (int)f + 1;
		break;
	case TUI_ACT_TAB:
		if (f != 0) {
			s->focus = f + 1 < s->n_fields ? (int)f + 1 : -1;
			break;
		}
		tui_form_get(&s->form, 0, path, sizeof path);
		tui_complete_path(path, sizeof path, s->note, sizeof s->note);
		s->note_role = TUI_ROLE_DIM;
		tui_form_set(&s->form, 0, path);
		s->file_edited = true;
		if (s->file_error && access(path, R_OK) == 0) {
			s->file_error = false;
			tui_message(t, TUI_ROLE_NORMAL, "%s", "");
		}
		break;
	default:
		if (tui_form_action(&s->form, a, ch) && f == 0) {
			s->file_edited = true;
			/* An error about the old path no longer applies. */
			if (s->file_error) {
				s->file_error = false;
				tui_message(t, TUI_ROLE_NORMAL, "%s", "");
			}
		}
		return;
	}
	if (s->focus >= 0)
		tui_form_goto(&s->form, (size_t)s->focus);
}

/* "Edit fuses": the editor starts from the bytes in the fields. */
static void
open_editor(struct tui *t)
{
	struct bootloader_state *s = state(t);
	struct fuse_set start, chip;
	char v[16];
	uint8_t byte;

	fuse_set_init(&start);
	for (size_t f = 1; f < s->n_fields; f++) {
		tui_form_get(&s->form, f, v, sizeof v);
		if (fuse_parse_byte(v, &byte, NULL) == IW_OK)
			fuse_set_put(&start, s->field_byte[f], byte);
	}
	if (t->probe != NULL && t->probe->have_fuses)
		chip = t->probe->fuses_before;
	else
		fuse_set_init(&chip);
	tui_fuse_editor_open(&s->editor, t->part, &chip, &start);
	tui_log(t, "fuse editor: opened");
}

static void
editor_action(struct tui *t, enum tui_action a)
{
	struct bootloader_state *s = state(t);
	char v[8];

	if (!tui_fuse_editor_action(&s->editor, a))
		return;
	if (s->editor.accepted)
		for (size_t f = 1; f < s->n_fields; f++) {
			snprintf(v, sizeof v, "0x%02X", s->editor.value.value[s->field_byte[f]]);
			tui_form_set(&s->form, f, v);
		}
	tui_log(t, "fuse editor: %s", s->editor.accepted ? "values taken" : "left unchanged");
	tui_message(t, TUI_ROLE_NORMAL, "%s", s->editor.accepted ? "The edited fuses are in "
		    "the fields; Enter reviews them." : "");
}

/* "Download it": the highlighted bootloader's upstream file, checked by
 * its identity, into the download cache (job-fetch.c on the worker). */
static void
download(struct tui *t)
{
	struct bootloader_state *s = state(t);
	int i = tui_list_index(&s->list);
	struct job_plan plan;

	if (i < 0)
		return;
	job_plan_init(&plan);
	plan.kind = JOB_KIND_FETCH;
	plan.catalog = t->cat;
	plan.fetch_id = s->bl[i]->id;
	if (tui_progress_start(t, &s->fetch, &plan))
		tui_message(t, TUI_ROLE_NORMAL, "Downloading %s... c cancels.",
			    s->bl[i]->file != NULL ? s->bl[i]->file : s->bl[i]->id);
}

static void
event(struct tui *t, const struct tui_event *ev)
{
	struct bootloader_state *s = state(t);
	const struct job_result *r = &s->fetch.res;

	if ((ev->kind != TUI_EV_JOB && ev->kind != TUI_EV_JOB_DONE) ||
	    !tui_progress_event(&s->fetch, ev))
		return;
	if (r->status != IW_OK) {
		tui_message(t, r->status == IW_CANCELLED ? TUI_ROLE_WARNING : TUI_ROLE_ERROR,
			    "%s", r->error.msg);
		return;
	}
	tui_form_set(&s->form, 0, r->fetched);
	s->file_edited = true;
	tui_message(t, TUI_ROLE_OK, "%s %s: it is in the File field. Enter goes on.",
		    r->fetched_cached ? "Already downloaded and checked" : "Downloaded and checked",
		    strrchr(r->fetched, '/') != NULL ? strrchr(r->fetched, '/') + 1 : r->fetched);
}

static void
action(struct tui *t, enum tui_action a, int ch)
{
	struct bootloader_state *s = state(t);
	int before = tui_list_index(&s->list);

	if (s->fetch.running) {
		if (a == TUI_ACT_CANCEL || a == TUI_ACT_BACK)
			tui_job_cancel(t);
		return;
	}
	if (s->editor.open) {
		editor_action(t, a);
		return;
	}
	if (a == TUI_ACT_WHICH_KEYBOARD && s->focus < 0 && !s->pick.open) {
		tui_keyboard_pick_open(&s->pick);
		return;
	}
	if (s->pick.open) {
		int row = tui_keyboard_pick_action(t, &s->pick, a, ch, s->bl, s->n, before);

		if (row >= 0) {
			tui_list_select(&s->list, row);
			apply_item(t, row);
			snprintf(s->note, sizeof s->note, "%s", s->pick.note);
			s->note_role = s->pick.note_role;
		}
		return;
	}
	if (a == TUI_ACT_DOWNLOAD && s->focus < 0) {
		download(t);
		return;
	}
	if (a == TUI_ACT_EDIT && s->n_fields > 1) {
		open_editor(t);
		return;
	}
	if (a == TUI_ACT_BACK) {
		tui_back(t);
		return;
	}
	if (a == TUI_ACT_NEXT || (a == TUI_ACT_FIRMWARE && s->focus < 0)) {
		s->production = a == TUI_ACT_FIRMWARE;
		choose(t);
		return;
	}
	if (s->focus >= 0) {
		field_action(t, a, ch);
		return;
	}
	if (a == TUI_ACT_TAB || (a == TUI_ACT_DOWN && before == (int)s->n - 1)) {
		s->focus = 0;
		tui_form_goto(&s->form, 0);
		return;
	}
	if (tui_list_action(&s->list, a) && tui_list_index(&s->list) != s->shown_item)
		apply_item(t, tui_list_index(&s->list));
}

const struct tui_screen tui_screen_bootloader = {
	.name = "Bootloader",
	.data_size = sizeof(struct bootloader_state),
	.help = "Each row is a catalog bootloader for this chip with one of its fuse "
		"presets ('jtag-disabled' frees the JTAG pins for the key matrix). Below: "
		"the file to flash (Tab completes) and the fuse bytes; edited bytes are "
		"custom fuses, which the review explains and refuses when dangerous. "
		"Tab or Down goes to the fields. d downloads the upstream file and keeps "
		"it only when it is the known one; the line under the fields names the "
		"file by its contents. e (F2 in a field) opens the fuse editor: every "
		"field by name, Left/Right through its values, bytes and risk live. "
		"f goes on with the keyboard's firmware too (a production image). "
		"w asks which keyboard it is (its QMK name; Tab completes) and picks "
		"the bootloader its rules.mk names.",
	.keys = "w keyboard  d download  e fuses  f +firmware  Enter review  Esc back",
	.keys_now = keys_now,
	.enter = enter,
	.leave = leave,
	.layout = layout,
	.draw = draw,
	.paint = paint,
	.action = action,
	.event = event,
	.text_focus = text_focus,
};
