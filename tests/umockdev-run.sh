#!/bin/sh
# umockdev-run.sh PROGRAM [ARGS...] - run a compiled test in-process under
# umockdev: libumockdev-preload.so goes first in LD_PRELOAD (so the test's
# umockdev_testbed_new() redirects /sys, /dev and uevents), then the program
# runs under $ISPWIZ_WRAPPER when one is set (valgrind in tests/run-all.sh).
# A library that must see the calls before umockdev does (a shim) goes in
# $UMOCKDEV_RUN_FIRST: it is preloaded first.
# Exit 77 (skip) when umockdev is not installed.
set -u
lib=libumockdev-preload.so.0
if ! /sbin/ldconfig -p 2>/dev/null | grep -q "$lib" && ! command -v umockdev-wrapper >/dev/null 2>&1; then
	echo "skipped: $lib not found; install umockdev (apt-get install umockdev libumockdev-dev)" >&2
	exit 77
fi
if [ ! -x "$1" ]; then
	echo "skipped: $1 was not built: configure did not find umockdev-1.0 (apt-get install libumockdev-dev)" >&2
	exit 77
fi
LD_PRELOAD="${UMOCKDEV_RUN_FIRST:+$UMOCKDEV_RUN_FIRST:}$lib${LD_PRELOAD:+:$LD_PRELOAD}"
# ASan insists on being first in the preload list; umockdev's must be.
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LD_PRELOAD ASAN_OPTIONS
# shellcheck disable=SC2086
exec ${ISPWIZ_WRAPPER:-} "$@"
