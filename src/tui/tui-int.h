/*
 * tui-int.h - what the files of the wizard share: the session state, the
 * screen table, key actions, colour roles, drawing helpers, the widgets
 * (ncurses menu, form and panel), the port source and the demo.
 *
 * One thread owns the terminal.  The job runs on its own worker thread
 * (core/job.h) and is only ever read through its event fd and
 * job_next_event(); nothing here is called from another thread.
 */
#ifndef ISPWIZ_TUI_TUI_INT_H
#define ISPWIZ_TUI_TUI_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <curses.h>
#include <form.h>
#include <menu.h>
#include <panel.h>

#include "core/catalog.h"
#include "core/fuse-rules.h"
#include "core/fuses.h"
#include "core/hex-image.h"
#include "job/demo.h"
#include "job/job.h"
#include "detect/detect.h"
#include "detect/hotplug.h"
#include "tui/tui.h"

/* The smallest terminal the layout is made for. */
#define TUI_MIN_COLS 80
#define TUI_MIN_LINES 24
/* Rows of the frame: title and step line at the top, message and key
 * hints at the bottom; screens draw between them. */
#define TUI_BODY_TOP 3
#define TUI_FOOTER_ROWS 2
#define TUI_REDRAW_MS 33         /* at most ~30 redraws a second */

/* The session (below); every screen and helper reaches its state through it. */
struct tui;
struct tui_event;

/* --- key actions (tui-keys.c) ------------------------------------------------ */

enum tui_action {
	TUI_ACT_NONE,
	TUI_ACT_NEXT,        /* Enter */
	TUI_ACT_BACK,        /* Esc, Backspace outside a text field */
	TUI_ACT_QUIT,        /* q */
	TUI_ACT_HELP,        /* ? outside a text field, F1 anywhere */
	TUI_ACT_UP,
	TUI_ACT_DOWN,
	TUI_ACT_PAGE_UP,
	TUI_ACT_PAGE_DOWN,
	TUI_ACT_HOME,
	TUI_ACT_END,
	TUI_ACT_LEFT,
	TUI_ACT_RIGHT,
	TUI_ACT_RETRY,       /* r */
	TUI_ACT_CANCEL,      /* c */
	TUI_ACT_TAB,         /* Tab: path completion, next field */
	TUI_ACT_YES,         /* y in a dialog */
	TUI_ACT_NO,          /* n in a dialog */
	TUI_ACT_TEXT,        /* a printable character for a text field */
	TUI_ACT_ERASE,       /* Backspace inside a text field */
	TUI_ACT_DELETE,      /* Delete inside a text field */
	TUI_ACT_REDRAW,      /* Ctrl-L */
	TUI_ACT_SHOW_ALL,    /* a: every device, not only the likely ones */
	TUI_ACT_CLEAR,       /* Ctrl-U inside a text field: empty it */
	TUI_ACT_DOWNLOAD,    /* d: fetch the file the step needs */
	TUI_ACT_RESTORE,     /* b: put the backup back */
	TUI_ACT_EDIT,        /* e: the fuse editor */
	TUI_ACT_OPTIONS,     /* o: the programmer's options */
	TUI_ACT_FIRMWARE,    /* f: the keyboard's firmware too (production image) */
	TUI_ACT_WHICH_KEYBOARD,   /* w: which keyboard it is (its QMK name) */
};

/* What key `ch` means; `text` when a text field has the focus (letters are
 * then typed, not commands). */
enum tui_action tui_key_action(int ch, bool text);

/* --- colours (tui-colors.c) -------------------------------------------------- */

enum tui_role {
	TUI_ROLE_NORMAL,
	TUI_ROLE_TITLE,
	TUI_ROLE_STEP_DONE,
	TUI_ROLE_STEP_NOW,
	TUI_ROLE_STEP_TODO,
	TUI_ROLE_HEADING,
	TUI_ROLE_DIM,
	TUI_ROLE_KEY,
	TUI_ROLE_OK,
	TUI_ROLE_INFO,
	TUI_ROLE_CONFIRM,    /* a fuse change that needs the typed name */
	TUI_ROLE_WARNING,
	TUI_ROLE_ERROR,      /* refused changes, failures */
	TUI_ROLE_SELECTED,
	TUI_ROLE_BAR,
	TUI_ROLE_FIELD,
	TUI_ROLE_DIALOG,
	TUI_ROLE_COUNT
};

/* Pick colour or monochrome (after initscr). */
void tui_colors_init(bool want_color);
bool tui_colors_enabled(void);
attr_t tui_attr(enum tui_role role);
enum tui_role tui_role_for_class(enum fuse_class cls);

/* --- text lines (tui-text.c) ------------------------------------------------ */

struct tui_line {
	char *text;
	enum tui_role role;
};

/* A growing list of lines, wrapped to a width, shown in a scrolling box. */
struct tui_text {
	struct tui_line *lines;
	size_t n, cap;
	size_t top;          /* first line shown */
	int width;           /* wrap width */
};

void tui_text_init(struct tui_text *t, int width);
void tui_text_clear(struct tui_text *t);
/* Append `s` word-wrapped to the width; continuation lines get `indent`
 * spaces (negative: two more than the line's own leading spaces, for text
 * formatted elsewhere). */
void tui_text_add(struct tui_text *t, enum tui_role role, int indent, const char *s);
void tui_text_addf(struct tui_text *t, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Append a shell command (words quoted as job-plan.c quotes them, an
 * optional trailing "# comment") on lines that paste whole: each option with
 * its argument, " \" continuing every line but the last, the comment on
 * lines of its own (tui-command.c). */
void tui_text_add_command(struct tui_text *t, enum tui_role role, const char *cmd);
/* Draw lines from top in a box of h rows at (y, x); when they do not all
 * fit, the box's last row holds the "more" marks instead of text. */
void tui_text_draw(struct tui_text *t, int y, int x, int h, int w);
/* Scroll so the last line shows in a box of h rows (a log that follows). */
void tui_text_follow(struct tui_text *t, int h);
/* A screen's one-off message (a note under a field, a job's result):
 * `text` wrapped into at most `h` rows at (y, 2), COLS - 4 wide. */
void tui_text_put(int y, int h, enum tui_role role, const char *text);
/* Scroll by an action (up/down/page); true when it was a scrolling one. */
bool tui_text_scroll(struct tui_text *t, enum tui_action a, int h);
/* Screens that are one scrolling page of text (welcome, firmware, wiring)
 * have a struct tui_text as their data (.data_size = TUI_PAGE_DATA), fill
 * tui_page_text(t) in their layout and use these as their draw, action
 * and leave: Enter and Esc move between steps, everything else scrolls. */
#define TUI_PAGE_DATA sizeof(struct tui_text)
struct tui_text *tui_page_text(struct tui *t);
void tui_page_draw(struct tui *t);
void tui_page_action(struct tui *t, enum tui_action a, int ch);
void tui_page_leave(struct tui *t);

/* Draw `s` at (y, x) in `w` columns (UTF-8 aware); a longer value ends in
 * an ellipsis mark instead of being cut silently. */
void tui_put(int y, int x, int w, enum tui_role role, const char *s);
void tui_putf(int y, int x, int w, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* `s` for `w` columns into dst: whole, or cut with the ellipsis mark. */
void tui_cut(char *dst, size_t size, const char *s, int w);
/* Columns `s` takes (code points; the catalog holds no wide characters). */
int tui_width(const char *s);
/* A progress bar "[#####.....]" of `w` columns. */
void tui_bar(int y, int x, int w, uint32_t done, uint32_t total);

/* --- widgets (tui-widgets.c) ---------------------------------------------------- */

/* A list from the menu library, in its own window. */
struct tui_list {
	MENU *menu;
	ITEM **items;
	char **labels;       /* as shown: cut to the window */
	char **full;         /* as given */
	size_t n;
	WINDOW *win, *sub;
	int rows;            /* rows of items; a last row more holds the marks */
	bool hidden;         /* not every item fits: the marks show */
	bool focused;
};

bool tui_list_init(struct tui_list *l, const char *const *labels, size_t n);
void tui_list_free(struct tui_list *l);
/* In a window of h rows: a list longer than that shows h-1 of its items
 * and, on the last row, which ones and "more ^"/"more v".  Labels wider
 * than the window end in the ellipsis mark. */
void tui_list_place(struct tui_list *l, int y, int x, int h, int w);
/* New texts for the same n items (labels laid out for a new width); they
 * show from the next tui_list_place. */
bool tui_list_relabel(struct tui_list *l, const char *const *labels);
/* Rows for a list of n items in `room` rows: n when they fit, else room
 * (one of them then holds the marks). */
int tui_list_rows_for(size_t n, int room);
/* Log what the list shows ("layout: list NAME shows R of N rows"): the
 * tests' screen checker holds the screen to it. */
void tui_list_log(const struct tui *t, const struct tui_list *l, const char *name);
/* Up/Down/Page/Home/End; true when the action moved or was a list key. */
bool tui_list_action(struct tui_list *l, enum tui_action a);
int tui_list_index(const struct tui_list *l);
void tui_list_select(struct tui_list *l, int i);
void tui_list_focus(struct tui_list *l, bool focused);
void tui_list_refresh(struct tui_list *l);

/* Text fields from the form library, in their own window; labels are
 * drawn by the screen. */
#define TUI_FORM_MAX 4
struct tui_form {
	FORM *form;
	FIELD *fields[TUI_FORM_MAX + 1];
	size_t n;
	WINDOW *win;
	int rows, cols;
	bool focused;
};

/* One field per row; widths[i] columns each (paths scroll sideways). */
bool tui_form_init(struct tui_form *f, const int *widths, size_t n);
void tui_form_free(struct tui_form *f);
void tui_form_place(struct tui_form *f, int y, int x);
void tui_form_set(struct tui_form *f, size_t i, const char *text);
/* The field's text without the padding; buf of size bytes. */
const char *tui_form_get(struct tui_form *f, size_t i, char *buf, size_t size);
void tui_form_goto(struct tui_form *f, size_t i);
/* Editing actions (text, erase, delete, left, right, home, end). */
bool tui_form_action(struct tui_form *f, enum tui_action a, int ch);
void tui_form_focus(struct tui_form *f, bool focused);
/* Refresh; leaves the cursor in the field when focused. */
void tui_form_refresh(struct tui_form *f);

/* Complete the path in `buf` (size bytes) as a shell does: the longest
 * common prefix of the matching names, "/" after a single directory.
 * `note` gets "3 matches: a.hex b.hex c.hex" or why nothing matched. */
void tui_complete_path(char *buf, size_t size, char *note, size_t note_size);
/* The same for a keyboard's QMK name, from the local QMK checkout
 * (tui-complete-keyboard.c): "crk" -> "crkbd", then "crkbd/" -> its
 * revisions. */
void tui_complete_keyboard(char *buf, size_t size, char *note, size_t note_size);
/* Tab in field `i` of a form: its text completed by `complete` (one of
 * the two above) and the completion's note shown as the message. */
void tui_form_complete(struct tui *t, struct tui_form *f, size_t i,
		       void (*complete)(char *buf, size_t size, char *note, size_t note_size));

/* "Which keyboard is it?" (tui-keyboard-pick.c): a field for the keyboard's
 * QMK name over a list of bootloader rows, looked up as --keyboard does. */
struct tui_keyboard_pick {
	bool open;
	struct tui_form form;
	char note[400];      /* completions, or why no row was picked */
	enum tui_role note_role;
};
void tui_keyboard_pick_open(struct tui_keyboard_pick *p);
void tui_keyboard_pick_close(struct tui_keyboard_pick *p);
void tui_keyboard_pick_layout(struct tui_keyboard_pick *p);
void tui_keyboard_pick_draw(struct tui_keyboard_pick *p);
void tui_keyboard_pick_paint(struct tui_keyboard_pick *p);
/* Tab completes, Esc closes, Enter looks the name up: the row of `rows`
 * (n of them; `now` highlighted) to select, which closes the field and
 * says so on the message line (the note then says when several rows fit);
 * else -1. */
int tui_keyboard_pick_action(struct tui *t, struct tui_keyboard_pick *p, enum tui_action a,
			     int ch, const struct catalog_bootloader *const *rows, size_t n,
			     int now);

/* --- the fuse editor (tui-fuse-editor.c) ------------------------------------------ */

/* The part's fuse fields by name, each stepped through its values, with the
 * bytes and each change's risk class against the chip's fuses, live. */
#define TUI_FUSE_EDITOR_ROWS 32
struct tui_fuse_editor {
	bool open;
	bool accepted;       /* closed with Enter: `value` is to be used */
	const struct catalog_part *part;
	struct fuse_set chip;            /* what the chip holds now */
	struct fuse_set value;           /* what is being edited */
	enum fuse_byte byte[TUI_FUSE_EDITOR_ROWS];
	const struct fuse_field *field[TUI_FUSE_EDITOR_ROWS];
	size_t n, sel;
};

/* Open on `start` (bytes it lacks come from the chip, else the factory). */
void tui_fuse_editor_open(struct tui_fuse_editor *e, const struct catalog_part *part,
			  const struct fuse_set *chip, const struct fuse_set *start);
/* Up/Down choose a field, Left/Right/Tab its value; true when Enter or
 * Esc closed it (see accepted). */
bool tui_fuse_editor_action(struct tui_fuse_editor *e, enum tui_action a);
void tui_fuse_editor_draw(const struct tui_fuse_editor *e, int y, int x, int h, int w);

/* --- the programmer's options (tui-prog-options.c) -------------------------------- */

#define TUI_PROG_OPTIONS_MAX 8
enum tui_opt_kind { TUI_OPT_SWITCH, TUI_OPT_CHOICE, TUI_OPT_VALUE };
struct tui_prog_option {
	char name[32];
	char words[160];     /* "cs|aux" for a choice */
	const char *help;    /* into the driver's table */
	enum tui_opt_kind kind;
	int n_words;
	int choice;          /* -1: not given; a switch: 0 = on */
	char value[64];      /* a VALUE option given on the command line */
};
struct tui_prog_options {
	bool open;
	struct tui_prog_option opts[TUI_PROG_OPTIONS_MAX];
	size_t n, sel;       /* sel == n: the bit-clock row */
	size_t clock;
};
void tui_prog_options_open(struct tui_prog_options *e, const struct tui *t);
/* true when Enter (the choices go into t) or Esc closed it. */
bool tui_prog_options_action(struct tui_prog_options *e, struct tui *t, enum tui_action a);
void tui_prog_options_draw(const struct tui_prog_options *e, const struct tui *t,
			   int y, int x, int h, int w);

/* --- the port source (tui-source.c) --------------------------------------------- */

struct tui_source;

/* Real devices through the debounced libudev monitor. */
struct tui_source *tui_source_new_real(const struct catalog *cat, struct iw_error *err);
/* The demo: the simulated programmer `sim` shows up `delay_ms` after this
 * call, as if plugged in. */
struct tui_source *tui_source_new_demo(const struct catalog *cat,
				       const struct catalog_programmer *sim,
				       int delay_ms);
void tui_source_free(struct tui_source *s);
int tui_source_fd(const struct tui_source *s);          /* -1: none */
int tui_source_timeout_ms(const struct tui_source *s);  /* -1: none */
enum iw_status tui_source_dispatch(struct tui_source *s, hotplug_cb cb, void *user,
				   struct iw_error *err);
const struct detect_list *tui_source_devices(const struct tui_source *s);
/* The demo plugs in a board that enumerates as `id` after `delay_ms` (the
 * flashed bootloader); the real source only watches. */
void tui_source_expect(struct tui_source *s, struct catalog_usb_id id, int delay_ms);

/* --- a download's or an upload's progress (tui-progress.c) ------------------------ */

/* A job that is not an ISP flash (JOB_KIND_FETCH, JOB_KIND_UPLOAD) as a
 * screen shows it: where it is, and its INFO/WARNING lines.  Lives in the
 * screen's data; the result lands in `res`. */
struct tui_progress {
	bool running, ended, warned;
	enum job_phase phase;
	uint32_t done, total;      /* of the phase now: bytes, or ms for a wait */
	struct tui_text log;
	struct job_result res;
};

void tui_progress_init(struct tui_progress *p, int width);
void tui_progress_free(struct tui_progress *p);
/* Start `plan` (tui_job_start); false with res.error set when it could not. */
bool tui_progress_start(struct tui *t, struct tui_progress *p, const struct job_plan *plan);
/* Take a TUI_EV_JOB or TUI_EV_JOB_DONE; true when the job has just ended. */
bool tui_progress_event(struct tui_progress *p, const struct tui_event *ev);
/* A screen's event handling for its job: a TUI_EV_JOB or TUI_EV_JOB_DONE
 * is taken (`ended` runs when the job has just ended), then the log, in a
 * box `log_rows` high, follows its newest line.  False for other events. */
bool tui_progress_take(struct tui *t, struct tui_progress *p, const struct tui_event *ev,
		       int log_rows, void (*ended)(struct tui *t));
/* A key while `p` runs: c or Esc asks `stop` (a yes calls `cancel`), any
 * other key scrolls the log. */
void tui_progress_key(struct tui *t, struct tui_progress *p, enum tui_action a, int log_rows,
		      void (*cancel)(struct tui *t), const char *stop);
/* One row at (y, x): a bar with bytes, or a countdown "... 27 s left";
 * `waiting_for` names what the wait after the upload waits for. */
void tui_progress_draw(const struct tui_progress *p, int y, int x, int w,
		       const char *waiting_for);

/* --- the log (tui-log.c) -------------------------------------------------------- */

/* The log file is the session's (t->log): open it with --log's path (NULL:
 * no log, and tui_log does nothing). */
bool tui_log_open(struct tui *t, const char *path, struct iw_error *err);
void tui_log_close(struct tui *t);
void tui_log(const struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tui_log_enabled(const struct tui *t);

/* --- the session ------------------------------------------------------------------- */

enum tui_event_kind {
	TUI_EV_JOB,          /* an event from the running job */
	TUI_EV_JOB_DONE,     /* the job was joined; its result is in place */
	TUI_EV_DEVICE,       /* a device came or went */
	TUI_EV_TIMER,        /* the screen's timer ran out */
};

struct tui_event {
	enum tui_event_kind kind;
	const struct job_event *job;          /* TUI_EV_JOB */
	const struct hotplug_event *device;   /* TUI_EV_DEVICE */
};

/* A screen: a const table of what it does (tmux's window modes).  What a
 * screen remembers lives in its data, never in file-scope statics: the
 * session allocates data_size zeroed bytes per screen when it starts and
 * frees them when it ends, so every function of the screen, and a callback
 * it left behind (a yes/no answer), reaches the same block through
 * tui_screen_data(t, screen).  enter() starts it afresh; leave() lets go
 * of what enter() took (lists, text), the block itself stays. */
struct tui_screen {
	const char *name;      /* for the step line and the log */
	size_t data_size;      /* 0: the screen keeps nothing */
	const char *help;      /* shown by ? */
	const char *keys;      /* the footer's key hints */
	/* Hints for the screen's state now; NULL (or returning NULL): `keys`. */
	const char *(*keys_now)(const struct tui *t);
	bool (*applies)(const struct tui *t);   /* NULL: always */
	void (*enter)(struct tui *t);
	void (*leave)(struct tui *t);
	/* Place windows for the current LINES/COLS (on enter and resize). */
	void (*layout)(struct tui *t);
	void (*draw)(struct tui *t);            /* on stdscr */
	/* Refresh the screen's widget windows, after stdscr went out. */
	void (*paint)(struct tui *t);
	void (*action)(struct tui *t, enum tui_action a, int ch);
	void (*event)(struct tui *t, const struct tui_event *ev);
	/* Whether a text field has the focus now (letters are typed). */
	bool (*text_focus)(const struct tui *t);
};

extern const struct tui_screen tui_screen_welcome, tui_screen_programmer,
	tui_screen_firmware, tui_screen_wiring, tui_screen_port, tui_screen_target,
	tui_screen_bootloader, tui_screen_review, tui_screen_flash, tui_screen_done,
	tui_screen_keyboard, tui_screen_production;

/* A yes/no question in a panel; `on_yes` runs when answered yes. */
typedef void (*tui_yes_fn)(struct tui *t);

struct tui {
	const struct tui_options *opt;
	const struct catalog *cat;

	/* screens */
	const struct tui_screen *const *screens;
	size_t n_screens, cur;

	void **data;               /* per screen, parallel to screens (tui_screen_data) */

	/* choices, filled in step by step */
	const struct catalog_programmer *programmer;
	/* Its options (-x) and a bit-clock limit, from the programmer step's
	 * options (tui-prog-options.c); every plan takes them. */
	char driver_opt[TUI_PROG_OPTIONS_MAX][96];
	const char *driver_opt_ptr[TUI_PROG_OPTIONS_MAX];
	size_t n_driver_opts;
	uint32_t max_sck_hz;       /* 0: as fast as it goes */
	struct detect_device port_dev;
	bool have_port;
	const char *port;          /* into port_dev, NULL for the simulator */
	const struct catalog_part *part;          /* from the signature */
	struct job_result *probe;                 /* the target step's result */
	const struct catalog_bootloader *bootloader;
	const struct catalog_preset *preset;      /* NULL: custom fuses */
	struct fuse_set fuses;                    /* what will be written */
	char image_path[4096];
	struct hex_image *image;
	char sha_note[400];                       /* the file against the catalog's hash */
	enum tui_role sha_role;
	struct job_plan plan;                     /* built by the review */
	struct job_result *result;                /* the flash job's */
	bool flashed;

	/* the running job */
	struct job *job;
	struct job_plan job_plan;                 /* the plan the job runs */
	struct job_result *job_dest;              /* where its result goes */

	struct tui_source *source;
	struct demo *demo;
	FILE *log;                 /* --log FILE, NULL: none (tui-log.c) */

	/* frame */
	bool too_small;
	bool dirty;
	long long last_draw_ms;
	long long timer_at_ms;     /* the screen's timer, 0 = none */
	char message[512];
	enum tui_role message_role;

	/* overlays */
	PANEL *help_panel;
	WINDOW *help_win;
	PANEL *ask_panel;
	WINDOW *ask_win;
	char ask_text[512];
	tui_yes_fn ask_yes;
	char help_message[512];    /* the message line, whole, for the help box */

	/* The first backup of this board's job (tui-restore.c): what the chip
	 * held before ispwiz wrote to it, kept across cancels and retries; a
	 * later backup is of the chip as a retry found it. */
	char first_backup_json[4096];
	char first_backup_hex[4096];
	char later_backup[4096];
	bool put_back;             /* the first backup was written back, verified */
	/* b on the Welcome step: the backup to put back (""): the target step
	 * then goes to the flash step in restore mode (restore_now). */
	char restore_json[4096];
	bool restore_now;

	/* The review refused a fuse byte: going back lands on its field. */
	bool refused;
	enum fuse_byte refused_byte;

	bool quit;
	bool quit_after_job;
	int exit_code;
};

/* Move between steps (skipping those whose applies() is false). */
void tui_next(struct tui *t);
void tui_back(struct tui *t);
void tui_goto(struct tui *t, const struct tui_screen *s);
const struct tui_screen *tui_current(const struct tui *t);

/* Allocate every screen's data (false: out of memory; free what was
 * allocated with tui_screens_free either way). */
bool tui_screens_alloc(struct tui *t);
void tui_screens_free(struct tui *t);
/* The data block of `screen` in this session (NULL when it has none). */
void *tui_screen_data(const struct tui *t, const struct tui_screen *screen);

void tui_message(struct tui *t, enum tui_role role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_ask(struct tui *t, tui_yes_fn on_yes, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_set_timer(struct tui *t, int ms);   /* <0 clears */
void tui_request_quit(struct tui *t);

/* Start `plan` (copied into t->job_plan) on the worker thread; its events
 * go to the current screen, the result into *dest when it ends. */
bool tui_job_start(struct tui *t, const struct job_plan *plan, struct job_result *dest);
bool tui_job_running(const struct tui *t);
void tui_job_cancel(struct tui *t);

/* What the loop in tui-run.c calls in tui.c: draw the frame and the
 * current screen, lay out again for a new LINES/COLS, act on a key. */
void tui_draw(struct tui *t);
void tui_relayout(struct tui *t);
void tui_key(struct tui *t, int ch);

/* The port source, started on first use. */
struct tui_source *tui_get_source(struct tui *t);

/* Body area of the frame. */
int tui_body_top(void);
int tui_body_rows(void);
/* The body's rows from row y to its bottom: the height of a box (a log, a
 * note) that fills the rest of a screen. */
int tui_body_rows_from(int y);

/* The review's fuse changes (tui-review-fuses.c): `preset_note` first,
 * then per byte its values and per change one line with the reason that
 * belongs to the field and, for a multi-bit field, the new meaning in the
 * variant that applies to the selected clock source. */
void tui_review_fuses(struct tui_text *out, const struct catalog_part *part,
		      const struct fuse_set *before, const struct fuse_set *after,
		      const struct fuse_diff *diff, const char *preset_note);

/* What to try when bootloader `bl` does not show up on USB, by its family
 * (tui-done-advice.c): Caterina's 750 ms window, Atmel DFU's BOOTRST and
 * HWB from the fuses written, ... */
void tui_done_advice(struct tui_text *out, const struct catalog_part *part,
		     const struct catalog_bootloader *bl, const struct fuse_set *fuses);

/* Backups and putting one back (tui-restore.c).  tui_note_backup records
 * a finished job's backup: the first of the board, or a later one. */
struct backup_set;
void tui_note_backup(struct tui *t, const struct job_result *r);
void tui_forget_backups(struct tui *t);     /* another board */
/* "Backup of what the chip held before ...: PATH" and the later one. */
void tui_describe_backups(const struct tui *t, struct tui_text *out);
/* A plan that writes the backup `json` back through the chosen programmer
 * and port; `set` (zeroed or loaded before) holds what the plan points
 * into until the job has ended: free it with backup_set_free(). */
bool tui_restore_plan(struct tui *t, const char *json, struct backup_set *set,
		      struct job_plan *plan, char *why, size_t size);

/* Shared text: a plan for the chosen bootloader (tui-plan.c). */
/* A plan on the session's programmer, port and part with the options
 * every job of the wizard shares: the demo's faults, the programmer's
 * -x options and bit-clock limit. */
void tui_plan_start(const struct tui *t, struct job_plan *plan,
		    const struct catalog_part *part);
bool tui_build_plan(struct tui *t, struct job_plan *plan, char *why, size_t size);
/* "Atmel DFU: ATmega32U4": the family in words and the variant. */
const char *tui_bootloader_title(const struct catalog_bootloader *bl, char *buf, size_t size);

/* The keyboard's firmware after Done (screen-keyboard.c): go to that step;
 * and the `ispwiz upload` command that does it later (`file` NULL: a
 * placeholder name). */
void tui_keyboard_begin(struct tui *t);
const char *tui_keyboard_command(const struct tui *t, const char *file, char *buf,
				 size_t size);

/* The production image (screen-production.c): the Bootloader step says
 * whether the person wants the keyboard's firmware merged in (f) as it
 * takes its file; once merged, the plan's boot range and words, the
 * firmware's path (NULL: not a production image). */
void tui_production_want(struct tui *t, bool want);
bool tui_production_active(const struct tui *t);
const char *tui_production_firmware(const struct tui *t);
const char *tui_production_boot_path(const struct tui *t);
void tui_production_plan(const struct tui *t, struct job_plan *plan);

/* What the bootloader file at `path` is, by its identity (tui-identity.c):
 * one or two sentences for under the file field, "" when there is no file. */
void tui_file_identity(const struct tui *t, const struct catalog_bootloader *bl,
		       const char *path, char *buf, size_t size, enum tui_role *role);
/* The name of what the flash job wrote and verified: the catalog
 * bootloader its identity is, else "your file X.hex (unknown image)". */
const char *tui_flashed_name(const struct tui *t, char *buf, size_t size);

#endif
