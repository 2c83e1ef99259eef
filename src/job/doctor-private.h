/*
 * doctor-private.h - what the doctor's files share: the probed environment
 * (struct doctor_env) and the checks each file adds.  doctor.c runs them
 * and owns the per-device checks and hints; doctor-rules.c is about the
 * udev rules; doctor-system.c about processes, brltty, the user and the
 * libraries.  Nothing outside src/job/doctor*.c includes it.
 */
#ifndef ISPWIZ_JOB_DOCTOR_PRIVATE_H
#define ISPWIZ_JOB_DOCTOR_PRIVATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/udev-dirs.h"
#include "job/doctor.h"

struct udev;

#define DOCTOR_RELOAD "sudo udevadm control --reload-rules && sudo udevadm trigger"
#define DOCTOR_MAX_COPIES 8

/* What a rules file does for one USB ID. */
struct doctor_rules_id {
	uint16_t vid, pid;
	bool uaccess;      /* TAG+="uaccess" */
	bool mm_ignore;    /* ENV{ID_MM_DEVICE_IGNORE}="1" */
};

/* One 60-ispwiz.rules found on the system. */
struct doctor_rules_copy {
	char path[PATH_MAX];   /* as the system names it, without the root */
	bool read_by_udev;     /* in a directory udev reads */
	bool masked;           /* a symlink to /dev/null, or empty: disables the name */
	int read_errno;        /* 0 when it was read */
	bool current;          /* the same bytes as the reference */
};

struct doctor_env {
	char root[PATH_MAX];      /* "" for "/", so root + "/etc" is a path */
	const struct catalog *catalog;   /* may be NULL */
	struct udev *udev;        /* for device tags; NULL when libudev failed */

	/* The rules: this build's copy, and the ones on the system. */
	char reference[PATH_MAX];
	char *reference_text;     /* NULL when it could not be read */
	size_t reference_len;
	int reference_errno;
	struct doctor_rules_copy copies[DOCTOR_MAX_COPIES];
	size_t n_copies;
	int effective;            /* index of the copy udev uses, -1 when none */
	/* What the effective copy sets (empty when none or masked), and what
	 * this build's copy sets. */
	struct doctor_rules_id *ids;
	size_t n_ids;
	struct doctor_rules_id *ref_ids;
	size_t n_ref_ids;

	/* Processes. */
	pid_t mm_pid;             /* a running ModemManager, 0 when none */

	/* brltty: the binary and the rules file (in effect) that claims the
	 * CH340 (1A86:7523) or FTDI (0403:6001) adapters. */
	char brltty_bin[PATH_MAX];     /* "" when not found */
	char brltty_rules[PATH_MAX];   /* "" when no rules file claims them */
	char brltty_rules_name[NAME_MAX + 1];
	bool brltty_ch340, brltty_ftdi;
	bool brltty_masked;            /* its rules exist but are masked */

	/* The distribution (os-release ID and ID_LIKE), the user. */
	char os_id[64];
	char os_like[128];
	uid_t uid;
	char user[64];
};

/* root + path into buf; false when it does not fit. */
bool doctor_path(const struct doctor_env *env, const char *path, char *buf, size_t size);
/* s as one shell word: unchanged when it is safe, else in single quotes. */
const char *doctor_shell_quote(const char *s, char *buf, size_t size);

/* "usbtiny at USB 1-2", "avrisp-promicro at /dev/ttyACM0" */
void doctor_device_label(const struct detect_device *d, char *buf, size_t size);
/* A recognised CDC ACM port that udev did not mark ID_MM_DEVICE_IGNORE:
 * ModemManager opens such ports when they appear. */
bool doctor_mm_may_probe(const struct detect_device *d);

/* --- the report ------------------------------------------------------------------ */

/* Append a check; fix and device may be NULL.  IW_NOMEM when out of memory. */
enum iw_status doctor_add(struct doctor_report *r, const char *id, const char *title,
			  enum doctor_verdict verdict, const char *found, const char *fix,
			  const char *device, struct iw_error *err);

/* --- doctor-rules.c ----------------------------------------------------------------- */

/* Find this build's copy and every installed one; parse the effective one. */
enum iw_status doctor_rules_probe(struct doctor_env *env, const char *reference,
				  struct iw_error *err);
/* The IDs a rules text sets up, appended to *ids (malloc'ed). */
enum iw_status doctor_rules_parse(const char *text, struct doctor_rules_id **ids, size_t *n,
				  struct iw_error *err);
/* What the effective rules say about an ID; NULL when they do not name it. */
const struct doctor_rules_id *doctor_rules_find(const struct doctor_env *env,
						struct catalog_usb_id id);
/* The same for this build's rules. */
const struct doctor_rules_id *doctor_rules_find_ref(const struct doctor_env *env,
						    struct catalog_usb_id id);
/* Whether rules are in effect (a copy udev reads, not masked). */
bool doctor_rules_in_effect(const struct doctor_env *env);
/* The command that installs this build's copy where udev reads it. */
void doctor_rules_install_fix(const struct doctor_env *env, char *buf, size_t size);
/* Whether udev gave the device the uaccess tag (the device or its tty). */
bool doctor_device_tagged(const struct doctor_env *env, const struct detect_device *d);
/* The checks udev-rules, udev-rules-current and udev-rules-loaded. */
enum iw_status doctor_rules_checks(const struct doctor_env *env, const struct detect_list *devs,
				   bool have_devs, struct doctor_report *r, struct iw_error *err);

/* --- doctor-user.c --------------------------------------------------------------------- */

/* os-release and the user. */
void doctor_user_probe(struct doctor_env *env);
/* Whether os-release's ID or ID_LIKE names `id` ("debian", "arch"). */
bool doctor_os_is(const struct doctor_env *env, const char *id);
/* The name of group gid (the root's /etc/group unless the root is "/"). */
bool doctor_group_name(const struct doctor_env *env, gid_t gid, char *buf, size_t size);
/* Whether the user is in group gid: in the group database, and in this
 * login session (the process's groups). */
void doctor_user_in_group(const struct doctor_env *env, gid_t gid, bool *in_db,
			  bool *in_session);
/* The check "groups". */
enum iw_status doctor_groups_check(const struct doctor_env *env, const struct detect_list *devs,
				   struct doctor_report *r, struct iw_error *err);

/* --- doctor-system.c ---------------------------------------------------------------- */

/* ModemManager and brltty (then doctor_user_probe). */
void doctor_system_probe(struct doctor_env *env);
/* Whether the effective brltty rules claim this USB ID. */
bool doctor_brltty_claims(const struct doctor_env *env, struct catalog_usb_id id);
/* The command that keeps brltty off the adapters. */
void doctor_brltty_fix(const struct doctor_env *env, char *buf, size_t size);
/* The checks modemmanager, brltty, groups (doctor-user.c) and libraries. */
enum iw_status doctor_system_checks(const struct doctor_env *env, const struct detect_list *devs,
				    struct doctor_report *r, struct iw_error *err);

#endif
