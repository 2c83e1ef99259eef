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
#include <stdbool.h>
#include <stddef.h>

/* The exit codes, the one table: code, the words --help uses, and the
 * sentence of ispwiz(1)'s EXIT STATUS (tests/test-exit-codes.c checks the
 * man page against this table; tests/cli-exit-codes.sh makes every code
 * happen).  Every status below maps to one of these. */
#define IW_EXIT_LIST(X)                                                         \
	X(SUCCESS,      0, "success", "Success.")                                  \
	X(FAILURE,      1, "failure", "The operation failed for another reason: an "  \
	  "input/output error (a full or read-only disk), out of memory.")        \
	X(USAGE,        2, "usage error", "Invalid command line: an unknown option, "  \
	  "a missing or repeated value, a value of the wrong form.")             \
	X(INPUT,        3, "bad input", "Invalid input: a malformed or unreadable HEX "\
	  "file, a malformed catalog, an unknown programmer, part or bootloader, "  \
	  "an image that does not fit the part.")                                 \
	X(REFUSED,      4, "refused by a safety rule", "Refused by a safety rule "    \
	  "(a fuse value that would lock ISP out, a bootloader that does not fit "  \
	  "its boot section, a file that would be overwritten), or a change that "  \
	  "needs confirmation was not confirmed.")                                 \
	X(PROGRAMMER,   5, "programmer problem", "The programmer was not found, not " \
	  "accessible, went away, timed out or broke protocol.")                  \
	X(TARGET,       6, "target does not answer", "The target does not answer, or " \
	  "its signature is not the expected part's.")                            \
	X(VERIFY,       7, "verification failed", "Verification failed: the chip "     \
	  "does not hold what was written.")                                      \
	X(CANCELLED,  130, "cancelled", "Cancelled (Ctrl-C, SIGTERM or SIGHUP): the "  \
	  "job stopped at a safe point and said what the chip holds.")

enum iw_exit {
#define IW_EXIT_ENUM(name, code, words, sentence) IW_EXIT_##name = code,
	IW_EXIT_LIST(IW_EXIT_ENUM)
#undef IW_EXIT_ENUM
};

/*         name            exit        what it means (documentation only) */
#define IW_STATUS_LIST(X)                                                   \
	X(OK,            SUCCESS,    "success")                                 \
	X(FAILED,        FAILURE,    "operation failed")                        \
	X(USAGE,         USAGE,      "invalid command line")                    \
	X(INPUT,         INPUT,      "invalid input file")                      \
	X(CATALOG,       INPUT,      "invalid catalog")                         \
	X(IO,            FAILURE,    "input/output error")                      \
	X(NOMEM,         FAILURE,    "out of memory")                           \
	X(NOT_FOUND,     INPUT,      "not found")                               \
	X(RANGE,         INPUT,      "value out of range")                      \
	X(REFUSED,       REFUSED,    "refused by a safety rule")                \
	X(CONFIRM,       REFUSED,    "needs confirmation")                      \
	X(EXISTS,        REFUSED,    "would overwrite an existing file")        \
	X(NO_PROGRAMMER, PROGRAMMER, "programmer not found, not accessible or gone") \
	X(NO_TARGET,     TARGET,     "target does not answer")                  \
	X(SIGNATURE,     TARGET,     "target signature mismatch")               \
	X(VERIFY,        VERIFY,     "verification failed")                     \
	X(TIMEOUT,       PROGRAMMER, "programmer timed out")                    \
	X(PROTOCOL,      PROGRAMMER, "programmer protocol error")               \
	X(CANCELLED,     CANCELLED,  "cancelled")

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

/* The exit table's rows in order (n from 0 while it returns true). */
bool iw_exit_row(size_t n, int *code, const char **words, const char **sentence);
/* "0 success, 1 failure, 2 usage error, ..." for --help. */
const char *iw_exit_summary(char *buf, size_t size);

#endif
