/* file-util.c - whole-file reading with a size cap; hex digits. */
#include "core/file-util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int
file_read_all(const char *path, size_t max_bytes, char **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int e = 0;

	if (f == NULL)
		return errno;
	for (;;) {
		size_t got;

		if (used + 1 >= cap) {
			char *grown;

			if (cap > max_bytes) {
				e = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 16384 : cap * 2;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				e = ENOMEM;
				goto fail;
			}
			buf = grown;
		}
		got = fread(buf + used, 1, cap - used - 1, f);
		used += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		e = errno != 0 ? errno : EIO;
		goto fail;
	}
	if (used > max_bytes) {
		e = EFBIG;
		goto fail;
	}
	fclose(f);
	buf[used] = '\0';
	*out = buf;
	*len = used;
	return 0;
fail:
	free(buf);
	fclose(f);
	return e;
}

int
hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool
file_cache_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	/* A relative XDG_CACHE_HOME is invalid by the XDG spec: ignore it. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, size, "%s/ispwiz/files", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, size, "%s/.cache/ispwiz/files", home);
	else
		return false;
	return n > 0 && (size_t)n < size;
}

int
file_make_dirs(const char *dir, char *failed, size_t size)
{
	char path[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof path)
		return ENAMETOOLONG;
	memcpy(path, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			int e = errno;

			snprintf(failed, size, "%s", path);
			return e;
		}
		path[i] = i < len ? '/' : '\0';
	}
	return 0;
}

void
file_dir_of(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(buf, size, ".");
	else if (slash == path)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - path), path);
}
