/*
 * engine-fixture.h - what the engine tests (test-isp, test-job) share: the
 * source tree's catalog, loaded once, and a simulated programmer opened on
 * a chosen part with chosen fault knobs.
 *
 * Header-only (static functions) so each test program links no extra
 * object; every function is used by every includer or marked unused.
 */
#ifndef ISPWIZ_TESTS_ENGINE_FIXTURE_H
#define ISPWIZ_TESTS_ENGINE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "prog/prog-sim.h"

static struct catalog fx_catalog;

/* cmocka group setup: the catalog of this source tree. */
static int
fx_load_catalog(void **state)
{
	struct iw_error err;

	(void)state;
	catalog_init(&fx_catalog);
	if (catalog_load_file(&fx_catalog, TOP_SRCDIR "/data/catalog.yaml", &err) != IW_OK ||
	    catalog_validate(&fx_catalog, &err) != IW_OK) {
		fprintf(stderr, "cannot load the catalog: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int
fx_free_catalog(void **state)
{
	(void)state;
	catalog_free(&fx_catalog);
	return 0;
}

static __attribute__((unused)) const struct catalog_part *
fx_part(const char *id)
{
	const struct catalog_part *p = catalog_find_part(&fx_catalog, id);

	if (p == NULL) {
		fprintf(stderr, "part %s missing from the catalog\n", id);
		abort();
	}
	return p;
}

/* Open the sim driver (or `drv`, a variant of it) on `part` with up to a
 * few fault knobs (NULL-terminated).  Aborts on failure: a fixture that
 * does not work makes every assertion after it meaningless. */
static __attribute__((unused)) void
fx_open_sim(struct prog *p, const struct prog_driver *drv, const char *part_id,
	    const char *const *faults)
{
	struct prog_options opt;
	struct iw_error err;
	size_t n = 0;

	while (faults != NULL && faults[n] != NULL)
		n++;
	memset(&opt, 0, sizeof opt);
	opt.part = fx_part(part_id);
	opt.entry = catalog_find_programmer(&fx_catalog, "sim");
	opt.catalog = &fx_catalog;
	opt.sim_faults = faults;
	opt.n_sim_faults = n;
	if (prog_open(p, drv != NULL ? drv : &prog_sim_driver, &opt, &err) != IW_OK) {
		fprintf(stderr, "cannot open the simulator: %s\n", err.msg);
		abort();
	}
}

static __attribute__((unused)) struct sim_target *
fx_target(struct prog *p)
{
	struct sim_target *t = prog_sim_target(p);

	if (t == NULL)
		abort();
	return t;
}

#endif
