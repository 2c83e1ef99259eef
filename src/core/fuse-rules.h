/*
 * fuse-rules.h - how dangerous a fuse change is, and whether a bootloader
 * image fits the boot section the new fuses select.
 *
 * The rules come from each field's `safety` in the catalog (enum
 * fuse_safety), never from part names:
 *   REFUSE_UNPROGRAMMED (SPIEN)     refuse when the new value leaves it 1;
 *   REFUSE_PROGRAMMED (RSTDISBL, DWEN) refuse when the new value makes it 0;
 *   CONFIRM_CHANGE (CKSEL, SUT, CKDIV8, BOOTSZ, BOOTRST) confirm any change;
 *   CONFIRM_PROGRAMMED (JTAGEN)     confirm when it becomes programmed,
 *                                   inform when it becomes unprogrammed;
 *   NONE                            inform.
 * Unused bits never count as a change.  Implemented bits that no field
 * names are treated as confirm: the catalog cannot say what they do.
 *
 * Front ends decide what each class means for them: the CLI refuses unless
 * --unsafe-fuses, asks for --yes on confirm; the wizard wants a typed
 * confirmation.  No function here prints.
 */
#ifndef ISPWIZ_CORE_FUSE_RULES_H
#define ISPWIZ_CORE_FUSE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"
#include "core/fuses.h"

/* Ordered by severity, so the overall class of a diff is the maximum. */
enum fuse_class {
	FUSE_CLASS_UNCHANGED = 0,   /* nothing to write */
	FUSE_CLASS_INFORM,          /* show the diff */
	FUSE_CLASS_CONFIRM,         /* needs --yes / a typed confirmation */
	FUSE_CLASS_REFUSE,          /* would end ISP access: refuse */
};

#define FUSE_RULES_REASON_MAX 240
/* Fields are disjoint groups of bits, so a byte has at most 8 records
 * (named fields plus one for unnamed bits); three bytes, 24. */
#define FUSE_RULES_MAX_CHANGES 24

/* One field whose value changes. */
struct fuse_change {
	const struct fuse_field *field;   /* NULL: implemented bits no field names */
	const char *name;                 /* field name, or "unnamed bits" */
	enum fuse_byte byte;
	uint8_t mask;                     /* bits of the byte involved */
	bool old_known;                   /* false when `before` lacked the byte */
	uint8_t old_value, new_value;     /* right-aligned field values */
	char old_meaning[FUSES_MEANING_MAX];   /* "" when !old_known */
	char new_meaning[FUSES_MEANING_MAX];
	bool single_bit;
	enum fuse_class cls;
	char reason[FUSE_RULES_REASON_MAX];    /* why this class, in a sentence */
};

struct fuse_diff {
	struct fuse_change changes[FUSE_RULES_MAX_CHANGES];
	size_t n_changes;
	enum fuse_class overall;          /* worst class of the changes */
};

const char *fuse_class_name(enum fuse_class cls);  /* "unchanged", "inform", "confirm", "refuse" */

/* Classify the change from `before` (e.g. read from the chip) to `after`
 * (what would be written).  Only bytes present in `after` and on the part
 * are looked at; a byte present in `after` but not in `before` counts as
 * changed in every field (old_known false).  Fails only on a catalog whose
 * fields overlap within a byte (IW_CATALOG), or a byte the part lacks
 * (IW_RANGE). */
enum iw_status fuse_rules_classify(const struct catalog_part *part,
				   const struct fuse_set *before,
				   const struct fuse_set *after,
				   struct fuse_diff *diff, struct iw_error *err);

/* A rendered line of a before/after diff; `cls` lets a front end colour it
 * (FUSE_CLASS_UNCHANGED for headings). Lines have no newline and fit in 80
 * columns. */
typedef void (*fuse_rules_line_fn)(void *user, enum fuse_class cls, const char *line);

/* Render the diff: per byte a heading "hfuse 0xD8 -> 0x99" (or "unchanged"),
 * then per change "  BOOTRST  0 -> 1  confirm" with old and new meanings and
 * the reason, then the overall verdict. */
void fuse_rules_render(const struct catalog_part *part,
		       const struct fuse_set *before, const struct fuse_set *after,
		       const struct fuse_diff *diff,
		       fuse_rules_line_fn fn, void *user);

/* Boot-section fit: a bootloader occupying bytes [image_start, image_end)
 * must start exactly where the boot section selected by `new_hfuse` starts
 * and end within flash.  For a file that also carries a sketch, pass the
 * range of the bootloader part only.  Errors (IW_REFUSED for a wrong start,
 * IW_RANGE past the end of flash, IW_INPUT for an empty range, IW_CATALOG
 * when the part has no BOOTSZ field) say which BOOTSZ and which hfuse value
 * (other bits kept) would fit, e.g. "the bootloader starts at 0x7800 (a 2 KiB
 * boot section) but hfuse 0xD8 selects BOOTSZ=00, a 4 KiB section starting
 * at 0x7000; use BOOTSZ=01 (hfuse 0xDA) or a bootloader built for 0x7000". */
enum iw_status fuse_rules_check_boot_fit(const struct catalog_part *part,
					 uint8_t new_hfuse, uint32_t image_start,
					 uint32_t image_end, struct iw_error *err);

/* Information (never a refusal) about how the bootloader will be reached:
 * when the new fuses leave BOOTRST unprogrammed while the image sits in the
 * boot section, reset runs the application, and the bootloader is entered
 * through the HWB pin (Atmel DFU with HWBE programmed) or a jump from the
 * application.  Writes a sentence to buf and returns true when there is
 * something to say. */
bool fuse_rules_boot_notice(const struct catalog_part *part,
			    const struct fuse_set *after, uint32_t image_start,
			    char *buf, size_t size);

#endif
