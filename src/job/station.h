/*
 * station.h - the workshop station: the same job on board after board,
 * unattended between boards, one log line per board.
 *
 * The loop, with the programmer open throughout:
 *   check the plan once (job_plan_validate, plus: a fuse change that would
 *   need confirmation on a factory-fresh chip needs `yes` up front, since
 *   nobody is there to confirm per board) -> open the log ->
 *   repeat: wait until a board answers Programming Enable on
 *   `present_polls` polls in a row (one poll every `poll_ms`, at a slow
 *   SCK that every chip follows) -> run the job on it -> log and report
 *   the result -> wait until it stops answering on `absent_polls` polls in
 *   a row (so the same board is never flashed twice, and a contact that
 *   bounces while the board is being pulled does not count as a new one).
 *
 * It ends when `count` boards are done, when the front end asks it to
 * stop, or when the station itself cannot go on (the programmer fails or
 * disappears, the log cannot be written, a backup cannot be saved): those
 * are reported as the summary's status, while a board that fails only
 * fails that board and the loop goes on.
 *
 * A stop request is honoured where it is safe: STATION_STOP_AFTER_BOARD
 * lets the current board finish (waiting ends at once); STATION_STOP_NOW
 * also cancels the board's job at its next safe point (a fuse or lock
 * write always completes), and that board counts as failed (cancelled).
 *
 * A board that never answers Programming Enable (RESET, MISO or power not
 * connected) looks exactly like an empty jig; the station keeps waiting.
 * `ispwiz flash` on that board gives the wiring doctor's diagnosis.
 *
 * The log file is JSON Lines: one object per board (station_record_json),
 * appended with one write() and fsync()ed before the board is reported, so
 * a crash or power cut loses nothing already reported.  Several stations
 * may append to one log.
 *
 * Everything runs on the calling thread through the callbacks in
 * station_ops; nothing here prints.
 */
#ifndef ISPWIZ_JOB_STATION_H
#define ISPWIZ_JOB_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "core/error.h"
#include "core/fuse-rules.h"
#include "job/job.h"
#include "core/sha256.h"

struct prog;

#define STATION_POLL_MS 300u
#define STATION_PRESENT_POLLS 2u
#define STATION_ABSENT_POLLS 2u
#define STATION_SESSION_MAX 64

/* --- the plan --------------------------------------------------------------- */

struct station_plan {
	/* The job for every board.  Its `prog` must be NULL: the station opens
	 * the programmer (or takes the one given to station_run) and keeps it
	 * open.  station_plan_init() turns backups off: backups of dozens of
	 * blank boards are noise. */
	struct job_plan job;
	unsigned count;            /* stop after this many boards; 0 = no limit */
	unsigned poll_ms;          /* between presence polls */
	unsigned present_polls;    /* answers in a row before a board counts */
	unsigned absent_polls;     /* silences in a row before it counts as gone */
	const char *log_path;      /* JSON Lines log; NULL = none */
};

/* job_plan_init() with backup off, and the defaults above. */
void station_plan_init(struct station_plan *sp);

/* Everything that can be checked before the first board: the job plan,
 * the poll settings, and confirm-class fuse changes against the part's
 * factory fuses without `yes` (IW_CONFIRM: the message names the fields;
 * station_factory_diff() gives the decoded diff to show). */
enum iw_status station_plan_validate(const struct station_plan *sp, struct iw_error *err);

/* The part's factory fuses (for the bytes the plan writes) and the diff
 * from them to the plan's fuses.  IW_CATALOG / IW_RANGE as
 * fuse_rules_classify(). */
enum iw_status station_factory_diff(const struct station_plan *sp,
				    struct fuse_set *factory, struct fuse_diff *diff,
				    struct iw_error *err);

/* --- events ------------------------------------------------------------------- */

enum station_event_kind {
	STATION_EVENT_START,     /* plan checked, programmer open, log open */
	STATION_EVENT_WAITING,   /* waiting for board `board` to be put on */
	STATION_EVENT_BOARD,     /* board `board` answered; its job starts */
	STATION_EVENT_JOB,       /* an event of that board's job (`job`) */
	STATION_EVENT_RESULT,    /* its job ended: `result`, `record` (logged) */
	STATION_EVENT_REMOVE,    /* waiting for board `board` to be taken off */
	STATION_EVENT_LOG_REPAIRED, /* the log ended in a line cut short: `dropped`
				     * bytes were cut off so it is whole again */
	STATION_EVENT_INTERRUPTED,  /* a board of an earlier run never finished:
				     * `record` is the "interrupted" line logged
				     * for it now */
	STATION_EVENT_SCRIPT_END,   /* a simulated board script has ended: no board
				     * will come, the station stops */
	STATION_EVENT_END,       /* the station stopped: `summary` */
};

/* What the front end may want to show about the session. */
struct station_session {
	char id[STATION_SESSION_MAX];       /* "20250301T101112-4242": groups log lines */
	char image_sha256[SHA256_HEX_LEN + 1]; /* of the image file; "" when unknown */
	time_t started;
};

struct station_summary {
	unsigned boards, ok, failed;
	double seconds;                     /* since the station started */
	/* The last failed board: its number, status and phase (IW_OK / 0 when
	 * every board passed). */
	unsigned last_failed_board;
	enum iw_status last_failure;
	enum job_phase last_failed_phase;
	/* Why the station itself ended early: IW_OK when it ended by `count`,
	 * a stop request or the end of a simulated board script. */
	enum iw_status status;
	struct iw_error error;
	bool stopped;                       /* a stop request ended it */
	bool log_failed;                    /* a log line could not be written */
};

struct station_event {
	enum station_event_kind kind;
	unsigned board;                     /* the board concerned (1-based) */
	const struct station_session *session;
	const struct job_event *job;        /* JOB */
	const struct job_result *result;    /* RESULT */
	/* RESULT: the board's log record (station_record_json), borrowed for
	 * the callback; written to the log before this event when there is a
	 * log. */
	json_t *record;
	time_t when;                        /* BOARD, RESULT: when the board was found */
	size_t dropped;                     /* LOG_REPAIRED */
	const struct station_summary *summary;   /* RESULT (so far), END */
};

enum station_stop {
	STATION_RUN,
	STATION_STOP_AFTER_BOARD,   /* finish the current board, then end */
	STATION_STOP_NOW,           /* also cancel the current board safely */
};

struct station_ops {
	void (*event)(void *user, const struct station_event *ev);   /* may be NULL */
	/* Polled between steps, during waits and inside a job; NULL = never. */
	enum station_stop (*stop)(void *user);
	/* Let about `ms` pass; return early when a stop is requested.  Only
	 * called when time passes for real (not on a simulated board script's
	 * virtual clock).  NULL: sleep. */
	void (*wait)(void *user, unsigned ms);
	void *user;
};

/* --- running -------------------------------------------------------------------- */

/* Run the station until it ends; fills `summary` and returns its status
 * (IW_OK unless the station itself failed: the plan was refused, the
 * programmer could not be opened or failed, the log could not be
 * written).  `prog` may be an open programmer to use (tests); NULL opens
 * the plan's programmer and closes it at the end. */
enum iw_status station_run(const struct station_plan *sp, struct prog *prog,
			   const struct station_ops *ops, struct station_summary *summary);

/* Whether a job that ended with `st` means the station cannot go on (the
 * programmer, the disk, memory) rather than that this board failed. */
bool station_status_is_fatal(enum iw_status st);

/* --- the log ------------------------------------------------------------------------ */

/* One board as a JSON object: time (RFC 3339, local with offset),
 * session, board, result ("ok", "failed", "cancelled"), status, exit_code,
 * phase, seconds, programmer, port, part, image, image_sha256, signature
 * ("1E 95 87" or null), sck_hz, fuses_before/fuses_after/lock_after
 * ("0xNN"), pages_written, message, cause (the wiring doctor's first
 * cause, e.g. "reset", or null), diagnosis ({symptom, summary, causes}
 * or null), backup (file or null). */
json_t *station_record_json(const struct station_plan *sp,
			    const struct station_session *session, unsigned board,
			    time_t when, const struct job_result *res);

/* What is noted when a board starts (kept until its record is logged):
 * session, lane, board, started (RFC 3339), programmer, port, part, image. */
json_t *station_start_json(const struct station_plan *sp,
			   const struct station_session *session, unsigned lane,
			   unsigned board, time_t when);

struct station_log;

/* How records are printed: one line, keys in order, durations without
 * binary noise (0.06, not 0.059999999999999998). */
#define STATION_JSON_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9))

/* Open (create, 0644) for appending.  When the file's last line was cut
 * short (a crash while writing, a full disk under another program), it is
 * cut off so that every line is a whole record; *dropped gets its length
 * (0 when the file was whole).  IW_IO naming the file. */
enum iw_status station_log_open(const char *path, struct station_log **out,
				size_t *dropped, struct iw_error *err);
/* Append the record as one whole line (one write() under the file's lock,
 * then fsync()), or, when that fails, nothing at all. */
enum iw_status station_log_write(struct station_log *log, json_t *record,
				 struct iw_error *err);
/* A board starts: `start` (its session, lane, board, time) is kept in
 * LOG.running/ until station_log_board_end(), after its line is written. */
enum iw_status station_log_board_start(struct station_log *log, const char *session,
				       unsigned lane, unsigned board, json_t *start,
				       struct iw_error *err);
void station_log_board_end(struct station_log *log, const char *session, unsigned lane,
			   unsigned board);
/* Boards an earlier run started and never finished: each gets a line with
 * "result": "interrupted" (its start record and a message), then `fn`
 * sees that line. */
typedef void (*station_log_interrupted_fn)(void *user, json_t *record);
enum iw_status station_log_recover(struct station_log *log, station_log_interrupted_fn fn,
				   void *user, struct iw_error *err);
void station_log_close(struct station_log *log);

/* "2025-03-01 10:11:12" (local) and "2025-03-01T10:11:12+01:00". */
const char *station_time_text(time_t t, char *buf, size_t size);
const char *station_time_rfc3339(time_t t, char *buf, size_t size);

#endif
