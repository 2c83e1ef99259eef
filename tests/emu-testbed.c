/*
 * emu-testbed.c - the umockdev side of ispwiz-emu: a USB serial device
 * whose tty node is a pty this process serves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "emu-runner.h"


/* The testbed device: a USB device, its interface, and a tty whose node is
 * a pty.  Returns the master fd and the node path in `node`. */
int
emurun_build_testbed(UMockdevTestbed *tb, const struct usb_identity *u, char *node,
	      size_t node_len)
{
	char vid[8], pid[8], *tty, *dev, *intf, *usb;
	const char *name = u->ftdi ? "ttyUSB0" : "ttyACM0";
	GError *gerr = NULL;
	int fd;

	snprintf(vid, sizeof(vid), "%04x", u->id.vid);
	snprintf(pid, sizeof(pid), "%04x", u->id.pid);
	dev = umockdev_testbed_add_device(tb, "usb", "usb1", NULL,
		"idVendor", "1d6b", "idProduct", "0002", "busnum", "1", "devnum", "1", NULL,
		"DEVTYPE", "usb_device", NULL);
	usb = umockdev_testbed_add_device(tb, "usb", "1-1", dev,
		"idVendor", vid, "idProduct", pid, "busnum", "1", "devnum", "7",
		"manufacturer", u->manufacturer, "product", u->product,
		"serial", "ISPWIZEMU01", NULL,
		"DEVTYPE", "usb_device", "PRODUCT", "", NULL);
	intf = umockdev_testbed_add_device(tb, "usb", "1-1:1.0", usb,
		"bInterfaceClass", u->ftdi ? "ff" : "02", "bInterfaceNumber", "00", NULL,
		"DEVTYPE", "usb_interface", "DRIVER", u->ftdi ? "ftdi_sio" : "cdc_acm", NULL);
	if (asprintf(&tty,
		     "P: %s/1-1/1-1:1.0/%s%s\n"
		     "N: %s\n"
		     "E: DEVNAME=/dev/%s\n"
		     "E: SUBSYSTEM=tty\n"
		     "E: ID_BUS=usb\n"
		     "E: ID_VENDOR_ID=%s\n"
		     "E: ID_MODEL_ID=%s\n"
		     "E: ID_SERIAL_SHORT=ISPWIZEMU01\n"
		     "E: ID_USB_DRIVER=%s\n"
		     "A: dev=%s\n",
		     "/devices/usb1", u->ftdi ? "ttyUSB0/tty/" : "tty/", name, name, name,
		     vid, pid, u->ftdi ? "ftdi_sio" : "cdc_acm",
		     u->ftdi ? "188:0" : "166:0") < 0)
		return -1;
	if (!umockdev_testbed_add_from_string(tb, tty, &gerr)) {
		fprintf(stderr, "ispwiz-emu: umockdev refused the tty: %s\n",
			gerr ? gerr->message : "?");
		free(tty);
		return -1;
	}
	free(tty);
	/* libserialport finds the USB device through the tty's device link */
	{
		char *sys;

		if (asprintf(&sys, "/sys/devices/usb1/1-1/1-1:1.0/%s%s",
			     u->ftdi ? "ttyUSB0/tty/" : "tty/", name) >= 0) {
			umockdev_testbed_set_attribute_link(tb, sys, "device",
				u->ftdi ? "../../../ttyUSB0" : "../../../1-1:1.0");
			free(sys);
		}
	}
	g_free(dev);
	g_free(usb);
	g_free(intf);
	snprintf(node, node_len, "/dev/%s", name);
	fd = umockdev_testbed_get_dev_fd(tb, node);
	if (fd < 0) {
		fprintf(stderr, "ispwiz-emu: umockdev made no pty for %s\n", node);
		return -1;
	}
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* A by-id link, as udev makes for USB serial devices. */
	{
		gchar *root = umockdev_testbed_get_root_dir(tb);
		char *dir, *link, *target;

		if (asprintf(&dir, "%s/dev/serial/by-id", root) >= 0) {
			char *cmd;

			if (asprintf(&cmd, "%s/dev/serial", root) >= 0) {
				mkdir(cmd, 0755);
				free(cmd);
			}
			mkdir(dir, 0755);
			if (asprintf(&link, "%s/usb-%s_%s_ISPWIZEMU01-if00", dir,
				     u->manufacturer, u->product) >= 0) {
				for (char *c = link + strlen(dir) + 1; *c; c++)
					if (*c == ' ')
						*c = '_';
				if (asprintf(&target, "../../%s", name) >= 0) {
					if (symlink(target, link) != 0)
						fprintf(stderr, "ispwiz-emu: no by-id link: %s\n", strerror(errno));
					free(target);
				}
				free(link);
			}
			free(dir);
		}
		g_free(root);
	}
	return fd;
}
