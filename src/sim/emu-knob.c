/* emu-knob.c - reading a programmer-side fault knob, `NAME[=N]`. */
#include "sim/emu-knob.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum iw_status
emu_knob_parse(const struct emu_knob *knobs, int count, const char *spec,
	       const char *what, int *kind, uint64_t *n, struct iw_error *err)
{
	const char *eq = strchr(spec, '=');
	size_t name_len = eq != NULL ? (size_t)(eq - spec) : strlen(spec);

	for (int k = 0; k < count; k++) {
		unsigned long long v = 0;

		if (strlen(knobs[k].name) != name_len ||
		    strncmp(knobs[k].name, spec, name_len) != 0)
			continue;
		if (eq != NULL) {
			char *end;

			errno = 0;
			v = strtoull(eq + 1, &end, 0);
			if (errno != 0 || end == eq + 1 || *end != '\0')
				return iw_error_set(err, IW_USAGE,
						    "--fault %s: '%s' is not a number; write %s=N",
						    knobs[k].name, eq + 1, knobs[k].name);
		}
		*kind = k;
		*n = v;
		return IW_OK;
	}
	return iw_error_set(err, IW_NOT_FOUND, "'%.*s' is not a %s fault knob",
			    (int)name_len, spec, what);
}
