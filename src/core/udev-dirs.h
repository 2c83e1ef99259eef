/* udev-dirs.h - where udev reads its rules: one list for every layer that
 * has to say whether ispwiz's rules file can take effect (the USB driver's
 * permission error, detect's access advice, `ispwiz doctor`). */
#ifndef ISPWIZ_CORE_UDEV_DIRS_H
#define ISPWIZ_CORE_UDEV_DIRS_H

#include <stdbool.h>

/* The rules file every install of ispwiz ships. */
#define IW_UDEV_RULES_FILE "60-ispwiz.rules"

/* The directories systemd-udevd reads rules from, highest priority first,
 * NULL-terminated. */
extern const char *const iw_udev_rules_dirs[];

/* Whether udev reads rules from `dir` (a path as configure gave it, without
 * a trailing slash). */
bool iw_udev_reads_dir(const char *dir);

#endif
