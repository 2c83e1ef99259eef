#!/bin/sh
# Keys in every text field of the wizard (the bootloader step's file and
# fuse fields, the review's confirmation): ?, j, k and q are typed, not
# commands; Backspace erases and never leaves the step, even in an empty
# field; Ctrl-U clears; F1 is help and the help box says so.  Fuse bytes
# follow the CLI's parser and words (bare digits refused); a refused value
# sends Esc back to its field; path completion sorts, marks folders with /,
# expands ~, and a fixed path clears the stale error.
. "$top_srcdir/tests/tui-lib.sh"

mkdir -p "$T/pc/sub" "$T/home"
: >"$T/pc/b.hex"
: >"$T/pc/a.hex"
: >"$T/home/only-file.hex"
HOME=$T/home
export HOME

# field_has LABEL TEXT: the field after LABEL shows TEXT (at its end).
field_has() {
	screen
	grep -q "^  $1 *.*$2 *\$" "$T/screen" || { fail "the $1 field does not end in '$2'"; show_screen; }
}

field_empty() {
	screen
	grep -q "^  $1 *\$" "$T/screen" || { fail "the $1 field is not empty"; show_screen; }
}

# in_field LABEL: ?, j, k and q typed into the focused field LABEL are text;
# Backspace erases them and more, and the step stays; Ctrl-U clears.
in_field() {
	keys C-u
	type_text "?jkq"
	wait_for "?jkq" 5 || return 1
	field_has "$1" "?jkq"
	not_on_screen "Help: "
	on_step "$2"
	keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace \
		BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
	wait_for --gone "?jkq" 5 || return 1
	keys BSpace BSpace BSpace
	sleep 0.3
	on_step "$2"
	type_text "xyz"
	wait_for "xyz" 5 || return 1
	keys C-u
	wait_for --gone "xyz" 5 || return 1
	field_empty "$1"
	on_step "$2"
	keys F1
	wait_for "Keys: a text field has the cursor, so letters, ?, j, k and q are" 5 ||
		return 1
	on_screen "F1 shows"
	# Any key closes the help (Esc here: it is never typed).
	keys Escape
	wait_for --gone "Help: " 5
	on_step "$2"
}

tui_start --demo --log "$T/session.log"
# The Welcome step's backup field (b).
wait_step Welcome || finish
keys b
wait_for "The backup to put back" 5 || finish
in_field "Backup:" Welcome
keys Escape
wait_for --gone "The backup to put back" 5 || finish
to_review
keys Escape
wait_step Bootloader || finish
keys Tab
wait_for "Ctrl-U clear  F1 help" 5 || finish
in_field "File:" Bootloader

# Completion: sorted, folders marked; then a single match.
type_text "$T/pc/"
keys Tab
wait_for "3 matches: a.hex b.hex sub/" 5 || finish
type_text "s"
keys Tab
wait_for "$T/pc/sub/" 5 || finish
keys C-u
type_text "~/"
keys Tab
wait_for "$T/home/only-file.hex" 5 || finish

# A path that is not there: the error, then it goes once the path is fixed.
keys C-u
type_text "$T/pc/missing.hex"
keys Enter
# The error about it, on the message line (row 23).
wait_for --line 23 "missing.hex" 5 || finish
keys BSpace
wait_for --gone --line 23 "missing.hex" 5 || finish

# Each fuse field.
for f in lfuse hfuse efuse; do
	keys Down
	sleep 0.3
	in_field "$f:" Bootloader
done

# Bare digits are refused with the CLI's own words.
run 2 "$ISPWIZ" fuses decode -p atmega32u4 --lfuse 11 --hfuse 0x99
expect_in "$T/err" "--lfuse: '11' is ambiguous: bare digits are hex in fuse calculators"
keys Up Up
type_text 11
keys Up C-u
type_text "$T/pc/a.hex"
keys Enter
wait_for "lfuse: '11' is ambiguous: bare digits are hex in fuse" 5 || finish
on_screen "(F1: all of it)"
on_step Bootloader
keys F1
wait_for "write 0x11 if you mean hex" 5 || finish
keys Escape
wait_for --gone "Help: " 5 || finish
# The error put the cursor in the lfuse field: q is typed there.
keys q
wait_for "lfuse:  11q" 5 || finish
keys Escape
wait_step Target || finish
keys q
wait_exit || finish
expect_restored

# A refused value (SPIEN unprogrammed in hfuse 0xB9): Esc from the review
# lands on the hfuse field; the review's confirmation field keeps the rules.
tui_start --demo --log "$T/session2.log"
to_review
keys Escape
wait_step Bootloader || finish
keys Tab Down Down
sleep 0.3
keys C-u
type_text 0xB9
keys Enter
wait_for "Refused: SPIEN" 10 || finish
keys Escape
wait_for "The review refused this hfuse value" 5 || finish
field_has "hfuse:" "0xB9"
keys C-u
type_text 0x99
keys Enter
wait_for "Type ATmega32U4 to confirm:" 10 || finish
in_field "Type ATmega32U4 to confirm:" Review
keys Escape
wait_step Bootloader || finish
keys q
wait_exit || finish
expect_restored
finish
