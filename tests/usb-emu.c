/*
 * usb-emu.c - an emulated USB device (a programmer, or the HalfKay
 * bootloader) inside a umockdev testbed: sysfs entry, usbfs node, and the
 * ioctl handler that answers for the device and for the kernel around it
 * (the interface's driver: usbhid on a HID, which a client must detach
 * before it may claim the interface and send it class requests).  The
 * transfers themselves are in usb-emu-xfer.c.
 */
#include "usb-emu-int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <linux/usbdevice_fs.h>
#include "core/clock.h"

/* --- the interface and its driver ---------------------------------------------- */

static guint32
arg_u32(UMockdevIoctlData *arg, bool *ok)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
	guint32 v;

	*ok = d != NULL;
	if (d == NULL)
		return 0;
	memcpy(&v, d->data, sizeof v);
	umockdev_ioctl_data_unref(d);
	return v;
}

static int
claim(struct usb_emu_port *p, UMockdevIoctlClient *c, guint32 ifno)
{
	if (ifno != 0)
		return -EINVAL;
	if (p->claimed_by == c)
		return 0;
	if (p->claimed_by != NULL || p->kdriver != NULL)
		return -EBUSY;             /* usbhid (or another process) has it */
	p->claimed_by = c;
	return 0;
}

/* USBDEVFS_GETDRIVER: the driver bound to the interface ("usbfs" while a
 * process holds it), ENODATA when none. */
static int
get_driver(struct usb_emu_port *p, UMockdevIoctlData *arg, bool *ok)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0,
		sizeof(struct usbdevfs_getdriver), NULL);
	struct usbdevfs_getdriver gd;
	const char *name = p->claimed_by != NULL ? "usbfs" : p->kdriver;

	*ok = d != NULL;
	if (d == NULL)
		return 0;
	memcpy(&gd, d->data, sizeof gd);
	if (gd.interface != 0 || name == NULL) {
		umockdev_ioctl_data_unref(d);
		return gd.interface != 0 ? -EINVAL : -ENODATA;
	}
	snprintf(gd.driver, sizeof gd.driver, "%s", name);
	umockdev_ioctl_data_update(d, 0, (guint8 *)&gd, (gint)sizeof gd);
	umockdev_ioctl_data_unref(d);
	return 0;
}

/* USBDEVFS_IOCTL: DISCONNECT unbinds whatever driver has the interface,
 * CONNECT lets the kernel bind its own again (when nothing holds it). */
static int
interface_ioctl(struct usb_emu_port *p, UMockdevIoctlData *arg, bool *ok)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0,
		sizeof(struct usbdevfs_ioctl), NULL);
	struct usbdevfs_ioctl io;

	*ok = d != NULL;
	if (d == NULL)
		return 0;
	memcpy(&io, d->data, sizeof io);
	umockdev_ioctl_data_unref(d);
	if (io.ifno != 0)
		return -EINVAL;
	switch (io.ioctl_code) {
	case USBDEVFS_DISCONNECT:
		if (p->kdriver == NULL && p->claimed_by == NULL)
			return -ENODATA;
		p->kdriver = NULL;
		p->claimed_by = NULL;
		return 0;
	case USBDEVFS_CONNECT:
		if (p->claimed_by != NULL)
			return -EBUSY;
		p->kdriver = p->dev.interface_driver;
		return 0;
	default:
		return -ENOTTY;
	}
}

/* USBDEVFS_DISCONNECT_CLAIM, as libusb-1.0's auto-detach uses it. */
static int
disconnect_claim(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg,
		 bool *ok)
{
	UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0,
		sizeof(struct usbdevfs_disconnect_claim), NULL);
	struct usbdevfs_disconnect_claim dc;
	bool same;

	*ok = d != NULL;
	if (d == NULL)
		return 0;
	memcpy(&dc, d->data, sizeof dc);
	umockdev_ioctl_data_unref(d);
	dc.driver[sizeof dc.driver - 1] = '\0';
	if (dc.interface != 0)
		return -EINVAL;
	if (p->kdriver != NULL) {
		same = strcmp(dc.driver, p->kdriver) == 0;
		if (((dc.flags & USBDEVFS_DISCONNECT_CLAIM_IF_DRIVER) != 0 && !same) ||
		    ((dc.flags & USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER) != 0 && same))
			return -EBUSY;
		p->kdriver = NULL;
	}
	return claim(p, c, 0);
}

static void
complete_rc(struct usb_emu_port *p, UMockdevIoctlClient *c, int rc)
{
	if (p->removed)
		rc = -ENODEV;
	umockdev_ioctl_client_complete(c, rc < 0 ? -1 : rc, rc < 0 ? -rc : 0);
}

static gboolean
on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *c, gpointer user)
{
	struct usb_emu_port *p = user;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);
	gulong request = umockdev_ioctl_client_get_request(c);
	gboolean handled = TRUE;
	bool ok = true;
	int rc;

	(void)handler;
	pthread_mutex_lock(&p->lock);
	switch (request) {
	case USBDEVFS_SUBMITURB:
		handled = usb_emu_submit_urb(p, c, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		handled = usb_emu_reap_urb(p, c, arg);
		break;
	case USBDEVFS_DISCARDURB:
		handled = usb_emu_discard_urb(p, c, arg);
		break;
	case USBDEVFS_CONTROL:
		handled = usb_emu_sync_control(p, c, arg);
		break;
	case USBDEVFS_GET_CAPABILITIES: {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);

		if (d == NULL) {
			handled = FALSE;
			break;
		}
		*(guint32 *)d->data = USBDEVFS_CAP_REAP_AFTER_DISCONNECT;
		umockdev_ioctl_data_unref(d);
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case USBDEVFS_CONNECTINFO: {
		UMockdevIoctlData *d = umockdev_ioctl_data_resolve(arg, 0,
			sizeof(struct usbdevfs_connectinfo), NULL);
		struct usbdevfs_connectinfo *ci;

		if (d == NULL) {
			handled = FALSE;
			break;
		}
		ci = (struct usbdevfs_connectinfo *)d->data;
		ci->devnum = p->opts.devnum;
		ci->slow = p->dev.full_speed ? 0 : 1;
		umockdev_ioctl_data_unref(d);
		umockdev_ioctl_client_complete(c, 0, 0);
		break;
	}
	case USBDEVFS_GET_SPEED:
		complete_rc(p, c, p->dev.full_speed ? USB_SPEED_FULL : USB_SPEED_LOW);
		break;
	/* The interface's driver: none on a vendor-class programmer, usbhid
	 * on a HID until a client detaches it. */
	case USBDEVFS_GETDRIVER:
		rc = get_driver(p, arg, &ok);
		if ((handled = ok))
			complete_rc(p, c, rc);
		break;
	case USBDEVFS_IOCTL:
		rc = interface_ioctl(p, arg, &ok);
		if ((handled = ok))
			complete_rc(p, c, rc);
		break;
	case USBDEVFS_DISCONNECT_CLAIM:
		rc = disconnect_claim(p, c, arg, &ok);
		if ((handled = ok))
			complete_rc(p, c, rc);
		break;
	case USBDEVFS_CLAIMINTERFACE:
		rc = claim(p, c, arg_u32(arg, &ok));
		if ((handled = ok))
			complete_rc(p, c, rc);
		break;
	case USBDEVFS_RELEASEINTERFACE:
		rc = arg_u32(arg, &ok) != 0 || p->claimed_by != c ? -EINVAL : 0;
		if (rc == 0)
			p->claimed_by = NULL;
		if ((handled = ok))
			complete_rc(p, c, rc);
		break;
	case USBDEVFS_SETCONFIGURATION:
	case USBDEVFS_SETINTERFACE:
	case USBDEVFS_CLEAR_HALT:
	case USBDEVFS_RESETEP:
	case USBDEVFS_RESET:
		umockdev_ioctl_client_complete(c, p->removed ? -1 : 0, p->removed ? ENODEV : 0);
		break;
	default:
		handled = FALSE;
		break;
	}
	pthread_mutex_unlock(&p->lock);
	return handled;
}

static struct client_pos *
client_slot(struct usb_emu_port *p, UMockdevIoctlClient *c, bool create)
{
	for (size_t i = 0; i < USB_EMU_MAX_CLIENTS; i++)
		if (p->clients[i].client == c)
			return &p->clients[i];
	if (!create)
		return NULL;
	for (size_t i = 0; i < USB_EMU_MAX_CLIENTS; i++)
		if (p->clients[i].client == NULL) {
			p->clients[i].client = c;
			p->clients[i].read_pos = 0;
			return &p->clients[i];
		}
	return NULL;
}

/* read() of a usbfs node gives the descriptors, from the file position. */
static gboolean
on_read(UMockdevIoctlBase *handler, UMockdevIoctlClient *c, gpointer user)
{
	struct usb_emu_port *p = user;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);
	struct client_pos *pos;
	uint8_t desc[64];
	size_t total, n = 0;

	(void)handler;
	pthread_mutex_lock(&p->lock);
	total = p->dev.descriptors(p->dev.dev, desc, sizeof desc);
	pos = client_slot(p, c, true);
	if (pos != NULL && pos->read_pos < total) {
		n = total - pos->read_pos;
		if (n > (size_t)arg->data_len)
			n = (size_t)arg->data_len;
		umockdev_ioctl_data_update(arg, 0, desc + pos->read_pos, (gint)n);
		pos->read_pos += n;
	}
	pthread_mutex_unlock(&p->lock);
	umockdev_ioctl_client_complete(c, (glong)n, 0);
	return TRUE;
}

static void
on_connected(UMockdevIoctlBase *handler, UMockdevIoctlClient *c, gpointer user)
{
	struct usb_emu_port *p = user;
	struct client_pos *pos;

	(void)handler;
	pthread_mutex_lock(&p->lock);
	if ((pos = client_slot(p, c, true)) != NULL)
		pos->read_pos = 0;
	pthread_mutex_unlock(&p->lock);
}

static void
on_vanished(UMockdevIoctlBase *handler, UMockdevIoctlClient *c, gpointer user)
{
	struct usb_emu_port *p = user;
	struct client_pos *pos;

	(void)handler;
	pthread_mutex_lock(&p->lock);
	if ((pos = client_slot(p, c, false)) != NULL)
		pos->client = NULL;
	usb_emu_drop_urbs(p, c);
	/* Closing the node releases what it claimed. */
	if (p->claimed_by == c)
		p->claimed_by = NULL;
	pthread_mutex_unlock(&p->lock);
}

/* --- sysfs --------------------------------------------------------------------- */

void
usb_emu_add_root_hub(UMockdevTestbed *tb, unsigned busnum)
{
	/* An xHCI root hub, USB 2.0; its descriptors as the kernel shows them. */
	static const char hub_desc[] =
		"12010002090001406B1D020006060302010109021900010100E0000904000001090000000705810304000C";
	char *sys = umockdev_testbed_get_sys_dir(tb), path[512], *text;

	snprintf(path, sizeof path, "%s/devices/pci0000:00/0000:00:14.0/usb%u", sys, busnum);
	g_free(sys);
	if (g_file_test(path, G_FILE_TEST_EXISTS))
		return;
	text = g_strdup_printf(
		"P: /devices/pci0000:00/0000:00:14.0/usb%u\n"
		"N: bus/usb/%03u/001\n"
		"E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
		"E: BUSNUM=%03u\nE: DEVNUM=001\nE: DEVNAME=/dev/bus/usb/%03u/001\n"
		"A: idVendor=1d6b\nA: idProduct=0002\nA: bDeviceClass=09\n"
		"A: busnum=%u\nA: devnum=1\nA: speed=480\nA: bConfigurationValue=1\n"
		"A: manufacturer=Linux xhci-hcd\nA: product=xHCI Host Controller\n"
		"H: descriptors=%s\n",
		busnum, busnum, busnum, busnum, busnum, hub_desc);
	umockdev_testbed_add_from_string(tb, text, NULL);
	g_free(text);
}

static void
append_hex(GString *s, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		g_string_append_printf(s, "%02X", b[i]);
}

/* --- a programmer or bootloader of emu-usb.c as a device -------------------------- */

static void
prog_control(void *dev, const uint8_t setup[8], uint8_t *data, size_t len, uint64_t now_us,
	     struct emu_usb_reply *r)
{
	emu_usb_control(dev, setup, data, len, now_us, r);
}

static size_t
prog_descriptors(const void *dev, uint8_t *buf, size_t size)
{
	return emu_usb_descriptors(dev, buf, size);
}

static void
prog_set_timing(void *dev, bool device_time_slept)
{
	emu_usb_set_timing(dev, device_time_slept);
}

static bool
prog_leaving(const void *dev, uint64_t now_us)
{
	return emu_usb_unplugged(dev) && now_us >= emu_usb_leaves_at(dev);
}

struct usb_emu_port *
usb_emu_plug(UMockdevTestbed *tb, struct emu_usb *emu,
	     const struct usb_emu_plug_options *opts, struct iw_error *err)
{
	struct usb_emu_device d = {
		.dev = emu,
		.control = prog_control,
		.descriptors = prog_descriptors,
		.set_timing = prog_set_timing,
		.leaving = prog_leaving,
		.vid = emu_usb_vid(emu),
		.pid = emu_usb_pid(emu),
		.bcd_device = emu_usb_bcd_device(emu),
		.manufacturer = emu_usb_manufacturer(emu),
		.product = emu_usb_product(emu),
		.serial = emu_usb_serial(emu),
		.full_speed = emu_usb_full_speed(emu),
		.interface_driver = emu_usb_interface_driver(emu),
	};

	return usb_emu_plug_device(tb, &d, opts, err);
}

static const char *
keep_string(char *dst, const char *s)
{
	if (s == NULL)
		return NULL;
	snprintf(dst, USB_EMU_STRING_MAX, "%s", s);
	return dst;
}

struct usb_emu_port *
usb_emu_plug_device(UMockdevTestbed *tb, const struct usb_emu_device *dev,
		    const struct usb_emu_plug_options *opts, struct iw_error *err)
{
	struct usb_emu_port *p = calloc(1, sizeof *p);
	const char *mfr, *prod, *serial;
	uint8_t desc[64];
	size_t n;
	GString *s;
	GError *gerr = NULL;
	gboolean ok;

	if (p == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory plugging in the emulator");
		return NULL;
	}
	p->tb = tb;
	p->dev = *dev;
	mfr = p->dev.manufacturer = keep_string(p->manufacturer, dev->manufacturer);
	prod = p->dev.product = keep_string(p->product, dev->product);
	serial = p->dev.serial = keep_string(p->serial, dev->serial);
	if (opts != NULL)
		p->opts = *opts;
	if (p->opts.busnum == 0)
		p->opts.busnum = 1;
	if (p->opts.port == 0)
		p->opts.port = 2;
	if (p->opts.devnum == 0)
		p->opts.devnum = p->opts.port + 1;
	pthread_mutex_init(&p->lock, NULL);
	p->kdriver = p->dev.interface_driver;
	if (p->opts.held) {
		/* Another program (PJRC's own loader, say) has detached the
		 * driver and holds the interface. */
		p->kdriver = NULL;
		p->claimed_by = (UMockdevIoctlClient *)(void *)&p->other;
	}
	/* With the timing model each transfer lasts as long as the firmware
	 * worked on it (model_delay()). */
	p->dev.set_timing(p->dev.dev, p->opts.latency_us > 0);
	snprintf(p->node, sizeof p->node, "/dev/bus/usb/%03u/%03u", p->opts.busnum,
		 p->opts.devnum);
	snprintf(p->bus_path, sizeof p->bus_path, "%u-%u", p->opts.busnum, p->opts.port);
	snprintf(p->syspath, sizeof p->syspath, "/sys/devices/pci0000:00/0000:00:14.0/usb%u/%s",
		 p->opts.busnum, p->bus_path);

	usb_emu_add_root_hub(tb, p->opts.busnum);
	p->handler = umockdev_ioctl_base_new();
	g_signal_connect(p->handler, "handle-ioctl", G_CALLBACK(on_ioctl), p);
	g_signal_connect(p->handler, "handle-read", G_CALLBACK(on_read), p);
	g_signal_connect(p->handler, "client-connected", G_CALLBACK(on_connected), p);
	g_signal_connect(p->handler, "client-vanished", G_CALLBACK(on_vanished), p);
	/* The handler first, so the node answers as soon as it exists. */
	if (!umockdev_testbed_attach_ioctl(tb, p->node, p->handler, &gerr)) {
		iw_error_set(err, IW_IO, "umockdev cannot serve %s: %s", p->node,
			     gerr != NULL ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		goto fail;
	}

	s = g_string_new(NULL);
	g_string_append_printf(s, "P: /devices/pci0000:00/0000:00:14.0/usb%u/%s\n",
			       p->opts.busnum, p->bus_path);
	g_string_append_printf(s, "N: bus/usb/%03u/%03u\n", p->opts.busnum, p->opts.devnum);
	g_string_append_printf(s, "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n"
			       "E: BUSNUM=%03u\nE: DEVNUM=%03u\nE: DEVNAME=%s\n",
			       p->opts.busnum, p->opts.devnum, p->node);
	n = p->dev.descriptors(p->dev.dev, desc, sizeof desc);
	g_string_append_printf(s, "E: PRODUCT=%x/%x/%x\nE: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n",
			       dev->vid, dev->pid, dev->bcd_device, dev->vid, dev->pid);
	if (serial != NULL)
		g_string_append_printf(s, "E: ID_SERIAL_SHORT=%s\n", serial);
	g_string_append_printf(s, "A: idVendor=%04x\nA: idProduct=%04x\nA: bcdDevice=%04x\n"
			       "A: bDeviceClass=%02x\n"
			       "A: busnum=%u\nA: devnum=%u\nA: speed=%s\n"
			       "A: bConfigurationValue=1\nA: bNumConfigurations=1\n",
			       dev->vid, dev->pid, dev->bcd_device, desc[4], p->opts.busnum,
			       p->opts.devnum, dev->full_speed ? "12" : "1.5");
	if (mfr != NULL)
		g_string_append_printf(s, "A: manufacturer=%s\n", mfr);
	if (prod != NULL)
		g_string_append_printf(s, "A: product=%s\n", prod);
	if (serial != NULL)
		g_string_append_printf(s, "A: serial=%s\n", serial);
	g_string_append(s, "H: descriptors=");
	append_hex(s, desc, n);
	g_string_append(s, "\n");
	ok = umockdev_testbed_add_from_string(tb, s->str, &gerr);
	g_string_free(s, TRUE);
	if (!ok) {
		iw_error_set(err, IW_IO, "umockdev cannot add %s: %s", p->bus_path,
			     gerr != NULL ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		umockdev_testbed_detach_ioctl(tb, p->node, NULL);
		goto fail;
	}
	return p;

fail:
	g_clear_object(&p->handler);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return NULL;
}

int
usb_emu_add_serial(UMockdevTestbed *tb, const struct usb_emu_serial *sd, char *node,
		   size_t node_size, struct iw_error *err)
{
	unsigned busnum = sd->busnum != 0 ? sd->busnum : 1, port = sd->port != 0 ? sd->port : 2;
	unsigned devnum = sd->devnum != 0 ? sd->devnum : port + 10;
	char dev[96], tty_sys[256];
	GError *gerr = NULL;
	GString *s;
	gboolean ok;
	int fd;

	usb_emu_add_root_hub(tb, busnum);
	snprintf(dev, sizeof dev, "/devices/pci0000:00/0000:00:14.0/usb%u/%u-%u", busnum,
		 busnum, port);
	s = g_string_new(NULL);
	/* The USB device (no usbfs node: nothing here talks to it over libusb). */
	g_string_append_printf(s, "P: %s\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\n"
			       "E: DRIVER=usb\nE: BUSNUM=%03u\nE: DEVNUM=%03u\n"
			       "E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n"
			       "A: idVendor=%04x\nA: idProduct=%04x\nA: bDeviceClass=02\n"
			       "A: busnum=%u\nA: devnum=%u\nA: speed=12\n",
			       dev, busnum, devnum, sd->vid, sd->pid, sd->vid, sd->pid, busnum,
			       devnum);
	if (sd->manufacturer != NULL)
		g_string_append_printf(s, "A: manufacturer=%s\n", sd->manufacturer);
	if (sd->product != NULL)
		g_string_append_printf(s, "A: product=%s\n", sd->product);
	if (sd->serial != NULL)
		g_string_append_printf(s, "A: serial=%s\n", sd->serial);
	/* Its CDC ACM interface and the tty under it; umockdev makes the
	 * node a pty. */
	g_string_append_printf(s, "\nP: %s/%u-%u:1.0\nE: SUBSYSTEM=usb\nE: DEVTYPE=usb_interface\n"
			       "E: DRIVER=cdc_acm\nA: bInterfaceClass=02\nA: bInterfaceNumber=00\n",
			       dev, busnum, port);
	g_string_append_printf(s, "\nP: %s/%u-%u:1.0/tty/ttyACM0\nN: ttyACM0\n"
			       "E: DEVNAME=/dev/ttyACM0\nE: SUBSYSTEM=tty\nE: ID_BUS=usb\n"
			       "E: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\nE: ID_USB_DRIVER=cdc_acm\n"
			       "%s%s%sA: dev=166:0\n", dev, busnum, port, sd->vid, sd->pid,
			       sd->serial != NULL ? "E: ID_SERIAL_SHORT=" : "",
			       sd->serial != NULL ? sd->serial : "", sd->serial != NULL ? "\n" : "");
	ok = umockdev_testbed_add_from_string(tb, s->str, &gerr);
	g_string_free(s, TRUE);
	if (!ok) {
		iw_error_set(err, IW_IO, "umockdev cannot add the serial device: %s",
			     gerr != NULL ? gerr->message : "unknown error");
		g_clear_error(&gerr);
		return -1;
	}
	snprintf(tty_sys, sizeof tty_sys, "/sys%s/%u-%u:1.0/tty/ttyACM0", dev, busnum, port);
	{
		char target[48];

		snprintf(target, sizeof target, "../../../%u-%u:1.0", busnum, port);
		umockdev_testbed_set_attribute_link(tb, tty_sys, "device", target);
	}
	snprintf(node, node_size, "/dev/ttyACM0");
	fd = umockdev_testbed_get_dev_fd(tb, node);
	if (fd < 0) {
		iw_error_set(err, IW_IO, "umockdev made no pty for %s", node);
		return -1;
	}
	return fd;
}

const char *
usb_emu_node(const struct usb_emu_port *p)
{
	return p->node;
}

const char *
usb_emu_bus_path(const struct usb_emu_port *p)
{
	return p->bus_path;
}

void
usb_emu_unplug(struct usb_emu_port *p)
{
	pthread_mutex_lock(&p->lock);
	if (p->removed) {
		pthread_mutex_unlock(&p->lock);
		return;
	}
	p->removed = true;
	p->removed_us = iw_clock_us();
	pthread_mutex_unlock(&p->lock);
	umockdev_testbed_remove_device(p->tb, p->syspath);
}

bool
usb_emu_wants_unplug(const struct usb_emu_port *p)
{
	return !p->removed && p->dev.leaving(p->dev.dev, iw_clock_us());
}

void
usb_emu_free(struct usb_emu_port *p)
{
	if (p == NULL)
		return;
	umockdev_testbed_detach_ioctl(p->tb, p->node, NULL);
	usb_emu_free_urbs(p);
	g_clear_object(&p->handler);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void
usb_emu_lock(struct usb_emu_port *p)
{
	pthread_mutex_lock(&p->lock);
}

void
usb_emu_unlock(struct usb_emu_port *p)
{
	pthread_mutex_unlock(&p->lock);
}

uint64_t
usb_emu_transfers(const struct usb_emu_port *p)
{
	return p->transfers;
}
