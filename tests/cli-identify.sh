#!/bin/sh
# `ispwiz identify`: files named by what they are, whatever their form.  A
# user catalog names generated images by their identities (the tests never
# hold upstream files): a bootloader file, the same bytes with CRLF and
# other record lengths, a combined file (a sketch below the bootloader), an
# ISP firmware, an unknown image with its ranges and fitting parts, and a
# bad file (exit 3, the others still reported).
. "$top_srcdir/tests/lib.sh"

python3 - "$T" <<'EOF2'
import hashlib, sys
d = sys.argv[1]
def hexfile(path, chunks, per=16, eol='\n'):
    out = []
    for addr, data in chunks:
        for off in range(0, len(data), per):
            a = addr + off
            b = data[off:off + per]
            rec = [len(b), (a >> 8) & 0xFF, a & 0xFF, 0] + list(b)
            out.append(':' + ''.join('%02X' % x for x in rec) + '%02X' % (-sum(rec) & 0xFF))
    out.append(':00000001FF')
    open(path, 'w', newline='').write(eol.join(out) + eol)
boot = bytes((i * 11 + 1) & 0xFF for i in range(3000)) + b'\xff' * 40
sketch = bytes((i * 5 + 9) & 0xFF for i in range(0x300))
fw = bytes((i * 3 + 2) & 0xFF for i in range(0x500))
hexfile(d + '/boot.hex', [(0x7000, boot)])
hexfile(d + '/boot-crlf.hex', [(0x7000, boot)], per=32, eol='\r\n')
hexfile(d + '/combined.hex', [(0, sketch), (0x7000, boot)])
hexfile(d + '/fw.hex', [(0, fw)])
hexfile(d + '/other.hex', [(0x100, b'\x01\x02\x03\x04')])
bt = boot.rstrip(b'\xff')
open(d + '/ids', 'w').write('%s %d %s %d %s\n' % (
    hashlib.sha256(boot).hexdigest(), len(boot), hashlib.sha256(bt).hexdigest(), len(bt),
    hashlib.sha256(fw).hexdigest()))
EOF2
read -r boot_sha boot_len bt_sha bt_len fw_sha <"$T/ids"
mkdir -p "$XDG_CONFIG_HOME/ispwiz"
cat >"$XDG_CONFIG_HOME/ispwiz/test.yaml" <<EOF2
version: 1
bootloaders:
  - id: test-caterina
    family: caterina
    name: Test board
    part: atmega32u4
    usb_id: "1B4F:9205"
    presets:
      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB }
    file: test-caterina.hex
    identities:
      - version: "2.0"
        image: { start: 0x7000, length: $boot_len, sha256: $boot_sha }
        boot: { start: 0x7000, length: $bt_len, sha256: $bt_sha }
programmers:
  - id: test-isp
    driver: avrisp
    name: Test board as ISP
    avrdude: avrisp
    transport: serial
    baud: 19200
    usb_ids: ["16C0:0483"]
    isp_firmware:
      file: test-isp.hex
      part: atmega32u4
      loader: caterina
      instructions: Double-tap reset.
      identities:
        - image: { start: 0x0000, length: 1280, sha256: $fw_sha }
EOF2

run 0 ispwiz identify "$T/boot.hex" "$T/boot-crlf.hex"
[ "$(grep -c 'the known upstream test-caterina.hex 2.0' "$T/out")" -eq 2 ] ||
	fail "the same bytes in another form were not recognised"

run 0 ispwiz identify "$T/combined.hex"
expect_in "$T/out" "holds the Caterina bootloader Test board 2.0"
expect_in "$T/out" "and an application 0x0000-0x02FF"

run 0 ispwiz identify "$T/fw.hex"
expect_in "$T/out" "the ISP firmware of the Test board as ISP"
expect_in "$T/out" "ispwiz prepare test-isp"

run 0 ispwiz identify "$T/other.hex" --part atmega32u4
expect_in "$T/out" "unknown image: 4 bytes of data in 0x0100-0x0103"
expect_in "$T/out" "fits: atmega32u4"
expect_in "$T/out" "image identity: 0x0100+4 "

# A bad file among good ones: reported, the others still are, exit 3.
printf ':10000000ZZ\n' >"$T/bad.hex"
run 3 ispwiz identify "$T/boot.hex" "$T/bad.hex" "$T/fw.hex"
expect_in "$T/err" "bad.hex"
expect_in "$T/out" "test-caterina.hex"
expect_in "$T/out" "the ISP firmware"

run 0 ispwiz identify "$T/combined.hex" "$T/other.hex" --json
json_check "$T/out" 'd[0]["known"] and d[0]["matches"][0]["kind"] == "carries-bootloader" and d[0]["matches"][0]["application"] == "0x0000-0x02FF"'
json_check "$T/out" 'not d[1]["known"] and any(f["part"] == "atmega32u4" for f in d[1]["fits"])'

# flash uses the same identity: the combined file is flashed as carrying
# the chosen bootloader; the firmware is refused as a bootloader.
run 0 ispwiz flash -c sim -p atmega32u4 --bootloader test-caterina -f "$T/combined.hex" --dry-run
expect_in "$T/err" "holds the known Test board"
run 4 ispwiz flash -c sim -p atmega32u4 -f "$T/fw.hex" --dry-run
expect_in "$T/err" "ISP firmware of the Test board as ISP"
run 4 ispwiz flash -c sim -p atmega16u4 -f "$T/boot.hex" --dry-run
expect_in "$T/err" "built for the ATmega32U4, not the ATmega16U4"

# What a chip holds, from its boot section: blank, then the known one.
run 0 ispwiz read -c sim -p atmega32u4 --identify --sim-state "$T/chip.json"
expect_in "$T/out" "the boot section (from 0x7000) is blank: this is why"
expect_in "$T/out" "the application area is blank"
expect_in "$T/out" "BOOTRST is not programmed"
[ -e "$T/chip.json.json" ] && fail "read --identify wrote a backup"
run 0 ispwiz flash -c sim -p atmega32u4 --bootloader test-caterina -f "$T/combined.hex" \
	--yes --no-backup --sim-state "$T/chip.json"
run 0 ispwiz read -c sim -p atmega32u4 --identify --sim-state "$T/chip.json"
expect_in "$T/out" "the boot section (from 0x7000) holds Caterina: Test board 2.0"
expect_in "$T/out" "the application area is not blank"
expect_in "$T/out" "BOOTRST is programmed"

finish
