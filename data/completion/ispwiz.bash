# bash completion for ispwiz                              -*- shell-script -*-
#
# Installed as bash-completion/completions/ispwiz (bash-completion loads it
# the first time ispwiz is completed).  Commands, options, programmer, part
# and bootloader ids and ports come from the binary being completed
# (`ispwiz complete ...`, one word per line), so they always match its
# catalog, including the user's own additions in ~/.config/ispwiz/.

# _ispwiz_words WHAT [ARG]: the words `ispwiz complete` prints.
_ispwiz_words()
{
    "$_ispwiz_bin" complete "$@" 2>/dev/null
}

# _ispwiz_value OPTION...: the value the command line gives one of the
# options (-p X, --part X, --part=X, -pX), the last one if given twice.
_ispwiz_value()
{
    local i w opt value=
    for ((i = 1; i < ${#words[@]}; i++)); do
        [[ $i -eq $cword ]] && continue
        w=${words[i]}
        for opt in "$@"; do
            if [[ $w == "$opt" && $((i + 1)) -ne $cword ]]; then
                value=${words[i + 1]}
            elif [[ $opt == --* && $w == "$opt="* ]]; then
                value=${w#*=}
            elif [[ $opt != --* && $w == "$opt"?* && $w != --* ]]; then
                value=${w#"$opt"}
            fi
        done
    done
    printf '%s' "$value"
}

# _ispwiz_reply WORD...: the words that start with $cur.
_ispwiz_reply()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$*" -- "$cur"))
}

_ispwiz()
{
    local cur prev words cword split
    _init_completion -s -n : || return

    local _ispwiz_bin=${words[0]}
    __expand_tilde_by_ref _ispwiz_bin

    # The command: the first word that is neither an option nor the value
    # of one of the options ispwiz takes before it.
    local i command=
    for ((i = 1; i < cword; i++)); do
        case ${words[i]} in
        --catalog | --log | --demo-fault) ((i++)) ;;
        -*) ;;
        *)
            command=${words[i]}
            break
            ;;
        esac
    done

    # A value for the option before the cursor.
    case $prev in
    --catalog)
        _filedir '@(yaml|yml)'
        return
        ;;
    --keyboard)
        # QMK names, a folder at a time: "crkbd/" goes on without a space.
        _ispwiz_reply "$(_ispwiz_words keyboards "$cur")"
        [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == */ ]] && compopt -o nospace 2>/dev/null
        return
        ;;
    --demo-fault | --lfuse | --hfuse | --efuse | --from | --to | \
        --count | --timeout | --wait | --sim-fault)
        return
        ;;
    esac
    if [[ -z $command ]]; then
        case $prev in
        --log)
            _filedir
            return
            ;;
        esac
        if [[ $cur == -* ]]; then
            _ispwiz_reply "$(_ispwiz_words options)"
        else
            _ispwiz_reply "$(_ispwiz_words commands)"
        fi
        return
    fi
    [[ $command == complete ]] && return

    case $prev in
    -c | --programmer)
        _ispwiz_reply "$(_ispwiz_words programmers)"
        return
        ;;
    -p | --part)
        _ispwiz_reply "$(_ispwiz_words parts)"
        return
        ;;
    --bootloader)
        _ispwiz_reply "$(_ispwiz_words bootloaders "$(_ispwiz_value -p --part)")"
        return
        ;;
    --preset)
        _ispwiz_reply "$(_ispwiz_words presets "$(_ispwiz_value --bootloader)")"
        return
        ;;
    -x)
        _ispwiz_reply "$(_ispwiz_words xopts "$(_ispwiz_value -c --programmer)")"
        return
        ;;
    -P | --port)
        _ispwiz_reply "$(_ispwiz_words ports)"
        __ltrim_colon_completions "$cur"
        return
        ;;
    --via)
        _ispwiz_reply caterina halfkay atmel-dfu bootloadhid usbasploader
        return
        ;;
    -b | --baud)
        _ispwiz_reply 19200 57600 115200
        return
        ;;
    --family)
        _ispwiz_reply "$(_ispwiz_words families)"
        return
        ;;
    -f | --file)
        if [[ $command == list ]]; then
            _ispwiz_reply "$(_ispwiz_words families)"
        elif [[ $command == upload ]]; then
            _filedir '@(hex|HEX|bin|BIN)'   # a .bin for Atmel DFU
        else
            _filedir '@(hex|HEX)'
        fi
        return
        ;;
    -o | --output)
        case $command in
        read) _filedir json ;;      # BACKUP: BACKUP.json, .hex, .eep.hex
        fetch) _filedir -d ;;
        *) _filedir '@(hex|HEX)' ;;
        esac
        return
        ;;
    --log | --summary)
        _filedir jsonl
        return
        ;;
    --sim-state)
        _filedir json
        return
        ;;
    --root)
        _filedir -d
        return
        ;;
    esac

    if [[ $cur == -* ]]; then
        _ispwiz_reply "$(_ispwiz_words options "$command")"
        return
    fi

    # Arguments that are not options' values.
    case $command in
    list)
        _ispwiz_reply programmers parts bootloaders
        ;;
    fuses)
        _ispwiz_reply decode diff
        ;;
    merge | identify)
        _filedir '@(hex|HEX)'
        ;;
    restore)
        _filedir json               # BACKUP.json, as read -o wrote it
        ;;
    fetch)
        _ispwiz_reply "$(_ispwiz_words bootloaders)" \
            "$(_ispwiz_words programmers --isp-firmware)"
        ;;
    prepare)
        _ispwiz_reply "$(_ispwiz_words programmers --isp-firmware)"
        ;;
    esac
} &&
    complete -F _ispwiz ispwiz

# ex: filetype=sh
