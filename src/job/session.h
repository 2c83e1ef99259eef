/*
 * session.h - what both front ends share before either starts: the options
 * every command and the wizard take (--catalog FILE, --json, -v), and the
 * catalog they name, loaded once on first use.  main.c fills it, then hands
 * it to a command (src/cli) or to the wizard (src/tui); neither front end
 * includes the other.
 */
#ifndef ISPWIZ_JOB_SESSION_H
#define ISPWIZ_JOB_SESSION_H

#include <stdbool.h>

#include "core/catalog.h"
#include "core/error.h"

struct station;
struct station_plan;
struct session;

/* The station's dashboard: takes over the terminal, shows the lanes of a
 * running station and their controls, and returns when the station is
 * done or the operator stopped it (the station is then stopping; the
 * caller finishes it).  `sig_fd` is a signalfd for SIGINT, SIGTERM and
 * SIGHUP.  The wizard's front end (src/tui) provides it and main.c
 * registers it here, so that `ispwiz station` (src/cli) can run it without
 * either front end including the other. */
typedef void (*session_station_dashboard_fn)(struct session *s, struct station *st,
					     const struct station_plan *sp, int sig_fd);

struct session {
	const char *argv0;        /* "ispwiz" for messages */
	const char *catalog_path; /* --catalog FILE, or NULL for the default load */
	bool json;                /* --json given (global or per command) */
	int verbose;              /* -v, once per -v */
	bool catalog_loaded;
	struct catalog catalog;
	session_station_dashboard_fn station_dashboard;   /* NULL: lines only */
};

/* Take --catalog FILE (or =FILE), --json and -v/--verbose out of argv,
 * anywhere before "--", leaving the rest in order (argv[*argc] = NULL).
 * IW_USAGE when --catalog has no value. */
enum iw_status session_take_global_options(struct session *s, int *argc, char **argv,
					   struct iw_error *err);

/* The catalog: the installed one and the user's additions, or --catalog's
 * file; loaded on the first call.  NULL with err set (file:line:col) when
 * it cannot be loaded. */
const struct catalog *session_catalog(struct session *s, struct iw_error *err);

void session_free(struct session *s);

#endif
