/*
 * station.h - the workshop station: the same job on board after board,
 * unattended between boards, on one programmer or on several at once (one
 * lane each), one log line per board.
 *
 * A station is started once (station_start: the plan is checked for every
 * lane before any board is touched, the log is opened and boards an
 * earlier run never finished are reported), then gets lanes: one per
 * programmer (station_add_lane, or station_watch_all for every attached
 * programmer of the plan's kind, including ones plugged in later).  Each
 * lane has its own worker thread, programmer and job runner, and loops:
 *   wait until a board answers Programming Enable on `present_polls`
 *   polls in a row (one poll every `poll_ms`, at a slow SCK that every
 *   chip follows) -> run the job on it -> log and report the result ->
 *   wait until it stops answering on `absent_polls` polls in a row (so the
 *   same board is never flashed twice, and a contact that bounces while
 *   the board is being pulled does not count as a new one).
 *
 * Lanes share nothing but the plan (read only), the log (one line written
 * whole under its lock) and the counters: a failing board, a programmer
 * that fails or vanishes, or a target that hangs ends or delays only its
 * own lane.  A lane ends when `count` boards are done (counted over all
 * lanes), when it or the whole station is asked to stop, or when its
 * programmer fails or disappears; the station ends when every lane has
 * (with station_watch_all: when it is asked to stop, or `count` is done).
 *
 * A stop request is honoured where it is safe: STATION_STOP_AFTER_BOARD
 * lets the current board finish (waiting ends at once); STATION_STOP_NOW
 * also cancels the board's job at its next safe point (a fuse or lock
 * write always completes), and that board counts as failed (cancelled).
 * A paused lane finishes its board, then holds until it is resumed.
 *
 * A board that never answers Programming Enable (RESET, MISO or power not
 * connected) looks exactly like an empty jig; the lane keeps waiting.
 * `ispwiz flash` on that board gives the wiring doctor's diagnosis.
 *
 * The log file is JSON Lines: one object per board (station_record_json),
 * appended with one write() and fsync()ed before the board is reported, so
 * a crash or power cut loses nothing already reported.  Several stations
 * may append to one log.
 *
 * Front ends see the station through the callbacks in station_ops (called
 * from the lanes' threads, one call at a time) and, for a dashboard,
 * through station_snapshot() and the wake-up descriptor; nothing here
 * prints.
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

#define STATION_MAX_LANES 16
#define STATION_PORT_MAX 160
#define STATION_SERIAL_MAX 64
#define STATION_CAUSE_MAX 32

enum station_event_kind {
	STATION_EVENT_START,     /* plan checked, log open (lane 0) */
	STATION_EVENT_LANE_START,/* lane `lane` has opened its programmer */
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
				     * will come, the lane stops */
	STATION_EVENT_LANE_END,  /* lane `lane` ended: `summary` is the lane's */
	STATION_EVENT_END,       /* the station stopped: `summary` (lane 0) */
};

/* What the front end may want to show about the session. */
struct station_session {
	char id[STATION_SESSION_MAX];       /* "20250301T101112-4242": groups log lines */
	char image_sha256[SHA256_HEX_LEN + 1]; /* of the image file; "" when unknown */
	time_t started;
};

/* Which programmer a lane drives. */
struct station_lane_info {
	unsigned id;                        /* 1, 2, ... in the order lanes were added */
	char port[STATION_PORT_MAX];        /* as the driver opens it; "" for -c sim */
	char serial[STATION_SERIAL_MAX];    /* the programmer's USB serial; "" unknown */
};

struct station_summary {
	unsigned boards, ok, failed;
	double seconds;                     /* since the station started */
	/* The last failed board: its number, status and phase (IW_OK / 0 when
	 * every board passed); for a station, also its lane. */
	unsigned last_failed_board, last_failed_lane;
	enum iw_status last_failure;
	enum job_phase last_failed_phase;
	/* A lane: why it ended early (IW_OK when by `count`, a stop request or
	 * the end of a simulated board script).  The station: why it could
	 * not go on (the plan, the log); lanes that failed are counted below
	 * and the first of them is in lane_failure / lane_error. */
	enum iw_status status;
	struct iw_error error;
	unsigned lanes, lanes_failed;
	enum iw_status lane_failure;
	struct iw_error lane_error;
	bool stopped;                       /* a stop request ended it */
	bool log_failed;                    /* a log line could not be written */
};

struct station_event {
	enum station_event_kind kind;
	unsigned lane;                      /* 0: the station itself */
	const struct station_lane_info *info;   /* the lane's (NULL for lane 0) */
	unsigned board;                     /* the board concerned (1-based, per lane) */
	const struct station_session *session;
	const struct job_event *job;        /* JOB */
	const struct job_result *result;    /* RESULT */
	/* RESULT: the board's log record (station_record_json), borrowed for
	 * the callback; written to the log before this event when there is a
	 * log. */
	json_t *record;
	time_t when;                        /* BOARD, RESULT: when the board was found */
	size_t dropped;                     /* LOG_REPAIRED */
	/* RESULT (the lane's so far), LANE_END (the lane's), END (the
	 * station's); others: the lane's so far. */
	const struct station_summary *summary;
};

enum station_stop {
	STATION_RUN,
	STATION_STOP_AFTER_BOARD,   /* finish the current board, then end */
	STATION_STOP_NOW,           /* also cancel the current board safely */
};

struct station_ops {
	/* Called from the lanes' threads (and the caller's), never two at
	 * once; may be NULL. */
	void (*event)(void *user, const struct station_event *ev);
	/* Polled between steps, during waits and inside a job, under the same
	 * lock as `event`; NULL = never. */
	enum station_stop (*stop)(void *user);
	/* Let about `ms` pass.  Only called when time passes for real (not on
	 * a simulated board script's virtual clock), possibly from several
	 * lanes at once.  NULL: the lane sleeps, waking at once on
	 * station_control() and station_stop(). */
	void (*wait)(void *user, unsigned ms);
	void *user;
};

/* --- running -------------------------------------------------------------------- */

struct station;

/* Check the plan (station_plan_validate), note the session, open the log
 * (repairing a cut last line, reporting boards an earlier run never
 * finished), emit START.  `sp` and `ops` must outlive the station.  On
 * failure nothing was touched and *out is NULL. */
enum iw_status station_start(const struct station_plan *sp, const struct station_ops *ops,
			     struct station **out, struct iw_error *err);

/* A lane for the programmer at `port` (NULL or "" for the plan's own
 * port; `serial` may be NULL: looked up when the port is a USB device).
 * `prog` may be an open programmer the lane uses and leaves open (tests);
 * NULL: the lane opens and closes its own.  The lane's thread starts at
 * once.  IW_USAGE when `port` is already a lane's, IW_RANGE past
 * STATION_MAX_LANES lanes, IW_NOMEM; *lane_id (may be NULL) gets its id. */
enum iw_status station_add_lane(struct station *s, const char *port, const char *serial,
				struct prog *prog, unsigned *lane_id, struct iw_error *err);

/* Every attached programmer of the plan's kind becomes a lane, and so does
 * each one plugged in until the station ends; one that is unplugged ends
 * its lane (its board fails, "programmer-lost").  Runs a watcher thread
 * on the udev monitor (detect/hotplug.h); the station then ends only by a
 * stop or by `count`.  IW_IO when udev cannot be watched. */
enum iw_status station_watch_all(struct station *s, struct iw_error *err);

enum station_control {
	STATION_CTL_PAUSE,    /* finish the current board, then hold */
	STATION_CTL_RESUME,
	STATION_CTL_STOP,     /* finish the current board, then end the lane */
	STATION_CTL_ABORT,    /* cancel the current board at a safe point, end */
};
/* Lane `lane`, or every lane (and the station) with lane 0. */
void station_control(struct station *s, unsigned lane, enum station_control ctl);

/* Whether every lane has ended and no more will come. */
bool station_done(struct station *s);
/* Wait until station_done() or `timeout_ms` (< 0: no limit) passed. */
bool station_wait(struct station *s, int timeout_ms);

/* Readable when something visible changed (read it empty: it is
 * non-blocking); for a front end's poll() loop. */
int station_wake_fd(const struct station *s);

/* Stop every lane (as STATION_CTL_STOP, or ABORT when `now`), wait for
 * them, stop watching, close the log, emit END, fill `summary` (may be
 * NULL) and free the station.  Returns summary->status. */
enum iw_status station_finish(struct station *s, bool now, struct station_summary *summary);

/* One lane, start to end: station_start(), station_add_lane(prog), wait,
 * station_finish().  Returns the station's status, or the lane's when the
 * lane failed (the programmer could not be opened or failed). */
enum iw_status station_run(const struct station_plan *sp, struct prog *prog,
			   const struct station_ops *ops, struct station_summary *summary);

/* Whether a job that ended with `st` means the lane cannot go on (the
 * programmer, the disk, memory) rather than that this board failed. */
bool station_status_is_fatal(enum iw_status st);

/* The word for why a board failed: the wiring doctor's first cause
 * ("reset", "noise", "wrong-part") when it has one, else the status
 * ("verify", "programmer-lost", "cancelled"); NULL when it passed. */
const char *station_cause(const struct job_result *res, char *buf, size_t size);

/* --- what a dashboard shows ----------------------------------------------------- */

enum station_lane_state {
	STATION_LANE_OPENING,    /* opening its programmer */
	STATION_LANE_WAITING,    /* for a board */
	STATION_LANE_FLASHING,
	STATION_LANE_REMOVE,     /* for the board to be taken off */
	STATION_LANE_PAUSED,
	STATION_LANE_ENDED,
};

struct station_lane_view {
	struct station_lane_info info;
	enum station_lane_state state;
	bool paused;                        /* asked to pause (may still be flashing) */
	unsigned board;                     /* the current or last board */
	unsigned ok, failed;
	enum job_phase phase;               /* FLASHING: the phase, and its bytes */
	uint32_t done, total;
	char last_result[16];               /* "ok", "failed", "cancelled"; "" none yet */
	char last_cause[STATION_CAUSE_MAX];
	char ended[JOB_MESSAGE_MAX];        /* ENDED: why ("" by a stop or the count) */
};

#define STATION_VIEW_CAUSES 12

struct station_view {
	struct station_lane_view lanes[STATION_MAX_LANES];
	size_t n_lanes;
	unsigned ok, failed;
	struct { char cause[STATION_CAUSE_MAX]; unsigned n; } causes[STATION_VIEW_CAUSES];
	size_t n_causes;                    /* the rest count as "other" */
	double seconds;                     /* since the station started */
	bool watching;                      /* lanes come and go with hotplug */
	bool done;
};

/* A consistent copy of everything shown, taken under the station's lock. */
void station_snapshot(struct station *s, struct station_view *v);

/* --- the log ------------------------------------------------------------------------ */

/* When a board started and ended, and how long each phase of its job took. */
struct station_board_times {
	time_t started, ended;
	double phase_s[JOB_PHASE_COUNT];    /* 0 for a phase the job did not go through */
};

/* One board as a JSON object: time (RFC 3339, local with offset, when it
 * ended), session, lane, serial (the programmer's, or null), board (the
 * lane's count), started, ended, result ("ok", "failed", "cancelled"),
 * status, exit_code, phase, seconds, phases ({"connect": 0.012, ...}),
 * programmer, port, part, image, image_sha256, signature (["0x1E", ...] or
 * null), sck_hz, fuses_before/fuses_after/lock_after ("0xNN"),
 * pages_written, message, cause (station_cause(), or null), diagnosis
 * ({symptom, summary, causes} or null), backup (file or null). */
json_t *station_record_json(const struct station_plan *sp,
			    const struct station_session *session,
			    const struct station_lane_info *lane, unsigned board,
			    const struct station_board_times *times,
			    const struct job_result *res);

/* What is noted when a board starts (kept until its record is logged):
 * session, lane, serial, board, started (RFC 3339), programmer, port,
 * part, image. */
json_t *station_start_json(const struct station_plan *sp,
			   const struct station_session *session,
			   const struct station_lane_info *lane, unsigned board, time_t when);

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

/* --- reading a log back (--summary) ------------------------------------------------ */

struct station_tally_lane {
	unsigned lane;
	char serial[STATION_SERIAL_MAX];
	unsigned boards, ok, failed, interrupted;
};

struct station_tally_cause {
	char cause[STATION_CAUSE_MAX];
	unsigned n;
};

struct station_tally {
	unsigned boards, ok, failed, interrupted, sessions;
	struct station_tally_lane *lanes;   /* by lane, then serial */
	size_t n_lanes;
	struct station_tally_cause *causes; /* most frequent first */
	size_t n_causes;
	size_t cut_bytes;                   /* a last line cut short: not counted */
};

/* Count the boards of a station log: per lane (lane and programmer
 * serial), per cause of failure ("interrupted" for a board an earlier
 * run never finished).  A last line cut short (a crash or a full disk
 * while it was written) is not counted and is reported in cut_bytes.
 * IW_IO when it cannot be read, IW_INPUT naming FILE:LINE for a line that
 * is not a board record. */
enum iw_status station_tally_file(const char *path, struct station_tally *out,
				  struct iw_error *err);
void station_tally_free(struct station_tally *t);

#endif
