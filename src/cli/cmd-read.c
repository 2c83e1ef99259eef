/*
 * cmd-read.c - `ispwiz read`: save what a chip holds (flash, EEPROM,
 * signature, fuses, lock) to BACKUP.hex, BACKUP.eep.hex and BACKUP.json,
 * changing nothing.  The same files a flash job writes as its backup.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli-job.h"
#include "cli/cli.h"
#include "core/file-util.h"
#include "job/backup.h"

#define READ_USAGE \
	"read -c PROG [-P PORT] [-b BAUD] [-x OPT]... -p PART (-o BACKUP | --identify) " \
	"[--identify] [--json] " \
	"[--sim-state FILE] [--sim-fault KNOB]..."

static int read_run(struct session *ctx, int argc, char **argv);

enum { OPT_IDENTIFY = 0x2000 };

const struct cli_command cmd_read = {
	.name = "read",
	.usage = READ_USAGE,
	.summary = "save a chip's flash, EEPROM, fuses and lock to BACKUP.hex/.json",
	.run = read_run,
};

/* "-o chip.hex" means the base "chip": the suffixes are added here. */
static void
strip_suffix(char *base)
{
	static const char *const suffixes[] = { ".eep.hex", ".hex", ".json" };
	size_t len = strlen(base);

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t n = strlen(suffixes[i]);

		if (len > n && strcmp(base + len - n, suffixes[i]) == 0) {
			base[len - n] = '\0';
			return;
		}
	}
}

/* The backup files go next to BACKUP; find out now, not after reading the
 * whole chip, when that directory is missing or not writable. */
static int
check_out_dir(struct session *ctx, const char *out)
{
	struct iw_error err;
	struct stat st;
	char dir[4096];

	file_dir_of(out, dir, sizeof dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		iw_error_set(&err, IW_NOT_FOUND, "-o %s: the directory %s %s; create it "
			     "or choose another place for the backup (nothing was read)",
			     out, dir, stat(dir, &st) != 0 ? "does not exist" :
			     "is not a directory");
		return cli_fail(ctx, &err);
	}
	if (access(dir, W_OK | X_OK) != 0) {
		iw_error_set(&err, IW_USAGE, "-o %s: the directory %s is not writable; "
			     "choose another place for the backup (nothing was read)",
			     out, dir);
		return cli_fail(ctx, &err);
	}
	return 0;
}

static void
print_summary(const struct job_plan *plan, const struct job_result *res)
{
	const struct catalog_part *part = plan->part;

	printf("%s: signature %02X %02X %02X", catalog_part_label(part),
	       res->signature[0], res->signature[1], res->signature[2]);
	for (int b = 0; b < FUSE_COUNT; b++)
		if (res->fuses_before.present[b])
			printf(", %s 0x%02X", fuse_byte_name((enum fuse_byte)b),
			       res->fuses_before.value[b]);
	printf(", lock 0x%02X\n", res->lock_before);
	if (plan->inspect) {
		char what[600];

		printf("%s\n", job_inspect_text(plan, res, what, sizeof what));
	}
	if (res->backup_json[0] == '\0')
		return;
	if (res->backup_hex[0] != '\0')
		printf("wrote %s\n", res->backup_hex);
	if (res->backup_eeprom[0] != '\0')
		printf("wrote %s\n", res->backup_eeprom);
	printf("wrote %s\n", res->backup_json);
}

static int
read_run(struct session *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_JOB_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "identify", no_argument, NULL, OPT_IDENTIFY },
		{ NULL, 0, NULL, 0 },
	};
	struct cli_job_opts o;
	struct job_plan plan;
	struct job_result *res;
	struct iw_error err;
	char *base = NULL;
	const char *out = NULL;
	int c, rc = 0;

	struct cli_getopt g = { .ctx = ctx, .cmd = &cmd_read, .shortopts = CLI_JOB_SHORTOPTS "o:",
				.longopts = longopts, .repeatable = cli_job_repeatable };

	memset(&o, 0, sizeof o);
	job_plan_init(&plan);
	while ((c = cli_getopt(&g, argc, argv)) >= 0) {
		int handled = cli_job_option(ctx, &cmd_read, c, optarg, &o, &rc);

		if (handled < 0)
			return rc;
		if (handled == 0 && c == 'o')
			out = optarg;
		if (handled == 0 && c == OPT_IDENTIFY)
			plan.inspect = true;
	}
	if (c == CLI_GETOPT_ERROR)
		return g.rc;
	if (cli_job_driver_help(ctx, &cmd_read, &o, &rc))
		return rc;
	if (optind < argc)
		return cli_usage_error(ctx, &cmd_read, "unexpected argument '%s'", argv[optind]);
	if ((out == NULL || out[0] == '\0') && !plan.inspect)
		return cli_usage_error(ctx, &cmd_read, "no output: give -o BACKUP (writes "
				       "BACKUP.hex, BACKUP.eep.hex and BACKUP.json)");
	if ((rc = cli_job_setup(ctx, &cmd_read, &o, &plan)) != 0)
		return rc;
	if (out == NULL) {
		/* --identify alone: look, save nothing. */
		if ((res = calloc(1, sizeof *res)) == NULL) {
			iw_error_set(&err, IW_NOMEM, "out of memory");
			return cli_fail(ctx, &err);
		}
		plan.backup = false;
		rc = cli_job_execute(ctx, &plan, res);
		if (rc == 0 && !ctx->json)
			print_summary(&plan, res);
		free(res);
		return rc;
	}
	if ((rc = check_out_dir(ctx, out)) != 0)
		return rc;
	base = strdup(out);
	res = calloc(1, sizeof *res);
	if (base == NULL || res == NULL) {
		free(base);
		free(res);
		iw_error_set(&err, IW_NOMEM, "out of memory");
		return cli_fail(ctx, &err);
	}
	strip_suffix(base);
	{
		char taken[JOB_PATH_MAX + 16];

		if (backup_set_present(base, taken, sizeof taken)) {
			iw_error_set(&err, IW_EXISTS, "a backup named %s is there already (%s); "
				     "choose another name with -o, or move the old files away "
				     "first (nothing was read)", base, taken);
			free(base);
			free(res);
			return cli_fail(ctx, &err);
		}
	}
	plan.read_to = base;
	plan.backup = false;
	rc = cli_job_execute(ctx, &plan, res);
	if (rc == 0 && !ctx->json)
		print_summary(&plan, res);
	free(res);
	free(base);
	return rc;
}
