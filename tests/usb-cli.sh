#!/bin/sh
# tests/usb-cli.sh - `ispwiz flash` and `ispwiz read` with -c usbtiny and
# -c usbasp against the emulators in ispwiz-emu's testbed: the normal jobs,
# the slow paths that must be announced, the "do not guess" rule for the
# shared USBasp ID, and each fault ending with its own message and exit
# status, without hanging.

. "$top_srcdir/tests/lib.sh"

need_emu
need_tool python3

# The same 4 KiB at 0x7000 and at the top of an AT90USB1286, each file
# starting with an Extended Linear Address record.
gen_hex "$T/boot.hex" --ela-first 0x7000:4096:ramp=37,11
gen_hex "$T/top.hex" --ela-first 0x1E000:4096:ramp=37,11

# ispwiz runs under $ISPWIZ_WRAPPER (valgrind in the second pass of
# tests/run-all.sh), with the suppressions for umockdev's own doings.
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"

FAST="--fuses FF,D8,CB"

# ---- jobs ------------------------------------------------------------------
# USBtinyISP on a factory chip (CKDIV8): SCK steps down and says why.
run 0 emu --programmer usbtiny --part m32u4 --dump "$T/t1" -- \
	$ISPWIZ_RUN flash -c usbtiny -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
flash_has "$T/t1" "$T/boot.hex"
expect_in "$T/err" "connected at SCK 500 kHz"
expect_in "$T/err" "CKDIV8"

# USBasp with the bootloader's fuses, and a backup first.
run 0 emu --programmer usbasp --part m32u4 --dump "$T/a1" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" \
	--lfuse 0xFF --hfuse 0xD8 --efuse 0xCB --yes
flash_has "$T/a1" "$T/boot.hex"
json_check "$T/a1.json" 'd["fuses"]["hfuse"] == "0xD8" and d["fuses"]["lfuse"] == "0xFF"'
expect_in "$T/err" "backup written"

# Reading a chip back.
run 0 emu --programmer usbasp --part m32u4 $FAST --preload "$T/boot.hex" --dump "$T/a2" -- \
	$ISPWIZ_RUN read -c usbasp -P {port} -p m32u4 -o "$T/readback"
expect_in "$T/readback.hex" ":10700000"

# AT90USB1286 through USBtinyISP: written and verified above 64 KiB, and the
# slow read path is announced.
run 0 emu --programmer usbtiny --part usb1286 --fuses 5E,99,F3 --dump "$T/t2" -- \
	$ISPWIZ_RUN flash -c usbtiny -P {port} -p usb1286 -f "$T/top.hex" --no-backup
flash_has "$T/t2" "$T/top.hex"
expect_in "$T/err" "addresses only 64 KiB"
expect_in "$T/err" "one byte per USB transfer"

# Old USBasp firmware: the warning names the jumper; a fast chip still works.
run 0 emu --programmer usbasp --old-firmware --part m32u4 $FAST --dump "$T/a3" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "slow-clock jumper (JP3)"
flash_has "$T/a3" "$T/boot.hex"
# ... and a 1 MHz chip only with the jumper closed.
run 6 emu --programmer usbasp --old-firmware --part m328p --dump "$T/a4" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m328p -f "$T/boot.hex" --no-backup
expect_in "$T/err" "JP3"
run 0 emu --programmer usbasp --old-firmware --jumper --part m328p --dump "$T/a5" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m328p -f "$T/boot.hex" --no-backup
flash_has "$T/a5" "$T/boot.hex"

# ---- which device -------------------------------------------------------------
# Two devices with the USBasp's ID: listed, not guessed; -P picks one.
run 5 emu --programmer usbasp --usb-extra 1 --part m32u4 $FAST --dump "$T/a6" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "does not guess"
expect_in "$T/err" "USB 1-2"
expect_in "$T/err" "USB 1-3"
expect_in "$T/err" "-P usb:BUS-PATH"
run 0 emu --programmer usbasp --usb-extra 1 --part m32u4 $FAST --dump "$T/a7" -- \
	$ISPWIZ_RUN flash -c usbasp -P usb:1-2 -p m32u4 -f "$T/boot.hex" --no-backup
flash_has "$T/a7" "$T/boot.hex"
# A V-USB device on that ID that is not a USBasp.
run 5 emu --programmer usbasp --usb-product ps2avrGB --part m32u4 $FAST --dump "$T/a8" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "does not say it is a USBasp"
expect_in "$T/err" "USBaspLoader"
# Nothing plugged in: the USBtinyISP emulator is not what -c usbasp wants.
run 5 emu --programmer usbtiny --part m32u4 $FAST --dump "$T/a9" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "no USBasp (USB ID 16C0:05DC, 03EB:C7B4) is plugged in"

# ---- faults ---------------------------------------------------------------------
run 5 emu --programmer usbtiny --fault eacces --part m32u4 $FAST --dump "$T/f1" -- \
	$ISPWIZ_RUN flash -c usbtiny -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "permission denied"
expect_in "$T/err" "60-ispwiz.rules"
expect_in "$T/err" "udevadm control --reload-rules && sudo udevadm trigger"

run 5 emu --programmer usbasp --fault unplug=5 --part m32u4 $FAST --dump "$T/f2" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "is gone (unplugged"
json_check "$T/f2.json" 'd["counters"]["page_writes"] == 5'

run 5 emu --programmer usbtiny --fault timeout=6 --part m32u4 $FAST --dump "$T/f3" -- \
	$ISPWIZ_RUN flash -c usbtiny -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "did not answer within"

run 5 emu --programmer usbasp --fault stall=8 --part m32u4 $FAST --dump "$T/f4" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "USB stall"

run 5 emu --programmer usbtiny --fault short=7 --part m32u4 $FAST --dump "$T/f5" -- \
	$ISPWIZ_RUN flash -c usbtiny -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "answered 3 of 4 bytes"

run 6 emu --programmer usbasp --fault miso-open --part m32u4 $FAST --dump "$T/f6" -- \
	$ISPWIZ_RUN flash -c usbasp -P {port} -p m32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "did not answer Programming Enable"
json_check "$T/f6.json" 'd["counters"]["page_writes"] == 0'


# ---- a station of several USB programmers -------------------------------------
# Three USBasps on one hub, each with its own factory-fresh chip, found by
# --all: every chip gets the image and the fuses once, and the log tells
# the lanes apart by USB path (and by serial number where there is one).
job="-c usbasp -p atmega32u4 -f $T/boot.hex --lfuse 0xFF --hfuse 0xD8 --efuse 0xCB --yes"
# shellcheck disable=SC2086
run 0 emu --programmer usbasp --usb-extra 2 --usb-serial JIG-A --part m32u4 --dump "$T/s1" -- \
	$ISPWIZ_RUN station $job --all --count 3 --log "$T/s1.jsonl"
expect_in "$T/out" "Station ended: 3 boards, 3 ok, 0 failed on 3 lanes"
for chip in s1 s1.2 s1.3; do
	flash_has "$T/$chip" "$T/boot.hex"
	json_check "$T/$chip.json" 'd["fuses"]["hfuse"] == "0xD8" and d["counters"]["erases"] == 1'
done
python3 - "$T/s1.jsonl" <<'EOF2' || fail "--all: the log does not tell the USB lanes apart"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
lanes = {r["port"]: (r["serial"], r["result"], r["board"]) for r in recs}
assert lanes == {"usb:1-2": ("JIG-A", "ok", 1), "usb:1-3": (None, "ok", 1),
                 "usb:1-4": (None, "ok", 1)}, lanes
assert sorted(r["lane"] for r in recs) == [1, 2, 3], recs
EOF2
# A USBasp plugged into the hub while the station runs (after 1.5 s; 8 s
# under valgrind, whose start alone takes longer) becomes a lane of its own
# and flashes its chip: it is lane 2 although its bus path comes first.
LATER=1500
[ -n "${ISPWIZ_WRAPPER:-}" ] && LATER=8000
# shellcheck disable=SC2086
run 0 emu --programmer usbasp --usb-extra 1 --usb-serial LATE --appear-after-ms $LATER \
	--part m32u4 --dump "$T/s3" -- \
	$ISPWIZ_RUN station $job --all --count 2 --log "$T/s3.jsonl"
expect_in "$T/err" "lane 2: usbasp on usb:1-2 (serial LATE)"
flash_has "$T/s3" "$T/boot.hex"
flash_has "$T/s3.2" "$T/boot.hex"
python3 - "$T/s3.jsonl" <<'EOF2' || fail "--all: the USBasp plugged in later is not a lane of its own"
import json, sys
by = {r["lane"]: r for r in map(json.loads, open(sys.argv[1]))}
assert sorted(by) == [1, 2], by
assert (by[1]["port"], by[1]["serial"]) == ("usb:1-3", None), by[1]
assert (by[2]["port"], by[2]["serial"]) == ("usb:1-2", "LATE"), by[2]
assert all(r["result"] == "ok" for r in by.values()), by
EOF2
# Two named with -P usb:PATH, the first unplugged after 5 pages of its
# board: that lane ends with the cause and its chip's fuses untouched, the
# other flashes its board.
# shellcheck disable=SC2086
run 5 emu --programmer usbasp --usb-extra 1 --fault unplug=5 --part m32u4 --dump "$T/s2" -- \
	$ISPWIZ_RUN station $job -P usb:1-2 -P usb:1-3 --count 2 --log "$T/s2.jsonl"
expect_in "$T/out" "2 boards, 1 ok, 1 failed (last failure: lane 1 board 1 at write)"
expect_in "$T/err" "lane 1 (usb:1-2) ended: board 1: writing the page"
expect_in "$T/err" "the USBasp at USB 1-2 is gone"
json_check "$T/s2.json" 'd["counters"]["page_writes"] == 5 and d["fuses"]["hfuse"] == "0x99"'
flash_has "$T/s2.2" "$T/boot.hex"
json_check "$T/s2.2.json" 'd["fuses"]["hfuse"] == "0xD8"'
python3 - "$T/s2.jsonl" <<'EOF2' || fail "-P usb: the log does not say what happened in each lane"
import json, sys
by = {r["lane"]: r for r in map(json.loads, open(sys.argv[1]))}
assert by[1]["port"] == "usb:1-2" and by[1]["result"] == "failed", by[1]
assert by[1]["cause"] == "programmer-lost" and by[1]["phase"] == "write", by[1]
assert by[2]["port"] == "usb:1-3" and by[2]["result"] == "ok", by[2]
assert by[2]["fuses_after"]["hfuse"] == "0xD8", by[2]
EOF2

finish
