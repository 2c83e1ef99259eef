/*
 * qmk-names.c - completing a keyboard's QMK name (qmk.h), one folder at a
 * time the way a shell completes paths: "crk" gives "crkbd" (a keyboard:
 * its folder has keyboard.json, info.json or rules.mk) and "crkbd/" (a
 * folder with more keyboards below, rev1 and the like), and "crkbd/" then
 * gives "crkbd/rev1".  Walking the whole keyboards/ tree for every Tab
 * would read thousands of folders; one level is a single readdir.
 */
#include "core/qmk.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Folders that are parts of a keyboard, never keyboards of their own. */
static bool
not_a_keyboard_folder(const char *name)
{
	return name[0] == '.' || strcmp(name, "keymaps") == 0 || strcmp(name, "lib") == 0;
}

static bool
is_keyboard(const char *dir)
{
	static const char *const files[] = { "keyboard.json", "info.json", "rules.mk" };
	char path[4200];
	struct stat st;

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, files[i]) < sizeof path &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

/* Whether `dir` holds a folder that may be a keyboard. */
static bool
has_subfolders(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4200];
	bool any = false;

	if (d == NULL)
		return false;
	while (!any && (e = readdir(d)) != NULL) {
		if (not_a_keyboard_folder(e->d_name))
			continue;
		any = (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path &&
		      is_dir(path);
	}
	closedir(d);
	return any;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
qmk_complete(const char *prefix, qmk_name_fn fn, void *user)
{
	char home[1024], dir[3000], head[1024], path[4200], name[2200];
	const char *slash = strrchr(prefix, '/'), *tail = slash != NULL ? slash + 1 : prefix;
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int count = 0;
	DIR *d;

	if (!qmk_home(home, sizeof home))
		return -1;
	snprintf(head, sizeof head, "%.*s", slash != NULL ? (int)(slash - prefix + 1) : 0,
		 prefix);
	/* A name never climbs out of keyboards/. */
	if (strstr(head, "..") != NULL || head[0] == '/')
		return 0;
	snprintf(dir, sizeof dir, "%s/keyboards/%s", home, head);
	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char **grown;

		if (not_a_keyboard_folder(e->d_name) ||
		    strncmp(e->d_name, tail, strlen(tail)) != 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 32 : cap * 2;
			if ((grown = realloc(names, cap * sizeof *names)) == NULL)
				break;
			names = grown;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	/* readdir's order is the file system's; a shell shows them sorted. */
	if (n > 1)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if ((size_t)snprintf(path, sizeof path, "%s%s", dir, names[i]) < sizeof path &&
		    is_dir(path)) {
			if (is_keyboard(path)) {
				snprintf(name, sizeof name, "%s%s", head, names[i]);
				fn(name, user);
				count++;
			}
			if (has_subfolders(path)) {
				snprintf(name, sizeof name, "%s%s/", head, names[i]);
				fn(name, user);
				count++;
			}
		}
		free(names[i]);
	}
	free(names);
	return count;
}
