/* emu-usb-std.h - what every emulated USB device answers alike: the
 * standard requests' numbers, string descriptors, and the requests that
 * carry no device-specific data (status, configuration, interface).  Used
 * by the programmer/bootloader emulators (emu-usb.c) and the Atmel DFU
 * one (emu-atmel-dfu-usb.c). */
#ifndef ISPWIZ_SIM_EMU_USB_STD_H
#define ISPWIZ_SIM_EMU_USB_STD_H

#include <stddef.h>
#include <stdint.h>

#define USB_REQ_GET_STATUS        0x00
#define USB_REQ_GET_DESCRIPTOR    0x06
#define USB_REQ_GET_CONFIGURATION 0x08
#define USB_REQ_GET_INTERFACE     0x0A
#define USB_DT_DEVICE  1
#define USB_DT_CONFIG  2
#define USB_DT_STRING  3
#define USB_LANGID_EN_US 0x0409

/* Copy at most `len` bytes of the `n` in `src` to the data stage; the
 * count copied (a host asking for less gets the head, as on a bus). */
int emu_usb_copy_out(uint8_t *data, size_t len, const uint8_t *src, size_t n);

/* String descriptor 0: the one language, US English; 4 bytes in `d`. */
size_t emu_usb_langids(uint8_t d[4]);

/* The string descriptor of ASCII `s` (UTF-16LE) in `d`, at most `cap`
 * bytes; its length. */
size_t emu_usb_string_descriptor(const char *s, uint8_t *d, size_t cap);

/* GET_STATUS, GET_CONFIGURATION and GET_INTERFACE answered as a device
 * in its one configuration does; any other standard request
 * (SET_ADDRESS, SET_CONFIGURATION, SET_INTERFACE, CLEAR_FEATURE,
 * SET_FEATURE) accepted without a data stage: 0. */
int emu_usb_std_plain(uint8_t request, uint8_t *data, size_t len);

#endif
