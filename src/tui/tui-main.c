/*
 * tui-main.c - the wizard's command line: `ispwiz [--demo] [--demo-slow]
 * [--demo-fault KNOB]... [--no-color] [--log FILE]`.  Global options
 * (--catalog, -v) were taken out by main.c already.
 */
#include "tui/tui-int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TUI_USAGE \
	"Usage: %s [--demo] [--demo-slow] [--demo-fault KNOB]... [--no-color] [--log FILE]\n" \
	"          [--wait-usb SECONDS]\n" \
	"       %s COMMAND [ARGS...]   (see %s --help)\n"

bool
tui_is_wizard_option(const char *arg)
{
	static const char *const opts[] = {
		"--demo", "--demo-slow", "--demo-fault", "--no-color", "--log",
		"--wait-usb",
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

/* Check a --demo-fault knob now, before the screen is taken over: a typo
 * should not surface only at the Target step. */
static int
check_fault(const char *argv0, const char *spec, const struct catalog *cat)
{
	struct iw_error err;

	iw_error_clear(&err);
	if (job_check_sim_fault(spec, cat, &err) != IW_OK)
		return usage_error(argv0, "--demo-fault %s: %s", spec, err.msg);
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
tui_main(struct session *ctx, int argc, char **argv)
{
	struct tui_options opt;
	struct iw_error err;
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
			opt.demo = true;
			/* The demo's own knob, not the simulated chip's. */
			if (strcmp(v, "bootloader-silent") == 0) {
				opt.demo_bootloader_silent = true;
				continue;
			}
			if ((rc = check_fault(ctx->argv0, v, NULL)) != 0)
				return rc;
			opt.demo_faults[opt.n_demo_faults++] = v;
			opt.demo = true;
		} else if (strncmp(a, "--wait-usb", 10) == 0 && (a[10] == '\0' || a[10] == '=')) {
			char *end;
			long n;

			if ((v = value_of(argc, argv, &i, "--wait-usb")) == NULL)
				return usage_error(ctx->argv0, "%s needs a number of seconds", a);
			n = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || n < 1 || n > 3600)
				return usage_error(ctx->argv0, "--wait-usb %s: give the seconds the "
						   "Done step waits for the new bootloader, 1 to 3600", v);
			opt.wait_usb_s = (int)n;
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
	if ((opt.catalog = session_catalog(ctx, &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", ctx->argv0, err.msg);
		return iw_status_exit_code(IW_CATALOG);
	}
	for (size_t i = 0; i < opt.n_demo_faults; i++)
		if ((rc = check_fault(ctx->argv0, opt.demo_faults[i], opt.catalog)) != 0)
			return rc;
	return tui_run(&opt);
}
