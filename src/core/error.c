/* error.c - status names, exit codes and message formatting. */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int exit_code;
} status_table[IW_STATUS_COUNT] = {
#define IW_STATUS_ROW(name, exitcode, text) [IW_##name] = { #name, exitcode },
	IW_STATUS_LIST(IW_STATUS_ROW)
#undef IW_STATUS_ROW
};

enum iw_status
iw_error_vset(struct iw_error *err, enum iw_status code, const char *fmt,
	      va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	return code;
}

enum iw_status
iw_error_set(struct iw_error *err, enum iw_status code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	iw_error_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

void
iw_error_prefix(struct iw_error *err, const char *fmt, ...)
{
	char old[IW_ERROR_MSG_MAX];
	size_t used;
	va_list ap;
	int n;

	if (err == NULL)
		return;
	memcpy(old, err->msg, sizeof old);
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	used = (size_t)n < sizeof err->msg ? (size_t)n : sizeof err->msg - 1;
	/* A message that no longer fits is cut, never overrun. */
	snprintf(err->msg + used, sizeof err->msg - used, ": %.*s",
		 (int)(sizeof err->msg - used), old);
}

void
iw_error_clear(struct iw_error *err)
{
	if (err == NULL)
		return;
	err->code = IW_OK;
	err->msg[0] = '\0';
}

static int
valid(enum iw_status code)
{
	return (int)code >= 0 && code < IW_STATUS_COUNT;
}

const char *
iw_status_name(enum iw_status code)
{
	return valid(code) ? status_table[code].name : "UNKNOWN";
}

int
iw_status_exit_code(enum iw_status code)
{
	return valid(code) ? status_table[code].exit_code : 1;
}
