/*
 * prog-usbasp.h - the `usbasp` driver (USBasp and clones), over libusb-1.0.
 * prog_options.port selects among several devices with the shared ID
 * 16C0:05DC (-P usb:BUS-PATH or -P usb:SERIAL, see usb.h); without it the
 * driver only takes a single device whose product string is "USBasp".
 * Old firmware that cannot set SCK gets one fixed clock and a caps.note
 * naming the slow-clock jumper.
 */
#ifndef ISPWIZ_PROG_PROG_USBASP_H
#define ISPWIZ_PROG_PROG_USBASP_H

#include "prog/prog.h"

extern const struct prog_driver prog_usbasp_driver;

/* What the firmware at the other end said about itself when the driver
 * opened it.  For the USBaspLoader client (src/boot), which must tell that
 * bootloader from a USBasp programmer with the same ID and strings: the
 * 2011 USBasp firmware answers GETCAPABILITIES with 4 bytes, USBaspLoader
 * with none. */
struct prog_usbasp_firmware {
	bool answers_caps;           /* GETCAPABILITIES gave its 4 bytes */
	uint32_t caps;
	bool can_set_sck;            /* SETISPSCK answered (firmware 1.3 on) */
	char bus_path[32];           /* where it is: "1-2" */
};

/* Fill `out`; false when `p` is not open on prog_usbasp_driver. */
bool prog_usbasp_firmware(const struct prog *p, struct prog_usbasp_firmware *out);

#endif
