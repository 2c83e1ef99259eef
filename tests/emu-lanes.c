/*
 * emu-lanes.c - several emulated serial programmers in one testbed, each
 * with its own target in a jig, plugged and unplugged while the command
 * runs (emu-lanes.h says what the options do).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>

#include "core/clock.h"
#include "emu-lanes.h"

#define JIG_MAX_BOARDS 256

/* What one board in a jig went through. */
struct jig_board {
	uint64_t erases, page_writes, fuse_writes;
	bool done;               /* finished and taken off */
};

struct lane {
	unsigned no;             /* 1-based */
	char serial[16];
	struct sim_target *t;
	struct emu *e;
	struct emurun_tty tty;
	struct pump_link *link;
	bool plugged, unplugged;
	/* The jig. */
	bool on;                 /* a board is on the cable */
	unsigned served;         /* boards put on so far */
	unsigned done;           /* boards taken off after being worked on */
	uint64_t off_until_ns;
	struct sim_target_counters base;    /* when the current board went on */
	uint64_t last_pages, work_enables;
	bool worked;
	struct jig_board boards[JIG_MAX_BOARDS];
};

struct lanes {
	const struct emu_lanes_args *a;
	UMockdevTestbed *tb;
	struct lane lanes[EMU_LANES_MAX];
	uint8_t *blank;          /* a flash's worth of 0xFF */
	uint8_t factory_fuses[FUSE_COUNT];
	uint8_t factory_lock;
	bool extra_plugged;
};

/* --- setting up ------------------------------------------------------------------ */

static int
apply_fault(struct lane *l, const struct catalog *cat, const char *spec)
{
	struct iw_error err;
	struct sim_fault f;
	enum iw_status st = emu_set_fault(l->e, spec, &err);

	if (st == IW_OK)
		return 0;
	if (st != IW_NOT_FOUND) {
		fprintf(stderr, "ispwiz-emu: programmer %u: %s\n", l->no, err.msg);
		return 2;
	}
	if (sim_target_fault_parse(spec, &f, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: --fault: %s\n", err.msg);
		return 2;
	}
	if (f.kind == SIM_FAULT_WRONG_PART &&
	    (f.part = catalog_find_part(cat, f.part_id)) == NULL) {
		fprintf(stderr, "ispwiz-emu: --fault wrong-part: no part '%s'\n", f.part_id);
		return 2;
	}
	if (sim_target_set_fault(l->t, &f, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: --fault: %s\n", err.msg);
		return 2;
	}
	return 0;
}

/* "KNOB" for every programmer, "N:KNOB" for programmer N only. */
static int
apply_faults(struct lanes *ls, const struct catalog *cat)
{
	const struct emu_lanes_args *a = ls->a;

	for (size_t i = 0; i < a->n_faults; i++) {
		const char *spec = a->faults[i], *colon = strchr(spec, ':');
		unsigned only = 0;
		int rc;

		if (colon != NULL && colon > spec && strspn(spec, "0123456789") ==
		    (size_t)(colon - spec)) {
			only = (unsigned)atoi(spec);
			spec = colon + 1;
			if (only < 1 || only > a->n_max) {
				fprintf(stderr, "ispwiz-emu: --fault %s: there is no programmer "
					"%u (1 to %zu)\n", a->faults[i], only, a->n_max);
				return 2;
			}
		}
		for (size_t k = 0; k < a->n_max; k++)
			if ((only == 0 || only == k + 1) &&
			    (rc = apply_fault(&ls->lanes[k], cat, spec)) != 0)
				return rc;
	}
	return 0;
}

static int
make_lane(struct lanes *ls, size_t k, const struct catalog_part *part)
{
	struct lane *l = &ls->lanes[k];
	struct emu_options eo;
	struct iw_error err;

	l->no = (unsigned)k + 1;
	snprintf(l->serial, sizeof l->serial, "ISPWIZEMU%02u", l->no);
	l->tty.master = -1;
	if ((l->t = sim_target_new(part, NULL, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return 1;
	}
	memset(&eo, 0, sizeof eo);
	eo.kind = ls->a->kinds[k];
	eo.uart_baud = ls->a->uart_baud;
	if ((l->e = emu_new(&eo, l->t, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return 1;
	}
	if (ls->a->jig_boards > 0)
		l->served = 1;
	l->on = true;
	l->base = *sim_target_counters(l->t);
	return 0;
}

static int
plug(struct lanes *ls, struct pump *p, struct lane *l)
{
	size_t k = l->no - 1;

	if (emurun_testbed_add_tty(ls->tb, &ls->a->idents[k], l->no, (unsigned)k, l->serial,
				   &l->tty) != 0)
		return -1;
	if ((l->link = emurun_pump_attach(p, l->tty.master, l->e, l->serial)) == NULL)
		return -1;
	l->plugged = true;
	return 0;
}

static void
unplug(struct lanes *ls, struct pump *p, struct lane *l)
{
	if (!l->plugged)
		return;
	emurun_pump_detach(p, l->link);
	l->link = NULL;
	emurun_testbed_remove_tty(ls->tb, &l->tty);
	l->plugged = false;
}

/* --- the jig ------------------------------------------------------------------- */

static struct jig_board *
current(struct lane *l)
{
	unsigned i = l->served > 0 ? l->served - 1 : 0;

	return i < JIG_MAX_BOARDS ? &l->boards[i] : NULL;
}

static void
note_board(struct lane *l, bool done)
{
	const struct sim_target_counters *c = sim_target_counters(l->t);
	struct jig_board *b = current(l);

	if (b == NULL)
		return;
	b->erases = c->erases - l->base.erases;
	b->page_writes = c->page_writes - l->base.page_writes;
	b->fuse_writes = c->fuse_writes - l->base.fuse_writes;
	b->done = done;
}

/* A fresh chip on the same simulated target: blank flash, factory fuses
 * and lock bits (its fault knobs stay: they are the jig's wiring). */
static void
fresh_board(struct lanes *ls, struct lane *l)
{
	const struct catalog_part *part = sim_target_part(l->t);
	struct iw_error err;

	sim_target_preload_flash(l->t, 0, ls->blank, part->flash_size, &err);
	for (int f = 0; f < FUSE_COUNT; f++)
		if (part->fuses[f].present)
			sim_target_set_fuse(l->t, (enum fuse_byte)f, ls->factory_fuses[f]);
	sim_target_set_lock(l->t, ls->factory_lock);
	sim_target_set_power(l->t, true);
	l->on = true;
	l->served++;
	l->base = *sim_target_counters(l->t);
	l->last_pages = l->base.page_writes;
	l->worked = false;
}

static void
jig_tick(struct lanes *ls, struct lane *l, uint64_t now)
{
	const struct sim_target_counters *c = sim_target_counters(l->t);

	if (ls->a->jig_boards == 0)
		return;
	if (l->on) {
		if (c->page_writes != l->last_pages) {
			l->last_pages = c->page_writes;
			l->work_enables = c->enables;
			l->worked = true;
		}
		/* Polled again after its pages were written: the lane waits
		 * for it to go, so the operator takes it off. */
		if (l->worked && c->enables > l->work_enables) {
			note_board(l, true);
			l->done++;
			sim_target_set_power(l->t, false);
			l->on = false;
			l->off_until_ns = now + (uint64_t)ls->a->jig_off_ms * 1000000u;
		}
	} else if (now >= l->off_until_ns && l->served < ls->a->jig_boards &&
		   l->served < JIG_MAX_BOARDS) {
		fresh_board(ls, l);
	}
}

static int
lanes_tick(struct pump *p, void *ctx)
{
	struct lanes *ls = ctx;
	const struct emu_lanes_args *a = ls->a;
	uint64_t now = iw_clock_ns();

	for (size_t k = 0; k < a->n_max; k++) {
		struct lane *l = &ls->lanes[k];

		if (!l->plugged)
			continue;
		jig_tick(ls, l, now);
		if (a->unplug_lane == l->no && l->on && !l->unplugged &&
		    sim_target_counters(l->t)->page_writes - l->base.page_writes >=
		    a->unplug_pages) {
			note_board(l, false);
			unplug(ls, p, l);
			l->unplugged = true;
		}
	}
	if (a->plug_after_lane != 0 && !ls->extra_plugged && a->n < a->n_max &&
	    ls->lanes[a->plug_after_lane - 1].done >= a->plug_after_boards) {
		ls->extra_plugged = true;
		if (plug(ls, p, &ls->lanes[a->n]) != 0)
			return -1;
	}
	return 0;
}

/* --- the command ------------------------------------------------------------------ */

/* {port} is programmer 1's node, {portN} programmer N's (also of one not
 * plugged in yet: nodes are numbered by programmer). */
static char *
substitute(const char *arg, const struct lanes *ls)
{
	size_t cap = strlen(arg) + 1 + 64 * EMU_LANES_MAX, n = 0;
	char *out = malloc(cap);

	if (out == NULL)
		return NULL;
	while (*arg != '\0') {
		if (strncmp(arg, "{port", 5) == 0) {
			char *end;
			unsigned long k = strtoul(arg + 5, &end, 10);

			if (*end == '}' && (end == arg + 5 || (k >= 1 && k <= ls->a->n_max))) {
				size_t i = end == arg + 5 ? 0 : k - 1;
				const struct usb_identity *u = &ls->a->idents[i];

				n += (size_t)snprintf(out + n, cap - n, "/dev/%s%zu",
						      u->ftdi ? "ttyUSB" : "ttyACM", i);
				arg = end + 1;
				continue;
			}
		}
		if (n + 1 < cap)
			out[n++] = *arg;
		arg++;
	}
	out[n] = '\0';
	return out;
}

static int
dump(const struct lanes *ls)
{
	json_t *arr = json_array();
	char *path = NULL, *tmp = NULL;
	int rc = -1;

	for (size_t k = 0; k < ls->a->n_max; k++) {
		const struct lane *l = &ls->lanes[k];
		json_t *boards = json_array();

		for (unsigned i = 0; i < l->served && i < JIG_MAX_BOARDS; i++)
			json_array_append_new(boards, json_pack("{s:I, s:I, s:I, s:b}",
				"erases", (json_int_t)l->boards[i].erases,
				"page_writes", (json_int_t)l->boards[i].page_writes,
				"fuse_writes", (json_int_t)l->boards[i].fuse_writes,
				"done", l->boards[i].done));
		json_array_append_new(arr, json_pack("{s:i, s:s, s:b, s:b, s:i, s:o}",
			"programmer", (int)l->no, "serial", l->serial,
			"plugged", l->plugged || l->unplugged, "unplugged", l->unplugged,
			"done", (int)l->done, "boards", boards));
	}
	if (asprintf(&path, "%s.lanes.json", ls->a->dump) < 0 ||
	    asprintf(&tmp, "%s.lanes.json.tmp", ls->a->dump) < 0)
		goto out;
	if (json_dump_file(arr, tmp, JSON_INDENT(1)) == 0 && rename(tmp, path) == 0)
		rc = 0;
	else
		fprintf(stderr, "ispwiz-emu: cannot write %s: %s\n", path, strerror(errno));
out:
	free(path);
	free(tmp);
	json_decref(arr);
	return rc;
}

static int
run_command(struct lanes *ls, struct pump *p)
{
	char **cmd, numbuf[16], port1[64];
	int evpipe[2];
	size_t n = 0;
	int rc = 1;

	while (ls->a->command[n] != NULL)
		n++;
	if ((cmd = calloc(n + 1, sizeof *cmd)) == NULL)
		return 1;
	for (size_t i = 0; i < n; i++)
		if ((cmd[i] = substitute(ls->a->command[i], ls)) == NULL)
			goto out;
	if (pipe(evpipe) != 0)
		goto out;
	fcntl(evpipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(evpipe[0], F_SETFL, O_NONBLOCK);
	p->events = evpipe[0];
	snprintf(numbuf, sizeof numbuf, "%d", evpipe[1]);
	snprintf(port1, sizeof port1, "%s", ls->lanes[0].tty.node);
	fflush(NULL);
	if ((p->child = fork()) < 0) {
		close(evpipe[1]);
		goto out;
	}
	if (p->child == 0) {
		unsetenv("ISPWIZ_EMU_PRELOADED");
		setenv("ISPWIZ_SHIM_EVENT_FD", numbuf, 1);
		setenv("ISPWIZ_SHIM_PORT", port1, 1);
		execvp(cmd[0], cmd);
		fprintf(stderr, "ispwiz-emu: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(evpipe[1]);
	if (emurun_pump(p) != 0) {
		fprintf(stderr, "ispwiz-emu: the emulator failed: %s\n", strerror(errno));
		kill(p->child, SIGTERM);
		waitpid(p->child, &p->status, 0);
		goto out;
	}
	if (WIFEXITED(p->status))
		rc = WEXITSTATUS(p->status);
	else if (WIFSIGNALED(p->status))
		rc = 128 + WTERMSIG(p->status);
out:
	for (size_t i = 0; i < n; i++)
		free(cmd[i]);
	free(cmd);
	return rc;
}

int
emu_lanes_run(const struct emu_lanes_args *a, const struct catalog *cat,
	      const struct catalog_part *part)
{
	struct lanes *ls = calloc(1, sizeof *ls);
	struct sim_target *fresh;
	struct iw_error err;
	struct pump p;
	int rc = 1;

	memset(&p, 0, sizeof p);
	p.events = -1;
	if (ls == NULL)
		return 1;
	ls->a = a;
	if ((ls->blank = malloc(part->flash_size)) == NULL)
		goto out;
	memset(ls->blank, 0xFF, part->flash_size);
	/* What a chip from the factory holds, from a chip made for it. */
	if ((fresh = sim_target_new(part, NULL, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		goto out;
	}
	for (int f = 0; f < FUSE_COUNT; f++)
		ls->factory_fuses[f] = sim_target_fuse(fresh, (enum fuse_byte)f);
	ls->factory_lock = sim_target_lock(fresh);
	sim_target_free(fresh);
	for (size_t k = 0; k < a->n_max; k++)
		if ((rc = make_lane(ls, k, part)) != 0)
			goto out;
	if ((rc = apply_faults(ls, cat)) != 0)
		goto out;
	rc = 1;
	p.t0 = iw_clock_ns();
	if (a->pace)
		p.step_ns = 10000000000ull / a->pace;
	ls->tb = umockdev_testbed_new();
	emurun_testbed_root_hub(ls->tb);
	for (size_t k = 0; k < a->n; k++)
		if (plug(ls, &p, &ls->lanes[k]) != 0)
			goto out;
	p.tick = lanes_tick;
	p.tick_ctx = ls;
	rc = run_command(ls, &p);
	for (size_t k = 0; k < a->n_max; k++)
		if (ls->lanes[k].plugged && ls->lanes[k].on)
			note_board(&ls->lanes[k], false);
	if (dump(ls) != 0 && rc == 0)
		rc = 1;
out:
	for (size_t k = 0; k < a->n_max; k++)
		if (ls->tb != NULL)
			unplug(ls, &p, &ls->lanes[k]);
	emurun_pump_free(&p);
	if (p.events >= 0)
		close(p.events);
	if (ls->tb != NULL)
		g_object_unref(ls->tb);
	for (size_t k = 0; k < a->n_max; k++) {
		emu_free(ls->lanes[k].e);
		sim_target_free(ls->lanes[k].t);
	}
	free(ls->blank);
	free(ls);
	return rc;
}
