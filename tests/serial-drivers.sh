#!/bin/sh
# tests/serial-drivers.sh - the avrisp and buspirate drivers, through the
# real serial transport (libserialport on a umockdev tty), against the
# programmer emulators run by ispwiz-emu: a full job, then every fault the
# issue lists, each with its own message, exit code and no hang.
#
# The job runs through tests/serial-client (the job runner with the driver
# opened directly), so this does not depend on the CLI's `flash` command.

. "$top_srcdir/tests/lib.sh"

need_emu serial-client
need_tool python3

# A 4 KiB bootloader at 0x7000 (the Caterina spot of a 32U4), random bytes.
gen_hex "$T/boot.hex" 0x7000:4096:random=7

# emu_run WANT PROGRAMMER "EMU OPTIONS" CLIENT-ARGS... : run one job under
# the emulator; output in $T/out and $T/err, state in $T/dump.{hex,json}.
# The whole run must end within 60 s: a hang is a failure, not a stuck test.
emu_run() {
	want=$1 prog=$2 eopts=$3
	shift 3
	rm -f "$T/dump.hex" "$T/dump.json"
	start=$(date +%s)
	# shellcheck disable=SC2086
	run "$want" timeout 60 "$EMU" --programmer "$prog" --part m32u4 $eopts \
		--dump "$T/dump" -- "$CLIENT" --driver "$prog" --part m32u4 "$@"
	took=$(( $(date +%s) - start ))
	if [ "$took" -ge 30 ]; then
		fail "$prog $eopts took ${took}s: a fault must end quickly"
	fi
}

# same_flash : the chip holds exactly the image.
same_flash() {
	flash_is "$T/dump" "$T/boot.hex"
}

JOB="--port {port} --image $T/boot.hex --bootloader --hfuse 0xD8"

# --- avrisp ------------------------------------------------------------------

# A whole job: erase, write, verify, hfuse; the chip holds exactly the image.
emu_run 0 avrisp "" $JOB
expect_in "$T/out" "status: OK"
same_flash
json_check "$T/dump.json" 'd["fuses"]["hfuse"] == "0xD8" and d["counters"]["page_writes"] == 32 and d["counters"]["erases"] == 1'
json_check "$T/dump.json" 'd["violations"] == [] and not d["emulator"]["programming_mode"]'

# By a /dev/serial/by-id link.
emu_run 0 avrisp "" --port "/dev/serial/by-id/usb-Teensyduino_USB_Serial_ISPWIZEMU01-if00"
expect_in "$T/out" "status: OK"

# A board that resets when the port opens (Uno): sync is retried.
emu_run 0 avrisp "--auto-reset" $JOB
expect_in "$T/out" "status: OK"
json_check "$T/dump.json" 'd["emulator"]["resets"] >= 1 and d["fuses"]["hfuse"] == "0xD8"'

# No sync: nothing on the port speaks STK500 (keyboard firmware, Caterina).
emu_run 5 avrisp "--fault silent" $JOB
expect_in "$T/out" "never answered STK500 sync"
expect_in "$T/out" "ISP firmware"
json_check "$T/dump.json" 'd["counters"]["erases"] == 0 and d["fuses"]["hfuse"] == "0x99"'

# Garbage instead of replies.
emu_run 5 avrisp "--fault garbage" $JOB
expect_in "$T/out" "not STK500"

# Replies cut short.
emu_run 5 avrisp "--fault cut" $JOB
expect_in "$T/out" "cut short"

# The programmer goes silent in the middle of the job.
emu_run 5 avrisp "--fault silent=40" $JOB
expect_in "$T/out" "stopped answering"
json_check "$T/dump.json" 'd["counters"]["page_writes"] < 32 and d["fuses"]["hfuse"] == "0x99"'

# STK_FAILED and NOSYNC answers.
emu_run 5 avrisp "--fault stk-failed=8" $JOB
expect_in "$T/out" "STK_FAILED"
emu_run 5 avrisp "--fault nosync=8" $JOB
expect_in "$T/out" "NOSYNC"

# The port vanishes in the middle of the flash write: EIO, fuses untouched.
emu_run 5 avrisp "--fault vanish=3000" $JOB
expect_in "$T/out" "vanished"
expect_in "$T/out" "fuses untouched"
json_check "$T/dump.json" 'd["counters"]["page_writes"] < 32 and d["fuses"]["hfuse"] == "0x99"'

# Wrong baud rate: a UART sketch at 19200, the host at 115200.
emu_run 5 avrisp "--uart-baud 19200" $JOB --baud 115200
expect_in "$T/out" "wrong baud rate"
emu_run 0 avrisp "--uart-baud 19200" $JOB --baud 19200
expect_in "$T/out" "status: OK"

# Permission denied, port busy, no such port.
emu_run 5 avrisp "--fault eacces" $JOB
expect_in "$T/out" "permission denied"
expect_in "$T/out" "dialout"
expect_in "$T/out" 'ATTRS{idVendor}=="16c0"'
emu_run 5 avrisp "--fault busy" $JOB
expect_in "$T/out" "ModemManager"
expect_in "$T/out" "systemctl stop ModemManager"
emu_run 5 avrisp "" --port /dev/ttyACM9
expect_in "$T/out" "no such port"
expect_in "$T/out" "/dev/ttyACM0 (16C0:0483)"

# No target on the cable: the sketch says OK, the signature read tells.
emu_run 6 avrisp "--fault reset-not-wired" $JOB
expect_in "$T/out" "did not answer Programming Enable"

# --- buspirate ------------------------------------------------------------------

emu_run 0 buspirate "" $JOB
expect_in "$T/out" "status: OK"
same_flash
json_check "$T/dump.json" 'd["fuses"]["hfuse"] == "0xD8" and d["counters"]["page_writes"] == 32'
# left in its text terminal
json_check "$T/dump.json" 'd["emulator"]["mode"] == "text"'
# only the auto-SCK search may have clocked too fast
json_check "$T/dump.json" 'all("sck-too-fast" in v for v in d["violations"])'

# From any state: binary SPI mode halfway through a write-then-read that
# waits for 4095 more bytes.
rm -f "$T/dump.json"
run 0 timeout 60 "$EMU" --programmer buspirate --part m32u4 --dump "$T/dump" -- \
	sh -c 'printf "\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\000\001\005\017\377\000\000ab" > {port} && sleep 0.2 &&
	       "$0" --driver buspirate --part m32u4 --port {port} --image "$1" --bootloader' \
	"$CLIENT" "$T/boot.hex"
expect_in "$T/out" "status: OK"
same_flash

# RESET on AUX, chosen as avrdude users do: -x reset=aux.
emu_run 0 buspirate "--reset-pin aux" $JOB -x reset=aux
expect_in "$T/out" "status: OK"
same_flash
emu_run 6 buspirate "--reset-pin aux" $JOB
expect_in "$T/out" "Programming Enable"
expect_in "$T/out" "AUX needs -x reset=aux"
json_check "$T/dump.json" 'd["counters"]["erases"] == 0 and d["fuses"]["hfuse"] == "0x99"'
emu_run 6 buspirate "" $JOB -x reset=aux
expect_in "$T/out" "RESET wired to the Bus Pirate's AUX (-x reset=aux)"

# The default switches the Bus Pirate's supplies on, push-pull, no pull-ups.
emu_run 0 buspirate "" $JOB
json_check "$T/dump.json" 'd["emulator"]["power_ons"] >= 1 and d["emulator"]["pullup_ons"] == 0 and d["emulator"]["open_drain"] == 0'

# A target with its own supply: -x nopower never switches them on.
emu_run 0 buspirate "--self-powered" $JOB -x nopower
expect_in "$T/out" "status: OK"
same_flash
json_check "$T/dump.json" 'd["emulator"]["power_ons"] == 0 and d["fuses"]["hfuse"] == "0xD8"'
emu_run 0 buspirate "--self-powered --reset-pin aux" $JOB -x nopower -x reset=aux
expect_in "$T/out" "status: OK"
json_check "$T/dump.json" 'd["emulator"]["power_ons"] == 0'
# ... and without one, the target stays dark: all zero, and the hint says why.
emu_run 6 buspirate "" $JOB -x nopower
expect_in "$T/out" "with -x nopower the target needs its own supply"
json_check "$T/dump.json" 'd["emulator"]["power_ons"] == 0 and d["counters"]["erases"] == 0'

# -x pullups: open-drain outputs with the pull-ups on.
emu_run 0 buspirate "" $JOB -x pullups
expect_in "$T/out" "status: OK"
json_check "$T/dump.json" 'd["emulator"]["pullup_ons"] >= 1 and d["emulator"]["open_drain"] >= 1'

# -x speed=250k: the auto-SCK search starts there, so never too fast for
# this 1 MHz target (the default run above tried faster clocks first).
emu_run 0 buspirate "" $JOB -x speed=250k
expect_in "$T/out" "sck 250000 Hz"
json_check "$T/dump.json" 'd["violations"] == []'

# A wrong option stops in prog_open(), before the port is opened.
emu_run 2 buspirate "" $JOB -x reset=aux2
expect_in "$T/out" "reset is one of cs|aux"
json_check "$T/dump.json" 'd["emulator"]["bytes_in"] == 0'
emu_run 2 avrisp "" $JOB -x reset=aux
expect_in "$T/out" "the avrisp programmer takes no -x options"
json_check "$T/dump.json" 'd["emulator"]["bytes_in"] == 0'

emu_run 5 buspirate "--fault silent" $JOB
expect_in "$T/out" "no Bus Pirate answered"
emu_run 5 buspirate "--fault garbage" $JOB
expect_in "$T/out" "does not answer like a Bus Pirate"
emu_run 5 buspirate "--fault cut" $JOB
expect_in "$T/out" "cut short"
emu_run 5 buspirate "--fault stk-failed=30" $JOB
expect_in "$T/out" "refused"
emu_run 5 buspirate "--fault vanish=9000" $JOB
expect_in "$T/out" "vanished"
json_check "$T/dump.json" 'd["fuses"]["hfuse"] == "0x99"'
emu_run 5 buspirate "--uart-baud 115200" $JOB --baud 19200
expect_in "$T/out" "wrong baud rate"
emu_run 5 buspirate "--fault busy" $JOB
expect_in "$T/out" "ModemManager"

# --- ispwiz flash -x, through the CLI ------------------------------------------

# cli_run WANT "EMU OPTIONS" FLASH-ARGS... : `ispwiz flash -c buspirate`
# against the Bus Pirate emulator.
cli_run() {
	want=$1 eopts=$2
	shift 2
	rm -f "$T/dump.hex" "$T/dump.json"
	# shellcheck disable=SC2086
	run "$want" timeout 60 "$EMU" --programmer buspirate --part m32u4 $eopts \
		--dump "$T/dump" -- "$ISPWIZ" flash -c buspirate -P {port} -p m32u4 \
		-f "$T/boot.hex" --hfuse 0xD8 --yes --no-backup "$@"
}

# Wired on AUX, told so: flashed.
cli_run 0 "--reset-pin aux" -x reset=aux
expect_in "$T/err" "fuses read back as written"
same_flash
# Told AUX, wired on CS: no answer, and the wiring doctor speaks.
cli_run 6 "" -x reset=aux
expect_in "$T/err" "What to check:"
expect_in "$T/err" "AUX (-x reset=aux)"
json_check "$T/dump.json" 'd["counters"]["erases"] == 0 and d["fuses"]["hfuse"] == "0x99"'
# An unknown option: a usage error listing the valid ones, port untouched.
cli_run 2 "" -x reset=aux -x pullup
expect_in "$T/err" "unknown option -x pullup for the buspirate programmer"
expect_in "$T/err" "reset=cs|aux, pullups, nopower, speed="
json_check "$T/dump.json" 'd["emulator"]["bytes_in"] == 0'

finish
