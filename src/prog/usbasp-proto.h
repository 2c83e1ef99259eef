/*
 * usbasp-proto.h - the USBasp firmware's protocol (PROTOCOLS.md 5): its
 * vendor requests, their flags and replies, its SCK options and its USB
 * identity.  One copy for the `usbasp` driver (prog-usbasp.c) and its
 * emulator (sim/emu-usbasp.c); the driver's own tuning (timeouts, block
 * sizes) stays in the driver.
 *
 * Every request is a vendor control transfer; the four command bytes ride
 * as wValue = b1 << 8 | b0, wIndex = b3 << 8 | b2.
 */
#ifndef ISPWIZ_PROG_USBASP_PROTO_H
#define ISPWIZ_PROG_USBASP_PROTO_H

/* The firmware's identity (V-USB's shared ID; old firmware used Atmel's). */
#define USBASP_VID            0x16C0
#define USBASP_PID            0x05DC
#define USBASP_OLD_VID        0x03EB
#define USBASP_OLD_PID        0xC7B4
#define USBASP_MANUFACTURER   "www.fischl.de"
#define USBASP_PRODUCT        "USBasp"  /* tells it apart on the shared ID */

/* Vendor requests (bRequest). */
enum {
	USBASP_CONNECT = 1,          /* apply the SCK, RESET pulse, legacy addressing */
	USBASP_DISCONNECT = 2,       /* release the pins */
	USBASP_TRANSMIT = 3,         /* one ISP instruction, 4 bytes back */
	USBASP_READFLASH = 4,        /* wValue = address, wLength = count */
	USBASP_ENABLEPROG = 5,       /* Programming Enable with retries, 1 byte back */
	USBASP_WRITEFLASH = 6,       /* OUT; wIndex = page size and flags */
	USBASP_READEEPROM = 7,
	USBASP_WRITEEEPROM = 8,      /* OUT */
	USBASP_SETLONGADDRESS = 9,   /* 32-bit address in wValue/wIndex: "new mode" */
	USBASP_SETISPSCK = 10,       /* b0 = SCK option, 1 byte back (firmware 1.3+) */
	USBASP_GETCAPABILITIES = 127, /* 4 bytes LE (2011 firmware) */
};

/* One-byte replies of ENABLEPROG and SETISPSCK. */
#define USBASP_OK             0
#define USBASP_FAILED         1
/* ENABLEPROG: the firmware's tries at the 0x53 echo, a RESET pulse each. */
#define USBASP_ENABLE_TRIES   32u

/* WRITEFLASH block flags: the low nibble of wIndex's high byte (its high
 * nibble holds page-size bits 11..8). */
#define USBASP_FLAG_FIRST     0x01   /* the first block of a page run */
#define USBASP_FLAG_LAST      0x02   /* the last: commit a partial page */
#define USBASP_FLAG_MASK      0x0F

/* GETCAPABILITIES bits. */
#define USBASP_CAP_TPI        0x00000001u
#define USBASP_CAP_3MHZ       0x01000000u  /* SETISPSCK option 13 works */

/* SETISPSCK options.  0 ("auto") and an unknown option give the default
 * clock, which is also the only one of firmware before 1.3; the slow-clock
 * jumper (JP3) forces option 5. */
#define USBASP_SCK_AUTO       0
#define USBASP_SCK_8KHZ       5
#define USBASP_SCK_3MHZ       13
#define USBASP_DEFAULT_SCK_HZ 375000u
/* Every option and its clock, fastest first: X(option, hz). */
#define USBASP_SCK_OPTIONS(X)                                                \
	X(13, 3000000u) X(12, 1500000u) X(11, 750000u) X(10, 375000u)          \
	X(9, 187500u) X(8, 93750u) X(7, 32000u) X(6, 16000u) X(5, 8000u)       \
	X(4, 4000u) X(3, 2000u) X(2, 1000u) X(1, 500u)

/* Without SETLONGADDRESS the address is wValue's 16 bits. */
#define USBASP_LEGACY_LIMIT   0x10000u

#endif
