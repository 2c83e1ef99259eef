/*
 * usbtiny-proto.h - the USBtiny ISP firmware's protocol (PROTOCOLS.md 4):
 * its vendor requests, their arguments and limits, and its USB identity.
 * One copy for the `usbtiny` driver (prog-usbtiny.c) and its emulator
 * (sim/emu-usbtiny.c); the driver's own tuning (timeouts, chunk sizes)
 * stays in the driver.
 *
 * Every request is a low-speed vendor control transfer; SPI carries the
 * four instruction bytes as wValue = c1 << 8 | c0, wIndex = c3 << 8 | c2.
 */
#ifndef ISPWIZ_PROG_USBTINY_PROTO_H
#define ISPWIZ_PROG_USBTINY_PROTO_H

/* The firmware's own identity (Adafruit's ID). */
#define USBTINY_VID           0x1781
#define USBTINY_PID           0x0C9F
#define USBTINY_PRODUCT       "USBtinyISP"

/* Vendor requests (bRequest). */
enum {
	USBTINY_ECHO = 0,            /* the SETUP packet comes back (8 bytes) */
	USBTINY_READ = 1,            /* 1-4, 13: port access of the generic USBtiny */
	USBTINY_WRITE = 2,
	USBTINY_CLR = 3,
	USBTINY_SET = 4,
	USBTINY_POWERUP = 5,         /* wValue = SCK period (µs), wIndex = RESET level */
	USBTINY_POWERDOWN = 6,       /* pins released */
	USBTINY_SPI = 7,             /* one ISP instruction, 4 bytes back */
	USBTINY_POLL_BYTES = 8,      /* wValue = the two "still writing" values */
	USBTINY_FLASH_READ = 9,      /* wIndex = byte address, IN n */
	USBTINY_FLASH_WRITE = 10,    /* wValue = poll timeout (µs), wIndex = address, OUT n */
	USBTINY_EEPROM_READ = 11,
	USBTINY_EEPROM_WRITE = 12,
	USBTINY_DDRWRITE = 13,
	USBTINY_SPI1 = 14,           /* one byte */
};

/* POWERUP's wIndex: the level RESET is driven to. */
#define USBTINY_RESET_LOW     0
#define USBTINY_RESET_HIGH    1

/* POWERUP's SCK period in µs; the firmware's delay loop counts 0 as 256. */
#define USBTINY_PERIOD_MIN    1u
#define USBTINY_PERIOD_MAX    250u

/* The paged requests' byte address is the firmware's 16-bit `uint_t`. */
#define USBTINY_ADDR_LIMIT    0x10000u

#endif
