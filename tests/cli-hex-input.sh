#!/bin/sh
# HEX input that must be refused before anything is planned or touched:
# data at the top of the 32-bit address space (a page counter once wrapped
# there and `flash --dry-run` / `station --dry-run` never ended), data
# beyond the flash of every part in the catalog (refused at its line while
# the file is read), an image too big for the part given.  Each run
# is under `timeout`, so a hang fails instead of stalling the suite.
. "$top_srcdir/tests/lib.sh"

need_tool timeout
need_tool python3

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
top_msg="$T/top.hex:2: data at 0xFFFFFF80 lies past 0x1FFFF, the end of the largest flash of any part in the catalog"
for cmd in flash station; do
	timed 3 "$cmd" -c sim -p atmega32u4 -f "$T/top.hex" --dry-run
	expect_in "$T/err" "$top_msg"
	expect_not_in "$T/out" "Dry run"
done
timed 3 flash -c sim -p atmega32u4 -f "$T/top.hex" --yes --sim-state "$T/chip.json"
expect_in "$T/err" "$top_msg"
[ -e "$T/chip.json" ] && fail "a refused image touched the simulated chip"

# An image that some part could hold but not this one: refused against the
# part before a plan is described, with the addresses.
gen_hex "$T/big.hex" 0x7F00:0x200:7
for cmd in flash station; do
	timed 3 "$cmd" -c sim -p atmega32u4 -f "$T/big.hex" --dry-run
	expect_in "$T/err" "the byte at 0x8000 (from $T/big.hex:17) lies beyond its 32768-byte flash"
	expect_in "$T/err" "spans 0x7F00-0x80FF"
	expect_not_in "$T/out" "Dry run"
done

# Data at 16 MiB, beyond every part: refused at its line while reading (the
# damaged line after it is never reached), by flash and by upload.
printf ':020000040100F9\n:10000000000102030405060708090A0B0C0D0E0F78\nnot hex\n' >"$T/far.hex"
far_msg="$T/far.hex:2: data at 0x1000000 lies past 0x1FFFF, the end of the largest flash of any part in the catalog (the AT90USB1286's 128 KiB)"
timed 3 flash -c sim -p atmega32u4 -f "$T/far.hex" --dry-run
expect_in "$T/err" "$far_msg"
timed 3 upload -p atmega32u4 -f "$T/far.hex"
expect_in "$T/err" "$far_msg"

finish
