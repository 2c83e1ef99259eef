#!/bin/sh
# `ispwiz station` with several programmers at once, end to end through the
# real serial driver on emulated programmers (ispwiz-emu --count): four
# lanes where lane 3's target is faulty (every verify fails) and lane 2's
# programmer is unplugged mid-board -- lanes 1 and 4 flash all their boards,
# and the log says exactly what happened in each lane; a programmer plugged
# in mid-run under --all becomes a lane; kill -9 mid-board, then the next
# start reports the interrupted boards; --summary per lane and per cause;
# the usage errors of -P and --all.
. "$top_srcdir/tests/lib.sh"

need_emu
need_tool python3

gen_hex "$T/boot.hex" 0x7000:0x700:ramp=7,3
job="-c avrisp-teensy -p atmega32u4 -f $T/boot.hex --lfuse 0xFF --hfuse 0xD8 --efuse 0xCB --yes"

# --- four lanes: a faulty target, a programmer unplugged mid-board --------------------
# Each jig holds 3 boards; lane 2's programmer goes after 4 pages of its
# first board.  3 + 1 + 3 + 3 boards.
# shellcheck disable=SC2086
run 7 emu --count 4 --programmer avrisp --part m32u4 --jig 3 --jig-off-ms 700 \
	--fault 3:corrupt-read=0x7010 --unplug 2:4 --dump "$T/four" -- \
	"$ISPWIZ" station $job -P {port1} -P {port2} -P {port3} -P {port4} --count 10 \
	--log "$T/four.jsonl"
expect_in "$T/out" "Station ended: 10 boards, 6 ok, 4 failed (last failure: lane 3 board"
expect_in "$T/out" "on 4 lanes (some ended early)"
expect_in "$T/err" "lane 2 (/dev/ttyACM1) ended: board 1: writing the page"
for lane in 1 4; do
	n=$(grep -c "  lane $lane  board [0-9]  ok" "$T/out")
	[ "$n" -eq 3 ] || fail "lane $lane: expected 3 good boards, got $n"
done
python3 - "$T/four.jsonl" "$T/four.lanes.json" <<'EOF' || fail "the log does not say what happened in each lane"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
jig = json.load(open(sys.argv[2]))
by = {}
for r in recs:
    by.setdefault(r["lane"], []).append(r)
assert sorted(by) == [1, 2, 3, 4], sorted(by)
serials = {l: {r["serial"] for r in rs} for l, rs in by.items()}
assert serials == {1: {"ISPWIZEMU01"}, 2: {"ISPWIZEMU02"}, 3: {"ISPWIZEMU03"},
                   4: {"ISPWIZEMU04"}}, serials
for lane in (1, 4):
    rs = by[lane]
    assert [r["board"] for r in rs] == [1, 2, 3]
    assert all(r["result"] == "ok" and r["cause"] is None for r in rs), rs
    assert all(r["fuses_after"]["hfuse"] == "0xD8" for r in rs)
    assert all(set(r["phases"]) >= {"connect", "erase", "write", "verify", "fuses"}
               for r in rs), rs[0]["phases"]
    assert all(r["started"] <= r["ended"] for r in rs)
r2 = by[2]
assert len(r2) == 1 and r2[0]["result"] == "failed", r2
assert r2[0]["phase"] == "write" and r2[0]["cause"] == "programmer-lost", r2[0]
assert r2[0]["port"] == "/dev/ttyACM1"
r3 = by[3]
assert [r["board"] for r in r3] == [1, 2, 3]
assert all(r["status"] == "VERIFY" and r["cause"] == "noise" for r in r3), r3
# The emulator's side: every board of lanes 1, 3 and 4 was erased once
# (never flashed twice), lane 2's programmer was pulled on its first board.
for p in jig:
    n = p["programmer"]
    if n == 2:
        assert p["unplugged"] and len(p["boards"]) == 1, p
        assert not p["boards"][0]["done"], p
        continue
    assert not p["unplugged"] and len(p["boards"]) == 3, p
    assert all(b["erases"] == 1 and b["page_writes"] == 14 for b in p["boards"]), p
    assert all(b["fuse_writes"] == (0 if n == 3 else 3) for b in p["boards"]), p
EOF

# --- --summary: per lane, per cause, yield; exit 0 only if every board passed ---------
run 1 "$ISPWIZ" station --summary "$T/four.jsonl"
expect_in "$T/out" "10 boards in 1 session, 6 ok, 4 failed, 0 interrupted; yield 60.0%"
expect_in "$T/out" "ISPWIZEMU03"
expect_in "$T/out" "3  noise"
expect_in "$T/out" "1  programmer-lost"
run 1 "$ISPWIZ" station --summary "$T/four.jsonl" --json
python3 - "$T/out" <<'EOF' || fail "--summary --json"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["boards"] == 10 and s["ok"] == 6 and s["yield"] == 60.0, s
assert s["causes"] == {"noise": 3, "programmer-lost": 1}, s["causes"]
lanes = {l["lane"]: l for l in s["lanes"]}
assert lanes[3]["failed"] == 3 and lanes[1]["yield"] == 100.0, lanes
assert s["exit_code"] == 1
EOF
grep '"lane":1,' "$T/four.jsonl" >"$T/good.jsonl"
run 0 "$ISPWIZ" station --summary "$T/good.jsonl"
expect_in "$T/out" "yield 100.0%"
# A last line cut short is not counted, and said so.
cp "$T/good.jsonl" "$T/cut.jsonl"
printf '{"lane":1,"board":4,"resu' >>"$T/cut.jsonl"
run 0 "$ISPWIZ" station --summary "$T/cut.jsonl"
expect_in "$T/err" "cut short"
expect_in "$T/out" "3 boards"
printf 'garbage\n' >>"$T/good.jsonl"
run 3 "$ISPWIZ" station --summary "$T/good.jsonl"
expect_in "$T/err" "$T/good.jsonl:4:"
: >"$T/empty.jsonl"
run 1 "$ISPWIZ" station --summary "$T/empty.jsonl"
expect_in "$T/err" "holds no boards"
run 1 "$ISPWIZ" station --summary "$T/none.jsonl"
expect_in "$T/err" "$T/none.jsonl"
run 2 "$ISPWIZ" station --summary "$T/good.jsonl" extra
expect_in "$T/err" "left over"

# --- --all: a programmer plugged in mid-run becomes a lane --------------------------------
# Two programmers at the start; a third is plugged in once lane 1 has
# finished a board.  --json events: every one that is about a lane says so.
# shellcheck disable=SC2086
run 0 emu --count 2 --programmer avrisp --part m32u4 --jig 3 --jig-off-ms 700 \
	--plug-after 1:1 --dump "$T/hot" -- \
	"$ISPWIZ" station $job --all --count 7 --json
python3 - "$T/out" "$T/hot.lanes.json" <<'EOF' || fail "--all: the programmer plugged in did not become a lane"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
jig = json.load(open(sys.argv[2]))
lanes = [e for e in ev if e["event"] == "lane"]
assert sorted(e["serial"] for e in lanes) == ["ISPWIZEMU01", "ISPWIZEMU02", "ISPWIZEMU03"], lanes
third = [e["lane"] for e in lanes if e["serial"] == "ISPWIZEMU03"][0]
res = [e for e in ev if e["event"] == "result"]
assert len(res) == 7 and all(r["result"] == "ok" for r in res), res
assert any(r["lane"] == third for r in res), "the plugged-in lane flashed nothing"
first_result = ev.index(res[0])
assert ev.index([e for e in lanes if e["lane"] == third][0]) > first_result
for e in ev:
    if e["event"] in ("waiting", "board", "phase", "remove", "result", "lane", "lane-end"):
        assert isinstance(e.get("lane"), int) and e["lane"] >= 1, e
s = ev[-1]
assert s["event"] == "summary" and s["boards"] == 7 and s["lanes"] == 3, s
assert jig[2]["plugged"] and jig[2]["done"] >= 1, jig[2]
EOF

# --- kill -9 mid-board: the next start reports the interrupted boards ------------------
# Paced at 9600 baud a board takes over a second; kill the station once
# two lanes are writing.
rm -f "$T/out" "$T/err"
# shellcheck disable=SC2086
${ISPWIZ_WRAPPER:-} "$EMU" --count 2 --programmer avrisp --part m32u4 --pace 9600 \
	--dump "$T/k" -- "$ISPWIZ" station $job -P {port1} -P {port2} --json \
	--log "$T/killed.jsonl" >"$T/out" 2>"$T/err" &
pid=$!
two_writing() {
	[ "$(cat "$T/out" 2>/dev/null | grep -c '"phase":"write"')" -ge 2 ]
}
if within 30 two_writing; then
	pkill -KILL -P "$pid" -x ispwiz || kill -KILL "$pid"
	wait "$pid" 2>/dev/null
	[ -s "$T/killed.jsonl" ] && fail "a board was logged as done though none was finished"
	# shellcheck disable=SC2086
	run 0 emu --count 1 --programmer avrisp --part m32u4 --jig 1 --dump "$T/k2" -- \
		"$ISPWIZ" station $job -P {port1} --count 1 --log "$T/killed.jsonl"
	expect_in "$T/err" "lane 1 board 1 of the run"
	expect_in "$T/err" "lane 2 board 1 of the run"
	python3 - "$T/killed.jsonl" <<'EOF' || fail "the interrupted boards are not in the log"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
inter = [r for r in recs if r["result"] == "interrupted"]
assert sorted(r["lane"] for r in inter) == [1, 2], recs
assert all(r["serial"] in ("ISPWIZEMU01", "ISPWIZEMU02") for r in inter), inter
assert recs[-1]["result"] == "ok"
EOF
	run 1 "$ISPWIZ" station --summary "$T/killed.jsonl"
	expect_in "$T/out" "2 interrupted"
else
	kill "$pid" 2>/dev/null
	fail "two lanes did not start writing within 30 s"
fi

# --- usage -----------------------------------------------------------------------------------
# shellcheck disable=SC2086
run 2 "$ISPWIZ" station $job -P /dev/ttyACM0 -P /dev/ttyACM0
expect_in "$T/err" "given twice"
# shellcheck disable=SC2086
run 2 "$ISPWIZ" station $job -P /dev/ttyACM0 --all
expect_in "$T/err" "--all"
run 2 "$ISPWIZ" station -c sim -p atmega32u4 -f "$T/boot.hex" --all --yes
expect_in "$T/err" "simulated programmer"
run 0 "$ISPWIZ" station --help
expect_in "$T/out" "--summary"

finish
