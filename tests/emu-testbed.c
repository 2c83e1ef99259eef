/*
 * emu-testbed.c - the umockdev side of ispwiz-emu: USB serial devices
 * whose tty nodes are ptys this process serves, added and removed while
 * the command runs (a board that resets shows up again as a new device
 * with a new tty, as under a real kernel).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu-runner.h"

void
emurun_hangup(int master)
{
	int nul;

	if (master < 0)
		return;
	/* The testbed owns the master and closes it when it goes: put
	 * /dev/null in its place, so that the pty hangs up now (the client's
	 * next read or write gets EIO) and the later close closes nothing
	 * that matters. */
	nul = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (nul < 0 || dup2(nul, master) < 0)
		close(master);
	if (nul >= 0)
		close(nul);
}

void
emurun_testbed_root_hub(UMockdevTestbed *tb)
{
	gchar *dev = umockdev_testbed_add_device(tb, "usb", "usb1", NULL,
		"idVendor", "1d6b", "idProduct", "0002", "busnum", "1", "devnum", "1", NULL,
		"DEVTYPE", "usb_device", NULL);

	g_free(dev);
}

/* udev's by-id names: what is not a letter, digit, '.', '-' or '_'
 * becomes '_'. */
static void
id_part(char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '.' || *s == '-' || *s == '_'))
			*s = '_';
}

int
emurun_testbed_add_tty(UMockdevTestbed *tb, const struct usb_identity *u, unsigned port,
		       unsigned tty_no, const char *serial, struct emurun_tty *out)
{
	char vid[8], pid[8], usb_name[16], intf_name[24], name[16], devnum[12], dev[16];
	char mfr[64], prod[96], *tty = NULL, *usb = NULL, *intf = NULL;
	gchar *root = umockdev_testbed_get_root_dir(tb);
	GError *gerr = NULL;
	int fd, rc = -1;

	memset(out, 0, sizeof *out);
	out->master = -1;
	snprintf(vid, sizeof vid, "%04x", u->id.vid);
	snprintf(pid, sizeof pid, "%04x", u->id.pid);
	snprintf(usb_name, sizeof usb_name, "1-%u", port);
	snprintf(intf_name, sizeof intf_name, "1-%u:1.0", port);
	snprintf(name, sizeof name, "%s%u", u->ftdi ? "ttyUSB" : "ttyACM", tty_no);
	snprintf(devnum, sizeof devnum, "%u", 6 + tty_no + port);
	snprintf(dev, sizeof dev, "%s:%u", u->ftdi ? "188" : "166", tty_no);
	snprintf(mfr, sizeof mfr, "%s", u->manufacturer);
	snprintf(prod, sizeof prod, "%s", u->product);
	id_part(mfr);
	id_part(prod);
	snprintf(out->by_id, sizeof out->by_id, "%s/dev/serial/by-id/usb-%s_%s_%s-if00", root,
		 mfr, prod, serial);
	usb = umockdev_testbed_add_device(tb, "usb", usb_name, "/sys/devices/usb1",
		"idVendor", vid, "idProduct", pid, "busnum", "1", "devnum", devnum,
		"manufacturer", u->manufacturer, "product", u->product,
		"serial", serial, NULL,
		"DEVTYPE", "usb_device", "PRODUCT", "", NULL);
	if (usb == NULL)
		goto out;
	snprintf(out->usb, sizeof out->usb, "%s", usb);
	snprintf(out->intf, sizeof out->intf, "%s/%s", usb, intf_name);
	snprintf(out->tty, sizeof out->tty, "%s/%s%s%s", out->intf, u->ftdi ? name : "tty",
		 u->ftdi ? "/tty/" : "/", name);
	intf = umockdev_testbed_add_device(tb, "usb", intf_name, usb,
		"bInterfaceClass", u->ftdi ? "ff" : "02", "bInterfaceNumber", "00", NULL,
		"DEVTYPE", "usb_interface", "DRIVER", u->ftdi ? "ftdi_sio" : "cdc_acm", NULL);
	if (asprintf(&tty,
		     "P: /devices/usb1/%s/%s/%s%s%s\n"
		     "N: %s\n"
		     "E: DEVNAME=/dev/%s\n"
		     "E: SUBSYSTEM=tty\n"
		     "E: ID_BUS=usb\n"
		     "E: ID_VENDOR_ID=%s\n"
		     "E: ID_MODEL_ID=%s\n"
		     "E: ID_SERIAL_SHORT=%s\n"
		     "E: ID_USB_DRIVER=%s\n"
		     "E: DEVLINKS=%s\n"
		     "A: dev=%s\n",
		     usb_name, intf_name, u->ftdi ? name : "tty", u->ftdi ? "/tty/" : "/", name,
		     name, name,
		     vid, pid, serial, u->ftdi ? "ftdi_sio" : "cdc_acm",
		     out->by_id + strlen(root), dev) < 0)
		goto out;
	if (!umockdev_testbed_add_from_string(tb, tty, &gerr)) {
		fprintf(stderr, "ispwiz-emu: umockdev refused the tty: %s\n",
			gerr ? gerr->message : "?");
		g_clear_error(&gerr);
		goto out;
	}
	/* libserialport finds the USB device through the tty's device link */
	{
		char *sys;

		char link[48];

		snprintf(link, sizeof link, "../../../%s", u->ftdi ? name : intf_name);
		if (asprintf(&sys, "/sys/devices/usb1/%s/%s/%s%s%s", usb_name, intf_name,
			     u->ftdi ? name : "tty", u->ftdi ? "/tty/" : "/", name) >= 0) {
			umockdev_testbed_set_attribute_link(tb, sys, "device", link);
			free(sys);
		}
	}
	snprintf(out->node, sizeof out->node, "/dev/%s", name);
	fd = umockdev_testbed_get_dev_fd(tb, out->node);
	if (fd < 0) {
		fprintf(stderr, "ispwiz-emu: umockdev made no pty for %s\n", out->node);
		goto out;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	out->master = fd;
	/* A by-id link, as udev makes for USB serial devices. */
	{
		char *dir;

		if (asprintf(&dir, "%s/dev/serial", root) >= 0) {
			mkdir(dir, 0755);
			free(dir);
		}
		if (asprintf(&dir, "%s/dev/serial/by-id", root) >= 0) {
			char target[32];

			mkdir(dir, 0755);
			free(dir);
			snprintf(target, sizeof target, "../../%s", name);
			if (symlink(target, out->by_id) != 0) {
				fprintf(stderr, "ispwiz-emu: no by-id link: %s\n", strerror(errno));
				out->by_id[0] = '\0';
			}
		}
	}
	rc = 0;
out:
	free(tty);
	g_free(usb);
	g_free(intf);
	g_free(root);
	return rc;
}

/* umockdev maps each pty name to the device it emulates (dev/.ptymap) and
 * never forgets: once the pty is gone its number is reused by the next
 * openpty(), and a stale entry makes umockdev abort. */
static void
forget_pty(UMockdevTestbed *tb, const char *node)
{
	gchar *root = umockdev_testbed_get_root_dir(tb);
	char *path = NULL, *map = NULL, pty[128];
	ssize_t n;

	if (asprintf(&path, "%s%s", root, node) < 0)
		goto out;
	n = readlink(path, pty, sizeof pty - 1);
	if (n <= 0)
		goto out;
	pty[n] = '\0';
	for (char *c = pty; *c; c++)
		if (*c == '/')
			*c = '_';
	if (asprintf(&map, "%s/dev/.ptymap/%s", root, pty) >= 0)
		unlink(map);
out:
	free(path);
	free(map);
	g_free(root);
}

void
emurun_testbed_remove_tty(UMockdevTestbed *tb, struct emurun_tty *tty)
{
	if (tty->node[0] != '\0')
		forget_pty(tb, tty->node);
	emurun_hangup(tty->master);
	tty->master = -1;
	if (tty->by_id[0] != '\0')
		unlink(tty->by_id);
	tty->by_id[0] = '\0';
	/* Children first: umockdev before 0.18.4 removes one device only. */
	if (tty->usb[0] != '\0') {
		umockdev_testbed_remove_device(tb, tty->tty);
		umockdev_testbed_remove_device(tb, tty->intf);
		umockdev_testbed_remove_device(tb, tty->usb);
	}
	tty->usb[0] = '\0';
}

/* The testbed of the programmers: one device at 1-1, ttyACM0 or ttyUSB0. */
int
emurun_build_testbed(UMockdevTestbed *tb, const struct usb_identity *u, char *node,
		     size_t node_len)
{
	struct emurun_tty tty;

	emurun_testbed_root_hub(tb);
	if (emurun_testbed_add_tty(tb, u, 1, 0, "ISPWIZEMU01", &tty) != 0)
		return -1;
	snprintf(node, node_len, "%s", tty.node);
	return tty.master;
}
