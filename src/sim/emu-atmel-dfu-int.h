/*
 * emu-atmel-dfu-int.h - what the Atmel DFU emulator's two files share:
 * emu-atmel-dfu.c (the DFU state machine and Atmel's commands) and
 * emu-atmel-dfu-usb.c (the device around it: identity, descriptors,
 * standard requests, knobs, the bus).  Nothing else includes it.
 */
#ifndef ISPWIZ_SIM_EMU_ATMEL_DFU_INT_H
#define ISPWIZ_SIM_EMU_ATMEL_DFU_INT_H

#include "sim/emu-atmel-dfu.h"

#define EMU_DFU_STRING_MAX 32
#define EMU_DFU_VIOLATIONS_KEPT 64
#define EMU_DFU_VIOLATION_LEN 128

/* What the last command left for an UPLOAD to fetch. */
enum emu_dfu_pending {
	EMU_DFU_PENDING_NONE,
	EMU_DFU_PENDING_FLASH,       /* read [addr, end] of flash */
	EMU_DFU_PENDING_EEPROM,      /* ... of EEPROM */
	EMU_DFU_PENDING_BYTE,        /* one configuration byte */
	EMU_DFU_PENDING_BLANK_ADDR,  /* the first non-blank address */
};

struct emu_dfu {
	struct emu_dfu_options opts;
	struct sim_target *t;
	const struct catalog_part *part;
	struct emu_dfu_stats stats;
	char product[EMU_DFU_STRING_MAX];
	char serial[EMU_DFU_STRING_MAX];
	uint32_t boot_start;
	uint32_t erase_us, page_us;

	bool fault_on[EMU_DFU_FAULT_COUNT];
	uint64_t fault_n[EMU_DFU_FAULT_COUNT];

	/* The bootloader's state (its variables). */
	uint8_t state, status;
	uint8_t page;                /* the 64 KiB page selected */
	bool secured;
	enum emu_dfu_pending pending;
	uint32_t read_addr, read_end;   /* full addresses, end exclusive */
	uint8_t byte;                /* EMU_DFU_PENDING_BYTE */
	uint16_t blank_addr;         /* EMU_DFU_PENDING_BLANK_ADDR */
	bool start_armed;            /* 04 03 seen: the next zero-length DNLOAD starts */
	bool start_jump;
	uint64_t busy_until;         /* device clock: the erase runs until then */

	/* The bus. */
	enum emu_dfu_bus_state bus;
	uint64_t leave_at, back_at;  /* caller's clock */
	bool app_running;

	/* caller's clock -> device clock (emu_dfu_set_timing()) */
	bool device_time_slept;
	uint64_t skew;               /* device clock = caller's clock + skew */
	uint64_t now;                /* the device clock during a transfer */
	uint64_t caller_now;         /* the caller's clock at this transfer */

	char violations[EMU_DFU_VIOLATIONS_KEPT][EMU_DFU_VIOLATION_LEN];
	uint32_t gap_us[EMU_DFU_GAPS_KEPT];
	bool last_was_quick;         /* the last class request took no device time */
};

/* Note a violation line (printf-style). */
void emu_dfu_violate(struct emu_dfu *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A class request to the interface (emu-atmel-dfu.c): fills r->status
 * (bytes moved or -errno) and adds the device's time to r->device_us. */
void emu_dfu_class(struct emu_dfu *d, const uint8_t setup[8], uint8_t *data, size_t len,
		   struct emu_usb_reply *r);
/* The bootloader as after a reset: dfuIDLE, page 0, nothing pending. */
void emu_dfu_reset_state(struct emu_dfu *d);

#endif
