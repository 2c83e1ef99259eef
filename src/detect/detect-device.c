/*
 * detect-device.c - the device record and list: ownership, copies,
 * identity, and the group key that ties a board's uevents together.
 */
#include "detect/detect.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

void
detect_list_init(struct detect_list *list)
{
	memset(list, 0, sizeof *list);
}

void
detect_list_free(struct detect_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		detect_device_clear(&list->items[i]);
	free(list->items);
	detect_list_init(list);
}

struct detect_device *
detect_list_add(struct detect_list *list)
{
	struct detect_device *dev;

	if (list->n == list->cap) {
		size_t cap = list->cap != 0 ? list->cap * 2 : 8;
		struct detect_device *items = realloc(list->items, cap * sizeof *items);

		if (items == NULL)
			return NULL;
		list->items = items;
		list->cap = cap;
	}
	dev = &list->items[list->n++];
	memset(dev, 0, sizeof *dev);
	return dev;
}

void
detect_list_remove(struct detect_list *list, size_t i)
{
	if (i >= list->n)
		return;
	detect_device_clear(&list->items[i]);
	memmove(&list->items[i], &list->items[i + 1],
		(list->n - i - 1) * sizeof list->items[0]);
	list->n--;
}

void
detect_device_clear(struct detect_device *dev)
{
	free(dev->key);
	free(dev->group);
	free(dev->manufacturer);
	free(dev->product);
	free(dev->serial);
	free(dev->bus_path);
	free(dev->usb_node);
	free(dev->port);
	free(dev->by_id);
	free(dev->driver);
	free(dev->hint);
	free(dev->busy_by);
	free(dev->problem);
	memset(dev, 0, sizeof *dev);
}

/* strdup that keeps NULL; sets *ok to false when memory ran out. */
static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*ok = false;
	return d;
}

bool
detect_device_copy(struct detect_device *dst, const struct detect_device *src)
{
	bool ok = true;

	/* Scalars and catalog pointers first, then replace every owned
	 * string with a copy of its own. */
	*dst = *src;
	dst->key = dup_or_null(src->key, &ok);
	dst->group = dup_or_null(src->group, &ok);
	dst->manufacturer = dup_or_null(src->manufacturer, &ok);
	dst->product = dup_or_null(src->product, &ok);
	dst->serial = dup_or_null(src->serial, &ok);
	dst->bus_path = dup_or_null(src->bus_path, &ok);
	dst->usb_node = dup_or_null(src->usb_node, &ok);
	dst->port = dup_or_null(src->port, &ok);
	dst->by_id = dup_or_null(src->by_id, &ok);
	dst->driver = dup_or_null(src->driver, &ok);
	dst->hint = dup_or_null(src->hint, &ok);
	dst->busy_by = dup_or_null(src->busy_by, &ok);
	dst->problem = dup_or_null(src->problem, &ok);
	if (!ok)
		detect_device_clear(dst);
	return ok;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
detect_device_same(const struct detect_device *a, const struct detect_device *b)
{
	return str_eq(a->key, b->key) && str_eq(a->port, b->port) &&
	       a->usb_id.vid == b->usb_id.vid && a->usb_id.pid == b->usb_id.pid;
}

/* A USB device's kernel name: "usbN" (root hub) or "B-P[.P...]" (bus, then
 * the port chain).  Interfaces ("1-1.4:1.0") contain a colon and fail. */
static bool
is_usb_device_name(const char *s, size_t len)
{
	size_t i = 0;
	bool digits = false;

	if (len > 3 && strncmp(s, "usb", 3) == 0) {
		for (i = 3; i < len; i++)
			if (!isdigit((unsigned char)s[i]))
				return false;
		return true;
	}
	while (i < len && isdigit((unsigned char)s[i])) {
		i++;
		digits = true;
	}
	if (!digits || i == len || s[i] != '-')
		return false;
	i++;
	digits = false;
	for (; i < len; i++) {
		if (isdigit((unsigned char)s[i])) {
			digits = true;
		} else if (s[i] == '.' && digits) {
			digits = false;
		} else {
			return false;
		}
	}
	return digits;
}

char *
detect_group_of(const char *syspath)
{
	const char *p = syspath;
	size_t end = 0;

	/* Pure string work on purpose: on removal the directories are already
	 * gone, so asking libudev for the parent would fail. */
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);

		if (is_usb_device_name(p, len))
			end = (size_t)(p - syspath) + len;
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	if (end == 0)
		return strdup(syspath);
	return strndup(syspath, end);
}

bool
detect_device_is_listed(const struct detect_device *dev, bool verbose)
{
	if (verbose)
		return true;
	return dev->is_usb && !dev->is_hub;
}

const char *
detect_kind_name(enum detect_kind kind)
{
	switch (kind) {
	case DETECT_KIND_PROGRAMMER: return "programmer";
	case DETECT_KIND_BOOTLOADER: return "bootloader";
	case DETECT_KIND_SERIAL:     return "serial";
	case DETECT_KIND_UNKNOWN:    break;
	}
	return "unknown";
}
