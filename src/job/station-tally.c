/* station-tally.c - a station log read back: boards per lane and per cause
 * of failure, for `ispwiz station --summary LOG`. */
#include "config.h"

#include "job/station.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static struct station_tally_lane *
lane_of(struct station_tally *t, unsigned lane, const char *serial, struct iw_error *err)
{
	struct station_tally_lane *more, *l;
	size_t i;

	for (i = 0; i < t->n_lanes; i++)
		if (t->lanes[i].lane == lane && strcmp(t->lanes[i].serial, serial) == 0)
			return &t->lanes[i];
	if ((more = realloc(t->lanes, (t->n_lanes + 1) * sizeof *more)) == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory reading the log");
		return NULL;
	}
	t->lanes = more;
	/* Keep them ordered by lane, then serial. */
	for (i = 0; i < t->n_lanes; i++)
		if (more[i].lane > lane || (more[i].lane == lane &&
					    strcmp(more[i].serial, serial) > 0))
			break;
	memmove(&more[i + 1], &more[i], (t->n_lanes - i) * sizeof *more);
	t->n_lanes++;
	l = &more[i];
	memset(l, 0, sizeof *l);
	l->lane = lane;
	snprintf(l->serial, sizeof l->serial, "%s", serial);
	return l;
}

static enum iw_status
count_cause(struct station_tally *t, const char *cause, struct iw_error *err)
{
	struct station_tally_cause *more;

	for (size_t i = 0; i < t->n_causes; i++)
		if (strcmp(t->causes[i].cause, cause) == 0) {
			t->causes[i].n++;
			return IW_OK;
		}
	if ((more = realloc(t->causes, (t->n_causes + 1) * sizeof *more)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory reading the log");
	t->causes = more;
	snprintf(more[t->n_causes].cause, sizeof more[t->n_causes].cause, "%s", cause);
	more[t->n_causes++].n = 1;
	return IW_OK;
}

static int
by_count(const void *a, const void *b)
{
	const struct station_tally_cause *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->cause, y->cause);
}

/* Sessions seen so far: a few dozen at most in a day's log, so a list. */
struct seen {
	char **ids;
	size_t n;
};

static void
note_session(struct station_tally *t, struct seen *seen, const char *id)
{
	char **more;

	for (size_t i = 0; i < seen->n; i++)
		if (strcmp(seen->ids[i], id) == 0)
			return;
	if ((more = realloc(seen->ids, (seen->n + 1) * sizeof *more)) == NULL)
		return;
	seen->ids = more;
	if ((more[seen->n] = strdup(id)) != NULL) {
		seen->n++;
		t->sessions++;
	}
}

/* One line: a board record (or an interrupted board's). */
static enum iw_status
take_line(struct station_tally *t, struct seen *seen, const char *path, unsigned lineno,
	  const char *line, struct iw_error *err)
{
	json_error_t jerr;
	json_t *o = json_loads(line, 0, &jerr);
	json_t *result, *lane, *serial, *cause, *session;
	struct station_tally_lane *l;
	const char *r, *c = NULL;
	enum iw_status st = IW_OK;

	result = json_object_get(o, "result");
	lane = json_object_get(o, "lane");
	if (!json_is_object(o) || !json_is_string(result)) {
		json_decref(o);
		return iw_error_set(err, IW_INPUT, "%s:%u: not a station board record (%s); "
				    "--summary reads the --log file of `ispwiz station`", path,
				    lineno, o == NULL ? jerr.text : "no \"result\"");
	}
	serial = json_object_get(o, "serial");
	cause = json_object_get(o, "cause");
	session = json_object_get(o, "session");
	if (json_is_string(session))
		note_session(t, seen, json_string_value(session));
	/* Logs from before lanes have no lane: it was the only one. */
	l = lane_of(t, json_is_integer(lane) ? (unsigned)json_integer_value(lane) : 1,
		    json_is_string(serial) ? json_string_value(serial) : "", err);
	if (l == NULL) {
		json_decref(o);
		return IW_NOMEM;
	}
	r = json_string_value(result);
	t->boards++;
	l->boards++;
	if (strcmp(r, "ok") == 0) {
		t->ok++;
		l->ok++;
	} else if (strcmp(r, "interrupted") == 0) {
		t->interrupted++;
		l->interrupted++;
		c = "interrupted";
	} else {
		t->failed++;
		l->failed++;
		c = json_is_string(cause) ? json_string_value(cause) :
		    strcmp(r, "cancelled") == 0 ? "cancelled" : "other";
	}
	if (c != NULL)
		st = count_cause(t, c, err);
	json_decref(o);
	return st;
}

enum iw_status
station_tally_file(const char *path, struct station_tally *t, struct iw_error *err)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	struct seen seen = { NULL, 0 };
	enum iw_status st = IW_OK;

	memset(t, 0, sizeof *t);
	if ((fp = fopen(path, "r")) == NULL)
		return iw_error_set(err, IW_IO, "cannot read the log %s: %s", path,
				    strerror(errno));
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (n == 0 || line[n - 1] != '\n') {
			/* The last line, cut short: the station never reported it
			 * (a line is written whole, then synced, then reported). */
			t->cut_bytes = (size_t)n;
			break;
		}
		if (n == 1)
			continue;
		if ((st = take_line(t, &seen, path, lineno, line, err)) != IW_OK)
			break;
	}
	if (st == IW_OK && ferror(fp))
		st = iw_error_set(err, IW_IO, "cannot read the log %s: %s", path,
				  strerror(errno));
	free(line);
	fclose(fp);
	for (size_t i = 0; i < seen.n; i++)
		free(seen.ids[i]);
	free(seen.ids);
	if (st != IW_OK) {
		station_tally_free(t);
		return st;
	}
	if (t->n_causes > 1)
		qsort(t->causes, t->n_causes, sizeof *t->causes, by_count);
	return IW_OK;
}

void
station_tally_free(struct station_tally *t)
{
	free(t->lanes);
	free(t->causes);
	t->lanes = NULL;
	t->causes = NULL;
	t->n_lanes = t->n_causes = 0;
}
