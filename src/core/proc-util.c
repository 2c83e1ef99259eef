/* proc-util.c - process ids and command names from /proc. */
#include "core/proc-util.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool
iw_proc_is_pid(const char *name)
{
	if (*name == '\0')
		return false;
	for (; *name != '\0'; name++)
		if (!isdigit((unsigned char)*name))
			return false;
	return true;
}

bool
iw_proc_comm(const char *proc, const char *pid, char *out, size_t len)
{
	char path[PATH_MAX];
	bool ok = false;
	FILE *f;

	snprintf(out, len, "?");
	if (snprintf(path, sizeof path, "%s/%s/comm", proc, pid) >= (int)sizeof path)
		return false;
	f = fopen(path, "re");
	if (f == NULL)
		return false;
	if (fgets(out, (int)len, f) != NULL) {
		out[strcspn(out, "\n")] = '\0';
		ok = true;
	} else {
		snprintf(out, len, "?");
	}
	fclose(f);
	return ok;
}

pid_t
iw_proc_find(const char *proc, const char *comm)
{
	struct dirent *de;
	pid_t found = 0;
	DIR *dir = opendir(proc);

	if (dir == NULL)
		return 0;
	while (found == 0 && (de = readdir(dir)) != NULL) {
		char name[64];

		if (iw_proc_is_pid(de->d_name) &&
		    iw_proc_comm(proc, de->d_name, name, sizeof name) && strcmp(name, comm) == 0)
			found = (pid_t)atol(de->d_name);
	}
	closedir(dir);
	return found;
}
