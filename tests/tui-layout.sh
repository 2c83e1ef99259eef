#!/bin/sh
# Every step of the demo at 80x24 and at 132x43, held to one generic
# checker (tests/tui-screen-check.py over capture-pane): no line cut
# mid-word at the right edge or inside a box, no column cut inside a
# parenthesis, no list that hides rows without a "more" marker.  Each
# step's help box is checked too, and every page of the scrolling ones.
# At 132x43 the lists use the height: the bootloader list of the 32U4
# shows every row.
. "$top_srcdir/tests/tui-lib.sh"
need_tool python3

# page_turned: a fresh capture differs from the page before and shows
# that there is more above.
page_turned() {
	screen
	! cmp -s "$T/screen" "$T/page-before" && grep -q "more ^" "$T/screen"
}

# check_pages WHAT: check this page and every page below it (PgDn until
# the "more v" marker is gone), then go back to the top.
check_pages() {
	_cp_n=1
	check_screen "$1, page 1"
	while grep -q "more v" "$T/screen" && [ "$_cp_n" -lt 12 ]; do
		cp "$T/screen" "$T/page-before"
		keys NPage
		_cp_n=$((_cp_n + 1))
		# The page moved when the screen changed and "more ^" shows (a
		# slow run, under valgrind, still shows the last page a while).
		until_deadline 5 page_turned || {
			fail "$1: Page Down did not turn to page $_cp_n"
			show_screen
			return 1
		}
		check_screen "$1, page $_cp_n"
	done
	pages=$_cp_n
	keys Home
}

# check_help WHAT: the step's help box (F1 works in fields and lists alike).
check_help() {
	keys F1
	wait_for "Help: " 5 || return 1
	check_screen "$1, help"
	keys Escape
	wait_for --gone "Help: " 5
}

walk() {
	tui_size=$1
	tui_log=$T/session-$1.log
	tui_start --demo --log "$tui_log"
	wait_step Welcome || finish
	check_pages Welcome
	check_help Welcome
	keys Enter
	wait_for "Which programmer will you use?" || finish
	check_screen Programmer
	check_help Programmer
	keys Enter
	wait_for "Wire the Simulated programmer" || finish
	check_pages Wiring
	check_help Wiring
	keys Enter
	wait_for "Found the Simulated programmer: selected" || finish
	check_screen Port
	check_help Port
	keys Enter
	wait_for "Found an ATmega32U4" || finish
	check_pages Target
	check_help Target
	keys Enter
	wait_for "Bootloaders for the ATmega32U4" || finish
	check_screen Bootloader
	check_help Bootloader
	# The list, scrolled to its end: the marks follow.
	keys End
	if [ "$1" = 80x24 ]; then
		wait_for "more ^" 5 || finish
	fi
	check_screen "Bootloader, last row"
	keys Home
	wait_step Bootloader || finish
	keys Enter
	wait_for "Type ATmega32U4 to confirm:" || finish
	check_pages Review
	review_pages=$pages
	# Its last page ends with the avrdude command, laid out to paste whole:
	# the shell reads its rows as the one command the plan holds.
	python3 - "$T/screen" <<'EOF' || { fail "$1: the avrdude command does not paste whole"; show_screen; }
import subprocess, sys
rows = [r.rstrip("\n") for r in open(sys.argv[1])]
start = next(i for i, r in enumerate(rows) if r.strip() == "The same job with avrdude:")
cmd = []
for r in rows[start + 1:]:
    if not r.strip() or r.strip().startswith("more"):
        break
    cmd.append(r[2:])          # the screen's margin
words = subprocess.run(["sh", "-c", "set -- " + "\n".join(cmd) + "\nprintf '%s\\n' \"$@\""],
                       capture_output=True, text=True, check=True).stdout.split("\n")[:-1]
assert words[:5] == ["avrdude", "-c", "dryrun", "-p", "m32u4"], (cmd, words)
flash = words[words.index("-e") + 2]
assert words[words.index("-e") + 1] == "-U", (cmd, words)
assert flash.startswith("flash:w:/") and flash.endswith("/demo-stand-in-NOT-A-BOOTLOADER.hex:i"), (cmd, words)
assert words[-6:] == ["-U", "lfuse:w:0x5E:m", "-U", "hfuse:w:0x99:m", "-U", "efuse:w:0xF3:m"], (cmd, words)
EOF
	check_help Review
	type_text ATmega32U4
	keys Enter
	wait_step Flash || finish
	check_screen Flash
	wait_for "Found: Keyboard with the new bootloader" 30 || finish
	check_pages Done
	check_help Done
	keys Enter
	wait_exit || finish
}

walk 80x24
# Caterina -> Atmel DFU on the 32U4, fuse changes, plan and avrdude command.
[ "$review_pages" -le 3 ] ||
	fail "the review of Caterina -> Atmel DFU takes $review_pages pages at 80x24"

walk 132x43
# Lists follow the height: at 132x43 nothing is hidden on these steps.
grep "layout: list" "$tui_log" | grep -v "shows \([0-9]*\) of \1 rows" |
	while read -r line; do
		fail "a list hides rows at 132x43: $line"
	done
expect_in "$tui_log" "layout: list bootloaders shows 11 of 11 rows"

finish
