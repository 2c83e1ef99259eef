/* job-restore.c - the plan of `ispwiz restore`: an ordinary ISP job whose
 * image, EEPROM, fuses and lock come from a backup, so every rule of a
 * flash job holds (the backup of the chip as it is now first, signature
 * check, refuse-class fuse values only with --unsafe-fuses, confirm-class
 * changes only with --yes, fuses after the verify, lock last). */
#include "job/job.h"

#include <string.h>

#include "job/backup.h"

enum iw_status
job_plan_use_backup(struct job_plan *plan, const struct backup_set *set,
		    struct iw_error *err)
{
	const struct catalog_part *part = set->part;
	uint8_t mask = part->lock_mask != 0 ? part->lock_mask : 0x3F;

	if (plan->part != NULL && plan->part != part)
		return iw_error_set(err, IW_USAGE, "%s is a backup of the %s, not of the "
				    "%s (-p); a backup goes back onto the part it was taken "
				    "from", set->json, catalog_part_label(part),
				    catalog_part_label(plan->part));
	plan->part = part;
	plan->image = set->flash;
	plan->image_path = set->flash != NULL ? set->hex : NULL;
	plan->image_what = set->what;
	plan->image_is_bootloader = false;
	plan->bootloader = NULL;
	plan->eeprom = set->eeprom_data;
	plan->eeprom_size = set->eeprom_data != NULL ? part->eeprom_size : 0;
	plan->eeprom_path = set->eeprom_data != NULL ? set->eeprom : NULL;
	plan->fuses = set->fuses;
	/* The erase leaves every lock bit unprogrammed: the byte is written
	 * only when the backup's chip had some programmed (a bootloader's
	 * boot lock bits, often). */
	plan->has_lock = set->have_lock && (set->lock & mask) != mask;
	plan->lock = set->lock;
	if (set->flash == NULL && set->eeprom_data == NULL && !fuse_set_any(&set->fuses))
		return iw_error_set(err, IW_INPUT, "%s holds nothing to restore (no flash, "
				    "EEPROM or fuses)%s%s", set->json,
				    set->note[0] != '\0' ? ": " : "", set->note);
	return IW_OK;
}
