# tests/fidelity-lib.sh - avrdude against the programmer emulators, for the
# tests/avrdude-fidelity-*.sh scripts; source it first:
#   . "$top_srcdir/tests/fidelity-lib.sh"
#
# Gives everything tests/lib.sh gives, with $EMU (need_emu), plus:
#   $AVRDUDE, $AVRDUDE_CONF   avrdude and its configuration (the test skips
#                             when avrdude is not installed)
#   same_job NAME PROG PART IMAGE "X-OPTIONS" [EMU-OPTIONS...]
#       avrdude writes $T/IMAGE.hex and hfuse 0xD8 to a fresh emulated chip
#       behind PROG, then `ispwiz flash` does the same job on another; both
#       must succeed, and leave flash holding exactly the image, and the
#       same fuses and lock.  X-OPTIONS (-x ...) go to both; EMU-OPTIONS to
#       ispwiz-emu.  Dumps in $T/dude-NAME and $T/iw-NAME, stderr of each in
#       $T/dude-NAME.log and $T/iw-NAME.log.
#   avrdude_reads_back PROG
#       avrdude verifies $T/boot.hex on a chip it was preloaded into (what
#       our driver would have written), and reads the factory lfuse.
# shellcheck shell=sh

. "$top_srcdir/tests/lib.sh"

[ -n "$AVRDUDE" ] || skip "avrdude is not installed (apt-get install avrdude)"
need_emu
need_tool python3

# dude_c PROG : avrdude's options for the programmer ispwiz calls PROG.
dude_c() {
	case $1 in
	avrisp) echo "-c avrisp -b 19200" ;;
	*) echo "-c $1" ;;
	esac
}

same_job() {
	name=$1 prog=$2 part=$3 image=$4 xopts=$5
	shift 5
	# shellcheck disable=SC2046,SC2086
	run 0 emu --programmer "$prog" --part "$part" "$@" --dump "$T/dude-$name" -- \
		"$AVRDUDE" -C "$AVRDUDE_CONF" $(dude_c "$prog") $xopts -P {port} -p "$part" \
		-U "flash:w:$T/$image.hex:i" -U hfuse:w:0xD8:m
	expect_in "$T/err" "bytes of flash verified"
	expect_in "$T/err" "1 byte of hfuse verified"
	cp "$T/err" "$T/dude-$name.log"
	# shellcheck disable=SC2086
	run 0 emu --programmer "$prog" --part "$part" "$@" --dump "$T/iw-$name" -- \
		"$ISPWIZ" flash -c "$prog" $xopts -P {port} -p "$part" -f "$T/$image.hex" \
		--hfuse 0xD8 --yes --no-backup
	expect_in "$T/err" "fuses read back as written"
	cp "$T/err" "$T/iw-$name.log"
	python3 "$top_srcdir/tests/check-dump.py" --like "$T/iw-$name" --fuse hfuse=0xD8 \
		"$T/dude-$name" "$T/$image.hex" || fail "$name: avrdude and ispwiz left different chips"
}

avrdude_reads_back() {
	# shellcheck disable=SC2046
	run 0 emu --programmer "$1" --part m32u4 --preload "$T/boot.hex" --dump "$T/read-$1" -- \
		"$AVRDUDE" -C "$AVRDUDE_CONF" $(dude_c "$1") -P {port} -p m32u4 \
		-U "flash:v:$T/boot.hex:i" -U lfuse:r:"$T/lfuse-$1":h
	expect_in "$T/err" "bytes of flash verified"
	expect_in "$T/lfuse-$1" "0x5e"
}
