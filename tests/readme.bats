#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The README as a newcomer reads it (issue 48): at most 300 lines, every
# relative link leading somewhere, one line and one man page per tool, and
# every shell example run as written, in a scratch folder holding what it
# names. An example CI cannot run (Serum, ssh hosts, a cluster) is marked
# `<!-- example: not run: REASON -->`, REASON naming the suite that runs the
# same command; tests/readme-examples reads the blocks and the marks. And
# the pages the README sends contributors to stay true to the tree:
# tests/README.md lists every suite, HACKING.md's layers are check-layers'.
# Backquotes and $ in single quotes here are Markdown's, sed's and jq's.
# shellcheck disable=SC2016
bats_require_minimum_version 1.5.0
load helper

ROOT="$TESTS_DIR/.."
README="$ROOT/README.md"
AMSYNTH=/usr/lib/vst/amsynth_vst.so
PROBE="$VR_BIN/../tests/audio-probe"

# The README's sections whose example this file runs, a test each below:
# every example not marked must be in one of them.
RUN_SECTIONS=("Linux plugins" "Effects and chains" "Datasets: sampling and packing"
    "make, GNU parallel, xargs, ssh and Slurm" "Auditioning")

# Each test: an empty scratch folder to run in; amsynth's Qt wants a
# runtime folder (HOME is the file's, tests/helper.bash, so the probe cache
# is shared by the tests).
setup() {
    SCRATCH="$BATS_TEST_TMPDIR/ex"
    export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
    mkdir -p "$SCRATCH" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
}

# The README's examples, one JSON object a line (tests/readme-examples).
examples() {
    "$TESTS_DIR/readme-examples" "$README" 2>"$BATS_TEST_TMPDIR/readme-examples.err" ||
        fail "readme-examples: $(cat "$BATS_TEST_TMPDIR/readme-examples.err")"
}

# run_example SECTION: runs the one example of the README's SECTION that is
# not marked, in the scratch folder under bash -euo pipefail (so each
# command and each stage counts); fails naming it and showing its output
# unless it exits 0. Leaves $output, $stderr and $lines.
# shellcheck disable=SC2154 # $stderr is set by bats' run
run_example() {
    local listing code n
    listing=$(examples)
    n=$(jq -s --arg s "$1" 'map(select(.section == $s and .run)) | length' <<<"$listing")
    [ "$n" -eq 1 ] || fail "README, \"$1\": $n examples to run; this test runs one"
    code=$(jq -r --arg s "$1" 'select(.section == $s and .run) | .code' <<<"$listing")
    cd "$SCRATCH" || fail "no scratch folder"
    run --separate-stderr bash -euo pipefail -c "$code"
    [ "$status" -eq 0 ] || fail "README, \"$1\": exit $status
$code
stdout: $output
stderr: $stderr"
}

# sounds FILE FRAMES: FILE is audio of FRAMES frames (any length for "")
# whose peak is above -40 dBFS.
sounds() {
    local probe frames peak
    probe=$("$PROBE" "$1") || fail "$1: not audio"
    frames=$(jq -r .frames <<<"$probe")
    peak=$(jq -r .peak_dbfs <<<"$probe")
    [ -z "$2" ] || [ "$frames" -eq "$2" ] || fail "$1: $frames frames, expected $2"
    awk -v p="$peak" 'BEGIN { exit !(p != "null" && p > -40) }' || fail "$1: peak $peak dBFS"
}

# Two of amsynth's programs at notes 48 and 60 as jobs, FLAC paths below
# renders/ in the scratch folder, written to jobs.ndjson there.
amsynth_jobs() {
    render-one --plugin "$AMSYNTH" --list-programs 2>/dev/null | head -2 |
        job-grid --notes 48,60 | assign-paths --out "$SCRATCH/renders" --ext flac >"$SCRATCH/jobs.ndjson"
    assert_equal "$(wc -l <"$SCRATCH/jobs.ndjson")" 4
}

# --- the page -------------------------------------------------------------------

@test "the README holds at most 300 lines" {
    local n
    n=$(wc -l <"$README")
    ((n <= 300)) || fail "README.md: $n lines; at most 300 (move detail to man/, bench/, tests/ or HACKING.md)"
}

@test "every relative link of the README, and of the pages it sends readers to, leads somewhere" {
    run --separate-stderr "$TESTS_DIR/readme-examples" --links "$README" "$ROOT/bench/README.md" \
        "$ROOT/tests/README.md" "$ROOT/HACKING.md"
    assert_success
    assert_output ""
    assert_equal "$stderr" ""
}

@test "the README's tools table has one line per tool, each with its man page" {
    local tool want got
    want=$(for tool in "$ROOT"/tools/*.cpp; do basename "$tool" .cpp; done | sort)
    got=$(sed -nE 's/^\| `([a-z-]+)` \|.*\| \[\1\(1\)\]\(man\/\1\.1\) \|$/\1/p' "$README" | sort)
    assert_equal "$got" "$want"
    for tool in $want; do
        [ -f "$ROOT/man/$tool.1" ] || fail "$tool: no man/$tool.1"
    done
}

@test "the set-up commands are make demo and make check, exactly" {
    local code
    code=$(examples | jq -r 'select(.section == "Set up (Debian 12)") | .code')
    assert_equal "$(sed -E 's/[[:space:]]*#.*//' <<<"$code")" $'make demo\nmake check'
}

# --- the examples ---------------------------------------------------------------

@test "every example is run here or marked, and a mark names the suite that runs it" {
    local listing s
    listing=$(examples)
    # The sections with an example to run are exactly those this file runs.
    assert_equal "$(jq -r 'select(.run) | .section' <<<"$listing" | sort)" \
        "$(printf '%s\n' "${RUN_SECTIONS[@]}" | sort)"
    # Each mark names a suite (readme-examples checks that it is there),
    # and the marked examples stay few.
    assert_equal "$(jq -r 'select(.run | not) | select(.reason | test("tests/[a-z-]+[.]bats") | not) | .line' <<<"$listing")" ""
    (($(jq -s 'map(select(.run | not)) | length' <<<"$listing") <= 5)) || fail "more than five marked examples: keep such marks few"
    # The pipeline's mark says tests/pipeline.bats runs it: that suite reads
    # the first block under "## A pipeline", which must keep its form.
    grep -qF '$0 == "## A pipeline"' "$TESTS_DIR/pipeline.bats" || fail "tests/pipeline.bats no longer reads the README's pipeline"
    s=$(jq -r 'select(.section == "A pipeline") | .code' <<<"$listing")
    [[ $s == "preset-scan presets/"*"> results.ndjson" ]] || fail "not the pipeline tests/pipeline.bats expects: $s"
    assert_equal "$(jq -r 'select(.section == "A pipeline") | .reason' <<<"$listing")" \
        'tests/pipeline.bats runs it as written ("the README'"'"'s pipeline runs as written")'
}

@test "README, Linux plugins: plugin-scan lists the VST2 plugins unloaded; amsynth renders a MIDI file" {
    cp "$FIXTURES/songs/song.mid" "$SCRATCH/"
    run_example "Linux plugins"
    assert_line "$AMSYNTH"
    local record="${lines[-1]}"
    assert_equal "$(jq -r '[.status, .plugin_name, (.midi_sha256 | length)] | join(" ")' <<<"$record")" \
        "ok amsynth_vst 64"
    sounds "$SCRATCH/song.flac" "$(jq -r .frames <<<"$record")"
    (($(jq -r .frames <<<"$record") > 4 * 48000)) || fail "shorter than the song and its tail: $record"
}

@test "README, Effects and chains: amsynth through MVerb, then the result through MVerb again" {
    run_example "Effects and chains"
    assert_equal "${#lines[@]}" 2
    assert_equal "$(jq -r '[.status, (.chain | map(.plugin_name) | join(","))] | join(" ")' <<<"${lines[0]}")" \
        "ok amsynth_vst,MVerb-vst"
    assert_equal "$(jq -r '[.status, (.input_duration_s > 1)] | join(" ")' <<<"${lines[1]}")" "ok true"
    sounds "$SCRATCH/wet.flac" ""
    sounds "$SCRATCH/wetter.wav" ""
    # The reverb of a reverb lasts the input and a tail of its own.
    (($(jq .frames <<<"${lines[1]}") > $(jq .frames <<<"${lines[0]}"))) || fail "wetter.wav is not longer than its input"
}

@test "README, Datasets: twenty Sobol' samples of amsynth rendered, each its own sound, packed into shards" {
    local tar members=0
    run_example "Datasets: sampling and packing"
    run jq -r '[.status, .sample_method, .dataset_split] | join(" ")' "$SCRATCH/packed.ndjson"
    assert_equal "${#lines[@]}" 20
    assert_equal "$(printf '%s\n' "${lines[@]}" | sed -E 's/ (train|validation)$/ split/' | sort -u)" "ok sobol split"
    assert_equal "$(jq -s 'map(.param_values) | unique | length' "$SCRATCH/packed.ndjson")" 20
    # Every sample's audio and record are in the shards shards.txt lists.
    while IFS= read -r tar; do
        members=$((members + $(tar tf "$SCRATCH/shards/$tar" | wc -l)))
    done <"$SCRATCH/shards/shards.txt"
    assert_equal "$members" 40
}

@test "README, make: examples/render.mk with WARM=0 renders every job cold, one record each" {
    local f n=0
    amsynth_jobs
    ln -s "$ROOT/examples" "$SCRATCH/examples"
    run_example "make, GNU parallel, xargs, ssh and Slurm"
    assert_equal "$(jq -r '"\(.status) \(.warm_process // false)"' "$SCRATCH/jobs.ndjson.make/results.ndjson" | sort | uniq -c | awk '{ print $1, $2, $3 }')" \
        "4 ok false"
    while IFS= read -r f; do
        n=$((n + 1))
        sounds "$f" $((3 * 48000))
    done < <(jq -r .output_path "$SCRATCH/jobs.ndjson.make/results.ndjson")
    assert_equal "$n" 4
}

@test "README, Auditioning: render-index writes a page with a player per render" {
    amsynth_jobs
    render-one --plugin "$AMSYNTH" --duration 1 <"$SCRATCH/jobs.ndjson" >"$SCRATCH/results.ndjson" 2>/dev/null
    run_example "Auditioning"
    assert_equal "$(grep -c '<audio' "$SCRATCH/preview/index.html")" 4
    assert_equal "$(grep -c '<tr class="row"' "$SCRATCH/preview/index.html")" 4
}

# --- the extractor --------------------------------------------------------------

@test "readme-examples reads indented blocks and their marks, checks links, and refuses what it cannot read" {
    local d="$BATS_TEST_TMPDIR/page"
    mkdir -p "$d/tests" "$d/docs"
    touch "$d/tests/covers.bats" "$d/docs/a.png"
    cat >"$d/p.md" <<'EOF'
# Title

## First `one`

Text, then a line indented as a lazy continuation:
    not-code

    echo one \
      two

<!-- example: not run: needs a host; tests/covers.bats runs it -->

    echo three

[ok](docs/a.png) [ok too](#first-one) ![pic](docs/a.png) [web](https://example.org/x)
`[in code](nowhere.md)`

    [in a block](nowhere.md)

[gone](docs/b.png) [no anchor](#second)
EOF
    run --separate-stderr "$TESTS_DIR/readme-examples" "$d/p.md"
    assert_success
    assert_equal "$(jq -c '[.line, .section, .run, .reason, .code]' <<<"$output")" \
        '[8,"First `one`",true,null,"echo one \\\n  two"]
[13,"First `one`",false,"needs a host; tests/covers.bats runs it","echo three"]
[18,"First `one`",true,null,"[in a block](nowhere.md)"]'
    run --separate-stderr "$TESTS_DIR/readme-examples" --links "$d/p.md"
    assert_failure 1
    assert_output "$d/p.md:20: docs/b.png
$d/p.md:20: #second"
    # A fenced block; a mark naming no suite, or one that is not there; a
    # mark with text, not an example, after it.
    printf '# T\n\n```\nls\n```\n' >"$d/fenced.md"
    printf '<!-- example: not run: needs a host -->\n\n    ls\n' >"$d/nosuite.md"
    printf '<!-- example: not run: tests/gone.bats -->\n\n    ls\n' >"$d/gone.md"
    printf '<!-- example: not run: tests/covers.bats -->\nText.\n\n    ls\n' >"$d/text.md"
    printf '<!-- example: skip -->\n\n    ls\n' >"$d/bad.md"
    local f
    for f in fenced nosuite gone text bad; do
        run --separate-stderr "$TESTS_DIR/readme-examples" "$d/$f.md"
        assert_failure 1
        [[ $stderr == "readme-examples: $d/$f.md"* ]] || fail "$f: $stderr"
    done
}

# --- the pages for contributors ---------------------------------------------------

@test "tests/README.md lists every suite once, and no suite that is not there" {
    assert_equal "$(sed -nE 's/^\| `([a-z0-9-]+\.bats)` \|.*/\1/p' "$TESTS_DIR/README.md" | sort)" \
        "$(find "$TESTS_DIR" -maxdepth 1 -name '*.bats' -printf '%f\n' | sort)"
}

@test "HACKING.md's layers of lib/ are build-aux/check-layers' own, bottom up" {
    run --separate-stderr python3 - "$ROOT" <<'EOF'
import importlib.machinery, importlib.util, os, re, sys
root = sys.argv[1]
loader = importlib.machinery.SourceFileLoader('check_layers', os.path.join(root, 'build-aux/check-layers'))
module = importlib.util.module_from_spec(importlib.util.spec_from_loader('check_layers', loader))
loader.exec_module(module)
layers = module.LAYERS
text = open(os.path.join(root, 'HACKING.md'), encoding='utf-8').read()
section = text.split('## The layers of lib/', 1)[1].split('\n## ', 1)[0]
rows = [re.findall(r'`([a-z0-9_]+)/`', line.split('|')[1])
        for line in section.split('\n') if line.startswith('| `')]
row_of = {folder: i for i, folders in enumerate(rows) for folder in folders}
lib = {d for d in os.listdir(os.path.join(root, 'lib')) if os.path.isdir(os.path.join(root, 'lib', d))}
for folder in sorted(set(layers) | lib):
    if folder not in row_of:
        print(f'{folder}/: in lib/ or check-layers, not in HACKING.md')
# Folders HACKING.md names that check-layers does not know yet (one being
# moved in on another branch) are let be; the rest must agree pairwise.
known = [f for f in row_of if f in layers]
for a in known:
    for b in known:
        if (row_of[a] < row_of[b]) != (layers[a] < layers[b]) or (row_of[a] == row_of[b]) != (layers[a] == layers[b]):
            print(f'{a}/ and {b}/: HACKING.md rows {row_of[a]}, {row_of[b]}; check-layers layers {layers[a]}, {layers[b]}')
print(f'{len(rows)} rows, {len(row_of)} folders')
EOF
    assert_success
    assert_output --regexp '^[0-9]+ rows, [0-9]+ folders$'
}
