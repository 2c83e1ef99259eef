/*
 * emu-knob.h - what the serial (emu.c) and USB (emu-usb.c) programmer
 * emulators share about their fault knobs: a table of names and help
 * lines, and reading `NAME[=N]` against it.  Nothing else includes it.
 */
#ifndef ISPWIZ_SIM_EMU_KNOB_H
#define ISPWIZ_SIM_EMU_KNOB_H

#include <stdint.h>

#include "core/error.h"

struct emu_knob {
	const char *name;            /* as `--fault` spells it */
	const char *help;            /* one line */
};

/* Which of the `count` knobs `spec` names, into *kind, and its =N into *n
 * (0 without one).  IW_NOT_FOUND when no knob has that name (the message
 * calls them `what`'s: "programmer", "USB programmer"), IW_USAGE for a bad
 * number. */
enum iw_status emu_knob_parse(const struct emu_knob *knobs, int count,
			      const char *spec, const char *what, int *kind,
			      uint64_t *n, struct iw_error *err);

#endif
