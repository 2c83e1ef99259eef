/* catalog-identify.c - known files by identity (catalog-identify.h). */
#include "core/catalog-identify.h"

#include <stdio.h>
#include <string.h>

static bool
add(struct catalog_matches *out, const struct catalog_bootloader *bl,
    const struct catalog_programmer *pg, const struct catalog_identity *id, bool whole)
{
	if (out->n == CATALOG_MATCH_MAX)
		return false;
	out->m[out->n].bootloader = bl;
	out->m[out->n].programmer = pg;
	out->m[out->n].identity = id;
	out->m[out->n].whole = whole;
	out->n++;
	return true;
}

/* The flash end of the part a bootloader is for, for its boot identity. */
static uint32_t
flash_end(const struct catalog *cat, const char *part_id)
{
	const struct catalog_part *p = part_id != NULL ? catalog_find_part(cat, part_id) : NULL;

	return p != NULL ? p->flash_size : 0;
}

enum iw_status
catalog_identify(const struct catalog *cat, const struct hex_image *img,
		 struct catalog_matches *out, struct iw_error *err)
{
	enum iw_status st;

	memset(out, 0, sizeof *out);
	if ((st = identity_image(img, &out->image, err)) != IW_OK)
		return st;
	if (out->image.length == 0)
		return IW_OK;
	/* The file itself: bootloaders, then ISP firmwares. */
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];

		for (size_t k = 0; k < bl->n_identities; k++)
			if (identity_equal(&out->image, &bl->identities[k].image))
				add(out, bl, NULL, &bl->identities[k], true);
	}
	for (size_t i = 0; i < cat->n_programmers; i++) {
		const struct catalog_isp_firmware *fw = cat->programmers[i].firmware;

		for (size_t k = 0; fw != NULL && k < fw->n_identities; k++)
			if (identity_equal(&out->image, &fw->identities[k].image))
				add(out, NULL, &cat->programmers[i], &fw->identities[k], true);
	}
	/* A bootloader inside something bigger: its boot identity, computed
	 * over the section it names. */
	for (size_t i = 0; i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];
		uint32_t end = flash_end(cat, bl->part);

		for (size_t k = 0; k < bl->n_identities; k++) {
			const struct catalog_identity *id = &bl->identities[k];
			struct image_id here;
			bool already = false;

			if (!id->has_boot || end <= id->boot.start)
				continue;
			for (size_t j = 0; j < out->n; j++)
				already |= out->m[j].bootloader == bl;
			if (already ||
			    identity_boot(img, id->boot.start, end, &here, NULL) != IW_OK)
				continue;
			if (identity_equal(&here, &id->boot))
				add(out, bl, NULL, id, false);
		}
	}
	return IW_OK;
}

bool
catalog_matches_bootloader(const struct catalog_matches *m,
			   const struct catalog_bootloader *bl, bool *whole)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->m[i].bootloader == bl) {
			if (whole != NULL)
				*whole = m->m[i].whole;
			return true;
		}
	return false;
}

const struct catalog_programmer *
catalog_matches_firmware(const struct catalog_matches *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->m[i].programmer != NULL)
			return m->m[i].programmer;
	return NULL;
}

const struct catalog_identity *
catalog_bootloader_boot_identity(const struct catalog_bootloader *bl)
{
	for (size_t k = 0; k < bl->n_identities; k++)
		if (bl->identities[k].has_boot)
			return &bl->identities[k];
	return NULL;
}

static const char *
version_of(const struct catalog_identity *id, char *buf, size_t size)
{
	if (id == NULL || id->version == NULL)
		return "";
	snprintf(buf, size, " %s", id->version);
	return buf;
}

bool
catalog_verdict_refuses(enum catalog_verdict v)
{
	return v == CATALOG_FILE_WRONG_PART || v == CATALOG_FILE_FIRMWARE;
}

enum iw_status
catalog_judge_bootloader_file(const struct catalog *cat, const struct hex_image *img,
			      const char *path, const struct catalog_part *part,
			      const struct catalog_bootloader *chosen,
			      struct catalog_judgement *j, struct iw_error *err)
{
	struct catalog_matches m;
	const struct catalog_match *here = NULL, *other = NULL;
	char ver[80];
	enum iw_status st;

	memset(j, 0, sizeof *j);
	if ((st = catalog_identify(cat, img, &m, err)) != IW_OK)
		return st;
	j->image = m.image;
	for (size_t i = 0; i < m.n; i++) {
		const struct catalog_match *x = &m.m[i];

		if (x->programmer != NULL) {
			j->verdict = CATALOG_FILE_FIRMWARE;
			j->programmer = x->programmer;
			j->identity = x->identity;
			snprintf(j->text, sizeof j->text, "%s is %s, the ISP firmware of the %s "
				 "programmer, not a bootloader: it is loaded onto the programmer "
				 "board (`ispwiz prepare %s`), never onto the keyboard", path,
				 x->programmer->firmware->file, catalog_programmer_label(x->programmer),
				 x->programmer->id);
			return IW_OK;
		}
		if (chosen != NULL && x->bootloader == chosen && here == NULL)
			here = x;
		else if (part != NULL && catalog_find_part(cat, x->bootloader->part) == part) {
			if (here == NULL && other == NULL)
				other = x;
		} else if (here == NULL && other == NULL && j->bootloader == NULL) {
			j->bootloader = x->bootloader;
			j->identity = x->identity;
		}
	}
	if (here != NULL) {
		j->verdict = here->whole ? CATALOG_FILE_KNOWN : CATALOG_FILE_CARRIES;
		j->bootloader = here->bootloader;
		j->identity = here->identity;
		if (here->whole)
			snprintf(j->text, sizeof j->text, "%s is the known upstream %s%s (%s).",
				 path, chosen->file != NULL ? chosen->file : chosen->id,
				 version_of(here->identity, ver, sizeof ver),
				 catalog_bootloader_label(chosen));
		else
			snprintf(j->text, sizeof j->text, "%s holds the known %s%s in its boot "
				 "section, with other data beside it.", path,
				 catalog_bootloader_label(chosen),
				 version_of(here->identity, ver, sizeof ver));
		return IW_OK;
	}
	if (other != NULL) {
		j->verdict = CATALOG_FILE_IS_OTHER;
		j->bootloader = other->bootloader;
		j->identity = other->identity;
		snprintf(j->text, sizeof j->text, "%s is %s%s%s (%s)%s%s.", path,
			 other->whole ? "the known upstream " : "a file holding ",
			 other->bootloader->file != NULL ? other->bootloader->file :
			 other->bootloader->id, version_of(other->identity, ver, sizeof ver),
			 catalog_bootloader_label(other->bootloader),
			 chosen != NULL ? ", not " : "",
			 chosen != NULL ? catalog_bootloader_label(chosen) : "");
		return IW_OK;
	}
	if (j->bootloader != NULL) {
		const struct catalog_part *bp = catalog_find_part(cat, j->bootloader->part);

		j->verdict = CATALOG_FILE_WRONG_PART;
		snprintf(j->text, sizeof j->text, "%s is %s (%s), built for the %s, not the %s: "
			 "flashing it would leave the chip without a working bootloader",
			 path, j->bootloader->file != NULL ? j->bootloader->file : j->bootloader->id,
			 catalog_bootloader_label(j->bootloader),
			 bp != NULL ? catalog_part_label(bp) : j->bootloader->part,
			 catalog_part_label(part));
		return IW_OK;
	}
	j->verdict = CATALOG_FILE_UNKNOWN;
	snprintf(j->text, sizeof j->text, "%s matches no known upstream file: it is flashed "
		 "as your file (unknown image)%s%s; do so only if you built or changed it on "
		 "purpose.", path, chosen != NULL ? ", not as " : "",
		 chosen != NULL ? catalog_bootloader_label(chosen) : "");
	return IW_OK;
}
