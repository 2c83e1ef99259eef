#!/bin/sh
# SIGTERM and SIGHUP are handled as Ctrl-C is: `flash` stops at the next
# safe point (never inside a fuse or lock write), says what the chip holds
# and where the backup is, exits 130, and the simulated chip is saved;
# `station` aborts the board in progress at a safe point, logs it as
# cancelled and ends with its summary.
. "$top_srcdir/tests/lib.sh"

# 28 KiB at 0x0000: with the simulator's real write delays about a second.
python3 - "$T/big.hex" <<'EOF2'
import sys
data = bytes((i * 13 + 5) & 0xFF for i in range(0x7000))
out = []
for a in range(0, len(data), 16):
    rec = [16, a >> 8, a & 0xFF, 0] + list(data[a:a + 16])
    out.append(':' + ''.join('%02X' % b for b in rec) + '%02X' % (-sum(rec) & 0xFF))
out.append(':00000001FF')
open(sys.argv[1], 'w').write('\n'.join(out) + '\n')
EOF2

wait_for_text() {   # FILE TEXT: up to 20 s
	i=0
	while ! grep -qF -- "$2" "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -gt 200 ] && return 1
		sleep 0.1
	done
}

# Each run starts from no output files: the one before left the text the
# wait looks for, and the new run's shell truncates them only once it runs.
for sig in TERM HUP INT; do
	chip=$T/chip-$sig.json
	rm -f "$T/out" "$T/err"
	${ISPWIZ_WRAPPER:-} "$ISPWIZ" flash -c sim -p atmega32u4 -f "$T/big.hex" \
		--sim-state "$chip" --sim-fault realtime --json \
		>"$T/out" 2>"$T/err" &
	pid=$!
	if ! wait_for_text "$T/out" '"phase":"write"'; then
		kill -KILL "$pid" 2>/dev/null
		fail "SIG$sig: the flash did not start writing within 20 s"
		continue
	fi
	kill -"$sig" "$pid"
	if wait "$pid"; then got=0; else got=$?; fi
	[ "$got" -eq 130 ] || fail "SIG$sig during the write: exit $got, expected 130"
	python3 - "$T/out" <<'EOF2' || fail "SIG$sig during the write: the result"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
done = ev[-1]
assert done["event"] == "done" and done["status"] == "CANCELLED", done
assert done["exit_code"] == 130
res = done["result"]
assert res["phase"] == "write", res["phase"]
assert res["backup"] and res["backup"]["json"], res["backup"]
assert res["fuses_written"] == {}, res["fuses_written"]
assert res["chip_state"] == "known"
EOF2
	# The simulated chip was saved on the way out, and still holds its
	# factory fuses (nothing after the write ran).
	run 0 ispwiz read -c sim -p atmega32u4 -o "$T/after-$sig" --sim-state "$chip"
	expect_in "$T/out" "hfuse 0x99"
done

# Without --json the person is told what happened, and where the backup is.
rm -f "$T/out" "$T/err"
${ISPWIZ_WRAPPER:-} "$ISPWIZ" flash -c sim -p atmega32u4 -f "$T/big.hex" \
	--sim-state "$T/chip-text.json" --sim-fault realtime >"$T/out" 2>"$T/err" &
pid=$!
if wait_for_text "$T/err" "Writing"; then
	kill -TERM "$pid"
	if wait "$pid"; then got=0; else got=$?; fi
	[ "$got" -eq 130 ] || fail "SIGTERM (text): exit $got, expected 130"
	expect_in "$T/err" "interrupted (SIGTERM)"
	expect_in "$T/err" "cancelled"
	expect_in "$T/err" "backup of the previous contents:"
else
	kill -KILL "$pid" 2>/dev/null
	fail "SIGTERM (text): no write phase within 20 s"
fi

# The station: SIGTERM mid-board aborts it at a safe point and logs it.
for sig in TERM HUP; do
	log=$T/boards-$sig.jsonl
	rm -f "$T/out" "$T/err"
	${ISPWIZ_WRAPPER:-} "$ISPWIZ" station -c sim -p atmega32u4 -f "$T/big.hex" \
		--sim-fault realtime --log "$log" --json >"$T/out" 2>"$T/err" &
	pid=$!
	if ! wait_for_text "$T/out" '"event":"phase","lane":1,"board":1,"phase":"write"'; then
		kill -KILL "$pid" 2>/dev/null
		fail "station SIG$sig: board 1 did not start writing within 20 s"
		continue
	fi
	kill -"$sig" "$pid"
	if wait "$pid"; then got=0; else got=$?; fi
	[ "$got" -eq 130 ] || fail "station SIG$sig mid-board: exit $got, expected 130"
	python3 - "$T/out" "$log" <<'EOF2' || fail "station SIG$sig: events and log"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
res = [e for e in ev if e["event"] == "result"]
assert len(res) == 1 and res[0]["status"] == "CANCELLED", res
assert ev[-1]["event"] == "summary" and ev[-1]["stopped"], ev[-1]
log = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert len(log) >= 1, log
assert log[-1]["board"] == 1 and log[-1]["result"] == "cancelled", log[-1]
EOF2
done

finish
