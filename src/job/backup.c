/* backup.c - writing what a chip held to BASE.hex, BASE.eep.hex and
 * BASE.json. */
#include "job/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "core/file-util.h"
#include "core/hex-image.h"
#include "core/json-util.h"
#include "core/sha256.h"

/* EEPROM rows left out of the file when blank; flash goes by pages. */
#define BACKUP_EEPROM_ROW 16u

enum iw_status
backup_default_dir(char *buf, size_t size, struct iw_error *err)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	int n;

	/* The XDG spec says a relative XDG_DATA_HOME is invalid: ignore it. */
	if (xdg != NULL && xdg[0] == '/')
		n = snprintf(buf, size, "%s/ispwiz/backups", xdg);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(buf, size, "%s/.local/share/ispwiz/backups", home);
	else
		return iw_error_set(err, IW_IO,
				    "cannot find a place for backups: neither XDG_DATA_HOME "
				    "nor HOME is set; set one of them, or pass --no-backup");
	if (n < 0 || (size_t)n >= size)
		return iw_error_set(err, IW_IO, "the backup directory path is too long");
	return IW_OK;
}

/* mkdir -p: every missing component, 0755 under the umask. */
static enum iw_status
make_dirs(const char *dir, struct iw_error *err)
{
	char failed[BACKUP_PATH_MAX];
	int e = file_make_dirs(dir, failed, sizeof failed);

	if (e == ENAMETOOLONG && failed[0] == '\0')
		return iw_error_set(err, IW_IO, "backup directory \"%s\" is not usable", dir);
	if (e != 0)
		return iw_error_set(err, IW_IO, "cannot create the backup directory %s: %s; "
				    "choose another place or pass --no-backup", failed, strerror(e));
	return IW_OK;
}

static bool
exists(const char *base, const char *suffix)
{
	char path[BACKUP_PATH_MAX + 16];
	struct stat st;

	snprintf(path, sizeof path, "%s%s", base, suffix);
	return lstat(path, &st) == 0;
}

bool
backup_set_present(const char *base, char *path, size_t size)
{
	static const char *const suffixes[] = { ".json", ".hex", ".eep.hex" };

	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
		if (exists(base, suffixes[i])) {
			snprintf(path, size, "%s%s", base, suffixes[i]);
			return true;
		}
	return false;
}

/* fsync the directory holding `path`, so a rename or link in it is on
 * disk, not only the file's data. */
static enum iw_status
sync_dir_of(const char *path, struct iw_error *err)
{
	char dir[BACKUP_PATH_MAX];
	int fd;

	file_dir_of(path, dir, sizeof dir);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return iw_error_set(err, IW_IO, "cannot open the folder %s to sync it: %s",
				    dir, strerror(errno));
	if (fsync(fd) != 0 && errno != EINVAL) {
		int e = errno;

		close(fd);
		return iw_error_set(err, IW_IO, "cannot sync the folder %s: %s", dir,
				    strerror(e));
	}
	close(fd);
	return IW_OK;
}

/* The record a reserved, not yet written backup holds: anyone who looks
 * sees what it is, and restore refuses it. */
static const char *
reservation_text(const struct catalog_part *part, char *buf, size_t size)
{
	snprintf(buf, size, "{\n  \"format\": \"ispwiz-backup\",\n  \"version\": 1,\n"
		 "  \"complete\": false,\n  \"part\": \"%s\",\n  \"note\": \"being "
		 "written by process %ld; if that process is gone, this backup was never "
		 "finished\"\n}\n", part->id, (long)getpid());
	return buf;
}

/* Create BASE.json exclusively.  IW_EXISTS when any file of the set is
 * already there (then nothing is created). */
static enum iw_status
reserve(const char *base, const struct catalog_part *part, struct iw_error *err)
{
	char path[BACKUP_PATH_MAX + 16], text[512];
	size_t len, off = 0;
	int fd;

	if (strlen(base) + 16 >= sizeof path)
		return iw_error_set(err, IW_IO, "the backup name %s is too long", base);
	snprintf(path, sizeof path, "%s.json", base);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			return iw_error_set(err, IW_EXISTS, "%s already exists", path);
		return iw_error_set(err, IW_IO, "cannot create %s: %s", path, strerror(errno));
	}
	/* The .json is what every writer takes first, so memory files without
	 * one are someone else's leftovers: do not mix them in. */
	if (exists(base, ".hex") || exists(base, ".eep.hex")) {
		close(fd);
		unlink(path);
		return iw_error_set(err, IW_EXISTS, "%s%s already exists", base,
				    exists(base, ".hex") ? ".hex" : ".eep.hex");
	}
	reservation_text(part, text, sizeof text);
	len = strlen(text);
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : ENOSPC;

			close(fd);
			unlink(path);
			return iw_error_set(err, IW_IO, "cannot write %s: %s", path, strerror(e));
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0 || close(fd) != 0) {
		int e = errno;

		unlink(path);
		return iw_error_set(err, IW_IO, "cannot write %s: %s", path, strerror(e));
	}
	return sync_dir_of(path, err);
}

enum iw_status
backup_reserve(const char *base, const struct catalog_part *part, struct iw_error *err)
{
	struct iw_error why;
	enum iw_status st = reserve(base, part, &why);

	if (st == IW_EXISTS)
		return iw_error_set(err, IW_EXISTS, "a backup named %s is there already (%s); "
				    "choose another name with -o, or move the old files away "
				    "first (nothing was saved, nothing on the chip changed)", base,
				    why.msg);
	if (st != IW_OK && err != NULL)
		*err = why;
	return st;
}

void
backup_release(const char *base)
{
	char path[BACKUP_PATH_MAX + 16];

	snprintf(path, sizeof path, "%s.json", base);
	unlink(path);
}

enum iw_status
backup_make_base(const char *dir, const struct catalog_part *part, time_t when,
		 char *base, size_t size, struct iw_error *err)
{
	char stamp[32];
	struct tm tm;
	enum iw_status st;

	if ((st = make_dirs(dir, err)) != IW_OK)
		return st;
	localtime_r(&when, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	for (unsigned n = 1; n < 10000; n++) {
		int len;

		if (n == 1)
			len = snprintf(base, size, "%s/%s-%s", dir, part->id, stamp);
		else
			len = snprintf(base, size, "%s/%s-%s-%u", dir, part->id, stamp, n);
		if (len < 0 || (size_t)len + 16 >= size)
			return iw_error_set(err, IW_IO, "the backup path in %s is too long", dir);
		st = reserve(base, part, err);
		if (st != IW_EXISTS)
			return st;
	}
	return iw_error_set(err, IW_IO,
			    "%s already holds 9999 backups of the %s from this second",
			    dir, part->id);
}

/* --- the files ---------------------------------------------------------------- */

static bool
blank(const uint8_t *data, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (data[i] != 0xFF)
			return false;
	return true;
}

/* The non-blank chunks of a memory as Intel HEX, written under a
 * temporary name and linked to `path`: link() fails rather than replace a
 * file that is there, where rename() would silently overwrite it. */
static enum iw_status
write_memory(const char *path, const uint8_t *mem, uint32_t size, uint32_t chunk,
	     struct iw_error *err)
{
	struct hex_image *img = hex_image_new();
	char tmp[BACKUP_PATH_MAX + 32];
	enum iw_status st = IW_OK;

	if (img == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory writing %s", path);
	snprintf(tmp, sizeof tmp, "%s.new.%ld", path, (long)getpid());
	for (uint32_t a = 0; a < size; a += chunk) {
		uint32_t n = size - a < chunk ? size - a : chunk;

		if (blank(mem + a, n))
			continue;
		if ((st = hex_image_put(img, a, mem + a, n, path, 0, err)) != IW_OK)
			goto out;
	}
	if ((st = hex_image_write_file(img, tmp, err)) != IW_OK)
		goto out;
	if (link(tmp, path) != 0)
		st = iw_error_set(err, errno == EEXIST ? IW_EXISTS : IW_IO, "cannot create %s: %s",
				  path, strerror(errno));
	unlink(tmp);
out:
	hex_image_free(img);
	return st;
}

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* A memory's record: its file, its size, and the SHA-256 of all `size`
 * bytes as the chip held them (blank bytes 0xFF), so that a restore can
 * tell a file changed since from the backup it was. */
static json_t *
memory_json(const char *path, const uint8_t *mem, uint32_t size)
{
	char sha[SHA256_HEX_LEN + 1];

	if (path[0] == '\0' || mem == NULL)
		return json_pack("{s:n, s:I}", "file", "size", (json_int_t)size);
	sha256_buffer_hex(mem, size, sha);
	return json_pack("{s:s, s:I, s:s}", "file", base_name(path), "size", (json_int_t)size,
			 "sha256", sha);
}

static json_t *
info_json(const struct backup_info *info, const struct backup_paths *paths)
{
	json_t *root = json_object(), *sig = json_array(), *fuses = json_object();
	char when[40];
	struct tm tm;

	gmtime_r(&info->when, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	for (int i = 0; i < 3; i++)
		json_array_append_new(sig, json_hex_byte(info->signature[i]));
	for (int b = 0; b < FUSE_COUNT; b++)
		if (info->fuses.present[b])
			json_object_set_new(fuses, fuse_byte_name((enum fuse_byte)b),
					    json_hex_byte(info->fuses.value[b]));
	json_object_set_new(root, "format", json_string("ispwiz-backup"));
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "complete", json_true());
	json_object_set_new(root, "created", json_string(when));
	json_object_set_new(root, "part", json_string(info->part->id));
	json_object_set_new(root, "part_name", json_string_or_null(info->part->name));
	json_object_set_new(root, "programmer", json_string_or_null(info->programmer));
	json_object_set_new(root, "signature", sig);
	json_object_set_new(root, "fuses", fuses);
	json_object_set_new(root, "lock", info->have_lock ? json_hex_byte(info->lock) : json_null());
	json_object_set_new(root, "flash", memory_json(paths->hex, info->flash,
						       info->part->flash_size));
	json_object_set_new(root, "eeprom", memory_json(paths->eeprom, info->eeprom,
							info->part->eeprom_size));
	json_object_set_new(root, "note", json_string_or_null(info->note));
	return root;
}

/* Temporary name, fsync, rename: the same discipline as the hex writer. */
static enum iw_status
write_text_file(const char *path, const char *text, struct iw_error *err)
{
	char tmp[BACKUP_PATH_MAX + 32];
	size_t len = strlen(text), off = 0;
	bool newline = false;
	int fd;

	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0)
		return iw_error_set(err, IW_IO, "cannot write %s: %s", tmp, strerror(errno));
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail;
		off += (size_t)n;
		/* json_dumps leaves the last line open; text files end in one. */
		if (off == len && !newline) {
			text = "\n";
			len = 1;
			off = 0;
			newline = true;
		}
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0)
		goto fail;
	return IW_OK;
fail:
	iw_error_set(err, IW_IO, "cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return IW_IO;
}

enum iw_status
backup_write(const char *base, const struct backup_info *info,
	     struct backup_paths *out, struct iw_error *err)
{
	struct backup_paths paths;
	bool wrote_hex = false, wrote_eeprom = false;
	enum iw_status st;
	json_t *doc;
	char *text;

	memset(&paths, 0, sizeof paths);
	if (info->flash != NULL) {
		uint32_t page = info->part->page_size != 0 ? info->part->page_size : 256;

		snprintf(paths.hex, sizeof paths.hex, "%s.hex", base);
		st = write_memory(paths.hex, info->flash, info->part->flash_size, page, err);
		if (st != IW_OK)
			goto fail;
		wrote_hex = true;
	}
	if (info->eeprom != NULL && info->part->eeprom_size > 0) {
		snprintf(paths.eeprom, sizeof paths.eeprom, "%s.eep.hex", base);
		st = write_memory(paths.eeprom, info->eeprom, info->part->eeprom_size,
				  BACKUP_EEPROM_ROW, err);
		if (st != IW_OK)
			goto fail;
		wrote_eeprom = true;
	}
	snprintf(paths.json, sizeof paths.json, "%s.json", base);
	doc = info_json(info, &paths);
	text = doc != NULL ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(doc);
	if (text == NULL) {
		st = iw_error_set(err, IW_NOMEM, "out of memory writing %s", paths.json);
		goto fail;
	}
	/* Replaces this backup's own reservation. */
	st = write_text_file(paths.json, text, err);
	free(text);
	if (st == IW_OK)
		st = sync_dir_of(paths.json, err);
	if (st != IW_OK)
		goto fail;
	if (out != NULL)
		*out = paths;
	return IW_OK;
fail:
	/* Memory files without their record are not a backup anyone can
	 * trust: remove the ones this call wrote, and the reservation. */
	if (wrote_hex)
		unlink(paths.hex);
	if (wrote_eeprom)
		unlink(paths.eeprom);
	backup_release(base);
	return st;
}
