/*
 * json-util.h - the few conventions every JSON output of ispwiz follows,
 * on top of jansson: bytes as "0xNN" strings, USB IDs as "VVVV:PPPP", one
 * compact object per line for event streams, pretty output for documents.
 */
#ifndef ISPWIZ_CORE_JSON_UTIL_H
#define ISPWIZ_CORE_JSON_UTIL_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core/catalog.h"
#include "core/fuses.h"

json_t *json_hex_byte(uint8_t value);          /* "0x5E" */
json_t *json_usb_id(struct catalog_usb_id id); /* "03EB:2FF4" */
json_t *json_string_or_null(const char *s);
/* {"lfuse": "0x5E", ...} with the bytes that are present. */
json_t *json_fuse_set(const struct fuse_set *set);

/* Print a document (indented) or an event (compact, one line) and a newline,
 * then release the reference. Returns 0, or -1 when writing failed. */
int json_print_document(json_t *doc, FILE *out);
int json_print_event(json_t *event, FILE *out);

#endif
