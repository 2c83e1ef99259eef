/* boot.c - the list of USB-bootloader clients, and opening/closing one. */
#include "boot/boot.h"

#include <stdio.h>
#include <string.h>

#include "core/fuses.h"

/* One line per client: each file defines `const struct boot_driver
 * boot_<name>_driver`. */
#define BOOT_DRIVER_LIST(X) \
	X(caterina) \
	X(atmel_dfu) \
	X(halfkay) \
	X(bootloadhid) \
	X(usbasploader)

#define BOOT_DRIVER_EXTERN(name) extern const struct boot_driver boot_##name##_driver;
BOOT_DRIVER_LIST(BOOT_DRIVER_EXTERN)
#undef BOOT_DRIVER_EXTERN

static const struct {
	const struct boot_driver *driver;
} drivers[] = {
#define BOOT_DRIVER_ENTRY(name) { &boot_##name##_driver },
	BOOT_DRIVER_LIST(BOOT_DRIVER_ENTRY)
#undef BOOT_DRIVER_ENTRY
};

#define N_DRIVERS (sizeof drivers / sizeof drivers[0])

const struct boot_driver *
boot_driver_find(const char *name)
{
	for (size_t i = 0; name != NULL && i < N_DRIVERS; i++)
		if (strcmp(drivers[i].driver->name, name) == 0)
			return drivers[i].driver;
	return NULL;
}

const struct boot_driver *
boot_driver_for_family(const char *family)
{
	for (size_t i = 0; family != NULL && i < N_DRIVERS; i++)
		if (drivers[i].driver->family != NULL &&
		    strcmp(drivers[i].driver->family, family) == 0)
			return drivers[i].driver;
	return NULL;
}

const struct boot_driver *
boot_driver_at(size_t i)
{
	return i < N_DRIVERS ? drivers[i].driver : NULL;
}

const char *
boot_driver_names(char *buf, size_t size)
{
	size_t used = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < N_DRIVERS && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s", i > 0 ? ", " : "",
				 drivers[i].driver->name);

		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

/* Whether `bl` is a bootloader of `family` for `part`. */
static bool
family_on_part(const struct catalog *cat, const struct catalog_bootloader *bl,
	       const char *family, const struct catalog_part *part)
{
	return bl->family != NULL && strcmp(bl->family, family) == 0 &&
	       catalog_find_part(cat, bl->part) == part;
}

uint32_t
boot_own_section(const struct catalog *cat, const struct catalog_part *part,
		 const char *family)
{
	uint32_t from_ids = UINT32_MAX, from_fuses = UINT32_MAX;

	for (size_t i = 0; cat != NULL && family != NULL && i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];

		if (!family_on_part(cat, bl, family, part))
			continue;
		for (size_t k = 0; k < bl->n_identities; k++)
			if (bl->identities[k].has_boot && bl->identities[k].boot.start < from_ids)
				from_ids = bl->identities[k].boot.start;
		for (size_t k = 0; k < bl->n_presets; k++) {
			const struct catalog_preset *pr = &bl->presets[k];
			const struct boot_section *sec;

			if (!pr->has_fuse[FUSE_HIGH] ||
			    (sec = fuses_bootsz(part, pr->fuse[FUSE_HIGH])) == NULL)
				continue;
			if (sec->start_word * 2u < from_fuses)
				from_fuses = sec->start_word * 2u;
		}
	}
	if (from_ids != UINT32_MAX)
		return from_ids;
	if (from_fuses != UINT32_MAX)
		return from_fuses;
	/* boot[] is indexed by BOOTSZ: 0 is the largest section. */
	return part->boot[0].size_words != 0 ? part->boot[0].start_word * 2u : part->flash_size;
}

enum iw_status
boot_open(struct boot *b, const struct boot_driver *d, const struct boot_options *opt,
	  struct iw_error *err)
{
	enum iw_status st;

	memset(b, 0, sizeof *b);
	b->driver = d;
	b->info.part = opt->part;
	st = d->open(b, opt, err);
	if (st != IW_OK)
		memset(b, 0, sizeof *b);
	return st;
}

void
boot_close(struct boot *b)
{
	if (b->driver == NULL)
		return;
	b->driver->close(b);
	memset(b, 0, sizeof *b);
}
