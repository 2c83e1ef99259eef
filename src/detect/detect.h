/*
 * detect.h - what is plugged in, and what ispwiz thinks it is.
 *
 * Serial ports and USB devices are found through libudev (never by reading
 * sysfs by hand, so umockdev testbeds and udev's own properties such as the
 * /dev/serial/by-id/ links work) and matched against the catalog: a
 * programmer (by its usb_ids), a bootloader (by the usb_id it enumerates
 * with), a plain serial port, or unknown.  Some IDs are shared - 16C0:05DC
 * is both a USBasp programmer and a keyboard in USBaspLoader - and then the
 * device says so and lists every candidate instead of guessing.
 *
 * Each device also says whether this user can open it and whether another
 * process (typically ModemManager) holds it, with a sentence on what to do.
 *
 * Hotplug (add/remove events, waiting for a USB ID) is in hotplug.h.
 */
#ifndef ISPWIZ_DETECT_DETECT_H
#define ISPWIZ_DETECT_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/catalog.h"
#include "core/error.h"

struct udev;

enum detect_kind {
	DETECT_KIND_UNKNOWN,     /* a USB device nobody in the catalog uses */
	DETECT_KIND_SERIAL,      /* a serial port that matches nothing */
	DETECT_KIND_PROGRAMMER,
	DETECT_KIND_BOOTLOADER,
};

/* More catalog entries than this sharing one USB ID would be a catalog
 * problem; extra ones are ignored. */
#define DETECT_MAX_CANDIDATES 8

/* One catalog entry the device may be.  Pointers go into the catalog, which
 * must outlive every device list matched against it. */
struct detect_candidate {
	enum detect_kind kind;   /* DETECT_KIND_PROGRAMMER or _BOOTLOADER */
	const char *id;
	const char *name;
	const struct catalog_programmer *programmer;  /* exactly one of these */
	const struct catalog_bootloader *bootloader;  /* two is set */
};

/*
 * One thing to show in a list: a serial port (with its USB parent, if any),
 * or a USB device that has no serial port.  A USB device with two ports
 * gives two entries that share `group`.  Strings are owned by the entry;
 * NULL means "not known" (a device without a serial number, say).
 */
struct detect_device {
	/* Where it is. */
	char *key;            /* syspath of the tty, or of the USB device without one */
	char *group;          /* syspath of the USB device (the tty's own when not USB):
	                         all uevents of one board map to it, see detect_group_of() */
	bool is_usb;
	bool is_hub;          /* bDeviceClass 09: hidden from lists unless verbose */
	struct catalog_usb_id usb_id;      /* 0000:0000 when !is_usb */
	char *manufacturer;   /* USB string descriptors as the kernel read them */
	char *product;
	char *serial;
	char *bus_path;       /* USB port path, e.g. "1-1.4"; stable while the cable stays */
	int busnum;
	int devnum;
	char *usb_node;       /* /dev/bus/usb/001/005 */
	char *port;           /* /dev/ttyACM0 when it has a serial port */
	char *by_id;          /* /dev/serial/by-id/... from udev's DEVLINKS, or NULL */
	char *driver;         /* kernel driver of the serial port: cdc_acm, ftdi_sio */
	bool mm_ignore;       /* udev told ModemManager to leave it alone */

	/* What it is (detect_match()). */
	enum detect_kind kind;
	const char *id;       /* catalog id when exactly one entry matches, else NULL */
	const char *family;   /* bootloader family when every bootloader candidate shares it */
	struct detect_candidate candidates[DETECT_MAX_CANDIDATES];
	size_t n_candidates;
	bool ambiguous;       /* more than one candidate */
	char *hint;           /* what tells the candidates apart, or a caveat; NULL if none */

	/* Whether it can be used (detect_check_access()). */
	bool accessible;      /* this user may open the node read/write */
	bool busy;            /* another process has the serial port open */
	pid_t busy_pid;
	char *busy_by;        /* that process's name */
	char *problem;        /* one or two sentences with the fix, or NULL */
};

struct detect_list {
	struct detect_device *items;
	size_t n;
	size_t cap;
};

/* Knobs for tests and front ends; pass NULL for the defaults. */
struct detect_config {
	const char *proc_dir; /* where processes are listed; NULL means "/proc" */
	/* Only what each device is: no access check, which stats every node
	 * and reads every process's descriptors -- for callers that want a
	 * port's identity (its serial number), not whether it can be used. */
	bool identity_only;
};

void detect_list_init(struct detect_list *list);
void detect_list_free(struct detect_list *list);
/* Append a zeroed entry; NULL when out of memory. */
struct detect_device *detect_list_add(struct detect_list *list);
/* Remove entry i, keeping the order. */
void detect_list_remove(struct detect_list *list, size_t i);

void detect_device_clear(struct detect_device *dev);
/* Deep copy; false when out of memory (dst is then cleared). */
bool detect_device_copy(struct detect_device *dst, const struct detect_device *src);
/* Same physical port and identity: key, USB ID and serial port all equal. */
bool detect_device_same(const struct detect_device *a, const struct detect_device *b);

/*
 * Everything attached, matched and access-checked, in syspath order: every
 * USB device (hubs flagged), one entry per serial port, and serial ports
 * without a USB parent that look real (ttyS* whose UART type is known).
 * Virtual consoles and ptys never appear.
 */
enum iw_status detect_enumerate(const struct catalog *cat,
				const struct detect_config *cfg,
				struct detect_list *out, struct iw_error *err);

/*
 * The entries of one group (see detect_device.group) as they are now:
 * appended to `out`, matched, NOT access-checked.  Nothing is appended when
 * the group has gone.  For hotplug.c.
 */
enum iw_status detect_collect_group(struct udev *udev, const struct catalog *cat,
				    const char *group, struct detect_list *out,
				    struct iw_error *err);

/*
 * The group a syspath belongs to: the path up to the last USB device
 * component ("1-1.4", "usb1"), so a tty, its interface and its USB device
 * all give the same answer even after the device left sysfs (removal
 * uevents).  A path under no USB device is its own group.  Malloc'ed; NULL
 * when out of memory.
 */
char *detect_group_of(const char *syspath);

/* Set kind, id, family, candidates, ambiguous and hint from the USB ID and
 * whether the device has a serial port.  Needs no udev: unit-testable. */
void detect_match(const struct catalog *cat, struct detect_device *dev);

/*
 * Set accessible, busy and problem for n devices: access(2) on the node
 * (the serial port, else the USB node), one scan of cfg->proc_dir for other
 * processes holding a serial port, and a warning when ModemManager runs
 * while a recognised CDC ACM device is not marked ID_MM_DEVICE_IGNORE.
 * Nothing is opened: opening a port raises DTR, which resets an Arduino.
 */
void detect_check_access(struct detect_device *devs, size_t n,
			 const struct detect_config *cfg);

/* Whether a list shows the device: USB devices other than hubs always;
 * hubs and non-USB serial ports only when verbose. */
bool detect_device_is_listed(const struct detect_device *dev, bool verbose);

/* "programmer", "bootloader", "serial", "unknown" */
const char *detect_kind_name(enum detect_kind kind);

#endif
