#!/bin/sh
# `ispwiz list`: each kind as text and as JSON, the --part and --family
# filters, and the errors for unknown parts, families and kinds.
. "$top_srcdir/tests/lib.sh"

need_tool python3

# Text lines must fit an 80-column terminal.
fits_80() {
	if awk 'length($0) > 80 { bad = 1; print "  too long: " $0 } END { exit bad }' "$T/out" >&2; then
		:
	else
		fail "$1: lines longer than 80 columns"
	fi
}

# ---- text ------------------------------------------------------------------
run 0 ispwiz list programmers
expect_in "$T/out" "TRANSPORT"
expect_in "$T/out" "avrisp-promicro"
expect_in "$T/out" "16C0:0483"
expect_in "$T/out" "usbtiny"
fits_80 "list programmers"

run 0 ispwiz list parts
expect_in "$T/out" "SIGNATURE"
expect_in "$T/out" "atmega32u4"
expect_in "$T/out" "1E 95 87"
expect_in "$T/out" "at90usb1286"
fits_80 "list parts"

run 0 ispwiz list bootloaders
expect_in "$T/out" "ATmega32U4 (atmega32u4):"
expect_in "$T/out" "caterina-promicro16"
expect_in "$T/out" "1B4F:9205"
expect_in "$T/out" "03EB:2FF4"
expect_in "$T/out" "or preset jtag-disabled"
fits_80 "list bootloaders"

# Singular works too; --part takes the avrdude id.
run 0 ispwiz list bootloader --part m32a
expect_in "$T/out" "ATmega32A (atmega32a):"
expect_not_in "$T/out" "caterina"

# ---- JSON ------------------------------------------------------------------
run 0 ispwiz list programmers --json
json_check "$T/out" 'isinstance(d, list) and len(d) >= 5'
json_check "$T/out" 'all(set(p) >= {"id", "driver", "name", "description", "avrdude", "transport", "baud", "usb_ids", "wiring", "warnings", "max_flash", "isp_firmware"} for p in d)'
json_check "$T/out" '[p for p in d if p["id"] == "avrisp-promicro"][0]["usb_ids"] == ["16C0:0483"]'
json_check "$T/out" '{"programmer": "10 (B6)", "target": "RESET"} in [p for p in d if p["id"] == "avrisp-promicro"][0]["wiring"]'
json_check "$T/out" '[p for p in d if p["id"] == "avrisp-promicro"][0]["isp_firmware"]["loader"] == "caterina"'
json_check "$T/out" 'all(p["transport"] in ("serial", "usb", "sim") for p in d)'
json_check "$T/out" 'all((p["baud"] is None) == (p["transport"] != "serial") for p in d)'

run 0 ispwiz list parts --json
json_check "$T/out" 'isinstance(d, list) and len(d) >= 8'
json_check "$T/out" 'all(set(p) >= {"id", "name", "avrdude", "signature", "flash", "page", "eeprom", "fuses", "boot"} for p in d)'
json_check "$T/out" '[p for p in d if p["id"] == "atmega32u4"][0]["signature"] == "1E 95 87"'
json_check "$T/out" '[p for p in d if p["id"] == "atmega32a"][0]["fuses"]["efuse"] is None'
json_check "$T/out" 'all(len(p["boot"]) == 4 and {b["bootsz"] for b in p["boot"]} == {0, 1, 2, 3} for p in d)'
json_check "$T/out" 'all(b["start_byte"] == 2 * b["start_word"] for p in d for b in p["boot"])'
json_check "$T/out" 'all(set(f) >= {"name", "mask", "safety", "description"} for p in d for k in ("lfuse", "hfuse", "efuse") if p["fuses"][k] for f in p["fuses"][k]["fields"])'
json_check "$T/out" 'any(f["name"] == "SPIEN" and f["safety"] == "refuse-unprogrammed" for f in [p for p in d if p["id"] == "atmega32u4"][0]["fuses"]["hfuse"]["fields"])'

run 0 ispwiz list bootloaders --json
json_check "$T/out" 'isinstance(d, list) and len(d) >= 16'
json_check "$T/out" 'all(set(b) >= {"id", "family", "name", "part", "usb_id", "presets", "file", "url", "page", "identities", "combined_sketch", "notes"} for b in d)'
json_check "$T/out" 'all(len(b["usb_id"]) == 9 and b["usb_id"][4] == ":" for b in d)'
json_check "$T/out" 'all(len(b["presets"]) >= 1 for b in d)'
json_check "$T/out" 'all(set(p) >= {"name", "lfuse", "hfuse", "efuse"} for b in d for p in b["presets"])'
json_check "$T/out" 'all(p["lfuse"].startswith("0x") and len(p["hfuse"]) == 4 for b in d for p in b["presets"])'
json_check "$T/out" 'all(p["efuse"] is None for b in d if b["part"] == "atmega32a" for p in b["presets"])'
json_check "$T/out" 'all(p["efuse"] is not None for b in d if b["part"] == "atmega32u4" for p in b["presets"])'
json_check "$T/out" 'all(i["image"]["length"] > 0 and len(i["image"]["sha256"]) == 64 for b in d for i in b["identities"])'
json_check "$T/out" 'all(len(b["identities"]) >= 1 for b in d if b["file"] is not None)'
json_check "$T/out" '[b for b in d if b["id"] == "caterina-leonardo"][0]["sketch_usb_id"] == "2341:8036"'
json_check "$T/out" '[b for b in d if b["id"] == "caterina-promicro16"][0]["usb_id"] == "1B4F:9205"'

# Filters: a part by display name, a family in any case.
run 0 ispwiz list bootloaders --part ATmega32U4 --json
json_check "$T/out" 'len(d) >= 2 and all(b["part"] == "atmega32u4" for b in d)'
run 0 ispwiz list bootloaders --family CATERINA --json
json_check "$T/out" 'len(d) >= 1 and all(b["family"] == "caterina" for b in d)'
run 0 ispwiz list bootloaders --family atmel-dfu --part m32u4 --json
json_check "$T/out" '[b["id"] for b in d] == ["atmel-dfu-atmega32u4"]'
run 0 ispwiz list parts --part usb1286 --json
json_check "$T/out" '[p["id"] for p in d] == ["at90usb1286"]'
# Programmers that can take a 128 KiB part.
run 0 ispwiz list programmers --part at90usb1286 --json
json_check "$T/out" 'len(d) >= 1 and all(p["max_flash"] is None or p["max_flash"] >= 131072 for p in d)'

# ---- errors ----------------------------------------------------------------
run 3 ispwiz list bootloaders --part atmega99
expect_in "$T/err" "unknown part 'atmega99'"
expect_in "$T/err" "atmega32u4"
run 3 ispwiz --json list bootloaders --part atmega99
json_check "$T/out" 'd["event"] == "error" and d["status"] == "NOT_FOUND" and "atmega99" in d["message"]'

run 3 ispwiz list bootloaders --family dfu
expect_in "$T/err" "unknown bootloader family 'dfu'"
expect_in "$T/err" "atmel-dfu"

run 2 ispwiz list
expect_in "$T/err" "list what?"
expect_in "$T/err" "usage: ispwiz list"
run 2 ispwiz list boards
expect_in "$T/err" "cannot list 'boards'"
run 2 ispwiz list parts --family caterina
expect_in "$T/err" "--family only applies"
run 2 ispwiz list parts extra
expect_in "$T/err" "unexpected argument 'extra'"
run 2 ispwiz list parts --part
expect_in "$T/err" "needs a value"

finish
