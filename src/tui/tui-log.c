/*
 * tui-log.c - `--log FILE`: a timestamped record of the session (steps,
 * choices, device events, job events).  The screen belongs to curses, so
 * nothing the wizard does may print; whatever is worth keeping goes here.
 * The file is the session's (t->log), like everything else it keeps.
 */
#include "tui/tui-int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

bool
tui_log_open(struct tui *t, const char *path, struct iw_error *err)
{
	if (path == NULL)
		return true;
	t->log = fopen(path, "a");
	if (t->log == NULL) {
		iw_error_set(err, IW_IO, "--log %s: cannot open the file for writing: %s",
			     path, strerror(errno));
		return false;
	}
	/* Line-buffered: the log is complete up to the last event even if the
	 * session dies. */
	setvbuf(t->log, NULL, _IOLBF, 0);
	return true;
}

void
tui_log_close(struct tui *t)
{
	if (t->log != NULL)
		fclose(t->log);
	t->log = NULL;
}

bool
tui_log_enabled(const struct tui *t)
{
	return t->log != NULL;
}

void
tui_log(const struct tui *t, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (t->log == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(t->log, "%s.%03ld ", stamp, ts.tv_nsec / 1000000L);
	va_start(ap, fmt);
	vfprintf(t->log, fmt, ap);
	va_end(ap);
	fputc('\n', t->log);
}
