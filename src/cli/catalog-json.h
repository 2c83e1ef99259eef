/*
 * catalog-json.h - catalog entries as JSON objects: the one shape every
 * --json output uses when it shows a programmer, a part or a bootloader
 * (bytes as "0xNN", USB IDs as "VVVV:PPPP", absent values as null, and the
 * entry's origin so scripts can tell which file an override came from).
 */
#ifndef ISPWIZ_CLI_CATALOG_JSON_H
#define ISPWIZ_CLI_CATALOG_JSON_H

#include <jansson.h>

#include "core/catalog.h"

/* A new reference, or NULL when out of memory. */
json_t *catalog_json_programmer(const struct catalog_programmer *p);
json_t *catalog_json_part(const struct catalog_part *p);
json_t *catalog_json_bootloader(const struct catalog_bootloader *bl);

#endif
