/*
 * emu.c - what the serial emulators share: buffers, the fault knobs,
 * auto-reset and time.  The protocols live in emu-avrisp.c,
 * emu-buspirate.c and emu-caterina.c.
 */
#include <stdlib.h>
#include <string.h>

#include "sim/emu-int.h"
#include "sim/emu-knob.h"

#define EMU_DEFAULT_BOOT_MS 500u

static const struct emu_knob emu_faults[EMU_FAULT_COUNT] = {
#define EMU_FAULT_ROW(id, name, help) { name, help },
	EMU_FAULT_LIST(EMU_FAULT_ROW)
#undef EMU_FAULT_ROW
};

const char *
emu_fault_name(enum emu_fault_kind kind)
{
	return emu_knob_name(emu_faults, EMU_FAULT_COUNT, (int)kind);
}

const char *
emu_fault_help(enum emu_fault_kind kind)
{
	return emu_knob_help(emu_faults, EMU_FAULT_COUNT, (int)kind);
}

struct emu *
emu_new(const struct emu_options *opts, struct sim_target *t,
	struct iw_error *err)
{
	struct emu *e;

	if (!opts || !t) {
		iw_error_set(err, IW_USAGE, "emulator: no options or no target");
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		iw_error_set(err, IW_NOMEM, "emulator: out of memory");
		return NULL;
	}
	e->opts = *opts;
	if (!e->opts.boot_ms)
		e->opts.boot_ms = EMU_DEFAULT_BOOT_MS;
	e->t = t;
	e->noise = 0x2545F491u;
	if (opts->kind == EMU_BUSPIRATE)
		emu_buspirate_init(e);
	else if (opts->kind == EMU_CATERINA)
		emu_caterina_init(e);
	else
		emu_avrisp_init(e);
	return e;
}

void
emu_free(struct emu *e)
{
	if (!e)
		return;
	free(e->in);
	free(e->out);
	free(e);
}

enum iw_status
emu_set_fault(struct emu *e, const char *spec, struct iw_error *err)
{
	return emu_knob_set(emu_faults, EMU_FAULT_COUNT, spec, "programmer",
			    e->fault_on, e->fault_n, err);
}

static void
out_append(struct emu *e, const uint8_t *buf, size_t len)
{
	if (e->out_len + len > e->out_cap) {
		size_t cap = e->out_cap ? e->out_cap : 256;
		uint8_t *n;

		while (cap < e->out_len + len)
			cap *= 2;
		n = realloc(e->out, cap);
		if (!n) {
			e->oom = true;
			return;
		}
		e->out = n;
		e->out_cap = cap;
	}
	if (!len)
		return;
	memcpy(e->out + e->out_len, buf, len);
	e->out_len += len;
	e->stats.bytes_out += len;
}

static uint8_t
noise_byte(struct emu *e)
{
	/* High bit always set: never a valid STK500 status, ack or ASCII
	 * mode reply, so noise cannot be mistaken for an answer. */
	e->noise = e->noise * 1103515245u + 12345u;
	return (uint8_t)(0x80 | (e->noise >> 16));
}

static bool
reply_fault(const struct emu *e, enum emu_fault_kind k, uint64_t idx)
{
	return e->fault_on[k] && idx >= e->fault_n[k];
}

bool
emu_command_fault(const struct emu *e, enum emu_fault_kind k)
{
	return e->fault_on[k] && e->stats.commands >= e->fault_n[k];
}

static bool
baud_mismatch(const struct emu *e)
{
	if (e->fault_on[EMU_FAULT_WRONG_BAUD])
		return true;
	return e->opts.uart_baud && e->host_baud &&
	       e->host_baud != e->opts.uart_baud;
}

void
emu_reply(struct emu *e, const uint8_t *buf, size_t len)
{
	uint8_t tmp[512];
	uint64_t idx;

	if (!len)
		return;
	idx = e->replies++;
	if (reply_fault(e, EMU_FAULT_SILENT, idx))
		return;
	if (reply_fault(e, EMU_FAULT_CUT, idx) && len >= 2)
		len--;
	if (reply_fault(e, EMU_FAULT_GARBAGE, idx) || baud_mismatch(e)) {
		while (len) {
			size_t n = len < sizeof(tmp) ? len : sizeof(tmp);

			for (size_t i = 0; i < n; i++)
				tmp[i] = noise_byte(e);
			out_append(e, tmp, n);
			len -= n;
		}
		return;
	}
	out_append(e, buf, len);
}

void
emu_reply_byte(struct emu *e, uint8_t b)
{
	emu_reply(e, &b, 1);
}

static void
process(struct emu *e, size_t chunk_start)
{
	size_t used = 0;

	if (e->opts.kind == EMU_CATERINA) {
		emu_caterina_process(e, chunk_start);
		return;
	}
	for (;;) {
		size_t n;

		if (e->opts.kind == EMU_BUSPIRATE)
			n = emu_buspirate_step(e, e->in + used, e->in_len - used);
		else
			n = emu_avrisp_step(e, e->in + used, e->in_len - used);
		if (!n)
			break;
		used += n;
		if (used >= e->in_len)
			break;
	}
	if (used && used < e->in_len)
		memmove(e->in, e->in + used, e->in_len - used);
	e->in_len -= used;
}

void
emu_input(struct emu *e, const uint8_t *buf, size_t len)
{
	size_t chunk_start = e->in_len;

	for (size_t i = 0; i < len; i++) {
		uint8_t b = buf[i];

		if (e->vanished)
			return;
		e->stats.bytes_in++;
		if (e->fault_on[EMU_FAULT_VANISH] &&
		    e->stats.bytes_in > e->fault_n[EMU_FAULT_VANISH]) {
			e->vanished = true;
			return;
		}
		if (e->boot_left_us)
			continue;        /* the bootloader is running, not the sketch */
		if (baud_mismatch(e)) {
			/* A UART sampling at the wrong rate sees framing
			 * errors and junk; what it makes of them is the
			 * firmware's business, but it is never the host's
			 * byte. */
			b = noise_byte(e);
		}
		if (e->in_len == e->in_cap) {
			size_t cap = e->in_cap ? e->in_cap * 2 : 512;
			uint8_t *n = realloc(e->in, cap);

			if (!n) {
				e->oom = true;
				return;
			}
			e->in = n;
			e->in_cap = cap;
		}
		e->in[e->in_len++] = b;
	}
	process(e, chunk_start);
}

size_t
emu_output(const struct emu *e, const uint8_t **buf)
{
	*buf = e->out;
	return e->out_len;
}

void
emu_output_consume(struct emu *e, size_t n)
{
	if (n > e->out_len)
		n = e->out_len;
	if (n && n < e->out_len)
		memmove(e->out, e->out + n, e->out_len - n);
	e->out_len -= n;
}

void
emu_advance_us(struct emu *e, uint64_t us)
{
	sim_target_advance_us(e->t, us);
	if (e->opts.kind == EMU_CATERINA)
		emu_caterina_advance(e, us);
	if (e->boot_left_us) {
		e->boot_left_us = us >= e->boot_left_us ? 0 : e->boot_left_us - us;
	}
}

static void
board_reset(struct emu *e)
{
	if (!e->opts.auto_reset)
		return;
	e->stats.resets++;
	e->boot_left_us = (uint64_t)e->opts.boot_ms * 1000u;
	e->in_len = 0;
	e->out_len = 0;
	if (e->opts.kind == EMU_AVRISP)
		emu_avrisp_reset(e);
}

void
emu_set_lines(struct emu *e, bool dtr, bool rts)
{
	(void)rts;
	if (e->opts.kind == EMU_CATERINA) {
		emu_caterina_lines(e, dtr);
		e->dtr = dtr;
		return;
	}
	/* The reset capacitor passes the edge of DTR being asserted. */
	if (dtr && !e->dtr)
		board_reset(e);
	e->dtr = dtr;
}

void
emu_port_opened(struct emu *e)
{
	/* Opening a tty raises DTR. */
	board_reset(e);
	e->dtr = true;
}

void
emu_port_closed(struct emu *e)
{
	e->dtr = false;
	if (e->opts.kind == EMU_CATERINA)
		emu_caterina_closed(e);
}

enum emu_usb_presence
emu_usb_presence(const struct emu *e, uint32_t *generation)
{
	if (e->opts.kind == EMU_CATERINA)
		return emu_caterina_presence(e, generation);
	if (generation != NULL)
		*generation = 1;
	return e->vanished ? EMU_USB_NONE : EMU_USB_APPLICATION;
}

void
emu_set_host_baud(struct emu *e, uint32_t baud)
{
	e->host_baud = baud;
}

bool
emu_vanished(const struct emu *e)
{
	return e->vanished;
}

const struct emu_stats *
emu_stats(const struct emu *e)
{
	return &e->stats;
}

const char *
emu_mode_name(const struct emu *e)
{
	if (e->opts.kind == EMU_AVRISP)
		return e->boot_left_us ? "booting" : "sketch";
	if (e->opts.kind == EMU_CATERINA)
		return emu_caterina_mode(e);
	switch (e->u.bp.mode) {
	case EMU_BP_TEXT:
		return "text";
	case EMU_BP_BBIO:
		return "bbio";
	case EMU_BP_SPI:
		return "spi";
	}
	return "?";
}

bool
emu_in_programming_mode(const struct emu *e)
{
	return sim_target_in_programming_mode(e->t);
}
