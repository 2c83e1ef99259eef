#!/bin/sh
# `ispwiz fuses decode` and `ispwiz fuses diff` against the real catalog:
# the key lines of a decode, the JSON shape, each usage error with its exit
# code, and the risk classes of a diff.
. "$top_srcdir/tests/lib.sh"

# expect_re FILE ERE : some line of FILE matches the extended regex
expect_re() {
	if ! grep -Eq -- "$2" "$1"; then
		fail "expected a line matching /$2/ in ${1##*/}"
		sed 's/^/  | /' "$1" >&2
	fi
}

# fits_80 FILE : no line is wider than 80 columns
fits_80() {
	wide=$(awk 'length($0) > 80 { print NR": "$0 }' "$1")
	if [ -n "$wide" ]; then
		fail "lines wider than 80 columns in ${1##*/}:"
		printf '%s\n' "$wide" | sed 's/^/  | /' >&2
	fi
}

# --- decode: Atmel DFU on the ATmega32U4 ---------------------------------------
run 0 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E --hfuse 0x99 --efuse 0xF3
expect_in "$T/out" "ATmega32U4"
expect_re "$T/out" '^lfuse 0x5E = 0101 1110$'
expect_re "$T/out" '^hfuse 0x99 = 1001 1001$'
expect_re "$T/out" '^efuse 0xF3 = 1111 0011$'
expect_re "$T/out" '^  BOOTSZ +bits 2:1 +00 .*2048 words \(4 KiB\).*0x7000'
expect_re "$T/out" '^  JTAGEN +bit 6 +0 programmed'
expect_re "$T/out" '^  SPIEN +bit 5 +0 programmed'
expect_re "$T/out" '^  CKDIV8 +bit 7 +0 programmed'
expect_re "$T/out" '^  BOOTRST +bit 0 +1 unprogrammed'
expect_re "$T/out" '^  HWBE +bit 3 +0 programmed'
expect_re "$T/out" '^  unused bits: 7:4 \(mask 0xF0\)'
expect_not_in "$T/out" "not described in the catalog"
fits_80 "$T/out"

# Values in any accepted notation decode the same ('$5E' is literal).
# shellcheck disable=SC2016
run 0 ispwiz fuses decode -p m32u4 --lfuse '$5E' --hfuse 0b10011001 --efuse F3
expect_re "$T/out" '^hfuse 0x99 = 1001 1001$'

# --- decode: Caterina, with the efuse as real chips read it back -------------
run 0 ispwiz fuses decode -p atmega32u4 --lfuse 0xFF --hfuse 0xD8 --efuse 0xCB
expect_re "$T/out" '^  BOOTRST +bit 0 +0 programmed.*0x7000'
expect_re "$T/out" '^  JTAGEN +bit 6 +1 unprogrammed'
expect_in "$T/out" "0xCB equals 0xFB on this part"

# --- decode: ATmega328P factory fuses -------------------------------------------
run 0 ispwiz fuses decode -p atmega328p --lfuse 0x62 --hfuse 0xD9 --efuse 0xFF
expect_re "$T/out" '^  RSTDISBL +bit 7 +1 unprogrammed'
expect_re "$T/out" '^  DWEN +bit 6 +1 unprogrammed'
expect_re "$T/out" '^  unused bits: 7:3 \(mask 0xF8\)'
fits_80 "$T/out"

# --- decode: ATmega32A has no efuse ----------------------------------------------
run 0 ispwiz fuses decode -p atmega32a --lfuse 0xE1 --hfuse 0x99
expect_re "$T/out" '^  CKOPT +bit 4'
expect_not_in "$T/out" "efuse"
run 2 ispwiz fuses decode -p atmega32a --lfuse 0xE1 --hfuse 0x99 --efuse 0xFF
expect_in "$T/err" "ATmega32A has no efuse"
expect_in "$T/err" "--efuse"

# A part with an efuse decodes without it, and says so.
run 0 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E --hfuse 0x99
expect_in "$T/out" "efuse: not given"

# --- decode: JSON -------------------------------------------------------------------
run 0 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E --hfuse 0x99 --efuse 0xF3 --json
json_check "$T/out" 'd["part"] == "atmega32u4"'
json_check "$T/out" 'sorted(d["fuses"]) == ["efuse", "hfuse", "lfuse"]'
json_check "$T/out" 'd["fuses"]["hfuse"]["value"] == "0x99"'
json_check "$T/out" 'd["fuses"]["efuse"]["unused_mask"] == "0xF0"'
json_check "$T/out" 'd["fuses"]["lfuse"]["unused_mask"] == "0x00"'
json_check "$T/out" '[f for f in d["fuses"]["hfuse"]["fields"] if f["name"] == "JTAGEN"][0]["programmed"] is True'
json_check "$T/out" '[f for f in d["fuses"]["hfuse"]["fields"] if f["name"] == "SPIEN"][0]["programmed"] is True'
json_check "$T/out" '[f for f in d["fuses"]["hfuse"]["fields"] if f["name"] == "BOOTSZ"][0]["programmed"] is None'
json_check "$T/out" '"0x7000" in [f for f in d["fuses"]["hfuse"]["fields"] if f["name"] == "BOOTSZ"][0]["meaning"]'
json_check "$T/out" '[f for f in d["fuses"]["lfuse"]["fields"] if f["name"] == "CKSEL"][0]["value"] == 14'
json_check "$T/out" 'all(set(f) >= {"name", "bits", "mask", "value", "programmed", "meaning"} for b in d["fuses"].values() for f in b["fields"])'

# --- usage errors ------------------------------------------------------------------------
run 3 ispwiz fuses decode -p nosuchpart --lfuse 0x5E --hfuse 0x99
expect_in "$T/err" "unknown part 'nosuchpart'"
expect_in "$T/err" "atmega32u4"
expect_in "$T/err" "atmega328p"

run 2 ispwiz fuses decode --lfuse 0x5E --hfuse 0x99
expect_in "$T/err" "no part given"

run 2 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E
expect_in "$T/err" "missing --hfuse"

run 2 ispwiz fuses decode -p atmega32u4 --hfuse 0x99
expect_in "$T/err" "missing --lfuse"

run 2 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E --hfuse 0x1FF
expect_in "$T/err" "--hfuse: '0x1FF' is more than a byte"

run 2 ispwiz fuses decode -p atmega32u4 --lfuse 0xZZ --hfuse 0x99
expect_in "$T/err" "--lfuse: '0xZZ' is not a hex number: 'Z' is not a hex digit"

run 2 ispwiz fuses decode -p atmega32u4 --lfuse
expect_in "$T/err" "'--lfuse' needs a value"

run 2 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E --hfuse 0x99 --frob
expect_in "$T/err" "unknown option '--frob'"

run 2 ispwiz fuses
expect_in "$T/err" "'decode' or 'diff'"

run 2 ispwiz fuses explain
expect_in "$T/err" "unknown sub-command 'explain'"

# Usage errors in JSON mode still exit 2 and say so on stdout; an unknown
# part is bad input (3), like everywhere else.
run 2 ispwiz fuses decode -p atmega32u4 --lfuse 99 --hfuse 0x99 --json
json_check "$T/out" 'd["exit_code"] == 2'
run 3 ispwiz fuses decode -p nosuchpart --lfuse 0x5E --hfuse 0x99 --json
json_check "$T/out" 'd["exit_code"] == 3 and d["status"] == "NOT_FOUND"'

# --- diff: Caterina -> Atmel DFU ----------------------------------------------------------
run 0 ispwiz fuses diff -p atmega32u4 --from 0xFF,0xD8,0xFB --to 0x5E,0x99,0xF3
expect_in "$T/out" "lfuse 0xFF -> 0x5E"
expect_in "$T/out" "hfuse 0xD8 -> 0x99"
expect_re "$T/out" '^  confirm +CKDIV8 '
expect_re "$T/out" '^  confirm +CKSEL '
expect_re "$T/out" '^  confirm +JTAGEN '
expect_re "$T/out" '^  confirm +BOOTRST '
expect_re "$T/out" '^  inform +HWBE '
expect_re "$T/out" '^overall: confirm'
expect_not_in "$T/out" "refuse"
fits_80 "$T/out"

run 0 ispwiz fuses diff -p atmega32u4 --from 0xFF,0xD8,0xFB --to 0x5E,0x99,0xF3 --json
json_check "$T/out" 'd["class"] == "confirm"'
json_check "$T/out" '{c["field"]: c["class"] for c in d["changes"]}["JTAGEN"] == "confirm"'
json_check "$T/out" '{c["field"]: c["class"] for c in d["changes"]}["HWBE"] == "inform"'
json_check "$T/out" '"BOOTSZ" not in [c["field"] for c in d["changes"]]'
json_check "$T/out" 'all(c["reason"] for c in d["changes"])'
json_check "$T/out" 'd["from"]["hfuse"]["value"] == "0xD8" and d["to"]["hfuse"]["value"] == "0x99"'

# A refused change is reported (exit 0: diff only explains).
run 0 ispwiz fuses diff -p atmega328p --from 0x62,0xD9,0xFF --to 0x62,0x59,0xFF
expect_re "$T/out" '^  refuse +RSTDISBL '
expect_re "$T/out" '^overall: refuse'

run 0 ispwiz fuses diff -p atmega32u4 --from 0x5E,0x99,0xF3 --to 0x5E,0xB9,0xF3 --json
json_check "$T/out" 'd["class"] == "refuse" and d["changes"][0]["field"] == "SPIEN"'

# Only unused bits differ: no change.
run 0 ispwiz fuses diff -p atmega32u4 --from 0xFF,0xD8,0xFB --to 0xFF,0xD8,0xCB
expect_in "$T/out" "only unused bits"
expect_re "$T/out" '^overall: unchanged'

# Without efuse on a part that has one: compared on lfuse and hfuse only.
run 0 ispwiz fuses diff -p atmega32u4 --from 0x5E,0x99 --to 0x5E,0xD9
expect_re "$T/out" '^  inform +JTAGEN '

run 2 ispwiz fuses diff -p atmega32u4 --from 0xFF,0xD8 --to 0x5E,0x99,0xF3
expect_in "$T/err" "give it in both or in neither"
run 2 ispwiz fuses diff -p atmega32a --from 0xE1,0x99,0xFF --to 0xE1,0x99,0xFF
expect_in "$T/err" "ATmega32A has no efuse"
run 2 ispwiz fuses diff -p atmega32u4 --from 0xFF --to 0x5E,0x99
expect_in "$T/err" "needs at least the low and high fuse"
run 2 ispwiz fuses diff -p atmega32u4 --from 0xFF,0xD8,0xFB,0x00 --to 0x5E,0x99
expect_in "$T/err" "more than three values"
run 2 ispwiz fuses diff -p atmega32u4 --from 0xFF,0xQQ --to 0x5E,0x99
expect_in "$T/err" "--from, the hfuse: '0xQQ' is not a hex number"
run 2 ispwiz fuses diff -p atmega32u4 --to 0x5E,0x99
expect_in "$T/err" "missing --from"

finish
