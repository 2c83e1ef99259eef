/*
 * cli.c - the subcommand table, the options every command shares, and the
 * uniform way commands report failures.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json-util.h"

const struct catalog *
cli_catalog(struct cli_context *ctx)
{
	struct iw_error err;

	if (ctx->catalog_loaded)
		return &ctx->catalog;
	iw_error_clear(&err);
	catalog_init(&ctx->catalog);
	if (catalog_load_default(&ctx->catalog, ctx->catalog_path, &err) != IW_OK) {
		cli_fail(ctx, &err);
		catalog_free(&ctx->catalog);
		return NULL;
	}
	ctx->catalog_loaded = true;
	return &ctx->catalog;
}

int
cli_fail(struct cli_context *ctx, const struct iw_error *err)
{
	if (ctx->json) {
		json_t *obj = json_pack("{s:s, s:s, s:s, s:i}",
					"event", "error",
					"status", iw_status_name(err->code),
					"message", err->msg,
					"exit_code", iw_status_exit_code(err->code));
		if (obj != NULL)
			json_print_event(obj, stdout);
	}
	fprintf(stderr, "%s: %s\n", ctx->argv0, err->msg);
	return iw_status_exit_code(err->code);
}

int
cli_usage_error(struct cli_context *ctx, const struct cli_command *cmd,
		const char *fmt, ...)
{
	struct iw_error err;
	va_list ap;

	va_start(ap, fmt);
	iw_error_vset(&err, IW_USAGE, fmt, ap);
	va_end(ap);
	cli_fail(ctx, &err);
	if (cmd != NULL)
		fprintf(stderr, "usage: %s %s\n", ctx->argv0, cmd->usage);
	fprintf(stderr, "Try '%s --help' for more information.\n", ctx->argv0);
	return iw_status_exit_code(IW_USAGE);
}

int
cli_bad_option(struct cli_context *ctx, const struct cli_command *cmd, int c,
	       char **argv)
{
	const char *what = argv[optind - 1];
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* In a cluster such as -yZ, argv[optind - 1] is the whole cluster:
	 * name the one letter getopt stopped at. */
	if (optopt > 0 && optopt < 128 && what[0] == '-' && what[1] != '-')
		what = shortopt;
	if (c == ':')
		return cli_usage_error(ctx, cmd, "option '%s' needs a value", what);
	return cli_usage_error(ctx, cmd, "unknown option '%s'", what);
}
