#!/bin/sh
# tests/bench-station.sh - what several programmers at once buy a workshop:
# `ispwiz station` with N = 1, 2 and 4 emulated avrisp programmers
# (ispwiz-emu --count N), each with a jig that swaps boards (a board goes
# off once the lane polls it after flashing, a fresh one goes on 700 ms
# later), on a link paced at BAUD (default 38400), flashing a 4 KiB
# bootloader plus the three fuses.  Per N:
#   boards    boards flashed (BOARDS per lane, all must pass)
#   wall      seconds from the station's start to its end
#   b/min     boards per minute
#   speedup   b/min over N = 1's (goal for N = 4: 3.6 or more -- the
#             lanes wait on their links and jigs, not on the CPU)
#   cpu       the station process's own CPU seconds (user + system), and
#             as a share of one core over the wall time
# A benchmark that prints figures, not a test: it exits 0 unless it could
# not run at all.  Usage (from the build dir, or with top_builddir,
# top_srcdir and ISPWIZ_DATADIR set):  sh tests/bench-station.sh [BAUD [BOARDS]]

set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
lib_bench=yes
. "$top_srcdir/tests/lib.sh"
need_emu
need_tool python3
BAUD=${1:-38400}
BOARDS=${2:-4}

gen_hex "$T/boot4k.hex" 0x7000:4096:random=5

# The station under a small wrapper that reports its CPU time (rusage of
# the child) into $T/cpu.N.
cat >"$T/cpu.py" <<'EOF2'
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
open(sys.argv[1], "w").write("%.3f\n" % (ru.ru_utime + ru.ru_stime))
sys.exit(rc)
EOF2

printf 'station: %s baud, 4 KiB bootloader + fuses, %s boards per lane\n' "$BAUD" "$BOARDS"
printf '%-3s %7s %8s %7s %8s %12s\n' N boards wall b/min speedup "cpu (core%)"
base=
for n in 1 2 4; do
	ports=
	i=1
	while [ "$i" -le "$n" ]; do
		ports="$ports -P {port$i}"
		i=$((i + 1))
	done
	total=$((n * BOARDS))
	s0=$(now)
	# shellcheck disable=SC2086
	if ! "$EMU" --count "$n" --programmer avrisp --part m32u4 --pace "$BAUD" \
		--uart-baud "$BAUD" --jig "$BOARDS" --jig-off-ms 700 --dump "$T/d$n" -- \
		python3 "$T/cpu.py" "$T/cpu.$n" "$ISPWIZ" station -c avrisp-teensy $ports \
		-b "$BAUD" -p atmega32u4 -f "$T/boot4k.hex" --lfuse 0xFF --hfuse 0xD8 \
		--efuse 0xCB --yes --count "$total" --plain >"$T/out" 2>"$T/err"; then
		printf '%-3s   failed: %s\n' "$n" "$(tail -1 "$T/out") $(tail -1 "$T/err")"
		continue
	fi
	wall=$(since "$s0")
	ok=$(grep -c '  ok  ' "$T/out")
	cpu=$(cat "$T/cpu.$n")
	python3 - "$n" "$ok" "$total" "$wall" "$cpu" "${base:-}" <<'EOF2'
import sys
n, ok, total, wall, cpu = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5])
base = float(sys.argv[6]) if sys.argv[6] else None
bpm = ok * 60.0 / wall
speed = "%.2fx" % (bpm / base) if base else "1.00x"
note = "" if ok == total else "  (%d of %d passed)" % (ok, total)
print("%-3d %7d %8.2f %7.1f %8s %6.2f (%2.0f%%)%s" % (n, ok, wall, bpm, speed, cpu,
      100.0 * cpu / wall, note))
EOF2
	[ -z "$base" ] && base=$(python3 -c "print($ok * 60.0 / $wall)")
done
exit 0
