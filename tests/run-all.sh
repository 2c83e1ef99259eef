#!/bin/sh
# tests/run-all.sh - the whole test suite, as CI runs it:
#   1. make check in the normal build, warnings as errors
#   2. the same tests again under valgrind memcheck
#   3. the job runner's worker thread under helgrind
#   4. make distcheck (the release tarball builds and passes its tests)
#   5. an AddressSanitizer + UndefinedBehaviorSanitizer build and make check
# then the normal build is restored.  Every pass runs even when an earlier
# one failed, so one run shows everything that is wrong; the closing lines
# count the tests of every pass, and the exit status is 1 when any failed.
# Run it from anywhere after ./setup.sh.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
jobs=$(nproc)
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT

step() { printf '\n=== %s ===\n' "$*"; }
show_logs() {
	for log in tests/*.log; do
		grep -q '^:test-result: \(FAIL\|ERROR\)' "${log%.log}.trs" 2>/dev/null || continue
		printf '\n--- %s ---\n' "$log"; tail -60 "$log"
	done
}
skipped() {   # in CI every tool is installed, so a skipped test is a failure
	[ "${CI:-}" = true ] || { echo 0; return; }
	sed -n 's/^# SKIP: *//p' test-suite.log 2>/dev/null || echo 0
}
count() { sed -n "s/^# $1: *//p" test-suite.log 2>/dev/null || true; }
# record PASS-NAME STATUS: the pass's counts from test-suite.log (or one
# failure for a pass that has no tests of its own, or did not get that far).
record() {
	name=$1 status=$2
	pass=$(count PASS) fail=$(count FAIL) error=$(count ERROR) skip=$(skipped)
	if [ -z "$pass" ] || [ "$3" = whole ]; then
		pass=0; fail=0; error=0; skip=0
		if [ "$status" = 0 ]; then pass=1; else fail=1; fi
	fi
	bad=$((fail + error + skip))
	[ "$status" = 0 ] || [ "$bad" -gt 0 ] || bad=1
	printf '%s %s %s\n' "$name" "$pass" "$bad" >>"$summary"
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
rm -f test-suite.log
st=0; { make -j"$jobs" && make -j"$jobs" check; } || { st=$?; show_logs; }
record "make-check" "$st" tests

step "the same tests under valgrind memcheck"
rm -f test-suite.log
st=0; make -j"$jobs" check ISPWIZ_WRAPPER="$top/tests/valgrind-wrap.sh" \
	LOG_COMPILER="$top/tests/valgrind-wrap.sh" || { st=$?; show_logs; }
record "valgrind" "$st" tests

step "the job runner's threads under helgrind"
st=0; make -j"$jobs" check-helgrind >helgrind.log 2>&1 || { st=$?; tail -60 helgrind.log; }
rm -f helgrind.log
record "helgrind" "$st" whole

step "distcheck"
st=0; make -j"$jobs" distcheck >distcheck.log 2>&1 || {
	st=$?
	tail -80 distcheck.log
	# A failed distcheck leaves its build behind: show the failed tests' logs.
	for log in $(grep -l '^:test-result: \(FAIL\|ERROR\)' ispwiz-*/_build/sub/tests/*.trs 2>/dev/null); do
		printf '\n--- distcheck: %s ---\n' "${log%.trs}.log"; tail -60 "${log%.trs}.log"
	done
}
rm -f distcheck.log
# make distcheck removes its tree only when it passed; never leave it.
chmod -R u+w ispwiz-*/ 2>/dev/null || true
rm -rf ispwiz-*/
record "distcheck" "$st" whole

step "AddressSanitizer + UndefinedBehaviorSanitizer"
configure_as '--enable-sanitizers' '--enable-werror'
rm -f test-suite.log
st=0; { make -j"$jobs" && make -j"$jobs" check; } || { st=$?; show_logs; }
record "sanitizers" "$st" tests

step "restoring the normal build"
configure_as '--enable-werror'
make -j"$jobs" >/dev/null

passed=0 failed=0
while read -r name p f; do
	printf '  %-11s %4s passed, %s failed\n' "$name" "$p" "$f"
	passed=$((passed + p)); failed=$((failed + f))
done <"$summary"
if [ "$failed" -ne 0 ]; then
	step "FAILED"
	echo "$passed passed, $failed failed"
	exit 1
fi
step "all tests passed (and again under valgrind and the sanitizers)"
echo "$passed passed, $failed failed"
