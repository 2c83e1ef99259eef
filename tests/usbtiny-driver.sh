#!/bin/sh
# The usbtiny driver against its emulator (tests/test-usbtiny.c).
exec "$top_srcdir/tests/usb-drivers.sh" test-usbtiny
