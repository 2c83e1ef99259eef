/* emu-knob.c - the programmer-side fault knobs: `NAME[=N]` against a table. */
#include "sim/emu-knob.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum iw_status
emu_knob_set(const struct emu_knob *knobs, int count, const char *spec,
	     const char *what, bool *on, uint64_t *at, struct iw_error *err)
{
	const char *eq = strchr(spec, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - spec) : strlen(spec);

	for (int k = 0; k < count; k++) {
		unsigned long long n = 0;

		if (strlen(knobs[k].name) != name_len ||
		    strncmp(knobs[k].name, spec, name_len) != 0)
			continue;
		if (eq != NULL) {
			char *end;

			errno = 0;
			n = strtoull(eq + 1, &end, 0);
			if (errno != 0 || end == eq + 1 || *end != '\0')
				return iw_error_set(err, IW_USAGE,
						    "--fault %s: '%s' is not a number; write %s=N",
						    knobs[k].name, eq + 1, knobs[k].name);
		}
		on[k] = true;
		at[k] = n;
		return IW_OK;
	}
	return iw_error_set(err, IW_NOT_FOUND, "'%.*s' is not a %s fault knob",
			    (int)name_len, spec, what);
}

const char *
emu_knob_name(const struct emu_knob *knobs, int count, int kind)
{
	return kind >= 0 && kind < count ? knobs[kind].name : "?";
}

const char *
emu_knob_help(const struct emu_knob *knobs, int count, int kind)
{
	return kind >= 0 && kind < count ? knobs[kind].help : "?";
}
