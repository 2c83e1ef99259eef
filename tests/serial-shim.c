/*
 * serial-shim.c - a test-only LD_PRELOAD library that lets libserialport
 * (and avrdude) use an emulated serial port.
 *
 * ispwiz-emu serves an emulated programmer on a pseudo-terminal inside a
 * umockdev testbed.  A pty is almost a serial port, except that it has no
 * modem lines: TIOCMGET/TIOCMBIS/TIOCMBIC/TIOCMSET fail with ENOTTY, and
 * sp_open() gives up on that.  This library sits in LD_PRELOAD in front of
 * libumockdev-preload and answers those four ioctls itself whenever the
 * real call fails, keeping the line state per process.  Real serial ports
 * are untouched: their ioctls succeed and are passed through.
 *
 * Every change of DTR/RTS is also reported to the emulator, so it can react
 * the way a board with auto-reset does.  Environment:
 *   ISPWIZ_SHIM_EVENT_FD    a pipe (write end) inherited from ispwiz-emu;
 *                           each change is one 8-byte record (see below)
 *   ISPWIZ_SHIM_PORT        the emulated port's path (for the open faults)
 *   ISPWIZ_SHIM_OPEN_ERRNO  make open() of that path fail with this errno
 *                           (13 = EACCES, 16 = EBUSY): a port the user may
 *                           not open, or one another process holds
 *
 * Never linked into ispwiz itself.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* The record written to ISPWIZ_SHIM_EVENT_FD: magic "ML", then the new
 * TIOCM_* bits.  8 bytes are well below PIPE_BUF, so writes from several
 * processes never interleave. */
struct shim_event {
	char magic[2];
	uint16_t pad;
	uint32_t lines;
};

/* What a freshly opened port looks like: the tty layer raises DTR and RTS
 * on open, and a USB CDC device reports carrier and DSR. */
static int shim_lines = TIOCM_DTR | TIOCM_RTS | TIOCM_CTS | TIOCM_DSR | TIOCM_CAR;

/* Exported functions must have prototypes under -Wmissing-prototypes. */
int ioctl(int fd, unsigned long request, ...);
int isatty(int fd);
int open(const char *path, int flags, ...);
int open64(const char *path, int flags, ...);
int openat(int dirfd, const char *path, int flags, ...);
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);

static void
shim_report(void)
{
	const char *s = getenv("ISPWIZ_SHIM_EVENT_FD");
	struct shim_event ev = { { 'M', 'L' }, 0, (uint32_t)shim_lines };
	int fd;
	int saved = errno;

	if (!s || !*s)
		return;
	fd = atoi(s);
	if (fd < 0)
		return;
	if (write(fd, &ev, sizeof(ev)) < 0) {
		/* The emulator is gone; nothing useful to do. */
	}
	errno = saved;
}

static int
is_modem_request(unsigned long request)
{
	return request == TIOCMGET || request == TIOCMBIS ||
	       request == TIOCMBIC || request == TIOCMSET;
}

int
ioctl(int fd, unsigned long request, ...)
{
	static int (*next)(int, unsigned long, ...);
	va_list ap;
	void *arg;
	int rc;
	int *v;
	int before;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if (!next)
		next = (int (*)(int, unsigned long, ...))dlsym(RTLD_NEXT, "ioctl");
	if (!next) {
		errno = ENOSYS;
		return -1;
	}
	rc = next(fd, request, arg);
	if (rc == 0 || !is_modem_request(request) ||
	    (errno != ENOTTY && errno != EINVAL) || !isatty(fd) || !arg)
		return rc;

	/* A pty: answer for the missing modem lines. */
	v = arg;
	before = shim_lines;
	switch (request) {
	case TIOCMGET:
		*v = shim_lines;
		return 0;
	case TIOCMBIS:
		shim_lines |= *v;
		break;
	case TIOCMBIC:
		shim_lines &= ~*v;
		break;
	case TIOCMSET:
		shim_lines = *v;
		break;
	}
	if ((before ^ shim_lines) & (TIOCM_DTR | TIOCM_RTS))
		shim_report();
	errno = 0;
	return 0;
}

/* umockdev's isatty() says no for the pty behind an emulated tty node, and
 * avrdude refuses a port that is not a tty.  Whatever answers the terminal
 * ioctls is a tty. */
int
isatty(int fd)
{
	static int (*next)(int);
	struct termios tio;
	int saved = errno;

	if (!next)
		next = (int (*)(int))dlsym(RTLD_NEXT, "isatty");
	if (next && next(fd))
		return 1;
	if (tcgetattr(fd, &tio) == 0) {
		errno = saved;
		return 1;
	}
	return 0;
}

/* True when `path` names the emulated port and an open fault is set. */
static int
shim_open_fault(const char *path)
{
	const char *port = getenv("ISPWIZ_SHIM_PORT");
	const char *e = getenv("ISPWIZ_SHIM_OPEN_ERRNO");
	struct stat a, b;
	int saved = errno;
	int hit;

	if (!port || !e || !*e || !path)
		return 0;
	if (strcmp(path, port) == 0)
		return atoi(e);
	/* /dev/serial/by-id links and the like: the same node is the same
	 * port (realpath() is avoided: umockdev's wrapper of it is fragile). */
	hit = stat(path, &a) == 0 && stat(port, &b) == 0 &&
	      a.st_dev == b.st_dev && a.st_ino == b.st_ino;
	errno = saved;
	return hit ? atoi(e) : 0;
}

static mode_t
shim_mode(int flags, va_list ap)
{
	if (flags & (O_CREAT | O_TMPFILE))
		return (mode_t)va_arg(ap, int);
	return 0;
}

int
open(const char *path, int flags, ...)
{
	static int (*next)(const char *, int, ...);
	va_list ap;
	mode_t mode;
	int e = shim_open_fault(path);

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (e > 0) {
		errno = e;
		return -1;
	}
	if (!next)
		next = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return next(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	static int (*next)(const char *, int, ...);
	va_list ap;
	mode_t mode;
	int e = shim_open_fault(path);

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (e > 0) {
		errno = e;
		return -1;
	}
	if (!next)
		next = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");
	return next(path, flags, mode);
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	static int (*next)(int, const char *, int, ...);
	va_list ap;
	mode_t mode;
	int e = shim_open_fault(path);

	va_start(ap, flags);
	mode = shim_mode(flags, ap);
	va_end(ap);
	if (e > 0) {
		errno = e;
		return -1;
	}
	if (!next)
		next = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	return next(dirfd, path, flags, mode);
}

/* What _FORTIFY_SOURCE turns a two-argument open() into. */
int
__open_2(const char *path, int flags)
{
	static int (*next)(const char *, int);
	int e = shim_open_fault(path);

	if (e > 0) {
		errno = e;
		return -1;
	}
	if (!next)
		next = (int (*)(const char *, int))dlsym(RTLD_NEXT, "__open_2");
	return next(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	static int (*next)(const char *, int);
	int e = shim_open_fault(path);

	if (e > 0) {
		errno = e;
		return -1;
	}
	if (!next)
		next = (int (*)(const char *, int))dlsym(RTLD_NEXT, "__open64_2");
	return next(path, flags);
}
