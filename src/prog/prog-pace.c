/*
 * prog-pace.c - a decorator that makes any driver about as slow as real
 * hardware: each flash byte read and each page written takes the time of
 * struct prog_pace.  The simulator answers instantly, and a demo that is
 * over before anyone sees a progress bar shows nothing; --demo-slow makes
 * it slower still, which is what lets tests cancel or resize mid-flash.
 *
 * The decorated driver is opened into an inner struct prog of its own;
 * every operation goes through isp.c to it (so a driver without paged
 * reads or writes gets the single-instruction fallback, paced the same).
 */
#include "prog/prog.h"

#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "prog/isp.h"

struct pace {
	struct prog inner;
	struct prog_pace pace;
};

static struct pace *
pace_of(struct prog *p)
{
	return p->priv;
}

static void
pace_close(struct prog *p)
{
	struct pace *s = pace_of(p);

	prog_close(&s->inner, NULL);
	free(s);
}

static enum iw_status
pace_enter(struct prog *p, uint32_t sck_hz, struct iw_error *err)
{
	struct pace *s = pace_of(p);

	enum iw_status st;

	s->inner.sck_hz = sck_hz;
	s->inner.have_answer = false;
	st = s->inner.driver->enter(&s->inner, sck_hz, err);
	/* The inner driver's evidence is the wiring doctor's too. */
	p->have_answer = s->inner.have_answer;
	memcpy(p->answer, s->inner.answer, sizeof p->answer);
	return st;
}

static void
pace_leave(struct prog *p)
{
	struct pace *s = pace_of(p);

	s->inner.driver->leave(&s->inner);
}

static enum iw_status
pace_cmd(struct prog *p, const uint8_t in[4], uint8_t out[4], struct iw_error *err)
{
	struct pace *s = pace_of(p);

	return s->inner.driver->cmd(&s->inner, in, out, err);
}

static enum iw_status
pace_read_flash(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		struct iw_error *err)
{
	struct pace *s = pace_of(p);
	enum iw_status st = isp_read_flash(&s->inner, addr, buf, len, NULL, NULL, err);

	iw_sleep_us((uint64_t)len * s->pace.read_ns_per_byte / 1000u);
	return st;
}

static enum iw_status
pace_write_page(struct prog *p, uint32_t addr, const uint8_t *buf, uint32_t len,
		struct iw_error *err)
{
	struct pace *s = pace_of(p);
	enum iw_status st = isp_write_page(&s->inner, addr, buf, len, err);

	iw_sleep_us(s->pace.page_us);
	return st;
}

static enum iw_status
pace_read_eeprom(struct prog *p, uint32_t addr, uint8_t *buf, uint32_t len,
		 struct iw_error *err)
{
	struct pace *s = pace_of(p);

	return isp_read_eeprom(&s->inner, addr, buf, len, NULL, NULL, err);
}

static enum iw_status
pace_sync(struct prog *p, struct iw_error *err)
{
	struct pace *s = pace_of(p);

	return s->inner.driver->sync != NULL ? s->inner.driver->sync(&s->inner, err) : IW_OK;
}

static enum prog_idle
pace_idle(struct prog *p, unsigned ms)
{
	return prog_idle(&pace_of(p)->inner, ms);
}

static const struct prog_driver pace_driver = {
	.name = "paced",
	.close = pace_close,
	.enter = pace_enter,
	.leave = pace_leave,
	.cmd = pace_cmd,
	.read_flash = pace_read_flash,
	.write_page = pace_write_page,
	.read_eeprom = pace_read_eeprom,
	.sync = pace_sync,
	.idle = pace_idle,
};

enum iw_status
prog_pace_open(struct prog *p, const struct prog_driver *inner,
	       const struct prog_options *opt, struct iw_error *err)
{
	struct prog_options o = *opt;
	struct pace *s = calloc(1, sizeof *s);
	enum iw_status st;

	if (s == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the programmer");
	memset(&o.pace, 0, sizeof o.pace);
	if ((st = prog_open(&s->inner, inner, &o, err)) != IW_OK) {
		free(s);
		return st;
	}
	s->pace = opt->pace;
	p->driver = &pace_driver;
	p->part = opt->part;
	p->caps = s->inner.caps;
	p->caps.paged_read = p->caps.paged_write = true;
	p->priv = s;
	return IW_OK;
}
