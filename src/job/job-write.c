/* job-write.c - the steps of a job that change the chip: erase, write the
 * image's pages, verify them, fuses (only after a good verify) and lock
 * bits last. */
#include "job/job-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog/isp.h"

static uint32_t
page_size(const struct job_runner *r)
{
	return r->plan->part->page_size != 0 ? r->plan->part->page_size : 256;
}

/* The image's pages in address order: the first page at or after the
 * cursor `*from` that holds image bytes goes to `buf` (absent bytes 0xFF)
 * and its address to `*a`.  Returns false past the end.  The cursor is 64
 * bits so that stepping past a page at the top of the 32-bit space ends
 * the walk instead of wrapping to 0 and starting over. */
static bool
next_page(const struct job_runner *r, uint64_t *from, uint32_t *a, uint8_t *buf)
{
	const struct hex_image *img = r->plan->image;
	uint32_t page = page_size(r);
	uint64_t end = (uint64_t)hex_image_last_addr(img) + 1;

	for (; *from < end; *from += page) {
		if (hex_image_read_range(img, (uint32_t)*from, page, 0xFF, buf)) {
			*a = (uint32_t)*from;
			*from += page;
			return true;
		}
	}
	return false;
}

static bool
all_ff(const uint8_t *buf, uint32_t len)
{
	for (uint32_t i = 0; i < len; i++)
		if (buf[i] != 0xFF)
			return false;
	return true;
}

static const char *
backup_hint(const struct job_runner *r)
{
	return r->res->backup_hex[0] != '\0' ? r->res->backup_hex :
	       r->res->backup_json[0] != '\0' ? r->res->backup_json : NULL;
}

/* --- erase ---------------------------------------------------------------------- */

enum iw_status
job_step_erase(struct job_runner *r)
{
	enum iw_status st;

	if (r->plan->image == NULL)
		return IW_OK;
	if (job_stop_requested(r))
		return iw_error_set(&r->res->error, IW_CANCELLED,
				    "cancelled before the chip erase; nothing was written");
	job_phase_begin(r, JOB_PHASE_ERASE, 0);
	st = isp_chip_erase(r->p, &r->res->error);
	if (st != IW_OK) {
		iw_error_prefix(&r->res->error, "chip erase");
		return st;
	}
	r->erased = true;
	job_say(r, JOB_EVENT_INFO, "chip erased (flash, EEPROM unless EESAVE is "
		"programmed, lock bits)");
	return IW_OK;
}

/* --- write ---------------------------------------------------------------------- */

static enum iw_status
write_failed(struct job_runner *r, enum iw_status st, uint32_t addr)
{
	const char *backup = backup_hint(r);

	if (st == IW_NO_TARGET || st == IW_TIMEOUT) {
		struct wiring_observation obs;

		memset(&obs, 0, sizeof obs);
		obs.symptom = WIRING_SYMPTOM_LOST;
		obs.sck_hz = r->res->sck_hz;
		obs.pages_done = r->res->pages_written;
		job_diagnose(r, &obs);
	}
	iw_error_prefix(&r->res->error,
			"writing the page at 0x%05X after %u good page%s (the chip is "
			"erased and only partly written; fuses untouched%s%s)",
			addr, r->res->pages_written, r->res->pages_written == 1 ? "" : "s",
			backup != NULL ? "; backup: " : "", backup != NULL ? backup : "");
	return st;
}

enum iw_status
job_step_write(struct job_runner *r)
{
	struct job_result *res = r->res;
	uint32_t page = page_size(r), covered, blank, total, a = 0, done = 0;
	uint64_t cursor;
	enum iw_status st = IW_OK;
	uint8_t *buf;

	if (r->plan->image == NULL)
		return IW_OK;
	job_plan_pages(r->plan, &covered, &blank);
	total = (covered - blank) * page;
	if ((buf = malloc(page)) == NULL)
		return iw_error_set(&res->error, IW_NOMEM, "out of memory writing flash");
	job_phase_begin(r, JOB_PHASE_WRITE, total);
	cursor = hex_image_min_addr(r->plan->image) / page * page;
	while (next_page(r, &cursor, &a, buf)) {
		if (all_ff(buf, page)) {
			/* An erased page already reads 0xFF: writing it again
			 * only costs time and flash endurance. */
			res->pages_skipped++;
			continue;
		}
		if (job_stop_requested(r)) {
			const char *backup = backup_hint(r);
			char tail[JOB_PATH_MAX + 16] = "";

			if (backup != NULL)
				snprintf(tail, sizeof tail, " (backup: %s)", backup);
			st = iw_error_set(&res->error, IW_CANCELLED,
					  "cancelled after writing %u of %u pages (next: 0x%05X): "
					  "the chip is erased and holds only part of the image; "
					  "fuses and lock bits were not touched; run the job again "
					  "to finish%s", res->pages_written, covered - blank, a, tail);
			break;
		}
		if ((st = isp_write_page(r->p, a, buf, page, &res->error)) != IW_OK) {
			write_failed(r, st, a);
			break;
		}
		res->pages_written++;
		res->bytes_written += page;
		done += page;
		job_progress(r, done, total);
	}
	free(buf);
	if (st == IW_OK)
		job_say(r, JOB_EVENT_INFO, "%u page%s written, %u all-0xFF page%s skipped",
			res->pages_written, res->pages_written == 1 ? "" : "s",
			res->pages_skipped, res->pages_skipped == 1 ? "" : "s");
	return st;
}

/* --- verify --------------------------------------------------------------------- */

struct mismatch {
	uint32_t count, first, last;
	uint8_t expected, found;
	bool all_ff, all_00;
};

static void
compare_page(uint32_t a, const uint8_t *want, const uint8_t *got, uint32_t len,
	     struct mismatch *m)
{
	for (uint32_t i = 0; i < len; i++) {
		if (want[i] == got[i])
			continue;
		if (m->count == 0) {
			m->first = a + i;
			m->expected = want[i];
			m->found = got[i];
			m->all_ff = m->all_00 = true;
		}
		m->last = a + i;
		m->count++;
		m->all_ff = m->all_ff && got[i] == 0xFF;
		m->all_00 = m->all_00 && got[i] == 0x00;
	}
}

static enum iw_status
verify_failed(struct job_runner *r, const struct mismatch *m, uint32_t start,
	      uint32_t end)
{
	const struct hex_image *img = r->plan->image;
	struct wiring_observation obs;
	const char *origin = NULL;
	unsigned line = 0;
	char where[JOB_PATH_MAX + 32];

	if (hex_image_origin(img, m->first, &origin, &line) && line > 0)
		snprintf(where, sizeof where, " (%s:%u)", origin, line);
	else if (origin != NULL)
		snprintf(where, sizeof where, " (%s)", origin);
	else
		snprintf(where, sizeof where, " (blank fill)");
	memset(&obs, 0, sizeof obs);
	obs.symptom = WIRING_SYMPTOM_VERIFY;
	obs.sck_hz = r->res->sck_hz;
	obs.region_start = start;
	obs.region_end = end;
	obs.first_bad = m->first;
	obs.bad_count = m->count;
	obs.found_all_ff = m->all_ff;
	obs.found_all_00 = m->all_00;
	obs.lock_known = r->res->have_fuses && !r->erased;
	obs.lock = r->res->lock_before;
	job_diagnose(r, &obs);
	return iw_error_set(&r->res->error, IW_VERIFY,
			    "verify failed: %u byte%s differ%s in 0x%05X..0x%05X; the "
			    "first at 0x%05X: expected 0x%02X%s, read 0x%02X; fuses and "
			    "lock bits were not written", m->count, m->count == 1 ? "" : "s",
			    m->count == 1 ? "s" : "", m->first, m->last, m->first,
			    m->expected, where, m->found);
}

enum iw_status
job_step_verify(struct job_runner *r)
{
	struct job_result *res = r->res;
	uint32_t page = page_size(r), covered, blank, total, a, done = 0;
	uint32_t start = 0, end = 0;
	uint64_t cursor;
	struct mismatch m;
	enum iw_status st = IW_OK;
	uint8_t *want, *got;

	if (r->plan->image == NULL)
		return IW_OK;
	job_plan_pages(r->plan, &covered, &blank);
	total = covered * page;
	want = malloc(page);
	got = malloc(page);
	if (want == NULL || got == NULL) {
		st = iw_error_set(&res->error, IW_NOMEM, "out of memory verifying flash");
		goto out;
	}
	memset(&m, 0, sizeof m);
	job_phase_begin(r, JOB_PHASE_VERIFY, total);
	a = hex_image_min_addr(r->plan->image) / page * page;
	start = a;
	cursor = a;
	/* Blank pages are read too: they prove the erase worked there. */
	while (next_page(r, &cursor, &a, want)) {
		if (job_stop_requested(r)) {
			st = iw_error_set(&res->error, IW_CANCELLED,
					  "cancelled while verifying at 0x%05X: the image is "
					  "written but not verified; fuses and lock bits were "
					  "not touched", a);
			goto out;
		}
		st = isp_read_flash(r->p, a, got, page, NULL, NULL, &res->error);
		if (st != IW_OK) {
			iw_error_prefix(&res->error, "verifying the page at 0x%05X", a);
			goto out;
		}
		compare_page(a, want, got, page, &m);
		res->pages_verified++;
		done += page;
		end = a + page;
		job_progress(r, done, total);
	}
	if (m.count > 0) {
		st = verify_failed(r, &m, start, end);
		goto out;
	}
	job_say(r, JOB_EVENT_INFO, "%u page%s verified", res->pages_verified,
		res->pages_verified == 1 ? "" : "s");
out:
	free(want);
	free(got);
	return st;
}

/* --- fuses ------------------------------------------------------------------------ */

/* A fuse or lock write was sent and the programmer failed before it was
 * read back: say so, with what the chip may hold now and what to do.
 * Nothing is assumed, in the result or in the message. */
static enum iw_status
unknown_state(struct job_runner *r, enum iw_status st)
{
	struct job_result *res = r->res;
	const struct job_plan *plan = r->plan;
	char bytes[200] = "";
	size_t used = 0;

	for (int b = 0; b < FUSE_COUNT && used < sizeof bytes; b++) {
		int n;

		if (!res->fuses_unknown.present[b])
			continue;
		n = snprintf(bytes + used, sizeof bytes - used, "%s%s is now 0x%02X (as before), "
			     "0x%02X (as written) or neither", used > 0 ? "; " : "",
			     fuse_byte_name((enum fuse_byte)b), res->fuses_before.value[b],
			     res->fuses_unknown.value[b]);
		if (n > 0)
			used += (size_t)n;
	}
	if (res->lock_unknown && used < sizeof bytes)
		snprintf(bytes + used, sizeof bytes - used, "%sthe lock byte is 0x%02X or "
			 "0x%02X or neither", used > 0 ? "; " : "", res->lock_before,
			 (uint8_t)(plan->lock | ~(plan->part->lock_mask != 0 ?
						  plan->part->lock_mask : 0x3F)));
	iw_error_prefix(&res->error, "the fuses are in an UNKNOWN state (%s): reconnect the "
			"programmer and run `ispwiz read -c %s -p %s -o NAME` to see what the "
			"chip holds before anything else; do not assume either value. The "
			"programmer failed", bytes, plan->programmer != NULL ?
			plan->programmer->id : "PROG", plan->part->id);
	return st;
}

static enum iw_status
check_fuses(struct job_runner *r)
{
	const struct catalog_part *part = r->plan->part;
	struct job_result *res = r->res;
	enum iw_status st;

	job_phase_begin(r, JOB_PHASE_FUSE_CHECK, 0);
	for (int b = 0; b < FUSE_COUNT; b++) {
		uint8_t want = res->fuses_written.value[b], got;

		if (!res->fuses_written.present[b])
			continue;
		if ((st = isp_read_fuse(r->p, (enum fuse_byte)b, &got, &res->error)) != IW_OK)
			return st;
		fuse_set_put(&res->fuses_after, (enum fuse_byte)b, got);
		res->fuses_unknown.present[b] = false;
		if (!fuses_equal_masked(part, (enum fuse_byte)b, want, got))
			return iw_error_set(&res->error, IW_VERIFY,
					    "%s reads back 0x%02X after writing 0x%02X (bits "
					    "0x%02X differ; unused bits 0x%02X ignored); the chip "
					    "kept other fuse values than asked, check them with "
					    "`ispwiz read` before powering the board off",
					    fuse_byte_name((enum fuse_byte)b), got, want,
					    (uint8_t)((want ^ got) & ~fuses_unused_bits(part, (enum fuse_byte)b)),
					    fuses_unused_bits(part, (enum fuse_byte)b));
	}
	job_say(r, JOB_EVENT_INFO, "fuses read back as written (unused bits ignored)");
	return IW_OK;
}

enum iw_status
job_step_fuses(struct job_runner *r)
{
	const struct fuse_set *todo = &r->fuse_todo;
	struct job_result *res = r->res;
	enum iw_status st;

	if (!fuse_set_any(&r->plan->fuses))
		return IW_OK;
	if (!fuse_set_any(todo)) {
		job_say(r, JOB_EVENT_INFO, "the fuses already hold the wanted values; "
			"not rewritten");
		return IW_OK;
	}
	if (job_stop_requested(r))
		return iw_error_set(&res->error, IW_CANCELLED,
				    "cancelled before the fuses were written: %s; fuses and "
				    "lock bits are unchanged", r->plan->image != NULL ?
				    "the flash is written and verified" : "nothing was written");
	/* From here on nothing checks for cancel until every byte is written:
	 * half a fuse change is worse than either whole. */
	job_phase_begin(r, JOB_PHASE_FUSES, 0);
	for (int b = 0; b < FUSE_COUNT; b++) {
		enum fuse_byte fb = (enum fuse_byte)b;

		if (!todo->present[b])
			continue;
		job_say(r, JOB_EVENT_INFO, "writing %s 0x%02X -> 0x%02X", fuse_byte_name(fb),
			res->fuses_before.value[b], todo->value[b]);
		/* Counted as written from the moment it is sent: a programmer
		 * that fails now may have delivered it to the chip. */
		fuse_set_put(&res->fuses_written, fb, todo->value[b]);
		fuse_set_put(&res->fuses_unknown, fb, todo->value[b]);
		if ((st = isp_write_fuse(r->p, fb, todo->value[b], &res->error)) != IW_OK) {
			iw_error_prefix(&res->error, "writing %s", fuse_byte_name(fb));
			return unknown_state(r, st);
		}
	}
	if ((st = check_fuses(r)) != IW_OK && job_result_state_unknown(res))
		return unknown_state(r, st);
	return st;
}

/* --- lock ------------------------------------------------------------------------- */

enum iw_status
job_step_lock(struct job_runner *r)
{
	const struct catalog_part *part = r->plan->part;
	struct job_result *res = r->res;
	uint8_t mask = part->lock_mask != 0 ? part->lock_mask : 0x3F;
	uint8_t want = (uint8_t)(r->plan->lock | ~mask), now, got;
	enum iw_status st;

	if (!r->plan->has_lock)
		return IW_OK;
	/* After an erase the lock bits are clear again; read instead of guess. */
	if ((st = isp_read_lock(r->p, &now, &res->error)) != IW_OK)
		return st;
	res->lock_after = now;
	if ((now & mask) == (want & mask)) {
		job_say(r, JOB_EVENT_INFO, "lock bits already 0x%02X; not rewritten", now);
		return IW_OK;
	}
	if ((uint8_t)(~now & want & mask) != 0)
		return iw_error_set(&res->error, IW_REFUSED,
				    "lock 0x%02X cannot become 0x%02X: programmed lock bits "
				    "(0x%02X) are cleared only by a chip erase; flash an image "
				    "(-f) in the same job", now, want,
				    (uint8_t)(~now & want & mask));
	if (job_stop_requested(r))
		return iw_error_set(&res->error, IW_CANCELLED,
				    "cancelled before the lock bits were written; everything "
				    "else is done");
	job_phase_begin(r, JOB_PHASE_LOCK, 0);
	res->lock_written = true;
	res->lock_unknown = true;
	if ((st = isp_write_lock(r->p, want, &res->error)) != IW_OK) {
		iw_error_prefix(&res->error, "writing lock bits");
		return unknown_state(r, st);
	}
	if ((st = isp_read_lock(r->p, &got, &res->error)) != IW_OK)
		return unknown_state(r, st);
	res->lock_unknown = false;
	res->lock_after = got;
	if ((got & mask) != (want & mask))
		return iw_error_set(&res->error, IW_VERIFY,
				    "the lock byte reads back 0x%02X after writing 0x%02X "
				    "(mask 0x%02X)", got, want, mask);
	job_say(r, JOB_EVENT_INFO, "lock bits 0x%02X written and checked", got);
	return IW_OK;
}
