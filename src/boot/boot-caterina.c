/*
 * boot-caterina.c - Caterina, the Arduino bootloader of ATmega32U4 boards
 * (Leonardo, Micro, SparkFun's Pro Micro, Adafruit's, Pololu's A-Star),
 * speaking AVR109 over its USB serial port.
 *
 * The bootloader lives for a few seconds after a reset (750 ms for
 * SparkFun's and Adafruit's after a single reset), so it is opened as
 * soon as its port appears and kept busy: every command restarts its
 * timeout.  A board running a sketch is asked to start it by the 1200-baud
 * touch: open the sketch's port at 1200 baud and drop DTR.
 *
 * AVR109 does not say where the bootloader's own section starts; the
 * catalog does (boot_own_section(): the boot identity of every Caterina for
 * the part), and when it has none, the largest boot section the part can
 * have is kept clear, which no Caterina exceeds.
 */
#include "boot/boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "prog/serial.h"

#define CAT_BAUD        57600u   /* USB CDC: any value works */
#define CAT_REPLY_MS    1000u
#define CAT_TOUCH_BAUD  1200u
#define CAT_CR          0x0D

static const struct catalog_usb_id no_ids[1];

struct caterina {
	struct serial_port *sp;
	char port[128];
};

static struct caterina *
cat_of(struct boot *b)
{
	return b->priv;
}

/* Send `cmd`, read `want` bytes of reply. */
static enum iw_status
xfer(struct caterina *c, const uint8_t *cmd, size_t n, uint8_t *reply, size_t want,
     const char *what, struct iw_error *err)
{
	enum iw_status st;
	size_t got = 0;

	if ((st = serial_write(c->sp, cmd, n, CAT_REPLY_MS, err)) != IW_OK)
		goto fail;
	if (want == 0)
		return IW_OK;
	if ((st = serial_read(c->sp, reply, want, CAT_REPLY_MS, &got, err)) != IW_OK) {
		if (st == IW_TIMEOUT)
			iw_error_set(err, IW_TIMEOUT, "the bootloader at %s %s after %s (%zu of "
				     "%zu bytes): its window may have closed; reset the board twice "
				     "quickly and run the upload again", c->port,
				     got == 0 ? "did not answer" : "stopped answering", what, got,
				     want);
		goto fail;
	}
	return IW_OK;
fail:
	if (st == IW_NO_PROGRAMMER && err != NULL) {
		struct iw_error why = *err;

		iw_error_set(err, IW_NO_PROGRAMMER, "%s: the bootloader at %s went away (%s)",
			     what, c->port, why.msg);
	}
	return st;
}

/* A command answered by a carriage return. */
static enum iw_status
cmd_cr(struct caterina *c, const uint8_t *cmd, size_t n, const char *what,
       struct iw_error *err)
{
	uint8_t r;
	enum iw_status st = xfer(c, cmd, n, &r, 1, what, err);

	if (st != IW_OK)
		return st;
	if (r != CAT_CR)
		return iw_error_set(err, IW_PROTOCOL, "%s: the bootloader at %s answered 0x%02X "
				    "instead of CR%s", what, c->port, r,
				    r == '?' ? " (it does not know the command)" : "");
	return IW_OK;
}

static enum iw_status
set_address(struct caterina *c, uint32_t byte_addr, struct iw_error *err)
{
	uint32_t word = byte_addr / 2;
	uint8_t cmd[3] = { 'A', (uint8_t)(word >> 8), (uint8_t)word };

	if (word > 0xFFFF)
		return iw_error_set(err, IW_RANGE, "address 0x%05X is beyond what AVR109 can "
				    "address", byte_addr);
	return cmd_cr(c, cmd, sizeof cmd, "setting the address", err);
}

static enum iw_status
cat_open(struct boot *b, const struct boot_options *opt, struct iw_error *err)
{
	struct caterina *c = calloc(1, sizeof *c);
	uint8_t id[7], ver[2], r[3], code;
	uint8_t sig[3];
	enum iw_status st;

	if (c == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory opening the bootloader");
	if (opt->port == NULL) {
		free(c);
		return iw_error_set(err, IW_USAGE, "the Caterina bootloader is opened by its "
				    "serial port");
	}
	snprintf(c->port, sizeof c->port, "%s", opt->port);
	if ((st = serial_open(&c->sp, opt->port, CAT_BAUD, err)) != IW_OK) {
		free(c);
		return st;
	}
	b->priv = c;
	/* Identify: "CATERIN", the software version, the programmer type. */
	if ((st = xfer(c, (const uint8_t *)"S", 1, id, sizeof id, "asking its name", err)) != IW_OK)
		goto fail;
	if (memcmp(id, "CATERIN", 7) != 0) {
		st = iw_error_set(err, IW_PROTOCOL, "%s answered \"%.7s\" where Caterina says "
				  "\"CATERIN\": it is not a Caterina bootloader (a sketch's port? "
				  "reset the board twice quickly)", c->port, (const char *)id);
		goto fail;
	}
	if ((st = xfer(c, (const uint8_t *)"V", 1, ver, 2, "asking its version", err)) != IW_OK ||
	    (st = xfer(c, (const uint8_t *)"b", 1, r, 3, "asking its block size", err)) != IW_OK)
		goto fail;
	if (r[0] != 'Y' || ((unsigned)r[1] << 8 | r[2]) == 0) {
		st = iw_error_set(err, IW_PROTOCOL, "%s does not do block writes (answer %02X "
				  "%02X %02X)", c->port, r[0], r[1], r[2]);
		goto fail;
	}
	b->info.block_size = (uint32_t)r[1] << 8 | r[2];
	/* Device codes, up to the terminating 0; select the first. */
	if ((st = serial_write(c->sp, "t", 1, CAT_REPLY_MS, err)) != IW_OK)
		goto fail;
	code = 0;
	for (int i = 0; i < 16; i++) {
		uint8_t d;

		if ((st = serial_read(c->sp, &d, 1, CAT_REPLY_MS, NULL, err)) != IW_OK)
			goto fail;
		if (d == 0)
			break;
		if (code == 0)
			code = d;
	}
	{
		uint8_t sel[2] = { 'T', code };

		if ((st = cmd_cr(c, sel, 2, "selecting the device", err)) != IW_OK ||
		    (st = cmd_cr(c, (const uint8_t *)"P", 1, "entering programming mode", err)) != IW_OK)
			goto fail;
	}
	if ((st = xfer(c, (const uint8_t *)"s", 1, sig, 3, "reading the signature", err)) != IW_OK)
		goto fail;
	/* Sent low byte first: 87 95 1E is a 32U4. */
	b->info.have_signature = true;
	b->info.signature[0] = sig[2];
	b->info.signature[1] = sig[1];
	b->info.signature[2] = sig[0];
	if (opt->catalog != NULL) {
		const struct catalog_part *p = catalog_find_part_by_signature(opt->catalog,
									     b->info.signature);
		if (p != NULL)
			b->info.part = p;
	}
	if (b->info.part == NULL) {
		st = iw_error_set(err, IW_SIGNATURE, "the bootloader at %s reports signature "
				  "%02X %02X %02X, which no catalog part has", c->port,
				  b->info.signature[0], b->info.signature[1],
				  b->info.signature[2]);
		goto fail;
	}
	b->info.flash_size = b->info.part->flash_size;
	b->info.app_end = boot_own_section(opt->catalog, b->info.part, "caterina");
	b->info.can_read = true;
	b->info.explicit_erase = true;
	snprintf(b->info.name, sizeof b->info.name, "Caterina");
	snprintf(b->info.version, sizeof b->info.version, "%c.%c",
		 ver[0] >= 0x20 && ver[0] < 0x7F ? ver[0] : '?',
		 ver[1] >= 0x20 && ver[1] < 0x7F ? ver[1] : '?');
	snprintf(b->info.where, sizeof b->info.where, "%s", c->port);
	return IW_OK;
fail:
	serial_close(c->sp);
	free(c);
	b->priv = NULL;
	return st;
}

static void
cat_close(struct boot *b)
{
	struct caterina *c = cat_of(b);

	if (c == NULL)
		return;
	serial_close(c->sp);
	free(c);
	b->priv = NULL;
}

static enum iw_status
cat_erase(struct boot *b, struct iw_error *err)
{
	return cmd_cr(cat_of(b), (const uint8_t *)"e", 1, "erasing", err);
}

static enum iw_status
cat_write(struct boot *b, uint32_t addr, const uint8_t *data, uint32_t len,
	  struct iw_error *err)
{
	struct caterina *c = cat_of(b);
	uint32_t bs = b->info.block_size;
	uint8_t *cmd = malloc(4 + bs);
	enum iw_status st;

	if (cmd == NULL)
		return iw_error_set(err, IW_NOMEM, "out of memory writing a block");
	if ((st = set_address(c, addr, err)) == IW_OK) {
		cmd[0] = 'B';
		cmd[1] = (uint8_t)(bs >> 8);
		cmd[2] = (uint8_t)bs;
		cmd[3] = 'F';
		memset(cmd + 4, 0xFF, bs);
		memcpy(cmd + 4, data, len < bs ? len : bs);
		st = cmd_cr(c, cmd, 4 + bs, "writing a block", err);
	}
	free(cmd);
	return st;
}

static enum iw_status
cat_read(struct boot *b, uint32_t addr, uint8_t *buf, uint32_t len, struct iw_error *err)
{
	struct caterina *c = cat_of(b);
	uint8_t cmd[4] = { 'g', (uint8_t)(len >> 8), (uint8_t)len, 'F' };
	enum iw_status st;

	if ((st = set_address(c, addr, err)) != IW_OK)
		return st;
	return xfer(c, cmd, sizeof cmd, buf, len, "reading a block", err);
}

static enum iw_status
cat_start(struct boot *b, struct iw_error *err)
{
	struct caterina *c = cat_of(b);
	enum iw_status st;

	if ((st = cmd_cr(c, (const uint8_t *)"L", 1, "leaving programming mode", err)) != IW_OK)
		return st;
	return cmd_cr(c, (const uint8_t *)"E", 1, "starting the application", err);
}

/* The 1200-baud touch: the sketch's USB serial code restarts into the
 * bootloader when its port is set to 1200 baud and DTR drops. */
static enum iw_status
cat_enter(const char *port, struct iw_error *err)
{
	struct serial_port *sp;
	enum iw_status st;

	if ((st = serial_open(&sp, port, CAT_TOUCH_BAUD, err)) != IW_OK)
		return st;
	st = serial_set_lines(sp, false, false, err);
	serial_close(sp);
	return st;
}

const struct boot_driver boot_caterina_driver = {
	.name = "caterina",
	.title = "Caterina (AVR109)",
	.transport = CATALOG_TRANSPORT_SERIAL,
	.family = "caterina",
	.ids = no_ids,
	.n_ids = 0,
	.how_to_enter = "short its RST pin to GND twice quickly",
	.enter = cat_enter,
	.open = cat_open,
	.close = cat_close,
	.erase = cat_erase,
	.write = cat_write,
	.read = cat_read,
	.start_app = cat_start,
};
