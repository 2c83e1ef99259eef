/*
 * cmd-doctor.c - `ispwiz doctor [--json]`: is this machine set up for
 * ispwiz (udev rules, access to each attached programmer and bootloader,
 * ModemManager, brltty, groups, libraries)?  Each check with its verdict,
 * what was found and the command that fixes it.  Exit 0 when no check
 * found a problem, 1 otherwise.  The checks are in src/job/doctor.c.
 *
 * Hidden: --root DIR (or $ISPWIZ_DOCTOR_ROOT) reads /etc, /usr/lib/udev,
 * /proc and the rest under DIR, for tests.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json-util.h"
#include "job/doctor.h"

#define WIDTH 80
#define INDENT 9

static int doctor_main(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_doctor = {
	.name = "doctor",
	.usage = "doctor [--json]",
	.summary = "check udev rules, device access, ModemManager, brltty, groups; what to run",
	.run = doctor_main,
};

/* "PROBLEM" stands out in a column of "ok". */
static const char *
verdict_label(enum doctor_verdict v)
{
	switch (v) {
	case DOCTOR_OK: return "ok";
	case DOCTOR_INFO: return "info";
	case DOCTOR_WARNING: return "WARNING";
	case DOCTOR_PROBLEM: return "PROBLEM";
	}
	return "?";
}

/* `text` wrapped at WIDTH, every line at INDENT. */
static void
print_wrapped(FILE *out, const char *text)
{
	size_t col = INDENT;
	const char *p = text;

	fprintf(out, "%*s", INDENT, "");
	while (*p != '\0') {
		size_t word = strcspn(p, " ");

		if (col > INDENT && col + 1 + word > WIDTH) {
			fprintf(out, "\n%*s", INDENT, "");
			col = INDENT;
		} else if (col > INDENT) {
			fputc(' ', out);
			col++;
		}
		fprintf(out, "%.*s", (int)word, p);
		col += word;
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

static int
print_text(const struct doctor_report *r)
{
	size_t problems = doctor_report_count(r, DOCTOR_PROBLEM);
	size_t warnings = doctor_report_count(r, DOCTOR_WARNING);

	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		if (i > 0)
			putchar('\n');
		printf("%-*s%s\n", INDENT, verdict_label(c->verdict), c->title);
		if (c->found != NULL)
			print_wrapped(stdout, c->found);
		/* One line, however long: it is meant to be copied into a shell. */
		if (c->fix != NULL)
			printf("%*sfix: %s\n", INDENT, "", c->fix);
	}
	putchar('\n');
	if (problems == 0 && warnings == 0)
		printf("No problems found.\n");
	else
		printf("%zu problem%s, %zu warning%s.%s\n", problems, problems == 1 ? "" : "s",
		       warnings, warnings == 1 ? "" : "s", problems > 0 ?
		       " ispwiz will fail until the problems are fixed." : "");
	return fflush(stdout) == 0 ? 0 : -1;
}

static int
print_json(const struct doctor_report *r, const char *root)
{
	json_t *checks = json_array();

	if (checks == NULL)
		return -1;
	for (size_t i = 0; i < r->n; i++) {
		const struct doctor_check *c = &r->checks[i];

		json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
			"id", c->id,
			"title", c->title,
			"verdict", doctor_verdict_name(c->verdict),
			"found", json_string_or_null(c->found),
			"fix", json_string_or_null(c->fix),
			"device", json_string_or_null(c->device),
			"hint", json_string_or_null(c->hint)));
	}
	return json_print_document(json_pack("{s:b, s:I, s:I, s:s, s:o}",
		"ok", doctor_report_count(r, DOCTOR_PROBLEM) == 0,
		"problems", (json_int_t)doctor_report_count(r, DOCTOR_PROBLEM),
		"warnings", (json_int_t)doctor_report_count(r, DOCTOR_WARNING),
		"root", root,
		"checks", checks), stdout);
}

static int
doctor_main(struct session *ctx, int argc, char **argv)
{
	enum { OPT_ROOT = 0x4000 };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "root", required_argument, NULL, OPT_ROOT },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_doctor, .shortopts = "",
				.longopts = longopts, .prefix = "doctor" };
	struct doctor_config cfg = { NULL, NULL, NULL, NULL };
	struct doctor_report report;
	struct iw_error err, cat_err;
	const char *root;
	int c, rc;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		if (c == 'j')
			ctx->json = true;
		else if (c == OPT_ROOT)
			cfg.root = optarg;
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (optind < argc)
		return cli_usage_error(ctx, &cmd_doctor, "doctor takes no arguments, got '%s'",
				       argv[optind]);
	root = cfg.root != NULL ? cfg.root : getenv("ISPWIZ_DOCTOR_ROOT");
	if (root == NULL || root[0] == '\0')
		root = "/";
	cfg.root = root;

	/* A catalog that does not load is one of the things to report. */
	iw_error_clear(&cat_err);
	cfg.catalog = session_catalog(ctx, &cat_err);
	if (cfg.catalog == NULL)
		cfg.catalog_error = cat_err.msg;

	doctor_report_init(&report);
	iw_error_clear(&err);
	if (doctor_run(&cfg, &report, &err) != IW_OK) {
		doctor_report_free(&report);
		return cli_fail(ctx, &err);
	}
	rc = ctx->json ? print_json(&report, root) : print_text(&report);
	if (rc != 0)
		rc = iw_status_exit_code(IW_IO);
	else if (doctor_report_count(&report, DOCTOR_PROBLEM) > 0)
		rc = iw_status_exit_code(IW_FAILED);
	doctor_report_free(&report);
	return rc;
}
