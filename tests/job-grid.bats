#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
bats_require_minimum_version 1.5.0
load helper

@test "job-grid --help prints usage on stdout and exits 0" {
    run job-grid --help
    assert_success
    assert_output --partial "--notes"
}

@test "job-grid rejects a bad flag with exit 2" {
    run job-grid --no-such-flag
    assert_failure 2
    assert_output --partial "try 'job-grid --help'"
}

@test "job-grid rejects a note list it cannot read, before reading input" {
    run job-grid --notes 60-50
    assert_failure 2
    assert_output --partial "runs backwards"
    run job-grid --notes 128
    assert_failure 2
    run job-grid --velocities 0
    assert_failure 2
    run job-grid --notes 1-10:0
    assert_failure 2
}

@test "job-grid expands each record into notes x velocities, note-major, fields kept in order" {
    sh_run "echo '{\"b\":2,\"a\":1}' | job-grid --notes 21-108:12 --velocities 64,127"
    assert_success
    assert_equal "${#lines[@]}" 16
    assert_line --index 0 '{"b":2,"a":1,"note":21,"velocity":64}'
    assert_line --index 1 '{"b":2,"a":1,"note":21,"velocity":127}'
    assert_line --index 15 '{"b":2,"a":1,"note":105,"velocity":127}'
}

@test "job-grid defaults to note 60 at velocity 100 and mixes list items" {
    sh_run "echo '{}' | job-grid"
    assert_output '{"note":60,"velocity":100}'
    sh_run "echo '{}' | job-grid --notes 36,48-60:6,36 | jq -c .note | paste -sd,"
    assert_output "36,48,54,60"
}

@test "job-grid follows the record contract" {
    check_record_tool_contract "job-grid --notes 60"
}

@test "job-grid passes skipped records through once" {
    sh_run "echo '{\"status\":\"skipped\"}' | job-grid --notes 1-5"
    assert_success
    assert_output '{"status":"skipped"}'
}

@test "job-grid exits 0 quietly when the reader closes the pipe" {
    sh_run "yes '{}' | head -2000 | job-grid --notes 0-127 | head -1"
    assert_success
    assert_output '{"note":0,"velocity":100}'
}

@test "job-grid --bpms crosses each velocity with every tempo, before the seeds; whole tempos as integers" {
    sh_run "echo '{\"a\":1}' | job-grid --velocities 64,127 --bpms 92.5,120-140:20 --seeds 7"
    assert_success
    assert_output '{"a":1,"note":60,"velocity":64,"bpm":92.5,"seed":7}
{"a":1,"note":60,"velocity":64,"bpm":120,"seed":7}
{"a":1,"note":60,"velocity":64,"bpm":140,"seed":7}
{"a":1,"note":60,"velocity":127,"bpm":92.5,"seed":7}
{"a":1,"note":60,"velocity":127,"bpm":120,"seed":7}
{"a":1,"note":60,"velocity":127,"bpm":140,"seed":7}'
    # One tempo written three ways is one tempo; the ends 1 and 999 are in.
    sh_run "echo '{}' | job-grid --bpms 120,120.0,0120,1,999,133.25 | jq -c .bpm | paste -sd,"
    assert_output "120,1,999,133.25"
    # With -b the same; the input's own bpm is replaced in place.
    sh_run "echo '{\"bpm\":77,\"z\":0}' | job-grid -b 90"
    assert_output '{"bpm":90,"z":0,"note":60,"velocity":100}'
}

@test "job-grid leaves a record's bpm alone without --bpms, and crosses an effect's inputs with tempos" {
    sh_run "echo '{\"bpm\":92.5}' | job-grid"
    assert_success
    assert_output '{"bpm":92.5,"note":60,"velocity":100}'
    sh_run "echo '{}' | job-grid --inputs a.wav,b.wav --bpms 60,90"
    assert_success
    assert_output '{"input_path":"a.wav","bpm":60}
{"input_path":"a.wav","bpm":90}
{"input_path":"b.wav","bpm":60}
{"input_path":"b.wav","bpm":90}'
}

@test "job-grid refuses a tempo outside 1-999 or not a number, naming it, before reading input" {
    local bad want
    while IFS='|' read -r bad want; do
        run --separate-stderr bash -c "echo '{}' | job-grid --bpms='$bad'"
        assert_failure 2
        assert_output ""
        # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
        assert_equal "$stderr" "job-grid: --bpms: $want
job-grid: try 'job-grid --help'"
    done <<'EOF_CASES'
0|'0' is outside 1-999
1000|'1000' is outside 1-999
-5|'-5' is outside 1-999
0.5|'0.5' is outside 1-999
999.01|'999.01' is outside 1-999
90,1000|'1000' is outside 1-999
0-10|'0-10' is outside 1-999
abc|'abc' is not a tempo in beats a minute, as 120 or 92.5
1e2|'1e2' is not a tempo in beats a minute, as 120 or 92.5
92.|'92.' is not a tempo in beats a minute, as 120 or 92.5
90,,120|'' is not a tempo in beats a minute, as 120 or 92.5
90-100.5|'90-100.5': a range's ends and step are whole numbers; list a decimal tempo on its own
140-90|'140-90': the range runs backwards
EOF_CASES
    # A negative value as a word of its own is read as the value, not an option.
    assert_usage_error job-grid --bpms -5
    assert_output --partial "job-grid: --bpms: '-5' is outside 1-999"
    assert_usage_error job-grid --bpms ''
    assert_output --partial "empty list"
}
