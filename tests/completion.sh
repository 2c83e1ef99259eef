#!/bin/sh
# Shell completion (data/completion/): the bash function driven the way
# bash drives it (COMP_WORDS, COMP_CWORD, COMP_LINE, COMP_POINT) for
# commands, options, catalog ids, ports and files of the right kind; the
# hidden `ispwiz complete` it asks, checked against the commands' own option
# tables in src/cli both ways so that neither drifts; and a zsh smoke test
# with compadd and _files stubbed out.
if [ -z "${BASH_VERSION:-}" ]; then
	if ! command -v bash >/dev/null 2>&1; then
		echo "skipped: bash is not installed"
		exit 77
	fi
	exec bash "$0" "$@"
fi
. "$top_srcdir/tests/lib.sh"

bash_completion=/usr/share/bash-completion/bash_completion
if [ ! -r "$bash_completion" ]; then
	echo "skipped: bash-completion is not installed (apt-get install bash-completion)"
	exit 77
fi
set +u   # bash-completion is not written for set -u
# shellcheck disable=SC1090
. "$bash_completion"
# shellcheck disable=SC1091
. "$top_srcdir/data/completion/ispwiz.bash"
src=$top_srcdir/src/cli

# --- the bash function ----------------------------------------------------------

# complete_line LINE: what _ispwiz offers with the cursor at the end of LINE,
# sorted, one per line, in $T/reply.  The line is split into words the way
# bash does: at blanks, and around the characters of COMP_WORDBREAKS (= and
# : among them), which _init_completion puts back together.
complete_line() {
	local token rest
	COMP_LINE=$1
	COMP_POINT=${#COMP_LINE}
	COMP_WORDS=()
	for token in $COMP_LINE; do
		rest=$token
		while [[ $rest =~ ^([^=:]*)([=:]+)(.*)$ ]]; do
			[[ -n ${BASH_REMATCH[1]} ]] && COMP_WORDS+=("${BASH_REMATCH[1]}")
			COMP_WORDS+=("${BASH_REMATCH[2]}")
			rest=${BASH_REMATCH[3]}
		done
		[[ -n $rest ]] && COMP_WORDS+=("$rest")
	done
	[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_ispwiz ispwiz "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	if [ ${#COMPREPLY[@]} -gt 0 ]; then
		printf '%s\n' "${COMPREPLY[@]}" | sort >"$T/reply"
	else
		: >"$T/reply"
	fi
}

# offers WORD... / offers_not WORD...: the last reply has (not) each word.
offers() {
	local w
	for w in "$@"; do
		grep -qxF -- "$w" "$T/reply" || {
			fail "'$COMP_LINE' does not offer '$w'"
			sed 's/^/  | /' "$T/reply" >&2
		}
	done
}
offers_not() {
	local w
	for w in "$@"; do
		if grep -qxF -- "$w" "$T/reply"; then
			fail "'$COMP_LINE' offers '$w'"
		fi
	done
}
# all_start_with PREFIX: every word offered starts with PREFIX, and there is one.
all_start_with() {
	if [ ! -s "$T/reply" ] || grep -qv -- "^$1" "$T/reply"; then
		fail "'$COMP_LINE': expected only words starting with '$1'"
		sed 's/^/  | /' "$T/reply" >&2
	fi
}

# A command name: the commands --help lists, doctor among them, never the
# hidden helper.
complete_line "ispwiz "
offers flash read station restore upload prepare identify fetch list merge fuses detect doctor
offers_not complete
complete_line "ispwiz do"
offers doctor
all_start_with do
complete_line "ispwiz --"
offers --demo --no-color --log --catalog --version
complete_line "ispwiz --catalog x.yaml fl"
offers flash

# -c: programmer ids, filtered by what is typed.
complete_line "ispwiz flash -c "
offers usbasp usbtiny avrisp-promicro buspirate
complete_line "ispwiz flash -c usb"
offers usbasp usbtiny
all_start_with usb
complete_line "ispwiz read --programmer avrisp-"
offers avrisp-promicro avrisp-teensy
all_start_with avrisp-

# -p: part ids.
complete_line "ispwiz flash -c usbasp -p "
offers atmega32u4 atmega16u4 atmega328p
complete_line "ispwiz fuses decode -p atmega3"
offers atmega32u4
all_start_with atmega3

# --bootloader: ids by prefix, only the ones for the part given (-p, --part
# and --part=, which bash splits at the "=").
complete_line "ispwiz flash -c usbasp -p atmega32u4 --bootloader cat"
offers caterina-promicro16
all_start_with caterina
complete_line "ispwiz flash --part=atmega32u4 --bootloader atmel-dfu"
offers atmel-dfu-atmega32u4
offers_not atmel-dfu-atmega16u4
complete_line "ispwiz flash --part atmega16u4 --bootloader "
offers atmel-dfu-atmega16u4
offers_not atmel-dfu-atmega32u4 caterina-promicro16
complete_line "ispwiz flash --bootloader "
offers atmel-dfu-atmega32u4 atmel-dfu-atmega16u4 caterina-promicro16
# --preset: the presets of the bootloader given; -x: the programmer's options.
complete_line "ispwiz flash -p atmega32u4 --bootloader atmel-dfu-atmega32u4 --preset "
offers default
complete_line "ispwiz flash -c buspirate -x "
offers help reset=cs reset=aux pullups nopower speed=1M
complete_line "ispwiz list bootloaders --family "
offers atmel-dfu caterina bootloadhid usbasploader
complete_line "ispwiz list bootloaders --family c"
offers caterina
complete_line "ispwiz upload --via "
offers caterina halfkay atmel-dfu bootloadhid usbasploader

# --keyboard: QMK names from the checkout ($QMK_HOME), one folder at a time
# as paths complete: a keyboard's folder has keyboard.json, info.json or
# rules.mk; "crkbd/" has more below; keymaps/ and hidden folders are none.
qk=$T/qmk/keyboards
mkdir -p "$qk/crkbd/rev1/keymaps/default" "$qk/crkbd/keymaps/via" "$qk/cradio" \
	"$qk/acme/dfu" "$qk/.git/x" "$qk/notes"
touch "$qk/crkbd/info.json" "$qk/crkbd/rev1/rules.mk" "$qk/cradio/keyboard.json" \
	"$qk/acme/dfu/info.json" "$qk/README.md"
QMK_HOME=$T/qmk
export QMK_HOME
complete_line "ispwiz upload -p atmega32u4 --keyboard cr"
offers cradio crkbd crkbd/
offers_not acme/ acme
complete_line "ispwiz flash --keyboard crkbd/"
offers crkbd/rev1
offers_not crkbd/keymaps crkbd/keymaps/ crkbd/rev1/
complete_line "ispwiz identify --keyboard "
offers acme/ cradio crkbd crkbd/
offers_not acme .git/ README.md notes
complete_line "ispwiz upload --keyboard zz"
[ -s "$T/reply" ] && fail "'--keyboard zz' offers: $(cat "$T/reply")"
run 0 ispwiz complete keyboards ../
[ -s "$T/out" ] && fail "complete keyboards ../ climbs out of keyboards/: $(cat "$T/out")"
run 0 ispwiz complete keyboards acme/
expect_in "$T/out" "acme/dfu"
# No checkout: nothing offered, nothing said.
QMK_HOME=$T/no-such-checkout run 0 ispwiz complete keyboards cr
[ -s "$T/out" ] || [ -s "$T/err" ] && fail "complete keyboards without a checkout said something"

# Files of the right kind: -f *.hex (and folders), BACKUP and --sim-state
# *.json, --log *.jsonl, --catalog *.yaml.
mkdir -p "$T/files/sub" && cd "$T/files" || exit 1
touch a.hex B.HEX backup.json log.jsonl notes.txt mine.yaml fw.bin
complete_line "ispwiz flash -c usbasp -p atmega32u4 -f "
offers a.hex B.HEX sub
offers_not backup.json notes.txt log.jsonl fw.bin
# upload -f: a .bin too (Atmel DFU takes one).
complete_line "ispwiz upload -p atmega32u4 -f "
offers a.hex fw.bin sub
offers_not notes.txt
complete_line "ispwiz merge "
offers a.hex sub
offers_not notes.txt
complete_line "ispwiz read -c usbasp -p atmega32u4 -o "
offers backup.json
offers_not a.hex notes.txt
complete_line "ispwiz restore "
offers backup.json sub
offers_not a.hex notes.txt
complete_line "ispwiz restore backup.json --"
offers --yes --no-backup --dry-run --programmer --sim-state
offers_not --file --bootloader
complete_line "ispwiz station --log "
offers log.jsonl
offers_not backup.json a.hex
complete_line "ispwiz flash --sim-state "
offers backup.json
complete_line "ispwiz --catalog "
offers mine.yaml
offers_not a.hex
cd "$top_builddir" || exit 1

# The options of flash, and of commands with their own.
complete_line "ispwiz flash --"
offers --programmer --port --part --baud --file --bootloader --preset --lfuse --hfuse \
	--efuse --yes --unsafe-fuses --keyboard --no-backup --dry-run --json --sim-state \
	--sim-fault --catalog --help
offers_not --count --log --watch --identify
complete_line "ispwiz flash -"
offers -c -P -p -b -x -f -y
complete_line "ispwiz flash --dr"
offers --dry-run
all_start_with --dr
complete_line "ispwiz station --"
offers --count --log --backup --no-backup
complete_line "ispwiz doctor --"
offers --json
offers_not --root
complete_line "ispwiz detect --"
offers --watch --json

# Arguments that are not options.
complete_line "ispwiz list "
offers programmers parts bootloaders
complete_line "ispwiz fuses "
offers decode diff
complete_line "ispwiz prepare "
offers avrisp-promicro avrisp-teensy
offers_not usbasp
complete_line "ispwiz fetch "
offers caterina-promicro16 avrisp-promicro
offers_not usbasp

# -P: whatever is plugged in; nothing, and no complaint, when nothing is.
complete_line "ispwiz flash -c avrisp-promicro -P "
if command -v umockdev-run >/dev/null 2>&1; then
	# The testbed of the detect tests: two serial ports and a USBasp.  (A
	# sanitizer build wants to be first in the preload list; umockdev's is.)
	ASAN_OPTIONS="verify_asan_link_order=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}" \
		umockdev-run -d "$top_srcdir/tests/detect-devices.umockdev" -- \
		${ISPWIZ_WRAPPER:-} "$ISPWIZ" complete ports >"$T/ports" 2>"$T/ports-err" ||
		fail "complete ports in the testbed failed: $(cat "$T/ports-err")"
	for w in /dev/ttyACM0 /dev/ttyACM1 usb:1-3 usb; do
		grep -qxF "$w" "$T/ports" || fail "complete ports does not list $w"
	done
fi

# --- the words, straight from the binary (under valgrind too) -------------------

run 0 ispwiz complete commands
expect_in "$T/out" "doctor"
expect_not_in "$T/out" "complete"
run 0 ispwiz complete programmers --isp-firmware
expect_in "$T/out" "avrisp-promicro"
expect_not_in "$T/out" "usbasp"
run 0 ispwiz complete bootloaders atmega32u4
expect_in "$T/out" "caterina-promicro16"
run 0 ispwiz complete options flash
run 0 ispwiz complete xopts buspirate
expect_in "$T/out" "speed=2.6M"
run 0 ispwiz complete presets nosuchbootloader
run 0 ispwiz complete bootloaders nosuchpart
run 2 ispwiz complete frobnicate
expect_in "$T/err" "cannot complete 'frobnicate'"
run 2 ispwiz complete
# Hidden: not in --help, but the command table has it.
run 0 ispwiz --help
expect_not_in "$T/out" "complete"
expect_in "$T/out" "  doctor "

# Every command --help lists is a command `complete commands` gives, and back.
sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p' "$T/out" | sort >"$T/help-commands"
ispwiz complete commands | sort >"$T/complete-commands"
if ! cmp -s "$T/help-commands" "$T/complete-commands"; then
	fail "--help and 'complete commands' disagree"
	diff "$T/help-commands" "$T/complete-commands" >&2
fi

# --- no drift: each command's option table (src/cli) against the list -----------

# macro_options NAME FILE: the long options of a #define'd table.
macro_options() {
	sed -n "/^#define $1/,/^\$/p" "$2" | grep -o '{ "[a-z0-9-]*"' | sed 's/{ "/--/; s/"//'
}
short_macro() {
	sed -n "s/^#define $1 \"\\(.*\\)\"/\\1/p" "$2"
}
job_short=$(short_macro CLI_JOB_SHORTOPTS "$src/cli-job.h")
image_short=$(short_macro CLI_IMAGE_SHORTOPTS "$src/cli-job.h")
[ -n "$job_short" ] && [ -n "$image_short" ] || fail "cannot read the short options of cli-job.h"
globals=" --json --catalog -v --verbose -h --help "
# Options left out of completion on purpose (test hooks), as CMD:OPTION.
hidden=" doctor:--root "
# Options a command reads before getopt (station --summary LOG is a mode of
# its own), so they are not in its option table.
early=" station:--summary "

# source_options CMD: the options src/cli/cmd-CMD.c declares, one per line.
source_options() {
	local f=$src/cmd-$1.c spec c
	{
		grep -o '{ "[a-z0-9-]*", *[a-z]*_argument' "$f" | sed 's/{ "\([^"]*\)".*/--\1/'
		if grep -q CLI_JOB_LONGOPTS "$f"; then macro_options CLI_JOB_LONGOPTS "$src/cli-job.h"; fi
		if grep -q CLI_IMAGE_LONGOPTS "$f"; then macro_options CLI_IMAGE_LONGOPTS "$src/cli-job.h"; fi
		if grep -q CLI_UPLOAD_LONGOPTS "$f"; then
			macro_options CLI_UPLOAD_LONGOPTS "$src/cli-upload.h"
		fi
		spec=$(grep -o '\.shortopts = [^,]*' "$f" | sed 's/\.shortopts = //' |
			sed "s/CLI_JOB_SHORTOPTS/$job_short/; s/CLI_IMAGE_SHORTOPTS/$image_short/" |
			tr -d '" +:\n')
		for ((c = 0; c < ${#spec}; c++)); do
			printf -- '-%s\n' "${spec:c:1}"
		done
	} | sort -u
}

for cmd in $(ispwiz complete commands); do
	if [ ! -f "$src/cmd-$cmd.c" ]; then
		fail "command $cmd has no src/cli/cmd-$cmd.c to read its options from"
		continue
	fi
	source_options "$cmd" | while read -r o; do
		case $globals in *" $o "*) continue ;; esac
		case $hidden in *" $cmd:$o "*) continue ;; esac
		printf '%s\n' "$o"
	done >"$T/want-table"
	{
		cat "$T/want-table"
		for e in $early; do
			case $e in "$cmd":*) printf '%s\n' "${e#*:}" ;; esac
		done
	} | sort -u >"$T/want"
	ispwiz complete options "$cmd" >"$T/have-all"
	while read -r o; do
		case $globals in *" $o "*) continue ;; esac
		printf '%s\n' "$o"
	done <"$T/have-all" | sort -u >"$T/have"
	[ -s "$T/want" ] || [ "$cmd" = doctor ] || fail "no options found in src/cli/cmd-$cmd.c"
	if ! cmp -s "$T/want" "$T/have"; then
		fail "the completion's options of '$cmd' (<) differ from src/cli/cmd-$cmd.c (>)"
		diff "$T/have" "$T/want" >&2
	fi
	for o in $globals; do
		grep -qxF -- "$o" "$T/have-all" || fail "'complete options $cmd' lacks the global $o"
	done
done

# --- zsh ----------------------------------------------------------------------------

if command -v zsh >/dev/null 2>&1; then
	zsh -n "$top_srcdir/data/completion/_ispwiz" || fail "data/completion/_ispwiz: zsh syntax error"
	# zsh_complete WORD...: what _ispwiz hands compadd (or _files) for the
	# cursor on the last word.
	zsh_complete() {
		ISPWIZ_BIN=$ISPWIZ zsh -f -c '
			fpath=("$1" $fpath); shift
			compadd() {
				while [[ $1 == -* ]]; do
					case $1 in
					-a) print -rl -- ${(P)2}; return ;;
					-S|-P|-J|-X) shift 2 ;;
					--) shift; break ;;
					*) shift ;;
					esac
				done
				print -rl -- "$@"
			}
			_files() { print -r -- "_files $*" }
			ispwiz() { "$ISPWIZ_BIN" "$@" }
			autoload -Uz _ispwiz
			words=("$@"); CURRENT=$#
			_ispwiz' zsh "$top_srcdir/data/completion" "$@" >"$T/reply" 2>"$T/zsh-err"
		sort -o "$T/reply" "$T/reply"
		COMP_LINE="zsh: $*"
	}
	zsh_complete ispwiz ""
	offers flash doctor detect
	offers_not complete
	zsh_complete ispwiz flash -c ""
	offers usbasp usbtiny avrisp-promicro
	zsh_complete ispwiz flash -p atmega16u4 --bootloader ""
	offers atmel-dfu-atmega16u4
	offers_not atmel-dfu-atmega32u4
	zsh_complete ispwiz flash -f ""
	offers "_files -g *.(hex|HEX)"
	zsh_complete ispwiz upload --keyboard cr
	offers cradio crkbd crkbd/
	zsh_complete ispwiz upload -f ""
	offers "_files -g *.(hex|HEX|bin|BIN)"
	zsh_complete ispwiz station --log ""
	offers "_files -g *.jsonl"
	zsh_complete ispwiz flash --
	offers --bootloader --no-backup --dry-run
	if [ -s "$T/zsh-err" ]; then
		fail "zsh said something on stderr"
		sed 's/^/  | /' "$T/zsh-err" >&2
	fi
else
	echo "note: zsh is not installed; its completion was not tried (apt-get install zsh)"
fi

finish
