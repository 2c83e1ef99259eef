#!/bin/sh
# The guide's production image in the wizard, in tmux on the demo: f on the
# Bootloader step goes on to the keyboard's firmware, which is merged under
# the bootloader by the job layer's rules (job/production.c) and flashed
# with it in one ISP job:
#   - refused, with the reason, nothing merged: a bootloader given as the
#     firmware (a user catalog entry's file), a programmer's ISP firmware
#     (another user entry), a firmware reaching into the
#     bootloader (0x0000..0x752F under one at 0x7000), a build for a chip
#     with more flash (40000 bytes on the 32 KiB ATmega32U4), a missing file;
#   - Esc from a merged image back to the Bootloader step shows the
#     bootloader's own file again, not the merged one;
#   - the Review and the Flash step say the image is the bootloader plus the
#     keyboard firmware, and the review's avrdude command names the merged
#     file, which is byte for byte what `ispwiz merge` makes of the two;
#   - Done says the firmware went on with it and offers no upload.
tui_size=100x50
. "$top_srcdir/tests/tui-lib.sh"

need_tool python3
mkdir -p "$XDG_CONFIG_HOME/ispwiz"
gen_hex "$T/fw.hex" 0x0000:20000:random=17
gen_hex "$T/overlap.hex" 0x0000:30000:random=5
gen_hex "$T/bigger.hex" 0x0000:40000:random=6
gen_hex "$T/isp.hex" 0x0000:3000:random=8
# boot.hex is a bootloader the catalog knows, isp.hex a programmer's ISP
# firmware (user entries).
known_bootloader
sha_isp=$(image_sha "$T/isp.hex")
{
	echo "version: 1"
	echo "programmers:"
	isp_firmware_entry 3000 "$sha_isp"
} >"$XDG_CONFIG_HOME/ispwiz/isp.yaml"

retype() {
	keys End
	keys -N 300 BSpace
	type_text "$1"
}

tui_start --demo --log "$T/session.log"
to_bootloader
keys f
# From now on the demo has the Production step.
demo_steps="Welcome Programmer Wiring Port Target Bootloader Production Review Flash Done"
wait_for "The keyboard's firmware too" || finish
on_screen "The production image: the keyboard's firmware"
on_screen "demo-stand-in-NOT-A-BOOTLOADER.hex"
on_screen "/ispwiz-demo."

# A bootloader as the firmware.
retype "$T/boot.hex"
keys Enter
wait_for "Not merged (see above)" || finish
on_screen "boot.hex is Caterina: Test Caterina, a bootloader (for the atmega32u4),"
on_step Production
# A programmer's ISP firmware.
retype "$T/isp.hex"
keys Enter
wait_for "isp.hex is the ISP firmware of the" || finish
on_screen "not a keyboard's firmware"
# Into the bootloader.
retype "$T/overlap.hex"
keys Enter
wait_for "but the bootloader" || finish
expect_in "$T/session.log" "overlap.hex holds data from 0x00000 to 0x0752F, but the bootloader"
expect_in "$T/session.log" "starts at 0x07000: the firmware would overwrite it"
# Built for a bigger chip.
retype "$T/bigger.hex"
keys Enter
wait_for "is built for a chip with more flash than the" || finish
# No such file.
retype "$T/nothing.hex"
keys Enter
wait_for "nothing.hex" || finish
expect_in "$T/session.log" "production: refused: "
grep -c "production: refused: " "$T/session.log" | grep -qx 5 ||
	fail "expected 5 refusals in the log"
not_on_screen "need your confirmation"

# The keyboard's build: merged, to the review.
retype "$T/fw.hex"
keys Enter
wait_step Review || finish
wait_for "a production image: the bootloader" || finish
on_screen "plus the keyboard firmware fw.hex (0x00000..0x04E1F)"
on_screen "fw+demo-stand-in-NOT-A-BOOTLOADER.hex"
merged=$(sed -n 's/.*production: .*, written to //p' "$T/session.log" | tail -n 1)
[ -f "$merged" ] || fail "the merged image $merged is not there"
demo_dir=${merged%/*}
run 0 ispwiz merge "$T/fw.hex" "$demo_dir/demo-stand-in-NOT-A-BOOTLOADER.hex" -o "$T/ref.hex" -p atmega32u4
cmp -s "$merged" "$T/ref.hex" || fail "the merged image differs from ispwiz merge's"

# Back to the Bootloader step: its own file again.
keys Escape
wait_for "The keyboard's firmware too" || finish
keys Escape
wait_for "Bootloaders for the ATmega32U4" || finish
not_on_screen "fw+demo-stand-in"
keys f
wait_for "The keyboard's firmware too" || finish
on_screen "$T/fw.hex"
keys Enter
wait_step Review || finish
wait_for "need your confirmation" || finish
type_text "ATmega32U4"
keys Enter
wait_for "with Atmel DFU: ATmega32U4 plus the keyboard firmware" 30 || finish
wait_step Done 60 || finish
wait_for "holds your file demo-stand-in-NOT-A-BOOTLOADER.hex (unknown image) plus the" || finish
on_screen "keyboard's firmware fw.hex, written and verified."
wait_for "nothing more to upload" 20 || finish
not_on_screen "Flash your keyboard's firmware now"
keys y
sleep 1
not_on_screen "step 11 of"
on_step Done
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored
finish
