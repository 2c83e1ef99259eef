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

static const struct cli_command *const commands[] = {
	&cmd_flash,
	&cmd_read,
	&cmd_restore,
	&cmd_station,
	&cmd_upload,
	&cmd_prepare,
	&cmd_identify,
	&cmd_fetch,
	&cmd_list,
	&cmd_merge,
	&cmd_fuses,
	&cmd_detect,
	&cmd_doctor,
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* Commands that work but are not listed: the completion scripts' helper. */
static const struct cli_command *const hidden_commands[] = {
	&cmd_complete,
};

const struct cli_command *
cli_command_at(size_t i)
{
	return i < N_COMMANDS ? commands[i] : NULL;
}

/* head + text + tail, word-wrapped at 76 columns. */
static void
print_wrapped(FILE *out, const char *head, const char *text, const char *tail)
{
	char all[1024];
	const char *p = all;
	int col = 0;

	snprintf(all, sizeof all, "%s%s%s", head, text, tail);
	while (*p != '\0') {
		size_t word = strcspn(p, " ");

		if (col > 0 && col + 1 + (int)word > 76) {
			fputc('\n', out);
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += (int)word;
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

static void
print_help(FILE *out, const char *argv0)
{
	char codes[512];

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
		"  --wait-usb SECONDS  how long the Done step waits for the new USB ID (60)\n"
		"\n", argv0);
	print_wrapped(out, "Exit codes: ", iw_exit_summary(codes, sizeof codes),
		      ". See ispwiz(1).");
}

static const struct cli_command *
find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	for (size_t i = 0; i < sizeof hidden_commands / sizeof hidden_commands[0]; i++)
		if (strcmp(hidden_commands[i]->name, name) == 0)
			return hidden_commands[i];
	return NULL;
}

const struct catalog *
cli_catalog(struct session *ctx)
{
	const struct catalog *cat;
	struct iw_error err;

	iw_error_clear(&err);
	if ((cat = session_catalog(ctx, &err)) == NULL)
		cli_fail(ctx, &err);
	return cat;
}

int
cli_fail(struct session *ctx, const struct iw_error *err)
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
cli_usage_error(struct session *ctx, const struct cli_command *cmd,
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
cli_unknown_id(struct session *ctx, const char *what, const char *id,
	       const char *known_fmt, ...)
{
	struct iw_error err;
	char known[768];
	va_list ap;

	va_start(ap, known_fmt);
	vsnprintf(known, sizeof known, known_fmt, ap);
	va_end(ap);
	iw_error_set(&err, IW_NOT_FOUND, "unknown %s '%s'; %s", what, id, known);
	return cli_fail(ctx, &err);
}

/* "-c" or "--part" for option code `c`. */
static const char *
option_name(const struct cli_getopt *g, int c, char *buf, size_t size)
{
	if (c > 0 && c < 128) {
		snprintf(buf, size, "-%c", c);
		return buf;
	}
	for (const struct option *o = g->longopts; o != NULL && o->name != NULL; o++)
		if (o->val == c && o->flag == NULL) {
			snprintf(buf, size, "--%s", o->name);
			return buf;
		}
	snprintf(buf, size, "option %d", c);
	return buf;
}

static bool
repeatable(const struct cli_getopt *g, int c)
{
	for (const int *r = g->repeatable; r != NULL && *r != 0; r++)
		if (*r == c)
			return true;
	return false;
}

int
cli_getopt(struct cli_getopt *g, int argc, char **argv)
{
	char name[64];
	int c;

	if (g->spec[0] == '\0') {
		const char *s = g->shortopts != NULL ? g->shortopts : "";
		bool posix = s[0] == '+';

		snprintf(g->spec, sizeof g->spec, "%s:%s", posix ? "+" : "", s + posix);
	}
	opterr = 0;
	c = getopt_long(argc, argv, g->spec, g->longopts, NULL);
	if (c == -1)
		return -1;
	if (c == ':' || c == '?') {
		g->rc = cli_bad_option_in(g->ctx, g->cmd, g->prefix, c, argv);
		return CLI_GETOPT_ERROR;
	}
	if (optarg == NULL || repeatable(g, c))
		return c;
	for (size_t i = 0; i < g->n_seen; i++) {
		const char *hint;

		if (g->seen[i].code != c)
			continue;
		hint = g->repeat_hint != NULL ? g->repeat_hint(c) : NULL;
		g->rc = cli_usage_error(g->ctx, g->cmd, "%s%s%s given twice (%s, then %s): "
					"give it once%s%s", g->prefix != NULL ? g->prefix : "",
					g->prefix != NULL ? ": " : "",
					option_name(g, c, name, sizeof name), g->seen[i].value,
					optarg, hint != NULL ? "; " : "", hint != NULL ? hint : "");
		return CLI_GETOPT_ERROR;
	}
	if (g->n_seen < CLI_GETOPT_SEEN_MAX) {
		g->seen[g->n_seen].code = c;
		g->seen[g->n_seen].value = optarg;
		g->n_seen++;
	}
	return c;
}

int
cli_bad_option(struct session *ctx, const struct cli_command *cmd, int c,
	       char **argv)
{
	return cli_bad_option_in(ctx, cmd, NULL, c, argv);
}

int
cli_bad_option_in(struct session *ctx, const struct cli_command *cmd, const char *prefix,
		  int c, char **argv)
{
	const char *what = argv[optind - 1];
	char shortopt[3] = { '-', (char)optopt, '\0' };

	/* In a cluster such as -yZ, argv[optind - 1] is the whole cluster:
	 * name the one letter getopt stopped at. */
	if (optopt > 0 && optopt < 128 && what[0] == '-' && what[1] != '-')
		what = shortopt;
	if (c == ':')
		return cli_usage_error(ctx, cmd, "%s%soption '%s' needs a value",
				       prefix != NULL ? prefix : "", prefix != NULL ? ": " : "",
				       what);
	return cli_usage_error(ctx, cmd, "%s%sunknown option '%s'", prefix != NULL ? prefix : "",
			       prefix != NULL ? ": " : "", what);
}

/* The version, and which catalog files this run reads (the build tree's,
 * the installed one, --catalog, the user's own). */
static int
print_version(struct session *ctx)
{
	const struct catalog *cat;
	struct iw_error err;

	printf("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
	if ((cat = session_catalog(ctx, &err)) == NULL) {
		printf("catalog: none could be loaded: %s\n", err.msg);
		return 0;
	}
	for (size_t i = 0; i < cat->n_files; i++)
		printf("%s %s\n", i == 0 ? "catalog:" : "        +", cat->files[i]);
	return 0;
}

int
cli_main(struct session *ctx, int argc, char **argv)
{
	const struct cli_command *cmd;

	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (cmd = find_command(argv[2])) != NULL) {
			printf("usage: %s %s\n%s\n", ctx->argv0, cmd->usage, cmd->summary);
			return 0;
		}
		print_help(stdout, ctx->argv0);
		return 0;
	}
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return print_version(ctx);
	if (argv[1][0] == '-') {
		fprintf(stderr, "%s: unknown option '%s'\n", ctx->argv0, argv[1]);
		fprintf(stderr, "Try '%s --help' for more information.\n", ctx->argv0);
		return iw_status_exit_code(IW_USAGE);
	}

	cmd = find_command(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "%s: unknown command '%s'\n", ctx->argv0, argv[1]);
		fprintf(stderr, "Try '%s --help' for the list of commands.\n", ctx->argv0);
		return iw_status_exit_code(IW_USAGE);
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			printf("usage: %s %s\n%s\n", ctx->argv0, cmd->usage, cmd->summary);
			return 0;
		}
	}
	optind = 0;   /* full getopt reset for the command's own parsing */
	return cmd->run(ctx, argc - 1, argv + 1);
}
