/* udev-dirs.c - the directories udev reads rules from. */
#include "core/udev-dirs.h"

#include <string.h>

/* systemd-udevd's search path: /etc for the administrator, /run for
 * generated rules, /usr/local/lib for a `make install` under /usr/local,
 * /usr/lib for packages; /lib only where it is not a link to /usr/lib. */
const char *const iw_udev_rules_dirs[] = {
	"/etc/udev/rules.d",
	"/run/udev/rules.d",
	"/usr/local/lib/udev/rules.d",
	"/usr/lib/udev/rules.d",
	"/lib/udev/rules.d",
	NULL,
};

bool
iw_udev_reads_dir(const char *dir)
{
	for (size_t i = 0; iw_udev_rules_dirs[i] != NULL; i++)
		if (strcmp(dir, iw_udev_rules_dirs[i]) == 0)
			return true;
	return false;
}
