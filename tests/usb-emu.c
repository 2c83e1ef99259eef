/*
 * usb-emu.c - an emulated USB device (a programmer, a bootloader) inside a
 * umockdev testbed: sysfs entry, usbfs node, and the ioctl handler that
 * answers for the device.
 */
#include "usb-emu.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include <linux/usbdevice_fs.h>
#include "core/clock.h"

#define USB_EMU_MAX_CLIENTS 16
#define USB_SPEED_LOW 1          /* enum usb_device_speed */
#define USB_SPEED_FULL 2
#define USB_EMU_STRING_MAX 64

/* A URB the device has taken and not yet handed back. */
struct urb_slot {
	UMockdevIoctlData *urb;       /* the client's struct usbdevfs_urb */
	UMockdevIoctlClient *client;  /* who submitted it (not owned) */
	struct urb_slot *next;
};

struct client_pos {
	UMockdevIoctlClient *client;  /* not owned: cleared when it vanishes */
	size_t read_pos;              /* read() offset into the descriptors */
};

struct usb_emu_port {
	UMockdevTestbed *tb;
	UMockdevIoctlBase *handler;
	struct usb_emu_device dev;    /* its strings point at the copies below */
	char manufacturer[USB_EMU_STRING_MAX];
	char product[USB_EMU_STRING_MAX];
	char serial[USB_EMU_STRING_MAX];
	struct usb_emu_plug_options opts;
	char node[64];
	char syspath[160];
	char bus_path[32];
	pthread_mutex_t lock;
	bool removed;                 /* taken out of the testbed */
	uint64_t transfers;

	struct urb_slot *done;        /* completed, waiting for REAPURB */
	struct urb_slot *hanging;     /* never answered (timeout knob) */
	struct client_pos clients[USB_EMU_MAX_CLIENTS];
};


static void
sleep_until_us(uint64_t when)
{
	uint64_t now = iw_clock_us();
	struct timespec ts;

	if (when <= now)
		return;
	ts.tv_sec = (time_t)((when - now) / 1000000u);
	ts.tv_nsec = (long)((when - now) % 1000000u) * 1000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Hold the answer back as a low-speed device would: the model's latency
 * plus what the firmware spent on the request. */
static void
model_delay(const struct usb_emu_port *p, uint64_t start, const struct emu_usb_reply *r)
{
	if (p->opts.latency_us == 0)
		return;
	sleep_until_us(start + p->opts.latency_us + r->device_us);
}

/* --- the URB queues --------------------------------------------------------- */

static void
push(struct urb_slot **list, UMockdevIoctlData *urb, UMockdevIoctlClient *client)
{
	struct urb_slot *s = calloc(1, sizeof *s), **at = list;

	if (s == NULL)
		return;
	s->urb = umockdev_ioctl_data_ref(urb);
	s->client = client;
	while (*at != NULL)
		at = &(*at)->next;
	*at = s;
}

static struct urb_slot *
take(struct urb_slot **list, UMockdevIoctlClient *client, gulong client_addr)
{
	for (struct urb_slot **at = list; *at != NULL; at = &(*at)->next) {
		struct urb_slot *s = *at;

		if (s->client != client || (client_addr != 0 && s->urb->client_addr != client_addr))
			continue;
		*at = s->next;
		return s;
	}
	return NULL;
}

static void
drop_slot(struct urb_slot *s)
{
	umockdev_ioctl_data_unref(s->urb);
	free(s);
}

static void
drop_client(struct urb_slot **list, UMockdevIoctlClient *client)
{
	struct urb_slot *s;

	while ((s = take(list, client, 0)) != NULL)
		drop_slot(s);
}

/* --- requests ----------------------------------------------------------------- */

static void
run_control(struct usb_emu_port *p, const uint8_t setup[8], uint8_t *data,
	    size_t len, struct emu_usb_reply *r)
{
	uint64_t start = iw_clock_us();

	if (p->removed) {
		memset(r, 0, sizeof *r);
		r->status = -ENODEV;
		return;
	}
	p->transfers++;
	p->dev.control(p->dev.dev, setup, data, len, start, r);
	if (!r->no_answer)
		model_delay(p, start, r);
}

static gboolean
submit_urb(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *ud, *bd = NULL;
	struct usbdevfs_urb *urb;
	struct emu_usb_reply r;
	uint8_t setup[8];
	size_t len = 0;

	ud = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
	if (ud == NULL)
		return FALSE;
	urb = (struct usbdevfs_urb *)ud->data;
	if (urb->type != USBDEVFS_URB_TYPE_CONTROL || urb->buffer_length < 8) {
		/* Neither programmer has other endpoints. */
		umockdev_ioctl_data_unref(ud);
		umockdev_ioctl_client_complete(c, -1, EINVAL);
		return TRUE;
	}
	bd = umockdev_ioctl_data_resolve(ud, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
					 (gsize)urb->buffer_length, NULL);
	if (bd == NULL) {
		umockdev_ioctl_data_unref(ud);
		return FALSE;
	}
	memcpy(setup, bd->data, 8);
	len = (size_t)(setup[6] | setup[7] << 8);
	if (len > (size_t)urb->buffer_length - 8)
		len = (size_t)urb->buffer_length - 8;
	run_control(p, setup, bd->data + 8, len, &r);
	umockdev_ioctl_data_unref(bd);
	if (r.status == -ENODEV) {
		umockdev_ioctl_client_complete(c, -1, ENODEV);
	} else if (r.no_answer) {
		/* Accepted, never completed: the host's timeout discards it. */
		push(&p->hanging, ud, c);
		umockdev_ioctl_client_complete(c, 0, 0);
	} else {
		urb->status = r.status < 0 ? r.status : 0;
		urb->actual_length = r.status < 0 ? 0 : r.status;
		push(&p->done, ud, c);
		umockdev_ioctl_client_complete(c, 0, 0);
	}
	umockdev_ioctl_data_unref(ud);
	return TRUE;
}

static gboolean
reap_urb(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	struct urb_slot *s = take(&p->done, c, 0);
	UMockdevIoctlData *ptr;

	if (s == NULL) {
		/* Nothing finished: after an unplug nothing ever will. */
		umockdev_ioctl_client_complete(c, -1, p->removed ? ENODEV : EAGAIN);
		return TRUE;
	}
	ptr = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
	if (ptr == NULL) {
		drop_slot(s);
		return FALSE;
	}
	umockdev_ioctl_data_set_ptr(ptr, 0, s->urb);
	umockdev_ioctl_data_unref(ptr);
	drop_slot(s);
	umockdev_ioctl_client_complete(c, 0, 0);
	return TRUE;
}

static gboolean
discard_urb(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	gulong addr = *(gulong *)arg->data;
	struct urb_slot *s = take(&p->hanging, c, addr);

	if (s == NULL) {
		umockdev_ioctl_client_complete(c, -1, EINVAL);
		return TRUE;
	}
	{
		struct usbdevfs_urb copy;

		/* update() marks the block for writing back to the client. */
		memcpy(&copy, s->urb->data, sizeof copy);
		copy.status = -ENOENT;
		copy.actual_length = 0;
		umockdev_ioctl_data_update(s->urb, 0, (guint8 *)&copy, (gint)sizeof copy);
	}
	push(&p->done, s->urb, c);
	drop_slot(s);
	umockdev_ioctl_client_complete(c, 0, 0);
	return TRUE;
}

/* libusb-0.1's synchronous control transfer. */
static gboolean
sync_control(struct usb_emu_port *p, UMockdevIoctlClient *c, UMockdevIoctlData *arg)
{
	UMockdevIoctlData *d, *b = NULL;
	struct usbdevfs_ctrltransfer *ct;
	struct emu_usb_reply r;
	uint8_t setup[8], none[1];
	uint32_t timeout_ms;

	d = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_ctrltransfer), NULL);
	if (d == NULL)
		return FALSE;
	ct = (struct usbdevfs_ctrltransfer *)d->data;
	setup[0] = ct->bRequestType;
	setup[1] = ct->bRequest;
	setup[2] = (uint8_t)ct->wValue;
	setup[3] = (uint8_t)(ct->wValue >> 8);
	setup[4] = (uint8_t)ct->wIndex;
	setup[5] = (uint8_t)(ct->wIndex >> 8);
	setup[6] = (uint8_t)ct->wLength;
	setup[7] = (uint8_t)(ct->wLength >> 8);
	if (ct->wLength > 0) {
		b = umockdev_ioctl_data_resolve(d, G_STRUCT_OFFSET(struct usbdevfs_ctrltransfer, data),
						ct->wLength, NULL);
		if (b == NULL) {
			umockdev_ioctl_data_unref(d);
			return FALSE;
		}
	}
	run_control(p, setup, b != NULL ? b->data : none, ct->wLength, &r);
	timeout_ms = ct->timeout != 0 ? ct->timeout : 5000;
	if (b != NULL)
		umockdev_ioctl_data_unref(b);
	umockdev_ioctl_data_unref(d);
	if (r.no_answer) {
		/* The kernel gives up after the request's own timeout. */
		sleep_until_us(iw_clock_us() + (uint64_t)timeout_ms * 1000u);
		umockdev_ioctl_client_complete(c, -1, ETIMEDOUT);
	} else if (r.status < 0) {
		umockdev_ioctl_client_complete(c, -1, -r.status);
	} else {
		umockdev_ioctl_client_complete(c, r.status, 0);
	}
	return TRUE;
}

static gboolean
on_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *c, gpointer user)
{
	struct usb_emu_port *p = user;
	UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(c);
	gulong request = umockdev_ioctl_client_get_request(c);
	gboolean handled = TRUE;

	(void)handler;
	pthread_mutex_lock(&p->lock);
	switch (request) {
	case USBDEVFS_SUBMITURB:
		handled = submit_urb(p, c, arg);
		break;
	case USBDEVFS_REAPURB:
	case USBDEVFS_REAPURBNDELAY:
		handled = reap_urb(p, c, arg);
		break;
	case USBDEVFS_DISCARDURB:
		handled = discard_urb(p, c, arg);
		break;
	case USBDEVFS_CONTROL:
		handled = sync_control(p, c, arg);
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
		umockdev_ioctl_client_complete(c, p->removed ? -1 :
					       p->dev.full_speed ? USB_SPEED_FULL : USB_SPEED_LOW,
					       p->removed ? ENODEV : 0);
		break;
	case USBDEVFS_GETDRIVER:
	case USBDEVFS_IOCTL:
		/* No kernel driver is bound to a vendor-class programmer. */
		umockdev_ioctl_client_complete(c, -1, p->removed ? ENODEV : ENODATA);
		break;
	case USBDEVFS_CLAIMINTERFACE:
	case USBDEVFS_RELEASEINTERFACE:
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
	drop_client(&p->done, c);
	drop_client(&p->hanging, c);
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

/* --- a programmer (struct emu_usb) as a device ------------------------------------ */

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
	(void)now_us;
	return emu_usb_unplugged(dev);
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
		.bcd_device = 0x104u,
		.device_class = 0xFF,
		.manufacturer = emu_usb_manufacturer(emu),
		.product = emu_usb_product(emu),
		.serial = emu_usb_serial(emu),
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
	g_string_append_printf(s, "E: PRODUCT=%x/%x/%x\nE: ID_VENDOR_ID=%04x\nE: ID_MODEL_ID=%04x\n",
			       dev->vid, dev->pid, dev->bcd_device, dev->vid, dev->pid);
	if (serial != NULL)
		g_string_append_printf(s, "E: ID_SERIAL_SHORT=%s\n", serial);
	g_string_append_printf(s, "A: idVendor=%04x\nA: idProduct=%04x\nA: bDeviceClass=%02x\n"
			       "A: busnum=%u\nA: devnum=%u\nA: speed=%s\n"
			       "A: bConfigurationValue=1\nA: bNumConfigurations=1\n",
			       dev->vid, dev->pid, dev->device_class, p->opts.busnum,
			       p->opts.devnum, dev->full_speed ? "12" : "1.5");
	if (mfr != NULL)
		g_string_append_printf(s, "A: manufacturer=%s\n", mfr);
	if (prod != NULL)
		g_string_append_printf(s, "A: product=%s\n", prod);
	if (serial != NULL)
		g_string_append_printf(s, "A: serial=%s\n", serial);
	n = p->dev.descriptors(p->dev.dev, desc, sizeof desc);
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
	struct urb_slot *s;

	if (p == NULL)
		return;
	umockdev_testbed_detach_ioctl(p->tb, p->node, NULL);
	while ((s = p->done) != NULL) {
		p->done = s->next;
		drop_slot(s);
	}
	while ((s = p->hanging) != NULL) {
		p->hanging = s->next;
		drop_slot(s);
	}
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
