/*
 * tui-command.c - a shell command laid out on a screen so that it pastes
 * whole: an option stays on one line with its argument ("-U" is never left
 * at a line's end, away from "flash:w:FILE:i"), every line but the last is
 * continued with " \", and the command's trailing comment goes on lines of
 * its own, each starting with "#".  Selected together and pasted, the lines
 * run as the one command.
 */
#include "tui/tui-int.h"

#include <stdbool.h>
#include <string.h>

#define MAX_WORDS 64

struct word {
	const char *s;
	size_t n;
};

/* The length of the shell word at s: up to a space outside single quotes
 * (the command's words are quoted that way, job-plan.c's put_word). */
static size_t
word_len(const char *s)
{
	bool quoted = false;
	size_t n = 0;

	for (; s[n] != '\0' && (quoted || s[n] != ' '); n++)
		if (s[n] == '\'')
			quoted = !quoted;
	return n;
}

/* Append `n` bytes of `s` to line (of `size`) at *len, with a space first
 * when `space`. */
static void
append(char *line, size_t size, size_t *len, const char *s, size_t n, bool space)
{
	if (space && *len + 1 < size)
		line[(*len)++] = ' ';
	if (*len + n >= size)
		n = size - 1 - *len;
	memcpy(line + *len, s, n);
	*len += n;
	line[*len] = '\0';
}

/* The comment's words after "#", on lines of at most `room` columns. */
static void
add_comment(struct tui_text *t, enum tui_role role, const char *c, int room)
{
	char line[1024];
	size_t len = 0;

	while (*c != '\0') {
		size_t n;

		c += strspn(c, " ");
		if ((n = strcspn(c, " ")) == 0)
			break;
		if (len > 1 && len + 1 + n > (size_t)room) {
			tui_text_add(t, role, 2, line);
			len = 0;
		}
		if (len == 0)
			append(line, sizeof line, &len, "#", 1, false);
		append(line, sizeof line, &len, c, n, true);
		c += n;
	}
	if (len > 0)
		tui_text_add(t, role, 2, line);
}

/* Push the line so far (ended with `tail`) and start the next at `indent`. */
static void
push_line(struct tui_text *t, enum tui_role role, char *line, size_t size, size_t *len,
	  const char *tail, const char *indent)
{
	append(line, size, len, tail, strlen(tail), false);
	tui_text_add(t, role, 4, line);
	*len = 0;
	line[0] = '\0';
	append(line, size, len, indent, strlen(indent), false);
}

void
tui_text_add_command(struct tui_text *t, enum tui_role role, const char *cmd)
{
	struct word w[MAX_WORDS];
	size_t nw = 0, len = 0;
	const char *p = cmd, *comment = NULL;
	char line[1024];
	bool has_piece = false;
	/* One column stays free (as tui_text_add keeps it), two for " \". */
	size_t room = t->width > 8 ? (size_t)t->width - 1 : 7, room_cont = room - 2;

	while (*p != '\0') {
		p += strspn(p, " ");
		if (*p == '\0')
			break;
		if (*p == '#') {
			comment = p + 1;
			break;
		}
		if (nw == MAX_WORDS) {
			/* Longer than any command ispwiz builds: wrapped as text
			 * rather than cut short. */
			tui_text_add(t, role, 4, cmd);
			return;
		}
		w[nw].s = p;
		w[nw].n = word_len(p);
		p += w[nw++].n;
	}
	for (size_t i = 0; i < nw; ) {
		/* An option and its argument are one piece: "-U ARG", "-c ID";
		 * an option followed by another option ("-e") stands alone. */
		size_t k = i + 1 < nw && w[i].s[0] == '-' && w[i + 1].s[0] != '-' ? 2 : 1;
		size_t n = (size_t)(w[i + k - 1].s + w[i + k - 1].n - w[i].s);
		bool last = i + k == nw;
		size_t limit = last ? room : room_cont;

		if (has_piece && len + 1 + n > limit)
			push_line(t, role, line, sizeof line, &len, " \\", "  ");
		else if (has_piece)
			append(line, sizeof line, &len, " ", 1, false);
		p = w[i].s;
		/* A piece that fits no line: cut with a backslash right after it
		 * and continued at the start of the next line, which the shell
		 * joins back into the one word.  Not inside single quotes, where
		 * the backslash would stay; those wrap as text. */
		if (len + n > limit && memchr(p, '\'', n) == NULL) {
			while (len + n > limit) {
				size_t cut = room - 1 - len;

				while (cut > 1 && ((unsigned char)p[cut] & 0xC0) == 0x80)
					cut--;         /* not inside a UTF-8 sequence */
				append(line, sizeof line, &len, p, cut, false);
				push_line(t, role, line, sizeof line, &len, "\\", "");
				p += cut;
				n -= cut;
			}
		}
		append(line, sizeof line, &len, p, n, false);
		has_piece = true;
		i += k;
	}
	if (has_piece)
		tui_text_add(t, role, 4, line);
	if (comment != NULL)
		add_comment(t, role, comment, (int)room);
}
