/*
 * catalog-identify.h - which known upstream file an image is, by its
 * identity (core/identity.h), never by its name or its file's bytes.
 *
 * A file matches an entry when its image identity is one of the entry's
 * identities (it *is* that file), or, for a bootloader, when the boot
 * section the identity names holds that bootloader's boot identity (a
 * combined or production file that carries it, with something else
 * beside it).  Several entries may match one file: the AT90USB646 and 647
 * take the same file, and so do the 1286 and 1287.
 */
#ifndef ISPWIZ_CORE_CATALOG_IDENTIFY_H
#define ISPWIZ_CORE_CATALOG_IDENTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/hex-image.h"
#include "core/identity.h"

#define CATALOG_MATCH_MAX 8

struct catalog_match {
	/* Exactly one of these two. */
	const struct catalog_bootloader *bootloader;
	const struct catalog_programmer *programmer;   /* an ISP firmware */
	const struct catalog_identity *identity;
	bool whole;          /* the image identity matched: this is the file itself */
};

struct catalog_matches {
	struct catalog_match m[CATALOG_MATCH_MAX];
	size_t n;
	struct image_id image;   /* the image's own identity */
};

/* Every entry `img` is (whole files first).  IW_RANGE when the image spans
 * too much to be an AVR image (identity_image). */
enum iw_status catalog_identify(const struct catalog *cat, const struct hex_image *img,
				struct catalog_matches *out, struct iw_error *err);

/* Whether `bl` is among the matches (as the whole file or inside it). */
bool catalog_matches_bootloader(const struct catalog_matches *m,
				const struct catalog_bootloader *bl, bool *whole);
/* Whether any match is an ISP firmware, and which programmer's. */
const struct catalog_programmer *catalog_matches_firmware(const struct catalog_matches *m);

/* The boot identity of `bl` for `part`'s flash: the first identity that has
 * one (its start and length), or NULL. */
const struct catalog_identity *catalog_bootloader_boot_identity(const struct catalog_bootloader *bl);

/* A file given as the bootloader to flash onto `part`, judged by what it
 * is.  `chosen` is the catalog bootloader the user picked (NULL: none). */
enum catalog_verdict {
	CATALOG_FILE_KNOWN,          /* the chosen bootloader's upstream file */
	CATALOG_FILE_CARRIES,        /* a bigger file that holds the chosen bootloader */
	CATALOG_FILE_IS_OTHER,       /* another known bootloader for this part */
	CATALOG_FILE_UNKNOWN,        /* matches nothing known: the user's own file */
	CATALOG_FILE_WRONG_PART,     /* a known bootloader of another part: refuse */
	CATALOG_FILE_FIRMWARE,       /* a programmer's ISP firmware: refuse */
};

struct catalog_judgement {
	enum catalog_verdict verdict;
	/* What it was found to be (KNOWN, CARRIES, IS_OTHER, WRONG_PART,
	 * FIRMWARE), else NULL. */
	const struct catalog_bootloader *bootloader;
	const struct catalog_programmer *programmer;
	const struct catalog_identity *identity;
	struct image_id image;
	char text[600];              /* one or two sentences saying so */
};

/* Judge `img` (named `path` in the text).  IW_RANGE as catalog_identify. */
enum iw_status catalog_judge_bootloader_file(const struct catalog *cat,
					     const struct hex_image *img, const char *path,
					     const struct catalog_part *part,
					     const struct catalog_bootloader *chosen,
					     struct catalog_judgement *j, struct iw_error *err);
/* Whether the verdict forbids flashing the file as a bootloader. */
bool catalog_verdict_refuses(enum catalog_verdict v);

#endif
