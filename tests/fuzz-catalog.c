/*
 * fuzz-catalog.c - the libFuzzer harness of the catalog loader.
 *
 * Any input must load or be refused with a "name:line:col:" message (or
 * "name:" for a document-level problem), never crash, hang or leak; a
 * refused load leaves the catalog empty.  What loads is validated too
 * (the cross-entry checks) and looked up by the ids it holds.
 *
 * Built by `make fuzz` with clang -fsanitize=fuzzer; tests/fuzz-replay.c
 * runs the committed corpus through it under plain `make check`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz-catalog: property broken: %s\n", what);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct catalog cat;
	struct iw_error err;
	enum iw_status st;

	catalog_init(&cat);
	iw_error_clear(&err);
	st = catalog_load_buffer(&cat, "fuzz.yaml", (const char *)data, size, &err);
	if (st != IW_OK) {
		check(st == IW_NOMEM || strncmp(err.msg, "fuzz.yaml", 9) == 0,
		      "a refusal that names no file");
		check(cat.n_parts == 0 && cat.n_programmers == 0 && cat.n_bootloaders == 0,
		      "a refused load left entries behind");
	} else {
		catalog_validate(&cat, &err);
		for (size_t i = 0; i < cat.n_parts; i++)
			check(catalog_find_part(&cat, cat.parts[i].id) != NULL, "part lookup");
		for (size_t i = 0; i < cat.n_programmers; i++)
			check(catalog_find_programmer(&cat, cat.programmers[i].id) != NULL,
			      "programmer lookup");
	}
	catalog_free(&cat);
	return 0;
}
