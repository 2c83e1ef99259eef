/* emu-usb-serve.c - ispwiz-emu's USB mode: the emulated USB programmer
 * (src/sim/emu-usb.h) plugged into the testbed through tests/usb-emu.c,
 * and the command run against it. */
#include "emu-usb-serve.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "usb-emu.h"

#define USBRUN_MAX_EXTRA 4

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
	if (strcmp(name, "bootloadhid") == 0) {
		u->kind = EMU_USB_BOOTLOADHID;
		u->usbasploader = false;
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
		"USB bootloaders (--bootloader bootloadhid|usbasploader): the chip writes\n"
		"itself; its own section is where its high fuse (--fuses) puts it, and a\n"
		"bootloader that starts the application leaves the bus.  PREFIX.usb.json\n"
		"says what the device saw.\n"
		"USB device knobs:\n");
	for (int k = 0; k < EMU_USB_FAULT_COUNT; k++)
		fprintf(out, "  %-12s %s\n", emu_usb_fault_name(k), emu_usb_fault_help(k));
	fprintf(out, "  %-12s %s\n", "eacces", "opening the usbfs node fails: permission denied");
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

/* What the device saw, for the tests: PREFIX.usb.json. */
static int
write_usb_json(const struct emu_usb *e, const char *path)
{
	const struct emu_usb_stats *st = emu_usb_stats(e);
	json_t *doc = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
				"transfers", (json_int_t)st->transfers,
				"vendor_requests", (json_int_t)st->vendor_requests,
				"class_requests", (json_int_t)st->class_requests,
				"flash_write_requests", (json_int_t)st->flash_write_requests,
				"stalls", (json_int_t)st->stalls,
				"spm_pages", (json_int_t)st->spm_pages,
				"chip_erases", (json_int_t)st->chip_erases,
				"ignored_writes", (json_int_t)st->ignored_writes,
				"own_section_writes", (json_int_t)st->own_section_writes,
				"unerased_writes", (json_int_t)st->unerased_writes,
				"left", st->left);
	int rc = doc != NULL && json_dump_file(doc, path, JSON_INDENT(2)) == 0 ? 0 : 1;

	if (rc != 0)
		fprintf(stderr, "ispwiz-emu: cannot write %s\n", path);
	json_decref(doc);
	return rc;
}

/* Wait for the child, pulling the cable when the unplug knob fires or the
 * device leaves the bus by itself. */
static void
serve(pid_t child, struct usb_emu_port *port, int *status)
{
	for (;;) {
		pid_t w = waitpid(child, status, WNOHANG);

		if (w == child)
			return;
		if (w < 0 && errno != EINTR) {
			*status = 0;
			return;
		}
		if (usb_emu_wants_unplug(port))
			usb_emu_unplug(port);
		nap_ms(5);
	}
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
	bool eacces = false;
	char **cmd = NULL;
	pid_t child;
	int rc = 1;

	memset(&o, 0, sizeof o);
	o.kind = u->kind;
	o.old_firmware = u->old_firmware;
	o.cap_3mhz = u->cap_3mhz;
	o.slow_jumper = u->slow_jumper;
	o.usbasploader = u->usbasploader;
	o.product = u->product;
	o.serial = u->serial;
	if ((emu[0] = emu_usb_new(&o, t, &err)) == NULL) {
		fprintf(stderr, "ispwiz-emu: %s\n", err.msg);
		return 1;
	}
	for (size_t i = 0; i < n_faults; i++) {
		enum iw_status st;

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
		po.port = 2 + i;
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
		setenv("ISPWIZ_EMU_USB_PATH", usb_emu_bus_path(port[0]), 1);
		if (eacces) {
			setenv("ISPWIZ_SHIM_PORT", usb_emu_node(port[0]), 1);
			setenv("ISPWIZ_SHIM_OPEN_ERRNO", "13", 1);
		}
		execvp(cmd[0], cmd);
		fprintf(stderr, "ispwiz-emu: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	serve(child, port[0], status);
	rc = u->usb_json != NULL ? write_usb_json(emu[0], u->usb_json) : 0;
out:
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
