/*
 * job-inspect.c - what the chip holds now: the boot section its fuses
 * select, read and named by its boot identity (a known bootloader, blank,
 * or unknown data), what BOOTRST makes of it, and whether the application
 * area is blank.  Only the boot section is read whole, so the answer comes
 * quickly even at a slow clock; the application area is read whole when
 * the programmer reads in pages and it is small, else sampled, and the
 * result says which.
 */
#include "job/job-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/identity.h"
#include "prog/isp.h"

/* An application area up to this size is read whole on a programmer with
 * paged reads; beyond it, or on a byte-wise one, it is sampled. */
#define INSPECT_FULL_MAX (32u * 1024u)
#define INSPECT_SAMPLE_EVERY 16u   /* one page in 16, and the first four */

static const struct catalog_bootloader *
known_boot(const struct catalog *cat, const struct catalog_part *part,
	   const struct image_id *id, const struct catalog_identity **which)
{
	for (size_t i = 0; cat != NULL && i < cat->n_bootloaders; i++) {
		const struct catalog_bootloader *bl = &cat->bootloaders[i];

		if (catalog_find_part(cat, bl->part) != part)
			continue;
		for (size_t k = 0; k < bl->n_identities; k++)
			if (bl->identities[k].has_boot &&
			    identity_equal(id, &bl->identities[k].boot)) {
				*which = &bl->identities[k];
				return bl;
			}
	}
	return NULL;
}

static enum iw_status
inspect_app(struct job_runner *r, uint32_t app_end, uint8_t *page_buf)
{
	const struct catalog_part *part = r->plan->part;
	struct job_result *res = r->res;
	uint32_t page = part->page_size != 0 ? part->page_size : 128;
	uint32_t pages = app_end / page, looked = 0;
	bool full = r->p->caps.paged_read && app_end <= INSPECT_FULL_MAX &&
		    !r->plan->inspect_sample;
	enum iw_status st;

	res->app_blank = true;
	for (uint32_t i = 0; i < pages; i++) {
		if (!full && i >= 4 && i % INSPECT_SAMPLE_EVERY != 0)
			continue;
		if ((st = isp_read_flash(r->p, i * page, page_buf, page, NULL, NULL,
					 &res->error)) != IW_OK)
			return st;
		looked++;
		for (uint32_t k = 0; k < page; k++)
			if (page_buf[k] != 0xFF) {
				res->app_blank = false;
				break;
			}
		if (!res->app_blank)
			break;
	}
	res->app_sampled = !full;
	res->app_pages_looked = looked;
	res->app_pages = pages;
	return IW_OK;
}

enum iw_status
job_step_inspect(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	const struct catalog_part *part = plan->part;
	struct job_result *res = r->res;
	uint32_t start, len;
	uint8_t *buf;
	enum iw_status st;

	if (!plan->inspect)
		return IW_OK;
	if ((res->lock_before & 0x03) == 0x00) {
		res->chip_locked = true;
		return IW_OK;
	}
	if (!res->fuses_before.present[FUSE_HIGH] ||
	    !fuses_boot_start_byte(part, res->fuses_before.value[FUSE_HIGH], &start))
		return IW_OK;
	len = part->flash_size - start;
	job_phase_begin(r, JOB_PHASE_INSPECT, len);
	if ((buf = malloc(len > part->page_size ? len : part->page_size)) == NULL)
		return iw_error_set(&res->error, IW_NOMEM, "out of memory reading the boot section");
	st = isp_read_flash(r->p, start, buf, len, NULL, NULL, &res->error);
	if (st == IW_OK) {
		job_progress(r, len, len);
		identity_boot_bytes(buf, start, len, &res->chip_boot);
		res->have_chip_boot = true;
		res->chip_bootloader = known_boot(plan->catalog, part, &res->chip_boot,
						  &res->chip_identity);
		res->bootrst = fuses_bootrst_programmed(part, res->fuses_before.value[FUSE_HIGH]);
		st = inspect_app(r, start, buf);
	}
	free(buf);
	if (st == IW_OK) {
		char line[600];

		job_inspect_text(plan, res, line, sizeof line);
		job_say(r, JOB_EVENT_INFO, "%s", line);
	}
	return st;
}

const char *
job_inspect_text(const struct job_plan *plan, const struct job_result *res, char *buf,
		 size_t size)
{
	const char *ver = res->chip_identity != NULL ? res->chip_identity->version : NULL;
	char boot[300], app[160], rst[240];

	buf[0] = '\0';
	if (res->chip_locked) {
		snprintf(buf, size, "the chip is locked (LB1 and LB2 programmed): what it holds "
			 "cannot be read");
		return buf;
	}
	if (!res->have_chip_boot)
		return buf;
	if (res->chip_boot.length == 0)
		snprintf(boot, sizeof boot, "the boot section (from 0x%04X) is blank: this is why "
			 "the keyboard no longer enters its bootloader", res->chip_boot.start);
	else if (res->chip_bootloader != NULL)
		snprintf(boot, sizeof boot, "the boot section (from 0x%04X) holds %s: %s%s%s",
			 res->chip_boot.start, catalog_family_label(res->chip_bootloader->family),
			 catalog_bootloader_label(res->chip_bootloader), ver != NULL ? " " : "",
			 ver != NULL ? ver : "");
	else
		snprintf(boot, sizeof boot, "the boot section (from 0x%04X) holds unknown data "
			 "(%u bytes, no bootloader the catalog knows)", res->chip_boot.start,
			 res->chip_boot.length);
	if (res->app_sampled)
		snprintf(app, sizeof app, "the application area is %s (sampled %u of %u pages)",
			 res->app_blank ? "blank" : "not blank", res->app_pages_looked,
			 res->app_pages);
	else
		snprintf(app, sizeof app, "the application area is %s", res->app_blank ?
			 "blank" : "not blank");
	if (res->bootrst)
		snprintf(rst, sizeof rst, "BOOTRST is programmed: reset starts the boot section");
	else
		snprintf(rst, sizeof rst, "BOOTRST is not programmed: reset starts the "
			 "application; the bootloader runs only through HWB (Atmel DFU's way) "
			 "or when the application area is blank");
	snprintf(buf, size, "%s; %s; %s", boot, app, rst);
	(void)plan;
	return buf;
}
