#!/bin/sh
# A target whose RESET is not wired (--demo-fault reset-not-wired): the
# target step shows the wiring doctor's diagnosis, retries on r, and does
# not let the wizard go on.
. "$top_srcdir/tests/tui-lib.sh"

tui_start --demo --demo-fault reset-not-wired
wait_step Welcome || finish
keys Enter Enter Enter
wait_for "Found the Simulated programmer: selected" || finish
keys Enter
wait_for "What the wiring doctor says:" || finish
on_screen "The chip did not answer"
on_screen "RESET"
# The diagnosis is wrapped once, to the window: causes numbered, most
# likely first, and a figure never parted from its unit.
on_screen "Likely causes, most likely first:"
on_screen "  1. "
grep -q '^ *kHz' "$T/screen" && { fail "a unit was wrapped away from its figure"; show_screen; }
keys Enter
wait_for "The chip has not answered yet" || finish
on_step Target
keys r
# A retry says that it is one, and the diagnosis which clocks it tried and
# what came back (FF: RESET first).
wait_for "Attempt 2: connecting through the Simulated programmer" || finish
wait_for "What the wiring doctor says:" || finish
on_screen "Attempt 2 failed as well."
on_screen "clocks down to 16 kHz; it answered FF FF FF FF"
on_screen "  1. RESET does not reach the target"
keys Escape
wait_step Port || finish
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored

# A bad knob is a usage error before the screen is touched.
run 2 ispwiz --demo-fault
expect_in "$T/err" "--demo-fault needs a fault knob"
finish
