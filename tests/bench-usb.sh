#!/bin/sh
# tests/bench-usb.sh - how close the USB drivers come to what a low-speed
# USB programmer allows.  For usbtiny and usbasp, a full job (erase, write,
# verify; no backup) of a 4 KiB bootloader and of a 28 KiB application +
# 4 KiB bootloader on an ATmega32U4 at 16 MHz, on the emulators with the
# USB timing model: every control transfer takes 1 ms (a low-speed device
# answers in the next frame) plus the time its firmware spends clocking SPI
# bytes and waiting for the chip.
#   time    the job's wall time (as the job runner measures it)
#   bound   the fewest transfers the protocol needs for that job (connect,
#           signature, fuse and lock reads, erase and re-enter, per page the
#           load and Write Page requests or USBasp's WRITEFLASH, the reads
#           for verify), each costing what a transfer costs on this emulator
#           (1 ms + the emulator's own overhead, measured from the job's
#           signature reads and printed as `xfer`), plus the SPI time of the
#           instructions the firmware must clock at the chosen SCK, plus the
#           datasheet waits (20 ms after RESET, 9 ms erase, 4.5 ms a page,
#           counted from the Write Page request's completion since a driver
#           cannot know earlier that the chip started)
#   ratio   time / bound (target: 1.1 or less)
#   wall    ispwiz's whole command (process start, catalog, USB enumeration)
#   avrdude avrdude's wall time for the same job on the same emulator (its
#           default SCK), where avrdude is installed
# Then the V-USB bootloaders: `ispwiz upload` of a 28 KiB application to an
# ATmega32A in BootloadHID and in USBaspLoader (--via usbasploader), on the
# same timing model, the bootloader doing its SPM work inside each transfer:
#   time    erase + write + verify, as the job measures its phases
#   bound   the transfers the protocol needs for that (BootloadHID: one SET_
#           REPORT per 128-byte block; USBaspLoader: the Chip Erase TRANSMIT
#           and its poll, one WRITEFLASH per page, one READFLASH per 200
#           bytes), 1 ms each, plus the chip's own time: 4 ms to erase and 4 ms
#           to write a page (the emulator's SPM times; the datasheets say 3.7
#           to 4.5 ms), and Chip Erase's page erases
#   over    (time - bound) / transfers: what each transfer cost beyond the
#           model, the testbed's own overhead (compare xfer above)
#   start   starting the application (USBaspLoader: DISCONNECT, and the
#           500 ms its builds wait before they leave the bus)
# A benchmark that prints figures, not a test: it exits 0 unless it could not
# run at all.  Usage (from the build dir, or with top_builddir, top_srcdir and
# ISPWIZ_DATADIR set):  sh tests/bench-usb.sh [LATENCY_US]

set -u
top_srcdir=${top_srcdir:-$(dirname "$0")/..}
lib_bench=yes
. "$top_srcdir/tests/lib.sh"
need_emu
need_tool python3
LATENCY=${1:-1000}

gen_hex "$T/boot4k.hex" 0x7000:4096:random=5
gen_hex "$T/fw28k.hex" 0:28672:random=5@4096 0x7000:4096:random=5

# report PROGRAMMER BYTES JSON_LOG : "time bound ratio xfer_ms sck" from the
# job's JSON events.
report() {
	python3 - "$1" "$2" "$3" <<'EOF'
import json, math, sys
prog, nbytes, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
events, result = [], None
for line in open(log):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    events.append(e)
    if e.get('event') == 'done':
        result = e.get('result')
if not result or result.get('status') != 'OK':
    print('failed'); sys.exit(0)
start = {e['phase']: e['elapsed'] for e in events if e.get('event') == 'phase'}
f = float(result['sck_hz'])
spi = 32.0 / f                       # one 4-byte instruction
# the emulator's cost of one short transfer: the three signature reads
xfer = (start['read-fuses'] - start['signature']) / 3 - spi
pages = nbytes // 128
settle, erase, page_wait = 0.020, 0.009, 0.0045
if prog == 'usbtiny':
    fixed = (xfer + settle + (xfer + spi)            # POWERUP, 20 ms, enable
             + 7 * (xfer + spi)                      # signature, 3 fuses, lock
             + (xfer + spi) + erase                  # erase
             + xfer + settle + (xfer + spi)          # re-enter
             + xfer)                                 # POWERDOWN
    write = pages * ((xfer + 128 * spi) + (xfer + spi) + page_wait)
    verify = pages * (xfer + 128 * spi)
else:
    fixed = (xfer + xfer + settle + (xfer + spi)     # SETISPSCK, CONNECT, 20 ms, ENABLEPROG
             + 7 * (xfer + spi)
             + (xfer + spi) + erase
             + xfer + settle + (xfer + spi)          # CONNECT, 20 ms, ENABLEPROG
             + xfer)                                 # DISCONNECT
    # WRITEFLASH: the firmware loads, commits and polls inside the transfer
    write = pages * (xfer + 128 * spi + spi + page_wait + spi)
    verify = math.ceil(nbytes / 200) * xfer + nbytes * spi
bound = fixed + write + verify
t = result['seconds']
print('%.3f %.3f %.2f %.2f %g' % (t, bound, t / bound, xfer * 1e3, f / 1e3))
EOF
}

printf 'USB timing model: %s us per control transfer\n' "$LATENCY"
printf '%-8s %-7s %8s %8s %6s %6s %7s %8s %8s\n' programmer image time bound ratio xfer SCK wall avrdude
printf '%-8s %-7s %8s %8s %6s %6s %7s %8s %8s\n' '' '' '(s)' '(s)' '' '(ms)' '(kHz)' '(s)' '(s)'
for prog in ${BENCH_PROGRAMMERS:-usbtiny usbasp}; do
	for image in boot4k fw28k; do
		case $image in boot4k) n=4096 ;; *) n=32768 ;; esac
		s0=$(now)
		"$EMU" --programmer $prog --part m32u4 --fuses FF,D8,CB --latency-us "$LATENCY" \
			--dump "$T/d" -- "$ISPWIZ" flash -c $prog -P {port} -p m32u4 \
			-f "$T/$image.hex" --no-backup --json >"$T/out" 2>"$T/err"
		wall=$(since "$s0")
		set -- $(report $prog $n "$T/out")
		if [ "$1" = failed ]; then
			printf '%-8s %-7s   failed: %s\n' $prog $image "$(tail -1 "$T/err")"
			continue
		fi
		d=-
		if [ -n "$AVRDUDE" ]; then
			s0=$(now)
			if "$EMU" --programmer $prog --part m32u4 --fuses FF,D8,CB --latency-us "$LATENCY" \
				--dump "$T/a" -- "$AVRDUDE" -c $prog -P {port} -p m32u4 \
				-U "flash:w:$T/$image.hex:i" >"$T/aout" 2>&1; then
				d=$(since "$s0")
			else
				d=failed
			fi
		fi
		printf '%-8s %-7s %8s %8s %6s %6s %7s %8s %8s\n' $prog $image "$1" "$2" "$3" "$4" "$5" \
			"$wall" "$d"
	done
done
# upload_report CLIENT BYTES JSON_LOG : "time bound ratio start" from an
# upload's JSON events.
upload_report() {
	python3 - "$1" "$2" "$3" "$LATENCY" <<'EOF2'
import json, math, sys
client, nbytes, log, latency = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
start, result = {}, None
for line in open(log):
    try:
        e = json.loads(line)
    except ValueError:
        continue
    if e.get('event') == 'phase':
        start.setdefault(e['phase'], e['elapsed'])
    if e.get('event') == 'done':
        result = e.get('result')
if not result or result.get('status') != 'OK':
    print('failed'); sys.exit(0)
xfer, spm_erase, spm_write = latency / 1e6, 0.004, 0.004
pages = nbytes // 128
first = start.get('erase', start['write'])
t = start['start'] - first
if client == 'bootloadhid':
    n = pages
    bound = pages * (xfer + spm_erase + spm_write)
else:
    app_pages = 0x7000 // 128
    n = 2 + pages + math.ceil(nbytes / 200)
    bound = (2 * xfer + app_pages * spm_erase          # Chip Erase, then one poll
             + pages * (xfer + spm_erase + spm_write)  # WRITEFLASH, erased on demand
             + math.ceil(nbytes / 200) * xfer)         # READFLASH for the verify
print('%.3f %.3f %.2f %.2f %.3f' % (t, bound, t / bound, (t - bound) / n * 1e3,
                                    result['seconds'] - start['start']))
EOF2
}

gen_hex "$T/app28k.hex" 0:28672:random=5
printf '\n%-13s %-7s %8s %8s %6s %6s %8s %8s\n' bootloader image time bound ratio over start wall
printf '%-13s %-7s %8s %8s %6s %6s %8s %8s\n' '' '' '(s)' '(s)' '' '(ms)' '(s)' '(s)'
for client in bootloadhid usbasploader; do
	case $client in
	bootloadhid) fuses=0F,D0 via= ;;
	*) fuses=1F,C0 via="--via usbasploader" ;;
	esac
	s0=$(now)
	# shellcheck disable=SC2086
	"$EMU" --bootloader $client --part m32a --fuses $fuses --latency-us "$LATENCY" \
		--dump "$T/b" -- "$ISPWIZ" upload $via -p m32a -f "$T/app28k.hex" --json \
		>"$T/out" 2>"$T/err"
	wall=$(since "$s0")
	set -- $(upload_report $client 28672 "$T/out")
	if [ "$1" = failed ]; then
		printf '%-13s %-7s   failed: %s\n' $client app28k "$(tail -1 "$T/err")"
		continue
	fi
	printf '%-13s %-7s %8s %8s %6s %6s %8s %8s\n' $client app28k "$1" "$2" "$3" "$4" "$5" \
		"$wall"
done
exit 0
