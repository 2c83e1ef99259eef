/*
 * tui-log.c - `--log FILE`: a timestamped record of the session (steps,
 * choices, device events, job events).  The screen belongs to curses, so
 * nothing the wizard does may print; whatever is worth keeping goes here.
 */
#include "tui/tui-int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static FILE *log_file;

bool
tui_log_open(const char *path, struct iw_error *err)
{
	if (path == NULL)
		return true;
	log_file = fopen(path, "a");
	if (log_file == NULL) {
		iw_error_set(err, IW_IO, "--log %s: cannot open the file for writing: %s",
			     path, strerror(errno));
		return false;
	}
	/* Line-buffered: the log is complete up to the last event even if the
	 * session dies. */
	setvbuf(log_file, NULL, _IOLBF, 0);
	return true;
}

void
tui_log_close(void)
{
	if (log_file != NULL)
		fclose(log_file);
	log_file = NULL;
}

bool
tui_log_enabled(void)
{
	return log_file != NULL;
}

void
tui_log(const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	char stamp[32];
	va_list ap;

	if (log_file == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(log_file, "%s.%03ld ", stamp, ts.tv_nsec / 1000000L);
	va_start(ap, fmt);
	vfprintf(log_file, fmt, ap);
	va_end(ap);
	fputc('\n', log_file);
}
