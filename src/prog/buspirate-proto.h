/*
 * buspirate-proto.h - the Bus Pirate's binary modes (PROTOCOLS.md 6): the
 * bit-bang and raw-SPI command bytes, their bits and replies, the SPI
 * speeds and the firmware's limits.  One copy for the `buspirate` driver
 * (prog-buspirate.c, buspirate-link.c) and its emulator
 * (sim/emu-buspirate.c); the driver's own tuning (timeouts, retries) stays
 * in the driver.
 */
#ifndef ISPWIZ_PROG_BUSPIRATE_PROTO_H
#define ISPWIZ_PROG_BUSPIRATE_PROTO_H

/* The text terminal switches to bit-bang mode after this many 0x00 in a
 * row; bit-bang mode answers every further 0x00 with BP_BBIO_ID. */
#define BP_BBIO_ZEROS      20u

/* What a mode answers when it is entered. */
#define BP_BBIO_ID         "BBIO1"
#define BP_SPI_ID          "SPI1"

/* Replies to a command. */
#define BP_ACK             0x01
#define BP_NAK             0x00   /* also: SPI mode's answer to an unknown command */

/* Bit-bang mode. */
#define BP_BBIO_RESET      0x00   /* answers BP_BBIO_ID */
#define BP_BBIO_SPI        0x01   /* enter raw SPI: answers BP_SPI_ID */
#define BP_BBIO_TERMINAL   0x0F   /* back to the text terminal: ack, then its banner */
#define BP_BBIO_MISC       0x10   /* 0001xxxx: self tests, PWM, ADC, ...: ack */
#define BP_BBIO_PWM        0x12   /* PWM setup, BP_BBIO_PWM_ARGS argument bytes */
#define BP_BBIO_PWM_ARGS   5
#define BP_BBIO_PINS_DIR   0x40   /* 010xxxxx: pin directions */
#define BP_BBIO_PINS_DIR_MASK 0xE0
#define BP_BBIO_PINS_SET   0x80   /* 1xxxxxxx: pin levels */

/* Raw SPI mode. */
#define BP_SPI_EXIT        0x00   /* back to bit-bang: answers BP_BBIO_ID */
#define BP_SPI_MODE_ID     0x01   /* answers BP_SPI_ID again */
#define BP_SPI_CS_LOW      0x02
#define BP_SPI_CS_HIGH     0x03
#define BP_SPI_WTR_CS      0x04   /* write-then-read with CS: wcount, rcount BE16, data */
#define BP_SPI_WTR         0x05   /* the same without CS (firmware 5.10 and later) */
#define BP_SPI_AVR_EXT     0x06   /* the AVR extension: a sub-command follows */
#define BP_SPI_BULK        0x10   /* 0001nnnn: n + 1 bytes, ack then one byte each */
#define BP_SPI_PERIPH      0x40   /* 0100wxyz: the BP_PERIPH_* bits */
#define BP_SPI_SPEED       0x60   /* 01100xxx: a speed code (BP_SPI_SPEEDS) */
#define BP_SPI_CONFIG      0x80   /* 1000wxyz: the BP_CONFIG_* bits */
/* The high nibble picks a command of either mode, the low one holds its
 * argument bits; a speed code is the low three bits. */
#define BP_CMD_MASK        0xF0
#define BP_ARG_MASK        0x0F
#define BP_SPEED_CODE_MASK 0x07

/* Bulk transfers move 1 to 16 bytes. */
#define BP_BULK_MAX        16u
/* A write-then-read moves at most this many bytes each way; a larger count
 * answers BP_NAK. */
#define BP_WTR_MAX         4096u

/* BP_SPI_PERIPH bits. */
#define BP_PERIPH_POWER    0x08   /* the 3.3 V and 5 V supplies */
#define BP_PERIPH_PULLUPS  0x04
#define BP_PERIPH_AUX      0x02
#define BP_PERIPH_CS       0x01

/* BP_SPI_CONFIG bits. */
#define BP_CONFIG_PUSH_PULL  0x08 /* 3.3 V push-pull outputs, else open drain */
#define BP_CONFIG_IDLE_HIGH  0x04 /* clock idles high */
#define BP_CONFIG_CKE        0x02 /* data changes on the active-to-idle edge */
#define BP_CONFIG_SAMPLE_END 0x01 /* sample at the end of the bit */

/* The AVR extension's sub-commands (after BP_SPI_AVR_EXT, which acks). */
#define BP_AVR_NULL        0x00   /* acks */
#define BP_AVR_VERSION     0x01   /* ack, then the version BE16 */
#define BP_AVR_BULK_READ   0x02   /* BE32 word address, BE32 byte count; ack, data */
/* Its bulk read reaches words below this address. */
#define BP_AVR_READ_WORDS  0x10000u

/* SPI speed codes and their clocks, fastest first: X(code, hz). */
#define BP_SPI_SPEEDS(X)                                                     \
	X(7, 8000000u) X(6, 4000000u) X(5, 2600000u) X(4, 2000000u)            \
	X(3, 1000000u) X(2, 250000u) X(1, 125000u) X(0, 30000u)

#endif
