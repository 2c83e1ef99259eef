/*
 * sim-target.h - a simulated AVR chip as seen from the far end of an ISP
 * cable.  It answers 4-byte serial-programming instructions the way the
 * datasheets of the catalog parts describe them: the programming-enable
 * echo, the flash page buffer, page writes that can only clear bits, EEPROM,
 * fuses with unused bits that read back as 1, lock bits, write and erase
 * delays with RDY/BSY polling, and a target clock (from the fuses) that
 * limits how fast SCK may run.
 *
 * The device-side emulators of every programmer drive one of these, so the
 * real drivers can be tested without hardware.  Fault knobs reproduce the
 * wiring and chip problems the wiring doctor diagnoses, and every mistake a
 * driver makes that a real chip would punish (writing while busy, writing
 * without erasing, too-fast SCK, ...) is logged as a "violation" that tests
 * can assert on.
 *
 * Time is virtual by default: operations take effect at once, but RDY/BSY
 * reports busy until the virtual clock has passed the operation's delay.
 * The virtual clock advances by the duration of every byte clocked at the
 * current SCK and by sim_target_advance_us().  With `realtime` set, busy
 * lasts until a CLOCK_MONOTONIC deadline instead.
 *
 * Not modelled: the 20 ms wait after power-up or a RESET pulse before
 * Programming Enable, loss of sync from SCK glitches, half-written bytes
 * when power drops during a write (the write completes).
 *
 * A target is plain state owned by one thread; it takes no locks.
 */
#ifndef ISPWIZ_SIM_SIM_TARGET_H
#define ISPWIZ_SIM_SIM_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"

#define SIM_TARGET_DEFAULT_CRYSTAL_HZ  16000000u
#define SIM_TARGET_DEFAULT_SCK_HZ      125000u  /* until the driver sets one */
#define SIM_TARGET_DEFAULT_CALIBRATION 0x9A

/* Worst-case datasheet delays (t_WD_*), in microseconds. */
#define SIM_TARGET_FLASH_DELAY_US  4500u
#define SIM_TARGET_EEPROM_DELAY_US 9000u
#define SIM_TARGET_FUSE_DELAY_US   4500u
#define SIM_TARGET_LOCK_DELAY_US   4500u
#define SIM_TARGET_ERASE_DELAY_US  9000u

struct sim_target;

/* All-zero (or a NULL pointer) means: the part's factory fuses, unlocked,
 * 16 MHz crystal, virtual time. */
struct sim_target_options {
	uint32_t crystal_hz;        /* external crystal/clock; 0 = 16 MHz */
	bool has_fuses;             /* start with `fuses` instead of factory */
	uint8_t fuses[FUSE_COUNT];
	bool has_lock;              /* start with `lock` instead of 0xFF */
	uint8_t lock;
	bool has_calibration;       /* the byte 38 00 00 returns; default 0x9A */
	uint8_t calibration;
	uint32_t eeprom_page_size;  /* 0 = 8 bytes from 2 KiB of EEPROM up, else 4 */
	bool realtime;              /* busy until a monotonic-clock deadline */
};

/*
 * Fault knobs, as `--fault NAME[=PARAM]` spells them.  What the programmer
 * sees on MISO for each:
 *   no-power          0x00 on every byte (the line is pulled down by the
 *                     unpowered chip's protection diodes; "00 00 00")
 *   reset-not-wired   0xFF; the chip keeps running its firmware and never
 *                     enters programming mode
 *   miso-open         0xFF; the chip still receives and executes every
 *                     instruction, the programmer just cannot hear it
 *   mosi-sck-swapped  garbage that never contains a valid echo; nothing runs
 *   wrong-part=ID     a different chip is on the board: its signature,
 *                     geometry and factory fuses (the caller resolves ID to
 *                     a catalog part and puts it in `sim_fault.part`)
 *   corrupt-read=ADDR the flash byte at byte address ADDR reads back with
 *                     bit 0 flipped (what is stored is right)
 *   disconnect-after=N after N more flash page writes the cable is "pulled":
 *                     0xFF on every byte, nothing executes
 *   locked            the lock byte becomes 0xFC (LB1 and LB2 programmed)
 *                     now; only a chip erase unlocks it
 * An open MISO (miso-open, or a cable pulled by disconnect-after) reads 0xFF
 * whatever the chip does; otherwise no power wins over everything else.
 * Knobs live in the target only: the state file does not keep them.
 */
#define SIM_FAULT_LIST(X)                                                   \
	X(NO_POWER,         "no-power",         SIM_FAULT_PARAM_NONE,           \
	  "the target has no supply: every byte reads 0x00")                  \
	X(RESET_NOT_WIRED,  "reset-not-wired",  SIM_FAULT_PARAM_NONE,           \
	  "RESET is not connected: no programming mode, MISO reads 0xFF")     \
	X(MISO_OPEN,        "miso-open",        SIM_FAULT_PARAM_NONE,           \
	  "MISO is not connected: every byte reads 0xFF")                     \
	X(MOSI_SCK_SWAPPED, "mosi-sck-swapped", SIM_FAULT_PARAM_NONE,           \
	  "MOSI and SCK are swapped: garbage, nothing executes")              \
	X(WRONG_PART,       "wrong-part",       SIM_FAULT_PARAM_PART,           \
	  "another part is on the board (wrong-part=PART)")                   \
	X(CORRUPT_READ,     "corrupt-read",     SIM_FAULT_PARAM_NUMBER,         \
	  "the flash byte at ADDR reads with one bit flipped (corrupt-read=ADDR)") \
	X(DISCONNECT_AFTER, "disconnect-after", SIM_FAULT_PARAM_NUMBER,         \
	  "the target stops answering after N page writes (disconnect-after=N)") \
	X(LOCKED,           "locked",           SIM_FAULT_PARAM_NONE,           \
	  "lock bits 0xFC: reads give garbage until a chip erase")

enum sim_fault_kind {
#define SIM_FAULT_ENUM(id, name, param, help) SIM_FAULT_##id,
	SIM_FAULT_LIST(SIM_FAULT_ENUM)
#undef SIM_FAULT_ENUM
	SIM_FAULT_COUNT
};

enum sim_fault_param {
	SIM_FAULT_PARAM_NONE,
	SIM_FAULT_PARAM_NUMBER,     /* decimal or 0x-hex, up to 32 bits */
	SIM_FAULT_PARAM_PART,       /* a catalog part id */
};

struct sim_fault {
	enum sim_fault_kind kind;
	uint32_t param;                   /* ADDR or N */
	char part_id[64];                 /* wrong-part: as written */
	const struct catalog_part *part;  /* wrong-part: the caller resolves */
};

/*
 * Things a driver did that a real chip would not forgive.  The target logs
 * them (and keeps going the way the chip would); tests assert on them.
 */
#define SIM_VIOLATION_LIST(X)                                               \
	X(NOT_ENABLED,      "not-enabled",                                      \
	  "instruction before Programming Enable was accepted (ignored)")     \
	X(SCK_TOO_FAST,     "sck-too-fast",                                     \
	  "SCK faster than the target clock allows (instruction garbled)")    \
	X(WRITE_WHILE_BUSY, "write-while-busy",                                 \
	  "write or erase while the previous operation was busy (ignored)")   \
	X(READ_WHILE_BUSY,  "read-while-busy",                                  \
	  "read of a byte still being written (read 0xFF)")                   \
	X(WRITE_NO_ERASE,   "write-without-erase",                              \
	  "page write wanted bits to go from 0 to 1 (they stayed 0)")         \
	X(WRITE_LOCKED,     "write-locked",                                     \
	  "write refused because lock bits are programmed")                   \
	X(SPIEN_KEPT,       "spien-kept",                                       \
	  "fuse write tried to unprogram SPIEN (kept programmed)")            \
	X(LOCK_UNPROGRAM,   "lock-unprogram",                                   \
	  "lock write tried to unprogram bits (only chip erase can)")         \
	X(ADDRESS_RANGE,    "address-range",                                    \
	  "address beyond the memory (the chip ignores the high bits)")       \
	X(UNKNOWN,          "unknown-instruction",                              \
	  "instruction not in the serial programming set (ignored)")

enum sim_violation_kind {
#define SIM_VIOLATION_ENUM(id, name, help) SIM_VIOLATION_##id,
	SIM_VIOLATION_LIST(SIM_VIOLATION_ENUM)
#undef SIM_VIOLATION_ENUM
	SIM_VIOLATION_COUNT
};

struct sim_violation {
	enum sim_violation_kind kind;
	uint64_t time_us;     /* target time when it happened */
	uint8_t instr[4];     /* the instruction as the chip received it */
	uint32_t address;     /* byte address (flash or EEPROM) when one applies */
	uint32_t detail;      /* WRITE_NO_ERASE: bits that wanted 0 -> 1 */
};

struct sim_target_counters {
	uint64_t transfers;           /* complete 4-byte instructions clocked */
	uint64_t enables;             /* Programming Enables accepted */
	uint64_t erases;              /* chip erases */
	uint64_t page_writes;         /* flash pages written */
	uint64_t flash_bytes_written; /* page_size per flash page write */
	uint64_t eeprom_bytes_written;
	uint64_t fuse_writes;
	uint64_t lock_writes;
};

/* --- life cycle ---------------------------------------------------------- */

/* A fresh chip of `part` (which must outlive the target): blank flash and
 * EEPROM, fuses and lock from `opts` or factory, powered, RESET released.
 * Returns NULL and sets err on failure: IW_USAGE without a part, IW_RANGE
 * for a page size that is not a power of two or a flash size that is not a
 * whole number of pages, IW_NOMEM. */
struct sim_target *sim_target_new(const struct catalog_part *part,
				  const struct sim_target_options *opts,
				  struct iw_error *err);
void sim_target_free(struct sim_target *t);

/* --- pins and clock ------------------------------------------------------ */

/* Power on latches the fuses; power off forgets programming mode, the page
 * buffers and any half-clocked instruction (memories keep their content). */
void sim_target_set_power(struct sim_target *t, bool on);
/* RESET low: the chip stops and listens for Programming Enable.  Releasing
 * RESET leaves programming mode; only then do new fuse values (a new clock)
 * take effect.  A RESET pulse also re-synchronises the byte framing. */
void sim_target_set_reset(struct sim_target *t, bool low);
/* The SCK the programmer clocks with from now on; 0 means the default. */
void sim_target_set_sck(struct sim_target *t, uint32_t hz);
uint32_t sim_target_sck_hz(const struct sim_target *t);
/* The clock the chip runs on now (from the latched low fuse: CKSEL, CKDIV8,
 * the crystal), and the fastest SCK it follows: fck/4 below 12 MHz, fck/6
 * from 12 MHz (SCK high and low must each last more than 2, resp. 3, CPU
 * clocks). */
uint32_t sim_target_clock_hz(const struct sim_target *t);
uint32_t sim_target_max_sck_hz(const struct sim_target *t);

/* --- serial programming -------------------------------------------------- */

/*
 * Clock one full instruction: `in` goes out on MOSI, `out` is what the chip
 * shifts back on MISO at the same time.  Like real parts, the chip echoes
 * each byte one byte later: out = { previous byte, in[0], in[1], in[2] or
 * the data of a read }, so Programming Enable answers 0x53 in out[2].
 * Effects happen after the fourth byte.  in and out may be the same buffer.
 */
void sim_target_transfer(struct sim_target *t, const uint8_t in[4],
			 uint8_t out[4]);
/* The same, one byte at a time (for programmers that stream bytes, like the
 * Bus Pirate's bulk SPI): the target keeps the framing itself. */
uint8_t sim_target_transfer_byte(struct sim_target *t, uint8_t in);

/* --- time ----------------------------------------------------------------- */

/* Let time pass (virtual mode; in real-time mode it skews the deadlines). */
void sim_target_advance_us(struct sim_target *t, uint64_t us);
uint64_t sim_target_now_us(const struct sim_target *t);
/* What RDY/BSY would answer now. */
bool sim_target_busy(const struct sim_target *t);

/* --- faults --------------------------------------------------------------- */

/* "corrupt-read=0x100", "locked", "wrong-part=atmega16u4".  Fills `out`
 * (part left NULL); IW_USAGE with the list of knobs on a bad spec. */
enum iw_status sim_target_fault_parse(const char *spec, struct sim_fault *out,
				      struct iw_error *err);
const char *sim_target_fault_name(enum sim_fault_kind kind);    /* "miso-open" */
const char *sim_target_fault_help(enum sim_fault_kind kind);    /* one line */
enum sim_fault_param sim_target_fault_param(enum sim_fault_kind kind);
/* Switch a knob on (several may be on at once).  wrong-part needs
 * f->part (IW_USAGE otherwise) and replaces the chip by a fresh one of that
 * part; locked programs LB1/LB2 at once. */
enum iw_status sim_target_set_fault(struct sim_target *t,
				    const struct sim_fault *f,
				    struct iw_error *err);
/* Switch a knob off.  What wrong-part and locked did to the chip stays
 * (it is still the other part, still locked until erased). */
void sim_target_clear_fault(struct sim_target *t, enum sim_fault_kind kind);
bool sim_target_has_fault(const struct sim_target *t, enum sim_fault_kind kind);

/* --- the chip's content (back doors: no ISP, no delays, no violations) -- */

const struct catalog_part *sim_target_part(const struct sim_target *t);
const uint8_t *sim_target_flash(const struct sim_target *t);   /* flash_size bytes */
const uint8_t *sim_target_eeprom(const struct sim_target *t);  /* eeprom_size bytes */
uint8_t sim_target_fuse(const struct sim_target *t, enum fuse_byte which); /* 0xFF if absent */
uint8_t sim_target_lock(const struct sim_target *t);
/* Stored with the unused bits set, nothing else enforced (SPIEN may be
 * unprogrammed here: tests build chips in any state this way).  Like an ISP
 * write, a fuse takes effect when the chip next leaves reset or powers up. */
void sim_target_set_fuse(struct sim_target *t, enum fuse_byte which, uint8_t value);
void sim_target_set_lock(struct sim_target *t, uint8_t value);
/* Put bytes into flash/EEPROM as if written earlier (--preload).  IW_RANGE
 * when [addr, addr+len) is not inside the memory. */
enum iw_status sim_target_preload_flash(struct sim_target *t, uint32_t addr,
					const uint8_t *data, size_t len,
					struct iw_error *err);
enum iw_status sim_target_preload_eeprom(struct sim_target *t, uint32_t addr,
					 const uint8_t *data, size_t len,
					 struct iw_error *err);
bool sim_target_in_programming_mode(const struct sim_target *t);

/* --- bookkeeping ----------------------------------------------------------- */

const struct sim_target_counters *sim_target_counters(const struct sim_target *t);
/* The log keeps the first 4096 violations; the per-kind counts are exact. */
size_t sim_target_violation_count(const struct sim_target *t);
const struct sim_violation *sim_target_violation(const struct sim_target *t, size_t i);
size_t sim_target_count_violations(const struct sim_target *t,
				   enum sim_violation_kind kind);
void sim_target_clear_violations(struct sim_target *t);
const char *sim_target_violation_name(enum sim_violation_kind kind);
/* One line for logs: "12.345 ms write-without-erase at 0x0100: <what it
 * means> [4C 00 80 00, detail 3]". */
void sim_target_violation_format(const struct sim_violation *v, char *buf,
				 size_t len);

/* --- state file (backs `-c sim --sim-state FILE`) ---------------------------- */

/*
 * The whole chip as JSON: part id and geometry, fuses, lock, calibration,
 * counters, and flash/EEPROM as runs of hex covering only non-blank pages.
 * Saving writes a temporary file next to `path` and renames it over, so a
 * crash never leaves half a file.  Loading checks everything before it
 * changes the target: bad JSON (path:line:col), a file for another part or
 * other memory sizes, bad hex, runs outside the memory are IW_INPUT errors
 * that leave the target as it was; a missing file is IW_NOT_FOUND.
 */
enum iw_status sim_target_save(const struct sim_target *t, const char *path,
			       struct iw_error *err);
enum iw_status sim_target_load(struct sim_target *t, const char *path,
			       struct iw_error *err);

#endif
