/*
 * prog.h - the one interface every programmer driver implements.
 *
 * A driver moves bytes: it opens its transport, puts the target into
 * programming mode at a given SCK, and executes 4-byte ISP instructions.
 * Everything else (what to erase, write, verify, which fuses) is the job
 * runner's business in src/core.  Paged flash access and chip erase are
 * optional: when a driver leaves them NULL, src/prog/isp.c falls back to
 * single 4-byte instructions (Load Program Memory Page, Write Page, RDY/BSY
 * polling, Read Program Memory).
 *
 * Drivers are const tables (like libusb's backends) listed in prog.c; adding
 * a programmer touches one new file and one line there.
 */
#ifndef ISPWIZ_PROG_PROG_H
#define ISPWIZ_PROG_PROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"

struct prog;

/* What a driver can do, filled in by open(). */
struct prog_caps {
	const uint32_t *sck_hz;   /* supported SCK steps, fastest first */
	size_t n_sck;
	bool fixed_sck;           /* cannot change SCK (old USBasp firmware) */
	uint32_t max_flash;       /* largest flash it can address, 0 = any */
	bool paged_read;          /* read_flash is implemented */
	bool paged_write;         /* write_page is implemented */
	/* What the user should know about this programmer with this part
	 * (a slow path, a fixed clock and its jumper), or NULL.  The job
	 * runner shows it as a warning right after opening. */
	const char *note;
};

/* A link slowed down to about the speed of real hardware (prog-pace.c):
 * what --demo uses so that progress bars are seen.  Zero: unpaced. */
struct prog_pace {
	unsigned read_ns_per_byte;   /* per flash byte read */
	unsigned page_us;            /* per page written */
};

/* What an idle wait means on this programmer (prog_idle). */
enum prog_idle {
	PROG_IDLE_REAL,      /* time passes for real: the caller waits itself */
	PROG_IDLE_VIRTUAL,   /* the driver's own clock moved on (a simulated board
			      * script): do not wait */
	PROG_IDLE_OVER,      /* a simulated board script has ended: no board will come */
};

/* How to reach the programmer and what is on the other end. */
struct prog_options {
	const char *port;         /* serial device, USB bus path, or NULL = find it */
	unsigned baud;            /* serial programmers; 0 = catalog default */
	const struct catalog_programmer *entry;  /* the catalog's description */
	const struct catalog_part *part;         /* the part the user chose */
	/* Simulator only: state file and fault knobs ("reset-not-wired", ...). */
	const char *sim_state;
	const char *const *sim_faults;
	size_t n_sim_faults;
	const struct catalog *catalog;           /* for the simulator's wrong-part knob */
	/* The user's programmer options (avrdude's -x), "name" or
	 * "name=value", in command-line order; prog_open() has checked them
	 * against the driver's option_help before the driver sees them. */
	const char *const *driver_opts;
	size_t n_driver_opts;
	/* Pacing (zero: none); prog_open() puts the decorator in front. */
	struct prog_pace pace;
};

struct prog_driver {
	const char *name;         /* catalog `driver` value */
	enum iw_status (*open)(struct prog *p, const struct prog_options *opt,
			       struct iw_error *err);
	void (*close)(struct prog *p);
	/* Power the target if the programmer does that, hold RESET, set SCK
	 * and send Programming Enable. IW_NO_TARGET when the echo does not
	 * come back, so the caller can step SCK down. */
	enum iw_status (*enter)(struct prog *p, uint32_t sck_hz, struct iw_error *err);
	/* Release RESET so the target runs (new fuses take effect). A driver
	 * may keep the target's supply on until close(): the Bus Pirate does,
	 * so auto-SCK's retries do not each wait for a power-up. Never fails. */
	void (*leave)(struct prog *p);
	/* One ISP instruction; out receives the 4 bytes clocked back. */
	enum iw_status (*cmd)(struct prog *p, const uint8_t in[4], uint8_t out[4],
			      struct iw_error *err);
	/* Optional: read `len` flash bytes from byte address `addr`. */
	enum iw_status (*read_flash)(struct prog *p, uint32_t addr, uint8_t *buf,
				     uint32_t len, struct iw_error *err);
	/* Optional: load and commit one whole page at `addr` (page-aligned),
	 * including the wait until the target is ready again. */
	enum iw_status (*write_page)(struct prog *p, uint32_t addr,
				     const uint8_t *buf, uint32_t len,
				     struct iw_error *err);
	/* Optional: make what this session changed durable and say if that
	 * failed (the simulator saves its --sim-state file here).  close()
	 * cannot report errors, so the job runner calls this before it. */
	enum iw_status (*sync)(struct prog *p, struct iw_error *err);
	/* Optional: read `len` EEPROM bytes from byte address `addr` in as
	 * few requests as the programmer allows (the USB programmers have
	 * block reads; without it, one Read EEPROM instruction per byte). */
	enum iw_status (*read_eeprom)(struct prog *p, uint32_t addr, uint8_t *buf,
				      uint32_t len, struct iw_error *err);
	/* Optional: the options (-x) open() reads, one line each, then NULL:
	 * "name  what it does" for a switch, "name=a|b  ..." for one of the
	 * listed words, "name=VALUE  ..." (capitals) for a value the driver
	 * reads itself; two spaces end the spec.  NULL: the driver takes no
	 * options, and prog_open() refuses any. */
	const char *const *option_help;
	/* Optional, with option_help: avrdude's -x spelling of one option
	 * (already checked) into buf; false when avrdude has no equivalent. */
	bool (*avrdude_option)(const char *opt, char *buf, size_t size);
	/* Optional: `ms` pass while nothing is clocked (a station waiting for
	 * the next board).  NULL: PROG_IDLE_REAL. */
	enum prog_idle (*idle)(struct prog *p, unsigned ms);
};

struct prog {
	const struct prog_driver *driver;
	struct prog_caps caps;
	const struct catalog_part *part;
	uint32_t sck_hz;          /* the clock programming mode was entered at */
	/* The four bytes the target answered to the last Programming Enable
	 * that got no echo, when the driver can see them: the wiring doctor's
	 * evidence (00s, FFs, a shifted echo, garbage). */
	bool have_answer;
	uint8_t answer[4];
	void *priv;               /* the driver's own state */
};

/* The driver for a catalog `driver` name, or NULL. */
const struct prog_driver *prog_driver_find(const char *name);
/* Every driver name, for messages ("sim, avrisp, ..."), into buf. */
const char *prog_driver_names(char *buf, size_t size);

/* Check options against d->option_help without touching anything: the
 * name is known, a value is there exactly when the spec has one, and a
 * value from a list of words is one of them.  IW_USAGE naming the option
 * and listing the valid ones; a driver without options refuses any. */
enum iw_status prog_check_options(const struct prog_driver *d,
				  const char *const *opts, size_t n,
				  struct iw_error *err);
/* For a driver's open(): whether option `name` was given (the last one
 * wins), and its value (NULL for a switch) in *value if not NULL. */
bool prog_option_get(const struct prog_options *opt, const char *name,
		     const char **value);
/* For a serial driver's open(): the baud rate, the user's (--baud) or the
 * catalog entry's, else `dflt`. */
unsigned prog_baud(const struct prog_options *opt, unsigned dflt);

/* Open `p` with driver `d`: checks opt's driver options
 * (prog_check_options), sets p->driver and p->part (opt->part), then
 * calls d->open; with opt->pace set, `p` is the pacing decorator around an
 * instance of `d`.  On failure `p` needs no prog_close(). */
enum iw_status prog_open(struct prog *p, const struct prog_driver *d,
			 const struct prog_options *opt, struct iw_error *err);
/* Run the driver's sync (if any), then close; returns the sync status. */
enum iw_status prog_close(struct prog *p, struct iw_error *err);

/* Let `ms` pass while nothing is clocked: the driver's idle, or
 * PROG_IDLE_REAL (the caller waits) for one without. */
enum prog_idle prog_idle(struct prog *p, unsigned ms);

/* The pacing decorator (prog-pace.c), opened by prog_open(). */
enum iw_status prog_pace_open(struct prog *p, const struct prog_driver *inner,
			      const struct prog_options *opt, struct iw_error *err);

#endif
