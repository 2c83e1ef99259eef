/* emu-usb-serve.c - ispwiz-emu's USB mode: the emulated USB programmer or
 * bootloader (src/sim/emu-usb.h) plugged into the testbed through
 * tests/usb-emu.c, and the command run against it. */
#include "emu-usb-serve.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "emu-runner.h"
#include "sim/emu-atmel-dfu.h"
#include "usb-emu.h"
#include "usb-emu-dfu.h"

#define USBRUN_MAX_EXTRA 4
#define USBRUN_BUS 1
#define USBRUN_PORT 2
/* From HalfKay's reboot report to the application on the bus. */
#define USBRUN_APP_ENUM_MS 300

bool
emurun_usb_kind(const char *name, enum emu_usb_kind *kind)
{
	if (strcmp(name, "usbtiny") == 0)
		*kind = EMU_USB_USBTINY;
	else if (strcmp(name, "usbasp") == 0)
		*kind = EMU_USB_USBASP;
	else
		return false;
	return true;
}

bool
emurun_usb_bootloader(const char *name, struct emurun_usb_args *u)
{
	u->usbasploader = false;
	u->dfu = false;
	if (strcmp(name, "atmel-dfu") == 0) {
		u->dfu = true;
	} else if (strcmp(name, "halfkay") == 0) {
		u->kind = EMU_USB_HALFKAY;
	} else if (strcmp(name, "bootloadhid") == 0) {
		u->kind = EMU_USB_BOOTLOADHID;
	} else if (strcmp(name, "usbasploader") == 0) {
		u->kind = EMU_USB_USBASP;
		u->usbasploader = true;
	} else {
		return false;
	}
	return true;
}

void
emurun_usb_usage(FILE *out)
{
	fprintf(out,
		"USB programmers (usbtiny, usbasp): {port} becomes \"usb\"; the first\n"
		"device is at bus path 1-2 ($ISPWIZ_EMU_USB_PATH), more at 1-3, 1-4...\n"
		"  --latency-us N     every control transfer takes N µs more (1000: low speed)\n"
		"  --old-firmware     USBasp before 1.3: no SETISPSCK, fixed 375 kHz\n"
		"  --3mhz             USBasp reports the 3 MHz SCK capability\n"
		"  --jumper           USBasp's slow-clock jumper JP3 is closed (8 kHz)\n"
		"  --usb-product STR  another product string (\"\" for none)\n"
		"  --usb-serial STR   a serial number string\n"
		"  --usb-extra N      N more devices with the same ID, each on a fresh chip\n"
		"                     (device N at 1-(N+1) dumped as PREFIX.N.hex, PREFIX.N.json)\n"
		"USB bootloaders (--bootloader halfkay: a Teensy 2.0, use --part atmega32u4):\n"
		"  --erase-ms N       the first write's erase takes N ms (default %u)\n"
		"  --appear-after-ms N  the device plugs in N ms after the start (the button)\n"
		"  --then-id VID:PID  after the reboot report a USB serial device with this ID\n"
		"                     and a tty (/dev/ttyACM0) appears: the loaded firmware\n"
		"USB bootloaders (--bootloader bootloadhid|usbasploader): the chip writes\n"
		"itself; its own section is where its high fuse (--fuses) puts it, and a\n"
		"bootloader that starts the application leaves the bus.\n"
		"PREFIX.usb.json says what the device saw.\n"
		"USB device knobs:\n", EMU_HALFKAY_ERASE_US_DEFAULT / 1000u);
	for (int k = 0; k < EMU_USB_FAULT_COUNT; k++)
		fprintf(out, "  %-12s %s\n", emu_usb_fault_name(k), emu_usb_fault_help(k));
	fprintf(out, "  %-12s %s\n", "eacces", "opening the usbfs node fails: permission denied");
	fprintf(out,
		"USB bootloaders (atmel-dfu): {port} becomes \"usb\", the device is at 1-2\n"
		"  --erase-ms N       the chip erase takes N ms (0: 4 ms a page, as the chip)\n"
		"  --instant-chip     the chip erase and page writes take no time\n"
		"  --appear-after-ms N  the bootloader is plugged in N ms after the command starts\n"
		"  --latency-us N     every control transfer takes N us more (1000: one a frame)\n"
		"Atmel DFU knobs:\n");
	for (int k = 0; k < EMU_DFU_FAULT_COUNT; k++)
		fprintf(out, "  %-12s %s\n", emu_dfu_fault_name(k), emu_dfu_fault_help(k));
	fprintf(out, "  %-12s %s\n", "held", "another program has claimed the device's interface 0");
}

/* The target's own knob. */
static int
target_knob(const struct catalog *cat, struct sim_target *t, const char *spec)
{
	struct iw_error err;
	struct sim_fault f;

	if (sim_target_fault_parse(spec, &f, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: --fault: %s\n", err.msg);
		return 2;
	}
	if (f.kind == SIM_FAULT_WRONG_PART) {
		f.part = catalog_find_part(cat, f.part_id);
		if (f.part == NULL) {
			fprintf(stderr, "ispwiz-emu: --fault wrong-part: no part '%s'\n", f.part_id);
			return 2;
		}
	}
	if (sim_target_set_fault(t, &f, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: --fault: %s\n", err.msg);
		return 2;
	}
	return 0;
}

static char **
command_for_usb(char **command)
{
	size_t n = 0;
	char **out;

	while (command[n] != NULL)
		n++;
	out = calloc(n + 1, sizeof *out);
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *at;
		GString *s = g_string_new(NULL);
		const char *arg = command[i];

		while ((at = strstr(arg, "{port}")) != NULL) {
			g_string_append_len(s, arg, at - arg);
			g_string_append(s, "usb");
			arg = at + 6;
		}
		g_string_append(s, arg);
		out[i] = g_string_free(s, FALSE);
	}
	return out;
}

static void
nap_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* What the serve loop looks after. */
struct serve_state {
	const struct emurun_usb_args *u;
	UMockdevTestbed *tb;
	struct emu_usb *emu;
	struct usb_emu_plug_options po;
	struct usb_emu_port *port;   /* NULL until plugged in */
	uint64_t t0_ms;
	uint64_t left_ms;            /* when it left the bus after a reboot; 0 */
	int serial_fd;               /* the --then-id device's pty master */
};

static int
plug(struct serve_state *st)
{
	struct iw_error err;

	if ((st->port = usb_emu_plug(st->tb, st->emu, &st->po, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* The firmware HalfKay loaded, running: a USB serial device at the same
 * port. */
static void
add_then_device(struct serve_state *st)
{
	struct usb_emu_serial sd;
	struct iw_error err;
	bool teensy = st->u->then_id.vid == 0x16C0 && st->u->then_id.pid == 0x0483;
	char node[32];

	memset(&sd, 0, sizeof sd);
	sd.busnum = USBRUN_BUS;
	sd.port = USBRUN_PORT;
	sd.vid = st->u->then_id.vid;
	sd.pid = st->u->then_id.pid;
	sd.manufacturer = teensy ? "Teensyduino" : "ispwiz-emu";
	sd.product = teensy ? "USB Serial" : "USB serial firmware";
	sd.serial = "ISPWIZEMU01";
	st->serial_fd = usb_emu_add_serial(st->tb, &sd, node, sizeof node, &err);
	if (st->serial_fd < 0)
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
}

/* Wait for the child: plug the device in when its time comes, pull the
 * cable when it leaves the bus (a knob, a reboot), and bring up what the
 * reboot started. */
static void
serve(pid_t child, struct serve_state *st, int *status)
{
	for (;;) {
		pid_t w = waitpid(child, status, WNOHANG);
		uint64_t now = iw_clock_ms();

		if (w == child)
			return;
		if (w < 0 && errno != EINTR) {
			*status = 0;
			return;
		}
		if (st->port == NULL && now - st->t0_ms >= st->u->appear_after_ms &&
		    plug(st) != 0) {
			kill(child, SIGTERM);
			waitpid(child, status, 0);
			return;
		}
		if (st->port != NULL && usb_emu_wants_unplug(st->port)) {
			usb_emu_unplug(st->port);
			if (emu_usb_rebooted(st->emu))
				st->left_ms = now;
		}
		if (st->u->then && st->left_ms != 0 && st->serial_fd < 0 &&
		    now - st->left_ms >= USBRUN_APP_ENUM_MS) {
			add_then_device(st);
			if (st->serial_fd < 0)
				st->left_ms = 0;     /* reported; do not try again */
		}
		nap_ms(st->port == NULL ? 1 : 5);
	}
}

/* PREFIX.usb.json: what the device saw (written via temp + rename). */
static void
dump_usb_json(const char *prefix, struct emu_usb *emu, struct usb_emu_port *port,
	      bool then_appeared)
{
	const struct emu_usb_stats *st = emu_usb_stats(emu);
	json_t *doc = json_object(), *viol = json_array();
	char *path = NULL, *tmp = NULL;

	if (port != NULL)
		usb_emu_lock(port);
	json_object_set_new(doc, "kind", json_string(emu_usb_kind_name(emu)));
	json_object_set_new(doc, "plugged_in", json_boolean(port != NULL));
	json_object_set_new(doc, "transfers", json_integer((json_int_t)st->transfers));
	json_object_set_new(doc, "vendor_requests", json_integer((json_int_t)st->vendor_requests));
	json_object_set_new(doc, "class_requests", json_integer((json_int_t)st->class_requests));
	json_object_set_new(doc, "flash_write_requests",
			    json_integer((json_int_t)st->flash_write_requests));
	/* The V-USB bootloaders writing their own chip. */
	json_object_set_new(doc, "spm_pages", json_integer((json_int_t)st->spm_pages));
	json_object_set_new(doc, "chip_erases", json_integer((json_int_t)st->chip_erases));
	json_object_set_new(doc, "ignored_writes", json_integer((json_int_t)st->ignored_writes));
	json_object_set_new(doc, "own_section_writes",
			    json_integer((json_int_t)st->own_section_writes));
	json_object_set_new(doc, "unerased_writes", json_integer((json_int_t)st->unerased_writes));
	json_object_set_new(doc, "left", json_boolean(st->left));
	json_object_set_new(doc, "reports", json_integer((json_int_t)st->reports));
	json_object_set_new(doc, "blocks_written", json_integer((json_int_t)st->blocks_written));
	json_object_set_new(doc, "erases", json_integer((json_int_t)st->erases));
	json_object_set_new(doc, "busy_naks", json_integer((json_int_t)st->busy_naks));
	json_object_set_new(doc, "busy_ignored", json_integer((json_int_t)st->busy_ignored));
	json_object_set_new(doc, "stalls", json_integer((json_int_t)st->stalls));
	json_object_set_new(doc, "unknown", json_integer((json_int_t)st->unknown));
	json_object_set_new(doc, "violation_count", json_integer((json_int_t)st->violations));
	/* From the first request of the device's protocol to the last (for
	 * HalfKay: the first report, which erases, to the reboot report). */
	json_object_set_new(doc, "request_span_s",
			    json_real((double)(st->last_request_us - st->first_request_us) / 1e6));
	for (size_t i = 0; i < emu_usb_violation_count(emu); i++)
		json_array_append_new(viol, json_string(emu_usb_violation(emu, i)));
	json_object_set_new(doc, "violations", viol);
	json_object_set_new(doc, "left_bus", json_boolean(emu_usb_unplugged(emu)));
	json_object_set_new(doc, "rebooted", json_boolean(emu_usb_rebooted(emu)));
	json_object_set_new(doc, "then_appeared", json_boolean(then_appeared));
	if (port != NULL)
		usb_emu_unlock(port);
	if (asprintf(&path, "%s.usb.json", prefix) < 0 || asprintf(&tmp, "%s.tmp", path) < 0 ||
	    json_dump_file(doc, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0 ||
	    rename(tmp, path) != 0)
		fprintf(stderr, "ispwiz-emu: cannot write %s: %s\n", path != NULL ? path : prefix,
			strerror(errno));
	free(path);
	free(tmp);
	json_decref(doc);
}

/* PREFIX.N.hex and PREFIX.N.json for the look-alike devices (--usb-extra):
 * device N (2, 3, ...) at bus path 1-(N+1) has its own chip, which a test of
 * several programmers at once checks as it checks the first one's. */
static int
dump_extras(const char *prefix, struct sim_target *const *xt, unsigned extra)
{
	for (unsigned i = 1; i <= extra; i++) {
		char *each = NULL;
		int rc = asprintf(&each, "%s.%u", prefix, i + 1) < 0 ? -1 :
			 emurun_dump(xt[i], NULL, each);

		free(each);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* --- the Atmel DFU bootloader ---------------------------------------------------- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median time from one quick class request to the next: what one
 * transfer costs on this bus (0: none seen). */
static uint64_t
median_gap(const struct emu_dfu *d)
{
	uint64_t g[EMU_DFU_GAPS_KEPT];
	size_t n = emu_dfu_stats(d)->gaps;

	if (n > EMU_DFU_GAPS_KEPT)
		n = EMU_DFU_GAPS_KEPT;
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		g[i] = emu_dfu_gap(d, i);
	qsort(g, n, sizeof g[0], cmp_u64);
	return g[n / 2];
}

/* PREFIX.dfu.json: what the device counted and the violations it saw. */
static int
dump_dfu(const struct emu_dfu *d, const char *prefix)
{
	const struct emu_dfu_stats *s = emu_dfu_stats(d);
	json_t *doc = json_object(), *viol = json_array();
	char path[512];
	int rc;

#define DFU_STAT(name) json_object_set_new(doc, #name, json_integer((json_int_t)s->name))
	DFU_STAT(transfers); DFU_STAT(class_requests); DFU_STAT(dnloads); DFU_STAT(uploads);
	DFU_STAT(getstatus); DFU_STAT(clrstatus); DFU_STAT(getstate); DFU_STAT(aborts);
	DFU_STAT(stalls); DFU_STAT(commands); DFU_STAT(program_commands);
	DFU_STAT(bytes_programmed); DFU_STAT(pages_programmed); DFU_STAT(bytes_read);
	DFU_STAT(erases); DFU_STAT(blank_checks); DFU_STAT(page_selects); DFU_STAT(config_reads);
	DFU_STAT(busy_polls); DFU_STAT(held); DFU_STAT(errors); DFU_STAT(refused);
	DFU_STAT(enumerations); DFU_STAT(app_starts); DFU_STAT(violations); DFU_STAT(gaps);
#undef DFU_STAT
	json_object_set_new(doc, "request_span_us", json_integer((json_int_t)(
		s->last_request_us - s->first_request_us)));
	json_object_set_new(doc, "transfer_us", json_integer((json_int_t)median_gap(d)));
	json_object_set_new(doc, "secured", json_boolean(emu_dfu_secured(d)));
	json_object_set_new(doc, "app_running", json_boolean(emu_dfu_app_running(d)));
	json_object_set_new(doc, "boot_start", json_integer(emu_dfu_boot_start(d)));
	for (size_t i = 0; i < emu_dfu_violation_count(d); i++)
		json_array_append_new(viol, json_string(emu_dfu_violation(d, i)));
	json_object_set_new(doc, "violation_lines", viol);
	snprintf(path, sizeof path, "%s.dfu.json", prefix);
	rc = json_dump_file(doc, path, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (rc != 0)
		fprintf(stderr, "ispwiz-emu: cannot write %s\n", path);
	json_decref(doc);
	return rc == 0 ? 0 : 1;
}

static int
serve_dfu(const struct emurun_usb_args *u, UMockdevTestbed *tb, const struct catalog *cat,
	  struct sim_target *t, const char *const *faults, size_t n_faults, char **command,
	  int *status)
{
	struct emu_dfu_options o;
	struct usb_emu_plug_options po;
	struct usb_emu_dfu bus;
	struct emu_dfu *d;
	struct iw_error err;
	bool eacces = false;
	char **cmd = NULL, path[32];
	pid_t child;
	int rc = 1;

	memset(&o, 0, sizeof o);
	if (u->erase_ms != 0 || u->instant_chip) {
		o.times_given = true;
		o.erase_us = u->instant_chip ? 0 : u->erase_ms * 1000u;
		o.page_us = u->instant_chip ? 0 : EMU_DFU_PAGE_WRITE_US;
	}
	memset(&bus, 0, sizeof bus);
	if ((d = emu_dfu_new(&o, t, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return 2;
	}
	for (size_t i = 0; i < n_faults; i++) {
		enum iw_status st;

		if (strcmp(faults[i], "eacces") == 0) {
			eacces = true;
			continue;
		}
		st = emu_dfu_set_fault(d, faults[i], &err);
		if (st == IW_OK)
			continue;
		if (st != IW_NOT_FOUND) {
			fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
			rc = 2;
			goto out;
		}
		if ((rc = target_knob(cat, t, faults[i])) != 0)
			goto out;
		rc = 1;
	}
	memset(&po, 0, sizeof po);
	po.latency_us = u->latency_us;
	if (usb_emu_dfu_init(&bus, tb, d, &po, u->appear_after_ms, &err) != IW_OK) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		goto out;
	}
	if ((cmd = command_for_usb(command)) == NULL) {
		fprintf(stderr, "ispwiz-emu: out of memory\n");
		goto out;
	}
	snprintf(path, sizeof path, "%u-%u", bus.opts.busnum, bus.opts.port);
	fflush(NULL);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "ispwiz-emu: fork: %s\n", strerror(errno));
		goto out;
	}
	if (child == 0) {
		char node[64];

		unsetenv("ISPWIZ_EMU_PRELOADED");
		setenv("ISPWIZ_EMU_USB_PATH", path, 1);
		if (eacces) {
			snprintf(node, sizeof node, "/dev/bus/usb/%03u/%03u", bus.opts.busnum,
				 bus.n > 0 ? bus.opts.devnum - 1 : bus.opts.devnum);
			setenv("ISPWIZ_SHIM_PORT", node, 1);
			setenv("ISPWIZ_SHIM_OPEN_ERRNO", "13", 1);
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "ispwiz-emu: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	/* The bus follows the device until the command is done. */
	for (;;) {
		pid_t w = waitpid(child, status, WNOHANG);

		if (w == child)
			break;
		if (w < 0 && errno != EINTR) {
			*status = 0;
			break;
		}
		if (!usb_emu_dfu_step(&bus)) {
			fprintf(stderr, "ispwiz-emu: %s\n", bus.err.msg);
			kill(child, SIGTERM);
			waitpid(child, status, 0);
			goto out;
		}
		nap_ms(2);
	}
	rc = u->dump != NULL ? dump_dfu(d, u->dump) : 0;
out:
	if (cmd != NULL) {
		for (size_t i = 0; cmd[i] != NULL; i++)
			g_free(cmd[i]);
		free(cmd);
	}
	usb_emu_dfu_free(&bus);
	emu_dfu_free(d);
	return rc;
}

int
emurun_usb(const struct emurun_usb_args *u, UMockdevTestbed *tb,
	   const struct catalog *cat, struct sim_target *t,
	   const char *const *faults, size_t n_faults, char **command, int *status)
{
	struct emu_usb_options o;
	struct usb_emu_plug_options po;
	struct emu_usb *emu[1 + USBRUN_MAX_EXTRA] = { NULL };
	struct sim_target *xt[1 + USBRUN_MAX_EXTRA] = { NULL };
	struct usb_emu_port *port[1 + USBRUN_MAX_EXTRA] = { NULL };
	unsigned extra = u->extra < USBRUN_MAX_EXTRA ? u->extra : USBRUN_MAX_EXTRA;
	struct iw_error err;
	struct serve_state ss = { .serial_fd = -1 };
	bool eacces = false, held = false;
	char **cmd = NULL, path[16], node[32];
	pid_t child;
	int rc = 1;

	if (u->dfu)
		return serve_dfu(u, tb, cat, t, faults, n_faults, command, status);
	memset(&o, 0, sizeof o);
	o.kind = u->kind;
	o.erase_us = u->erase_ms > UINT32_MAX / 1000u ? UINT32_MAX : u->erase_ms * 1000u;
	o.old_firmware = u->old_firmware;
	o.cap_3mhz = u->cap_3mhz;
	o.slow_jumper = u->slow_jumper;
	o.usbasploader = u->usbasploader;
	o.product = u->product;
	o.serial = u->serial;
	if ((emu[0] = emu_usb_new(&o, t, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return err.code == IW_USAGE ? 2 : 1;
	}
	for (size_t i = 0; i < n_faults; i++) {
		enum iw_status st;

		if (strcmp(faults[i], "held") == 0) {
			held = true;
			continue;
		}
		if (strcmp(faults[i], "eacces") == 0) {
			eacces = true;
			continue;
		}
		st = emu_usb_set_fault(emu[0], faults[i], &err);
		if (st == IW_OK)
			continue;
		if (st != IW_NOT_FOUND) {
			fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
			rc = 2;
			goto out;
		}
		if ((rc = target_knob(cat, t, faults[i])) != 0)
			goto out;
		rc = 1;
	}
	memset(&po, 0, sizeof po);
	po.latency_us = u->latency_us;
	po.held = held;
	ss.u = u;
	ss.tb = tb;
	ss.emu = emu[0];
	ss.po = po;
	ss.po.port = USBRUN_PORT;
	snprintf(path, sizeof path, "%u-%u", USBRUN_BUS, USBRUN_PORT);
	snprintf(node, sizeof node, "/dev/bus/usb/%03u/%03u", USBRUN_BUS, USBRUN_PORT + 1);
	for (unsigned i = 0; i <= extra; i++) {
		if (i > 0) {
			/* look-alikes: same ID and strings, no serial, own chip */
			o.serial = NULL;
			xt[i] = sim_target_new(sim_target_part(t), NULL, &err);
			if (xt[i] == NULL || (emu[i] = emu_usb_new(&o, xt[i], &err)) == NULL) {
				fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
				goto out;
			}
		}
		po.port = USBRUN_PORT + i;
		if (i == 0 && u->appear_after_ms > 0)
			continue;            /* plugged in later, by serve() */
		if ((port[i] = usb_emu_plug(tb, emu[i], &po, &err)) == NULL) {
			fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
			goto out;
		}
	}
	if ((cmd = command_for_usb(command)) == NULL) {
		fprintf(stderr, "ispwiz-emu: out of memory\n");
		goto out;
	}
	fflush(NULL);
	child = fork();
	if (child < 0) {
		fprintf(stderr, "ispwiz-emu: fork: %s\n", strerror(errno));
		goto out;
	}
	if (child == 0) {
		unsetenv("ISPWIZ_EMU_PRELOADED");
		setenv("ISPWIZ_EMU_USB_PATH", path, 1);
		if (eacces) {
			setenv("ISPWIZ_SHIM_PORT", node, 1);
			setenv("ISPWIZ_SHIM_OPEN_ERRNO", "13", 1);
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "ispwiz-emu: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	ss.port = port[0];
	ss.t0_ms = iw_clock_ms();
	serve(child, &ss, status);
	port[0] = ss.port;
	if (u->dump != NULL)
		dump_usb_json(u->dump, emu[0], port[0], ss.serial_fd >= 0);
	rc = 0;
	if (u->dump != NULL && dump_extras(u->dump, xt, extra) != 0)
		rc = 1;
out:
	if (ss.serial_fd >= 0)
		close(ss.serial_fd);
	if (cmd != NULL) {
		for (size_t i = 0; cmd[i] != NULL; i++)
			g_free(cmd[i]);
		free(cmd);
	}
	for (unsigned i = 0; i <= extra; i++) {
		usb_emu_free(port[i]);
		emu_usb_free(emu[i]);
		sim_target_free(xt[i]);
	}
	return rc;
}
