/*
 * production.h - the guide's "production image": a keyboard's firmware put
 * under its bootloader in one image, so one ISP job leaves a keyboard that
 * works at once.  The rules `ispwiz merge` joins two files by (bytes that
 * overlap must agree, the result fits the part) plus the ones that make it
 * a production image rather than any two files: the firmware is no
 * bootloader or programmer firmware (by identity), and it stays below the
 * bootloader.  The wizard's Production step uses it; a front end adds
 * nothing of its own.
 */
#ifndef ISPWIZ_JOB_PRODUCTION_H
#define ISPWIZ_JOB_PRODUCTION_H

#include "core/catalog.h"
#include "core/error.h"
#include "core/hex-image.h"

/* `boot` (the bootloader, read from boot_path) and `fw` (the keyboard's
 * firmware, fw_path) for `part`, merged into a new image in *out (the
 * caller frees it).  Refused, with *out NULL and the reason naming the
 * file and the addresses:
 *   - IW_REFUSED: fw is a catalog bootloader's file or carries one (a
 *     bootloader given as the firmware, or a production image already), or
 *     a programmer's ISP firmware;
 *   - IW_RANGE: fw reaches past the part's flash (a build for a bigger
 *     chip), or into the bootloader (its last byte at or past the
 *     bootloader's first);
 *   - IW_INPUT: either holds no data; hex_image_merge's conflicts. */
/* The first of those checks alone, for `ispwiz merge`: IW_REFUSED naming
 * what fw is when the catalog knows it as a bootloader's file, an image
 * that carries one, or a programmer's ISP firmware; IW_OK otherwise. */
enum iw_status production_judge_firmware(const struct catalog *cat,
					 const struct hex_image *fw, const char *fw_path,
					 struct iw_error *err);

enum iw_status production_merge(const struct catalog *cat, const struct catalog_part *part,
				const struct hex_image *boot, const char *boot_path,
				const struct hex_image *fw, const char *fw_path,
				struct hex_image **out, struct iw_error *err);

#endif
