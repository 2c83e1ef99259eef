# tests/tui-lib.sh - driving the wizard in tmux, for the tests/tui-*.sh
# scripts; source it first:  . "$top_srcdir/tests/tui-lib.sh"
#
# Gives everything tests/lib.sh gives, plus:
#   tui_start ARGS...     start `ispwiz ARGS...` in a detached 80x24 tmux
#                         session on a private server; its stderr goes to
#                         $T/stderr, and when it ends the pane records the
#                         exit status ($T/exit) and the terminal's mode
#                         ($T/stty), then keeps the pane open
#   wait_for TEXT [SECS]  poll the screen until TEXT is on it (deadline)
#   wait_gone TEXT [SECS] ... until TEXT is no longer on it
#   wait_line N TEXT      ... until line N of the screen has TEXT
#   keys KEY...           tmux send-keys (Enter, Escape, Tab, BSpace, ...)
#   type_text TEXT        type TEXT literally
#   screen                the screen now, in $T/screen
#   wait_exit [SECS]      wait for the wizard to end; its status in $exit_status
#   wizard_pid            the wizard's process id (a child of the pane's shell)
#   expect_restored       the terminal is back in its normal mode, wizard gone
#   to_review             accept the demo's defaults up to the review step
# Deadlines stretch under $ISPWIZ_WRAPPER (valgrind is slow).
# shellcheck shell=sh

. "$top_srcdir/tests/lib.sh"

need_tool tmux

sock="ispwiz-${test_name%.sh}-$$"
trap 'tmux -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$T"' EXIT INT TERM
scale=1
[ -n "${ISPWIZ_WRAPPER:-}" ] && scale=8
# The demo keeps its chip in $TMPDIR: keep it in $T, where the test can see
# that it is cleaned up.
mkdir -p "$T/tmp"
TMPDIR=$T/tmp
export TMPDIR

tmuxc() {
	tmux -L "$sock" -f /dev/null "$@"
}

tui_start() {
	# The pane runs this script: the wizard, then a record of how it left
	# the terminal.
	{
		printf '#!/bin/sh\n'
		# Ctrl-C reaches the whole foreground group: this shell must
		# outlive it to record how the wizard ended.
		printf 'trap : INT\n'
		printf '%s "%s"' "${ISPWIZ_WRAPPER:-}" "$ISPWIZ"
		for a in "$@"; do printf " '%s'" "$a"; done
		printf ' 2>"%s/stderr"\n' "$T"
		printf 'rc=$?\nstty -a >"%s/stty" 2>&1\n' "$T"
		printf 'echo "wizard exited with status $rc"\n'
		printf 'echo $rc >"%s/exit.tmp" && mv "%s/exit.tmp" "%s/exit"\n' "$T" "$T" "$T"
		printf 'exec sleep 3600\n'
	} >"$T/run.sh"
	rm -f "$T/exit" "$T/stty"
	tmuxc new-session -d -s w -x 80 -y 24 "exec sh '$T/run.sh'" ||
		{ fail "tmux could not start a session"; finish; }
}

screen() {
	tmuxc capture-pane -p -t w >"$T/screen" 2>/dev/null
}

show_screen() {
	sed 's/^/  | /' "$T/screen" >&2
	[ -s "$T/stderr" ] && sed 's/^/  stderr: /' "$T/stderr" >&2
	return 0
}

# screen_has TEXT, screen_lacks TEXT, line_has N TEXT: the screen now.
screen_has() {
	screen
	grep -qF -- "$1" "$T/screen"
}

screen_lacks() {
	! screen_has "$1"
}

line_has() {
	screen
	sed -n "${1}p" "$T/screen" | grep -qF -- "$2"
}

# settle SECONDS MESSAGE CHECK... : true once CHECK holds; a failure
# (MESSAGE, with the screen) when the deadline passes.
settle() {
	secs=$1 msg=$2
	shift 2
	within $((secs * scale)) "$@" && return 0
	fail "$msg"
	show_screen
	return 1
}

# wait_for TEXT [SECONDS]: true once TEXT is on the screen; a failure (with
# the screen) when the deadline passes.
wait_for() {
	settle "${2:-15}" "'$1' did not appear on the screen" screen_has "$1"
}

wait_gone() {
	settle "${2:-15}" "'$1' stayed on the screen" screen_lacks "$1"
}

# wait_line N TEXT [SECONDS]: ... until line N of the screen has TEXT.
wait_line() {
	settle "${3:-15}" "'$2' did not appear on line $1" line_has "$1" "$2"
}

# Fail unless TEXT is on the screen right now.
on_screen() {
	screen_has "$1" || { fail "expected '$1' on the screen"; show_screen; }
}

not_on_screen() {
	if screen_has "$1"; then
		fail "did not expect '$1' on the screen"
		show_screen
	fi
}

keys() {
	tmuxc send-keys -t w "$@"
}

type_text() {
	tmuxc send-keys -t w -l "$1"
}

wait_exit() {
	if within $(( ${1:-15} * scale )) test -f "$T/exit"; then
		exit_status=$(cat "$T/exit")
		return 0
	fi
	fail "the wizard did not end"
	screen
	show_screen
	exit_status=none
	return 1
}

wizard_pid() {
	shell=$(tmuxc display-message -p -t w '#{pane_pid}')
	ps -o pid= --ppid "$shell" | head -n 1 | tr -d ' '
}

# After the wizard ended: the terminal is in its normal (cooked, echoing)
# mode again, and the screen is the shell's, not the wizard's.
expect_restored() {
	if ! grep -q -- ' icanon' "$T/stty" || ! grep -q -- ' echo ' "$T/stty"; then
		fail "the terminal was not restored (stty -a: $(tr '\n' ' ' <"$T/stty"))"
	fi
	# The pane's shell printed this before it wrote the exit file, but tmux
	# may not have drawn it yet on a loaded machine: wait, do not peek.
	wait_for "wizard exited with status" 5 || return 0
	grep -qF "ispwiz - step" "$T/screen" &&
		{ fail "the wizard's screen is still shown"; show_screen; }
	# Valgrind (when it wraps the wizard) says 99 and writes to stderr.
	[ "$exit_status" = 99 ] && { fail "valgrind found errors"; sed 's/^/  /' "$T/stderr" >&2; }
	return 0
}

# From the start of the demo to its review step, accepting every default.
to_review() {
	wait_for "step 1 of 9: Welcome" || finish
	keys Enter
	wait_for "Which programmer will you use?" || finish
	keys Enter
	wait_for "Wire the Simulated programmer" || finish
	keys Enter
	wait_for "Found the Simulated programmer: selected" || finish
	keys Enter
	wait_for "Found an ATmega32U4" || finish
	keys Enter
	wait_for "Bootloaders for the ATmega32U4" || finish
	keys Enter
	wait_for "step 7 of 9: Review" || finish
}
