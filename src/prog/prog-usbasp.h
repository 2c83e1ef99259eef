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

#endif
