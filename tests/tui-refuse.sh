#!/bin/sh
# Custom fuses that would end ISP access (SPIEN unprogrammed: hfuse 0xF8)
# are refused in the review, and Enter cannot get past it.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo --log "$T/session.log"
wait_step Welcome || finish
keys Enter Enter Enter
wait_for "Found the Simulated programmer: selected" || finish
keys Enter
wait_for "Found an ATmega32U4" || finish
keys Enter
wait_for "Bootloaders for the ATmega32U4" || finish
# Tab: to the file field; Down twice: to hfuse.  Then type a new value.
keys Tab Down Down BSpace BSpace BSpace BSpace
type_text "0xF8"
wait_for "Custom fuses: the review" || finish
keys Enter
wait_step Review || finish
on_screen "Refused: SPIEN (hfuse) would end ISP access"
on_screen "Nothing will be written. Esc goes back."
keys Enter
wait_for "Nothing is written: a refused fuse change cannot be flashed." || finish
on_step Review
not_on_screen "Type ATmega32U4 to confirm"
keys Enter
sleep 0.5
on_step Review
keys Escape
wait_step Bootloader || finish
on_screen "hfuse:  0xF8"
# Esc from the refusal lands on the field to change: q is typed there.
on_screen "The review refused this hfuse value"
keys Escape
wait_step Target || finish
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
expect_not_in "$T/session.log" "step: Flash"
finish
