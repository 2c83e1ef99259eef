/*
 * sim-target-log.c - the simulated target's counters and its log of
 * violations: the mistakes a driver made that a real chip would punish.
 */
#include "config.h"

#include "sim/sim-target-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	const char *help;
} violation_table[SIM_VIOLATION_COUNT] = {
#define SIM_VIOLATION_ROW(id, name, help) [SIM_VIOLATION_##id] = { name, help },
	SIM_VIOLATION_LIST(SIM_VIOLATION_ROW)
#undef SIM_VIOLATION_ROW
};

/* --- bookkeeping ------------------------------------------------------------ */

const struct sim_target_counters *
sim_target_counters(const struct sim_target *t)
{
	return &t->counters;
}

void
sim_target_note(struct sim_target *t, enum sim_violation_kind kind,
		const uint8_t instr[4], uint32_t address, uint32_t detail)
{
	struct sim_violation *v;

	t->kind_count[kind]++;
	if (t->n_log >= SIM_VIOLATION_LOG_MAX)
		return;
	if (t->n_log == t->cap_log) {
		size_t cap = t->cap_log == 0 ? 16 : t->cap_log * 2;
		struct sim_violation *grown = realloc(t->log, cap * sizeof *grown);

		if (grown == NULL)
			return;   /* the per-kind count is still exact */
		t->log = grown;
		t->cap_log = cap;
	}
	v = &t->log[t->n_log++];
	v->kind = kind;
	v->time_us = sim_target_now_us(t);
	memcpy(v->instr, instr, 4);
	v->address = address;
	v->detail = detail;
}

size_t
sim_target_violation_count(const struct sim_target *t)
{
	return t->n_log;
}

const struct sim_violation *
sim_target_violation(const struct sim_target *t, size_t i)
{
	return i < t->n_log ? &t->log[i] : NULL;
}

size_t
sim_target_count_violations(const struct sim_target *t,
			    enum sim_violation_kind kind)
{
	return (unsigned)kind < SIM_VIOLATION_COUNT ? t->kind_count[kind] : 0;
}

void
sim_target_clear_violations(struct sim_target *t)
{
	free(t->log);
	t->log = NULL;
	t->n_log = 0;
	t->cap_log = 0;
	memset(t->kind_count, 0, sizeof t->kind_count);
}

const char *
sim_target_violation_name(enum sim_violation_kind kind)
{
	return (unsigned)kind < SIM_VIOLATION_COUNT ? violation_table[kind].name
						    : "unknown";
}

void
sim_target_violation_format(const struct sim_violation *v, char *buf, size_t len)
{
	const char *help = (unsigned)v->kind < SIM_VIOLATION_COUNT
			 ? violation_table[v->kind].help : "";

	snprintf(buf, len,
		 "%" PRIu64 ".%03" PRIu64 " ms %s at 0x%04" PRIX32 ": %s"
		 " [%02X %02X %02X %02X, detail %" PRIu32 "]",
		 v->time_us / 1000, v->time_us % 1000,
		 sim_target_violation_name(v->kind), v->address, help,
		 v->instr[0], v->instr[1], v->instr[2], v->instr[3], v->detail);
}
