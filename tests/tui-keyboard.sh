#!/bin/sh
# The wizard's last step, in tmux: after Done, the keyboard's own firmware
# through the bootloader just flashed.  In the demo nothing is real: the
# keyboard is the demo's simulated chip, and its simulated bootloader
# (boot-sim.c) takes the firmware through the upload job, with no device
# to wait for:
#   - y on Done: the keyboard step, the demo's stand-in firmware filled in;
#     Tab completes the keyboard's QMK name from the checkout;
#     the keyboard's QMK name is read from a small QMK tree (QMK_HOME), its
#     chip checked, its built .hex filled in; the upload's bar and "Your
#     keyboard is back", verified by reading the simulated chip back, in
#     seconds (no 60 s wait for a USB device);
#   - a keyboard with another chip is said so; a bootloader's file given as
#     the firmware is refused and nothing is written;
#   - a firmware reaching into the bootloader's section is refused by the
#     simulated bootloader as by a real one, nothing written;
#   - n on Done: the exact `ispwiz upload` command for later.
. "$top_srcdir/tests/tui-lib.sh"

QMK_HOME=$T/qmk
export QMK_HOME
mkdir -p "$QMK_HOME/keyboards/testkb/rev1" "$QMK_HOME/keyboards/otherkb" "$XDG_CONFIG_HOME/ispwiz"
echo '{"keyboard_name": "testkb", "processor": "atmega32u4", "bootloader": "atmel-dfu"}' \
	>"$QMK_HOME/keyboards/testkb/keyboard.json"
printf 'MCU = atmega32u4\n' >"$QMK_HOME/keyboards/testkb/rev1/rules.mk"
echo '{"processor": "atmega32a", "bootloader": "bootloadhid"}' \
	>"$QMK_HOME/keyboards/otherkb/info.json"
gen_hex "$QMK_HOME/testkb_rev1_default.hex" 0x0000:20000:random=17
# The same firmware as a raw binary (.bin at 0x0000), as QMK builds for
# some Atmel DFU boards.
python3 - "$QMK_HOME/testkb_rev1_default.hex" "$T/fw.bin" <<'EOF3'
import sys
img = {}
for line in open(sys.argv[1]):
    b = bytes.fromhex(line.strip()[1:])
    if b[3] == 0:
        for i in range(b[0]):
            img[(b[1] << 8 | b[2]) + i] = b[4 + i]
open(sys.argv[2], 'wb').write(bytes(img.get(a, 0xFF) for a in range(max(img) + 1)))
EOF3
# A keyboard whose build in the checkout is only a .bin.
mkdir -p "$QMK_HOME/keyboards/binkb"
echo '{"processor": "atmega32u4", "bootloader": "atmel-dfu"}' >"$QMK_HOME/keyboards/binkb/info.json"
cp "$T/fw.bin" "$QMK_HOME/binkb_default.bin"
# Into the Atmel DFU bootloader's own section (from 0x7000).
gen_hex "$T/toobig.hex" 0x0000:30000:random=5
# boot.hex is a bootloader the catalog knows (a user entry).
known_bootloader

wizard_in() {
	rm -f "$T/session.log"
	tui_start --demo --log "$T/session.log"
}

to_done() {
	to_review
	wait_for "need your confirmation" || finish
	type_text "ATmega32U4"
	keys Enter
	wait_step Done 60 || finish
	wait_for "bootloader is alive." 20 || finish
	wait_for "Flash your keyboard's firmware now? y: now" || finish
}

# A value typed into the focused field, over what it held.
retype() {
	keys End
	keys -N 200 BSpace
	type_text "$1"
}

# ---- now: the keyboard's name, the file, the upload -------------------------------
wizard_in
to_done
keys y
wait_for "step 10 of 10: Keyboard" || finish
on_screen "Flash your keyboard's firmware"
on_screen "The demo has no keyboard"
on_screen "/ispwiz-demo."
# Tab completes the keyboard's name from the checkout, a folder at a time.
retype tes
keys Tab
wait_for "2 matches: testkb testkb/" || finish
on_screen "Keyboard: testkb"
type_text /
keys Tab
wait_for "Keyboard: testkb/rev1" || finish
retype zz
keys Tab
wait_for "no keyboard in $QMK_HOME/keyboards starts with" || finish
# Another chip: said, nothing filled in.
retype otherkb
keys Enter
wait_for "Keyboard otherkb has the ATmega32A" || finish
on_screen "flashed is the ATmega32U4: check the keyboard's name."
# A bootloader's file: refused, nothing written.
keys Down
retype "$T/boot.hex"
keys Enter
wait_for "is Test Caterina, a bootloader: a" || finish
on_screen "bootloader cannot write itself; put it on over ISP"
# Too big: the simulated bootloader keeps its own section, as a real one.
retype "$T/toobig.hex"
keys Enter
wait_for "Not uploaded. Enter tries again" 30 || finish
on_screen "toobig.hex holds data from 0x00000 to 0x0752F, but"
expect_in "$T/session.log" "from 0x07000 on is the bootloader's own section"
# The right keyboard: its build is found and uploaded.
keys Up
retype testkb/rev1
keys Enter
wait_for "Keyboard testkb/rev1: ATmega32U4, bootloader atmel-dfu" || finish
on_screen "testkb_rev1_default.hex"
t0=$(now)
keys Enter
# No device to wait for: well inside the 60 s a real upload waits.
wait_for "Your keyboard is back: its firmware is written and verified" 30 || finish
took=$(since "$t0")
python3 -c "import sys; sys.exit(0 if $took < 30 else 1)" ||
	fail "the demo's upload took $took s"
keys Enter
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
# The simulated bootloader read the chip back: 20000 bytes in 128-byte blocks.
expect_in "$T/session.log" "signature 1E 95 87: ATmega32U4"
expect_in "$T/session.log" "the simulated bootloader at the demo's simulated chip"
expect_in "$T/session.log" "157 blocks verified"
expect_not_in "$T/session.log" "waiting for"

# ---- a .bin: the demo's bootloader is Atmel DFU, which takes one; the
# keyboard's build in the checkout is found as a .bin too ----------------------
wizard_in
to_done
keys y
wait_for "step 10 of 10: Keyboard" || finish
retype binkb
keys Enter
wait_for "Keyboard binkb: ATmega32U4, bootloader atmel-dfu" || finish
on_screen "binkb_default.bin"
keys Enter
wait_for "Your keyboard is back: its firmware is written and verified" 30 || finish
keys Enter
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_in "$T/session.log" "157 blocks verified"

# ---- later: the command -------------------------------------------------------------
wizard_in
to_done
keys n
wait_for "ispwiz upload -p atmega32u4 --via atmel-dfu -f KEYBOARD_KEYMAP.hex" || finish
not_on_screen "step 10 of 10"
quit_clean
expect_not_in "$T/session.log" "blocks written"

finish
