/*
 * prog-usbtiny.h - the `usbtiny` driver (USBtinyISP, PocketAVR), over
 * libusb-1.0.  prog_options.port selects among several programmers
 * (-P usb:BUS-PATH, see usb.h); the catalog entry's usb_ids say which IDs
 * to look for.  On parts over 64 KiB, caps.note explains the slow path for
 * reading the upper flash.
 */
#ifndef ISPWIZ_PROG_PROG_USBTINY_H
#define ISPWIZ_PROG_PROG_USBTINY_H

#include "prog/prog.h"

extern const struct prog_driver prog_usbtiny_driver;

/* SCK steps (1 MHz down to 4 kHz: SCK periods 1..250 µs), fastest first. */
#define PROG_USBTINY_N_SCK 9

#endif
