#!/bin/sh
# --keyboard NAME: the part and the bootloader from a QMK checkout of the
# tests' own making (no QMK needed): keyboard.json / info.json and rules.mk
# at every level, the deeper one winning; $QMK_HOME, then qmk.ini's
# qmk_home, then ~/qmk_firmware; QMK bootloader names ispwiz cannot serve
# explained; -p that disagrees refused.
. "$top_srcdir/tests/lib.sh"

q=$T/qmk
mkdir -p "$q/keyboards/acme/dfu" "$q/keyboards/acme/cat/rev2" "$q/keyboards/acme/qdfu" \
	"$q/keyboards/acme/teensy" "$q/keyboards/acme/bad"
cat >"$q/keyboards/acme/keyboard.json" <<'EOF2'
{ "keyboard_name": "acme", "processor": "atmega16u4", "bootloader": "caterina" }
EOF2
echo '{ "processor": "atmega32u4", "bootloader": "atmel-dfu" }' >"$q/keyboards/acme/dfu/info.json"
printf 'MCU = atmega32u4\n' >"$q/keyboards/acme/cat/rules.mk"
printf '# rev2 moved to a 32U4\nBOOTLOADER = caterina  # as shipped\n' >"$q/keyboards/acme/cat/rev2/rules.mk"
printf 'MCU = atmega32u4\nBOOTLOADER = qmk-dfu\n' >"$q/keyboards/acme/qdfu/rules.mk"
printf 'MCU = atmega32u4\nBOOTLOADER = halfkay\n' >"$q/keyboards/acme/teensy/rules.mk"
printf '{ "processor": ' >"$q/keyboards/acme/bad/info.json"
printf ':047000000102030482\n:00000001FF\n' >"$T/small.hex"

QMK_HOME=$q
XDG_CACHE_HOME=$T/cache
export QMK_HOME XDG_CACHE_HOME
# The catalog's file for the ATmega32U4's Atmel DFU, where `ispwiz fetch`
# keeps it (not the real one: flashed as "your file").
mkdir -p "$XDG_CACHE_HOME/ispwiz/files"
printf ':047000000102030482\n:00000001FF\n' >"$XDG_CACHE_HOME/ispwiz/files/bootloader_atmega32u4_1_0_0.hex"
run 0 ispwiz flash -c sim --keyboard acme/dfu --dry-run
expect_in "$T/err" "keyboard acme/dfu: ATmega32U4"
expect_in "$T/out" "Part:       ATmega32U4"
expect_in "$T/out" "hfuse 0x99"
# Deeper folders override: acme says 16U4 and Caterina; cat/ makes it a 32U4.
run 0 ispwiz identify --keyboard acme/cat/rev2 "$T/small.hex"
expect_in "$T/err" "keyboard acme/cat/rev2: ATmega32U4 ($q/keyboards/acme/cat/rules.mk)"
expect_in "$T/err" "bootloader caterina ($q/keyboards/acme/cat/rev2/rules.mk)"
# Caterina has several catalog entries: flash without a file asks which.
run 2 ispwiz flash -c sim --keyboard acme/cat/rev2 --dry-run
expect_in "$T/err" "choose one with --bootloader: caterina-promicro8"
run 2 ispwiz flash -c sim --keyboard acme/dfu -p atmega16u4 --dry-run
expect_in "$T/err" "-p atmega16u4, but keyboard acme/dfu has a ATmega32U4"
run 3 ispwiz flash -c sim --keyboard acme/qdfu --dry-run
expect_in "$T/err" "QMK DFU is built from QMK's own sources"
run 3 ispwiz flash -c sim --keyboard acme/teensy --dry-run
expect_in "$T/err" "HalfKay is PJRC's own bootloader"
run 3 ispwiz flash -c sim --keyboard acme/bad --dry-run
expect_in "$T/err" "info.json:1:"
run 3 ispwiz flash -c sim --keyboard acme/nosuch --dry-run
expect_in "$T/err" "no keyboard 'acme/nosuch' in the QMK checkout"
run 2 ispwiz flash -c sim --keyboard ../etc --dry-run

# Where the checkout is: qmk.ini, then ~/qmk_firmware.
unset QMK_HOME
mkdir -p "$XDG_CONFIG_HOME/qmk"
printf '[general]\nqmk_home = /nowhere\n[user]\nqmk_home = %s\n' "$q" >"$XDG_CONFIG_HOME/qmk/qmk.ini"
run 0 ispwiz flash -c sim --keyboard acme/dfu --dry-run
rm "$XDG_CONFIG_HOME/qmk/qmk.ini"
HOME=$T/home run 3 ispwiz flash -c sim --keyboard acme/dfu --dry-run
expect_in "$T/err" "no QMK checkout at $T/home/qmk_firmware"
mkdir -p "$T/home"
ln -s "$q" "$T/home/qmk_firmware"
HOME=$T/home run 0 ispwiz flash -c sim --keyboard acme/dfu --dry-run

finish
