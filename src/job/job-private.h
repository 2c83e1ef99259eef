/*
 * job-private.h - what the files of the job module share: the runner
 * state that job-run.c drives and that job.c (synchronous) and
 * job-worker.c (on a thread) feed with an event sink and a cancel check.
 */
#ifndef ISPWIZ_JOB_JOB_PRIVATE_H
#define ISPWIZ_JOB_JOB_PRIVATE_H

#include "job/job.h"
#include "prog/prog.h"

struct job_runner {
	const struct job_plan *plan;
	struct job_result *res;
	/* Where events go, and whether someone asked to stop. */
	void (*emit)(void *user, const struct job_event *ev);
	bool (*cancelled)(void *user);
	void *user;

	double t0, phase_t0;
	enum job_phase phase;
	struct prog own;          /* when the job opens the programmer itself */
	struct prog *p;
	bool opened, connected, erased;
	struct fuse_set fuse_todo;   /* plan bytes that differ from the chip */
	struct boot *boot;        /* an upload's open bootloader client */
};

/* Run the whole job; fills r->res and emits the DONE event last. */
enum iw_status job_runner_run(struct job_runner *r);
/* An upload job (JOB_KIND_UPLOAD, job-upload.c), the same contract. */
enum iw_status job_upload_run(struct job_runner *r);
/* A fetch (JOB_KIND_FETCH, job-fetch.c), the same contract. */
enum iw_status job_fetch_run(struct job_runner *r);
/* The last event of a job. */
void job_done_event(struct job_runner *r, const char *msg);

/* job-run.c: events and bookkeeping shared by the steps. */
void job_phase_begin(struct job_runner *r, enum job_phase phase, uint32_t total);
void job_progress(struct job_runner *r, uint32_t done, uint32_t total);
void job_say(struct job_runner *r, enum job_event_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* job_say with the line's topic, for lines a front end may filter. */
void job_tell(struct job_runner *r, enum job_event_kind kind, enum job_topic topic,
	      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
bool job_stop_requested(struct job_runner *r);
void job_diagnose(struct job_runner *r, const struct wiring_observation *obs);

/* job-write.c: the steps that change the chip. */
enum iw_status job_step_inspect(struct job_runner *r);   /* job-inspect.c */
enum iw_status job_step_erase(struct job_runner *r);
enum iw_status job_step_write(struct job_runner *r);
enum iw_status job_step_verify(struct job_runner *r);
enum iw_status job_step_eeprom(struct job_runner *r);   /* job-eeprom.c */
enum iw_status job_step_fuses(struct job_runner *r);
enum iw_status job_step_lock(struct job_runner *r);

#endif
