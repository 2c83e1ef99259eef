#!/bin/sh
# tests/avrdude-fidelity-usb.sh - avrdude, a client nobody here wrote, talks
# to the emulated USBtinyISP (through libusb-0.1) and USBasp (libusb-1.0)
# inside the umockdev testbed of ispwiz-emu: it must write, verify and set
# fuses, and leave the chip exactly as `ispwiz flash` does from the same
# inputs.  Then avrdude verifies what our driver wrote.  Also with the old
# USBasp firmware (avrdude warns that it cannot set SCK and carries on) and
# with long addresses on an AT90USB1286.

. "$top_srcdir/tests/fidelity-lib.sh"

# A 4 KiB bootloader at 0x7000, a 28 KiB application below it, and a DFU-
# sized 8 KiB bootloader at the top of an AT90USB1286; each file starts
# with an Extended Linear Address record.
gen_hex "$T/boot.hex" --ela-first 0x7000:4096:random=23
gen_hex "$T/full.hex" --ela-first 0:28672:random=23@4096 0x7000:4096:random=23
gen_hex "$T/dfu1286.hex" --ela-first 0x1E000:4096:random=23 0x1F000:4096:random=23

for prog in usbtiny usbasp; do
	same_job "$prog-boot" $prog m32u4 boot ""
	same_job "$prog-full" $prog m32u4 full ""
	# avrdude reads back what our driver wrote (and the factory lfuse)
	avrdude_reads_back $prog
done

# Old USBasp firmware: avrdude cannot set SCK and says so, both carry on at
# the fixed clock.
same_job usbasp-old usbasp m32u4 boot "" --old-firmware
expect_in "$T/dude-usbasp-old.log" "cannot set sck period"
expect_in "$T/iw-usbasp-old.log" "JP3"

# 256-byte pages and long addresses (SETLONGADDRESS) on an AT90USB1286.
same_job usbasp-1286 usbasp usb1286 dfu1286 "" --fuses 5E,99,F3

finish
