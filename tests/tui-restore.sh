#!/bin/sh
# The way back: a flash cancelled in its write phase, started again and
# cancelled again.  The first backup (what the chip held before ispwiz
# wrote to it) stays named on the screen and in the exit line; the retry's
# own backup is labelled as the half-written chip it is.  b puts the first
# backup back through the emulated programmer (a round trip: the restore
# job writes and verifies it), and the exit line says so.  Then from the
# Welcome step: b, the path of a backup `ispwiz read` made of another
# simulated chip (a wrong path is refused there), the programmer, port and
# target steps, a question, and the restore, verified.
. "$top_srcdir/tests/tui-lib.sh"

# on_screen_joined TEXT: TEXT is on the screen, perhaps wrapped over lines
# (a long path is): compared with every space and line break taken out.
on_screen_joined() {
	screen
	tr -d ' \n' <"$T/screen" | grep -qF -- "$(printf '%s' "$1" | tr -d ' ')" ||
		{ fail "expected '$1' on the screen (wrapped or not)"; show_screen; }
}

tui_start --demo-slow --log "$T/session.log"
to_review
type_text "ATmega32U4"
keys Enter
wait_for "Write        [#" 60 || finish
keys c
wait_for "Stop flashing at the next safe point?" || finish
keys y
wait_for "Cancelled. r starts again, b puts the backup back" 30 || finish
first=$(sed -n 's/.*backup: first of this board: \(.*\)\.json$/\1/p' "$T/session.log")
[ -n "$first" ] || { fail "no first backup in the log"; finish; }
on_screen "Backup of what the chip held before ispwiz wrote to it (b puts it back):"
on_screen_joined "$first.hex"
on_screen "r start again  b put back the backup  Esc back"

# Again: the retry backs up the half-written chip, and says so.  The
# first run's bars stay until the retry has started (a while, under
# valgrind): wait for the new job before waiting for its write.
keys r
wait_for --gone "Cancelled. r starts again" 30 || finish
wait_for "Write        [#" 60 || finish
keys c
wait_for "Stop flashing at the next safe point?" || finish
keys y
wait_for "Cancelled. r starts again" 30 || finish
expect_in "$T/session.log" "backup: a later one (the chip as a retry found it)"
on_screen_joined "(bputsitback):$first.hex"
on_screen "A later backup, of the chip as this retry found it (half-written):"

keys b
wait_for "Put back the backup" || finish
keys y
wait_for "Putting the backup back on the ATmega32U4" 10 || finish
wait_for "Put back and verified." 120 || finish
on_screen "The backup is back on the chip"
expect_in "$T/session.log" "restore: done"
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
on_screen "ispwiz: the backup was put back on the ATmega32U4 and verified"
on_screen_joined "backup of the previous contents: $first.hex"

# --- from the Welcome step ------------------------------------------------------
need_tool python3
gen_hex "$T/a.hex" 0:2048:random=3 0x7000:4096:0x5A
run 0 "$ISPWIZ" flash -c sim -p atmega32u4 -f "$T/a.hex" --sim-state "$T/chip.json" \
	--hfuse 0xD8 --yes --no-backup
run 0 "$ISPWIZ" read -c sim -p atmega32u4 --sim-state "$T/chip.json" -o "$T/orig"
tui_start --demo --log "$T/session2.log"
wait_step Welcome || finish
keys b
wait_for "The backup to put back" 5 || finish
type_text "$T/nope.json"
keys Enter
wait_for "nope.json" 5 || finish
on_step Welcome
keys C-u
type_text "$T/ori"
keys Tab
wait_for "3 matches: orig.eep.hex orig.hex orig.json" 5 || finish
type_text "json"
keys Enter
wait_for "Which programmer will you use?" || finish
to_target
keys Enter
wait_for "ATmega32U4? Its flash, EEPROM and fuses are written" 5 || finish
keys y
wait_for "Putting the backup back on the ATmega32U4" 10 || finish
wait_for "Put back and verified." 60 || finish
expect_in "$T/session2.log" "restore: chosen $T/orig.json (ATmega32U4)"
expect_in "$T/session2.log" "restore: done"
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
on_screen "ispwiz: the backup was put back on the ATmega32U4 and verified"
finish
