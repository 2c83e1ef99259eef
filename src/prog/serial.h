/*
 * serial.h - the serial transport of the serial programmers (avrisp,
 * buspirate), over libserialport.
 *
 * Ports are opened by name (/dev/ttyACM0) or by a /dev/serial/by-id/ link,
 * set to 8N1 without flow control.  Every read and write has a timeout, so
 * a silent programmer ends in IW_TIMEOUT, never a hang.  libserialport's
 * errors are translated here, once, into messages that say what to do:
 * permission denied (dialout group, udev rule), port held by another
 * process (ModemManager), no such port (with the ports that do exist),
 * port vanished (unplugged: EIO).
 */
#ifndef ISPWIZ_PROG_SERIAL_H
#define ISPWIZ_PROG_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct serial_port;

/* Open `name` at `baud` 8N1, no flow control, DTR and RTS asserted (as
 * opening a tty does anyway).  Failures are IW_NO_PROGRAMMER with the
 * reason and the remedy. */
enum iw_status serial_open(struct serial_port **out, const char *name,
			   unsigned baud, struct iw_error *err);
/* Safe on NULL. */
void serial_close(struct serial_port *sp);

/* The name the port was opened with. */
const char *serial_name(const struct serial_port *sp);
/* Milliseconds `bytes` take on the wire at the port's baud rate (rounded
 * up): what a timeout must allow for on top of the other side's work. */
unsigned serial_wire_ms(const struct serial_port *sp, size_t bytes);
/* Set DTR and RTS (the Caterina touch drops DTR at 1200 baud). */
enum iw_status serial_set_lines(struct serial_port *sp, bool dtr, bool rts,
				struct iw_error *err);

/* Write all of buf or fail: IW_TIMEOUT when the port does not take it in
 * time, IW_NO_PROGRAMMER when the port vanished (unplugged). */
enum iw_status serial_write(struct serial_port *sp, const void *buf,
			    size_t len, unsigned timeout_ms,
			    struct iw_error *err);
/* Read exactly len bytes within timeout_ms.  On IW_TIMEOUT `*got` (may be
 * NULL) says how many did arrive, so callers can tell "nothing" from "cut
 * short"; the message is generic and callers usually rewrite it. */
enum iw_status serial_read(struct serial_port *sp, void *buf, size_t len,
			   unsigned timeout_ms, size_t *got,
			   struct iw_error *err);
/* Discard input until the line has been quiet for quiet_ms (at most
 * max_ms in all); returns the number of bytes thrown away in *dropped. */
enum iw_status serial_drain(struct serial_port *sp, unsigned quiet_ms,
			    unsigned max_ms, size_t *dropped,
			    struct iw_error *err);

/* Bytes as hex for messages: "14 10 ...". */
const char *serial_hex(const uint8_t *b, size_t n, char *buf, size_t size);

#endif
