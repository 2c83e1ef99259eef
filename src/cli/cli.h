/*
 * cli.h - what every subcommand shares: the parsed global options, the
 * lazily loaded catalog, and helpers for the uniform error and JSON output.
 *
 * Each subcommand lives in its own cmd-*.c file and exports one
 * `const struct cli_command cmd_<name>`; the table in cli.c lists them and
 * cli_main() dispatches to them.
 */
#ifndef ISPWIZ_CLI_CLI_H
#define ISPWIZ_CLI_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/error.h"
#include "job/session.h"


struct cli_command {
	const char *name;
	const char *usage;    /* "list programmers|parts|bootloaders [--part PART] [--json]" */
	const char *summary;  /* one line for --help */
	/* argv[0] is the command name; getopt state is reset before the call.
	 * Returns a process exit code (iw_status_exit_code of the failure). */
	int (*run)(struct session *ctx, int argc, char **argv);
};

/* `ispwiz COMMAND ...` (argv[1] is the command, global options already
 * taken out): --help, --version, then the command.  The exit code. */
int cli_main(struct session *ctx, int argc, char **argv);

/* The catalog, loaded on first use (global --catalog honoured). On failure
 * the error is printed and NULL returned; the caller exits with
 * iw_status_exit_code(IW_CATALOG). */
const struct catalog *cli_catalog(struct session *ctx);

/* Print "ispwiz: <msg>" on stderr (or a JSON error object on stdout when
 * ctx->json) and return the exit code for err->code. */
int cli_fail(struct session *ctx, const struct iw_error *err);
/* Usage problem in a subcommand: prints the message and the command's usage
 * line, returns the usage exit code (2). */
int cli_usage_error(struct session *ctx, const struct cli_command *cmd,
		    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* An id the catalog does not have (-c, -p, --bootloader): IW_NOT_FOUND,
 * exit 3 as for every unknown input, with the ids it does have. */
int cli_unknown_id(struct session *ctx, const char *what, const char *id,
		   const char *known_fmt, ...) __attribute__((format(printf, 4, 5)));

/* getopt_long with the rules every command follows, in one place: an
 * unknown option or a missing value is a usage error naming it (a letter
 * in a cluster such as -yZ by itself); an option that takes a value may be
 * given once, unless its code is in `repeatable` (-x, --sim-fault), since a
 * second value would otherwise silently win; a switch given twice is
 * harmless.  cli_getopt() returns the next option, -1 at the end, or
 * CLI_GETOPT_ERROR after printing the problem (g->rc is the exit code). */
#define CLI_GETOPT_ERROR (-2)
#define CLI_GETOPT_SEEN_MAX 48

struct cli_getopt {
	struct session *ctx;
	const struct cli_command *cmd;
	const char *shortopts;          /* as getopt's, without the leading ':' */
	const struct option *longopts;
	const int *repeatable;          /* 0-terminated, or NULL */
	const char *prefix;             /* "fuses decode" in front of messages, or NULL */
	/* A sentence to add when option `c` is repeated, or NULL. */
	const char *(*repeat_hint)(int c);
	int rc;
	/* internal */
	char spec[96];
	struct { int code; const char *value; } seen[CLI_GETOPT_SEEN_MAX];
	size_t n_seen;
};

int cli_getopt(struct cli_getopt *g, int argc, char **argv);

/* For getopt's ':' (missing value) and '?' (unknown option): the usage
 * error naming the option, with the command's usage line. */
int cli_bad_option(struct session *ctx, const struct cli_command *cmd, int c,
		   char **argv);
/* The same, with `prefix` ("fuses decode") in front of the message. */
int cli_bad_option_in(struct session *ctx, const struct cli_command *cmd, const char *prefix,
		      int c, char **argv);


/* Options every command accepts after its name, so users can write them
 * anywhere: --json, --catalog FILE, -v. Handled in cli.c before the
 * command's own getopt loop sees argv. */

extern const struct cli_command cmd_list;
extern const struct cli_command cmd_merge;
extern const struct cli_command cmd_fuses;
extern const struct cli_command cmd_detect;
extern const struct cli_command cmd_flash;
extern const struct cli_command cmd_read;
extern const struct cli_command cmd_restore;
extern const struct cli_command cmd_station;
extern const struct cli_command cmd_upload;
extern const struct cli_command cmd_prepare;
extern const struct cli_command cmd_identify;
extern const struct cli_command cmd_fetch;
extern const struct cli_command cmd_doctor;
/* Hidden: not in --help, for the shell completion scripts. */
extern const struct cli_command cmd_complete;

/* The commands --help lists, in its order: i from 0 until NULL. */
const struct cli_command *cli_command_at(size_t i);

#endif
