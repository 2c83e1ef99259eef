#!/bin/sh
# Resizing the terminal while the chip is being flashed: the layout follows
# at once, a too-small window gets a notice instead of a broken screen, and
# the flash goes on undisturbed to the end.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo-slow
to_review
type_text "ATmega32U4"
keys Enter
wait_for "Backup read  [#" 20 || finish

tmuxc resize-window -t w -x 100 -y 30
# The key hints move to the new last line; the frame and bars are all there.
wait_for --line 30 "c cancel" || finish
on_step Flash
on_screen "Verify"
on_screen "Fuses"

tmuxc resize-window -t w -x 60 -y 20
wait_for "Make the window at least 80x24 (now 60x20)" || finish
not_on_screen "Backup read"

tmuxc resize-window -t w -x 80 -y 24
wait_for --line 24 "c cancel" || finish
on_step Flash
not_on_screen "Make the window"

# Nothing was lost: the job finishes and the bootloader shows up.
wait_step Done 60 || finish
wait_for "The new" || finish
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
finish
