#!/bin/sh
# usb-drivers.sh PROGRAM - run one of the in-process USB driver tests
# (tests/test-usbtiny, tests/test-usbasp) under umockdev, through
# tests/umockdev-run.sh.  When the serial helper's shim (tests/serial-shim.so)
# is built it goes first in LD_PRELOAD, before libumockdev-preload, so the
# permission-denied tests can make the open of a usbfs node fail; without it
# those tests are skipped.
set -u
shim=$top_builddir/tests/serial-shim.so
if [ -f "$shim" ]; then
	ISPWIZ_USB_SHIM=$shim
	UMOCKDEV_RUN_FIRST=$shim
	export ISPWIZ_USB_SHIM UMOCKDEV_RUN_FIRST
fi
# For the valgrind pass (ISPWIZ_WRAPPER): what umockdev itself does wrong.
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
exec "$top_srcdir/tests/umockdev-run.sh" "$top_builddir/tests/$1"
