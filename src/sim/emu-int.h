/*
 * emu-int.h - what the emulator files (emu.c, emu-avrisp.c,
 * emu-buspirate.c, emu-caterina.c) share.  Nothing else includes it.
 */
#ifndef ISPWIZ_SIM_EMU_INT_H
#define ISPWIZ_SIM_EMU_INT_H

#include "sim/emu.h"
#include "prog/stk500-proto.h"

/* The ArduinoISP sketch's state. */
struct emu_avrisp {
	unsigned error;              /* the sketch's error counter */
	bool pmode;
	uint16_t here;               /* `unsigned int` on the AVR: 16 bits */
	uint8_t devicecode;
	uint16_t pagesize;           /* bytes, from SET_DEVICE */
	uint16_t eepromsize;
	uint8_t buff[STK_SKETCH_BUFFER]; /* the sketch's global block buffer */
};

enum emu_bp_mode {
	EMU_BP_TEXT,
	EMU_BP_BBIO,
	EMU_BP_SPI,
};

/* The Bus Pirate's state. */
struct emu_buspirate {
	enum emu_bp_mode mode;
	unsigned zeros;              /* consecutive 0x00 seen in text mode */
	uint8_t periph;              /* 0100wxyz: power, pull-ups, AUX, CS */
	bool aux_driven;             /* AUX is an output (a 0100wxyz since SPI mode began) */
	bool cs_high;                /* CS pin level in SPI mode */
	uint8_t speed;               /* 0..7 */
	uint8_t config;              /* 1000wxyz */
	unsigned bulk_left;          /* bytes left of a 0x1x bulk transfer */
	bool avr_ext;                /* 0x06 seen: next byte is a sub-command */
	char line[64];               /* text-mode input line */
	size_t line_len;
};

/* Where a Caterina board is: what runs on it decides what it shows on
 * USB.  OFF is the moment between two enumerations (reset, leaving the
 * bootloader) or before a person starts the bootloader by hand. */
enum emu_cat_state {
	EMU_CAT_OFF,
	EMU_CAT_SKETCH,
	EMU_CAT_BOOT,
	EMU_CAT_APP,
};

#define EMU_CAT_PAGE_MAX 256         /* the largest SPM page of the catalog parts */

/* The Caterina board's state. */
struct emu_caterina {
	enum emu_cat_state state;
	enum emu_cat_state next;     /* OFF: what runs when timer_us has passed */
	uint64_t timer_us;           /* OFF: until `next`; SKETCH: until the touch resets it */
	bool touch_pending;          /* SKETCH: the watchdog runs, the reset is coming */
	uint32_t generation;         /* enumerations so far */
	uint64_t window_us;
	/* Caterina's timeout counter: it runs only while the application
	 * area holds a program; block commands set it back to 0, 'E' close
	 * to the end. */
	uint64_t idle_us;
	bool exiting;                /* 'E' was answered */
	bool seen_command;           /* this bootloader session had a command */
	uint32_t boot_start;         /* first byte of its own section */
	uint32_t addr;               /* CurrAddress: a byte address */
	/* The SPM page buffer: a word can be filled once until the buffer
	 * is cleared (page write, RWW enable). */
	uint8_t page[EMU_CAT_PAGE_MAX];
	bool filled[EMU_CAT_PAGE_MAX / 2];
};

struct emu {
	struct emu_options opts;
	struct sim_target *t;
	struct emu_stats stats;

	/* pending input (a command still incomplete) and output */
	uint8_t *in;
	size_t in_len, in_cap;
	uint8_t *out;
	size_t out_len, out_cap;
	bool oom;                    /* output dropped: treated like silence */

	/* faults */
	bool fault_on[EMU_FAULT_COUNT];
	uint64_t fault_n[EMU_FAULT_COUNT];
	uint64_t replies;            /* replies sent (for the reply knobs) */
	uint32_t noise;              /* LCG state for garbage */
	bool vanished;

	/* auto-reset */
	bool dtr;
	uint64_t boot_left_us;       /* > 0: booting, input ignored */
	uint32_t host_baud;

	union {
		struct emu_avrisp avrisp;
		struct emu_buspirate bp;
		struct emu_caterina cat;
	} u;
};

/* One reply of the firmware: the reply knobs (garbage, cut, silent) apply
 * to it as a whole. */
void emu_reply(struct emu *e, const uint8_t *buf, size_t len);
void emu_reply_byte(struct emu *e, uint8_t b);
/* A command-level knob (stk-failed, nosync) is on for the current command. */
bool emu_command_fault(const struct emu *e, enum emu_fault_kind kind);

/* Per kind: consume as much of buf as forms complete commands; returns the
 * bytes used (0: need more).  Called repeatedly until it returns 0. */
size_t emu_avrisp_step(struct emu *e, const uint8_t *buf, size_t len);
size_t emu_buspirate_step(struct emu *e, const uint8_t *buf, size_t len);
void emu_avrisp_init(struct emu *e);
void emu_buspirate_init(struct emu *e);
/* Board reset (auto-reset): the sketch starts from scratch. */
void emu_avrisp_reset(struct emu *e);

/* Caterina (emu-caterina.c): its own input loop, because the bytes after a
 * command in the same USB packet are lost (`chunk_start`: where the
 * host's latest transfer begins in e->in); time; the modem lines and the
 * port closing (the 1200-baud touch); what it shows on USB. */
void emu_caterina_init(struct emu *e);
void emu_caterina_process(struct emu *e, size_t chunk_start);
void emu_caterina_advance(struct emu *e, uint64_t us);
void emu_caterina_lines(struct emu *e, bool dtr);
void emu_caterina_closed(struct emu *e);
enum emu_usb_presence emu_caterina_presence(const struct emu *e, uint32_t *generation);
const char *emu_caterina_mode(const struct emu *e);

#endif
