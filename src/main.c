/*
 * main.c - global options, then the wizard (no command, or one of its
 * options) or a command (src/cli).
 *
 * Global options may stand anywhere before "--" so that people can append
 * `--json` or `--catalog FILE` to any command line they already have.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "job/session.h"
#include "tui/tui.h"

int
main(int argc, char **argv)
{
	/* `ispwiz station` on a terminal shows the tui's dashboard. */
	struct session ctx = { .argv0 = "ispwiz", .station_dashboard = tui_station_dashboard };
	struct iw_error err;
	int rc;

	if (session_take_global_options(&ctx, &argc, argv, &err) != IW_OK) {
		fprintf(stderr, "%s: %s\n", ctx.argv0, err.msg);
		fprintf(stderr, "Try '%s --help' for more information.\n", ctx.argv0);
		return iw_status_exit_code(IW_USAGE);
	}
	/* No command: the wizard, which is what most people want. */
	if (argc < 2 || tui_is_wizard_option(argv[1]))
		rc = tui_main(&ctx, argc, argv);
	else
		rc = cli_main(&ctx, argc, argv);
	session_free(&ctx);
	return rc;
}
