#!/bin/sh
# tests/caterina-emu.sh - the Caterina (AVR109) bootloader emulator and the
# upload job against it, through ispwiz-emu's testbed (libserialport on
# umockdev ttys that come and go as the board resets):
#   - avrdude -c avr109, a client nobody here wrote, writes and verifies an
#     image through the emulator, which must then hold exactly that image;
#   - ispwiz upload does the same, the bootloader found by its USB ID, by
#     -P, by the 1200-baud touch of a running sketch, or waited for;
#   - ispwiz prepare loads an ISP firmware and reports the programmer's
#     port once the board comes back as it;
#   - every fault ends with its own message and exit status, quickly, and
#     nothing written where nothing may be.

. "$top_srcdir/tests/lib.sh"

EMU=$top_builddir/tests/ispwiz-emu
AVRDUDE=${AVRDUDE:-$(command -v avrdude || true)}
if [ ! -x "$EMU" ] || [ ! -f "$top_builddir/tests/serial-shim.so" ]; then
	echo "ispwiz-emu or serial-shim.so not built (needs umockdev): skipped"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skipped"; exit 77; }

# Images, made here: a 28 KiB application filling the application area,
# a sparse one (blocks with gaps, a blank block in the middle), a "sketch"
# that the board runs before (so the window clock runs, as on a real
# board), one that does not fit below the bootloader, one that reaches
# into it.
python3 - "$T" <<'EOF'
import random, sys
def write(path, parts):
    out = []
    for base, data in parts:
        for off in range(0, len(data), 16):
            a = base + off
            chunk = data[off:off + 16]
            rec = [len(chunk), (a >> 8) & 255, a & 255, 0] + list(chunk)
            out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 255))
    out.append(':00000001FF')
    open(path, 'w').write('\n'.join(out) + '\n')
random.seed(109)
rnd = lambda n: bytes(random.randrange(256) for _ in range(n))
write(sys.argv[1] + '/app.hex', [(0, rnd(0x7000))])
write(sys.argv[1] + '/sparse.hex', [(0, rnd(300)), (0x400, b'\xff' * 128), (0x1234, rnd(77)),
                                    (0x6F80, rnd(128))])
write(sys.argv[1] + '/sketch.hex', [(0, rnd(2000))])
write(sys.argv[1] + '/isp.hex', [(0, rnd(5000))])
write(sys.argv[1] + '/big.hex', [(0, rnd(29 * 1024))])
write(sys.argv[1] + '/over.hex', [(0x6F00, rnd(0x200))])
EOF

# ispwiz under $ISPWIZ_WRAPPER (valgrind in the valgrind pass).
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
ISPWIZ_RUN="${ISPWIZ_WRAPPER:-} $ISPWIZ"
# SparkFun's 750 ms window, unless valgrind makes ispwiz too slow for it.
# A bootloader started by hand a while after ispwiz: later under valgrind,
# whose start alone takes seconds.
WINDOW=750 LATER=1500
[ -n "${ISPWIZ_WRAPPER:-}" ] && WINDOW=8000 LATER=8000

# cat_run WANT "EMU OPTIONS" COMMAND... : one run; output in $T/out and
# $T/err, the chip in $T/dump.{hex,json}.  A fault must end within 30 s.
cat_run() {
	want=$1 eopts=$2
	shift 2
	rm -f "$T/dump.hex" "$T/dump.json"
	start=$(date +%s)
	# shellcheck disable=SC2086
	run "$want" timeout 120 "$EMU" --bootloader caterina --part m32u4 $eopts \
		--dump "$T/dump" -- "$@"
	took=$(( $(date +%s) - start ))
	if [ "$took" -ge 30 ] && [ -z "${ISPWIZ_WRAPPER:-}" ]; then
		fail "$eopts $* took ${took}s"
	fi
}

upload() {
	want=$1 eopts=$2
	shift 2
	# shellcheck disable=SC2086
	cat_run "$want" "$eopts" $ISPWIZ_RUN upload -p atmega32u4 "$@"
}

# same_flash IMAGE : the chip holds exactly IMAGE (and nothing else).
same_flash() {
	python3 - "$1" "$T/dump.hex" <<'EOF' || fail "flash differs from $1"
import sys
def load(p):
    m, ext = {}, 0
    for l in open(p):
        l = l.strip()
        if not l:
            continue
        b = bytes.fromhex(l[1:])
        n, a, t = b[0], (b[1] << 8) | b[2], b[3]
        if t == 0:
            for i in range(n):
                m[ext + a + i] = b[4 + i]
        elif t == 4:
            ext = ((b[4] << 8) | b[5]) << 16
    return m
img, dump = load(sys.argv[1]), load(sys.argv[2])
bad = [a for a, v in img.items() if dump.get(a, 0xFF) != v]
extra = [a for a, v in dump.items() if a not in img and v != 0xFF]
if bad or extra:
    print('differs at', [hex(a) for a in (bad + extra)[:8]])
sys.exit(1 if bad or extra else 0)
EOF
}

# Nothing went into the chip: no erase, no block, a blank flash.
nothing_written() {
	json_check "$T/dump.json" 'd["emulator"]["erases"] == 0 and d["emulator"]["blocks_written"] == 0'
	python3 - "$T/dump.hex" <<'EOF' || fail "the chip is not blank"
import sys
sys.exit(any(l.startswith(':') and l[7:9] == '00' for l in open(sys.argv[1])))
EOF
}

clean() {
	json_check "$T/dump.json" 'd["emulator"]["protected_writes"] == 0 and d["emulator"]["dropped"] == 0'
}

# --- avrdude, the reference client -------------------------------------------

if [ -n "$AVRDUDE" ]; then
	for image in app sparse; do
		cat_run 0 "" "$AVRDUDE" -C "${AVRDUDE_CONF:-/etc/avrdude.conf}" -c avr109 -p m32u4 \
			-P {port} -U "flash:w:$T/$image.hex:i"
		expect_in "$T/err" "bytes of flash verified"
		same_flash "$T/$image.hex"
		clean
		json_check "$T/dump.json" 'd["emulator"]["erases"] == 1 and d["emulator"]["unknown"] <= 1'
	done
	# avrdude reads back what ispwiz wrote (the emulator's g, in
	# avrdude's block size)
	upload 0 "" -f "$T/sparse.hex"
	cp "$T/dump.hex" "$T/ispwiz-sparse.hex"
	cat_run 0 "--preload $T/ispwiz-sparse.hex" "$AVRDUDE" -C "${AVRDUDE_CONF:-/etc/avrdude.conf}" \
		-c avr109 -p m32u4 -P {port} -U "flash:v:$T/sparse.hex:i"
	expect_in "$T/err" "bytes of flash verified"
else
	echo "avrdude not installed: its half of the test is skipped"
fi

# --- ispwiz upload -------------------------------------------------------------

# The one bootloader plugged in, found by its USB ID.
upload 0 "" -f "$T/app.hex"
expect_in "$T/out" "done in"
expect_in "$T/err" "Caterina 1.0 at /dev/ttyACM0"
same_flash "$T/app.hex"
clean
json_check "$T/dump.json" 'd["emulator"]["erases"] == 1 and d["emulator"]["blocks_written"] == 224'

# A sparse image: the blank block is skipped, the rest lands exactly.
upload 0 "" -f "$T/sparse.hex"
expect_in "$T/out" "1 blank skipped"
same_flash "$T/sparse.hex"
clean

# By -P, the tty or its /dev/serial/by-id link.
upload 0 "" -P {port} -f "$T/sparse.hex"
same_flash "$T/sparse.hex"
upload 0 "" -P "/dev/serial/by-id/usb-ispwiz-emu_SparkFun_Pro_Micro__5V_16MHz__ISPWIZEMU01-if00" \
	-f "$T/sparse.hex"
same_flash "$T/sparse.hex"

# A board running its sketch: the 1200-baud touch, then the bootloader at a
# new tty, with SparkFun's 750 ms window; the sketch is replaced.
upload 0 "--sketch --preload $T/sketch.hex --window-ms $WINDOW" -f "$T/app.hex"
expect_in "$T/err" "the 1200-baud touch"
expect_in "$T/err" "Caterina 1.0 at /dev/ttyACM1"
expect_not_in "$T/err" "start it now"
same_flash "$T/app.hex"
json_check "$T/dump.json" 'd["emulator"]["touches"] == 1 and d["emulator"]["window_closes"] == 0'

# -P names the sketch's port: the bootloader comes back at another tty of
# the same USB port, and that is the one.
upload 0 "--sketch --preload $T/sketch.hex" -P {sketch} -f "$T/sparse.hex"
expect_in "$T/err" "Caterina 1.0 at /dev/ttyACM1"
same_flash "$T/sparse.hex"

# Started by hand a while later: the countdown, then the upload.
upload 0 "--appear-after-ms $LATER" -f "$T/sparse.hex"
expect_in "$T/err" "no bootloader is there yet"
same_flash "$T/sparse.hex"

# --json: the device and the touch.
upload 0 "--sketch --preload $T/sketch.hex" -f "$T/sparse.hex" --json
tail -1 "$T/out" >"$T/done.json"
json_check "$T/done.json" 'd["event"] == "done" and d["result"]["touched"] is True and d["result"]["bootloader"] == "Caterina 1.0" and d["result"]["device"] == "/dev/ttyACM1"'

# --- ispwiz prepare: the Pro Micro becomes the programmer -----------------------

cat_run 0 "--sketch --preload $T/sketch.hex --then-id 16C0:0483" \
	$ISPWIZ_RUN prepare avrisp-promicro -f "$T/isp.hex" --yes
expect_in "$T/out" "is at /dev/ttyACM2: use -c avrisp-promicro -P /dev/ttyACM2"
same_flash "$T/isp.hex"
# Without the programmer coming back: it says so, with what to do.
cat_run 5 "" $ISPWIZ_RUN prepare avrisp-promicro -f "$T/isp.hex" --yes --wait 2
expect_in "$T/err" "did not appear on USB within 2 s"
same_flash "$T/isp.hex"

# --- faults ---------------------------------------------------------------------

# The window closed before the first command.
upload 5 "--fault window-closes" -f "$T/app.hex"
expect_in "$T/err" "its window had closed"
expect_in "$T/err" "reset the board twice quickly"
nothing_written

# The device vanishes in the middle of the write.
upload 5 "--fault vanish=5000" -f "$T/app.hex"
expect_in "$T/err" "writing the block at 0x0"
expect_in "$T/err" "the firmware can simply be loaded again"
expect_in "$T/err" "went away"
json_check "$T/dump.json" '0 < d["emulator"]["blocks_written"] < 224'

# A Caterina on another part: refused, nothing written.
upload 6 "--fault wrong-part=atmega16u4" -f "$T/sparse.hex"
expect_in "$T/err" "runs on ATmega16U4 (signature 1E 94 88)"
expect_in "$T/err" "nothing was written"
nothing_written

# An image too large for the application area, or reaching into the
# bootloader's own section: the addresses, nothing written.
upload 3 "" -f "$T/big.hex"
expect_in "$T/err" "from 0x00000 to 0x073FF"
expect_in "$T/err" "from 0x07000 on is the bootloader's own section"
nothing_written
upload 3 "" -f "$T/over.hex"
expect_in "$T/err" "from 0x06F00 to 0x070FF"
nothing_written

# The port busy (ModemManager) or not ours to open.
upload 5 "--fault busy" -f "$T/sparse.hex"
expect_in "$T/err" "the port is busy"
nothing_written
upload 5 "--fault eacces" -f "$T/sparse.hex"
expect_in "$T/err" "permission denied"
expect_in "$T/err" 'ATTRS{idProduct}=="9205"'
nothing_written

# Nobody starts the bootloader: --wait runs out.
start=$(date +%s)
upload 5 "--appear-after-ms 60000" -f "$T/sparse.hex" --wait 2
expect_in "$T/err" "no bootloader appeared within 2 s"
expect_in "$T/err" "reset twice quickly"
expect_in "$T/err" "--wait gives it longer"
[ $(( $(date +%s) - start )) -le 20 ] || fail "--wait 2 took $(( $(date +%s) - start )) s"

# Two bootloaders: listed, -P asked for; with -P the upload goes ahead.
upload 2 "--extra-bootloader caterina-leonardo" -f "$T/sparse.hex"
expect_in "$T/err" "more than one bootloader is plugged in"
expect_in "$T/err" "/dev/ttyACM0 (1B4F:9205)"
expect_in "$T/err" "/dev/ttyACM1 (2341:0036)"
expect_in "$T/err" "say which with -P"
nothing_written
upload 0 "--extra-bootloader caterina-leonardo" -P {port} -f "$T/sparse.hex"
same_flash "$T/sparse.hex"

finish
