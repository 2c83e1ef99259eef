/*
 * cli-job.h - what the commands that run ISP jobs (flash, read, station)
 * share: the options that choose programmer, port, baud, part, the
 * programmer's own options (-x, as avrdude spells them) and simulator; the
 * options that choose what to write (image, catalog bootloader, fuses);
 * the dry run; and running a job on the worker thread while showing its
 * progress.
 *
 * Progress goes to stderr: a bar per phase when stderr is a terminal, plain
 * lines otherwise; with --json, one JSON event per line on stdout instead.
 * Ctrl-C asks the job to stop at the next safe point (never inside a fuse
 * or lock write).
 */
#ifndef ISPWIZ_CLI_CLI_JOB_H
#define ISPWIZ_CLI_CLI_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cli/cli.h"
#include "core/hex-image.h"
#include "job/job.h"

#define CLI_JOB_MAX_FAULTS 16
#define CLI_JOB_MAX_DRIVER_OPTS 16

/* The getopt_long entries every job command shares, for its table:
 * -c/--programmer, -P/--port, -p/--part, -b/--baud, -x (programmer
 * option, avrdude's spelling), --json, --sim-state, --sim-fault.  Their
 * short options go into its optstring as CLI_JOB_SHORTOPTS. */
#define CLI_JOB_SHORTOPTS "c:P:p:b:x:"
#define CLI_JOB_LONGOPTS                                                    \
	{ "programmer", required_argument, NULL, 'c' },                     \
	{ "port", required_argument, NULL, 'P' },                           \
	{ "part", required_argument, NULL, 'p' },                           \
	{ "baud", required_argument, NULL, 'b' },                           \
	{ "json", no_argument, NULL, CLI_JOB_OPT_JSON },                    \
	{ "sim-state", required_argument, NULL, CLI_JOB_OPT_SIM_STATE },    \
	{ "sim-fault", required_argument, NULL, CLI_JOB_OPT_SIM_FAULT }

/* getopt codes of the shared options (beyond any character). */
enum {
	CLI_JOB_OPT_SIM_STATE = 0x1000,
	CLI_JOB_OPT_SIM_FAULT,
	CLI_JOB_OPT_JSON,
	CLI_JOB_OPT_BOOTLOADER,
	CLI_JOB_OPT_PRESET,
	CLI_JOB_OPT_LFUSE,
	CLI_JOB_OPT_HFUSE,
	CLI_JOB_OPT_EFUSE,
	CLI_JOB_OPT_UNSAFE,
	CLI_JOB_OPT_KEYBOARD,
};

/* The job options that may be given more than once (-x, --sim-fault),
 * for cli_getopt's `repeatable`. */
extern const int cli_job_repeatable[];

struct cli_job_opts {
	const char *programmer;   /* -c */
	const char *port;         /* -P */
	const char *part;         /* -p */
	unsigned baud;            /* -b; 0 = the catalog's */
	const char *driver_opts[CLI_JOB_MAX_DRIVER_OPTS + 1];   /* -x, in order */
	size_t n_driver_opts;
	bool driver_help;         /* -x help */
	const char *sim_state;    /* --sim-state */
	const char *sim_faults[CLI_JOB_MAX_FAULTS + 1];
	size_t n_sim_faults;
};

/* Handle the CLI_JOB_LONGOPTS options.  Returns 1 when `c` was one of
 * them, 0 when not, -1 after a usage error was printed (*rc holds the exit
 * code). */
int cli_job_option(struct session *ctx, const struct cli_command *cmd, int c,
		   const char *arg, struct cli_job_opts *o, int *rc);

/* After parsing, before anything else is required: with -x help, print
 * the programmer's options (-c must name it) and return true with *rc
 * the exit code (0, or 2 after a usage error).  False when -x help was not
 * given. */
bool cli_job_driver_help(struct session *ctx, const struct cli_command *cmd,
			 const struct cli_job_opts *o, int *rc);

/* Resolve the options into plan->catalog/programmer/port/baud/part/
 * driver_opts/sim_*; a -x the programmer does not take, or -b with a
 * programmer that is not serial, is a usage error here.  Returns 0, or an
 * exit code after printing the problem. */
int cli_job_setup(struct session *ctx, const struct cli_command *cmd,
		  const struct cli_job_opts *o, struct job_plan *plan);

/* --- what to write (flash, station) ------------------------------------------------ */

/* The getopt_long entries of the image options, for a command's table:
 * -f/--file, --bootloader, --preset, --lfuse/--hfuse/--efuse, -y/--yes,
 * --unsafe-fuses.  The short options go into its optstring as
 * CLI_IMAGE_SHORTOPTS. */
#define CLI_IMAGE_SHORTOPTS "f:y"
#define CLI_IMAGE_LONGOPTS                                                  \
	{ "file", required_argument, NULL, 'f' },                           \
	{ "bootloader", required_argument, NULL, CLI_JOB_OPT_BOOTLOADER },  \
	{ "preset", required_argument, NULL, CLI_JOB_OPT_PRESET },          \
	{ "lfuse", required_argument, NULL, CLI_JOB_OPT_LFUSE },            \
	{ "hfuse", required_argument, NULL, CLI_JOB_OPT_HFUSE },            \
	{ "efuse", required_argument, NULL, CLI_JOB_OPT_EFUSE },            \
	{ "yes", no_argument, NULL, 'y' },                                  \
	{ "unsafe-fuses", no_argument, NULL, CLI_JOB_OPT_UNSAFE },         \
	{ "keyboard", required_argument, NULL, CLI_JOB_OPT_KEYBOARD }

struct cli_image_opts {
	const char *file;                      /* -f; --bootloader may fill it */
	const char *bootloader;                /* --bootloader */
	const char *preset;                    /* --preset */
	const char *fuse_text[FUSE_COUNT];     /* --lfuse, --hfuse, --efuse as given */
	bool yes;                              /* --yes */
	bool unsafe;                           /* --unsafe-fuses */
	const char *keyboard;                  /* --keyboard: part and bootloader from QMK */
	char cached[4096];                     /* the bootloader's file in the fetch cache */
	char what[600];                        /* what the file is (plan->image_what) */
};

/* --keyboard NAME: the part (-p) and, when one catalog entry fits, the
 * bootloader (--bootloader) the keyboard's QMK definition names, filled in
 * where the command line left them out; a -p that disagrees is a usage
 * error.  0, or the exit code after printing. */
int cli_keyboard_setup(struct session *ctx, const struct cli_command *cmd,
		       const char *keyboard, const char **part, const char **bootloader,
		       bool have_file);

/* Handle the options of a command that writes an image (flash, station):
 * CLI_JOB_LONGOPTS through cli_job_option, then CLI_IMAGE_LONGOPTS.  -f,
 * --bootloader and --preset take one value, so a second one is a usage
 * error naming the option (the last one would otherwise win without a
 * word).  Returns 1 when `c` was one of them, 0 when not, -1 after a usage
 * error was printed (*rc holds the exit code). */
int cli_image_option(struct session *ctx, const struct cli_command *cmd, int c,
		     const char *arg, struct cli_job_opts *job,
		     struct cli_image_opts *image, int *rc);
/* cli_getopt's repeat_hint for the image commands (what to do instead of
 * giving -f twice). */
const char *cli_image_repeat_hint(int c);

/* After parsing: there is something to write, and --preset comes with
 * --bootloader.  Returns 0, or the usage exit code after printing. */
int cli_image_check(struct session *ctx, const struct cli_command *cmd,
		    const struct cli_image_opts *o);
/* The end of parsing for a command that writes an image (flash, station):
 * -x help, stray arguments, cli_image_check.  True when the command must
 * stop now, with *rc its exit code. */
bool cli_image_finish(struct session *ctx, const struct cli_command *cmd,
		      struct cli_job_opts *job, struct cli_image_opts *image,
		      int argc, char **argv, int *rc);

/* Fill the plan (after cli_job_setup): the catalog bootloader's file,
 * SHA-256 check (a mismatch is a warning naming both hashes) and fuse
 * preset, the explicit fuse bytes, the image read from the file (*img,
 * which the caller frees with hex_image_free, also on failure), the
 * bootloader's range in a combined file, --yes and --unsafe-fuses.
 * Returns 0, or an exit code after printing the problem. */
int cli_image_setup(struct session *ctx, const struct cli_command *cmd,
		    struct cli_image_opts *o, struct job_plan *plan,
		    struct hex_image **img);

/* A warning on stderr (and as a JSON "warning" event with --json). */
void cli_job_warn(struct session *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --dry-run: validate the plan and print it with the avrdude equivalent
 * (one JSON document with --json).  Touches nothing.  Returns the exit
 * code of the validation. */
int cli_job_dry_run(struct session *ctx, const struct job_plan *plan);

/* --- running --------------------------------------------------------------------- */

/* Run the plan on the worker thread with progress output; fills `res` and
 * prints the failure (with the wiring doctor's diagnosis) if there is
 * one.  Returns the exit code.  With --json the final "done" event carries
 * cli_job_result_json(). */
int cli_job_execute(struct session *ctx, const struct job_plan *plan,
		    struct job_result *res);

/* The result as a JSON object (status, signature, fuses before/after,
 * backup files, page counts, diagnosis). */
json_t *cli_job_result_json(const struct job_plan *plan, const struct job_result *res);

#endif
