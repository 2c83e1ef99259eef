/* prog-sim.c - the `sim` driver: a programmer whose cable ends in a
 * simulated AVR target instead of a USB or serial port, or, with a board
 * script (boards=FILE), in a succession of them. */
#include "prog/prog-sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "prog/prog-sim-boards.h"
#include "core/clock.h"

/* Real programmers offer a handful of clocks; these bracket what the
 * catalog parts accept (a 16 MHz chip takes 2 MHz, a CKDIV8 chip at 1 MHz
 * needs 250 kHz or less, a chip on a 128 kHz RC oscillator needs 16 kHz). */
static const uint32_t sim_sck_steps[PROG_SIM_N_SCK] = {
	2000000u, 1000000u, 500000u, 250000u, 125000u, 62500u, 16000u,
};

/* How long (target time) a page write may keep RDY/BSY busy. */
#define SIM_PAGE_TIMEOUT_US 250000u
/* Power-up: RESET low for at least 20 ms before Programming Enable. */
#define SIM_RESET_SETTLE_US 20000u
#define SIM_EXT_ADDR_LIMIT 0x20000u

struct sim_prog {
	struct sim_target *target; /* NULL: nothing on the cable (boards=) */
	char *state_path;          /* NULL: nothing is saved */
	bool dirty;                /* instructions clocked since the last save */
	bool realtime;
	bool wrong_part;           /* never saved, see prog-sim.h */

	/* boards=FILE: the chips that come and go (prog-sim-boards.h). */
	struct sim_boards *boards;
	struct sim_target **chips;         /* one per board line, made on arrival */
	const struct catalog_part *part;
	struct sim_target_options topts;
	struct sim_boards_slot slot;       /* what is on the cable now */
	bool have_slot, script_over;
	uint64_t now_us;                   /* the script's virtual time */
	uint64_t chip_mark_us;             /* the chip's clock when now_us last caught up */
	uint32_t sck_hz;                   /* for time passing while nobody listens */
};

static struct sim_prog *
priv(struct prog *p)
{
	return p->priv;
}

static enum iw_status sim_open(struct prog *p, const struct prog_options *opt,
			       struct iw_error *err);
static void board_sync(struct sim_prog *s);

/* The driver state when `p` is an open sim programmer, else NULL.  By the
 * open function, so variants of this driver (tests copy the table and take
 * the paged calls out) count too. */
static struct sim_prog *
sim_of(struct prog *p)
{
	if (p == NULL || p->driver == NULL || p->driver->open != sim_open ||
	    p->priv == NULL)
		return NULL;
	return priv(p);
}

struct sim_target *
prog_sim_target(struct prog *p)
{
	struct sim_prog *s = sim_of(p);

	if (s == NULL)
		return NULL;
	board_sync(s);
	return s->target;
}

/* The part a state file was saved for, so a file holding another chip puts
 * that chip on the board (the job then finds its signature).  NULL when the
 * file is missing, unreadable or silent about it: sim_target_load() reports
 * those properly. */
static const struct catalog_part *
state_file_part(const char *path, const struct catalog *cat)
{
	const struct catalog_part *part = NULL;
	json_error_t jerr;
	json_t *root, *id;

	if (cat == NULL)
		return NULL;
	root = json_load_file(path, 0, &jerr);
	if (root == NULL)
		return NULL;
	id = json_object_get(root, "part");
	if (json_is_object(id))
		id = json_object_get(id, "id");
	if (json_is_string(id))
		part = catalog_find_part(cat, json_string_value(id));
	json_decref(root);
	return part;
}

enum iw_status
prog_sim_check_fault(const char *spec, const struct catalog *cat, struct iw_error *err)
{
	struct sim_fault f;

	if (strcmp(spec, "realtime") == 0)
		return IW_OK;
	if (strncmp(spec, "boards=", 7) == 0)
		return spec[7] != '\0' ? IW_OK :
		       iw_error_set(err, IW_USAGE, "boards=FILE needs the board script's file name");
	if (sim_target_fault_parse(spec, &f, err) != IW_OK) {
		size_t len = strcspn(spec, "=");
		struct iw_error e = *err;

		/* An unknown name: the chip's parser listed the chip's knobs, and
		 * these are the programmer's own. */
		for (int k = 0; k < SIM_FAULT_COUNT; k++) {
			const char *name = sim_target_fault_name((enum sim_fault_kind)k);

			if (strlen(name) == len && strncmp(name, spec, len) == 0)
				return IW_USAGE;
		}
		return iw_error_set(err, IW_USAGE, "%s, and the simulated programmer's "
				    "realtime and boards=FILE", e.msg);
	}
	if (cat != NULL && f.kind == SIM_FAULT_WRONG_PART &&
	    catalog_find_part(cat, f.part_id) == NULL)
		return iw_error_set(err, IW_USAGE, "no part \"%s\" in the catalog; "
				    "`ispwiz list parts` shows the ids", f.part_id);
	return IW_OK;
}

/* Split the knob list into the driver's own ("realtime", "boards=FILE")
 * and the target's. */
static enum iw_status
parse_faults(const struct prog_options *opt, struct sim_fault *faults,
	     size_t *n_faults, bool *realtime, const char **boards,
	     struct iw_error *err)
{
	enum iw_status st;

	*n_faults = 0;
	*realtime = false;
	*boards = NULL;
	for (size_t i = 0; i < opt->n_sim_faults; i++) {
		const char *spec = opt->sim_faults[i];
		struct sim_fault *f = &faults[*n_faults];

		if (strcmp(spec, "realtime") == 0) {
			*realtime = true;
			continue;
		}
		if (strncmp(spec, "boards=", 7) == 0) {
			if (spec[7] == '\0')
				return iw_error_set(err, IW_USAGE, "--sim-fault boards=FILE "
						    "needs the board script's file name");
			*boards = spec + 7;
			continue;
		}
		if ((st = sim_target_fault_parse(spec, f, err)) != IW_OK) {
			iw_error_prefix(err, "--sim-fault %s", spec);
			return st;
		}
		if (f->kind == SIM_FAULT_WRONG_PART) {
			f->part = opt->catalog != NULL ?
				  catalog_find_part(opt->catalog, f->part_id) : NULL;
			if (f->part == NULL)
				return iw_error_set(err, IW_USAGE,
						    "--sim-fault %s: no part \"%s\" in the catalog; "
						    "`ispwiz list parts` shows the ids",
						    spec, f->part_id);
		}
		(*n_faults)++;
	}
	return IW_OK;
}

/* --- the board script ------------------------------------------------------ */

static void
free_sim(struct sim_prog *s)
{
	if (s == NULL)
		return;
	if (s->boards != NULL) {
		for (size_t i = 0; s->chips != NULL && i < sim_boards_count(s->boards); i++)
			sim_target_free(s->chips[i]);
		free(s->chips);
		sim_boards_free(s->boards);
	} else {
		sim_target_free(s->target);
	}
	free(s->state_path);
	free(s);
}

static enum iw_status
open_boards(struct sim_prog *s, const char *path, const struct catalog_part *part,
	    size_t n_faults, const struct prog_options *opt, struct iw_error *err)
{
	size_t n;
	enum iw_status st;

	if (opt->sim_state != NULL)
		return iw_error_set(err, IW_USAGE, "--sim-state keeps one chip between "
				    "runs, but boards=%s puts a new chip on the cable for "
				    "every board line; use one or the other", path);
	if (n_faults > 0)
		return iw_error_set(err, IW_USAGE, "with boards=%s, put the fault knobs "
				    "on the board lines of the script (e.g. `board "
				    "miso-open for 2s`), not in --sim-fault", path);
	if ((st = sim_boards_load(path, opt->catalog, &s->boards, err)) != IW_OK) {
		iw_error_prefix(err, "--sim-fault boards=%s", path);
		return st;
	}
	n = sim_boards_count(s->boards);
	if ((s->chips = calloc(n, sizeof *s->chips)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the simulator");
	s->part = part;
	s->topts.realtime = s->realtime;
	/* Make (and drop) every board now, so a knob that does not suit the
	 * part (corrupt-read past its flash) is reported here rather than when
	 * the board arrives in the middle of a run. */
	for (size_t i = 0; i < n; i++) {
		struct sim_target *t = sim_boards_make_target(s->boards, i, part, &s->topts, err);

		if (t == NULL) {
			iw_error_prefix(err, "--sim-fault boards=%s", path);
			return err != NULL ? err->code : IW_FAILED;
		}
		sim_target_free(t);
	}
	return IW_OK;
}

/* Catch the script's clock up with the chip's (time passes as bytes are
 * clocked), then put whatever the script says on the cable now. */
static void
board_sync(struct sim_prog *s)
{
	struct sim_target *next = NULL;

	if (s->boards == NULL)
		return;
	if (s->target != NULL) {
		uint64_t t = sim_target_now_us(s->target);

		s->now_us += t - s->chip_mark_us;
		s->chip_mark_us = t;
	}
	if (s->have_slot && s->now_us < s->slot.end_us)
		return;
	s->script_over = !sim_boards_slot_at(s->boards, s->now_us, &s->slot);
	s->have_slot = true;
	if (s->slot.present) {
		size_t i = s->slot.board;

		/* Made on arrival; a failure here can only be memory, and then
		 * the board simply is not there. */
		if (s->chips[i] == NULL)
			s->chips[i] = sim_boards_make_target(s->boards, i, s->part, &s->topts,
							     NULL);
		next = s->chips[i];
	}
	if (next == s->target)
		return;
	if (s->target != NULL)
		sim_target_set_power(s->target, false);   /* taken off the jig */
	s->target = next;
	if (next != NULL)
		s->chip_mark_us = sim_target_now_us(next);
}

/* The clock the script runs on, or the chip's own without a script. */
static uint64_t
sim_now_us(struct sim_prog *s)
{
	if (s->boards != NULL) {
		board_sync(s);
		return s->now_us;
	}
	return sim_target_now_us(s->target);
}

/* One instruction on the cable.  With nothing there, MISO floats high
 * and the time still passes. */
static void
sim_xfer(struct sim_prog *s, const uint8_t in[4], uint8_t out[4])
{
	board_sync(s);
	if (s->target == NULL) {
		uint32_t hz = s->sck_hz != 0 ? s->sck_hz : SIM_TARGET_DEFAULT_SCK_HZ;

		memset(out, 0xFF, 4);
		s->now_us += (32u * 1000000u + hz - 1) / hz;
		return;
	}
	sim_target_transfer(s->target, in, out);
}

/* With a board script, waiting moves the script's clock; without one, the
 * caller waits for real. */
static enum prog_idle
sim_idle(struct prog *p, unsigned ms)
{
	struct sim_prog *s;
	uint64_t us = (uint64_t)ms * 1000u;

	if (sim_of(p) == NULL || (s = priv(p))->boards == NULL)
		return PROG_IDLE_REAL;
	board_sync(s);
	s->now_us += us;
	if (s->target != NULL) {
		sim_target_advance_us(s->target, us);
		s->chip_mark_us += us;
	}
	board_sync(s);
	return s->script_over ? PROG_IDLE_OVER : PROG_IDLE_VIRTUAL;
}

struct sim_target *
prog_sim_board(struct prog *p, size_t i)
{
	struct sim_prog *s = sim_of(p);

	if (s == NULL || s->boards == NULL || i >= sim_boards_count(s->boards))
		return NULL;
	return s->chips[i];
}

/* --- open, close, save -------------------------------------------------------- */

static enum iw_status
sim_open(struct prog *p, const struct prog_options *opt, struct iw_error *err)
{
	struct sim_target_options topts;
	const struct catalog_part *part = opt->part, *saved;
	struct sim_fault *faults = NULL;
	struct sim_prog *s = NULL;
	const char *boards = NULL;
	size_t n_faults = 0;
	enum iw_status st;

	if (part == NULL)
		return iw_error_set(err, IW_USAGE,
				    "the simulated programmer needs to know which part is on "
				    "the board; give -p PART");
	s = calloc(1, sizeof *s);
	faults = calloc(opt->n_sim_faults + 1, sizeof *faults);
	if (s == NULL || faults == NULL) {
		st = iw_error_set(err, IW_NOMEM, "out of memory opening the simulator");
		goto fail;
	}
	if ((st = parse_faults(opt, faults, &n_faults, &s->realtime, &boards, err)) != IW_OK)
		goto fail;
	if (boards != NULL) {
		if ((st = open_boards(s, boards, part, n_faults, opt, err)) != IW_OK)
			goto fail;
		goto opened;
	}
	if (opt->sim_state != NULL) {
		if ((saved = state_file_part(opt->sim_state, opt->catalog)) != NULL)
			part = saved;
		if ((s->state_path = strdup(opt->sim_state)) == NULL) {
			st = iw_error_set(err, IW_NOMEM, "out of memory opening the simulator");
			goto fail;
		}
	}
	memset(&topts, 0, sizeof topts);
	topts.realtime = s->realtime;
	if ((s->target = sim_target_new(part, &topts, err)) == NULL) {
		st = err != NULL ? err->code : IW_FAILED;
		goto fail;
	}
	if (s->state_path != NULL) {
		st = sim_target_load(s->target, s->state_path, err);
		if (st == IW_NOT_FOUND) {
			/* A fresh chip; the file appears when this run saves. */
			iw_error_clear(err);
			s->dirty = true;
		} else if (st != IW_OK) {
			iw_error_prefix(err, "--sim-state %s", s->state_path);
			goto fail;
		}
	}
	for (size_t i = 0; i < n_faults; i++) {
		if ((st = sim_target_set_fault(s->target, &faults[i], err)) != IW_OK) {
			iw_error_prefix(err, "--sim-fault %s", sim_target_fault_name(faults[i].kind));
			goto fail;
		}
		if (faults[i].kind == SIM_FAULT_WRONG_PART)
			s->wrong_part = true;
	}
opened:
	free(faults);
	p->priv = s;
	p->caps = (struct prog_caps){
		.sck_hz = sim_sck_steps, .n_sck = PROG_SIM_N_SCK,
		.paged_read = true, .paged_write = true,
	};
	return IW_OK;

fail:
	free(faults);
	free_sim(s);
	return st;
}

static enum iw_status
save_state(struct sim_prog *s, struct iw_error *err)
{
	enum iw_status st;

	if (s->state_path == NULL || !s->dirty || s->wrong_part)
		return IW_OK;
	st = sim_target_save(s->target, s->state_path, err);
	if (st != IW_OK) {
		iw_error_prefix(err, "saving the simulated chip to --sim-state %s",
				s->state_path);
		return st;
	}
	s->dirty = false;
	return IW_OK;
}

static enum iw_status
sim_sync(struct prog *p, struct iw_error *err)
{
	return save_state(priv(p), err);
}

static void
sim_close(struct prog *p)
{
	struct sim_prog *s = priv(p);

	if (s == NULL)
		return;
	/* Best effort: a caller that wants to hear about a failed save calls
	 * sync() (prog_close does) first. */
	save_state(s, NULL);
	free_sim(s);
	p->priv = NULL;
}

static enum iw_status
sim_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	static const uint8_t enable[4] = { 0xAC, 0x53, 0x00, 0x00 };
	struct sim_prog *s = priv(p);
	uint8_t out[4];
	char hz[32];

	s->dirty = true;
	s->sck_hz = sck_hz;
	board_sync(s);
	if (s->target == NULL) {
		/* An empty jig: the settle time passes, MISO floats high. */
		s->now_us += SIM_RESET_SETTLE_US;
		sim_xfer(s, enable, out);
		p->have_answer = true;
		memcpy(p->answer, out, sizeof p->answer);
		return iw_error_set(err, IW_NO_TARGET,
				    "no Programming Enable echo: nothing answers on the "
				    "cable (the target answered %02X %02X %02X %02X)",
				    out[0], out[1], out[2], out[3]);
	}
	sim_target_set_power(s->target, true);
	/* A positive pulse on RESET restarts the chip's serial framing, as a
	 * programmer does when Programming Enable was not echoed. */
	sim_target_set_reset(s->target, false);
	sim_target_set_sck(s->target, sck_hz);
	sim_target_set_reset(s->target, true);
	sim_target_advance_us(s->target, SIM_RESET_SETTLE_US);
	sim_xfer(s, enable, out);
	if (out[2] == 0x53)
		return IW_OK;
	p->have_answer = true;
	memcpy(p->answer, out, sizeof p->answer);
	if (sck_hz == 0)
		snprintf(hz, sizeof hz, "the default clock");
	else
		snprintf(hz, sizeof hz, "%g kHz", sck_hz / 1e3);
	return iw_error_set(err, IW_NO_TARGET,
			    "no Programming Enable echo at SCK %s (the target answered "
			    "%02X %02X %02X %02X)", hz, out[0], out[1], out[2], out[3]);
}

static void
sim_leave(struct prog *p)
{
	struct sim_prog *s = priv(p);

	board_sync(s);
	if (s->target != NULL)
		sim_target_set_reset(s->target, false);
}

static enum iw_status
sim_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	struct sim_prog *s = priv(p);

	(void)err;
	s->dirty = true;
	sim_xfer(s, in, out);
	return IW_OK;
}

/* The paged calls do what a programmer's firmware does with the same
 * instructions, so the engine's paged path is exercised against the
 * target too. */
static void
xfer(struct sim_prog *s, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
	const uint8_t in[4] = { a, b, c, d };

	sim_xfer(s, in, out);
}

static enum iw_status
sim_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	struct sim_prog *s = priv(p);
	bool ext = p->part != NULL && p->part->flash_size > SIM_EXT_ADDR_LIMIT;
	int32_t ext_sent = -1;
	uint8_t out[4];

	(void)err;
	s->dirty = true;
	for (uint32_t i = 0; i < len; i++) {
		uint32_t byte = addr + i, word = byte >> 1;

		if (ext && (int32_t)(word >> 16) != ext_sent) {
			xfer(s, 0x4D, 0x00, (uint8_t)(word >> 16), 0x00, out);
			ext_sent = (int32_t)(word >> 16);
		}
		xfer(s, (byte & 1) ? 0x28 : 0x20, (uint8_t)(word >> 8), (uint8_t)word,
		     0x00, out);
		buf[i] = out[3];
	}
	return IW_OK;
}

static enum iw_status
sim_write_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
	       struct iw_error *err)
{
	struct sim_prog *s = priv(p);
	uint32_t word = addr >> 1;
	uint64_t deadline;
	uint8_t out[4];

	s->dirty = true;
	for (uint32_t i = 0; i < len / 2; i++) {
		xfer(s, 0x40, 0x00, (uint8_t)i, buf[2 * i], out);
		xfer(s, 0x48, 0x00, (uint8_t)i, buf[2 * i + 1], out);
	}
	if (p->part != NULL && p->part->flash_size > SIM_EXT_ADDR_LIMIT)
		xfer(s, 0x4D, 0x00, (uint8_t)(word >> 16), 0x00, out);
	xfer(s, 0x4C, (uint8_t)(word >> 8), (uint8_t)word, 0x00, out);
	deadline = sim_now_us(s) + SIM_PAGE_TIMEOUT_US;
	for (;;) {
		xfer(s, 0xF0, 0x00, 0x00, 0x00, out);
		/* The simulated chip echoes each byte one byte later; without
		 * the echo nobody is listening any more. */
		if (out[1] != 0xF0)
			return iw_error_set(err, IW_NO_TARGET,
					    "the target stopped answering while the page at "
					    "0x%05X was written (RDY/BSY poll read %02X %02X "
					    "%02X %02X)", addr, out[0], out[1], out[2], out[3]);
		if ((out[3] & 0x01) == 0)
			return IW_OK;
		if (sim_now_us(s) > deadline)
			return iw_error_set(err, IW_TIMEOUT,
					    "the page write at 0x%05X kept the target busy "
					    "for more than %u ms", addr,
					    SIM_PAGE_TIMEOUT_US / 1000u);
		if (s->realtime)
			iw_sleep_us(200);
	}
}

const struct prog_driver prog_sim_driver = {
	.name = "sim",
	.open = sim_open,
	.close = sim_close,
	.enter = sim_enter,
	.leave = sim_leave,
	.cmd = sim_cmd,
	.read_flash = sim_read_flash,
	.write_page = sim_write_page,
	.sync = sim_sync,
	.idle = sim_idle,
};
