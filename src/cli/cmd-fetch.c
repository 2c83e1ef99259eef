/*
 * cmd-fetch.c - `ispwiz fetch ID [-o DIR]`: download the upstream file of
 * a catalog bootloader or of a programmer's ISP firmware, and keep it only
 * if it is the file the catalog knows (job-fetch.c).  The path it is kept
 * at goes to stdout, so `ispwiz flash -f "$(ispwiz fetch ID)"` works.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli-job.h"
#include "cli/cli.h"

#define FETCH_USAGE "fetch BOOTLOADER-ID|PROGRAMMER-ID [-o DIR] [--timeout SECONDS] [--json]"

static int fetch_run(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_fetch = {
	.name = "fetch",
	.usage = FETCH_USAGE,
	.summary = "download a bootloader's (or ISP firmware's) file and check it is the known one",
	.run = fetch_run,
};

static int
fetch_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_fetch, .shortopts = "o:",
				.longopts = longopts };
	const struct catalog *cat;
	struct job_result *res;
	struct job_plan plan;
	struct iw_error err;
	const char *dir = NULL;
	unsigned long timeout = 0;
	char *end;
	int c, rc;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		if (c == 'o')
			dir = optarg;
		else if (c == 'j')
			ctx->json = true;
		else if (c == 't') {
			timeout = strtoul(optarg, &end, 10);
			if (optarg[0] < '0' || optarg[0] > '9' || *end != '\0' || timeout == 0 ||
			    timeout > 3600)
				return cli_usage_error(ctx, &cmd_fetch, "--timeout %s: give the "
						       "seconds, 1 to 3600", optarg);
		}
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (optind >= argc)
		return cli_usage_error(ctx, &cmd_fetch, "what to fetch? Give a bootloader id "
				       "(`ispwiz list bootloaders`) or a programmer id");
	if (optind + 1 < argc)
		return cli_usage_error(ctx, &cmd_fetch, "unexpected argument '%s': fetch one "
				       "file at a time", argv[optind + 1]);
	if ((cat = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	job_plan_init(&plan);
	plan.kind = JOB_KIND_FETCH;
	plan.catalog = cat;
	plan.fetch_id = argv[optind];
	plan.fetch_dir = dir;
	plan.fetch_timeout_s = (unsigned)timeout;
	if ((res = calloc(1, sizeof *res)) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	rc = cli_job_execute(ctx, &plan, res);
	free(res);
	return rc;
}
