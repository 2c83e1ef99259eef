#!/bin/sh
# tests/avrdude-fidelity-serial.sh - avrdude itself, a client nobody here
# wrote, talks to the avrisp and buspirate emulators through ispwiz-emu:
# it must write, verify and set fuses, and leave the chip exactly as ispwiz's
# own job does from the same inputs.  An emulator that only agrees with our
# own drivers would prove nothing.
#
# The ispwiz side is `ispwiz flash` itself, through the same emulator.

. "$top_srcdir/tests/lib.sh"

EMU=$top_builddir/tests/ispwiz-emu
AVRDUDE=${AVRDUDE:-$(command -v avrdude || true)}
if [ -z "$AVRDUDE" ]; then
	echo "avrdude not installed: skipped (apt-get install avrdude)"
	exit 77
fi
if [ ! -x "$EMU" ] || [ ! -f "$top_builddir/tests/serial-shim.so" ]; then
	echo "ispwiz-emu or serial-shim.so not built (needs umockdev): skipped"
	exit 77
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 missing: skipped"; exit 77; }

# Inputs: a 4 KiB bootloader at 0x7000 and a 28 KiB application below it.
python3 - "$T" <<'EOF'
import random, sys
def write(path, base, data):
    out = []
    for off in range(0, len(data), 16):
        a = base + off
        rec = [len(data[off:off + 16]), (a >> 8) & 255, a & 255, 0] + list(data[off:off + 16])
        out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 255))
    out.append(':00000001FF')
    open(path, 'w').write('\n'.join(out) + '\n')
random.seed(11)
boot = bytes(random.randrange(256) for _ in range(4096))
app = bytes(random.randrange(256) for _ in range(28672))
write(sys.argv[1] + '/boot.hex', 0x7000, boot)
write(sys.argv[1] + '/full.hex', 0x0000, app + boot)
EOF

# compare_dumps A B IMAGE : both dumps hold IMAGE and the same fuses/lock.
compare_dumps() {
	python3 - "$1" "$2" "$3" <<'EOF' || fail "dumps $1 and $2 differ (see above)"
import json, sys
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
    return {k: v for k, v in m.items() if v != 0xFF}
a, b, img = load(sys.argv[1] + '.hex'), load(sys.argv[2] + '.hex'), load(sys.argv[3])
ja, jb = json.load(open(sys.argv[1] + '.json')), json.load(open(sys.argv[2] + '.json'))
ok = True
if a != img:
    print('avrdude left flash different from the image'); ok = False
if b != img:
    print('ispwiz left flash different from the image'); ok = False
if ja['fuses'] != jb['fuses'] or ja['lock'] != jb['lock']:
    print('fuses/lock differ:', ja['fuses'], ja['lock'], jb['fuses'], jb['lock']); ok = False
if ja['fuses']['hfuse'] != '0xD8':
    print('hfuse not written:', ja['fuses']); ok = False
sys.exit(0 if ok else 1)
EOF
}

for prog in avrisp buspirate; do
	case $prog in
	avrisp) dude="-c avrisp -b 19200" ;;
	buspirate) dude="-c buspirate" ;;
	esac
	for image in boot full; do
		# avrdude: erase, write, verify, hfuse (and its own verify of it)
		# shellcheck disable=SC2086
		run 0 timeout 300 "$EMU" --programmer $prog --part m32u4 --dump "$T/dude-$prog-$image" -- \
			"$AVRDUDE" -C "${AVRDUDE_CONF:-/etc/avrdude.conf}" $dude -P {port} -p m32u4 \
			-U "flash:w:$T/$image.hex:i" -U hfuse:w:0xD8:m
		expect_in "$T/err" "bytes of flash verified"
		expect_in "$T/err" "1 byte of hfuse verified"
		# ispwiz flash through our driver, same inputs
		run 0 timeout 300 "$EMU" --programmer $prog --part m32u4 --dump "$T/iw-$prog-$image" -- \
			"$ISPWIZ" flash -c $prog -P {port} -p m32u4 -f "$T/$image.hex" \
			--hfuse 0xD8 --yes --no-backup
		expect_in "$T/err" "fuses read back as written"
		compare_dumps "$T/dude-$prog-$image" "$T/iw-$prog-$image" "$T/$image.hex"
	done
	# avrdude reads back what our driver wrote
	# shellcheck disable=SC2086
	run 0 timeout 300 "$EMU" --programmer $prog --part m32u4 --preload "$T/boot.hex" \
		--dump "$T/read-$prog" -- \
		"$AVRDUDE" -C "${AVRDUDE_CONF:-/etc/avrdude.conf}" $dude -P {port} -p m32u4 \
		-U "flash:v:$T/boot.hex:i" -U lfuse:r:"$T/lfuse-$prog":h
	expect_in "$T/err" "bytes of flash verified"
	expect_in "$T/lfuse-$prog" "0x5e"
done

# -x as the dry run prints it is what avrdude understands: with
# -x reset=aux it reaches a target whose RESET is wired to AUX, and our own
# flash of that board left the same chip.
run 0 ispwiz flash -c buspirate -P /dev/ttyUSB0 -p m32u4 -f "$T/boot.hex" -x reset=aux --dry-run
expect_in "$T/out" "avrdude -c buspirate -P /dev/ttyUSB0 -b 115200 -x reset=aux -p m32u4"
run 0 timeout 300 "$EMU" --programmer buspirate --part m32u4 --reset-pin aux \
	--dump "$T/dude-aux" -- \
	"$AVRDUDE" -C "${AVRDUDE_CONF:-/etc/avrdude.conf}" -c buspirate -x reset=aux -P {port} \
	-p m32u4 -U "flash:w:$T/boot.hex:i" -U hfuse:w:0xD8:m
expect_in "$T/err" "bytes of flash verified"
run 0 timeout 300 "$EMU" --programmer buspirate --part m32u4 --reset-pin aux \
	--dump "$T/iw-aux" -- \
	"$ISPWIZ" flash -c buspirate -x reset=aux -P {port} -p m32u4 -f "$T/boot.hex" \
	--hfuse 0xD8 --yes --no-backup
compare_dumps "$T/dude-aux" "$T/iw-aux" "$T/boot.hex"

finish
