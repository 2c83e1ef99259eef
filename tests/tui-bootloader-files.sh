#!/bin/sh
# The wizard's bootloader step and what it says about files and chips, in
# tmux on the demo, with the catalog pointed at a local HTTP server
# (tests/http-fixture.py on 127.0.0.1; nothing reaches outside):
#   - d downloads the highlighted bootloader's file with a bar, checks its
#     identity and fills the cached file in; a server that sends another
#     file is refused with what came, and nothing is kept;
#   - the line under the fields says what the file is by identity: the
#     known upstream file, "your file (unknown image)", one built for
#     another part (refused on Enter, with the reason);
#   - the target step says what the boot section holds: blank before, the
#     flashed bootloader by name after; Done names it only from the
#     verified identity, and an unknown file as "your file (unknown image)".
. "$top_srcdir/tests/tui-lib.sh"

need_tool python3
XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME
mkdir -p "$T/www" "$XDG_CONFIG_HOME/ispwiz"
# The bootloader (a random 4 KiB at 0x7000), a corrupted copy, one for the
# AT90USB1286, and their identities (KNOWN-IMAGES.md: image and boot).
python3 - "$T" <<'EOF2'
import hashlib, random, sys
d = sys.argv[1]
def hexfile(path, data, addr):
    out = []
    for off in range(0, len(data), 16):
        a = addr + off
        b = data[off:off + 16]
        if a >> 16 != (a - 16) >> 16 or off == 0:
            seg = [2, 0, 0, 4, 0, a >> 16]
            out.append(':' + ''.join('%02X' % x for x in seg) + '%02X' % (-sum(seg) & 0xFF))
        rec = [len(b), (a >> 8) & 0xFF, a & 0xFF, 0] + list(b)
        out.append(':' + ''.join('%02X' % x for x in rec) + '%02X' % (-sum(rec) & 0xFF))
    out.append(':00000001FF')
    open(path, 'w').write('\n'.join(out) + '\n')
random.seed(21)
boot = bytes(random.randrange(256) for _ in range(4096))
boot = boot[:-1] + b'\x42'          # ends in data: boot length 4096
bad = bytearray(boot); bad[7] ^= 0x10
other = bytes(random.randrange(256) for _ in range(8192))
hexfile(d + '/www/dfu.hex', boot, 0x7000)
hexfile(d + '/www/corrupt.hex', bytes(bad), 0x7000)
hexfile(d + '/other.hex', other, 0x1E000)
hexfile(d + '/mine.hex', bytes(bad), 0x7000)
# A production image: a keyboard firmware below the known bootloader.
app = bytes(random.randrange(256) for _ in range(6000))
hexfile(d + '/production.hex', app + b'\xff' * (0x7000 - len(app)) + boot, 0)
open(d + '/sha', 'w').write(hashlib.sha256(boot).hexdigest())
# An ISP firmware (an application at 0) that a user programmer entry knows.
isp = bytes(random.randrange(256) for _ in range(3000))
hexfile(d + '/isp.hex', isp, 0)
open(d + '/sha-isp', 'w').write(hashlib.sha256(isp).hexdigest())
open(d + '/sha-other', 'w').write(hashlib.sha256(other).hexdigest())
EOF2
python3 "$top_srcdir/tests/http-fixture.py" "$T/www" "$T/port" &
server=$!
trap 'kill $server 2>/dev/null; tmux -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
within 10 test -s "$T/port" || { fail "the test server did not start"; finish; }
base="http://127.0.0.1:$(cat "$T/port")"
sha=$(cat "$T/sha")
entry() {   # ID FILE URL PART SHA START LENGTH
	cat <<EOF2
  - id: $1
    family: atmel-dfu
    name: Test $1
    part: $4
    usb_id: "03EB:2FF4"
    presets:
      - { name: default, lfuse: 0x5E, hfuse: 0x99, efuse: 0xF3 }
    file: $2
    url: $3
    page: https://example.invalid/$1
    identities:
      - image: { start: $6, length: $7, sha256: $5 }
        boot: { start: $6, length: $7, sha256: $5 }
EOF2
}
{
	echo "version: 1"
	echo "bootloaders:"
	entry t-dfu t-dfu.hex "$base/dfu.hex" atmega32u4 "$sha" 0x7000 4096
	entry t-bad t-bad.hex "$base/corrupt.hex" atmega32u4 "$sha" 0x7000 4096
	entry t-usb at90usb.hex "$base/none" at90usb1286 "$(cat "$T/sha-other")" 0x1E000 8192
	# A programmer whose ISP firmware is isp.hex: the Pro Micro's entry, renamed.
	echo "programmers:"
	isp_firmware_entry 3000 "$(cat "$T/sha-isp")"
} >"$XDG_CONFIG_HOME/ispwiz/test.yaml"
cached=$XDG_CACHE_HOME/ispwiz/files

# A path typed into the file field, over what it held (the list has the
# focus before: Tab moves into the field).
give_file() {
	keys Tab End
	keys -N 200 BSpace
	type_text "$1"
	keys Up
}

tui_start --demo --log "$T/session.log"
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
to_target
# What the (bricked) chip holds: nothing in its boot section.
on_screen "The boot section (from 0x7000) is blank: this is why the keyboard no longer"
keys Enter
wait_for "Bootloaders for the ATmega32U4" || finish
on_screen "demo's stand-in image"

# The last row is Test t-bad: the server sends another file.
keys End
wait_for "> Atmel DFU: Test t-bad" || finish
keys d
wait_for "corrupt.hex did not send the known t-b" 20 || finish
# Cut at 80 columns: F1 shows the message whole.
keys F1
wait_for "t-bad.hex: what came is a HEX file, but not the known one" 5 || finish
keys Escape
wait_for --gone "Help: " 5 || finish
[ -e "$cached/t-bad.hex" ] && fail "a wrong download was kept"
ls -a "$cached" | grep -q part && fail "a partial download was left"

# Test t-dfu: downloaded, checked, filled in, named by its identity.
keys Up
wait_for "> Atmel DFU: Test t-dfu" || finish
keys d
wait_for "Downloaded and checked t-dfu.hex: it is in the File field" 20 || finish
on_screen "File:   $cached/t-dfu.hex"
on_screen "t-dfu.hex is the known upstream t-dfu.hex (Test t-dfu)."
[ -f "$cached/t-dfu.hex" ] || fail "the download was not kept"
cmp -s "$cached/t-dfu.hex" "$T/www/dfu.hex" || fail "the kept file is not what was served"
expect_in "$T/session.log" "downloading $base/dfu.hex"
# Again: the cached copy, without the network.
kill $server
keys d
wait_for "Already downloaded and checked t-dfu.hex" 20 || finish

# A file for another part: said at once, refused on Enter.
give_file "$T/other.hex"
wait_for "other.hex is at90usb.hex (Test t-usb), built for the AT90USB1286" || finish
keys Enter
wait_for "flashing it would leave the chip without a working bootloader" || finish
on_step Bootloader
# A programmer's ISP firmware: said at once, refused on Enter.
give_file "$T/isp.hex"
wait_for "isp.hex is t-isp.hex, the ISP firmware of the" || finish
keys Enter
wait_for "isp.hex is t-isp.hex, the ISP firmware of the Pro Micr" || finish
on_step Bootloader
expect_in "$T/session.log" "not a bootloader: it is loaded onto the programmer board"
not_on_screen "need your confirmation"
# A file nobody knows: it would be flashed as the user's own.
give_file "$T/mine.hex"
wait_for "mine.hex matches no known upstream file: it is flashed as your file" || finish

# A production image (firmware + the bootloader): named by the bootloader
# inside it.
give_file "$T/production.hex"
wait_for "production.hex holds the known Test t-dfu in its boot section" || finish

# The downloaded file, flashed: Done and the target step name it.
give_file "$cached/t-dfu.hex"
wait_for "t-dfu.hex is the known upstream" || finish
keys Enter
wait_for "need your confirmation" || finish
type_text "ATmega32U4"
keys Enter
wait_step Done 60 || finish
on_screen "The ATmega32U4 now holds Atmel DFU: Test t-dfu, written and verified."
keys Escape
wait_for "Found an ATmega32U4" 20 || finish
on_screen "The boot section (from 0x7000) holds Atmel DFU: Test t-dfu"
keys q
wait_exit || finish
[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
expect_restored

# ---- an unknown file flashed: Done does not give it a catalog name -------------
tui_start --demo
to_review
wait_for "need your confirmation" || finish
type_text "ATmega32U4"
keys Enter
wait_step Done 60 || finish
on_screen "now holds your file demo-stand-in-NOT-A-BOOTLOADER.hex"
on_screen "(unknown image), written and verified."
not_on_screen "now holds Atmel DFU"
keys q
wait_exit || finish
expect_restored

finish
