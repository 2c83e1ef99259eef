/*
 * doctor-system.c - the rest of the system around the devices:
 * ModemManager (which opens new serial ports to look for modems), brltty
 * (whose udev rules hand CH340 and FTDI adapters to the braille driver,
 * which takes their serial port away), and the libraries ispwiz runs on.
 * The user and their groups are in doctor-user.c.
 */
#include "job/doctor-private.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libserialport.h>
#include <libusb.h>

#include "core/file-util.h"
#include "core/proc-util.h"

#ifndef ISPWIZ_LIBUDEV_VERSION
#define ISPWIZ_LIBUDEV_VERSION "unknown"
#endif

#define SMALL_FILE_MAX (256 * 1024)

static const struct catalog_usb_id ch340 = { 0x1A86, 0x7523 };
static const struct catalog_usb_id ftdi = { 0x0403, 0x6001 };

/* --- ModemManager ------------------------------------------------------------------ */

static pid_t
find_process(const struct doctor_env *env, const char *name)
{
	char proc[PATH_MAX];

	if (!doctor_path(env, "/proc", proc, sizeof proc))
		return 0;
	return iw_proc_find(proc, name);
}

/* --- brltty ------------------------------------------------------------------------- */

/* Whether a rules line hands the ID to brltty: ENV{PRODUCT}=="1a86/7523/..."
 * (PRODUCT's hex has no leading zeros) or ATTRS{idVendor}/{idProduct}. */
static bool
line_claims(const char *line, struct catalog_usb_id id)
{
	char lower[1024], product[32], vendor[32], prodattr[32];
	size_t i;

	for (i = 0; line[i] != '\0' && i + 1 < sizeof lower; i++)
		lower[i] = (char)tolower((unsigned char)line[i]);
	lower[i] = '\0';
	snprintf(product, sizeof product, "\"%x/%x/", id.vid, id.pid);
	snprintf(vendor, sizeof vendor, "idvendor}==\"%04x\"", id.vid);
	snprintf(prodattr, sizeof prodattr, "idproduct}==\"%04x\"", id.pid);
	if (strstr(lower, product) != NULL)
		return true;
	snprintf(product, sizeof product, "\"%04x/%04x/", id.vid, id.pid);
	return strstr(lower, product) != NULL ||
	       (strstr(lower, vendor) != NULL && strstr(lower, prodattr) != NULL);
}

static void
rules_claims(const char *text, bool *ch, bool *ft)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char line[1024];
		const char *s = line;

		snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
		p += len + (p[len] == '\n');
		while (isspace((unsigned char)*s))
			s++;
		if (*s == '#')
			continue;
		*ch = *ch || line_claims(s, ch340);
		*ft = *ft || line_claims(s, ftdi);
	}
}

/* Whether a rules file name is in effect as `real`: the first directory
 * that has the name wins. */
static void
probe_brltty_name(struct doctor_env *env, const char *name)
{
	for (size_t i = 0; iw_udev_rules_dirs[i] != NULL; i++) {
		char shown[PATH_MAX], real[PATH_MAX], link[PATH_MAX];
		struct stat lst;
		bool ch = false, ft = false;
		char *text;
		size_t len;
		ssize_t n;

		if (snprintf(shown, sizeof shown, "%s/%s", iw_udev_rules_dirs[i], name) >=
		    (int)sizeof shown || !doctor_path(env, shown, real, sizeof real) ||
		    lstat(real, &lst) != 0)
			continue;
		if (S_ISLNK(lst.st_mode) && (n = readlink(real, link, sizeof link - 1)) > 0) {
			link[n] = '\0';
			if (strcmp(link, "/dev/null") == 0) {
				env->brltty_masked = true;
				return;
			}
		}
		if (file_read_all(real, SMALL_FILE_MAX, &text, &len) != 0)
			return;
		if (len == 0)
			env->brltty_masked = true;
		rules_claims(text, &ch, &ft);
		free(text);
		if ((ch || ft) && env->brltty_rules[0] == '\0') {
			snprintf(env->brltty_rules, sizeof env->brltty_rules, "%s", shown);
			snprintf(env->brltty_rules_name, sizeof env->brltty_rules_name, "%s", name);
		}
		env->brltty_ch340 = env->brltty_ch340 || ch;
		env->brltty_ftdi = env->brltty_ftdi || ft;
		return;
	}
}

static void
probe_brltty(struct doctor_env *env)
{
	static const char *const bins[] = {
		"/usr/bin/brltty", "/bin/brltty", "/usr/sbin/brltty", "/sbin/brltty",
	};

	for (size_t i = 0; i < sizeof bins / sizeof bins[0] && env->brltty_bin[0] == '\0'; i++) {
		char real[PATH_MAX];

		if (doctor_path(env, bins[i], real, sizeof real) && access(real, F_OK) == 0)
			snprintf(env->brltty_bin, sizeof env->brltty_bin, "%s", bins[i]);
	}
	/* Every *brltty*.rules name in any rules directory, each once. */
	for (size_t i = 0; iw_udev_rules_dirs[i] != NULL; i++) {
		char real[PATH_MAX];
		struct dirent *de;
		DIR *dir;

		if (!doctor_path(env, iw_udev_rules_dirs[i], real, sizeof real) ||
		    (dir = opendir(real)) == NULL)
			continue;
		while ((de = readdir(dir)) != NULL) {
			size_t len = strlen(de->d_name);

			if (strstr(de->d_name, "brltty") == NULL || len < 6 ||
			    strcmp(de->d_name + len - 6, ".rules") != 0)
				continue;
			probe_brltty_name(env, de->d_name);
		}
		closedir(dir);
	}
}

bool
doctor_brltty_claims(const struct doctor_env *env, struct catalog_usb_id id)
{
	return (id.vid == ch340.vid && id.pid == ch340.pid && env->brltty_ch340) ||
	       (id.vid == ftdi.vid && id.pid == ftdi.pid && env->brltty_ftdi);
}

void
doctor_brltty_fix(const struct doctor_env *env, char *buf, size_t size)
{
	if (doctor_os_is(env, "debian") || doctor_os_is(env, "ubuntu"))
		snprintf(buf, size, "sudo apt-get remove brltty");
	else if (doctor_os_is(env, "fedora") || doctor_os_is(env, "rhel"))
		snprintf(buf, size, "sudo dnf remove brltty");
	else if (doctor_os_is(env, "arch"))
		snprintf(buf, size, "sudo pacman -R brltty");
	else if (doctor_os_is(env, "suse"))
		snprintf(buf, size, "sudo zypper remove brltty");
	else
		snprintf(buf, size, "sudo ln -s /dev/null /etc/udev/rules.d/%s && "
			 "sudo udevadm control --reload-rules",
			 env->brltty_rules_name[0] != '\0' ? env->brltty_rules_name : "85-brltty.rules");
}

void
doctor_system_probe(struct doctor_env *env)
{
	env->mm_pid = find_process(env, "ModemManager");
	probe_brltty(env);
	doctor_user_probe(env);
}

/* --- the checks ------------------------------------------------------------------------ */

/* The IDs ModemManager must leave alone, each once: the ports of the ISP
 * firmware (programmers that run it) and of Caterina (bootloader and the
 * sketch it runs); without a catalog, the ones this build's rules name. */
static bool
add_id(struct catalog_usb_id *out, size_t *n, size_t max, struct catalog_usb_id id)
{
	for (size_t i = 0; i < *n; i++)
		if (out[i].vid == id.vid && out[i].pid == id.pid)
			return true;
	if (*n == max)
		return false;
	out[(*n)++] = id;
	return true;
}

static size_t
mm_ids(const struct doctor_env *env, struct catalog_usb_id *out, size_t max)
{
	const struct catalog *cat = env->catalog;
	size_t n = 0;

	if (cat == NULL) {
		for (size_t i = 0; i < env->n_ref_ids; i++)
			if (env->ref_ids[i].mm_ignore)
				add_id(out, &n, max, (struct catalog_usb_id){ env->ref_ids[i].vid,
									     env->ref_ids[i].pid });
		return n;
	}
	for (size_t i = 0; i < cat->n_programmers; i++)
		for (size_t k = 0; cat->programmers[i].firmware != NULL &&
		     k < cat->programmers[i].n_usb_ids; k++)
			add_id(out, &n, max, cat->programmers[i].usb_ids[k]);
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *b = &cat->bootloaders[i];

		if (strcmp(b->family, "caterina") != 0)
			continue;
		add_id(out, &n, max, b->usb_id);
		if (b->has_sketch_usb_id)
			add_id(out, &n, max, b->sketch_usb_id);
	}
	return n;
}

/* Append "VVVV:PPPP" to a ", "-separated list. */
static void
list_id(char *buf, size_t size, size_t *used, size_t *count, struct catalog_usb_id id)
{
	if (*used < size)
		*used += (size_t)snprintf(buf + *used, size - *used, "%s%04X:%04X",
					  *count > 0 ? ", " : "", id.vid, id.pid);
	(*count)++;
}

static enum iw_status
check_modemmanager(const struct doctor_env *env, const struct detect_list *devs,
		   struct doctor_report *r, struct iw_error *err)
{
	static const char id[] = "modemmanager", title[] = "ModemManager kept off the ports";
	struct catalog_usb_id want[128];
	size_t n_want = mm_ids(env, want, sizeof want / sizeof want[0]);
	char found[4096], fix[2 * PATH_MAX], missing[1024], gap[1024], probed[1024];
	size_t n_missing = 0, um = 0, n_gap = 0, ug = 0, n_probed = 0, up = 0;

	if (env->mm_pid == 0)
		return doctor_add(r, id, title, DOCTOR_OK, "ModemManager is not running.", NULL,
				  NULL, err);
	if (!doctor_rules_in_effect(env)) {
		snprintf(found, sizeof found, "ModemManager is running (pid %ld) and no ispwiz "
			 "rules keep it off the ISP-firmware and Caterina ports: it opens them "
			 "for a few seconds after they appear, which garbles the programmer's "
			 "sync and eats the bootloader's 8 seconds. Without a modem, `sudo "
			 "systemctl disable --now ModemManager` works too.", (long)env->mm_pid);
		doctor_rules_install_fix(env, fix, sizeof fix);
		return doctor_add(r, id, title, DOCTOR_WARNING, found, fix, NULL, err);
	}
	missing[0] = gap[0] = probed[0] = '\0';
	for (size_t i = 0; i < n_want; i++) {
		const struct doctor_rules_id *have = doctor_rules_find(env, want[i]);
		const struct doctor_rules_id *ref = doctor_rules_find_ref(env, want[i]);

		if (have != NULL && have->mm_ignore)
			continue;
		if (ref != NULL && ref->mm_ignore)
			list_id(missing, sizeof missing, &um, &n_missing, want[i]);
		else
			list_id(gap, sizeof gap, &ug, &n_gap, want[i]);
	}
	for (size_t i = 0; devs != NULL && i < devs->n; i++)
		if (doctor_mm_may_probe(&devs->items[i]) && up < sizeof probed) {
			up += (size_t)snprintf(probed + up, sizeof probed - up, "%s%s",
					       n_probed ? ", " : "", devs->items[i].port);
			n_probed++;
		}
	if (n_missing > 0) {
		snprintf(found, sizeof found, "ModemManager is running (pid %ld) and the "
			 "installed rules do not set ID_MM_DEVICE_IGNORE for %s, which this "
			 "build's rules do: it probes those ports.", (long)env->mm_pid, missing);
		doctor_rules_install_fix(env, fix, sizeof fix);
		return doctor_add(r, id, title, DOCTOR_WARNING, found, fix, NULL, err);
	}
	if (n_probed > 0) {
		snprintf(found, sizeof found, "ModemManager is running (pid %ld); the rules "
			 "keep it off the ISP-firmware and Caterina ports, but udev has not "
			 "applied them to %s, which it may open now. Replug the device after "
			 "the fix.", (long)env->mm_pid, probed);
		return doctor_add(r, id, title, DOCTOR_WARNING, found, DOCTOR_RELOAD, NULL, err);
	}
	if (n_gap > 0) {
		snprintf(found, sizeof found, "ModemManager is running (pid %ld); the installed "
			 "rules keep it off %zu of the ISP-firmware and Caterina USB IDs, but "
			 "neither they nor this build's rules set ID_MM_DEVICE_IGNORE for %s "
			 "(the catalog knows these Caterina boards, ispwiz's udev rules do not "
			 "yet). Stop ModemManager while flashing such a board.",
			 (long)env->mm_pid, n_want - n_gap, gap);
		return doctor_add(r, id, title, DOCTOR_WARNING, found,
				  "sudo systemctl stop ModemManager", NULL, err);
	}
	snprintf(found, sizeof found, "ModemManager is running (pid %ld); the installed "
		 "rules keep it off the ISP-firmware and Caterina ports (ID_MM_DEVICE_IGNORE "
		 "on all %zu of their USB IDs).", (long)env->mm_pid, n_want);
	return doctor_add(r, id, title, DOCTOR_OK, found, NULL, NULL, err);
}

static enum iw_status
check_brltty(const struct doctor_env *env, const struct detect_list *devs,
	     struct doctor_report *r, struct iw_error *err)
{
	static const char id[] = "brltty", title[] = "brltty leaves USB-serial adapters alone";
	char found[4 * PATH_MAX], fix[PATH_MAX], what[128], taken[512];
	size_t n_taken = 0, ut = 0;

	if (env->brltty_rules[0] == '\0') {
		if (env->brltty_bin[0] == '\0' && !env->brltty_masked)
			return doctor_add(r, id, title, DOCTOR_OK, "brltty is not installed.",
					  NULL, NULL, err);
		snprintf(found, sizeof found, "brltty is installed%s%s%s, but %s.",
			 env->brltty_bin[0] != '\0' ? " (" : "", env->brltty_bin,
			 env->brltty_bin[0] != '\0' ? ")" : "",
			 env->brltty_masked ? "its udev rules are masked" :
			 "no udev rules of its claim CH340 (1A86:7523) or FTDI (0403:6001) adapters");
		return doctor_add(r, id, title, DOCTOR_OK, found, NULL, NULL, err);
	}
	snprintf(what, sizeof what, "%s%s%s", env->brltty_ch340 ? "CH340 (1A86:7523)" : "",
		 env->brltty_ch340 && env->brltty_ftdi ? " and " : "",
		 env->brltty_ftdi ? "FTDI (0403:6001)" : "");
	taken[0] = '\0';
	for (size_t i = 0; devs != NULL && i < devs->n; i++) {
		const struct detect_device *d = &devs->items[i];

		if (!d->is_usb || d->port != NULL || !doctor_brltty_claims(env, d->usb_id))
			continue;
		if (ut < sizeof taken)
			ut += (size_t)snprintf(taken + ut, sizeof taken - ut, "%sUSB %s",
					       n_taken ? ", " : "", d->bus_path != NULL ? d->bus_path : "?");
		n_taken++;
	}
	doctor_brltty_fix(env, fix, sizeof fix);
	snprintf(found, sizeof found, "brltty%s%s%s is installed and %s hands %s adapters to "
		 "its braille driver, which takes their serial port away: a Bus Pirate (or "
		 "clone) on such an adapter gets no /dev/ttyUSB.%s%s%s To keep brltty for a "
		 "braille display, mask that rule instead: `sudo ln -s /dev/null "
		 "/etc/udev/rules.d/%s`.",
		 env->brltty_bin[0] != '\0' ? " (" : "", env->brltty_bin,
		 env->brltty_bin[0] != '\0' ? ")" : "", env->brltty_rules, what,
		 n_taken ? " It already took " : "", taken, n_taken ? ": replug it after the fix." : "",
		 env->brltty_rules_name);
	return doctor_add(r, id, title, n_taken ? DOCTOR_PROBLEM : DOCTOR_WARNING, found, fix,
			  NULL, err);
}

static enum iw_status
check_libraries(struct doctor_report *r, struct iw_error *err)
{
	const struct libusb_version *u = libusb_get_version();
	const char *sp = sp_get_package_version_string();
	const char *sp_lib = sp_get_lib_version_string();
	char found[512];

	snprintf(found, sizeof found, "libusb %u.%u.%u.%u%s (running), libserialport %s "
		 "(running; library interface %s), libudev %s (built against; libudev has "
		 "no version call).", u->major, u->minor, u->micro, u->nano,
		 u->rc != NULL ? u->rc : "", sp != NULL ? sp : "unknown",
		 sp_lib != NULL ? sp_lib : "unknown", ISPWIZ_LIBUDEV_VERSION);
	return doctor_add(r, "libraries", "libraries", DOCTOR_INFO, found, NULL, NULL, err);
}

enum iw_status
doctor_system_checks(const struct doctor_env *env, const struct detect_list *devs,
		     struct doctor_report *r, struct iw_error *err)
{
	enum iw_status st;

	if ((st = check_modemmanager(env, devs, r, err)) != IW_OK ||
	    (st = check_brltty(env, devs, r, err)) != IW_OK ||
	    (st = doctor_groups_check(env, devs, r, err)) != IW_OK)
		return st;
	return check_libraries(r, err);
}
