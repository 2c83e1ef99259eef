#!/bin/sh
# tests/bench-halfkay.sh - an upload through HalfKay (a Teensy 2.0,
# emulated), teensy_loader_cli against `ispwiz upload`, on a paced link: one
# control transfer per 1 ms USB frame (--latency-us 1000), with the
# emulator's realistic erase (on the first write) and page write times.
#   bound     what the device and the link allow: the erase, then per block
#             the longer of a frame and a page write, then one frame for
#             the reboot report
#   device    from the first report (which erases) to the reboot report, as
#             the emulated device saw them: teensy_loader_cli, then ispwiz
#   wall      each command's wall time inside the testbed (process start;
#             ispwiz's catalog and finding the device through udev, teensy's
#             bus scan; the emulator's own start-up not included)
#   job       the upload job alone, as ispwiz measures it
# Each figure is the best of $BENCH_RUNS runs (3): the machine is shared.
# A benchmark that prints figures, not a test: it exits 0 unless it could not
# run at all.  Usage (from the build dir, or with top_builddir, top_srcdir and
# ISPWIZ_DATADIR set):  sh tests/bench-halfkay.sh [LATENCY_US]

set -u
top_builddir=${top_builddir:-.}
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
ISPWIZ_DATADIR=${ISPWIZ_DATADIR:-$top_srcdir/data}
export ISPWIZ_DATADIR
EMU=$top_builddir/tests/ispwiz-emu
ISPWIZ=${ISPWIZ:-$top_builddir/ispwiz}
TEENSY=${TEENSY_LOADER_CLI:-$(command -v teensy_loader_cli || true)}
LATENCY=${1:-1000}
RUNS=${BENCH_RUNS:-3}
if [ ! -x "$EMU" ] || [ ! -x "$ISPWIZ" ]; then
	echo "bench-halfkay: build ispwiz and tests/ispwiz-emu first (make check)" >&2
	exit 1
fi
command -v python3 >/dev/null 2>&1 || { echo "bench-halfkay: needs python3" >&2; exit 1; }
T=$(mktemp -d "${TMPDIR:-/tmp}/ispwiz-bench-halfkay.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM

python3 - "$T" <<'EOF'
import random, sys
def write(path, data):
    out = []
    for off in range(0, len(data), 16):
        c = data[off:off + 16]
        rec = [len(c), (off >> 8) & 255, off & 255, 0] + list(c)
        out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 255))
    out.append(':00000001FF')
    open(path, 'w').write('\n'.join(out) + '\n')
random.seed(478)
for name, n in (('app4k', 4096), ('app28k', 28672), ('full', 32256)):
    write('%s/%s.hex' % (sys.argv[1], name), bytes(random.randrange(256) for _ in range(n)))
EOF

# The erase and page times the emulator uses by default (emu-usb.h).
ERASE_S=1.008
PAGE_S=0.004

emu() { "$EMU" --bootloader halfkay --part atmega32u4 --latency-us "$LATENCY" "$@"; }
# timed PREFIX CMD... : CMD inside the testbed, its start and end times in
# PREFIX.start and PREFIX.end.
TIMED='python3 -c "import time; print(time.time())" >"$0.start"; "$@"; rc=$?
python3 -c "import time; print(time.time())" >"$0.end"; exit $rc'
timed() {
	p=$1
	shift
	emu --dump "$p" -- sh -c "$TIMED" "$p" "$@"
}
span() {
	python3 -c "import json; print('%.3f' % json.load(open('$1.usb.json'))['request_span_s'])"
}
wall() {
	python3 -c "print('%.3f' % ($(cat "$1.end") - $(cat "$1.start")))"
}

printf 'HalfKay (emulated Teensy 2.0): %s us per control transfer, erase %s s, page %s s\n' \
	"$LATENCY" "$ERASE_S" "$PAGE_S"
printf '%-8s %6s %8s %17s %17s %8s\n' image blocks bound "device (s)" "wall (s)" job
printf '%-8s %6s %8s %8s %8s %8s %8s %8s\n' '' '' '(s)' teensy ispwiz teensy ispwiz '(s)'
# best A B : the smaller of two figures ("-" when there is none).
best() {
	python3 -c "import sys; v = [float(x) for x in sys.argv[1:] if x != '-']; print('%.3f' % min(v) if v else '-')" "$@"
}
for image in app4k app28k full; do
	case $image in app4k) n=32 ;; app28k) n=224 ;; *) n=252 ;; esac
	bound=$(python3 -c "f = $LATENCY / 1e6; print('%.3f' % ($ERASE_S + $n * max(f, $PAGE_S) + f))")
	td=- tw=- id=- iw=- job=- failed=
	run=0
	while [ $run -lt "$RUNS" ]; do
		run=$((run + 1))
		if [ -n "$TEENSY" ]; then
			if timed "$T/t" "$TEENSY" --mcu=atmega32u4 -w "$T/$image.hex" >"$T/tout" 2>&1; then
				td=$(best "$td" "$(span "$T/t")")
				tw=$(best "$tw" "$(wall "$T/t")")
			else
				failed="teensy_loader_cli: $(tail -1 "$T/tout")"
			fi
		fi
		if ! timed "$T/i" "$ISPWIZ" upload -p atmega32u4 -f "$T/$image.hex" --json \
			>"$T/iout" 2>"$T/ierr"; then
			failed="ispwiz: $(tail -1 "$T/ierr")"
			continue
		fi
		id=$(best "$id" "$(span "$T/i")")
		iw=$(best "$iw" "$(wall "$T/i")")
		job=$(best "$job" "$(python3 - "$T/iout" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get('event') == 'done':
        print('%.3f' % e['result']['seconds'])
EOF
)")
	done
	printf '%-8s %6s %8s %8s %8s %8s %8s %8s\n' $image $n "$bound" "$td" "$id" "$tw" "$iw" "$job"
	[ -z "$failed" ] || printf '  failed: %s\n' "$failed"
done
exit 0
