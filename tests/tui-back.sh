#!/bin/sh
# Going back: Esc and Backspace step back through the wizard; what was
# chosen is kept; ? shows help for the step and any key closes it.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
keys Enter
wait_for "Wire the Simulated programmer" || finish
keys Escape
wait_for "Which programmer will you use?" || finish
keys BSpace
wait_step Welcome || finish
keys Enter Enter
wait_step Wiring || finish

# Help for the current step, closed by any key.
keys '?'
wait_for "Help: Wiring" || finish
keys x
wait_for --gone "Help: Wiring" || finish
on_step Wiring

keys Enter
wait_for "Found the Simulated programmer: selected" || finish
keys Enter
wait_for "Found an ATmega32U4" || finish
keys Escape
wait_step Port || finish
# The programmer is still there and still chosen.
on_screen "> * Simulated programmer"
keys Enter
wait_for "Found an ATmega32U4" || finish
keys Enter
wait_for "Bootloaders for the ATmega32U4" || finish
# Another preset, then back and forth: the choice is kept.
keys Down
wait_for '"jtag-disabled"' || finish
keys Enter
wait_step Review || finish
on_screen "4 fuse changes need your confirmation"
on_screen "confirm  BOOTRST unprogrammed"
not_on_screen "JTAGEN"
keys Escape
wait_for "Bootloaders for the ATmega32U4" || finish
on_screen '"jtag-disabled"'
keys Escape
wait_step Target || finish
# The probe runs again (it reads the boot section too): q after it ended.
wait_for "Found an ATmega32U4" || finish
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "q exited with $exit_status, expected 0"
expect_restored
finish
