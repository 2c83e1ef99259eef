/*
 * tui-main.c - the wizard's command line: `ispwiz [--demo] [--demo-slow]
 * [--demo-fault KNOB]... [--no-color] [--log FILE]`.  Global options
 * (--catalog, -v) were taken out by main.c already.
 */
#include "tui/tui-int.h"
#include "sim/sim-target.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define TUI_USAGE \
	"Usage: %s [--demo] [--demo-slow] [--demo-fault KNOB]... [--no-color] [--log FILE]\n" \
	"       %s COMMAND [ARGS...]   (see %s --help)\n"

bool
tui_is_wizard_option(const char *arg)
{
	static const char *const opts[] = {
		"--demo", "--demo-slow", "--demo-fault", "--no-color", "--log",
	};

	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
		size_t n = strlen(opts[i]);

		if (strncmp(arg, opts[i], n) == 0 && (arg[n] == '\0' || arg[n] == '='))
			return true;
	}
	return false;
}

static int
usage_error(const char *argv0, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
usage_error(const char *argv0, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", argv0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n" TUI_USAGE, argv0, argv0, argv0);
	return iw_status_exit_code(IW_USAGE);
}

/* Whether the knob's name (before any "=") is one the simulated chip has:
 * then the parser's complaint is about the value, not the name. */
static bool
known_name(const char *spec)
{
	size_t len = strcspn(spec, "=");

	for (int k = 0; k < SIM_FAULT_COUNT; k++) {
		const char *name = sim_target_fault_name((enum sim_fault_kind)k);

		if (strlen(name) == len && strncmp(name, spec, len) == 0)
			return true;
	}
	return false;
}

/* Check a --demo-fault knob now, before the screen is taken over: a typo
 * should not surface only at the Target step.  "realtime" is the simulated
 * programmer's own knob; the rest are the simulated chip's. */
static int
check_fault(const char *argv0, const char *spec, const struct catalog *cat)
{
	struct sim_fault f;
	struct iw_error err;

	if (strcmp(spec, "realtime") == 0)
		return 0;
	iw_error_clear(&err);
	if (sim_target_fault_parse(spec, &f, &err) != IW_OK)
		return usage_error(argv0, "--demo-fault %s: %s%s", spec, err.msg,
				   known_name(spec) ? "" : ", and the demo programmer's realtime");
	if (cat != NULL && f.kind == SIM_FAULT_WRONG_PART &&
	    catalog_find_part(cat, f.part_id) == NULL)
		return usage_error(argv0, "--demo-fault %s: no part \"%s\" in the catalog; "
				   "`%s list parts` shows the ids", spec, f.part_id, argv0);
	return 0;
}

/* "--log FILE" or "--log=FILE": the value, advancing *i; NULL if missing. */
static const char *
value_of(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	if (a[n] == '=')
		return a + n + 1;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

int
tui_main(struct cli_context *ctx, int argc, char **argv)
{
	struct tui_options opt;
	int rc;

	memset(&opt, 0, sizeof opt);
	opt.argv0 = ctx->argv0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;

		if (strcmp(a, "--demo") == 0) {
			opt.demo = true;
		} else if (strcmp(a, "--demo-slow") == 0) {
			opt.demo = opt.demo_slow = true;
		} else if (strcmp(a, "--no-color") == 0) {
			opt.no_color = true;
		} else if (strncmp(a, "--demo-fault", 12) == 0 && (a[12] == '\0' || a[12] == '=')) {
			if ((v = value_of(argc, argv, &i, "--demo-fault")) == NULL)
				return usage_error(ctx->argv0, "%s needs a fault knob, e.g. "
						   "--demo-fault reset-not-wired", a);
			if (opt.n_demo_faults == TUI_MAX_FAULTS)
				return usage_error(ctx->argv0, "at most 8 %s options", "--demo-fault");
			if ((rc = check_fault(ctx->argv0, v, NULL)) != 0)
				return rc;
			opt.demo_faults[opt.n_demo_faults++] = v;
			opt.demo = true;
		} else if (strncmp(a, "--log", 5) == 0 && (a[5] == '\0' || a[5] == '=')) {
			if ((opt.log_path = value_of(argc, argv, &i, "--log")) == NULL)
				return usage_error(ctx->argv0, "%s needs a file name", a);
		} else if (a[0] == '-') {
			return usage_error(ctx->argv0, "unknown option '%s'", a);
		} else {
			return usage_error(ctx->argv0, "unknown command '%s'", a);
		}
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: the wizard needs a terminal on stdin and stdout; "
			"for scripts use a command such as `%s flash`\n" TUI_USAGE,
			ctx->argv0, ctx->argv0, ctx->argv0, ctx->argv0, ctx->argv0);
		return iw_status_exit_code(IW_USAGE);
	}
	if ((opt.catalog = cli_catalog(ctx)) == NULL)
		return iw_status_exit_code(IW_CATALOG);
	for (size_t i = 0; i < opt.n_demo_faults; i++)
		if ((rc = check_fault(ctx->argv0, opt.demo_faults[i], opt.catalog)) != 0)
			return rc;
	return tui_run(&opt);
}
