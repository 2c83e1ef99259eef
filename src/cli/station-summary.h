/*
 * station-summary.h - `ispwiz station --summary LOG`: the boards of a
 * station log counted per lane and per cause of failure, with the yield.
 */
#ifndef ISPWIZ_CLI_STATION_SUMMARY_H
#define ISPWIZ_CLI_STATION_SUMMARY_H

#include "cli/cli.h"

/* Parse `station --summary LOG [--json]` and print.  Exit status 0 only
 * when the log holds boards and every one of them passed; 1 when any
 * failed or was interrupted (or there are none); 3 for a line that is not
 * a board record; 2 for a usage error. */
int station_summary_main(struct session *ctx, const struct cli_command *cmd, int argc,
			 char **argv);

#endif
