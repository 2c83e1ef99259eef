#!/bin/sh
# The port step against a umockdev testbed (tests/tui-port.umockdev): the
# root hub and a device that is nothing in the catalog are hidden until a
# shows them; two identical USBasps are told apart by serial number and by
# USB port path; a USBtinyISP whose node cannot be opened says why in its
# row and under the list, and is not selected although it is the only one
# of its kind.
. "$top_srcdir/tests/tui-lib.sh"
need_tool umockdev-run python3

ISPWIZ_WRAPPER="umockdev-run -d $top_srcdir/tests/tui-port.umockdev -- ${ISPWIZ_WRAPPER:-}"
# umockdev's preload library comes before ASan's in a sanitizer build.
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS
tui_log=$T/session.log
tui_start --log "$tui_log"
wait_step Welcome || finish
keys Enter
wait_for "Which programmer will you use?" || finish
keys Home
wait_for "> Pro Micro as ISP" 5 || finish
# USBtinyISP is the fourth.
keys Down Down Down
wait_for "> USBtinyISP" 5 || finish
keys Enter
wait_for "Wire the USBtinyISP" || finish
keys Enter
wait_for "Plug in the programmer." || finish
wait_for "2 other devices (hubs, nothing ispwiz knows) hidden: a shows them." 5 || finish
on_screen "USBasp    16C0:05DC  serial ASP-0001"
on_screen "USBasp    16C0:05DC  USB port 1-4"
on_screen "! USBtiny   1781:0C9F  1-6  no permission to open it"
not_on_screen "xHCI Host Controller"
not_on_screen "Mystery gadget"
not_on_screen ": selected"
check_screen "the port list"
# The inaccessible one, highlighted: why, under the list; Enter refuses it.
keys Down Down
wait_for "> ! USBtiny" 5 || finish
# The doctor's sentence for the device (doctor_hint_for_device).
wait_for "No permission to open /dev/bus/usb/001/007" 5 || finish
keys Enter
sleep 0.3
on_step Port
# a: every device, the hub and the unknown one too; a again hides them.
keys a
wait_for "xHCI Host Controller" 5 || finish
on_screen "Mystery gadget"
on_screen "Every device is listed: a hides hubs and unknown ones again."
keys a
wait_for --gone "Mystery gadget" 5 || finish
keys q
wait_exit || finish
expect_restored
finish
