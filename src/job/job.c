/* job.c - phase and event names, and running a job on the calling thread. */
#include "job/job-private.h"

#include "core/json-util.h"

#include <string.h>

static const struct {
	const char *name;
	const char *title;
} phases[JOB_PHASE_COUNT] = {
#define JOB_PHASE_ROW(id, name, title) [JOB_PHASE_##id] = { name, title },
	JOB_PHASE_LIST(JOB_PHASE_ROW)
#undef JOB_PHASE_ROW
};

const char *
job_phase_name(enum job_phase phase)
{
	if ((unsigned)phase >= JOB_PHASE_COUNT)
		return "?";
	return phases[phase].name;
}

const char *
job_phase_title(enum job_phase phase)
{
	if ((unsigned)phase >= JOB_PHASE_COUNT)
		return "?";
	return phases[phase].title;
}

bool
job_phase_counts_time(enum job_phase phase)
{
	return phase == JOB_PHASE_WAIT || phase == JOB_PHASE_WAIT_AFTER;
}

const char *
job_event_kind_name(enum job_event_kind kind)
{
	switch (kind) {
	case JOB_EVENT_PHASE: return "phase";
	case JOB_EVENT_PROGRESS: return "progress";
	case JOB_EVENT_INFO: return "info";
	case JOB_EVENT_WARNING: return "warning";
	case JOB_EVENT_DONE: return "done";
	}
	return "?";
}

/* --- synchronous ------------------------------------------------------------- */

struct sync_ctx {
	job_event_fn fn;
	void *user;
	bool stop;
};

static void
sync_emit(void *user, const struct job_event *ev)
{
	struct sync_ctx *c = user;

	if (c->fn != NULL && !c->fn(c->user, ev))
		c->stop = true;
}

static bool
sync_cancelled(void *user)
{
	const struct sync_ctx *c = user;

	return c->stop;
}

enum iw_status
job_run(const struct job_plan *plan, job_event_fn fn, void *user,
	struct job_result *result)
{
	struct sync_ctx ctx = { fn, user, false };
	struct job_runner r;

	memset(&r, 0, sizeof r);
	r.plan = plan;
	r.res = result;
	r.emit = sync_emit;
	r.cancelled = sync_cancelled;
	r.user = &ctx;
	return job_runner_run(&r);
}

/* --- the result as JSON --------------------------------------------------------------- */

json_t *
job_result_fuses_after_json(const struct job_result *res)
{
	json_t *o;

	if (!res->have_fuses)
		return json_null();
	o = json_fuse_set(&res->fuses_after);
	for (int b = 0; b < FUSE_COUNT; b++)
		if (res->fuses_unknown.present[b])
			json_object_set_new(o, fuse_byte_name((enum fuse_byte)b),
					    json_string("unknown"));
	return o;
}

json_t *
job_result_lock_after_json(const struct job_result *res)
{
	if (!res->have_fuses)
		return json_null();
	return res->lock_unknown ? json_string("unknown") : json_hex_byte(res->lock_after);
}

bool
job_result_state_unknown(const struct job_result *res)
{
	return fuse_set_any(&res->fuses_unknown) || res->lock_unknown;
}
