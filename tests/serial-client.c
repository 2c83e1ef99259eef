/*
 * serial-client - a test-only front end that runs one job (src/core/job.h)
 * through a serial programmer driver, so the avrisp and buspirate drivers
 * can be driven through ispwiz-emu without the CLI:
 *
 *   serial-client --driver avrisp|buspirate --port PORT --part PART
 *                 [--baud N] [--image FILE.hex] [--bootloader]
 *                 [--lfuse X] [--hfuse X] [--efuse X] [--lock X]
 *                 [-x OPT]... [--catalog FILE] [--read-to PREFIX]
 *
 * -x passes a programmer option (reset=aux, pullups, ...) to the driver.
 * It prints "status: NAME", the error message if any, and a one-line
 * summary; exits with the status's exit code (src/core/error.h).  Backups
 * are off: the job under test should not write into the user's data dir.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/error.h"
#include "core/hex-image.h"
#include "job/job.h"
#include "prog/prog.h"

extern const struct prog_driver prog_avrisp_driver;
extern const struct prog_driver prog_buspirate_driver;

#define MAX_OPTS 8

static unsigned long
hex_arg(const char *opt, const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (end == s || *end || v > 0xFF) {
		fprintf(stderr, "serial-client: %s: '%s' is not a byte\n", opt, s);
		exit(2);
	}
	return v;
}

static bool
print_event(void *user, const struct job_event *ev)
{
	(void)user;
	if (ev->kind == JOB_EVENT_INFO || ev->kind == JOB_EVENT_WARNING)
		fprintf(stderr, "%s: %s\n", job_event_kind_name(ev->kind), ev->message);
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "driver", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'P' },
		{ "part", required_argument, NULL, 'p' },
		{ "baud", required_argument, NULL, 'b' },
		{ "image", required_argument, NULL, 'i' },
		{ "bootloader", no_argument, NULL, 'B' },
		{ "lfuse", required_argument, NULL, 'L' },
		{ "hfuse", required_argument, NULL, 'H' },
		{ "efuse", required_argument, NULL, 'E' },
		{ "lock", required_argument, NULL, 'K' },
		{ "catalog", required_argument, NULL, 'c' },
		{ "read-to", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *driver = NULL, *port = NULL, *part_id = NULL, *image_path = NULL;
	const char *catalog_path = NULL, *read_to = NULL;
	const char *opts[MAX_OPTS];
	size_t n_opts = 0;
	unsigned baud = 0;
	int fuse[FUSE_COUNT] = { -1, -1, -1 }, lock = -1;
	bool bootloader = false;
	struct catalog cat;
	struct iw_error err;
	struct hex_image *img = NULL;
	struct job_plan plan;
	struct job_result res;
	struct prog_options popt;
	struct prog prog;
	const struct prog_driver *d;
	const struct catalog_part *part;
	const struct catalog_programmer *entry = NULL;
	enum iw_status st;
	int c;

	while ((c = getopt_long(argc, argv, "x:", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': driver = optarg; break;
		case 'P': port = optarg; break;
		case 'p': part_id = optarg; break;
		case 'b': baud = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': image_path = optarg; break;
		case 'B': bootloader = true; break;
		case 'L': fuse[FUSE_LOW] = (int)hex_arg("--lfuse", optarg); break;
		case 'H': fuse[FUSE_HIGH] = (int)hex_arg("--hfuse", optarg); break;
		case 'E': fuse[FUSE_EXT] = (int)hex_arg("--efuse", optarg); break;
		case 'K': lock = (int)hex_arg("--lock", optarg); break;
		case 'x':
			if (n_opts < MAX_OPTS)
				opts[n_opts++] = optarg;
			break;
		case 'c': catalog_path = optarg; break;
		case 'r': read_to = optarg; break;
		default:
			return 2;
		}
	}
	if (!driver || !port || !part_id) {
		fprintf(stderr, "serial-client: --driver, --port and --part are required\n");
		return 2;
	}
	d = strcmp(driver, "avrisp") == 0 ? &prog_avrisp_driver
		: strcmp(driver, "buspirate") == 0 ? &prog_buspirate_driver : NULL;
	if (!d) {
		fprintf(stderr, "serial-client: --driver avrisp or buspirate\n");
		return 2;
	}
	catalog_init(&cat);
	if (catalog_load_default(&cat, catalog_path, &err) != IW_OK) {
		fprintf(stderr, "serial-client: %s\n", err.msg);
		return 3;
	}
	part = catalog_find_part(&cat, part_id);
	if (!part) {
		fprintf(stderr, "serial-client: no part '%s'\n", part_id);
		catalog_free(&cat);
		return 2;
	}
	for (size_t i = 0; i < cat.n_programmers; i++)
		if (strcmp(cat.programmers[i].driver, driver) == 0) {
			entry = &cat.programmers[i];
			break;
		}
	if (image_path) {
		img = hex_image_new();
		if (!img || hex_image_read_file(img, image_path, &err) != IW_OK) {
			fprintf(stderr, "serial-client: %s\n", img ? err.msg : "out of memory");
			hex_image_free(img);
			catalog_free(&cat);
			return 3;
		}
	}

	memset(&popt, 0, sizeof(popt));
	popt.port = port;
	popt.baud = baud;
	popt.entry = entry;
	popt.part = part;
	popt.driver_opts = opts;
	popt.n_driver_opts = n_opts;
	popt.catalog = &cat;
	memset(&res, 0, sizeof(res));
	st = prog_open(&prog, d, &popt, &err);
	if (st != IW_OK) {
		printf("status: %s\n%s\n", iw_status_name(st), err.msg);
		hex_image_free(img);
		catalog_free(&cat);
		return iw_status_exit_code(st);
	}

	job_plan_init(&plan);
	plan.catalog = &cat;
	plan.programmer = entry;
	plan.port = port;
	plan.baud = baud;
	plan.driver_opts = opts;
	plan.n_driver_opts = n_opts;
	plan.part = part;
	plan.image = img;
	plan.image_path = image_path;
	plan.image_is_bootloader = bootloader;
	for (int b = 0; b < FUSE_COUNT; b++)
		if (fuse[b] >= 0)
			fuse_set_put(&plan.fuses, (enum fuse_byte)b, (uint8_t)fuse[b]);
	if (lock >= 0) {
		plan.has_lock = true;
		plan.lock = (uint8_t)lock;
	}
	plan.backup = false;
	plan.read_to = read_to;
	plan.yes = true;
	plan.prog = &prog;

	st = job_run(&plan, print_event, NULL, &res);
	{
		struct iw_error cerr;

		prog_close(&prog, &cerr);
	}
	printf("status: %s\n", iw_status_name(st));
	if (st != IW_OK)
		printf("%s\n", res.error.msg);
	printf("phase %s, sck %u Hz, %u pages written, %u verified, %.3f s\n",
	       job_phase_name(res.phase), res.sck_hz, res.pages_written,
	       res.pages_verified, res.seconds);
	hex_image_free(img);
	catalog_free(&cat);
	return iw_status_exit_code(st);
}
