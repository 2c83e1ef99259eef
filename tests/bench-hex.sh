#!/bin/sh
# tests/bench-hex.sh - how long the Intel HEX reader takes and how much
# memory it needs (tests/bench-hex.c: the parse time of
# hex_image_read_file, and the process's peak RSS), on:
#   32k       a 32 KiB image in 16-byte records, in address order (a
#             typical keyboard firmware + bootloader)
#   16m       a 16 MiB image in 16-byte records, in address order
#   16m-desc  the same records in descending address order (was 42 s for
#             11.5 MB when each record was put in front of the last)
#   isolated  about 50 MB of one-byte records two addresses apart, each its
#             own segment (was 1.4 GB of memory)
# Targets: linear or n log n time (16m-desc within a few times 16m), and
# memory proportional to the data (peak RSS a small multiple of the file).
# Run by hand (sh tests/bench-hex.sh from the build directory) or through
# `make bench-hex`.
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
lib_bench=yes
. "$top_srcdir/tests/lib.sh"

bench=${top_builddir}/tests/bench-hex
[ -x "$bench" ] || { echo "bench-hex.sh: build tests/bench-hex first (make bench-hex)" >&2; exit 1; }
need_tool python3

# make KIND SIZE FILE: the images above, written by a generator of its own
# (not ispwiz's writer): 04 records at each new 64 KiB window.
make_hex() {
	python3 - "$@" <<'PY'
import sys
kind, size, path = sys.argv[1], int(sys.argv[2], 0), sys.argv[3]
step, stride = (1, 2) if kind == 'isolated' else (16, 16)
addrs = range(0, size, stride)
if kind == 'desc':
    addrs = reversed(addrs)
def rec(count, addr, rtype, data):
    b = bytes([count, (addr >> 8) & 0xFF, addr & 0xFF, rtype]) + bytes(data)
    return ':%s%02X\n' % (b.hex().upper(), (-sum(b)) & 0xFF)
out, window = [], None
for a in addrs:
    if a >> 16 != window:
        window = a >> 16
        out.append(rec(2, 0, 4, [window >> 8, window & 0xFF]))
    out.append(rec(step, a & 0xFFFF, 0, [(a + i) * 7 & 0xFF for i in range(step)]))
out.append(':00000001FF\n')
open(path, 'w').write(''.join(out))
PY
}

make_hex asc 0x8000 "$T/32k.hex"
make_hex asc 0x1000000 "$T/16m.hex"
make_hex desc 0x1000000 "$T/16m-desc.hex"
make_hex isolated 0x700000 "$T/isolated.hex"
for f in 32k 16m 16m-desc isolated; do
	line=$("$bench" "$T/$f.hex") || exit 1
	printf '%-9s %s\n' "$f" "${line#*: }"
done
