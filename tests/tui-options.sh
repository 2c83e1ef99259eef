#!/bin/sh
# The programmer's options in the wizard (o on the programmer step): the
# driver's own -x table (the Bus Pirate's reset=cs|aux, pullups, nopower,
# speed=...), switches and choices stepped with Left/Right, and a bit-clock
# limit for any programmer, which the job then keeps to.
. "$top_srcdir/tests/tui-lib.sh"
need_tool python3

tui_log=$T/session.log
tui_start --demo --log "$tui_log"
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
keys End
wait_for "> Bus Pirate" 5 || finish
keys o
wait_for "Options of the Bus Pirate" 5 || finish
on_screen "-x reset      not given (the driver's default)"
on_screen "-x pullups    off (default)"
on_screen "-x nopower    off (default)"
on_screen "bit clock     automatic"
check_screen "the programmer options"
keys Right Right
wait_for "-x reset      aux" 5 || finish
keys Down Right
wait_for "-x pullups    on" 5 || finish
on_screen "open-drain outputs pulled up"
keys Enter
wait_for "Options set: -x reset=aux -x pullups" 5 || finish
expect_in "$tui_log" "programmer options: 2 -x, bit clock 0 Hz"

# The simulator has no -x options; its bit clock is limited to 500 kHz.
keys Home
wait_for "> Simulated programmer" 5 || finish
keys o
wait_for "Its driver takes no -x options." 5 || finish
keys Right Right Right
wait_for "bit clock     at most 500 kHz" 5 || finish
keys Enter
wait_for "Options set: bit clock at most 500 kHz" 5 || finish
to_target
on_screen "connected at SCK 500 kHz"
keys q
wait_exit || finish
expect_restored

# Without --demo (nothing is plugged in; the wiring step needs no device):
# the Bus Pirate's wiring text names -x options and says where they are set.
tui_start
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
keys End
wait_for "> Bus Pirate" 5 || finish
keys Enter
wait_for "Wire the Bus Pirate" || finish
on_screen "With -x reset=aux it uses the AUX pin"
on_screen "In the wizard these are set with o on the Programmer step."
check_screen "the Bus Pirate's wiring"
keys q
wait_exit || finish
expect_restored
finish
