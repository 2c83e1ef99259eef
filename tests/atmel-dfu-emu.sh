#!/bin/sh
# tests/atmel-dfu-emu.sh - the Atmel DFU bootloader emulator in ispwiz-emu's
# testbed (--bootloader atmel-dfu): the reference client, dfu-programmer,
# leaves exactly the image in the chip through it (ATmega32U4, and an
# AT90USB1286 with an image above 64 KiB, which needs the page select);
# `ispwiz upload` does the same and verifies; and each fault ends with its
# own message and exit status, without hanging: a DFU error status in the
# middle of the write, the security bit, the device resetting in the middle
# (and coming back), an image reaching into the bootloader's own section,
# a device of another part than -p, no access to the device.

. "$top_srcdir/tests/lib.sh"

need_emu
need_tool python3

# ispwiz runs under $ISPWIZ_WRAPPER (valgrind in the second pass of
# tests/run-all.sh), with the suppressions for umockdev's own doings.
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"
DFU_PROGRAMMER=${DFU_PROGRAMMER:-$(command -v dfu-programmer || true)}

# The chip erase takes 20 ms instead of the realistic 4 ms a page.
QUICK="--erase-ms 20"

# A 28 KiB keyboard firmware for the 32U4 (all of its application area);
# for the AT90USB1286 pieces low, across 64 KiB and right below its 8 KiB
# bootloader at 0x1E000; one that reaches into the 32U4's bootloader.
gen_hex "$T/fw28k.hex" 0:28672:random=5
gen_hex "$T/fw128.hex" --ela-first 0:6000:random=7 0xFC00:2048:random=8 0x1D000:4096:random=9
gen_hex "$T/small.hex" 0:3000:random=4
gen_hex "$T/overlap.hex" 0:4096:random=2 0x6C00:2048:random=3

# dfu_json DUMP PYTHON-EXPR : the emulator's statistics (DUMP.dfu.json).
dfu_json() {
	json_check "$1.dfu.json" "$2"
}

# ---- the reference client ----------------------------------------------------
if [ -n "$DFU_PROGRAMMER" ]; then
	run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --dump "$T/r1" -- sh -c "
		$DFU_PROGRAMMER atmega32u4 erase &&
		$DFU_PROGRAMMER atmega32u4 flash '$T/fw28k.hex' &&
		$DFU_PROGRAMMER atmega32u4 start"
	flash_is "$T/r1" "$T/fw28k.hex"
	expect_in "$T/err" "Validating..."
	dfu_json "$T/r1" 'd["violations"] == 0 and d["erases"] == 1 and d["app_running"]'

	run 0 emu --bootloader atmel-dfu --part at90usb1286 $QUICK --dump "$T/r2" -- sh -c "
		$DFU_PROGRAMMER at90usb1286 erase &&
		$DFU_PROGRAMMER at90usb1286 flash '$T/fw128.hex' &&
		$DFU_PROGRAMMER at90usb1286 start"
	flash_is "$T/r2" "$T/fw128.hex"
	dfu_json "$T/r2" 'd["violations"] == 0 and d["page_selects"] >= 2 and d["app_running"]'

	# Its other commands: the configuration bytes, a dump of the whole
	# application area, EEPROM written and read back.
	gen_hex "$T/ee.hex" 0:64:random=3
	run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --preload "$T/fw28k.hex" \
		--dump "$T/r6" -- sh -c "
		$DFU_PROGRAMMER atmega32u4 get product-name &&
		$DFU_PROGRAMMER atmega32u4 get manufacturer &&
		$DFU_PROGRAMMER atmega32u4 dump >'$T/dump.bin' &&
		$DFU_PROGRAMMER atmega32u4 flash-eeprom '$T/ee.hex'"
	expect_in "$T/out" "Product Name: 0x95"
	expect_in "$T/out" "Manufacturer Code: 0x58"
	python3 - "$T/dump.bin" "$T/fw28k.hex" <<'EOF' || fail "dfu-programmer's dump is not the flash"
import sys
dump = open(sys.argv[1], 'rb').read()
image = {}
for line in open(sys.argv[2]):
    b = bytes.fromhex(line.strip()[1:])
    if b[3] == 0:
        for i in range(b[0]):
            image[(b[1] << 8 | b[2]) + i] = b[4 + i]
sys.exit(0 if len(dump) == 28672 and all(dump[a] == v for a, v in image.items()) else 1)
EOF
	dfu_json "$T/r6" 'd["violations"] == 0'

	# What the reference client makes of the security bit: no write until
	# an erase (its libusb-1.0 build does not tell the stall apart), and
	# then it works.
	run 1 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --fault secured --dump "$T/r3" -- \
		"$DFU_PROGRAMMER" atmega32u4 flash "$T/small.hex"
	expect_in "$T/err" "Error while flashing"
	dfu_json "$T/r3" 'd["refused"] == 1 and d["bytes_programmed"] == 0'
	run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --fault secured --dump "$T/r4" -- sh -c "
		$DFU_PROGRAMMER atmega32u4 erase && $DFU_PROGRAMMER atmega32u4 flash '$T/small.hex'"
	flash_is "$T/r4" "$T/small.hex"

	# ... and of an image over its bootloader (it refuses, like ispwiz).
	run 1 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --dump "$T/r5" -- \
		"$DFU_PROGRAMMER" atmega32u4 flash "$T/overlap.hex"
	expect_in "$T/err" "Bootloader and code overlap"
else
	printf '%s: dfu-programmer is not installed: the reference-client checks are left out\n' \
		"$test_name"
fi

# ---- ispwiz upload ---------------------------------------------------------------
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --dump "$T/u1" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/fw28k.hex"
flash_is "$T/u1" "$T/fw28k.hex"
expect_in "$T/err" "Atmel DFU version 0x00 at USB 1-2: 32768 bytes of flash, 1024-byte blocks, its own section from 0x07000"
expect_in "$T/err" "signature 1E 95 87: ATmega32U4"
expect_in "$T/err" "application area erased"
expect_in "$T/out" "28 blocks, 0 blank skipped: written and verified; the application was started"
dfu_json "$T/u1" 'd["violations"] == 0 and d["app_running"] and d["program_commands"] == 28'

run 0 emu --bootloader atmel-dfu --part at90usb1286 $QUICK --dump "$T/u2" -- \
	$ISPWIZ_RUN upload -p at90usb1286 -f "$T/fw128.hex" --json
flash_is "$T/u2" "$T/fw128.hex"
dfu_json "$T/u2" 'd["violations"] == 0 and d["page_selects"] >= 2 and d["app_running"]'
expect_in "$T/out" '"event":"done","status":"OK"'
expect_in "$T/out" '"bootloader":"Atmel DFU version 0x00"'

# The old firmware goes: exactly the new image is left (erase, then write).
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --preload "$T/fw28k.hex" --dump "$T/u3" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/small.hex"
flash_is "$T/u3" "$T/small.hex"

# A QMK keyboard whose info.json names the part and the Atmel DFU bootloader.
mkdir -p "$T/qmk/keyboards/acme/dfu"
echo '{ "processor": "atmega32u4", "bootloader": "atmel-dfu" }' >"$T/qmk/keyboards/acme/dfu/info.json"
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --dump "$T/u5" -- \
	env QMK_HOME="$T/qmk" $ISPWIZ_RUN upload --keyboard acme/dfu -f "$T/small.hex"
flash_is "$T/u5" "$T/small.hex"

# The bootloader is started by hand a moment later: ispwiz says how and waits.
# Later under valgrind, whose start alone can take longer than 1.5 s on a busy
# machine: ispwiz must have looked once before the bootloader appears.
LATER=1500
[ -n "${ISPWIZ_WRAPPER:-}" ] && LATER=8000
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --appear-after-ms $LATER --dump "$T/u4" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/small.hex" --wait 30
flash_is "$T/u4" "$T/small.hex"
expect_in "$T/err" "no bootloader is there yet"
expect_in "$T/err" "Atmel DFU: hold the board's HWB low"

# ---- faults ------------------------------------------------------------------------
# A DFU error status in the middle of the write (the fourth block): the
# message names the block, the status and what to do; nothing is started.
run 5 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --fault status-error=3 --dump "$T/f1" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/fw28k.hex"
expect_in "$T/err" "writing the block at 0x00C00 (3072 of 28672 bytes done"
expect_in "$T/err" "the bootloader reports errWRITE: it cannot write the memory"
expect_in "$T/err" "run the upload again"
dfu_json "$T/f1" 'd["app_starts"] == 0 and d["program_commands"] == 4'

# The security bit: ispwiz says so, erases first (which clears it) and the
# upload goes through.
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --fault secured --dump "$T/f2" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/small.hex"
expect_in "$T/err" "its security bit is set: it reads nothing back until the erase, which clears the bit"
expect_in "$T/err" "application area erased"
flash_is "$T/f2" "$T/small.hex"
dfu_json "$T/f2" 'not d["secured"] and d["erases"] == 1'

# The chip resets in the middle of the write: the first upload says the
# device went away and what to do; it comes back by itself, and the second
# upload (erasing first) leaves exactly the image.
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --fault reenumerate=5 --dump "$T/f3" -- sh -c "
	$ISPWIZ_RUN upload -p atmega32u4 -f '$T/fw28k.hex'; echo \"first upload: \$?\" >&2
	$ISPWIZ_RUN upload -p atmega32u4 -f '$T/fw28k.hex' --wait 10"
expect_in "$T/err" "first upload: 5"
expect_in "$T/err" "writing the block at 0x01400"
expect_in "$T/err" "is gone (unplugged, or it reset itself)"
flash_is "$T/f3" "$T/fw28k.hex"
dfu_json "$T/f3" 'd["enumerations"] == 2 and d["erases"] == 2 and d["app_running"]'

# An image that reaches into the bootloader's own section: refused with
# the addresses, before anything is erased or written.
run 3 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --preload "$T/small.hex" --dump "$T/f4" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/overlap.hex"
expect_in "$T/err" "holds data from 0x00000 to 0x073FF, but from 0x07000 on is the bootloader's own section"
expect_in "$T/err" "nothing was written"
flash_is "$T/f4" "$T/small.hex"
dfu_json "$T/f4" 'd["erases"] == 0 and d["program_commands"] == 0'

# A device of another part than -p: refused by its signature, nothing done.
run 6 emu --bootloader atmel-dfu --part atmega16u4 $QUICK --preload "$T/small.hex" --dump "$T/f5" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/small.hex"
expect_in "$T/err" "the bootloader runs on ATmega16U4 (signature 1E 94 88), not on the ATmega32U4 given with -p"
expect_in "$T/err" "give -p atmega16u4"
dfu_json "$T/f5" 'd["erases"] == 0 and d["program_commands"] == 0'

# No access to the device node: the udev rules.
run 5 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --fault eacces --dump "$T/f6" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/small.hex" --wait 2
expect_in "$T/err" "permission denied"
expect_in "$T/err" "60-ispwiz.rules"

finish
