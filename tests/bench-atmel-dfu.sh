#!/bin/sh
# tests/bench-atmel-dfu.sh - how close `ispwiz upload` through an Atmel DFU
# bootloader comes to what the bus allows, and how it compares with the
# reference client.  A 28 KiB keyboard firmware (all of an ATmega32U4's
# application area) on the DFU emulator paced at one control transfer per
# USB frame (every transfer takes 1 ms), once with the chip's own times
# (4 ms an SPM page erase or write: 0.9 s for the chip erase, 32 ms per
# 1 KiB block) and once with an instant chip, so that only the transfers
# count.
#   tool     ispwiz: `ispwiz upload` (erase, blank check, write, read back,
#            start); dfu-programmer: `erase`, `flash` (which reads back the
#            whole application area) and `start`, three runs as one does
#   wall     the whole command, processes and USB enumeration included
#   bus      first to last class request the device saw
#   xfers    class requests the device answered
#   xfer     what one transfer costs on this emulator: the median time from
#            one quick class request to the next (the frame, plus umockdev's
#            round trips between the processes, plus the host's turnaround)
#   link     the fewest transfers the job needs at one frame (1 ms) each,
#            plus the chip's time: GETSTATUS to find it idle, the version and
#            the three signature bytes (a command and an UPLOAD each), a
#            one-byte read that finds the security bit, the erase (command,
#            GETSTATUS saying how long, GETSTATUS when it is over) and the
#            blank check (command, GETSTATUS), per 1 KiB block (the most one
#            command carries) a program command and its GETSTATUS, and a
#            read command and its UPLOAD, and the two DNLOADs that start the
#            application: 130 transfers
#   bound    the same with each transfer costing `xfer`
#   ratio    bus / link and bus / bound (aim for ispwiz: 1.1 or less, and
#            no slower than dfu-programmer)
# A benchmark that prints figures, not a test: it exits 0 unless it could
# not run at all.  Usage (from the build dir, or with top_builddir,
# top_srcdir and ISPWIZ_DATADIR set):  sh tests/bench-atmel-dfu.sh [LATENCY_US]

set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
lib_bench=yes
. "$top_srcdir/tests/lib.sh"
need_emu
need_tool python3
LATENCY=${1:-1000}
DFU_PROGRAMMER=${DFU_PROGRAMMER:-$(command -v dfu-programmer || true)}

gen_hex "$T/fw28k.hex" 0:28672:random=5

cat >"$T/report.py" <<'PY'
import json, sys
tool, chip, wall, dump, latency = sys.argv[1:6]
d = json.load(open(dump + '.dfu.json'))
frame = int(latency) / 1e6
xfer = d['transfer_us'] / 1e6
blocks = 28
xfers = 1 + 4 * 2 + 2 + 3 + 2 + blocks * 2 + blocks * 2 + 2
chip_s = 0.0 if chip == 'instant' else (224 + 224) * 0.004
link = xfers * frame + chip_s
bound = xfers * xfer + chip_s
bus = d['request_span_us'] / 1e6
print('%-15s %-8s %7s %7.3f %6d %6.2f %7.3f %7.3f %6.2f %6.2f' % (
    tool, chip, wall, bus, d['class_requests'], xfer * 1e3, link, bound, bus / link,
    bus / bound))
PY

# run_one TOOL CHIP OPT COMMAND... : one row.
run_one() {
	tool=$1 chip=$2 opt=$3
	shift 3
	s0=$(now)
	if "$EMU" --bootloader atmel-dfu --part atmega32u4 $opt --latency-us "$LATENCY" \
		--dump "$T/d" -- "$@" >"$T/out" 2>"$T/err" &&
		python3 "$top_srcdir/tests/check-dump.py" "$T/d" "$T/fw28k.hex"; then
		python3 "$T/report.py" "$tool" "$chip" "$(since "$s0")" "$T/d" "$LATENCY"
	else
		printf '%-15s %-8s failed: %s\n' "$tool" "$chip" "$(tail -1 "$T/err")"
	fi
}

printf 'Atmel DFU, ATmega32U4, 28 KiB; %s us per control transfer\n' "$LATENCY"
printf '%-15s %-8s %7s %7s %6s %6s %7s %7s %6s %6s\n' tool chip wall bus xfers xfer link \
	bound ratio ratio
printf '%-15s %-8s %7s %7s %6s %6s %7s %7s %6s %6s\n' '' '' '(s)' '(s)' '' '(ms)' '(s)' '(s)' \
	/link /bound
for chip in real instant; do
	opt=
	[ "$chip" = instant ] && opt=--instant-chip
	run_one ispwiz "$chip" "$opt" "$ISPWIZ" upload -p atmega32u4 -f "$T/fw28k.hex"
	[ -n "$DFU_PROGRAMMER" ] || continue
	run_one dfu-programmer "$chip" "$opt" sh -c "$DFU_PROGRAMMER atmega32u4 erase &&
		$DFU_PROGRAMMER atmega32u4 flash '$T/fw28k.hex' && $DFU_PROGRAMMER atmega32u4 start"
done
exit 0
