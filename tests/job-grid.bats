#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
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
