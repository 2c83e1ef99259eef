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
 *
 * One command at a time: Caterina throws away whatever else the USB
 * packet of a command held, so nothing is sent before the answer to the
 * previous command is in.  Its address moves on with every block, so 'A'
 * is only sent when the next block is not where the last one ended.
 */
#include "boot/boot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/avr109-proto.h"
#include "core/clock.h"
#include "prog/serial.h"

#define CAT_BAUD        57600u   /* USB CDC: any value works */
#define CAT_REPLY_MS    1000u
#define CAT_TOUCH_BAUD  1200u

static const struct catalog_usb_id no_ids[1];

struct caterina {
	struct serial_port *sp;
	char port[128];
	bool answered;               /* it answered a command: its window is open */
	bool addr_known;             /* where its address counter is: */
	uint32_t addr;               /* a byte address */
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

	c->addr_known = false;       /* until the command is through */
	if ((st = serial_write(c->sp, cmd, n, CAT_REPLY_MS, err)) != IW_OK)
		goto fail;
	if (want == 0)
		return IW_OK;
	if ((st = serial_read(c->sp, reply, want, CAT_REPLY_MS, &got, err)) != IW_OK)
		goto fail;
	c->answered = true;
	return IW_OK;
fail:
	if (st != IW_TIMEOUT && st != IW_NO_PROGRAMMER)
		return st;
	if (!c->answered)
		/* Never a word from it: it had left before the first command. */
		return iw_error_set(err, st, "the bootloader at %s %s when %s, its first "
				    "command: its window had closed (a Caterina waits only 750 ms "
				    "after a single reset, then starts the application); reset the "
				    "board twice quickly and run the upload at once, or let ispwiz "
				    "start it from the running sketch", c->port,
				    st == IW_TIMEOUT ? "did not answer" : "went away", what);
	if (st == IW_TIMEOUT)
		return iw_error_set(err, IW_TIMEOUT, "the bootloader at %s %s after %s (%zu of "
				    "%zu bytes): its window may have closed; reset the board twice "
				    "quickly and run the upload again", c->port,
				    got == 0 ? "did not answer" : "stopped answering", what, got,
				    want);
	return iw_error_set(err, IW_NO_PROGRAMMER, "%s: the bootloader at %s went away "
			    "(unplugged, or the board reset)", what, c->port);
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
	if (r != AVR109_CR)
		return iw_error_set(err, IW_PROTOCOL, "%s: the bootloader at %s answered 0x%02X "
				    "instead of CR%s", what, c->port, r,
				    r == AVR109_UNKNOWN ? " (it does not know the command)" : "");
	return IW_OK;
}

/* Put its address counter at `byte_addr`, unless it is there already. */
static enum iw_status
set_address(struct caterina *c, uint32_t byte_addr, struct iw_error *err)
{
	uint32_t word = byte_addr / 2;
	uint8_t cmd[3] = { AVR109_SET_ADDRESS, (uint8_t)(word >> 8), (uint8_t)word };
	enum iw_status st;

	if (c->addr_known && c->addr == byte_addr)
		return IW_OK;
	if (word > 0xFFFF)
		return iw_error_set(err, IW_RANGE, "address 0x%05X is beyond what AVR109 can "
				    "address", byte_addr);
	if ((st = cmd_cr(c, cmd, sizeof cmd, "setting the address", err)) != IW_OK)
		return st;
	c->addr = byte_addr;
	c->addr_known = true;
	return IW_OK;
}

/* A command whose answer is bytes, after which the counter moved on by
 * `moved` bytes (Caterina counts words: an odd length leaves it unsure). */
static enum iw_status
cmd_moving(struct caterina *c, const uint8_t *cmd, size_t n, uint8_t *reply, size_t want,
	   uint32_t moved, const char *what, struct iw_error *err)
{
	uint32_t at = c->addr;
	bool known = c->addr_known;
	enum iw_status st;

	if (want == 1 && reply == NULL)
		st = cmd_cr(c, cmd, n, what, err);
	else
		st = xfer(c, cmd, n, reply, want, what, err);
	if (st != IW_OK)
		return st;
	c->addr = at + moved;
	c->addr_known = known && moved % 2 == 0;
	return IW_OK;
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
	/* Identify: "CATERIN", the software version, the block size. */
	{
		uint8_t cmd = AVR109_IDENTIFY;

		if ((st = xfer(c, &cmd, 1, id, sizeof id, "asking its name", err)) != IW_OK)
			goto fail;
	}
	if (memcmp(id, CATERINA_ID, CATERINA_ID_LEN) != 0) {
		st = iw_error_set(err, IW_PROTOCOL, "%s answered \"%.7s\" where Caterina says "
				  "\"CATERIN\": it is not a Caterina bootloader (a sketch's port? "
				  "reset the board twice quickly)", c->port, (const char *)id);
		goto fail;
	}
	{
		uint8_t v = AVR109_SW_VERSION, bq = AVR109_BLOCK_SUPPORT;

		if ((st = xfer(c, &v, 1, ver, 2, "asking its version", err)) != IW_OK ||
		    (st = xfer(c, &bq, 1, r, 3, "asking its block size", err)) != IW_OK)
			goto fail;
	}
	if (r[0] != AVR109_YES || ((unsigned)r[1] << 8 | r[2]) == 0 ||
	    ((unsigned)r[1] << 8 | r[2]) % 2 != 0) {
		st = iw_error_set(err, IW_PROTOCOL, "%s does not do block writes (answer %02X "
				  "%02X %02X)", c->port, r[0], r[1], r[2]);
		goto fail;
	}
	b->info.block_size = (uint32_t)r[1] << 8 | r[2];
	/* Device codes, up to the terminating 0; select the first. */
	{
		uint8_t t = AVR109_DEVICE_CODES, d = 0;
		int i;

		code = 0;
		if ((st = xfer(c, &t, 1, &d, 1, "asking its device codes", err)) != IW_OK)
			goto fail;
		for (i = 0; i < 16 && d != 0; i++) {
			if (code == 0)
				code = d;
			if ((st = serial_read(c->sp, &d, 1, CAT_REPLY_MS, NULL, err)) != IW_OK) {
				st = iw_error_set(err, st, "the bootloader at %s stopped answering "
						  "in the middle of its device codes", c->port);
				goto fail;
			}
		}
		if (i == 16) {
			st = iw_error_set(err, IW_PROTOCOL, "the bootloader at %s lists more than "
					  "15 device codes: not a Caterina", c->port);
			goto fail;
		}
	}
	{
		uint8_t sel[2] = { AVR109_SELECT_DEVICE, code }, pe = AVR109_ENTER_PROG;
		uint8_t sq = AVR109_SIGNATURE;

		if ((st = cmd_cr(c, sel, 2, "selecting the device", err)) != IW_OK ||
		    (st = cmd_cr(c, &pe, 1, "entering programming mode", err)) != IW_OK ||
		    (st = xfer(c, &sq, 1, sig, 3, "reading the signature", err)) != IW_OK)
			goto fail;
	}
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
	uint8_t cmd = AVR109_CHIP_ERASE;

	return cmd_cr(cat_of(b), &cmd, 1, "erasing", err);
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
		cmd[0] = AVR109_BLOCK_WRITE;
		cmd[1] = (uint8_t)(bs >> 8);
		cmd[2] = (uint8_t)bs;
		cmd[3] = AVR109_MEM_FLASH;
		memset(cmd + 4, 0xFF, bs);
		memcpy(cmd + 4, data, len < bs ? len : bs);
		st = cmd_moving(c, cmd, 4 + bs, NULL, 1, bs, "writing a block", err);
	}
	free(cmd);
	return st;
}

static enum iw_status
cat_read(struct boot *b, uint32_t addr, uint8_t *buf, uint32_t len, struct iw_error *err)
{
	struct caterina *c = cat_of(b);
	uint8_t cmd[4] = { AVR109_BLOCK_READ, (uint8_t)(len >> 8), (uint8_t)len,
			   AVR109_MEM_FLASH };
	enum iw_status st;

	if ((st = set_address(c, addr, err)) != IW_OK)
		return st;
	return cmd_moving(c, cmd, sizeof cmd, buf, len, len, "reading a block", err);
}

static enum iw_status
cat_start(struct boot *b, struct iw_error *err)
{
	struct caterina *c = cat_of(b);
	uint8_t leave = AVR109_LEAVE_PROG, exit_cmd = AVR109_EXIT;
	enum iw_status st;

	if ((st = cmd_cr(c, &leave, 1, "leaving programming mode", err)) != IW_OK)
		return st;
	return cmd_cr(c, &exit_cmd, 1, "starting the application", err);
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
