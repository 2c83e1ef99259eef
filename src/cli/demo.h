/* demo.h - `ispwiz --demo` until the wizard lands: describe, from the real
 * catalog, the session the wizard will walk through on the simulator. */
#ifndef ISPWIZ_CLI_DEMO_H
#define ISPWIZ_CLI_DEMO_H

#include "cli/cli.h"

int demo_describe(struct cli_context *ctx);

#endif
