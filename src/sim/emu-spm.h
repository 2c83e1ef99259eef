/*
 * emu-spm.h - a chip writing its own flash, for the bootloader emulators
 * (emu-bootloadhid.c, emu-usbasploader.c): the SPM page buffer, page erase
 * and page write as the datasheets describe them, on the simulated target
 * through its back doors (a bootloader programs its own chip; no ISP is
 * involved).  Each operation takes its time on the target's clock, so an
 * emulator's reply says how long the firmware was busy.
 */
#ifndef ISPWIZ_SIM_EMU_SPM_H
#define ISPWIZ_SIM_EMU_SPM_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/sim-target.h"

#define EMU_SPM_PAGE_MAX 256u
/* Typical page erase and page write times (3.7-4.5 ms in the datasheets). */
#define EMU_SPM_ERASE_US 4000u
#define EMU_SPM_WRITE_US 4000u

/* The temporary page buffer: 0xFF after a page write, as on the chip. */
struct emu_spm {
	uint8_t buf[EMU_SPM_PAGE_MAX];
	bool ready;                  /* emu_spm_init() ran */
};

void emu_spm_init(struct emu_spm *s);
/* Put the word `lo`, `hi` at the buffer offset of byte address `addr`. */
void emu_spm_fill(struct emu_spm *s, const struct sim_target *t, uint32_t addr,
		  uint8_t lo, uint8_t hi);
/* Erase the page holding `addr`. */
void emu_spm_erase(struct sim_target *t, uint32_t addr);
/* Write the buffer into the page holding `addr`: bits only go from 1 to 0.
 * Returns how many bytes wanted a bit back to 1 (a write without erase);
 * the buffer is blank again afterwards. */
unsigned emu_spm_write(struct emu_spm *s, struct sim_target *t, uint32_t addr);

/* Where the chip's boot section starts, as its high fuse selects it now
 * (BOOTSZ); the flash size on a part without one. */
uint32_t emu_spm_boot_start(const struct sim_target *t);

#endif
