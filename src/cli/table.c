/* table.c - aligned, width-limited text tables (see table.h). */
#include "config.h"

#include "cli/table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
table_init(struct table *t, size_t n_cols)
{
	memset(t, 0, sizeof *t);
	t->n_cols = n_cols > TABLE_MAX_COLS ? TABLE_MAX_COLS : n_cols;
}

static struct table_row *
new_row(struct table *t)
{
	struct table_row *row;

	if (t->failed)
		return NULL;
	if (t->n_rows == t->cap) {
		size_t cap = t->cap == 0 ? 32 : t->cap * 2;
		struct table_row *grown = realloc(t->rows, cap * sizeof *grown);

		if (grown == NULL) {
			t->failed = true;
			return NULL;
		}
		t->rows = grown;
		t->cap = cap;
	}
	row = &t->rows[t->n_rows++];
	memset(row, 0, sizeof *row);
	return row;
}

static void
set_cell(struct table *t, struct table_row *row, size_t c, const char *text)
{
	row->cell[c] = strdup(text != NULL ? text : "");
	if (row->cell[c] == NULL)
		t->failed = true;
}

void
table_add(struct table *t, ...)
{
	struct table_row *row = new_row(t);
	va_list ap;

	if (row == NULL)
		return;
	va_start(ap, t);
	for (size_t c = 0; c < t->n_cols; c++)
		set_cell(t, row, c, va_arg(ap, const char *));
	va_end(ap);
}

void
table_add_heading(struct table *t, const char *text)
{
	struct table_row *row = new_row(t);

	if (row == NULL)
		return;
	row->heading = true;
	set_cell(t, row, 0, text);
}

/* Print `text` from column `offset` on, wrapping at spaces so that no line
 * passes TABLE_LINE_WIDTH; continuation lines start at `offset` too. */
static void
print_wrapped(FILE *out, const char *text, size_t offset)
{
	size_t room = TABLE_LINE_WIDTH > offset ? TABLE_LINE_WIDTH - offset : 0;

	/* With this little room wrapping would only make it worse. */
	if (room < 20) {
		fputs(text, out);
		return;
	}
	while (strlen(text) > room) {
		size_t cut = room;

		while (cut > 0 && text[cut] != ' ')
			cut--;
		if (cut == 0)   /* one long word (a URL): let it overflow */
			break;
		fprintf(out, "%.*s\n%*s", (int)cut, text, (int)offset, "");
		text += cut + 1;
	}
	fputs(text, out);
}

void
table_print(const struct table *t, FILE *out, const char *indent)
{
	size_t width[TABLE_MAX_COLS] = { 0 };
	size_t last_offset = strlen(indent);

	for (size_t r = 0; r < t->n_rows; r++) {
		if (t->rows[r].heading)
			continue;
		for (size_t c = 0; c < t->n_cols; c++) {
			size_t len = strlen(t->rows[r].cell[c]);

			if (len > width[c])
				width[c] = len;
		}
	}
	for (size_t c = 0; c + 1 < t->n_cols; c++)
		last_offset += width[c] + 2;

	for (size_t r = 0; r < t->n_rows; r++) {
		const struct table_row *row = &t->rows[r];
		size_t last = t->n_cols;

		if (row->heading) {
			fprintf(out, "%s\n", row->cell[0]);
			continue;
		}
		/* No trailing blanks: stop after the last non-empty cell. */
		while (last > 0 && row->cell[last - 1][0] == '\0')
			last--;
		fputs(indent, out);
		for (size_t c = 0; c < last; c++) {
			if (c + 1 < last)
				fprintf(out, "%-*s  ", (int)width[c], row->cell[c]);
			else if (c + 1 == t->n_cols)
				print_wrapped(out, row->cell[c], last_offset);
			else
				fputs(row->cell[c], out);
		}
		fputc('\n', out);
	}
}

void
table_free(struct table *t)
{
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t c = 0; c < TABLE_MAX_COLS; c++)
			free(t->rows[r].cell[c]);
	free(t->rows);
	memset(t, 0, sizeof *t);
}
