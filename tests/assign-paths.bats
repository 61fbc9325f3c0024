#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
load helper

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
}

# One record per fixture preset of tests/fixtures/fxp: preset_path, relative_path
# and the program name from INDEX.tsv (empty for banks, as in the files).
fxp_records() {
    tail -n +2 "$FIXTURES/fxp/INDEX.tsv" | jq -R -c --arg root "$FIXTURES/fxp/files" \
        'split("\t") | {preset_path: ($root + "/" + .[0]), preset_name: .[10], scan_root: $root, relative_path: .[0]}'
}

# Every component below $OUT of every output_path in $output: at most 255
# bytes, not "." or "..", and the path starts with $OUT/.
assert_paths_sane() {
    # One jq over all paths (a shell loop forked twice per component).
    local bad
    bad=$(jq -r --arg out "$OUT/" 'select(.output_path) | .output_path as $p
        | if ($p | startswith($out) | not) then "outside \($out): \($p)"
          else $p | ltrimstr($out) | split("/")[]
               | select(. == "" or . == "." or . == ".." or utf8bytelength > 255)
               | "bad component \"\(.)\" in \($p)"
          end' <<<"$output")
    [ -z "$bad" ] || fail "$bad"
}

@test "assign-paths --help prints usage on stdout and exits 0" {
    run assign-paths --help
    assert_success
    assert_output --partial "--out"
    assert_output --partial "--skip-existing"
}

@test "assign-paths refuses bad usage with exit 2 before reading input" {
    run assign-paths --no-such-flag
    assert_failure 2
    assert_output --partial "try 'assign-paths --help'"
    run assign-paths
    assert_failure 2
    assert_output --partial "--out DIR is required"
    run assign-paths --out "$OUT" --ext mp3
    assert_failure 2
    assert_output --partial "'mp3' is not one of wav flac ogg aiff npy"
    run assign-paths --out "$OUT" --layout deep
    assert_failure 2
    touch "$BATS_TEST_TMPDIR/file"
    run assign-paths --out "$BATS_TEST_TMPDIR/file"
    assert_failure 2
    assert_output --partial "exists and is not a folder"
    run assign-paths --out "$OUT" extra-operand
    assert_failure 2
}

@test "assign-paths follows the record contract" {
    check_record_tool_contract "assign-paths --out '$OUT'"
}

@test "assign-paths keeps unknown fields in order and replaces an old output_path; output_root comes last" {
    sh_run "echo '{\"z\":1,\"preset_name\":\"Pad\",\"output_path\":\"/old.wav\",\"a\":[2]}' | assign-paths --out '$OUT'"
    assert_success
    assert_output "{\"z\":1,\"preset_name\":\"Pad\",\"output_path\":\"$OUT/Pad.wav\",\"a\":[2],\"output_root\":\"$OUT\"}"
}

@test "assign-paths exits 0 quietly when the reader closes the pipe" {
    sh_run "yes '{\"preset_name\":\"Init\"}' | head -5000 | assign-paths --out '$OUT' | head -1"
    assert_success
    assert_output "{\"preset_name\":\"Init\",\"output_path\":\"$OUT/Init.wav\",\"output_root\":\"$OUT\"}"
}

@test "assign-paths names the fixture presets by program name, else file name, suffixing repeats" {
    sh_run "$(declare -f fxp_records); FIXTURES='$FIXTURES' fxp_records | assign-paths --out '$OUT' --ext flac | jq -r '.output_path'"
    assert_success
    assert_equal "${#lines[@]}" 25
    assert_line "$OUT/002 - KVR Bass.flac"
    assert_line "$OUT/Harp.flac"
    assert_line "$OUT/LEAD - Crisp Cross.flac"
    assert_line "$OUT/Transverb.flac"
    for n in 2 3 4 5 6; do assert_line "$OUT/Transverb_$n.flac"; done
    assert_equal "$(printf '%s\n' "${lines[@]}" | tr '[:upper:]' '[:lower:]' | sort -u | wc -l)" 25
}

@test "assign-paths adds the grid note and velocity, and is deterministic" {
    sh_run "$(declare -f fxp_records); FIXTURES='$FIXTURES' fxp_records | jq -c '. as \$r | (48, 60) as \$n | (64, 127) as \$v | \$r + {note: \$n, velocity: \$v}' | assign-paths --out '$OUT'"
    assert_success
    assert_equal "${#lines[@]}" 100
    first="$output"
    assert_line --partial "\"output_path\":\"$OUT/Harp_48_64.wav\""
    assert_line --partial "\"output_path\":\"$OUT/Transverb_60_127_6.wav\""
    sh_run "$(declare -f fxp_records); FIXTURES='$FIXTURES' fxp_records | jq -c '. as \$r | (48, 60) as \$n | (64, 127) as \$v | \$r + {note: \$n, velocity: \$v}' | assign-paths --out '$OUT'"
    assert_equal "$output" "$first"
    assert_equal "$(jq -r .output_path <<<"$output" | sort -u | wc -l)" 100
}

@test "assign-paths tree layout mirrors relative_path, sanitized, with program indexes for banks" {
    sh_run_lines "assign-paths --out '$OUT' --layout tree | jq -r .output_path" \
        '{"relative_path":"Pads/Warm:Soft/Bank.fxb","program_index":0,"preset_name":"Init"}' \
        '{"relative_path":"Pads/Warm:Soft/Bank.fxb","program_index":127,"preset_name":"Init"}' \
        '{"relative_path":"PADS/warm:soft/lead.fxp"}' \
        '{"relative_path":"../../../etc/cron.d/x.fxp"}' \
        '{"relative_path":"/abs/./CON/y.fxp"}' \
        '{"preset_name":"no relative path"}'
    assert_success
    assert_output "$OUT/Pads/Warm_Soft/Bank_000.wav
$OUT/Pads/Warm_Soft/Bank_127.wav
$OUT/Pads/Warm_Soft/lead.wav
$OUT/_/_/_/etc/cron.d/x.wav
$OUT/abs/_CON/y.wav
$OUT/no relative path.wav"
}

@test "assign-paths sanitizes hostile names and keeps every component within 255 bytes" {
    long=$(printf 'a%.0s' $(seq 300))
    longe=$(printf '\xc3\xa9%.0s' $(seq 200))
    sh_run_lines "assign-paths --out '$OUT'" \
        '{"preset_name":".."}' '{"preset_name":"../../x"}' '{"preset_name":"/etc/passwd"}' \
        '{"preset_name":"..."}' '{"preset_name":"   "}' '{"preset_name":". . ."}' \
        '{"preset_name":"a\u0000b\u001fc\u007f"}' '{"preset_name":"q<>:|?*\\\\\""}' \
        '{"preset_name":"nul"}' '{"preset_name":"Lpt1.txt"}' '{"preset_name":"trail. "}' \
        "{\"preset_name\":\"$long\"}" "{\"preset_name\":\"$long\"}" "{\"preset_name\":\"$longe\",\"note\":60,\"velocity\":100}"
    assert_success
    assert_paths_sane
    mapfile -t names < <(jq -r '.output_path | ltrimstr("'"$OUT"'/")' <<<"$output")
    assert_equal "${names[0]}" "_.wav"
    assert_equal "${names[1]}" "_._.._x.wav"
    assert_equal "${names[2]}" "_etc_passwd.wav"
    assert_equal "${names[3]}" "__2.wav"
    assert_equal "${names[4]}" "__3.wav"
    assert_equal "${names[5]}" "__4.wav"
    assert_equal "${names[6]}" "a_b_c_.wav"
    assert_equal "${names[7]}" "q_________.wav"
    assert_equal "${names[8]}" "_nul.wav"
    assert_equal "${names[9]}" "_Lpt1.txt.wav"
    assert_equal "${names[10]}" "trail.wav"
    assert_equal "${names[11]}" "$(printf 'a%.0s' $(seq 251)).wav"
    assert_equal "${names[12]}" "$(printf 'a%.0s' $(seq 249))_2.wav"
    # 2-byte characters cut on a character boundary: 122 of them (244 bytes), then the grid tag.
    assert_equal "${names[13]}" "$(printf '\xc3\xa9%.0s' $(seq 122))_60_100.wav"
}

@test "assign-paths treats names equal but for case or Unicode normalization as one name" {
    # precomposed e-acute (U+00E9) vs e + combining acute (U+0301); the output is NFC.
    sh_run_lines "assign-paths --out '$OUT' | jq -r .output_path" \
        '{"preset_name":"Caf\u00e9"}' '{"preset_name":"Cafe\u0301"}' '{"preset_name":"CAF\u00c9"}' '{"preset_name":"cafe\u0301"}'
    assert_success
    assert_output "$OUT/Café.wav
$OUT/Café_2.wav
$OUT/CAFÉ_3.wav
$OUT/café_4.wav"
    # A suffixed name never takes a later natural one.
    sh_run_lines "assign-paths --out '$OUT' | jq -r .output_path" '{"preset_name":"A"}' '{"preset_name":"a"}' '{"preset_name":"A_2"}'
    assert_output "$OUT/A.wav
$OUT/a_2.wav
$OUT/A_2_2.wav"
}

@test "assign-paths fails a record that is not valid Unicode (a lone surrogate) and goes on" {
    sh_run_lines "assign-paths --out '$OUT'" '{"preset_name":"\udc80"}' '{"preset_name":"ok"}'
    assert_failure 1
    assert_line --index 0 --partial '"status":"error"'
    assert_line --index 0 --partial '"line":1'
    assert_line --index 1 "{\"preset_name\":\"ok\",\"output_path\":\"$OUT/ok.wav\",\"output_root\":\"$OUT\"}"
}

@test "assign-paths fails a record with a field of the wrong type, or a path too long" {
    deep=$(printf '%0250d/' $(seq 20))
    sh_run_lines "assign-paths --out '$OUT' --layout tree" '{"preset_name":7}' '{"note":200}' "{\"relative_path\":\"${deep}x.fxp\"}"
    assert_failure 1
    assert_line --index 0 --partial "field 'preset_name' must be a string"
    assert_line --index 1 --partial "field 'note' is 200, outside 0..127"
    assert_line --index 2 --partial "over the limit of 4063"
}

@test "assign-paths refuses a path through a symlink inside the folder, but not a symlinked folder" {
    mkdir -p "$OUT" "$BATS_TEST_TMPDIR/elsewhere"
    ln -s "$BATS_TEST_TMPDIR/elsewhere" "$OUT/Pads"
    ln -s /etc/passwd "$OUT/Lead.wav"
    sh_run_lines "assign-paths --out '$OUT' --layout tree" \
        '{"relative_path":"Pads/a.fxp"}' '{"relative_path":"Lead.fxp"}' '{"relative_path":"Keys/b.fxp"}'
    assert_failure 1
    assert_line --index 0 --partial "$OUT/Pads: a symbolic link inside the output folder"
    assert_line --index 1 --partial "$OUT/Lead.wav: a symbolic link inside the output folder"
    assert_line --index 2 "{\"relative_path\":\"Keys/b.fxp\",\"output_path\":\"$OUT/Keys/b.wav\",\"output_root\":\"$OUT\"}"
    # The output folder itself may be a link the user chose.
    ln -s "$OUT" "$BATS_TEST_TMPDIR/link"
    sh_run "echo '{\"preset_name\":\"x\"}' | assign-paths --out '$BATS_TEST_TMPDIR/link'"
    assert_success
    assert_output "{\"preset_name\":\"x\",\"output_path\":\"$BATS_TEST_TMPDIR/link/x.wav\",\"output_root\":\"$BATS_TEST_TMPDIR/link\"}"
}

@test "assign-paths --skip-existing marks existing outputs skipped; their names stay taken" {
    mkdir -p "$OUT"
    : >"$OUT/Bass.flac"
    sh_run_lines "assign-paths --out '$OUT' --ext flac --skip-existing" '{"preset_name":"Bass"}' '{"preset_name":"bass"}'
    assert_success
    assert_line --index 0 "{\"preset_name\":\"Bass\",\"output_path\":\"$OUT/Bass.flac\",\"output_root\":\"$OUT\",\"status\":\"skipped\"}"
    assert_line --index 1 "{\"preset_name\":\"bass\",\"output_path\":\"$OUT/bass_2.flac\",\"output_root\":\"$OUT\"}"
    # Without the flag an existing file is simply assigned again.
    sh_run "echo '{\"preset_name\":\"Bass\"}' | assign-paths --out '$OUT' --ext flac"
    assert_output "{\"preset_name\":\"Bass\",\"output_path\":\"$OUT/Bass.flac\",\"output_root\":\"$OUT\"}"
}

@test "assign-paths passes skipped records through and keeps their output_path taken" {
    sh_run_lines "assign-paths --out '$OUT'" \
        "{\"status\":\"skipped\",\"output_path\":\"$OUT/sub/../Kick.wav\"}" '{"status":"skipped"}' '{"preset_name":"KICK"}'
    assert_success
    assert_line --index 0 "{\"status\":\"skipped\",\"output_path\":\"$OUT/sub/../Kick.wav\"}"
    assert_line --index 1 '{"status":"skipped"}'
    assert_line --index 2 "{\"preset_name\":\"KICK\",\"output_path\":\"$OUT/KICK_2.wav\",\"output_root\":\"$OUT\"}"
}

@test "assign-paths makes a relative --out absolute" {
    cd "$BATS_TEST_TMPDIR"
    sh_run "echo '{\"preset_path\":\"/p/Sub 4.fxp\",\"program_index\":2}' | assign-paths -o ./renders/../r --ext .OGG"
    assert_success
    assert_output "{\"preset_path\":\"/p/Sub 4.fxp\",\"program_index\":2,\"output_path\":\"$(pwd -P)/r/Sub 4_002.ogg\",\"output_root\":\"$(pwd -P)/r\"}"
}

@test "assign-paths names every preset preset-scan finds in the fixtures, uniquely, in both layouts" {
    command -v preset-scan >/dev/null || skip "preset-scan is not built in $VR_BIN"
    for layout in flat tree; do
        sh_run "preset-scan --expand-banks '$FIXTURES' | assign-paths --out '$OUT' --layout $layout --ext flac"
        # preset-scan's own error (a property list named .vstpreset) passes through.
        assert_failure 1
        assert_ndjson
        assert_paths_sane
        local total named
        total=$(preset-scan --expand-banks "$FIXTURES" | grep -vc '"status":"error"')
        named=$(jq -r 'select(.output_path) | .output_path | ascii_downcase' <<<"$output" | sort -u | wc -l)
        assert_equal "$named" "$total"
        assert_equal "$(grep -c '"status":"error"' <<<"$output")" 1
    done
    # Tree: bank programs by index below the mirrored folders.
    assert_line --partial "\"output_path\":\"$OUT/fxp/files/DISTRHO-Ports-obxd/002 - KVR Bass_127.flac\""
    assert_line --partial "\"output_path\":\"$OUT/fxp/files/destroyfx/yo pitch! STY.flac\""
}

@test "assign-paths names param-sample's jobs by their sample index, whichever --range made them" {
    sh_run "printf '%s\n' '{\"sample_index\":7,\"note\":60}' '{\"sample_index\":1234567}' '{}' | assign-paths -o /tmp/o --ext flac | jq -r .output_path"
    assert_success
    assert_output "/tmp/o/untitled_60_sample000007.flac
/tmp/o/untitled_sample1234567.flac
/tmp/o/untitled.flac"
}

@test "assign-paths names a tempo _b<bpm> after the velocity and before the seed, its point written p" {
    sh_run_lines "assign-paths --out '$OUT' | jq -r .output_path" \
        '{"preset_name":"Arp","note":60,"velocity":100,"bpm":120,"seed":3}' \
        '{"preset_name":"Arp","note":60,"velocity":100,"bpm":92.5,"seed":3}' \
        '{"preset_name":"Arp","note":60,"velocity":100,"bpm":120.0,"seed":3}' \
        '{"preset_name":"Arp","bpm":1}' '{"preset_name":"Arp","bpm":999}' '{"preset_name":"Arp","bpm":133.333}' \
        '{"preset_name":"Arp","bpm":null}' \
        '{"preset_name":"W","bpm":120,"time_signature":"6/8"}' '{"preset_name":"W","bpm":120,"time_signature":"7/8"}'
    assert_success
    # 120.0 is the tempo 120: the same tag, so the collision suffix; a time signature adds nothing.
    assert_output "$OUT/Arp_60_100_b120_s3.wav
$OUT/Arp_60_100_b92p5_s3.wav
$OUT/Arp_60_100_b120_s3_2.wav
$OUT/Arp_b1.wav
$OUT/Arp_b999.wav
$OUT/Arp_b133p333.wav
$OUT/Arp.wav
$OUT/W_b120.wav
$OUT/W_b120_2.wav"
}

@test "assign-paths names job-grid's tempos uniquely, each name giving back its tempo" {
    sh_run "$(declare -f fxp_records); FIXTURES='$FIXTURES' fxp_records | job-grid --bpms 90,92.5,92.25,120 | assign-paths --out '$OUT'"
    assert_success
    assert_equal "${#lines[@]}" $((25 * 4))
    assert_paths_sane
    assert_equal "$(jq -r .output_path <<<"$output" | tr '[:upper:]' '[:lower:]' | sort -u | wc -l)" 100
    assert_line --partial "\"bpm\":92.25,\"output_path\":\"$OUT/Harp_60_100_b92p25.wav\""
    # The tag read back (p for the point, a collision suffix aside) is the record's bpm.
    run jq -r 'select((.output_path | capture("_b(?<t>[0-9]+(p[0-9]+)?)(_[0-9]+)?[.]wav$").t | sub("p"; ".") | tonumber) != .bpm)
        | .output_path' <<<"$output"
    assert_success
    assert_output ""
}

@test "assign-paths fails a record whose bpm is out of range or not a number, and goes on" {
    sh_run_lines "assign-paths --out '$OUT'" '{"preset_name":"x","bpm":0}' '{"bpm":1000}' '{"bpm":-5}' \
        '{"bpm":"abc"}' '{"bpm":"120"}' '{"bpm":0.5}' '{"preset_name":"x","bpm":90}'
    assert_failure 1
    assert_line --index 0 --partial "field 'bpm' is 0, outside 1..999"
    assert_line --index 1 --partial "field 'bpm' is 1000, outside 1..999"
    assert_line --index 2 --partial "field 'bpm' is -5, outside 1..999"
    assert_line --index 3 --partial "field 'bpm' must be a number, not a string"
    assert_line --index 4 --partial "field 'bpm' must be a number, not a string"
    assert_line --index 5 --partial "field 'bpm' is 0.5, outside 1..999"
    assert_equal "$(jq -r .status <<<"$output" | paste -sd,)" error,error,error,error,error,error,null
    # The run goes on.
    assert_line --index 6 "{\"preset_name\":\"x\",\"bpm\":90,\"output_path\":\"$OUT/x_b90.wav\",\"output_root\":\"$OUT\"}"
}
