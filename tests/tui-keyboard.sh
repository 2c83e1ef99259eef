#!/bin/sh
# The wizard's last step, in tmux: after Done, the keyboard's own firmware
# through the bootloader just flashed (the demo flashes Atmel DFU; the
# chip's DFU bootloader is tests/ispwiz-emu's emulator on USB, umockdev):
#   - y on Done: the keyboard step; the keyboard's QMK name is read from a
#     small QMK tree (QMK_HOME), its chip checked, its built .hex filled in;
#     the upload's bar and "Your keyboard is back", verified; the emulated
#     chip holds the firmware;
#   - a keyboard with another chip is said so; a bootloader's file given as
#     the firmware is refused and nothing is written;
#   - n on Done: the exact `ispwiz upload` command for later.
. "$top_srcdir/tests/tui-lib.sh"

need_emu
REAL=$ISPWIZ
WRAP=${ISPWIZ_WRAPPER:-}
# umockdev's own preload library trips valgrind over USB: its suppressions.
VALGRIND_OPTS="--suppressions=$top_srcdir/tests/usb-valgrind.supp${VALGRIND_OPTS:+ $VALGRIND_OPTS}"
export VALGRIND_OPTS
QMK_HOME=$T/qmk
export QMK_HOME
mkdir -p "$QMK_HOME/keyboards/testkb/rev1" "$QMK_HOME/keyboards/otherkb" "$XDG_CONFIG_HOME/ispwiz"
echo '{"keyboard_name": "testkb", "processor": "atmega32u4", "bootloader": "atmel-dfu"}' \
	>"$QMK_HOME/keyboards/testkb/keyboard.json"
printf 'MCU = atmega32u4\n' >"$QMK_HOME/keyboards/testkb/rev1/rules.mk"
echo '{"processor": "atmega32a", "bootloader": "bootloadhid"}' \
	>"$QMK_HOME/keyboards/otherkb/info.json"
gen_hex "$QMK_HOME/testkb_rev1_default.hex" 0x0000:20000:random=17
gen_hex "$T/boot.hex" 0x7000:4096:random=3
# boot.hex is a bootloader the catalog knows (a user entry).
sha=$(ispwiz identify --json "$T/boot.hex" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["image"]["sha256"])')
cat >"$XDG_CONFIG_HOME/ispwiz/test.yaml" <<EOF2
version: 1
bootloaders:
  - id: t-boot
    family: caterina
    name: Test Caterina
    part: atmega32u4
    usb_id: "1B4F:9205"
    presets:
      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB }
    file: boot.hex
    identities:
      - image: { start: 0x7000, length: 4096, sha256: $sha }
EOF2

# The demo inside the DFU emulator's testbed.
wizard_in() {
	{
		printf '#!/bin/sh\nexec "%s" --bootloader atmel-dfu --part atmega32u4' "$EMU"
		printf " --dump '%s' -- %s '%s' --demo \"\$@\"\n" "$T/dump" "$WRAP" "$REAL"
	} >"$T/wizard"
	chmod +x "$T/wizard"
	ISPWIZ=$T/wizard ISPWIZ_WRAPPER='' tui_start --log "$T/session.log"
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
# The right keyboard: its build is found and uploaded.
keys Up
retype testkb/rev1
keys Enter
wait_for "Keyboard testkb/rev1: ATmega32U4, bootloader atmel-dfu" || finish
on_screen "testkb_rev1_default.hex"
keys Enter
wait_for "Your keyboard is back: its firmware is written and verified" 60 || finish
expect_in "$T/session.log" "signature 1E 95 87: ATmega32U4"
keys Enter
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
flash_has "$T/dump" "$QMK_HOME/testkb_rev1_default.hex"

# ---- later: the command -------------------------------------------------------------
wizard_in
to_done
keys n
wait_for "ispwiz upload -p atmega32u4 --via atmel-dfu -f KEYBOARD_KEYMAP.hex" || finish
not_on_screen "step 10 of 10"
keys q
wait_exit || finish
expect_restored
python3 "$top_srcdir/tests/check-dump.py" --holds "$T/dump" "$QMK_HOME/testkb_rev1_default.hex" \
	>/dev/null 2>&1 && fail "later wrote the firmware anyway"

finish
