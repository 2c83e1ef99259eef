/* job-run.c - the job in its fixed order: the steps that only read the
 * chip (connect, signature, fuses, backup) live here with the events and
 * the clean-up; the steps that change it are in job-write.c. */
#include "job/job-private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "job/backup.h"
#include "prog/isp.h"
#include "core/clock.h"

/* --- events -------------------------------------------------------------------- */


static void
emit(struct job_runner *r, enum job_event_kind kind, enum job_topic topic,
     uint32_t done, uint32_t total, const char *msg)
{
	struct job_event ev;
	double t = iw_clock_s();

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.phase = r->phase;
	ev.topic = topic;
	ev.done = done;
	ev.total = total;
	ev.elapsed = t - r->t0;
	if (t > r->phase_t0 && done > 0)
		ev.rate = done / (t - r->phase_t0);
	ev.status = r->res->status;
	if (msg != NULL)
		snprintf(ev.message, sizeof ev.message, "%s", msg);
	r->emit(r->user, &ev);
}

void
job_phase_begin(struct job_runner *r, enum job_phase phase, uint32_t total)
{
	r->phase = phase;
	r->phase_t0 = iw_clock_s();
	emit(r, JOB_EVENT_PHASE, JOB_TOPIC_NONE, 0, total, job_phase_title(phase));
}

void
job_progress(struct job_runner *r, uint32_t done, uint32_t total)
{
	emit(r, JOB_EVENT_PROGRESS, JOB_TOPIC_NONE, done, total, NULL);
}

void
job_say(struct job_runner *r, enum job_event_kind kind, const char *fmt, ...)
{
	char msg[JOB_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(r, kind, JOB_TOPIC_NONE, 0, 0, msg);
}

void
job_tell(struct job_runner *r, enum job_event_kind kind, enum job_topic topic,
	 const char *fmt, ...)
{
	char msg[JOB_MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	emit(r, kind, topic, 0, 0, msg);
}

bool
job_stop_requested(struct job_runner *r)
{
	return r->cancelled(r->user);
}

void
job_diagnose(struct job_runner *r, const struct wiring_observation *obs)
{
	wiring_doctor_diagnose(r->plan->programmer, r->plan->part, obs,
			       &r->res->diagnosis);
	r->res->has_diagnosis = true;
}

/* --- connect --------------------------------------------------------------------- */

static enum iw_status
open_programmer(struct job_runner *r)
{
	enum iw_status st;

	if (r->plan->prog != NULL) {
		r->p = r->plan->prog;
		return IW_OK;
	}
	if ((st = job_open_programmer(r->plan, &r->own, &r->res->error)) != IW_OK)
		return st;
	r->p = &r->own;
	r->opened = true;
	return IW_OK;
}

static enum iw_status
step_connect(struct job_runner *r)
{
	struct job_result *res = r->res;
	struct isp_connect_info info;
	struct wiring_observation obs;
	enum iw_status st;

	job_phase_begin(r, JOB_PHASE_CONNECT, 0);
	if ((st = open_programmer(r)) != IW_OK)
		return st;
	if (r->p->caps.note != NULL)
		job_say(r, JOB_EVENT_WARNING, "%s", r->p->caps.note);
	st = isp_connect(r->p, r->plan->max_sck_hz, &info, &res->error);
	if (st != IW_OK) {
		if (st == IW_NO_TARGET) {
			memset(&obs, 0, sizeof obs);
			obs.symptom = WIRING_SYMPTOM_NO_ECHO;
			obs.fastest_hz = info.fastest_hz;
			obs.sck_hz = info.slowest_hz;
			obs.tries = info.tries;
			obs.have_answer = info.have_answer;
			memcpy(obs.answer, info.answer, sizeof obs.answer);
			job_diagnose(r, &obs);
		}
		return st;
	}
	r->connected = true;
	res->connected = true;
	res->sck_hz = info.sck_hz;
	snprintf(res->connect_note, sizeof res->connect_note, "%s", info.note);
	job_say(r, JOB_EVENT_INFO, "%s", info.note);
	return IW_OK;
}

/* --- signature --------------------------------------------------------------------- */

static enum iw_status
step_signature(struct job_runner *r)
{
	const struct catalog_part *part = r->plan->part, *found;
	struct job_result *res = r->res;
	struct wiring_observation obs;
	const uint8_t *want = part->signature;
	uint8_t *s = res->signature;
	enum iw_status st;

	job_phase_begin(r, JOB_PHASE_SIGNATURE, 0);
	if ((st = isp_read_signature(r->p, s, &res->error)) != IW_OK)
		return st;
	res->have_signature = true;
	if (memcmp(s, want, 3) == 0) {
		job_say(r, JOB_EVENT_INFO, "signature %02X %02X %02X: %s", s[0], s[1], s[2],
			catalog_part_label(part));
		return IW_OK;
	}
	memset(&obs, 0, sizeof obs);
	memcpy(obs.signature, s, 3);
	obs.sck_hz = res->sck_hz;
	if ((s[0] & s[1] & s[2]) == 0xFF || (s[0] | s[1] | s[2]) == 0x00) {
		bool ff = s[0] == 0xFF;

		obs.symptom = ff ? WIRING_SYMPTOM_SIGNATURE_FF : WIRING_SYMPTOM_SIGNATURE_00;
		job_diagnose(r, &obs);
		return iw_error_set(&res->error, IW_NO_TARGET,
				    "the signature reads %s instead of the %s's %02X %02X "
				    "%02X: %s; nothing was written",
				    ff ? "FF FF FF" : "00 00 00", catalog_part_label(part),
				    want[0], want[1], want[2],
				    ff ? "nothing drives MISO" : "MISO is held low");
	}
	found = r->plan->catalog != NULL ?
		catalog_find_part_by_signature(r->plan->catalog, s) : NULL;
	if (found != NULL) {
		obs.symptom = WIRING_SYMPTOM_OTHER_PART;
		obs.found_part = found;
		job_diagnose(r, &obs);
		return iw_error_set(&res->error, IW_SIGNATURE,
				    "the chip's signature %02X %02X %02X is the %s's, but "
				    "the job is for the %s (%02X %02X %02X); nothing was "
				    "written; select -p %s if that chip is on the board",
				    s[0], s[1], s[2], catalog_part_label(found), catalog_part_label(part),
				    want[0], want[1], want[2], found->id);
	}
	obs.symptom = WIRING_SYMPTOM_SIGNATURE_BAD;
	job_diagnose(r, &obs);
	return iw_error_set(&res->error, IW_SIGNATURE,
			    "the chip's signature %02X %02X %02X is neither the %s's "
			    "(%02X %02X %02X) nor any other part's in the catalog; "
			    "nothing was written; check the wiring and try again",
			    s[0], s[1], s[2], catalog_part_label(part), want[0], want[1], want[2]);
}

/* --- fuses, lock, and what the plan would change ---------------------------------- */

static void
diff_line(void *user, enum fuse_class cls, const char *line)
{
	struct job_runner *r = user;

	/* The rendered diff names each change's class itself; marking every
	 * continuation line as a warning would only add noise. */
	(void)cls;
	job_tell(r, JOB_EVENT_INFO, JOB_TOPIC_FUSE_DIFF, "%s", line);
}

/* "CKSEL (lfuse), BOOTRST (hfuse)" for the changes of one class. */
static void
change_names(const struct fuse_diff *diff, enum fuse_class cls, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < diff->n_changes && used < size; i++) {
		const struct fuse_change *c = &diff->changes[i];
		int n;

		if (c->cls != cls)
			continue;
		n = snprintf(buf + used, size - used, "%s%s (%s)", used > 0 ? ", " : "",
			     c->name, fuse_byte_name(c->byte));
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

static enum iw_status
judge_fuse_change(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	struct job_result *res = r->res;
	char names[400];
	enum iw_status st;

	fuse_set_init(&r->fuse_todo);
	if (!fuse_set_any(&plan->fuses))
		return IW_OK;
	for (int b = 0; b < FUSE_COUNT; b++)
		if (plan->fuses.present[b] &&
		    !fuses_equal_masked(plan->part, (enum fuse_byte)b,
					res->fuses_before.value[b], plan->fuses.value[b]))
			fuse_set_put(&r->fuse_todo, (enum fuse_byte)b, plan->fuses.value[b]);
	st = fuse_rules_classify(plan->part, &res->fuses_before, &plan->fuses,
				 &res->diff, &res->error);
	if (st != IW_OK)
		return st;
	res->have_diff = true;
	fuse_rules_render(plan->part, &res->fuses_before, &plan->fuses, &res->diff,
			  diff_line, r);
	if (res->diff.overall == FUSE_CLASS_REFUSE && !(plan->unsafe_fuses && plan->yes)) {
		change_names(&res->diff, FUSE_CLASS_REFUSE, names, sizeof names);
		return iw_error_set(&res->error, IW_REFUSED,
				    "refusing the fuse change to %s: it would end ISP access; "
				    "nothing was written", names);
	}
	if (res->diff.overall == FUSE_CLASS_CONFIRM && !plan->yes) {
		change_names(&res->diff, FUSE_CLASS_CONFIRM, names, sizeof names);
		return iw_error_set(&res->error, IW_CONFIRM,
				    "the fuse change to %s needs confirmation; nothing was "
				    "written; read the decoded diff and run again with --yes",
				    names);
	}
	return IW_OK;
}

static enum iw_status
step_read_fuses(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	const struct catalog_part *part = plan->part;
	struct job_result *res = r->res;
	struct iw_error *err = &res->error;
	char text[128];
	size_t used = 0;
	enum iw_status st;

	job_phase_begin(r, JOB_PHASE_READ_FUSES, 0);
	fuse_set_init(&res->fuses_before);
	for (int b = 0; b < FUSE_COUNT; b++) {
		uint8_t v;

		if (!part->fuses[b].present)
			continue;
		if ((st = isp_read_fuse(r->p, (enum fuse_byte)b, &v, err)) != IW_OK)
			return st;
		fuse_set_put(&res->fuses_before, (enum fuse_byte)b, v);
		used += (size_t)snprintf(text + used, sizeof text - used, "%s 0x%02X, ",
					 fuse_byte_name((enum fuse_byte)b), v);
	}
	if ((st = isp_read_lock(r->p, &res->lock_before, err)) != IW_OK)
		return st;
	if ((st = isp_read_calibration(r->p, &res->calibration, err)) != IW_OK)
		return st;
	res->have_fuses = true;
	res->fuses_after = res->fuses_before;
	res->lock_after = res->lock_before;
	job_tell(r, JOB_EVENT_INFO, JOB_TOPIC_FUSES_READ, "fuses: %slock 0x%02X", text,
		 res->lock_before);

	if ((st = judge_fuse_change(r)) != IW_OK)
		return st;
	/* LB mode 2 or 3 locks the fuses too; only an erase (with an image
	 * to write afterwards) can lift that. */
	if ((res->lock_before & 0x03) != 0x03 && plan->image == NULL &&
	    fuse_set_any(&r->fuse_todo))
		return iw_error_set(err, IW_REFUSED,
				    "the chip is locked (lock 0x%02X), so its fuses cannot "
				    "change; only a chip erase unlocks it and that erases the "
				    "flash too: flash an image (-f) in the same job",
				    res->lock_before);
	if (plan->image != NULL && plan->image_is_bootloader &&
	    !plan->fuses.present[FUSE_HIGH] && res->fuses_before.present[FUSE_HIGH]) {
		struct iw_error fit;
		uint32_t start = plan->boot_end != 0 ? plan->boot_start :
				 hex_image_min_addr(plan->image);
		uint32_t end = plan->boot_end != 0 ? plan->boot_end :
			       hex_image_end_addr(plan->image);

		if (fuse_rules_check_boot_fit(part, res->fuses_before.value[FUSE_HIGH],
					      start, end, &fit) != IW_OK)
			job_say(r, JOB_EVENT_WARNING, "with the chip's current hfuse: %s",
				fit.msg);
	}
	return IW_OK;
}

/* --- backup ------------------------------------------------------------------------ */

struct read_progress {
	struct job_runner *r;
	uint32_t base, total;
};

static bool
on_read(void *user, uint32_t done, uint32_t total)
{
	struct read_progress *rp = user;

	(void)total;
	job_progress(rp->r, rp->base + done, rp->total);
	return !job_stop_requested(rp->r);
}

static enum iw_status
backup_base(struct job_runner *r, char *base, size_t size)
{
	const struct job_plan *plan = r->plan;
	char dir[JOB_PATH_MAX];
	enum iw_status st;

	if (plan->read_to != NULL) {
		if ((size_t)snprintf(base, size, "%s", plan->read_to) >= size)
			return iw_error_set(&r->res->error, IW_USAGE, "-o %s: the name is too long",
					    plan->read_to);
		return backup_reserve(base, plan->part, &r->res->error);
	}
	if (plan->backup_dir != NULL)
		snprintf(dir, sizeof dir, "%s", plan->backup_dir);
	else if ((st = backup_default_dir(dir, sizeof dir, &r->res->error)) != IW_OK)
		return st;
	return backup_make_base(dir, plan->part, time(NULL), base, size, &r->res->error);
}

static enum iw_status
step_backup(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	const struct catalog_part *part = plan->part;
	struct job_result *res = r->res;
	bool unreadable = (res->lock_before & 0x03) == 0x00;
	uint32_t total = unreadable ? 0 : part->flash_size + part->eeprom_size;
	struct read_progress rp = { r, 0, total };
	struct backup_info info;
	struct backup_paths paths;
	char base[JOB_PATH_MAX];
	uint8_t *flash = NULL, *eeprom = NULL;
	bool reserved = false;
	enum iw_status st;

	if (!plan->backup && plan->read_to == NULL) {
		job_say(r, JOB_EVENT_INFO, "no backup (--no-backup)");
		return IW_OK;
	}
	job_phase_begin(r, JOB_PHASE_BACKUP, total);
	/* The name first, exclusively: no other job can take it while this
	 * one reads, and `read -o` refuses an existing set before reading. */
	if ((st = backup_base(r, base, sizeof base)) != IW_OK) {
		if (plan->read_to == NULL)
			iw_error_prefix(&res->error, "backing up before anything is written "
					"(nothing was; --no-backup skips the backup)");
		goto out;
	}
	reserved = true;
	memset(&info, 0, sizeof info);
	info.part = part;
	info.programmer = plan->programmer != NULL ? plan->programmer->id : NULL;
	memcpy(info.signature, res->signature, 3);
	info.fuses = res->fuses_before;
	info.have_lock = true;
	info.lock = res->lock_before;
	info.when = time(NULL);
	if (unreadable) {
		info.note = "lock bits LB1 and LB2 are programmed: flash and EEPROM "
			    "cannot be read over ISP";
		job_say(r, JOB_EVENT_WARNING,
			"the chip is locked (lock 0x%02X): its flash and EEPROM read as "
			"garbage, so the backup holds only its signature, fuses and lock",
			res->lock_before);
	} else {
		flash = malloc(part->flash_size);
		eeprom = malloc(part->eeprom_size > 0 ? part->eeprom_size : 1);
		if (flash == NULL || eeprom == NULL) {
			st = iw_error_set(&res->error, IW_NOMEM, "out of memory for the backup");
			goto out;
		}
		st = isp_read_flash(r->p, 0, flash, part->flash_size, on_read, &rp, &res->error);
		if (st != IW_OK)
			goto read_failed;
		rp.base = part->flash_size;
		if (part->eeprom_size > 0) {
			st = isp_read_eeprom(r->p, 0, eeprom, part->eeprom_size, on_read, &rp,
					     &res->error);
			if (st != IW_OK)
				goto read_failed;
		}
		info.flash = flash;
		info.eeprom = part->eeprom_size > 0 ? eeprom : NULL;
	}
	reserved = false;     /* backup_write owns the reservation now */
	if ((st = backup_write(base, &info, &paths, &res->error)) != IW_OK) {
		if (plan->read_to == NULL)
			iw_error_prefix(&res->error, "backing up before anything is written "
					"(nothing was; --no-backup skips the backup)");
		goto out;
	}
	snprintf(res->backup_hex, sizeof res->backup_hex, "%s", paths.hex);
	snprintf(res->backup_eeprom, sizeof res->backup_eeprom, "%s", paths.eeprom);
	snprintf(res->backup_json, sizeof res->backup_json, "%s", paths.json);
	job_say(r, JOB_EVENT_INFO, "%s: %s%s%s%s%s", plan->read_to != NULL ?
		"saved" : "backup written", paths.hex[0] != '\0' ? paths.hex : "",
		paths.hex[0] != '\0' ? ", " : "", paths.eeprom[0] != '\0' ? paths.eeprom : "",
		paths.eeprom[0] != '\0' ? ", " : "", paths.json);
	if (unreadable && plan->read_to != NULL) {
		struct wiring_observation obs;

		memset(&obs, 0, sizeof obs);
		obs.symptom = WIRING_SYMPTOM_LOCKED;
		obs.lock_known = true;
		obs.lock = res->lock_before;
		job_diagnose(r, &obs);
		st = iw_error_set(&res->error, IW_FAILED,
				  "the chip is locked (lock 0x%02X: LB1 and LB2 programmed), "
				  "so its flash and EEPROM cannot be read; %s holds its "
				  "signature, fuses and lock. Only a chip erase unlocks it, "
				  "and that erases the flash too", res->lock_before, paths.json);
	}
	goto out;

read_failed:
	if (st == IW_CANCELLED)
		iw_error_set(&res->error, IW_CANCELLED,
			     "cancelled while reading the %s for the backup; nothing was "
			     "written to the chip", catalog_part_label(part));
out:
	if (reserved)
		backup_release(base);
	free(flash);
	free(eeprom);
	return st;
}

/* --- the whole job ---------------------------------------------------------------- */

static void
finish(struct job_runner *r, enum iw_status st)
{
	struct job_result *res = r->res;
	char msg[JOB_MESSAGE_MAX], eeprom[80] = "";

	res->status = st;
	if (st != IW_OK)
		res->phase = r->phase;
	if (res->eeprom_verified && res->eeprom_written == 0)
		snprintf(eeprom, sizeof eeprom, " EEPROM already as wanted (verified);");
	else if (res->eeprom_verified)
		snprintf(eeprom, sizeof eeprom, " EEPROM: %u byte%s written, verified;",
			 res->eeprom_written, res->eeprom_written == 1 ? "" : "s");
	if (r->connected)
		isp_disconnect(r->p);
	if (r->opened) {
		struct iw_error e;

		iw_error_clear(&e);
		if (prog_close(&r->own, &e) != IW_OK && res->status == IW_OK) {
			res->status = e.code;
			res->error = e;
		}
	}
	res->seconds = iw_clock_s() - r->t0;
	if (res->status == IW_OK) {
		res->phase = JOB_PHASE_DONE;
		r->phase = JOB_PHASE_DONE;
		iw_error_clear(&res->error);
		if (r->plan->read_to != NULL || (r->plan->image == NULL &&
						   r->plan->eeprom == NULL &&
						   !fuse_set_any(&r->plan->fuses) &&
						   !r->plan->has_lock))
			snprintf(msg, sizeof msg, "read the %s in %.1f s; nothing was written",
				 catalog_part_label(r->plan->part), res->seconds);
		else if (r->plan->image == NULL)
			snprintf(msg, sizeof msg, "done in %.1f s: flash not touched;%s %s; %s",
				 res->seconds, eeprom,
				 fuse_set_any(&res->fuses_written) ?
				 "fuses written and checked" : "fuses unchanged",
				 res->lock_written ? "lock bits written" : "lock unchanged");
		else
			snprintf(msg, sizeof msg,
				 "done in %.1f s: %u page%s written, %u blank skipped, %u "
				 "verified;%s %s; %s", res->seconds, res->pages_written,
				 res->pages_written == 1 ? "" : "s", res->pages_skipped,
				 res->pages_verified, eeprom,
				 fuse_set_any(&res->fuses_written) ?
				 "fuses written and checked" : "fuses unchanged",
				 res->lock_written ? "lock bits written" : "lock unchanged");
	} else {
		snprintf(msg, sizeof msg, "%s", res->error.msg);
		res->error.code = res->status;
	}
	job_done_event(r, msg);
}

void
job_done_event(struct job_runner *r, const char *msg)
{
	emit(r, JOB_EVENT_DONE, JOB_TOPIC_NONE, 0, 0, msg);
}

enum iw_status
job_runner_run(struct job_runner *r)
{
	const struct job_plan *plan = r->plan;
	struct job_result *res = r->res;
	enum iw_status st;

	if (plan->kind == JOB_KIND_UPLOAD)
		return job_upload_run(r);
	if (plan->kind == JOB_KIND_FETCH)
		return job_fetch_run(r);
	memset(res, 0, sizeof *res);
	fuse_set_init(&res->fuses_before);
	fuse_set_init(&res->fuses_written);
	fuse_set_init(&res->fuses_after);
	fuse_set_init(&res->fuses_unknown);
	fuse_set_init(&r->fuse_todo);
	r->t0 = r->phase_t0 = iw_clock_s();
	job_phase_begin(r, JOB_PHASE_PLAN, 0);
	if ((st = job_plan_validate(plan, &res->error)) != IW_OK)
		goto done;

	/* Each step below either completes or leaves an error in res. */
	if ((st = step_connect(r)) != IW_OK || (st = step_signature(r)) != IW_OK ||
	    (st = step_read_fuses(r)) != IW_OK || (st = job_step_inspect(r)) != IW_OK)
		goto done;
	if (job_stop_requested(r)) {
		st = iw_error_set(&res->error, IW_CANCELLED,
				  "cancelled before anything was written to the chip");
		goto done;
	}
	if ((st = step_backup(r)) != IW_OK)
		goto done;
	if (plan->read_to != NULL)
		goto done;
	if ((st = job_step_erase(r)) != IW_OK || (st = job_step_write(r)) != IW_OK ||
	    (st = job_step_verify(r)) != IW_OK || (st = job_step_eeprom(r)) != IW_OK ||
	    (st = job_step_fuses(r)) != IW_OK ||
	    (st = job_step_lock(r)) != IW_OK)
		goto done;
done:
	finish(r, st);
	return res->status;
}
