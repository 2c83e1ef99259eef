#!/bin/sh
# `ispwiz detect` against a umockdev testbed (tests/detect-devices.umockdev:
# a root hub, the Pro Micro ISP programmer, a USBasp, a Bus Pirate, boards in
# Atmel DFU and Caterina, and an unknown gadget): the JSON fields, matching
# with the real catalog, the ambiguous 16C0:05DC, what -v adds, the text
# table's width, and usage errors.  The --watch stream is tested from C
# (test-hotplug.c), which can plug devices in while it runs.
. "$top_srcdir/tests/lib.sh"

need_tool umockdev-run
devs=$top_srcdir/tests/detect-devices.umockdev
# umockdev-run preloads its library; a sanitizer build wants to be first.
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS

# ispwiz runs under $ISPWIZ_WRAPPER (valgrind) inside the testbed too.
detect() {
	# shellcheck disable=SC2086
	umockdev-run -d "$devs" -- ${ISPWIZ_WRAPPER:-} "$ISPWIZ" detect "$@"
}

run 0 detect --json
json_check "$T/out" 'isinstance(d, list) and len(d) == 6'
json_check "$T/out" 'all(set(["kind", "id", "candidates", "usb_id", "port", "by_id", "bus_path",
	"serial", "manufacturer", "product", "accessible", "busy", "problem"]) <= set(x) for x in d)'
json_check "$T/out" 'not any("event" in x for x in d)'
by_id='dict((x["usb_id"], x) for x in d)'
json_check "$T/out" "$by_id['16C0:0483']['kind'] == 'programmer'"
json_check "$T/out" "'avrisp-promicro' in [c['id'] for c in $by_id['16C0:0483']['candidates']]"
json_check "$T/out" "$by_id['16C0:0483']['port'] == '/dev/ttyACM0'"
json_check "$T/out" "$by_id['16C0:0483']['by_id'] == '/dev/serial/by-id/usb-QMK_PM0001-if00'"
json_check "$T/out" "$by_id['16C0:0483']['bus_path'] == '1-1' and $by_id['16C0:0483']['serial'] == 'PM0001'"
json_check "$T/out" "$by_id['16C0:0483']['accessible'] is True and $by_id['16C0:0483']['problem'] is None"
# 16C0:05DC: a USBasp or a keyboard in USBaspLoader; both listed, none picked.
json_check "$T/out" "$by_id['16C0:05DC']['ambiguous'] is True and $by_id['16C0:05DC']['id'] is None"
json_check "$T/out" "'usbasp' in [c['id'] for c in $by_id['16C0:05DC']['candidates']]"
json_check "$T/out" "'bootloader' in [c['kind'] for c in $by_id['16C0:05DC']['candidates']]"
json_check "$T/out" "'Unplug the keyboard' in $by_id['16C0:05DC']['hint']"
json_check "$T/out" "$by_id['16C0:05DC']['port'] is None"
json_check "$T/out" "$by_id['1B4F:9205']['kind'] == 'bootloader' and $by_id['1B4F:9205']['id'] == 'caterina-promicro16'"
json_check "$T/out" "$by_id['1B4F:9205']['port'] == '/dev/ttyACM1'"
json_check "$T/out" "$by_id['03EB:2FF4']['kind'] == 'bootloader' and $by_id['03EB:2FF4']['family'] == 'atmel-dfu'"
json_check "$T/out" "$by_id['1234:5678']['kind'] == 'unknown' and $by_id['1234:5678']['id'] is None"
json_check "$T/out" "$by_id['1234:5678']['product'] == 'Mystery gadget'"

# -v (global, anywhere) adds the root hub.
run 0 detect --json -v
json_check "$T/out" 'len(d) == 7 and "1D6B:0002" in [x["usb_id"] for x in d]'

# The table: recognised names, the candidates, 80 columns.
run 0 detect
expect_in "$T/out" "KIND"
expect_in "$T/out" "caterina-promicro16"
expect_in "$T/out" "/dev/ttyACM0"
expect_in "$T/out" "could be: usbasp (programmer)"
expect_in "$T/out" "by-id: /dev/serial/by-id/usb-QMK_PM0001-if00"
expect_not_in "$T/out" "1D6B:0002"
if awk 'length > 80 { exit 1 }' "$T/out"; then :; else
	fail "a line of the table is wider than 80 columns"
	sed 's/^/  | /' "$T/out" >&2
fi

# Nothing attached: a sentence, not an empty table.
printf '' >"$T/empty.umockdev"
run 0 umockdev-run -d "$T/empty.umockdev" -- "$ISPWIZ" detect
expect_in "$T/out" "No programmers, bootloaders or USB serial ports found."
run 0 umockdev-run -d "$T/empty.umockdev" -- "$ISPWIZ" detect --json
json_check "$T/out" 'd == []'

run 2 "$ISPWIZ" detect extra
expect_in "$T/err" "detect takes no arguments"
run 2 "$ISPWIZ" detect --frobnicate
expect_in "$T/err" "usage: ispwiz detect"

finish
