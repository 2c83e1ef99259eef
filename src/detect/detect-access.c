/*
 * detect-access.c - can this user use the device right now?  Permissions
 * (access(2) on the node), other processes holding a serial port (one scan
 * of /proc), and ModemManager, which opens new CDC ACM ports on its own.
 *
 * Nothing here opens a device: opening a serial port raises DTR, and on an
 * Arduino Uno running ArduinoISP that resets the board.
 */
#include "detect/detect.h"
#include "core/devpath-lock.h"
#include "core/proc-util.h"
#include "core/udev-dirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where the rules go depends on how ispwiz was installed (a package, make
 * install under /usr/local, a build tree): the doctor knows, so point there
 * first, and give the copy that works everywhere. */
#define UDEV_RULE_FIX                                                          \
	"install ispwiz's udev rule (`ispwiz doctor` prints the exact command; "  \
	"by hand, copy " IW_UDEV_RULES_FILE " to /etc/udev/rules.d/), run "        \
	"`sudo udevadm control --reload-rules && sudo udevadm trigger` and "       \
	"replug the device"

struct node_id {
	bool valid;
	dev_t dev;
	ino_t ino;
};

/* What the /proc scan found. */
struct holders {
	pid_t mm_pid;         /* a running ModemManager, 0 if none */
};

__attribute__((format(printf, 2, 3)))
static void
append_problem(struct detect_device *d, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t old = d->problem != NULL ? strlen(d->problem) : 0;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	s = realloc(d->problem, old + (old > 0) + strlen(buf) + 1);
	if (s == NULL)
		return;   /* keep what was there: a shorter message beats none */
	if (old > 0)
		s[old++] = ' ';
	strcpy(s + old, buf);
	d->problem = s;
}

static bool
worth_explaining(const struct detect_device *d)
{
	/* Unknown USB devices are usually locked to root and nobody cares:
	 * explain only for things ispwiz may actually use. */
	return d->n_candidates > 0 || d->port != NULL;
}

static void
explain_permission(struct detect_device *d, const char *node, int err)
{
	struct stat st;
	struct group *gr;
	const char *group = NULL;

	if (!worth_explaining(d))
		return;
	if (err == ENOENT) {
		append_problem(d, "%s disappeared while it was being checked; replug the "
			       "device and look again.", node);
		return;
	}
	if (err != EACCES && err != EPERM) {
		append_problem(d, "cannot check access to %s: %s.", node, strerror(err));
		return;
	}
	if (stat(node, &st) == 0 && (gr = getgrgid(st.st_gid)) != NULL)
		group = gr->gr_name;
	if (d->port != NULL && group != NULL && strcmp(group, "root") != 0) {
		append_problem(d, "No permission to open %s (group %s, mode %04o). Add "
			       "yourself to that group (`sudo usermod -aG %s $USER`, then "
			       "log out and back in), or " UDEV_RULE_FIX ".",
			       node, group, (unsigned)(st.st_mode & 07777), group);
	} else if (group != NULL) {
		append_problem(d, "No permission to open %s (group %s, mode %04o). To "
			       "fix it, " UDEV_RULE_FIX ".",
			       node, group, (unsigned)(st.st_mode & 07777));
	} else {
		append_problem(d, "No permission to open %s. To fix it, " UDEV_RULE_FIX ".",
			       node);
	}
}

/* A recognised serial programmer that the kernel made no port for. */
static bool
wants_port(const struct detect_device *d)
{
	if (d->port != NULL || d->n_candidates == 0)
		return false;
	for (size_t i = 0; i < d->n_candidates; i++) {
		const struct catalog_programmer *p = d->candidates[i].programmer;

		if (p == NULL || p->transport != CATALOG_TRANSPORT_SERIAL)
			return false;
	}
	return true;
}

static bool
mm_may_probe(const struct detect_device *d)
{
	return d->port != NULL && !d->mm_ignore && d->n_candidates > 0 &&
	       d->driver != NULL && strcmp(d->driver, "cdc_acm") == 0;
}

/* Mark the devices whose serial port this process has open. */
static void
scan_fds(const char *proc, const char *pid, const char *comm,
	 struct detect_device *devs, const struct node_id *ids, size_t n)
{
	char dirpath[PATH_MAX];
	DIR *dir;
	struct dirent *de;

	snprintf(dirpath, sizeof dirpath, "%s/%s/fd", proc, pid);
	dir = opendir(dirpath);
	if (dir == NULL)
		return;   /* another user's process: not ours to see */
	while ((de = readdir(dir)) != NULL) {
		char path[PATH_MAX], target[PATH_MAX];
		struct stat st;
		ssize_t len;

		if (!iw_proc_is_pid(de->d_name))
			continue;
		if (snprintf(path, sizeof path, "%s/%s", dirpath, de->d_name) >= (int)sizeof path)
			continue;
		/* Sockets, pipes and anon inodes have no path: skip them
		 * without a stat, which is most of a desktop's descriptors. */
		len = readlink(path, target, sizeof target - 1);
		if (len <= 0 || target[0] != '/')
			continue;
		if (stat(path, &st) != 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (!ids[i].valid || devs[i].busy ||
			    ids[i].dev != st.st_dev || ids[i].ino != st.st_ino)
				continue;
			devs[i].busy = true;
			devs[i].busy_pid = (pid_t)atol(pid);
			free(devs[i].busy_by);
			devs[i].busy_by = strdup(comm);
		}
	}
	closedir(dir);
}

static void
scan_proc(const char *proc, struct detect_device *devs, const struct node_id *ids,
	  size_t n, bool want_mm, struct holders *found)
{
	bool want_fds = false;
	char self[32];
	DIR *dir;
	struct dirent *de;

	for (size_t i = 0; i < n; i++)
		want_fds = want_fds || ids[i].valid;
	if (!want_fds && !want_mm)
		return;
	dir = opendir(proc);
	if (dir == NULL)
		return;
	snprintf(self, sizeof self, "%ld", (long)getpid());
	while ((de = readdir(dir)) != NULL) {
		char comm[64];

		if (!iw_proc_is_pid(de->d_name) || strcmp(de->d_name, self) == 0)
			continue;   /* our own descriptors are not "another program" */
		iw_proc_comm(proc, de->d_name, comm, sizeof comm);
		if (want_mm && found->mm_pid == 0 && strcmp(comm, "ModemManager") == 0)
			found->mm_pid = (pid_t)atol(de->d_name);
		if (want_fds)
			scan_fds(proc, de->d_name, comm, devs, ids, n);
	}
	closedir(dir);
}

static void
explain_busy(struct detect_device *d)
{
	if (d->busy_by != NULL && strcmp(d->busy_by, "ModemManager") == 0) {
		append_problem(d, "%s is held open by ModemManager (pid %ld), which probes "
			       "new serial ports. Wait a few seconds and look again; to stop "
			       "it for good, " UDEV_RULE_FIX " (the rule sets "
			       "ID_MM_DEVICE_IGNORE=1), or run `sudo systemctl stop ModemManager`.",
			       d->port, (long)d->busy_pid);
	} else {
		append_problem(d, "%s is held open by %s (pid %ld). Close that program (a "
			       "serial monitor, an IDE or another flasher) and try again.",
			       d->port, d->busy_by != NULL ? d->busy_by : "another program",
			       (long)d->busy_pid);
	}
}

void
detect_check_access(struct detect_device *devs, size_t n,
		    const struct detect_config *cfg)
{
	const char *proc = cfg != NULL && cfg->proc_dir != NULL ? cfg->proc_dir : "/proc";
	struct holders found = { .mm_pid = 0 };
	struct node_id *ids;
	bool want_mm = false;

	if (n == 0)
		return;
	iw_devpath_lock();
	ids = calloc(n, sizeof *ids);   /* NULL: skip the busy scan, keep the rest */
	for (size_t i = 0; i < n; i++) {
		struct detect_device *d = &devs[i];
		const char *node = d->port != NULL ? d->port : d->usb_node;
		struct stat st;

		free(d->problem);
		free(d->busy_by);
		d->problem = NULL;
		d->busy_by = NULL;
		d->busy = false;
		d->busy_pid = 0;
		d->accessible = false;
		if (wants_port(d)) {
			append_problem(d, "Recognised as %s, which works through a serial "
				       "port, but the kernel made none for it. Check that the "
				       "cdc_acm or USB-serial driver is loaded (`lsmod`), then "
				       "replug it.", d->id != NULL ? d->id : d->candidates[0].id);
		}
		if (node == NULL)
			continue;
		if (access(node, R_OK | W_OK) == 0)
			d->accessible = true;
		else
			explain_permission(d, node, errno);
		if (ids != NULL && d->port != NULL && stat(d->port, &st) == 0) {
			ids[i].valid = true;
			ids[i].dev = st.st_dev;
			ids[i].ino = st.st_ino;
		}
		want_mm = want_mm || mm_may_probe(d);
	}
	if (ids != NULL)
		scan_proc(proc, devs, ids, n, want_mm, &found);
	iw_devpath_unlock();
	for (size_t i = 0; i < n; i++) {
		struct detect_device *d = &devs[i];

		if (d->busy) {
			explain_busy(d);
		} else if (found.mm_pid != 0 && mm_may_probe(d)) {
			append_problem(d, "ModemManager (pid %ld) is running and opens new "
				       "serial ports like this one for a few seconds after they "
				       "appear, which disturbs programmers and bootloaders. "
				       "To stop that, " UDEV_RULE_FIX " (the rule sets "
				       "ID_MM_DEVICE_IGNORE=1), or run `sudo systemctl stop "
				       "ModemManager` while flashing.", (long)found.mm_pid);
		}
	}
	free(ids);
}
