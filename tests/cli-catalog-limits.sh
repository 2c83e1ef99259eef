#!/bin/sh
# Catalog values that load but would fail later are refused when the
# catalog is read, with file:line:col and exit 3, before any command runs:
# a programmer naming a driver this build lacks (here in a user's catalog
# file that overrides the installed one), a part with a 1-byte page.
. "$top_srcdir/tests/lib.sh"

need_tool python3

mkdir -p "$XDG_CONFIG_HOME/ispwiz"
cat >"$XDG_CONFIG_HOME/ispwiz/mine.yaml" <<'EOF2'
version: 1
programmers:
  - id: usbasp
    driver: usbasp-fast
    name: USBasp
    avrdude: usbasp
    transport: usb
    usb_ids: ["16C0:05DC"]
EOF2
run 3 ispwiz list programmers
expect_in "$T/err" "$XDG_CONFIG_HOME/ispwiz/mine.yaml:4:13: programmer 'usbasp' names driver 'usbasp-fast', which this build does not have (it has: "
run 3 ispwiz flash -c sim -p atmega32u4 -f /nonexistent.hex --dry-run
expect_in "$T/err" "names driver 'usbasp-fast'"
rm "$XDG_CONFIG_HOME/ispwiz/mine.yaml"

# The installed catalog's ATmega32U4 with a 1-byte page, through --catalog.
python3 - "$ISPWIZ_DATADIR/catalog.yaml" "$T/page1.yaml" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
at = text.index('id: atmega32u4')
page = re.compile(r'page: *\d+').search(text, at)
open(sys.argv[2], 'w').write(text[:page.start()] + 'page: 1' + text[page.end():])
line = text.count('\n', 0, page.start()) + 1
print(line, file=open(sys.argv[2] + '.line', 'w'))
PY
line=$(cat "$T/page1.yaml.line")
run 3 ispwiz --catalog "$T/page1.yaml" list parts
expect_in "$T/err" "$T/page1.yaml:$line:"
expect_in "$T/err" "part 'atmega32u4': a flash page of 1 bytes is not one an AVR has"

finish
