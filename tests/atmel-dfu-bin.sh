#!/bin/sh
# A raw binary (.bin, as QMK builds for some boards) through `ispwiz
# upload`: loaded at 0x0000, taken only by the Atmel DFU bootloader (the
# emulator in ispwiz-emu's testbed), refused by every other before
# anything is written:
#   - through Atmel DFU (found by its USB ID, and with --via atmel-dfu): the
#     chip holds exactly the binary's bytes, written and verified;
#   - --via caterina / a HalfKay bootloader found on USB: refused, saying
#     how to get a .hex, nothing erased or written;
#   - a .bin bigger than any part's flash, a .bin past the part's, an empty
#     .bin, a missing one: each its own message and exit status.
. "$top_srcdir/tests/lib.sh"

need_emu
need_tool python3
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"
QUICK="--erase-ms 20"

# The firmware as HEX (what the dump is compared with) and as .bin; the
# .bin's last bytes are 0xFF padding, as objcopy leaves between sections.
gen_hex "$T/fw.hex" 0:20000:random=9
python3 - "$T" <<'EOF2'
import sys
d = sys.argv[1]
img = {}
base = 0
for line in open(d + '/fw.hex'):
    b = bytes.fromhex(line.strip()[1:])
    if b[3] == 4:
        base = (b[4] << 8 | b[5]) << 16
    elif b[3] == 0:
        a = base | b[1] << 8 | b[2]
        for i in range(b[0]):
            img[a + i] = b[4 + i]
end = max(img) + 1
open(d + '/fw.bin', 'wb').write(bytes(img.get(a, 0xFF) for a in range(end)))
open(d + '/FW.BIN', 'wb').write(bytes(img.get(a, 0xFF) for a in range(end)))
open(d + '/huge.bin', 'wb').write(b'\x11' * (256 * 1024 + 1))
open(d + '/big.bin', 'wb').write(b'\x22' * (32 * 1024 + 16))
open(d + '/empty.bin', 'wb').write(b'')
EOF2

# Found by its USB ID: the chip holds the binary's bytes.
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --dump "$T/u1" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/fw.bin"
flash_is "$T/u1" "$T/fw.hex"
expect_in "$T/out" "20 blocks, 0 blank skipped: written and verified"
# Named with --via, and the extension in capitals.
run 0 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --dump "$T/u2" -- \
	$ISPWIZ_RUN upload -p atmega32u4 --via atmel-dfu -f "$T/FW.BIN"
flash_is "$T/u2" "$T/fw.hex"

# Another client named: refused on reading, before any device is looked for.
run 4 ispwiz upload -p atmega32u4 --via caterina -f "$T/fw.bin" --wait 1
expect_in "$T/err" "fw.bin is a raw binary (.bin): only the Atmel DFU bootloader takes one (loaded at 0x0000); Caterina needs the Intel HEX build"
expect_in "$T/err" "objcopy -I binary -O ihex"
expect_not_in "$T/err" "waiting"
# Another bootloader found on USB (HalfKay): refused before it is opened.
gen_hex "$T/old.hex" 0:3000:random=2
run 4 emu --bootloader halfkay --part atmega32u4 --preload "$T/old.hex" --dump "$T/h1" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/fw.bin"
expect_in "$T/err" "only the Atmel DFU bootloader takes one (loaded at 0x0000); HalfKay needs the Intel HEX build"
expect_in "$T/err" "nothing was written"
flash_is "$T/h1" "$T/old.hex"

# Sizes and files.
run 3 ispwiz upload -p atmega32u4 -f "$T/huge.bin" --wait 1
expect_in "$T/err" "huge.bin: a raw binary is loaded from 0x0000, and this one is more than 131072 bytes: it reaches past the largest flash of any part in the catalog"
run 3 emu --bootloader atmel-dfu --part atmega32u4 $QUICK --preload "$T/old.hex" --dump "$T/b1" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/big.bin"
expect_in "$T/err" "the byte at 0x8000 (from $T/big.bin:0) lies beyond its 32768-byte flash"
flash_is "$T/b1" "$T/old.hex"
run 3 ispwiz upload -p atmega32u4 -f "$T/empty.bin" --wait 1
expect_in "$T/err" "empty.bin is empty: no firmware to write"
run 3 ispwiz upload -p atmega32u4 -f "$T/missing.bin" --wait 1
expect_in "$T/err" "missing.bin: No such file or directory"

finish
