/*
 * qmk.h - what a keyboard's QMK definition says about its chip and its
 * bootloader, read from a local QMK checkout the way QMK merges it:
 * keyboards/A/keyboard.json (or info.json) and keyboards/A/rules.mk, then
 * the same in keyboards/A/B and so on down to the keyboard asked for, each
 * deeper folder overriding what its parents said.  The JSON's `processor`
 * and `bootloader`, and rules.mk's `MCU` and `BOOTLOADER`, are what count.
 *
 * The checkout is $QMK_HOME, else `qmk_home` in the [user] section of
 * $XDG_CONFIG_HOME/qmk/qmk.ini (~/.config/qmk/qmk.ini), else ~/qmk_firmware.
 */
#ifndef ISPWIZ_CORE_QMK_H
#define ISPWIZ_CORE_QMK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/catalog.h"
#include "core/error.h"

#define QMK_TEXT_MAX 64

struct qmk_keyboard {
	char home[1024];                 /* the checkout used */
	char processor[QMK_TEXT_MAX];    /* "atmega32u4", "" when nobody said */
	char bootloader[QMK_TEXT_MAX];   /* "atmel-dfu", "caterina", ... */
	char where_processor[1200];      /* the file that said it last */
	char where_bootloader[1200];
};

/* Where the QMK checkout is, by the rule above; false when none of the
 * places exists (`buf` then holds the last one tried). */
bool qmk_home(char *buf, size_t size);

/* Read the definition of keyboard `name` ("crkbd/rev1").  IW_NOT_FOUND
 * when the checkout or the keyboard is not there (saying where it
 * looked); IW_INPUT for a keyboard.json that is not valid JSON. */
enum iw_status qmk_keyboard_read(const char *name, struct qmk_keyboard *kb,
				 struct iw_error *err);

/* What the catalog makes of it.  The part from `processor`; the bootloader
 * family from QMK's bootloader name; and the catalog entry when exactly one
 * of that family serves the part.  IW_NOT_FOUND with a plain explanation
 * for a bootloader ispwiz cannot put on (qmk-dfu, which QMK builds for each
 * keyboard; halfkay, which PJRC does not publish; ARM ones), IW_USAGE when
 * several entries fit (listed, with --bootloader to choose). */
struct qmk_choice {
	const struct catalog_part *part;
	const char *family;                       /* catalog family, or NULL */
	const struct catalog_bootloader *bootloader;   /* NULL when ambiguous */
};
enum iw_status qmk_choose(const struct catalog *cat, const struct qmk_keyboard *kb,
			  const char *name, struct qmk_choice *out, struct iw_error *err);

/* Complete a keyboard's name `prefix` one folder at a time, as a shell
 * completes paths (qmk-names.c): `fn` gets, sorted, each "A/B" under
 * keyboards/ that starts with it and is a keyboard (keyboard.json,
 * info.json or rules.mk in its folder), and "A/B/" for each that has
 * keyboards below; keymaps/ and hidden folders are none.  The count given
 * to `fn`; -1 when there is no QMK checkout. */
typedef void (*qmk_name_fn)(const char *name, void *user);
int qmk_complete(const char *prefix, qmk_name_fn fn, void *user);

#endif
