/*
 * catalog.c - owning and searching the catalog: clean-up, the id-keyed merge
 * that makes later files override earlier ones, look-ups, and the names of
 * the small enums.  Loading lives in catalog-load.c, checks between entries
 * in catalog-validate.c.
 */
#include "config.h"

#include "core/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/catalog-private.h"

void
catalog_init(struct catalog *cat)
{
	memset(cat, 0, sizeof *cat);
}

static void
free_strings(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

void
catalog_programmer_clear(struct catalog_programmer *p)
{
	free(p->id);
	free(p->driver);
	free(p->name);
	free(p->description);
	free(p->avrdude_id);
	free(p->usb_ids);
	for (size_t i = 0; i < p->n_wiring; i++) {
		free(p->wiring[i].programmer_pin);
		free(p->wiring[i].target_pin);
	}
	free(p->wiring);
	free_strings(p->warnings, p->n_warnings);
	free(p->limit_note);
	if (p->firmware != NULL) {
		free(p->firmware->file);
		free(p->firmware->url);
		free(p->firmware->page);
		free(p->firmware->part);
		free(p->firmware->loader);
		free(p->firmware->instructions);
		catalog_identities_free(p->firmware->identities, p->firmware->n_identities);
		free(p->firmware);
	}
	memset(p, 0, sizeof *p);
}

void
catalog_part_clear(struct catalog_part *p)
{
	free(p->id);
	free(p->name);
	free(p->avrdude_id);
	for (int b = 0; b < FUSE_COUNT; b++) {
		struct fuse_byte_def *def = &p->fuses[b];

		for (size_t i = 0; i < def->n_fields; i++) {
			struct fuse_field *f = &def->fields[i];

			free(f->name);
			free(f->description);
			for (size_t v = 0; v < f->n_values; v++)
				free(f->values[v].meaning);
			free(f->values);
		}
		free(def->fields);
	}
	memset(p, 0, sizeof *p);
}

void
catalog_identities_free(struct catalog_identity *ids, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(ids[i].version);
		free(ids[i].note);
	}
	free(ids);
}

void
catalog_bootloader_clear(struct catalog_bootloader *b)
{
	free(b->id);
	free(b->family);
	free(b->name);
	free(b->part);
	for (size_t i = 0; i < b->n_presets; i++) {
		free(b->presets[i].name);
		free(b->presets[i].description);
	}
	free(b->presets);
	free(b->file);
	free(b->url);
	free(b->page);
	catalog_identities_free(b->identities, b->n_identities);
	free_strings(b->notes, b->n_notes);
	memset(b, 0, sizeof *b);
}

void
catalog_free(struct catalog *cat)
{
	if (cat == NULL)
		return;
	for (size_t i = 0; i < cat->n_programmers; i++)
		catalog_programmer_clear(&cat->programmers[i]);
	free(cat->programmers);
	for (size_t i = 0; i < cat->n_parts; i++)
		catalog_part_clear(&cat->parts[i]);
	free(cat->parts);
	for (size_t i = 0; i < cat->n_bootloaders; i++)
		catalog_bootloader_clear(&cat->bootloaders[i]);
	free(cat->bootloaders);
	free_strings(cat->files, cat->n_files);
	memset(cat, 0, sizeof *cat);
}

/* Grow *array to hold `total` elements; the old block stays valid (and in
 * place) when this fails, which is what keeps catalog_merge all-or-nothing. */
static bool
reserve(void **array, size_t total, size_t elem_size)
{
	void *grown;

	if (total == 0)
		return true;
	if (total > SIZE_MAX / elem_size)
		return false;
	grown = realloc(*array, total * elem_size);
	if (grown == NULL)
		return false;
	*array = grown;
	return true;
}

/* The three entry kinds share the merge logic; only the id and the clean-up
 * differ, so describe each kind by its element size, where its id lives and
 * how to clear one. */
struct entry_kind {
	size_t size;
	size_t id_offset;
	void (*clear)(void *entry);
};

static void clear_programmer(void *e) { catalog_programmer_clear(e); }
static void clear_part(void *e) { catalog_part_clear(e); }
static void clear_bootloader(void *e) { catalog_bootloader_clear(e); }

static const struct entry_kind programmer_kind = {
	sizeof(struct catalog_programmer),
	offsetof(struct catalog_programmer, id), clear_programmer,
};
static const struct entry_kind part_kind = {
	sizeof(struct catalog_part), offsetof(struct catalog_part, id),
	clear_part,
};
static const struct entry_kind bootloader_kind = {
	sizeof(struct catalog_bootloader),
	offsetof(struct catalog_bootloader, id), clear_bootloader,
};

static const char *
entry_id(const struct entry_kind *kind, const char *entry)
{
	const char *id;

	memcpy(&id, entry + kind->id_offset, sizeof id);
	return id;
}

/* Storage for dst must already hold *dst_n + src_n elements. */
static void
merge_entries(const struct entry_kind *kind, char *dst, size_t *dst_n,
	      char *src, size_t src_n)
{
	for (size_t j = 0; j < src_n; j++) {
		char *from = src + j * kind->size;
		char *to = NULL;

		for (size_t i = 0; i < *dst_n && to == NULL; i++) {
			char *cand = dst + i * kind->size;

			if (strcmp(entry_id(kind, cand), entry_id(kind, from)) == 0)
				to = cand;
		}
		if (to != NULL)
			kind->clear(to);
		else
			to = dst + (*dst_n)++ * kind->size;
		memcpy(to, from, kind->size);
	}
}

enum iw_status
catalog_merge(struct catalog *dst, struct catalog *src, struct iw_error *err)
{
	if (!reserve((void **)&dst->programmers,
		     dst->n_programmers + src->n_programmers,
		     sizeof *dst->programmers) ||
	    !reserve((void **)&dst->parts, dst->n_parts + src->n_parts,
		     sizeof *dst->parts) ||
	    !reserve((void **)&dst->bootloaders,
		     dst->n_bootloaders + src->n_bootloaders,
		     sizeof *dst->bootloaders) ||
	    !reserve((void **)&dst->files, dst->n_files + src->n_files,
		     sizeof *dst->files))
		return iw_error_set(err, IW_NOMEM,
				    "out of memory while merging catalog entries");

	merge_entries(&programmer_kind, (char *)dst->programmers,
		      &dst->n_programmers, (char *)src->programmers,
		      src->n_programmers);
	merge_entries(&part_kind, (char *)dst->parts, &dst->n_parts,
		      (char *)src->parts, src->n_parts);
	merge_entries(&bootloader_kind, (char *)dst->bootloaders,
		      &dst->n_bootloaders, (char *)src->bootloaders,
		      src->n_bootloaders);
	/* The file names move too: origins of the moved entries point at them. */
	for (size_t i = 0; i < src->n_files; i++)
		dst->files[dst->n_files++] = src->files[i];

	/* The entries now belong to dst; free only src's arrays. */
	free(src->programmers);
	free(src->parts);
	free(src->bootloaders);
	free(src->files);
	memset(src, 0, sizeof *src);
	return IW_OK;
}

bool
catalog_valid_id(const char *id)
{
	if (id == NULL || !((*id >= 'a' && *id <= 'z') || (*id >= '0' && *id <= '9')))
		return false;
	for (const char *p = id; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '-' || *p == '_' || *p == '.'))
			return false;
	}
	return true;
}

/* Ids are lower-case by construction (catalog_valid_id), so comparing
 * without case lets people type "USBasp" without ever being ambiguous.
 * People also type the avrdude name ("-c avrisp"): that is accepted when
 * every entry answering to it uses the same driver (the Pro Micro and the
 * Teensy differ only in wiring), and the first such entry is returned. */
const struct catalog_programmer *
catalog_find_programmer(const struct catalog *cat, const char *id)
{
	const struct catalog_programmer *first = NULL;

	if (cat == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < cat->n_programmers; i++)
		if (strcasecmp(cat->programmers[i].id, id) == 0)
			return &cat->programmers[i];
	for (size_t i = 0; i < cat->n_programmers; i++) {
		const struct catalog_programmer *p = &cat->programmers[i];

		if (strcasecmp(p->driver, id) != 0 &&
		    (p->avrdude_id == NULL || strcasecmp(p->avrdude_id, id) != 0))
			continue;
		if (first == NULL)
			first = p;
		else if (strcmp(first->driver, p->driver) != 0)
			return NULL;   /* two drivers answer to it: do not guess */
	}
	return first;
}

const struct catalog_part *
catalog_find_part(const struct catalog *cat, const char *id)
{
	if (cat == NULL || id == NULL)
		return NULL;
	/* Three passes so that an id always wins over another part's avrdude
	 * id or display name. */
	for (size_t i = 0; i < cat->n_parts; i++)
		if (strcasecmp(cat->parts[i].id, id) == 0)
			return &cat->parts[i];
	for (size_t i = 0; i < cat->n_parts; i++)
		if (cat->parts[i].avrdude_id != NULL &&
		    strcasecmp(cat->parts[i].avrdude_id, id) == 0)
			return &cat->parts[i];
	for (size_t i = 0; i < cat->n_parts; i++)
		if (cat->parts[i].name != NULL &&
		    strcasecmp(cat->parts[i].name, id) == 0)
			return &cat->parts[i];
	return NULL;
}

const struct catalog_part *
catalog_find_part_by_signature(const struct catalog *cat, const uint8_t sig[3])
{
	if (cat == NULL || sig == NULL)
		return NULL;
	/* Some parts share a signature (AT90USB646 and 647); the first listed
	 * is the answer, which is why the catalog lists the common one first. */
	for (size_t i = 0; i < cat->n_parts; i++)
		if (memcmp(cat->parts[i].signature, sig, 3) == 0)
			return &cat->parts[i];
	return NULL;
}

const struct catalog_bootloader *
catalog_find_bootloader(const struct catalog *cat, const char *id)
{
	if (cat == NULL || id == NULL)
		return NULL;
	for (size_t i = 0; i < cat->n_bootloaders; i++)
		if (strcasecmp(cat->bootloaders[i].id, id) == 0)
			return &cat->bootloaders[i];
	return NULL;
}

const struct catalog_preset *
catalog_find_preset(const struct catalog_bootloader *bl, const char *name)
{
	if (bl == NULL || name == NULL)
		return NULL;
	for (size_t i = 0; i < bl->n_presets; i++)
		if (strcmp(bl->presets[i].name, name) == 0)
			return &bl->presets[i];
	for (size_t i = 0; i < bl->n_presets; i++)
		if (strcasecmp(bl->presets[i].name, name) == 0)
			return &bl->presets[i];
	return NULL;
}

const char *
catalog_usb_id_str(struct catalog_usb_id id, char buf[static 10])
{
	snprintf(buf, 10, "%04X:%04X", (unsigned)id.vid, (unsigned)id.pid);
	return buf;
}

const char *
catalog_transport_name(enum catalog_transport t)
{
	switch (t) {
	case CATALOG_TRANSPORT_SERIAL: return "serial";
	case CATALOG_TRANSPORT_USB:    return "usb";
	case CATALOG_TRANSPORT_SIM:    return "sim";
	}
	return "unknown";
}

const char *
fuse_byte_name(enum fuse_byte b)
{
	switch (b) {
	case FUSE_LOW:   return "lfuse";
	case FUSE_HIGH:  return "hfuse";
	case FUSE_EXT:   return "efuse";
	case FUSE_COUNT: break;
	}
	return "unknown";
}

const char *
fuse_safety_name(enum fuse_safety s)
{
	switch (s) {
	case FUSE_SAFETY_NONE:                return "none";
	case FUSE_SAFETY_CONFIRM_CHANGE:      return "confirm-change";
	case FUSE_SAFETY_CONFIRM_PROGRAMMED:  return "confirm-programmed";
	case FUSE_SAFETY_REFUSE_PROGRAMMED:   return "refuse-programmed";
	case FUSE_SAFETY_REFUSE_UNPROGRAMMED: return "refuse-unprogrammed";
	}
	return "unknown";
}

const char *
catalog_part_label(const struct catalog_part *p)
{
	if (p == NULL)
		return "?";
	return p->name != NULL ? p->name : p->id;
}

const char *
catalog_programmer_label(const struct catalog_programmer *p)
{
	if (p == NULL)
		return "?";
	return p->name != NULL ? p->name : p->id;
}

const char *
catalog_bootloader_label(const struct catalog_bootloader *b)
{
	if (b == NULL)
		return "?";
	return b->name != NULL ? b->name : b->id;
}

/* The bootloader families, in words and by how they are reached: only
 * Caterina shows up as a serial port (CDC ACM). */
struct family_row {
	const char *family, *words;
	enum catalog_transport transport;
};

static const struct family_row *
family_row(const char *family)
{
	static const struct family_row families[] = {
		{ "atmel-dfu", "Atmel DFU", CATALOG_TRANSPORT_USB },
		{ "caterina", "Caterina", CATALOG_TRANSPORT_SERIAL },
		{ "bootloadhid", "BootloadHID", CATALOG_TRANSPORT_USB },
		{ "usbasploader", "USBaspLoader", CATALOG_TRANSPORT_USB },
		{ "halfkay", "HalfKay", CATALOG_TRANSPORT_USB },
	};

	for (size_t i = 0; family != NULL && i < sizeof families / sizeof families[0]; i++)
		if (strcmp(family, families[i].family) == 0)
			return &families[i];
	return NULL;
}

const char *
catalog_family_label(const char *family)
{
	const struct family_row *f = family_row(family);

	if (family == NULL)
		return "bootloader";
	return f != NULL ? f->words : family;
}

enum catalog_transport
catalog_family_transport(const char *family)
{
	const struct family_row *f = family_row(family);

	return f != NULL ? f->transport : CATALOG_TRANSPORT_USB;
}
