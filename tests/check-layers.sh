#!/bin/sh
# The layers (Makefile.am: one library per layer), checked from the
# sources: every #include of a project header points at the file's own
# layer or one below it, the two
# front ends never include each other, core includes nothing else of the
# project, and the device-side emulators (test equipment) never end up in
# the ispwiz binary.  The link order (Makefile.am) catches a call that
# points up; this catches an include that does, which the linker cannot
# see when it only uses a type or a macro.
. "$top_srcdir/tests/lib.sh"

# rank LAYER: the layers from the ground floor up; cli and tui share a rank
# and may not include each other.
rank() {
	case $1 in
	core) echo 0 ;; sim) echo 1 ;; detect) echo 2 ;; prog) echo 3 ;;
	boot) echo 4 ;; job) echo 5 ;; cli|tui) echo 6 ;; main) echo 7 ;;
	*) echo 99 ;;
	esac
}

cd "$top_srcdir/src" || exit 1
for file in */*.c */*.h main.c; do
	[ -f "$file" ] || continue
	case $file in
	main.c) layer=main ;;
	*) layer=${file%%/*} ;;
	esac
	emu=no
	case $file in sim/emu*) emu=yes ;; esac
	mine=$(rank "$layer")
	grep -o '^#include "[a-z]*/[a-z0-9-]*\.h"' "$file" | sed 's/^#include "//; s/"$//' |
	while read -r inc; do
		theirs=${inc%%/*}
		base=${inc##*/}
		if [ "$emu" = yes ]; then
			# Test equipment: the simulated chip, core, and the protocol
			# constants it shares with the driver it emulates.
			case $theirs:$base in
			core:*|sim:*|prog:*-proto.h|boot:*-proto.h) continue ;;
			esac
			echo "FAIL: $file (an emulator) includes $inc" >&2
			echo x
			continue
		fi
		case $theirs:$base in sim:emu*)
			if [ "$layer" != sim ]; then
				echo "FAIL: $file includes the emulator header $inc (test equipment)" >&2
				echo x
			fi
			continue ;;
		esac
		r=$(rank "$theirs")
		if [ "$theirs" != "$layer" ] && { [ "$r" -ge "$mine" ] || [ "$r" = 99 ]; }; then
			echo "FAIL: $file ($layer) includes $inc ($theirs): that points up or sideways" >&2
			echo x
		fi
	done
done >"$T/bad"
[ -s "$T/bad" ] && failures=$((failures + $(wc -l <"$T/bad")))

# No emulator code in the program people install.
if nm "$ISPWIZ" 2>/dev/null | grep -q ' [TtDdBb] emu_'; then
	fail "the ispwiz binary contains emulator symbols: $(nm "$ISPWIZ" | grep ' [Tt] emu_' | head -3 | tr '\n' ' ')"
fi

finish
