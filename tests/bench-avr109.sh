#!/bin/sh
# tests/bench-avr109.sh - an upload through the Caterina (AVR109) bootloader
# emulator with the link paced as a serial line of BAUD would be, for
# `avrdude -c avr109` and `ispwiz upload`, each from start to exit (port
# open, identification, erase, write, verify, start):
#   bound    the bytes an AVR109 upload of that image needs at least (one
#            'A', every block written and read back once, the
#            identification, erase and exit), at 10 bits a byte: what no
#            client on this link can beat
#   ispwiz   `ispwiz upload` wall time, and the bytes it moved
#   avrdude  `avrdude -c avr109 -U flash:w` wall time, and its bytes
# A benchmark that prints figures, not a test: it exits 0 unless it could
# not run at all.  Usage (from the build dir, or with top_builddir,
# top_srcdir and ISPWIZ_DATADIR set):  sh tests/bench-avr109.sh [BAUD...]

set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
ISPWIZ_DATADIR=${ISPWIZ_DATADIR:-$top_srcdir/data}
export ISPWIZ_DATADIR
EMU=$top_builddir/tests/ispwiz-emu
ISPWIZ=${ISPWIZ:-$top_builddir/ispwiz}
AVRDUDE=${AVRDUDE:-$(command -v avrdude || true)}
if [ ! -x "$EMU" ] || [ ! -x "$ISPWIZ" ]; then
	echo "bench-avr109: build ispwiz and ispwiz-emu first (make check)" >&2
	exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "bench-avr109: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/ispwiz-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
BAUDS=${*:-115200 1000000}

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
random.seed(109)
write(sys.argv[1] + '/fw10k.hex', 0, bytes(random.randrange(256) for _ in range(10240)))
write(sys.argv[1] + '/fw28k.hex', 0, bytes(random.randrange(256) for _ in range(28672)))
EOF

# bound BYTES BAUD : seconds the link needs at least for a contiguous image.
bound() {
	python3 - "$1" "$2" <<'EOF'
import sys
n, baud = int(sys.argv[1]), int(sys.argv[2])
blocks = (n + 127) // 128
# identification: S 1/7, V 1/2, b 1/3, t 1/2, T 2/1, P 1/1, s 1/3; erase
# e 1/1; one A 3/1 before the writes and one before the reads; per block
# B 4+128/1 and g 4/128; L 1/1, E 1/1
fixed = (1 + 7) + (1 + 2) + (1 + 3) + (1 + 2) + (2 + 1) + (1 + 1) + (1 + 3) + 2 + 2 * 4 + 2 + 2
total = fixed + blocks * (4 + 128 + 1) + blocks * (4 + 128)
print('%d %.3f' % (total, total * 10.0 / baud))
EOF
}

# wall_of DUMP CMD... : seconds from start to exit and bytes moved, or "failed"
wall_of() {
	dump=$1
	shift
	s0=$(python3 -c 'import time; print(time.time())')
	if "$@" >"$T/wout" 2>&1; then
		python3 - "$s0" "$dump.json" <<'EOF'
import json, sys, time
d = json.load(open(sys.argv[2]))['emulator']
print('%.3f %d' % (time.time() - float(sys.argv[1]), d['bytes_in'] + d['bytes_out']))
EOF
	else
		echo "failed -"
	fi
}

printf '%-8s %-6s %8s %9s %9s %8s %9s %8s\n' baud image bytes bound ispwiz bytes avrdude bytes
for baud in $BAUDS; do
	for image in fw10k fw28k; do
		case $image in fw10k) n=10240 ;; *) n=28672 ;; esac
		set -- $(bound $n "$baud")
		bytes=$1 b=$2
		set -- $(wall_of "$T/i" "$EMU" --bootloader caterina --part m32u4 --pace "$baud" \
			--dump "$T/i" -- "$ISPWIZ" upload -p atmega32u4 -f "$T/$image.hex")
		iw=$1 iwb=$2
		d=- db=-
		if [ -n "$AVRDUDE" ]; then
			set -- $(wall_of "$T/a" "$EMU" --bootloader caterina --part m32u4 --pace "$baud" \
				--dump "$T/a" -- "$AVRDUDE" -c avr109 -p m32u4 -P {port} \
				-U "flash:w:$T/$image.hex:i")
			d=$1 db=$2
		fi
		printf '%-8s %-6s %8s %8ss %8ss %8s %8ss %8s\n' "$baud" $image "$bytes" "$b" "$iw" \
			"$iwb" "$d" "$db"
	done
done
exit 0
