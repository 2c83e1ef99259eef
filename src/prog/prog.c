/* prog.c - the list of programmer drivers, and opening/closing one. */
#include "prog/prog.h"

#include <stdio.h>
#include <string.h>

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

enum iw_status
prog_open(struct prog *p, const struct prog_driver *d,
	  const struct prog_options *opt, struct iw_error *err)
{
	enum iw_status st;

	memset(p, 0, sizeof *p);
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
