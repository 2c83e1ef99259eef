/* job-worker.c - a job on its own thread, and the event channel back to
 * the front end: a queue and a snapshot under one mutex, and a pipe that
 * wakes the front end's poll() when the queue stops being empty.
 *
 * Everything the two threads share is touched only with the mutex held
 * (the cancel flag included), which keeps the design simple enough for
 * helgrind to check: no lock-free tricks anywhere. */
#include "job/job-private.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define JOB_QUEUE_INITIAL 64

struct job {
	struct job_plan plan;          /* a copy; what it points to is borrowed */
	struct job_result *result;     /* written by the worker, read after join */

	pthread_t thread;
	bool started, joined;

	pthread_mutex_t lock;          /* guards everything below */
	struct job_event *queue;
	size_t head, len, cap;         /* events queue[head..len) wait */
	struct job_event snapshot;
	bool signalled;                /* a wake-up byte is in the pipe */
	bool cancel;
	int wake[2];                   /* [0] front end polls, [1] worker writes */
};

/* --- worker side ----------------------------------------------------------------- */

static void
queue_push(struct job *job, const struct job_event *ev)
{
	if (job->head == job->len)
		job->head = job->len = 0;
	/* A newer progress report replaces an older one of the same phase
	 * that nobody has read yet: the front end only draws the latest. */
	if (ev->kind == JOB_EVENT_PROGRESS && job->len > job->head) {
		struct job_event *last = &job->queue[job->len - 1];

		if (last->kind == JOB_EVENT_PROGRESS && last->phase == ev->phase) {
			*last = *ev;
			return;
		}
	}
	if (job->len == job->cap && job->head > 0) {
		memmove(job->queue, job->queue + job->head,
			(job->len - job->head) * sizeof *job->queue);
		job->len -= job->head;
		job->head = 0;
	}
	if (job->len == job->cap) {
		size_t cap = job->cap * 2;
		struct job_event *q = realloc(job->queue, cap * sizeof *q);

		if (q == NULL) {
			/* Out of memory: an info line may go, the final event
			 * may not; it takes the last slot. */
			if (ev->kind == JOB_EVENT_DONE)
				job->queue[job->len - 1] = *ev;
			return;
		}
		job->queue = q;
		job->cap = cap;
	}
	job->queue[job->len++] = *ev;
}

static void
worker_emit(void *user, const struct job_event *ev)
{
	struct job *job = user;

	pthread_mutex_lock(&job->lock);
	/* The snapshot is the latest of everything: progress numbers from
	 * progress events, the text from the last event that had one. */
	if (ev->kind == JOB_EVENT_INFO || ev->kind == JOB_EVENT_WARNING) {
		memcpy(job->snapshot.message, ev->message, sizeof ev->message);
	} else if (ev->kind == JOB_EVENT_PROGRESS) {
		job->snapshot.kind = ev->kind;
		job->snapshot.phase = ev->phase;
		job->snapshot.done = ev->done;
		job->snapshot.total = ev->total;
		job->snapshot.rate = ev->rate;
		job->snapshot.elapsed = ev->elapsed;
	} else {
		job->snapshot = *ev;
	}
	queue_push(job, ev);
	if (!job->signalled) {
		ssize_t n;

		/* The pipe holds at most this one byte, so it cannot block. */
		do
			n = write(job->wake[1], "!", 1);
		while (n < 0 && errno == EINTR);
		job->signalled = n == 1;
	}
	pthread_mutex_unlock(&job->lock);
}

static bool
worker_cancelled(void *user)
{
	struct job *job = user;
	bool cancel;

	pthread_mutex_lock(&job->lock);
	cancel = job->cancel;
	pthread_mutex_unlock(&job->lock);
	return cancel;
}

static void *
worker_main(void *arg)
{
	struct job *job = arg;
	struct job_runner r;

	memset(&r, 0, sizeof r);
	r.plan = &job->plan;
	r.res = job->result;
	r.emit = worker_emit;
	r.cancelled = worker_cancelled;
	r.user = job;
	job_runner_run(&r);
	return NULL;
}

/* --- front-end side ---------------------------------------------------------------- */

enum iw_status
job_start(const struct job_plan *plan, struct job **out, struct iw_error *err)
{
	struct job *job = calloc(1, sizeof *job);
	sigset_t block, old;
	int rc;

	*out = NULL;
	if (job == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory starting the job");
	job->wake[0] = job->wake[1] = -1;
	job->plan = *plan;
	job->result = calloc(1, sizeof *job->result);
	job->queue = calloc(JOB_QUEUE_INITIAL, sizeof *job->queue);
	job->cap = JOB_QUEUE_INITIAL;
	if (job->result == NULL || job->queue == NULL) {
		iw_error_set(err, IW_NOMEM, "out of memory starting the job");
		goto fail;
	}
	if (pipe2(job->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
		iw_error_set(err, IW_IO, "cannot create the job's event pipe: %s",
			     strerror(errno));
		goto fail;
	}
	pthread_mutex_init(&job->lock, NULL);
	/* The worker inherits this mask: the signals that ask to stop, and
	 * SIGWINCH, must interrupt the front end's poll(), never land in the
	 * worker (where a default action would kill it mid-write). */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGWINCH);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&job->thread, NULL, worker_main, job);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&job->lock);
		iw_error_set(err, IW_FAILED, "cannot start the job's thread: %s", strerror(rc));
		goto fail;
	}
	job->started = true;
	*out = job;
	return IW_OK;
fail:
	if (job->wake[0] >= 0)
		close(job->wake[0]);
	if (job->wake[1] >= 0)
		close(job->wake[1]);
	free(job->queue);
	free(job->result);
	free(job);
	return err != NULL ? err->code : IW_FAILED;
}

int
job_event_fd(const struct job *job)
{
	return job->wake[0];
}

bool
job_next_event(struct job *job, struct job_event *ev)
{
	bool got = false;

	pthread_mutex_lock(&job->lock);
	if (job->head < job->len) {
		*ev = job->queue[job->head++];
		got = true;
	} else {
		char buf[16];

		/* Empty: take the wake-up byte out so poll() sleeps again
		 * until the worker queues something new. */
		while (read(job->wake[0], buf, sizeof buf) > 0)
			;
		job->signalled = false;
	}
	pthread_mutex_unlock(&job->lock);
	return got;
}

void
job_snapshot(struct job *job, struct job_event *snap)
{
	pthread_mutex_lock(&job->lock);
	*snap = job->snapshot;
	pthread_mutex_unlock(&job->lock);
}

void
job_cancel(struct job *job)
{
	pthread_mutex_lock(&job->lock);
	job->cancel = true;
	pthread_mutex_unlock(&job->lock);
}

enum iw_status
job_join(struct job *job, struct job_result *result)
{
	if (job->started && !job->joined) {
		pthread_join(job->thread, NULL);
		job->joined = true;
	}
	if (result != NULL)
		*result = *job->result;
	return job->result->status;
}

void
job_free(struct job *job)
{
	if (job == NULL)
		return;
	if (job->started && !job->joined) {
		pthread_join(job->thread, NULL);
		job->joined = true;
	}
	pthread_mutex_destroy(&job->lock);
	close(job->wake[0]);
	close(job->wake[1]);
	free(job->queue);
	free(job->result);
	free(job);
}
