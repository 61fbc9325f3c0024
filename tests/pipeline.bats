#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The examples run as tests: the demo pipeline, end to end, on a real plugin;
# the README's pipeline as written; examples/render.mk and examples/xargs.sh
# on output paths that hold what make and the shell take specially.
load helper

SYNTH="$VR_TEST_SYNTH_VST3"
PROBE="$VR_BIN/../tests/audio-probe"
EXAMPLES="$TESTS_DIR/../examples"

# 16 jobs for the test synth, named by assign-paths below folder $1 from
# preset names with spaces, $ # % = ; & ( ) [ ] { } quotes, backquotes and a
# leading ~; assign-paths makes ':' '*' '?' '"' and tabs '_', so one path
# gets its ':' back by hand. Notes and velocities differ from job to job, so
# that each job's audio is its own.
odd_jobs() {
    # shellcheck disable=SC2016 # the $ is in the names
    printf '%s\n' 'Pad 1' 'Bass  two' 'Cost $5' '#1 hit' '50% wet' 'a=b; c&d' 'x (y) [z]' \
        "it's \"q\"" '~tilde' 'back`tick' 'semi:colon' 'dollar $(HOME)' 'brace {x} $@' 'star*?' \
        $'tab\tin' 'last one' |
        jq -R -c -n 'foreach inputs as $name (0; . + 1;
            {preset_name: $name, note: (46 + 2 * .), velocity: (35 + 5 * .), duration_s: 0.05, tail_s: 0.05})' |
        assign-paths --out "$1" --ext wav |
        jq -c 'if .preset_name == "semi:colon" then .output_path |= sub("semi_colon"; "semi:colon") else . end'
}

# The same 16 jobs rendered once, alone, into $REF/1.wav .. $REF/16.wav.
setup_file() {
    export REF="$BATS_FILE_TMPDIR/ref"
    odd_jobs "$BATS_FILE_TMPDIR/unused" |
        jq -c -n --arg d "$REF" 'foreach inputs as $job (0; . + 1; $job + {output_path: "\($d)/\(.).wav", output_root: $d})' |
        render-one --plugin "$SYNTH" >"$BATS_FILE_TMPDIR/ref.ndjson" 2>"$BATS_FILE_TMPDIR/ref.err" || true
}

# Checks the results $2 of the jobs of odd_jobs in file $1: one record per
# job, in the order of the jobs, each ok; each file the bytes of its job's
# render alone; the peak its record gives, the one measured in the file, and
# no silence.
check_odd_renders() {
    local jobs="$1" results="$2" k=0 path peak
    [ "$(jq -r .status "$BATS_FILE_TMPDIR/ref.ndjson" | sort | uniq -c | awk '{ print $1, $2 }')" = "16 ok" ] ||
        fail "the reference renders failed: $(cat "$BATS_FILE_TMPDIR/ref.err")"
    assert_equal "$(grep -c . "$results")" 16
    assert_equal "$(jq -r .output_path "$results")" "$(jq -r .output_path "$jobs")"
    assert_equal "$(jq -r .status "$results" | sort | uniq -c | awk '{ print $1, $2 }')" "16 ok"
    assert_equal "$(jq -r '.output_path | select(contains(" "))' "$results" | wc -l)" 11
    assert_equal "$(jq -r '.output_path | select(test("[$#:%]"))' "$results" | wc -l)" 6
    while IFS=$'\t' read -r path peak; do
        k=$((k + 1))
        cmp "$path" "$REF/$k.wav" || fail "job $k ($path) is not the bytes of its render alone"
        assert_equal "$("$PROBE" "$path" | jq .peak_dbfs)" "$peak"
        (($(bc <<<"$peak > -40"))) || fail "job $k ($path) is nearly silent: $peak dBFS"
    done < <(jq -r '[.output_path, .peak_dbfs] | @tsv' "$results")
    assert_equal "$k" 16
}

@test "the demo pipeline renders amsynth programs through parallel workers and sums them up" {
    out="$BATS_TEST_TMPDIR/demo"
    DEMO_OUT="$out" DEMO_EVERY=1000 DEMO_JOBS=2 run "$TESTS_DIR/../examples/demo.sh" 3>&-
    assert_success
    assert_output --partial "jobs:         12 (12 ok, 0 failed, 0 skipped)"
    assert_output --partial "failed:       none"
    assert_output --partial "preview/index.html"
    # The note on the Windows build of the test synth, under wine.
    assert_output --partial "vr-test-synth (windows-x86_64, wine-"
    run cat "$out/windows.txt"
    assert_output --regexp ': ok, peak -[0-9.]+ dBFS$'
    # The twelve, the four middle Cs through the reverb chain, and the song's mix.
    run grep -c "<audio" "$out/preview/index.html"
    assert_output 17
    # The song: its mix and three stems, each sounding.
    run jq -c '[.status, (.peak_dbfs > -40), (.stems | map(.peak_dbfs > -40))]' "$out/song.ndjson"
    assert_output '["ok",true,[true,true,true]]'
    run jq -c '[.status, (.chain | map(.plugin_name)), .tail_capped, (.frames > 72000), (.peak_dbfs > -40)]' \
        "$out/wet.ndjson"
    assert_equal "${#lines[@]}" 4
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u)" '["ok",["amsynth_vst","MVerb-vst"],false,true,true]'
    # One result per job, each a real, non-silent render at the asked length.
    run jq -s 'length' "$out/results.ndjson"
    assert_output 12
    run jq -r 'select(.status == "ok" and .silent == false and .frames == 72000) | .output_path' "$out/results.ndjson"
    assert_equal "${#lines[@]}" 12
    for f in "${lines[@]}"; do
        [ -s "$f" ] || fail "missing $f"
    done
    # Exported .fxp files, found by preset-scan, render through their preset.
    run jq -r 'select(.status == "ok" and .preset_format == "fxp" and .silent == false) | .preset_applied_as' \
        "$out/from-presets.ndjson"
    assert_output "fxp-chunk"
    # Every program of the grid got its three notes, whichever worker rendered them.
    run jq -r '"\(.program_index) \(.note)"' "$out/results.ndjson"
    assert_equal "$(printf '%s\n' "${lines[@]}" | sort -u | wc -l)" 12
}

@test "the same job gives the same FLAC bytes in the pipeline and alone" {
    out="$BATS_TEST_TMPDIR/demo"
    DEMO_OUT="$out" DEMO_EVERY=1800 DEMO_JOBS=2 run "$TESTS_DIR/../examples/demo.sh" 3>&-
    assert_success
    first=$(jq -c 'select(.note == 60)' "$out/results.ndjson" | head -1)
    path=$(jq -r .output_path <<<"$first")
    # The same job, alone in a fresh process.
    job=$(jq -c --arg o "$BATS_TEST_TMPDIR/alone.flac" \
        '{plugin_path, program_index, note, velocity, output_path: $o}' <<<"$first")
    run bash -c "render-one --plugin-home '$BATS_TEST_TMPDIR/h' --duration 1 --tail 0.5 <<<'$job'"
    assert_success
    cmp "$path" "$BATS_TEST_TMPDIR/alone.flac"
}

@test "the README's pipeline runs as written" {
    local d="$BATS_TEST_TMPDIR/readme" script f
    # The first code block after "## A pipeline", as a reader copies it.
    script=$(awk '/^## / { on = ($0 == "## A pipeline"); next }
        on && /^    / { print substr($0, 5); seen = 1; next }
        on && seen && NF { exit }' "$TESTS_DIR/../README.md")
    [[ $script == "preset-scan presets/"*"> results.ndjson" ]] || fail "not the pipeline: $script"
    mkdir -p "$d/presets"
    render-one --plugin /usr/lib/vst/amsynth_vst.so --export-programs "$d/all" >/dev/null 2>&1 || true
    cp "$d/all/009.fxp" "$d/all/1984.fxp" "$d/presets/"
    cd "$d"
    run bash -euo pipefail -c "$script"
    assert_success
    assert_equal "$(wc -l <jobs.ndjson)" 6
    assert_equal "$(jq -r '"\(.status) \(.frames)"' results.ndjson | sort | uniq -c | awk '{ print $1, $2, $3 }')" "6 ok 144000"
    run jq -r '[.output_path, .peak_dbfs] | @tsv' results.ndjson
    assert_equal "${#lines[@]}" 6
    for f in "${lines[@]}"; do
        [[ ${f%%$'\t'*} == "$d/renders/"*.flac ]] || fail "not in renders/: $f"
        assert_equal "$("$PROBE" "${f%%$'\t'*}" | jq .peak_dbfs)" "${f#*$'\t'}"
        (($(bc <<<"${f#*$'\t'} > -40"))) || fail "nearly silent: $f"
    done
}

@test "examples/render.mk renders output paths with spaces and \$ # : %, one record each, and resumes the missing files only" {
    local d="$BATS_TEST_TMPDIR/mk" gone
    mkdir -p "$d"
    odd_jobs "$d/out" >"$d/jobs.ndjson"
    # WARM=0: cold, as this test is not about warm render-ones (render.mk's
    # default would leave one running WARM seconds after make; warm.bats).
    run make -s -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/jobs.ndjson" STATE="$d/state" PLUGIN="$SYNTH"
    assert_success
    check_odd_renders "$d/jobs.ndjson" "$d/state/results.ndjson"
    # Two files gone: make renders those two again, and the results once more.
    gone=$(jq -r 'select(.preset_name == "Pad 1" or .preset_name == "Cost $5") | .output_path' "$d/jobs.ndjson")
    assert_equal "$(wc -l <<<"$gone")" 2
    while IFS= read -r f; do rm -- "$f"; done <<<"$gone"
    run make -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/jobs.ndjson" STATE="$d/state" PLUGIN="$SYNTH"
    assert_success
    assert_equal "$(grep -c -- 'render-one .* --job ' <<<"$output")" 2
    check_odd_renders "$d/jobs.ndjson" "$d/state/results.ndjson"
    # Nothing missing: nothing to do.
    run make -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/jobs.ndjson" STATE="$d/state" PLUGIN="$SYNTH"
    assert_success
    assert_output --partial "Nothing to be done"
}

@test "examples/render.mk stops at a line it cannot render, naming it; skips blank lines; keeps errored records" {
    local d="$BATS_TEST_TMPDIR/mk" a b err
    mkdir -p "$d"
    a="{\"note\":60,\"duration_s\":0.05,\"tail_s\":0.05,\"output_path\":\"$d/out/a 1.wav\"}"
    b="{\"note\":64,\"duration_s\":0.05,\"tail_s\":0.05,\"output_path\":\"$d/out/b 2.wav\"}"
    err='{"x":1,"status":"error","error":{"tool":"other","message":"boom"}}'
    printf '%s\n' "$a" '' 'not json' "$b" >"$d/1.jobs"
    run make -s -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/1.jobs" PLUGIN="$SYNTH"
    assert_failure
    assert_output --partial "$d/1.jobs:3: not a JSON object"
    printf '%s\n' "$a" '{"note":60}' >"$d/2.jobs"
    run make -s -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/2.jobs" PLUGIN="$SYNTH"
    assert_failure
    assert_output --partial "$d/2.jobs:2: the job has no output_path"
    # Both stopped before rendering anything.
    [ ! -e "$d/out" ] || fail "rendered: $(ls "$d/out")"
    printf '%s\n' "$a" '' $' \t\r' "$err" "$b" >"$d/3.jobs"
    run make -s -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/3.jobs" PLUGIN="$SYNTH"
    assert_success
    run jq -r '.status' "$d/3.jobs.make/results.ndjson"
    assert_output $'ok\nerror\nok'
    assert_equal "$(sed -n 2p "$d/3.jobs.make/results.ndjson")" "$err"
    assert_equal "$(names_in "$d/out" | paste -sd,)" "a 1.wav,b 2.wav"
}

@test "examples/render.mk spells a job's line in its rule as render-one's --job, and has sed read one too long to spell (over 64 KiB): the same bytes either way" {
    local d="$BATS_TEST_TMPDIR/mk" pad
    mkdir -p "$d"
    pad=$(head -c 70000 /dev/zero | tr '\0' x)
    printf '{"note":60,"duration_s":0.2,"tail_s":0.1,"output_path":"%s"}\n{"note":60,"duration_s":0.2,"tail_s":0.1,"output_path":"%s","pad":"%s"}\n' \
        "$d/out/short.wav" "$d/out/long.wav" "$pad" >"$d/jobs"
    run make -s -f "$EXAMPLES/render.mk" -j2 WARM=0 JOBS="$d/jobs" PLUGIN="$SYNTH"
    assert_success
    assert_equal "$(jq -r '"\(.status) \(.pad | length)"' "$d/jobs.make/results.ndjson" | paste -sd,)" "ok 0,ok 70000"
    # One command, with nothing for a shell to do (make runs it itself).
    # shellcheck disable=SC2016 # make's variable, not the shell's
    assert_equal "$(grep -c '^	$(render_cmd) --job '"'"'[^|&;<>]*'"'"' --records '"'"'[^'"'"']*'"'"' --link '"'"'[^'"'"']*'"'"'$' "$d/jobs.make/rules.mk")" 1
    [ -L "$d/jobs.make/out/1" ] && [ "$(readlink "$d/jobs.make/out/1")" = "$d/out/short.wav" ] ||
        fail "job 1's link is not to its output"
    # shellcheck disable=SC2016 # make's call, not the shell's
    assert_equal "$(grep -cF '	$(call render_job,2) && ' "$d/jobs.make/rules.mk")" 1
    cmp "$d/out/short.wav" "$d/out/long.wav"
    (($(bc <<<"$(jq .peak_dbfs <<<"$(head -1 "$d/jobs.make/results.ndjson")") > -40"))) || fail "nearly silent"
}

@test "examples/xargs.sh renders the files of the parallel pipeline, byte for byte, records in job order" {
    local d="$BATS_TEST_TMPDIR/x"
    mkdir -p "$d"
    odd_jobs "$d/par" >"$d/par.jobs"
    odd_jobs "$d/xargs" >"$d/xargs.jobs"
    parallel --will-cite --pipe --round-robin --block 1k --line-buffer -j2 render-one --plugin "$SYNTH" \
        <"$d/par.jobs" >"$d/par.ndjson"
    assert_equal "$(jq -r .output_path "$d/par.ndjson" | sort)" "$(jq -r .output_path "$d/par.jobs" | sort)"
    sh_run "'$EXAMPLES/xargs.sh' -p '$SYNTH' -j 2 -b 5 <'$d/xargs.jobs' >'$d/xargs.ndjson'"
    assert_success
    check_odd_renders "$d/xargs.jobs" "$d/xargs.ndjson"
    assert_equal "$(names_in "$d/xargs")" "$(names_in "$d/par")"
    diff -r "$d/par" "$d/xargs"
    # A failed job: exit status 1, its record in its place.
    sh_run "{ head -2 '$d/xargs.jobs'; echo '{\"note\":200,\"output_path\":\"$d/bad.wav\"}'; head -4 '$d/xargs.jobs' | tail -2; } |
        '$EXAMPLES/xargs.sh' -p '$SYNTH' -b 2 2>'$d/err'"
    assert_failure 1
    assert_equal "$(jq -r .status <<<"$output" | paste -sd,)" "ok,ok,error,ok,ok"
    # A bad option: the usage, exit status 2.
    run "$EXAMPLES/xargs.sh" -x
    assert_failure 2
    assert_output --partial "xargs.sh [-p PLUGIN]"
}
