/* job-plan.c - the checks a plan must pass before the chip is touched,
 * and the plan in words (dry run, avrdude equivalent). */
#include "job/job.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job/backup.h"
#include "prog/prog.h"

void
job_plan_init(struct job_plan *plan)
{
	memset(plan, 0, sizeof *plan);
	fuse_set_init(&plan->fuses);
	plan->backup = true;
}

/* Refuse-class rules depend only on the new values, so they are checked
 * against an unknown "before": nothing the chip holds can make them safe. */
static enum iw_status
check_refuse_class(const struct job_plan *plan, struct iw_error *err)
{
	struct fuse_diff *diff;
	struct fuse_set unknown;
	enum iw_status st;

	if (!fuse_set_any(&plan->fuses))
		return IW_OK;
	if ((diff = malloc(sizeof *diff)) == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory checking the fuses");
	fuse_set_init(&unknown);
	st = fuse_rules_classify(plan->part, &unknown, &plan->fuses, diff, err);
	if (st == IW_OK && diff->overall == FUSE_CLASS_REFUSE) {
		const struct fuse_change *c = NULL;

		for (size_t i = 0; i < diff->n_changes; i++)
			if (diff->changes[i].cls == FUSE_CLASS_REFUSE) {
				c = &diff->changes[i];
				break;
			}
		if (!plan->unsafe_fuses)
			st = iw_error_set(err, IW_REFUSED,
					  "refusing to write %s 0x%02X: %s. Nothing was "
					  "written; only --unsafe-fuses together with --yes "
					  "overrides this rule",
					  fuse_byte_name(c->byte), plan->fuses.value[c->byte],
					  c->reason);
		else if (!plan->yes)
			st = iw_error_set(err, IW_CONFIRM,
					  "%s 0x%02X: %s. --unsafe-fuses allows it only "
					  "together with --yes; nothing was written",
					  fuse_byte_name(c->byte), plan->fuses.value[c->byte],
					  c->reason);
	}
	free(diff);
	return st;
}

/* A plain -f image with a new hfuse that programs BOOTRST: reset will jump
 * to the boot section, so whatever the image holds in the boot-section range
 * (from the lowest start any BOOTSZ selects upward) is a bootloader and must
 * fit the section the hfuse selects.  An image with only application bytes
 * below that range carries no bootloader and is left alone.  On true,
 * [*start, *end) is the bootloader part of the image. */
static bool
plain_image_boot_range(const struct job_plan *plan, uint32_t *start, uint32_t *end)
{
	const struct catalog_part *part = plan->part;
	uint32_t lowest = UINT32_MAX;
	size_t n = hex_image_segment_count(plan->image);

	if (!fuses_bootrst_programmed(part, plan->fuses.value[FUSE_HIGH]))
		return false;
	for (size_t b = 0; b < sizeof part->boot / sizeof part->boot[0]; b++)
		if (part->boot[b].size_words != 0 && part->boot[b].start_word * 2u < lowest)
			lowest = part->boot[b].start_word * 2u;
	if (lowest == UINT32_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct hex_segment s = hex_image_segment(plan->image, i);

		if (s.len == 0 || (uint64_t)s.addr + s.len <= lowest)
			continue;
		*start = s.addr > lowest ? s.addr : lowest;
		*end = hex_image_end_addr(plan->image);
		return true;
	}
	return false;
}

enum iw_status
job_plan_check_driver_options(const struct job_plan *plan, struct iw_error *err)
{
	const struct prog_driver *d;

	if (plan->n_driver_opts == 0 || plan->programmer == NULL ||
	    (d = prog_driver_find(plan->programmer->driver)) == NULL)
		return IW_OK;
	return prog_check_options(d, plan->driver_opts, plan->n_driver_opts, err);
}

bool
job_plan_changes_chip(const struct job_plan *plan)
{
	switch (plan->kind) {
	case JOB_KIND_UPLOAD:
		return true;
	case JOB_KIND_FETCH:
		return false;
	case JOB_KIND_ISP:
		break;
	}
	if (plan->read_to != NULL)
		return false;
	return plan->image != NULL || plan->eeprom != NULL || plan->has_lock ||
	       fuse_set_any(&plan->fuses);
}

enum iw_status
job_plan_validate(const struct job_plan *plan, struct iw_error *err)
{
	const struct catalog_programmer *pg = plan->programmer;
	const struct catalog_part *part = plan->part;
	enum iw_status st;

	if (pg == NULL && plan->prog == NULL)
		return iw_error_set(err, IW_USAGE, "no programmer chosen; give -c PROGRAMMER "
				    "(`ispwiz list programmers` shows them)");
	if (part == NULL)
		return iw_error_set(err, IW_USAGE, "no part chosen; give -p PART "
				    "(`ispwiz list parts` shows them)");
	if (pg != NULL && plan->prog == NULL && prog_driver_find(pg->driver) == NULL) {
		char names[128];

		return iw_error_set(err, IW_NO_PROGRAMMER,
				    "programmer %s needs the driver \"%s\", which this build "
				    "does not have (it has: %s)", pg->id,
				    pg->driver != NULL ? pg->driver : "?",
				    prog_driver_names(names, sizeof names));
	}
	if ((st = job_plan_check_driver_options(plan, err)) != IW_OK ||
	    (st = job_plan_check_sim(plan, err)) != IW_OK)
		return st;
	if (pg != NULL && pg->max_flash != 0 && part->flash_size > pg->max_flash)
		return iw_error_set(err, IW_RANGE,
				    "the %s cannot program the %s: it handles parts up to "
				    "%u KiB of flash and this one has %u KiB%s%s; choose "
				    "another programmer", catalog_programmer_label(pg),
				    catalog_part_label(part), pg->max_flash / 1024u,
				    part->flash_size / 1024u,
				    pg->limit_note != NULL ? " (" : "",
				    pg->limit_note != NULL ? pg->limit_note : "");
	if (plan->eeprom != NULL && plan->eeprom_size != part->eeprom_size)
		return iw_error_set(err, IW_RANGE,
				    "%s holds %u bytes of EEPROM and the %s has %u; it is "
				    "not this part's EEPROM", plan->eeprom_path != NULL ?
				    plan->eeprom_path : "the EEPROM image", plan->eeprom_size,
				    catalog_part_label(part), part->eeprom_size);
	if (plan->read_to != NULL &&
	    (plan->image != NULL || fuse_set_any(&plan->fuses) || plan->has_lock ||
	     plan->eeprom != NULL))
		return iw_error_set(err, IW_USAGE,
				    "a read job only reads; write the image, fuses or lock "
				    "in a separate job");
	if (plan->image != NULL) {
		const char *name = plan->image_path != NULL ? plan->image_path : "the image";

		if (hex_image_empty(plan->image))
			return iw_error_set(err, IW_INPUT, "%s holds no data: nothing to "
					    "write; check that it is the right file", name);
		st = hex_image_check_fits(plan->image, part->flash_size, catalog_part_label(part), err);
		if (st != IW_OK)
			return st;
	}
	if (fuse_set_any(&plan->fuses) &&
	    (st = fuses_check_set(part, &plan->fuses, false, err)) != IW_OK)
		return st;
	if ((st = check_refuse_class(plan, err)) != IW_OK)
		return st;
	if (plan->image != NULL && plan->fuses.present[FUSE_HIGH]) {
		uint32_t start = plan->boot_end != 0 ? plan->boot_start :
				 hex_image_min_addr(plan->image);
		uint32_t end = plan->boot_end != 0 ? plan->boot_end :
			       hex_image_end_addr(plan->image);

		if (!plan->image_is_bootloader &&
		    !plain_image_boot_range(plan, &start, &end))
			return IW_OK;
		st = fuse_rules_check_boot_fit(part, plan->fuses.value[FUSE_HIGH],
					       start, end, err);
		if (st != IW_OK) {
			iw_error_prefix(err, "%s", plan->image_path != NULL ?
					plan->image_path : "the bootloader");
			return st;
		}
	}
	return IW_OK;
}

void
job_plan_pages(const struct job_plan *plan, uint32_t *covered, uint32_t *blank)
{
	uint32_t page;
	uint64_t end;
	uint8_t *buf;

	*covered = *blank = 0;
	if (plan->image == NULL || plan->part == NULL || hex_image_empty(plan->image))
		return;
	page = plan->part->page_size != 0 ? plan->part->page_size : 256;
	/* 64-bit, so that a page at the top of the 32-bit space ends the loop
	 * instead of wrapping the counter to 0 (an image up there is refused by
	 * job_plan_validate, but the dry run describes the plan anyway). */
	end = (uint64_t)hex_image_last_addr(plan->image) + 1;
	if ((buf = malloc(page)) == NULL)
		return;
	for (uint64_t a = hex_image_min_addr(plan->image) / page * (uint64_t)page; a < end;
	     a += page) {
		bool all_ff = true;

		if (!hex_image_read_range(plan->image, (uint32_t)a, page, 0xFF, buf))
			continue;
		(*covered)++;
		for (uint32_t i = 0; i < page && all_ff; i++)
			all_ff = buf[i] == 0xFF;
		if (all_ff)
			(*blank)++;
	}
	free(buf);
}

/* --- the avrdude equivalent ---------------------------------------------------- */

struct out_buf {
	char *buf;
	size_t size, len;
};

static void
put(struct out_buf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct out_buf *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->len >= o->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n < o->size - o->len ? (size_t)n : o->size - o->len - 1;
}

/* A word for a POSIX shell: as is when harmless, else in single quotes. */
static void
put_word(struct out_buf *o, const char *w)
{
	bool plain = w[0] != '\0';

	for (const char *c = w; *c != '\0' && plain; c++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			       "0123456789_./:-=+,@%", *c) != NULL;
	if (plain) {
		put(o, "%s", w);
		return;
	}
	put(o, "'");
	for (const char *c = w; *c != '\0'; c++) {
		if (*c == '\'')
			put(o, "'\\''");
		else
			put(o, "%c", *c);
	}
	put(o, "'");
}

/* Driver options avrdude has no -x for, and `note` when not NULL, as one
 * shell comment closing the line, so that the line still runs when pasted
 * and says what it does not cover. */
static void
put_comment(struct out_buf *o, const struct job_plan *plan, const struct prog_driver *d,
	    const char *note)
{
	char spelled[256];
	bool first = true;

	for (size_t i = 0; i < plan->n_driver_opts; i++) {
		if (d != NULL && d->avrdude_option != NULL &&
		    d->avrdude_option(plan->driver_opts[i], spelled, sizeof spelled))
			continue;
		put(o, "%s -x %s", first ? "  # not in avrdude:" : "", plan->driver_opts[i]);
		first = false;
	}
	if (note != NULL)
		put(o, "%s%s", first ? "  # " : "; ", note);
}

static bool
all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* avrdude selects a USB programmer only by -P usb (the first match) or
 * usb:BBB:DDD (bus and device number); our bus paths (usb:1-2) and serials
 * mean nothing to it.  Writes the -P word for avrdude and returns a note for
 * the comment when avrdude cannot pick the same device ours would. */
static const char *
usb_port_word(const char *port, char *word, size_t size)
{
	static const char pick_first[] =
		"avrdude picks the first matching device; unplug others";
	const char *colon;

	snprintf(word, size, "usb");
	if (port == NULL || port[0] == '\0' || strcmp(port, "usb") == 0)
		return NULL;
	if (strncmp(port, "usb:", 4) == 0 && (colon = strchr(port + 4, ':')) != NULL &&
	    all_digits(port + 4, (size_t)(colon - port - 4)) &&
	    all_digits(colon + 1, strlen(colon + 1))) {
		snprintf(word, size, "%s", port);
		return NULL;
	}
	if (strncmp(port, "/dev/bus/usb/", 13) == 0 &&
	    (colon = strchr(port + 13, '/')) != NULL &&
	    all_digits(port + 13, (size_t)(colon - port - 13)) &&
	    all_digits(colon + 1, strlen(colon + 1))) {
		snprintf(word, size, "usb:%.*s:%s", (int)(colon - port - 13), port + 13,
			 colon + 1);
		return NULL;
	}
	return pick_first;
}

const char *
job_plan_avrdude_command(const struct job_plan *plan, char *buf, size_t size)
{
	const struct catalog_programmer *pg = plan->programmer;
	const struct prog_driver *d = pg != NULL ? prog_driver_find(pg->driver) : NULL;
	struct out_buf o = { buf, size, 0 };
	char arg[JOB_PATH_MAX + 32];
	const char *note = NULL;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	put(&o, "avrdude -c ");
	put_word(&o, pg != NULL && pg->avrdude_id != NULL ? pg->avrdude_id :
		 pg != NULL ? pg->id : "PROGRAMMER");
	if (pg != NULL && pg->transport == CATALOG_TRANSPORT_USB) {
		note = usb_port_word(plan->port, arg, sizeof arg);
		put(&o, " -P ");
		put_word(&o, arg);
	} else if (plan->port != NULL) {
		put(&o, " -P ");
		put_word(&o, plan->port);
	}
	if (plan->baud != 0)
		put(&o, " -b %u", plan->baud);
	else if (pg != NULL && pg->baud != 0)
		put(&o, " -b %u", pg->baud);
	for (size_t i = 0; d != NULL && d->avrdude_option != NULL && i < plan->n_driver_opts; i++)
		if (d->avrdude_option(plan->driver_opts[i], arg, sizeof arg)) {
			put(&o, " -x ");
			put_word(&o, arg);
		}
	put(&o, " -p ");
	put_word(&o, plan->part == NULL ? "PART" :
		 plan->part->avrdude_id != NULL ? plan->part->avrdude_id : plan->part->id);
	if (plan->read_to != NULL) {
		snprintf(arg, sizeof arg, "flash:r:%s.hex:i", plan->read_to);
		put(&o, " -U ");
		put_word(&o, arg);
		if (plan->part != NULL && plan->part->eeprom_size > 0) {
			snprintf(arg, sizeof arg, "eeprom:r:%s.eep.hex:i", plan->read_to);
			put(&o, " -U ");
			put_word(&o, arg);
		}
		for (int b = 0; plan->part != NULL && b < FUSE_COUNT; b++)
			if (plan->part->fuses[b].present)
				put(&o, " -U %s:r:-:h", fuse_byte_name((enum fuse_byte)b));
		put(&o, " -U lock:r:-:h");
		put_comment(&o, plan, d, note);
		return buf;
	}
	if (plan->image != NULL) {
		/* -e explicitly: older avrdude releases do not erase on their own. */
		snprintf(arg, sizeof arg, "flash:w:%s:i",
			 plan->image_path != NULL ? plan->image_path : "IMAGE.hex");
		put(&o, " -e -U ");
		put_word(&o, arg);
	}
	if (plan->eeprom != NULL) {
		snprintf(arg, sizeof arg, "eeprom:w:%s:i",
			 plan->eeprom_path != NULL ? plan->eeprom_path : "EEPROM.hex");
		put(&o, " -U ");
		put_word(&o, arg);
	}
	for (int b = 0; b < FUSE_COUNT; b++)
		if (plan->fuses.present[b])
			put(&o, " -U %s:w:0x%02X:m", fuse_byte_name((enum fuse_byte)b),
			    plan->fuses.value[b]);
	if (plan->has_lock)
		put(&o, " -U lock:w:0x%02X:m", plan->lock);
	put_comment(&o, plan, d, note);
	return buf;
}

/* --- the plan in words ----------------------------------------------------------- */

static void
line(job_line_fn fn, void *user, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
line(job_line_fn fn, void *user, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	fn(user, text);
}

struct indent_ctx {
	job_line_fn fn;
	void *user;
};

static void
indented(void *user, const char *text)
{
	struct indent_ctx *c = user;

	line(c->fn, c->user, "  %s", text);
}

static void
describe_image(const struct job_plan *plan, job_line_fn fn, void *user)
{
	uint32_t covered, blank;

	job_plan_pages(plan, &covered, &blank);
	line(fn, user, "Image:      %s: %zu bytes in 0x%05X..0x%05X",
	     plan->image_path != NULL ? plan->image_path : "(in memory)",
	     hex_image_byte_count(plan->image), hex_image_min_addr(plan->image),
	     hex_image_last_addr(plan->image));
	if (plan->image_what != NULL)
		line(fn, user, "            %s", plan->image_what);
	line(fn, user, "            %u page%s of %u bytes to write, %u all-0xFF page%s "
	     "skipped (verified blank)", covered - blank, covered - blank == 1 ? "" : "s",
	     plan->part->page_size, blank, blank == 1 ? "" : "s");
	if (plan->image_is_bootloader && plan->fuses.present[FUSE_HIGH]) {
		uint32_t start;

		if (fuses_boot_start_byte(plan->part, plan->fuses.value[FUSE_HIGH], &start))
			line(fn, user, "Bootloader: must start at 0x%05X, where hfuse 0x%02X "
			     "puts the boot section", start, plan->fuses.value[FUSE_HIGH]);
	}
}

void
job_plan_describe(const struct job_plan *plan, job_line_fn fn, void *user)
{
	const struct catalog_programmer *pg = plan->programmer;
	const struct catalog_part *part = plan->part;
	struct indent_ctx ic = { fn, user };
	char dir[JOB_PATH_MAX], steps[256];

	if (pg != NULL)
		line(fn, user, "Programmer: %s (%s, driver %s)%s%s",
		     catalog_programmer_label(pg), pg->id,
		     pg->driver != NULL ? pg->driver : "?",
		     plan->port != NULL ? " on " : "", plan->port != NULL ? plan->port : "");
	if (plan->n_driver_opts > 0) {
		char opts[400];
		size_t used = 0;

		opts[0] = '\0';
		for (size_t i = 0; i < plan->n_driver_opts && used < sizeof opts; i++) {
			int n = snprintf(opts + used, sizeof opts - used, "%s-x %s",
					 i > 0 ? " " : "", plan->driver_opts[i]);

			if (n < 0)
				break;
			used += (size_t)n;
		}
		line(fn, user, "Options:    %s", opts);
	}
	if (part != NULL)
		line(fn, user, "Part:       %s (signature %02X %02X %02X, %u KiB flash, "
		     "%u-byte pages)", catalog_part_label(part), part->signature[0],
		     part->signature[1], part->signature[2], part->flash_size / 1024u,
		     part->page_size);
	if (part == NULL)
		return;
	if (plan->read_to != NULL) {
		line(fn, user, "Read to:    %s.hex, %s.eep.hex and %s.json", plan->read_to,
		     plan->read_to, plan->read_to);
	} else if (plan->image != NULL) {
		describe_image(plan, fn, user);
	} else {
		line(fn, user, "Image:      none (flash is left as it is)");
	}
	if (plan->eeprom != NULL)
		line(fn, user, "EEPROM:     %s: %u bytes, written where they differ from "
		     "the chip, then read back", plan->eeprom_path != NULL ?
		     plan->eeprom_path : "(in memory)", plan->eeprom_size);
	if (fuse_set_any(&plan->fuses)) {
		char bytes[64];
		size_t used = 0;

		bytes[0] = '\0';
		for (int b = 0; b < FUSE_COUNT; b++)
			if (plan->fuses.present[b])
				used += (size_t)snprintf(bytes + used, sizeof bytes - used,
							 "%s%s 0x%02X", used > 0 ? ", " : "",
							 fuse_byte_name((enum fuse_byte)b),
							 plan->fuses.value[b]);
		line(fn, user, "Fuses:      %s (bytes the chip already holds are not "
		     "rewritten)", bytes);
		fuses_render_decode(part, &plan->fuses, indented, &ic);
	} else if (plan->read_to == NULL) {
		line(fn, user, "Fuses:      unchanged");
	}
	if (plan->has_lock)
		line(fn, user, "Lock:       0x%02X, written last", plan->lock);
	if (plan->read_to == NULL) {
		if (!plan->backup)
			line(fn, user, "Backup:     off (--no-backup)");
		else if (plan->backup_dir != NULL)
			line(fn, user, "Backup:     to %s", plan->backup_dir);
		else if (backup_default_dir(dir, sizeof dir, NULL) == IW_OK)
			line(fn, user, "Backup:     to %s", dir);
		else
			line(fn, user, "Backup:     on, but no directory (set HOME)");
	}
	snprintf(steps, sizeof steps, "connect, signature, read fuses%s%s%s%s%s",
		 plan->backup || plan->read_to != NULL ? ", backup" : "",
		 plan->image != NULL ? ", erase, write, verify" : "",
		 plan->eeprom != NULL ? ", EEPROM write and verify" : "",
		 fuse_set_any(&plan->fuses) ? ", fuses, fuse check" : "",
		 plan->has_lock ? ", lock" : "");
	line(fn, user, "Steps:      %s", steps);
}
