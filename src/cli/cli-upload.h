/*
 * cli-upload.h - what `ispwiz upload` and `ispwiz prepare` share: the
 * options that find the bootloader (-P, --via, --wait), reading and judging
 * the file, and running the upload job with flash's progress and output.
 */
#ifndef ISPWIZ_CLI_CLI_UPLOAD_H
#define ISPWIZ_CLI_CLI_UPLOAD_H

#include "cli/cli-job.h"
#include "core/hex-image.h"

#define CLI_UPLOAD_WAIT_MAX_S 3600u

enum {
	CLI_UPLOAD_OPT_VIA = 0x3000,
	CLI_UPLOAD_OPT_WAIT,
	CLI_UPLOAD_OPT_JSON,
	CLI_UPLOAD_OPT_YES,
};

#define CLI_UPLOAD_LONGOPTS                                                 \
	{ "port", required_argument, NULL, 'P' },                           \
	{ "via", required_argument, NULL, CLI_UPLOAD_OPT_VIA },             \
	{ "wait", required_argument, NULL, CLI_UPLOAD_OPT_WAIT },           \
	{ "file", required_argument, NULL, 'f' },                           \
	{ "json", no_argument, NULL, CLI_UPLOAD_OPT_JSON }

struct cli_upload_opts {
	const char *port, *via, *file;
	unsigned wait_ms;                   /* 0: the job's default */
};

/* Handle the CLI_UPLOAD_LONGOPTS options: 1 when `c` was one, 0 when not,
 * -1 after a usage error (*rc). */
int cli_upload_option(struct session *ctx, const struct cli_command *cmd, int c,
		      const char *arg, struct cli_upload_opts *o, int *rc);

/* Read FILE into *img (freed by the caller, also on failure); 0 or the
 * exit code after printing. */
int cli_upload_read(struct session *ctx, const char *path, struct hex_image **img);

/* Run the plan (kind upload) and print what came of it; the exit code. */
int cli_upload_execute(struct session *ctx, const struct job_plan *plan);

#endif
