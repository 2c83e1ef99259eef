/*
 * isp.h - AVR serial-programming operations on top of any driver.
 *
 * A driver (prog.h) only knows how to enter programming mode and clock
 * 4-byte instructions; this layer knows what the instructions mean: the
 * auto-SCK search, signature, fuses, lock, chip erase, and flash access
 * through the driver's paged calls when it has them or byte by byte when it
 * does not.  Every wait for the target (page write, fuse write, erase) polls
 * RDY/BSY with a deadline, so a dead target ends in IW_TIMEOUT, never a hang.
 *
 * Nothing here decides what to write: that is the job runner's (src/core).
 */
#ifndef ISPWIZ_PROG_ISP_H
#define ISPWIZ_PROG_ISP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"
#include "prog/prog.h"

/* How long the target may stay busy before we give up.  The datasheets'
 * worst cases are 4.5 ms (page, fuse) and 9 ms (erase); the margins cover
 * slow programmers whose every poll is a USB round trip. */
#define ISP_PAGE_TIMEOUT_MS   250u
#define ISP_FUSE_TIMEOUT_MS   250u
#define ISP_ERASE_TIMEOUT_MS  1000u
#define ISP_EEPROM_TIMEOUT_MS 250u   /* t_WD_EEPROM: 9 ms on the megaAVRs */

/* How long the target stays busy after a Write Page nobody polls for:
 * t_WD_FLASH (4.5 ms), and a margin. */
#define ISP_PAGE_BUSY_US 4700u

#define ISP_NOTE_MAX 400

/* What the auto-SCK search found. */
struct isp_connect_info {
	uint32_t sck_hz;          /* the clock programming mode was entered at */
	uint32_t fastest_hz;      /* the first clock tried */
	uint32_t slowest_hz;      /* the last clock tried (all of them on failure) */
	size_t tries;             /* enter() calls made */
	bool slowed;              /* had to step below the fastest clock */
	/* What the target answered to the last Programming Enable that failed,
	 * when the driver saw it (struct prog's have_answer). */
	bool have_answer;
	uint8_t answer[4];
	/* One sentence for the log: which clock and, when it had to go slow,
	 * why (e.g. a fresh chip runs at 1 MHz with CKDIV8). */
	char note[ISP_NOTE_MAX];
};

/* Progress of a multi-page operation: return false to stop early (the
 * operation then fails with IW_CANCELLED). */
typedef bool (*isp_progress_fn)(void *user, uint32_t done, uint32_t total);

/* Enter programming mode, starting at the driver's fastest SCK (or at
 * `max_hz` if lower; 0 = no limit) and stepping down while the target does
 * not echo Programming Enable (IW_NO_TARGET from the driver).  Any other
 * failure (programmer gone, protocol error) stops the search at once.
 * On IW_NO_TARGET at every clock, info says which clocks were tried. */
enum iw_status isp_connect(struct prog *p, uint32_t max_hz,
			   struct isp_connect_info *info, struct iw_error *err);
/* Leave programming mode again (fuses take effect). */
void isp_disconnect(struct prog *p);

/* The three signature bytes. */
enum iw_status isp_read_signature(struct prog *p, uint8_t sig[3],
				  struct iw_error *err);
enum iw_status isp_read_calibration(struct prog *p, uint8_t *cal,
				    struct iw_error *err);

/* One fuse byte; IW_RANGE for a byte the part does not have. */
enum iw_status isp_read_fuse(struct prog *p, enum fuse_byte b, uint8_t *value,
			     struct iw_error *err);
/* Write one fuse byte and wait until the target is ready. */
enum iw_status isp_write_fuse(struct prog *p, enum fuse_byte b, uint8_t value,
			      struct iw_error *err);
enum iw_status isp_read_lock(struct prog *p, uint8_t *lock, struct iw_error *err);
/* Bits 7..6 are sent as 1, as the datasheets ask. */
enum iw_status isp_write_lock(struct prog *p, uint8_t lock, struct iw_error *err);

/* Erase flash, EEPROM (unless EESAVE) and lock bits, wait, then leave and
 * re-enter programming mode at the same clock, as the datasheets and
 * avrdude do: some parts need it before the flash accepts writes again. */
enum iw_status isp_chip_erase(struct prog *p, struct iw_error *err);

/* Read [addr, addr+len) of flash.  Uses the driver's read_flash in chunks
 * of one page when it has one, else Read Program Memory (0x20/0x28) per
 * byte with Load Extended Address (0x4D) above 128 KiB.  `fn` (may be NULL)
 * is called after each chunk. */
enum iw_status isp_read_flash(struct prog *p, uint32_t addr, uint8_t *buf,
			      uint32_t len, isp_progress_fn fn, void *user,
			      struct iw_error *err);
/* Write one page at page-aligned `addr`; `len` is the part's page size.
 * Uses the driver's write_page, else Load Program Memory Page (0x40/0x48,
 * low byte first), Write Program Memory Page (0x4C) and RDY/BSY polling. */
enum iw_status isp_write_page(struct prog *p, uint32_t addr, const uint8_t *buf,
			      uint32_t len, struct iw_error *err);

/* EEPROM, in chunks through the driver's read_eeprom when it has one,
 * else byte by byte (Read EEPROM Memory, 0xA0). */
enum iw_status isp_read_eeprom(struct prog *p, uint32_t addr, uint8_t *buf,
			       uint32_t len, isp_progress_fn fn, void *user,
			       struct iw_error *err);
/* One EEPROM byte (Write EEPROM Memory, 0xC0), waiting until the target is
 * ready again (a restore writes the bytes that differ). */
enum iw_status isp_write_eeprom_byte(struct prog *p, uint32_t addr, uint8_t value,
				     struct iw_error *err);

/* Poll RDY/BSY (0xF0) until the target is ready or `timeout_ms` passes
 * (IW_TIMEOUT naming `what`). */
enum iw_status isp_wait_ready(struct prog *p, unsigned timeout_ms,
			      const char *what, struct iw_error *err);

/* For a programmer that commits a page without waiting for it: sleep until
 * *busy_until_us (iw_clock_us() time; 0 or past: not busy), then clear it. */
void isp_settle(uint64_t *busy_until_us);

/* "2 MHz", "62.5 kHz", "16 kHz" into buf. */
const char *isp_sck_text(uint32_t hz, char *buf, size_t size);

#endif
