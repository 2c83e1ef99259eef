#!/bin/sh
# Catalog files from the command line and from the user's directory:
# --catalog with a broken file names file:line:col and exits 3; a file in
# $XDG_CONFIG_HOME/ispwiz/ replaces an entry by id and adds a new one,
# without the installed catalog changing.
. "$top_srcdir/tests/lib.sh"

need_tool python3

installed=$ISPWIZ_DATADIR/catalog.yaml
before=$(cksum <"$installed")

# ---- --catalog FILE --------------------------------------------------------
# YAML syntax error: libyaml's message, our position.
cat >"$T/broken.yaml" <<'EOF'
version: 1
parts:
  - id: atmega32u4
   name: ATmega32U4
EOF
run 3 ispwiz --catalog "$T/broken.yaml" list parts
expect_in "$T/err" "$T/broken.yaml:4:4: did not find expected '-' indicator"

# Well-formed YAML, wrong content: the position of the bad value.
cat >"$T/badvalue.yaml" <<'EOF'
version: 1
programmers:
  - id: usbasp
    driver: usbasp
    name: USBasp
    avrdude: usbasp
    transport: usb
    usb_ids: ["16C0-05DC"]
EOF
run 3 ispwiz list programmers --catalog "$T/badvalue.yaml"
expect_in "$T/err" "$T/badvalue.yaml:8:15: expected a USB ID as VVVV:PPPP"

# A misspelt key gets a suggestion.
printf 'version: 1\nboootloaders: []\n' >"$T/typo.yaml"
run 3 ispwiz list bootloaders --catalog "$T/typo.yaml"
expect_in "$T/err" "$T/typo.yaml:2:1: unknown key 'boootloaders' in this catalog (did you mean 'bootloaders'?)"

# A reference to a part that does not exist is found after loading.
cat >"$T/noref.yaml" <<'EOF'
version: 1
bootloaders:
  - id: orphan
    family: caterina
    name: Orphan
    part: atmega99
    usb_id: "1209:0001"
    presets: [ { name: default, lfuse: 0xFF, hfuse: 0xD8 } ]
EOF
run 3 ispwiz list bootloaders --catalog "$T/noref.yaml"
expect_in "$T/err" "$T/noref.yaml:3:5: bootloader 'orphan' is for part 'atmega99', which is not in the catalog"

# A good --catalog replaces the installed one entirely.
cp "$installed" "$T/copy.yaml"
run 0 ispwiz --catalog "$T/copy.yaml" list bootloaders --json
json_check "$T/out" 'all(b["origin"]["file"] == sys.argv[1].rsplit("/", 1)[0] + "/copy.yaml" for b in d)'

# ---- the baseline, before any override -----------------------------------
run 0 ispwiz list bootloaders --json
cp "$T/out" "$T/base.json"
json_check "$T/base.json" '"my-macropad" not in [b["id"] for b in d]'

# ---- an override file ----------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/ispwiz"
cat >"$XDG_CONFIG_HOME/ispwiz/50-local.yaml" <<'EOF'
# Mirror one upstream file locally, and add a board of our own.
version: 1
bootloaders:
  - id: caterina-promicro16
    family: caterina
    name: SparkFun Pro Micro (5V/16MHz), local mirror
    part: atmega32u4
    usb_id: "1B4F:9205"
    presets:
      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xFB }
    file: Caterina-promicro16.hex
    url: https://mirror.example.org/Caterina-promicro16.hex
  - id: my-macropad
    family: caterina
    name: My macropad
    part: atmega32u4
    usb_id: "1209:0001"
    presets:
      - { name: default, lfuse: 0xFF, hfuse: 0xD8, efuse: 0xCB }
EOF
# Not a catalog file name: ignored.
echo 'not: [valid' >"$XDG_CONFIG_HOME/ispwiz/README.txt"

run 0 ispwiz list bootloaders --json
cp "$T/out" "$T/over.json"
json_check "$T/over.json" '[b for b in d if b["id"] == "caterina-promicro16"][0]["url"] == "https://mirror.example.org/Caterina-promicro16.hex"'
json_check "$T/over.json" '[b for b in d if b["id"] == "caterina-promicro16"][0]["origin"]["file"].endswith("/ispwiz/50-local.yaml")'
json_check "$T/over.json" '[b for b in d if b["id"] == "my-macropad"][0]["usb_id"] == "1209:0001"'
json_check "$T/over.json" '[b for b in d if b["id"] == "my-macropad"][0]["presets"][0]["efuse"] == "0xCB"'
# Exactly one entry more than before, and the replaced one kept its place.
json_check "$T/over.json" 'len(d) == len(json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/base.json"))) + 1'
json_check "$T/over.json" '[b["id"] for b in d][:-1] == [b["id"] for b in json.load(open(sys.argv[1].rsplit("/", 1)[0] + "/base.json"))]'

run 0 ispwiz list bootloaders --part m32u4
expect_in "$T/out" "my-macropad"
expect_in "$T/out" "local mirror"

# Overrides apply on top of --catalog too.
run 0 ispwiz --catalog "$T/copy.yaml" list bootloaders --json
json_check "$T/out" '"my-macropad" in [b["id"] for b in d]'

# A broken override names its own file and position, and nothing is listed.
printf 'version: 1\nbootloaders:\n  - id: x\n    part: atmega32u4\n' >"$XDG_CONFIG_HOME/ispwiz/90-broken.yaml"
run 3 ispwiz list bootloaders
expect_in "$T/err" "$XDG_CONFIG_HOME/ispwiz/90-broken.yaml:3:5: this bootloader entry is missing the required key 'family'"
if [ -s "$T/out" ]; then
	fail "a failed load still printed a list"
fi
rm -f "$XDG_CONFIG_HOME/ispwiz/90-broken.yaml"

# The installed catalog was never written to.
after=$(cksum <"$installed")
if [ "$before" != "$after" ]; then
	fail "the installed catalog changed"
fi

finish
