#!/bin/sh
# The wizard's demo, end to end in a real terminal (tmux, 80x24): accepting
# every default with Enter, plus the typed part name the confirm-class fuse
# changes need, reaches a verified flash and the new bootloader's USB ID;
# quitting restores the terminal and cleans up the demo's files.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo --log "$T/session.log"
wait_step Welcome || finish
on_screen "DEMO: nothing is real"
# The welcome text is longer than 24 rows: the "more" mark has a row of its
# own instead of covering the end of a line of text.  (Wait for it: under
# valgrind the header can be on the screen before the body.)
wait_for "more v" || finish
grep -q '^ *more v *$' "$T/screen" || { fail "the more mark shares a row with text"; show_screen; }
keys Enter
wait_for "Which programmer will you use?" || finish
on_screen "> Simulated programmer"
keys Enter
wait_for "Wire the Simulated programmer" || finish
on_screen "RST                -> RESET"
on_screen "!  Simulation only"
keys Enter
# The simulated programmer is plugged in a moment after the port step
# opens (the log below shows the order) and is selected because it is the
# only match.
wait_for "Found the Simulated programmer: selected" || finish
on_screen "> * Simulated programmer"
keys Enter
wait_for "Found an ATmega32U4 (signature 1E 95 87)" || finish
on_screen "lfuse 0xFF"
on_screen "hfuse 0xD8"
keys Enter
wait_for "Bootloaders for the ATmega32U4" || finish
on_screen "> Atmel DFU: ATmega32U4"
on_screen "demo-stand-in-NOT-A-BOOTLOADER.hex"
keys Enter
wait_for "need your confirmation" || finish
on_screen "confirm  CKDIV8 programmed: divides the clock by 8"
on_screen "Type ATmega32U4 to confirm:"
type_text "ATmega32U4"
keys Enter
wait_step Flash || finish
wait_step Done 30 || finish
on_screen "written and verified"
on_screen "$T/session.log"
on_screen "Fuses now: lfuse 0x5E, hfuse 0x99, efuse 0xF3"
on_screen "(USB ID 03EB:2FF4)..."
wait_for "Found: Keyboard with the new bootloader (simulated) (03EB:2FF4)" || finish
keys Enter
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
on_screen "ATmega32U4 flashed and verified; backup of the previous contents"

# The session log has the steps and the job's events, with timestamps.
expect_in "$T/session.log" "step: Review"
expect_in "$T/session.log" "job: done (OK)"
expect_in "$T/session.log" "device added: 03EB:2FF4"
port_line=$(grep -n "step: Port" "$T/session.log" | head -n 1 | cut -d: -f1)
plug_line=$(grep -n "device added: 0000:0000 Simulated programmer" "$T/session.log" |
	head -n 1 | cut -d: -f1)
[ -n "$port_line" ] && [ -n "$plug_line" ] && [ "$plug_line" -gt "$port_line" ] ||
	fail "the programmer did not appear after the port step opened"
grep -q '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:.]* ' "$T/session.log" ||
	fail "log lines carry no timestamp"
# The demo's chip, stand-in image and backups lived in a private temp dir.
left=$(find "$T/tmp" -mindepth 1 | wc -l)
[ "$left" -eq 0 ] || fail "the demo left $left files in TMPDIR"

finish
