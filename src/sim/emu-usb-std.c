/* emu-usb-std.c - the standard USB answers every emulated device shares. */
#include "sim/emu-usb-std.h"

#include <string.h>

int
emu_usb_copy_out(uint8_t *data, size_t len, const uint8_t *src, size_t n)
{
	if (n > len)
		n = len;
	memcpy(data, src, n);
	return (int)n;
}

size_t
emu_usb_langids(uint8_t d[4])
{
	d[0] = 4;
	d[1] = USB_DT_STRING;
	d[2] = (uint8_t)USB_LANGID_EN_US;
	d[3] = (uint8_t)(USB_LANGID_EN_US >> 8);
	return 4;
}

size_t
emu_usb_string_descriptor(const char *s, uint8_t *d, size_t cap)
{
	size_t n = strlen(s), len = 2 + 2 * n;

	if (len > cap)
		len = cap & ~(size_t)1;
	if (len > 254)     /* bLength is one byte */
		len = 254;
	d[0] = (uint8_t)len;
	d[1] = USB_DT_STRING;
	for (size_t i = 0; 2 + 2 * i + 1 < len; i++) {
		d[2 + 2 * i] = (uint8_t)s[i];
		d[2 + 2 * i + 1] = 0;
	}
	return len;
}

int
emu_usb_std_plain(uint8_t request, uint8_t *data, size_t len)
{
	uint8_t buf[2] = { 0, 0 };

	switch (request) {
	case USB_REQ_GET_STATUS:
		return emu_usb_copy_out(data, len, buf, 2);
	case USB_REQ_GET_CONFIGURATION:
		buf[0] = 1;
		return emu_usb_copy_out(data, len, buf, 1);
	case USB_REQ_GET_INTERFACE:
		return emu_usb_copy_out(data, len, buf, 1);
	default:
		return 0;
	}
}
