# tests/lib.sh - shared helpers for the shell tests; source it first:
#   . "$top_srcdir/tests/lib.sh"
# Gives: a private temp dir $T (removed on exit), `ispwiz` (the built binary,
# under $ISPWIZ_WRAPPER such as valgrind when set), and small assertions
# that say what was expected and what came instead.

set -u
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

finish() {
	if [ "$failures" -ne 0 ]; then
		printf '%s: %d check(s) failed\n' "$test_name" "$failures" >&2
		exit 1
	fi
	printf '%s: all checks passed\n' "$test_name"
	exit 0
}
