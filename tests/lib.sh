# tests/lib.sh - shared helpers for the shell tests and benches; source it
# first:  . "$top_srcdir/tests/lib.sh"
# Gives: a private temp dir $T (removed on exit), `ispwiz` (the built binary,
# under $ISPWIZ_WRAPPER such as valgrind when set), small assertions that
# say what was expected and what came instead, `skip` and the need_*
# checks, the test images (gen_hex), the emulator runner (need_emu, emu)
# and checks of the chip it leaves (flash_is, flash_has); files the catalog
# knows, through a user catalog:
#   image_sha FILE        the sha256 `ispwiz identify` gives FILE's image
#   known_bootloader      $T/boot.hex, a 4 KiB image at 0x7000 that a user
#                         catalog entry names a bootloader ("Test Caterina",
#                         id t-boot, for the ATmega32U4)
#   isp_firmware_entry LENGTH SHA  a user catalog's programmer entry (for
#                         under "programmers:"): the Pro Micro's, as t-isp,
#                         with an ISP firmware of LENGTH bytes at 0 and SHA
#
# A benchmark (tests/bench-*.sh) runs by hand as well as from `make bench`:
# it sets top_srcdir (if unset) and lib_bench=yes before sourcing this, and
# gets the build directory's defaults; one that cannot run fails (exit 1)
# where a test would skip.

set -u
if [ -n "${lib_bench:-}" ]; then
	top_builddir=${top_builddir:-.}
	ISPWIZ=${ISPWIZ:-$top_builddir/ispwiz}
	ISPWIZ_DATADIR=${ISPWIZ_DATADIR:-$top_srcdir/data}
	export ISPWIZ_DATADIR
fi
: "${ISPWIZ:?run the shell tests through make check}"
: "${top_srcdir:?run the shell tests through make check}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ispwiz-test.XXXXXX")
trap 'rm -rf "$T"' EXIT INT TERM
# Never let a developer's own catalog overrides leak into a test.
XDG_CONFIG_HOME=$T/config
XDG_DATA_HOME=$T/data
export XDG_CONFIG_HOME XDG_DATA_HOME

failures=0
test_name=${0##*/}
# avrdude where it is installed (empty where not), and its configuration.
AVRDUDE=${AVRDUDE:-$(command -v avrdude || true)}
AVRDUDE_CONF=${AVRDUDE_CONF:-/etc/avrdude.conf}

ispwiz() {
	# shellcheck disable=SC2086
	${ISPWIZ_WRAPPER:-} "$ISPWIZ" "$@"
}

fail() {
	printf 'FAIL: %s\n' "$*" >&2
	failures=$((failures + 1))
}

# run EXPECTED_STATUS CMD... : run, keep stdout in $T/out and stderr in $T/err
run() {
	want=$1; shift
	if "$@" >"$T/out" 2>"$T/err"; then got=0; else got=$?; fi
	if [ "$got" != "$want" ]; then
		fail "'$*' exited $got, expected $want"
		sed 's/^/  stdout: /' "$T/out" >&2
		sed 's/^/  stderr: /' "$T/err" >&2
	fi
}

# expect_in FILE TEXT : FILE ($T/out, $T/err) contains TEXT (fixed string)
expect_in() {
	if ! grep -qF -- "$2" "$1"; then
		fail "expected '$2' in ${1##*/}"
		sed 's/^/  | /' "$1" >&2
	fi
}

expect_not_in() {
	if grep -qF -- "$2" "$1"; then
		fail "did not expect '$2' in ${1##*/}"
		sed 's/^/  | /' "$1" >&2
	fi
}

# json_check FILE PYTHON-EXPR : the JSON document in FILE, bound to `d`,
# makes the expression true.
json_check() {
	if ! python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"; then
		fail "JSON check failed: $2"
		sed 's/^/  | /' "$1" | head -40 >&2
	fi
}

# skip REASON : this test cannot run here (exit 77, automake's skip).
skip() {
	if [ -n "${lib_bench:-}" ]; then
		printf '%s: cannot run: %s\n' "$test_name" "$*" >&2
		exit 1
	fi
	printf '%s: skipped: %s\n' "$test_name" "$*"
	exit 77
}

# need_tool NAME... : skip unless every NAME is installed.
need_tool() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
	done
}

# need_emu [serial-client] : $EMU, the emulator runner (tests/ispwiz-emu),
# and the shim it preloads, both built (they need umockdev); with
# serial-client also $CLIENT, the job runner over a serial driver.
need_emu() {
	EMU=$top_builddir/tests/ispwiz-emu
	CLIENT=$top_builddir/tests/serial-client
	for built in "$ISPWIZ" "$EMU" ${1:+"$CLIENT"}; do
		[ -x "$built" ] || skip "$built was not built (ispwiz-emu needs umockdev)"
	done
	[ -f "$top_builddir/tests/serial-shim.so" ] ||
		skip "tests/serial-shim.so was not built (needs umockdev)"
}

# emu ARGS... : ispwiz-emu ARGS, ended after 300 s: a hang fails, and does
# not stall the test.
emu() {
	timeout 300 "$EMU" "$@"
}

# gen_hex FILE [OPTIONS] SEGMENT... : write an Intel HEX test image, e.g.
# `gen_hex "$T/boot.hex" 0x7000:4096:random=7`; tests/gen-hex.py says what
# SEGMENT and the options are.
gen_hex() {
	hex_out=$1
	shift
	if ! python3 "$top_srcdir/tests/gen-hex.py" "$@" >"$hex_out"; then
		printf '%s: gen-hex.py %s failed\n' "$test_name" "$*" >&2
		exit 99
	fi
}

# flash_is DUMP IMAGE : the chip ispwiz-emu dumped (--dump DUMP) holds
# exactly IMAGE in its flash, and nothing else;
# flash_has DUMP IMAGE : it holds IMAGE (and may hold more).
# tests/check-dump.py does the comparing and says what differs.
flash_is() {
	python3 "$top_srcdir/tests/check-dump.py" "$1" "$2" ||
		fail "the flash of ${1##*/} is not exactly ${2##*/}"
}

flash_has() {
	python3 "$top_srcdir/tests/check-dump.py" --holds "$1" "$2" ||
		fail "the flash of ${1##*/} does not hold ${2##*/}"
}

# within SECONDS CMD... : run CMD every 0.1 s until it succeeds (true), or
# until SECONDS have passed (false).
within() {
	tenths=$(($1 * 10))
	shift
	until "$@"; do
		[ "$tenths" -gt 0 ] || return 1
		tenths=$((tenths - 1))
		sleep 0.1
	done
}

# now : the time in seconds (fractions too); since T0 : seconds from T0 on.
now() {
	python3 -c 'import time; print(time.time())'
}

since() {
	python3 -c "import time; print('%.3f' % (time.time() - $1))"
}

finish() {
	if [ "$failures" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$test_name" "$failures" >&2
		exit 1
	fi
	printf '%s: all checks passed\n' "$test_name"
	exit 0
}

# The SHA-256 of a file, as ispwiz identify gives it.
image_sha() {
	ispwiz identify --json "$1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["image"]["sha256"])'
}

# The tests that refuse a bootloader where something else belongs (ISP
# firmware, a keyboard's firmware) need a file the catalog knows as one:
# a user entry, since the shipped bootloaders' files are not in the tree.
known_bootloader() {
	gen_hex "$T/boot.hex" 0x7000:4096:random=3
	_kb_sha=$(image_sha "$T/boot.hex")
	mkdir -p "$XDG_CONFIG_HOME/ispwiz"
	cat >"$XDG_CONFIG_HOME/ispwiz/test.yaml" <<EOF
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
      - image: { start: 0x7000, length: 4096, sha256: $_kb_sha }
EOF
}

# The shipped Pro Micro entry, renamed, so that a test's own file is a
# programmer's ISP firmware to the catalog (and so refused as a
# bootloader or a keyboard's firmware).
isp_firmware_entry() {
	python3 - "$ISPWIZ_DATADIR/catalog.yaml" "$1" "$2" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
block = re.search(r'\n(  - id: avrisp-promicro\n.*?)\n  - id:', text, re.S).group(1)
block = block.replace('id: avrisp-promicro', 'id: t-isp').replace('file: pro_micro_ISP_B6_10.hex', 'file: t-isp.hex')
block = re.sub(r'image: \{ start: 0x0000, length: \d+,\s*sha256: [0-9a-f]+ \}',
               'image: { start: 0x0000, length: %s, sha256: %s }' % (sys.argv[2], sys.argv[3]), block)
print(block)
EOF
	[ $? = 0 ] || { printf '%s: no avrisp-promicro entry to copy in %s\n' \
		"$test_name" "$ISPWIZ_DATADIR/catalog.yaml" >&2; exit 99; }
}
