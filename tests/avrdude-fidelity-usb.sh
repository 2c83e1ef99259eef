#!/bin/sh
# tests/avrdude-fidelity-usb.sh - avrdude, a client nobody here wrote, talks
# to the emulated USBtinyISP (through libusb-0.1) and USBasp (libusb-1.0)
# inside the umockdev testbed of ispwiz-emu: it must write, verify and set
# fuses, and leave the chip exactly as `ispwiz flash` does from the same
# inputs.  Then avrdude verifies what our driver wrote.  Also with the old
# USBasp firmware (avrdude warns that it cannot set SCK and carries on) and
# with long addresses on an AT90USB1286.

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
CONF=${AVRDUDE_CONF:-/etc/avrdude.conf}

python3 - "$T" <<'EOF'
import random, sys
def write(path, base, data):
    out = [':020000040000FA']
    seg = 0
    for off in range(0, len(data), 16):
        a = base + off
        if a >> 16 != seg:
            seg = a >> 16
            rec = [2, 0, 0, 4, seg >> 8, seg & 255]
            out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 255))
        chunk = data[off:off + 16]
        rec = [len(chunk), (a >> 8) & 255, a & 255, 0] + list(chunk)
        out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 255))
    out.append(':00000001FF')
    open(path, 'w').write('\n'.join(out) + '\n')
random.seed(23)
boot = bytes(random.randrange(256) for _ in range(4096))
app = bytes(random.randrange(256) for _ in range(28672))
write(sys.argv[1] + '/boot.hex', 0x7000, boot)
write(sys.argv[1] + '/full.hex', 0x0000, app + boot)
write(sys.argv[1] + '/dfu1286.hex', 0x1E000, boot + boot)
EOF

# same A B IMAGE : both dumps hold exactly IMAGE and the same fuses and lock.
same() {
	python3 - "$1" "$2" "$3" <<'EOF' || fail "$1 and $2 differ (see above)"
import json, sys
def load(path):
    mem, base = {}, 0
    for line in open(path):
        line = line.strip()
        if not line.startswith(':'):
            continue
        b = bytes.fromhex(line[1:])
        n, a, kind = b[0], b[1] << 8 | b[2], b[3]
        if kind == 0:
            for i in range(n):
                mem[base + a + i] = b[4 + i]
        elif kind == 4:
            base = (b[4] << 8 | b[5]) << 16
    return {k: v for k, v in mem.items() if v != 0xFF}
dude, ours, img = load(sys.argv[1] + '.hex'), load(sys.argv[2] + '.hex'), load(sys.argv[3])
jd, jo = json.load(open(sys.argv[1] + '.json')), json.load(open(sys.argv[2] + '.json'))
ok = True
for who, mem in (('avrdude', dude), ('ispwiz', ours)):
    if mem != img:
        bad = sorted(set(mem) ^ set(img) | {k for k in mem if k in img and mem[k] != img[k]})
        print('%s left flash different from the image (%d bytes, first at 0x%05X)'
              % (who, len(bad), bad[0]))
        ok = False
if jd['fuses'] != jo['fuses'] or jd['lock'] != jo['lock']:
    print('fuses/lock differ: avrdude', jd['fuses'], jd['lock'], 'ispwiz', jo['fuses'], jo['lock'])
    ok = False
if jd['fuses'].get('hfuse') != '0xD8':
    print('hfuse not written:', jd['fuses'])
    ok = False
sys.exit(0 if ok else 1)
EOF
}

# case NAME PROG PART IMAGE [EMU-OPTIONS...]
case_() {
	name=$1 prog=$2 part=$3 image=$4
	shift 4
	run 0 timeout 300 "$EMU" --programmer "$prog" --part "$part" "$@" --dump "$T/dude-$name" -- \
		"$AVRDUDE" -C "$CONF" -c "$prog" -P {port} -p "$part" \
		-U "flash:w:$T/$image.hex:i" -U hfuse:w:0xD8:m
	expect_in "$T/err" "bytes of flash verified"
	expect_in "$T/err" "1 byte of hfuse verified"
	cp "$T/err" "$T/dude-$name.log"
	run 0 timeout 300 "$EMU" --programmer "$prog" --part "$part" "$@" --dump "$T/iw-$name" -- \
		"$ISPWIZ" flash -c "$prog" -P {port} -p "$part" -f "$T/$image.hex" \
		--hfuse 0xD8 --yes --no-backup
	expect_in "$T/err" "fuses read back as written"
	cp "$T/err" "$T/iw-$name.log"
	same "$T/dude-$name" "$T/iw-$name" "$T/$image.hex"
}

for prog in usbtiny usbasp; do
	case_ "$prog-boot" $prog m32u4 boot
	case_ "$prog-full" $prog m32u4 full
	# avrdude reads back what our driver wrote (and the factory lfuse)
	run 0 timeout 300 "$EMU" --programmer $prog --part m32u4 --preload "$T/boot.hex" \
		--dump "$T/read-$prog" -- \
		"$AVRDUDE" -C "$CONF" -c $prog -P {port} -p m32u4 \
		-U "flash:v:$T/boot.hex:i" -U lfuse:r:"$T/lfuse-$prog":h
	expect_in "$T/err" "bytes of flash verified"
	expect_in "$T/lfuse-$prog" "0x5e"
done

# Old USBasp firmware: avrdude cannot set SCK and says so, both carry on at
# the fixed clock.
case_ usbasp-old usbasp m32u4 boot --old-firmware
expect_in "$T/dude-usbasp-old.log" "cannot set sck period"
expect_in "$T/iw-usbasp-old.log" "JP3"

# 256-byte pages and long addresses (SETLONGADDRESS) on an AT90USB1286.
case_ usbasp-1286 usbasp usb1286 dfu1286 --fuses 5E,99,F3

finish
