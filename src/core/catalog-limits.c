/*
 * catalog-limits.c - the ranges a part's sizes must be in, checked while
 * the YAML nodes are still there so a refusal has file:line:col.
 *
 * A value of the right type can still be one no AVR has and that only
 * fails much later: a page of 1 byte makes a job write flash byte by byte
 * through page commands the chip does not have, a 4 GB EEPROM makes a
 * backup allocate 4 GB.  The bounds are those of the classic AVRs that are
 * programmed over ISP (datasheets: pages of 32 to 256 bytes, up to 256 KiB
 * of flash and 4 KiB of EEPROM), with room to spare, so a future part fits
 * without a code change while a typo does not load.
 */
#include "config.h"

#include "core/catalog-private.h"

#include <stdio.h>

/* Inclusive bounds; every page size is also a power of two. */
#define PAGE_MIN 16u
#define PAGE_MAX 1024u
#define FLASH_MIN 1024u
#define FLASH_MAX (1024u * 1024u)
#define EEPROM_MAX (64u * 1024u)

static bool
power_of_two(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

enum iw_status
catalog_check_part_sizes(struct ld *ld, yaml_node_t *item, const struct catalog_part *p)
{
	if (!power_of_two(p->page_size) || p->page_size < PAGE_MIN || p->page_size > PAGE_MAX)
		return ld_fail(ld, ld_get(ld, item, "page"),
			       "part '%s': a flash page of %u bytes is not one an AVR has; the "
			       "page is a power of two from %u to %u bytes (the datasheet's "
			       "\"page size\", in bytes, not words)", p->id,
			       (unsigned)p->page_size, PAGE_MIN, PAGE_MAX);
	if (p->flash_size < FLASH_MIN || p->flash_size > FLASH_MAX)
		return ld_fail(ld, ld_get(ld, item, "flash"),
			       "part '%s': %u bytes of flash is out of range: an AVR has "
			       "%u bytes to %u KiB; give the size in bytes (32 KiB is 32768)",
			       p->id, (unsigned)p->flash_size, FLASH_MIN, FLASH_MAX / 1024u);
	if (p->flash_size % p->page_size != 0)
		return ld_fail(ld, ld_get(ld, item, "flash"),
			       "part '%s': flash (%u bytes) must be a whole number of pages "
			       "(page %u bytes)", p->id, (unsigned)p->flash_size,
			       (unsigned)p->page_size);
	if (p->eeprom_size > EEPROM_MAX)
		return ld_fail(ld, ld_get(ld, item, "eeprom"),
			       "part '%s': %u bytes of EEPROM is out of range: an AVR has at "
			       "most a few KiB (up to %u KiB here); give the size in bytes, 0 "
			       "when it has none", p->id, (unsigned)p->eeprom_size,
			       EEPROM_MAX / 1024u);
	return IW_OK;
}

/* Two rows for one value of a field would give one setting two meanings;
 * which one a decoder shows would depend on the order. */
enum iw_status
catalog_check_value_rows(struct ld *ld, yaml_node_t *field_node, const struct fuse_field *f)
{
	yaml_node_t *values = ld_get(ld, field_node, "values");

	for (size_t i = 1; i < f->n_values; i++) {
		for (size_t j = 0; j < i; j++) {
			yaml_node_t *row, *first;

			if (f->values[i].value != f->values[j].value)
				continue;
			row = ld_node(ld, values->data.sequence.items.start[i]);
			first = ld_node(ld, values->data.sequence.items.start[j]);
			return ld_fail(ld, ld_get(ld, row, "value"),
				       "field '%s' lists value 0x%X twice (first on line %d, "
				       "\"%s\"); give each value one row", f->name,
				       f->values[i].value, ld_line(first), f->values[j].meaning);
		}
	}
	return IW_OK;
}
