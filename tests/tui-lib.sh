# tests/tui-lib.sh - driving the wizard in tmux, for the tests/tui-*.sh
# scripts; source it first:  . "$top_srcdir/tests/tui-lib.sh"
#
# Gives everything tests/lib.sh gives, plus:
#   tui_start ARGS...     start `ispwiz ARGS...` in a detached 80x24 tmux
#                         session on a private server; its stderr goes to
#                         $T/stderr, and when it ends the pane records the
#                         exit status ($T/exit) and the terminal's mode
#                         ($T/stty), then keeps the pane open
#   wait_for TEXT [SECS]  the one way to wait on the screen: poll it until
#                         TEXT is on it, a failure (with the screen) when the
#                         deadline passes; with --gone first: until TEXT is
#                         no longer on it; with --line N first: until line N
#                         has TEXT
#   wait_step NAME [SECS] wait_for the title of the demo's step NAME
#                         ("step N of M: NAME", counted from $demo_steps)
#   on_screen TEXT        fail unless TEXT is on the screen now (and
#                         not_on_screen); on_step NAME: the step's title
#   keys KEY...           tmux send-keys (Enter, Escape, Tab, BSpace, ...)
#   type_text TEXT        type TEXT literally
#   screen                the screen now, in $T/screen
#   wait_exit [SECS]      wait for the wizard to end; its status in $exit_status
#   wizard_pid            the wizard's process id (a child of the pane's shell)
#   expect_restored       the terminal is back in its normal mode, wizard gone
#   quit_clean            q; the wizard ends with status 0, terminal restored
#   back_from_review_and_quit  Esc, Esc from Review to Target, then quit_clean
#   to_target             on the demo's Programmer step: accept the defaults up
#                         to the Target step (the chip found)
#   to_bootloader         from the start, the same up to the Bootloader step
#   to_review             accept the demo's defaults up to the review step
#   check_screen WHAT     hold the screen to the layout rules of
#                         tests/tui-screen-check.py (with $tui_log, the
#                         session log, when set); a failure names WHAT
# $tui_size (COLSxLINES, default 80x24) sets the size tui_start gives.
# Deadlines stretch under $ISPWIZ_WRAPPER (valgrind is slow).
# shellcheck shell=sh

. "$top_srcdir/tests/lib.sh"

need_tool tmux

# One tmux server socket per tui_start (ispwiz-NAME-PID-N): a server that
# was just killed may still be going away, and a new session on its socket
# can reach it and fail with "server exited unexpectedly".  The exit trap
# reads $sock when it runs, so it stops the newest server.
sessions=0
sock="ispwiz-${test_name%.sh}-$$-0"
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
	# A fresh server, and none of the earlier ones left running.
	tmuxc kill-server >/dev/null 2>&1
	sessions=$((sessions + 1))
	sock="ispwiz-${test_name%.sh}-$$-$sessions"
	tmuxc new-session -d -s w -x "${tui_size%x*}" -y "${tui_size#*x}" "exec sh '$T/run.sh'" ||
		{ fail "tmux could not start a session"; finish; }
}

tui_size=${tui_size:-80x24}

check_screen() {
	screen
	if ! python3 "$top_srcdir/tests/tui-screen-check.py" --width "${tui_size%x*}" \
		${tui_log:+--log "$tui_log"} "$T/screen" "$1 at $tui_size" >"$T/check" 2>&1; then
		fail "the screen breaks a layout rule ($1 at $tui_size):"
		sed 's/^/    /' "$T/check" >&2
		show_screen
		return 1
	fi
	return 0
}

screen() {
	tmuxc capture-pane -p -t w >"$T/screen" 2>/dev/null
}

show_screen() {
	sed 's/^/  | /' "$T/screen" >&2
	[ -s "$T/stderr" ] && sed 's/^/  stderr: /' "$T/stderr" >&2
	return 0
}

# The demo's steps in order, as the title counts them ("step N of M").
# Firmware is left out: it applies only to a programmer that needs ISP
# firmware of its own, and the demo's simulated one does not.  A step added
# to the wizard is added here, and every test's step checks follow.
demo_steps="Welcome Programmer Wiring Port Target Bootloader Review Flash Done"

# step_title NAME: the title of step NAME into $step_title; false (and a
# failure) when the demo has no such step.
step_title() {
	_st_n=0
	_st_m=0
	for _st_name in $demo_steps; do
		_st_m=$((_st_m + 1))
		[ "$_st_name" = "$1" ] && _st_n=$_st_m
	done
	if [ "$_st_n" -eq 0 ]; then
		fail "the demo has no step '$1' (steps: $demo_steps)"
		return 1
	fi
	step_title="step $_st_n of $_st_m: $1"
}

# until_deadline SECONDS CMD...: lib.sh's `within`, with SECONDS stretched
# under $ISPWIZ_WRAPPER; wait_for and wait_exit are built on it.
until_deadline() {
	_dl_secs=$(( $1 * scale ))
	shift
	within "$_dl_secs" "$@"
}

# screen_has HOW LINE TEXT: a fresh capture shows TEXT (HOW=shows), no
# longer shows it (gone), or shows it on line LINE (line).
screen_has() {
	screen
	case $1 in
	shows) grep -qF -- "$3" "$T/screen" ;;
	gone) ! grep -qF -- "$3" "$T/screen" ;;
	line) sed -n "${2}p" "$T/screen" | grep -qF -- "$3" ;;
	esac
}

# wait_for [--gone | --line N] TEXT [SECONDS]: see the top of this file.
wait_for() {
	_wf_how=shows
	_wf_line=
	case $1 in
	--gone) _wf_how=gone; shift ;;
	--line) _wf_how=line; _wf_line=$2; shift 2 ;;
	esac
	until_deadline "${2:-15}" screen_has "$_wf_how" "$_wf_line" "$1" && return 0
	case $_wf_how in
	shows) fail "'$1' did not appear on the screen" ;;
	gone) fail "'$1' stayed on the screen" ;;
	line) fail "'$1' did not appear on line $_wf_line" ;;
	esac
	show_screen
	return 1
}

# wait_step NAME [SECONDS]: wait_for the title of the demo's step NAME.
wait_step() {
	step_title "$1" || return 1
	wait_for "$step_title" "${2:-15}"
}

# Fail unless TEXT is on the screen right now.
on_screen() {
	screen
	grep -qF -- "$1" "$T/screen" || { fail "expected '$1' on the screen"; show_screen; }
}

not_on_screen() {
	screen
	if grep -qF -- "$1" "$T/screen"; then
		fail "did not expect '$1' on the screen"
		show_screen
	fi
}

# on_step NAME: fail unless the title shows the demo's step NAME now.
on_step() {
	step_title "$1" && on_screen "$step_title"
}

keys() {
	tmuxc send-keys -t w "$@"
}

type_text() {
	tmuxc send-keys -t w -l "$1"
}

wait_exit() {
	if until_deadline "${1:-15}" test -f "$T/exit"; then
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

# On the demo's Programmer step: its choice, the wiring and the port as
# they are, up to the Target step with the chip found.
to_target() {
	keys Enter
	wait_for "Wire the Simulated programmer" || finish
	keys Enter
	wait_for "Found the Simulated programmer: selected" || finish
	keys Enter
	wait_for "Found an ATmega32U4" || finish
}

# From the start of the demo to its Bootloader step, accepting every default.
to_bootloader() {
	wait_step Welcome || finish
	keys Enter
	wait_for "Which programmer will you use?" || finish
	to_target
	keys Enter
	wait_for "Bootloaders for the ATmega32U4" || finish
}

# q, and the wizard ends cleanly: status 0, the terminal restored (and, under
# valgrind, no errors).
quit_clean() {
	keys q
	wait_exit || finish
	[ "$exit_status" = 0 ] || fail "the wizard exited with $exit_status, expected 0"
	expect_restored
}

# On the demo's Review step: Esc goes back one step at a time (to the
# Bootloader step, then the Target step), and q from there ends it cleanly.
back_from_review_and_quit() {
	keys Escape
	wait_step Bootloader || finish
	keys Escape
	wait_step Target || finish
	quit_clean
}

# From the start of the demo to its review step, accepting every default.
to_review() {
	to_bootloader
	keys Enter
	wait_step Review || finish
}
