/*
 * cli-job.h - what `ispwiz flash` and `ispwiz read` share: the options that
 * choose programmer, port, part and simulator, and running a job on the
 * worker thread while showing its progress.
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
#include "core/job.h"

#define CLI_JOB_MAX_FAULTS 16

/* getopt codes of the shared options (beyond any character). */
enum {
	CLI_JOB_OPT_SIM_STATE = 0x1000,
	CLI_JOB_OPT_SIM_FAULT,
	CLI_JOB_OPT_JSON,
};

struct cli_job_opts {
	const char *programmer;   /* -c */
	const char *port;         /* -P */
	const char *part;         /* -p */
	const char *sim_state;    /* --sim-state */
	const char *sim_faults[CLI_JOB_MAX_FAULTS + 1];
	size_t n_sim_faults;
};

/* Handle -c, -P, -p, --sim-state, --sim-fault, --json.  Returns 1 when
 * `c` was one of them, 0 when not, -1 after a usage error was printed
 * (*rc holds the exit code). */
int cli_job_option(struct cli_context *ctx, const struct cli_command *cmd, int c,
		   const char *arg, struct cli_job_opts *o, int *rc);

/* Resolve the options into plan->catalog/programmer/port/part/sim_*.
 * Returns 0, or an exit code after printing the problem. */
int cli_job_setup(struct cli_context *ctx, const struct cli_command *cmd,
		  const struct cli_job_opts *o, struct job_plan *plan);

/* Run the plan on the worker thread with progress output; fills `res` and
 * prints the failure (with the wiring doctor's diagnosis) if there is
 * one.  Returns the exit code.  With --json the final "done" event carries
 * cli_job_result_json(). */
int cli_job_execute(struct cli_context *ctx, const struct job_plan *plan,
		    struct job_result *res);

/* The result as a JSON object (status, signature, fuses before/after,
 * backup files, page counts, diagnosis). */
json_t *cli_job_result_json(const struct job_plan *plan, const struct job_result *res);

#endif
