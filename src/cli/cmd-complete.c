/*
 * cmd-complete.c - `ispwiz complete WHAT [ARG]`, hidden: the words the
 * shell completion scripts (data/completion/) offer, one per line, so that
 * they need no JSON parsing and always match this binary and its catalog:
 *
 *   commands                  the commands --help lists
 *   options [CMD]             CMD's options (with the global ones); without
 *                             CMD, the wizard's and the global options
 *   programmers [--isp-firmware]   catalog programmer ids (only the boards
 *                             that run their own ISP firmware: prepare)
 *   parts                     part ids
 *   bootloaders [PART]        bootloader ids, those for PART when given
 *   families                  bootloader families
 *   presets BOOTLOADER        the bootloader's fuse presets
 *   xopts PROGRAMMER          the programmer's -x options, and help
 *   ports                     what -P takes for the devices plugged in now
 *   keyboards [PREFIX]        QMK keyboard names in the local checkout that
 *                             start with PREFIX, one folder at a time
 *                             ("crkbd", "crkbd/"; core/qmk-names.c)
 *
 * Nothing is printed on stderr for a word that matches nothing (a half-typed
 * part, an unknown command): completion just offers nothing.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "core/qmk.h"
#include "detect/detect.h"
#include "job/job.h"

static int complete_main(struct session *ctx, int argc, char **argv);

const struct cli_command cmd_complete = {
	.name = "complete",
	.usage = "complete commands|options [CMD]|programmers [--isp-firmware]|parts|"
		 "bootloaders [PART]|families|presets BOOTLOADER|xopts PROGRAMMER|ports|"
		 "keyboards [PREFIX]",
	.summary = "words for the shell completion scripts, one per line",
	.run = complete_main,
};

/*
 * Each command's options, as its option table (src/cli/cmd-*.c and the
 * shared tables in cli-job.h, cli-upload.h) spells them.  tests/completion.sh
 * reads those tables and checks this list against them both ways.
 */
#define JOB_WORDS "-c --programmer -P --port -p --part -b --baud -x --json " \
	"--sim-state --sim-fault"
#define IMAGE_WORDS "-f --file --bootloader --preset --lfuse --hfuse --efuse -y --yes " \
	"--unsafe-fuses --keyboard"
#define UPLOAD_WORDS "-P --port --via --wait -f --file --json"
/* Every command takes these after its name (session.c, cli.c). */
#define GLOBAL_WORDS "--json --catalog -v --verbose -h --help"
/* With no command: the wizard (tui-main.c) and ispwiz itself. */
#define TOP_WORDS "--demo --demo-slow --demo-fault --no-color --log --wait-usb " \
	"--catalog --json -v --verbose -h --help -V --version"

static const struct {
	const char *command;
	const char *words;
} command_options[] = {
	{ "flash", JOB_WORDS " " IMAGE_WORDS " --no-backup --dry-run" },
	{ "read", JOB_WORDS " -o --output --identify" },
	{ "station", JOB_WORDS " " IMAGE_WORDS " --count --log --backup --no-backup --dry-run "
	  "--all --plain --summary" },
	{ "restore", JOB_WORDS " -y --yes --unsafe-fuses --no-backup --dry-run" },
	{ "upload", UPLOAD_WORDS " -p --part --keyboard" },
	{ "prepare", UPLOAD_WORDS " -y --yes" },
	{ "identify", "-p --part --json --keyboard" },
	{ "fetch", "-o --output --json --timeout" },
	{ "list", "-p --part -f --family" },
	{ "merge", "-o --output -p --part --json -h --help" },
	{ "fuses", "-p --part --lfuse --hfuse --efuse --from --to" },
	{ "detect", "-w --watch --json" },
	{ "doctor", "--json" },
};

/* Print the space-separated words of `list` not printed yet (`done` holds
 * them, space-separated, with a space at each end). */
static void
print_words(const char *list, char *done, size_t size)
{
	const char *p = list;

	while (*p != '\0') {
		size_t len = strcspn(p, " ");
		char word[64], key[68];

		if (len > 0 && len < sizeof word) {
			snprintf(word, sizeof word, "%.*s", (int)len, p);
			snprintf(key, sizeof key, " %s ", word);
			if (strstr(done, key) == NULL) {
				printf("%s\n", word);
				if (strlen(done) + strlen(word) + 2 < size)
					strcat(strcat(done, word), " ");
			}
		}
		p += len;
		p += strspn(p, " ");
	}
}

static int
print_options(const char *command)
{
	char done[1024] = " ";

	if (command == NULL) {
		print_words(TOP_WORDS, done, sizeof done);
		return 0;
	}
	for (size_t i = 0; i < sizeof command_options / sizeof command_options[0]; i++)
		if (strcmp(command_options[i].command, command) == 0) {
			print_words(command_options[i].words, done, sizeof done);
			print_words(GLOBAL_WORDS, done, sizeof done);
			return 0;
		}
	return 0;
}

/* "reset=cs|aux  what it does" -> reset=cs, reset=aux; "pullups  ..." -> pullups. */
static void
print_driver_option(const char *help)
{
	size_t spec = strcspn(help, " ");
	const char *eq = memchr(help, '=', spec);
	const char *p;

	if (eq == NULL) {
		printf("%.*s\n", (int)spec, help);
		return;
	}
	for (p = eq + 1; p < help + spec;) {
		size_t len = strcspn(p, "| ");

		printf("%.*s=%.*s\n", (int)(eq - help), help, (int)len, p);
		p += len + 1;
	}
}

static bool
has_serial_port(const struct detect_device *d)
{
	return d->port != NULL;
}

static bool
is_usb_programmer(const struct detect_device *d)
{
	for (size_t i = 0; i < d->n_candidates; i++) {
		const struct catalog_programmer *p = d->candidates[i].programmer;

		if (p != NULL && p->transport == CATALOG_TRANSPORT_USB)
			return true;
	}
	return false;
}

/* What -P takes: serial ports, and usb:BUS-PATH for USB programmers. */
static int
print_ports(const struct catalog *cat)
{
	struct detect_list list;
	struct iw_error err;
	bool usb = false;

	detect_list_init(&list);
	iw_error_clear(&err);
	if (detect_enumerate(cat, NULL, &list, &err) != IW_OK) {
		detect_list_free(&list);
		return 0;   /* nothing to offer; completion must not complain */
	}
	for (size_t i = 0; i < list.n; i++) {
		const struct detect_device *d = &list.items[i];

		if (!detect_device_is_listed(d, false))
			continue;
		if (has_serial_port(d)) {
			printf("%s\n", d->port);
		} else if (is_usb_programmer(d) && d->bus_path != NULL) {
			printf("usb:%s\n", d->bus_path);
			usb = true;
		}
	}
	if (usb)
		printf("usb\n");
	detect_list_free(&list);
	return 0;
}

static int
print_catalog_words(struct session *ctx, const char *what, const char *arg)
{
	const struct catalog *cat;
	struct iw_error err;

	iw_error_clear(&err);
	if ((cat = session_catalog(ctx, &err)) == NULL)
		return iw_status_exit_code(err.code);
	if (strcmp(what, "programmers") == 0) {
		bool firmware = arg != NULL && strcmp(arg, "--isp-firmware") == 0;

		for (size_t i = 0; i < cat->n_programmers; i++)
			if (!firmware || cat->programmers[i].firmware != NULL)
				printf("%s\n", cat->programmers[i].id);
	} else if (strcmp(what, "parts") == 0) {
		for (size_t i = 0; i < cat->n_parts; i++)
			printf("%s\n", cat->parts[i].id);
	} else if (strcmp(what, "bootloaders") == 0) {
		const struct catalog_part *part = arg != NULL ? catalog_find_part(cat, arg) : NULL;

		for (size_t i = 0; i < cat->n_bootloaders; i++)
			if (part == NULL || strcmp(cat->bootloaders[i].part, part->id) == 0)
				printf("%s\n", cat->bootloaders[i].id);
	} else if (strcmp(what, "families") == 0) {
		for (size_t i = 0; i < cat->n_bootloaders; i++) {
			bool dup = false;

			for (size_t k = 0; k < i && !dup; k++)
				dup = strcmp(cat->bootloaders[k].family, cat->bootloaders[i].family) == 0;
			if (!dup)
				printf("%s\n", cat->bootloaders[i].family);
		}
	} else if (strcmp(what, "presets") == 0) {
		const struct catalog_bootloader *bl = arg != NULL ?
			catalog_find_bootloader(cat, arg) : NULL;

		for (size_t i = 0; bl != NULL && i < bl->n_presets; i++)
			printf("%s\n", bl->presets[i].name);
	} else if (strcmp(what, "xopts") == 0) {
		const struct catalog_programmer *pg = arg != NULL ?
			catalog_find_programmer(cat, arg) : NULL;
		const char *const *help = job_programmer_options(pg);

		printf("help\n");
		for (const char *const *h = help; h != NULL && *h != NULL; h++)
			print_driver_option(*h);
	} else {
		return print_ports(cat);
	}
	return 0;
}

static void
print_name(const char *name, void *user)
{
	(void)user;
	printf("%s\n", name);
}

static int
complete_main(struct session *ctx, int argc, char **argv)
{
	static const char *const catalog_words[] = {
		"programmers", "parts", "bootloaders", "families", "presets", "xopts", "ports",
	};
	const char *what = argc > 1 ? argv[1] : NULL;
	const char *arg = argc > 2 ? argv[2] : NULL;
	int rc = 0;

	if (what == NULL || argc > 3)
		return cli_usage_error(ctx, &cmd_complete, "complete takes what to list "
				       "and at most one argument");
	if (strcmp(what, "commands") == 0) {
		for (size_t i = 0; cli_command_at(i) != NULL; i++)
			printf("%s\n", cli_command_at(i)->name);
	} else if (strcmp(what, "options") == 0) {
		rc = print_options(arg);
	} else if (strcmp(what, "keyboards") == 0) {
		/* No checkout: nothing to offer, and no complaint. */
		qmk_complete(arg != NULL ? arg : "", print_name, NULL);
	} else {
		size_t i;

		for (i = 0; i < sizeof catalog_words / sizeof catalog_words[0]; i++)
			if (strcmp(what, catalog_words[i]) == 0)
				break;
		if (i == sizeof catalog_words / sizeof catalog_words[0])
			return cli_usage_error(ctx, &cmd_complete, "cannot complete '%s'", what);
		rc = print_catalog_words(ctx, what, arg);
	}
	if (fflush(stdout) != 0 && rc == 0)
		rc = iw_status_exit_code(IW_IO);
	return rc;
}
