/*
 * atmel-dfu-proto.h - Atmel's USB DFU bootloader of the megaAVR USB parts
 * (PROTOCOLS.md 10): the USB DFU class requests it answers, the DFU states
 * and status codes, and Atmel's FLIP command set that rides on DNLOAD
 * payloads.  One copy for the client (boot-atmel-dfu.c) and its emulator
 * (sim/emu-atmel-dfu.c); each side's own tuning (timeouts, times) stays
 * with it.
 *
 * Every request is a class request to interface 0 (bmRequestType 0x21 out,
 * 0xA1 in).  A command is one DNLOAD whose payload starts with the command
 * group and its arguments; what it asks for comes back in the UPLOAD that
 * follows (reads) or in GETSTATUS (everything).  Addresses in commands are
 * 16 bits, big-endian, end inclusive, inside the 64 KiB page selected with
 * ATMEL_DFU_SELECT_PAGE (parts over 64 KiB).
 *
 * Facts restated from dfu-programmer's behaviour (the reference client)
 * and the DFU 1.1 specification; the ones marked "unconfirmed" come from
 * LUFA's DFU bootloader, which answers Atmel's command set, and have not
 * been checked against Atmel's own (doc7618).
 */
#ifndef ISPWIZ_BOOT_ATMEL_DFU_PROTO_H
#define ISPWIZ_BOOT_ATMEL_DFU_PROTO_H

/* The bootloaders' USB identity: Atmel's VID and one PID per part. */
#define ATMEL_DFU_VID              0x03EB
#define ATMEL_DFU_PID_ATMEGA16U4   0x2FF3
#define ATMEL_DFU_PID_ATMEGA32U4   0x2FF4
#define ATMEL_DFU_PID_AT90USB64    0x2FF9
#define ATMEL_DFU_PID_AT90USB128   0x2FFB

/* The interface: application-specific class, DFU subclass.  Atmel's
 * bootloader has no DFU functional descriptor (so no wTransferSize: the
 * size below is what the reference client uses). */
#define ATMEL_DFU_CLASS            0xFE
#define ATMEL_DFU_SUBCLASS         0x01
#define ATMEL_DFU_INTERFACE        0

/* bmRequestType of the class requests to the interface. */
#define ATMEL_DFU_TYPE_OUT         0x21
#define ATMEL_DFU_TYPE_IN          0xA1

/* DFU class requests (bRequest). */
enum {
	ATMEL_DFU_DETACH = 0,        /* runtime mode only: stalled here */
	ATMEL_DFU_DNLOAD = 1,        /* wValue = transaction counter, OUT: a command */
	ATMEL_DFU_UPLOAD = 2,        /* IN: what the last read command asked for */
	ATMEL_DFU_GETSTATUS = 3,     /* IN 6: status, poll timeout (3, LE), state, iString */
	ATMEL_DFU_CLRSTATUS = 4,     /* dfuERROR -> dfuIDLE, status OK */
	ATMEL_DFU_GETSTATE = 5,      /* IN 1: the state */
	ATMEL_DFU_ABORT = 6,         /* back to dfuIDLE */
};

#define ATMEL_DFU_STATUS_LEN       6

/* bState */
enum {
	ATMEL_DFU_APP_IDLE = 0,
	ATMEL_DFU_APP_DETACH = 1,
	ATMEL_DFU_IDLE = 2,
	ATMEL_DFU_DNLOAD_SYNC = 3,
	ATMEL_DFU_DNBUSY = 4,
	ATMEL_DFU_DNLOAD_IDLE = 5,
	ATMEL_DFU_MANIFEST_SYNC = 6,
	ATMEL_DFU_MANIFEST = 7,
	ATMEL_DFU_MANIFEST_WAIT_RESET = 8,
	ATMEL_DFU_UPLOAD_IDLE = 9,
	ATMEL_DFU_ERROR = 10,
};

/* bStatus */
enum {
	ATMEL_DFU_OK = 0x00,
	ATMEL_DFU_ERR_TARGET = 0x01,       /* not meant for this device */
	ATMEL_DFU_ERR_FILE = 0x02,         /* vendor check failed: read-protected */
	ATMEL_DFU_ERR_WRITE = 0x03,        /* cannot write the memory */
	ATMEL_DFU_ERR_ERASE = 0x04,        /* the erase failed */
	ATMEL_DFU_ERR_CHECK_ERASED = 0x05, /* the blank check found data */
	ATMEL_DFU_ERR_PROG = 0x06,         /* programming failed */
	ATMEL_DFU_ERR_VERIFY = 0x07,
	ATMEL_DFU_ERR_ADDRESS = 0x08,      /* an address out of range */
	ATMEL_DFU_ERR_NOTDONE = 0x09,      /* end of data before it was complete */
	ATMEL_DFU_ERR_FIRMWARE = 0x0A,
	ATMEL_DFU_ERR_VENDOR = 0x0B,
	ATMEL_DFU_ERR_USBR = 0x0C,
	ATMEL_DFU_ERR_POR = 0x0D,
	ATMEL_DFU_ERR_UNKNOWN = 0x0E,
	ATMEL_DFU_ERR_STALLEDPKT = 0x0F,   /* a request the state does not take */
};

/* Command groups (the first payload byte) and their commands. */
enum {
	ATMEL_DFU_PROG_START = 0x01,       /* data0 memory, start, end; data at 32 */
	ATMEL_DFU_DISPLAY = 0x03,          /* data0 what, start, end */
	ATMEL_DFU_WRITE = 0x04,            /* erase, start the application */
	ATMEL_DFU_READ_CONFIG = 0x05,      /* data0 bank, data1 byte: one byte back */
	ATMEL_DFU_SELECT = 0x06,           /* 0x03 0x00 page: the 64 KiB page */
};

/* PROG_START's memory byte. */
#define ATMEL_DFU_MEM_FLASH        0x00
#define ATMEL_DFU_MEM_EEPROM       0x01

/* DISPLAY's data0. */
#define ATMEL_DFU_DISPLAY_FLASH    0x00
#define ATMEL_DFU_DISPLAY_BLANK    0x01   /* blank check of [start, end] */
#define ATMEL_DFU_DISPLAY_EEPROM   0x02

/* WRITE's commands: 04 00 FF erases the application area, 04 03 00 resets
 * the chip (watchdog) and 04 03 01 HI LO jumps to HI:LO, both at the
 * zero-length DNLOAD that follows. */
#define ATMEL_DFU_WRITE_ERASE      0x00
#define ATMEL_DFU_ERASE_ALL        0xFF
#define ATMEL_DFU_WRITE_START      0x03
#define ATMEL_DFU_START_RESET      0x00
#define ATMEL_DFU_START_JUMP       0x01

/* READ_CONFIG's banks and bytes: 05 00 00 the bootloader version, 05 00 01
 * and 05 00 02 its ID bytes; 05 01 30 the manufacturer code (0x58 on
 * Atmel's, unconfirmed), 05 01 31 / 60 / 61 the three signature bytes. */
#define ATMEL_DFU_CFG_BOOTLOADER   0x00
#define ATMEL_DFU_CFG_VERSION      0x00
#define ATMEL_DFU_CFG_ID1          0x01
#define ATMEL_DFU_CFG_ID2          0x02
#define ATMEL_DFU_CFG_SIGNATURE    0x01
#define ATMEL_DFU_CFG_MANUFACTURER 0x30
#define ATMEL_DFU_CFG_SIG1         0x31
#define ATMEL_DFU_CFG_SIG2         0x60
#define ATMEL_DFU_CFG_SIG3         0x61
#define ATMEL_DFU_MANUFACTURER_ATMEL 0x58

/* SELECT's 64 KiB page command: 06 03 00 PAGE. */
#define ATMEL_DFU_SELECT_MEMORY    0x03
#define ATMEL_DFU_SELECT_PAGE      0x00
#define ATMEL_DFU_PAGE_SIZE        0x10000u

/* A program command: the 6 command bytes padded to a 32-byte control
 * block, then (start % 32) filler bytes so that each data byte sits at its
 * address's offset in a 32-byte packet (unconfirmed: the reference client
 * sends none, and starts its blocks where the data starts), the data, and
 * a 16-byte DFU suffix ("DFU" signature; the bootloader ignores it). */
#define ATMEL_DFU_CONTROL_BLOCK    32u
#define ATMEL_DFU_ALIGN            32u
#define ATMEL_DFU_SUFFIX           16u
/* The most data one program command or one UPLOAD carries (the reference
 * client's limit). */
#define ATMEL_DFU_MAX_TRANSFER     1024u
/* A blank check that finds data: dfuERROR with errCHECK_ERASED, and an
 * UPLOAD gives the first address that is not blank, 2 bytes, low byte
 * first (unconfirmed). */
#define ATMEL_DFU_BLANK_ADDR_LEN   2

#endif
