#!/bin/sh
# The command line itself: help, version, unknown commands and options,
# global options anywhere, and the exit codes of usage errors.  (The
# wizard and --demo are tested in a terminal by tests/tui-*.sh.)
. "$top_srcdir/tests/lib.sh"

run 0 ispwiz --help
expect_in "$T/out" "Commands:"
for cmd in list merge fuses; do
	expect_in "$T/out" "  $cmd "
done
expect_in "$T/out" "Exit codes:"

run 0 ispwiz --version
expect_in "$T/out" "ispwiz "

run 0 ispwiz list --help
expect_in "$T/out" "usage: ispwiz list"

# No command starts the wizard, which needs a terminal: without one it says
# so, with the usage, instead of drawing into a pipe.
run 2 ispwiz
expect_in "$T/err" "the wizard needs a terminal"
expect_in "$T/err" "Usage:"
run 2 ispwiz --demo
expect_in "$T/err" "the wizard needs a terminal"
run 2 ispwiz --demo --frobnicate
expect_in "$T/err" "unknown option '--frobnicate'"
# A misspelt --demo-fault knob is caught before the wizard starts (not at
# its Target step), naming the option and listing the knobs; a value the
# knob does not take is caught too.  Good knobs get as far as the terminal.
run 2 ispwiz --demo --demo-fault bogus
expect_in "$T/err" "--demo-fault bogus: unknown fault knob 'bogus'"
expect_in "$T/err" "reset-not-wired"
expect_in "$T/err" "realtime"
run 2 ispwiz --demo-fault=corrupt-read
expect_in "$T/err" "--demo-fault corrupt-read: fault knob 'corrupt-read' needs a number"
run 2 ispwiz --demo-fault locked=1
expect_in "$T/err" "takes no value"
run 2 ispwiz --demo-fault realtime --demo-fault corrupt-read=0x100
expect_in "$T/err" "the wizard needs a terminal"

run 2 ispwiz frobnicate
expect_in "$T/err" "unknown command 'frobnicate'"

run 2 ispwiz --frobnicate
expect_in "$T/err" "unknown option '--frobnicate'"

run 2 ispwiz list programmers --catalog
expect_in "$T/err" "--catalog needs a file name"

# A catalog that does not exist: exit code 3, the path named.
run 3 ispwiz --catalog "$T/nope.yaml" list parts
expect_in "$T/err" "$T/nope.yaml"

# Global options are accepted after the command too.
run 0 ispwiz list parts --json
json_check "$T/out" 'isinstance(d, list) and len(d) >= 8'
run 0 ispwiz --json list parts
json_check "$T/out" 'isinstance(d, list)'

# JSON errors carry the status and the message, and still exit non-zero.
run 3 ispwiz --json --catalog "$T/nope.yaml" list parts
json_check "$T/out" 'd["event"] == "error" and d["status"] == "CATALOG" and d["exit_code"] == 3'

# Fuse values: bare digits are ambiguous and refused, hex forms accepted.
run 2 ispwiz fuses decode -p atmega32u4 --lfuse 5E --hfuse 99 --efuse F3
expect_in "$T/err" "ambiguous"
run 0 ispwiz fuses decode -p atmega32u4 --lfuse 5E --hfuse '$99' --efuse 0b11110011

# Option errors name the option: one letter out of a cluster, a missing
# value, a long option; nothing runs.
run 2 ispwiz flash -c sim -p atmega32u4 -yZ
expect_in "$T/err" "unknown option '-Z'"
expect_in "$T/err" "usage: ispwiz flash"
run 2 ispwiz flash -c sim -p atmega32u4 -f
expect_in "$T/err" "option '-f' needs a value"
run 2 ispwiz read -c sim -p atmega32u4 --bogus
expect_in "$T/err" "unknown option '--bogus'"
run 2 ispwiz station -c sim -p atmega32u4 -f x.hex extra
expect_in "$T/err" "unexpected argument 'extra'"
run 2 ispwiz station -c sim -p atmega32u4 -f x.hex -f y.hex
expect_in "$T/err" "given twice"

finish
