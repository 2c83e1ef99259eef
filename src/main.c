/*
 * main.c - argument dispatch: global options, then either a subcommand
 * (src/cli/cmd-*.c) or the wizard.
 *
 * Global options may stand anywhere before "--" so that people can append
 * `--json` or `--catalog FILE` to any command line they already have.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "tui/tui.h"

static const struct cli_command *const commands[] = {
	&cmd_flash,
	&cmd_read,
	&cmd_station,
	&cmd_list,
	&cmd_merge,
	&cmd_fuses,
	&cmd_detect,
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void
print_help(FILE *out, const char *argv0)
{
	fprintf(out,
		"Usage: %s [WIZARD OPTIONS]          start the wizard\n"
		"       %s COMMAND [ARGS...]\n"
		"\n"
		"ISP-flash AVR bootloaders onto keyboard controllers, safely.\n"
		"\n"
		"Commands:\n", argv0, argv0);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out,
		"\n"
		"Options for every command:\n"
		"  --catalog FILE   use FILE instead of the installed catalog\n"
		"  --json           machine-readable output (one JSON document or event per line)\n"
		"  -v, --verbose    say more\n"
		"  -h, --help       this help; `%s COMMAND --help` for a command\n"
		"  -V, --version    print the version\n"
		"\n"
		"Wizard options:\n"
		"  --demo           the wizard against the built-in simulated programmer and\n"
		"                   a bricked ATmega32U4; nothing real is touched\n"
		"  --demo-slow      the demo, with flashing about ten times slower\n"
		"  --demo-fault KNOB  a simulated wiring fault, e.g. reset-not-wired\n"
		"  --no-color       monochrome (so does NO_COLOR=1 in the environment)\n"
		"  --log FILE       keep a timestamped log of the session\n"
		"\n"
		"Exit codes: 0 success, 1 failure, 2 usage error, 3 bad input file or\n"
		"catalog, 4 refused by a safety rule, 5 programmer problem, 6 target does\n"
		"not answer, 7 verification failed, 130 cancelled. See ispwiz(1).\n",
		argv0);
}

static const struct cli_command *
find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/* Pull the global options out of argv (anywhere before "--"), leaving the
 * rest in order. Returns -1 after printing an error. */
static int
take_global_options(struct cli_context *ctx, int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--json") == 0) {
			ctx->json = true;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			ctx->verbose++;
		} else if (strncmp(a, "--catalog=", 10) == 0) {
			ctx->catalog_path = a + 10;
		} else if (strcmp(a, "--catalog") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "%s: --catalog needs a file name\n", ctx->argv0);
				return -1;
			}
			ctx->catalog_path = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	argv[out] = NULL;
	return 0;
}

int
main(int argc, char **argv)
{
	struct cli_context ctx = { .argv0 = "ispwiz" };
	const struct cli_command *cmd;
	int rc;

	if (take_global_options(&ctx, &argc, argv) < 0)
		return iw_status_exit_code(IW_USAGE);

	/* No command: the wizard, which is what most people want. */
	if (argc < 2 || tui_is_wizard_option(argv[1])) {
		rc = tui_main(&ctx, argc, argv);
		goto out;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (cmd = find_command(argv[2])) != NULL) {
			printf("usage: %s %s\n%s\n", ctx.argv0, cmd->usage, cmd->summary);
			return 0;
		}
		print_help(stdout, ctx.argv0);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
		return 0;
	}
	if (argv[1][0] == '-') {
		fprintf(stderr, "%s: unknown option '%s'\n", ctx.argv0, argv[1]);
		fprintf(stderr, "Try '%s --help' for more information.\n", ctx.argv0);
		return iw_status_exit_code(IW_USAGE);
	}

	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n", ctx.argv0, argv[1]);
		fprintf(stderr, "Try '%s --help' for the list of commands.\n", ctx.argv0);
		return iw_status_exit_code(IW_USAGE);
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: %s %s\n%s\n", ctx.argv0, cmd->usage, cmd->summary);
			return 0;
		}
	}
	optind = 0;   /* full getopt reset for the command's own parsing */
	rc = cmd->run(&ctx, argc - 1, argv + 1);
out:
	if (ctx.catalog_loaded)
		catalog_free(&ctx.catalog);
	return rc;
}
