/*
 * stk500-proto.h - STK500v1 as the ArduinoISP sketch speaks it
 * (PROTOCOLS.md 3): command bytes, reply bytes, parameters and the
 * sketch's limits.  One copy for the `avrisp` driver (prog-avrisp.c) and
 * its emulator (sim/emu-avrisp.c); the driver's own tuning (timeouts,
 * retries) stays in the driver.
 *
 * A frame is the command, its arguments, then STK_CRC_EOP; the answer is
 * STK_INSYNC, any data, then STK_OK (or a status saying otherwise).
 */
#ifndef ISPWIZ_PROG_STK500_PROTO_H
#define ISPWIZ_PROG_STK500_PROTO_H

/* Replies. */
#define STK_OK             0x10   /* the last byte of a good answer */
#define STK_FAILED         0x11
#define STK_UNKNOWN        0x12   /* a command the sketch does not know */
#define STK_NODEVICE       0x13
#define STK_INSYNC         0x14   /* the first byte of every answer */
#define STK_NOSYNC         0x15   /* the frame did not end in STK_CRC_EOP */
/* The end of every frame. */
#define STK_CRC_EOP        0x20

/* Commands. */
#define STK_GET_SYNC       0x30
#define STK_GET_SIGN_ON    0x31   /* answers "AVR ISP" */
#define STK_GET_PARAMETER  0x41   /* parameter; answers one byte */
#define STK_SET_DEVICE     0x42   /* STK_SET_DEVICE_LEN bytes */
#define STK_SET_DEVICE_EXT 0x45   /* STK_SET_DEVICE_EXT_LEN bytes */
#define STK_ENTER_PROGMODE 0x50   /* the sketch always answers OK */
#define STK_LEAVE_PROGMODE 0x51
#define STK_LOAD_ADDRESS   0x55   /* word address, little endian */
#define STK_UNIVERSAL      0x56   /* an ISP instruction; answers its 4th byte */
#define STK_PROG_FLASH     0x60   /* accepted, no effect */
#define STK_PROG_DATA      0x61   /* accepted, no effect */
#define STK_PROG_PAGE      0x64   /* length BE16, memory type, data */
#define STK_READ_PAGE      0x74   /* length BE16, memory type */
#define STK_READ_SIGN      0x75   /* answers the three signature bytes */

/* GET_PARAMETER's parameters. */
#define STK_PARM_HW_VER    0x80
#define STK_PARM_SW_MAJOR  0x81
#define STK_PARM_SW_MINOR  0x82
#define STK_PARM_PROGMODE  0x93   /* answers STK_PROGMODE_SERIAL */
#define STK_PROGMODE_SERIAL 'S'

/* PROG_PAGE and READ_PAGE memory types. */
#define STK_MEM_FLASH      'F'
#define STK_MEM_EEPROM     'E'

/* Argument bytes of SET_DEVICE (devicecode ... flash size) and of
 * SET_DEVICE_EXT (its first byte is this count, commandsize). */
#define STK_SET_DEVICE_LEN     20
#define STK_SET_DEVICE_EXT_LEN 5

/* The sketch's page buffer: the most one PROG_PAGE or READ_PAGE moves. */
#define STK_SKETCH_BUFFER  256u

#endif
