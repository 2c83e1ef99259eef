/*
 * sim-target-fault.c - the fault knobs of the simulated target: their
 * names for `--fault NAME[=PARAM]`, parsing, and what switching one on or
 * off does to the chip.  What each knob looks like on MISO is decided where
 * the bytes are clocked (sim-target.c).
 */
#include "config.h"

#include "sim/sim-target-int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	enum sim_fault_param param;
	const char *help;
} fault_table[SIM_FAULT_COUNT] = {
#define SIM_FAULT_ROW(id, name, param, help) [SIM_FAULT_##id] = { name, param, help },
	SIM_FAULT_LIST(SIM_FAULT_ROW)
#undef SIM_FAULT_ROW
};

/* --- faults ----------------------------------------------------------------- */

const char *
sim_target_fault_name(enum sim_fault_kind kind)
{
	return (unsigned)kind < SIM_FAULT_COUNT ? fault_table[kind].name : "unknown";
}

const char *
sim_target_fault_help(enum sim_fault_kind kind)
{
	return (unsigned)kind < SIM_FAULT_COUNT ? fault_table[kind].help : "";
}

enum sim_fault_param
sim_target_fault_param(enum sim_fault_kind kind)
{
	return (unsigned)kind < SIM_FAULT_COUNT ? fault_table[kind].param
						: SIM_FAULT_PARAM_NONE;
}

static void
known_faults(char *buf, size_t len)
{
	size_t used = 0;
	int k, n;

	buf[0] = '\0';
	for (k = 0; k < SIM_FAULT_COUNT; k++) {
		const char *suffix = fault_table[k].param == SIM_FAULT_PARAM_NUMBER ? "=N"
				   : fault_table[k].param == SIM_FAULT_PARAM_PART ? "=PART" : "";

		n = snprintf(buf + used, len - used, "%s%s%s", k > 0 ? ", " : "",
			     fault_table[k].name, suffix);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

enum iw_status
sim_target_fault_parse(const char *spec, struct sim_fault *out,
		       struct iw_error *err)
{
	char known[512];
	const char *eq = strchr(spec, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	const char *arg = eq != NULL ? eq + 1 : NULL;
	int k;

	memset(out, 0, sizeof *out);
	known_faults(known, sizeof known);
	for (k = 0; k < SIM_FAULT_COUNT; k++)
		if (strlen(fault_table[k].name) == name_len &&
		    strncmp(fault_table[k].name, spec, name_len) == 0)
			break;
	if (k == SIM_FAULT_COUNT)
		return iw_error_set(err, IW_USAGE,
				    "unknown fault knob '%.*s'; the knobs are: %s",
				    (int)name_len, spec, known);
	out->kind = (enum sim_fault_kind)k;

	switch (fault_table[k].param) {
	case SIM_FAULT_PARAM_NONE:
		if (arg != NULL)
			return iw_error_set(err, IW_USAGE,
					    "fault knob '%s' takes no value; write just '%s'",
					    fault_table[k].name, fault_table[k].name);
		return IW_OK;
	case SIM_FAULT_PARAM_NUMBER: {
		char *end;
		unsigned long long v;

		if (arg == NULL || *arg == '\0' || *arg == '-' || *arg == '+')
			return iw_error_set(err, IW_USAGE,
					    "fault knob '%s' needs a number: %s=N"
					    " (decimal or 0x hex)",
					    fault_table[k].name, fault_table[k].name);
		v = strtoull(arg, &end, 0);
		if (*end != '\0' || v > UINT32_MAX)
			return iw_error_set(err, IW_USAGE,
					    "fault knob '%s': '%s' is not a number up to"
					    " 0xFFFFFFFF (decimal or 0x hex)",
					    fault_table[k].name, arg);
		out->param = (uint32_t)v;
		return IW_OK;
	}
	case SIM_FAULT_PARAM_PART:
		if (arg == NULL || *arg == '\0' || strlen(arg) >= sizeof out->part_id)
			return iw_error_set(err, IW_USAGE,
					    "fault knob '%s' needs a part id of up to %zu"
					    " characters: %s=atmega16u4",
					    fault_table[k].name, sizeof out->part_id - 1,
					    fault_table[k].name);
		strcpy(out->part_id, arg);
		return IW_OK;
	}
	return IW_OK;
}

enum iw_status
sim_target_set_fault(struct sim_target *t, const struct sim_fault *f,
		     struct iw_error *err)
{
	bool was_powered = sim_target_chip_powered(t);
	bool was_in_reset = sim_target_chip_in_reset(t);
	enum iw_status st;

	if ((unsigned)f->kind >= SIM_FAULT_COUNT)
		return iw_error_set(err, IW_USAGE, "fault knob %d does not exist",
				    (int)f->kind);
	switch (f->kind) {
	case SIM_FAULT_WRONG_PART:
		if (f->part == NULL)
			return iw_error_set(err, IW_USAGE,
					    "fault knob wrong-part=%s: the part was not"
					    " resolved; look it up in the catalog first",
					    f->part_id[0] != '\0' ? f->part_id : "?");
		st = sim_target_build_chip(t, f->part, NULL, err);
		if (st != IW_OK)
			return st;
		break;
	case SIM_FAULT_CORRUPT_READ:
		if (f->param >= t->part->flash_size)
			return iw_error_set(err, IW_RANGE,
					    "fault knob corrupt-read=0x%" PRIX32 ": the %s has"
					    " only %" PRIu32 " bytes of flash; pick an address"
					    " below 0x%" PRIX32, f->param, t->part->id,
					    t->part->flash_size, t->part->flash_size);
		t->corrupt_addr = f->param;
		break;
	case SIM_FAULT_DISCONNECT_AFTER:
		t->disconnect_after = f->param;
		t->pages_since_fault = 0;
		t->disconnected = f->param == 0;
		break;
	case SIM_FAULT_LOCKED:
		t->lock = (uint8_t)(0xFC | (uint8_t)~t->part->lock_mask);
		break;
	default:
		break;
	}
	t->fault[f->kind] = true;
	if (was_powered && !sim_target_chip_powered(t))
		sim_target_chip_power_lost(t);
	if (was_in_reset && !sim_target_chip_in_reset(t) && sim_target_chip_powered(t))
		sim_target_chip_leave_programming(t);
	return IW_OK;
}

void
sim_target_clear_fault(struct sim_target *t, enum sim_fault_kind kind)
{
	bool was_powered = sim_target_chip_powered(t);
	bool was_in_reset = sim_target_chip_in_reset(t);

	if ((unsigned)kind >= SIM_FAULT_COUNT)
		return;
	t->fault[kind] = false;
	if (kind == SIM_FAULT_DISCONNECT_AFTER)
		t->disconnected = false;
	if (kind == SIM_FAULT_MOSI_SCK_SWAPPED)
		t->frame_pos = 0;
	if (!was_powered && sim_target_chip_powered(t))
		sim_target_chip_power_up(t);
	if (!was_in_reset && sim_target_chip_in_reset(t)) {
		t->prog_enabled = false;
		t->frame_pos = 0;
	}
}

bool
sim_target_has_fault(const struct sim_target *t, enum sim_fault_kind kind)
{
	return (unsigned)kind < SIM_FAULT_COUNT && t->fault[kind];
}
