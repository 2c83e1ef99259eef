/*
 * test-exit-codes.c - the one table of exit codes (core/error.h) is what
 * ispwiz(1) documents, row by row and word for word, and what the README
 * and --help summarise; every status maps to a row of it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Roff to plain text for the few escapes the section uses. */
static void
unroff(char *s)
{
	char *o = s;

	for (char *p = s; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == '-') {
			*o++ = '-';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

static void
test_man_page_matches_the_table(void **state)
{
	char *man = slurp(TOP_SRCDIR "/man/ispwiz.1");
	char *sec = strstr(man, ".SH EXIT STATUS\n"), *end, *p;
	size_t row = 0;
	int code;
	const char *words, *sentence;

	(void)state;
	assert_non_null(sec);
	end = strstr(sec + 1, "\n.SH ");
	assert_non_null(end);
	*end = '\0';
	unroff(sec);
	/* Each row: ".TP", ".B CODE", then the sentence up to the next ".TP". */
	for (p = strstr(sec, "\n.TP\n.B "); p != NULL; p = strstr(p, "\n.TP\n.B ")) {
		char text[1024] = "";
		char *line, *next;
		int got;

		p += strlen("\n.TP\n.B ");
		got = atoi(p);
		line = strchr(p, '\n') + 1;
		next = strstr(line, "\n.TP\n");
		if (next == NULL)
			next = line + strlen(line);
		snprintf(text, sizeof text, "%.*s", (int)(next - line), line);
		for (char *q = text; *q != '\0'; q++)
			if (*q == '\n')
				*q = ' ';
		while (strlen(text) > 0 && text[strlen(text) - 1] == ' ')
			text[strlen(text) - 1] = '\0';
		assert_true(iw_exit_row(row, &code, &words, &sentence));
		assert_int_equal(got, code);
		assert_string_equal(text, sentence);
		row++;
	}
	assert_false(iw_exit_row(row, &code, &words, &sentence));
	free(man);
}

static void
test_readme_summary_matches(void **state)
{
	char *readme = slurp(TOP_SRCDIR "/README.md");
	char summary[512], flat[8192];
	const char *p = strstr(readme, "Exit codes: ");
	size_t o = 0;

	(void)state;
	assert_non_null(p);
	/* The README wraps the line; compare with single spaces. */
	for (p += strlen("Exit codes: "); *p != '\0' && *p != '.' && o + 1 < sizeof flat; p++)
		flat[o++] = *p == '\n' ? ' ' : *p;
	flat[o] = '\0';
	assert_string_equal(flat, iw_exit_summary(summary, sizeof summary));
	free(readme);
}

static void
test_every_status_has_a_row(void **state)
{
	(void)state;
	for (int st = 0; st < IW_STATUS_COUNT; st++) {
		int want = iw_status_exit_code((enum iw_status)st), code;
		const char *words, *sentence;
		bool found = false;

		for (size_t i = 0; iw_exit_row(i, &code, &words, &sentence); i++)
			found = found || code == want;
		assert_true(found);
	}
	assert_int_equal(iw_status_exit_code(IW_NO_PROGRAMMER), 5);
	assert_int_equal(iw_status_exit_code(IW_NOT_FOUND), 3);
	assert_int_equal(iw_status_exit_code(IW_CANCELLED), 130);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_man_page_matches_the_table),
		cmocka_unit_test(test_readme_summary_matches),
		cmocka_unit_test(test_every_status_has_a_row),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
