/*
 * wiring-doctor.h - when the target does not answer (or answers wrongly),
 * say what probably happened and which wires to check.
 *
 * The input is a symptom the job runner observed; the output is a short
 * list of likely causes, most likely first, and the rows of the
 * programmer's wiring table (from the catalog) that each cause points at.
 * Nothing here talks to hardware or prints: front ends render the
 * diagnosis with wiring_doctor_render().
 */
#ifndef ISPWIZ_JOB_WIRING_DOCTOR_H
#define ISPWIZ_JOB_WIRING_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"

enum wiring_symptom {
	WIRING_SYMPTOM_NONE,
	WIRING_SYMPTOM_NO_ECHO,          /* no Programming Enable echo at any SCK */
	WIRING_SYMPTOM_SLOW_ONLY,        /* echo only at a slow SCK (a note, not a failure) */
	WIRING_SYMPTOM_SIGNATURE_FF,     /* FF FF FF */
	WIRING_SYMPTOM_SIGNATURE_00,     /* 00 00 00 */
	WIRING_SYMPTOM_OTHER_PART,       /* a valid signature of another catalog part */
	WIRING_SYMPTOM_SIGNATURE_BAD,    /* bytes that are no known signature */
	WIRING_SYMPTOM_VERIFY,           /* verify mismatch in a region */
	WIRING_SYMPTOM_LOST,             /* answered, then stopped answering mid-job */
	WIRING_SYMPTOM_LOCKED,           /* lock bits keep the flash from being read */
};

/* Why it probably happened; each maps to wiring rows by target pin. */
enum wiring_cause {
	WIRING_CAUSE_UNPOWERED,      /* VCC, GND */
	WIRING_CAUSE_RESET,          /* RESET not wired / programmer's own RESET used */
	WIRING_CAUSE_MISO,           /* MISO open or shorted */
	WIRING_CAUSE_MOSI_SCK,       /* MOSI/SCK swapped or loose */
	WIRING_CAUSE_SCK_TOO_FAST,   /* SCK above a quarter of the target clock */
	WIRING_CAUSE_NO_CLOCK,       /* fuses select a clock that is not there */
	WIRING_CAUSE_WRONG_PART,     /* another chip than the one selected */
	WIRING_CAUSE_LOCK_BITS,      /* lock bits hide or protect the flash */
	WIRING_CAUSE_NOISE,          /* long or loose wires, shared ground */
	WIRING_CAUSE_PROGRAMMER_LIMIT, /* the programmer cannot reach that address */
	WIRING_CAUSE_COUNT
};

/* What the job saw. */
struct wiring_observation {
	enum wiring_symptom symptom;
	uint8_t signature[3];                  /* the signature symptoms */
	const struct catalog_part *found_part; /* OTHER_PART */
	uint32_t sck_hz;                       /* clock it connected at (or the slowest tried) */
	uint32_t fastest_hz;                   /* first clock tried */
	/* VERIFY: the region that was checked and what differed. */
	uint32_t region_start, region_end;     /* [start, end) */
	uint32_t first_bad;
	uint32_t bad_count;
	bool found_all_ff;                     /* every bad byte read 0xFF */
	bool found_all_00;                     /* every bad byte read 0x00 */
	bool lock_known;
	uint8_t lock;                          /* lock byte read before the job wrote */
	uint32_t pages_done;                   /* LOST: pages written before it stopped */
	/* NO_ECHO: the clocks tried, and the four bytes the target answered to
	 * the last Programming Enable when the programmer could see them. */
	size_t tries;
	bool have_answer;
	uint8_t answer[4];
};

/* What the answer to Programming Enable (AC 53 00 00) says, by its bytes. */
enum wiring_answer {
	WIRING_ANSWER_UNKNOWN,   /* the programmer did not say */
	WIRING_ANSWER_ZEROS,     /* 00 00 00 00: MISO held low */
	WIRING_ANSWER_ONES,      /* FF FF FF FF: MISO floats high */
	WIRING_ANSWER_SHIFTED,   /* the 0x53 echo, a bit or a byte out of place */
	WIRING_ANSWER_GARBAGE,   /* anything else */
};
enum wiring_answer wiring_doctor_classify_answer(const uint8_t answer[4]);

#define WIRING_MAX_CAUSES 6
#define WIRING_MAX_ROWS 12
#define WIRING_TEXT_MAX 320

struct wiring_cause_entry {
	enum wiring_cause cause;
	char text[WIRING_TEXT_MAX];   /* what it is and what to do, one or two sentences */
};

struct wiring_diagnosis {
	enum wiring_symptom symptom;
	char summary[WIRING_TEXT_MAX]; /* the symptom in words */
	struct wiring_cause_entry causes[WIRING_MAX_CAUSES];
	size_t n_causes;
	/* Indices into programmer->wiring, in table order, of the rows to check. */
	size_t rows[WIRING_MAX_ROWS];
	size_t n_rows;
	bool show_warnings;           /* the programmer's warnings apply (RESET wiring) */
};

/* Diagnose `obs`.  `programmer` (may be NULL) supplies the wiring rows,
 * `part` the chip the user selected.  Always fills `out`. */
void wiring_doctor_diagnose(const struct catalog_programmer *programmer,
			    const struct catalog_part *part,
			    const struct wiring_observation *obs,
			    struct wiring_diagnosis *out);

/* True when `d` has a cause of that kind (tests, front ends). */
bool wiring_doctor_has_cause(const struct wiring_diagnosis *d, enum wiring_cause cause);
const char *wiring_cause_name(enum wiring_cause cause);   /* "reset", "miso", ... */
const char *wiring_symptom_name(enum wiring_symptom s);   /* "no-echo", ... */

/* Lines (no newline, at most 79 columns, wrapped) for a terminal or log:
 * the summary, "Likely causes:" with one bullet each, "Check these wires:"
 * with "programmer pin -> target pin" rows, and the programmer's warnings
 * when they apply. */
typedef void (*wiring_line_fn)(void *user, const char *line);
void wiring_doctor_render(const struct wiring_diagnosis *d,
			  const struct catalog_programmer *programmer,
			  wiring_line_fn fn, void *user);

#endif
