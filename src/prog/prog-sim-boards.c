/* prog-sim-boards.c - the board script of the simulated programmer: parsing
 * it, and which board is on the cable at a given virtual time. */
#include "config.h"

#include "prog/prog-sim-boards.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/file-util.h"

#define SCRIPT_MAX_BYTES (4u << 20)
#define MAX_DURATION_US (86400ull * 1000000ull)

struct board_line {
	unsigned line;
	struct sim_fault faults[SIM_BOARDS_MAX_KNOBS];
	size_t n_faults;
	bool has_fuse[FUSE_COUNT];
	uint8_t fuse[FUSE_COUNT];
	bool has_lock;
	uint8_t lock;
};

struct entry {
	bool present;
	size_t board;
	uint64_t start_us, end_us;
	unsigned line;
};

struct sim_boards {
	struct entry *entries;
	size_t n_entries, cap_entries;
	struct board_line *boards;
	size_t n_boards, cap_boards;
};

/* --- the parser ------------------------------------------------------------- */

struct parser {
	const char *name;
	const struct catalog *cat;
	struct sim_boards *b;
	unsigned line;
	uint64_t t_us;          /* where the next entry starts */
	bool open_ended;        /* a board without `for` was seen */
	unsigned open_line;
	struct iw_error *err;
};

struct token {
	char text[96];
	unsigned col;
};

#define MAX_TOKENS (SIM_BOARDS_MAX_KNOBS + 8)

static enum iw_status
fail_at(struct parser *ps, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum iw_status
fail_at(struct parser *ps, unsigned col, const char *fmt, ...)
{
	char msg[IW_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return iw_error_set(ps->err, IW_INPUT, "%s:%u:%u: %s", ps->name, ps->line, col, msg);
}

/* Split one line (without its newline) into words; '#' ends it. */
static enum iw_status
tokenize(struct parser *ps, const char *s, size_t len, struct token *tok, size_t *n)
{
	size_t i = 0;

	*n = 0;
	while (i < len) {
		size_t start;

		while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
			i++;
		if (i >= len || s[i] == '#')
			break;
		start = i;
		while (i < len && s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '#')
			i++;
		if (*n == MAX_TOKENS)
			return fail_at(ps, (unsigned)start + 1, "too many words on one line "
				       "(at most %d knobs per board)", SIM_BOARDS_MAX_KNOBS);
		if (i - start >= sizeof tok[0].text)
			return fail_at(ps, (unsigned)start + 1, "'%.20s...' is too long for a "
				       "word of a board script", s + start);
		memcpy(tok[*n].text, s + start, i - start);
		tok[*n].text[i - start] = '\0';
		tok[*n].col = (unsigned)start + 1;
		(*n)++;
	}
	return IW_OK;
}

/* "500ms", "2s", "1.5s". */
static enum iw_status
parse_duration(struct parser *ps, const struct token *t, uint64_t *us)
{
	char *end;
	double v, scale;

	errno = 0;
	v = strtod(t->text, &end);
	if (end == t->text || errno != 0 || !isdigit((unsigned char)t->text[0]))
		goto bad;
	if (strcmp(end, "ms") == 0)
		scale = 1e3;
	else if (strcmp(end, "s") == 0)
		scale = 1e6;
	else
		goto bad;
	v *= scale;
	if (!(v >= 1.0) || v > (double)MAX_DURATION_US)
		return fail_at(ps, t->col, "duration '%s' is out of range: give at least "
			       "1 ms and at most a day", t->text);
	*us = (uint64_t)(v + 0.5);
	return IW_OK;
bad:
	return fail_at(ps, t->col, "'%s' is not a duration: write a number with ms "
		       "or s, e.g. 500ms or 2s", t->text);
}

static enum iw_status
add_entry(struct parser *ps, bool present, size_t board, uint64_t dur_us)
{
	struct sim_boards *b = ps->b;
	struct entry *e;

	if (b->n_entries == SIM_BOARDS_MAX_ENTRIES)
		return fail_at(ps, 1, "a board script holds at most %d lines",
			       SIM_BOARDS_MAX_ENTRIES);
	if (b->n_entries == b->cap_entries) {
		size_t cap = b->cap_entries ? b->cap_entries * 2 : 16;
		struct entry *n = realloc(b->entries, cap * sizeof *n);

		if (n == NULL)
			return iw_error_set(ps->err, IW_NOMEM, "out of memory reading %s",
					    ps->name);
		b->entries = n;
		b->cap_entries = cap;
	}
	e = &b->entries[b->n_entries++];
	e->present = present;
	e->board = board;
	e->line = ps->line;
	e->start_us = ps->t_us;
	e->end_us = dur_us == SIM_BOARDS_FOREVER ? SIM_BOARDS_FOREVER : ps->t_us + dur_us;
	ps->t_us = e->end_us;
	return IW_OK;
}

static bool
parse_byte(const char *s, uint8_t *out)
{
	char *end;
	unsigned long v;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isxdigit((unsigned char)s[2]))
		return false;
	errno = 0;
	v = strtoul(s + 2, &end, 16);
	if (errno != 0 || *end != '\0' || v > 0xFF)
		return false;
	*out = (uint8_t)v;
	return true;
}

/* lfuse=0xNN, hfuse=, efuse=, lock=; returns 1 when it was one, 0 when not. */
static int
parse_state_word(struct parser *ps, const struct token *t, struct board_line *bl,
		 enum iw_status *st)
{
	static const char *const names[FUSE_COUNT + 1] = { "lfuse", "hfuse", "efuse", "lock" };
	const char *eq = strchr(t->text, '=');

	for (int k = 0; k <= FUSE_COUNT && eq != NULL; k++) {
		uint8_t v;

		if (strlen(names[k]) != (size_t)(eq - t->text) ||
		    strncmp(names[k], t->text, (size_t)(eq - t->text)) != 0)
			continue;
		if (!parse_byte(eq + 1, &v)) {
			*st = fail_at(ps, t->col, "%s: write the value as 0xNN, e.g. %s=0xD8",
				      t->text, names[k]);
			return 1;
		}
		if (k == FUSE_COUNT) {
			bl->has_lock = true;
			bl->lock = v;
		} else {
			bl->has_fuse[k] = true;
			bl->fuse[k] = v;
		}
		*st = IW_OK;
		return 1;
	}
	return 0;
}

static enum iw_status
parse_knob(struct parser *ps, const struct token *t, struct board_line *bl)
{
	struct sim_fault *f;
	struct iw_error e;
	enum iw_status st;

	if (strcmp(t->text, "blank") == 0)
		return IW_OK;
	if (parse_state_word(ps, t, bl, &st))
		return st;
	if (bl->n_faults == SIM_BOARDS_MAX_KNOBS)
		return fail_at(ps, t->col, "at most %d knobs per board", SIM_BOARDS_MAX_KNOBS);
	f = &bl->faults[bl->n_faults];
	if (sim_target_fault_parse(t->text, f, &e) != IW_OK)
		return fail_at(ps, t->col, "%s; a board also takes lfuse=, hfuse=, efuse=, "
			       "lock= (0xNN), `blank` and `for DURATION`", e.msg);
	if (f->kind == SIM_FAULT_WRONG_PART) {
		f->part = ps->cat != NULL ? catalog_find_part(ps->cat, f->part_id) : NULL;
		if (f->part == NULL)
			return fail_at(ps, t->col, "no part \"%s\" in the catalog; `ispwiz "
				       "list parts` shows the ids", f->part_id);
	}
	bl->n_faults++;
	return IW_OK;
}

static enum iw_status
parse_board(struct parser *ps, const struct token *tok, size_t n)
{
	struct sim_boards *b = ps->b;
	struct board_line bl;
	uint64_t dur = SIM_BOARDS_FOREVER;
	size_t last = n;
	enum iw_status st;

	memset(&bl, 0, sizeof bl);
	bl.line = ps->line;
	if (n >= 2 && strcmp(tok[n - 2].text, "for") == 0) {
		if ((st = parse_duration(ps, &tok[n - 1], &dur)) != IW_OK)
			return st;
		last = n - 2;
	} else if (n >= 1 && strcmp(tok[n - 1].text, "for") == 0) {
		return fail_at(ps, tok[n - 1].col, "`for` needs a duration, e.g. for 2s");
	}
	for (size_t i = 1; i < last; i++) {
		if (strcmp(tok[i].text, "for") == 0)
			return fail_at(ps, tok[i].col, "`for DURATION` goes at the end of "
				       "the line");
		if ((st = parse_knob(ps, &tok[i], &bl)) != IW_OK)
			return st;
	}
	if (b->n_boards == b->cap_boards) {
		size_t cap = b->cap_boards ? b->cap_boards * 2 : 16;
		struct board_line *nb = realloc(b->boards, cap * sizeof *nb);

		if (nb == NULL)
			return iw_error_set(ps->err, IW_NOMEM, "out of memory reading %s",
					    ps->name);
		b->boards = nb;
		b->cap_boards = cap;
	}
	b->boards[b->n_boards] = bl;
	if ((st = add_entry(ps, true, b->n_boards, dur)) != IW_OK)
		return st;
	b->n_boards++;
	if (dur == SIM_BOARDS_FOREVER) {
		ps->open_ended = true;
		ps->open_line = ps->line;
	}
	return IW_OK;
}

static enum iw_status
parse_line(struct parser *ps, const char *s, size_t len)
{
	struct token tok[MAX_TOKENS];
	size_t n;
	uint64_t dur;
	enum iw_status st;

	if ((st = tokenize(ps, s, len, tok, &n)) != IW_OK)
		return st;
	if (n == 0)
		return IW_OK;
	if (ps->open_ended)
		return fail_at(ps, tok[0].col, "the board on line %u has no `for DURATION`, "
			       "so it stays forever and this line never happens; give it "
			       "a duration", ps->open_line);
	if (strcmp(tok[0].text, "board") == 0)
		return parse_board(ps, tok, n);
	if (strcmp(tok[0].text, "absent") == 0) {
		if (n != 2)
			return fail_at(ps, tok[0].col, "write `absent DURATION`, e.g. "
				       "absent 500ms");
		if ((st = parse_duration(ps, &tok[1], &dur)) != IW_OK)
			return st;
		return add_entry(ps, false, 0, dur);
	}
	return fail_at(ps, tok[0].col, "'%s' is not a board script line: lines start "
		       "with `board` or `absent`", tok[0].text);
}

enum iw_status
sim_boards_parse(const char *name, const char *text, const struct catalog *cat,
		 struct sim_boards **out, struct iw_error *err)
{
	struct parser ps;
	const char *p = text;
	enum iw_status st;

	*out = NULL;
	memset(&ps, 0, sizeof ps);
	ps.name = name;
	ps.cat = cat;
	ps.err = err;
	if ((ps.b = calloc(1, sizeof *ps.b)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory reading %s", name);
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

		ps.line++;
		if ((st = parse_line(&ps, p, len)) != IW_OK)
			goto fail;
		p += len;
		if (*p == '\n')
			p++;
	}
	if (ps.b->n_boards == 0) {
		st = iw_error_set(err, IW_INPUT, "%s: the board script has no `board` line; "
				  "write at least one, e.g. `board for 2s`", name);
		goto fail;
	}
	*out = ps.b;
	return IW_OK;
fail:
	sim_boards_free(ps.b);
	return st;
}

enum iw_status
sim_boards_load(const char *path, const struct catalog *cat, struct sim_boards **out,
		struct iw_error *err)
{
	char *text = NULL;
	size_t len;
	int e;
	enum iw_status st;

	*out = NULL;
	e = file_read_all(path, SCRIPT_MAX_BYTES, &text, &len);
	if (e != 0)
		return iw_error_set(err, e == ENOENT ? IW_NOT_FOUND : IW_IO,
				    "cannot read the board script %s: %s", path,
				    e == EFBIG ? "larger than 4 MiB" : strerror(e));
	if (memchr(text, '\0', len) != NULL) {
		free(text);
		return iw_error_set(err, IW_INPUT, "%s is not a text file; a board script "
				    "has lines like `board for 2s`", path);
	}
	st = sim_boards_parse(path, text, cat, out, err);
	free(text);
	return st;
}

void
sim_boards_free(struct sim_boards *b)
{
	if (b == NULL)
		return;
	free(b->entries);
	free(b->boards);
	free(b);
}

/* --- the timeline ------------------------------------------------------------ */

size_t
sim_boards_count(const struct sim_boards *b)
{
	return b->n_boards;
}

bool
sim_boards_slot_at(const struct sim_boards *b, uint64_t t_us, struct sim_boards_slot *out)
{
	size_t lo = 0, hi = b->n_entries;

	/* Entries are contiguous and sorted by start: find the last one that
	 * starts at or before t. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->entries[mid].start_us <= t_us)
			lo = mid;
		else
			hi = mid;
	}
	memset(out, 0, sizeof out[0]);
	if (b->n_entries > 0 && t_us < b->entries[lo].end_us) {
		const struct entry *e = &b->entries[lo];

		out->present = e->present;
		out->board = e->board;
		out->start_us = e->start_us;
		out->end_us = e->end_us;
		out->line = e->line;
		return true;
	}
	out->start_us = b->n_entries > 0 ? b->entries[b->n_entries - 1].end_us : 0;
	out->end_us = SIM_BOARDS_FOREVER;
	return false;
}

struct sim_target *
sim_boards_make_target(const struct sim_boards *b, size_t board,
		       const struct catalog_part *part,
		       const struct sim_target_options *opts, struct iw_error *err)
{
	const struct board_line *bl;
	struct sim_target *t;

	if (board >= b->n_boards) {
		iw_error_set(err, IW_RANGE, "board %zu is not in the script", board + 1);
		return NULL;
	}
	bl = &b->boards[board];
	if ((t = sim_target_new(part, opts, err)) == NULL)
		return NULL;
	for (size_t i = 0; i < bl->n_faults; i++)
		if (sim_target_set_fault(t, &bl->faults[i], err) != IW_OK) {
			iw_error_prefix(err, "the board on line %u of the board script",
					bl->line);
			sim_target_free(t);
			return NULL;
		}
	/* After the knobs: wrong-part puts a fresh chip on the board, and the
	 * state words describe the chip that is really there. */
	for (int k = 0; k < FUSE_COUNT; k++)
		if (bl->has_fuse[k])
			sim_target_set_fuse(t, (enum fuse_byte)k, bl->fuse[k]);
	if (bl->has_lock)
		sim_target_set_lock(t, bl->lock);
	/* The board arrives unpowered and is powered by the jig: fuses latch. */
	sim_target_set_power(t, false);
	sim_target_set_power(t, true);
	return t;
}
