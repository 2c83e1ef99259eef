#!/bin/sh
# Every row of the exit-code table (core/error.h, ispwiz(1) EXIT STATUS)
# happens, from the command that should give it: one case at least per
# code, and the classes that once gave the wrong one (an unknown part, an
# unreadable or directory -f, a programmer that is not there).
. "$top_srcdir/tests/lib.sh"

python3 - "$T/boot.hex" <<'EOF2'
import sys
data = bytes((i * 7 + 3) & 0xFF for i in range(0x100))
out = []
for off in range(0, len(data), 16):
    a = 0x7000 + off
    rec = [16, a >> 8, a & 0xFF, 0] + list(data[off:off + 16])
    out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 0xFF))
out.append(':00000001FF')
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
EOF2
sim="flash -c sim -p atmega32u4 -f $T/boot.hex --no-backup"

# 0 success
run 0 ispwiz list parts
# shellcheck disable=SC2086
run 0 ispwiz $sim

# 1 failure: a backup folder that cannot be made (not a directory)
XDG_DATA_HOME=/dev/null/ispwiz run 1 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex"
expect_in "$T/err" "cannot create the backup directory"

# 2 usage
run 2 ispwiz flash --no-such-option
run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0x99 --hfuse 0xD9
expect_in "$T/err" "given twice"

# 3 bad input: an unknown part, programmer or bootloader; a bad HEX file
run 3 ispwiz flash -c sim -p atmega99 -f "$T/boot.hex"
run 3 ispwiz flash -c nosuch -p atmega32u4 -f "$T/boot.hex"
run 3 ispwiz flash -c sim -p atmega32u4 --bootloader nosuch
printf ':10000000ZZ\n' >"$T/bad.hex"
run 3 ispwiz flash -c sim -p atmega32u4 -f "$T/bad.hex"
run 3 ispwiz flash -c sim -p atmega32u4 -f "$T/missing.hex"
run 3 ispwiz flash -c sim -p atmega32u4 -f "$T"
expect_in "$T/err" "is a folder, not a HEX file"
cp "$T/boot.hex" "$T/locked.hex" && chmod 000 "$T/locked.hex"
if [ "$(id -u)" -ne 0 ]; then
	run 3 ispwiz flash -c sim -p atmega32u4 -f "$T/locked.hex"
	expect_in "$T/err" "check its permissions"
fi

# 4 refused: a fuse value that ends ISP access; a file that exists
# shellcheck disable=SC2086
run 4 ispwiz $sim --hfuse 0xF9 --yes
expect_in "$T/err" "SPIEN"
run 0 ispwiz read -c sim -p atmega32u4 -o "$T/set"
run 4 ispwiz read -c sim -p atmega32u4 -o "$T/set"
expect_in "$T/err" "a backup named"

# 5 programmer: none plugged in
run 5 ispwiz flash -c usbasp -p atmega32u4 -f "$T/boot.hex" --no-backup
expect_in "$T/err" "no USBasp"

# 6 target: RESET not wired
# shellcheck disable=SC2086
run 6 ispwiz $sim --sim-fault reset-not-wired

# 7 verify: the flash reads back other bytes than written
# shellcheck disable=SC2086
run 7 ispwiz $sim --sim-fault corrupt-read=0x7010

# 130 cancelled: tests/cli-signals.sh covers SIGINT, SIGTERM and SIGHUP.
grep -q 'exit $got, expected 130' "$top_srcdir/tests/cli-signals.sh" ||
	fail "the 130 row lost its test"

finish
