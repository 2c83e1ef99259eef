#!/bin/sh
# Confirm-class fuse changes need the part name typed: a wrong name does
# not proceed, the right one (in any case) does.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo --log "$T/session.log"
to_review
on_screen "5 fuse changes need your confirmation (marked confirm below)."
on_screen "Type ATmega32U4 to confirm:"
not_on_screen "The chip is locked"
keys Enter
wait_for '"" is not ATmega32U4: nothing will be written' || finish
type_text "ATmega16U4"
keys Enter
wait_for '"ATmega16U4" is not ATmega32U4' || finish
on_step Review
# Letters that are keys elsewhere (q quits, j moves) are typed here.
keys BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace
type_text "qj"
keys Enter
wait_for '"qj" is not ATmega32U4' || finish
keys BSpace BSpace
type_text "atmega32u4"
keys Enter
wait_step Flash || finish
wait_step Done 30 || finish
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
expect_in "$T/session.log" "review: confirmed (typed the part name)"

# A locked chip: the review warns, before anything runs, that the backup
# will hold its fuses only.
tui_start --demo --demo-fault locked
to_review
on_screen "The chip is locked (lock 0xFC, LB1/LB2 programmed): its flash and"
on_screen "backup will hold fuses only"
back_from_review_and_quit
finish
