/* session.c - the options and the catalog both front ends share
 * (session.h). */
#include "job/session.h"

#include <string.h>

#include "prog/prog.h"

enum iw_status
session_take_global_options(struct session *s, int *argc, char **argv,
			    struct iw_error *err)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			s->json = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			s->verbose++;
		} else if (strncmp(a, "--catalog=", 10) == 0) {
			s->catalog_path = a + 10;
		} else if (strcmp(a, "--catalog") == 0) {
			if (i + 1 >= *argc)
				return iw_error_set(err, IW_USAGE, "--catalog needs a file name");
			s->catalog_path = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	argv[out] = NULL;
	return IW_OK;
}

static bool
driver_known(const char *name)
{
	return prog_driver_find(name) != NULL;
}

const struct catalog *
session_catalog(struct session *s, struct iw_error *err)
{
	char drivers[256];

	if (s->catalog_loaded)
		return &s->catalog;
	catalog_init(&s->catalog);
	/* A programmer whose driver this build lacks is refused here, at its
	 * line, not when a job first tries to use it. */
	if (catalog_load_default(&s->catalog, s->catalog_path, err) != IW_OK ||
	    catalog_check_drivers(&s->catalog, driver_known,
				  prog_driver_names(drivers, sizeof drivers), err) != IW_OK) {
		catalog_free(&s->catalog);
		return NULL;
	}
	s->catalog_loaded = true;
	return &s->catalog;
}

void
session_free(struct session *s)
{
	if (s->catalog_loaded)
		catalog_free(&s->catalog);
	s->catalog_loaded = false;
}
