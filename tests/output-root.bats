#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Output roots (render-one(1), "Output root"): a job writes below its
# output_root and never through a symbolic link planted below it, before the
# run or while it runs; the same for --export-programs, serum-unwrap
# --state-dir and render-index --out. Links are planted after assign-paths
# named the jobs (it refuses those it sees), where render-one must catch them.
load helper
bats_require_minimum_version 1.5.0

SYNTH="$VR_TEST_SYNTH_VST3"
PROBE="$VR_BIN/../tests/audio-probe"
SERUM="$FIXTURES/serum2/files/wiillownet/test_preset.SerumPreset"

setup() {
    T="$BATS_TEST_TMPDIR"
    OUT="$T/out"
    mkdir -p "$T/outside"
    printf 'secret\n' >"$T/outside/victim.wav"
    cp "$T/outside/victim.wav" "$T/victim.orig"
}

# The test synth, short notes.
render() { render-one --plugin "$SYNTH" --duration 0.05 --tail 0 "$@"; }

# Five jobs, each its own note, named below $1 in the tree layout.
name_jobs() {
    jq -nc '["Pads/pad", "lead", "bass", "deep/er/keys", "ok"] | to_entries[]
        | {relative_path: (.value + ".fxp"), note: (48 + 4 * .key)}' |
        assign-paths --out "$1" --layout tree
}

# The folder outside holds its victim, byte for byte, and nothing else.
assert_outside_untouched() {
    assert_equal "$(names_in "$T/outside")" "victim.wav"
    cmp "$T/outside/victim.wav" "$T/victim.orig" || fail "the file outside the root changed"
}

# Each ok record of $output is the same bytes as file $1/<its name below $2>,
# and not silent.
assert_ok_renders_equal() {
    local ref=$1 root=$2 path n=0
    while IFS= read -r path; do
        cmp "$path" "$ref/${path#"$root"/}" || fail "$path differs from the render without links"
        (($(bc <<<"$("$PROBE" "$path" | jq .peak_dbfs) > -30"))) || fail "$path is nearly silent"
        n=$((n + 1))
    done < <(jq -r 'select(.status == "ok") | .output_path' <<<"$output")
    echo "$n"
}

@test "assign-paths gives each record output_root, its --out made absolute" {
    mkdir -p "$T/here"
    cd "$T/here"
    sh_run_lines "assign-paths --out renders/ --ext flac" '{"preset_name":"a"}' '{"preset_name":"b","output_root":"/x"}'
    assert_success
    assert_output "{\"preset_name\":\"a\",\"output_path\":\"$T/here/renders/a.flac\",\"output_root\":\"$T/here/renders\"}
{\"preset_name\":\"b\",\"output_root\":\"$T/here/renders\",\"output_path\":\"$T/here/renders/b.flac\"}"
}

@test "links planted at each level below the root: each job fails naming its link, the others render as without links" {
    name_jobs "$T/ref" >"$T/ref.jobs"
    run render <"$T/ref.jobs"
    assert_success
    name_jobs "$OUT" >"$T/jobs"
    mkdir -p "$OUT/deep"
    ln -s "$T/outside" "$OUT/Pads"                            # a folder of the job
    ln -s "$T/outside/victim.wav" "$OUT/lead_52.wav"         # the output file itself
    ln -s "$T/outside/nothing-yet.wav" "$OUT/bass_56.wav"    # a dangling link as the file
    ln -s ../outside "$OUT/deep/er"                           # a deeper folder
    run render <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" \
        "$OUT/Pads: a symbolic link inside the output folder; refusing to write below it
$OUT/lead_52.wav: a symbolic link inside the output folder; refusing to write through it
$OUT/bass_56.wav: a symbolic link inside the output folder; refusing to write through it
$OUT/deep/er: a symbolic link inside the output folder; refusing to write below it
ok"
    assert_outside_untouched
    run assert_ok_renders_equal "$T/ref" "$OUT"
    assert_output 1
    # The links are left as they were; nothing half-written stays.
    assert_equal "$(readlink "$OUT/lead_52.wav")" "$T/outside/victim.wav"
    assert_no_tmp_left "$OUT"
    # With --skip-existing a link is not an output that exists: the job fails.
    run render --skip-existing <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.status' <<<"$output" | paste -sd,)" "error,error,error,error,skipped"
    assert_outside_untouched
}

@test "a link planted while a batch runs, after record N, fails job N+1 and nothing appears outside" {
    name_jobs "$T/ref" >"$T/ref.jobs"
    run render <"$T/ref.jobs"
    assert_success
    name_jobs "$OUT" >"$T/jobs"
    local -a got
    coproc worker { s=0; render 2>"$T/err" || s=$?; echo "$s" >"$T/status"; }
    local to=${worker[1]} from=${worker[0]} line
    # Jobs 1 and 2 go in, and their records come out...
    sed -n '1,2p' "$T/jobs" >&"$to"
    for _ in 1 2; do IFS= read -r line <&"$from" && got+=("$line"); done
    # ...then a link goes where job 3 writes, before job 3 is handed over.
    ln -s "$T/outside/victim.wav" "$OUT/bass_56.wav"
    sed -n '3,5p' "$T/jobs" >&"$to"
    exec {to}>&-
    # (Its end of file comes when the coproc, status written, is gone.)
    while IFS= read -r line <&"$from"; do got+=("$line"); done
    assert_equal "$(cat "$T/status")" 1
    output=$(printf '%s\n' "${got[@]}")
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" "ok
ok
$OUT/bass_56.wav: a symbolic link inside the output folder; refusing to write through it
ok
ok"
    assert_outside_untouched
    run assert_ok_renders_equal "$T/ref" "$OUT"
    assert_output 4
}

@test "an output_path outside its root, or with '..', fails before it renders; --output-root is the default root" {
    printf '%s\n' "{\"output_path\":\"$T/outside/x.wav\",\"output_root\":\"$OUT\"}" \
        "{\"output_path\":\"$OUT/../outside/y.wav\",\"output_root\":\"$OUT\"}" \
        "{\"output_path\":\"${OUT}2/z.wav\",\"output_root\":\"$OUT\"}" \
        "{\"output_path\":\"$OUT/a.wav\",\"output_root\":\"$OUT/\"}" >"$T/jobs"
    run render <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" \
        "$T/outside/x.wav: not below the output root $OUT
$OUT/../outside/y.wav: a '..' component; refused below the output root $OUT
${OUT}2/z.wav: not below the output root $OUT
ok"
    assert_outside_untouched
    [ ! -e "${OUT}2" ] || fail "a folder was made outside the root"
    # --output-root: jobs without output_root get it (in their results too); a job's own wins.
    cd "$T"
    printf '%s\n' "{\"output_path\":\"$OUT/b.wav\"}" "{\"output_path\":\"$T/c.wav\"}" \
        "{\"output_path\":\"$T/own/d.wav\",\"output_root\":\"own\"}" >"$T/jobs2"
    run render --output-root out/ <"$T/jobs2"
    assert_failure 1
    assert_equal "$(jq -c '[.status, .output_root, .error.message]' <<<"$output")" \
        "[\"ok\",\"$OUT\",null]
[\"error\",null,\"$T/c.wav: not below the output root $OUT\"]
[\"ok\",\"own\",null]"
    cmp "$OUT/a.wav" "$OUT/b.wav" || fail "the same job rendered twice differs"
    (($(bc <<<"$("$PROBE" "$T/own/d.wav" | jq .peak_dbfs) > -30"))) || fail "d.wav is nearly silent"
    [ ! -e "$T/c.wav" ] || fail "c.wav was written outside the root"
    # The flag's root is refused the same way; without a root, the link is replaced as before.
    ln -s "$T/outside/victim.wav" "$OUT/e.wav"
    run render --output-root "$OUT" -o "$OUT/e.wav"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "$OUT/e.wav: a symbolic link inside the output folder; refusing to write through it"
    assert_outside_untouched
    run render -o "$OUT/e.wav"
    assert_success
    [ ! -L "$OUT/e.wav" ] || fail "without a root, the link should have been replaced by the file"
    cmp "$OUT/a.wav" "$OUT/e.wav" || fail "e.wav is not the render a.wav is"
    assert_outside_untouched
    assert_usage_error render-one --plugin "$SYNTH" --output-root ''
}

@test "--sidecar below a root: a link for the sidecar fails its job, the audio written, nothing written through it" {
    mkdir -p "$OUT"
    ln -s "$T/outside/victim.wav" "$OUT/a.wav.json"
    printf '%s\n' "{\"output_path\":\"$OUT/a.wav\"}" "{\"output_path\":\"$OUT/b.wav\"}" >"$T/jobs"
    run render --sidecar --output-root "$OUT" <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" \
        "the audio was written but its sidecar was not: $OUT/a.wav.json: a symbolic link inside the output folder; refusing to write through it
ok"
    assert_outside_untouched
    assert_equal "$(jq -r .output_root "$OUT/b.wav.json")" "$OUT"
    cmp "$OUT/a.wav" "$OUT/b.wav" || fail "the two renders of one job differ"
}

@test "--export-programs: a link planted in DIR fails that program only" {
    run render-one --plugin "$SYNTH" --export-programs "$T/ref"
    assert_success
    local n=${#lines[@]}
    mkdir -p "$T/progs"
    ln -s "$T/outside/victim.wav" "$T/progs/Quiet.vstpreset"
    run render-one --plugin "$SYNTH" --export-programs "$T/progs"
    assert_failure 1
    assert_equal "${#lines[@]}" "$n"
    assert_equal "$(jq -r 'select(.status == "error") | .error.message' <<<"$output")" \
        "$T/progs/Quiet.vstpreset: a symbolic link inside the output folder; refusing to write through it"
    assert_outside_untouched
    local f
    for f in "$T"/ref/*.vstpreset; do
        [ "${f##*/}" = Quiet.vstpreset ] || cmp "$f" "$T/progs/${f##*/}" || fail "${f##*/} differs"
    done
}

@test "serum-unwrap --state-dir: a link where a state goes is refused, never written through nor reused" {
    local rec
    rec=$(jq -nc --arg p "$SERUM" '{preset_format: "serum2", preset_path: $p}')
    run serum-unwrap --state-dir "$T/ref" <<<"$rec"
    assert_success
    local state name
    state=$(jq -r .state_path <<<"$output")
    name=${state##*/}
    mkdir -p "$T/states"
    ln -s "$T/outside/victim.wav" "$T/states/$name"
    run serum-unwrap --state-dir "$T/states" <<<"$rec"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "$T/states/$name: a symbolic link inside the output folder; refusing to write through it"
    assert_outside_untouched
    # Not even a link to the very bytes of the state is taken for it.
    cp "$state" "$T/outside/same"
    rm "$T/states/$name" && ln -s "$T/outside/same" "$T/states/$name"
    run serum-unwrap --state-dir "$T/states" <<<"$rec"
    assert_failure 1
    assert_output --partial "refusing to write through it"
    cmp "$state" "$T/outside/same"
}

@test "render-index: links planted in its folder are refused: an image fails its row, index.html or images/ the run" {
    mkdir -p "$OUT"
    render -o "$OUT/a.wav" >"$T/a.ndjson"
    mkdir -p "$T/page/images"
    ln -s "$T/outside/victim.wav" "$T/page/images/000001-wave.png"
    run --separate-stderr render-index --out "$T/page" <"$T/a.ndjson"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "$T/page/images/000001-wave.png: a symbolic link inside the output folder; refusing to write through it"
    assert_outside_untouched
    rm "$T/page/images/000001-wave.png" "$T/page/index.html"
    ln -s "$T/outside/victim.wav" "$T/page/index.html"
    run --separate-stderr render-index --out "$T/page" <"$T/a.ndjson"
    assert_failure 3
    # shellcheck disable=SC2154 # $stderr is set by bats' run --separate-stderr
    assert_equal "$stderr" \
        "render-index: $T/page/index.html: a symbolic link inside the output folder; refusing to write through it"
    assert_outside_untouched
    rm "$T/page/index.html"
    run --separate-stderr render-index --out "$T/page" <"$T/a.ndjson"
    assert_success
    assert_equal "$(names_in "$T/page/images" | paste -sd,)" "000001-spec.png,000001-wave.png"
}
