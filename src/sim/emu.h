/*
 * emu.h - device-side emulators of the serial programmers, over a simulated
 * target (sim-target.h).
 *
 * An emulator is a byte stream in, bytes out: what the host writes to the
 * serial port goes into emu_input(), what the programmer's firmware would
 * send back comes out of emu_output().  It behaves like the real firmware,
 * quirks included, so that the real drivers (and avrdude, as a reference
 * client nobody here wrote) can be tested against it:
 *   avrisp     the ArduinoISP sketch (STK500v1 subset) as QMK's Pro Micro and
 *              Teensy 2.0 ISP images run it: its 256-byte page buffer and the
 *              commit at page boundaries, 0x12/0x15 for unknown commands,
 *              SET_PARAMETER unhandled, ENTER_PROGMODE always OK;
 *   buspirate  the Bus Pirate's binary modes: text terminal (20 x 0x00 to
 *              get out), bit-bang ("BBIO1"), raw SPI ("SPI1") with bulk,
 *              write-then-read, speeds, peripherals and the AVR extension;
 *   caterina   not a programmer but the chip's own USB bootloader: Caterina
 *              speaking AVR109 (emu-caterina.c), writing the target's flash
 *              itself, never its own section; the board around it too (the
 *              sketch that a 1200-baud touch resets into the bootloader, the
 *              bootloader's window, the application it starts), seen by the
 *              runner through emu_usb_presence().
 *
 * Time: the target runs on virtual time; emu_advance_us() lets the wall
 * time that passed between bytes count too, so a host that sleeps for a
 * write delay (as avrdude does) sees the target ready afterwards.
 *
 * Nothing here does I/O: the emulator runner (tests/ispwiz-emu.c) owns the
 * pty, the unit tests feed byte strings directly.
 */
#ifndef ISPWIZ_SIM_EMU_H
#define ISPWIZ_SIM_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "sim/sim-target.h"

enum emu_kind {
	EMU_AVRISP,
	EMU_BUSPIRATE,
	EMU_CATERINA,
};

/*
 * Programmer-side fault knobs (`--fault NAME[=N]`); the target's own knobs
 * (sim-target.h) are separate.  N counts replies (or commands, or host
 * bytes for vanish) from 0; without =N the fault is on from the start.
 */
#define EMU_FAULT_LIST(X)                                                    \
	X(GARBAGE,    "garbage",    "from reply N on, replies are noise")        \
	X(CUT,        "cut",        "from reply N on, multi-byte replies lose their last byte") \
	X(SILENT,     "silent",     "from reply N on, the programmer sends nothing") \
	X(FAILED,     "stk-failed", "from command N on, commands answer STK_FAILED (Bus Pirate: 0x00)") \
	X(NOSYNC,     "nosync",     "from command N on, commands answer STK_NOSYNC (avrisp only)") \
	X(VANISH,     "vanish",     "the port disappears (EIO) after N bytes from the host") \
	X(WRONG_BAUD, "wrong-baud", "the programmer's UART runs at another baud: bytes garbled both ways") \
	X(WINDOW_CLOSES, "window-closes", "Caterina: its window closed before the first command (no answer; it leaves the bus)")

enum emu_fault_kind {
#define EMU_FAULT_ENUM(id, name, help) EMU_FAULT_##id,
	EMU_FAULT_LIST(EMU_FAULT_ENUM)
#undef EMU_FAULT_ENUM
	EMU_FAULT_COUNT
};

struct emu_options {
	enum emu_kind kind;
	/* The programmer's own UART speed.  0 = USB CDC (Pro Micro, Teensy,
	 * Bus Pirate v4): any baud the host sets works.  Otherwise a host at
	 * another baud gets garbage, as with a real UART. */
	uint32_t uart_baud;
	/* Board resets when DTR is asserted or the port opens (Uno/Nano
	 * hosts); it ignores bytes for boot_ms afterwards. */
	bool auto_reset;
	uint32_t boot_ms;            /* 0 = 500 ms */
	/* Bus Pirate: which pin is wired to the target's RESET. */
	bool reset_on_aux;
	/* Bus Pirate: the target has its own supply (powered whatever the
	 * Bus Pirate's power bit says), as with a board on its own USB. */
	bool self_powered;
	/* Caterina: how long the bootloader waits for its host (0 = 8 s; 750
	 * ms is SparkFun's after a single reset).  As in Caterina, the clock
	 * only runs while the application area holds a program (its first
	 * word is not 0xFFFF), and only block commands (B, g) restart it. */
	uint32_t window_ms;
	/* Caterina: the first byte of its own section (0: the part's largest
	 * boot section, 0x7000 on the 32U4); writes there are ignored and
	 * counted in emu_stats.protected_writes. */
	uint32_t boot_start;
	/* Caterina: the board starts running a sketch (an Arduino one, which
	 * resets into the bootloader on the 1200-baud touch) instead of the
	 * bootloader; or the bootloader only starts after appear_after_ms, as
	 * when a person resets the board by hand. */
	bool sketch;
	uint32_t appear_after_ms;
};

struct emu;

/* The target must outlive the emulator.  For the Bus Pirate the target is
 * powered from the programmer, so it starts unpowered (unless
 * self_powered). */
struct emu *emu_new(const struct emu_options *opts, struct sim_target *t,
		    struct iw_error *err);
void emu_free(struct emu *e);

/* "silent", "cut=3", "vanish=1000".  IW_NOT_FOUND when `spec` is not one of
 * the programmer knobs (so the caller can try the target's), IW_USAGE for a
 * bad number. */
enum iw_status emu_set_fault(struct emu *e, const char *spec,
			     struct iw_error *err);
const char *emu_fault_name(enum emu_fault_kind kind);
const char *emu_fault_help(enum emu_fault_kind kind);

/* Bytes the host sent. */
void emu_input(struct emu *e, const uint8_t *buf, size_t len);
/* Bytes waiting to go to the host; consume what was written. */
size_t emu_output(const struct emu *e, const uint8_t **buf);
void emu_output_consume(struct emu *e, size_t n);

/* Let `us` of wall time pass (target write delays, boot time). */
void emu_advance_us(struct emu *e, uint64_t us);
/* Modem lines as the host set them, and host port open/close. */
void emu_set_lines(struct emu *e, bool dtr, bool rts);
void emu_port_opened(struct emu *e);
/* The baud the host configured (0 = unknown). */
void emu_set_host_baud(struct emu *e, uint32_t baud);

/* The host closed the port (the tty layer drops DTR). */
void emu_port_closed(struct emu *e);

/* The vanish knob fired: the runner should make the port disappear. */
bool emu_vanished(const struct emu *e);

/*
 * What the device shows on USB now.  A programmer is always its
 * application; a Caterina board is its sketch, its bootloader, the
 * application the bootloader started, or nothing for a moment while it
 * resets and enumerates again.  Every new enumeration bumps the
 * generation, so the runner can tell "the sketch came back" from "the
 * sketch is still there" and give each enumeration a new tty.
 */
enum emu_usb_presence {
	EMU_USB_NONE,
	EMU_USB_SKETCH,
	EMU_USB_BOOTLOADER,
	EMU_USB_APPLICATION,
};
enum emu_usb_presence emu_usb_presence(const struct emu *e, uint32_t *generation);

/* What the emulator saw, for the runner's summary and the tests. */
struct emu_stats {
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t commands;           /* complete commands parsed */
	uint64_t resets;             /* auto-resets */
	uint64_t overflows;          /* avrisp: PROG_PAGE longer than the 256-byte buffer */
	uint64_t unknown;            /* commands the firmware does not know */
	uint64_t power_ons;          /* Bus Pirate: supplies switched on */
	uint64_t pullup_ons;         /* Bus Pirate: pull-ups switched on */
	uint64_t open_drain;         /* Bus Pirate: SPI set to open-drain outputs */
	uint64_t touches;            /* Caterina: 1200-baud touches that reset the sketch */
	uint64_t erases;             /* Caterina: 'e' commands */
	uint64_t blocks_written;     /* Caterina: flash pages written ('B' or 'm') */
	uint64_t blocks_read;        /* Caterina: 'g' commands */
	uint64_t protected_writes;   /* Caterina: writes into its own section (ignored) */
	uint64_t dropped;            /* Caterina: bytes after a command in the same USB packet */
	uint64_t window_closes;      /* Caterina: times the window ran out */
	uint64_t exits;              /* Caterina: times it left for the application */
};
const struct emu_stats *emu_stats(const struct emu *e);

/* "text", "bbio", "spi" (Bus Pirate), "sketch"/"booting" (avrisp) or
 * "off"/"sketch"/"bootloader"/"application" (Caterina). */
const char *emu_mode_name(const struct emu *e);
bool emu_in_programming_mode(const struct emu *e);

#endif
