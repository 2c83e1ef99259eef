#!/bin/sh
# tests/run-all.sh - the whole test suite, as CI runs it:
#   1. make check in the normal build, warnings as errors
#   2. the same tests again under valgrind memcheck
#   3. the job runner's worker thread under helgrind
#   4. make distcheck (the release tarball builds and passes its tests)
#   5. an AddressSanitizer + UndefinedBehaviorSanitizer build and make check
# then the normal build is restored. Run it from anywhere after ./setup.sh.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc)

step() { printf '\n=== %s ===\n' "$*"; }
show_logs() {
	for log in tests/*.log; do
		grep -q '^:test-result: \(FAIL\|ERROR\)' "${log%.log}.trs" 2>/dev/null || continue
		printf '\n--- %s ---\n' "$log"; tail -60 "$log"
	done
}
no_skips() {   # in CI every tool is installed, so a skipped test is a failure
	[ "${CI:-}" = true ] || return 0
	if grep -q '^# SKIP: *[1-9]' "${1:-.}/test-suite.log" 2>/dev/null; then
		echo "tests were skipped in CI:" >&2
		grep -l '^SKIP' "${1:-.}"/tests/*.log >&2 || true
		return 1
	fi
}
configure_as() {   # reconfigure in place unless already configured that way
	want=$(for a in "$@"; do printf "'%s' " "$a"; done)
	if ! [ -f config.status ] || [ "$(./config.status --config) " != "$want" ]; then
		./configure "$@" >/dev/null
		make clean >/dev/null
	fi
}

[ -x configure ] || autoreconf -fi

step "build and test (warnings are errors)"
configure_as '--enable-werror'
make -j"$jobs"
make -j"$jobs" check || { show_logs; exit 1; }
no_skips
# Counts for the closing line, from the main pass's summary.
count() { sed -n "s/^# $1: *//p" test-suite.log; }
passed=$(count PASS); failed=$(( $(count FAIL) + $(count ERROR) ))

step "the same tests under valgrind memcheck"
make -j"$jobs" check ISPWIZ_WRAPPER="$top/tests/valgrind-wrap.sh" \
	LOG_COMPILER="$top/tests/valgrind-wrap.sh" || { show_logs; exit 1; }

step "the job runner's threads under helgrind"
make -j"$jobs" check-helgrind >helgrind.log 2>&1 || { tail -60 helgrind.log; exit 1; }
rm -f helgrind.log

step "distcheck"
make -j"$jobs" distcheck >distcheck.log 2>&1 || { tail -80 distcheck.log; exit 1; }
rm -f distcheck.log

step "AddressSanitizer + UndefinedBehaviorSanitizer"
configure_as '--enable-sanitizers' '--enable-werror'
make -j"$jobs"
ok=yes
make -j"$jobs" check || { show_logs; ok=no; }

step "restoring the normal build"
configure_as '--enable-werror'
make -j"$jobs" >/dev/null
[ "$ok" = yes ] || exit 1
step "all tests passed (and again under valgrind and the sanitizers)"
echo "$passed passed, $failed failed"
