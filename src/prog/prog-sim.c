/* prog-sim.c - the `sim` driver: a programmer whose cable ends in a
 * simulated AVR target instead of a USB or serial port. */
#include "prog/prog-sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

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
	struct sim_target *target;
	char *state_path;          /* NULL: nothing is saved */
	bool dirty;                /* instructions clocked since the last save */
	bool realtime;
	bool wrong_part;           /* never saved, see prog-sim.h */
};

static struct sim_prog *
priv(struct prog *p)
{
	return p->priv;
}

static enum iw_status sim_open(struct prog *p, const struct prog_options *opt,
			       struct iw_error *err);

struct sim_target *
prog_sim_target(struct prog *p)
{
	/* By the open function, so variants of this driver (tests copy the
	 * table and take the paged calls out) count too. */
	if (p == NULL || p->driver == NULL || p->driver->open != sim_open ||
	    p->priv == NULL)
		return NULL;
	return priv(p)->target;
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

/* Split the knob list into the driver's own ("realtime") and the target's. */
static enum iw_status
parse_faults(const struct prog_options *opt, struct sim_fault *faults,
	     size_t *n_faults, bool *realtime, struct iw_error *err)
{
	enum iw_status st;

	*n_faults = 0;
	*realtime = false;
	for (size_t i = 0; i < opt->n_sim_faults; i++) {
		const char *spec = opt->sim_faults[i];
		struct sim_fault *f = &faults[*n_faults];

		if (strcmp(spec, "realtime") == 0) {
			*realtime = true;
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

static enum iw_status
sim_open(struct prog *p, const struct prog_options *opt, struct iw_error *err)
{
	struct sim_target_options topts;
	const struct catalog_part *part = opt->part, *saved;
	struct sim_fault *faults = NULL;
	struct sim_prog *s = NULL;
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
	if ((st = parse_faults(opt, faults, &n_faults, &s->realtime, err)) != IW_OK)
		goto fail;
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
	free(faults);
	p->priv = s;
	p->caps.sck_hz = sim_sck_steps;
	p->caps.n_sck = PROG_SIM_N_SCK;
	p->caps.fixed_sck = false;
	p->caps.max_flash = 0;
	p->caps.paged_read = true;
	p->caps.paged_write = true;
	return IW_OK;

fail:
	free(faults);
	if (s != NULL) {
		sim_target_free(s->target);
		free(s->state_path);
		free(s);
	}
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
	sim_target_free(s->target);
	free(s->state_path);
	free(s);
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
	sim_target_set_power(s->target, true);
	/* A positive pulse on RESET restarts the chip's serial framing, as a
	 * programmer does when Programming Enable was not echoed. */
	sim_target_set_reset(s->target, false);
	sim_target_set_sck(s->target, sck_hz);
	sim_target_set_reset(s->target, true);
	sim_target_advance_us(s->target, SIM_RESET_SETTLE_US);
	sim_target_transfer(s->target, enable, out);
	if (out[2] == 0x53)
		return IW_OK;
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

	sim_target_set_reset(s->target, false);
}

static enum iw_status
sim_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	struct sim_prog *s = priv(p);

	(void)err;
	s->dirty = true;
	sim_target_transfer(s->target, in, out);
	return IW_OK;
}

/* The paged calls do what a programmer's firmware does with the same
 * instructions, so the engine's paged path is exercised against the
 * target too. */
static void
xfer(struct sim_prog *s, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t out[4])
{
	const uint8_t in[4] = { a, b, c, d };

	sim_target_transfer(s->target, in, out);
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
	deadline = sim_target_now_us(s->target) + SIM_PAGE_TIMEOUT_US;
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
		if (sim_target_now_us(s->target) > deadline)
			return iw_error_set(err, IW_TIMEOUT,
					    "the page write at 0x%05X kept the target busy "
					    "for more than %u ms", addr,
					    SIM_PAGE_TIMEOUT_US / 1000u);
		if (s->realtime) {
			struct timespec nap = { 0, 200 * 1000 };

			nanosleep(&nap, NULL);
		}
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
};
