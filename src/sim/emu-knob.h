/*
 * emu-knob.h - what the serial (emu.c) and USB (emu-usb.c) programmer
 * emulators share about their fault knobs: a table of names and help
 * lines, and switching one on from `NAME[=N]`.  Nothing else includes it.
 */
#ifndef ISPWIZ_SIM_EMU_KNOB_H
#define ISPWIZ_SIM_EMU_KNOB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

struct emu_knob {
	const char *name;            /* as `--fault` spells it */
	const char *help;            /* one line */
};

/* Switch on the one of the `count` knobs that `spec` names: on[k] = true,
 * at[k] = its =N (0 without one).  IW_NOT_FOUND when no knob has that name
 * (the message calls them `what`'s: "programmer", "USB programmer"),
 * IW_USAGE for a bad number; nothing changes then. */
enum iw_status emu_knob_set(const struct emu_knob *knobs, int count,
			    const char *spec, const char *what, bool *on,
			    uint64_t *at, struct iw_error *err);

/* Knob `kind`'s name or help line; "?" when there is no such knob. */
const char *emu_knob_name(const struct emu_knob *knobs, int count, int kind);
const char *emu_knob_help(const struct emu_knob *knobs, int count, int kind);

#endif
