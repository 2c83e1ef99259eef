#!/bin/sh
# The station dashboard at 80x24 in tmux, on four emulated programmers
# (ispwiz-emu --count 4) whose lane 3 has a faulty target: a row per lane
# with its port and serial, the phase with its progress bar, the last
# result and cause; totals by cause; pausing and resuming one lane while
# the others go on; q stops all after their boards, the final screen waits
# for a key, the terminal is restored and the exit status is the failed
# boards'.
. "$top_srcdir/tests/tui-lib.sh"

need_emu
need_tool python3

gen_hex "$T/boot.hex" 0x7000:0x700:ramp=7,3
# The pane runs ispwiz-emu, which runs the station on its terminal.
real=$ISPWIZ
ISPWIZ=$EMU
tui_start --count 4 --programmer avrisp --part m32u4 --jig 50 --jig-off-ms 700 \
	--pace 19200 --fault 3:corrupt-read=0x7010 --dump "$T/d" -- \
	"$real" station -c avrisp-teensy -P '{port1}' -P '{port2}' -P '{port3}' -P '{port4}' \
	-p atmega32u4 -f "$T/boot.hex" --lfuse 0xFF --hfuse 0xD8 --efuse 0xCB --yes \
	--log "$T/log.jsonl"
ISPWIZ=$real

wait_for "ispwiz station: ATmega32U4 via avrisp-teensy" 20 || finish
on_screen "programmer"
for n in 1 2 3 4; do
	wait_for --line $((n + 3)) "/dev/ttyACM$((n - 1)) ISPWIZEMU0$n" || finish
done
# A board being written shows its phase and a progress bar.
wait_for "write      [#" 20 || finish
# Lane 3's boards fail, with their cause; the others pass.
wait_for --line 6 "failed: noise" 30 || finish
wait_for --line 4 " ok" 30 || finish
wait_for "(noise " 10 || finish
on_screen "boards/hour"
screen
# Never wider than 80 columns, never longer than 24 lines.
awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$T/screen" ||
	fail "a line is wider than 80 columns"
[ "$(wc -l <"$T/screen")" -le 24 ] || fail "more than 24 lines"

# Pause lane 2: it holds after its board; the other lanes go on.
keys Down
keys p
wait_for "lane 2 pauses after this board" 5 || finish
wait_for --line 5 "paused" 30 || finish
count_ok() {   # LANE: boards logged ok in that lane so far
	python3 - "$T/log.jsonl" "$1" <<'PY'
import json, sys
print(sum(1 for l in open(sys.argv[1]) if l.endswith("\n")
          and json.loads(l)["lane"] == int(sys.argv[2]) and json.loads(l)["result"] == "ok"))
PY
}
held=$(count_ok 2)
before=$(count_ok 1)
lane1_moved() { [ "$(count_ok 1)" -gt "$before" ]; }
within 30 lane1_moved || fail "lane 1 stopped while lane 2 was paused"
[ "$(count_ok 2)" -eq "$held" ] || fail "the paused lane 2 flashed another board"
on_screen "paused"
keys r
wait_for "lane 2 resumed" 5 || finish
lane2_moved() { [ "$(count_ok 2)" -gt "$held" ]; }
within 30 lane2_moved || fail "lane 2 did not go on after it was resumed"

# q: every lane finishes its board, then the station ends.
keys q
wait_for "stopping: the boards being flashed finish first" 5 || finish
wait_for "The station has ended: press any key to leave." 40 || finish
on_screen "every lane has ended"
keys Enter
wait_exit 20 || finish
[ "$exit_status" = 7 ] || fail "exit status $exit_status, expected 7 (lane 3's verify failures)"
expect_restored
wait_for "Station ended: " 5
finish
