#!/bin/sh
# Cancelling mid-flash asks first; "no" changes nothing, "yes" stops the
# job at the next safe point.  Quitting during a job asks too, and stops
# the job before the wizard ends.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo-slow --log "$T/session.log"
to_review
type_text "ATmega32U4"
keys Enter
wait_for "Backup read  [#" 20 || finish

keys c
wait_for "Stop flashing at the next safe point?" || finish
keys n
wait_for --gone "Stop flashing at the next safe point?" || finish
on_screen "Working. c cancels"

keys c
wait_for "Stop flashing at the next safe point?" || finish
keys y
wait_for "Cancelled. r starts again" || finish
on_step Flash
on_screen "cancelled"
# Once stopped, the key hints say what works now: c no longer does.
on_screen "r start again  Esc back"
not_on_screen "c cancel  ? help"
expect_in "$T/session.log" "job: cancel requested"
expect_in "$T/session.log" "job: done (CANCELLED)"

# Again, and this time quit while it runs.
keys r
wait_for "Working. c cancels" || finish
wait_for "Backup read  [#" 20 || finish
keys q
wait_for "Quit now? The chip is being worked on" || finish
keys y
wait_exit 30 || finish
[ "$exit_status" = 130 ] || fail "quitting a running job exited $exit_status, expected 130"
expect_restored
on_screen "flashing failed: cancelled"
finish
