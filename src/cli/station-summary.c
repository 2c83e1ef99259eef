/* station-summary.c - `ispwiz station --summary LOG`: counts and yield of a
 * station log per lane and per cause, as a table or as one JSON object. */
#include "config.h"

#include "cli/station-summary.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/table.h"
#include "job/station.h"

static double
yield(unsigned ok, unsigned boards)
{
	return boards > 0 ? 100.0 * ok / boards : 0.0;
}

static void
print_json(const char *path, const struct station_tally *t, int rc)
{
	json_t *o = json_object(), *lanes = json_array(), *causes = json_object();

	for (size_t i = 0; i < t->n_lanes; i++) {
		const struct station_tally_lane *l = &t->lanes[i];

		json_array_append_new(lanes, json_pack("{s:i, s:o, s:i, s:i, s:i, s:i, s:f}",
			"lane", (int)l->lane,
			"serial", l->serial[0] != '\0' ? json_string(l->serial) : json_null(),
			"boards", (int)l->boards, "ok", (int)l->ok, "failed", (int)l->failed,
			"interrupted", (int)l->interrupted, "yield", yield(l->ok, l->boards)));
	}
	for (size_t i = 0; i < t->n_causes; i++)
		json_object_set_new(causes, t->causes[i].cause, json_integer(t->causes[i].n));
	json_object_set_new(o, "log", json_string(path));
	json_object_set_new(o, "sessions", json_integer(t->sessions));
	json_object_set_new(o, "boards", json_integer(t->boards));
	json_object_set_new(o, "ok", json_integer(t->ok));
	json_object_set_new(o, "failed", json_integer(t->failed));
	json_object_set_new(o, "interrupted", json_integer(t->interrupted));
	json_object_set_new(o, "yield", json_real(yield(t->ok, t->boards)));
	json_object_set_new(o, "lanes", lanes);
	json_object_set_new(o, "causes", causes);
	json_object_set_new(o, "cut_bytes", json_integer((json_int_t)t->cut_bytes));
	json_object_set_new(o, "exit_code", json_integer(rc));
	json_dumpf(o, stdout, STATION_JSON_FLAGS);
	fputc('\n', stdout);
	json_decref(o);
}

static void
print_text(const char *path, const struct station_tally *t)
{
	struct table tb;
	char lane[16], n[4][16], y[16];

	printf("Log %s: %u board%s in %u session%s, %u ok, %u failed, %u interrupted; "
	       "yield %.1f%%\n", path, t->boards, t->boards == 1 ? "" : "s", t->sessions,
	       t->sessions == 1 ? "" : "s", t->ok, t->failed, t->interrupted,
	       yield(t->ok, t->boards));
	table_init(&tb, 7);
	table_add(&tb, "lane", "boards", "ok", "failed", "interrupted", "yield",
		  "programmer serial");
	for (size_t i = 0; i < t->n_lanes; i++) {
		const struct station_tally_lane *l = &t->lanes[i];

		snprintf(lane, sizeof lane, "%u", l->lane);
		snprintf(n[0], sizeof n[0], "%u", l->boards);
		snprintf(n[1], sizeof n[1], "%u", l->ok);
		snprintf(n[2], sizeof n[2], "%u", l->failed);
		snprintf(n[3], sizeof n[3], "%u", l->interrupted);
		snprintf(y, sizeof y, "%.1f%%", yield(l->ok, l->boards));
		table_add(&tb, lane, n[0], n[1], n[2], n[3], y,
			  l->serial[0] != '\0' ? l->serial : "-");
	}
	table_print(&tb, stdout, "  ");
	table_free(&tb);
	if (t->n_causes > 0) {
		printf("Failed boards by cause:\n");
		table_init(&tb, 2);
		for (size_t i = 0; i < t->n_causes; i++) {
			snprintf(n[0], sizeof n[0], "%u", t->causes[i].n);
			table_add(&tb, n[0], t->causes[i].cause);
		}
		table_print(&tb, stdout, "  ");
		table_free(&tb);
	}
}

int
station_summary_main(struct session *ctx, const struct cli_command *cmd, int argc,
		     char **argv)
{
	static const struct option longopts[] = {
		{ "summary", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_getopt g = { .ctx = ctx, .cmd = cmd, .shortopts = "", .longopts = longopts };
	const char *path = NULL;
	struct station_tally t;
	struct iw_error err;
	int c, rc;

	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		if (c == 's')
			path = optarg;
		else if (c == 'j')
			ctx->json = true;
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (optind < argc)
		return cli_usage_error(ctx, cmd, "--summary reads a log and takes nothing but "
				       "--json besides; '%s' is left over", argv[optind]);
	if (path == NULL || path[0] == '\0')
		return cli_usage_error(ctx, cmd, "--summary needs the log file: --summary LOG");
	if (station_tally_file(path, &t, &err) != IW_OK)
		return cli_fail(ctx, &err);
	if (t.cut_bytes > 0)
		fprintf(stderr, "%s: note: %s ends in a line cut short (%zu bytes, from a crash "
			"or a full disk): it is not counted; the next station run on this log "
			"cuts it off\n", ctx->argv0, path, t.cut_bytes);
	if (t.boards == 0)
		fprintf(stderr, "%s: %s holds no boards\n", ctx->argv0, path);
	rc = t.boards > 0 && t.ok == t.boards ? 0 : 1;
	if (ctx->json)
		print_json(path, &t, rc);
	else
		print_text(path, &t);
	station_tally_free(&t);
	return rc;
}
