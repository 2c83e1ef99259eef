#!/bin/sh
# `ispwiz fetch` against a local HTTP server (tests/http-fixture.py on
# 127.0.0.1, started and stopped here; nothing reaches outside): a good
# file (and the same bytes with CRLF) is kept in the cache under its name;
# a corrupted, truncated, HTML, missing, redirected or stalling answer is
# refused with what came, and never leaves a file under the final name; a
# good cached copy is reused without the network.
. "$top_srcdir/tests/lib.sh"

XDG_CACHE_HOME=$T/cache
export XDG_CACHE_HOME
mkdir -p "$T/www"
python3 - "$T/www" <<'EOF2'
import hashlib, sys
d = sys.argv[1]
def hexfile(path, data, addr=0x7000, eol='\n'):
    out = []
    for off in range(0, len(data), 16):
        a = addr + off
        b = data[off:off + 16]
        rec = [len(b), (a >> 8) & 0xFF, a & 0xFF, 0] + list(b)
        out.append(':' + ''.join('%02X' % x for x in rec) + '%02X' % (-sum(rec) & 0xFF))
    out.append(':00000001FF')
    open(path, 'w', newline='').write(eol.join(out) + eol)
good = bytes((i * 13 + 7) & 0xFF for i in range(2048))
bad = bytearray(good); bad[100] ^= 1
hexfile(d + '/boot.hex', good)
hexfile(d + '/boot-crlf.hex', good, eol='\r\n')
hexfile(d + '/corrupt.hex', bytes(bad))
open(d + '/page.hex', 'w').write('<!DOCTYPE html>\n<html><body>boot.hex</body></html>\n')
open(d + '/sha', 'w').write(hashlib.sha256(good).hexdigest())
EOF2
python3 "$top_srcdir/tests/http-fixture.py" "$T/www" "$T/port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$T"' EXIT INT TERM
i=0
while [ ! -s "$T/port" ]; do
	i=$((i + 1)); [ "$i" -gt 100 ] && { fail "the test server did not start"; finish; }
	sleep 0.1
done
base="http://127.0.0.1:$(cat "$T/port")"
sha=$(cat "$T/www/sha")

# One user catalog entry per way of serving the file.
entry() {   # ID PATH
	cat <<EOF2
  - id: $1
    family: caterina
    name: Test $1
    part: atmega32u4
    usb_id: "1B4F:9205"
    presets:
      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB }
    file: boot.hex
    url: $base/$2
    page: https://example.invalid/boot-page
    identities:
      - image: { start: 0x7000, length: 2048, sha256: $sha }
EOF2
}
mkdir -p "$XDG_CONFIG_HOME/ispwiz"
{
	echo "version: 1"
	echo "bootloaders:"
	entry t-good boot.hex
	entry t-crlf boot-crlf.hex
	entry t-corrupt corrupt.hex
	entry t-html page.hex
	entry t-missing missing
	entry t-redirect redirect/boot.hex
	entry t-cut cut/boot.hex
	entry t-short short/boot.hex
	entry t-stall stall/boot.hex
} >"$XDG_CONFIG_HOME/ispwiz/test.yaml"
final=$XDG_CACHE_HOME/ispwiz/files/boot.hex

no_leftovers() {   # what: nothing under the final name, no temporary file
	[ -e "$final" ] && fail "$1 left a file under the final name"
	ls -a "$XDG_CACHE_HOME/ispwiz/files" 2>/dev/null | grep -q part && fail "$1 left a partial file"
}


run 3 ispwiz fetch t-corrupt
expect_in "$T/err" "did not send the known boot.hex"
expect_in "$T/err" "not the known one: its image identity is 0x7000+2048"
expect_in "$T/err" "https://example.invalid/boot-page"
no_leftovers "a corrupted file"

run 3 ispwiz fetch t-html
expect_in "$T/err" "an HTML page, not a HEX file"
no_leftovers "an HTML page"

run 3 ispwiz fetch t-missing
expect_in "$T/err" "answered HTTP 404"
no_leftovers "a 404"

run 1 ispwiz fetch t-cut
expect_in "$T/err" "transfer closed"
no_leftovers "a cut download"
run 3 ispwiz fetch t-short
expect_in "$T/err" "not a whole HEX file"
no_leftovers "a short download"

run 1 ispwiz fetch t-stall --timeout 2
expect_in "$T/err" "stalled or took too long"
no_leftovers "a stalled download"

# Good: through a redirect, and the same bytes with CRLF.
run 0 ispwiz fetch t-redirect
expect_in "$T/out" "$final"
[ -f "$final" ] || fail "the good file was not kept"
rm -f "$final"
run 0 ispwiz fetch t-crlf
[ -f "$final" ] || fail "the CRLF copy was not kept"

# Cached: no network needed (the server is stopped).
kill $server; wait $server 2>/dev/null
run 0 ispwiz fetch t-good
expect_in "$T/out" "(already downloaded)"

# No network at all: a clear error with the page to get it by hand.
rm -f "$final"
run 1 ispwiz fetch t-good --timeout 2
expect_in "$T/err" "get the file by hand from https://example.invalid/boot-page"

# -o DIR; an entry with nothing to download; an unknown id.
run 3 ispwiz fetch usbasploader-atmega32a
expect_in "$T/err" "built from source"
run 3 ispwiz fetch nosuch
expect_in "$T/err" "unknown bootloader or programmer 'nosuch'"

finish
