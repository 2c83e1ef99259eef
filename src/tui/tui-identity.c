/*
 * tui-identity.c - what a file is and what the chip now holds, in the
 * wizard's words, always from identity (core/catalog-identify.h), never
 * from a file's name or from the row the person picked: the line under the
 * bootloader step's file field, and the name the Done step gives what it
 * wrote.
 */
#include "tui/tui-int.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/catalog-identify.h"

static const char *
base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

static enum tui_role
role_of(enum catalog_verdict v)
{
	switch (v) {
	case CATALOG_FILE_KNOWN:
	case CATALOG_FILE_CARRIES:
		return TUI_ROLE_OK;
	case CATALOG_FILE_UNKNOWN:
	case CATALOG_FILE_IS_OTHER:
		return TUI_ROLE_WARNING;
	case CATALOG_FILE_WRONG_PART:
	case CATALOG_FILE_FIRMWARE:
		break;
	}
	return TUI_ROLE_ERROR;
}

void
tui_file_identity(const struct tui *t, const struct catalog_bootloader *bl, const char *path,
		  char *buf, size_t size, enum tui_role *role)
{
	struct catalog_judgement j;
	struct hex_image *img;
	struct iw_error err;

	buf[0] = '\0';
	*role = TUI_ROLE_DIM;
	if (path[0] == '\0' || access(path, R_OK) != 0)
		return;
	if (t->demo != NULL && strcmp(path, demo_image_path(t->demo)) == 0) {
		snprintf(buf, size, "The demo's stand-in image, generated for the simulator: "
			 "not a real bootloader.");
		*role = TUI_ROLE_WARNING;
		return;
	}
	if ((img = hex_image_new()) == NULL)
		return;
	if (catalog_read_image(t->cat, img, path, &err) != IW_OK ||
	    catalog_judge_bootloader_file(t->cat, img, base_name(path), t->part, bl, &j,
					  &err) != IW_OK) {
		snprintf(buf, size, "%.500s", err.msg);
		*role = TUI_ROLE_ERROR;
	} else {
		snprintf(buf, size, "%s", j.text);
		*role = role_of(j.verdict);
	}
	hex_image_free(img);
}

const char *
tui_flashed_name(const struct tui *t, char *buf, size_t size)
{
	struct catalog_judgement j;
	struct iw_error err;
	char title[200];
	/* A production image is named by its bootloader's file; the Done step
	 * adds the firmware. */
	const char *path = tui_production_active(t) ? tui_production_boot_path(t) :
			   t->image_path;

	/* Only what was verified on the chip is named; the image is exactly
	 * what the verify compared the chip with.  (The bootloader step never
	 * lets another known bootloader's file through under a row's name.) */
	if (t->image == NULL || t->result == NULL || t->result->status != IW_OK ||
	    t->result->pages_verified == 0) {
		snprintf(buf, size, "your file %s (not verified)", base_name(path));
		return buf;
	}
	if (catalog_judge_bootloader_file(t->cat, t->image, base_name(t->image_path), t->part,
					  t->bootloader, &j, &err) == IW_OK &&
	    (j.verdict == CATALOG_FILE_KNOWN || j.verdict == CATALOG_FILE_CARRIES) &&
	    j.bootloader != NULL)
		snprintf(buf, size, "%s", tui_bootloader_title(j.bootloader, title, sizeof title));
	else
		snprintf(buf, size, "your file %s (unknown image)", base_name(path));
	return buf;
}
