#!/bin/sh
# `ispwiz flash` and `ispwiz read` end to end on the simulated programmer:
# a chip kept in --sim-state between runs, the confirm and refuse rules
# with their exit codes, fault knobs with their diagnosis, --dry-run with
# the avrdude equivalent, --json events, and --bootloader's hash check.
. "$top_srcdir/tests/lib.sh"

need_tool python3

# A 1792-byte "bootloader" at 0x7000 (the 4 KiB boot section of a 32U4).
gen_hex "$T/boot.hex" 0x7000:0x700:ramp=7,3
chip=$T/chip.json
caterina="--lfuse 0xFF --hfuse 0xD8 --efuse 0xCB"

# --- confirm class: nothing is written without --yes ----------------------------
# shellcheck disable=SC2086
run 4 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" $caterina --sim-state "$chip"
expect_in "$T/err" "needs confirmation"
expect_in "$T/err" "--yes"
expect_in "$T/err" "BOOTRST"
run 0 ispwiz read -c sim -p atmega32u4 -o "$T/before" --sim-state "$chip"
expect_in "$T/out" "lfuse 0x5E, hfuse 0x99, efuse 0xF3, lock 0xFF"

# --- the real thing -----------------------------------------------------------------
# shellcheck disable=SC2086
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" $caterina --yes --sim-state "$chip"
expect_in "$T/out" "done in"
expect_in "$T/out" "14 pages written"
expect_in "$T/err" "connected at SCK"
expect_in "$T/err" "writing hfuse 0x99 -> 0xD8"
backups=$XDG_DATA_HOME/ispwiz/backups
n=$(find "$backups" -name 'atmega32u4-*.json' | wc -l)
[ "$n" -eq 1 ] || fail "expected one backup record in $backups, found $n"

# The chip kept what was written: read it back in a new process.
run 0 ispwiz read -c sim -p m32u4 -o "$T/after.hex" --sim-state "$chip"
expect_in "$T/out" "lfuse 0xFF, hfuse 0xD8, efuse 0xFB"
expect_in "$T/out" "wrote $T/after.hex"
head -n 1 "$T/boot.hex" >"$T/first"
expect_in "$T/after.hex" "$(cat "$T/first")"
json_check "$T/after.json" 'd["fuses"]["hfuse"] == "0xD8" and d["part"] == "atmega32u4"'

# Same fuses again: unchanged, so no --yes needed and nothing rewritten.
# shellcheck disable=SC2086
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" $caterina --no-backup --sim-state "$chip"
expect_in "$T/err" "not rewritten"

# --- refuse class ----------------------------------------------------------------------
run 4 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0xB9 --yes --sim-state "$chip"
expect_in "$T/err" "SPIEN"
expect_in "$T/err" "--unsafe-fuses"
expect_not_in "$T/err" "Connecting"

# --- dry run -----------------------------------------------------------------------------
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0xD8 --dry-run
expect_in "$T/out" "avrdude -c dryrun -p m32u4 -e -U flash:w:$T/boot.hex:i -U hfuse:w:0xD8:m"
expect_in "$T/out" "14 pages of 128 bytes"
expect_in "$T/out" "Dry run"
run 4 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0xB9 --dry-run --json
json_check "$T/out" 'd["dry_run"] and d["status"] == "REFUSED" and "avrdude" in d["avrdude"]'

# --- programmer options (-x) ----------------------------------------------------------------
# The dry run names them and puts the ones avrdude has into its command;
# the others are a trailing comment, so the line still runs when pasted.
run 0 ispwiz flash -c buspirate -P /dev/ttyUSB0 -p m32u4 -f "$T/boot.hex" \
	-x reset=aux -x pullups -x speed=1M --dry-run
expect_in "$T/out" "Options:    -x reset=aux -x pullups -x speed=1M"
expect_in "$T/out" "avrdude -c buspirate -P /dev/ttyUSB0 -b 115200 -x reset=aux -x spifreq=3 -p m32u4 -e -U flash:w:$T/boot.hex:i  # not in avrdude: -x pullups"
run 0 ispwiz station -c buspirate -P /dev/ttyUSB0 -p m32u4 -f "$T/boot.hex" -x reset=aux --dry-run --json
json_check "$T/out" '" -x reset=aux -p m32u4 " in d["avrdude"] and "Options:    -x reset=aux" in d["plan"]'
# An unknown option: exit 2, the valid ones listed, no port opened.
run 2 ispwiz flash -c buspirate -P /dev/ttyUSB99 -p m32u4 -f "$T/boot.hex" -x reset=aux -x pullup
expect_in "$T/err" "unknown option -x pullup for the buspirate programmer; it takes: reset=cs|aux, pullups, nopower, speed="
expect_not_in "$T/err" "ttyUSB99"
run 2 ispwiz flash -c buspirate -P /dev/ttyUSB99 -p m32u4 -f "$T/boot.hex" -x reset=aux2 --dry-run
expect_in "$T/err" "reset is one of cs|aux"
run 2 ispwiz read -c buspirate -P /dev/ttyUSB99 -p m32u4 -o "$T/never" -x pullups=yes
expect_in "$T/err" "pullups is a switch and takes no value"
run 2 ispwiz read -c buspirate -P /dev/ttyUSB99 -p m32u4 -o "$T/never" -x reset
expect_in "$T/err" "-x reset needs a value: -x reset=cs|aux"
# A programmer without options refuses any -x, in every job command.
run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" -x reset=aux --sim-state "$chip"
expect_in "$T/err" "the sim programmer takes no -x options"
run 2 ispwiz read -c usbasp -p atmega32u4 -o "$T/never" -x slow
expect_in "$T/err" "the usbasp programmer takes no -x options"
run 2 ispwiz station -c avrisp-promicro -P /dev/ttyACM0 -p atmega32u4 -f "$T/boot.hex" -x reset=aux --dry-run
expect_in "$T/err" "the avrisp programmer takes no -x options"
[ ! -e "$T/never.json" ] || fail "a refused read wrote $T/never.json"
# -x help lists them (and needs nothing but -c).
run 0 ispwiz flash -c buspirate -x help
expect_in "$T/out" "reset=cs|aux"
expect_in "$T/out" "nopower"
run 0 ispwiz read -c usbasp -x help
expect_in "$T/out" "takes no -x options"
run 0 ispwiz flash -c buspirate -x help --json
json_check "$T/out" '[o["option"] for o in d["options"]] == ["reset=cs|aux", "pullups", "nopower", "speed=30k|125k|250k|1M|2M|2.6M|4M|8M"]'
run 2 ispwiz flash -x help
expect_in "$T/err" "-x help lists a programmer's options: give -c PROGRAMMER too"

# -b: the baud rate of a serial programmer, into the avrdude command too.
run 0 ispwiz flash -c avrisp-promicro -P /dev/ttyACM0 -b 57600 -p m32u4 -f "$T/boot.hex" --dry-run
expect_in "$T/out" "avrdude -c avrisp -P /dev/ttyACM0 -b 57600 -p m32u4"
run 2 ispwiz flash -c avrisp-promicro -b fast -p m32u4 -f "$T/boot.hex" --dry-run
expect_in "$T/err" "-b fast: give the serial speed in baud"
run 2 ispwiz flash -c usbasp -b 19200 -p m32u4 -f "$T/boot.hex" --dry-run
expect_in "$T/err" "not a serial programmer"

# --- JSON events --------------------------------------------------------------------------
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --json --sim-state "$chip"
python3 - "$T/out" <<'EOF' || fail "--json event stream is not as expected"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
kinds = [e["event"] for e in events]
phases = [e["phase"] for e in events if e["event"] == "phase"]
assert kinds[-1] == "done", kinds[-1]
assert events[-1]["status"] == "OK" and events[-1]["exit_code"] == 0
assert phases[:5] == ["plan", "connect", "signature", "read-fuses", "backup"], phases
assert "write" in phases and "verify" in phases, phases
assert events[-1]["result"]["pages"]["written"] == 14
assert events[-1]["result"]["backup"]["json"].endswith(".json")
EOF

# --- faults: each ends with its own error and a diagnosis ---------------------------------
run 6 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --sim-fault miso-open --no-backup
expect_in "$T/err" "did not answer Programming Enable"
expect_in "$T/err" "Likely causes:"
expect_in "$T/err" "MISO"
run 6 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --sim-fault wrong-part=atmega328p --json
python3 - "$T/out" <<'EOF' || fail "wrong-part JSON result"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][-1]
assert last["status"] == "SIGNATURE", last
assert last["result"]["diagnosis"]["symptom"] == "other-part"
assert "ATmega328P" in last["message"]
EOF
run 7 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --sim-fault corrupt-read=0x7010 --no-backup
expect_in "$T/err" "verify failed"
expect_in "$T/err" "0x07010"
run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --sim-fault bogus-knob
run 6 ispwiz read -c sim -p atmega32u4 -o "$T/x" --sim-fault no-power
[ -e "$T/x.json" ] && fail "a failed read left $T/x.json"

# --- --bootloader: the catalog's preset and its hash ---------------------------------------
mkdir -p "$XDG_CONFIG_HOME/ispwiz"
cat >"$XDG_CONFIG_HOME/ispwiz/test.yaml" <<'EOF'
version: 1
bootloaders:
  - id: test-boot
    family: caterina
    name: Test bootloader
    part: atmega32u4
    usb_id: "1B4F:9205"
    presets:
      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB }
    file: test-boot.hex
    url: https://example.invalid/test-boot.hex
    identities:
      - image: { start: 0x7000, length: 1792,
                 sha256: "0000000000000000000000000000000000000000000000000000000000000000" }
EOF
# A file that is not the catalog's known one: flashed as the user's own.
run 0 ispwiz flash -c sim -p atmega32u4 --bootloader test-boot -f "$T/boot.hex" --dry-run
expect_in "$T/err" "matches no known upstream file"
expect_in "$T/err" "your file (unknown image)"
expect_in "$T/out" "your file (unknown image)"
expect_in "$T/out" "hfuse 0xD8"
# The same bytes named by their identity: recognised, whatever the file's
# line endings (the identity is over memory, not the file's text).
sha=$(python3 -c 'import hashlib; print(hashlib.sha256(bytes((i * 7 + 3) & 0xFF for i in range(0x700))).hexdigest())')
sed -i "s/sha256: \"0*\"/sha256: \"$sha\"/" "$XDG_CONFIG_HOME/ispwiz/test.yaml"
sed 's/$/\r/' "$T/boot.hex" >"$T/boot-crlf.hex"
run 0 ispwiz flash -c sim -p atmega32u4 --bootloader test-boot -f "$T/boot-crlf.hex" --dry-run
expect_in "$T/err" "is the known upstream test-boot.hex"
run 2 ispwiz flash -c sim -p atmega32u4 --bootloader test-boot -f "$T/boot.hex" --preset nope
expect_in "$T/err" "default"
run 2 ispwiz flash -c sim -p atmega328p --bootloader test-boot -f "$T/boot.hex"
expect_in "$T/err" "ATmega32U4"

# --- usage errors ----------------------------------------------------------------------------
run 2 ispwiz flash -c sim -p atmega32u4
expect_in "$T/err" "-f FILE.hex"
run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 99
expect_in "$T/err" "ambiguous"
run 2 ispwiz flash -c usbasp -p atmega32u4 -f "$T/boot.hex" --sim-fault miso-open
run 3 ispwiz flash -c nosuch -p atmega32u4 -f "$T/boot.hex"
expect_in "$T/err" "usbasp"
run 2 ispwiz read -c sim -p atmega32u4
expect_in "$T/err" "-o BACKUP"

# -f, --bootloader, --preset, -c and -p take one value: a second one is an
# error naming the option, not "the last one wins".
run 2 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" -f "$T/other.hex" --dry-run
expect_in "$T/err" "-f given twice"
expect_in "$T/err" "other.hex"
run 2 ispwiz flash -c sim -p atmega32u4 --bootloader test-boot --bootloader x --dry-run
expect_in "$T/err" "--bootloader given twice"
run 2 ispwiz flash -c sim -p atmega32u4 --bootloader test-boot --preset default --preset b --dry-run
expect_in "$T/err" "--preset given twice"
run 2 ispwiz flash -c sim -c usbasp -p atmega32u4 -f "$T/boot.hex" --dry-run
expect_in "$T/err" "-c given twice"
run 2 ispwiz read -c sim -p atmega32u4 -p atmega16u4 -o "$T/never"
expect_in "$T/err" "-p given twice"

# read -o into a directory that is not there: refused before the chip is
# read (the simulator's state file never appears), naming the directory.
run 3 ispwiz read -c sim -p atmega32u4 -o "$T/no/such/dir/bk" --sim-state "$T/rd.json"
expect_in "$T/err" "$T/no/such/dir does not exist"
expect_not_in "$T/err" "Connecting"
[ ! -e "$T/rd.json" ] || fail "a read into a missing directory opened the programmer"

# --- boot-section fit for a plain -f image ---------------------------------------------------
# boot.hex sits at 0x7000 (a 4 KiB boot section); hfuse 0x9A programs BOOTRST
# but selects the 2 KiB section at 0x7800: refused before anything is touched.
run 4 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0x9A --yes --sim-state "$T/fit.json"
expect_in "$T/err" "BOOTSZ=00"
expect_not_in "$T/err" "Connecting"
[ ! -e "$T/fit.json" ] || fail "a refused boot-section fit opened the programmer"
# The matching hfuse (BOOTSZ=00, 0x98) goes through.
run 0 ispwiz flash -c sim -p atmega32u4 -f "$T/boot.hex" --hfuse 0x98 --yes --no-backup --sim-state "$T/fit.json"
expect_in "$T/err" "writing hfuse 0x99 -> 0x98"

# --- the avrdude equivalent of a USB programmer: our bus path means nothing to avrdude
run 0 ispwiz flash -c usbtiny -P usb:1-2 -p m32u4 -f "$T/boot.hex" --dry-run
expect_in "$T/out" "avrdude -c usbtiny -P usb -p m32u4"
expect_in "$T/out" "# avrdude picks the first matching device; unplug others"

finish
