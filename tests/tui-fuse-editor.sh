#!/bin/sh
# "Edit fuses" on the bootloader step: the part's fields by name from the
# catalog, Left/Right stepping through a field's values, the bytes and the
# risk class following live; Enter puts the bytes in the fields (and the
# review judges them), Esc leaves the fields as they were.  Every screen of
# it keeps the layout rules.
. "$top_srcdir/tests/tui-lib.sh"
need_tool python3

tui_log=$T/session.log
tui_start --demo --log "$tui_log"
to_review
keys Escape
wait_step Bootloader || finish
keys e
wait_for "Edit fuses: lfuse 0x5E, hfuse 0x99, efuse 0xF3  (overall: confirm)" 5 || finish
on_screen "lfuse CKDIV8    confirm  programmed"
on_screen "hfuse SPIEN              programmed"
check_screen "the fuse editor"
# CKDIV8 back to unprogrammed: lfuse 0x5E -> 0xDE, and no longer a change.
keys Right
wait_for "Edit fuses: lfuse 0xDE" 5 || finish
on_screen "lfuse CKDIV8             unprogrammed"
# SPIEN unprogrammed would end ISP access: refuse, live.
keys Down Down Down Down Down Down
wait_for "> hfuse SPIEN" 5 || finish
keys Right
wait_for "hfuse 0xB9" 5 || finish
on_screen "(overall: refuse)"
on_screen "SPIEN now: unprogrammed"
check_screen "the fuse editor, a refused value"
# Esc: the fields keep their values.
keys Escape
wait_for --gone "Edit fuses:" 5 || finish
on_screen "lfuse:  0x5E"
on_screen "hfuse:  0x99"
# Again, and Enter: the fields take the bytes, the review judges them.
keys e
wait_for "Edit fuses: lfuse 0x5E" 5 || finish
keys Right
wait_for "Edit fuses: lfuse 0xDE" 5 || finish
keys Enter
wait_for "lfuse:  0xDE" 5 || finish
on_screen "The edited fuses are in the fields"
keys Enter
wait_step Review || finish
on_screen "Fuses: custom values, not a preset of this bootloader."
not_on_screen "CKDIV8 programmed"
expect_in "$tui_log" "fuse editor: values taken"
back_from_review_and_quit
finish
