#!/bin/sh
# `ispwiz doctor` on fake systems: a root directory per case (--root, or
# $ISPWIZ_DOCTOR_ROOT) with the udev rules missing, current, outdated or
# masked, ModemManager running or not (/proc/PID/comm), brltty's binary and
# rules, os-release, passwd and group; and umockdev testbeds with
# programmers this user can and cannot open.  ispwiz runs as an unprivileged
# user (setpriv, when the tests run as root), since root may open anything.
. "$top_srcdir/tests/lib.sh"

if ! command -v umockdev-run >/dev/null 2>&1; then
	echo "skipped: umockdev-run is not installed (apt-get install umockdev)"
	exit 77
fi
# umockdev-run preloads its library; a sanitizer build wants to be first.
ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export ASAN_OPTIONS

ref=$ISPWIZ_DATADIR/60-ispwiz.rules
if [ "$(id -u)" = 0 ]; then
	if ! command -v setpriv >/dev/null 2>&1; then
		echo "skipped: running as root needs setpriv to test as a user (apt-get install util-linux)"
		exit 77
	fi
	uid=65534 gid=65534
	as_root=yes
else
	uid=$(id -u) gid=$(id -g)
	as_root=no
fi
# The fake roots and the build are read by that user.
chmod 755 "$T"

# --- the fake system -------------------------------------------------------------------

# newroot NAME: an empty Debian: os-release, passwd with our user (tester),
# group with dialout (tester not in it) and plugdev; $R is the root.
newroot() {
	R=$T/$1
	mkdir -p "$R/etc/udev/rules.d" "$R/run/udev/rules.d" "$R/usr/lib/udev/rules.d" \
		"$R/proc/1" "$R/usr/bin"
	echo systemd >"$R/proc/1/comm"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' \
		>"$R/etc/os-release"
	printf 'root:x:0:0:root:/root:/bin/sh\ntester:x:%s:%s:Tester:/home/tester:/bin/sh\n' \
		"$uid" "$gid" >"$R/etc/passwd"
	printf 'root:x:0:\ndialout:x:4242:\nplugdev:x:4246:\nserial:x:4243:tester\n' >"$R/etc/group"
}
install_rules() {   # install_rules DIR [FILE]: a copy of this build's rules (or FILE)
	cp "${2:-$ref}" "$R$1/60-ispwiz.rules"
}
modemmanager() {    # a ModemManager process, pid 4242
	mkdir -p "$R/proc/4242"
	echo ModemManager >"$R/proc/4242/comm"
}

# --- running it ------------------------------------------------------------------------

printf '' >"$T/none.umockdev"
devices=$T/none.umockdev   # the testbed of the next doctor run
setup=                     # shell commands run in the testbed first ($UMOCKDEV_DIR)
groups=                    # the session's supplementary groups (as root only)

# doctor ARGS...: ispwiz doctor --root $R ARGS in the testbed, as the user.
doctor() {
	if [ "$as_root" = yes ]; then
		if [ -n "$groups" ]; then
			user="setpriv --reuid=$uid --regid=$gid --groups=$groups --"
		else
			user="setpriv --reuid=$uid --regid=$gid --clear-groups --"
		fi
	else
		user=
	fi
	# shellcheck disable=SC2086,SC2016
	umockdev-run -d "$devices" -- sh -c 'chmod 755 "$UMOCKDEV_DIR"; eval "$1"; shift; exec "$@"' \
		sh "$setup" $user ${ISPWIZ_WRAPPER:-} "$ISPWIZ" doctor --root "$R" "$@"
}

# chk ID EXPR: the first check with that id or title makes the Python
# expression EXPR (on `c`) true; the JSON report is in $T/out.
chk() {
	json_check "$T/out" "(lambda c: $2)(next(c for c in d['checks'] if c['id'] == '$1' or c['title'] == '$1'))"
}

# --- the udev rules ----------------------------------------------------------------

# Missing: a problem (exit 1), with the command that installs this build's copy.
newroot missing
run 1 doctor --json
json_check "$T/out" 'd["ok"] is False and d["problems"] >= 1 and d["root"] == "'"$R"'"'
json_check "$T/out" 'all(set(c) == {"id", "title", "verdict", "found", "fix", "device", "hint"} for c in d["checks"])'
json_check "$T/out" 'all(c["verdict"] in ("ok", "info", "warning", "problem") for c in d["checks"])'
chk udev-rules "c['verdict'] == 'problem' and '/etc/udev/rules.d' in c['found']"
chk udev-rules "c['fix'] == 'sudo install -m 644 $ref /etc/udev/rules.d/60-ispwiz.rules && sudo udevadm control --reload-rules && sudo udevadm trigger'"
chk udev-rules-current "c['verdict'] == 'info'"
chk udev-rules-loaded "c['verdict'] == 'info'"
chk access "c['verdict'] == 'info' and 'No programmer or bootloader is plugged in' in c['found']"
chk catalog "c['verdict'] == 'ok'"
chk libraries "c['verdict'] == 'info' and 'libusb 1.' in c['found'] and 'libserialport' in c['found'] and 'libudev' in c['found']"
run 1 doctor
expect_in "$T/out" "PROBLEM  udev rules installed"
expect_in "$T/out" "fix: sudo install -m 644 $ref /etc/udev/rules.d/60-ispwiz.rules && sudo udevadm control --reload-rules"
expect_in "$T/out" "problem"
# The root from the environment works the same.
R_SAVED=$R
run 1 env ISPWIZ_DOCTOR_ROOT="$R" "$ISPWIZ" doctor --json
json_check "$T/out" 'd["root"] == "'"$R_SAVED"'"'

# Current, in /usr/lib: nothing wrong (exit 0).
newroot current
install_rules /usr/lib/udev/rules.d
run 0 doctor --json
json_check "$T/out" 'd["ok"] is True and d["problems"] == 0'
chk udev-rules "c['verdict'] == 'ok' and c['found'].startswith('/usr/lib/udev/rules.d/60-ispwiz.rules')"
chk udev-rules-current "c['verdict'] == 'ok' and '$ref' in c['found']"
run 0 doctor
expect_in "$T/out" "ok       udev rules installed"

# Outdated in /etc (a USB ID missing), over a current copy in /usr/lib:
# removing the stale override is the fix.
newroot outdated
install_rules /usr/lib/udev/rules.d
grep -v '"1781", ATTRS{idProduct}=="0c9f"' "$ref" >"$R/etc/udev/rules.d/60-ispwiz.rules"
run 0 doctor --json
chk udev-rules "c['verdict'] == 'ok' and c['found'].startswith('/etc/udev/rules.d/60-ispwiz.rules') and 'replaced by it' in c['found']"
chk udev-rules-current "c['verdict'] == 'warning' and '1781:0C9F' in c['found']"
chk udev-rules-current "c['fix'] == 'sudo rm /etc/udev/rules.d/60-ispwiz.rules && sudo udevadm control --reload-rules && sudo udevadm trigger'"
# ... and alone: installing this build's copy is.
rm "$R/usr/lib/udev/rules.d/60-ispwiz.rules"
run 0 doctor --json
chk udev-rules-current "c['verdict'] == 'warning' and c['fix'].startswith('sudo install -m 644 $ref ')"

# Masked (a link to /dev/null in /etc): a problem.
newroot masked
install_rules /usr/lib/udev/rules.d
ln -s /dev/null "$R/etc/udev/rules.d/60-ispwiz.rules"
run 1 doctor --json
chk udev-rules "c['verdict'] == 'problem' and 'masked' in c['found']"
chk udev-rules "c['fix'].startswith('sudo rm /etc/udev/rules.d/60-ispwiz.rules')"

# --- ModemManager ------------------------------------------------------------------

newroot mm-off
install_rules /usr/lib/udev/rules.d
run 0 doctor --json
chk modemmanager "c['verdict'] == 'ok' and c['found'] == 'ModemManager is not running.'"

newroot mm-no-rules
modemmanager
run 1 doctor --json
chk modemmanager "c['verdict'] == 'warning' and 'pid 4242' in c['found'] and 'no ispwiz rules' in c['found']"
chk modemmanager "c['fix'].startswith('sudo install -m 644 ')"

# Rules that keep it off every port this build's rules name (the verdict is
# a warning only for IDs the catalog knows but no rules name yet).
newroot mm-rules
install_rules /usr/lib/udev/rules.d
modemmanager
run 0 doctor --json
chk modemmanager "c['verdict'] in ('ok', 'warning') and 'installed rules keep it off' in c['found']"
chk modemmanager "c['verdict'] == 'ok' or c['fix'] == 'sudo systemctl stop ModemManager'"

# Rules that leave the ISP firmware's port (16C0:0483) to it.
newroot mm-weak
sed '/"16c0", ATTRS{idProduct}=="0483"/s/, ENV{ID_MM_DEVICE_IGNORE}="1"//' "$ref" \
	>"$R/usr/lib/udev/rules.d/60-ispwiz.rules"
modemmanager
run 0 doctor --json
chk modemmanager "c['verdict'] == 'warning' and '16C0:0483' in c['found']"
chk modemmanager "c['fix'].startswith('sudo install -m 644 ')"

# --- brltty ------------------------------------------------------------------------

newroot brltty
install_rules /usr/lib/udev/rules.d
: >"$R/usr/bin/brltty"
cat >"$R/usr/lib/udev/rules.d/85-brltty.rules" <<'EOF'
# Device: 1A86:7523
# Baum [NLS eReader Zoomax (20 cells)]
ENV{PRODUCT}=="1a86/7523/*", ENV{BRLTTY_BRAILLE_DRIVER}="bm", GOTO="brltty_usb_run"
# Device: 0403:6001
ENV{PRODUCT}=="403/6001/*", ENV{BRLTTY_BRAILLE_DRIVER}="at,bm,ht", GOTO="brltty_usb_run"
LABEL="brltty_usb_run"
EOF
run 0 doctor --json
chk brltty "c['verdict'] == 'warning' and '/usr/bin/brltty' in c['found'] and '/usr/lib/udev/rules.d/85-brltty.rules' in c['found']"
chk brltty "'CH340 (1A86:7523) and FTDI (0403:6001)' in c['found']"
chk brltty "c['fix'] == 'sudo apt-get remove brltty'"
# Another distribution, another package manager.
sed -i 's/^ID=debian/ID=arch/' "$R/etc/os-release"
run 0 doctor --json
chk brltty "c['fix'] == 'sudo pacman -R brltty'"
# Masked in /etc: harmless.
ln -s /dev/null "$R/etc/udev/rules.d/85-brltty.rules"
run 0 doctor --json
chk brltty "c['verdict'] == 'ok' and 'masked' in c['found']"
# Rules that no longer claim the adapters (the lines commented out).
newroot brltty-fixed
install_rules /usr/lib/udev/rules.d
: >"$R/usr/bin/brltty"
printf '#ENV{PRODUCT}=="1a86/7523/*", GOTO="brltty_usb_run"\n' >"$R/usr/lib/udev/rules.d/85-brltty.rules"
run 0 doctor --json
chk brltty "c['verdict'] == 'ok' and 'do not claim' in c['found'] or 'no udev rules' in c['found']"
newroot no-brltty
run 1 doctor --json
chk brltty "c['verdict'] == 'ok' and c['found'] == 'brltty is not installed.'"

# --- the user's groups ---------------------------------------------------------------

newroot groups
install_rules /usr/lib/udev/rules.d
run 0 doctor --json
chk groups "c['verdict'] == 'warning' and 'tester is not in dialout' in c['found']"
chk groups "c['fix'] == 'sudo usermod -aG dialout tester'"
# Added, but this session started before.
sed -i 's/^dialout:x:4242:$/dialout:x:4242:tester/' "$R/etc/group"
run 0 doctor --json
chk groups "c['verdict'] == 'warning' and 'was added to dialout' in c['found'] and c['fix'] == 'newgrp dialout'"
# In the session too.
if [ "$as_root" = yes ]; then
	groups=4242
else
	# A group this session has: our own primary group.
	sed -i "s/^dialout:x:4242:tester\$/dialout:x:$gid:/" "$R/etc/group"
fi
run 0 doctor --json
chk groups "c['verdict'] == 'ok' and c['found'].startswith('tester is in dialout')"
groups=
# Arch calls it uucp.
newroot arch
install_rules /usr/lib/udev/rules.d
sed -i 's/^ID=debian/ID=arch/' "$R/etc/os-release"
printf 'uucp:x:4244:\n' >>"$R/etc/group"
run 0 doctor --json
chk groups "c['verdict'] == 'warning' and 'not in uucp' in c['found'] and c['fix'] == 'sudo usermod -aG uucp tester'"
# No such group at all, and no rules: nothing to add the user to.
newroot nogroup
printf 'root:x:0:\n' >"$R/etc/group"
run 1 doctor --json
chk groups "c['verdict'] == 'info'"

# --- devices: one this user can open, one it cannot -------------------------------------

# usb_device BUS DEVNUM VID PID [PROPERTY...]: a umockdev USB device.
usb_device() {
	bus=$1 devnum=$2 vid=$3 pid=$4
	shift 4
	printf 'P: /devices/pci0000:00/0000:00:14.0/usb1/%s\nN: bus/usb/001/%03d\n' "$bus" "$devnum"
	printf 'E: DEVNAME=/dev/bus/usb/001/%03d\nE: DEVTYPE=usb_device\nE: SUBSYSTEM=usb\n' "$devnum"
	for p in "$@"; do printf 'E: %s\n' "$p"; done
	printf 'A: idVendor=%s\nA: idProduct=%s\nA: bDeviceClass=ff\nA: busnum=1\n' "$vid" "$pid"
	printf 'A: devnum=%d\nA: dev=189:%d\n\n' "$devnum" "$((devnum - 1))"
}
# serial_device BUS DEVNUM VID PID TTY MINOR [PROPERTY...]: one with a CDC ACM port.
serial_device() {
	bus=$1 devnum=$2 vid=$3 pid=$4 tty=$5 minor=$6
	shift 6
	usb_device "$bus" "$devnum" "$vid" "$pid" "$@"
	printf 'P: /devices/pci0000:00/0000:00:14.0/usb1/%s/%s:1.0\n' "$bus" "$bus"
	printf 'E: DEVTYPE=usb_interface\nE: SUBSYSTEM=usb\nE: DRIVER=cdc_acm\nA: bInterfaceClass=02\n\n'
	printf 'P: /devices/pci0000:00/0000:00:14.0/usb1/%s/%s:1.0/tty/%s\nN: %s\n' "$bus" "$bus" "$tty" "$tty"
	printf 'E: DEVNAME=/dev/%s\nE: SUBSYSTEM=tty\nE: ID_USB_DRIVER=cdc_acm\n' "$tty"
	for p in "$@"; do printf 'E: %s\n' "$p"; done
	printf 'A: dev=166:%d\n\n' "$minor"
}

# The USBtinyISP: tagged by the rules, open to us.  The USBasp: plugged in
# before the rules were loaded (no uaccess tag), closed to us.
{
	usb_device 1-2 3 1781 0c9f TAGS=:uaccess: CURRENT_TAGS=:uaccess:
	usb_device 1-3 4 16c0 05dc
} >"$T/two.umockdev"
devices=$T/two.umockdev
# shellcheck disable=SC2016
setup='chmod 666 "$UMOCKDEV_DIR/dev/bus/usb/001/003"; chmod 000 "$UMOCKDEV_DIR/dev/bus/usb/001/004"'
newroot devices
install_rules /usr/lib/udev/rules.d
run 1 doctor --json
chk 'access to usbtiny at USB 1-2' "c['verdict'] == 'ok' and c['device'] == '1-2' and 'ispwiz can open /dev/bus/usb/001/003 (mode 0666' in c['found'] and c['hint'] is None"
chk 'access to usbasp at USB 1-3' "c['verdict'] == 'problem' and 'This user may not open /dev/bus/usb/001/004 (mode 0000' in c['found'] and 'no uaccess tag' in c['found']"
chk 'access to usbasp at USB 1-3' "c['fix'] == 'sudo udevadm control --reload-rules && sudo udevadm trigger'"
chk 'access to usbasp at USB 1-3' "c['hint'].startswith('No permission to open /dev/bus/usb/001/004: udev has not applied') and c['hint'].endswith('sudo udevadm trigger, then replug it.')"
chk udev-rules-loaded "c['verdict'] == 'problem' and 'usbasp at USB 1-3 (no uaccess tag)' in c['found'] and 'Applied to: usbtiny at USB 1-2 (uaccess)' in c['found']"
run 1 doctor
expect_in "$T/out" "PROBLEM  access to usbasp at USB 1-3"
expect_in "$T/out" "ok       access to usbtiny at USB 1-2"

# Without the rules: the USBasp's fix is installing them.
newroot devices-no-rules
run 1 doctor --json
chk 'access to usbasp at USB 1-3' "c['verdict'] == 'problem' and 'not installed' in c['found'] and c['fix'].startswith('sudo install -m 644 $ref ')"
chk 'access to usbasp at USB 1-3' "'No permission to open /dev/bus/usb/001/004: ispwiz' in c['hint']"

# Tagged but still closed (the rules worked; this is not the seat's session).
{
	usb_device 1-3 4 16c0 05dc TAGS=:uaccess:
} >"$T/tagged.umockdev"
devices=$T/tagged.umockdev
# shellcheck disable=SC2016
setup='chmod 000 "$UMOCKDEV_DIR/dev/bus/usb/001/004"'
newroot tagged
install_rules /usr/lib/udev/rules.d
run 1 doctor --json
chk 'access to usbasp at USB 1-3' "c['verdict'] == 'problem' and 'uaccess' in c['found'] and 'loginctl' in c['fix']"
chk udev-rules-loaded "c['verdict'] == 'ok' and 'usbasp at USB 1-3 (uaccess)' in c['found']"

# The Pro Micro ISP's port with ModemManager running: marked, it is left
# alone; unmarked, a warning with the reload.
{
	serial_device 1-1 2 16c0 0483 ttyACM0 0 TAGS=:uaccess: ID_MM_DEVICE_IGNORE=1
} >"$T/acm-marked.umockdev"
{
	serial_device 1-1 2 16c0 0483 ttyACM0 0 TAGS=:uaccess:
} >"$T/acm-unmarked.umockdev"
# shellcheck disable=SC2016
setup='chmod 666 "$UMOCKDEV_DIR/dev/ttyACM0"'
newroot acm
install_rules /usr/lib/udev/rules.d
modemmanager
devices=$T/acm-marked.umockdev
run 0 doctor --json
chk 'access to avrisp-promicro at /dev/ttyACM0' "c['verdict'] == 'ok' and c['device'] == '/dev/ttyACM0'"
devices=$T/acm-unmarked.umockdev
run 1 doctor --json
chk 'access to avrisp-promicro at /dev/ttyACM0' "c['verdict'] == 'warning' and 'ModemManager' in c['found'] and c['fix'] == 'sudo udevadm control --reload-rules && sudo udevadm trigger'"
chk 'access to avrisp-promicro at /dev/ttyACM0' "c['hint'].startswith('ModemManager may probe /dev/ttyACM0')"
chk modemmanager "c['verdict'] == 'warning' and '/dev/ttyACM0' in c['found']"
chk udev-rules-loaded "c['verdict'] == 'problem' and 'no ID_MM_DEVICE_IGNORE' in c['found']"
# Its port's group decides which group the user needs.
if [ "$as_root" = yes ]; then
	# shellcheck disable=SC2016
	setup='chmod 660 "$UMOCKDEV_DIR/dev/ttyACM0"; chgrp 4243 "$UMOCKDEV_DIR/dev/ttyACM0"'
	devices=$T/acm-marked.umockdev
	rm -r "$R/proc/4242"
	# tester is in serial's member list, but this session is not.
	run 1 doctor --json
	chk groups "c['verdict'] == 'warning' and 'tester was added to serial (the group of /dev/ttyACM0)' in c['found']"
	chk 'access to avrisp-promicro at /dev/ttyACM0' "c['verdict'] == 'problem' and c['fix'] == 'newgrp serial'"
	sed -i 's/^serial:x:4243:tester$/serial:x:4243:/' "$R/etc/group"
	run 1 doctor --json
	chk groups "c['verdict'] == 'warning' and 'tester is not in serial' in c['found']"
	chk 'access to avrisp-promicro at /dev/ttyACM0' "c['fix'] == 'sudo usermod -aG serial tester'"
	groups=4243
	run 0 doctor --json
	chk 'access to avrisp-promicro at /dev/ttyACM0' "c['verdict'] == 'ok' and 'group serial' in c['found']"
	chk groups "c['verdict'] == 'ok' and c['found'].startswith('tester is in serial (the group of /dev/ttyACM0)')"
	groups=
fi

# brltty took the adapters' ports: a CH340 and the Bus Pirate's FTDI, both
# without a serial port.
{
	usb_device 1-4 5 1a86 7523
	usb_device 1-5 6 0403 6001
} >"$T/brltty.umockdev"
devices=$T/brltty.umockdev
setup=
newroot brltty-took
install_rules /usr/lib/udev/rules.d
: >"$R/usr/bin/brltty"
printf 'ENV{PRODUCT}=="1a86/7523/*", GOTO="brltty_usb_run"\nENV{PRODUCT}=="403/6001/*", GOTO="brltty_usb_run"\n' \
	>"$R/usr/lib/udev/rules.d/85-brltty.rules"
run 1 doctor --json
chk brltty "c['verdict'] == 'problem' and 'It already took USB 1-4, USB 1-5' in c['found']"
chk 'access to buspirate at USB 1-5' "c['verdict'] == 'problem' and '0403:6001 adapter as a braille display' in c['found'] and c['fix'] == 'sudo apt-get remove brltty'"
chk 'access to buspirate at USB 1-5' "c['hint'].startswith('brltty (the braille display service) took')"

# --- the catalog, and usage --------------------------------------------------------

devices=$T/none.umockdev
newroot catalog
install_rules /usr/lib/udev/rules.d
run 1 doctor --json --catalog "$T/nope.yaml"
chk catalog "c['verdict'] == 'problem' and '$T/nope.yaml' in c['found']"
chk udev-rules-loaded "c['verdict'] == 'info' and 'without a catalog' in c['found']"

run 2 ispwiz doctor extra
expect_in "$T/err" "doctor takes no arguments"
run 2 ispwiz doctor --frobnicate
expect_in "$T/err" "usage: ispwiz doctor"
run 0 ispwiz doctor --help
expect_in "$T/out" "usage: ispwiz doctor [--json]"

finish
