/* error.c - status names, exit codes and message formatting. */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	int exit_code;
} status_table[IW_STATUS_COUNT] = {
#define IW_STATUS_ROW(name, exitcode, text) [IW_##name] = { #name, IW_EXIT_##exitcode },
	IW_STATUS_LIST(IW_STATUS_ROW)
#undef IW_STATUS_ROW
};

static const struct {
	int code;
	const char *words, *sentence;
} exit_table[] = {
#define IW_EXIT_ROW(name, code, words, sentence) { code, words, sentence },
	IW_EXIT_LIST(IW_EXIT_ROW)
#undef IW_EXIT_ROW
};

bool
iw_exit_row(size_t n, int *code, const char **words, const char **sentence)
{
	if (n >= sizeof exit_table / sizeof exit_table[0])
		return false;
	*code = exit_table[n].code;
	*words = exit_table[n].words;
	*sentence = exit_table[n].sentence;
	return true;
}

const char *
iw_exit_summary(char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof exit_table / sizeof exit_table[0] && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%d %s", i > 0 ? ", " : "",
				 exit_table[i].code, exit_table[i].words);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

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
