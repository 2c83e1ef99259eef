#!/bin/sh
# `ispwiz merge`: a firmware and a bootloader become one HEX file with one
# end record; overlaps that disagree, images too big for the part and usage
# mistakes are refused with the right exit code and no output file.
. "$top_srcdir/tests/lib.sh"

# The inputs and the expected merge, from tests/gen-hex.py: written
# independently of ispwiz's own writer, so the two can be compared.
need_tool python3

# Application at 0x0000 (600 bytes of 0x11), Caterina-sized bootloader at
# 0x7000 (4 KiB of 0x22), the layout of an ATmega32U4 keyboard.
gen_hex "$T/fw.hex" 0:600:0x11
gen_hex "$T/bl.hex" 0x7000:4096:0x22

# --- success ------------------------------------------------------------------
run 0 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/out.hex"
expect_in "$T/out" "wrote $T/out.hex: 4696 bytes at 0x0000-0x0257, 0x7000-0x7FFF"
expect_in "$T/out" "firmware    $T/fw.hex: 600 bytes at 0x0000-0x0257"
expect_in "$T/out" "bootloader  $T/bl.hex: 4096 bytes at 0x7000-0x7FFF"
# Byte for byte what the two files hold, with one end record at the end.
gen_hex "$T/expected.hex" 0:600:0x11 0x7000:4096:0x22
if ! cmp -s "$T/expected.hex" "$T/out.hex"; then
	fail "out.hex differs from the expected merge"
	diff "$T/expected.hex" "$T/out.hex" | head -10 >&2
fi
ends=$(grep -c '^:00000001FF$' "$T/out.hex")
[ "$ends" = 1 ] || fail "out.hex has $ends end records, expected 1"
[ "$(tail -n 1 "$T/out.hex")" = ":00000001FF" ] || fail "the end record is not the last line"
# No temporary file left next to the output.
leftovers=$(find "$T" -name 'out.hex.*' | wc -l)
[ "$leftovers" -eq 0 ] || fail "temporary files left behind: $(find "$T" -name 'out.hex.*')"

# Options may come first, and relative paths work (everything below uses
# absolute paths, so staying in $T is harmless).
cd "$T" || exit 1
run 0 ispwiz merge -o out2.hex fw.hex bl.hex
cmp -s "$T/out.hex" "$T/out2.hex" || fail "out2.hex differs from out.hex"

# With the part: it fits, and the bootloader sits at a boot-section start.
run 0 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/out.hex" -p atmega32u4
expect_in "$T/out" "fits the 32768-byte flash of ATmega32U4"
expect_not_in "$T/err" "warning"

run 0 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/out.hex" -p atmega32u4 --json
json_check "$T/out" 'd["output"].endswith("/out.hex") and d["bytes"] == 4696'
json_check "$T/out" 'd["ranges"] == [{"start": "0x0000", "end": "0x0257"}, {"start": "0x7000", "end": "0x7FFF"}]'
json_check "$T/out" '[i["bytes"] for i in d["inputs"]] == [600, 4096] and d["inputs"][1]["path"].endswith("/bl.hex")'
json_check "$T/out" 'd["part"] == "atmega32u4" and d["warnings"] == []'

# Identical bytes in both files are fine.
gen_hex "$T/fw-overlap.hex" 0:600:0x11 0x7000:16:0x22
run 0 ispwiz merge "$T/fw-overlap.hex" "$T/bl.hex" -o "$T/same.hex"
cmp -s "$T/out.hex" "$T/same.hex" || fail "identical overlap changed the result"

# A bootloader that does not start at a boot section: a warning, not an error.
gen_hex "$T/bl-odd.hex" 0x7100:256:0x22
run 0 ispwiz merge "$T/fw.hex" "$T/bl-odd.hex" -o "$T/odd.hex" -p atmega32u4
expect_in "$T/err" "warning: $T/bl-odd.hex starts at 0x7100"
expect_in "$T/err" "0x7000"
run 0 ispwiz merge "$T/fw.hex" "$T/bl-odd.hex" -o "$T/odd.hex" -p atmega32u4 --json
json_check "$T/out" 'len(d["warnings"]) == 1 and "0x7100" in d["warnings"][0]'

# --- refusals: exit code and no output file ------------------------------------
# The firmware runs 16 bytes into the bootloader with different bytes; its
# line 1793 holds 0x7000-0x700F.
gen_hex "$T/fw-big.hex" 0:28688:0x11
run 3 ispwiz merge "$T/fw-big.hex" "$T/bl.hex" -o "$T/bad.hex"
expect_in "$T/err" "conflicting data at address 0x7000"
expect_in "$T/err" "$T/bl.hex:1:"
expect_in "$T/err" "$T/fw-big.hex:1793"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created for a conflicting merge"

# The 32U4 layout does not fit a 16 KiB ATmega16U4.
run 3 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/bad.hex" -p atmega16u4
expect_in "$T/err" "does not fit ATmega16U4"
expect_in "$T/err" "the byte at 0x7000 (from $T/bl.hex:1)"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created for an image too large"

run 3 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/bad.hex" -p atmega99
expect_in "$T/err" "unknown part 'atmega99'"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created for an unknown part"

# A damaged input names its file and line.
sed '3s/11/12/' "$T/fw.hex" >"$T/fw-damaged.hex"
run 3 ispwiz merge "$T/fw-damaged.hex" "$T/bl.hex" -o "$T/bad.hex"
expect_in "$T/err" "$T/fw-damaged.hex:3: bad checksum"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created from a damaged input"

run 3 ispwiz merge "$T/fw.hex" "$T/missing.hex" -o "$T/bad.hex"
expect_in "$T/err" "$T/missing.hex"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created with a missing input"

# A bootloader or a programmer's ISP firmware given as the firmware: they
# would merge without a conflict into no keyboard at all.  Refused, saying
# what the file is (the catalog's user entries know these two), exit 4.
known_bootloader
gen_hex "$T/isp.hex" 0x0000:3000:random=8
{
	echo "version: 1"
	echo "programmers:"
	isp_firmware_entry 3000 "$(image_sha "$T/isp.hex")"
} >"$XDG_CONFIG_HOME/ispwiz/isp.yaml"
gen_hex "$T/bl-low.hex" 0x7800:2048:0x22
run 4 ispwiz merge "$T/boot.hex" "$T/bl-low.hex" -o "$T/bad.hex"
expect_in "$T/err" "$T/boot.hex is Caterina: Test Caterina, a bootloader (for the atmega32u4), not a keyboard's firmware"
run 4 ispwiz merge "$T/isp.hex" "$T/bl.hex" -o "$T/bad.hex" -p atmega32u4
expect_in "$T/err" "$T/isp.hex is the ISP firmware of the"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created from a bootloader or ISP firmware"
# The same bootloader as the second file is what it should be: merged.
run 0 ispwiz merge "$T/fw.hex" "$T/boot.hex" -o "$T/known.hex" -p atmega32u4

# An output directory that does not exist: an I/O error naming the path.
run 1 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/nodir/out.hex"
expect_in "$T/err" "$T/nodir/out.hex"
[ ! -e "$T/nodir" ] || fail "a directory was created"

# --- usage errors: exit code 2 ---------------------------------------------------
run 2 ispwiz merge "$T/fw.hex" "$T/bl.hex"
expect_in "$T/err" "no output file"
expect_in "$T/err" "usage: ispwiz merge"

run 2 ispwiz merge "$T/fw.hex" -o "$T/bad.hex"
expect_in "$T/err" "exactly two input files"
[ ! -e "$T/bad.hex" ] || fail "bad.hex was created with one input"

run 2 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o
expect_in "$T/err" "needs a value"

cp "$T/fw.hex" "$T/fw-copy.hex"
run 2 ispwiz merge "$T/fw.hex" "$T/bl.hex" -o "$T/fw.hex"
expect_in "$T/err" "refusing to overwrite the input"
cmp -s "$T/fw.hex" "$T/fw-copy.hex" || fail "the input was overwritten"
# The same file under another name is caught too.
run 2 ispwiz merge fw.hex bl.hex -o ./bl.hex
expect_in "$T/err" "refusing to overwrite the input"

finish
