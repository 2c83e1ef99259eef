/*
 * doctor-rules.c - ispwiz's udev rules on this system: which copy of
 * 60-ispwiz.rules udev uses (a file in /etc replaces one of the same name
 * in /run, which replaces one in /usr/lib; a link to /dev/null disables the
 * name), whether it is this build's, and whether udev applied it to the
 * devices plugged in (the uaccess tag and ID_MM_DEVICE_IGNORE, seen through
 * libudev).
 */
#include "job/doctor-private.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libudev.h>

#include "core/file-util.h"
#include "core/udev-dirs.h"

#ifndef ISPWIZ_UDEVRULESDIR
#define ISPWIZ_UDEVRULESDIR "/usr/lib/udev/rules.d"
#endif

#define RULES_MAX_BYTES (1024 * 1024)

#define udev_dirs iw_udev_rules_dirs

bool
doctor_path(const struct doctor_env *env, const char *path, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s%s", env->root, path);

	return n >= 0 && (size_t)n < size;
}

/* --- parsing ---------------------------------------------------------------------- */

/* The 4 hex digits after `key` ("idVendor}==\"") in line; false when absent. */
static bool
id_after(const char *line, const char *key, uint16_t *out)
{
	const char *at = strstr(line, key);
	unsigned v = 0;

	if (at == NULL)
		return false;
	at += strlen(key);
	for (int i = 0; i < 4; i++) {
		int d = hex_digit_value(at[i]);

		if (d < 0)
			return false;
		v = v * 16 + (unsigned)d;
	}
	if (at[4] != '"')
		return false;
	*out = (uint16_t)v;
	return true;
}

enum iw_status
doctor_rules_parse(const char *text, struct doctor_rules_id **ids, size_t *n,
		   struct iw_error *err)
{
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");
		char line[1024];
		struct doctor_rules_id id = { 0, 0, false, false };
		const char *s;

		snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), p);
		p += len + (p[len] == '\n');
		for (s = line; isspace((unsigned char)*s); s++)
			;
		if (*s == '#' || !id_after(s, "idVendor}==\"", &id.vid) ||
		    !id_after(s, "idProduct}==\"", &id.pid))
			continue;
		id.uaccess = strstr(s, "TAG+=\"uaccess\"") != NULL;
		id.mm_ignore = strstr(s, "ENV{ID_MM_DEVICE_IGNORE}=\"1\"") != NULL;
		{
			struct doctor_rules_id *grown = realloc(*ids, (*n + 1) * sizeof **ids);

			if (grown == NULL)
				return iw_error_set(err, IW_NOMEM, "out of memory reading udev rules");
			*ids = grown;
		}
		(*ids)[(*n)++] = id;
	}
	return IW_OK;
}

static const struct doctor_rules_id *
find_in(const struct doctor_rules_id *ids, size_t n, uint16_t vid, uint16_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i].vid == vid && ids[i].pid == pid)
			return &ids[i];
	return NULL;
}

const struct doctor_rules_id *
doctor_rules_find(const struct doctor_env *env, struct catalog_usb_id id)
{
	return find_in(env->ids, env->n_ids, id.vid, id.pid);
}

const struct doctor_rules_id *
doctor_rules_find_ref(const struct doctor_env *env, struct catalog_usb_id id)
{
	return find_in(env->ref_ids, env->n_ref_ids, id.vid, id.pid);
}

bool
doctor_rules_in_effect(const struct doctor_env *env)
{
	return env->effective >= 0 && !env->copies[env->effective].masked &&
	       env->copies[env->effective].read_errno == 0;
}

/* --- finding the copies ------------------------------------------------------------ */

struct seen_file {
	dev_t dev;
	ino_t ino;
};

/* Look at dir/60-ispwiz.rules; add it unless it is a file already seen
 * (/lib is /usr/lib on most systems now). */
static void
probe_copy(struct doctor_env *env, const char *dir, bool read_by_udev,
	   struct seen_file *seen, size_t *n_seen)
{
	struct doctor_rules_copy *c;
	char shown[PATH_MAX], real[PATH_MAX], link[PATH_MAX];
	struct stat lst, st;
	ssize_t len;
	char *text = NULL;
	size_t text_len = 0;

	if (env->n_copies == DOCTOR_MAX_COPIES)
		return;
	if (snprintf(shown, sizeof shown, "%s/%s", dir, IW_UDEV_RULES_FILE) >= (int)sizeof shown ||
	    !doctor_path(env, shown, real, sizeof real) || lstat(real, &lst) != 0)
		return;
	if (stat(real, &st) == 0) {
		for (size_t i = 0; i < *n_seen; i++)
			if (seen[i].dev == st.st_dev && seen[i].ino == st.st_ino)
				return;
		seen[*n_seen].dev = st.st_dev;
		seen[*n_seen].ino = st.st_ino;
		(*n_seen)++;
	}
	c = &env->copies[env->n_copies++];
	memset(c, 0, sizeof *c);
	snprintf(c->path, sizeof c->path, "%s", shown);
	c->read_by_udev = read_by_udev;
	if (S_ISLNK(lst.st_mode) && (len = readlink(real, link, sizeof link - 1)) > 0) {
		link[len] = '\0';
		if (strcmp(link, "/dev/null") == 0) {
			c->masked = true;
			return;
		}
	}
	c->read_errno = file_read_all(real, RULES_MAX_BYTES, &text, &text_len);
	if (c->read_errno != 0)
		return;
	c->masked = text_len == 0;
	c->current = env->reference_text != NULL && text_len == env->reference_len &&
		     memcmp(text, env->reference_text, text_len) == 0;
	free(text);
}

enum iw_status
doctor_rules_probe(struct doctor_env *env, const char *reference, struct iw_error *err)
{
	struct seen_file seen[DOCTOR_MAX_COPIES];
	size_t n_seen = 0;
	char *text = NULL;
	size_t len = 0;
	int rc;

	snprintf(env->reference, sizeof env->reference, "%s", reference);
	env->reference_errno = file_read_all(reference, RULES_MAX_BYTES, &env->reference_text,
					     &env->reference_len);
	if (env->reference_errno != 0)
		env->reference_text = NULL;
	else if ((rc = doctor_rules_parse(env->reference_text, &env->ref_ids, &env->n_ref_ids,
					  err)) != IW_OK)
		return rc;
	env->effective = -1;
	for (size_t i = 0; udev_dirs[i] != NULL; i++)
		probe_copy(env, udev_dirs[i], true, seen, &n_seen);
	if (!iw_udev_reads_dir(ISPWIZ_UDEVRULESDIR))
		probe_copy(env, ISPWIZ_UDEVRULESDIR, false, seen, &n_seen);
	for (size_t i = 0; i < env->n_copies && env->effective < 0; i++)
		if (env->copies[i].read_by_udev)
			env->effective = (int)i;
	if (!doctor_rules_in_effect(env))
		return IW_OK;
	{
		char real[PATH_MAX];

		if (!doctor_path(env, env->copies[env->effective].path, real, sizeof real))
			return IW_OK;
		rc = file_read_all(real, RULES_MAX_BYTES, &text, &len);
	}
	if (rc != 0)
		return IW_OK;
	rc = doctor_rules_parse(text, &env->ids, &env->n_ids, err);
	free(text);
	return rc;
}

/* --- fixes ---------------------------------------------------------------------------- */

void
doctor_rules_install_fix(const struct doctor_env *env, char *buf, size_t size)
{
	char q[PATH_MAX + 16];

	if (env->reference_text == NULL) {
		/* This build's copy is missing too: the installation is incomplete. */
		snprintf(buf, size, "reinstall ispwiz (`sudo make install` in its build tree, or "
			 "`sudo apt-get install --reinstall ispwiz`), which also puts back %s, "
			 "then %s", env->reference, DOCTOR_RELOAD);
		return;
	}
	snprintf(buf, size, "sudo install -m 644 %s /etc/udev/rules.d/%s && " DOCTOR_RELOAD,
		 doctor_shell_quote(env->reference, q, sizeof q), IW_UDEV_RULES_FILE);
}

/* The current, unmasked copy below the effective one, if any: removing the
 * effective one would make udev use it. */
static const struct doctor_rules_copy *
current_below(const struct doctor_env *env)
{
	for (size_t i = (size_t)env->effective + 1; i < env->n_copies; i++) {
		const struct doctor_rules_copy *c = &env->copies[i];

		if (c->read_by_udev && !c->masked && c->read_errno == 0 && c->current)
			return c;
	}
	return NULL;
}

/* How to get this build's rules into effect from here. */
static void
rules_fix(const struct doctor_env *env, char *buf, size_t size)
{
	const struct doctor_rules_copy *below = env->effective >= 0 ? current_below(env) : NULL;
	char q[PATH_MAX + 16];

	if (below != NULL)
		snprintf(buf, size, "sudo rm %s && " DOCTOR_RELOAD,
			 doctor_shell_quote(env->copies[env->effective].path, q, sizeof q));
	else
		doctor_rules_install_fix(env, buf, size);
}

/* --- tags --------------------------------------------------------------------------- */

static bool
has_uaccess(struct udev_device *u)
{
	static const char *const props[] = { "TAGS", "CURRENT_TAGS" };

	if (udev_device_has_tag(u, "uaccess"))
		return true;
	/* umockdev keeps tags as plain properties; real udev has both. */
	for (size_t i = 0; i < sizeof props / sizeof props[0]; i++) {
		const char *v = udev_device_get_property_value(u, props[i]);

		if (v != NULL && strstr(v, ":uaccess:") != NULL)
			return true;
	}
	return false;
}

bool
doctor_device_tagged(const struct doctor_env *env, const struct detect_device *d)
{
	const char *paths[2] = { d->group, d->port != NULL ? d->key : NULL };
	bool tagged = false;

	if (env->udev == NULL)
		return false;
	for (size_t i = 0; i < 2 && !tagged; i++) {
		struct udev_device *u;

		if (paths[i] == NULL)
			continue;
		u = udev_device_new_from_syspath(env->udev, paths[i]);
		if (u == NULL)
			continue;
		tagged = has_uaccess(u);
		udev_device_unref(u);
	}
	return tagged;
}

/* --- the checks ------------------------------------------------------------------------ */

/* "a, b and c" of the udev directories, for messages. */
static void
dir_list(char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; udev_dirs[i] != NULL && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 i == 0 ? "" : udev_dirs[i + 1] == NULL ? " or " : ", ", udev_dirs[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static enum iw_status
check_installed(const struct doctor_env *env, struct doctor_report *r, struct iw_error *err)
{
	static const char id[] = "udev-rules", title[] = "udev rules installed";
	char found[3 * PATH_MAX], fix[2 * PATH_MAX], dirs[512];
	const struct doctor_rules_copy *e;
	size_t used;

	if (env->effective < 0) {
		if (env->n_copies > 0) {
			/* Only the configured directory's, which udev does not read. */
			char q[PATH_MAX + 16];

			snprintf(found, sizeof found, "%s is installed only in %s, where udev does "
				 "not read rules: without it, this user cannot open programmers "
				 "and bootloaders.", IW_UDEV_RULES_FILE, ISPWIZ_UDEVRULESDIR);
			snprintf(fix, sizeof fix, "sudo install -m 644 %s /etc/udev/rules.d/%s && "
				 DOCTOR_RELOAD, doctor_shell_quote(env->copies[0].path, q, sizeof q),
				 IW_UDEV_RULES_FILE);
			return doctor_add(r, id, title, DOCTOR_PROBLEM, found, fix, NULL, err);
		}
		dir_list(dirs, sizeof dirs);
		snprintf(found, sizeof found, "%s is in none of %s: without it, this user "
			 "cannot open programmers and bootloaders, and ModemManager probes "
			 "their serial ports.", IW_UDEV_RULES_FILE, dirs);
		doctor_rules_install_fix(env, fix, sizeof fix);
		return doctor_add(r, id, title, DOCTOR_PROBLEM, found, fix, NULL, err);
	}
	e = &env->copies[env->effective];
	if (e->masked) {
		snprintf(found, sizeof found, "%s is masked (a link to /dev/null, or empty), "
			 "which switches ispwiz's rules off.", e->path);
		rules_fix(env, fix, sizeof fix);
		return doctor_add(r, id, title, DOCTOR_PROBLEM, found, fix, NULL, err);
	}
	if (e->read_errno != 0) {
		char q[PATH_MAX + 16];

		snprintf(found, sizeof found, "%s is there but cannot be read: %s.", e->path,
			 strerror(e->read_errno));
		snprintf(fix, sizeof fix, "sudo chmod 644 %s",
			 doctor_shell_quote(e->path, q, sizeof q));
		return doctor_add(r, id, title, DOCTOR_WARNING, found, fix, NULL, err);
	}
	used = (size_t)snprintf(found, sizeof found, "%s (udev reads it).", e->path);
	for (size_t i = 0; i < env->n_copies && used < sizeof found; i++) {
		if ((int)i == env->effective)
			continue;
		used += (size_t)snprintf(found + used, sizeof found - used, " %s is %s.",
					 env->copies[i].path, env->copies[i].read_by_udev ?
					 "replaced by it" : "not read by udev");
	}
	return doctor_add(r, id, title, DOCTOR_OK, found, NULL, NULL, err);
}

static enum iw_status
check_current(const struct doctor_env *env, struct doctor_report *r, struct iw_error *err)
{
	static const char id[] = "udev-rules-current", title[] = "udev rules up to date";
	const struct doctor_rules_id *ref = env->ref_ids;
	size_t n_ref = env->n_ref_ids, used;
	char found[3 * PATH_MAX], fix[2 * PATH_MAX];
	const struct doctor_rules_copy *e;
	size_t missing = 0;

	if (!doctor_rules_in_effect(env))
		return doctor_add(r, id, title, DOCTOR_INFO, "Not checked: no rules are in "
				  "effect (see udev-rules).", NULL, NULL, err);
	e = &env->copies[env->effective];
	if (env->reference_text == NULL) {
		snprintf(found, sizeof found, "Cannot compare %s with this build's rules: %s: "
			 "%s.", e->path, env->reference, strerror(env->reference_errno));
		return doctor_add(r, id, title, DOCTOR_INFO, found, NULL, NULL, err);
	}
	if (e->current) {
		snprintf(found, sizeof found, "%s is the same as this build's %s.", e->path,
			 env->reference);
		return doctor_add(r, id, title, DOCTOR_OK, found, NULL, NULL, err);
	}
	used = (size_t)snprintf(found, sizeof found, "%s differs from this build's %s.",
				e->path, env->reference);
	for (size_t i = 0; i < n_ref && used < sizeof found; i++) {
		const struct doctor_rules_id *have = find_in(env->ids, env->n_ids, ref[i].vid,
							     ref[i].pid);

		if (have != NULL && (have->uaccess || !ref[i].uaccess) &&
		    (have->mm_ignore || !ref[i].mm_ignore))
			continue;
		used += (size_t)snprintf(found + used, sizeof found - used, "%s%04X:%04X",
					 missing++ == 0 ? " Missing or weaker for: " : ", ",
					 ref[i].vid, ref[i].pid);
	}
	if (missing > 0 && used < sizeof found)
		snprintf(found + used, sizeof found - used, ".");
	else if (used < sizeof found)
		snprintf(found + used, sizeof found - used, " It covers every USB ID this "
			 "build's rules do.");
	rules_fix(env, fix, sizeof fix);
	return doctor_add(r, id, title, DOCTOR_WARNING, found, fix, NULL, err);
}

/* Whether an earlier entry of the list is the same USB device. */
static bool
seen_group(const struct detect_list *devs, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (devs->items[k].group != NULL && devs->items[i].group != NULL &&
		    strcmp(devs->items[k].group, devs->items[i].group) == 0)
			return true;
	return false;
}

static enum iw_status
check_loaded(const struct doctor_env *env, const struct detect_list *devs, bool have_devs,
	     struct doctor_report *r, struct iw_error *err)
{
	static const char id[] = "udev-rules-loaded", title[] = "udev rules applied";
	char good[2048], bad[2048], label[256], fix[512], found[4200];
	size_t n_good = 0, n_bad = 0, ug = 0, ub = 0;

	if (!doctor_rules_in_effect(env))
		return doctor_add(r, id, title, DOCTOR_INFO, "Not checked: no rules are in "
				  "effect (see udev-rules).", NULL, NULL, err);
	if (!have_devs)
		return doctor_add(r, id, title, DOCTOR_INFO, env->catalog == NULL ?
				  "Not checked: without a catalog, devices are not recognised." :
				  "Not checked: the attached devices could not be listed.",
				  NULL, NULL, err);
	good[0] = bad[0] = '\0';
	for (size_t i = 0; i < devs->n; i++) {
		const struct detect_device *d = &devs->items[i];
		const struct doctor_rules_id *want;
		bool tagged, mm_ok;

		if (!d->is_usb || d->n_candidates == 0 || seen_group(devs, i))
			continue;
		want = doctor_rules_find(env, d->usb_id);
		doctor_device_label(d, label, sizeof label);
		if (want == NULL) {
			if (ub < sizeof bad)
				ub += (size_t)snprintf(bad + ub, sizeof bad - ub, "%s%s (%04X:%04X is "
						       "not in the installed rules)", n_bad ? "; " : "",
						       label, d->usb_id.vid, d->usb_id.pid);
			n_bad++;
			continue;
		}
		tagged = !want->uaccess || doctor_device_tagged(env, d);
		mm_ok = !want->mm_ignore || d->mm_ignore;
		if (tagged && mm_ok) {
			if (ug < sizeof good)
				ug += (size_t)snprintf(good + ug, sizeof good - ug, "%s%s (%s%s%s)",
						       n_good ? "; " : "", label,
						       want->uaccess ? "uaccess" : "",
						       want->uaccess && want->mm_ignore ? ", " : "",
						       want->mm_ignore ? "ID_MM_DEVICE_IGNORE" : "");
			n_good++;
		} else {
			if (ub < sizeof bad)
				ub += (size_t)snprintf(bad + ub, sizeof bad - ub, "%s%s (no %s%s%s)",
						       n_bad ? "; " : "", label,
						       tagged ? "" : "uaccess tag",
						       !tagged && !mm_ok ? ", no " : "",
						       mm_ok ? "" : "ID_MM_DEVICE_IGNORE");
			n_bad++;
		}
	}
	if (n_good == 0 && n_bad == 0)
		return doctor_add(r, id, title, DOCTOR_INFO, "No programmer or bootloader is "
				  "plugged in, so there is nothing to see the rules on: plug "
				  "yours in and run `ispwiz doctor` again.", NULL, NULL, err);
	if (n_bad == 0) {
		snprintf(found, sizeof found, "udev applied the rules to: %s.", good);
		return doctor_add(r, id, title, DOCTOR_OK, found, NULL, NULL, err);
	}
	snprintf(found, sizeof found, "udev has not applied the installed rules to: %s. "
		 "Rules installed or changed after a device was plugged in take effect "
		 "once udev reloads them and the device is plugged in again.%s%s", bad,
		 n_good > 0 ? " Applied to: " : "", good);
	if (strstr(bad, "not in the installed rules") != NULL)
		rules_fix(env, fix, sizeof fix);
	else
		snprintf(fix, sizeof fix, DOCTOR_RELOAD);
	return doctor_add(r, id, title, DOCTOR_PROBLEM, found, fix, NULL, err);
}

enum iw_status
doctor_rules_checks(const struct doctor_env *env, const struct detect_list *devs,
		    bool have_devs, struct doctor_report *r, struct iw_error *err)
{
	enum iw_status st;

	if ((st = check_installed(env, r, err)) != IW_OK ||
	    (st = check_current(env, r, err)) != IW_OK)
		return st;
	return check_loaded(env, devs, have_devs, r, err);
}
