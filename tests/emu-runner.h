/*
 * emu-runner.h - the parts of ispwiz-emu (tests/ispwiz-emu.c): the umockdev
 * testbed holding the emulated devices' ttys (emu-testbed.c), the pump
 * between those ptys and the emulators (emu-pump.c), the Caterina boards
 * that come and go on USB (emu-board.c) and the final dump of the target
 * (emu-dump.c).  Test tool only.
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

/* One USB serial device in the testbed: the USB device at port 1-N, its
 * interface and a tty whose node is a pty (the master is this process's
 * end: non-blocking, close-on-exec, owned by the testbed). */
struct emurun_tty {
	char usb[96];                /* the USB device's syspath */
	char intf[128];              /* its interface's */
	char tty[192];               /* the tty's */
	char node[64];               /* "/dev/ttyACM1" */
	char by_id[512];             /* its /dev/serial/by-id link (in the testbed) */
	int master;
};

/* The root hub every device hangs off; once per testbed. */
void emurun_testbed_root_hub(UMockdevTestbed *tb);
/* Plug in a device at port 1-`port` with tty number `tty_no` (ttyACM3):
 * umockdev never reuses a node name, so neither may the caller.  0 or -1. */
int emurun_testbed_add_tty(UMockdevTestbed *tb, const struct usb_identity *u, unsigned port,
			   unsigned tty_no, const char *serial, struct emurun_tty *out);
/* Unplug it: the pty hangs up, the device and its by-id link go. */
void emurun_testbed_remove_tty(UMockdevTestbed *tb, struct emurun_tty *tty);
/* Hang up a testbed pty master without closing its descriptor number
 * (the testbed closes it at the end). */
void emurun_hangup(int master);

/* The programmers' testbed: the root hub and one device at 1-1; returns
 * the pty master or -1, and the node ("/dev/ttyACM0") in `node`. */
int emurun_build_testbed(UMockdevTestbed *tb, const struct usb_identity *u,
			 char *node, size_t node_len);

/* Put an Intel HEX file into the target's flash (--preload). */
int emurun_preload_flash(struct sim_target *t, const char *path);
/* PREFIX.hex (non-blank pages) and PREFIX.json (fuses, lock, counters,
 * violations, emulator statistics); both written via temp + rename. */
int emurun_dump_hex(const struct sim_target *t, const char *path);
int emurun_dump_json(const struct sim_target *t, const struct emu *e,
		     const char *path);
/* Both: PREFIX.hex and PREFIX.json (e NULL for a USB device's chip). */
int emurun_dump(const struct sim_target *t, const struct emu *e, const char *prefix);

/* A byte queue where every byte has the time it is due. */
struct timed_queue {
	uint8_t *b;
	uint64_t *due;
	size_t head, len, cap;
};

#define EMURUN_MAX_LINKS 8

/* One pty and the emulator behind it. */
struct pump_link {
	bool used;
	int master;                  /* -1 once "unplugged" */
	bool connected;              /* a client has the port open */
	struct emu *e;
	const char *name;            /* for the trace */
	struct timed_queue rx, tx;
	uint64_t rx_last, tx_last;
};

struct pump {
	struct pump_link links[EMURUN_MAX_LINKS];
	/* Every emulator whose time runs, with a port or without one (a
	 * board between two enumerations). */
	struct emu *emus[EMURUN_MAX_LINKS];
	size_t n_emus;
	int events;                  /* shim pipe, read end */
	pid_t child;
	int status;                  /* the child's, from waitpid */
	uint64_t step_ns;            /* per byte; 0 = unpaced */
	FILE *trace;
	uint64_t t0;
	/* Called after every round: may attach and detach links (a board
	 * that leaves the bus and comes back as another device).  -1 stops
	 * the pump as an internal failure. */
	int (*tick)(struct pump *p, void *ctx);
	void *tick_ctx;
};

void emurun_pump_add_emu(struct pump *p, struct emu *e);
/* Serve `master` with `e` from now on; NULL when every link is taken. */
struct pump_link *emurun_pump_attach(struct pump *p, int master, struct emu *e,
				     const char *name);
/* Stop serving it (the caller unplugs the device); what was queued is lost. */
void emurun_pump_detach(struct pump *p, struct pump_link *l);

/* Serve the ptys until the child exits; 0, or -1 on an internal failure. */
int emurun_pump(struct pump *p);
void emurun_pump_free(struct pump *p);

/* --- Caterina boards (emu-board.c) ------------------------------------------- */

/* A board whose USB identity follows what runs on it (emu_usb_presence()):
 * its sketch, its bootloader, the application; each enumeration is a new
 * device in the testbed with a new tty, at the same USB port. */
struct emurun_board {
	struct emu *e;
	unsigned port;               /* USB port 1-N */
	char serial[16];
	struct usb_identity sketch, boot, app;
	bool has_sketch, has_app;
	enum emu_usb_presence shown;
	uint32_t shown_gen;
	bool plugged;
	struct emurun_tty tty;
	struct pump_link *link;
};

/* Strings the boards' identities point at. */
struct emurun_board_names {
	char boot[2][96];
	char sketch[112];
};

struct emurun_boards {
	UMockdevTestbed *tb;
	struct emurun_board b[2];
	size_t n;
	unsigned next_tty;           /* ttyACM numbers are never reused */
	struct emurun_board_names names;
};

/* ispwiz-emu --bootloader caterina's options. */
struct emurun_caterina_args {
	const char *part;
	const char *bootloader_id;   /* the catalog entry: its USB IDs */
	const char *extra_bootloader;
	const char *then_id;         /* VID:PID of the application */
	bool sketch;
};

/* The board of `e` (and the second one of --extra-bootloader, whose
 * target and emulator come back in *t2, *e2): 0, 1 for an internal
 * failure, 2 for bad options (said on stderr). */
int emurun_caterina_setup(const struct emurun_caterina_args *a, const struct catalog *cat,
			  struct emu *e, struct emurun_boards *bs, struct sim_target **t2,
			  struct emu **e2);

/* Make the testbed show what every board shows now: the pump's tick, and
 * once before the command starts.  0, or -1 when the testbed failed. */
int emurun_boards_tick(struct pump *p, void *ctx);
/* Unplug whatever is still plugged. */
void emurun_boards_unplug(struct pump *p, struct emurun_boards *bs);

#endif
