/*
 * doctor.h - is this machine set up for ispwiz?  The checks behind
 * `ispwiz doctor`, and the one-sentence hints the wizard's port step shows
 * beside a device.
 *
 * Each check ends in a verdict (ok, info, warning, problem), says what it
 * found, and when something is wrong gives the exact command that fixes
 * it.  What is checked: ispwiz's udev rules (installed where udev reads
 * them, the same as this build's copy, applied to the devices plugged in),
 * whether this user can open each attached programmer and bootloader,
 * ModemManager (running, and kept off the ISP-firmware and Caterina ports),
 * brltty (whose udev rules take CH340 and FTDI adapters, the Bus Pirate
 * clones, away), the user's serial-port group, and the versions of libusb,
 * libserialport and libudev.
 *
 * Nothing is opened or written.  Every file the doctor reads itself (/etc,
 * /run, /usr/lib/udev, /proc, /usr/bin, ...) is read under a root
 * directory, "/" unless doctor_config.root or $ISPWIZ_DOCTOR_ROOT says
 * otherwise, so tests can build a fake system; devices come from libudev
 * (a umockdev testbed in tests).
 */
#ifndef ISPWIZ_JOB_DOCTOR_H
#define ISPWIZ_JOB_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/error.h"
#include "detect/detect.h"

/* In order of gravity; a problem makes `ispwiz doctor` exit 1. */
enum doctor_verdict {
	DOCTOR_OK,
	DOCTOR_INFO,       /* nothing to judge, or nothing wrong worth a word */
	DOCTOR_WARNING,    /* works now, or mostly, but may bite */
	DOCTOR_PROBLEM,    /* ispwiz will fail until it is fixed */
};

struct doctor_check {
	char *id;          /* stable for scripts: "udev-rules", "access", ... */
	char *title;       /* "udev rules installed" */
	enum doctor_verdict verdict;
	char *found;       /* what was found, in sentences */
	char *fix;         /* the command(s) to run, or NULL when nothing is to do */
	char *device;      /* the device a per-device check is about, or NULL */
	char *hint;        /* a per-device check's sentence for the wizard
	                      (doctor_env_hint), or NULL */
};

struct doctor_report {
	struct doctor_check *checks;
	size_t n;
	size_t cap;
};

struct doctor_config {
	const char *root;          /* NULL: $ISPWIZ_DOCTOR_ROOT, else "/" */
	const char *reference;     /* this build's 60-ispwiz.rules; NULL: the one beside
	                              the catalog (catalog_default_datadir, $ISPWIZ_DATADIR) */
	const struct catalog *catalog;  /* NULL: devices are not matched or checked */
	const char *catalog_error; /* why there is no catalog, for the report */
};

/* Every check, in the order people should read them.  Fails only for lack
 * of memory; whatever cannot be looked at becomes a check that says so. */
enum iw_status doctor_run(const struct doctor_config *cfg, struct doctor_report *out,
			  struct iw_error *err);
void doctor_report_init(struct doctor_report *r);
void doctor_report_free(struct doctor_report *r);
/* How many checks have verdict v. */
size_t doctor_report_count(const struct doctor_report *r, enum doctor_verdict v);

/* "ok", "info", "warning", "problem" */
const char *doctor_verdict_name(enum doctor_verdict v);

/* What the doctor found about the system, probed once (rules, processes,
 * brltty, the user): for asking about several devices in a row. */
struct doctor_env;

struct doctor_env *doctor_env_probe(const struct doctor_config *cfg, struct iw_error *err);
void doctor_env_free(struct doctor_env *env);

/*
 * For the wizard's port step: one or two sentences on why this device will
 * not work, or may not, ending in the command that fixes it (the udev rules
 * missing or not applied, no permission, brltty holding a CH340 or FTDI
 * adapter, ModemManager probing the port); NULL when there is nothing to
 * say.  Malloc'ed: the caller frees it.  The device comes from
 * detect_enumerate() or the hotplug list (access already checked).
 */
char *doctor_env_hint(const struct doctor_env *env, const struct detect_device *dev);
/* The same with an environment probed for this one call (default root and
 * reference). */
char *doctor_hint_for_device(const struct detect_device *dev);

#endif
