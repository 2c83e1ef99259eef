#!/bin/sh
# tests/cli-restore.sh - `ispwiz restore BACKUP.json`: a backup goes back
# onto its chip whole (flash with its blank pages, EEPROM, fuses, lock) on
# the simulator and through an emulated USBasp; every way a backup can be
# wrong is refused with its own message before the chip is touched; the
# flash job's fuse rules hold for a restore too.

. "$top_srcdir/tests/lib.sh"

need_tool python3
need_emu

XDG_DATA_HOME=$T/data
export XDG_DATA_HOME
S="--sim-state $T/chip.json"

gen_hex "$T/a.hex" 0:2048:random=3 0x7000:4096:0x5A
gen_hex "$T/b.hex" 0:8192:0x11

# edit_backup BASE PYTHON: change BASE.json with a Python statement on `d`
# (the record as a dict).
edit_backup() {
	python3 - "$1.json" "$2" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
json.dump(d, open(sys.argv[1], "w"), indent=2)
PYEOF
}

# set_eeprom BASE: BASE.eep.hex gets 3 bytes at 0x10 and the record the
# SHA-256 of the EEPROM they make, as a backup of that chip would have.
set_eeprom() {
	python3 - "$1" <<'PYEOF'
import hashlib, json, sys
base = sys.argv[1]
mem = bytearray(b"\xff" * 1024)
mem[0x10:0x13] = b"\x01\x02\x03"
rec = bytes([3, 0x00, 0x10, 0]) + bytes(mem[0x10:0x13])
line = ":" + rec.hex().upper() + "%02X" % (-sum(rec) & 0xFF)
open(base + ".eep.hex", "w").write(line + "\n:00000001FF\n")
d = json.load(open(base + ".json"))
d["eeprom"]["sha256"] = hashlib.sha256(mem).hexdigest()
json.dump(d, open(base + ".json", "w"), indent=2)
PYEOF
}

# same_mem A.hex B.hex: the two files put the same bytes in memory (blank
# 0xFF bytes counted as absent), however their records are laid out.
same_mem() {
	python3 - "$1" "$2" <<'PYEOF'
import sys
def load(p):
    mem, base = {}, 0
    for line in open(p):
        rec = bytes.fromhex(line.strip()[1:])
        n, addr, kind = rec[0], rec[1] << 8 | rec[2], rec[3]
        if kind == 4:
            base = (rec[4] << 8 | rec[5]) << 16
        elif kind == 0:
            for i in range(n):
                if rec[4 + i] != 0xFF:
                    mem[base + addr + i] = rec[4 + i]
    return mem
sys.exit(0 if load(sys.argv[1]) == load(sys.argv[2]) else 1)
PYEOF
}

# chip_state FILE: what the simulated chip holds (not its access counters).
chip_state() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
d.pop("counters", None)
print(json.dumps(d, sort_keys=True))' "$1"
}

# ---- the round trip on the simulator -------------------------------------------
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/a.hex" $S --hfuse 0xD8 --yes --no-backup
run 0 ispwiz read -c sim -p atmega32u4 $S -o "$T/orig"
# The name is taken: refused before connecting (the port does not even
# exist), naming the file, and the set is left as it was.
sum_before=$(cat "$T/orig.json" "$T/orig.hex" | cksum)
run 4 ispwiz read -c avrisp -P /dev/ttyNOPE -p atmega32u4 -o "$T/orig.hex"
expect_in "$T/err" "a backup named $T/orig is there already ($T/orig.json)"
expect_in "$T/err" "(nothing was read)"
[ "$(cat "$T/orig.json" "$T/orig.hex" | cksum)" = "$sum_before" ] || fail "read -o touched the backup it refused"
set_eeprom "$T/orig"
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/b.hex" $S --hfuse 0x99 --yes --no-backup
chip_state "$T/chip.json" >"$T/chip-b.state"

# The fuse change back (BOOTRST) needs --yes like any flash job: nothing written.
run 4 ispwiz restore "$T/orig.json" $S
expect_in "$T/err" "needs confirmation; nothing was written"
expect_in "$T/err" "BOOTRST"
chip_state "$T/chip.json" | cmp -s - "$T/chip-b.state" ||
	fail "an unconfirmed restore changed the chip"

# --dry-run says what would go back, with avrdude's equivalent.
run 0 ispwiz restore "$T/orig" $S --dry-run
expect_in "$T/out" "EEPROM:     $T/orig.eep.hex: 1024 bytes"
expect_in "$T/out" "eeprom:w:$T/orig.eep.hex:i"
expect_in "$T/out" "-U hfuse:w:0xD8:m"
expect_in "$T/out" "EEPROM write and verify"

# Confirmed: the chip holds exactly what the backup says, and what it held
# before is backed up first.
run 0 ispwiz restore "$T/orig.json" $S --yes
expect_in "$T/err" "programmer: sim, as the backup was read with"
expect_in "$T/err" "EEPROM: 3 bytes written, all 1024 verified"
expect_in "$T/out" "backup of what the chip held before the restore: $T/data/ispwiz/backups/"
run 0 ispwiz read -c sim -p atmega32u4 $S -o "$T/after"
same_mem "$T/orig.hex" "$T/after.hex" || fail "the flash is not the backup's after the restore"
same_mem "$T/orig.eep.hex" "$T/after.eep.hex" ||
	fail "the EEPROM is not the backup's after the restore"
json_check "$T/after.json" 'd["fuses"]["hfuse"] == "0xD8" and d["lock"] == "0xFF"'
# The blank pages went back too: nothing of b.hex is left between 0x0800 and 0x2000.
expect_not_in "$T/after.hex" ":10080000111111"

# Run again: the fuses already match and are not rewritten; the erase
# blanked the EEPROM (EESAVE is not programmed), so its 3 bytes go back.
run 0 ispwiz restore "$T/orig.json" $S --no-backup
expect_in "$T/out" "EEPROM: 3 bytes written, verified; fuses unchanged; lock unchanged"

# --json: one document of events ending in done, with the EEPROM count.
run 0 ispwiz --json restore "$T/orig.json" $S --no-backup
tail -n 1 "$T/out" >"$T/last.json"
json_check "$T/last.json" 'd["event"] == "done" and d["status"] == "OK" and d["result"]["pages"]["written"] == 48'

# ---- backups that are refused, and the chip untouched ------------------------------
chip_state "$T/chip.json" >"$T/chip-good.state"
untouched() {
	chip_state "$T/chip.json" | cmp -s - "$T/chip-good.state" || fail "$1 changed the chip"
}
mk() {
	rm -f "$T/$1".*
	cp "$T/orig.json" "$T/$1.json"
	cp "$T/orig.hex" "$T/$1.hex"
	cp "$T/orig.eep.hex" "$T/$1.eep.hex"
	edit_backup "$T/$1" "d['flash']['file'] = '$1.hex'; d['eeprom']['file'] = '$1.eep.hex'"
}

run 2 ispwiz restore $S
expect_in "$T/err" "no backup: give the BACKUP.json"
run 2 ispwiz restore "$T/orig.json" "$T/orig.json" $S
expect_in "$T/err" "restore takes one backup"

run 3 ispwiz restore "$T/nothere.json" $S
expect_in "$T/err" "cannot read the backup record $T/nothere.json"

mkdir "$T/folder.json"
run 3 ispwiz restore "$T/folder.json" $S
expect_in "$T/err" "is not a file"

printf '{"format": "ispwiz-backup", ' >"$T/cut.json"
run 3 ispwiz restore "$T/cut.json" $S
expect_in "$T/err" "$T/cut.json:1:"
expect_in "$T/err" "not a backup record"

mk other
edit_backup "$T/other" "d['format'] = 'something-else'"
run 3 ispwiz restore "$T/other.json" $S
expect_in "$T/err" "is not \"ispwiz-backup\""

mk newer
edit_backup "$T/newer" "d['version'] = 2"
run 3 ispwiz restore "$T/newer.json" $S
expect_in "$T/err" "made by a newer ispwiz"

mk resv
edit_backup "$T/resv" "d['complete'] = False"
run 3 ispwiz restore "$T/resv.json" $S
expect_in "$T/err" "is only a reservation"

mk nopart
edit_backup "$T/nopart" "d['part'] = 'atmega9999'"
run 3 ispwiz restore "$T/nopart.json" $S
expect_in "$T/err" "'atmega9999' that the catalog does not know"

mk badsig
edit_backup "$T/badsig" "d['signature'] = ['0x1E', '0x95', '0x0F']"
run 3 ispwiz restore "$T/badsig.json" $S
expect_in "$T/err" "is not that part's (1E 95 87)"

mk badfuse
edit_backup "$T/badfuse" "d['fuses']['xfuse'] = '0x00'"
run 3 ispwiz restore "$T/badfuse.json" $S
expect_in "$T/err" "the fuse byte \"xfuse\" is not one the ATmega32U4 has"

mk badbyte
edit_backup "$T/badbyte" "d['fuses']['hfuse'] = '0x1FF'"
run 3 ispwiz restore "$T/badbyte.json" $S
expect_in "$T/err" "hfuse is not a byte"

mk nohex
rm "$T/nohex.hex"
run 3 ispwiz restore "$T/nohex.json" $S
expect_in "$T/err" "the backup's flash file"
expect_in "$T/err" "nohex.hex"

mk changed
python3 - "$T/changed.hex" <<'PYEOF'
import sys
p = sys.argv[1]
lines = open(p).read().splitlines()
rec = bytearray.fromhex(lines[1][1:-2])
rec[4] ^= 0xFF
lines[1] = ":" + rec.hex().upper() + "%02X" % (-sum(rec) & 0xFF)
open(p, "w").write("\n".join(lines) + "\n")
PYEOF
run 3 ispwiz restore "$T/changed.json" $S --yes
expect_in "$T/err" "does not hold what the backup recorded"
expect_in "$T/err" "changed or damaged after the backup was taken"

mk big
gen_hex "$T/big.hex" 0x7F00:512:0x22
edit_backup "$T/big" "d['flash'].pop('sha256')"
run 3 ispwiz restore "$T/big.json" $S --yes
expect_in "$T/err" "the backup's flash file"

mk empty
edit_backup "$T/empty" "d['flash']['file'] = None; d['eeprom']['file'] = None; d['fuses'] = {}"
run 3 ispwiz restore "$T/empty.json" $S
expect_in "$T/err" "holds nothing to restore"
untouched "the refused backups"

# -p must agree with the backup's part.
run 2 ispwiz restore "$T/orig.json" -p atmega328p $S
expect_in "$T/err" "is a backup of the ATmega32U4, not of the ATmega328P"

# A refuse-class fuse value (SPIEN off) is never restored without the
# expert flags, whatever the backup says.
mk spien
edit_backup "$T/spien" "d['fuses']['hfuse'] = '0xF8'"
run 4 ispwiz restore "$T/spien.json" $S --yes
expect_in "$T/err" "SPIEN"
untouched "a refused fuse value"

# A backup of another part onto this chip: the signature stops it.
run 0 ispwiz flash -c sim -p atmega328p -f "$T/b.hex" --sim-state "$T/m328-chip.json" --no-backup
run 0 ispwiz read -c sim -p atmega328p --sim-state "$T/m328-chip.json" -o "$T/m328"
run 6 ispwiz restore "$T/m328.json" $S --yes
expect_in "$T/err" "signature 1E 95 87"
expect_in "$T/err" "is a backup of the ATmega328P: it goes back only onto that chip"
untouched "a backup of another part"

# The programmer the backup names is used unless -c says otherwise; one the
# catalog does not know is the usual unknown-programmer error.
mk noprog
edit_backup "$T/noprog" "d['programmer'] = 'nosuchprog'"
run 3 ispwiz restore "$T/noprog.json" $S
expect_in "$T/err" "nosuchprog"

# A backup of a locked chip holds fuses only: those go back, nothing else.
mk locked
edit_backup "$T/locked" "d['flash']['file'] = None; d['eeprom']['file'] = None; d['note'] = 'the chip was locked'"
run 0 ispwiz restore "$T/locked.json" $S --no-backup
expect_in "$T/err" "no flash, fuses"
expect_in "$T/err" "note from the backup: the chip was locked"
expect_in "$T/out" "flash not touched; fuses unchanged"
expect_not_in "$T/err" "Erasing"

# ---- through an emulated programmer --------------------------------------------------
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
run 0 emu --programmer usbasp --part m32u4 --fuses FF,D8,CB --preload "$T/a.hex" \
	--dump "$T/e1" -- ${ISPWIZ_WRAPPER:-} "$ISPWIZ" read -c usbasp -P {port} \
	-p m32u4 -o "$T/emu"
set_eeprom "$T/emu"
run 0 emu --programmer usbasp --part m32u4 --fuses FF,99,CB --preload "$T/b.hex" \
	--dump "$T/e2" -- ${ISPWIZ_WRAPPER:-} "$ISPWIZ" restore "$T/emu.json" \
	-P {port} --yes --no-backup
expect_in "$T/err" "programmer: usbasp, as the backup was read with"
expect_in "$T/err" "EEPROM: 3 bytes written, all 1024 verified"
flash_is "$T/e2" "$T/a.hex"
json_check "$T/e2.json" 'd["fuses"]["hfuse"] == "0xD8"'

finish
