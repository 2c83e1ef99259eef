/*
 * halfkay-proto.h - the facts of PJRC's HalfKay bootloader protocol as the
 * Teensy 2.0 (ATmega32U4) speaks it (PROTOCOLS.md 8), shared by the client
 * (boot-halfkay.c) and the device-side emulator (src/sim/emu-halfkay.c), so
 * the two cannot drift apart.  Constants only.
 *
 * The device is a HID with no strings; every write is one HID SET_REPORT
 * to interface 0 (output report 0): the block's byte address, low byte
 * first, then its 128 bytes.  The first write erases the chip; a report
 * starting FF FF FF reboots into the application.  Nothing can be read.
 */
#ifndef ISPWIZ_BOOT_HALFKAY_PROTO_H
#define ISPWIZ_BOOT_HALFKAY_PROTO_H

/* USB IDs: the bootloader, and what a Teensy shows besides it. */
#define HALFKAY_VID              0x16C0u
#define HALFKAY_PID              0x0478u
#define HALFKAY_PID_REBOOTOR     0x0477u
#define HALFKAY_PID_SERIAL       0x0483u   /* Teensyduino "USB Serial" */

/* The write: HID class request, host to device, to interface 0. */
#define HALFKAY_REQ_TYPE         0x21u     /* OUT | class | interface */
#define HALFKAY_REQ_SET_REPORT   0x09u
#define HALFKAY_REPORT_VALUE     0x0200u   /* output report, id 0 */
#define HALFKAY_INTERFACE        0

/* The ATmega32U4's report: 2 address bytes + one 128-byte block. */
#define HALFKAY_32U4_BLOCK       128u
#define HALFKAY_32U4_ADDR_BYTES  2u
#define HALFKAY_32U4_REPORT      (HALFKAY_32U4_ADDR_BYTES + HALFKAY_32U4_BLOCK)
/* Bytes the application may use: HalfKay itself sits in the last 512. */
#define HALFKAY_32U4_APP_END     32256u

/* The reboot report: its first three bytes. */
#define HALFKAY_REBOOT_BYTE      0xFFu
#define HALFKAY_REBOOT_LEN       3u

/* How long a host keeps trying a report: the first write (block 0) erases
 * the chip and the device takes no report while it erases; later ones are
 * retried for half a second, 10 ms apart. */
#define HALFKAY_FIRST_PATIENCE_MS 45000u
#define HALFKAY_PATIENCE_MS       500u
#define HALFKAY_RETRY_GAP_MS      10u

#endif
