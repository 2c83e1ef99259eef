/* catalog-path.c - which catalog a binary reads by default (catalog.h). */
#include "config.h"

#include "core/catalog.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/ispwiz"
#endif

/* The build tree this binary was built in and the source tree beside it,
 * as configure saw them. */
#if defined(ISPWIZ_BUILDDIR) && defined(ISPWIZ_SRCDIR)
static bool
run_from_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	if (n <= 0)
		return false;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return false;
	*slash = '\0';
	return strcmp(exe, ISPWIZ_BUILDDIR) == 0;
}
#endif

bool
catalog_default_datadir(char *buf, size_t size)
{
#if defined(ISPWIZ_BUILDDIR) && defined(ISPWIZ_SRCDIR)
	if (run_from_build_tree()) {
		snprintf(buf, size, "%s/data", ISPWIZ_SRCDIR);
		return true;
	}
#endif
	snprintf(buf, size, "%s", PKGDATADIR);
	return false;
}
