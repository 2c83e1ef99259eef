#!/bin/sh
# The Done step when the new bootloader does not show up (the demo's
# bootloader-silent knob, a 3 s --wait-usb): a countdown, then advice for
# the bootloader's own family (Atmel DFU: BOOTRST and HWB from the fuses
# written; Caterina: reset twice within its 750 ms window), the catalog's
# notes, and r waits again.  --wait-usb refuses what is not a number.
. "$top_srcdir/tests/tui-lib.sh"
# Tall enough for the result, the wait and the advice on one page.
tui_size=100x40

run 2 "$ISPWIZ" --wait-usb 0
expect_in "$T/err" "--wait-usb 0: give the seconds the Done step waits"
run 2 "$ISPWIZ" --wait-usb 5s
expect_in "$T/err" "--wait-usb 5s:"

tui_start --demo --demo-fault bootloader-silent --wait-usb 3 --log "$T/session.log"
to_review
type_text ATmega32U4
keys Enter
wait_step Done 30 || finish
wait_for "s left of 3 s." 5 || finish
wait_for "Not found: nothing with USB ID 03EB:2FF4 appeared within 3 s" 10 || finish
on_screen "BOOTRST is unprogrammed, so reset"
on_screen "HWBE is programmed: hold HWB (PE2"
on_screen "r waits again."
keys r
wait_for "s left of 3 s." 5 || finish
wait_for "Not found" 10 || finish
keys q
wait_exit || finish
expect_restored

# Caterina: its 750 ms window, and the notes the catalog keeps for it.
tui_start --demo --demo-fault bootloader-silent --wait-usb 2
to_bootloader
# The step's key line fits 80 columns whole, help included.
on_screen "w keyboard  d download  e fuses  f +firmware  Enter review  Esc back  ? help"
keys Down Down Down
wait_for "> Caterina: SparkFun Pro Micro (5V/16MHz)" 5 || finish
keys Enter
wait_step Review || finish
keys Enter
wait_step Done 30 || finish
wait_for "Not found" 10 || finish
on_screen "Caterina waits only about 750 ms"
on_screen "Press reset twice"
on_screen "quickly, within 750 ms"
keys End
wait_for "Notes on Caterina: SparkFun Pro Micro (5V/16MHz):" 5 || finish
keys q
wait_exit || finish
expect_restored
finish
