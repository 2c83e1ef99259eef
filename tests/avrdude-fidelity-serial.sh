#!/bin/sh
# tests/avrdude-fidelity-serial.sh - avrdude itself, a client nobody here
# wrote, talks to the avrisp and buspirate emulators through ispwiz-emu:
# it must write, verify and set fuses, and leave the chip exactly as ispwiz's
# own job does from the same inputs.  An emulator that only agrees with our
# own drivers would prove nothing.
#
# The ispwiz side is `ispwiz flash` itself, through the same emulator.

. "$top_srcdir/tests/fidelity-lib.sh"

# Inputs: a 4 KiB bootloader at 0x7000 and a 28 KiB application below it.
gen_hex "$T/boot.hex" 0x7000:4096:random=11
gen_hex "$T/full.hex" 0:28672:random=11@4096 0x7000:4096:random=11

for prog in avrisp buspirate; do
	for image in boot full; do
		same_job "$prog-$image" $prog m32u4 $image ""
	done
	avrdude_reads_back $prog
done

# -x as the dry run prints it is what avrdude understands: with
# -x reset=aux it reaches a target whose RESET is wired to AUX, and our own
# flash of that board left the same chip.
run 0 ispwiz flash -c buspirate -P /dev/ttyUSB0 -p m32u4 -f "$T/boot.hex" -x reset=aux --dry-run
expect_in "$T/out" "avrdude -c buspirate -P /dev/ttyUSB0 -b 115200 -x reset=aux -p m32u4"
same_job aux buspirate m32u4 boot "-x reset=aux" --reset-pin aux

finish
