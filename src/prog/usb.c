/* usb.c - finding and opening a USB programmer over libusb; the transfers
 * are in usb-xfer.c. */
#include "prog/usb.h"
#include "prog/usb-int.h"
#include "core/devpath-lock.h"
#include "core/udev-dirs.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libusb.h>

#define USB_MAX_CANDIDATES 16
#define USB_LIST_MAX 700
#define USB_STRING_TIMEOUT_MS 1000

/* One device with a matching VID:PID. */
struct usb_candidate {
	libusb_device *dev;
	libusb_device_handle *h;   /* open when it could be opened */
	int open_rc;               /* libusb's answer to the open */
	struct catalog_usb_id id;
	unsigned bus, addr;
	char bus_path[32];
	char node[40];
	char manufacturer[USB_TEXT_MAX];
	char product[USB_TEXT_MAX];
	char serial[USB_TEXT_MAX];
	bool shared;               /* its ID is used by other devices too */
	bool is_programmer;        /* not shared, or the product string says so */
};

struct usb_scan {
	struct usb_candidate c[USB_MAX_CANDIDATES];
	size_t n;
	size_t more;               /* candidates beyond the table (ignored) */
};

/* --- what to look for -------------------------------------------------------- */

void
usb_want_init(struct usb_want *w, const char *name,
	      const struct catalog_programmer *entry,
	      const struct catalog_usb_id *defaults, size_t n_defaults)
{
	memset(w, 0, sizeof *w);
	w->name = name;
	if (entry != NULL && entry->n_usb_ids > 0) {
		for (size_t i = 0; i < entry->n_usb_ids && w->n_ids < USB_MAX_IDS; i++)
			w->ids[w->n_ids++] = entry->usb_ids[i];
		return;
	}
	for (size_t i = 0; i < n_defaults && w->n_ids < USB_MAX_IDS; i++)
		w->ids[w->n_ids++] = defaults[i];
}

void
usb_want_share(struct usb_want *w, struct catalog_usb_id id, const char *product)
{
	if (w->n_shared < USB_MAX_IDS)
		w->shared[w->n_shared++] = id;
	w->product = product;
}

static bool
id_in(const struct catalog_usb_id *ids, size_t n, uint16_t vid, uint16_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i].vid == vid && ids[i].pid == pid)
			return true;
	return false;
}

/* "1781:0C9F, 2341:0049" */
static const char *
ids_text(const struct usb_want *w, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < w->n_ids && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%04X:%04X", i > 0 ? ", " : "",
				 w->ids[i].vid, w->ids[i].pid);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* --- scanning -------------------------------------------------------------------- */

/* String descriptor `index` in the device's first language, as ASCII
 * ('?' for anything else); "" when there is none or it cannot be read. */
static void
read_string(libusb_context *ctx, libusb_device_handle *h, uint8_t index, char *out)
{
	uint8_t d[255];
	uint16_t lang;
	size_t o = 0;
	int n;

	out[0] = '\0';
	if (h == NULL || index == 0)
		return;
	n = usb_control_transfer(ctx, h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
			     LIBUSB_DT_STRING << 8, 0, d, sizeof d, USB_STRING_TIMEOUT_MS);
	if (n < 4 || d[1] != LIBUSB_DT_STRING)
		return;
	lang = (uint16_t)(d[2] | d[3] << 8);
	n = usb_control_transfer(ctx, h, LIBUSB_ENDPOINT_IN, LIBUSB_REQUEST_GET_DESCRIPTOR,
			     (uint16_t)(LIBUSB_DT_STRING << 8 | index), lang, d, sizeof d,
			     USB_STRING_TIMEOUT_MS);
	if (n < 2 || d[1] != LIBUSB_DT_STRING)
		return;
	if (d[0] < n)
		n = d[0];
	for (int i = 2; i + 1 < n && o + 1 < USB_TEXT_MAX; i += 2)
		out[o++] = d[i + 1] == 0 && d[i] >= 0x20 && d[i] < 0x7F ? (char)d[i] : '?';
	out[o] = '\0';
}

static void
bus_path_of(libusb_device *dev, char *buf, size_t size)
{
	uint8_t ports[8];
	int n = libusb_get_port_numbers(dev, ports, (int)sizeof ports);
	size_t used;

	used = (size_t)snprintf(buf, size, "%u", libusb_get_bus_number(dev));
	for (int i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%c%u", i == 0 ? '-' : '.',
					 ports[i]);
}

static void
scan(libusb_context *ctx, const struct usb_want *w, libusb_device **list,
     ssize_t count, struct usb_scan *s)
{
	memset(s, 0, sizeof *s);
	for (ssize_t i = 0; i < count; i++) {
		struct libusb_device_descriptor d;
		struct usb_candidate *c;

		if (libusb_get_device_descriptor(list[i], &d) != 0 ||
		    !id_in(w->ids, w->n_ids, d.idVendor, d.idProduct))
			continue;
		if (s->n == USB_MAX_CANDIDATES) {
			s->more++;
			continue;
		}
		c = &s->c[s->n++];
		c->dev = list[i];
		c->id.vid = d.idVendor;
		c->id.pid = d.idProduct;
		c->bus = libusb_get_bus_number(list[i]);
		c->addr = libusb_get_device_address(list[i]);
		bus_path_of(list[i], c->bus_path, sizeof c->bus_path);
		snprintf(c->node, sizeof c->node, "/dev/bus/usb/%03u/%03u", c->bus, c->addr);
		c->open_rc = libusb_open(list[i], &c->h);
		if (c->open_rc != 0)
			c->h = NULL;
		read_string(ctx, c->h, d.iManufacturer, c->manufacturer);
		read_string(ctx, c->h, d.iProduct, c->product);
		read_string(ctx, c->h, d.iSerialNumber, c->serial);
		c->shared = id_in(w->shared, w->n_shared, d.idVendor, d.idProduct);
		c->is_programmer = !c->shared ||
				   (w->product != NULL && strcmp(c->product, w->product) == 0 &&
				    (w->manufacturer == NULL ||
				     strcmp(c->manufacturer, w->manufacturer) == 0));
	}
}

/* Bus paths in their natural order: 1-2 before 1-10, 1-2 before 1-2.1. */
static int
path_cmp(const char *a, const char *b)
{
	while (*a != '\0' && *b != '\0') {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = strtoul(a, (char **)&a, 10);
			unsigned long y = strtoul(b, (char **)&b, 10);

			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return *a < *b ? -1 : 1;
		a++;
		b++;
	}
	return (*a != '\0') - (*b != '\0');
}

static int
candidate_cmp(const void *pa, const void *pb)
{
	const struct usb_candidate *a = pa, *b = pb;

	return path_cmp(a->bus_path, b->bus_path);
}

static void
scan_free(struct usb_scan *s, const struct usb_candidate *keep)
{
	for (size_t i = 0; i < s->n; i++)
		if (&s->c[i] != keep && s->c[i].h != NULL)
			libusb_close(s->c[i].h);
}

/* "USB 1-2 (serial 1234, "www.fischl.de" "USBasp")" */
static void
candidate_text(const struct usb_candidate *c, char *buf, size_t size)
{
	if (c->h == NULL) {
		snprintf(buf, size, "USB %s (%s, ID %04X:%04X: cannot be opened to read its "
			 "strings: %s)", c->bus_path, c->node, c->id.vid, c->id.pid,
			 libusb_strerror(c->open_rc));
		return;
	}
	snprintf(buf, size, "USB %s (%s, %s%s, \"%s\" \"%s\")", c->bus_path, c->node,
		 c->serial[0] != '\0' ? "serial " : "no serial",
		 c->serial, c->manufacturer, c->product);
}

static void
list_candidates(const struct usb_scan *s, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->n && used < size; i++) {
		char one[320];
		int n;

		candidate_text(&s->c[i], one, sizeof one);
		n = snprintf(buf + used, size - used, "%s%s", i > 0 ? "; " : "", one);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* --- errors --------------------------------------------------------------------- */

enum iw_status
usb_access_error(const char *name, const char *bus_path, const char *node,
	     struct iw_error *err)
{
	if (iw_udev_reads_dir(ISPWIZ_UDEVRULESDIR))
		return iw_error_set(err, IW_NO_PROGRAMMER,
				    "permission denied opening the %s at USB %s (%s): this "
				    "user may not use it. ispwiz's udev rules (%s/%s) grant "
				    "access to every programmer it knows; if that file is "
				    "there, reload the rules with `sudo udevadm control "
				    "--reload-rules && sudo udevadm trigger` and plug the "
				    "programmer in again", name, bus_path, node,
				    ISPWIZ_UDEVRULESDIR, IW_UDEV_RULES_FILE);
	return iw_error_set(err, IW_NO_PROGRAMMER,
			    "permission denied opening the %s at USB %s (%s): this user may "
			    "not use it. ispwiz's udev rules grant access to every programmer "
			    "it knows, but this build installed them in %s, where udev does "
			    "not look: `sudo cp %s/%s /etc/udev/rules.d/`, then `sudo udevadm "
			    "control --reload-rules && sudo udevadm trigger` and plug the "
			    "programmer in again", name, bus_path, node, ISPWIZ_UDEVRULESDIR,
			    ISPWIZ_UDEVRULESDIR, IW_UDEV_RULES_FILE);
}

/* --- opening -------------------------------------------------------------------- */

static bool
port_matches(const struct usb_candidate *c, const char *spec)
{
	unsigned bus, addr;
	char extra;

	if (strcmp(spec, c->bus_path) == 0 || strcmp(spec, c->node) == 0)
		return true;
	if (sscanf(spec, "%u:%u%c", &bus, &addr, &extra) == 2)
		return bus == c->bus && addr == c->addr;
	return c->serial[0] != '\0' && strcmp(spec, c->serial) == 0;
}

static enum iw_status
choose(const struct usb_want *w, const char *port, struct usb_scan *s,
       struct usb_candidate **out, struct iw_error *err)
{
	char list[USB_LIST_MAX], ids[96];
	const char *spec = port;
	bool shared = false;
	size_t hit = 0;
	struct usb_candidate *pick = NULL;

	ids_text(w, ids, sizeof ids);
	list_candidates(s, list, sizeof list);
	if (spec != NULL && (strcmp(spec, "usb") == 0 || spec[0] == '\0'))
		spec = NULL;
	if (spec != NULL && strncmp(spec, "usb:", 4) == 0)
		spec += 4;
	if (spec != NULL) {
		for (size_t i = 0; i < s->n; i++)
			if (port_matches(&s->c[i], spec)) {
				pick = &s->c[i];
				hit++;
			}
		if (hit == 1) {
			*out = pick;
			return IW_OK;
		}
		if (hit > 1)
			return iw_error_set(err, IW_NO_PROGRAMMER,
					    "-P %s matches more than one %s: %s; give the bus "
					    "path instead (-P usb:BUS-PATH)", port, w->name, list);
		if (s->n == 0)
			return iw_error_set(err, IW_NO_PROGRAMMER,
					    "-P %s: no %s (USB ID %s) is plugged in; plug it in "
					    "(`ispwiz detect` lists what is connected)", port,
					    w->name, ids);
		return iw_error_set(err, IW_NO_PROGRAMMER,
				    "-P %s: none of the devices with the %s's USB ID is there; "
				    "they are: %s; give -P usb:BUS-PATH or -P usb:SERIAL for one "
				    "of them", port, w->name, list);
	}
	if (s->n == 0)
		return iw_error_set(err, IW_NO_PROGRAMMER,
				    "no %s (USB ID %s) is plugged in; plug it in and check the "
				    "cable (`ispwiz detect` lists what is connected)", w->name, ids);
	for (size_t i = 0; i < s->n; i++) {
		shared = shared || s->c[i].shared;
		/* One that cannot be opened cannot be asked; opening it again
		 * gives the permission error the user needs to see. */
		if (s->c[i].is_programmer || s->c[i].h == NULL)
			pick = &s->c[i];
	}
	if (s->n == 1 && pick != NULL) {
		*out = pick;
		return IW_OK;
	}
	if (s->n == 1)
		return iw_error_set(err, IW_NO_PROGRAMMER,
				    "the only device with the %s's USB ID, %s, does not say it "
				    "is a %s (its product string is \"%s\"): it is probably a "
				    "keyboard in its USBaspLoader bootloader, which has the same "
				    "ID. ispwiz does not guess: if it really is your programmer, "
				    "select it with -P usb:%s", w->name, list, w->product,
				    s->c[0].product, s->c[0].bus_path);
	return iw_error_set(err, IW_NO_PROGRAMMER,
			    "%zu devices with the %s's USB ID are plugged in%s and ispwiz "
			    "does not guess which one is the programmer: %s; choose one with "
			    "-P usb:BUS-PATH (e.g. -P usb:%s) or -P usb:SERIAL", s->n + s->more,
			    w->name, shared ? " (a keyboard in its USBaspLoader bootloader "
			    "has the same ID)" : "", list, s->c[0].bus_path);
}

enum iw_status
usb_link_open(struct usb_link *l, const struct usb_want *w, const char *port,
	      struct iw_error *err)
{
	libusb_device **list = NULL;
	struct usb_scan *s = NULL;
	struct usb_candidate *c = NULL;
	ssize_t count;
	enum iw_status st;
	int rc;

	memset(l, 0, sizeof *l);
	l->name = w->name;
	rc = libusb_init(&l->ctx);
	if (rc != 0) {
		l->ctx = NULL;
		return iw_error_set(err, IW_IO, "cannot start libusb to find the %s: %s",
				    w->name, libusb_strerror(rc));
	}
	s = calloc(1, sizeof *s);
	if (s == NULL) {
		st = iw_error_set(err, IW_NOMEM, "out of memory looking for the %s", w->name);
		goto fail;
	}
	iw_devpath_lock();
	count = libusb_get_device_list(l->ctx, &list);
	if (count >= 0)
		scan(l->ctx, w, list, count, s);
	iw_devpath_unlock();
	if (count < 0) {
		st = iw_error_set(err, IW_IO, "cannot list USB devices to find the %s: %s",
				  w->name, libusb_strerror((int)count));
		goto fail;
	}
	qsort(s->c, s->n, sizeof s->c[0], candidate_cmp);
	if ((st = choose(w, port, s, &c, err)) != IW_OK)
		goto fail;
	if (c->h == NULL) {
		if (c->open_rc == LIBUSB_ERROR_ACCESS)
			st = usb_access_error(w->name, c->bus_path, c->node, err);
		else
			st = iw_error_set(err, IW_NO_PROGRAMMER,
					  "cannot open the %s at USB %s (%s): %s; unplug it and "
					  "plug it in again", w->name, c->bus_path, c->node,
					  libusb_strerror(c->open_rc));
		goto fail;
	}
	l->h = c->h;
	l->id = c->id;
	snprintf(l->bus_path, sizeof l->bus_path, "%s", c->bus_path);
	snprintf(l->node, sizeof l->node, "%s", c->node);
	memcpy(l->manufacturer, c->manufacturer, sizeof l->manufacturer);
	memcpy(l->product, c->product, sizeof l->product);
	memcpy(l->serial, c->serial, sizeof l->serial);
	scan_free(s, c);
	free(s);
	libusb_free_device_list(list, 1);
	return IW_OK;

fail:
	if (s != NULL) {
		scan_free(s, NULL);
		free(s);
	}
	if (list != NULL)
		libusb_free_device_list(list, 1);
	libusb_exit(l->ctx);
	memset(l, 0, sizeof *l);
	return st;
}

enum iw_status
usb_link_claim(struct usb_link *l, int interface, struct iw_error *err)
{
	int rc;

	/* A HID or DFU device may have a kernel driver on the interface:
	 * libusb takes it off while we hold the interface and gives it back
	 * when we let go. */
	libusb_set_auto_detach_kernel_driver(l->h, 1);
	if ((rc = libusb_claim_interface(l->h, interface)) != 0) {
		if (rc == LIBUSB_ERROR_ACCESS)
			return usb_access_error(l->name, l->bus_path, l->node, err);
		return iw_error_set(err, IW_NO_PROGRAMMER, "cannot take interface %d of the %s "
				    "at USB %s: %s; close any other program that uses it",
				    interface, l->name, l->bus_path, libusb_strerror(rc));
	}
	l->claimed = interface + 1;
	return IW_OK;
}

void
usb_link_close(struct usb_link *l)
{
	if (l->h != NULL && l->claimed > 0)
		libusb_release_interface(l->h, l->claimed - 1);
	if (l->h != NULL)
		libusb_close(l->h);
	if (l->ctx != NULL)
		libusb_exit(l->ctx);
	memset(l, 0, sizeof *l);
}

