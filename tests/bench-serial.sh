#!/bin/sh
# tests/bench-serial.sh - how close the serial drivers come to what the link
# allows.  For each serial programmer, a full job (erase, write, verify) of a
# 4 KiB bootloader and of a 28 KiB application + 4 KiB bootloader, with the
# emulator pacing bytes as a 19200 and a 115200 baud link would:
#   time    the job's wall time (as the job runner measures it)
#   bound   the protocol's minimum bytes for that job each way, at 10 bits
#           a byte, plus the datasheet write delays (4.5 ms a page, 9 ms
#           for the erase) -- what no driver on this link can beat
#   ratio   time / bound (target: 1.1 or less)
#   wall    `ispwiz flash` from start to exit, on the same emulator: what a
#           person waits for (port open, sync, signature, fuses included)
#   avrdude avrdude's wall time for the same job on the same emulator,
#           where avrdude is installed -- compare it with wall
# A benchmark that prints figures, not a test: it always exits 0 unless it
# could not run at all.  Usage (from the build dir, or with top_builddir,
# top_srcdir and ISPWIZ_DATADIR set):  sh tests/bench-serial.sh [BAUD...]

set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
lib_bench=yes
. "$top_srcdir/tests/lib.sh"
need_emu serial-client
need_tool python3
BAUDS=${*:-19200 115200}

gen_hex "$T/boot4k.hex" 0x7000:4096:random=5
gen_hex "$T/fw28k.hex" 0:28672:random=5@4096 0x7000:4096:random=5

# bound PROGRAMMER BYTES BAUD : seconds the link needs at least.
bound() {
	python3 - "$1" "$2" "$3" <<'EOF'
import sys
prog, nbytes, baud = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
page = 128
pages = nbytes // page
if prog == 'avrisp':
    # per page: LOAD_ADDRESS 4/2, PROG_PAGE 5+N/2; verify: LOAD_ADDRESS 4/2,
    # READ_PAGE 5/N+2; erase through UNIVERSAL 6/3
    out = pages * (4 + 5 + page + 4 + 5) + 6
    inn = pages * (2 + 2 + 2 + page + 2) + 3
else:
    # per page: write-then-read 5+4N/1, Write Page bulk 5/5; verify: AVR
    # bulk read 10/2+N; erase bulk 5/5
    out = pages * (5 + 4 * page + 5 + 10) + 5
    inn = pages * (1 + 5 + 2 + page) + 5
link = (out + inn) * 10.0 / baud
delays = pages * 0.0045 + 0.009
print('%.3f' % (link + delays))
EOF
}

# wall_of CMD... : seconds from start to exit, or "failed"
wall_of() {
	s0=$(now)
	if "$@" >"$T/wout" 2>&1; then
		since "$s0"
	else
		echo failed
	fi
}

printf '%-10s %7s %-8s %9s %9s %6s %9s %9s\n' programmer baud image time bound ratio wall avrdude
for prog in avrisp buspirate; do
	for baud in $BAUDS; do
		for image in boot4k fw28k; do
			case $image in boot4k) n=4096 ;; *) n=32768 ;; esac
			if ! "$EMU" --programmer $prog --part m32u4 --pace "$baud" --uart-baud "$baud" \
				--dump "$T/d" -- "$CLIENT" --driver $prog --port {port} --part m32u4 \
				--baud "$baud" --image "$T/$image.hex" >"$T/out" 2>"$T/err"; then
				printf '%-10s %7s %-8s   failed: %s\n' $prog "$baud" $image "$(sed -n 2p "$T/out")"
				continue
			fi
			t=$(sed -n 's/.* \([0-9.]*\) s$/\1/p' "$T/out" | tail -1)
			b=$(bound $prog $n "$baud")
			r=$(python3 -c "print('%.2f' % ($t / $b))")
			w=$(wall_of "$EMU" --programmer $prog --part m32u4 --pace "$baud" \
				--uart-baud "$baud" --dump "$T/w" -- "$ISPWIZ" flash -c $prog \
				-P {port} -b "$baud" -p m32u4 -f "$T/$image.hex" --no-backup)
			d=-
			if [ -n "$AVRDUDE" ]; then
				case $prog in avrisp) c=avrisp ;; *) c=buspirate ;; esac
				d=$(wall_of "$EMU" --programmer $prog --part m32u4 --pace "$baud" \
					--uart-baud "$baud" --dump "$T/a" -- "$AVRDUDE" -c $c -b "$baud" \
					-P {port} -p m32u4 -U "flash:w:$T/$image.hex:i")
			fi
			printf '%-10s %7s %-8s %8ss %8ss %6s %8ss %8ss\n' $prog "$baud" $image "$t" "$b" "$r" "$w" "$d"
		done
	done
done
exit 0
