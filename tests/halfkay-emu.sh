#!/bin/sh
# tests/halfkay-emu.sh - a Teensy 2.0 in its HalfKay bootloader, emulated in
# ispwiz-emu's testbed (--bootloader halfkay): first teensy_loader_cli, the
# reference client nobody here wrote, loads images through it (so the
# emulator answers what libusb-0.1 and PJRC's tool do: find the device,
# detach usbhid, claim, SET_REPORT, reboot) and the flash must equal each
# image exactly; then `ispwiz upload` and `ispwiz prepare avrisp-teensy`
# do the same (found on their own, by -P usb:PATH, waiting for the button),
# and each fault ends with its own message and exit status.  The images are
# made here; no third-party file is used.

. "$top_srcdir/tests/lib.sh"

EMU=$top_builddir/tests/ispwiz-emu
TEENSY=${TEENSY_LOADER_CLI:-$(command -v teensy_loader_cli || true)}
if [ ! -x "$EMU" ] || [ ! -f "$top_builddir/tests/serial-shim.so" ]; then
	echo "ispwiz-emu or serial-shim.so not built (needs umockdev): skipped"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skipped"; exit 77; }
if [ -z "$TEENSY" ]; then
	echo "teensy_loader_cli not installed: skipped (apt-get install teensy-loader-cli)"
	exit 77
fi

python3 - "$T" <<'EOF'
import random, sys
def write(path, chunks):
    out = []
    for base, data in chunks:
        for off in range(0, len(data), 16):
            a = base + off
            c = data[off:off + 16]
            rec = [len(c), (a >> 8) & 255, a & 255, 0] + list(c)
            out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 255))
    out.append(':00000001FF')
    open(path, 'w').write('\n'.join(out) + '\n')
random.seed(32256)
rnd = lambda n: bytes(random.randrange(256) for _ in range(n))
d = sys.argv[1]
# An application with a hole, a block of explicit 0xFF (skipped: blank) and
# a short last block.
write(d + '/app.hex', [(0x0000, rnd(0x1F80)), (0x1F80, b'\xff' * 128),
                       (0x3000, rnd(0xA37))])
# Every byte HalfKay lets an application have.
write(d + '/full.hex', [(0x0000, rnd(32256))])
# Block 0 left blank: it is still written first (it erases the chip).
write(d + '/late.hex', [(0x0400, rnd(0x300))])
# One byte too many: it reaches HalfKay's own section at 0x7E00.
write(d + '/big.hex', [(0x0000, rnd(32257))])
EOF

# same DUMP IMAGE : the whole 32 KiB flash of DUMP.hex equals IMAGE (0xFF
# where either file has nothing).
same() {
	python3 - "$1.hex" "$2" <<'EOF' || fail "$1.hex does not hold exactly $2"
import sys
def load(path):
    mem = bytearray(b'\xff' * 32768)
    base = 0
    for line in open(path):
        line = line.strip()
        if not line:
            continue
        b = bytes.fromhex(line[1:])
        if b[3] == 0:
            a = base + (b[1] << 8 | b[2])
            mem[a:a + b[0]] = b[4:4 + b[0]]
        elif b[3] == 4:
            base = (b[4] << 8 | b[5]) << 16
    return mem
got, want = load(sys.argv[1]), load(sys.argv[2])
if got != want:
    bad = [i for i in range(32768) if got[i] != want[i]]
    print('first difference at 0x%04X: 0x%02X, expected 0x%02X (%d bytes differ)'
          % (bad[0], got[bad[0]], want[bad[0]], len(bad)), file=sys.stderr)
    sys.exit(1)
EOF
}

# blank DUMP : nothing was written.
blank() {
	python3 - "$1.hex" <<'EOF' || fail "$1.hex is not blank"
import sys
sys.exit(0 if not any(l.strip()[7:9] == '00' for l in open(sys.argv[1])) else 1)
EOF
}

# seconds CMD... : run like `run`, leave the wall time in $secs.
seconds() {
	s0=$(python3 -c 'import time; print(time.time())')
	run "$@"
	secs=$(python3 -c "import time; print('%.1f' % (time.time() - $s0))")
}

VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
emu() { timeout 300 "$EMU" --bootloader halfkay --part atmega32u4 "$@"; }
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"
CLEAN='d["violation_count"] == 0 and d["erases"] == 1 and d["rebooted"]'

# ---- the reference client --------------------------------------------------
run 0 emu --dump "$T/r1" -- "$TEENSY" --mcu=atmega32u4 -w -v "$T/app.hex"
same "$T/r1" "$T/app.hex"
expect_in "$T/out" "Found HalfKay Bootloader"
expect_in "$T/out" "Booting"
json_check "$T/r1.usb.json" "$CLEAN"
run 0 emu --dump "$T/r2" -- "$TEENSY" --mcu=atmega32u4 -w "$T/full.hex"
same "$T/r2" "$T/full.hex"
json_check "$T/r2.usb.json" "$CLEAN and d['blocks_written'] == 252"
# ... waiting for the button (-w), and through an erase it must wait out.
run 0 emu --appear-after-ms 1500 --erase-ms 3000 --dump "$T/r3" -- \
	"$TEENSY" --mcu=atmega32u4 -w "$T/late.hex"
same "$T/r3" "$T/late.hex"
json_check "$T/r3.usb.json" "$CLEAN"

# ---- ispwiz upload ------------------------------------------------------------
# Found on its own (by its USB ID, through udev).
run 0 emu --dump "$T/u1" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex"
same "$T/u1" "$T/app.hex"
expect_in "$T/out" "not verified"
expect_in "$T/err" "HalfKay at USB 1-2"
expect_in "$T/err" "1 blank skipped"
# the reference client and ispwiz leave the same chip, with as many reports
json_check "$T/u1.usb.json" "$CLEAN and d['reports'] == $(python3 -c "import json; print(json.load(open('$T/r1.usb.json'))['reports'])")"
# ... and as JSON: the result says it was not verified.
run 0 emu --dump "$T/u1j" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex" --json
tail -1 "$T/out" >"$T/u1j.result"
json_check "$T/u1j.result" 'd["status"] == "OK" and d["result"]["verified"] is False and d["result"]["bootloader"] == "HalfKay" and d["result"]["pages"]["written"] == 84'
# Named with -P usb:PATH, plugged in (the button) 4 s after the start (so
# that even a slow ispwiz, under valgrind on a busy machine, looks first).
run 0 emu --appear-after-ms 4000 --dump "$T/u2" -- \
	$ISPWIZ_RUN upload -P usb:1-2 -p atmega32u4 -f "$T/full.hex"
same "$T/u2" "$T/full.hex"
expect_in "$T/err" "no bootloader is there yet"
expect_in "$T/err" "press the Teensy's pushbutton"
expect_in "$T/out" "not verified"
json_check "$T/u2.usb.json" "$CLEAN and d['blocks_written'] == 252"
# Block 0 blank: written anyway, first, and nothing else but the image.
run 0 emu --dump "$T/u3" -- $ISPWIZ_RUN upload --via halfkay -p atmega32u4 -f "$T/late.hex"
same "$T/u3" "$T/late.hex"
json_check "$T/u3.usb.json" "$CLEAN and d['blocks_written'] == 7"
# An erase longer than one try (5 s): the answer is waited for again.
run 0 emu --erase-ms 7000 --dump "$T/u4" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/late.hex"
same "$T/u4" "$T/late.hex"
json_check "$T/u4.usb.json" "$CLEAN and d['busy_naks'] >= 1"

# ---- ispwiz prepare -----------------------------------------------------------
# The ISP firmware through HalfKay, then the Teensy comes back as 16C0:0483.
run 0 emu --appear-after-ms 800 --then-id 16C0:0483 --dump "$T/p1" -- \
	$ISPWIZ_RUN prepare avrisp-teensy -f "$T/app.hex" --yes
same "$T/p1" "$T/app.hex"
expect_in "$T/out" "not verified"
expect_in "$T/out" "the programmer is at /dev/ttyACM0"
expect_in "$T/out" "is at /dev/ttyACM0: use -c avrisp-teensy -P /dev/ttyACM0"
json_check "$T/p1.usb.json" "$CLEAN and d['then_appeared']"
# Without --yes a file that is not the known upstream one is not loaded.
run 4 emu --dump "$T/p2" -- $ISPWIZ_RUN prepare avrisp-teensy -f "$T/app.hex"
expect_in "$T/err" "give --yes to load it anyway"
json_check "$T/p2.usb.json" 'd["reports"] == 0'

# ---- faults ---------------------------------------------------------------------
# HalfKay not answering the first write for 3 s (reports sent meanwhile are
# lost): ispwiz sends block 0 again and succeeds; so does the reference.
seconds 0 emu --fault busy-first=3000 --dump "$T/f1" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex"
same "$T/f1" "$T/app.hex"
json_check "$T/f1.usb.json" "$CLEAN and d['busy_ignored'] >= 1"
python3 -c "import sys; sys.exit(0 if $secs < 45 else 1)" || fail "busy-first=3000 took $secs s"
run 0 emu --fault busy-first=3000 --dump "$T/f2" -- "$TEENSY" --mcu=atmega32u4 -w "$T/app.hex"
same "$T/f2" "$T/app.hex"
# ... and for longer than the 45 s ispwiz gives it: the message says so.
seconds 5 emu --fault busy-first=60000 --dump "$T/f3" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex"
expect_in "$T/err" "HalfKay did not take the first block within 45 s"
expect_in "$T/err" "press its button"
json_check "$T/f3.usb.json" 'd["blocks_written"] == 0'
python3 -c "import sys; sys.exit(0 if 44 <= $secs < 90 else 1)" || fail "busy-first=60000 gave up after $secs s"

# The Teensy leaves the bus after 5 reports: the message names the block
# and says the firmware can simply be loaded again.
run 5 emu --fault vanish=5 --dump "$T/f4" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex"
expect_in "$T/err" "writing the block at 0x00280"
expect_in "$T/err" "the firmware can simply be loaded again"
expect_in "$T/err" "is gone"
json_check "$T/f4.usb.json" 'd["blocks_written"] == 5 and d["left_bus"] and not d["rebooted"]'

# Every report refused (a stall): not mistaken for an erase, ended quickly.
seconds 5 emu --fault stall --dump "$T/f5" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex"
expect_in "$T/err" "USB stall"
expect_in "$T/err" "writing the block at 0x00000"
python3 -c "import sys; sys.exit(0 if $secs < 20 else 1)" || fail "a stalling HalfKay took $secs s"

# Another program (PJRC's own loader, say) holds the interface: ispwiz says
# so and does not take it away (teensy_loader_cli, which detaches whatever
# driver has it, would).
run 5 emu --fault held --dump "$T/f5h" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex"
expect_in "$T/err" "cannot take interface 0 of the Teensy (HalfKay bootloader) at USB 1-2"
expect_in "$T/err" "close any other program that uses it"
json_check "$T/f5h.usb.json" 'd["reports"] == 0'
run 0 emu --fault held --dump "$T/f5t" -- "$TEENSY" --mcu=atmega32u4 -w "$T/app.hex"
same "$T/f5t" "$T/app.hex"

# An image reaching into HalfKay's own section: the addresses, nothing written.
run 3 emu --dump "$T/f6" -- $ISPWIZ_RUN upload -p atmega32u4 -f "$T/big.hex"
expect_in "$T/err" "from 0x00000 to 0x07E00"
expect_in "$T/err" "from 0x07E00 on is the bootloader's own section"
expect_in "$T/err" "nothing was written"
json_check "$T/f6.usb.json" 'd["reports"] == 0 and d["erases"] == 0'
blank "$T/f6"
# (The reference client loads the first 32256 bytes of it and drops the
# rest without a word; it never sends HalfKay a block of its own section.)
run 0 emu --dump "$T/f7" -- "$TEENSY" --mcu=atmega32u4 -w "$T/big.hex"
json_check "$T/f7.usb.json" "$CLEAN and d['blocks_written'] == 252"

# Nobody presses the button in time: --wait runs out, exit 5.
run 5 emu --appear-after-ms 20000 --dump "$T/f8" -- \
	$ISPWIZ_RUN upload -p atmega32u4 -f "$T/app.hex" --wait 1
expect_in "$T/err" "no bootloader appeared within 1 s"
json_check "$T/f8.usb.json" 'not d["plugged_in"] and d["reports"] == 0'
run 5 emu --appear-after-ms 20000 --dump "$T/f9" -- \
	$ISPWIZ_RUN prepare avrisp-teensy -f "$T/app.hex" --yes --wait 1
expect_in "$T/err" "no bootloader appeared within 1 s"

# The knobs are checked.
run 2 emu --fault busy-first --dump "$T/k1" -- true
expect_in "$T/err" "busy-first=MS"
run 2 emu --fault short --dump "$T/k2" -- true
expect_in "$T/err" "not a knob of the halfkay emulator"
run 2 "$EMU" --bootloader halfkay --part atmega16u4 --dump "$T/k3" -- true
expect_in "$T/err" "its chip is an ATmega32U4"

finish
