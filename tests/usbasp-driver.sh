#!/bin/sh
# The usbasp driver against its emulator (tests/test-usbasp.c).
exec "$top_srcdir/tests/usb-drivers.sh" test-usbasp
