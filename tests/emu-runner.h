/*
 * emu-runner.h - the parts of ispwiz-emu (tests/ispwiz-emu.c): the umockdev
 * testbed holding the emulated programmer's tty (emu-testbed.c), the pump
 * between that pty and the emulator (emu-pump.c) and the final dump of the
 * target (emu-dump.c).  Test tool only.
 */
#ifndef ISPWIZ_TESTS_EMU_RUNNER_H
#define ISPWIZ_TESTS_EMU_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <umockdev.h>

#include "core/clock.h"
#include "sim/emu.h"
#include "sim/sim-target.h"

/* What the emulated programmer looks like on USB. */
struct usb_identity {
	struct catalog_usb_id id;
	const char *manufacturer;
	const char *product;
	bool ftdi;                   /* ttyUSB under ftdi_sio, else ttyACM */
};

/* Add the USB device, its interface and a tty whose node is a pty to the
 * testbed; returns the pty master (non-blocking, close-on-exec) or -1, and
 * the node ("/dev/ttyACM0") in `node`.  Also makes a /dev/serial/by-id
 * link like udev's. */
int emurun_build_testbed(UMockdevTestbed *tb, const struct usb_identity *u,
			 char *node, size_t node_len);

/* Put an Intel HEX file into the target's flash (--preload). */
int emurun_preload_flash(struct sim_target *t, const char *path);
/* PREFIX.hex (non-blank pages) and PREFIX.json (fuses, lock, counters,
 * violations, emulator statistics); both written via temp + rename. */
int emurun_dump_hex(const struct sim_target *t, const char *path);
int emurun_dump_json(const struct sim_target *t, const struct emu *e,
		     const char *path);

/* A byte queue where every byte has the time it is due. */
struct timed_queue {
	uint8_t *b;
	uint64_t *due;
	size_t head, len, cap;
};

struct pump {
	int master;                  /* pty master; -1 once "unplugged" */
	int events;                  /* shim pipe, read end */
	pid_t child;
	int status;                  /* the child's, from waitpid */
	bool connected;
	struct emu *e;
	uint64_t step_ns;            /* per byte; 0 = unpaced */
	struct timed_queue rx, tx;
	uint64_t rx_last, tx_last;
	FILE *trace;
	uint64_t t0;
};


/* Serve the pty until the child exits; 0, or -1 on an internal failure. */
int emurun_pump(struct pump *p);
void emurun_pump_free(struct pump *p);

#endif
