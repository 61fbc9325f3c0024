#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# preset-scan on real presets of every format it reads (.fxp .fxb
# .vstpreset .SerumPreset .vital .syx, JUCE XML) and on broken ones, folders,
# loops and FIFOs, in file mode and records mode.
# Over 400 lines: every format preset-scan reads, each with its refusals.
load helper

# What the INDEX.tsv files say preset-scan must find under tests/fixtures:
# one line per preset, {preset_path, preset_format, preset_plugin_id,
# preset_name, program_count}, sorted.
expected_from_index() {
    local root="$FIXTURES"
    awk -F'\t' -v root="$root/fxp/files" 'NR > 1 {
        bank = ($3 == "FxBk" || $3 == "FBCh")
        stem = $1; sub(/.*\//, "", stem); sub(/\.[^.]*$/, "", stem)
        printf "%s\t%s\t%s\t%s\t%s\n", root "/" $1, bank ? "fxb" : "fxp", $4, bank ? stem : $11, bank ? $8 : ""
    }' "$root/fxp/INDEX.tsv"
    awk -F'\t' -v root="$root/vstpreset/files" 'NR > 1 && $3 == "VST3" {
        stem = $1; sub(/.*\//, "", stem); sub(/\.[^.]*$/, "", stem)
        printf "%s\t%s\t%s\t%s\t%s\n", root "/" $1, "vstpreset", $5, stem, ""
    }' "$root/vstpreset/INDEX.tsv"
    awk -F'\t' -v root="$root/serum2" 'NR > 1 && $4 == "SerumPreset" {
        printf "%s\t%s\t%s\t%s\t%s\n", root "/" $1, "serum2", "Serum2", $6, ""
    }' "$root/serum2/INDEX.tsv"
    awk -F'\t' -v root="$root/vital/files" 'NR > 1 {
        stem = $1; sub(/\.vital$/, "", stem)
        printf "%s\t%s\t%s\t%s\t%s\n", root "/" $1, "vital", "Vital", $8 == "None" ? stem : $8, ""
    }' "$root/vital/INDEX.tsv"
    awk -F'\t' -v root="$root/dx7/files" 'NR > 1 {
        stem = $1; sub(/\.syx$/, "", stem)
        printf "%s\t%s\t%s\t%s\t%s\n", root "/" $1, "dx7-sysex", "DX7", stem, 32
    }' "$root/dx7/INDEX.tsv"
    awk -F'\t' -v root="$root/juce-xml/files" 'NR > 1 {
        printf "%s\t%s\t%s\t%s\t%s\n", root "/" $1, "juce-xml", $4, $5, ""
    }' "$root/juce-xml/INDEX.tsv"
}

# Writes the DX7 SysEx file $1 holding the dumps $2...: "bulk:NAME,NAME..."
# (a 32-voice cartridge, its first voices so named, the rest INIT VOICE) or
# "voice:NAME" (a single voice). The format is public (DESIGN.md): header
# F0 43 00 ff bb bb, the data, its checksum, F7.
write_syx() {
    python3 - "$@" <<'PY'
import sys
def dump(fmt, count, data):
    return bytes([0xF0, 0x43, 0x00, fmt, count >> 7, count & 0x7F]) + data + bytes([-sum(data) & 0x7F, 0xF7])
out = b""
for spec in sys.argv[2:]:
    kind, _, names = spec.partition(":")
    if kind == "bulk":
        names = names.split(",")
        data = b"".join(bytes((v * 5 + i) & 0x7F for i in range(118)) +
                        (names[v] if v < len(names) else "INIT VOICE").ljust(10)[:10].encode() for v in range(32))
        out += dump(9, 4096, data)
    else:
        out += dump(0, 155, bytes(i & 0x3F for i in range(145)) + names.ljust(10)[:10].encode())
open(sys.argv[1], "wb").write(out)
PY
}

# The same five fields from records on stdin, as tab-separated lines.
fields_of_records() {
    jq -r 'select(.status != "error") | [.preset_path, .preset_format, .preset_plugin_id, .preset_name, (.program_count // "" | tostring)] | @tsv'
}

# A scratch folder with a few good presets in it.
make_presets() {
    local d="$1"
    mkdir -p "$d"
    cp "$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp" "$d/harp.fxp"
    cp "$FIXTURES/fxp/files/ardour2fxp/OXFM_Kick_FPCh.fxp" "$d/kick.fxp"
    cp "$FIXTURES/vstpreset/files/iterum/Tape_LoFi_Groove.vstpreset" "$d/tape.vstpreset"
}

@test "preset-scan --help prints usage on stdout and exits 0" {
    run preset-scan --help
    assert_success
    assert_output --partial "--by-extension"
    assert_output --partial "--expand-banks"
}

@test "preset-scan rejects a bad flag with exit 2" {
    run preset-scan --no-such-flag
    assert_failure 2
    assert_output --partial "try 'preset-scan --help'"
}

@test "preset-scan finds every preset of the fixtures, as their INDEX files say, in byte order" {
    run preset-scan "$FIXTURES"
    assert_failure 1   # the mislabeled Apple property list
    assert_ndjson
    expected=$(expected_from_index | LC_ALL=C sort)
    got=$(fields_of_records <<<"$output" | LC_ALL=C sort)
    assert_equal "$got" "$expected"
    assert_equal "$(fields_of_records <<<"$output" | wc -l)" 49
    # Byte-wise order of paths, as written.
    paths=$(jq -r .preset_path <<<"$output")
    assert_equal "$paths" "$(LC_ALL=C sort <<<"$paths")"
    # scan_root and relative_path put back together give the path.
    run jq -r 'select(.scan_root + "/" + .relative_path != .preset_path) | .preset_path' <<<"$output"
    assert_output ""
}

@test "preset-scan reads Vital presets whole: name, author, style and the Vital that saved them" {
    run preset-scan "$FIXTURES/vital/files"
    assert_success
    assert_equal "$(jq -c '[.relative_path, .preset_format, .preset_plugin_id, .preset_name, .preset_author, .preset_style, .preset_synth_version]' <<<"$output")" \
'["JX300P.vital","vital","Vital","JX300P","Instatetragrammaton","Keys","1.0.7"]
["NarcoticLead.vital","vital","Vital","NarcoticLead","Instatetragrammaton","Lead","1.5.3"]
["Panflute.vital","vital","Vital","Panflute","Instatetragrammaton","Lead","1.0.8"]
["SalmoBass.vital","vital","Vital","SalmoBass","Instatetragrammaton","Bass","1.0.7"]
["TechnoReese.vital","vital","Vital","TechnoReese","Instatetragrammaton","Bass","1.0.0"]'
    # synth_version lies after the settings: a preset cut before it is
    # broken, whatever its first 512 bytes say.
    d="$BATS_TEST_TMPDIR/v"
    mkdir -p "$d"
    head -c 170000 "$FIXTURES/vital/files/SalmoBass.vital" >"$d/cut.vital"
    printf '{"author":"me","settings":{}}' >"$d/no-version.vital"
    printf '{"author":"me","notes":[1,2]}' >"$d/notes.json"   # JSON that is no preset, not so named: ignored
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r .error.message <<<"$output" | sed "s|$d/||")" "$(printf '%s\n' \
        "cut.vital: byte 170000: the end of the text inside a string" \
        "no-version.vital: a JSON object without Vital's \"synth_version\", not a Vital preset")"
}

@test "preset-scan reads DX7 cartridges: 32 voices named, --expand-banks one record a voice" {
    cart="$FIXTURES/dx7/files/XtalPad.syx"
    run preset-scan "$cart"
    assert_success
    assert_equal "$(jq -c '[.preset_format, .preset_plugin_id, .preset_name, .program_count]' <<<"$output")" '["dx7-sysex","DX7","XtalPad",32]'
    run preset-scan --expand-banks "$cart"
    assert_success
    assert_equal "${#lines[@]}" 32
    assert_equal "$(jq -c '[.program_index, .preset_name]' <<<"${lines[0]}")" '[0,"XtalPad"]'
    assert_equal "$(jq -c '[.program_index, .preset_name]' <<<"${lines[31]}")" '[31,"INIT VOICE"]'
    # Cartridges of our own: two dumps in one file, a single voice.
    d="$BATS_TEST_TMPDIR/c"
    mkdir -p "$d"
    write_syx "$d/two.syx" "bulk:BRASS   1,STRINGS" "voice:SOLO"
    write_syx "$d/solo.dat" "voice:FLUTE 2"   # found by its bytes, whatever its name
    run preset-scan "$d"
    assert_success
    assert_equal "$(jq -c '[.relative_path, .preset_name, .program_count]' <<<"$output")" \
'["solo.dat","FLUTE 2",null]
["two.syx","two",33]'
    run preset-scan --expand-banks "$d/two.syx"
    assert_equal "$(jq -r '"\(.program_index) \(.preset_name)"' <<<"$output" | sed -n '1p;2p;3p;33p' | paste -sd,)" \
        "0 BRASS   1,1 STRINGS,2 INIT VOICE,32 SOLO"
    # Records mode: program_index names the voice.
    sh_run "echo '{\"preset_path\":\"$d/two.syx\",\"program_index\":1}' | preset-scan | jq -r .preset_name"
    assert_output "STRINGS"
}

@test "preset-scan refuses broken cartridges and other SysEx, naming the byte" {
    d="$BATS_TEST_TMPDIR/b"
    mkdir -p "$d"
    cart="$FIXTURES/dx7/files/XtalPad.syx"
    cp "$cart" "$d/sum.syx"
    chmod u+w "$d/sum.syx"
    printf '\x00' | dd of="$d/sum.syx" bs=1 seek=4102 conv=notrunc status=none
    head -c 4000 "$cart" >"$d/cut.syx"
    { cat "$cart"; head -c 100 "$cart"; } >"$d/second-cut.syx"
    printf '\xf0\x41\x10\x42\x12\x40\x00\x7f\x00\x41\xf7' >"$d/roland.syx"
    printf '\xf0\x43\x10\x01\x10\x20\xf7' >"$d/parameter.syx"
    printf '\xf0\x41\x10\x42\xf7' >"$d/roland-unnamed.bin"   # not named .syx: not looked at
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r .error.message <<<"$output" | sed "s|$d/||")" "$(printf '%s\n' \
        "cut.syx: truncated at byte 4000: a 32-voice dump starting at byte 0 needs 4104 bytes, the file has 4000" \
        "parameter.syx: a Yamaha parameter or request message, sub-status 0x01 (byte 2), not a DX7 SysEx dump" \
        "roland.syx: MIDI System Exclusive data of manufacturer 0x41 (byte 1), not a DX7 SysEx dump" \
        "second-cut.syx: truncated at byte 4204: a 32-voice dump starting at byte 4104 needs 4104 bytes, the file has 100" \
        "sum.syx: byte 4102: checksum 0x00, but the data's is 0x5a")"
}

@test "preset-scan finds JUCE XML presets and no other XML" {
    d="$BATS_TEST_TMPDIR/x"
    mkdir -p "$d"
    cp "$FIXTURES"/juce-xml/files/* "$d/"
    printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">' \
        '<plist version="1.0"><dict><key>CFBundleName</key><string>x</string></dict></plist>' >"$d/Info.plist"
    printf '%s\n' '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>' >"$d/knob.svg"
    printf '%s\n' '<?xml version="1.0"?>' '<settings><programs_folder>/x</programs_folder></settings>' >"$d/config.xml"
    printf '%s\n' '<html><body><p>manual</p></body></html>' >"$d/manual.html"
    printf '%s\n' '<tal curprogram="0"><programs><program programname="x"/></programs>' >"$d/unclosed.xml"
    printf '%s\n' 'not xml at all' >"$d/bad.noisemakerpreset"
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r '[.relative_path, .preset_format, .preset_plugin_id, .preset_name] | @tsv' <<<"$(grep -v '"status":"error"' <<<"$output")")" \
        "$(printf '%s\t%s\t%s\t%s\n' apvts-state.xml juce-xml Parameters apvts-state \
            square-lead.noisemakerpreset juce-xml tal "vr square lead" two-programs.xml juce-xml tal "vr second & last")"
    assert_equal "$(jq -r 'select(.status == "error") | .error.message' <<<"$output" | sed "s|$d/||")" "$(printf '%s\n' \
        "bad.noisemakerpreset: a text file, not a JUCE XML preset" \
        "unclosed.xml: byte 0: <tal> without its end tag")"
}

@test "preset-scan refuses the Apple property list named .vstpreset, saying what it is" {
    run preset-scan "$FIXTURES/vstpreset/files"
    assert_failure 1
    line=$(grep '"status":"error"' <<<"$output")
    assert_equal "$(jq -r .preset_path <<<"$line")" "$FIXTURES/vstpreset/files/mislabeled/apple-plist.vstpreset"
    assert_equal "$(jq -r .relative_path <<<"$line")" "mislabeled/apple-plist.vstpreset"
    assert_equal "$(jq -r .error.message <<<"$line")" \
        "$FIXTURES/vstpreset/files/mislabeled/apple-plist.vstpreset: an Apple binary property list, not a VST3 preset"
}

@test "preset-scan --expand-banks writes one record per program, named from the bank" {
    run preset-scan --expand-banks "$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb" "$FIXTURES/fxp/files/DISTRHO-Ports-obxd/002 - KVR Bass.fxb"
    assert_success
    assert_equal "${#lines[@]}" $((64 + 128))
    assert_equal "$(jq -c '[.program_index, .preset_name, .program_count, .preset_plugin_id]' <<<"${lines[0]}")" '[0,"5th Sweep Pad",64,"MDAj"]'
    assert_equal "$(jq -r .relative_path <<<"${lines[0]}")" "MDAx.fxb"
    assert_equal "$(jq -r .scan_root <<<"${lines[0]}")" "$FIXTURES/fxp/files/ardour2fxp"
    # An opaque bank names no programs: the bank's name and the index.
    assert_equal "$(jq -c '[.program_index, .preset_name]' <<<"${lines[64 + 127]}")" '[127,"002 - KVR Bass #127"]'
    # A bank without programs keeps its one record.
    { printf 'CcnK\0\0\0\0FxBk\0\0\0\1Abcd\0\0\0\1\0\0\0\0'; head -c 128 /dev/zero; } >"$BATS_TEST_TMPDIR/empty.fxb"
    run preset-scan --expand-banks "$BATS_TEST_TMPDIR/empty.fxb"
    assert_success
    assert_equal "$(jq -c '[.preset_name, .program_count, .preset_plugin_id, has("program_index")]' <<<"$output")" '["empty",0,"Abcd",false]'
    # Without the flag: one record, the bank named after its file.
    run preset-scan "$FIXTURES/fxp/files/DISTRHO-Ports-obxd/002 - KVR Bass.fxb"
    assert_success
    assert_equal "$(jq -c '[.preset_name, .program_count, has("program_index")]' <<<"$output")" '["002 - KVR Bass",128,false]'
}

@test "preset-scan goes by magic bytes; --by-extension reads only files named like presets" {
    d="$BATS_TEST_TMPDIR/p"
    make_presets "$d"
    cp "$d/harp.fxp" "$d/harp.dat"
    echo "read me" >"$d/README.txt"
    printf '\x89PNG\r\n' >"$d/cover.png"
    cp "$d/kick.fxp" "$d/.kick.fxp.vr-tmp-1-0"   # another tool's half-written file
    run preset-scan "$d"
    assert_success
    assert_equal "$(jq -r .relative_path <<<"$output" | paste -sd,)" "harp.dat,harp.fxp,kick.fxp,tape.vstpreset"
    assert_equal "$(jq -r .preset_format <<<"$output" | paste -sd,)" "fxp,fxp,fxp,vstpreset"
    run preset-scan --by-extension "$d"
    assert_success
    assert_equal "$(jq -r .relative_path <<<"$output" | paste -sd,)" "harp.fxp,kick.fxp,tape.vstpreset"
}

@test "preset-scan reports files named like presets that are something else" {
    d="$BATS_TEST_TMPDIR/p"
    mkdir -p "$d/x.fxp"   # a folder named like a preset is walked, not an error
    cp "$FIXTURES/fxp/files/MrsWatson/again-test.fxp" "$d/x.fxp/inside.fxp"
    : >"$d/empty.fxp"
    echo '{"a":1}' >"$d/notes.SerumPreset"
    printf 'RIFF\x24\0\0\0WAVEfmt ' >"$d/sound.fxb"
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "${#lines[@]}" 4
    assert_equal "$(jq -r '.error.message // .preset_name' <<<"$output" | sed "s|$d/||")" "$(printf '%s\n' \
        "empty.fxp: an empty file, not an fxp/fxb preset" \
        "notes.SerumPreset: a JSON document, not a Serum 2 preset" \
        "sound.fxb: a RIFF WAVE audio file, not an fxp/fxb preset" \
        "Default")"
    assert_equal "$(jq -r .relative_path <<<"${lines[3]}")" "x.fxp/inside.fxp"
}

@test "preset-scan refuses truncated presets at any length, saying where" {
    d="$BATS_TEST_TMPDIR/t"
    mkdir -p "$d"
    src="$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb"
    for n in 4 8 23 27 100 155 156 200 211 9000 9883; do head -c "$n" "$src" >"$d/bank-$n.fxb"; done
    src="$FIXTURES/fxp/files/destroyfx/subverb STY.fxp"
    for n in 12 55 59 60 739; do head -c "$n" "$src" >"$d/chunk-$n.fxp"; done
    src="$FIXTURES/vstpreset/files/ryukau-VSTPlugins/SyncSawSynth__Multi__Breathing.vstpreset"
    for n in 6 40 47 48 300 755 770 822; do head -c "$n" "$src" >"$d/v3-$n.vstpreset"; done
    src="$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset"
    for n in 9 16 100 290 299; do head -c "$n" "$src" >"$d/serum-$n.SerumPreset"; done
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "${#lines[@]}" 29
    run jq -r 'select(.status != "error") | .preset_path' <<<"$output"
    assert_output ""
    run preset-scan "$d/bank-200.fxb"
    assert_output --partial "cannot fit"
    run preset-scan "$d/chunk-739.fxp"
    assert_output --partial "chunkSize 680 at byte 56 is past the end"
    run preset-scan "$d/v3-770.vstpreset"
    assert_output --partial "chunk count 3 at byte 759 does not fit"
    run preset-scan "$d/bank-23.fxb"
    assert_output --partial "truncated at byte 20"
}

@test "preset-scan refuses flipped bytes with a message and never crashes" {
    d="$BATS_TEST_TMPDIR/f"
    mkdir -p "$d"
    flip() { # file offset bytes out
        cp "$1" "$4"
        printf '%b' "$3" | dd of="$4" bs=1 seek="$2" conv=notrunc status=none
    }
    flip "$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp" 8 '\x58' "$d/magic.fxp"        # 'X'xCk
    flip "$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp" 24 '\x80' "$d/params.fxp"      # numParams < 0
    flip "$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp" 56 '\x7f\xc0' "$d/nan.fxp"     # a NaN value
    flip "$FIXTURES/fxp/files/ardour2fxp/OXFM_Kick_FPCh.fxp" 57 '\x7f' "$d/chunk.fxp"       # chunkSize huge
    flip "$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb" 24 '\x7f' "$d/programs.fxb"              # numPrograms absurd
    flip "$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb" 5000 '\x00' "$d/inner.fxb"           # a parameter value: still a preset
    flip "$FIXTURES/vstpreset/files/iterum/Tape_LoFi_Groove.vstpreset" 47 '\x40' "$d/list.vstpreset"
    flip "$FIXTURES/vstpreset/files/iterum/Tape_LoFi_Groove.vstpreset" 629 '\x49' "$d/listmagic.vstpreset"  # 'LIst'
    flip "$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset" 17 '\x00' "$d/json.SerumPreset"
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r 'select(.status == "error") | .relative_path' <<<"$output" | paste -sd,)" \
        "chunk.fxp,json.SerumPreset,list.vstpreset,listmagic.vstpreset,magic.fxp,nan.fxp,params.fxp,programs.fxb"
    assert_line --partial "unknown fxMagic 'XxCk' at byte 8"
    assert_line --partial "negative numParams"
    assert_line --partial "numPrograms 2130706496 at byte 24 cannot fit"
    assert_line --partial "expected 'List' at byte 628 (the chunk list offset), found 'LIst'"
    assert_line --partial "parameter 0 at byte 56 is not a finite number"
    assert_equal "$(jq -r 'select(.relative_path == "inner.fxb") | .program_count' <<<"$output")" 64
}

@test "preset-scan does not hang or abort on symlink loops, FIFOs and sockets" {
    d="$BATS_TEST_TMPDIR/l"
    make_presets "$d"
    ln -s . "$d/self"          # a folder that contains itself
    mkdir "$d/sub"
    ln -s .. "$d/sub/back"     # leads back to a folder being walked
    ln -s a-loop "$d/b-loop.fxp"
    ln -s b-loop.fxp "$d/a-loop"
    ln -s missing "$d/dangling"
    mkfifo "$d/pipe" "$d/pipe.fxp"
    python3 -c "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])" "$d/sock.vstpreset"
    run timeout 20 preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r '[.relative_path, .status // "ok"] | join(":")' <<<"$output" | paste -sd,)" \
        "a-loop:error,b-loop.fxp:error,dangling:error,harp.fxp:ok,kick.fxp:ok,pipe.fxp:error,self:error,sock.vstpreset:error,sub/back:error,tape.vstpreset:ok"
    assert_line --partial "a-loop: cannot stat: Too many levels of symbolic links"
    assert_line --partial "pipe.fxp: a FIFO, not a file"
    assert_line --partial "self: a symlink loop"
    assert_line --partial "sub/back: a symlink loop"
    # Named like nothing in particular, a FIFO or a loop is not even looked at.
    run timeout 20 preset-scan --by-extension "$d"
    assert_failure 1
    assert_equal "$(jq -r '[.relative_path, .status // "ok"] | join(":")' <<<"$output" | paste -sd,)" \
        "b-loop.fxp:error,harp.fxp:ok,kick.fxp:ok,pipe.fxp:error,self:error,sock.vstpreset:error,sub/back:error,tape.vstpreset:ok"
}

@test "preset-scan reports an unreadable preset and goes on" {
    d="$BATS_TEST_TMPDIR/u"
    make_presets "$d"
    chmod 000 "$d/kick.fxp"
    if cat "$d/kick.fxp" >/dev/null 2>&1; then
        chmod 644 "$d/kick.fxp"
        skip "running as root: chmod 000 does not stop reads"
    fi
    run preset-scan "$d"
    chmod 644 "$d/kick.fxp"
    assert_failure 1
    assert_line --partial "kick.fxp: cannot open: Permission denied"
    assert_equal "$(jq -r 'select(.status != "error") | .relative_path' <<<"$output" | paste -sd,)" "harp.fxp,tape.vstpreset"
}

@test "preset-scan fails a preset whose path is not UTF-8, in a valid JSON record" {
    d="$BATS_TEST_TMPDIR/n"
    make_presets "$d"
    cp "$d/harp.fxp" "$d/caf$(printf '\xe9').fxp"
    printf 'not a preset' >"$d/notes-$(printf '\xff').txt"   # ignored, whatever its name
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "${#lines[@]}" 4
    err=$(grep '"status":"error"' <<<"$output")
    assert_equal "$(jq -r 'has("preset_path")' <<<"$err")" false
    assert_equal "$(jq -r .error.message <<<"$err")" \
        "$d/caf\\xE9.fxp: the path is not valid UTF-8, so no record can hold it (rename the file)"
}

@test "preset-scan fails operands that are missing or not presets, and goes on" {
    run preset-scan "$BATS_TEST_TMPDIR/none" "$FIXTURES/README.md" "$FIXTURES/fxp/files/MrsWatson/again-test.fxp"
    assert_failure 1
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 --partial "none: cannot stat: No such file or directory"
    assert_line --index 1 --partial "README.md: a text file, not a preset"
    assert_equal "$(jq -r .preset_name <<<"${lines[2]}")" "Default"
}

@test "preset-scan adds the preset fields to records that have preset_path" {
    bank="$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb"
    sh_run_lines preset-scan "{\"z\":1,\"preset_path\":\"$bank\",\"preset_name\":\"old\"}" '{"other":true}'
    assert_success
    assert_line --index 0 "{\"z\":1,\"preset_path\":\"$bank\",\"preset_name\":\"MDAx\",\"preset_format\":\"fxb\",\"preset_plugin_id\":\"MDAj\",\"program_count\":64}"
    assert_line --index 1 '{"other":true}'
    # program_index picks a program's name; --expand-banks writes them all.
    sh_run "echo '{\"preset_path\":\"$bank\",\"program_index\":3}' | preset-scan | jq -r .preset_name"
    assert_output "Solid Backing"
    sh_run "echo '{\"preset_path\":\"$bank\",\"program_index\":64}' | preset-scan"
    assert_failure 1
    assert_output --partial "program_index 64 is past the bank's 64 programs"
    sh_run "echo '{\"preset_path\":\"$bank\"}' | preset-scan --expand-banks | wc -l"
    assert_output 64
    # A preset_path that is no preset fails its record; the run goes on.
    sh_run_lines preset-scan "{\"preset_path\":\"$FIXTURES/README.md\"}" '{"preset_path":7}' '{"a":1}'
    assert_failure 1
    assert_line --index 0 --partial "README.md: a text file, not a preset"
    assert_line --index 1 --partial "field 'preset_path' must be a string"
    assert_line --index 2 '{"a":1}'
}

@test "preset-scan follows the record contract" {
    check_record_tool_contract "preset-scan"
}

@test "preset-scan exits 3 when stdout cannot be written, 0 when the reader closes the pipe" {
    sh_run "preset-scan '$FIXTURES/fxp' >/dev/full"
    assert_failure 3
    assert_output --partial "cannot write standard output"
    sh_run "preset-scan --expand-banks '$FIXTURES/fxp' | head -1"
    assert_success
    assert_equal "$(jq -r .program_index <<<"$output")" 0
}

@test "preset-scan refuses a Serum 2 preset whose zstd frame is cut short or followed by bytes" {
    local d="$BATS_TEST_TMPDIR/z" src="$FIXTURES/serum2/files/CharlesBT/temp1.SerumPreset" n
    mkdir -p "$d"
    # 1676 bytes: the envelope's header ends at byte 299, the zstd frame fills
    # the rest. Cut in the frame's header, in a block, in its last byte.
    for n in 303 1000 1675; do head -c "$n" "$src" >"$d/cut-$n.SerumPreset"; done
    { cat "$src"; printf 'xx'; } >"$d/trailing.SerumPreset"
    cp "$src" "$d/whole.SerumPreset"
    run preset-scan "$d"
    assert_failure 1
    assert_ndjson
    assert_equal "$(jq -r '"\(.relative_path) \(.status // "ok")"' <<<"$output" | paste -sd,)" \
        "cut-1000.SerumPreset error,cut-1675.SerumPreset error,cut-303.SerumPreset error,trailing.SerumPreset error,whole.SerumPreset ok"
    assert_line --partial "$d/cut-1000.SerumPreset: corrupt or truncated zstd frame at byte 299: "
    assert_line --partial "$d/trailing.SerumPreset: 2 bytes of trailing data after the zstd frame, at byte 1676"
}
