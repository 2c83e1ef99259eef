/*
 * detect-enum.c - listing serial ports and USB devices through libudev and
 * filling one detect_device per thing a person would point at.
 */
#include "detect/detect.h"
#include "core/devpath-lock.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libudev.h>

/* A sysfs attribute, trimmed, as a fresh string; NULL when absent or blank. */
static char *
attr_dup(struct udev_device *dev, const char *name, bool *ok)
{
	const char *v = udev_device_get_sysattr_value(dev, name);
	size_t len;
	char *s;

	if (v == NULL)
		return NULL;
	while (isspace((unsigned char)*v))
		v++;
	len = strlen(v);
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	s = strndup(v, len);
	if (s == NULL)
		*ok = false;
	return s;
}

static char *
str_dup(const char *v, bool *ok)
{
	char *s;

	if (v == NULL)
		return NULL;
	s = strdup(v);
	if (s == NULL)
		*ok = false;
	return s;
}

static bool
parse_hex16(const char *s, unsigned short *out)
{
	char *end;
	unsigned long v;

	if (s == NULL)
		return false;
	errno = 0;
	v = strtoul(s, &end, 16);
	while (isspace((unsigned char)*end))
		end++;
	if (errno != 0 || end == s || *end != '\0' || v > 0xFFFF)
		return false;
	*out = (unsigned short)v;
	return true;
}

static int
attr_int(struct udev_device *dev, const char *name)
{
	const char *v = udev_device_get_sysattr_value(dev, name);

	return v != NULL ? atoi(v) : 0;
}

/* The /dev/serial/by-id/ link from udev's DEVLINKS property (a
 * space-separated list), falling back to libudev's parsed list. */
static char *
find_by_id(struct udev_device *tty, bool *ok)
{
	static const char prefix[] = "/dev/serial/by-id/";
	const char *links = udev_device_get_property_value(tty, "DEVLINKS");
	struct udev_list_entry *e;

	while (links != NULL && *links != '\0') {
		size_t len = strcspn(links, " \t");

		if (len > sizeof prefix - 1 && strncmp(links, prefix, sizeof prefix - 1) == 0) {
			char *s = strndup(links, len);

			if (s == NULL)
				*ok = false;
			return s;
		}
		links += len;
		links += strspn(links, " \t");
	}
	udev_list_entry_foreach(e, udev_device_get_devlinks_list_entry(tty)) {
		const char *l = udev_list_entry_get_name(e);

		if (strncmp(l, prefix, sizeof prefix - 1) == 0)
			return str_dup(l, ok);
	}
	return NULL;
}

static bool
is_mm_ignored(struct udev_device *dev)
{
	const char *v = udev_device_get_property_value(dev, "ID_MM_DEVICE_IGNORE");

	return v != NULL && strcmp(v, "1") == 0;
}

/* The USB-level fields, shared by a device's tty entries. */
static bool
fill_usb(struct detect_device *d, struct udev_device *usb)
{
	bool ok = true;
	const char *cls = udev_device_get_sysattr_value(usb, "bDeviceClass");

	d->is_usb = true;
	if (!parse_hex16(udev_device_get_sysattr_value(usb, "idVendor"), &d->usb_id.vid) ||
	    !parse_hex16(udev_device_get_sysattr_value(usb, "idProduct"), &d->usb_id.pid))
		d->usb_id.vid = d->usb_id.pid = 0;
	d->is_hub = cls != NULL && strtoul(cls, NULL, 16) == 0x09;
	d->manufacturer = attr_dup(usb, "manufacturer", &ok);
	d->product = attr_dup(usb, "product", &ok);
	d->serial = attr_dup(usb, "serial", &ok);
	d->bus_path = str_dup(udev_device_get_sysname(usb), &ok);
	d->busnum = attr_int(usb, "busnum");
	d->devnum = attr_int(usb, "devnum");
	d->usb_node = str_dup(udev_device_get_devnode(usb), &ok);
	d->mm_ignore = is_mm_ignored(usb);
	return ok;
}

/* The driver of the interface a serial port hangs off: cdc_acm, ftdi_sio. */
static char *
tty_driver(struct udev_device *tty, bool *ok)
{
	const char *drv = udev_device_get_property_value(tty, "ID_USB_DRIVER");
	struct udev_device *intf;

	if (drv == NULL) {
		intf = udev_device_get_parent_with_subsystem_devtype(tty, "usb", "usb_interface");
		if (intf != NULL)
			drv = udev_device_get_driver(intf);
	}
	return str_dup(drv, ok);
}

static bool
fill_tty(struct detect_device *d, struct udev_device *tty)
{
	bool ok = true;

	d->port = str_dup(udev_device_get_devnode(tty), &ok);
	d->by_id = find_by_id(tty, &ok);
	d->driver = tty_driver(tty, &ok);
	d->mm_ignore = d->mm_ignore || is_mm_ignored(tty);
	return ok;
}

static enum iw_status
nomem(struct iw_error *err, const char *what)
{
	return iw_error_set(err, IW_NOMEM, "out of memory while listing %s", what);
}

/* Append one entry for `tty` (may be NULL) on `usb` (may be NULL). */
static enum iw_status
add_entry(struct detect_list *out, const struct catalog *cat,
	  struct udev_device *usb, struct udev_device *tty, struct iw_error *err)
{
	struct detect_device *d = detect_list_add(out);
	const char *self = udev_device_get_syspath(tty != NULL ? tty : usb);
	bool ok = true;

	if (d == NULL)
		return nomem(err, "devices");
	d->key = str_dup(self, &ok);
	d->group = usb != NULL ? str_dup(udev_device_get_syspath(usb), &ok) : str_dup(self, &ok);
	if (usb != NULL && !fill_usb(d, usb))
		ok = false;
	if (tty != NULL && !fill_tty(d, tty))
		ok = false;
	if (!ok) {
		detect_list_remove(out, out->n - 1);
		return nomem(err, self);
	}
	detect_match(cat, d);
	return IW_OK;
}

static enum iw_status
scan_failed(struct iw_error *err, int rc, const char *what)
{
	return iw_error_set(err, IW_IO, "cannot list %s through udev: %s; is /sys "
			    "mounted and readable?", what, strerror(rc < 0 ? -rc : EIO));
}

/* A tty that stands for real hardware: not a virtual console or pty, and
 * for 8250-style UARTs only when the kernel found a UART there (type != 0;
 * otherwise every PC shows 32 ttyS ports). */
static bool
tty_is_real(struct udev_device *tty)
{
	const char *type = udev_device_get_sysattr_value(tty, "type");

	if (udev_device_get_parent(tty) == NULL)
		return false;
	if (strstr(udev_device_get_syspath(tty), "/virtual/") != NULL)
		return false;
	return type == NULL || strtol(type, NULL, 10) != 0;
}

static bool
owns_tty(struct udev_device *usb, struct udev_device *tty)
{
	struct udev_device *p = udev_device_get_parent_with_subsystem_devtype(tty, "usb", "usb_device");

	return p != NULL && strcmp(udev_device_get_syspath(p), udev_device_get_syspath(usb)) == 0;
}

static enum iw_status
collect_usb(struct udev *udev, const struct catalog *cat, struct udev_device *usb,
	    struct detect_list *out, struct iw_error *err)
{
	struct udev_enumerate *e = udev_enumerate_new(udev);
	struct udev_list_entry *le;
	enum iw_status st = IW_OK;
	size_t before = out->n;
	int rc;

	if (e == NULL)
		return nomem(err, "serial ports");
	udev_enumerate_add_match_parent(e, usb);
	udev_enumerate_add_match_subsystem(e, "tty");
	rc = udev_enumerate_scan_devices(e);
	if (rc < 0) {
		st = scan_failed(err, rc, "serial ports");
		goto out;
	}
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e)) {
		struct udev_device *tty = udev_device_new_from_syspath(udev, udev_list_entry_get_name(le));

		if (tty == NULL)
			continue;   /* left between listing and looking: no longer here */
		/* match_parent takes the whole subtree: a hub would claim the
		 * ports of every device behind it.  Keep the direct ones. */
		if (udev_device_get_devnode(tty) != NULL && owns_tty(usb, tty))
			st = add_entry(out, cat, usb, tty, err);
		udev_device_unref(tty);
		if (st != IW_OK)
			goto out;
	}
	if (out->n == before)
		st = add_entry(out, cat, usb, NULL, err);
out:
	udev_enumerate_unref(e);
	return st;
}

static bool
is_usb_device(struct udev_device *dev)
{
	const char *sub = udev_device_get_subsystem(dev);
	const char *type = udev_device_get_devtype(dev);

	return sub != NULL && type != NULL && strcmp(sub, "usb") == 0 &&
	       strcmp(type, "usb_device") == 0;
}

enum iw_status
detect_collect_group(struct udev *udev, const struct catalog *cat,
		     const char *group, struct detect_list *out,
		     struct iw_error *err)
{
	struct udev_device *dev = udev_device_new_from_syspath(udev, group);
	enum iw_status st = IW_OK;
	const char *sub;

	if (dev == NULL)
		return IW_OK;   /* gone: the caller reports the removal */
	sub = udev_device_get_subsystem(dev);
	if (is_usb_device(dev)) {
		st = collect_usb(udev, cat, dev, out, err);
	} else if (sub != NULL && strcmp(sub, "tty") == 0 && tty_is_real(dev) &&
		   udev_device_get_devnode(dev) != NULL &&
		   udev_device_get_parent_with_subsystem_devtype(dev, "usb", "usb_device") == NULL) {
		st = add_entry(out, cat, NULL, dev, err);
	}
	udev_device_unref(dev);
	return st;
}

/* What to do with each device of one subsystem (visit_subsystem). */
typedef enum iw_status (*visit_fn)(struct udev *udev, const struct catalog *cat,
				   struct udev_device *dev, struct detect_list *out,
				   struct iw_error *err);

/* Call `fn` on every device of `subsystem`, stopping at its first error;
 * `what` names them in errors ("USB devices"). */
static enum iw_status
visit_subsystem(struct udev *udev, const char *subsystem, const char *what, visit_fn fn,
		const struct catalog *cat, struct detect_list *out, struct iw_error *err)
{
	struct udev_enumerate *e = udev_enumerate_new(udev);
	struct udev_list_entry *le;
	enum iw_status st = IW_OK;
	int rc;

	if (e == NULL)
		return nomem(err, what);
	udev_enumerate_add_match_subsystem(e, subsystem);
	rc = udev_enumerate_scan_devices(e);
	if (rc < 0) {
		st = scan_failed(err, rc, what);
		goto out;
	}
	udev_list_entry_foreach(le, udev_enumerate_get_list_entry(e)) {
		struct udev_device *dev = udev_device_new_from_syspath(udev, udev_list_entry_get_name(le));

		if (dev == NULL)
			continue;   /* gone since the scan */
		st = fn(udev, cat, dev, out, err);
		udev_device_unref(dev);
		if (st != IW_OK)
			break;
	}
out:
	udev_enumerate_unref(e);
	return st;
}

static enum iw_status
visit_usb(struct udev *udev, const struct catalog *cat, struct udev_device *dev,
	  struct detect_list *out, struct iw_error *err)
{
	return is_usb_device(dev) ? collect_usb(udev, cat, dev, out, err) : IW_OK;
}

/* Serial ports with no USB device above them (on-board UARTs). */
static enum iw_status
visit_other_tty(struct udev *udev, const struct catalog *cat, struct udev_device *tty,
		struct detect_list *out, struct iw_error *err)
{
	(void)udev;
	if (udev_device_get_parent_with_subsystem_devtype(tty, "usb", "usb_device") == NULL &&
	    tty_is_real(tty) && udev_device_get_devnode(tty) != NULL)
		return add_entry(out, cat, NULL, tty, err);
	return IW_OK;
}

enum iw_status
detect_enumerate(const struct catalog *cat, const struct detect_config *cfg,
		 struct detect_list *out, struct iw_error *err)
{
	struct udev *udev = udev_new();
	enum iw_status st;

	if (udev == NULL)
		return iw_error_set(err, IW_IO, "cannot start libudev to list devices: %s",
				    strerror(errno != 0 ? errno : ENOMEM));
	iw_devpath_lock();
	st = visit_subsystem(udev, "usb", "USB devices", visit_usb, cat, out, err);
	if (st == IW_OK)
		st = visit_subsystem(udev, "tty", "serial ports", visit_other_tty, cat, out, err);
	iw_devpath_unlock();
	if (st == IW_OK && (cfg == NULL || !cfg->identity_only))
		detect_check_access(out->items, out->n, cfg);
	udev_unref(udev);
	return st;
}
