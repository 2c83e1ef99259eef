/*
 * buspirate-link.c - talking to a Bus Pirate over its serial port: replies
 * with timeouts and specific messages, and getting into binary SPI mode
 * from whatever state it was left in.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "prog/buspirate.h"
#include "core/clock.h"

enum iw_status
buspirate_fail_status(struct buspirate *b, enum iw_status st)
{
	if (st == IW_IO || st == IW_NO_PROGRAMMER)
		b->broken = true;
	return st;
}

/* Send `out`, read exactly `n` bytes back. */
enum iw_status
buspirate_transact(struct buspirate *b, const uint8_t *out, size_t nout, uint8_t *in,
	 size_t nin, const char *what, struct iw_error *err)
{
	unsigned timeout = BP_REPLY_MS + serial_wire_ms(b->sp, nout + nin);
	size_t got = 0;
	enum iw_status st;
	char hex[64];

	st = serial_write(b->sp, out, nout, timeout, err);
	if (st != IW_OK)
		return buspirate_fail_status(b, st);
	st = serial_read(b->sp, in, nin, timeout, &got, err);
	if (st == IW_TIMEOUT && got == 0)
		return iw_error_set(err, IW_TIMEOUT,
			"%s: the Bus Pirate stopped answering (%s: no reply within %u ms): "
			"it was unplugged or hung; unplug it, plug it in again and retry",
			serial_name(b->sp), what, timeout);
	if (st == IW_TIMEOUT)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the Bus Pirate's reply to %s was cut short: %zu of %zu "
			"bytes (%s), then nothing for %u ms",
			serial_name(b->sp), what, got, nin,
			serial_hex(in, got, hex, sizeof(hex)), timeout);
	return buspirate_fail_status(b, st);
}

/* A one-byte command answered by BP_ACK. */
enum iw_status
buspirate_command(struct buspirate *b, uint8_t c, const char *what, struct iw_error *err)
{
	uint8_t r;
	enum iw_status st = buspirate_transact(b, &c, 1, &r, 1, what, err);

	if (st != IW_OK)
		return st;
	if (r != BP_ACK)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the Bus Pirate refused %s (command 0x%02X answered 0x%02X, "
			"not 0x01)", serial_name(b->sp), what, c, r);
	return IW_OK;
}

/* Read for up to `ms`, looking for `pattern` (at most 15 bytes) in what
 * arrives; everything read is kept in seen[] for messages. */
enum iw_status
buspirate_expect_within(struct buspirate *b, const char *pattern, unsigned ms,
	      uint8_t *seen, size_t *n_seen, size_t seen_cap, bool *found,
	      struct iw_error *err)
{
	size_t plen = strlen(pattern), filled = 0;
	char window[15];
	uint64_t deadline = iw_clock_us() + (uint64_t)ms * 1000u;

	*found = false;
	while (iw_clock_us() < deadline) {
		uint8_t c;
		size_t got = 0;
		unsigned left = (unsigned)((deadline - iw_clock_us()) / 1000u) + 1u;
		enum iw_status st = serial_read(b->sp, &c, 1, left, &got, err);

		if (st == IW_TIMEOUT)
			return IW_OK;
		if (st != IW_OK)
			return buspirate_fail_status(b, st);
		if (*n_seen < seen_cap)
			seen[(*n_seen)++] = c;
		if (filled == sizeof(window)) {
			memmove(window, window + 1, sizeof(window) - 1);
			filled--;
		}
		window[filled++] = (char)c;
		if (filled >= plen && memcmp(window + filled - plen, pattern, plen) == 0) {
			*found = true;
			return IW_OK;
		}
	}
	return IW_OK;
}

/* From any state to binary bit-bang mode. */
enum iw_status
buspirate_enter_bitbang(struct buspirate *b, struct iw_error *err)
{
	static const uint8_t zeros[64], reset = BP_BBIO_RESET;
	uint8_t seen[32], r[sizeof BP_BBIO_ID - 1];
	size_t n_seen = 0;
	bool found = false;
	enum iw_status st;
	char hex[128];

	/* Out of any terminal menu, then forget what it printed. */
	if ((st = serial_write(b->sp, "\n\n", 2, 500, err)) != IW_OK)
		return buspirate_fail_status(b, st);
	if ((st = serial_drain(b->sp, 30, 500, NULL, err)) != IW_OK)
		return buspirate_fail_status(b, st);
	/* The terminal wants 20 zeros in a row; bit-bang and SPI modes need
	 * one (SPI's 0x00 goes back to bit-bang). */
	if ((st = serial_write(b->sp, zeros, BP_BBIO_ZEROS, 500, err)) != IW_OK)
		return buspirate_fail_status(b, st);
	st = buspirate_expect_within(b, BP_BBIO_ID, 150 + serial_wire_ms(b->sp, 120), seen, &n_seen,
			   sizeof(seen), &found, err);
	if (st != IW_OK)
		return st;
	if (!found) {
		/* Maybe SPI mode in the middle of a write-then-read that is
		 * still waiting for up to 4096 data bytes: feed it zeros. */
		for (size_t sent = 0; sent < BP_WTR_MAX + 64 && !found; sent += sizeof(zeros)) {
			if ((st = serial_write(b->sp, zeros, sizeof(zeros), 500, err)) != IW_OK)
				return buspirate_fail_status(b, st);
			if ((st = buspirate_expect_within(b, BP_BBIO_ID, 5, seen, &n_seen, sizeof(seen),
						&found, err)) != IW_OK)
				return st;
		}
		if (!found && (st = buspirate_expect_within(b, BP_BBIO_ID, 200, seen, &n_seen,
						  sizeof(seen), &found, err)) != IW_OK)
			return st;
	}
	if (!found) {
		if (n_seen == 0)
			return iw_error_set(err, IW_NO_PROGRAMMER,
				"%s: no Bus Pirate answered: the port stayed silent through "
				"newlines and %u zero bytes. Check that this is the Bus "
				"Pirate's port and that it is powered (its LED is on)",
				serial_name(b->sp), BP_BBIO_ZEROS + BP_WTR_MAX + 64);
		for (size_t i = 0; i + 4 <= n_seen; i++)
			if (memcmp(seen + i, BP_BBIO_ID, 4) == 0)
				return iw_error_set(err, IW_PROTOCOL,
					"%s: the Bus Pirate's replies are cut short (\"BBIO\" "
					"without its version digit; got %s): the link drops "
					"bytes. Try another USB cable or port", serial_name(b->sp),
					serial_hex(seen, n_seen, hex, sizeof(hex)));
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the device on this port does not answer like a Bus Pirate "
			"(expected \"" BP_BBIO_ID "\", got %s): wrong baud rate (a Bus Pirate talks "
			"115200 unless changed: --baud) or another device",
			serial_name(b->sp), serial_hex(seen, n_seen, hex, sizeof(hex)));
	}
	/* Every extra zero answered BBIO1 too: drain them, then make sure the
	 * next reply is ours. */
	if ((st = serial_drain(b->sp, 30, 1000, NULL, err)) != IW_OK)
		return buspirate_fail_status(b, st);
	st = buspirate_transact(b, &reset, 1, r, sizeof r, "entering binary mode", err);
	if (st != IW_OK)
		return st;
	if (memcmp(r, BP_BBIO_ID, sizeof r) != 0)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the Bus Pirate did not confirm binary mode (expected "
			"\"" BP_BBIO_ID "\", got %s)", serial_name(b->sp),
			serial_hex(r, sizeof r, hex, sizeof(hex)));
	return IW_OK;
}

enum iw_status
buspirate_enter_spi(struct buspirate *b, struct iw_error *err)
{
	static const uint8_t spi = BP_BBIO_SPI;
	uint8_t r[sizeof BP_SPI_ID - 1];
	char hex[32];
	enum iw_status st = buspirate_transact(b, &spi, 1, r, sizeof r, "entering SPI mode", err);

	if (st != IW_OK)
		return st;
	if (memcmp(r, BP_SPI_ID, sizeof r) != 0)
		return iw_error_set(err, IW_PROTOCOL,
			"%s: the Bus Pirate did not enter SPI mode (expected \"" BP_SPI_ID "\", "
			"got %s)", serial_name(b->sp), serial_hex(r, sizeof r, hex, sizeof(hex)));
	b->in_spi = true;
	return IW_OK;
}

enum iw_status
buspirate_probe_features(struct buspirate *b, struct iw_error *err)
{
	static const uint8_t wtr_probe[5] = { BP_SPI_WTR, 0, 0, 0, 0 };
	static const uint8_t avr_version[2] = { BP_SPI_AVR_EXT, BP_AVR_VERSION };
	uint8_t r[4];
	size_t got = 0;
	enum iw_status st;

	/* Write-then-read without CS, with nothing to write or read, acks on
	 * firmware 5.10 and later; older firmware does not know it. */
	if ((st = serial_write(b->sp, wtr_probe, 5, 500, err)) != IW_OK)
		return buspirate_fail_status(b, st);
	st = serial_read(b->sp, r, 1, 200, &got, err);
	if (st != IW_OK && st != IW_TIMEOUT)
		return buspirate_fail_status(b, st);
	b->has_wtr = st == IW_OK && r[0] == BP_ACK;
	if (!b->has_wtr) {
		/* unknown bytes may have left it anywhere: start over */
		if ((st = buspirate_enter_bitbang(b, err)) != IW_OK || (st = buspirate_enter_spi(b, err)) != IW_OK)
			return st;
	}
	/* AVR extension: it acks, then its version: ack, vH, vL. */
	if ((st = serial_write(b->sp, avr_version, 2, 500, err)) != IW_OK)
		return buspirate_fail_status(b, st);
	st = serial_read(b->sp, r, 4, 200, &got, err);
	if (st != IW_OK && st != IW_TIMEOUT)
		return buspirate_fail_status(b, st);
	b->has_avr_ext = st == IW_OK && r[0] == BP_ACK && r[1] == BP_ACK;
	if (st != IW_OK) {
		if ((st = buspirate_enter_bitbang(b, err)) != IW_OK || (st = buspirate_enter_spi(b, err)) != IW_OK)
			return st;
	}
	return IW_OK;
}
