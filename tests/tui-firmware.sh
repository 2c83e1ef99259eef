#!/bin/sh
# The wizard's ISP-firmware step, in tmux, against the Caterina and HalfKay
# emulators (tests/ispwiz-emu, umockdev): ispwiz loads the Pro Micro's and
# the Teensy's ISP firmware itself.
#   - Pro Micro running a sketch: the 1200-baud touch, the write and verify
#     bars, the wait for the programmer's USB ID, the port it got; the
#     emulated chip then holds exactly the file;
#   - a bootloader started by hand later: the countdown is shown;
#   - none ever comes: the error says what to do (reset twice, cable,
#     ModemManager), and nothing was written;
#   - a file that is not the known upstream one asks first (no: nothing
#     written); a bootloader given as the firmware is refused;
#   - a board that already runs its ISP firmware is recognised, and the step
#     moves on by itself;
#   - Teensy 2.0 through HalfKay: loaded, "not verified" said plainly.
. "$top_srcdir/tests/tui-lib.sh"

need_emu
REAL=$ISPWIZ
# gen_hex for the firmware files: an application of 5000 bytes at 0.
gen_hex "$T/isp.hex" 0x0000:5000:random=12
# boot.hex is a bootloader the catalog knows (a user entry): never loaded
# as the programmer's firmware.
known_bootloader

# wizard_in EMU-OPTIONS... -- WIZARD-OPTIONS...: the wizard inside the
# emulator's testbed (valgrind, when set, wraps ispwiz, not the emulator).
wizard_in() {
	{
		printf '#!/bin/sh\nexec "%s"' "$EMU"
		while [ "$1" != "--" ]; do printf " '%s'" "$1"; shift; done
		printf " --dump '%s' -- %s '%s'" "$T/dump" "${WRAP:-}" "$REAL"
		shift
		for a in "$@"; do printf " '%s'" "$a"; done
		printf ' "$@"\n'
	} >"$T/wizard"
	chmod +x "$T/wizard"
	ISPWIZ=$T/wizard ISPWIZ_WRAPPER='' tui_start --log "$T/session.log"
}
WRAP=${ISPWIZ_WRAPPER:-}
# umockdev's own preload library trips valgrind over USB: its suppressions.
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
# SparkFun's 750 ms window, unless valgrind makes ispwiz too slow for it.
# A bootloader started by hand a while after the wizard: late enough that the
# wizard is waiting for it by then, later under valgrind, whose start alone
# takes seconds.
WINDOW=750 LATER=4000
[ -n "$WRAP" ] && WINDOW=8000 LATER=30000

to_firmware() {
	wait_for "Welcome" || finish
	keys Enter
	wait_for "Which programmer will you use?" || finish
	[ "${1:-}" = teensy ] && keys Down
	keys Enter
	wait_for "First: the ISP firmware for the" || finish
}

# A file typed into the field (Tab moves into it), over what it held.
give_file() {
	keys Tab End
	keys -N 200 BSpace
	type_text "$1"
	keys Escape
}

# ---- Pro Micro running a sketch: the touch, the bars, the programmer -----------
wizard_in --bootloader caterina --part m32u4 --window-ms $WINDOW --sketch --then-id 16C0:0483 --
to_firmware
on_screen "pro_micro_ISP_B6_10.hex is not here yet: press d to download"
on_screen "short RST to GND twice quickly"
give_file "$T/isp.hex"
keys Enter
wait_for "Are you sure?" || finish
on_screen "isp.hex is not the known upstream"
keys y
wait_for "The ISP firmware is on the board (written and verified)" 30 || finish
on_screen "at /dev/ttyACM2."
expect_in "$T/session.log" "the 1200-baud touch"
keys Enter
wait_for "Wire the" || finish
# The port step finds the programmer the board has become, already there.
keys Enter
wait_for "Found the Pro Micro as ISP (ArduinoISP firmware) on /dev/ttyA" || finish
# The status line is cut at 80 columns; the log holds it whole.
expect_in "$T/session.log" "Found the Pro Micro as ISP (ArduinoISP firmware) on /dev/ttyACM2: selected"
quit_clean
flash_is "$T/dump" "$T/isp.hex"

# ---- d downloads the firmware (a local HTTP server; a catalog copy points
# there and knows isp.hex as the upstream file): no question asked ------------------
mkdir -p "$T/www"
cp "$T/isp.hex" "$T/www/pro_micro_ISP_B6_10.hex"
python3 "$top_srcdir/tests/http-fixture.py" "$T/www" "$T/port" &
server=$!
trap 'kill $server 2>/dev/null; tmux -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
within 10 test -s "$T/port" || { fail "the test server did not start"; finish; }
isp_sha=$(image_sha "$T/isp.hex")
python3 - "$ISPWIZ_DATADIR/catalog.yaml" "$T/catalog.yaml" "http://127.0.0.1:$(cat "$T/port")" "$isp_sha" <<'EOF2'
import sys
src, dst, base, sha = sys.argv[1:]
text = open(src).read()
for old, new in [
        ("https://raw.githubusercontent.com/qmk/qmk_firmware/master/util/pro_micro_ISP_B6_10.hex",
         base + "/pro_micro_ISP_B6_10.hex"),
        ("e3a4bb582440ed04ebab0eb5aabbb1ebe309186cdd9a64fdf7fb5a4a28753645", sha),
        ("start: 0x0000, length: 5756,", "start: 0x0000, length: 5000,")]:
    assert text.count(old) == 1, old
    text = text.replace(old, new)
open(dst, 'w').write(text)
EOF2
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME
wizard_in --bootloader caterina --part m32u4 --window-ms $WINDOW --sketch --then-id 16C0:0483 -- --catalog "$T/catalog.yaml"
to_firmware
keys d
wait_for "Downloaded and checked:" 20 || finish
on_screen "The known upstream pro_micro_ISP_B6_10.hex (checked by its identity)."
[ -f "$T/cache/ispwiz/files/pro_micro_ISP_B6_10.hex" ] || fail "the download was not kept"
keys Enter
wait_for "The ISP firmware is on the board (written and verified)" 30 || finish
not_on_screen "Are you sure?"
quit_clean
flash_is "$T/dump" "$T/isp.hex"
kill $server

# ---- started by hand later: the countdown -----------------------------------------
wizard_in --bootloader caterina --part m32u4 --window-ms $WINDOW --appear-after-ms $LATER --then-id 16C0:0483 --
to_firmware
give_file "$T/isp.hex"
keys Enter
wait_for "Are you sure?" || finish
keys y
wait_for "Waiting for the bootloader: " || finish
grep -q "Waiting for the bootloader: [0-9]* s left" "$T/screen" ||
	{ fail "no countdown"; show_screen; }
on_screen "no bootloader is there yet: start it now"
on_screen "Now: short RST to GND twice quickly (the bootloader then waits 8 s)."
wait_for "written and verified" 30 || finish
quit_clean
flash_is "$T/dump" "$T/isp.hex"

# ---- none comes: what to do; refused and declined files write nothing -------------
wizard_in --bootloader caterina --part m32u4 --window-ms $WINDOW --appear-after-ms 600000 --
to_firmware
give_file "$T/boot.hex"
keys Enter
wait_for "Not loaded:" || finish
on_screen "is Test Caterina, not the ISP firmware"
not_on_screen "Are you sure?"
give_file "$T/isp.hex"
keys Enter
wait_for "Are you sure?" || finish
keys n
wait_for --gone "Are you sure?" || finish
not_on_screen "Waiting for the bootloader"
keys Enter
wait_for "Are you sure?" || finish
keys y
wait_for "Waiting for the bootloader: " || finish
keys c
wait_for "Stop loading the firmware?" || finish
keys y
wait_for "Cancelled. Enter loads the firmware again." 15 || finish
quit_clean
expect_in "$T/session.log" "cancelled while waiting for the bootloader; nothing was written"
json_check "$T/dump.json" 'd["emulator"]["erases"] == 0 and d["emulator"]["blocks_written"] == 0'

# ---- a board that runs its ISP firmware already ------------------------------------
wizard_in --programmer avrisp --programmer-id avrisp-promicro --part m32u4 --
wait_for "Welcome" || finish
keys Enter
wait_for "Which programmer will you use?" || finish
keys Enter
# It says so, and goes on to the wiring by itself (no key pressed).
wait_for "Wire the" || finish
quit_clean
expect_in "$T/session.log" "already runs its ISP firmware: found it at /dev/tty"
expect_in "$T/session.log" "Nothing to load."

# ---- Teensy 2.0 through HalfKay -------------------------------------------------------
wizard_in --bootloader halfkay --part atmega32u4 --appear-after-ms $LATER --then-id 16C0:0483 --
to_firmware teensy
on_screen "press the Teensy's button"
give_file "$T/isp.hex"
keys Enter
wait_for "Are you sure?" || finish
keys y
wait_for "Now: press the Teensy's button." || finish
wait_for "The ISP firmware is on the board (written; the bootloader cannot read back" 30 ||
	finish
quit_clean
flash_is "$T/dump" "$T/isp.hex"

finish
