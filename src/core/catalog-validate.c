/*
 * catalog-validate.c - checks that look across entries or need a whole
 * entry: a bootloader's part exists, its presets set exactly the fuse bytes
 * that part has and never switch off ISP access, every part's boot table is
 * complete and ends at the end of flash, programmers have what their
 * transport needs.
 *
 * These run after all files are merged, because a user file may override
 * the part a bootloader from another file refers to.  Positions come from
 * each entry's origin, since the YAML nodes are gone by now.
 */
#include "config.h"

#include "core/catalog.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/catalog-private.h"

static enum iw_status
fail_at(struct iw_error *err, const struct catalog_origin *o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum iw_status
fail_at(struct iw_error *err, const struct catalog_origin *o, const char *fmt, ...)
{
	char what[IW_ERROR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	/* Entries built in code (tests, the simulator) have no file. */
	if (o->file == NULL)
		return iw_error_set(err, IW_CATALOG, "catalog: %s", what);
	return iw_error_set(err, IW_CATALOG, "%s:%d:%d: %s", o->file, o->line, o->col, what);
}

static enum iw_status
validate_programmer(const struct catalog_programmer *p, struct iw_error *err)
{
	switch (p->transport) {
	case CATALOG_TRANSPORT_SERIAL:
		if (p->baud == 0)
			return fail_at(err, &p->origin,
				       "programmer '%s' uses the serial transport but has no "
				       "'baud'; add its default rate (e.g. 'baud: 19200')", p->id);
		break;
	case CATALOG_TRANSPORT_USB:
		if (p->baud != 0)
			return fail_at(err, &p->origin,
				       "programmer '%s' talks USB, so 'baud' means nothing for "
				       "it; remove it", p->id);
		/* Without an ID there is no way to find the device on the bus. */
		if (p->n_usb_ids == 0)
			return fail_at(err, &p->origin,
				       "programmer '%s' talks USB but lists no 'usb_ids' to "
				       "find it by; add its \"VVVV:PPPP\"", p->id);
		break;
	case CATALOG_TRANSPORT_SIM:
		break;
	}
	if (p->limit_note != NULL && p->max_flash == 0)
		return fail_at(err, &p->origin,
			       "programmer '%s' has a 'limit_note' but no 'max_flash' "
			       "limit for it to explain", p->id);
	return IW_OK;
}

static enum iw_status
validate_boot_table(const struct catalog_part *p, struct iw_error *err)
{
	uint32_t flash_words = p->flash_size / 2;

	for (unsigned i = 0; i < 4; i++) {
		const struct boot_section *b = &p->boot[i];

		if (b->size_words == 0 || b->bootsz != i)
			return fail_at(err, &p->origin,
				       "part '%s' has no boot table row for bootsz %u; list all "
				       "four BOOTSZ values (0..3)", p->id, i);
		/* The boot section is always the top of flash. */
		if ((uint64_t)b->start_word + b->size_words != flash_words)
			return fail_at(err, &p->origin,
				       "part '%s': the boot section for bootsz %u (start word "
				       "0x%X, %u words) ends at word 0x%llX, but flash ends at "
				       "word 0x%X",
				       p->id, i, (unsigned)b->start_word, (unsigned)b->size_words,
				       (unsigned long long)b->start_word + b->size_words,
				       (unsigned)flash_words);
	}
	return IW_OK;
}

static enum iw_status
validate_part(const struct catalog_part *p, struct iw_error *err)
{
	if (p->flash_size == 0 || p->page_size == 0 || p->flash_size % p->page_size != 0)
		return fail_at(err, &p->origin,
			       "part '%s': flash (%u bytes) must be a whole number of pages "
			       "(page %u bytes)", p->id, (unsigned)p->flash_size,
			       (unsigned)p->page_size);
	if (!p->fuses[FUSE_LOW].present || !p->fuses[FUSE_HIGH].present)
		return fail_at(err, &p->origin,
			       "part '%s' must define both lfuse and hfuse", p->id);
	/* Field names are looked up across all bytes (fuses_find_field). */
	for (int a = 0; a < FUSE_COUNT; a++) {
		for (size_t i = 0; i < p->fuses[a].n_fields; i++) {
			const char *name = p->fuses[a].fields[i].name;

			for (int b = a; b < FUSE_COUNT; b++) {
				for (size_t j = (b == a ? i + 1 : 0); j < p->fuses[b].n_fields; j++)
					if (strcasecmp(name, p->fuses[b].fields[j].name) == 0)
						return fail_at(err, &p->origin,
							       "part '%s' names two fuse fields "
							       "'%s' (in %s and %s); names must be "
							       "unique within a part", p->id, name,
							       fuse_byte_name(a), fuse_byte_name(b));
			}
		}
	}
	return validate_boot_table(p, err);
}

static enum iw_status
unknown_part(const struct catalog *cat, const struct catalog_bootloader *bl,
	     struct iw_error *err)
{
	const struct catalog_part *near = catalog_find_part(cat, bl->part);
	char known[512];
	size_t used = 0;

	if (near != NULL)
		return fail_at(err, &bl->origin,
			       "bootloader '%s' names part '%s'; write the part's id "
			       "'%s' instead", bl->id, bl->part, near->id);
	known[0] = '\0';
	for (size_t i = 0; i < cat->n_parts && used < sizeof known; i++)
		used += (size_t)snprintf(known + used, sizeof known - used, "%s%s",
					 i > 0 ? ", " : "", cat->parts[i].id);
	return fail_at(err, &bl->origin,
		       "bootloader '%s' is for part '%s', which is not in the catalog "
		       "(known parts: %s)", bl->id, bl->part,
		       cat->n_parts > 0 ? known : "none");
}

/* A preset must never end ISP access: that would brick the board for
 * anyone without a high-voltage programmer. */
static enum iw_status
check_preset_safety(const struct catalog_bootloader *bl,
		    const struct catalog_part *part,
		    const struct catalog_preset *ps, enum fuse_byte b,
		    struct iw_error *err)
{
	const struct fuse_byte_def *def = &part->fuses[b];

	for (size_t i = 0; i < def->n_fields; i++) {
		const struct fuse_field *f = &def->fields[i];
		uint8_t bits = ps->fuse[b] & f->mask;

		/* Programmed means 0. */
		if (f->safety == FUSE_SAFETY_REFUSE_UNPROGRAMMED && bits != 0)
			return fail_at(err, &bl->origin,
				       "bootloader '%s' preset '%s': %s 0x%02X leaves %s "
				       "unprogrammed, which ends ISP access; fix the preset",
				       bl->id, ps->name, fuse_byte_name(b), ps->fuse[b], f->name);
		if (f->safety == FUSE_SAFETY_REFUSE_PROGRAMMED && bits != f->mask)
			return fail_at(err, &bl->origin,
				       "bootloader '%s' preset '%s': %s 0x%02X programs %s, "
				       "which ends ISP access; fix the preset",
				       bl->id, ps->name, fuse_byte_name(b), ps->fuse[b], f->name);
	}
	return IW_OK;
}

static enum iw_status
validate_bootloader(const struct catalog *cat, const struct catalog_bootloader *bl,
		    struct iw_error *err)
{
	const struct catalog_part *part = NULL;

	for (size_t i = 0; i < cat->n_parts && part == NULL; i++)
		if (strcmp(cat->parts[i].id, bl->part) == 0)
			part = &cat->parts[i];
	if (part == NULL)
		return unknown_part(cat, bl, err);
	if (bl->n_presets == 0)
		return fail_at(err, &bl->origin,
			       "bootloader '%s' has no fuse presets; add at least "
			       "'{ name: default, lfuse: 0x.., hfuse: 0x.., ... }'", bl->id);
	for (size_t i = 0; i < bl->n_presets; i++) {
		const struct catalog_preset *ps = &bl->presets[i];

		for (int b = 0; b < FUSE_COUNT; b++) {
			enum iw_status rc;

			if (ps->has_fuse[b] && !part->fuses[b].present)
				return fail_at(err, &bl->origin,
					       "bootloader '%s' preset '%s' sets %s, but %s has "
					       "no %s; remove it from the preset",
					       bl->id, ps->name, fuse_byte_name(b), part->name,
					       fuse_byte_name(b));
			if (!ps->has_fuse[b] && part->fuses[b].present)
				return fail_at(err, &bl->origin,
					       "bootloader '%s' preset '%s' does not set %s, but "
					       "%s has one; add '%s: 0x..' to the preset",
					       bl->id, ps->name, fuse_byte_name(b), part->name,
					       fuse_byte_name(b));
			if (!ps->has_fuse[b])
				continue;
			rc = check_preset_safety(bl, part, ps, b, err);
			if (rc != IW_OK)
				return rc;
		}
	}
	return IW_OK;
}

enum iw_status
catalog_validate(const struct catalog *cat, struct iw_error *err)
{
	enum iw_status rc;

	for (size_t i = 0; i < cat->n_programmers; i++)
		if ((rc = validate_programmer(&cat->programmers[i], err)) != IW_OK)
			return rc;
	for (size_t i = 0; i < cat->n_parts; i++)
		if ((rc = validate_part(&cat->parts[i], err)) != IW_OK)
			return rc;
	for (size_t i = 0; i < cat->n_bootloaders; i++)
		if ((rc = validate_bootloader(cat, &cat->bootloaders[i], err)) != IW_OK)
			return rc;
	return IW_OK;
}

enum iw_status
catalog_check_drivers(const struct catalog *cat, bool (*known)(const char *driver),
		      const char *have, struct iw_error *err)
{
	for (size_t i = 0; i < cat->n_programmers; i++) {
		const struct catalog_programmer *p = &cat->programmers[i];

		if (p->driver != NULL && known(p->driver))
			continue;
		return fail_at(err, p->driver_origin.line != 0 ? &p->driver_origin : &p->origin,
			       "programmer '%s' names driver '%s', which this build does not "
			       "have (it has: %s); use one of those", p->id,
			       p->driver != NULL ? p->driver : "?", have);
	}
	return IW_OK;
}
