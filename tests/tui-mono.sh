#!/bin/sh
# Colour and monochrome: colours by default, none with NO_COLOR set or
# --no-color; the screen reads the same either way.
. "$top_srcdir/tests/tui-lib.sh"

# Any SGR colour (foreground 30-37, 39 or 38;5;N) in the captured cells.
has_colour() {
	tmuxc capture-pane -p -e -t w >"$T/cells"
	grep -q "$(printf '\033')\\[[0-9;]*\\(3[0-7]\\|38;5\\)[;m]" "$T/cells"
}

look() {
	wait_step Welcome || finish
	keys Enter Enter
	wait_for "Wire the Simulated programmer" || finish
	on_screen "!  Simulation only"
}

quit() {
	keys q
	wait_exit || finish
	expect_restored
	tmuxc kill-server
}

tui_start --demo --log "$T/colour.log"
look
has_colour || { fail "no colours on a colour terminal"; sed 's/^/  | /' "$T/cells" >&2; }
quit
expect_in "$T/colour.log" ", colour"

NO_COLOR=1
export NO_COLOR
tui_start --demo --log "$T/nocolor.log"
look
has_colour && { fail "colours although NO_COLOR is set"; sed 's/^/  | /' "$T/cells" >&2; }
quit
expect_in "$T/nocolor.log" ", monochrome"
unset NO_COLOR

tui_start --demo --no-color --log "$T/flag.log"
look
has_colour && { fail "colours despite --no-color"; sed 's/^/  | /' "$T/cells" >&2; }
quit
expect_in "$T/flag.log" ", monochrome"
finish
