/*
 * doctor-user.c - who runs ispwiz, on which distribution, and whether they
 * are in the group that owns the serial ports (dialout on Debian, Ubuntu
 * and Fedora, uucp on Arch).  Under a root other than "/", the user and
 * the groups come from its /etc/passwd and /etc/group, so that tests can
 * fake them; the login session's groups are always the process's own.
 */
#include "job/doctor-private.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/file-util.h"

#define SMALL_FILE_MAX (256 * 1024)

/* --- os-release and the user ------------------------------------------------------ */

bool
doctor_os_is(const struct doctor_env *env, const char *id)
{
	char like[sizeof env->os_like + 2], word[72];

	snprintf(like, sizeof like, " %s ", env->os_like);
	snprintf(word, sizeof word, " %s ", id);
	return strcmp(env->os_id, id) == 0 || strstr(like, word) != NULL;
}

static void
os_value(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p != '\0') {
		size_t len = strcspn(p, "\n");

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t vlen = len - klen - 1;

			if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
				v++;
				vlen -= 2;
			}
			snprintf(out, size, "%.*s", (int)vlen, v);
			return;
		}
		p += len + (p[len] == '\n');
	}
}

static void
probe_os(struct doctor_env *env)
{
	static const char *const files[] = { "/etc/os-release", "/usr/lib/os-release" };

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char real[PATH_MAX];
		char *text;
		size_t len;

		if (!doctor_path(env, files[i], real, sizeof real) ||
		    file_read_all(real, SMALL_FILE_MAX, &text, &len) != 0)
			continue;
		os_value(text, "ID", env->os_id, sizeof env->os_id);
		os_value(text, "ID_LIKE", env->os_like, sizeof env->os_like);
		free(text);
		return;
	}
}

/* The root's own database file, or NULL for the system's (NSS). */
static FILE *
root_db(const struct doctor_env *env, const char *name)
{
	char real[PATH_MAX];

	if (env->root[0] == '\0' || !doctor_path(env, name, real, sizeof real))
		return NULL;
	return fopen(real, "re");
}

/* The user's primary group: from passwd, so that tests can fake it. */
static bool
primary_gid(const struct doctor_env *env, gid_t *gid)
{
	FILE *f = root_db(env, "/etc/passwd");
	struct passwd *pw;
	bool ok = false;

	if (env->root[0] == '\0') {
		pw = getpwuid(env->uid);
		if (pw != NULL)
			*gid = pw->pw_gid;
		return pw != NULL;
	}
	if (f == NULL)
		return false;
	while (!ok && (pw = fgetpwent(f)) != NULL)
		if (pw->pw_uid == env->uid) {
			*gid = pw->pw_gid;
			ok = true;
		}
	fclose(f);
	return ok;
}

static void
probe_user(struct doctor_env *env)
{
	struct passwd *pw = NULL;
	FILE *f;

	env->uid = getuid();
	if (env->root[0] == '\0') {
		pw = getpwuid(env->uid);
		if (pw != NULL)
			snprintf(env->user, sizeof env->user, "%s", pw->pw_name);
	} else if ((f = root_db(env, "/etc/passwd")) != NULL) {
		while ((pw = fgetpwent(f)) != NULL)
			if (pw->pw_uid == env->uid) {
				snprintf(env->user, sizeof env->user, "%s", pw->pw_name);
				break;
			}
		fclose(f);
	}
	if (env->user[0] == '\0')
		snprintf(env->user, sizeof env->user, "uid %ld", (long)env->uid);
}

bool
doctor_group_name(const struct doctor_env *env, gid_t gid, char *buf, size_t size)
{
	struct group *gr;
	bool ok = false;
	FILE *f;

	if (env->root[0] == '\0') {
		gr = getgrgid(gid);
		if (gr != NULL)
			snprintf(buf, size, "%s", gr->gr_name);
		return gr != NULL;
	}
	if ((f = root_db(env, "/etc/group")) == NULL)
		return false;
	while (!ok && (gr = fgetgrent(f)) != NULL)
		if (gr->gr_gid == gid) {
			snprintf(buf, size, "%s", gr->gr_name);
			ok = true;
		}
	fclose(f);
	return ok;
}

/* A group by name: its gid and whether the user is listed in it. */
static bool
group_by_name(const struct doctor_env *env, const char *name, gid_t *gid, bool *member)
{
	struct group *gr = NULL;
	bool ok = false;
	FILE *f = NULL;

	if (env->root[0] == '\0')
		gr = getgrnam(name);
	else if ((f = root_db(env, "/etc/group")) != NULL)
		while ((gr = fgetgrent(f)) != NULL && strcmp(gr->gr_name, name) != 0)
			;
	if (gr != NULL) {
		ok = true;
		*gid = gr->gr_gid;
		*member = false;
		for (char **m = gr->gr_mem; m != NULL && *m != NULL; m++)
			*member = *member || strcmp(*m, env->user) == 0;
	}
	if (f != NULL)
		fclose(f);
	return ok;
}

void
doctor_user_in_group(const struct doctor_env *env, gid_t gid, bool *in_db, bool *in_session)
{
	gid_t groups[256], primary;
	char name[64];
	int n = getgroups((int)(sizeof groups / sizeof groups[0]), groups);
	bool member = false;
	gid_t g;

	*in_db = (primary_gid(env, &primary) && primary == gid) ||
		 (doctor_group_name(env, gid, name, sizeof name) &&
		  group_by_name(env, name, &g, &member) && member);
	*in_session = getegid() == gid;
	for (int i = 0; i < n && !*in_session; i++)
		*in_session = groups[i] == gid;
}

void
doctor_user_probe(struct doctor_env *env)
{
	probe_os(env);
	probe_user(env);
}

/* --- the check ------------------------------------------------------------------------ */

/* The group of the serial ports present (ttyACM*, ttyUSB*), else the
 * distribution's usual one; "" when neither is known. */
static void
serial_group(const struct doctor_env *env, const struct detect_list *devs, char *group,
	     size_t gsize, gid_t *gid, char *why, size_t wsize)
{
	bool member;

	group[0] = why[0] = '\0';
	for (size_t i = 0; devs != NULL && i < devs->n; i++) {
		const char *port = devs->items[i].port;
		struct stat st;

		if (port == NULL || (strncmp(port, "/dev/ttyACM", 11) != 0 &&
				     strncmp(port, "/dev/ttyUSB", 11) != 0) ||
		    stat(port, &st) != 0 || st.st_gid == 0)
			continue;
		*gid = st.st_gid;
		if (!doctor_group_name(env, st.st_gid, group, gsize))
			snprintf(group, gsize, "%ld", (long)st.st_gid);
		snprintf(why, wsize, "the group of %s", port);
		return;
	}
	snprintf(group, gsize, "%s", doctor_os_is(env, "arch") ? "uucp" : "dialout");
	snprintf(why, wsize, "the group of serial ports on %s", env->os_id[0] != '\0' ?
		 env->os_id : "this system");
	if (!group_by_name(env, group, gid, &member))
		group[0] = '\0';
}

enum iw_status
doctor_groups_check(const struct doctor_env *env, const struct detect_list *devs,
		    struct doctor_report *r, struct iw_error *err)
{
	static const char id[] = "groups", title[] = "serial-port group";
	static const char *const known[] = { "dialout", "uucp", "plugdev", "lock" };
	char group[64], why[512], found[2048], fix[512], member_of[256];
	bool in_db, in_session;
	size_t um = 0;
	gid_t gid = 0;

	if (env->uid == 0)
		return doctor_add(r, id, title, DOCTOR_INFO, "Running as root, which may open "
				  "every device: run `ispwiz doctor` as the user who will flash "
				  "to check that user's groups.", NULL, NULL, err);
	serial_group(env, devs, group, sizeof group, &gid, why, sizeof why);
	member_of[0] = '\0';
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		gid_t g;
		bool listed, db, sess;

		if (!group_by_name(env, known[i], &g, &listed))
			continue;
		doctor_user_in_group(env, g, &db, &sess);
		if (sess && um < sizeof member_of)
			um += (size_t)snprintf(member_of + um, sizeof member_of - um, "%s%s",
					       um ? ", " : "", known[i]);
	}
	if (group[0] == '\0') {
		snprintf(found, sizeof found, "%s has no dialout or uucp group; serial ports "
			 "are reached through the udev rules (uaccess) only.",
			 env->os_id[0] != '\0' ? env->os_id : "This system");
		return doctor_add(r, id, title, DOCTOR_INFO, found, NULL, NULL, err);
	}
	doctor_user_in_group(env, gid, &in_db, &in_session);
	if (in_session) {
		snprintf(found, sizeof found, "%s is in %s (%s).%s%s", env->user, group, why,
			 um ? " Member of: " : "", member_of);
		return doctor_add(r, id, title, DOCTOR_OK, found, NULL, NULL, err);
	}
	if (in_db) {
		snprintf(found, sizeof found, "%s was added to %s (%s), but this login session "
			 "started before that and does not have it yet.", env->user, group, why);
		snprintf(found + strlen(found), sizeof found - strlen(found), " Log out and back "
			 "in, or start a shell that has it in this terminal:");
		snprintf(fix, sizeof fix, "newgrp %s", group);
		return doctor_add(r, id, title, DOCTOR_WARNING, found, fix, NULL, err);
	}
	snprintf(found, sizeof found, "%s is not in %s (%s).%s%s The udev rules give "
		 "recognised devices to whoever sits at the machine (uaccess); over SSH, in "
		 "a container or without the rules, serial programmers need the group.",
		 env->user, group, why, um ? " Member of: " : "", member_of);
	snprintf(found + strlen(found), sizeof found - strlen(found), " After the fix, log "
		 "out and back in.");
	snprintf(fix, sizeof fix, "sudo usermod -aG %s %s", group,
		 env->uid != 0 && strncmp(env->user, "uid ", 4) != 0 ? env->user : "$USER");
	return doctor_add(r, id, title, doctor_rules_in_effect(env) ? DOCTOR_WARNING :
			  DOCTOR_PROBLEM, found, fix, NULL, err);
}
