/*
 * doctor.c - the doctor's report, the environment it probes once, the
 * per-device checks (can this user open each attached programmer and
 * bootloader, and if not, why and what to run) and the wizard's hints,
 * which are the same judgement in one sentence.  The udev rules are in
 * doctor-rules.c, the rest of the system in doctor-system.c.
 */
#include "job/doctor-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <libudev.h>

/* --- the report ----------------------------------------------------------------------- */

void
doctor_report_init(struct doctor_report *r)
{
	r->checks = NULL;
	r->n = r->cap = 0;
}

static void
check_clear(struct doctor_check *c)
{
	free(c->id);
	free(c->title);
	free(c->found);
	free(c->fix);
	free(c->device);
	free(c->hint);
}

void
doctor_report_free(struct doctor_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		check_clear(&r->checks[i]);
	free(r->checks);
	doctor_report_init(r);
}

size_t
doctor_report_count(const struct doctor_report *r, enum doctor_verdict v)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n; i++)
		n += r->checks[i].verdict == v;
	return n;
}

const char *
doctor_verdict_name(enum doctor_verdict v)
{
	switch (v) {
	case DOCTOR_OK: return "ok";
	case DOCTOR_INFO: return "info";
	case DOCTOR_WARNING: return "warning";
	case DOCTOR_PROBLEM: return "problem";
	}
	return "?";
}

static char *
dup_or_null(const char *s, bool *ok)
{
	char *d;

	if (s == NULL || s[0] == '\0')
		return NULL;
	if ((d = strdup(s)) == NULL)
		*ok = false;
	return d;
}

enum iw_status
doctor_add(struct doctor_report *r, const char *id, const char *title,
	   enum doctor_verdict verdict, const char *found, const char *fix,
	   const char *device, struct iw_error *err)
{
	struct doctor_check *c;
	bool ok = true;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 16;
		struct doctor_check *grown = realloc(r->checks, cap * sizeof *grown);

		if (grown == NULL)
			return iw_error_set(err, IW_NOMEM, "out of memory writing the doctor's report");
		r->checks = grown;
		r->cap = cap;
	}
	c = &r->checks[r->n];
	memset(c, 0, sizeof *c);
	c->verdict = verdict;
	c->id = dup_or_null(id, &ok);
	c->title = dup_or_null(title, &ok);
	c->found = dup_or_null(found, &ok);
	c->fix = dup_or_null(fix, &ok);
	c->device = dup_or_null(device, &ok);
	if (!ok || c->id == NULL || c->title == NULL) {
		check_clear(c);
		return iw_error_set(err, IW_NOMEM, "out of memory writing the doctor's report");
	}
	r->n++;
	return IW_OK;
}

const char *
doctor_shell_quote(const char *s, char *buf, size_t size)
{
	size_t used = 0;

	if (s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				   "0123456789/._-+:@%=,") == strlen(s))
		return s;
	if (size < 3)
		return s;
	buf[used++] = '\'';
	for (const char *p = s; *p != '\0' && used + 6 < size; p++) {
		if (*p == '\'') {
			memcpy(buf + used, "'\\''", 4);
			used += 4;
		} else {
			buf[used++] = *p;
		}
	}
	buf[used++] = '\'';
	buf[used] = '\0';
	return buf;
}

/* --- the environment ----------------------------------------------------------------- */

static void
default_reference(char *buf, size_t size)
{
	const char *datadir = getenv("ISPWIZ_DATADIR");
	char dir[PATH_MAX];

	if (datadir != NULL && datadir[0] != '\0')
		snprintf(dir, sizeof dir, "%s", datadir);
	else
		catalog_default_datadir(dir, sizeof dir);
	if (snprintf(buf, size, "%s/%s", dir, IW_UDEV_RULES_FILE) >= (int)size)
		snprintf(buf, size, "%s", IW_UDEV_RULES_FILE);
}

struct doctor_env *
doctor_env_probe(const struct doctor_config *cfg, struct iw_error *err)
{
	const char *root = cfg != NULL ? cfg->root : NULL;
	struct doctor_env *env = calloc(1, sizeof *env);
	char reference[PATH_MAX];

	if (env == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory looking at the system");
		return NULL;
	}
	if (root == NULL || root[0] == '\0')
		root = getenv("ISPWIZ_DOCTOR_ROOT");
	if (root == NULL || root[0] == '\0')
		root = "/";
	snprintf(env->root, sizeof env->root, "%s", root);
	/* "/" is the empty prefix; "/tmp/x/" is "/tmp/x". */
	for (size_t n = strlen(env->root); n > 0 && env->root[n - 1] == '/'; n--)
		env->root[n - 1] = '\0';
	env->catalog = cfg != NULL ? cfg->catalog : NULL;
	env->udev = udev_new();
	if (cfg != NULL && cfg->reference != NULL)
		snprintf(reference, sizeof reference, "%s", cfg->reference);
	else
		default_reference(reference, sizeof reference);
	if (doctor_rules_probe(env, reference, err) != IW_OK) {
		doctor_env_free(env);
		return NULL;
	}
	doctor_system_probe(env);
	return env;
}

void
doctor_env_free(struct doctor_env *env)
{
	if (env == NULL)
		return;
	if (env->udev != NULL)
		udev_unref(env->udev);
	free(env->reference_text);
	free(env->ids);
	free(env->ref_ids);
	free(env);
}

/* --- one device ------------------------------------------------------------------------ */

struct device_view {
	enum doctor_verdict verdict;
	char found[3 * PATH_MAX];
	char fix[2 * PATH_MAX];
	char hint[4 * PATH_MAX];  /* for the wizard; "" when there is nothing to say */
};

void
doctor_device_label(const struct detect_device *d, char *buf, size_t size)
{
	const char *what = d->id != NULL ? d->id : d->n_candidates > 0 ? d->candidates[0].id : "?";

	if (d->port != NULL)
		snprintf(buf, size, "%s at %s", what, d->port);
	else
		snprintf(buf, size, "%s at USB %s", what, d->bus_path != NULL ? d->bus_path : "?");
}

/* "mode 0660, group dialout, with an access list (ACL)" */
static void
node_details(const struct doctor_env *env, const char *node, char *buf, size_t size)
{
	struct stat st;
	char group[64];

	if (stat(node, &st) != 0) {
		snprintf(buf, size, "%s", strerror(errno));
		return;
	}
	if (!doctor_group_name(env, st.st_gid, group, sizeof group))
		snprintf(group, sizeof group, "%ld", (long)st.st_gid);
	snprintf(buf, size, "mode %04o, group %s%s", (unsigned)(st.st_mode & 07777), group,
		 getxattr(node, "system.posix_acl_access", NULL, 0) > 0 ?
		 ", with an access list (ACL)" : "");
}

bool
doctor_mm_may_probe(const struct detect_device *d)
{
	return d->port != NULL && !d->mm_ignore && d->n_candidates > 0 &&
	       d->driver != NULL && strcmp(d->driver, "cdc_acm") == 0;
}

/* The node's group when a user may be added to it (not root's). */
static bool
node_group(const struct doctor_env *env, const char *node, char *buf, size_t size, gid_t *gid)
{
	struct stat st;

	if (stat(node, &st) != 0 || st.st_gid == 0 ||
	    !doctor_group_name(env, st.st_gid, buf, size))
		return false;
	*gid = st.st_gid;
	return true;
}

static void
no_access(const struct doctor_env *env, const struct detect_device *d, const char *node,
	  struct device_view *v)
{
	const struct doctor_rules_id *want = doctor_rules_find(env, d->usb_id);
	char details[256], why[1024], group[64];
	const char *after = "replug it";
	gid_t gid;

	node_details(env, node, details, sizeof details);
	v->verdict = DOCTOR_PROBLEM;
	if (!doctor_rules_in_effect(env)) {
		snprintf(why, sizeof why, "ispwiz's udev rules are not installed (see "
			 "udev-rules)");
		doctor_rules_install_fix(env, v->fix, sizeof v->fix);
	} else if (d->is_usb && (want == NULL || !want->uaccess)) {
		snprintf(why, sizeof why, "the installed udev rules do not name %04X:%04X: "
			 "they are older than this build's", d->usb_id.vid, d->usb_id.pid);
		doctor_rules_install_fix(env, v->fix, sizeof v->fix);
	} else if (d->is_usb && !doctor_device_tagged(env, d)) {
		snprintf(why, sizeof why, "udev has not applied ispwiz's rules to it (it has "
			 "no uaccess tag): the rules were installed or changed after it was "
			 "plugged in, or not reloaded");
		snprintf(v->fix, sizeof v->fix, DOCTOR_RELOAD);
	} else if (node_group(env, node, group, sizeof group, &gid)) {
		bool in_db, in_session;

		doctor_user_in_group(env, gid, &in_db, &in_session);
		snprintf(why, sizeof why, "udev gave it to the user at the machine's own screen "
			 "(uaccess), and this session is not that one (SSH, a container, "
			 "another seat); the group %s may open it%s", group, in_db ?
			 ", and this user was added to it after this session started" : "");
		if (in_db) {
			snprintf(v->fix, sizeof v->fix, "newgrp %s", group);
			after = NULL;
		} else {
			snprintf(v->fix, sizeof v->fix, "sudo usermod -aG %s %s", group,
				 strncmp(env->user, "uid ", 4) != 0 ? env->user : "$USER");
			after = "log out and back in";
		}
	} else {
		snprintf(why, sizeof why, "udev gave it to the user at the machine's own screen "
			 "(uaccess), and this session is not that one (SSH, a container, "
			 "another seat)");
		snprintf(v->fix, sizeof v->fix, "run ispwiz in the session at the machine "
			 "itself (`loginctl` lists the sessions; the active one gets the device)");
		after = NULL;
	}
	snprintf(v->found, sizeof v->found, "This user may not open %s (%s): %s.%s%s%s", node,
		 details, why, after != NULL ? " After the fix, " : "",
		 after != NULL ? after : "", after != NULL ? "." : "");
	snprintf(v->hint, sizeof v->hint, "No permission to open %s: %s. Fix: %s%s%s.", node,
		 why, v->fix, after != NULL ? ", then " : "", after != NULL ? after : "");
}

/* The judgement on one device; `devices` checks and hints share it. */
static void
analyse(const struct doctor_env *env, const struct detect_device *d, struct device_view *v)
{
	const char *node = d->port != NULL ? d->port : d->usb_node;
	char details[256], fix[512];

	memset(v, 0, sizeof *v);
	v->verdict = DOCTOR_OK;
	if (d->is_usb && d->port == NULL && doctor_brltty_claims(env, d->usb_id)) {
		v->verdict = DOCTOR_PROBLEM;
		doctor_brltty_fix(env, fix, sizeof fix);
		snprintf(v->found, sizeof v->found, "brltty's udev rules (%s) claimed this "
			 "%04X:%04X adapter as a braille display, so it has no serial port. "
			 "After the fix, replug it.", env->brltty_rules, d->usb_id.vid,
			 d->usb_id.pid);
		snprintf(v->fix, sizeof v->fix, "%s", fix);
		snprintf(v->hint, sizeof v->hint, "brltty (the braille display service) took "
			 "this adapter's serial port. Fix: %s, then replug it.", fix);
		return;
	}
	if (node == NULL) {
		if (d->problem != NULL) {
			v->verdict = DOCTOR_PROBLEM;
			snprintf(v->found, sizeof v->found, "%s", d->problem);
		} else {
			v->verdict = DOCTOR_INFO;
			snprintf(v->found, sizeof v->found, "It has no device node to open.");
		}
		return;
	}
	if (!d->accessible) {
		no_access(env, d, node, v);
		return;
	}
	if (d->busy) {
		bool mm = d->busy_by != NULL && strcmp(d->busy_by, "ModemManager") == 0;

		v->verdict = DOCTOR_WARNING;
		snprintf(v->found, sizeof v->found, "%s", d->problem != NULL ? d->problem : "");
		if (mm && !doctor_rules_in_effect(env))
			doctor_rules_install_fix(env, v->fix, sizeof v->fix);
		else if (mm)
			snprintf(v->fix, sizeof v->fix, "sudo systemctl stop ModemManager");
		else
			snprintf(v->fix, sizeof v->fix, "close %s (pid %ld)",
				 d->busy_by != NULL ? d->busy_by : "the program holding it",
				 (long)d->busy_pid);
		if (mm)
			snprintf(v->hint, sizeof v->hint, "ModemManager has %s open. Fix: %s.",
				 node, v->fix);
		return;
	}
	node_details(env, node, details, sizeof details);
	if (env->mm_pid != 0 && doctor_mm_may_probe(d)) {
		const struct doctor_rules_id *want = doctor_rules_find(env, d->usb_id);

		v->verdict = DOCTOR_WARNING;
		if (!doctor_rules_in_effect(env))
			doctor_rules_install_fix(env, v->fix, sizeof v->fix);
		else if (want != NULL && want->mm_ignore)
			snprintf(v->fix, sizeof v->fix, DOCTOR_RELOAD);
		else
			snprintf(v->fix, sizeof v->fix, "sudo systemctl stop ModemManager");
		snprintf(v->found, sizeof v->found, "ispwiz can open %s (%s), but ModemManager "
			 "(pid %ld) is running and udev did not mark the port "
			 "ID_MM_DEVICE_IGNORE: it may open it for a few seconds after it "
			 "appears.%s", node, details, (long)env->mm_pid,
			 strstr(v->fix, "udevadm") != NULL ? " After the fix, replug it." : "");
		snprintf(v->hint, sizeof v->hint, "ModemManager may probe %s for a few seconds "
			 "after it appears. Fix: %s%s.", node, v->fix,
			 strstr(v->fix, "udevadm") != NULL ? ", then replug it" : "");
		return;
	}
	snprintf(v->found, sizeof v->found, "ispwiz can open %s (%s).", node, details);
}

char *
doctor_env_hint(const struct doctor_env *env, const struct detect_device *dev)
{
	struct device_view v;

	if (env == NULL || dev == NULL)
		return NULL;
	analyse(env, dev, &v);
	return v.hint[0] != '\0' ? strdup(v.hint) : NULL;
}

char *
doctor_hint_for_device(const struct detect_device *dev)
{
	struct doctor_env *env = doctor_env_probe(NULL, NULL);
	char *hint = doctor_env_hint(env, dev);

	doctor_env_free(env);
	return hint;
}

/* --- the whole report ------------------------------------------------------------------ */

static enum iw_status
check_catalog(const struct doctor_config *cfg, struct doctor_report *r, struct iw_error *err)
{
	const struct catalog *cat = cfg->catalog;
	char found[2048];

	if (cat == NULL) {
		snprintf(found, sizeof found, "No catalog could be loaded%s%s%s Devices are not "
			 "recognised without it.", cfg->catalog_error != NULL ? ": " : ".",
			 cfg->catalog_error != NULL ? cfg->catalog_error : "",
			 cfg->catalog_error != NULL ? "." : "");
		return doctor_add(r, "catalog", "catalog", DOCTOR_PROBLEM, found, NULL, NULL, err);
	}
	snprintf(found, sizeof found, "%s%s: %zu programmers, %zu parts, %zu bootloaders.",
		 cat->n_files > 0 ? cat->files[0] : "?", cat->n_files > 1 ? " and overrides" : "",
		 cat->n_programmers, cat->n_parts, cat->n_bootloaders);
	return doctor_add(r, "catalog", "catalog", DOCTOR_OK, found, NULL, NULL, err);
}

static enum iw_status
check_devices(const struct doctor_env *env, const struct detect_list *devs,
	      struct doctor_report *r, struct iw_error *err)
{
	size_t shown = 0;

	for (size_t i = 0; i < devs->n; i++) {
		const struct detect_device *d = &devs->items[i];
		struct device_view v;
		char label[256], title[300];
		enum iw_status st;

		if (d->n_candidates == 0)
			continue;
		doctor_device_label(d, label, sizeof label);
		snprintf(title, sizeof title, "access to %s", label);
		analyse(env, d, &v);
		st = doctor_add(r, "access", title, v.verdict, v.found, v.fix,
				d->port != NULL ? d->port : d->bus_path, err);
		if (st != IW_OK)
			return st;
		/* What the wizard would say, through its own door. */
		r->checks[r->n - 1].hint = doctor_env_hint(env, d);
		shown++;
	}
	if (shown > 0)
		return IW_OK;
	return doctor_add(r, "access", "access to programmers and bootloaders", DOCTOR_INFO,
			  "No programmer or bootloader is plugged in: plug yours in and run "
			  "`ispwiz doctor` again to check that this user can open it.", NULL, NULL,
			  err);
}

enum iw_status
doctor_run(const struct doctor_config *cfg, struct doctor_report *out, struct iw_error *err)
{
	struct doctor_config none = { NULL, NULL, NULL, NULL };
	struct detect_config dcfg = { NULL };
	struct doctor_env *env;
	struct detect_list devs;
	struct iw_error derr;
	char proc[PATH_MAX], found[1200];
	bool have_devs = false;
	enum iw_status st;

	if (cfg == NULL)
		cfg = &none;
	if ((env = doctor_env_probe(cfg, err)) == NULL)
		return err != NULL ? err->code : IW_NOMEM;
	detect_list_init(&devs);
	if ((st = check_catalog(cfg, out, err)) != IW_OK)
		goto out;
	if (cfg->catalog != NULL) {
		if (doctor_path(env, "/proc", proc, sizeof proc))
			dcfg.proc_dir = proc;
		iw_error_clear(&derr);
		if (detect_enumerate(cfg->catalog, &dcfg, &devs, &derr) == IW_OK) {
			have_devs = true;
		} else if (derr.code == IW_NOMEM) {
			st = iw_error_set(err, IW_NOMEM, "%s", derr.msg);
			goto out;
		} else {
			snprintf(found, sizeof found, "The attached devices could not be listed: %s.",
				 derr.msg);
			if ((st = doctor_add(out, "devices", "devices listed", DOCTOR_WARNING, found,
					     NULL, NULL, err)) != IW_OK)
				goto out;
		}
	}
	if ((st = doctor_rules_checks(env, &devs, have_devs, out, err)) != IW_OK)
		goto out;
	if (have_devs && (st = check_devices(env, &devs, out, err)) != IW_OK)
		goto out;
	st = doctor_system_checks(env, have_devs ? &devs : NULL, out, err);
out:
	detect_list_free(&devs);
	doctor_env_free(env);
	return st;
}
