/* qmk.c - a keyboard's chip and bootloader from a QMK checkout (qmk.h). */
#include "core/qmk.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jansson.h>

#include "core/file-util.h"

#define QMK_FILE_MAX (1024u * 1024u)

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* qmk.ini: "qmk_home = /path" in the [user] section. */
static bool
ini_home(const char *path, char *buf, size_t size)
{
	char *text, *line, *save = NULL;
	size_t len;
	bool user = false, found = false;

	if (file_read_all(path, QMK_FILE_MAX, &text, &len) != 0)
		return false;
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char *p = line, *eq, *end;

		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[') {
			user = strncmp(p, "[user]", 6) == 0;
			continue;
		}
		if (!user || (eq = strchr(p, '=')) == NULL)
			continue;
		end = eq;
		while (end > p && isspace((unsigned char)end[-1]))
			end--;
		if ((size_t)(end - p) != 8 || strncmp(p, "qmk_home", 8) != 0)
			continue;
		for (eq++; isspace((unsigned char)*eq); eq++)
			;
		for (end = eq + strlen(eq); end > eq && isspace((unsigned char)end[-1]); end--)
			;
		snprintf(buf, size, "%.*s", (int)(end - eq), eq);
		found = buf[0] != '\0';
	}
	free(text);
	return found;
}

bool
qmk_home(char *buf, size_t size)
{
	const char *env = getenv("QMK_HOME"), *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char ini[1024];

	if (env != NULL && env[0] != '\0') {
		snprintf(buf, size, "%s", env);
		return is_dir(buf);
	}
	if (xdg != NULL && xdg[0] == '/')
		snprintf(ini, sizeof ini, "%s/qmk/qmk.ini", xdg);
	else
		snprintf(ini, sizeof ini, "%s/.config/qmk/qmk.ini", home != NULL ? home : "");
	if (ini_home(ini, buf, size)) {
		/* qmk writes "~/qmk_firmware" there. */
		if (buf[0] == '~' && home != NULL) {
			char rest[1024];

			snprintf(rest, sizeof rest, "%s", buf + 1);
			snprintf(buf, size, "%s%s", home, rest);
		}
		return is_dir(buf);
	}
	snprintf(buf, size, "%s/qmk_firmware", home != NULL ? home : "");
	return is_dir(buf);
}

/* "KEY = value" (or := ?= +=) in a rules.mk; comments dropped. */
static bool
mk_value(const char *text, const char *key, char *buf, size_t size)
{
	const char *p = text;
	size_t klen = strlen(key);
	bool found = false;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n'), *q = p;
		size_t n = eol != NULL ? (size_t)(eol - p) : strlen(p);

		while (q < p + n && isspace((unsigned char)*q))
			q++;
		if ((size_t)(p + n - q) > klen && strncmp(q, key, klen) == 0) {
			const char *v = q + klen, *end;

			while (v < p + n && isspace((unsigned char)*v))
				v++;
			if (v < p + n && strchr(":?+", *v) != NULL)
				v++;
			if (v < p + n && *v == '=') {
				v++;
				while (v < p + n && isspace((unsigned char)*v))
					v++;
				for (end = v; end < p + n && *end != '#'; end++)
					;
				while (end > v && isspace((unsigned char)end[-1]))
					end--;
				snprintf(buf, size, "%.*s", (int)(end - v), v);
				found = true;   /* the last assignment wins, as in make */
			}
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return found;
}

static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* One folder's say. */
static enum iw_status
read_level(const char *dir, struct qmk_keyboard *kb, struct iw_error *err)
{
	static const char *const jsons[] = { "info.json", "keyboard.json" };
	char path[1200], *text;
	size_t len;

	for (size_t i = 0; i < 2; i++) {
		json_error_t jerr;
		json_t *doc, *v;

		snprintf(path, sizeof path, "%s/%s", dir, jsons[i]);
		if (file_read_all(path, QMK_FILE_MAX, &text, &len) != 0)
			continue;
		doc = json_loadb(text, len, 0, &jerr);
		free(text);
		if (doc == NULL)
			return iw_error_set(err, IW_INPUT, "%s:%d:%d: not valid JSON: %s", path,
					    jerr.line, jerr.column, jerr.text);
		if (json_is_string(v = json_object_get(doc, "processor"))) {
			snprintf(kb->processor, sizeof kb->processor, "%s", json_string_value(v));
			snprintf(kb->where_processor, sizeof kb->where_processor, "%s", path);
		}
		if (json_is_string(v = json_object_get(doc, "bootloader"))) {
			snprintf(kb->bootloader, sizeof kb->bootloader, "%s", json_string_value(v));
			snprintf(kb->where_bootloader, sizeof kb->where_bootloader, "%s", path);
		}
		json_decref(doc);
	}
	snprintf(path, sizeof path, "%s/rules.mk", dir);
	if (file_read_all(path, QMK_FILE_MAX, &text, &len) == 0) {
		if (mk_value(text, "MCU", kb->processor, sizeof kb->processor))
			snprintf(kb->where_processor, sizeof kb->where_processor, "%s", path);
		if (mk_value(text, "BOOTLOADER", kb->bootloader, sizeof kb->bootloader))
			snprintf(kb->where_bootloader, sizeof kb->where_bootloader, "%s", path);
		free(text);
	}
	return IW_OK;
}

enum iw_status
qmk_keyboard_read(const char *name, struct qmk_keyboard *kb, struct iw_error *err)
{
	char dir[1100];
	size_t used;
	const char *p;
	enum iw_status st;

	memset(kb, 0, sizeof *kb);
	if (!qmk_home(kb->home, sizeof kb->home))
		return iw_error_set(err, IW_NOT_FOUND, "no QMK checkout at %s: set QMK_HOME (or "
				    "run `qmk setup`), or give -p and --bootloader yourself",
				    kb->home);
	if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
		return iw_error_set(err, IW_USAGE, "'%s' is not a keyboard name like "
				    "crkbd/rev1", name);
	used = (size_t)snprintf(dir, sizeof dir, "%s/keyboards", kb->home);
	/* Every level from the top down, the deeper one last. */
	for (p = name; *p != '\0';) {
		size_t n = strcspn(p, "/");

		used += (size_t)snprintf(dir + used, sizeof dir - used, "/%.*s", (int)n, p);
		if (used >= sizeof dir)
			return iw_error_set(err, IW_USAGE, "keyboard name '%s' is too long", name);
		if (!is_dir(dir))
			return iw_error_set(err, IW_NOT_FOUND, "no keyboard '%s' in the QMK checkout "
					    "%s (%s is not there)", name, kb->home, dir);
		if ((st = read_level(dir, kb, err)) != IW_OK)
			return st;
		p += n;
		while (*p == '/')
			p++;
	}
	lower(kb->processor);
	lower(kb->bootloader);
	return IW_OK;
}

/* QMK's bootloader names and what the catalog serves for them. */
static const struct {
	const char *qmk, *family, *why_not;
} names[] = {
	{ "atmel-dfu", "atmel-dfu", NULL },
	{ "lufa-dfu", NULL, "LUFA's DFU bootloader is built from QMK's sources for each "
	  "keyboard (`make KB:default:bootloader` in the QMK checkout builds it); flash that "
	  "file with -f, or use Atmel DFU instead (--bootloader atmel-dfu-PART)" },
	{ "qmk-dfu", NULL, "QMK DFU is built from QMK's own sources for each keyboard "
	  "(`make KB:default:bootloader` in the QMK checkout builds it); flash that file "
	  "with -f, or use Atmel DFU instead (--bootloader atmel-dfu-PART)" },
	{ "qmk-hid", NULL, "QMK HID is built from QMK's sources for each keyboard; flash the "
	  "file you build with -f" },
	{ "caterina", "caterina", NULL },
	{ "bootloadhid", "bootloadhid", NULL },
	{ "usbasploader", "usbasploader", NULL },
	{ "halfkay", NULL, "HalfKay is PJRC's own bootloader of the Teensy and is not "
	  "published: it cannot be put back over ISP. A Teensy whose bootloader is gone "
	  "needs PJRC's help; or put Atmel DFU on it instead" },
	{ "stm32-dfu", NULL, "an STM32 is not an AVR: ispwiz cannot flash it" },
	{ "stm32duino", NULL, "an STM32 is not an AVR: ispwiz cannot flash it" },
	{ "kiibohd", NULL, "the Kiibohd bootloader runs on an ARM chip, not an AVR" },
	{ "rp2040", NULL, "an RP2040 is not an AVR: it has its own ROM bootloader" },
};

enum iw_status
qmk_choose(const struct catalog *cat, const struct qmk_keyboard *kb, const char *name,
	   struct qmk_choice *out, struct iw_error *err)
{
	char list[512] = "";
	size_t used = 0, n = 0;

	memset(out, 0, sizeof *out);
	if (kb->processor[0] == '\0')
		return iw_error_set(err, IW_NOT_FOUND, "keyboard %s names no processor (MCU) "
				    "in %s; give -p yourself", name, kb->home);
	if ((out->part = catalog_find_part(cat, kb->processor)) == NULL)
		return iw_error_set(err, IW_NOT_FOUND, "keyboard %s has a %s (%s), which is not "
				    "an AVR ispwiz knows", name, kb->processor, kb->where_processor);
	if (kb->bootloader[0] == '\0')
		return iw_error_set(err, IW_NOT_FOUND, "keyboard %s names no bootloader in %s; "
				    "give --bootloader yourself", name, kb->home);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(names[i].qmk, kb->bootloader) != 0)
			continue;
		if (names[i].family == NULL)
			return iw_error_set(err, IW_NOT_FOUND, "keyboard %s uses the %s bootloader "
					    "(%s): %s", name, kb->bootloader, kb->where_bootloader,
					    names[i].why_not);
		out->family = names[i].family;
	}
	if (out->family == NULL)
		return iw_error_set(err, IW_NOT_FOUND, "keyboard %s uses the bootloader '%s' "
				    "(%s), which ispwiz does not know; give --bootloader yourself",
				    name, kb->bootloader, kb->where_bootloader);
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];
		int k;

		if (bl->family == NULL || strcmp(bl->family, out->family) != 0 ||
		    catalog_find_part(cat, bl->part) != out->part)
			continue;
		if (n++ == 0)
			out->bootloader = bl;
		k = snprintf(list + used, sizeof list - used, "%s%s", used > 0 ? ", " : "", bl->id);
		if (k > 0 && (size_t)k < sizeof list - used)
			used += (size_t)k;
	}
	if (n == 0)
		return iw_error_set(err, IW_NOT_FOUND, "keyboard %s wants %s on its %s, which the "
				    "catalog has no entry for", name, catalog_family_label(out->family),
				    catalog_part_label(out->part));
	if (n > 1) {
		out->bootloader = NULL;
		return iw_error_set(err, IW_USAGE, "keyboard %s wants %s on its %s, and the "
				    "catalog has several (they differ in the board they were built "
				    "for): choose one with --bootloader: %s", name,
				    catalog_family_label(out->family), catalog_part_label(out->part),
				    list);
	}
	return IW_OK;
}
