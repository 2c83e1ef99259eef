/*
 * avr109-proto.h - the AVR109 ("butterfly") self-programming protocol as
 * Caterina, the Arduino bootloader of ATmega32U4 boards, speaks it over
 * its USB serial port (PROTOCOLS.md section 7).  The one list of command
 * bytes and of what Caterina answers, shared by the client
 * (boot-caterina.c) and the device-side emulator (src/sim/emu-caterina.c).
 *
 * Addresses: 'A' takes a word address (high byte first) for flash, and
 * the same number for EEPROM, where it counts bytes; block commands move
 * it on by the words (flash) or bytes (EEPROM) they transfer.
 */
#ifndef ISPWIZ_BOOT_AVR109_PROTO_H
#define ISPWIZ_BOOT_AVR109_PROTO_H

/* Answers. */
#define AVR109_CR            0x0D  /* "done" */
#define AVR109_UNKNOWN       '?'   /* a command it does not know */
#define AVR109_YES           'Y'

/* Commands: the byte, what follows it, and Caterina's answer. */
#define AVR109_ESC           0x1B  /* nothing follows; ignored, no answer */
#define AVR109_IDENTIFY      'S'   /* -> 7 characters, "CATERIN" */
#define AVR109_SW_VERSION    'V'   /* -> 2 characters, "10" */
#define AVR109_HW_VERSION    'v'   /* -> 2 characters (Caterina: '?', unknown) */
#define AVR109_PROG_TYPE     'p'   /* -> 'S' (serial) */
#define AVR109_AUTOINC       'a'   /* -> 'Y': the address moves on by itself */
#define AVR109_BLOCK_SUPPORT 'b'   /* -> 'Y', block size high, low */
#define AVR109_DEVICE_CODES  't'   /* -> device codes, then 0 */
#define AVR109_SELECT_DEVICE 'T'   /* code -> CR (Caterina ignores the code) */
#define AVR109_ENTER_PROG    'P'   /* -> CR */
#define AVR109_LEAVE_PROG    'L'   /* -> CR */
#define AVR109_SET_ADDRESS   'A'   /* high, low -> CR */
#define AVR109_BLOCK_WRITE   'B'   /* size high, low, memory, data -> CR */
#define AVR109_BLOCK_READ    'g'   /* size high, low, memory -> data */
#define AVR109_CHIP_ERASE    'e'   /* -> CR: the application area only */
#define AVR109_EXIT          'E'   /* -> CR; the bootloader leaves ~500 ms later */
#define AVR109_SIGNATURE     's'   /* -> signature bytes 2, 1, 0 (87 95 1E) */
#define AVR109_READ_LOCK     'r'   /* -> lock byte */
#define AVR109_WRITE_LOCK    'l'   /* lock -> CR */
#define AVR109_READ_LFUSE    'F'   /* -> low fuse */
#define AVR109_READ_HFUSE    'N'   /* -> high fuse */
#define AVR109_READ_EFUSE    'Q'   /* -> extended fuse */
#define AVR109_FILL_LOW      'c'   /* byte -> CR: low byte of the word into the page buffer */
#define AVR109_FILL_HIGH     'C'   /* byte -> CR: high byte; the address moves on */
#define AVR109_WRITE_PAGE    'm'   /* -> CR: the page buffer into flash */
#define AVR109_READ_WORD     'R'   /* -> high byte, low byte; the address moves on */
#define AVR109_WRITE_EEPROM  'D'   /* byte -> CR */
#define AVR109_READ_EEPROM   'd'   /* -> byte */

/* Memory types of the block commands. */
#define AVR109_MEM_FLASH     'F'
#define AVR109_MEM_EEPROM    'E'

/* What Caterina says about itself. */
#define CATERINA_ID          "CATERIN"     /* no terminating 0 on the wire */
#define CATERINA_ID_LEN      7
#define CATERINA_SW_MAJOR    '1'
#define CATERINA_SW_MINOR    '0'
#define CATERINA_PROG_TYPE   'S'
#define CATERINA_DEVICE_CODE 0x44          /* the one code 't' lists */
#define CATERINA_EXIT_MS     500u          /* from 'E' to leaving the bus */

#endif
