/*
 * sim-target-int.h - the simulated chip's state, shared by the files that
 * make up the sim-target module (pins and time, the instruction set, the
 * state file).  Nothing outside src/sim/sim-target*.c includes this.
 */
#ifndef ISPWIZ_SIM_SIM_TARGET_INT_H
#define ISPWIZ_SIM_SIM_TARGET_INT_H

#include "sim/sim-target.h"

#define SIM_VIOLATION_LOG_MAX 4096
#define SIM_EEPROM_PAGE_MAX 64

/* The one operation a chip can have in flight. */
enum sim_busy_what {
	SIM_BUSY_NONE,
	SIM_BUSY_FLASH,     /* [start, start+len) of flash */
	SIM_BUSY_EEPROM,    /* [start, start+len) of EEPROM */
	SIM_BUSY_FUSE,      /* start = enum fuse_byte */
	SIM_BUSY_LOCK,
	SIM_BUSY_ERASE,     /* everything */
};

struct sim_busy {
	enum sim_busy_what what;
	uint32_t start;
	uint32_t len;
	uint64_t until_ns;
};

/* Where a fuse field lives; found by name in the catalog, with the
 * datasheet positions as a fallback for parts described without fields. */
struct sim_fuse_bits {
	uint8_t ckdiv8;     /* low fuse; 0 on parts without CKDIV8 (ATmega32A) */
	uint8_t cksel;      /* low fuse */
	uint8_t spien;      /* high fuse */
	uint8_t eesave;     /* high fuse */
};

struct sim_target {
	const struct catalog_part *part;
	struct sim_target_options opts;   /* defaults filled in */
	struct sim_fuse_bits bits;

	/* memories: persistent across power cycles and saved in the state file */
	uint8_t *flash;
	uint8_t *eeprom;
	uint8_t fuses[FUSE_COUNT];        /* as they read back */
	uint8_t lock;                     /* as it reads back */
	uint8_t calibration;

	/* volatile chip state */
	uint8_t latched[FUSE_COUNT];      /* the fuses the chip runs with */
	uint32_t page_words;
	uint8_t *page_buf;                /* page_size bytes */
	uint8_t *page_loaded;             /* which bytes of page_buf were loaded */
	uint32_t eeprom_page;
	uint8_t eeprom_buf[SIM_EEPROM_PAGE_MAX];
	uint8_t eeprom_loaded[SIM_EEPROM_PAGE_MAX];
	uint8_t ext_addr;
	bool prog_enabled;
	struct sim_busy busy;

	/* pins and the serial interface */
	bool powered;
	bool reset_low;
	uint32_t sck_hz;
	uint8_t frame[4];                 /* the instruction being clocked in */
	unsigned frame_pos;
	bool frame_garbled;               /* a byte of it came too fast */
	uint8_t shift;                    /* last byte received: next byte's echo */
	uint8_t prev_raw;                 /* last raw MOSI byte, for garbling */
	uint8_t pending_out;              /* data for the 4th byte of a read */
	bool deferred;                    /* a read found something to log ... */
	enum sim_violation_kind deferred_kind; /* ... once the frame is whole */
	uint32_t deferred_addr;
	uint32_t noise;                   /* state of the garbage generator */

	/* time */
	uint64_t vnow_ns;                 /* virtual clock */
	uint64_t skew_ns;                 /* real-time mode: advance_us() */

	/* faults */
	bool fault[SIM_FAULT_COUNT];
	uint32_t corrupt_addr;
	uint32_t disconnect_after;
	uint32_t pages_since_fault;
	bool disconnected;

	/* bookkeeping */
	struct sim_target_counters counters;
	struct sim_violation *log;
	size_t n_log;
	size_t cap_log;
	size_t kind_count[SIM_VIOLATION_COUNT];
};

/* sim-target.c */
uint64_t sim_target_now_ns(const struct sim_target *t);
/* Let one byte's worth of SCK periods pass (virtual time only). */
void sim_target_tick_byte(struct sim_target *t);
void sim_target_latch_fuses(struct sim_target *t);
/* Page buffers empty, extended address 0: the chip starting afresh. */
void sim_target_reset_buffers(struct sim_target *t);
/* Fresh memories for `part` (fuses from `fuses`, or factory when NULL);
 * on failure the target is unchanged. */
enum iw_status sim_target_build_chip(struct sim_target *t,
				     const struct catalog_part *part,
				     const uint8_t *fuses, struct iw_error *err);
/* What the chip itself experiences, pins and fault knobs together. */
bool sim_target_chip_powered(const struct sim_target *t);
bool sim_target_chip_in_reset(const struct sim_target *t);
void sim_target_chip_power_lost(struct sim_target *t);
void sim_target_chip_power_up(struct sim_target *t);
void sim_target_chip_leave_programming(struct sim_target *t);

/* sim-target-log.c */
void sim_target_note(struct sim_target *t, enum sim_violation_kind kind,
		     const uint8_t instr[4], uint32_t address, uint32_t detail);

/* sim-target-isp.c: one byte through the chip's serial interface, once the
 * pins say the chip can hear it. */
uint8_t sim_target_isp_byte(struct sim_target *t, uint8_t in);

#endif
