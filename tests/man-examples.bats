#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# The man pages' EXAMPLES, run as written: tests/man-examples extracts each
# command, and each page's test runs them in a scratch folder holding what
# they name (fixture presets and MIDI files, amsynth's own programs, the
# test synth under the names the examples give it), then checks the exit
# status and what the page says the command does. An example a page marks
# `.\" example: not run: REASON` is counted by the extractor, not run.
# Over 400 lines: one test per page, each setting up what its examples name.
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
PROBE="$VR_BIN/../tests/audio-probe"
MAN_DIR="$TESTS_DIR/../man"
MIDI="$FIXTURES/midi/files"
SERUM="$FIXTURES/serum2/files"
BROKEN="$FIXTURES/vstpreset/files/mislabeled/apple-plist.vstpreset"

# amsynth's programs as .fxp files, made once for the file (render-one's own
# --export-programs); a test that needs them fails if this did not work.
setup_file() {
    render-one --plugin "$AMSYNTH" --plugin-home "$BATS_FILE_TMPDIR/home" \
        --export-programs "$BATS_FILE_TMPDIR/amsynth" >/dev/null 2>&1 || true
}

# Each test: an empty scratch folder to run in, and a home as a user's
# desktop session has one (amsynth writes to ~/.local/share, Qt plugins
# want XDG_RUNTIME_DIR).
setup() {
    SCRATCH="$BATS_TEST_TMPDIR/ex"
    export HOME="$BATS_TEST_TMPDIR/home" XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
    mkdir -p "$SCRATCH" "$HOME/.local/share" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
}

# --- what the examples name ---------------------------------------------------

# Three of amsynth's programs in DIR, two of them in sub-folders (a name with
# two spaces among them), plus, with "broken", a file that is no preset.
amsynth_presets() {
    local dir="$1" src="$BATS_FILE_TMPDIR/amsynth"
    [ -f "$src/1984.fxp" ] || fail "render-one --export-programs of amsynth failed in setup_file"
    mkdir -p "$dir/Bass" "$dir/Pads"
    cp "$src/1984.fxp" "$dir/"
    cp "$src/5-S  Bass.fxp" "$dir/Bass/"
    cp "$src/3rdBalcony.fxp" "$dir/Pads/"
    if [ "${2:-}" = broken ]; then cp "$BROKEN" "$dir/"; fi
}

# Four fixture presets of four formats in DIR.
fixture_presets() {
    mkdir -p "$1"
    cp "$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp" "$FIXTURES/fxp/files/destroyfx/subverb STY.fxp" \
        "$FIXTURES/vstpreset/files/iterum/BBD_Analog_Dreams.vstpreset" "$SERUM/CharlesBT/temp1.SerumPreset" "$1/"
}

# The test synth's VST3 build as a bundle named NAME.vst3 in the scratch
# folder (JUCE finds a bundle's binary by the bundle's name).
test_synth_as() {
    local bin="$VR_TEST_SYNTH_VST3/Contents/x86_64-linux/vr-test-synth.so"
    [ -f "$bin" ] || fail "no test synth at $VR_TEST_SYNTH_VST3 (make test-plugins)"
    mkdir -p "$SCRATCH/$1.vst3/Contents/x86_64-linux"
    cp "$bin" "$SCRATCH/$1.vst3/Contents/x86_64-linux/$1.so"
}

# --- running a page's examples ------------------------------------------------

# Reads the runnable examples of man page $1 into EX_LINE and EX_CMD.
examples() {
    PAGE="$1"
    EX_LINE=() EX_CMD=() EX_RAN=()
    local listing page line cmd
    listing=$("$TESTS_DIR/man-examples" "$MAN_DIR/$PAGE" 2>"$BATS_TEST_TMPDIR/man-examples.err") ||
        fail "man-examples $PAGE: $(cat "$BATS_TEST_TMPDIR/man-examples.err")"
    while IFS=$'\t' read -r page line cmd; do
        EX_LINE+=("$line")
        EX_CMD+=("$cmd")
    done <<<"$listing"
    [ "${#EX_CMD[@]}" -gt 0 ] || fail "$PAGE: no examples to run"
}

# example N [STATUS [THEN]]: runs the page's Nth example in the scratch folder
# (bash, pipefail, so each stage's status counts), then the shell text THEN
# in the same shell (to show a variable the example set). Fails with the
# page and line unless it exits STATUS (default 0) and writes nothing to
# stderr. Leaves $output; WHERE names the example for later messages.
example() {
    local n="$1" want="${2:-0}" then="${3:-}"
    ((n >= 1 && n <= ${#EX_CMD[@]})) || fail "$PAGE has no example $n"
    local cmd="${EX_CMD[n - 1]}"
    WHERE="$PAGE:${EX_LINE[n - 1]}"
    EX_RAN[n]=1
    cd "$SCRATCH" || fail "no scratch folder"
    # shellcheck disable=SC2016 # $? and $vr_status are the inner shell's
    run --separate-stderr bash -o pipefail -c "$cmd"$'\n''vr_status=$?'$'\n'"$then"$'\n''exit $vr_status'
    [ "$status" -eq "$want" ] || fail "$WHERE: exit $status, expected $want
command: $cmd
stdout: $output
stderr: $stderr"
    [ -z "$stderr" ] || fail "$WHERE: wrote to stderr: $stderr"
}

# Fails unless each runnable example of the page was run by its test.
all_examples_run() {
    local i
    for i in "${!EX_CMD[@]}"; do
        [ -n "${EX_RAN[i + 1]:-}" ] || fail "$PAGE:${EX_LINE[i]}: example $((i + 1)) is not run by its test: ${EX_CMD[i]}"
    done
}

# check WHAT CONDITION...: runs the condition; fails naming the example.
check() {
    local what="$1"
    shift
    "$@" || fail "$WHERE: $what"
}

# Each line of $output satisfies the jq filter $1.
each_line() { jq -e -s "length > 0 and all(.[]; $1)" <<<"$output" >/dev/null; }

# The file $1 is audio of $2 frames (or any length when $2 is "") whose peak
# is above -40 dBFS.
sounds() {
    local probe frames peak
    probe=$("$PROBE" "$1") || { echo "$1: not audio" >&2; return 1; }
    frames=$(jq -r .frames <<<"$probe")
    peak=$(jq -r .peak_dbfs <<<"$probe")
    [ -z "$2" ] || [ "$frames" -eq "$2" ] || { echo "$1: $frames frames, expected $2" >&2; return 1; }
    awk -v p="$peak" 'BEGIN { exit !(p != "null" && p > -40) }' || { echo "$1: peak $peak dBFS" >&2; return 1; }
}

# --- the extractor --------------------------------------------------------------

@test "man-examples lists every example of every page, the marked ones apart, and counts them" {
    run --separate-stderr "$TESTS_DIR/man-examples"
    assert_success
    local total run_n skip_n
    total=$(sed -nE 's/^man-examples: ([0-9]+) pages, ([0-9]+) examples: ([0-9]+) to run, ([0-9]+) not run$/\2/p' <<<"$stderr")
    run_n=$(sed -nE 's/^man-examples: [0-9]+ pages, [0-9]+ examples: ([0-9]+) to run.*/\1/p' <<<"$stderr")
    skip_n=$(sed -nE 's/.* to run, ([0-9]+) not run$/\1/p' <<<"$stderr" | tail -1)
    [ -n "$total" ] || fail "no count line: $stderr"
    assert_equal "${#lines[@]}" "$run_n"
    assert_equal $((run_n + skip_n)) "$total"
    # Every page has an EXAMPLES section with something to run.
    local page
    for page in "$MAN_DIR"/*.1 "$MAN_DIR"/*.7; do
        grep -q "^${page##*/}	[0-9]*	." <<<"$output" || fail "${page##*/}: no example runs"
    done
    # One example a line: page, line, command.
    assert_equal "$(awk -F '\t' 'NF != 3 || $2 !~ /^[0-9]+$/' <<<"$output")" ""
    # The skipped ones each carry their reason, and they stay few.
    run --separate-stderr "$TESTS_DIR/man-examples" --skipped
    assert_success
    assert_equal "${#lines[@]}" "$skip_n"
    ((skip_n * 4 <= total)) || fail "$skip_n of $total examples are not run; keep such marks few"
    assert_equal "$(awk -F '\t' 'NF != 4 || $2 !~ /^[0-9]+$/ || $3 == ""' <<<"$output")" ""
}

@test "man-examples reads blocks, .Dl lines, continuations, escapes and marks, and refuses what it cannot read" {
    local p="$BATS_TEST_TMPDIR/t.1"
    cat >"$p" <<'EOF'
.Sh DESCRIPTION
.Dl not-an-example
.Sh EXAMPLES
Text.
.Bd -literal -offset indent
one \e
  two |
    three \-\-x '\et'
.\" example: not run: needs a display
four
five && \e
six
.Ed
.Dl seven \(aqq\(aq
.\" example: not run: needs ssh hosts
.Bd -literal
eight
nine
.Ed
.\" example: not run: a server
.Dl ten
.Sh SEE ALSO
.Dl eleven
EOF
    run --separate-stderr "$TESTS_DIR/man-examples" "$p"
    assert_success
    assert_output "t.1	6	one two | three --x '\\t'
t.1	11	five && six
t.1	14	seven 'q'"
    assert_equal "$stderr" "man-examples: t.1: 7 examples, 3 to run, 4 not run
man-examples: 1 pages, 7 examples: 3 to run, 4 not run"
    run --separate-stderr "$TESTS_DIR/man-examples" --skipped "$p"
    assert_success
    assert_output "t.1	10	needs a display	four
t.1	17	needs ssh hosts	eight
t.1	18	needs ssh hosts	nine
t.1	21	a server	ten"
    # An escape it does not know, a mark with no example after it, a mark
    # in another form, no EXAMPLES: exit 1, naming the page and line; the
    # other pages are still listed.
    printf '.Sh EXAMPLES\n.Dl a \\(em b\n' >"$BATS_TEST_TMPDIR/esc.1"
    printf '.Sh EXAMPLES\n.\\" example: not run: why\nText.\n.Dl a\n' >"$BATS_TEST_TMPDIR/mark.1"
    printf '.Sh EXAMPLES\n.\\" example: skip\n.Dl a\n' >"$BATS_TEST_TMPDIR/form.1"
    printf '.Sh NAME\n' >"$BATS_TEST_TMPDIR/none.1"
    run --separate-stderr "$TESTS_DIR/man-examples" "$BATS_TEST_TMPDIR"/{esc,mark,form,none}.1 "$p"
    assert_failure 1
    assert_equal "${#lines[@]}" 3
    assert_equal "$(grep -c '^man-examples: ' <<<"$stderr")" 6
    grep -qF 'man-examples: esc.1:2: escape \(em is not one an example may use' <<<"$stderr" || fail "$stderr"
    grep -qF 'man-examples: mark.1:2: a mark must come right before an example' <<<"$stderr" || fail "$stderr"
    grep -qF 'man-examples: form.1:2: a mark reads "example: not run: REASON"' <<<"$stderr" || fail "$stderr"
    grep -qF 'man-examples: none.1: no EXAMPLES section' <<<"$stderr" || fail "$stderr"
    run "$TESTS_DIR/man-examples" --no-such-flag
    assert_failure 2
}

# --- the pages ----------------------------------------------------------------------

@test "job-grid(1) examples run as written" {
    examples job-grid.1
    fixture_presets "$SCRATCH/presets"
    example 1
    # Four presets x notes 48, 60, 72 x velocities 64, 127.
    assert_equal "${#lines[@]}" 24
    check "notes and velocities" each_line '([.note] | inside([48, 60, 72])) and ([.velocity] | inside([64, 127]))'
    check "every job keeps its preset" each_line '.preset_path | startswith("'"$SCRATCH"'/presets/")'
    example 2
    run jq -r .note <<<"$output"
    assert_equal "$(sort -nu <<<"$output" | paste -sd,)" 21,29,37,45,53,61,69,77,85,93,101
    assert_equal "${#lines[@]}" $((4 * 11))
    # A reverb's presets (MVerb's own, as .fxp) on two dry recordings.
    mkdir -p "$SCRATCH/reverbs"
    render-one --plugin /usr/lib/vst/MVerb-vst.so --export-programs "$SCRATCH/reverbs" > /dev/null 2>&1
    ln -s /usr/lib/vst/MVerb-vst.so "$SCRATCH/reverb.so"
    write_test_audio "$SCRATCH" 1
    mv "$SCRATCH/sine44k.wav" "$SCRATCH/drums.wav"
    render-one --plugin "$AMSYNTH" --plugin-home "$HOME" --note 60 --duration 0.3 --tail 0 \
        -o "$SCRATCH/voice.flac" > /dev/null 2>&1
    example 3
    assert_equal "${#lines[@]}" 2
    check "both inputs through the preset, the reverb's tail kept" each_line \
        '.status == "ok" and .preset_applied_as != null and .tail_rendered_s > 0.2 and (.input_path | test("/(drums.wav|voice.flac)$"))'
    check "the files named by input" sounds "$SCRATCH/wet/Default_drums.wav" ""
    check "the files named by input" sounds "$SCRATCH/wet/Default_voice.wav" ""
    # Ten seeds of every preset, each file named with its seed.
    example 4
    assert_equal "${#lines[@]}" $((4 * 10))
    check "seeds 0-9 in the names" each_line '.output_path | test("_60_100_s[0-9][.]wav$")'
    # Three tempos of every preset, each file named with its tempo.
    example 5
    assert_equal "${#lines[@]}" $((4 * 3))
    assert_equal "$(jq -c .bpm <<<"$output" | paste -sd,)" 92.5,120,140,92.5,120,140,92.5,120,140,92.5,120,140
    check "the tempo in each name" each_line \
        '(.output_path | capture("_60_100_b(?<t>[0-9p]+)[.]wav$").t) == (.bpm | tostring | sub("[.]"; "p"))'
    all_examples_run
}

@test "param-sample(1) examples run as written" {
    examples param-sample.1
    example 1
    assert_equal "$(wc -l <"$SCRATCH/jobs.ndjson")" 1000
    output=$(cat "$SCRATCH/jobs.ndjson")
    check "41 parameters, sobol, seed 7, a FLAC each" each_line \
        '(.set_params | length) == 41 and .sample_method == "sobol" and .sample_seed == 7 and (.output_path | endswith(".flac"))'
    example 2
    example 3
    example 4
    check "the two halves are the whole" cmp <(cat "$SCRATCH/a.ndjson" "$SCRATCH/b.ndjson" | jq -c .set_params) \
        <(jq -c .set_params "$SCRATCH/jobs.ndjson")
    example 5
    example 6
    output=$(cat "$SCRATCH/jobs.ndjson")
    check "the filter and envelopes vary, the waveforms are fixed" each_line \
        '(.set_params | keys | map(select(startswith("filter_"))) | length) == 12 and .set_params.osc1_waveform == 0
         and .set_params.osc2_waveform == 0.25 and .set_params.amp_attack <= 0.5 and (.set_params | has("lfo_freq") | not)'
    example 7
    output=$(cat "$SCRATCH/variations.ndjson")
    check "twenty variations of each of three programs" each_line '.sample_method == "around" and (.set_params | length) == 41'
    assert_equal "$(jq -r .program_index <<<"$output" | uniq -c | awk '{print $1}' | paste -sd,)" 20,20,20
    all_examples_run
}

@test "dataset-pack(1) examples run as written" {
    examples dataset-pack.1
    example 1
    assert_equal "$(jq -r .status "$SCRATCH/packed.ndjson" | sort | uniq -c | awk '{print $1, $2}')" "20 ok"
    check "the summary counts them" grep -q '^dataset-pack: packed 20 samples (train [0-9]*, validation [0-9]*) into [0-9]* shards; skipped 0; failed 0$' "$SCRATCH/summary.txt"
    check "train's first shard" test -f "$SCRATCH/shards/train/000000.tar"
    example 2
    check "an audiofolder" test "$(wc -l <"$SCRATCH/hf/metadata.jsonl")" -eq 20
    # Two patches at three tempos, each patch's tempos in one split.
    example 3
    check "the summary counts them" grep -q '^dataset-pack: packed 6 samples (train [0-6], validation [0-6]); skipped 0; failed 0$' "$SCRATCH/summary.txt"
    run jq -r '"\(input_filename | split("/")[-2]) \(.sample_index) \(.file_name)"' "$SCRATCH"/tempo-hf/*/metadata.jsonl
    assert_equal "${#lines[@]}" 6
    assert_equal "$(cut -d' ' -f1,2 <<<"$output" | sort | uniq -c | awk '{print $1}' | sort -u)" 3
    local split file
    while read -r split _ file; do
        check "$split/$file" sounds "$SCRATCH/tempo-hf/$split/$file" ""
    done <<<"$output"
    example 4
    assert_equal "$(awk '{print $1, $2}' <<<"$output")" "$(printf '2 90\n2 120\n2 140')"
    example 5
    check "the shard's members, two a sample" test "$output" -eq 16
    all_examples_run
}

@test "midi-duration(1) examples run as written" {
    examples midi-duration.1
    cp "$MIDI/debian-ardour-data/click.mid" "$SCRATCH/song.mid"
    mkdir "$SCRATCH/songs"
    cp "$MIDI/debian-ardour-data/click.mid" "$MIDI/debian-nyquist/test.mid" \
        "$MIDI/debian-openttd-openmsx/relax_song.mid" "$SCRATCH/songs/"
    # The fixtures' lengths (tests/fixtures/midi/INDEX.tsv): 1.75, 2.8, 192 s.
    # shellcheck disable=SC2016 # $seconds is the example's, in its shell
    example 1 0 'printf "%s\n" "$seconds"'
    assert_output 1.75
    example 2
    assert_output songs/relax_song.mid
    example 3
    assert_output 196.55
    example 4
    assert_equal "${#lines[@]}" 3
    # shellcheck disable=SC2016 # $o is jq's
    check "every song rendered beside itself" \
        each_line '.status == "ok" and (.output_path | sub("[.]flac$"; "")) as $o | .midi_path | sub("[.]mid$"; "") | endswith($o)'
    # Each file is the song plus the one-second tail.
    check "click.flac" sounds "$SCRATCH/songs/click.flac" $(((175 + 100) * 480))
    check "test.flac" sounds "$SCRATCH/songs/test.flac" $(((280 + 100) * 480))
    check "relax_song.flac" sounds "$SCRATCH/songs/relax_song.flac" $(((192 + 1) * 48000))
    all_examples_run
}

@test "preset-scan(1) examples run as written" {
    examples preset-scan.1
    fixture_presets "$HOME/presets"
    mkdir "$SCRATCH/banks"
    cp "$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb" "$FIXTURES/fxp/files/DISTRHO-Ports-obxd/002 - KVR Bass.fxb" "$SCRATCH/banks/"
    fixture_presets "$SCRATCH/presets"
    cp "$BROKEN" "$SCRATCH/presets/"
    printf '"presets/%s"\n' MDAx_Harp_FxCk.fxp BBD_Analog_Dreams.vstpreset >"$SCRATCH/paths.json"

    example 1
    assert_equal "${#lines[@]}" 12
    check "three notes of each preset of ~/presets" each_line '(.preset_path | startswith("'"$HOME"'/presets/")) and .preset_format != null and ([.note] | inside([48, 60, 72]))'
    example 2
    # The banks hold 64 (MDAx) and 128 (OB-Xd) programs.
    assert_equal "${#lines[@]}" 192
    check "a name and an index per program" each_line 'keys == ["preset_name", "program_index"] and .preset_name != null and .program_index >= 0 and .program_index < 128'
    assert_equal "$(jq -s 'map(.program_index) | max' <<<"$output")" 127
    # preset-scan exits 1 for the broken file (pipefail shows it); jq prints why.
    example 3 1
    assert_output "$SCRATCH/presets/apple-plist.vstpreset: an Apple binary property list, not a VST3 preset"
    example 4
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 --partial '"preset_path":"presets/MDAx_Harp_FxCk.fxp","preset_format":"fxp"'
    assert_line --index 0 --partial '"preset_name":"Harp"'
    assert_line --index 1 --partial '"preset_path":"presets/BBD_Analog_Dreams.vstpreset","preset_format":"vstpreset"'
    all_examples_run
}

@test "assign-paths(1) examples run as written" {
    examples assign-paths.1
    amsynth_presets "$SCRATCH/presets"
    example 1
    assert_equal "${#lines[@]}" 9
    check "FLAC paths under renders/" each_line '.output_path | startswith("'"$SCRATCH"'/renders/") and endswith(".flac")'
    assert_equal "$(jq -r .output_path <<<"$output" | sort -u | wc -l)" 9
    example 2
    assert_equal "${#lines[@]}" 3
    check "every preset rendered" each_line '.status == "ok"'
    # The tree layout mirrors the preset folders.
    local f
    for f in 1984 "Bass/5-S  Bass" Pads/3rdBalcony; do
        check "$f" sounds "$SCRATCH/renders/$f.wav" ""
    done
    # Run again with one file gone: only that one is rendered.
    rm "$SCRATCH/renders/Bass/5-S  Bass.wav"
    example 2
    assert_equal "$(jq -r .status <<<"$output" | sort | paste -sd,)" ok,skipped,skipped
    assert_line --partial '"output_path":"'"$SCRATCH"'/renders/Bass/5-S  Bass.wav"'
    check "the file rendered again" sounds "$SCRATCH/renders/Bass/5-S  Bass.wav" ""
    # Two tempos of each preset, named with them.
    example 3
    assert_equal "${#lines[@]}" 6
    assert_line --partial '"bpm":92.5,"output_path":"'"$SCRATCH"'/renders/1984_60_100_b92p5.wav"'
    assert_line --partial '"bpm":120,"output_path":"'"$SCRATCH"'/renders/1984_60_100_b120.wav"'
    assert_equal "$(jq -r .output_path <<<"$output" | grep -c '_60_100_b\(92p5\|120\)[.]wav$')" 6
    all_examples_run
}

@test "render-one(1) examples run as written" {
    examples render-one.1
    # One note: two seconds held, the default one-second tail.
    example 1
    check "a.wav" sounds "$SCRATCH/a.wav" $((3 * 48000))
    check "its record" each_line '.status == "ok" and .note == 48 and .frames == 144000'

    # A dozen programs at three notes: the list's plugin_path picks the plugin.
    example 2
    run jq -s -c 'map(select(.status == "ok" and .frames == 144000)) | map(.program_index) | unique' "$SCRATCH/results.ndjson"
    assert_output "[0,1,2,3,4,5,6,7,8,9,10,11]"
    assert_equal "$(wc -l <"$SCRATCH/results.ndjson")" 36
    local f n=0
    while IFS= read -r f; do
        n=$((n + 1))
        check "$f" sounds "$f" $((3 * 48000))
    done < <(jq -r .output_path "$SCRATCH/results.ndjson")
    assert_equal "$n" 36

    # A plugin that sometimes crashes: the test synth, one of whose jobs
    # crashes it (its crash switch). The crash costs that job alone, after
    # its retries; the run again renders only what is missing.
    test_synth_as flaky
    rm -rf "$SCRATCH/renders" "$SCRATCH/results.ndjson"
    local j
    for j in 48 60 72 84; do
        printf '{"output_path":"renders/n%s.wav","note":%s%s}\n' "$j" "$j" \
            "$([ "$j" = 72 ] && echo ',"set_params":{"crash":1}')"
    done >"$SCRATCH/jobs.ndjson"
    example 3 1
    run jq -c '[.note, .status, .attempts, .error.signal]' "$SCRATCH/results.ndjson"
    assert_output '[48,"ok",1,null]
[60,"ok",1,null]
[72,"error",3,"SIGSEGV"]
[84,"ok",1,null]'
    for j in 48 60 84; do check "n$j.wav" sounds "$SCRATCH/renders/n$j.wav" $((2 * 48000)); done
    check "no file for the crashed job" test ! -e "$SCRATCH/renders/n72.wav"
    rm "$SCRATCH/renders/n60.wav"
    example 3 1
    # The second run's records follow the first's.
    assert_equal "$(wc -l <"$SCRATCH/results.ndjson")" 8
    run jq -c '[.note, .status]' "$SCRATCH/results.ndjson"
    assert_output '[48,"ok"]
[60,"ok"]
[72,"error"]
[84,"ok"]
[48,"skipped"]
[60,"ok"]
[72,"error"]
[84,"skipped"]'
    check "n60.wav again" sounds "$SCRATCH/renders/n60.wav" $((2 * 48000))
    # The newest record of each job.
    example 4
    assert_equal "$(jq -c '[.note, .status]' <<<"$output" | paste -sd' ')" '[48,"skipped"] [60,"ok"] [72,"error"] [84,"skipped"]'

    # Earlier results rendered again with other fields: amsynth at 48 kHz
    # with no target, then at 44.1 kHz normalized to -20 LUFS.
    render-one --plugin "$AMSYNTH" --duration 1 --tail 0.5 >"$SCRATCH/results.ndjson" <<EOF_JOBS
{"output_path":"again/a.wav","note":48}
{"output_path":"again/b.wav","note":60}
EOF_JOBS
    example 5
    run cat "$SCRATCH/again.ndjson"
    assert_equal "${#lines[@]}" 2
    check "both rendered again with the new fields" \
        each_line '.status == "ok" and .sample_rate_hz == 44100 and .normalize == "lufs:-20" and (.loudness_lufs + 20 | fabs) < 0.5'
    check "again/a.wav" sounds "$SCRATCH/again/a.wav" $((3 * 44100 / 2))

    # A MIDI file through synthv1 (LV2): the C scale, 1.875 s, plus 2 s.
    cp "$MIDI/github-misc/MrsWatson__c-scale.mid" "$SCRATCH/song.mid"
    example 6
    check "song.flac" sounds "$SCRATCH/song.flac" $((3875 * 48))

    # A note at 90 bpm in 6/8 through synthv1: 2 s and the default 1 s tail.
    example 7
    check "at90.wav" sounds "$SCRATCH/at90.wav" $((3 * 48000))

    # amsynth's programs as .fxp files, each a chunk preset: its 3584
    # factory programs, and the bank it makes in a new user's home.
    example 8
    local programs=${#lines[@]}
    [ "$programs" -ge 3584 ] || fail "$WHERE: $programs programs"
    assert_equal "$(find "$SCRATCH/fxp" -name '*.fxp' | wc -l)" "$programs"
    check "every record names its file" each_line '.preset_format == "fxp" and (.preset_path | startswith("'"$SCRATCH"'/fxp/"))'
    run python3 -c 'import collections, sys
print(collections.Counter(open(f, "rb").read(12)[8:].decode("latin-1") for f in sys.argv[1:]))' "$SCRATCH"/fxp/*.fxp
    assert_output "Counter({'FPCh': $programs})"
    # Rendering them all back is marked not run (minutes); the page's
    # command runs on five of them instead, with a sixth file that holds
    # the state of an amsynth that never played (render-one --save-state):
    # the one preset that does not change the state, so the one reported.
    local skipped cmd
    skipped=$("$TESTS_DIR/man-examples" --skipped "$MAN_DIR/render-one.1" 2>/dev/null | awk -F '\t' '$4 ~ /^preset-scan fxp /')
    [ -n "$skipped" ] || fail "render-one.1: the render of the exported programs is gone"
    cmd=$(cut -f4 <<<"$skipped")
    local where
    where="render-one.1:$(cut -f2 <<<"$skipped") (on six files)"
    mkdir "$SCRATCH/six"
    for f in basic11 1984 3rdBalcony "5-S  Bass" 220V; do cp "$SCRATCH/fxp/$f.fxp" "$SCRATCH/six/"; done
    local init
    init=$(cd "$SCRATCH" && render-one --plugin "$AMSYNTH" -o init.wav --save-state six/init.fxb | jq -r .state_sha256)
    run --separate-stderr bash -o pipefail -c "cd '$SCRATCH' && ${cmd/preset-scan fxp /preset-scan six }"
    [ "$status" -eq 0 ] && [ -z "$stderr" ] || fail "$where: exit $status, stderr: $stderr"
    each_line '.preset_name == "init" and .state_sha256 == "'"$init"'"' || fail "$where: not only the never-played state reported: $output"
    assert_equal "${#lines[@]}" 1
    local n=0
    while IFS= read -r f; do
        n=$((n + 1))
        sounds "$f" $((2 * 48000)) || fail "$where: $f"
    done < <(find "$SCRATCH/out" -name '*.wav')
    assert_equal "$n" 6

    # A Serum 2 preset into the test synth standing in: the state it was
    # given is serum-unwrap's processor state, whose CRC the synth reports;
    # the synth keeps that state, which it cannot read, as Serum 2 would read
    # it (else the job fails as a state the plugin ignored).
    test_synth_as test
    export VR_TEST_SYNTH_STATE=keep
    cp "$SERUM/CharlesBT/temp1.SerumPreset" "$SCRATCH/Lead.SerumPreset"
    serum-unwrap --raw -o "$BATS_TEST_TMPDIR/env.bin" "$SCRATCH/Lead.SerumPreset"
    local crc
    crc=$(python3 -c 'import sys, zlib; print("0x%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$BATS_TEST_TMPDIR/env.bin")
    example 9
    check "the preset reached the plugin, its parameters read back" \
        each_line '.status == "ok" and .preset_applied_as == "serum2" and .params[11].text == "'"$crc"'" and (.params | length) > 11'
    check "lead.wav" sounds "$SCRATCH/lead.wav" $((2 * 48000))
    unset VR_TEST_SYNTH_STATE

    all_examples_run
}

@test "serum-unwrap(1) examples run as written" {
    examples serum-unwrap.1
    mkdir "$SCRATCH/Pads"
    cp "$SERUM/CharlesBT/temp1.SerumPreset" "$SCRATCH/Pads/Warm Pad.SerumPreset"
    cp "$SERUM/CharlesBT/temp1.SerumPreset" "$SERUM/wiillownet/test_preset.SerumPreset" \
        "$SERUM/Celian-mrc/init_preset.SerumPreset" "$SCRATCH/"
    example 1
    assert_output ""
    check "pad.vst3state is a JUCE VST3 state" test "$(head -c 4 "$SCRATCH/pad.vst3state")" = 'VC2!'
    example 2
    check "the oscillator's settings" jq -e 'type == "object" and length > 0' <<<"$output"
    example 3
    assert_output '["Init",[]]
["temp1",["Wavetable","Poly"]]
["test_preset",["Wavetable","Poly"]]'
    all_examples_run
}

@test "render-index(1) examples run as written" {
    examples render-index.1
    amsynth_presets "$SCRATCH/presets" broken
    # The broken file's record fails each stage it passes (exit 1).
    example 1 1
    run jq -r .status "$SCRATCH/results.ndjson"
    assert_equal "$(sort <<<"$output" | paste -sd,)" error,ok,ok,ok
    local f
    while IFS= read -r f; do check "$f" sounds "$f" $((2 * 48000)); done \
        < <(jq -r 'select(.status == "ok") | .output_path' "$SCRATCH/results.ndjson")
    example 2 1
    local page="$SCRATCH/renders/preview/index.html"
    assert_equal "$(grep -c '<tr class="row"' "$page")" 4
    for f in 1984 "5-S  Bass" 3rdBalcony; do
        grep -qF "$f" "$page" || fail "$WHERE: $f is not on the page"
    done
    example 3 1
    assert_equal "${#lines[@]}" 1
    assert_output --partial '"status":"error"'
    assert_output --partial apple-plist.vstpreset
    grep -qF '<title>Failed renders' "$SCRATCH/failures/index.html" || fail "$WHERE: not titled"
    assert_equal "$(grep -c '<tr class="row"' "$SCRATCH/failures/index.html")" 1
    all_examples_run
}

@test "vst-render(7) examples run as written" {
    examples vst-render.7
    amsynth_presets "$SCRATCH/presets" broken
    # Three presets at three notes, and the broken file's error (exit 1).
    example 1 1
    assert_equal "$(wc -l <"$SCRATCH/results.ndjson")" 10
    local f n=0
    while IFS= read -r f; do
        n=$((n + 1))
        check "$f" sounds "$f" $((3 * 48000))
    done < <(jq -r 'select(.status == "ok") | .output_path' "$SCRATCH/results.ndjson")
    assert_equal "$n" 9
    example 2
    assert_equal "${#lines[@]}" 1
    assert_output --partial '"preset_path":"'"$SCRATCH"'/presets/apple-plist.vstpreset"'
    assert_output --partial '"status":"error"'
    all_examples_run
}
