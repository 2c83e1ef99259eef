/* cli-upload.c - options and output shared by `upload` and `prepare`
 * (cli-upload.h). */
#include "config.h"

#include "cli/cli-upload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
cli_upload_option(struct session *ctx, const struct cli_command *cmd, int c,
		  const char *arg, struct cli_upload_opts *o, int *rc)
{
	char *end;
	unsigned long v;

	switch (c) {
	case 'P':
		o->port = arg;
		return 1;
	case 'f':
		o->file = arg;
		return 1;
	case CLI_UPLOAD_OPT_VIA:
		o->via = arg;
		return 1;
	case CLI_UPLOAD_OPT_JSON:
		ctx->json = true;
		return 1;
	case CLI_UPLOAD_OPT_WAIT:
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 || v == 0 ||
		    v > CLI_UPLOAD_WAIT_MAX_S) {
			*rc = cli_usage_error(ctx, cmd, "--wait %s: give the seconds to wait for "
					      "the bootloader, 1 to %u", arg, CLI_UPLOAD_WAIT_MAX_S);
			return -1;
		}
		o->wait_ms = (unsigned)v * 1000u;
		return 1;
	default:
		return 0;
	}
}

int
cli_upload_read(struct session *ctx, const char *path, struct hex_image **img)
{
	struct iw_error err;

	if ((*img = hex_image_new()) == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	if (catalog_read_image(session_catalog(ctx, &err), *img, path, &err) != IW_OK)
		return cli_fail(ctx, &err);
	return 0;
}

int
cli_upload_execute(struct session *ctx, const struct job_plan *plan)
{
	struct job_result *res = calloc(1, sizeof *res);
	struct iw_error err;
	int rc;

	if (res == NULL) {
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	rc = cli_job_execute(ctx, plan, res);
	if (rc == 0 && !ctx->json && res->new_port[0] != '\0')
		printf("%s is at %s: use -c %s -P %s\n",
		       plan->then_name != NULL ? plan->then_name : "the programmer",
		       res->new_port, plan->programmer != NULL ? plan->programmer->id : "avrisp",
		       res->new_port);
	free(res);
	return rc;
}
