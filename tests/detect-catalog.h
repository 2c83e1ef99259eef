/*
 * detect-catalog.h - the catalog the detect tests match against, built in
 * C so they test matching alone, not the loader or the data file: every
 * programmer and bootloader family with its USB IDs, including both users
 * of 16C0:05DC (USBasp, USBaspLoader) and of 16C0:0483 (two ArduinoISP
 * boards).
 */
#ifndef ISPWIZ_TESTS_DETECT_CATALOG_H
#define ISPWIZ_TESTS_DETECT_CATALOG_H

#include "core/catalog.h"

/* Each test program uses a different subset. */
#define FX_UNUSED __attribute__((unused))

FX_UNUSED static struct catalog_usb_id fx_ids_teensy_serial[] = { { 0x16C0, 0x0483 } };
FX_UNUSED static struct catalog_usb_id fx_ids_usbtiny[] = { { 0x1781, 0x0C9F } };
FX_UNUSED static struct catalog_usb_id fx_ids_usbasp[] = { { 0x16C0, 0x05DC } };
FX_UNUSED static struct catalog_usb_id fx_ids_buspirate[] = { { 0x0403, 0x6001 }, { 0x04D8, 0xFB00 } };

#define FX_PROG(id_, drv, name_, tr, ids) { .id = (char *)(id_), .driver = (char *)(drv), \
		.name = (char *)(name_), .transport = (tr), .usb_ids = (ids), \
		.n_usb_ids = sizeof(ids) / sizeof((ids)[0]) }
#define FX_BOOT(id_, fam, name_, part_, v, p) { .id = (char *)(id_), .family = (char *)(fam), \
		.name = (char *)(name_), .part = (char *)(part_), .usb_id = { (v), (p) } }

FX_UNUSED static struct catalog_programmer fx_programmers[] = {
	FX_PROG("avrisp-promicro", "avrisp", "Pro Micro as ISP", CATALOG_TRANSPORT_SERIAL, fx_ids_teensy_serial),
	FX_PROG("avrisp-teensy", "avrisp", "Teensy 2.0 as ISP", CATALOG_TRANSPORT_SERIAL, fx_ids_teensy_serial),
	FX_PROG("usbtiny", "usbtiny", "USBtinyISP", CATALOG_TRANSPORT_USB, fx_ids_usbtiny),
	FX_PROG("usbasp", "usbasp", "USBasp", CATALOG_TRANSPORT_USB, fx_ids_usbasp),
	FX_PROG("buspirate", "buspirate", "Bus Pirate", CATALOG_TRANSPORT_SERIAL, fx_ids_buspirate),
};

FX_UNUSED static struct catalog_bootloader fx_bootloaders[] = {
	FX_BOOT("atmel-dfu-atmega32u4", "atmel-dfu", "Atmel DFU (ATmega32U4)", "atmega32u4", 0x03EB, 0x2FF4),
	FX_BOOT("caterina-promicro16", "caterina", "Caterina (Pro Micro 5V)", "atmega32u4", 0x1B4F, 0x9205),
	FX_BOOT("caterina-leonardo", "caterina", "Caterina (Leonardo)", "atmega32u4", 0x2341, 0x0036),
	FX_BOOT("bootloadhid-atmega32a", "bootloadhid", "BootloadHID (ATmega32A)", "atmega32a", 0x16C0, 0x05DF),
	FX_BOOT("usbasploader-atmega32a", "usbasploader", "USBaspLoader (ATmega32A)", "atmega32a", 0x16C0, 0x05DC),
};

FX_UNUSED static const struct catalog fx_catalog = {
	.programmers = fx_programmers,
	.n_programmers = sizeof fx_programmers / sizeof fx_programmers[0],
	.bootloaders = fx_bootloaders,
	.n_bootloaders = sizeof fx_bootloaders / sizeof fx_bootloaders[0],
};

#endif
