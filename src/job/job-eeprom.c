/* job-eeprom.c - the EEPROM step of a restore: after the flash is written
 * and verified, before the fuses.  What the chip holds is read first and
 * only the bytes that differ are written, since each byte is a wait of
 * several milliseconds and the chip erase has usually left the EEPROM
 * blank already (unless EESAVE kept it); then all of it is read back. */
#include "job/job-private.h"

#include <stdlib.h>
#include <string.h>

#include "prog/isp.h"

struct eeprom_progress {
	struct job_runner *r;
	uint32_t total;
};

static bool
on_read(void *user, uint32_t done, uint32_t total)
{
	struct eeprom_progress *pr = user;

	(void)total;
	if (pr->total > 0)
		job_progress(pr->r, done, pr->total);
	return !job_stop_requested(pr->r);
}

/* With `shown`, progress goes to the phase under way. */
static enum iw_status
read_all(struct job_runner *r, uint8_t *buf, const char *doing, bool shown)
{
	struct eeprom_progress pr = { .r = r, .total = shown ? r->plan->eeprom_size : 0 };
	enum iw_status st;

	st = isp_read_eeprom(r->p, 0, buf, r->plan->eeprom_size, on_read, &pr,
			     &r->res->error);
	if (st == IW_CANCELLED)
		return iw_error_set(&r->res->error, IW_CANCELLED,
				    "cancelled while %s: the flash is written and verified, "
				    "the EEPROM %s; fuses and lock bits were not touched",
				    doing, r->res->eeprom_written > 0 ?
				    "partly written" : "not written yet");
	if (st != IW_OK)
		iw_error_prefix(&r->res->error, "%s", doing);
	return st;
}

static enum iw_status
write_differing(struct job_runner *r, const uint8_t *now)
{
	const uint8_t *want = r->plan->eeprom;
	uint32_t size = r->plan->eeprom_size, todo = 0, done = 0;
	enum iw_status st;

	for (uint32_t a = 0; a < size; a++)
		todo += want[a] != now[a];
	job_phase_begin(r, JOB_PHASE_EEPROM, todo);
	for (uint32_t a = 0; a < size; a++) {
		if (want[a] == now[a])
			continue;
		if (job_stop_requested(r))
			return iw_error_set(&r->res->error, IW_CANCELLED,
					    "cancelled after writing %u of %u EEPROM bytes (next: "
					    "0x%04X): the flash is written and verified, the EEPROM "
					    "only partly; fuses and lock bits were not touched; run "
					    "the restore again to finish", done, todo, a);
		if ((st = isp_write_eeprom_byte(r->p, a, want[a], &r->res->error)) != IW_OK) {
			iw_error_prefix(&r->res->error, "after %u of %u EEPROM bytes (the "
					"flash is written and verified; fuses untouched)",
					done, todo);
			return st;
		}
		r->res->eeprom_written = ++done;
		if (done % 16 == 0 || done == todo)
			job_progress(r, done, todo);
	}
	return IW_OK;
}

static enum iw_status
compare(struct job_runner *r, const uint8_t *got)
{
	const uint8_t *want = r->plan->eeprom;
	uint32_t count = 0, first = 0;

	for (uint32_t a = 0; a < r->plan->eeprom_size; a++) {
		if (want[a] == got[a])
			continue;
		if (count++ == 0)
			first = a;
	}
	if (count == 0)
		return IW_OK;
	return iw_error_set(&r->res->error, IW_VERIFY,
			    "EEPROM verify failed: %u byte%s differ; the first at 0x%04X: "
			    "expected 0x%02X, read 0x%02X; fuses and lock bits were not "
			    "written", count, count == 1 ? "" : "s", first, want[first],
			    got[first]);
}

enum iw_status
job_step_eeprom(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	enum iw_status st;
	uint8_t *buf;

	if (plan->eeprom == NULL || plan->eeprom_size == 0)
		return IW_OK;
	if ((buf = malloc(plan->eeprom_size)) == NULL)
		return iw_error_set(&r->res->error, IW_NOMEM, "out of memory for the EEPROM");
	/* The read that finds the differing bytes is quick next to the writes
	 * and gets no phase of its own: "Writing the EEPROM" counts bytes
	 * written. */
	if ((st = read_all(r, buf, "reading the EEPROM before writing it", false)) != IW_OK ||
	    (st = write_differing(r, buf)) != IW_OK)
		goto out;
	job_phase_begin(r, JOB_PHASE_EEPROM_VERIFY, plan->eeprom_size);
	if ((st = read_all(r, buf, "verifying the EEPROM", true)) != IW_OK ||
	    (st = compare(r, buf)) != IW_OK)
		goto out;
	r->res->eeprom_verified = true;
	job_say(r, JOB_EVENT_INFO, "EEPROM: %u byte%s written, all %u verified",
		r->res->eeprom_written, r->res->eeprom_written == 1 ? "" : "s",
		plan->eeprom_size);
out:
	free(buf);
	return st;
}
