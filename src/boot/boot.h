/*
 * boot.h - the one interface of every USB-bootloader client: a device that
 * writes its own flash (Caterina/AVR109, HalfKay, Atmel DFU, BootloadHID,
 * USBaspLoader).  Beside src/prog's ISP programmers, not inside them: an
 * ISP programmer writes another chip over SPI, a bootloader writes the chip
 * it runs on and can never touch its own section.
 *
 * A client opens the device (a serial port, or a USB device found by the
 * catalog's IDs or given as usb:BUS-PATH), says what it is (signature or
 * part, flash size, block size, where its own section starts and so where
 * the application area ends), and then erases the application area,
 * writes blocks, reads back where the protocol can and starts the
 * application.  What to write and in which order (refuse what does not
 * fit, erase, write only covered blocks, verify, start) is the upload
 * runner's business in src/job; a client only speaks its protocol.
 *
 * Clients are const tables listed in boot.c (like src/prog's drivers);
 * adding a protocol touches one new file and one line there.
 */
#ifndef ISPWIZ_BOOT_BOOT_H
#define ISPWIZ_BOOT_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/error.h"

struct boot;

/* What the device says about itself (filled in by open()). */
struct boot_info {
	/* The part: from the signature when the protocol gives one, else the
	 * part the user named (opt->part). */
	const struct catalog_part *part;
	bool have_signature;
	uint8_t signature[3];
	uint32_t flash_size;        /* bytes the chip has */
	uint32_t block_size;        /* bytes per write; writes are block-aligned */
	/* The first byte the bootloader protects (its own section): writes
	 * must end at or below it.  Never guessed: from the device, or from
	 * the protocol's fixed layout for this part. */
	uint32_t app_end;
	bool can_read;              /* flash can be read back (verify) */
	/* Erasing is a separate step; false when the protocol erases with its
	 * first write (HalfKay) or page by page (AVR109's B command). */
	bool explicit_erase;
	/* The first write erases the chip, so block 0 is always written first,
	 * blank or not (HalfKay). */
	bool first_block_erases;
	/* Every block from the image's first to its last is written, blank or
	 * not: nothing erases the application area, each write erases only the
	 * page it writes (BootloadHID), so a block left out would keep what an
	 * earlier firmware put there. */
	bool write_blank;
	/* Set by start_app when the application did not start by itself: what
	 * a person does to start it, one sentence ("" when it started). */
	char start_note[256];
	char name[64];              /* "Caterina", "HalfKay" */
	char version[32];           /* "1.0", "" when the protocol has none */
	char where[128];            /* "/dev/ttyACM1", "USB 1-2" */
};

struct boot_options {
	const char *port;           /* serial port, usb:BUS-PATH, usb:SERIAL; NULL: find it */
	const struct catalog *catalog;
	const struct catalog_part *part;          /* the part the user expects */
	/* USB IDs the device may enumerate with (the catalog's bootloader
	 * entries of this family), for clients that find it on USB. */
	const struct catalog_usb_id *usb_ids;
	size_t n_usb_ids;
	/* Microseconds each block write takes at least (the demo's pacing,
	 * boot-sim.c); 0 for real devices, which take what they take. */
	unsigned pace_page_us;
};

struct boot_driver {
	const char *name;           /* "caterina", "halfkay", ... (--via) */
	const char *title;          /* "Caterina (AVR109)" */
	enum catalog_transport transport;
	/* The catalog bootloader family whose usb_id entries this client
	 * serves, or NULL; and IDs it always knows (HalfKay's 16C0:0478). */
	const char *family;
	const struct catalog_usb_id *ids;
	size_t n_ids;
	/* The IDs are shared with other devices (V-USB's 16C0:05DF): a device
	 * with them is this bootloader only when its strings say so (NULL: not
	 * looked at). */
	const char *manufacturer, *product;
	/* The ID and strings alone cannot tell this bootloader from another
	 * device (USBaspLoader looks exactly like a USBasp programmer): finding
	 * never picks it, only --via does; `looks_like` says what else such a
	 * device may be ("a USBasp programmer"). */
	bool only_via;
	const char *looks_like;
	/* What a person does to start this bootloader by hand, one sentence. */
	const char *how_to_enter;
	/* Optional: ask a running application (at `port`, enumerating as a
	 * sketch of this bootloader's family) to start the bootloader, as the
	 * Arduino IDE does: the device then leaves and comes back as the
	 * bootloader.  IW_NO_PROGRAMMER when the port cannot be opened. */
	enum iw_status (*enter)(const char *port, struct iw_error *err);
	enum iw_status (*open)(struct boot *b, const struct boot_options *opt,
			       struct iw_error *err);
	void (*close)(struct boot *b);
	/* Erase the application area (never the bootloader's own section).
	 * NULL when info.explicit_erase is false. */
	enum iw_status (*erase)(struct boot *b, struct iw_error *err);
	/* Write one block of info.block_size bytes at block-aligned `addr`
	 * below info.app_end (`len` may be shorter for the last block; the
	 * client pads with 0xFF where its protocol needs whole blocks). */
	enum iw_status (*write)(struct boot *b, uint32_t addr, const uint8_t *data,
				uint32_t len, struct iw_error *err);
	/* Read back `len` bytes from `addr`; NULL when info.can_read is false. */
	enum iw_status (*read)(struct boot *b, uint32_t addr, uint8_t *buf, uint32_t len,
			       struct iw_error *err);
	/* Leave the bootloader and start the application.  The device goes
	 * away from the bus afterwards; nothing is sent after this. */
	enum iw_status (*start_app)(struct boot *b, struct iw_error *err);
};

struct boot {
	const struct boot_driver *driver;
	struct boot_info info;
	void *priv;                 /* the client's own state */
};

/* The client called `name`, or NULL. */
const struct boot_driver *boot_driver_find(const char *name);
/* The client that speaks to a catalog bootloader family ("caterina",
 * "halfkay", "atmel-dfu", "bootloadhid", "usbasploader"), or NULL. */
const struct boot_driver *boot_driver_for_family(const char *family);
/* The i-th client (from 0), NULL past the last. */
const struct boot_driver *boot_driver_at(size_t i);
/* "caterina, halfkay, ..." for messages. */
const char *boot_driver_names(char *buf, size_t size);

/*
 * Where the bootloader of `family` on `part` starts its own section: the
 * first byte an upload must not write.  For a protocol that does not say
 * (AVR109, BootloadHID, USBaspLoader): the lowest boot start of the
 * catalog's identities of that family for the part (where the known files
 * sit); without one, the lowest boot section the family's fuse presets
 * select (BOOTSZ in their high fuse); without those, the largest boot
 * section the part can have, which keeps clear whatever the fuses select.
 * The part's flash size when it has no boot sections.
 */
uint32_t boot_own_section(const struct catalog *cat, const struct catalog_part *part,
			  const char *family);

/* Open `b` with client `d`; on failure `b` needs no boot_close(). */
enum iw_status boot_open(struct boot *b, const struct boot_driver *d,
			 const struct boot_options *opt, struct iw_error *err);
void boot_close(struct boot *b);

#endif
