#!/bin/sh
# SIGTERM and SIGINT end the wizard cleanly: the terminal is restored, a
# running job is stopped at a safe point first, and the exit status says
# which signal it was.
. "$top_srcdir/tests/tui-lib.sh"

# Idle, on a step: SIGTERM.
tui_start --demo
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
pid=$(wizard_pid)
[ -n "$pid" ] || { fail "no wizard process found"; finish; }
kill -TERM "$pid"
wait_exit || finish
[ "$exit_status" = 143 ] || fail "SIGTERM: exit status $exit_status, expected 143"
expect_restored
tmuxc kill-server

# During a job: SIGTERM stops the job at a safe point, then the wizard.
tui_start --demo-slow --log "$T/session.log"
to_review
type_text "ATmega32U4"
keys Enter
wait_for "Backup read  [#" 20 || finish
kill -TERM "$(wizard_pid)"
wait_exit 30 || finish
[ "$exit_status" = 143 ] || fail "SIGTERM mid-job: exit status $exit_status, expected 143"
expect_restored
expect_in "$T/session.log" "job: done (CANCELLED)"
tmuxc kill-server

# Ctrl-C (SIGINT through the terminal).
tui_start --demo
wait_step Welcome || finish
keys C-c
wait_exit || finish
[ "$exit_status" = 130 ] || fail "Ctrl-C: exit status $exit_status, expected 130"
expect_restored
finish
