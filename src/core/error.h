/*
 * error.h - one status enum for the whole program, and an error record that
 * carries a specific, human-readable message (what went wrong, where, and
 * what to do about it) from the layer that detected the failure up to the
 * front end that shows it.
 *
 * The status list is an X-macro so the enum, its symbolic names and the
 * process exit codes can never drift apart.
 */
#ifndef ISPWIZ_CORE_ERROR_H
#define ISPWIZ_CORE_ERROR_H

#include <stdarg.h>

/*         name            exit  what it means (documentation only) */
#define IW_STATUS_LIST(X)                                                   \
	X(OK,            0,  "success")                                         \
	X(FAILED,        1,  "operation failed")                                \
	X(USAGE,         2,  "invalid command line")                            \
	X(INPUT,         3,  "invalid input file")                              \
	X(CATALOG,       3,  "invalid catalog")                                 \
	X(IO,            1,  "input/output error")                              \
	X(NOMEM,         1,  "out of memory")                                   \
	X(NOT_FOUND,     3,  "not found")                                       \
	X(RANGE,         3,  "value out of range")                              \
	X(REFUSED,       4,  "refused by a safety rule")                        \
	X(CONFIRM,       4,  "needs confirmation")                              \
	X(NO_PROGRAMMER, 5,  "programmer not found or not accessible")          \
	X(NO_TARGET,     6,  "target does not answer")                          \
	X(SIGNATURE,     6,  "target signature mismatch")                       \
	X(VERIFY,        7,  "verification failed")                             \
	X(TIMEOUT,       5,  "programmer timed out")                            \
	X(PROTOCOL,      5,  "programmer protocol error")                       \
	X(CANCELLED,     130, "cancelled")

enum iw_status {
#define IW_STATUS_ENUM(name, exitcode, text) IW_##name,
	IW_STATUS_LIST(IW_STATUS_ENUM)
#undef IW_STATUS_ENUM
	IW_STATUS_COUNT
};

#define IW_ERROR_MSG_MAX 1024

/* A failure with its full explanation. Functions that can fail take a
 * `struct iw_error *` (which may be NULL when the caller does not care) and
 * return the status they stored in it. */
struct iw_error {
	enum iw_status code;
	char msg[IW_ERROR_MSG_MAX];
};

/* Record a failure; returns `code` so callers can `return iw_error_set(...)`. */
enum iw_status iw_error_set(struct iw_error *err, enum iw_status code,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum iw_status iw_error_vset(struct iw_error *err, enum iw_status code,
			     const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
/* Put context in front of an existing message: "reading x.hex: <old msg>". */
void iw_error_prefix(struct iw_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void iw_error_clear(struct iw_error *err);

const char *iw_status_name(enum iw_status code);   /* "IW_VERIFY" -> "verify" */
int iw_status_exit_code(enum iw_status code);

#endif
