/* emu-spm.c - self-programming (SPM) of the simulated target's flash, for
 * the bootloader emulators (emu-spm.h). */
#include "sim/emu-spm.h"

#include <string.h>

#include "core/fuses.h"

static uint32_t
page_size(const struct sim_target *t)
{
	uint32_t ps = sim_target_part(t)->page_size;

	return ps != 0 && ps <= EMU_SPM_PAGE_MAX ? ps : EMU_SPM_PAGE_MAX;
}

/* The page holding `addr`, inside the flash (the chip ignores the high
 * address bits). */
static uint32_t
page_of(const struct sim_target *t, uint32_t addr)
{
	uint32_t ps = page_size(t);

	return addr % sim_target_part(t)->flash_size / ps * ps;
}

void
emu_spm_init(struct emu_spm *s)
{
	memset(s->buf, 0xFF, sizeof s->buf);
	s->ready = true;
}

void
emu_spm_fill(struct emu_spm *s, const struct sim_target *t, uint32_t addr, uint8_t lo,
	     uint8_t hi)
{
	uint32_t off = addr % page_size(t) & ~1u;

	if (!s->ready)
		emu_spm_init(s);
	s->buf[off] = lo;
	s->buf[off + 1] = hi;
}

void
emu_spm_erase(struct sim_target *t, uint32_t addr)
{
	uint8_t blank[EMU_SPM_PAGE_MAX];

	memset(blank, 0xFF, sizeof blank);
	/* In range by construction. */
	sim_target_preload_flash(t, page_of(t, addr), blank, page_size(t), NULL);
	sim_target_advance_us(t, EMU_SPM_ERASE_US);
}

unsigned
emu_spm_write(struct emu_spm *s, struct sim_target *t, uint32_t addr)
{
	uint32_t base = page_of(t, addr), ps = page_size(t);
	const uint8_t *flash = sim_target_flash(t);
	uint8_t page[EMU_SPM_PAGE_MAX];
	unsigned up = 0;

	if (!s->ready)
		emu_spm_init(s);
	for (uint32_t i = 0; i < ps; i++) {
		page[i] = flash[base + i] & s->buf[i];
		if ((s->buf[i] & (uint8_t)~flash[base + i]) != 0)
			up++;
	}
	sim_target_preload_flash(t, base, page, ps, NULL);
	sim_target_advance_us(t, EMU_SPM_WRITE_US);
	memset(s->buf, 0xFF, sizeof s->buf);
	return up;
}

uint32_t
emu_spm_boot_start(const struct sim_target *t)
{
	const struct catalog_part *part = sim_target_part(t);
	const struct boot_section *sec = fuses_bootsz(part, sim_target_fuse(t, FUSE_HIGH));

	return sec != NULL ? sec->start_word * 2u : part->flash_size;
}
