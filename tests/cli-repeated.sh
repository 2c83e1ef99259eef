#!/bin/sh
# The repeated-option rule, the same in every command: an option that
# takes a value is given once (a second value would silently win), except
# the ones meant to repeat (-x, --sim-fault); a switch twice is harmless.
. "$top_srcdir/tests/lib.sh"

printf ':047000000102030482\n:00000001FF\n' >"$T/e.hex"

run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/e.hex" --lfuse 0x5E --lfuse 0xFF --dry-run
expect_in "$T/err" "--lfuse given twice (0x5E, then 0xFF): give it once"
run 2 ispwiz flash -c sim -c usbasp -p atmega32u4 -f "$T/e.hex" --dry-run
expect_in "$T/err" "-c given twice (sim, then usbasp)"
run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/e.hex" -f "$T/e.hex" --dry-run
expect_in "$T/err" "combine them first with \`ispwiz merge\`"
run 2 ispwiz station -c sim -p atmega32u4 -f "$T/e.hex" --count 2 --count 3 --dry-run
expect_in "$T/err" "--count given twice"
run 2 ispwiz read -c sim -p atmega32u4 -o "$T/a" -o "$T/b"
expect_in "$T/err" "-o given twice"
run 2 ispwiz list bootloaders -p atmega32u4 -p atmega16u4
expect_in "$T/err" "-p given twice"
run 2 ispwiz fuses decode -p atmega32u4 --lfuse 0x5E --hfuse 0x99 --hfuse 0xD9
expect_in "$T/err" "fuses decode: --hfuse given twice"
run 2 ispwiz merge "$T/e.hex" "$T/e.hex" -o "$T/m.hex" -o "$T/n.hex"
expect_in "$T/err" "-o given twice"

# Meant to repeat, or harmless.
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/e.hex" --sim-fault realtime \
	--sim-fault realtime --dry-run
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/e.hex" --yes --yes --dry-run

finish
