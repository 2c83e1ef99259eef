/*
 * emu-atmel-dfu.h - a device-side emulator of Atmel's USB DFU bootloader
 * (the FLIP command set over DFU class requests, boot/atmel-dfu-proto.h) on
 * a megaAVR USB part, over a simulated target whose flash and EEPROM it
 * writes directly, as the bootloader's SPM does.
 *
 * What the device shows: Atmel's VID and the part's PID (2FF3 16U4, 2FF4
 * 32U4, 2FF9 AT90USB64x, 2FFB AT90USB128x), a full-speed device with one
 * configuration and one interface of class 0xFE subclass 1 and no DFU
 * functional descriptor (Atmel's exports none), and its strings.  What it
 * does:
 *   - the DFU state machine: dfuIDLE, dfuDNLOAD-IDLE after a command,
 *     dfuUPLOAD-IDLE after a read command until the data is read, dfuDNBUSY
 *     while a chip erase runs (GETSTATUS answers at once with the time left
 *     in bwPollTimeout; any other request is held until the erase ends, as
 *     the chip NAKs while its firmware erases), dfuERROR with a status code
 *     after a failed command, left only by CLRSTATUS; in dfuERROR every
 *     request but GETSTATUS, CLRSTATUS and GETSTATE stalls.  Like Atmel's
 *     bootloader (and unlike the DFU specification) it takes a new command
 *     without a GETSTATUS in between, as the reference client sends them;
 *   - program (flash or EEPROM; a page write can only clear bits, and takes
 *     page_us per flash page), read, blank check (errCHECK_ERASED and the
 *     first non-blank address), chip erase of the application area (the
 *     security bit goes with it), the 64 KiB page select, the bootloader
 *     version and signature bytes, start the application (reset or jump,
 *     at the zero-length DNLOAD that follows): the device then leaves the
 *     bus, and comes back as the bootloader when the application area is
 *     blank (the chip runs through the erased flash into the boot section);
 *   - its own section (from boot_start, by default what the chip's high
 *     fuse selects) is never written: a program command that reaches it
 *     ends in errADDRESS with nothing written;
 *   - the security bit: program commands stall (errWRITE) and UPLOADs of
 *     flash or EEPROM stall (errFILE) until a chip erase clears it.
 * Mistakes a host makes that the device forgives or refuses are logged as
 * violation lines (emu_dfu_violation()).
 *
 * Time works as in emu-usb.h: each call passes the caller's monotonic
 * clock, and the reply says how long the device worked on the transfer
 * (page writes, waiting for an erase); with emu_dfu_set_timing(d, true)
 * the caller makes each transfer last that long, otherwise the device's
 * time is added on top of the caller's clock.
 *
 * Nothing here does I/O: tests/usb-emu.c serves the device to libusb
 * through umockdev, and removes it from the bus (and plugs it in again)
 * when emu_dfu_bus() says so.
 */
#ifndef ISPWIZ_SIM_EMU_ATMEL_DFU_H
#define ISPWIZ_SIM_EMU_ATMEL_DFU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "sim/emu-usb.h"
#include "sim/sim-target.h"

/* The chip's own times when the options do not set them: erasing one
 * flash page and writing one (SPM, 3.7-4.5 ms each by the datasheets), and
 * how long a reset takes until the bootloader is on the bus again. */
#define EMU_DFU_PAGE_ERASE_US   4000u
#define EMU_DFU_PAGE_WRITE_US   4000u
#define EMU_DFU_RESTART_MS      500u
/* After the zero-length DNLOAD that starts the application, the host sees
 * the device go after this long. */
#define EMU_DFU_LEAVE_MS        20u

/* Fault knobs (`--fault NAME[=N]`); N counts program commands from 0. */
#define EMU_DFU_FAULT_LIST(X)                                                  \
	X(STATUS_ERROR, "status-error",                                           \
	  "Atmel DFU: program command N fails: errWRITE in dfuERROR, nothing written") \
	X(SECURED,      "secured",                                                \
	  "Atmel DFU: the security bit is set: reads and writes refused until an erase") \
	X(REENUMERATE,  "reenumerate",                                            \
	  "Atmel DFU: at program command N the chip resets: it leaves the bus and comes back")

enum emu_dfu_fault_kind {
#define EMU_DFU_FAULT_ENUM(id, name, help) EMU_DFU_FAULT_##id,
	EMU_DFU_FAULT_LIST(EMU_DFU_FAULT_ENUM)
#undef EMU_DFU_FAULT_ENUM
	EMU_DFU_FAULT_COUNT
};

struct emu_dfu_options {
	uint16_t pid;               /* 0: the part's */
	uint8_t version;            /* the bootloader version byte (05 00 00) */
	uint8_t id1, id2;           /* its ID bytes (05 00 01, 05 00 02) */
	/* The first byte of the bootloader's own section; 0: the section the
	 * chip's high fuse selects. */
	uint32_t boot_start;
	/* With `times_given`, the chip erase takes erase_us and a flash page
	 * write page_us (0: at once); otherwise EMU_DFU_PAGE_ERASE_US per
	 * application page and EMU_DFU_PAGE_WRITE_US. */
	bool times_given;
	uint32_t erase_us, page_us;
	uint32_t restart_ms;        /* 0: EMU_DFU_RESTART_MS */
	bool secured;               /* the security bit is set */
};

/* Where the device is (emu_dfu_bus()). */
enum emu_dfu_bus_state {
	EMU_DFU_ON_BUS,
	EMU_DFU_LEAVING,            /* remove it at leave_at */
	EMU_DFU_OFF_BUS,            /* removed; plug it in again at back_at (0: never) */
};

struct emu_dfu_stats {
	uint64_t transfers;         /* control transfers, standard ones included */
	uint64_t class_requests;
	uint64_t dnloads, uploads, getstatus, clrstatus, getstate, aborts;
	uint64_t stalls;            /* class requests answered with a stall */
	uint64_t commands;          /* DNLOADs carrying a command */
	uint64_t program_commands;  /* flash and EEPROM, refused ones too */
	uint64_t bytes_programmed;  /* flash bytes written */
	uint64_t pages_programmed;  /* flash pages written */
	uint64_t bytes_read;        /* flash and EEPROM bytes uploaded */
	uint64_t erases, blank_checks, page_selects, config_reads;
	uint64_t busy_polls;        /* GETSTATUS answered dfuDNBUSY */
	uint64_t held;              /* requests held until an erase ended */
	uint64_t errors;            /* times it entered dfuERROR */
	uint64_t refused;           /* program commands refused (own section, secured) */
	uint64_t enumerations;      /* 1, plus once per reset it came back from */
	uint64_t app_starts;
	uint64_t violations;        /* see emu_dfu_violation() */
	/* The caller's clock at the first and the last class request; 0
	 * before any. */
	uint64_t first_request_us, last_request_us;
	/* What one transfer costs the host on this bus: the time from one
	 * class request to the next, when the first took no time of the
	 * device's (emu_dfu_gap() keeps the first EMU_DFU_GAPS_KEPT). */
	uint64_t gaps;
};

#define EMU_DFU_GAPS_KEPT 1024

struct emu_dfu;

/* The target must outlive the emulator.  IW_USAGE for a part that has no
 * Atmel DFU bootloader (unless opts->pid is given) or a boot_start outside
 * the flash. */
struct emu_dfu *emu_dfu_new(const struct emu_dfu_options *opts, struct sim_target *t,
			    struct iw_error *err);
void emu_dfu_free(struct emu_dfu *d);

/* "status-error=3", "secured", "reenumerate=2".  IW_NOT_FOUND when `spec`
 * is not one of these knobs, IW_USAGE for a bad number. */
enum iw_status emu_dfu_set_fault(struct emu_dfu *d, const char *spec, struct iw_error *err);
const char *emu_dfu_fault_name(enum emu_dfu_fault_kind kind);
const char *emu_dfu_fault_help(enum emu_dfu_fault_kind kind);

/* The identity the device enumerates with; strings NULL when absent. */
uint16_t emu_dfu_vid(const struct emu_dfu *d);
uint16_t emu_dfu_pid(const struct emu_dfu *d);
uint16_t emu_dfu_bcd_device(const struct emu_dfu *d);
const char *emu_dfu_manufacturer(const struct emu_dfu *d);
const char *emu_dfu_product(const struct emu_dfu *d);
const char *emu_dfu_serial(const struct emu_dfu *d);
uint32_t emu_dfu_boot_start(const struct emu_dfu *d);

/* Device descriptor followed by the configuration descriptor, as sysfs
 * shows them.  Returns the full length (copies at most `size`). */
size_t emu_dfu_descriptors(const struct emu_dfu *d, uint8_t *buf, size_t size);

/* One control transfer, as emu_usb_control() (emu-usb.h). */
void emu_dfu_control(struct emu_dfu *d, const uint8_t setup[8], uint8_t *data, size_t len,
		     uint64_t now_us, struct emu_usb_reply *reply);
void emu_dfu_set_timing(struct emu_dfu *d, bool device_time_slept);

/* Where the device is; *leave_at / *back_at get the caller's clock for
 * LEAVING / OFF_BUS.  The glue removes a LEAVING device once its time has
 * come and says so with emu_dfu_left(); it plugs an OFF_BUS device in again
 * at back_at (when not 0) and says so with emu_dfu_enumerated(). */
enum emu_dfu_bus_state emu_dfu_bus(const struct emu_dfu *d, uint64_t *leave_at,
				   uint64_t *back_at);
void emu_dfu_left(struct emu_dfu *d);
void emu_dfu_enumerated(struct emu_dfu *d);
/* The application was started and runs (the device did not come back). */
bool emu_dfu_app_running(const struct emu_dfu *d);
bool emu_dfu_secured(const struct emu_dfu *d);

const struct emu_dfu_stats *emu_dfu_stats(const struct emu_dfu *d);
/* The first 64 violations, as lines ("program 0x7000-0x73FF reaches the
 * bootloader's own section (0x7000): refused"); stats.violations counts
 * them all. */
size_t emu_dfu_violation_count(const struct emu_dfu *d);
/* The i-th gap in µs (see stats.gaps), 0 past the kept ones. */
uint64_t emu_dfu_gap(const struct emu_dfu *d, size_t i);
const char *emu_dfu_violation(const struct emu_dfu *d, size_t i);

#endif
