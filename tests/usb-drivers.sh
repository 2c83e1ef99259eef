#!/bin/sh
# usb-drivers.sh PROGRAM - run one of the in-process USB driver tests
# (tests/test-usbtiny, tests/test-usbasp) under umockdev.  When the serial
# helper's shim (tests/serial-shim.so) is built it goes first in LD_PRELOAD,
# before libumockdev-preload, so the permission-denied tests can make the
# open of a usbfs node fail; without it those tests are skipped.
set -u
prog=$top_builddir/tests/$1
lib=libumockdev-preload.so.0
if ! /sbin/ldconfig -p 2>/dev/null | grep -q "$lib" && ! command -v umockdev-wrapper >/dev/null 2>&1; then
	echo "skipped: $lib not found; install umockdev (apt-get install umockdev libumockdev-dev)" >&2
	exit 77
fi
if [ ! -x "$prog" ]; then
	echo "skipped: $prog was not built: configure did not find umockdev-1.0" >&2
	exit 77
fi
shim=$top_builddir/tests/serial-shim.so
if [ -f "$shim" ]; then
	LD_PRELOAD="$shim:$lib${LD_PRELOAD:+:$LD_PRELOAD}"
	ISPWIZ_USB_SHIM=$shim
	export ISPWIZ_USB_SHIM
else
	LD_PRELOAD="$lib${LD_PRELOAD:+:$LD_PRELOAD}"
fi
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
# For the valgrind pass (ISPWIZ_WRAPPER): what umockdev itself does wrong.
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export LD_PRELOAD ASAN_OPTIONS VALGRIND_OPTS
# shellcheck disable=SC2086
exec ${ISPWIZ_WRAPPER:-} "$prog"
