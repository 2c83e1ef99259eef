#!/bin/sh
# tests/usbasploader-emu.sh - USBaspLoader through its emulator (ispwiz-emu
# --bootloader usbasploader) on an ATmega32A whose bootloader sits at 0x7000:
# `ispwiz upload --via usbasploader` leaves exactly the image and the
# bootloader; avrdude -c usbasp, a client nobody here wrote, writes, verifies
# and reads back through the same emulator, and finds its own section and
# fuses unwritable; the look-alike rule (a 16C0:05DC device is never taken
# for USBaspLoader without --via, a USBasp programmer is refused with it),
# and each fault with its own message and exit status.

. "$top_srcdir/tests/lib.sh"

need_emu
need_tool python3

VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"

# The chip: an old 28 KiB firmware and a 4 KiB bootloader at 0x7000, with
# the catalog's USBaspLoader fuses (hfuse 0xC0: BOOTSZ 00, 4 KiB at 0x7000).
gen_hex "$T/chip.hex" 0:28672:random=5 0x7000:4096:random=9
CHIP="--part m32a --fuses 1F,C0 --preload $T/chip.hex"
gen_hex "$T/boot.hex" 0x7000:4096:random=9
# The new firmware, 12 KiB, a gap, 4 KiB, and the chip after it: Chip Erase
# took the old firmware away, the bootloader stayed.
gen_hex "$T/app.hex" 0:12288:random=1 0x5000:4096:random=2
gen_hex "$T/after.hex" 0:12288:random=1 0x5000:4096:random=2 0x7000:4096:random=9
# A build without Chip Erase: the image's range is rewritten block by block
# (the gap blank), the old firmware past its end stays.
gen_hex "$T/after-noerase.hex" 0:12288:random=1 0x5000:4096:random=2 \
	0x6000:4096:random=5@24576 0x7000:4096:random=9
gen_hex "$T/over.hex" 0:28928:random=3

usb_json() {
	json_check "$1.usb.json" "$2"
}

# ---- the upload ----------------------------------------------------------------
run 0 emu --bootloader usbasploader $CHIP --dump "$T/u1" -- \
	$ISPWIZ_RUN upload --via usbasploader -p m32a -f "$T/app.hex" --wait 5
flash_is "$T/u1" "$T/after.hex"
expect_in "$T/err" "USBaspLoader at USB 1-2: 32768 bytes of flash, 128-byte blocks, its own section from 0x07000"
expect_in "$T/err" "signature 1E 95 02: ATmega32A"
expect_in "$T/out" "written and verified; the application was started"
usb_json "$T/u1" 'd["chip_erases"] == 1 and d["ignored_writes"] == 0 and d["left"]'

run 0 emu --bootloader usbasploader $CHIP --fault no-chip-erase --dump "$T/u2" -- \
	$ISPWIZ_RUN upload --via usbasploader -P usb:1-2 -p m32a -f "$T/app.hex"
flash_is "$T/u2" "$T/after-noerase.hex"

# A build that stays in the bootloader after DISCONNECT: the result says so.
run 0 emu --bootloader usbasploader $CHIP --fault stay --dump "$T/u3" -- \
	$ISPWIZ_RUN upload --via usbasploader -p m32a -f "$T/app.hex" --json
flash_is "$T/u3" "$T/after.hex"
expect_in "$T/out" "still there 1 s after the disconnect"
expect_in "$T/out" "reset the board, to start the firmware"
grep '"event":"done"' "$T/out" >"$T/done.json"
json_check "$T/done.json" 'd["result"]["app_started"] is False and d["result"]["verified"] is True'
usb_json "$T/u3" 'not d["left"]'
run 0 emu --bootloader usbasploader $CHIP --fault stay --dump "$T/u4" -- \
	$ISPWIZ_RUN upload --via usbasploader -p m32a -f "$T/app.hex"
expect_in "$T/out" "written and verified; the bootloader stays: start the application by hand"

# ---- avrdude, unchanged, against the same emulator ---------------------------------
if [ -n "$AVRDUDE" ]; then
	run 0 emu --bootloader usbasploader $CHIP --dump "$T/a1" -- \
		"$AVRDUDE" -C "$AVRDUDE_CONF" -c usbasp -P usb -p m32 -U "flash:w:$T/app.hex:i"
	expect_in "$T/err" "device signature = 0x1e9502"
	expect_in "$T/err" "bytes of flash verified"
	flash_is "$T/a1" "$T/after.hex"
	# ... and reads back what ispwiz wrote, bootloader included.
	run 0 emu --bootloader usbasploader --part m32a --fuses 1F,C0 --preload "$T/after.hex" \
		--dump "$T/a2" -- "$AVRDUDE" -C "$AVRDUDE_CONF" -c usbasp -P usb -p m32 \
		-U "flash:r:$T/readback.hex:i" -U "lfuse:r:$T/lfuse:h"
	python3 "$top_srcdir/tests/check-dump.py" "$T/a2" "$T/readback.hex" ||
		fail "avrdude read back something else than the chip holds"
	flash_is "$T/a2" "$T/readback.hex"
	expect_in "$T/lfuse" "0x1f"
	# Its own section and the fuses cannot be written, as on the real one:
	# avrdude's verify finds the difference.
	run 1 emu --bootloader usbasploader $CHIP --dump "$T/a3" -- \
		"$AVRDUDE" -C "$AVRDUDE_CONF" -c usbasp -P usb -p m32 -U "flash:w:$T/over.hex:i"
	expect_in "$T/err" "verification mismatch"
	expect_in "$T/err" "at addr 0x7000"
	flash_has "$T/a3" "$T/boot.hex"
	usb_json "$T/a3" 'd["ignored_writes"] >= 1'
	run 1 emu --bootloader usbasploader $CHIP --dump "$T/a4" -- \
		"$AVRDUDE" -C "$AVRDUDE_CONF" -c usbasp -P usb -p m32 -U hfuse:w:0xD8:m
	json_check "$T/a4.json" 'd["fuses"]["hfuse"] == "0xC0"'
fi

# ---- which device ----------------------------------------------------------------
# Without --via a 16C0:05DC device is never taken for USBaspLoader: named at
# once, and the error says what to do.
run 5 emu --bootloader usbasploader $CHIP --dump "$T/w1" -- \
	$ISPWIZ_RUN upload -p m32a -f "$T/app.hex" --wait 1
expect_in "$T/err" "warning: the device at USB 1-2 (16C0:05DC) may be a USBasp programmer or a USBaspLoader bootloader"
expect_in "$T/err" "if it is the keyboard's bootloader, pass --via usbasploader"
expect_in "$T/err" "no bootloader ispwiz may use appeared within 1 s"
flash_is "$T/w1" "$T/chip.hex"
usb_json "$T/w1" 'd["vendor_requests"] == 0'

# With --via, a USBasp programmer (the plain USBasp emulator, a chip on its
# cable) is refused before anything is erased, each kind by its own
# evidence: the 2011 firmware by GETCAPABILITIES, an older one by its chip's
# echo, an older one with no chip by the Programming Enable that fails.
not_a_loader() {
	evidence=$1
	shift
	run 4 emu --programmer usbasp "$@" $CHIP --dump "$T/p1" -- \
		$ISPWIZ_RUN upload --via usbasploader -p m32a -f "$T/app.hex" --wait 5
	expect_in "$T/err" "a USBasp where USBaspLoader was expected: the device at USB 1-2 $evidence"
	expect_in "$T/err" "nothing was done"
	flash_is "$T/p1" "$T/chip.hex"
	json_check "$T/p1.json" 'd["counters"]["erases"] == 0 and d["counters"]["page_writes"] == 0'
}
not_a_loader "answers GETCAPABILITIES"
not_a_loader "echoes Programming Enable (0x53)" --old-firmware
not_a_loader "cannot enter programming mode" --old-firmware --fault miso-open

# ---- refusals and faults ------------------------------------------------------------
run 3 emu --bootloader usbasploader $CHIP --dump "$T/r1" -- \
	$ISPWIZ_RUN upload --via usbasploader -p m32a -f "$T/over.hex"
expect_in "$T/err" "from 0x07000 on is the bootloader's own section"
flash_is "$T/r1" "$T/chip.hex"
usb_json "$T/r1" 'd["chip_erases"] == 0 and d["flash_write_requests"] == 0'

# The chip is not the part named with -p.
run 6 emu --bootloader usbasploader $CHIP --dump "$T/r2" -- \
	$ISPWIZ_RUN upload --via usbasploader -p m328p -f "$T/app.hex"
expect_in "$T/err" "the bootloader runs on ATmega32A (signature 1E 95 02), not on the ATmega328P"
flash_is "$T/r2" "$T/chip.hex"

run 2 ispwiz upload --via nosuch -p m32a -f "$T/app.hex"
expect_in "$T/err" "bootloadhid, usbasploader"

# Unplugged at the 6th page: exit 5, its message, the bootloader still there.
run 5 emu --bootloader usbasploader $CHIP --fault unplug=5 --dump "$T/f1" -- \
	$ISPWIZ_RUN upload --via usbasploader -p m32a -f "$T/app.hex"
expect_in "$T/err" "writing the block at 0x00280"
expect_in "$T/err" "USBaspLoader at USB 1-2 went away"
flash_has "$T/f1" "$T/boot.hex"
usb_json "$T/f1" 'd["spm_pages"] == 5 and not d["left"]'

finish
