/*
 * serial.c - libserialport behind the small interface of serial.h, with
 * its errors turned into messages a user can act on.
 */
#include "prog/serial.h"
#include "core/clock.h"
#include "core/devpath-lock.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libserialport.h>

struct serial_port {
	struct sp_port *port;
	char *name;                  /* as given */
	char *device;                /* after resolving links */
	int fd;
	unsigned baud;
};


const char *
serial_hex(const uint8_t *b, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (used + 8 > size) {
			snprintf(buf + used, size - used, " ...");
			break;
		}
		used += (size_t)snprintf(buf + used, size - used, "%s%02X", i ? " " : "", b[i]);
	}
	return buf;
}

/* Ports that exist now, for messages: "/dev/ttyACM0 (16C0:0483), ..." or
 * "none". */
static void
list_ports(char *buf, size_t size)
{
	struct sp_port **list = NULL;
	size_t used = 0;

	if (!size)
		return;
	buf[0] = '\0';
	if (sp_list_ports(&list) != SP_OK || !list || !list[0]) {
		snprintf(buf, size, "none (is the programmer plugged in?)");
		if (list)
			sp_free_port_list(list);
		return;
	}
	for (size_t i = 0; list[i] && used < size; i++) {
		int vid = 0, pid = 0;
		int n;

		if (sp_get_port_transport(list[i]) == SP_TRANSPORT_USB &&
		    sp_get_port_usb_vid_pid(list[i], &vid, &pid) == SP_OK)
			n = snprintf(buf + used, size - used, "%s%s (%04X:%04X)",
				     i ? ", " : "", sp_get_port_name(list[i]), vid, pid);
		else
			n = snprintf(buf + used, size - used, "%s%s",
				     i ? ", " : "", sp_get_port_name(list[i]));
		if (n < 0)
			break;
		used += (size_t)n;
	}
	sp_free_port_list(list);
}

/* Best effort: which process has `device` open ("1234 (ModemManager)").
 * Empty when none is found or /proc is not readable for other users. */
static void
find_holder(const char *device, char *buf, size_t size)
{
	struct stat want;
	DIR *proc;
	struct dirent *de;

	buf[0] = '\0';
	if (stat(device, &want) != 0 || !S_ISCHR(want.st_mode))
		return;
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((de = readdir(proc)) != NULL && !buf[0]) {
		char path[PATH_MAX];
		DIR *fds;
		struct dirent *fe;
		long pid = strtol(de->d_name, NULL, 10);

		if (pid <= 0 || pid == (long)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
		fds = opendir(path);
		if (!fds)
			continue;
		while ((fe = readdir(fds)) != NULL) {
			char fdpath[PATH_MAX + 300];
			struct stat st;

			snprintf(fdpath, sizeof(fdpath), "%s/%s", path, fe->d_name);
			if (stat(fdpath, &st) == 0 && S_ISCHR(st.st_mode) &&
			    st.st_rdev == want.st_rdev) {
				char comm[64] = "?";
				FILE *f;

				snprintf(fdpath, sizeof(fdpath), "/proc/%ld/comm", pid);
				f = fopen(fdpath, "r");
				if (f) {
					if (fgets(comm, sizeof(comm), f))
						comm[strcspn(comm, "\n")] = '\0';
					fclose(f);
				}
				snprintf(buf, size, "%ld (%s)", pid, comm);
				break;
			}
		}
		closedir(fds);
	}
	closedir(proc);
}

static void
usb_rule(const struct sp_port *port, char *buf, size_t size)
{
	int vid, pid;

	if (port && sp_get_port_transport((struct sp_port *)port) == SP_TRANSPORT_USB &&
	    sp_get_port_usb_vid_pid((struct sp_port *)port, &vid, &pid) == SP_OK)
		snprintf(buf, size,
			 "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"%04x\", "
			 "ATTRS{idProduct}==\"%04x\", MODE=\"0660\", GROUP=\"dialout\", "
			 "TAG+=\"uaccess\", ENV{ID_MM_DEVICE_IGNORE}=\"1\"", vid, pid);
	else
		snprintf(buf, size,
			 "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"VVVV\", "
			 "ATTRS{idProduct}==\"PPPP\", MODE=\"0660\", GROUP=\"dialout\", "
			 "TAG+=\"uaccess\", ENV{ID_MM_DEVICE_IGNORE}=\"1\"");
}

/* The errno of a failed open, as a message with the remedy. */
static enum iw_status
open_error(const char *name, const char *device, const struct sp_port *port,
	   int e, struct iw_error *err)
{
	char extra[1024];

	switch (e) {
	case EACCES:
	case EPERM:
		usb_rule(port, extra, sizeof(extra));
		return iw_error_set(err, IW_NO_PROGRAMMER,
			"cannot open %s: permission denied. Serial ports belong to the "
			"'dialout' group: run `sudo usermod -aG dialout $USER` and log "
			"out and in again, or give the programmer a udev rule in "
			"/etc/udev/rules.d/60-ispwiz.rules:\n  %s\nthen run "
			"`sudo udevadm control --reload` and plug it in again",
			name, extra);
	case EBUSY:
		find_holder(device, extra, sizeof(extra));
		return iw_error_set(err, IW_NO_PROGRAMMER,
			"cannot open %s: the port is busy, held by %s. "
			"ModemManager is the usual culprit: it probes every new USB "
			"serial port for a modem for several seconds. Wait and retry, "
			"or stop it with `sudo systemctl stop ModemManager`, or keep it "
			"away from the programmer for good with a udev rule that sets "
			"ENV{ID_MM_DEVICE_IGNORE}=\"1\"; also close any serial monitor "
			"(Arduino IDE, screen, minicom) that has the port open",
			name, extra[0] ? extra : "another process");
	case ENOENT:
	case ENODEV:
	case ENXIO:
		list_ports(extra, sizeof(extra));
		return iw_error_set(err, IW_NO_PROGRAMMER,
			"cannot open %s: no such port. Serial ports present now: %s. "
			"Check the cable and pass the right one with --port",
			name, extra);
	case EIO:
		return iw_error_set(err, IW_NO_PROGRAMMER,
			"cannot open %s: input/output error: the device went away "
			"(unplugged, or it reset while opening). Plug it in again and retry",
			name);
	default:
		return iw_error_set(err, IW_NO_PROGRAMMER, "cannot open %s: %s",
				    name, strerror(e));
	}
}

/* Follow symbolic links (/dev/serial/by-id/...) to the tty itself.  Done
 * by hand rather than with realpath(): only the links matter here, and the
 * test environment's realpath() interposer mishandles caller buffers. */
static int
resolve_links(const char *name, char *out, size_t size)
{
	char cur[PATH_MAX], link[PATH_MAX];

	if (strlen(name) >= sizeof(cur))
		return ENAMETOOLONG;
	strcpy(cur, name);
	for (int depth = 0; depth < 16; depth++) {
		struct stat st;
		ssize_t n;

		if (lstat(cur, &st) != 0)
			return errno;
		if (!S_ISLNK(st.st_mode)) {
			if (strlen(cur) >= size)
				return ENAMETOOLONG;
			strcpy(out, cur);
			return 0;
		}
		n = readlink(cur, link, sizeof(link) - 1);
		if (n < 0)
			return errno;
		link[n] = '\0';
		if (link[0] == '/') {
			strcpy(cur, link);
		} else {
			char *slash = strrchr(cur, '/');
			size_t dir = slash ? (size_t)(slash - cur) + 1 : 0;

			if (dir + (size_t)n >= sizeof(cur))
				return ENAMETOOLONG;
			memcpy(cur + dir, link, (size_t)n + 1);
		}
	}
	return ELOOP;
}

/* "/dev/serial/by-id/../../ttyACM0" -> "/dev/ttyACM0": libserialport finds
 * the port's sysfs entry from the name, so it must be the plain one. */
static void
normalize_path(char *path)
{
	char *out = path, *in = path;

	if (*in != '/')
		return;
	while (*in) {
		while (*in == '/')
			in++;
		if (!*in)
			break;
		if (in[0] == '.' && (in[1] == '/' || !in[1])) {
			in++;
		} else if (in[0] == '.' && in[1] == '.' && (in[2] == '/' || !in[2])) {
			in += 2;
			while (out > path && *--out != '/')
				;
		} else {
			*out++ = '/';
			while (*in && *in != '/')
				*out++ = *in++;
		}
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

static enum iw_status
sp_fail(struct serial_port *sp, const char *what, struct iw_error *err)
{
	int e = sp_last_error_code();

	if (e == EIO || e == ENXIO || e == ENODEV)
		return iw_error_set(err, IW_NO_PROGRAMMER,
			"%s %s: the port vanished (input/output error): the programmer "
			"was unplugged or reset. Plug it in again and retry",
			what, sp->name);
	return iw_error_set(err, IW_IO, "%s %s: %s", what, sp->name,
			    e ? strerror(e) : "libserialport error");
}



enum iw_status
serial_set_lines(struct serial_port *sp, bool dtr, bool rts,
		 struct iw_error *err)
{
	if (sp_set_dtr(sp->port, dtr ? SP_DTR_ON : SP_DTR_OFF) != SP_OK ||
	    sp_set_rts(sp->port, rts ? SP_RTS_ON : SP_RTS_OFF) != SP_OK)
		return sp_fail(sp, "setting DTR/RTS of", err);
	return IW_OK;
}

/* Look the port up and open it: under the device-path lock, which the
 * caller holds (so does open_error's scan of who holds the port). */
static enum iw_status
find_and_open(struct serial_port *sp, const char *name, const char *resolved,
	      struct iw_error *err)
{
	sp->device = strdup(resolved);
	if (!sp->name || !sp->device)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	if (sp_get_port_by_name(sp->device, &sp->port) != SP_OK)
		return open_error(name, sp->device, NULL, ENOENT, err);
	if (sp_open(sp->port, SP_MODE_READ_WRITE) != SP_OK) {
		int e = sp_last_error_code();
		enum iw_status st = open_error(name, sp->device, sp->port, e ? e : EIO, err);

		sp_free_port(sp->port);
		sp->port = NULL;
		return st;
	}
	return IW_OK;
}

enum iw_status
serial_open(struct serial_port **out, const char *name, unsigned baud,
	    struct iw_error *err)
{
	struct serial_port *sp;
	char resolved[PATH_MAX];
	struct sp_port_config *cfg = NULL;
	enum iw_status st;

	*out = NULL;
	if (!name || !*name)
		return iw_error_set(err, IW_USAGE,
				    "no serial port given: name it with --port (e.g. /dev/ttyACM0)");
	if (!baud)
		return iw_error_set(err, IW_USAGE, "%s: no baud rate given", name);
	sp = calloc(1, sizeof(*sp));
	if (!sp)
		return iw_error_set(err, IW_NOMEM, "out of memory");
	sp->fd = -1;
	sp->baud = baud;
	sp->name = strdup(name);
	/* /dev/serial/by-id/... is a link; libserialport wants the tty. */
	iw_devpath_lock();
	{
		int e = resolve_links(name, resolved, sizeof(resolved));

		if (e) {
			st = open_error(name, name, NULL, e == ENOTDIR ? ENOENT : e, err);
		} else {
			normalize_path(resolved);
			st = find_and_open(sp, name, resolved, err);
		}
	}
	iw_devpath_unlock();
	if (st != IW_OK)
		goto fail;
	if (sp_new_config(&cfg) != SP_OK) {
		st = iw_error_set(err, IW_NOMEM, "out of memory");
		goto fail;
	}
	if (sp_set_config_baudrate(cfg, (int)baud) != SP_OK ||
	    sp_set_config_bits(cfg, 8) != SP_OK ||
	    sp_set_config_parity(cfg, SP_PARITY_NONE) != SP_OK ||
	    sp_set_config_stopbits(cfg, 1) != SP_OK ||
	    sp_set_config_flowcontrol(cfg, SP_FLOWCONTROL_NONE) != SP_OK ||
	    sp_set_config_dtr(cfg, SP_DTR_ON) != SP_OK ||
	    sp_set_config_rts(cfg, SP_RTS_ON) != SP_OK ||
	    sp_set_config(sp->port, cfg) != SP_OK) {
		st = sp_fail(sp, "configuring", err);
		goto fail;
	}
	sp_free_config(cfg);
	cfg = NULL;
	if (sp_get_port_handle(sp->port, &sp->fd) != SP_OK) {
		st = sp_fail(sp, "opening", err);
		goto fail;
	}
	*out = sp;
	return IW_OK;
fail:
	if (cfg)
		sp_free_config(cfg);
	serial_close(sp);
	return st;
}

void
serial_close(struct serial_port *sp)
{
	if (!sp)
		return;
	if (sp->port) {
		sp_close(sp->port);
		sp_free_port(sp->port);
	}
	free(sp->name);
	free(sp->device);
	free(sp);
}

const char *
serial_name(const struct serial_port *sp)
{
	return sp->name;
}

unsigned
serial_wire_ms(const struct serial_port *sp, size_t bytes)
{
	/* 8N1: ten bits a byte */
	return (unsigned)(bytes * 10u * 1000u / sp->baud) + 1u;
}



static enum iw_status
vanished(struct serial_port *sp, struct iw_error *err)
{
	return iw_error_set(err, IW_NO_PROGRAMMER,
		"%s: the port vanished (input/output error): the programmer was "
		"unplugged or reset. Plug it in again and retry", sp->name);
}

enum iw_status
serial_write(struct serial_port *sp, const void *buf, size_t len,
	     unsigned timeout_ms, struct iw_error *err)
{
	const uint8_t *p = buf;
	uint64_t deadline = iw_clock_ms() + timeout_ms;

	while (len) {
		struct pollfd pfd = { sp->fd, POLLOUT, 0 };
		uint64_t now = iw_clock_ms();
		int r;
		enum sp_return n;

		if (now >= deadline)
			return iw_error_set(err, IW_TIMEOUT,
				"%s: writing to the programmer timed out after %u ms "
				"(%zu bytes not sent)", sp->name, timeout_ms, len);
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return iw_error_set(err, IW_IO, "%s: poll: %s", sp->name, strerror(errno));
		if (pfd.revents & (POLLHUP | POLLERR | POLLNVAL))
			return vanished(sp, err);
		if (!(pfd.revents & POLLOUT))
			continue;
		n = sp_nonblocking_write(sp->port, p, len);
		if (n < 0)
			return sp_fail(sp, "writing to", err);
		p += n;
		len -= (size_t)n;
	}
	return IW_OK;
}

enum iw_status
serial_read(struct serial_port *sp, void *buf, size_t len, unsigned timeout_ms,
	    size_t *got, struct iw_error *err)
{
	uint8_t *p = buf;
	size_t done = 0;
	uint64_t deadline = iw_clock_ms() + timeout_ms;

	if (got)
		*got = 0;
	while (done < len) {
		struct pollfd pfd = { sp->fd, POLLIN, 0 };
		uint64_t now = iw_clock_ms();
		int r;
		enum sp_return n;

		if (now >= deadline)
			return iw_error_set(err, IW_TIMEOUT,
				"%s: no answer from the programmer within %u ms "
				"(%zu of %zu bytes arrived)", sp->name, timeout_ms, done, len);
		r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return iw_error_set(err, IW_IO, "%s: poll: %s", sp->name, strerror(errno));
		if (!r)
			continue;
		if (!(pfd.revents & POLLIN) && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)))
			return vanished(sp, err);
		n = sp_nonblocking_read(sp->port, p + done, len - done);
		if (n < 0)
			return sp_fail(sp, "reading from", err);
		if (n == 0) {
			/* readable but nothing there: end of file, hung up */
			return vanished(sp, err);
		}
		done += (size_t)n;
		if (got)
			*got = done;
	}
	return IW_OK;
}

enum iw_status
serial_drain(struct serial_port *sp, unsigned quiet_ms, unsigned max_ms,
	     size_t *dropped, struct iw_error *err)
{
	uint64_t deadline = iw_clock_ms() + max_ms;
	size_t total = 0;

	if (dropped)
		*dropped = 0;
	sp_flush(sp->port, SP_BUF_INPUT);
	for (;;) {
		uint8_t junk[256];
		struct pollfd pfd = { sp->fd, POLLIN, 0 };
		uint64_t now = iw_clock_ms();
		int wait = (int)quiet_ms;
		int r;
		enum sp_return n;

		if (now >= deadline)
			break;
		if (now + (uint64_t)wait > deadline)
			wait = (int)(deadline - now);
		r = poll(&pfd, 1, wait);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;                /* quiet: done */
		if (!(pfd.revents & POLLIN))
			return vanished(sp, err);
		n = sp_nonblocking_read(sp->port, junk, sizeof(junk));
		if (n < 0)
			return sp_fail(sp, "reading from", err);
		if (n == 0)
			return vanished(sp, err);
		total += (size_t)n;
	}
	if (dropped)
		*dropped = total;
	return IW_OK;
}
