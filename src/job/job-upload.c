/*
 * job-upload.c - an upload through the chip's own bootloader, in its one
 * safe order:
 *   check the image fits the part -> find the bootloader (or start it, or
 *   wait for it) -> open it -> the chip is the part asked for -> the image
 *   stays below the bootloader's own section -> erase the application area
 *   -> write only the blocks the image covers (blank ones skipped, except
 *   block 0 where the first write erases) -> read back where the protocol
 *   can -> start the application -> (prepare) wait for the programmer the
 *   board has become.
 * Nothing is written before every check that can be made has passed.  The
 * events and the result are an ISP job's, so every front end shows both
 * the same way.
 */
#include "job/job-upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/boot-sim.h"
#include "core/clock.h"

#define OPEN_RETRY_MS 1500u

static bool
blank(const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (b[i] != 0xFF)
			return false;
	return true;
}

/* Whether the block at `a` is written: it holds data that is not all
 * 0xFF, or it is block 0 of a protocol whose first write erases the chip,
 * or the protocol has nothing that erases it otherwise (write_blank).
 * `buf` gets the block, padded with 0xFF. */
static bool
to_write(const struct hex_image *img, const struct boot *b, uint64_t a, uint8_t *buf)
{
	uint32_t bs = b->info.block_size;
	bool any = hex_image_read_range(img, (uint32_t)a, bs, 0xFF, buf);

	if ((a == 0 && b->info.first_block_erases) || b->info.write_blank)
		return true;
	return any && !blank(buf, bs);
}

/* A device node appears a moment after the device and before udev has
 * given this user access to it: retry an open that fails for a short
 * while, but not so long that a Caterina bootloader's window closes.  A
 * node that was there and has gone is a device that left (its window
 * closed, it was unplugged): no retry, so the client's own message about
 * it stands. */
static bool
still_there(const char *port)
{
	return port[0] != '/' || access(port, F_OK) == 0;
}

static enum iw_status
open_client(struct job_runner *r, const struct boot_target *t, struct boot *b)
{
	const struct job_plan *plan = r->plan;
	struct boot_options opt;
	uint64_t t0 = iw_clock_ms();
	enum iw_status st;

	memset(&opt, 0, sizeof opt);
	/* The demo's bootloader is at its chip's state file. */
	opt.port = t->driver == &boot_sim_driver ? plan->sim_state : t->port;
	opt.catalog = plan->catalog;
	opt.part = plan->part;
	opt.pace_page_us = plan->pace_page_us;
	job_phase_begin(r, JOB_PHASE_CONNECT, 0);
	for (;;) {
		bool was_there = still_there(t->port);

		st = boot_open(b, t->driver, &opt, &r->res->error);
		if (st != IW_NO_PROGRAMMER || iw_clock_ms() - t0 > OPEN_RETRY_MS ||
		    (was_there && !still_there(t->port)) || job_stop_requested(r))
			break;
		iw_sleep_ms(50);
	}
	if (st != IW_OK)
		return st;
	snprintf(r->res->device_name, sizeof r->res->device_name, "%s%s%s", b->info.name,
		 b->info.version[0] != '\0' ? " " : "", b->info.version);
	job_say(r, JOB_EVENT_INFO, "%s at %s: %u bytes of flash, %u-byte blocks, its own "
		"section from 0x%05X", r->res->device_name, b->info.where,
		b->info.flash_size, b->info.block_size, b->info.app_end);
	return IW_OK;
}

static enum iw_status
check_part(struct job_runner *r, const struct boot *b)
{
	const struct job_plan *plan = r->plan;
	struct job_result *res = r->res;
	const struct catalog_part *got;

	job_phase_begin(r, JOB_PHASE_SIGNATURE, 0);
	if (!b->info.have_signature) {
		job_say(r, JOB_EVENT_INFO, "%s does not report the chip it runs on: taking "
			"the %s you named", b->info.name, catalog_part_label(plan->part));
		return IW_OK;
	}
	res->have_signature = true;
	memcpy(res->signature, b->info.signature, 3);
	if (memcmp(b->info.signature, plan->part->signature, 3) == 0) {
		job_say(r, JOB_EVENT_INFO, "signature %02X %02X %02X: %s", b->info.signature[0],
			b->info.signature[1], b->info.signature[2],
			catalog_part_label(plan->part));
		return IW_OK;
	}
	got = catalog_find_part_by_signature(plan->catalog, b->info.signature);
	return iw_error_set(&res->error, IW_SIGNATURE, "the bootloader runs on %s (signature "
			    "%02X %02X %02X), not on the %s given with -p; nothing was written%s%s",
			    got != NULL ? catalog_part_label(got) : "a chip the catalog does not "
			    "know", b->info.signature[0], b->info.signature[1],
			    b->info.signature[2], catalog_part_label(plan->part),
			    got != NULL ? ": give -p " : "", got != NULL ? got->id : "");
}

/* The image inside [0, app_end) and the part's flash: else nothing is
 * written, and the message has the addresses. */
static enum iw_status
check_fit(struct job_runner *r, const struct boot *b)
{
	const struct hex_image *img = r->plan->image;
	uint32_t lo = hex_image_min_addr(img), end = hex_image_end_addr(img);
	uint32_t limit = b->info.app_end;

	if (end <= limit)
		return IW_OK;
	if (end > b->info.flash_size)
		return iw_error_set(&r->res->error, IW_RANGE, "%s reaches 0x%05X, past the end "
				    "of the %u bytes of flash; nothing was written",
				    r->plan->image_path, end - 1, b->info.flash_size);
	return iw_error_set(&r->res->error, IW_RANGE, "%s holds data from 0x%05X to 0x%05X, "
			    "but from 0x%05X on is the bootloader's own section, which it never "
			    "writes: the file is too big for this bootloader, or it is a "
			    "bootloader or a production image (those go on with `ispwiz "
			    "flash` over ISP); nothing was written", r->plan->image_path, lo,
			    end - 1, limit);
}

static enum iw_status
write_blocks(struct job_runner *r, struct boot *b)
{
	const struct hex_image *img = r->plan->image;
	struct job_result *res = r->res;
	uint32_t bs = b->info.block_size, end = hex_image_end_addr(img);
	uint32_t first = hex_image_min_addr(img) / bs * bs, total = 0, done = 0;
	uint8_t *buf = malloc(bs);
	enum iw_status st = IW_OK;

	if (buf == NULL)
		return iw_error_set(&res->error, IW_NOMEM, "out of memory for the upload");
	if (b->info.first_block_erases)
		first = 0;
	for (uint64_t a = first; a < end; a += bs)
		total += to_write(img, b, a, buf) ? bs : 0;
	job_phase_begin(r, JOB_PHASE_WRITE, total);
	for (uint64_t a = first; a < end; a += bs) {
		uint32_t n = (uint32_t)(end - a < bs ? end - a : bs);

		if (!to_write(img, b, a, buf)) {
			if (hex_image_read_range(img, (uint32_t)a, bs, 0xFF, buf))
				res->pages_skipped++;
			continue;
		}
		if (job_stop_requested(r)) {
			st = iw_error_set(&res->error, IW_CANCELLED, "cancelled after %u block%s: "
					  "the firmware is only partly written; run the upload "
					  "again", res->pages_written,
					  res->pages_written == 1 ? "" : "s");
			break;
		}
		if ((st = b->driver->write(b, (uint32_t)a, buf, bs, &res->error)) != IW_OK) {
			iw_error_prefix(&res->error, "writing the block at 0x%05X (%u of %u bytes "
					"done; the firmware can simply be loaded again)",
					(unsigned)a, done, total);
			break;
		}
		res->pages_written++;
		res->bytes_written += n;
		done += bs;
		job_progress(r, done, total);
	}
	free(buf);
	if (st == IW_OK)
		job_say(r, JOB_EVENT_INFO, "%u block%s written, %u blank skipped",
			res->pages_written, res->pages_written == 1 ? "" : "s",
			res->pages_skipped);
	return st;
}

static enum iw_status
verify_blocks(struct job_runner *r, struct boot *b)
{
	const struct hex_image *img = r->plan->image;
	struct job_result *res = r->res;
	uint32_t bs = b->info.block_size, end = hex_image_end_addr(img);
	uint32_t first = hex_image_min_addr(img) / bs * bs, total = 0, done = 0;
	uint8_t *want = malloc(bs), *got = malloc(bs);
	enum iw_status st = IW_OK;

	if (!b->info.can_read || b->driver->read == NULL) {
		free(want);
		free(got);
		res->not_verified = true;
		job_say(r, JOB_EVENT_WARNING, "%s cannot read the flash back, so the upload is "
			"not verified; the application starting is the only sign it worked",
			b->info.name);
		return IW_OK;
	}
	if (want == NULL || got == NULL) {
		free(want);
		free(got);
		return iw_error_set(&res->error, IW_NOMEM, "out of memory for the verify");
	}
	for (uint64_t a = first; a < end; a += bs)
		if (hex_image_read_range(img, (uint32_t)a, bs, 0xFF, want))
			total += bs;
	job_phase_begin(r, JOB_PHASE_VERIFY, total);
	for (uint64_t a = first; a < end && st == IW_OK; a += bs) {
		uint32_t n = (uint32_t)(end - a < bs ? end - a : bs);

		if (!hex_image_read_range(img, (uint32_t)a, bs, 0xFF, want))
			continue;
		if ((st = b->driver->read(b, (uint32_t)a, got, n, &res->error)) != IW_OK) {
			iw_error_prefix(&res->error, "reading back the block at 0x%05X",
					(unsigned)a);
			break;
		}
		for (uint32_t i = 0; i < n; i++) {
			uint8_t w;

			if (!hex_image_get(img, (uint32_t)a + i, &w) || w == got[i])
				continue;
			st = iw_error_set(&res->error, IW_VERIFY, "the flash at 0x%05X reads 0x%02X "
					  "after writing 0x%02X: the upload did not take; run it "
					  "again, and if it fails the same way the bootloader or "
					  "the chip is damaged", (unsigned)a + i, got[i], w);
			break;
		}
		if (st != IW_OK)
			break;
		res->pages_verified++;
		done += bs;
		job_progress(r, done, total);
	}
	free(want);
	free(got);
	if (st == IW_OK)
		job_say(r, JOB_EVENT_INFO, "%u block%s verified", res->pages_verified,
			res->pages_verified == 1 ? "" : "s");
	return st;
}

static enum iw_status
run_steps(struct job_runner *r, struct boot *b)
{
	const struct job_plan *plan = r->plan;
	struct job_result *res = r->res;
	struct boot_target t;
	enum iw_status st;

	if (plan->part == NULL)
		return iw_error_set(&res->error, IW_USAGE, "no part: give -p PART");
	if (plan->image == NULL || hex_image_empty(plan->image))
		return iw_error_set(&res->error, IW_INPUT, "%s holds no data to upload",
				    plan->image_path != NULL ? plan->image_path : "the image");
	if ((st = hex_image_check_fits(plan->image, plan->part->flash_size,
				       catalog_part_label(plan->part), &res->error)) != IW_OK)
		return st;
	if (plan->sim_state != NULL) {
		/* The demo: the bootloader is the one on its simulated chip. */
		memset(&t, 0, sizeof t);
		t.driver = &boot_sim_driver;
	} else if ((st = job_find_bootloader(r, &t)) != IW_OK) {
		return st;
	}
	/* A .bin given with --via another client was refused on reading; one
	 * given without --via waits until the bootloader is known. */
	if (plan->image_raw && plan->via != NULL && strcmp(plan->via, JOB_RAW_BINARY_VIA) != 0)
		return job_upload_refuse_raw(plan->image_path, plan->via, &res->error);
	if (plan->image_raw && t.driver != &boot_sim_driver &&
	    strcmp(t.driver->name, JOB_RAW_BINARY_VIA) != 0)
		return job_upload_refuse_raw(plan->image_path, t.driver->name, &res->error);
	if ((st = open_client(r, &t, b)) != IW_OK)
		return st;
	r->boot = b;
	r->connected = true;
	res->connected = true;
	if ((st = check_part(r, b)) != IW_OK || (st = check_fit(r, b)) != IW_OK)
		return st;
	if (b->info.explicit_erase && b->driver->erase != NULL) {
		job_phase_begin(r, JOB_PHASE_ERASE, 0);
		if ((st = b->driver->erase(b, &res->error)) != IW_OK) {
			iw_error_prefix(&res->error, "erasing the application area (nothing was "
					"written yet; run the upload again)");
			return st;
		}
		r->erased = true;
		job_say(r, JOB_EVENT_INFO, "application area erased (the bootloader's own "
			"section is kept)");
	}
	if ((st = write_blocks(r, b)) != IW_OK || (st = verify_blocks(r, b)) != IW_OK)
		return st;
	job_phase_begin(r, JOB_PHASE_START, 0);
	if ((st = b->driver->start_app(b, &res->error)) != IW_OK) {
		iw_error_prefix(&res->error, "starting the application (the firmware is "
				"written%s; unplug the board and plug it in again)",
				res->not_verified ? "" : " and verified");
		return st;
	}
	if (b->info.start_note[0] != '\0') {
		res->app_not_started = true;
		job_say(r, JOB_EVENT_WARNING, "%s", b->info.start_note);
	}
	boot_close(b);
	r->boot = NULL;
	if (plan->n_then_ids > 0)
		return job_wait_for_ids(r, plan->then_ids, plan->n_then_ids,
					plan->then_name != NULL ? plan->then_name : "the programmer",
					plan->wait_ms != 0 ? plan->wait_ms : 30000u,
					res->new_port, sizeof res->new_port);
	return IW_OK;
}

enum iw_status
job_upload_run(struct job_runner *r)
{
	struct job_result *res = r->res;
	char msg[JOB_MESSAGE_MAX];
	struct boot b;
	enum iw_status st;

	memset(res, 0, sizeof *res);
	memset(&b, 0, sizeof b);
	r->t0 = r->phase_t0 = iw_clock_s();
	job_phase_begin(r, JOB_PHASE_PLAN, 0);
	st = run_steps(r, &b);
	if (r->boot != NULL)
		boot_close(r->boot);
	r->boot = NULL;
	res->status = st;
	res->phase = st == IW_OK ? JOB_PHASE_DONE : r->phase;
	res->seconds = iw_clock_s() - r->t0;
	if (st == IW_OK) {
		r->phase = JOB_PHASE_DONE;
		iw_error_clear(&res->error);
		char verified[160];

		if (res->not_verified)
			snprintf(verified, sizeof verified, "written, not verified (%s cannot read "
				 "back)", res->device_name);
		else
			snprintf(verified, sizeof verified, "written and verified");
		snprintf(msg, sizeof msg, "done in %.1f s: %u block%s, %u blank skipped: %s; "
			 "%s%s%s", res->seconds, res->pages_written, res->pages_written == 1 ? "" : "s",
			 res->pages_skipped, verified, res->app_not_started ?
			 "the bootloader stays: start the application by hand (see above)" :
			 "the application was started",
			 res->new_port[0] != '\0' ? "; the programmer is at " : "", res->new_port);
	} else {
		snprintf(msg, sizeof msg, "%s", res->error.msg);
		res->error.code = st;
	}
	job_done_event(r, msg);
	return st;
}
