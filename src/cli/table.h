/*
 * table.h - aligned text tables for the CLI's human-readable output.
 *
 * Columns are as wide as their widest cell, two spaces apart; the last
 * column (the free text: names, descriptions) is word-wrapped so that lines
 * stay within TABLE_LINE_WIDTH.  Heading rows print as they are, outside the
 * columns, to group the rows under them.
 */
#ifndef ISPWIZ_CLI_TABLE_H
#define ISPWIZ_CLI_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TABLE_MAX_COLS 8
/* Text output is laid out for an 80-column terminal. */
#define TABLE_LINE_WIDTH 80

struct table_row {
	char *cell[TABLE_MAX_COLS];
	bool heading;
};

struct table {
	size_t n_cols;
	struct table_row *rows;
	size_t n_rows, cap;
	bool failed;         /* out of memory at some point: do not print */
};

/* An empty table of n_cols (1..TABLE_MAX_COLS) columns. */
void table_init(struct table *t, size_t n_cols);
/* A row of exactly n_cols strings (NULL prints as empty).  Failures are
 * recorded in t->failed instead of being returned, so callers add rows
 * freely and check once. */
void table_add(struct table *t, ...);
void table_add_heading(struct table *t, const char *text);
/* Print every row; `indent` goes before each non-heading row. */
void table_print(const struct table *t, FILE *out, const char *indent);
void table_free(struct table *t);

#endif
