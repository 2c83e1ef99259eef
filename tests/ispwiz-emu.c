/*
 * ispwiz-emu - run a command against an emulated serial programmer.
 *
 *   ispwiz-emu (--programmer avrisp|buspirate|usbtiny|usbasp |
 *               --bootloader bootloadhid|usbasploader) --part PART [--fuses L,H,E]
 *              [--lock L] [--preload FILE.hex] [--pace BAUD] [--fault KNOB]...
 *              [--uart-baud N] [--auto-reset] [--reset-pin cs|aux] [--self-powered]
 *              [--programmer-id ID] [--catalog FILE] [--trace FILE]
 *              --dump PREFIX -- COMMAND ARGS...
 *
 * It builds a umockdev testbed holding a USB serial device with the
 * programmer's USB identity (from the catalog) whose tty node is a pty that
 * this process serves with the emulator (src/sim/emu.h), runs COMMAND in it
 * with every "{port}" replaced by the node, and when COMMAND has finished
 * writes the target's final state to PREFIX.hex and PREFIX.json.  It exits
 * with COMMAND's status (128+N for a signal), or 2 for its own usage
 * errors, 1 for its own failures.
 *
 * libserialport cannot open a bare pty (no modem lines), so the command
 * runs with tests/serial-shim.so in LD_PRELOAD before libumockdev-preload;
 * the shim answers the modem-line ioctls and reports DTR/RTS changes here.
 * This program re-executes itself under the same LD_PRELOAD first, because
 * umockdev's testbed must be built from inside the mock environment.
 *
 * With --programmer usbtiny or usbasp the testbed holds an emulated USB
 * programmer instead (tests/emu-usb-serve.c), whose usbfs node umockdev's
 * ioctl emulation serves to libusb; {port} becomes "usb".  The same goes
 * for --bootloader atmel-dfu (the chip in Atmel's DFU bootloader, which can
 * also appear late: --appear-after-ms), --bootloader halfkay (a Teensy 2.0
 * in its HalfKay bootloader) and
 * --bootloader bootloadhid|usbasploader (V-USB bootloaders on the target
 * chip itself); PREFIX.usb.json tells what the USB device saw.
 *
 * With --bootloader caterina there is no programmer: the chip's own
 * bootloader (src/sim/emu-caterina.c) is on USB, with the USB ID of a
 * catalog Caterina entry (--bootloader-id), and the board around it comes
 * and goes on USB as it would (tests/emu-board.c): with --sketch it starts
 * as the running sketch (the entry's sketch ID), whose 1200-baud touch
 * makes it leave and the bootloader appear at a new tty; --appear-after-ms
 * brings the bootloader only later, as a person resetting it by hand; after
 * 'E' it leaves and the application appears (--then-id VID:PID, e.g. the
 * ISP programmer the board has become; else the sketch again with
 * --sketch).  {port} is the bootloader's tty (the one it will get when it
 * is not there yet), {sketch} the sketch's; --extra-bootloader ID plugs in
 * a second Caterina board ({port2}).  busy and eacces act on {port}.
 *
 * Test tool only: built by `make check`, never installed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <umockdev.h>

#include "core/catalog.h"
#include "core/error.h"
#include "core/fuses.h"
#include "sim/emu.h"
#include "sim/sim-target.h"
#include "emu-lanes.h"
#include "emu-runner.h"
#include "emu-usb-serve.h"

#define EMU_MAX_FAULTS 16
#define PRELOAD_LIB "libumockdev-preload.so.0"

struct emu_args {
	enum emu_kind kind;
	const char *part;
	const char *programmer_id;
	const char *catalog;
	const char *preload;
	const char *dump;
	const char *trace;
	const char *fuses;
	int lock;                    /* -1: factory */
	unsigned pace;               /* 0: as fast as the pty goes */
	unsigned uart_baud;
	bool auto_reset;
	bool reset_on_aux;
	bool self_powered;
	const char *faults[EMU_MAX_FAULTS];
	size_t n_faults;
	char **command;
	bool usb;                    /* usbtiny or usbasp */
	struct emurun_usb_args usb_args;
	/* --bootloader caterina */
	bool caterina;
	struct emurun_caterina_args cat_args;
	bool sketch;
	unsigned window_ms;
	unsigned appear_after_ms;
	/* Several programmers (emu-lanes.h). */
	bool lanes;
	const char *progs[EMU_LANES_MAX];
	size_t n_progs;
	struct emu_lanes_args lanes_args;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: ispwiz-emu (--programmer avrisp|buspirate|usbtiny|usbasp |\n"
		"                   --bootloader bootloadhid|usbasploader) --part PART\n"
		"         [--fuses L,H,E] [--lock L] [--preload FILE.hex] [--pace BAUD]\n"
		"         [--fault KNOB[=N]]... [--uart-baud N] [--auto-reset]\n"
		"         [--reset-pin cs|aux] [--self-powered] [--programmer-id ID]\n"
		"         [--catalog FILE]\n"
		"         [--trace FILE] --dump PREFIX -- COMMAND ARGS...\n"
		"       ispwiz-emu (--programmer avrisp|buspirate)... | --count N --programmer KIND)\n"
		"         --part PART [--jig BOARDS] [--jig-off-ms MS] [--unplug N:PAGES]\n"
		"         [--plug-after N:BOARDS] [--fault [N:]KNOB]... [--pace BAUD]\n"
		"         --dump PREFIX -- COMMAND ARGS...   ({port1}, {port2}, ...)\n"
		"       ispwiz-emu --bootloader caterina --part PART [--bootloader-id ID]\n"
		"         [--sketch] [--window-ms MS] [--appear-after-ms MS] [--then-id VID:PID]\n"
		"         [--extra-bootloader ID] [--preload FILE.hex] [--pace BAUD]\n"
		"         [--fault KNOB[=N]]... [--trace FILE] --dump PREFIX -- COMMAND ARGS...\n"
		"       ispwiz-emu --bootloader halfkay --part atmega32u4 [--erase-ms N]\n"
		"         [--appear-after-ms N] [--then-id VID:PID] [--latency-us N]\n"
		"         [--fault KNOB[=N]]... --dump PREFIX -- COMMAND ARGS...\n"
		"       ispwiz-emu --bootloader atmel-dfu --part PART [--fuses L,H,E]\n"
		"         [--preload FILE.hex] [--erase-ms N | --instant-chip] [--appear-after-ms N]\n"
		"         [--latency-us N] [--fault KNOB[=N]]... --dump PREFIX -- COMMAND ARGS...\n"
		"       ispwiz-emu --bootloader bootloadhid|usbasploader --part PART\n"
		"         [--fuses L,H,E] [--preload FILE.hex] [--fault KNOB[=N]]...\n"
		"         --dump PREFIX -- COMMAND ARGS...\n"
		"Runs COMMAND with {port} replaced by an emulated programmer's tty (\"usb\"\n"
		"for a USB one)\n"
		"(or the bootloader's; {sketch} and {port2} with --bootloader caterina).\n"
		"Programmer knobs:\n");
	for (int k = 0; k < EMU_FAULT_COUNT; k++)
		fprintf(out, "  %-12s %s\n", emu_fault_name(k), emu_fault_help(k));
	fprintf(out, "  %-12s %s\n", "eacces", "opening the port fails: permission denied");
	fprintf(out, "  %-12s %s\n", "busy", "opening the port fails: held by another process");
	emurun_usb_usage(out);
	fprintf(out, "Target knobs:\n");
	for (int k = 0; k < SIM_FAULT_COUNT; k++)
		fprintf(out, "  %-12s %s\n", sim_target_fault_name(k), sim_target_fault_help(k));
}

static unsigned long
parse_ulong(const char *opt, const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max) {
		fprintf(stderr, "ispwiz-emu: %s: '%s' is not a number up to %lu\n",
			opt, s, max);
		exit(2);
	}
	return v;
}

static void
parse_args(int argc, char **argv, struct emu_args *a)
{
	enum { O_PART = 256, O_PROG_ID, O_CATALOG, O_PRELOAD, O_DUMP, O_TRACE,
	       O_FUSES, O_LOCK, O_PACE, O_FAULT, O_UART, O_AUTORESET, O_RESETPIN,
	       O_PROG, O_HELP, O_LATENCY, O_OLDFW, O_3MHZ, O_JUMPER, O_UPRODUCT,
	       O_USERIAL, O_UEXTRA, O_SELFPOWER, O_BOOT, O_BOOT_ID, O_EXTRA_BOOT,
	       O_THEN_ID, O_SKETCH, O_WINDOW, O_APPEAR, O_ERASE, O_INSTANT,
	       O_COUNT, O_JIG, O_JIG_OFF, O_UNPLUG, O_PLUG_AFTER };
	static const struct option longopts[] = {
		{ "programmer", required_argument, NULL, O_PROG },
		{ "part", required_argument, NULL, O_PART },
		{ "programmer-id", required_argument, NULL, O_PROG_ID },
		{ "catalog", required_argument, NULL, O_CATALOG },
		{ "preload", required_argument, NULL, O_PRELOAD },
		{ "dump", required_argument, NULL, O_DUMP },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "fuses", required_argument, NULL, O_FUSES },
		{ "lock", required_argument, NULL, O_LOCK },
		{ "pace", required_argument, NULL, O_PACE },
		{ "fault", required_argument, NULL, O_FAULT },
		{ "uart-baud", required_argument, NULL, O_UART },
		{ "auto-reset", no_argument, NULL, O_AUTORESET },
		{ "reset-pin", required_argument, NULL, O_RESETPIN },
		{ "self-powered", no_argument, NULL, O_SELFPOWER },
		{ "help", no_argument, NULL, O_HELP },
		{ "latency-us", required_argument, NULL, O_LATENCY },
		{ "old-firmware", no_argument, NULL, O_OLDFW },
		{ "3mhz", no_argument, NULL, O_3MHZ },
		{ "jumper", no_argument, NULL, O_JUMPER },
		{ "usb-product", required_argument, NULL, O_UPRODUCT },
		{ "usb-serial", required_argument, NULL, O_USERIAL },
		{ "usb-extra", required_argument, NULL, O_UEXTRA },
		{ "bootloader", required_argument, NULL, O_BOOT },
		{ "bootloader-id", required_argument, NULL, O_BOOT_ID },
		{ "extra-bootloader", required_argument, NULL, O_EXTRA_BOOT },
		{ "then-id", required_argument, NULL, O_THEN_ID },
		{ "sketch", no_argument, NULL, O_SKETCH },
		{ "window-ms", required_argument, NULL, O_WINDOW },
		{ "appear-after-ms", required_argument, NULL, O_APPEAR },
		{ "erase-ms", required_argument, NULL, O_ERASE },
		{ "instant-chip", no_argument, NULL, O_INSTANT },
		{ "count", required_argument, NULL, O_COUNT },
		{ "jig", required_argument, NULL, O_JIG },
		{ "jig-off-ms", required_argument, NULL, O_JIG_OFF },
		{ "unplug", required_argument, NULL, O_UNPLUG },
		{ "plug-after", required_argument, NULL, O_PLUG_AFTER },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = NULL, *boot = NULL;
	int c;

	memset(a, 0, sizeof(*a));
	a->lock = -1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case O_PROG:
			prog = optarg;
			if (a->n_progs == EMU_LANES_MAX) {
				fprintf(stderr, "ispwiz-emu: at most %d programmers\n", EMU_LANES_MAX);
				exit(2);
			}
			a->progs[a->n_progs++] = optarg;
			break;
		case O_COUNT:
			a->lanes_args.n = parse_ulong("--count", optarg, EMU_LANES_MAX);
			a->lanes = true;
			break;
		case O_JIG:
			a->lanes_args.jig_boards = (unsigned)parse_ulong("--jig", optarg, 256);
			a->lanes = true;
			break;
		case O_JIG_OFF:
			a->lanes_args.jig_off_ms = (unsigned)parse_ulong("--jig-off-ms", optarg, 60000);
			break;
		case O_UNPLUG:
		case O_PLUG_AFTER: {
			unsigned n, v;
			char extra;

			if (sscanf(optarg, "%u:%u%c", &n, &v, &extra) != 2 || n < 1 ||
			    n > EMU_LANES_MAX) {
				fprintf(stderr, "ispwiz-emu: --%s: write N:%s (N a programmer, "
					"1 to %d), not '%s'\n", c == O_UNPLUG ? "unplug" :
					"plug-after", c == O_UNPLUG ? "PAGES" : "BOARDS",
					EMU_LANES_MAX, optarg);
				exit(2);
			}
			if (c == O_UNPLUG) {
				a->lanes_args.unplug_lane = n;
				a->lanes_args.unplug_pages = v;
			} else {
				a->lanes_args.plug_after_lane = n;
				a->lanes_args.plug_after_boards = v;
			}
			a->lanes = true;
			break;
		}
		case O_PART: a->part = optarg; break;
		case O_PROG_ID: a->programmer_id = optarg; break;
		case O_CATALOG: a->catalog = optarg; break;
		case O_PRELOAD: a->preload = optarg; break;
		case O_DUMP: a->dump = a->usb_args.dump = optarg; break;
		case O_TRACE: a->trace = optarg; break;
		case O_FUSES: a->fuses = optarg; break;
		case O_LOCK: a->lock = (int)parse_ulong("--lock", optarg, 0xFF); break;
		case O_PACE: a->pace = (unsigned)parse_ulong("--pace", optarg, 4000000); break;
		case O_UART: a->uart_baud = (unsigned)parse_ulong("--uart-baud", optarg, 4000000); break;
		case O_AUTORESET: a->auto_reset = true; break;
		case O_RESETPIN:
			if (strcmp(optarg, "aux") == 0)
				a->reset_on_aux = true;
			else if (strcmp(optarg, "cs") != 0) {
				fprintf(stderr, "ispwiz-emu: --reset-pin: say cs or aux, not '%s'\n", optarg);
				exit(2);
			}
			break;
		case O_SELFPOWER: a->self_powered = true; break;
		case O_FAULT:
			if (a->n_faults == EMU_MAX_FAULTS) {
				fprintf(stderr, "ispwiz-emu: at most %d --fault options\n", EMU_MAX_FAULTS);
				exit(2);
			}
			a->faults[a->n_faults++] = optarg;
			break;
		case O_LATENCY:
			a->usb_args.latency_us = (uint32_t)parse_ulong("--latency-us", optarg, 1000000);
			break;
		case O_OLDFW: a->usb_args.old_firmware = true; break;
		case O_3MHZ: a->usb_args.cap_3mhz = true; break;
		case O_JUMPER: a->usb_args.slow_jumper = true; break;
		case O_UPRODUCT: a->usb_args.product = optarg; break;
		case O_USERIAL: a->usb_args.serial = optarg; break;
		case O_UEXTRA: a->usb_args.extra = (unsigned)parse_ulong("--usb-extra", optarg, 4); break;
		case O_BOOT: boot = optarg; break;
		case O_BOOT_ID: a->cat_args.bootloader_id = optarg; break;
		case O_EXTRA_BOOT: a->cat_args.extra_bootloader = optarg; break;
		case O_SKETCH: a->sketch = a->cat_args.sketch = true; break;
		case O_WINDOW:
			a->window_ms = (unsigned)parse_ulong("--window-ms", optarg, 600000);
			break;
		case O_APPEAR:
			a->appear_after_ms = (unsigned)parse_ulong("--appear-after-ms", optarg, 600000);
			a->usb_args.appear_after_ms = a->appear_after_ms;
			break;
		case O_INSTANT: a->usb_args.instant_chip = true; break;
		case O_ERASE:
			a->usb_args.erase_ms = (uint32_t)parse_ulong("--erase-ms", optarg, 600000);
			break;
		case O_THEN_ID: {
			unsigned vid, pid;
			char extra;

			if (sscanf(optarg, "%x:%x%c", &vid, &pid, &extra) != 2 || vid > 0xFFFF ||
			    pid > 0xFFFF) {
				fprintf(stderr, "ispwiz-emu: --then-id: write VID:PID in hex, not '%s'\n",
					optarg);
				exit(2);
			}
			a->cat_args.then_id = optarg;
			a->usb_args.then = true;
			a->usb_args.then_id.vid = (uint16_t)vid;
			a->usb_args.then_id.pid = (uint16_t)pid;
			break;
		}
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if ((!prog && !boot) || !a->part || !a->dump || optind >= argc) {
		fprintf(stderr, "ispwiz-emu: --programmer (or --bootloader), --part, --dump and a command after -- are required\n");
		usage(stderr);
		exit(2);
	}
	if (boot && prog) {
		fprintf(stderr, "ispwiz-emu: --programmer or --bootloader, not both\n");
		exit(2);
	}
	a->command = argv + optind;
	if (a->n_progs > 1)
		a->lanes = true;
	if (a->lanes) {
		if (boot) {
			fprintf(stderr, "ispwiz-emu: several programmers: --programmer "
				"avrisp|buspirate, not --bootloader\n");
			exit(2);
		}
		return;
	}
	if (boot && strcmp(boot, "caterina") == 0) {
		a->caterina = true;
		a->kind = EMU_CATERINA;
		a->cat_args.part = a->part;
		return;
	}
	if (boot) {
		if (!emurun_usb_bootloader(boot, &a->usb_args)) {
			fprintf(stderr, "ispwiz-emu: --bootloader: '%s' is not emulated; say caterina, atmel-dfu, halfkay, bootloadhid or usbasploader\n", boot);
			exit(2);
		}
		a->usb = true;
	} else if (strcmp(prog, "avrisp") == 0)
		a->kind = EMU_AVRISP;
	else if (strcmp(prog, "buspirate") == 0)
		a->kind = EMU_BUSPIRATE;
	else if (emurun_usb_kind(prog, &a->usb_args.kind))
		a->usb = true;
	else {
		fprintf(stderr, "ispwiz-emu: --programmer: '%s' is not emulated; say avrisp, buspirate, usbtiny or usbasp\n", prog);
		exit(2);
	}
}

static int
parse_fuses(const char *s, struct sim_target_options *o)
{
	unsigned v[FUSE_COUNT];
	int n = sscanf(s, "%x,%x,%x", &v[0], &v[1], &v[2]);

	if (n < 2) {
		fprintf(stderr, "ispwiz-emu: --fuses: write L,H or L,H,E in hex, not '%s'\n", s);
		return -1;
	}
	o->has_fuses = true;
	o->fuses[FUSE_EXT] = 0xFF;
	for (int i = 0; i < n; i++)
		o->fuses[i] = (uint8_t)v[i];
	return 0;
}

/* --- the mock environment ---------------------------------------------------- */

/* Re-execute under LD_PRELOAD=shim:libumockdev-preload unless already
 * there.  The shim is looked for next to this program. */
static void
ensure_preload(char **argv)
{
	const char *cur = getenv("LD_PRELOAD");
	char self[PATH_MAX], shim[PATH_MAX + 32], *slash, *pre;
	ssize_t n;
	const char *env_shim = getenv("ISPWIZ_SERIAL_SHIM");

	if (getenv("ISPWIZ_EMU_PRELOADED"))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "ispwiz-emu: cannot find myself: %s\n", strerror(errno));
		exit(1);
	}
	self[n] = '\0';
	if (env_shim && *env_shim) {
		snprintf(shim, sizeof(shim), "%s", env_shim);
	} else {
		slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(shim, sizeof(shim), "%s/serial-shim.so", self);
	}
	if (access(shim, R_OK) != 0) {
		fprintf(stderr, "ispwiz-emu: the modem-line shim %s is missing "
			"(build it with `make check`, or set ISPWIZ_SERIAL_SHIM)\n", shim);
		exit(1);
	}
	if (asprintf(&pre, "%s:%s%s%s", shim, PRELOAD_LIB, cur && *cur ? ":" : "",
		     cur ? cur : "") < 0)
		exit(1);
	setenv("LD_PRELOAD", pre, 1);
	setenv("ISPWIZ_EMU_PRELOADED", "1", 1);
	/* Sanitizer builds: the preloaded libraries come before the ASan
	 * runtime, which is fine for this test tool and its commands. */
	{
		const char *asan = getenv("ASAN_OPTIONS");
		char *opts;

		if (!asan || !strstr(asan, "verify_asan_link_order")) {
			if (asprintf(&opts, "%s%sverify_asan_link_order=0", asan ? asan : "",
				     asan && *asan ? ":" : "") >= 0) {
				setenv("ASAN_OPTIONS", opts, 1);
				free(opts);
			}
		}
	}
	free(pre);
	execv("/proc/self/exe", argv);
	fprintf(stderr, "ispwiz-emu: cannot re-execute under umockdev: %s\n", strerror(errno));
	exit(1);
}

static struct usb_identity
identity_for(const struct catalog *cat, const struct emu_args *a)
{
	struct usb_identity u;
	const char *driver = a->kind == EMU_AVRISP ? "avrisp" : "buspirate";

	if (a->kind == EMU_AVRISP)
		u = (struct usb_identity){ { 0x16C0, 0x0483 }, "Teensyduino", "USB Serial", false };
	else
		u = (struct usb_identity){ { 0x0403, 0x6001 }, "FTDI", "FT232R USB UART", true };
	for (size_t i = 0; i < cat->n_programmers; i++) {
		const struct catalog_programmer *p = &cat->programmers[i];

		if (a->programmer_id ? strcmp(p->id, a->programmer_id) != 0
				     : strcmp(p->driver, driver) != 0)
			continue;
		if (p->n_usb_ids) {
			u.id = p->usb_ids[0];
			u.ftdi = u.id.vid == 0x0403;
			if (!u.ftdi) {
				u.manufacturer = p->id;
				u.product = p->name;
			}
			if (u.id.vid == 0x16C0) {
				u.manufacturer = "Teensyduino";
				u.product = "USB Serial";
			}
		}
		break;
	}
	return u;
}

/* "{port}" (and the other keys) in every argument become their nodes. */
struct subst {
	const char *key;             /* "{port}" */
	const char *value;
};

static char *
substitute_one(const char *arg, const struct subst *sub, size_t n_sub)
{
	size_t len = strlen(arg) + 1, n;
	char *out, *o;

	for (size_t k = 0; k < n_sub; k++) {
		n = 0;
		for (const char *at = strstr(arg, sub[k].key); at;
		     at = strstr(at + strlen(sub[k].key), sub[k].key))
			n++;
		len += n * strlen(sub[k].value);
	}
	out = malloc(len);
	if (!out)
		return NULL;
	o = out;
	while (*arg) {
		size_t k;

		for (k = 0; k < n_sub; k++)
			if (strncmp(arg, sub[k].key, strlen(sub[k].key)) == 0)
				break;
		if (k < n_sub) {
			strcpy(o, sub[k].value);
			o += strlen(sub[k].value);
			arg += strlen(sub[k].key);
		} else {
			*o++ = *arg++;
		}
	}
	*o = '\0';
	return out;
}

static char **
substitute_port(char **cmd, const struct subst *sub, size_t n_sub)
{
	size_t n = 0;
	char **out;

	while (cmd[n])
		n++;
	out = calloc(n + 1, sizeof(*out));
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		out[i] = substitute_one(cmd[i], sub, n_sub);
		if (!out[i])
			return NULL;
	}
	return out;
}

/* Several programmers: one per --programmer, or --count of the one kind. */
static int
run_lanes(struct emu_args *a, const struct catalog *cat, const struct catalog_part *part)
{
	struct emu_lanes_args *la = &a->lanes_args;
	size_t n = la->n > 0 ? la->n : a->n_progs;

	if (n == 0 || (la->n > 0 && a->n_progs > 1)) {
		fprintf(stderr, "ispwiz-emu: say --count N with one --programmer, or give "
			"--programmer once per programmer\n");
		return 2;
	}
	la->n = n;
	la->n_max = n + (la->plug_after_lane != 0 ? 1 : 0);
	if (la->n_max > EMU_LANES_MAX || la->plug_after_lane > n || la->unplug_lane > n) {
		fprintf(stderr, "ispwiz-emu: --unplug and --plug-after name one of the %zu "
			"programmers; at most %d in all\n", n, EMU_LANES_MAX);
		return 2;
	}
	for (size_t k = 0; k < la->n_max; k++) {
		const char *kind = a->progs[k < a->n_progs ? k : 0];

		if (strcmp(kind, "avrisp") == 0)
			a->kind = EMU_AVRISP;
		else if (strcmp(kind, "buspirate") == 0)
			a->kind = EMU_BUSPIRATE;
		else {
			fprintf(stderr, "ispwiz-emu: several programmers: avrisp or buspirate, "
				"not '%s'\n", kind);
			return 2;
		}
		la->kinds[k] = a->kind;
		la->idents[k] = identity_for(cat, a);
	}
	if (a->n_faults > EMU_LANES_MAX_FAULTS)
		return 2;
	memcpy(la->faults, a->faults, a->n_faults * sizeof *a->faults);
	la->n_faults = a->n_faults;
	if (la->jig_off_ms == 0)
		la->jig_off_ms = 1000;
	la->pace = a->pace;
	la->uart_baud = a->uart_baud;
	la->dump = a->dump;
	la->command = a->command;
	return emu_lanes_run(la, cat, part);
}

int
main(int argc, char **argv)
{
	struct emu_args a;
	struct catalog cat;
	struct iw_error err;
	const struct catalog_part *part;
	struct sim_target_options topts;
	struct sim_target *t = NULL;
	struct emu *e = NULL;
	struct emu_options eopts;
	struct usb_identity ident;
	UMockdevTestbed *tb = NULL;
	struct pump p;
	char node[64], sketch_node[64] = "", node2[64] = "", numbuf[16];
	struct emurun_boards boards;
	struct sim_target *t2 = NULL;
	struct emu *e2 = NULL;
	struct subst sub[3];
	char **cmd = NULL;
	int evpipe[2] = { -1, -1 };
	int open_errno = 0;
	int rc = 1;

	memset(&p, 0, sizeof(p));
	memset(&boards, 0, sizeof(boards));
	p.events = -1;
	parse_args(argc, argv, &a);
	ensure_preload(argv);

	catalog_init(&cat);
	if (catalog_load_default(&cat, a.catalog, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return 1;
	}
	part = catalog_find_part(&cat, a.part);
	if (!part) {
		fprintf(stderr, "ispwiz-emu: --part: no part '%s' in the catalog\n", a.part);
		rc = 2;
		goto out;
	}
	if (a.lanes) {
		rc = run_lanes(&a, &cat, part);
		goto out;
	}
	memset(&topts, 0, sizeof(topts));
	if (a.fuses && parse_fuses(a.fuses, &topts) != 0) {
		rc = 2;
		goto out;
	}
	if (a.lock >= 0) {
		topts.has_lock = true;
		topts.lock = (uint8_t)a.lock;
	}
	t = sim_target_new(part, &topts, &err);
	if (!t) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		goto out;
	}
	if (a.preload && emurun_preload_flash(t, a.preload) != 0)
		goto out;
	if (a.usb) {
		tb = umockdev_testbed_new();
		rc = emurun_usb(&a.usb_args, tb, &cat, t, a.faults, a.n_faults, a.command,
				&p.status);
		if (rc != 0)
			goto out;
		rc = 1;
		goto dump;
	}

	memset(&eopts, 0, sizeof(eopts));
	eopts.kind = a.kind;
	eopts.uart_baud = a.uart_baud;
	eopts.auto_reset = a.auto_reset;
	eopts.reset_on_aux = a.reset_on_aux;
	eopts.self_powered = a.self_powered;
	eopts.window_ms = a.window_ms;
	eopts.sketch = a.sketch;
	eopts.appear_after_ms = a.appear_after_ms;
	e = emu_new(&eopts, t, &err);
	if (!e) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		goto out;
	}
	for (size_t i = 0; i < a.n_faults; i++) {
		struct sim_fault f;
		enum iw_status st;

		if (strcmp(a.faults[i], "eacces") == 0) {
			open_errno = EACCES;
			continue;
		}
		if (strcmp(a.faults[i], "busy") == 0) {
			open_errno = EBUSY;
			continue;
		}
		st = emu_set_fault(e, a.faults[i], &err);
		if (st == IW_OK)
			continue;
		if (st != IW_NOT_FOUND) {
			fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
			rc = 2;
			goto out;
		}
		if (sim_target_fault_parse(a.faults[i], &f, &err) != IW_OK) {
			fprintf(stderr, "ispwiz-emu: --fault: %s\n", err.msg);
			rc = 2;
			goto out;
		}
		if (f.kind == SIM_FAULT_WRONG_PART) {
			f.part = catalog_find_part(&cat, f.part_id);
			if (!f.part) {
				fprintf(stderr, "ispwiz-emu: --fault wrong-part: no part '%s'\n", f.part_id);
				rc = 2;
				goto out;
			}
		}
		if (sim_target_set_fault(t, &f, &err) != IW_OK) {
			fprintf(stderr, "ispwiz-emu: --fault: %s\n", err.msg);
			rc = 2;
			goto out;
		}
	}

	if (a.trace) {
		p.trace = fopen(a.trace, "w");
		if (!p.trace)
			fprintf(stderr, "ispwiz-emu: --trace %s: %s\n", a.trace, strerror(errno));
	}
	p.t0 = iw_clock_ns();
	tb = umockdev_testbed_new();
	if (a.caterina) {
		int st = emurun_caterina_setup(&a.cat_args, &cat, e, &boards, &t2, &e2);

		if (st != 0) {
			rc = st;
			goto out;
		}
		boards.tb = tb;
		emurun_testbed_root_hub(tb);
		if (emurun_boards_tick(&p, &boards) != 0)
			goto out;
		p.tick = emurun_boards_tick;
		p.tick_ctx = &boards;
		/* {port}: the bootloader's tty, now or the next one to come */
		if (boards.b[0].plugged && boards.b[0].shown == EMU_USB_BOOTLOADER)
			snprintf(node, sizeof(node), "%s", boards.b[0].tty.node);
		else
			snprintf(node, sizeof(node), "/dev/ttyACM%u", boards.next_tty);
		if (boards.b[0].plugged && boards.b[0].shown == EMU_USB_SKETCH)
			snprintf(sketch_node, sizeof(sketch_node), "%s", boards.b[0].tty.node);
		if (boards.n > 1 && boards.b[1].plugged)
			snprintf(node2, sizeof(node2), "%s", boards.b[1].tty.node);
	} else {
		int master;

		ident = identity_for(&cat, &a);
		master = emurun_build_testbed(tb, &ident, node, sizeof(node));
		if (master < 0 || !emurun_pump_attach(&p, master, e, node))
			goto out;
	}
	if (pipe(evpipe) != 0) {
		fprintf(stderr, "ispwiz-emu: pipe: %s\n", strerror(errno));
		goto out;
	}
	fcntl(evpipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(evpipe[0], F_SETFL, O_NONBLOCK);
	p.events = evpipe[0];
	snprintf(numbuf, sizeof(numbuf), "%d", evpipe[1]);
	if (a.pace)
		p.step_ns = 10000000000ull / a.pace;

	sub[0] = (struct subst){ "{port}", node };
	sub[1] = (struct subst){ "{sketch}", sketch_node };
	sub[2] = (struct subst){ "{port2}", node2 };
	cmd = substitute_port(a.command, sub, 3);
	if (!cmd) {
		fprintf(stderr, "ispwiz-emu: out of memory\n");
		goto out;
	}
	fflush(NULL);
	p.child = fork();
	if (p.child < 0) {
		fprintf(stderr, "ispwiz-emu: fork: %s\n", strerror(errno));
		goto out;
	}
	if (p.child == 0) {
		/* the shim's settings are for the command only */
		unsetenv("ISPWIZ_EMU_PRELOADED");
		setenv("ISPWIZ_SHIM_EVENT_FD", numbuf, 1);
		setenv("ISPWIZ_SHIM_PORT", node, 1);
		if (open_errno) {
			char errno_text[16];

			snprintf(errno_text, sizeof(errno_text), "%d", open_errno);
			setenv("ISPWIZ_SHIM_OPEN_ERRNO", errno_text, 1);
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "ispwiz-emu: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(evpipe[1]);
	evpipe[1] = -1;
	if (emurun_pump(&p) != 0) {
		fprintf(stderr, "ispwiz-emu: the emulator failed: %s\n", strerror(errno));
		kill(p.child, SIGTERM);
		waitpid(p.child, &p.status, 0);
		goto out;
	}
dump:
	if (emurun_dump(t, e, a.dump) != 0)
		goto out;
	if (WIFEXITED(p.status))
		rc = WEXITSTATUS(p.status);
	else if (WIFSIGNALED(p.status))
		rc = 128 + WTERMSIG(p.status);
out:
	if (cmd) {
		for (size_t i = 0; cmd[i]; i++)
			free(cmd[i]);
		free(cmd);
	}
	if (tb && boards.n)
		emurun_boards_unplug(&p, &boards);
	if (p.trace)
		fclose(p.trace);
	emurun_pump_free(&p);
	if (evpipe[0] >= 0)
		close(evpipe[0]);
	if (evpipe[1] >= 0)
		close(evpipe[1]);
	if (tb)
		g_object_unref(tb);
	emu_free(e);
	emu_free(e2);
	sim_target_free(t);
	sim_target_free(t2);
	catalog_free(&cat);
	return rc;
}
