#!/bin/sh
# "Which keyboard is it?" on the wizard's Bootloader step (w), in tmux,
# against a small QMK-shaped tree this test writes (QMK_HOME); the demo's
# chip is an ATmega32U4:
#   - Tab completes the keyboard's name a folder at a time, and says when
#     nothing starts with what was typed;
#   - Enter on a keyboard the catalog serves selects its bootloader's row and
#     says so on the message line with the file that named it (Atmel DFU
#     from info.json; Caterina from a parent's rules.mk, where several
#     catalog boards fit); that row is what goes on to the review;
#   - and keeps the field open, saying why, for: an empty name, a keyboard
#     not in the checkout, one with another chip than the target step
#     found, one with a chip that is no AVR at all, a bootloader the catalog cannot serve (qmk-dfu), a
#     keyboard.json that is not JSON; the highlighted row stays as it was;
#   - Esc closes the field and gives the list back; the screen with the
#     field open keeps the layout rules (tests/tui-screen-check.py).
. "$top_srcdir/tests/tui-lib.sh"
need_tool python3

QMK_HOME=$T/qmk
export QMK_HOME
k=$QMK_HOME/keyboards
mkdir -p "$k/crkbd/rev1" "$k/crkbd/keymaps/default" "$k/dfukb" "$k/qdfu" "$k/avr328" \
	"$k/broken" "$k/armkb"
# crkbd as QMK has it: the chip in the JSON, the bootloader in the
# parent's rules.mk, the revision below.
echo '{"keyboard_name": "crkbd", "processor": "atmega32u4"}' >"$k/crkbd/keyboard.json"
printf 'BOOTLOADER = caterina\n' >"$k/crkbd/rules.mk"
printf '# revision 1\n' >"$k/crkbd/rev1/rules.mk"
echo '{"processor": "atmega32u4", "bootloader": "atmel-dfu"}' >"$k/dfukb/info.json"
printf 'MCU = atmega32u4\nBOOTLOADER = qmk-dfu\n' >"$k/qdfu/rules.mk"
printf 'MCU = atmega328p\nBOOTLOADER = usbasploader\n' >"$k/avr328/rules.mk"
printf '{"processor": ' >"$k/broken/keyboard.json"
echo '{"processor": "STM32F303", "bootloader": "stm32-dfu"}' >"$k/armkb/keyboard.json"

tui_log=$T/session.log
tui_start --demo --log "$tui_log"
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
keys Enter
wait_for "Wire the Simulated programmer" || finish
keys Enter
wait_for "Found the Simulated programmer: selected" || finish
keys Enter
wait_for "Found an ATmega32U4" || finish
keys Enter
wait_for "Bootloaders for the ATmega32U4" || finish
on_screen "w keyboard"

# The field, and Esc back to the list.
keys w
wait_for "Which keyboard is it?" || finish
on_screen "QMK checkout: $QMK_HOME"
on_screen "Tab complete  Enter pick its bootloader  Esc the list"
# The field covers the list, so the log's "list bootloaders shows R of N
# rows" (the checker's "more" rule) is not about this screen: held to the
# other rules without the log.
log_was=$tui_log
tui_log=
check_screen "Which keyboard is it?" || finish
tui_log=$log_was
keys Escape
wait_for "Bootloaders for the ATmega32U4" || finish
not_on_screen "Which keyboard is it?"

# Completion a folder at a time; keymaps/ is no keyboard.
keys w
wait_for "Which keyboard is it?" || finish
type_text cr
keys Tab
wait_for "2 matches: crkbd crkbd/" || finish
on_screen "Keyboard: crkbd"
type_text /
keys Tab
wait_for "Keyboard: crkbd/rev1" || finish
not_on_screen "keymaps"
keys C-u
type_text zz
keys Tab
wait_for "no keyboard in $QMK_HOME/keyboards starts with \"zz\"" || finish

# What it refuses, and says why, with the field still open.
keys C-u Enter
wait_for "Type the keyboard's QMK name first" || finish
type_text nosuch
keys Enter
wait_for "no keyboard 'nosuch' in the QMK checkout" || finish
keys C-u
type_text avr328
keys Enter
wait_for "Keyboard avr328 has the ATmega328P" || finish
expect_in "$tui_log" "which keyboard: avr328: Keyboard avr328 has the ATmega328P (keyboards/avr328/rules.mk), but the target step found the ATmega32U4"
keys C-u
type_text armkb
keys Enter
wait_for "keyboard armkb has a stm32f303" || finish
expect_in "$tui_log" "which keyboard: armkb: keyboard armkb has a stm32f303 ($k/armkb/keyboard.json), which is not an AVR ispwiz knows"
keys C-u
type_text qdfu
keys Enter
wait_for "uses the qmk-dfu bootloader" || finish
expect_in "$tui_log" "which keyboard: qdfu: keyboard qdfu uses the qmk-dfu bootloader ($k/qdfu/rules.mk): QMK DFU is built from QMK's own sources"
keys C-u
type_text broken
keys Enter
wait_for "broken/keyboard.json:1:" || finish
expect_in "$tui_log" "which keyboard: broken: $k/broken/keyboard.json:1:14: not valid JSON"
on_screen "Which keyboard is it?"
keys Escape
wait_for "Bootloaders for the ATmega32U4" || finish
# Still the demo's Atmel DFU row: nothing refused moved the list.
on_screen "Enumerates as 03EB:2FF4"

# crkbd/rev1: Caterina, named by the parent's rules.mk; the list moves
# off the demo's Atmel DFU row to the first Caterina board.
keys w
wait_for "Which keyboard is it?" || finish
type_text crkbd/rev1
keys Enter
wait_for "crkbd/rev1: ATmega32U4, Caterina (from keyboards/crkbd/rules.mk)" || finish
not_on_screen "Which keyboard is it?"
on_screen "Caterina boards fit crkbd/rev1: Up/Down to the one you have."
on_screen "Enumerates as 1B4F:"
# dfukb: Atmel DFU, from its info.json; the one entry, so nothing to choose.
keys w
wait_for "Which keyboard is it?" || finish
type_text dfukb
keys Enter
wait_for "dfukb: ATmega32U4, Atmel DFU (from keyboards/dfukb/info.json)" || finish
not_on_screen "boards fit"
on_screen "Enumerates as 03EB:2FF4"
# Back to crkbd, then on to the review: the Caterina row picked is the plan's.
keys w
wait_for "Which keyboard is it?" || finish
type_text crkbd/rev1
keys Enter
wait_for "crkbd/rev1: ATmega32U4, Caterina" || finish
keys Enter
wait_step Review || finish
expect_in "$tui_log" "bootloader: caterina-"
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored

finish
