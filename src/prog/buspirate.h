/*
 * buspirate.h - what the two halves of the buspirate driver share: the
 * serial link and binary-mode handling (buspirate-link.c) and the driver
 * proper (prog-buspirate.c).  Nothing else includes it.
 */
#ifndef ISPWIZ_PROG_BUSPIRATE_H
#define ISPWIZ_PROG_BUSPIRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "prog/buspirate-proto.h"
#include "prog/serial.h"

#define BP_DEFAULT_BAUD   115200u
#define BP_REPLY_MS       500u

struct buspirate {
	struct serial_port *sp;
	/* the options (-x) */
	bool reset_on_aux;           /* reset=aux */
	bool pullups;                /* pullups: open-drain outputs, pull-ups on */
	bool nopower;                /* nopower: the supplies stay off */
	size_t first_sck;            /* speed=: index of the fastest step to try */
	bool has_wtr;                /* BP_SPI_WTR: write-then-read without CS */
	bool has_avr_ext;            /* BP_AVR_BULK_READ: bulk flash read */
	bool powered;
	bool in_spi;
	bool broken;                 /* the port failed: close() skips the goodbye */
	uint8_t periph;
	uint64_t busy_until_us;
};

/* Remember that the port failed (close() then skips its goodbye). */
enum iw_status buspirate_fail_status(struct buspirate *b, enum iw_status st);
/* Send `out`, read exactly `nin` bytes: silence and short replies get
 * their own messages naming `what`. */
enum iw_status buspirate_transact(struct buspirate *b, const uint8_t *out,
				  size_t nout, uint8_t *in, size_t nin,
				  const char *what, struct iw_error *err);
/* A one-byte command that must answer BP_ACK. */
enum iw_status buspirate_command(struct buspirate *b, uint8_t c,
				 const char *what, struct iw_error *err);
/* Read for up to `ms` until `pattern` (at most 15 bytes) has arrived;
 * what was read goes to seen[] for messages. */
enum iw_status buspirate_expect_within(struct buspirate *b, const char *pattern,
				       unsigned ms, uint8_t *seen, size_t *n_seen,
				       size_t seen_cap, bool *found,
				       struct iw_error *err);
/* From any state (terminal, menus, bit-bang, SPI mid-command) to binary
 * bit-bang mode, confirmed by a fresh BP_BBIO_ID. */
enum iw_status buspirate_enter_bitbang(struct buspirate *b, struct iw_error *err);
/* Bit-bang -> raw SPI (BP_SPI_ID). */
enum iw_status buspirate_enter_spi(struct buspirate *b, struct iw_error *err);
/* Which optional commands the firmware has: write-then-read without CS
 * (BP_SPI_WTR, firmware 5.10+) and the AVR extension (BP_SPI_AVR_EXT). */
enum iw_status buspirate_probe_features(struct buspirate *b, struct iw_error *err);

#endif
