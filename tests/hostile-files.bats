#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad files, tool by tool: real fixtures cut and flipped at seeded offsets,
# absurd declared sizes, deep CBOR, zstd bombs, empty files, folders, FIFOs
# and files that vanish between preset-scan and render-one. Each must give
# one error naming the file, the run going on, with no crash, hang or
# unbounded memory, and no partial output. (tests/<tool>.bats hold the
# hand-picked cases; these are the sweeps and the cross-tool paths.)
# Over 400 lines: every tool against every kind of bad file, from one setup.
load hostile

FXCK="$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp"
FPCH="$FIXTURES/fxp/files/ardour2fxp/OXFM_Kick_FPCh.fxp"
VST3P="$FIXTURES/vstpreset/files/iterum/Tape_LoFi_Groove.vstpreset"

setup() { hostile_setup; }
teardown() { hostile_teardown; }

# Every line of $output is a record for a file under $1 (relative_path) that
# is either not an error or an error whose message starts with the file's path.
assert_each_file_named() {
    local root="$1" bad
    assert_records
    bad=$(jq -r --arg root "$root" 'select(.status == "error") | . as $r
        | select($r.error.message | startswith($root + "/" + $r.relative_path + ": ") | not) | .error.message' <<<"$output")
    [ -z "$bad" ] || fail "errors that do not name their file: $bad"
}

@test "preset-scan: eight real presets cut and flipped at 60 seeded offsets each, one record per file" {
    local d="$T/m" files
    files=$(mutants_of_each "$d" p 0 "$FXB" "$FXCK" "$FPCH" "$FIXTURES/fxp/files/destroyfx/subverb STY.fxp" "$VST3P" \
        "$FIXTURES/vstpreset/files/ryukau-VSTPlugins/SyncSawSynth__Multi__Breathing.vstpreset" \
        "$S2/CharlesBT/temp1.SerumPreset" "$SERUM")
    [ "$files" -gt 450 ] || fail "only $files mutants"
    hrun preset-scan "$d"
    assert_equal "$status" 1
    assert_each_file_named "$d"
    assert_equal "${#lines[@]}" "$files"
    # Every file had its say, once.
    assert_equal "$(jq -r .relative_path <<<"$output" | sort -u | wc -l)" "$files"
    local records="$output"
    # A file cut to nothing, or to a few bytes, is never a preset.
    run jq -r 'select(.relative_path | test("-cut-(0|1|4|8)\\.")) | .status' <<<"$records"
    assert_equal "$(sort -u <<<"$output")" error
    # What does pass is described sanely.
    run jq -r 'select(.status != "error") | select(.preset_format | IN("fxp", "fxb", "vstpreset", "serum2") | not)
        | .relative_path' <<<"$records"
    assert_output ""
}

@test "preset-scan: a real cartridge, Vital preset and JUCE XML preset cut and flipped at 60 seeded offsets each" {
    local d="$T/s" files records
    files=$(mutants_of_each "$d" s 100 "$FIXTURES/dx7/files/XtalPad.syx" "$FIXTURES/vital/files/SalmoBass.vital" \
        "$FIXTURES/juce-xml/files/square-lead.noisemakerpreset")
    [ "$files" -gt 180 ] || fail "only $files mutants"
    hrun preset-scan "$d"
    assert_equal "$status" 1
    assert_each_file_named "$d"
    assert_equal "${#lines[@]}" "$files"
    records="$output"
    # Every byte of a cartridge is under its framing or its checksum: no
    # mutant of it is a preset.
    run jq -r 'select(.relative_path | startswith("s1-")) | .status' <<<"$records"
    assert_equal "$(sort -u <<<"$output")" error
    # A Vital preset cut anywhere is broken (a flipped digit may not be).
    run jq -r 'select(.relative_path | test("^s2-cut-")) | .status' <<<"$records"
    assert_equal "$(sort -u <<<"$output")" error
    # Each error names the byte, or says what the file is instead.
    run jq -r 'select(.status == "error") | .error.message
        | select(test("byte [0-9]+|, not a (DX7 SysEx dump|Vital preset|JUCE XML preset)$") | not)' <<<"$records"
    assert_output ""
    run jq -r 'select(.status != "error") | select(.preset_format | IN("dx7-sysex", "vital", "juce-xml") | not)
        | .relative_path' <<<"$records"
    assert_output ""
    # render-one refuses every cartridge mutant as a preset, and 20 as a
    # sysex_path (the test synth takes no SysEx: a mutant that is still
    # SysEx fails as ignored), naming the byte or what the file is, and
    # renders the job after them.
    local n
    n=$(find "$d" -name 's1-*' | wc -l)
    {
        find "$d" -name 's1-*' | LC_ALL=C sort | jq -cR '{preset_path: .}'
        find "$d" -name 's1-*' | LC_ALL=C sort | jq -cR '{sysex_path: .}' | head -20
        jq -nc '{}'
    } | jq -c --arg o "$T/x.wav" '. + {output_path: $o}' | sed '$s|x\.wav|ok.wav|' >"$T/jobs"
    HRUN_TIMEOUT=60 hrun render-one --plugin "$SYNTH3" --duration 0.02 --tail 0 <"$T/jobs"
    assert_equal "$status" 1
    assert_equal "$(jq -r .status <<<"$output" | sort | uniq -c | xargs)" "$((n + $(grep -c sysex_path "$T/jobs"))) error 1 ok"
    run jq -r 'select(.status == "error") | .error.message
        | select(test("byte [0-9]+|, not a DX7 SysEx dump|an empty file|not a preset render-one can load|the one it had before: it takes no SysEx") | not)' <<<"$output"
    assert_output ""
    [ ! -e "$T/x.wav" ] || fail "a refused job left its output"
}

@test "midi-duration: five real MIDI files cut and flipped at 60 seeded offsets each, file mode and record mode" {
    local d="$T/m" files
    files=$(mutants_of_each "$d" m 100 "$SCALE" "$MIDI/Tonejs-Midi/bach__bach_format0.mid" \
        "$MIDI/debian-ardour-data/click.mid" "$MIDI/github-misc/MrsWatson__c-scale.mid" \
        "$MIDI/Tonejs-Midi/beethoven__symphony_7_2.mid")
    # File mode: a line on stdout per file measured, one on stderr per file refused.
    hrun midi-duration "$d"/*
    assert_equal "$status" 1
    # shellcheck disable=SC2154 # $stderr is set by hrun's run --separate-stderr
    assert_equal "$(( ${#lines[@]} + $(grep -c . <<<"$stderr") ))" "$files"
    run grep -vE "^midi-duration: $d/m[0-9]-(cut|flip)-[0-9]+\.mid: ." <<<"$stderr"
    assert_output ""
    # The empty cut says so; a cut header says where.
    grep -qF "midi-duration: $d/m1-cut-0.mid: empty file, not a Standard MIDI File" <<<"$stderr"
    grep -qE "midi-duration: $d/m1-cut-8.mid: truncated at byte 8: " <<<"$stderr"
    # Record mode: one record each, the refused ones naming their file.
    find "$d" -type f | LC_ALL=C sort | jq -R -c '{midi_path: .}' >"$T/recs"
    hrun midi-duration <"$T/recs"
    assert_equal "$status" 1
    assert_records
    assert_equal "${#lines[@]}" "$files"
    run jq -r 'select(.status == "error") | . as $r | select($r.error.message | startswith($r.midi_path + ": ") | not)' <<<"$output"
    assert_output ""
}

@test "serum-unwrap: two real presets and a real state cut and flipped at 60 seeded offsets, in all three modes" {
    local d="$T/m"
    make_mutants "$SERUM" "$d" 30 s1 201
    make_mutants "$S2/CharlesBT/temp1.SerumPreset" "$d" 30 s2 202
    make_mutants "$S2/wiillownet/serum_2.1.4_default_state.bin" "$d" 30 s3 203
    local files
    files=$(find "$d" -type f | wc -l)
    # --meta over them all: a line per file read, a message per file refused.
    hrun serum-unwrap --meta "$d"/*
    assert_equal "$status" 1
    assert_equal "$(( ${#lines[@]} + $(grep -c . <<<"$stderr") ))" "$files"
    run grep -vE "^serum-unwrap: $d/s[0-9]-(cut|flip)-[0-9]+\.(SerumPreset|bin): ." <<<"$stderr"
    assert_output ""
    # Record mode: one record each; only whole states land in the folder.
    { find "$d" -type f -name '*.SerumPreset' | LC_ALL=C sort; echo "$SERUM"; } |
        jq -R -c '{preset_format: "serum2", preset_path: .}' >"$T/recs"
    hrun serum-unwrap --state-dir "$T/states" <"$T/recs"
    assert_equal "$status" 1
    assert_records
    assert_equal "${#lines[@]}" "$(wc -l <"$T/recs")"
    local records="$output" ok
    run jq -r 'select(.status == "error") | . as $r | select($r.error.message | startswith($r.preset_path + ": ") | not)' <<<"$records"
    assert_output ""
    ok=$(jq -r 'select(.status != "error") | .state_path' <<<"$records" | sort -u | wc -l)
    [ "$ok" -ge 1 ] || fail "not even the untouched preset converted"
    assert_equal "$(names_in "$T/states" | wc -l)" "$ok"
    for f in "$T/states"/*; do
        [ "$(sha256sum <"$f" | cut -c1-64).vst3state" = "$(basename "$f")" ] || fail "partial state $f"
    done
    # -o on a sample of them: a refusal leaves nothing at -o.
    local flips=("$d"/s1-flip-*)
    for f in "${flips[@]:0:12}" "$d"/s2-cut-1*; do
        hrun serum-unwrap -o "$OUT/x.state" "$f"
        if [ "$status" -eq 0 ]; then
            rm "$OUT/x.state"
        else
            assert_equal "$status" 1
            [[ "$stderr" == "serum-unwrap: $f: "* ]] || fail "$f: $stderr"
            [ ! -e "$OUT/x.state" ] || fail "$f: refused but wrote -o"
        fi
    done
    assert_no_tmp_left "$OUT"
}

@test "render-one: cut and flipped presets, states and MIDI files fail their own job, naming the file" {
    render-one --plugin "$SYNTH3" --export-programs "$T/own" >/dev/null 2>&1
    local d="$T/m"
    make_mutants "$T/own/Loud.vstpreset" "$d" 8 v 301
    make_mutants "$SERUM" "$d" 8 s 302
    make_mutants "$SCALE" "$d" 8 m 303
    local f i=0
    for f in "$d"/*; do
        i=$((i + 1))
        case $f in
            *.mid) jq -nc --arg o "$OUT/j$i.wav" --arg m "$f" '{output_path: $o, midi_path: $m, midi_duration_s: 0.05, tail_s: 0}' ;;
            *) jq -nc --arg o "$OUT/j$i.wav" --arg p "$f" '{output_path: $o, preset_path: $p, duration_s: 0.02, tail_s: 0}' ;;
        esac
    done >"$T/jobs"
    jq -nc --arg o "$OUT/last.wav" '{output_path: $o, duration_s: 0.02, tail_s: 0}' >>"$T/jobs"
    HRUN_TIMEOUT=150 hrun render-one --plugin "$SYNTH3" --ignore-plugin-id --job-timeout 10 <"$T/jobs"
    assert_equal "$status" 1
    assert_records
    assert_equal "${#lines[@]}" "$(wc -l <"$T/jobs")"
    # A failed job names its file and leaves no audio; a job that passed has it.
    local records="$output"
    run jq -r 'select(.status == "error") | . as $r
        | select($r.error.message | (contains(($r.preset_path // $r.midi_path) + ": ")
                                     or test("^the plugin (crashed|hung)")) | not) | .error.message' <<<"$records"
    assert_output ""
    for f in $(jq -r 'select(.status == "error") | .output_path' <<<"$records"); do
        [ ! -e "$f" ] || fail "a failed job left $f"
    done
    run jq -r 'select(.status == "ok") | .output_path' <<<"$records"
    for f in "${lines[@]}"; do [ -s "$f" ] || fail "an ok job has no $f"; done
    assert_line "$OUT/last.wav"
    [ "${#lines[@]}" -ge 5 ] || fail "only ${#lines[@]} jobs rendered: are the mutants too broken to test anything?"
    assert_no_tmp_left "$OUT"
}

@test "declared sizes of 2^31 and 2^63 in .fxp, .fxb and .vstpreset headers: refused by preset-scan and render-one" {
    local d="$T/sizes"
    mkdir -p "$d"
    patch_bytes "$FXCK" 24 '\x80\x00\x00\x00' "$d/numparams-2p31.fxp"
    patch_bytes "$FXCK" 24 '\x7f\xff\xff\xff' "$d/numparams-max.fxp"
    patch_bytes "$FPCH" 56 '\x80\x00\x00\x00' "$d/chunk-2p31.fxp"
    patch_bytes "$FPCH" 56 '\x7f\xff\xff\xff' "$d/chunk-max.fxp"
    patch_bytes "$FXB" 24 '\x80\x00\x00\x00' "$d/programs-2p31.fxb"
    patch_bytes "$FXB" 24 '\x7f\xff\xff\xff' "$d/programs-max.fxb"
    # .vstpreset: the chunk list offset (int64 at 40), the entry count (int32
    # at 632), an entry's offset and size (int64 at 640, 648).
    patch_bytes "$VST3P" 40 '\x00\x00\x00\x80\x00\x00\x00\x00' "$d/list-2p31.vstpreset"
    patch_bytes "$VST3P" 40 '\x00\x00\x00\x00\x00\x00\x00\x80' "$d/list-2p63.vstpreset"
    patch_bytes "$VST3P" 40 '\xff\xff\xff\xff\xff\xff\xff\x7f' "$d/list-max.vstpreset"
    patch_bytes "$VST3P" 632 '\x00\x00\x00\x80' "$d/count-2p31.vstpreset"
    patch_bytes "$VST3P" 640 '\x00\x00\x00\x00\x00\x00\x00\x80' "$d/offset-2p63.vstpreset"
    patch_bytes "$VST3P" 640 '\xff\xff\xff\xff\xff\xff\xff\x7f' "$d/offset-max.vstpreset"
    patch_bytes "$VST3P" 648 '\x00\x00\x00\x80\x00\x00\x00\x00' "$d/size-2p31.vstpreset"
    patch_bytes "$VST3P" 648 '\x00\x00\x00\x00\x00\x00\x00\x80' "$d/size-2p63.vstpreset"
    # byteSize is not trusted (real files put 0, the size or size-8 there).
    patch_bytes "$FXCK" 4 '\x80\x00\x00\x00' "$d/bytesize-2p31.fxp"
    hrun preset-scan "$d"
    assert_equal "$status" 1
    assert_each_file_named "$d"
    run jq -r '.relative_path + " " + (.error.message // "ok" | sub("^[^:]*: "; ""))' <<<"$output"
    assert_output "bytesize-2p31.fxp ok
chunk-2p31.fxp negative chunkSize -2147483648 at byte 56
chunk-max.fxp chunkSize 2147483647 at byte 56 is past the end: only 708 bytes follow (truncated file?)
count-2p31.vstpreset chunk count -2147483648 at byte 632 does not fit: 20 bytes left for 20-byte entries (truncated?)
list-2p31.vstpreset chunk list offset 2147483648 at byte 40 is past the end of the file (656 bytes; truncated?)
list-2p63.vstpreset negative chunk list offset -9223372036854775808 at byte 40
list-max.vstpreset chunk list offset 9223372036854775807 at byte 40 is past the end of the file (656 bytes; truncated?)
numparams-2p31.fxp negative numParams -2147483648 at byte 24
numparams-max.fxp numParams 2147483647 at byte 24 needs 8589934588 bytes of values from byte 56, only 64 left (truncated file?)
offset-2p63.vstpreset negative chunk offset -9223372036854775808 at byte 640
offset-max.vstpreset chunk offset 9223372036854775807 at byte 640 is past the end of the file (656 bytes; truncated?)
programs-2p31.fxb negative numPrograms -2147483648 at byte 24
programs-max.fxb numPrograms 2147483647 at byte 24 cannot fit: that many programs need at least 120259084232 bytes from byte 156, only 9728 left (truncated file?)
size-2p31.vstpreset chunk size 2147483648 at byte 648 is past the end of the file (656 bytes; truncated?)
size-2p63.vstpreset negative chunk size -9223372036854775808 at byte 648"
    # The same files as jobs: each fails naming itself; nothing is written.
    find "$d" -type f ! -name 'bytesize-*' | LC_ALL=C sort |
        jq -R -c --arg o "$OUT/x.wav" '{output_path: $o, preset_path: ., duration_s: 0.02, tail_s: 0}' >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" --ignore-plugin-id <"$T/jobs"
    assert_equal "$status" 1
    assert_equal "${#lines[@]}" 14
    assert_jobs_failed_naming_presets "$OUT/x.wav"
}

@test "declared sizes of 2^31 and more in MIDI headers: refused, or read to the end for a track cut short" {
    local d="$T/sizes"
    mkdir -p "$d"
    printf 'MThd\x80\x00\x00\x00\x00\x00\x00\x01\x00\x60' >"$d/header-2p31.mid"
    printf 'MThd\xff\xff\xff\xff\x00\x00\x00\x01\x00\x60' >"$d/header-max.mid"
    printf 'MThd\x00\x00\x00\x06\x00\x01\xff\xff\x00\x60' >"$d/tracks-65535.mid"
    # A meta event whose length is a variable-length number of 2^28 - 1, then more.
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0b\x00\xff\x01\xff\xff\xff\x7f\x00\xff\x2f\x00' >"$d/meta-2p28.mid"
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0c\x00\xff\x01\x8f\xff\xff\xff\x7f\x00\xff\x2f\x00' >"$d/meta-5-bytes.mid"
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x00\x00\x00\x0a\x00\xf0\xff\xff\xff\x7f\x00\xff\x2f\x00' >"$d/sysex-2p28.mid"
    # A track that declares 2^31 bytes but ends with the file is read as far as it goes
    # (real files get this wrong); a delta of 2^28 - 1 ticks is a long, finite song.
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x60MTrk\x80\x00\x00\x00\x00\x90\x3c\x40\x60\x80\x3c\x40\x00\xff\x2f\x00' >"$d/track-2p31.mid"
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x01MTrk\x00\x00\x00\x07\xff\xff\xff\x7f\xff\x2f\x00' >"$d/delta-max.mid"
    hrun midi-duration "$d"/*
    assert_equal "$status" 1
    assert_equal "$stderr" "midi-duration: $d/header-2p31.mid: truncated at byte 14: header needs 2147483642 bytes, 0 left
midi-duration: $d/header-max.mid: truncated at byte 14: header needs 4294967289 bytes, 0 left
midi-duration: $d/meta-2p28.mid: track 1: truncated at byte 29: meta event data needs 268435455 bytes, 4 left
midi-duration: $d/meta-5-bytes.mid: track 1: byte 25: meta event length is a variable-length number longer than 4 bytes
midi-duration: $d/sysex-2p28.mid: track 1: truncated at byte 28: sysex data needs 268435455 bytes, 4 left
midi-duration: $d/tracks-65535.mid: byte 14: no track: the header declares 65535 but no MTrk chunk follows"
    assert_output "$(printf '134217727.5\t%s\n0.5\t%s' "$d/delta-max.mid" "$d/track-2p31.mid")"
    # The same through render-one: the refused ones fail naming their file.
    find "$d" -type f | LC_ALL=C sort |
        jq -R -c --arg o "$OUT/x.wav" '{output_path: $o, midi_path: ., midi_duration_s: 0.05, tail_s: 0}' >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" <"$T/jobs"
    assert_equal "$status" 1
    run jq -r '. as $r | .status + " " + (.midi_path | ltrimstr("'"$d"'/")) + " " + (.error.message // "" | startswith($r.midi_path + ": ") | tostring)' <<<"$output"
    assert_output "ok delta-max.mid false
error header-2p31.mid true
error header-max.mid true
error meta-2p28.mid true
error meta-5-bytes.mid true
error sysex-2p28.mid true
ok track-2p31.mid false
error tracks-65535.mid true"
    assert_no_tmp_left "$OUT"
}

@test "Serum files: sizes of 2^31 and 2^63, CBOR 100,000 deep, zstd bombs, in every tool that reads them" {
    local d="$T/serum" k
    mkdir -p "$d"
    for k in header-2p31 header-2p63 cbor-size-2p31 array-2p63 bytes-2p63 text-2p31 map-2p31 \
        deep-arrays deep-maps deep-indefinite bomb-unsized bomb-sized bomb-at-cap; do
        serum_file "$k" "$d/$k.SerumPreset"
    done
    # preset-scan reads the envelope's header only (a scan stays cheap): the
    # header sizes are refused here, the payload by the tools that inflate it.
    hrun preset-scan "$d"
    assert_equal "$status" 1
    assert_each_file_named "$d"
    assert_equal "$(jq -r 'select(.status == "error") | .relative_path' <<<"$output" | paste -sd,)" \
        "header-2p31.SerumPreset,header-2p63.SerumPreset"
    assert_line --partial "JSON header length 9223372036854775808 (at byte 9) is past the end"
    # serum-unwrap in record mode: each refused, naming the file and the problem; no state written.
    find "$d" -type f | LC_ALL=C sort | jq -R -c '{preset_format: "serum2", preset_path: .}' >"$T/recs"
    hrun serum-unwrap --state-dir "$T/states" <"$T/recs"
    assert_equal "$status" 1
    run jq -r '. as $r | ($r.preset_path | ltrimstr("'"$d"'/")) + " " + ($r.error.message | ltrimstr($r.preset_path + ": "))' <<<"$output"
    assert_output "array-2p63.SerumPreset in the inflated payload: array at byte 3 declares 9223372036854775808 items, more than the 9 bytes left
bomb-at-cap.SerumPreset the zstd frame at byte 43 inflates past the declared 67108864 bytes
bomb-sized.SerumPreset the zstd frame at byte 43 holds 2147483648 bytes but the header declares 1000
bomb-unsized.SerumPreset the zstd frame at byte 43 inflates past the declared 1000 bytes
bytes-2p63.SerumPreset in the inflated payload: truncated at byte 12: the CBOR item at byte 3 needs 9223372036854775817 bytes, 9 left
cbor-size-2p31.SerumPreset the header at byte 35 declares 2147483648 bytes of CBOR, over the limit of 67108864 (--max-size)
deep-arrays.SerumPreset in the inflated payload: CBOR nested deeper than 512 levels at byte 514
deep-indefinite.SerumPreset in the inflated payload: CBOR nested deeper than 512 levels at byte 514
deep-maps.SerumPreset in the inflated payload: CBOR nested deeper than 512 levels at byte 1536
header-2p31.SerumPreset truncated at byte 17: JSON header length 2147483648 (at byte 9) is past the end, 39 bytes left
header-2p63.SerumPreset truncated at byte 17: JSON header length 9223372036854775808 (at byte 9) is past the end, 39 bytes left
map-2p31.SerumPreset in the inflated payload: map at byte 0 declares 2147483648 pairs, more than the 5 bytes left can hold
text-2p31.SerumPreset in the inflated payload: truncated at byte 8: the CBOR item at byte 3 needs 2147483653 bytes, 5 left"
    [ -z "$(ls -A "$T/states")" ] || fail "states written: $(ls -A "$T/states")"
    # render-one with the test synth standing in for Serum: the same refusals.
    jq -c --arg o "$OUT/x.wav" '. + {output_path: $o, duration_s: 0.02, tail_s: 0}' "$T/recs" >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" --ignore-plugin-id <"$T/jobs"
    assert_equal "$status" 1
    assert_equal "${#lines[@]}" 13
    grep -qF "CBOR nested deeper than 512 levels" <<<"$output"
    assert_jobs_failed_naming_presets "$OUT/x.wav"
}

@test "empty files, folders and FIFOs where files are expected: one error each, nothing blocks" {
    local d="$T/odd"
    mkdir -p "$d/folder.fxp" "$d/folder.mid" "$d/folder.wav"
    : >"$d/empty.fxp"
    : >"$d/empty.SerumPreset"
    : >"$d/empty.mid"
    : >"$d/empty.wav"
    : >"$d/empty.state"
    mkfifo "$d/fifo.fxp" "$d/fifo.SerumPreset" "$d/fifo.mid" "$d/fifo.wav" "$d/fifo.state"
    # preset-scan, operands and records.
    HRUN_TIMEOUT=20 hrun preset-scan "$d/empty.fxp" "$d/fifo.fxp" "$d/empty.SerumPreset" "$d/fifo.SerumPreset"
    assert_equal "$status" 1
    assert_equal "$(jq -r .error.message <<<"$output")" "$d/empty.fxp: an empty file, not an fxp/fxb preset
$d/fifo.fxp: a FIFO, not a file
$d/empty.SerumPreset: an empty file, not a Serum 2 preset
$d/fifo.SerumPreset: a FIFO, not a file"
    printf '{"preset_path":"%s"}\n' "$d/folder.fxp" "$d/fifo.fxp" "$d/empty.fxp" >"$T/recs"
    HRUN_TIMEOUT=20 hrun preset-scan <"$T/recs"
    assert_equal "$status" 1
    assert_equal "$(jq -r .error.message <<<"$output")" "$d/folder.fxp: a directory, not a file
$d/fifo.fxp: a FIFO, not a file
$d/empty.fxp: an empty file, not a preset"
    # midi-duration records (its file mode is in midi-duration.bats).
    printf '{"midi_path":"%s"}\n' "$d/folder.mid" "$d/fifo.mid" "$d/empty.mid" >"$T/recs"
    HRUN_TIMEOUT=20 hrun midi-duration <"$T/recs"
    assert_equal "$status" 1
    assert_equal "$(jq -r .error.message <<<"$output")" "$d/folder.mid: a directory, not a file
$d/fifo.mid: a FIFO, not a file
$d/empty.mid: empty file, not a Standard MIDI File"
    # serum-unwrap: file mode and records.
    HRUN_TIMEOUT=20 hrun serum-unwrap --json "$d/folder.fxp" "$d/fifo.SerumPreset" "$d/empty.SerumPreset" "$SERUM"
    assert_equal "$status" 1
    assert_equal "${#lines[@]}" 1
    assert_equal "$stderr" "serum-unwrap: $d/folder.fxp: a directory, not a file
serum-unwrap: $d/fifo.SerumPreset: a FIFO, not a file
serum-unwrap: $d/empty.SerumPreset: not an Xfer Serum 2 file: expected \"XferJson\\0\" at byte 0, found \"\""
    printf '{"preset_format":"serum2","preset_path":"%s"}\n' "$d/folder.fxp" "$d/fifo.SerumPreset" "$d/empty.SerumPreset" >"$T/recs"
    HRUN_TIMEOUT=20 hrun serum-unwrap --state-dir "$T/states" <"$T/recs"
    assert_equal "$status" 1
    assert_equal "$(jq -r .error.message <<<"$output")" "$d/folder.fxp: a directory, not a file
$d/fifo.SerumPreset: a FIFO, not a file
$d/empty.SerumPreset: not an Xfer Serum 2 file: expected \"XferJson\\0\" at byte 0, found \"\""
    # render-one: presets, states, MIDI and SysEx files that are not files; the last job renders.
    {
        for f in folder.fxp fifo.fxp empty.fxp fifo.SerumPreset; do
            jq -nc --arg o "$OUT/x.wav" --arg p "$d/$f" '{output_path: $o, preset_path: $p}'
        done
        for f in folder.fxp fifo.state; do
            jq -nc --arg o "$OUT/x.wav" --arg p "$d/$f" '{output_path: $o, state_path: $p}'
        done
        for f in folder.mid fifo.mid empty.mid; do
            jq -nc --arg o "$OUT/x.wav" --arg p "$d/$f" '{output_path: $o, midi_path: $p}'
        done
        for f in fifo.state empty.fxp; do
            jq -nc --arg o "$OUT/x.wav" --arg p "$d/$f" '{output_path: $o, sysex_path: $p}'
        done
        jq -nc --arg o "$OUT/ok.wav" '{output_path: $o}'
    } >"$T/jobs"
    HRUN_TIMEOUT=60 hrun render-one --plugin "$SYNTH3" --duration 0.02 --tail 0 <"$T/jobs"
    assert_equal "$status" 1
    run jq -r '.error.message // .status' <<<"$output"
    assert_output "$d/folder.fxp: a directory, not a file
$d/fifo.fxp: a FIFO, not a file
preset $d/empty.fxp: not a preset render-one can load (.fxp, .fxb, .vstpreset, .SerumPreset, .vital, JUCE XML, DX7 .syx): an empty file
$d/fifo.SerumPreset: a FIFO, not a file
$d/folder.fxp: a directory, not a file
$d/fifo.state: a FIFO, not a file
$d/folder.mid: a directory, not a file
$d/fifo.mid: a FIFO, not a file
$d/empty.mid: empty file, not a Standard MIDI File
$d/fifo.state: a FIFO, not a file
sysex $d/empty.fxp: an empty file, not MIDI System Exclusive (.syx)
ok"
    [ ! -e "$OUT/x.wav" ]
    # render-one writing onto a folder, or to a path with no name.
    printf '{"output_path":"%s"}\n' "$d/folder.wav" "$OUT/" >"$T/jobs"
    HRUN_TIMEOUT=60 hrun render-one --plugin "$SYNTH3" --duration 0.02 --tail 0 <"$T/jobs"
    assert_equal "$status" 1
    assert_line --index 0 --partial "$d/folder.wav"
    assert_line --index 1 --partial "\"message\":\"$OUT/: no extension to pick the audio format by"
    [ -d "$d/folder.wav" ] || fail "the folder $d/folder.wav is gone"
    [ -z "$(names_in "$d/folder.wav")" ] || fail "written into the folder: $(names_in "$d/folder.wav")"
    # render-index: audio that is a folder, a FIFO or empty is a row with an error.
    printf '{"status":"ok","output_path":"%s"}\n' "$d/folder.wav" "$d/fifo.wav" "$d/empty.wav" >"$T/recs"
    HRUN_TIMEOUT=20 hrun render-index --out "$T/page" <"$T/recs"
    assert_equal "$status" 1
    assert_equal "$(jq -r .error.message <<<"$output")" "cannot preview the audio: $d/folder.wav: a directory, not a file
cannot preview the audio: $d/fifo.wav: a FIFO, not a file
cannot preview the audio: $d/empty.wav: cannot read it as audio: Format not recognised."
    [ "$(grep -c '<tr class="row"' "$T/page/index.html")" -eq 3 ]
    assert_no_tmp_left "$T"
}

@test "presets that vanish or change between preset-scan and render-one fail their own job only" {
    render-one --plugin "$SYNTH3" --export-programs "$T/presets" >/dev/null 2>&1
    cp "$SERUM" "$T/presets/Serum.SerumPreset"
    preset-scan "$T/presets" | assign-paths --out "$OUT" >"$T/jobs"
    assert_equal "$(wc -l <"$T/jobs")" 5
    # After the scan: one is deleted, one becomes a folder, one a FIFO, one is cut short.
    rm "$T/presets/Init.vstpreset"
    rm "$T/presets/Quiet.vstpreset" && mkdir "$T/presets/Quiet.vstpreset"
    rm "$T/presets/Full.vstpreset" && mkfifo "$T/presets/Full.vstpreset"
    head -c 500 "$SERUM" >"$T/presets/Serum.SerumPreset"
    HRUN_TIMEOUT=60 hrun render-one --plugin "$SYNTH3" --ignore-plugin-id --duration 0.02 --tail 0 <"$T/jobs"
    assert_equal "$status" 1
    run jq -r '.preset_name + ": " + (.error.message // .status)' <<<"$output"
    assert_output "Full: $T/presets/Full.vstpreset: a FIFO, not a file
Init: $T/presets/Init.vstpreset: cannot open: No such file or directory
Loud: ok
Quiet: $T/presets/Quiet.vstpreset: a directory, not a file
test_preset: preset $T/presets/Serum.SerumPreset: corrupt or truncated zstd frame at byte 305: Src size is incorrect"
    [ "$(ls "$OUT")" = "Loud.wav" ]
    # serum-unwrap between them: the same file fails its record there.
    HRUN_TIMEOUT=20 hrun serum-unwrap --state-dir "$T/states" <"$T/jobs"
    assert_equal "$status" 1
    assert_equal "$(grep -c '"status":"error"' <<<"$output")" 1
    assert_line --partial "\"message\":\"$T/presets/Serum.SerumPreset: "
    assert_no_tmp_left "$T"
}

@test "render-one: an empty state file fails its job instead of rendering as if no state were given" {
    : >"$T/empty.state"
    hrun_sh "jq -nc --arg o '$OUT/x.wav' --arg s '$T/empty.state' '{output_path: \$o, state_path: \$s}' |
             render-one --plugin '$SYNTH3' --duration 0.02 --tail 0"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "state $T/empty.state: an empty file"
    [ ! -e "$OUT/x.wav" ]
}

@test "render-one: a MIDI file that declares a years-long song fails its job, not the whole run" {
    printf 'MThd\x00\x00\x00\x06\x00\x00\x00\x01\x00\x01MTrk\x00\x00\x00\x07\xff\xff\xff\x7f\xff\x2f\x00' >"$T/long.mid"
    printf '{"output_path":"%s","midi_path":"%s"}\n{"output_path":"%s","duration_s":0.02,"tail_s":0}\n' \
        "$OUT/long.wav" "$T/long.mid" "$OUT/after.wav" >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" <"$T/jobs"
    assert_failure 1
    assert_line --index 1 --partial '"status":"ok"'
    run jq -r .error.message <<<"${lines[0]}"
    assert_output --regexp "^$T/long.mid: .*3600"
    [ ! -e "$OUT/long.wav" ]
}
