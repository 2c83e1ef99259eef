/* prog.c - the list of programmer drivers, checking their options, and
 * opening/closing one. */
#include "prog/prog.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* One line per driver: each file defines `const struct prog_driver
 * prog_<name>_driver`. */
#define PROG_DRIVER_LIST(X) \
	X(sim) \
	X(avrisp) \
	X(buspirate) \
	X(usbtiny) \
	X(usbasp)

#define PROG_DRIVER_EXTERN(name) extern const struct prog_driver prog_##name##_driver;
PROG_DRIVER_LIST(PROG_DRIVER_EXTERN)
#undef PROG_DRIVER_EXTERN

static const struct prog_driver *const drivers[] = {
#define PROG_DRIVER_ENTRY(name) &prog_##name##_driver,
	PROG_DRIVER_LIST(PROG_DRIVER_ENTRY)
#undef PROG_DRIVER_ENTRY
};

#define N_DRIVERS (sizeof drivers / sizeof drivers[0])

const struct prog_driver *
prog_driver_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < N_DRIVERS; i++)
		if (strcmp(drivers[i]->name, name) == 0)
			return drivers[i];
	return NULL;
}

const char *
prog_driver_names(char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < N_DRIVERS && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 i > 0 ? ", " : "", drivers[i]->name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* --- driver options (-x) ------------------------------------------------------ */

/* One option_help line, split: "name=values  what it does". */
struct opt_spec {
	const char *name;
	int name_len;
	const char *values;       /* NULL: a switch */
	int values_len;
};

static void
spec_split(const char *line, struct opt_spec *s)
{
	size_t end = strcspn(line, " ");
	size_t eq = strcspn(line, "=");

	s->name = line;
	if (eq < end) {
		s->name_len = (int)eq;
		s->values = line + eq + 1;
		s->values_len = (int)(end - eq - 1);
	} else {
		s->name_len = (int)end;
		s->values = NULL;
		s->values_len = 0;
	}
}

/* A value spelled in capitals ("HZ") is read by the driver; anything else
 * lists the words it may be. */
static bool
spec_free_value(const struct opt_spec *s)
{
	for (int i = 0; i < s->values_len; i++)
		if (!isupper((unsigned char)s->values[i]) && s->values[i] != '_')
			return false;
	return s->values_len > 0;
}

static bool
spec_has_word(const struct opt_spec *s, const char *value)
{
	const char *w = s->values, *end = s->values + s->values_len;
	size_t vlen = strlen(value);

	while (w < end) {
		const char *bar = memchr(w, '|', (size_t)(end - w));
		size_t wlen = (size_t)((bar != NULL ? bar : end) - w);

		if (wlen == vlen && strncasecmp(w, value, vlen) == 0)
			return true;
		w += wlen + 1;
	}
	return false;
}

static bool
spec_find(const struct prog_driver *d, const char *name, size_t len, struct opt_spec *s)
{
	for (const char *const *h = d->option_help; h != NULL && *h != NULL; h++) {
		spec_split(*h, s);
		if ((size_t)s->name_len == len && strncmp(s->name, name, len) == 0)
			return true;
	}
	return false;
}

/* "reset=cs|aux, pullups, ..." for messages. */
static const char *
spec_list(const struct prog_driver *d, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (const char *const *h = d->option_help; *h != NULL && used < size; h++) {
		struct opt_spec s;
		int n;

		spec_split(*h, &s);
		n = snprintf(buf + used, size - used, "%s%.*s", used > 0 ? ", " : "",
			     s.values != NULL ? s.name_len + 1 + s.values_len : s.name_len,
			     s.name);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

enum iw_status
prog_check_options(const struct prog_driver *d, const char *const *opts, size_t n,
		   struct iw_error *err)
{
	char list[512];

	for (size_t i = 0; i < n; i++) {
		const char *o = opts[i];
		size_t len = strcspn(o, "=");
		const char *value = o[len] == '=' ? o + len + 1 : NULL;
		struct opt_spec s;

		if (d->option_help == NULL || d->option_help[0] == NULL)
			return iw_error_set(err, IW_USAGE, "-x %s: the %s programmer takes "
					    "no -x options; leave it out", o, d->name);
		spec_list(d, list, sizeof list);
		if (len == 0 || !spec_find(d, o, len, &s))
			return iw_error_set(err, IW_USAGE, "unknown option -x %s for the %s "
					    "programmer; it takes: %s (-x help says what "
					    "each does)", o[0] != '\0' ? o : "''", d->name, list);
		if (s.values == NULL && value != NULL)
			return iw_error_set(err, IW_USAGE, "-x %s: %.*s is a switch and takes "
					    "no value; give -x %.*s", o, s.name_len, s.name,
					    s.name_len, s.name);
		if (s.values != NULL && (value == NULL || value[0] == '\0'))
			return iw_error_set(err, IW_USAGE, "-x %s needs a value: -x %.*s=%.*s",
					    o, s.name_len, s.name, s.values_len, s.values);
		if (s.values != NULL && !spec_free_value(&s) && !spec_has_word(&s, value))
			return iw_error_set(err, IW_USAGE, "-x %s: the %s programmer's "
					    "%.*s is one of %.*s", o, d->name, s.name_len,
					    s.name, s.values_len, s.values);
	}
	return IW_OK;
}

bool
prog_option_get(const struct prog_options *opt, const char *name, const char **value)
{
	size_t len = strlen(name);
	bool found = false;

	if (value != NULL)
		*value = NULL;
	for (size_t i = 0; i < opt->n_driver_opts; i++) {
		const char *o = opt->driver_opts[i];

		if (strncmp(o, name, len) == 0 && (o[len] == '\0' || o[len] == '=')) {
			found = true;
			if (value != NULL)
				*value = o[len] == '=' ? o + len + 1 : NULL;
		}
	}
	return found;
}

unsigned
prog_baud(const struct prog_options *opt, unsigned dflt)
{
	if (opt->baud)
		return opt->baud;
	return opt->entry && opt->entry->baud ? opt->entry->baud : dflt;
}

/* --- open and close ----------------------------------------------------------- */

enum iw_status
prog_open(struct prog *p, const struct prog_driver *d,
	  const struct prog_options *opt, struct iw_error *err)
{
	enum iw_status st;

	memset(p, 0, sizeof *p);
	/* Before the driver runs: a wrong option must not touch the port. */
	if ((st = prog_check_options(d, opt->driver_opts, opt->n_driver_opts, err)) != IW_OK)
		return st;
	if (opt->pace.read_ns_per_byte != 0 || opt->pace.page_us != 0)
		return prog_pace_open(p, d, opt, err);
	p->driver = d;
	p->part = opt->part;
	st = d->open(p, opt, err);
	if (st != IW_OK)
		memset(p, 0, sizeof *p);
	return st;
}

enum iw_status
prog_close(struct prog *p, struct iw_error *err)
{
	enum iw_status st = IW_OK;

	if (p->driver == NULL)
		return IW_OK;
	if (p->driver->sync != NULL)
		st = p->driver->sync(p, err);
	p->driver->close(p);
	memset(p, 0, sizeof *p);
	return st;
}

enum prog_idle
prog_idle(struct prog *p, unsigned ms)
{
	if (p == NULL || p->driver == NULL || p->driver->idle == NULL)
		return PROG_IDLE_REAL;
	return p->driver->idle(p, ms);
}
