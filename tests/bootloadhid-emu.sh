#!/bin/sh
# tests/bootloadhid-emu.sh - `ispwiz upload` through the BootloadHID
# emulator (ispwiz-emu --bootloader bootloadhid) on an ATmega32A whose
# BootloadHID sits at 0x7000: the chip holds exactly the image afterwards
# (the gap inside it rewritten blank, the bootloader untouched), the upload
# says it is not verified, and each fault ends with its own message and exit
# status, nothing written where nothing may be.

. "$top_srcdir/tests/lib.sh"

need_emu
need_tool python3

VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"

# The chip: an old 28 KiB firmware and the bootloader (2448 bytes at 0x7000,
# as the catalog's identity); BootloadHID's fuses (BOOTSZ 00: 4 KiB at 0x7000).
gen_hex "$T/chip.hex" 0:28672:random=5 0x7000:2448:random=9
CHIP="--part m32a --fuses 0F,D0 --preload $T/chip.hex"
# The new firmware: 12 KiB, a gap, 4 KiB; what the chip must hold after it:
# the firmware, blank in the gap, the old firmware past the image's end (no
# erase reaches there), the bootloader.
gen_hex "$T/app.hex" 0:12288:random=1 0x5000:4096:random=2
gen_hex "$T/after.hex" 0:12288:random=1 0x5000:4096:random=2 \
	0x6000:4096:random=5@24576 0x7000:2448:random=9
# Reaches 256 bytes into the bootloader's own section.
gen_hex "$T/over.hex" 0:28928:random=3

usb_json() {
	json_check "$1.usb.json" "$2"
}

# ---- the upload ----------------------------------------------------------------
run 0 emu --bootloader bootloadhid $CHIP --dump "$T/u1" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 5
flash_is "$T/u1" "$T/after.hex"
expect_in "$T/out" "written, not verified (BootloadHID cannot read back)"
expect_in "$T/out" "the application was started"
expect_in "$T/err" "BootloadHID at USB 1-2: 32768 bytes of flash, 128-byte blocks, its own section from 0x07000"
expect_in "$T/err" "BootloadHID cannot read the flash back"
# 0x0000-0x6000 block by block, the gap too; nothing in its own section.
usb_json "$T/u1" 'd["spm_pages"] == 192 and d["own_section_writes"] == 0 and d["left"]'

# By name, at its bus path, and the JSON result.
run 0 emu --bootloader bootloadhid $CHIP --dump "$T/u2" -- \
	$ISPWIZ_RUN upload --via bootloadhid -P usb:1-2 -p m32a -f "$T/app.hex" --json
flash_is "$T/u2" "$T/after.hex"
grep '"event":"done"' "$T/out" >"$T/done.json"
json_check "$T/done.json" 'd["result"]["verified"] is False and d["result"]["bootloader"] == "BootloadHID" and d["result"]["pages"]["written"] == 192'

# ---- refusals: nothing is written ---------------------------------------------------
# The image reaches into the bootloader's own section, which BootloadHID
# would overwrite: refused before the first report.
run 3 emu --bootloader bootloadhid $CHIP --dump "$T/r1" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/over.hex" --wait 5
expect_in "$T/err" "from 0x07000 on is the bootloader's own section"
expect_in "$T/err" "nothing was written"
flash_is "$T/r1" "$T/chip.hex"
usb_json "$T/r1" 'd["flash_write_requests"] == 0'

# The device says its chip has 16 KiB: not the ATmega32A given with -p.
run 6 emu --bootloader bootloadhid $CHIP --fault flash-size=16384 --dump "$T/r2" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 5
expect_in "$T/err" "reports 16384 bytes of flash in 128-byte pages, but the ATmega32A given with -p has 32768"
expect_in "$T/err" "nothing was written"
flash_is "$T/r2" "$T/chip.hex"
usb_json "$T/r2" 'd["flash_write_requests"] == 0'

# Another V-USB HID gadget on the shared ID is not taken for BootloadHID:
# finding passes it by, and named with -P it is refused.
run 5 emu --bootloader bootloadhid --usb-product "Macropad" $CHIP --dump "$T/r3" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 1
expect_in "$T/err" "no bootloader appeared within 1 s"
run 5 emu --bootloader bootloadhid --usb-product "Macropad" $CHIP --dump "$T/r4" -- \
	$ISPWIZ_RUN upload --via bootloadhid -P usb:1-2 -p m32a -f "$T/app.hex" --wait 1
expect_in "$T/err" "calls itself \"obdev.at\" \"Macropad\""
expect_in "$T/err" "not a BootloadHID bootloader"
flash_is "$T/r4" "$T/chip.hex"

# ---- faults ---------------------------------------------------------------------
# Unplugged at the 11th block: exit 5, the ten before it are in.
run 5 emu --bootloader bootloadhid $CHIP --fault unplug=10 --dump "$T/f1" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 5
expect_in "$T/err" "writing the block at 0x00500"
expect_in "$T/err" "went away (unplugged, or it left the bootloader)"
usb_json "$T/f1" 'd["spm_pages"] == 10 and not d["left"]'

# A stall on the size report: the message says so, nothing is written.
run 5 emu --bootloader bootloadhid $CHIP --fault stall=0 --dump "$T/f2" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 5
expect_in "$T/err" "USB stall"
flash_is "$T/f2" "$T/chip.hex"

# A stall in the middle of the writing.
run 5 emu --bootloader bootloadhid $CHIP --fault stall=20 --dump "$T/f3" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 5
expect_in "$T/err" "writing the block at 0x00980"
expect_in "$T/err" "USB stall"

finish
