/*
 * job.h - one ISP job: what to do (a plan), the runner that does it in the
 * one safe order, and the worker thread that runs it while a front end
 * draws progress.
 *
 * The order never changes (it is what keeps a chip recoverable at every step):
 *   connect (auto SCK) -> signature (a mismatch stops) -> read fuses and
 *   lock -> back up flash, EEPROM and fuses -> chip erase -> write the pages
 *   the image covers (all-0xFF pages skipped) -> verify them -> EEPROM (a
 *   restore: the bytes that differ, then all read back) -> fuses, only if
 *   verify passed -> read the fuses back (unused bits ignored) -> lock bits
 *   last -> leave programming mode.
 * Steps without anything to do are skipped (no image: no erase, write or
 * verify).  A read job (plan.read_to) stops after the backup, which it
 * writes to the given name.
 *
 * Fuse safety is checked before the programmer is opened: a plan with a
 * refuse-class change (SPIEN off, RSTDISBL or DWEN on) is refused unless
 * `unsafe_fuses` and `yes` are both set, a bootloader that does not fit the
 * boot section the new hfuse selects is refused, and with neither the chip
 * is never touched.  Whether a confirm-class change (clock, CKDIV8, BOOTSZ,
 * BOOTRST, JTAGEN on) really changes anything depends on the chip's
 * current fuses: without `yes` the runner reads them and stops with
 * IW_CONFIRM (and the decoded diff in the result) before writing anything.
 * Fuse bytes that already hold the wanted value are not written again.
 *
 * Threads: job_start() runs the job on a worker thread that owns the
 * programmer.  Events go into a queue under a mutex; the worker writes one
 * byte to a pipe when the queue goes from empty to non-empty, so a front
 * end polls job_event_fd() next to stdin and drains with job_next_event().
 * Progress events are coalesced (the newest replaces an older one of the
 * same phase) so the queue stays short however fast the worker goes.
 * job_cancel() is honoured between pages and between steps; a fuse or lock
 * write that has started always completes.  SIGINT and SIGWINCH are blocked
 * in the worker so they reach the front end's thread.
 */
#ifndef ISPWIZ_JOB_JOB_H
#define ISPWIZ_JOB_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/catalog.h"
#include "core/error.h"
#include "core/fuse-rules.h"
#include "core/fuses.h"
#include "core/hex-image.h"
#include "job/wiring-doctor.h"

struct prog;

#define JOB_PHASE_LIST(X)                                          \
	X(PLAN,       "plan",       "Checking the plan")              \
	X(CONNECT,    "connect",    "Connecting")                     \
	X(SIGNATURE,  "signature",  "Reading the signature")          \
	X(READ_FUSES, "read-fuses", "Reading fuses and lock bits")    \
	X(INSPECT,    "inspect",    "Looking at the boot section")    \
	X(BACKUP,     "backup",     "Backing up")                     \
	X(ERASE,      "erase",      "Erasing")                        \
	X(WRITE,      "write",      "Writing")                        \
	X(VERIFY,     "verify",     "Verifying")                      \
	X(EEPROM,     "eeprom",     "Writing the EEPROM")             \
	X(EEPROM_VERIFY, "eeprom-verify", "Verifying the EEPROM")     \
	X(FUSES,      "fuses",      "Writing fuses")                  \
	X(FUSE_CHECK, "fuse-check", "Reading fuses back")             \
	X(LOCK,       "lock",       "Writing lock bits")              \
	X(WAIT,       "wait",       "Waiting for the bootloader")     \
	X(START,      "start",      "Starting the application")       \
	X(WAIT_AFTER, "wait-after", "Waiting for the programmer")     \
	X(DOWNLOAD,   "download",   "Downloading")                    \
	X(DONE,       "done",       "Done")

enum job_phase {
#define JOB_PHASE_ENUM(id, name, title) JOB_PHASE_##id,
	JOB_PHASE_LIST(JOB_PHASE_ENUM)
#undef JOB_PHASE_ENUM
	JOB_PHASE_COUNT
};

const char *job_phase_name(enum job_phase phase);   /* "verify" */
const char *job_phase_title(enum job_phase phase);  /* "Verifying" */
/* Whether a phase counts milliseconds of a wait (done/total are ms, and a
 * front end shows the time left) rather than bytes. */
bool job_phase_counts_time(enum job_phase phase);

/* --- the plan --------------------------------------------------------------- */

/* What a job does: ISP-flash through a programmer (the default), or
 * upload through the chip's own USB bootloader (`ispwiz upload`,
 * `ispwiz prepare`; job-upload.c). */
enum job_kind {
	JOB_KIND_ISP,
	JOB_KIND_UPLOAD,
	JOB_KIND_FETCH,        /* download a catalog file (job-fetch.c) */
};

struct job_plan {
	enum job_kind kind;
	const struct catalog *catalog;                 /* signature look-ups, sim knobs */
	const struct catalog_programmer *programmer;
	const char *port;                              /* NULL: the driver finds it */
	unsigned baud;                                 /* 0: catalog default */
	/* Programmer options (avrdude's -x: "reset=aux", "pullups"), checked
	 * against the driver's option_help, passed to its open(). */
	const char *const *driver_opts;
	size_t n_driver_opts;
	const struct catalog_part *part;
	uint32_t max_sck_hz;                           /* 0: as fast as it goes */

	/* Flash to write; NULL for none.  image_path names it in messages and
	 * in the avrdude command. */
	const struct hex_image *image;
	const char *image_path;
	/* The image (or [boot_start, boot_end) of it, for a file that also
	 * carries an application) is a bootloader: with an hfuse in the plan it
	 * must fit the boot section that hfuse selects.  boot_end 0 = the whole
	 * image. */
	bool image_is_bootloader;
	uint32_t boot_start, boot_end;
	/* The catalog bootloader the image is (job_plan_use_bootloader), or
	 * NULL for a file of the user's own. */
	const struct catalog_bootloader *bootloader;
	/* What the image is, by its identity, in words ("your file (unknown
	 * image)", "the known upstream Caterina-promicro16.hex"), for the plan
	 * in words; NULL when nobody judged it. */
	const char *image_what;

	/* EEPROM to put on the chip (ispwiz restore), eeprom_size bytes from
	 * address 0, NULL for none; eeprom_path names it. */
	const uint8_t *eeprom;
	uint32_t eeprom_size;
	const char *eeprom_path;

	struct fuse_set fuses;                         /* bytes to write; none = keep */
	bool has_lock;
	uint8_t lock;

	bool backup;                                   /* default on */
	const char *backup_dir;                        /* NULL: $XDG_DATA_HOME/ispwiz/backups */
	/* A read job: write <read_to>.hex, <read_to>.eep.hex and
	 * <read_to>.json, change nothing. */
	const char *read_to;

	/* Read the boot section the fuses select and say what it holds (a
	 * known bootloader, blank, unknown), and whether the application area
	 * is blank (job-inspect.c); before anything is written. */
	bool inspect;
	/* ... sampling the application area even where it could be read
	 * whole: a quick look (the wizard's target step, on every visit). */
	bool inspect_sample;

	bool yes;                                      /* confirm-class changes accepted */
	bool unsafe_fuses;                             /* refuse-class allowed (with yes) */

	/* -c sim only (see prog-sim.h). */
	const char *sim_state;
	const char *const *sim_faults;
	size_t n_sim_faults;

	/* Reads and page writes slowed to about real hardware's speed (the
	 * demo's simulated programmer); zero: as fast as the link goes. */
	unsigned pace_read_ns_per_byte, pace_page_us;

	/* An open programmer to use instead of opening one (tests, the
	 * station mode); the job neither opens nor closes it. */
	struct prog *prog;

	/* --- JOB_KIND_UPLOAD: through the chip's own bootloader ----------- */
	const char *via;                  /* boot client (caterina, halfkay...); NULL: by USB ID */
	unsigned wait_ms;                 /* for the bootloader to appear; 0: 30 s */
	/* The image came from a raw binary (.bin, at 0x0000): only the Atmel
	 * DFU client takes one; with any other the upload is refused before
	 * anything is written (job_upload_read_file). */
	bool image_raw;
	/* `ispwiz prepare`: after the application starts, wait for a device
	 * with one of these IDs (the programmer it makes of the board), up to
	 * wait_ms, and report its port. */
	const struct catalog_usb_id *then_ids;
	size_t n_then_ids;
	const char *then_name;            /* "the Pro Micro as ISP", for messages */

	/* --- JOB_KIND_FETCH: a catalog bootloader's or ISP firmware's file ---- */
	const char *fetch_id;             /* bootloader or programmer id */
	const char *fetch_dir;            /* NULL: $XDG_CACHE_HOME/ispwiz/files */
	unsigned fetch_timeout_s;         /* the whole download, and a stall; 0: 120 / 20 s */
};

/* Open the plan's programmer into `p` with everything the plan says about
 * it (port, baud, part, -x options, simulator knobs, pacing): the one way
 * the runner, the station and the front ends open one.  IW_* with the
 * message prefixed "opening the <programmer>".  Close with prog_close(). */
enum iw_status job_open_programmer(const struct job_plan *plan, struct prog *p,
				   struct iw_error *err);

/* The options (avrdude's -x) the programmer's driver takes, one help line
 * each ("name=a|b  what it does"), NULL-terminated; NULL when it takes
 * none or has no driver here. */
const char *const *job_programmer_options(const struct catalog_programmer *pg);

/* One simulator knob (--sim-fault, --demo-fault) checked before anything
 * is opened, against the catalog for wrong-part=ID.  IW_USAGE naming every
 * knob there is. */
enum iw_status job_check_sim_fault(const char *spec, const struct catalog *cat,
				   struct iw_error *err);

/* Defaults: backup on, no fuses, no lock, nothing else. */
void job_plan_init(struct job_plan *plan);

/* The image to write (NULL: none); `path` names it in messages.  With a
 * catalog bootloader already chosen that carries a sketch too, the
 * bootloader's range is its last run of bytes. */
void job_plan_set_image(struct job_plan *plan, const struct hex_image *img,
			const char *path);

/* The fuse preset `name` of `bl`, or with NULL its default one (the one
 * named "default", else the first).  IW_USAGE listing the presets when
 * there is no such one; *out is NULL for a bootloader without presets. */
enum iw_status job_bootloader_preset(const struct catalog_bootloader *bl, const char *name,
				     const struct catalog_preset **out, struct iw_error *err);

/* The one way both front ends choose a catalog bootloader for the plan's
 * part: the image is then a bootloader that must fit the boot section its
 * hfuse selects (in a file that carries a sketch too, only its last run
 * must), and with `preset` (not NULL) the plan takes its fuses and lock.
 * IW_USAGE when `bl` is built for another part than plan->part. */
enum iw_status job_plan_use_bootloader(struct job_plan *plan,
				       const struct catalog_bootloader *bl,
				       const struct catalog_preset *preset,
				       struct iw_error *err);

/* --- preparing a programmer (job-prepare.c) ---------------------------------------- */

/* The part a programmer's ISP firmware is built for (the board's chip);
 * NULL with IW_USAGE for a programmer that needs none, IW_CATALOG for an
 * entry naming an unknown part. */
const struct catalog_part *job_prepare_part(const struct catalog *cat,
					    const struct catalog_programmer *pg,
					    struct iw_error *err);
/* The firmware's upstream file in the current folder, else in the download
 * cache (`ispwiz fetch` puts it there); IW_NOT_FOUND saying how to get it. */
enum iw_status job_prepare_find_file(const struct catalog_programmer *pg, char *path,
				     size_t size, struct iw_error *err);
/* Whether `img` is that programmer's firmware: IW_OK with *known when it
 * is the known upstream image; IW_REFUSED when it is something else ispwiz
 * knows (a bootloader, another firmware) or does not fit the chip;
 * IW_CONFIRM for an unknown image, which only the person can accept. */
enum iw_status job_prepare_judge(const struct catalog *cat, const struct catalog_programmer *pg,
				 const struct catalog_part *part, const struct hex_image *img,
				 const char *path, bool *known, struct iw_error *err);
/* The upload that loads it through the board's bootloader (the entry's
 * loader: Caterina, HalfKay) and then waits for the programmer's USB ID;
 * the caller may set port and wait_ms after. */
void job_plan_prepare(struct job_plan *plan, const struct catalog *cat,
		      const struct catalog_programmer *pg, const struct catalog_part *part,
		      const struct hex_image *img, const char *path);

/* A file given for an upload (job-upload-file.c): IW_REFUSED when it is a
 * catalog bootloader's own file, which goes on over ISP, never through a
 * bootloader. */
enum iw_status job_upload_check_file(const struct catalog *cat, const struct hex_image *img,
				     const char *path, struct iw_error *err);
/* Read the file given for an upload into `img`: Intel HEX, or a raw binary
 * (a .bin, its bytes from 0x0000: QMK builds one for some Atmel DFU boards)
 * with *raw set.  A .bin is refused (IW_REFUSED, saying how to make a
 * .hex) when `via` names a client other than atmel-dfu; with `via` NULL
 * the upload job refuses it once it has found a bootloader that is not
 * Atmel DFU.  The other errors are the readers', with the file's name. */
enum iw_status job_upload_read_file(const struct catalog *cat, const char *via,
				    struct hex_image *img, const char *path, bool *raw,
				    struct iw_error *err);
/* The refusal of a raw binary for the client `via` (job-upload-file.c). */
enum iw_status job_upload_refuse_raw(const char *path, const char *via, struct iw_error *err);
/* The client that takes raw binaries ("atmel-dfu"). */
#define JOB_RAW_BINARY_VIA "atmel-dfu"

/* A restore: the plan writes back what a backup (backup.h, backup_load())
 * holds: all its flash (the bootloader section too), its EEPROM, its fuses
 * and, when its chip had lock bits programmed, its lock byte last.
 * IW_USAGE when plan->part is set and is another part. */
struct backup_set;
enum iw_status job_plan_use_backup(struct job_plan *plan, const struct backup_set *set,
				   struct iw_error *err);

/* Everything that can be checked without the chip: programmer and part
 * given, the programmer's flash limit, the image fits the part, the fuse
 * bytes exist on the part, refuse-class fuse changes, the boot-section
 * fit, conflicting requests.  IW_REFUSED / IW_CONFIRM / IW_RANGE / IW_USAGE
 * with a message that says what to change. */
/* Whether running the plan can change what the chip holds (flash,
 * EEPROM, fuses, lock, or an upload through its bootloader); a probe, a
 * read or a download cannot, so stopping one midway costs nothing. */
bool job_plan_changes_chip(const struct job_plan *plan);

enum iw_status job_plan_validate(const struct job_plan *plan, struct iw_error *err);

/* The driver options alone (part of job_plan_validate), for front ends
 * that want to refuse a wrong -x before anything else: IW_USAGE naming the
 * option and listing the valid ones. */
enum iw_status job_plan_check_driver_options(const struct job_plan *plan,
					     struct iw_error *err);

/* The simulator's options alone (part of job_plan_validate): every knob
 * known (job_check_sim_fault), and --sim-state a file whose folder exists
 * and is writable, so a typo is refused before the chip is touched rather
 * than when the chip is saved at the end.  IW_USAGE naming the problem. */
enum iw_status job_plan_check_sim(const struct job_plan *plan, struct iw_error *err);

/* Pages the image covers: `covered` in total, `blank` of them all 0xFF
 * (covered but not written). */
void job_plan_pages(const struct job_plan *plan, uint32_t *covered, uint32_t *blank);

/* The avrdude command line that does the same job, for forums and for
 * checking by hand.  Driver options avrdude has go in as -x; the others
 * are named in a trailing shell comment. */
const char *job_plan_avrdude_command(const struct job_plan *plan, char *buf, size_t size);

/* The plan in words (what --dry-run prints): programmer, part, image,
 * fuses decoded, lock, backup, and the steps that will run. */
typedef void (*job_line_fn)(void *user, const char *line);
void job_plan_describe(const struct job_plan *plan, job_line_fn fn, void *user);

/* --- events -------------------------------------------------------------------- */

enum job_event_kind {
	JOB_EVENT_PHASE,      /* a step starts (total is known) */
	JOB_EVENT_PROGRESS,   /* bytes done within the step */
	JOB_EVENT_INFO,       /* a line worth showing ("connected at SCK 500 kHz") */
	JOB_EVENT_WARNING,    /* something the user should read */
	JOB_EVENT_DONE,       /* the last event: status and message */
};

const char *job_event_kind_name(enum job_event_kind kind);  /* "phase", ... */

/* What an INFO or WARNING line is about, for a front end that shows some
 * lines and not others: it filters on this, never on the text. */
enum job_topic {
	JOB_TOPIC_NONE,
	JOB_TOPIC_FUSES_READ,     /* the fuse and lock bytes read from the chip */
	JOB_TOPIC_FUSE_DIFF,      /* one line of the decoded before/after fuse diff */
};

#define JOB_MESSAGE_MAX 1024

struct job_event {
	enum job_event_kind kind;
	enum job_phase phase;
	enum job_topic topic;     /* INFO, WARNING: what the line is about */
	uint32_t done, total;     /* bytes within the phase (0/0 when not counted) */
	double rate;              /* bytes per second since the phase started */
	double elapsed;           /* seconds since the job started */
	enum iw_status status;    /* DONE */
	char message[JOB_MESSAGE_MAX];
};

/* --- the result ------------------------------------------------------------------- */

#define JOB_PATH_MAX 4096

struct job_result {
	enum iw_status status;
	struct iw_error error;
	enum job_phase phase;                 /* where it stopped; DONE on success */

	bool connected;
	uint32_t sck_hz;
	char connect_note[400];

	bool have_signature;
	uint8_t signature[3];

	bool have_fuses;                      /* fuses_before / lock_before read */
	struct fuse_set fuses_before;
	uint8_t lock_before;
	uint8_t calibration;

	bool have_diff;                       /* the plan had fuses */
	struct fuse_diff diff;                /* before -> plan, decoded */
	struct fuse_set fuses_written;        /* bytes whose write was sent */
	struct fuse_set fuses_after;          /* what the chip holds, as far as known */
	/* Bytes whose write was sent but not read back (the programmer failed
	 * in between): the chip may hold the old value, the new one, or
	 * neither, and fuses_after must not be believed for them. */
	struct fuse_set fuses_unknown;
	bool lock_written;                    /* the lock write was sent */
	bool lock_unknown;                    /* ... but not read back */
	uint8_t lock_after;

	char backup_hex[JOB_PATH_MAX];        /* "" when not written */
	char backup_eeprom[JOB_PATH_MAX];
	char backup_json[JOB_PATH_MAX];

	uint32_t pages_written, pages_skipped, pages_verified;
	uint32_t bytes_written;
	uint32_t eeprom_written;              /* EEPROM bytes that differed and were written */
	bool eeprom_verified;

	/* What the chip holds (plan.inspect). */
	bool have_chip_boot;
	struct image_id chip_boot;            /* its boot section's identity */
	const struct catalog_bootloader *chip_bootloader;   /* known: which, else NULL */
	const struct catalog_identity *chip_identity;
	bool chip_locked;                     /* LB1/LB2: nothing could be read */
	bool bootrst;                         /* reset starts the boot section */
	bool app_blank, app_sampled;
	uint32_t app_pages, app_pages_looked;

	/* Uploads. */
	char device[128];                     /* where the bootloader was: port or USB path */
	char device_name[112];                /* what it said it is: "Caterina 1.0" */
	bool touched;                         /* a sketch was asked to start it (1200 baud) */
	bool not_verified;                    /* the protocol cannot read flash back */
	bool app_not_started;                 /* the bootloader stayed after start_app */
	char new_port[128];                   /* prepare: the programmer's port afterwards */

	/* Fetches. */
	char fetched[JOB_PATH_MAX];           /* where the good file is */
	bool fetched_cached;                  /* it was there already: no download */

	bool has_diagnosis;                   /* the wiring doctor's say */
	struct wiring_diagnosis diagnosis;

	double seconds;
};

/* fuses_after as JSON: {"hfuse": "0x99"}, with "unknown" for a byte whose
 * write was sent but never read back; null when the fuses were not read. */
json_t *job_result_fuses_after_json(const struct job_result *res);
/* lock_after as JSON: "0xFF", "unknown", or null. */
json_t *job_result_lock_after_json(const struct job_result *res);
/* What the chip holds, in one or two sentences (plan.inspect): "" when it
 * was not looked at. */
const char *job_inspect_text(const struct job_plan *plan, const struct job_result *res,
			     char *buf, size_t size);

/* Whether any fuse or lock byte ended in an unknown state. */
bool job_result_state_unknown(const struct job_result *res);

/* --- running ------------------------------------------------------------------------ */

/* Synchronous run on the calling thread (tests, scripts).  `fn` (may be
 * NULL) sees every event as it happens, unqueued; returning false asks the
 * job to stop at the next safe point (as job_cancel()).  Returns
 * result->status. */
typedef bool (*job_event_fn)(void *user, const struct job_event *ev);
enum iw_status job_run(const struct job_plan *plan, job_event_fn fn, void *user,
		       struct job_result *result);

struct job;

/* Copy the plan (what it points to must outlive the job) and start the
 * worker.  IW_NOMEM / IW_IO when the thread or pipe cannot be made; plan
 * errors arrive as the job's result like every other failure. */
enum iw_status job_start(const struct job_plan *plan, struct job **out,
			 struct iw_error *err);
/* Readable (POLLIN) when events are waiting. */
int job_event_fd(const struct job *job);
/* Take the oldest waiting event; false when there is none. */
bool job_next_event(struct job *job, struct job_event *ev);
/* The newest phase/progress state, for a front end that redraws from a
 * snapshot rather than from each event. */
void job_snapshot(struct job *job, struct job_event *snap);
/* Ask the job to stop at the next safe point; it ends with IW_CANCELLED. */
void job_cancel(struct job *job);
/* Wait for the worker; copies the result (may be NULL) and returns its
 * status.  Safe to call once; events stay readable afterwards. */
enum iw_status job_join(struct job *job, struct job_result *result);
/* Joins if needed and frees everything. */
void job_free(struct job *job);

#endif
