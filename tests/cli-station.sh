#!/bin/sh
# `ispwiz station` end to end on the simulated programmer: board scripts
# (--sim-fault boards=FILE) with good and failing boards, the line per
# board and the summary, the JSON Lines log, --count, --json events, the
# checks before the first board, exit codes, and Ctrl-C in real time
# (after a board, and while waiting for one).
. "$top_srcdir/tests/lib.sh"

need_tool python3

# A 1792-byte "bootloader" at 0x7000 (the 4 KiB boot section of a 32U4).
gen_hex "$T/boot.hex" 0x7000:0x700:ramp=7,3
job="-c sim -p atmega32u4 -f $T/boot.hex --lfuse 0xFF --hfuse 0xD8 --efuse 0xCB"

cat >"$T/mixed" <<'EOF'
# good, verify fails, nobody home (RESET not wired), wrong chip, good
absent 1s
board for 3s
absent 1s
board corrupt-read=0x7010 for 2s
absent 1s
board reset-not-wired for 2s
absent 1s
board wrong-part=atmega328p for 2s
absent 1s
board blank for 2s
absent 2s
EOF

# --- a failing board in the middle: logged with its cause, the loop goes on ----
# shellcheck disable=SC2086
run 6 ispwiz station $job --yes --sim-fault boards="$T/mixed" --log "$T/log.jsonl"
n=$(grep -c '^[0-9-]* [0-9:]*  lane 1  board [0-9]' "$T/out")
[ "$n" -eq 4 ] || fail "expected 4 board lines on stdout, got $n"
expect_in "$T/out" "lane 1  board 1  ok      1E 95 87"
expect_in "$T/out" "lane 1  board 2  FAILED  1E 95 87"
expect_in "$T/out" "verify: verify failed"
expect_in "$T/out" "(likely: noise)"
expect_in "$T/out" "lane 1  board 3  FAILED  1E 95 0F"
expect_in "$T/out" "(likely: wrong-part)"
expect_in "$T/out" "lane 1  board 4  ok"
expect_in "$T/out" "Station ended: 4 boards, 2 ok, 2 failed (last failure: lane 1 board 3 at signature)"
expect_in "$T/err" "no backups"
expect_in "$T/err" "board script has ended"
python3 - "$T/log.jsonl" <<'EOF' || fail "the log is not one JSON object per board"
import json, sys
lines = open(sys.argv[1]).read().split('\n')
assert lines[-1] == '', 'the last line ends with a newline'
recs = [json.loads(l) for l in lines[:-1]]
assert [r["board"] for r in recs] == [1, 2, 3, 4], recs
assert [r["result"] for r in recs] == ["ok", "failed", "failed", "ok"]
assert recs[1]["status"] == "VERIFY" and recs[1]["exit_code"] == 7
assert recs[2]["status"] == "SIGNATURE" and recs[2]["cause"] == "wrong-part"
assert recs[2]["diagnosis"]["symptom"] == "other-part"
assert recs[0]["signature"] == ["0x1E", "0x95", "0x87"]
assert recs[0]["fuses_after"]["hfuse"] == "0xD8" and recs[0]["pages_written"] == 14
assert len(recs[0]["image_sha256"]) == 64 and recs[0]["backup"] is None
assert len({r["session"] for r in recs}) == 1
assert recs[0]["time"][10] == "T"
EOF

# A second session appends to the same log.
cat >"$T/two" <<'EOF'
board for 2s
absent 1s
board for 2s
absent 1s
EOF
# shellcheck disable=SC2086
run 0 ispwiz station $job --yes --sim-fault boards="$T/two" --log "$T/log.jsonl"
expect_in "$T/out" "Station ended: 2 boards, 2 ok, 0 failed"
python3 - "$T/log.jsonl" <<'EOF' || fail "the second session was not appended"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 6, len(recs)
assert len({r["session"] for r in recs}) == 2
assert [r["board"] for r in recs[4:]] == [1, 2]
EOF

# --- --count -------------------------------------------------------------------------
# shellcheck disable=SC2086
run 0 ispwiz station $job --yes --sim-fault boards="$T/two" --count 1
expect_in "$T/out" "Station ended: 1 board, 1 ok"
expect_not_in "$T/err" "board script has ended"

# --- --backup ------------------------------------------------------------------------
# Reading 32 KiB over ISP takes a while: these boards stay on longer.
printf 'board for 10s\nabsent 1s\nboard for 10s\nabsent 1s\n' >"$T/slow"
# shellcheck disable=SC2086
run 0 ispwiz station $job --yes --sim-fault boards="$T/slow" --backup
n=$(find "$XDG_DATA_HOME/ispwiz/backups" -name 'atmega32u4-*.json' 2>/dev/null | wc -l)
[ "$n" -eq 2 ] || fail "--backup: expected 2 backup records, found $n"

# --- --json ----------------------------------------------------------------------------
# shellcheck disable=SC2086
run 6 ispwiz station $job --yes --sim-fault boards="$T/mixed" --json
python3 - "$T/out" <<'EOF' || fail "--json event stream is not as expected"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [e["event"] for e in ev]
assert kinds[0] == "start" and kinds[-1] == "summary", kinds
assert kinds.count("result") == 4 and kinds.count("board") == 4
assert "waiting" in kinds and "remove" in kinds and "phase" in kinds
res = [e for e in ev if e["event"] == "result"]
assert res[2]["cause"] == "wrong-part"
s = ev[-1]
assert s["boards"] == 4 and s["ok"] == 2 and s["failed"] == 2, s
assert s["exit_code"] == 6 and s["last_failed_board"] == 3 and s["status"] == "OK"
EOF

# --- before the first board: fuse safety, the log, the script ---------------------------
# shellcheck disable=SC2086
run 4 ispwiz station $job --sim-fault boards="$T/two" --log "$T/never.jsonl"
expect_in "$T/err" "--yes"
expect_in "$T/err" "BOOTRST"
expect_in "$T/err" "From the factory fuses"
[ -e "$T/never.jsonl" ] && fail "a refused station created its log"
run 4 ispwiz station -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0xF8 --yes \
	--sim-fault boards="$T/two"
expect_in "$T/err" "SPIEN"
# shellcheck disable=SC2086
run 1 ispwiz station $job --yes --sim-fault boards="$T/two" --log "$T/no/such/dir/log"
expect_in "$T/err" "$T/no/such/dir/log"
printf 'board for 2s\nboard bogus for 1s\n' >"$T/bad"
# shellcheck disable=SC2086
run 3 ispwiz station $job --yes --sim-fault boards="$T/bad"
expect_in "$T/err" "$T/bad:2:7"

# --- dry run -------------------------------------------------------------------------------
# shellcheck disable=SC2086
run 0 ispwiz station $job --yes --count 5 --log "$T/dry.jsonl" --dry-run
expect_in "$T/out" "Dry run"
expect_in "$T/out" "stops after 5 boards"
expect_in "$T/out" "Backup:     off"
[ -e "$T/dry.jsonl" ] && fail "--dry-run created the log"

# --- usage ----------------------------------------------------------------------------------
# shellcheck disable=SC2086
run 2 ispwiz station $job --yes --count 0
expect_in "$T/err" "--count"
# shellcheck disable=SC2086
run 2 ispwiz station $job --yes --count 3x
run 2 ispwiz station -c sim -p atmega32u4 --yes
expect_in "$T/err" "-f FILE.hex"
run 0 ispwiz station --help
expect_in "$T/out" "--backup"

# --- Ctrl-C in real time -------------------------------------------------------------------
# Without a script the simulated board stays on the cable: it is flashed
# once, then the station waits for it to go, polling in real time.
wait_for_text() {   # FILE TEXT: up to 20 s
	within 20 grep -sqF -- "$2" "$1"
}
# A station started in the background writes $T/out and $T/err: remove
# them first, or the wait can read the last run's text before the new run's
# shell truncates them.
stop_station() {    # PID: SIGINT, then its exit status in $got
	kill -INT "$1"
	if wait "$1"; then got=0; else got=$?; fi
}

rm -f "$T/out" "$T/err"
# shellcheck disable=SC2086
${ISPWIZ_WRAPPER:-} "$ISPWIZ" station $job --yes --sim-state "$T/chip.json" \
	>"$T/out" 2>"$T/err" &
pid=$!
if wait_for_text "$T/out" "lane 1  board 1  ok"; then
	sleep 1   # several polls that still find the same board
	stop_station "$pid"
	[ "$got" -eq 0 ] || fail "Ctrl-C after one good board: exit $got, expected 0"
	expect_in "$T/out" "Station ended: 1 board, 1 ok, 0 failed"
	n=$(grep -c '^[0-9-]* [0-9:]*  lane 1  board [0-9]' "$T/out")
	[ "$n" -eq 1 ] || fail "the board that stayed on was flashed $n times"
	# The chip was saved when the station closed the programmer.
	run 0 ispwiz read -c sim -p atmega32u4 -o "$T/after" --sim-state "$T/chip.json"
	expect_in "$T/out" "hfuse 0xD8"
else
	kill "$pid" 2>/dev/null
	fail "no board line within 20 s"
	sed 's/^/  | /' "$T/err" >&2
fi

# A board whose RESET is not wired never answers: the station keeps waiting.
rm -f "$T/out" "$T/err"
# shellcheck disable=SC2086
${ISPWIZ_WRAPPER:-} "$ISPWIZ" station $job --yes --sim-fault reset-not-wired \
	>"$T/out" 2>"$T/err" &
pid=$!
if wait_for_text "$T/err" "waiting for board 1"; then
	sleep 0.5
	stop_station "$pid"
	[ "$got" -eq 0 ] || fail "Ctrl-C while waiting: exit $got, expected 0"
	expect_in "$T/out" "Station ended: 0 boards"
	expect_in "$T/err" "stopping"
else
	kill "$pid" 2>/dev/null
	fail "the station did not start waiting within 20 s"
fi

# During a board: the first interrupt lets it finish, a second aborts it at
# the next safe point.  28 KiB with real write delays takes about a second.
gen_hex "$T/big.hex" 0:0x7000:ramp=13,5
for presses in 1 2; do
	rm -f "$T/out" "$T/err"
	${ISPWIZ_WRAPPER:-} "$ISPWIZ" station -c sim -p atmega32u4 -f "$T/big.hex" \
		--sim-fault realtime --json >"$T/out" 2>"$T/err" &
	pid=$!
	if wait_for_text "$T/out" '"event":"phase","lane":1,"board":1,"phase":"write"'; then
		kill -INT "$pid"
		if [ "$presses" -eq 2 ]; then
			sleep 0.2
			kill -INT "$pid"
		fi
		if wait "$pid"; then got=0; else got=$?; fi
		want=0
		[ "$presses" -eq 2 ] && want=130
		[ "$got" -eq "$want" ] || fail "$presses interrupt(s) during a board: exit $got, expected $want"
		python3 - "$T/out" "$presses" <<'EOF' || fail "$presses interrupt(s) during a board: events"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
presses = int(sys.argv[2])
res = [e for e in ev if e["event"] == "result"]
assert len(res) == 1, res
assert [e["event"] for e in ev].count("stopping") == presses
if presses == 1:
    assert res[0]["status"] == "OK" and ev[-1]["exit_code"] == 0
else:
    assert res[0]["status"] == "CANCELLED" and res[0]["phase"] == "write"
    assert ev[-1]["exit_code"] == 130
assert ev[-1]["event"] == "summary" and ev[-1]["stopped"]
EOF
	else
		kill "$pid" 2>/dev/null
		fail "board 1 did not start writing within 20 s"
	fi
done

finish
