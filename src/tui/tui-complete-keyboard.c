/*
 * tui-complete-keyboard.c - Tab in a field for a keyboard's QMK name: the
 * names core/qmk-names.c finds in the local checkout (what `ispwiz
 * complete keyboards` gives the shells), put in the field the way
 * tui_complete_path puts paths: the longest common start of the matches,
 * and a note listing them when there are several.
 */
#include "tui/tui-int.h"

#include <string.h>

#include "core/qmk.h"

struct matches {
	char common[1024];
	size_t n;
	char list[400];
	size_t used;
};

static void
add(const char *name, void *user)
{
	struct matches *m = user;
	size_t k;

	if (m->n++ == 0) {
		snprintf(m->common, sizeof m->common, "%s", name);
	} else {
		for (k = 0; m->common[k] != '\0' && m->common[k] == name[k]; k++)
			;
		m->common[k] = '\0';
	}
	if (m->used < sizeof m->list)
		m->used += (size_t)snprintf(m->list + m->used, sizeof m->list - m->used, " %s",
					    name);
}

void
tui_complete_keyboard(char *buf, size_t size, char *note, size_t note_size)
{
	struct matches m;
	char home[1024];
	int n;

	memset(&m, 0, sizeof m);
	note[0] = '\0';
	n = qmk_complete(buf, add, &m);
	if (n < 0) {
		qmk_home(home, sizeof home);
		snprintf(note, note_size, "no QMK checkout to complete from (looked at %s; set "
			 "QMK_HOME)", home);
		return;
	}
	if (n == 0) {
		qmk_home(home, sizeof home);
		snprintf(note, note_size, "no keyboard in %s/keyboards starts with \"%s\"", home,
			 buf);
		return;
	}
	/* Never shorter than what was typed. */
	if (strlen(m.common) >= strlen(buf))
		snprintf(buf, size, "%s", m.common);
	if (n > 1)
		snprintf(note, note_size, "%d matches:%s", n, m.list);
}
