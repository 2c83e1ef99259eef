#!/bin/sh
# HEX input that must be refused before anything is planned or touched:
# data at the top of the 32-bit address space (a page counter once wrapped
# there and `flash --dry-run` / `station --dry-run` never ended), and a
# file with data beyond the flash of every part in the catalog.  Each run
# is under `timeout`, so a hang fails instead of stalling the suite.
. "$top_srcdir/tests/lib.sh"

need_tool timeout

# timed EXPECTED CMD... : `run` with a hang limit (124 from timeout = hang).
timed() {
	want=$1
	shift
	# shellcheck disable=SC2086
	run "$want" timeout 60 ${ISPWIZ_WRAPPER:-} "$ISPWIZ" "$@"
}

# ELA 0xFFFF, data at 0xFFFFFF80 and up to 0xFFFFFFFF.
cat >"$T/top.hex" <<'HEX'
:02000004FFFFFC
:10FF80001111111111111111111111111111111161
:10FFF00022222222222222222222222222222222E1
:00000001FF
HEX
top_msg="the byte at 0xFFFFFF80 (from $T/top.hex:2) lies beyond its 32768-byte flash"

for cmd in flash station; do
	timed 3 "$cmd" -c sim -p atmega32u4 -f "$T/top.hex" --dry-run
	expect_in "$T/err" "$top_msg"
	expect_in "$T/err" "spans 0xFFFFFF80-0xFFFFFFFF"
	expect_not_in "$T/out" "Dry run"
done
timed 3 flash -c sim -p atmega32u4 -f "$T/top.hex" --yes --sim-state "$T/chip.json"
expect_in "$T/err" "$top_msg"
[ -e "$T/chip.json" ] && fail "a refused image touched the simulated chip"

finish
