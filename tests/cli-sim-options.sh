#!/bin/sh
# The simulator's options are checked before anything is touched: a
# --sim-state that is a folder or in a missing or read-only folder, an
# unknown --sim-fault knob (the list names every knob, the programmer's
# own too), a wrong-part knob naming no catalog part.
. "$top_srcdir/tests/lib.sh"

echo ':00000001FF' >"$T/empty.hex"
mkdir "$T/ro" && chmod 555 "$T/ro"

run 2 ispwiz read -c sim -p atmega32u4 -o "$T/b" --sim-state "$T"
expect_in "$T/err" "--sim-state $T is a folder"
[ -e "$T/b.json" ] && fail "a refused read wrote its backup"

run 2 ispwiz read -c sim -p atmega32u4 -o "$T/b" --sim-state "$T/no/such/chip.json"
expect_in "$T/err" "the folder $T/no/such does not exist"
expect_in "$T/err" "nothing was touched"

if [ "$(id -u)" -ne 0 ]; then
	run 2 ispwiz read -c sim -p atmega32u4 -o "$T/b" --sim-state "$T/ro/chip.json"
	expect_in "$T/err" "is not writable"
fi

run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/empty.hex" --sim-fault bogus --dry-run
expect_in "$T/err" "unknown fault knob 'bogus'"
expect_in "$T/err" "reset-not-wired"
expect_in "$T/err" "realtime and boards=FILE"

run 2 ispwiz read -c sim -p atmega32u4 -o "$T/b" --sim-fault wrong-part=atmega99
expect_in "$T/err" "no part \"atmega99\""

# The same rule for the wizard's --demo-fault.
run 2 ispwiz --demo-fault bogus
expect_in "$T/err" "unknown fault knob 'bogus'"

finish
