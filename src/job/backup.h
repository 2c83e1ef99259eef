/*
 * backup.h - what a chip held before a job changed it, on disk.
 *
 * A backup is three files with one base name: BASE.hex (flash, Intel HEX,
 * all-0xFF pages left out: a chip erase restores them), BASE.eep.hex
 * (EEPROM, when the part has one) and BASE.json (part, signature, fuses,
 * lock, the file names and when it was taken).  Every file is written to a
 * temporary name and then linked or renamed into place, so a failure never
 * leaves half a file, and the directory is synced afterwards so the names
 * survive a power cut.  `ispwiz read -o BASE` writes the same three files.
 *
 * Names cannot collide, even between processes (two stations sharing one
 * backup folder): a base name is taken by creating BASE.json with O_EXCL,
 * holding a record marked "complete": false until the backup is written,
 * and the memory files are linked into place, which fails instead of
 * replacing a file someone else made.  Nothing is ever overwritten.
 */
#ifndef ISPWIZ_JOB_BACKUP_H
#define ISPWIZ_JOB_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/catalog.h"
#include "core/error.h"
#include "core/fuses.h"
#include "core/hex-image.h"

struct backup_info {
	const struct catalog_part *part;
	const char *programmer;        /* catalog id, for the record */
	uint8_t signature[3];
	struct fuse_set fuses;         /* as read */
	bool have_lock;
	uint8_t lock;
	/* NULL when the memory could not be read (lock bits): the file is left
	 * out and the JSON says why. */
	const uint8_t *flash;          /* part->flash_size bytes */
	const uint8_t *eeprom;         /* part->eeprom_size bytes */
	const char *note;              /* NULL or why a memory is missing */
	time_t when;
};

#define BACKUP_PATH_MAX 4096

struct backup_paths {
	char hex[BACKUP_PATH_MAX];     /* "" when not written */
	char eeprom[BACKUP_PATH_MAX];
	char json[BACKUP_PATH_MAX];
};

/* $XDG_DATA_HOME/ispwiz/backups, else $HOME/.local/share/ispwiz/backups
 * (not created).  IW_IO when neither variable is set. */
enum iw_status backup_default_dir(char *buf, size_t size, struct iw_error *err);

/* Create `dir` (and its parents) and take a base name in it that no
 * backup uses: DIR/PART-YYYYMMDD-HHMMSS, with -2, -3... appended when that
 * name is taken.  The name is reserved (backup_reserve) when this returns. */
enum iw_status backup_make_base(const char *dir, const struct catalog_part *part,
				time_t when, char *base, size_t size,
				struct iw_error *err);

/* Reserve exactly `base` (read -o): IW_EXISTS naming the file when a backup
 * set is there already (BASE.json, BASE.hex or BASE.eep.hex). */
enum iw_status backup_reserve(const char *base, const struct catalog_part *part,
			      struct iw_error *err);
/* Whether any file of the set BASE is there (BASE.json, BASE.hex or
 * BASE.eep.hex), naming the first in `path`: `read -o` asks before it
 * connects, so a taken name costs no trip to the chip.  backup_reserve()
 * still decides, exclusively. */
bool backup_set_present(const char *base, char *path, size_t size);
/* Give a reservation back (the job failed before its backup was written). */
void backup_release(const char *base);

/* A backup read back (ispwiz restore, backup-load.c). */
struct backup_set {
	char json[BACKUP_PATH_MAX];
	char hex[BACKUP_PATH_MAX];        /* "" when the backup has no flash */
	char eeprom[BACKUP_PATH_MAX];     /* "" when it has no EEPROM */
	const struct catalog_part *part;
	uint8_t signature[3];
	struct fuse_set fuses;            /* as the chip held them */
	bool have_lock;
	uint8_t lock;
	/* The flash as the file holds it (NULL: not saved, the note says why)
	 * and as the chip held it, part->flash_size bytes with blanks 0xFF. */
	struct hex_image *flash;
	uint8_t *flash_data;
	uint8_t *eeprom_data;             /* part->eeprom_size bytes, or NULL */
	char created[40];                 /* "2026-12-02T21:51:00Z", "" unknown */
	char programmer[64];              /* the catalog id it was read with, or "" */
	char note[256];                   /* why a memory is missing, or "" */
	char what[BACKUP_PATH_MAX + 64];  /* "the backup taken 2026-... (BASE.json)" */
};

/* Read the backup `path` names (BASE, BASE.json, BASE.hex or BASE.eep.hex)
 * and check it against the catalog and its files against the record:
 * IW_NOT_FOUND / IW_INPUT saying what is wrong and that nothing was
 * touched.  Free with backup_set_free(), also after a failure. */
enum iw_status backup_load(const char *path, const struct catalog *cat,
			   struct backup_set *set, struct iw_error *err);
void backup_set_free(struct backup_set *set);

/* Write BASE.hex, BASE.eep.hex and BASE.json under a reserved base (on
 * failure the reservation and whatever was written are removed); `out`
 * (may be NULL) gets the names written. */
enum iw_status backup_write(const char *base, const struct backup_info *info,
			    struct backup_paths *out, struct iw_error *err);

#endif
