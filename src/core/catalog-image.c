/*
 * catalog-image.c - reading a firmware file for a catalog: data that no
 * part in the catalog could hold is refused at its line, while the file is
 * being read (a 50 MB file of data at 16 MB is not parsed to its end and
 * laid out in memory just to be refused against the part afterwards).
 */
#include "config.h"

#include "core/catalog.h"
#include "core/hex-image.h"

#include <stdio.h>

const struct catalog_part *
catalog_largest_part(const struct catalog *cat)
{
	const struct catalog_part *big = NULL;

	for (size_t i = 0; cat != NULL && i < cat->n_parts; i++)
		if (big == NULL || cat->parts[i].flash_size > big->flash_size)
			big = &cat->parts[i];
	return big;
}

enum iw_status
catalog_read_image(const struct catalog *cat, struct hex_image *img, const char *path,
		   struct iw_error *err)
{
	const struct catalog_part *big = catalog_largest_part(cat);
	char why[160];

	if (big == NULL || big->flash_size == 0)
		return hex_image_read_file(img, path, err);
	snprintf(why, sizeof why, "the largest flash of any part in the catalog (the "
		 "%s's %u KiB)", catalog_part_label(big), big->flash_size / 1024u);
	return hex_image_read_file_within(img, path, big->flash_size, why, err);
}
