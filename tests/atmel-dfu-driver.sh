#!/bin/sh
# The Atmel DFU client against its emulator (tests/test-atmel-dfu.c).
exec "$top_srcdir/tests/usb-drivers.sh" test-atmel-dfu
