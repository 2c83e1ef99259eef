/*
 * bootloadhid-proto.h - obdev's BootloadHID (PROTOCOLS.md 11): its USB
 * identity and its two HID feature reports.  One copy for the client
 * (boot-bootloadhid.c) and its emulator (sim/emu-bootloadhid.c); timeouts
 * and retries stay in the client.
 *
 * Facts checked against the firmware and the commandline tool of the
 * 2007-2010 releases:
 *   - GET_REPORT of the feature report 1 answers 7 bytes: the report ID
 *     (1), the page size (LE16) and the flash size (LE32);
 *   - SET_REPORT of the feature report 2 is 132 bytes: the report ID (2),
 *     a 24-bit byte address (LE) and 128 data bytes; the firmware erases a
 *     page when a write reaches its first byte and writes it when the data
 *     crosses its end, so whole pages go in one or more reports;
 *   - SET_REPORT of the feature report 1 (7 bytes) leaves the bootloader;
 *   - nothing reads flash back, and nothing protects the bootloader's own
 *     section: a write there overwrites the bootloader.
 */
#ifndef ISPWIZ_BOOT_BOOTLOADHID_PROTO_H
#define ISPWIZ_BOOT_BOOTLOADHID_PROTO_H

/* V-USB's shared ID for HID devices: the strings tell BootloadHID apart. */
#define BOOTLOADHID_VID          0x16C0
#define BOOTLOADHID_PID          0x05DF
#define BOOTLOADHID_MANUFACTURER "obdev.at"
#define BOOTLOADHID_PRODUCT      "HIDBoot"
#define BOOTLOADHID_BCD_DEVICE   0x0100

/* HID class requests to interface 0. */
#define BOOTLOADHID_TYPE_SET     0x21    /* host to device, class, interface */
#define BOOTLOADHID_TYPE_GET     0xA1    /* device to host, class, interface */
#define BOOTLOADHID_GET_REPORT   0x01
#define BOOTLOADHID_SET_REPORT   0x09
/* wValue = report type << 8 | report ID; both reports are feature reports. */
#define BOOTLOADHID_FEATURE      0x0300

#define BOOTLOADHID_REPORT_INFO  1       /* get: the sizes; set: leave */
#define BOOTLOADHID_REPORT_DATA  2       /* set: address and one block */

/* Report 1: ID, page size (LE16), flash size (LE32). */
#define BOOTLOADHID_INFO_LEN     7
/* Report 2: ID, address (LE24), then the block. */
#define BOOTLOADHID_BLOCK        128u
#define BOOTLOADHID_DATA_HEAD    4u
#define BOOTLOADHID_DATA_LEN     (BOOTLOADHID_DATA_HEAD + BOOTLOADHID_BLOCK)

/* The HID report descriptor's length (two vendor feature reports). */
#define BOOTLOADHID_REPORT_DESCRIPTOR_LEN 33

#endif
