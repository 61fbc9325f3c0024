#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one on real plugins from Debian and on the project's test synth.
# Over 400 lines: one file per tool (HOUSE-STYLE), and render-one does the
# most; its dataset, preset, reliability and hostile cases have files of their own.
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
ZYN=/usr/lib/vst/ZynAddSubFX.so
KARS=/usr/lib/vst/Kars-vst.so
NEKOBI=/usr/lib/vst/Nekobi-vst.so
SYNTHV1=http://synthv1.sourceforge.net/lv2
SO404=urn:50m30n3:plugins:SO-404
CLICK="$FIXTURES/midi/files/debian-ardour-data/click.mid"   # 1.75 s
SCALE="$FIXTURES/midi/files/github-misc/MrsWatson__c-scale.mid"   # 1.875 s, channel 1
: "${VR_TEST_SYNTH_VST3:=$TESTS_DIR/../build/plugins/vst3/vr-test-synth.vst3}"
: "${VR_TEST_SYNTH_LV2:=$TESTS_DIR/../build/plugins/lv2/vr-test-synth.lv2}"
: "${VR_TEST_SYNTH_VST2:=$TESTS_DIR/../build/plugins/vst/vr-test-synth.so}"
PROBE="$VR_BIN/../tests/audio-probe"

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# One job record as JSON: job OUTPUT [extra "key":value pairs]
job() {
    local out="$1"
    shift
    local extra=""
    for kv in "$@"; do extra+=",$kv"; done
    printf '{"output_path":"%s"%s}\n' "$out" "$extra"
}
export -f job

# Field $2 of the measurements audio-probe makes of file $1.
probe() { "$PROBE" "$1" | jq -r ".$2"; }

# Fails unless the file has $2 frames and a peak above $3 dBFS.
assert_audio() {
    local frames peak
    frames=$(probe "$1" frames)
    peak=$(probe "$1" peak_dbfs)
    [ "$frames" -eq "$2" ] || fail "$1: $frames frames, expected $2"
    awk -v p="$peak" -v min="$3" 'BEGIN { exit !(p != "null" && p > min) }' || fail "$1: peak $peak dBFS, expected above $3"
}

@test "render-one --help prints usage on stdout and exits 0" {
    run render-one --help
    assert_success
    assert_output --partial "--plugin"
    assert_output --partial "--list-programs"
}

@test "render-one rejects a bad flag or value with exit 2" {
    run render-one --no-such-flag
    assert_failure 2
    assert_output --partial "try 'render-one --help'"
    run render-one --plugin "$AMSYNTH" --channels 3
    assert_failure 2
    run render-one --plugin "$AMSYNTH" --sample-format pcm8
    assert_failure 2
    run render-one --list-programs
    assert_failure 2
}

@test "render-one follows the record contract" {
    check_record_tool_contract "render-one --plugin $KARS"
}

@test "render-one exits 0 quietly when the reader closes the pipe" {
    sh_run "for i in 1 2 3; do echo '{\"output_path\":\"$OUT/'\$i'.wav\",\"duration_s\":0.1,\"tail_s\":0}'; done \
        | render-one --plugin $KARS 2>/dev/null | head -1 | jq -r .status"
    assert_success
    assert_output ok
}

@test "amsynth renders a note and a MIDI file at the requested length, fields kept, records complete" {
    sh_run "{ echo '{\"keep\":1,\"output_path\":\"$OUT/n.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.25,\"zz\":[1]}'
              job '$OUT/m.flac' '\"midi_path\":\"$CLICK\"'; } | render-one --plugin $AMSYNTH --tail 0.5 2>/dev/null"
    assert_success
    assert_ndjson
    assert_equal "${#lines[@]}" 2
    local second="${lines[1]}"
    run jq -c '[.keep, .zz, .status, .frames, .plugin_format, .plugin_name, (.peak_dbfs > -40), .silent,
                (.fresh_instance|type), (.render_s|type), (.plugin_load_s|type), .plugin_id]' <<<"${lines[0]}"
    assert_output '[1,[1],"ok",36000,"vst2","amsynth_vst",true,false,"boolean","number","number","amsy"]'
    run jq -c '[.status, .frames, .midi_duration_s]' <<<"$second"
    assert_output '["ok",108000,1.75]'
    assert_audio "$OUT/n.wav" 36000 -40
    assert_audio "$OUT/m.flac" 108000 -40
}

@test "VST2 and LV2 synths from Debian render a note and a MIDI file, non-silent" {
    for plugin in "$ZYN" "$KARS" "$NEKOBI" "$SYNTHV1" "$SO404"; do
        name=$(basename "$plugin" | tr -c 'A-Za-z0-9\n' _)
        sh_run "{ job '$OUT/$name-note.wav' '\"note\":57' '\"duration_s\":0.5' '\"tail_s\":0.2'
                  job '$OUT/$name-midi.wav' '\"midi_path\":\"$SCALE\"' '\"tail_s\":0.2'; } \
                | render-one --plugin '$plugin' --sample-rate 44100 2>/dev/null"
        [ "$status" -eq 0 ] || fail "$plugin: $output"
        assert_audio "$OUT/$name-note.wav" 30870 -70
        assert_audio "$OUT/$name-midi.wav" 91508 -70
    done
}

@test "the test synth (VST3, LV2 and VST2) renders a note and a MIDI file" {
    for plugin in "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_LV2" "$VR_TEST_SYNTH_VST2"; do
        name=$(basename "$plugin")
        sh_run "{ job '$OUT/$name-note.wav' '\"duration_s\":0.5' '\"tail_s\":0.2'
                  job '$OUT/$name-midi.wav' '\"midi_path\":\"$CLICK\"' '\"tail_s\":0.25'; } \
                | render-one --plugin '$plugin' 2>/dev/null"
        [ "$status" -eq 0 ] || fail "$plugin: $output"
        assert_audio "$OUT/$name-note.wav" 33600 -20
        assert_audio "$OUT/$name-midi.wav" 96000 -20
    done
}

@test "a VST3 is made once to render a job: no throwaway instance describes it, yet its record names it as plugin-scan does" {
    # JUCE's VST3 scan makes an instance to describe the plugin and throws
    # it away (2 made here, in fork isolation, at 4f8dc22, before f47ecb1's
    # host/vst3_classes); the factory's class list names it instead. The
    # first run probes the plugin (instances of its own) and keeps the
    # verdict; the second makes the job's instance alone.
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --isolation fork -o "$OUT/probed.wav" --note 60
    assert_success
    VR_TEST_SYNTH_COUNT_MADE="$BATS_TEST_TMPDIR/made" run --separate-stderr \
        render-one --plugin "$VR_TEST_SYNTH_VST3" --isolation fork -o "$OUT/once.wav" --note 60 --duration 0.3 --tail 0.1
    assert_success
    assert_equal "$(jq -c .probe_cached <<<"$output")" true
    assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/made")" 1
    assert_audio "$OUT/once.wav" 19200 -20
    record=$output
    run --separate-stderr plugin-scan "$VR_TEST_SYNTH_VST3"
    assert_success
    for field in plugin_name plugin_id plugin_version plugin_format; do
        assert_equal "$(jq -r ".$field" <<<"$record")" "$(jq -r ".$field" <<<"$output")"
    done
}

# Compares channel $2 of file $1, over frames [0, $3), with the test synth's
# sine for note $4 at velocity $5, level $6, 48 kHz.
assert_sine() {
    "$PROBE" --samples "$2" "$1" | head -n "$3" | awk -v note="$4" -v vel="$5" -v level="$6" '
        BEGIN { pi = 3.141592653589793; f = 440 * 2 ^ ((note - 69) / 12); amp = vel / 127 * level; worst = 0 }
        { want = amp * sin(2 * pi * f * (NR - 1) / 48000); d = $1 - want; if (d < 0) d = -d
          if (d > worst) { worst = d; at = NR - 1 } }
        END { if (NR == 0 || worst > 1e-6) { printf "frames %d, worst difference %g at %d\n", NR, worst, at; exit 1 } }'
}

@test "the test synth's float32 output is the sine, sample for sample" {
    for plugin in "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_LV2" "$VR_TEST_SYNTH_VST2"; do
        sh_run "job '$OUT/s.wav' '\"note\":69' '\"velocity\":127' '\"duration_s\":0.5' '\"tail_s\":0.5' \
                | render-one --plugin $plugin --sample-format float32 2>/dev/null"
        assert_success
        run assert_sine "$OUT/s.wav" 0 24000 69 127 0.5
        assert_success
        run assert_sine "$OUT/s.wav" 1 24000 69 127 0.5
        assert_success
        # The release is over within its 100 ms: the last 100 ms are silence.
        run bash -c "'$PROBE' --samples 0 '$OUT/s.wav' | tail -n 4800 | sort -u"
        assert_output 0
    done
}

@test "program_index selects the plugin's own program, by its effect" {
    run bash -c "render-one --plugin '$VR_TEST_SYNTH_VST3' --list-programs 2>/dev/null"
    assert_success
    assert_equal "$(jq -r .preset_name <<<"$output" | paste -sd,)" "Init,Quiet,Loud,Full"
    sh_run "render-one --plugin $VR_TEST_SYNTH_VST3 --list-programs 2>/dev/null \
            | jq -c --arg o '$OUT' '. + {output_path: (\$o + \"/p\" + (.program_index|tostring) + \".wav\"), note: 69, velocity: 127, duration_s: 0.2, tail_s: 0}' \
            | render-one --sample-format float32 2>/dev/null"
    assert_success
    run assert_sine "$OUT/p2.wav" 0 9600 69 127 0.75
    assert_success
    run assert_sine "$OUT/p3.wav" 0 9600 69 127 1.0
    assert_success
    run assert_sine "$OUT/p0.wav" 0 9600 69 127 0.5
    assert_success
}

@test "amsynth lists its programs as records" {
    run bash -c "render-one --plugin '$AMSYNTH' --list-programs 2>/dev/null"
    assert_success
    assert_equal "${#lines[@]}" 3584
    assert_line --index 0 --regexp '^\{"plugin_path":"/usr/lib/vst/amsynth_vst.so","program_index":0,"preset_name":"[^"]+"\}$'
    # Programs have their names, though amsynth names only the current one
    # (the only unnamed ones are the empty slots of its last bank).
    run bash -c "render-one --plugin '$AMSYNTH' --list-programs 2>/dev/null | head -128 | jq -r .preset_name | sort -u | wc -l"
    [ "$output" -gt 100 ]
    run bash -c "render-one --plugin '$AMSYNTH' --list-programs 2>/dev/null | head -128 | jq -r 'select(.preset_name == \"\")'"
    assert_output ""
}

# Renders 50 jobs and then job $2 with plugin $1 in one worker, and job $2
# alone in a fresh process; the two files must be identical.
assert_reproducible() {
    local plugin="$1" target="$2"
    {
        for i in $(seq 1 50); do
            if ((i % 10 == 5)); then  # a MIDI file, cut short, leaves notes and controllers behind
                job "$OUT/warm-$i.wav" "\"midi_path\":\"$SCALE\"" '"midi_duration_s":0.3' '"tail_s":0'
            else
                job "$OUT/warm-$i.wav" "\"note\":$((40 + i % 40))" "\"velocity\":$((30 + i))" '"duration_s":0.15' \
                    '"tail_s":0.05' '"sample_format":"float32"'
            fi
        done
        job "$OUT/late.wav" "$target"
    } | render-one --plugin "$plugin" >"$OUT/late.ndjson" 2>/dev/null || fail "$plugin: $(grep -v warm- "$OUT/late.ndjson")"
    job "$OUT/alone.wav" "$target" | render-one --plugin "$plugin" >/dev/null 2>&1 || fail "$plugin: alone failed"
    [ "$(probe "$OUT/alone.wav" peak_dbfs)" != null ] || fail "$plugin: silent render"
    cmp "$OUT/late.wav" "$OUT/alone.wav" || fail "$plugin: the 51st job differs from the same job alone"
}

@test "a job rendered after 50 others equals the same job rendered alone (amsynth, ZynAddSubFX)" {
    assert_reproducible "$AMSYNTH" '"note":60,"duration_s":0.3,"tail_s":0.2,"sample_format":"float32"'
    assert_reproducible "$ZYN" '"note":60,"duration_s":0.3,"tail_s":0.2,"sample_format":"float32"'
}

@test "a job rendered after 50 others equals the same job alone (test synth, in place and history mode)" {
    # Its reset restores it: jobs play in place, after a reset.
    assert_reproducible "$VR_TEST_SYNTH_VST3" '"note":60,"duration_s":0.3,"tail_s":0.2,"sample_format":"float32"'
    run jq -r .fresh_instance "$OUT/late.ndjson"
    assert_line --index 50 false
    # Its history mode (a phase that runs on across resets) needs the pristine instance.
    assert_reproducible "$VR_TEST_SYNTH_VST3" '"note":60,"duration_s":0.3,"tail_s":0.2,"sample_format":"float32","set_params":{"history":1}'
}

@test "identical jobs give byte-identical WAV and FLAC files" {
    sh_run "{ job '$OUT/a.wav' '\"duration_s\":0.3'; job '$OUT/b.wav' '\"duration_s\":0.3';
              job '$OUT/a.flac' '\"duration_s\":0.3'; job '$OUT/b.flac' '\"duration_s\":0.3'; } \
            | render-one --plugin $AMSYNTH --tail 0.1 2>/dev/null"
    assert_success
    cmp "$OUT/a.wav" "$OUT/b.wav"
    cmp "$OUT/a.flac" "$OUT/b.flac"
}

@test "a plugin printing to stdout leaves the record stream valid" {
    sh_run "{ job '$OUT/p1.wav' '\"set_params\":{\"print\":1}' '\"duration_s\":0.2'; job '$OUT/p2.wav' '\"duration_s\":0.2'; } \
            | VR_TEST_SYNTH_PRINT=1 render-one --plugin $VR_TEST_SYNTH_VST3 --tail 0 2>/dev/null"
    assert_success
    assert_ndjson
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 --partial '"status":"ok"'
    assert_line --index 1 --partial '"status":"ok"'
}

@test "--job renders one job given as an argument, --records writes its record to a file, --link points at its output once it is there: the bytes of the same job on stdin" {
    job "$OUT/stdin.wav" '"duration_s":0.2' | render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0 >"$OUT/stdin.ndjson"
    mkdir "$OUT/here"
    cd "$OUT/here"
    # A plugin's own printing goes to stderr, not the records.
    # shellcheck disable=SC2016 # a $ in the output file's name
    run --separate-stderr env VR_TEST_SYNTH_PRINT=1 render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0 \
        --job '{"output_path":"rel $x.wav","duration_s":0.2,"set_params":{"print":1}}' --records r.ndjson --link out/../l1
    assert_success
    assert_output ''
    [ -L l1 ] && [ "$(readlink l1)" = "$OUT/here/rel \$x.wav" ] || fail "l1 is not a link to the output"
    cmp "$OUT/stdin.wav" "rel \$x.wav"
    # shellcheck disable=SC2016 # a $ in the output file's name
    assert_equal "$(jq -c '[.status, .output_path]' r.ndjson)" '["ok","rel $x.wav"]'
    # A failed job: its error record in the file, exit 1, and no link (an
    # old one stays as it was).
    run --separate-stderr render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0 \
        --job '{"output_path":"bad.wav","note":200}' --records r.ndjson --link l1
    assert_failure 1
    assert_equal "$(jq -c '[.status, (.error.message | test("note"))]' r.ndjson)" '["error",true]'
    assert_equal "$(readlink l1)" "$OUT/here/rel \$x.wav"
    [ ! -e bad.wav ] || fail "the failed job wrote a file"
    # The link replaced, atomically, for the next job's output.
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --tail 0 --job "{\"output_path\":\"$OUT/abs.wav\",\"duration_s\":0.2}" \
        --records r.ndjson --link l1
    assert_success
    assert_equal "$(readlink l1)" "$OUT/abs.wav"
    cmp "$OUT/stdin.wav" "$OUT/abs.wav"
    # What does not go.
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" --link l2
    assert_output --partial "--link goes with --job"
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" -o x.wav --job '{}'
    assert_output --partial "--job is a batch of one job"
    assert_usage_error render-one --plugin "$VR_TEST_SYNTH_VST3" --job $'{"output_path":\n"y.wav"}'
    assert_output --partial "--job takes one job as one line"
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --job '{}' --records "$OUT/no/such/dir/r.ndjson"
    assert_failure
    assert_output --partial "cannot write the records to $OUT/no/such/dir/r.ndjson"
}

@test "a failing job leaves the next one rendering; a crashing plugin costs only its job" {
    sh_run "{ job '$OUT/c.wav' '\"set_params\":{\"crash\":1}' '\"duration_s\":0.2'
              job '$OUT/bad.wav' '\"note\":200'
              job '$OUT/ok.wav' '\"duration_s\":0.2'; } | render-one --plugin $VR_TEST_SYNTH_VST3 --tail 0 2>/dev/null"
    assert_failure 1
    assert_equal "${#lines[@]}" 3
    local results=("${lines[@]}")
    run jq -r '.status + " " + (.error.message // "")' <<<"${results[0]}"
    assert_output --partial "error the plugin crashed (signal"
    run jq -r '.status + " " + (.error.message // "")' <<<"${results[1]}"
    assert_output --partial "error field 'note'"
    run jq -r .status <<<"${results[2]}"
    assert_output ok
    [ "$(probe "$OUT/ok.wav" frames)" -eq 9600 ]
}

@test "the latency a plugin reports is cut: the onset is at sample 0" {
    for plugin in "$VR_TEST_SYNTH_VST3" "$VR_TEST_SYNTH_VST2" "$VR_TEST_SYNTH_LV2"; do
        sh_run "{ job '$OUT/l.wav' '\"set_params\":{\"latency\":1}' '\"note\":69' '\"velocity\":127'
                  job '$OUT/n.wav' '\"note\":69' '\"velocity\":127'; } \
                | render-one --plugin $plugin --duration 0.3 --tail 0 --sample-format float32 2>/dev/null"
        assert_success
        # Uncompensated, the first 64 samples would be silence.
        run bash -c "'$PROBE' --samples 0 '$OUT/l.wav' | head -n 8 | awk '\$1 != 0' | wc -l"
        [ "$output" -ge 6 ] || fail "$plugin: the onset is late"
        run assert_sine "$OUT/l.wav" 0 14400 69 127 0.5
        assert_success
        cmp "$OUT/l.wav" "$OUT/n.wav"
    done
}

@test "a plugin that will not load fails each job that needs it; other plugins go on" {
    sh_run "{ job '$OUT/x1.wav' '\"plugin_path\":\"/nonexistent/x.so\"'
              job '$OUT/k.wav' '\"duration_s\":0.1'
              job '$OUT/x2.wav' '\"plugin_path\":\"/nonexistent/x.so\"'
              job '$OUT/u.wav' '\"plugin_path\":\"/tmp/x.dll\"'; } | render-one --plugin $KARS --tail 0 2>/dev/null"
    assert_failure 1
    assert_line --index 0 --partial 'cannot load plugin /nonexistent/x.so: no such file'
    assert_line --index 1 --partial '"status":"ok"'
    assert_line --index 2 --partial 'cannot load plugin /nonexistent/x.so: no such file'
    assert_line --index 3 --partial 'cannot tell the plugin format'
}

@test "a job no --plugin covers fails naming the flag to add; mappings pick by format and id" {
    sh_run "{ job '$OUT/1.wav' '\"preset_format\":\"fxp\"' '\"preset_plugin_id\":\"amsy\"'
              job '$OUT/2.wav' '\"preset_format\":\"fxp\"'
              job '$OUT/3.wav' '\"preset_format\":\"vstpreset\"'; } \
            | render-one --plugin amsy=$AMSYNTH --plugin fxp=$KARS --duration 0.1 --tail 0 2>/dev/null"
    assert_failure 1
    run jq -r '.plugin_name // .error.message' <<<"$output"
    assert_line --index 0 amsynth_vst
    assert_line --index 1 Kars-vst
    assert_line --index 2 --partial "add --plugin PATH or --plugin vstpreset=PATH"
}

@test "single-job mode renders the flags' job; flags give defaults; channels 1 and 2" {
    run render-one --plugin "$KARS" -o "$OUT/deep/er/one.wav" --note 48 --duration 0.25 --tail 0.25 \
        --sample-rate 44100 --channels 1 --sample-format pcm16
    assert_success
    run jq -c '[.status, .frames]' <<<"$output"
    assert_output '["ok",22050]'
    run "$PROBE" "$OUT/deep/er/one.wav"
    assert_output --partial '"frames":22050,"channels":1,"sample_rate_hz":44100'
    assert_no_tmp_left "$OUT/deep/er"
}

@test "skipped and failed records pass through as they came; --skip-existing skips jobs whose output exists" {
    : >"$OUT/there.wav"
    # Written as a person or jq might: spaces, and a number nlohmann would
    # print with 16 more digits (0.009195416999999999).
    local skipped='{"status": "skipped", "a":1, "render_s":0.009195417}'
    local failed='{ "status":"error","error":{"tool":"x","message":"m"}, "render_s": 0.009195417 }'
    sh_run "{ echo '$skipped'; echo '$failed'; job '$OUT/there.wav'; job '$OUT/new.wav' '\"duration_s\":0.1'; } \
            | render-one --plugin $KARS --skip-existing --tail 0 --sidecar 2>/dev/null"
    assert_failure 1
    assert_line --index 0 "$skipped"
    assert_line --index 1 "$failed"
    assert_line --index 2 "{\"output_path\":\"$OUT/there.wav\",\"status\":\"skipped\"}"
    assert_line --index 3 --partial '"status":"ok"'
    [ ! -s "$OUT/there.wav" ]
}

@test "a mono plugin is copied to both channels; --plugin-home gives plugins a HOME" {
    mkdir -p "$OUT/home/.local/share"
    run bash -c "render-one --plugin '$KARS' -o '$OUT/k.wav' --duration 0.2 --tail 0 2>/dev/null"
    assert_success
    cmp <("$PROBE" --samples 0 "$OUT/k.wav") <("$PROBE" --samples 1 "$OUT/k.wav")
    [ "$(probe "$OUT/k.wav" peak_dbfs)" != null ]
    run bash -c "render-one --plugin '$AMSYNTH' -o '$OUT/a.wav' --duration 0.2 --tail 0 --plugin-home '$OUT/home' 2>/dev/null"
    assert_success
    # amsynth keeps its banks under $HOME.
    [ -d "$OUT/home/.local/share/amsynth" ]
    [ ! -e "$HOME/.local/share/amsynth" ]
}

@test "LV2 plugins load by URI or by bundle; a bundle of several asks for a URI" {
    sh_run "{ job '$OUT/b.wav' '\"plugin_path\":\"/usr/lib/lv2/synthv1.lv2/\"'
              job '$OUT/s.wav' '\"plugin_path\":\"/usr/lib/lv2/so-synth.lv2\"'
              job '$OUT/u.wav' '\"plugin_path\":\"urn:nobody:no-such-plugin\"'; } \
            | render-one --duration 0.2 --tail 0 2>/dev/null"
    assert_failure 1
    local results=("${lines[@]}")
    run jq -r '.plugin_id // .error.message' <<<"${results[0]}"
    assert_output "http://synthv1.sourceforge.net/lv2"
    [ "$(probe "$OUT/b.wav" peak_dbfs)" != null ]
    run jq -r '.error.message' <<<"${results[1]}"
    assert_output --partial "holds 3 plugins; name one by its URI: urn:50m30n3:plugins:SO-666"
    run jq -r '.error.message' <<<"${results[2]}"
    assert_output --partial "no LV2 plugin has this URI"
}

@test "--job-timeout (the old --timeout) stops a first job that hangs at its own limit, not the load's; the next job renders" {
    local start=$SECONDS
    sh_run "{ job '$OUT/h.wav' '\"set_params\":{\"hang\":1}'; job '$OUT/ok.wav'; } \
            | render-one --plugin $VR_TEST_SYNTH_VST3 --duration 0.2 --tail 0 --job-timeout 3 2>/dev/null"
    assert_failure 1
    assert_line --index 0 --partial '"message":"timeout after 3.0 s"'
    (( SECONDS - start < 60 ))
    [ ! -e "$OUT/h.wav" ]
    assert_line --index 1 --partial '"status":"ok"'
}

# Writes the plugin files the load-failure test needs into folder $1: a
# Windows DLL, the same renamed .so, a Mach-O, ELF headers for ARM64 and for
# 32-bit i386, a VST3 bundle built for Windows only, a shared object that
# links a library since deleted, and one that is no VST2 plugin.
make_unloadable_plugins() {
    local d="$1"
    mkdir -p "$d/Win.vst3/Contents/x86_64-win" "$d/Win.vst3/Contents/Resources"
    # MZ, e_lfanew 0x40; "PE\0\0", machine x86-64, characteristics DLL, PE32+.
    { printf 'MZ'; head -c 58 /dev/zero; printf '\x40\0\0\0PE\0\0\x64\x86'; head -c 16 /dev/zero
      printf '\x22\x20\x0b\x02'; } >"$d/Synth.dll"
    cp "$d/Synth.dll" "$d/Renamed.so"
    cp "$d/Synth.dll" "$d/Win.vst3/Contents/x86_64-win/Win.vst3"
    # Mach-O 64-bit, little-endian, CPU type arm64.
    { printf '\xcf\xfa\xed\xfe\x0c\0\0\x01'; head -c 56 /dev/zero; } >"$d/Mac.so"
    # ELF: class, data, version; e_type ET_DYN; e_machine AArch64 (183) or i386 (3).
    { printf '\x7fELF\x02\x01\x01'; head -c 9 /dev/zero; printf '\x03\0\xb7\0'; head -c 44 /dev/zero; } >"$d/Arm.so"
    { printf '\x7fELF\x01\x01\x01'; head -c 9 /dev/zero; printf '\x03\0\x03\0'; head -c 36 /dev/zero; } >"$d/I386.so"
    printf 'int vr_stub(void) { return 1; }\n' >"$d/stub.c"
    printf 'int vr_stub(void);\nint VSTPluginMain(void) { return vr_stub(); }\n' >"$d/needs.c"
    gcc -shared -fPIC -o "$d/libvrstub.so" "$d/stub.c"
    gcc -shared -fPIC -o "$d/Needs.so" "$d/needs.c" -L"$d" -lvrstub
    rm "$d/libvrstub.so"
    gcc -shared -fPIC -o "$d/NotVst.so" "$d/stub.c"
}

@test "a plugin this machine cannot load fails its jobs saying what the file is" {
    local d="$BATS_TEST_TMPDIR/plugins"
    make_unloadable_plugins "$d"
    # ldd names the missing library as the message does.
    run ldd "$d/Needs.so"
    assert_output --partial "libvrstub.so => not found"
    sh_run "for p in Synth.dll Renamed.so Mac.so Arm.so I386.so Needs.so NotVst.so Win.vst3 Missing.dll; do
                job '$OUT/'\$p.wav '\"plugin_path\":\"$d/'\$p'\"'
            done | render-one --duration 0.1 --tail 0 2>/dev/null"
    assert_failure 1
    assert_equal "${#lines[@]}" 9
    run jq -r .error.message <<<"$output"
    local windows="a Windows DLL (PE32+, x86-64): Linux cannot load Windows plugins natively"
    local x86="this render-one is 64-bit x86-64 and loads only 64-bit x86-64 plugins"
    # A Windows build goes to wine (tests/windows.bats), after its file is
    # read: these two are PE headers cut short.
    local cut="truncated at byte 88: optional header magic needs 2 bytes, 0 left"
    assert_line --index 0 "cannot load plugin $d/Synth.dll: $d/Synth.dll: $cut"
    assert_line --index 1 "cannot load plugin $d/Renamed.so: $windows"
    assert_line --index 2 "cannot load plugin $d/Mac.so: a macOS binary (Mach-O, 64-bit arm64): Linux cannot load macOS plugins"
    assert_line --index 3 "cannot load plugin $d/Arm.so: a 64-bit ELF for ARM64: $x86"
    assert_line --index 4 "cannot load plugin $d/I386.so: a 32-bit ELF for i386: $x86"
    assert_line --index 5 "cannot load plugin $d/Needs.so: it needs libvrstub.so, which the dynamic loader cannot find (ldd $d/Needs.so lists the libraries it needs)"
    assert_line --index 6 "cannot load plugin $d/NotVst.so: it exports no VSTPluginMain or main: not a VST2 plugin"
    assert_line --index 7 "cannot load plugin $d/Win.vst3: $d/Win.vst3/Contents/x86_64-win/Win.vst3: $cut"
    assert_line --index 8 "cannot tell the plugin format of '$d/Missing.dll': expected a VST2 .so, a .vst3 bundle, an .lv2 bundle or an LV2 URI (a .dll would be a Windows plugin, hosted through wine: this one is not there or not a Windows DLL)"
    run find "$OUT" -type f
    assert_output ""
}

@test "an effect (a plugin that takes no MIDI) given notes fails its jobs naming its buses, and writes no file" {
    sh_run "{ job '$OUT/n.wav' '\"duration_s\":0.1'; job '$OUT/m.wav' '\"midi_path\":\"$CLICK\"'; } \
            | render-one --plugin /usr/lib/vst/3BandEQ-vst.so --tail 0 2>/dev/null"
    assert_failure 1
    run jq -r .error.message <<<"$output"
    local why="the plugin takes no MIDI (it has 2 audio inputs, 2 outputs: input buses: 'Input' (Stereo); output buses: 'Output' (Stereo)): give it audio to process with input_path or --input"
    assert_line --index 0 "$why"
    assert_line --index 1 "$why"
    [ ! -e "$OUT/n.wav" ] || fail "an effect's job wrote a file"
    [ ! -e "$OUT/m.wav" ] || fail "an effect's job wrote a file"
    # In-process too, and a one-input effect says so in the singular.
    run bash -c "render-one --plugin /usr/lib/vst/glBars-vst.so --no-isolate -o '$OUT/g.wav' --duration 0.1 --tail 0 2>/dev/null"
    assert_failure 1
    run jq -r .error.message <<<"$output"
    assert_output "the plugin takes no MIDI (it has 1 audio input, 1 output: input buses: 'Input' (Mono); output buses: 'Output' (Mono)): give it audio to process with input_path or --input"
}

@test "an unknown set_params name fails its job naming the nearest names; an index past the last names the range" {
    sh_run "{ job '$OUT/1.wav' '\"set_params\":{\"relase\":0.5}'
              job '$OUT/2.wav' '\"set_params\":{\"statecrc_l\":0.5}'
              job '$OUT/3.wav' '\"set_params\":{\"zzzzzzzz\":0.5}'
              job '$OUT/4.wav' '\"set_params\":{\"99\":0.5}'
              job '$OUT/5.wav' '\"set_params\":{\"release\":0.5}'; } \
            | render-one --plugin $VR_TEST_SYNTH_VST3 --duration 0.1 --tail 0 2>/dev/null"
    assert_failure 1
    run jq -r '.error.message // .status' <<<"$output"
    local all="(a job rendered with --params lists them all)"
    assert_line --index 0 "set_params: the plugin has no parameter 'relase'; the nearest of its 16: 'release' (1) $all"
    assert_line --index 1 "set_params: the plugin has no parameter 'statecrc_l'; the nearest of its 16: 'state_crc_lo' (13), 'state_crc' (11), 'state_crc_hi' (12) $all"
    assert_line --index 2 "set_params: the plugin has no parameter 'zzzzzzzz'; no name of its 16 is close $all"
    assert_line --index 3 "set_params: the plugin has no parameter '99': it has 16, indexes 0 to 15"
    assert_line --index 4 ok
}

@test "--list-programs on a plugin with no programs says so on stderr, prints no record and exits 0" {
    run bash -c "render-one --plugin '$SO404' --list-programs 2>'$OUT/err'"
    assert_success
    assert_output ""
    run grep -cxF "render-one: $SO404: the plugin has no programs of its own: nothing to list" "$OUT/err"
    assert_output 1
    # A plugin with programs says nothing of the kind.
    run bash -c "render-one --plugin '$VR_TEST_SYNTH_VST3' --list-programs 2>'$OUT/err' | wc -l"
    assert_output 4
    run grep -c "no programs" "$OUT/err"
    assert_output 0
}

@test "--plugin-home creates the XDG folders plugins expect: amsynth loads there without complaint" {
    # The complaint, with a fresh HOME and no --plugin-home...
    mkdir -p "$BATS_TEST_TMPDIR/bare"
    run bash -c "HOME='$BATS_TEST_TMPDIR/bare' render-one --plugin '$AMSYNTH' -o '$OUT/a.wav' --duration 0.1 --tail 0 \
                 2>&1 >/dev/null"
    assert_success
    assert_output --partial "could not create $BATS_TEST_TMPDIR/bare/.local/share/amsynth"
    # ...and none with one, even when the environment points XDG folders elsewhere.
    local home="$BATS_TEST_TMPDIR/fresh/home"
    run bash -c "XDG_CONFIG_HOME=/nonexistent/config XDG_DATA_HOME=/nonexistent/data \
                 render-one --plugin '$AMSYNTH' -o '$OUT/b.wav' --duration 0.1 --tail 0 --plugin-home '$home' 2>&1 >/dev/null"
    assert_success
    refute_output --partial "could not create"
    for sub in .config .local/share .cache; do
        [ -d "$home/$sub" ] || fail "--plugin-home made no $sub"
    done
    # amsynth saved its settings and its banks in the new home.
    [ -s "$home/.config/amsynth/config" ] || fail "amsynth saved no settings"
    [ -s "$home/.local/share/amsynth/banks/default" ] || fail "amsynth wrote no bank"
    cmp "$OUT/a.wav" "$OUT/b.wav"
}

@test ".ogg results give ogg_quality instead of a sample format; read again as jobs they render the same files" {
    sh_run "{ job '$OUT/a.ogg' '\"sample_format\":\"pcm16\"'; job '$OUT/b.flac'; job '$OUT/c.npy' '\"channels\":1'; } \
            | render-one --plugin $VR_TEST_SYNTH_VST3 --duration 0.2 --tail 0 2>/dev/null"
    assert_success
    local results=("${lines[@]}")
    run jq -c '[has("sample_format"), .ogg_quality, .status]' <<<"${results[0]}"
    assert_output '[false,0.6,"ok"]'
    run jq -c '[.sample_format, has("ogg_quality")]' <<<"${results[1]}"
    assert_output '["pcm24",false]'
    run jq -c '[.sample_format, has("ogg_quality")]' <<<"${results[2]}"
    assert_output '["float32",false]'
    [ "$(probe "$OUT/a.ogg" frames)" -eq 9600 ]
    # The .npy layout render-one(1) gives: float32, C order, (frames, channels)
    # even for mono, as the header (from byte 10 to the first newline) says.
    run bash -c "head -c 128 '$OUT/c.npy' | tail -c +11 | head -n 1"
    assert_output --regexp "^\{'descr': '<f4', 'fortran_order': False, 'shape': \(9600, 1\), \} *\$"
    # The .ogg result, rendered again as a job: the same bytes; as a .wav job,
    # it gets a sample format back and loses the Vorbis quality.
    sh_run "jq -c '.output_path = \"$OUT/again.ogg\"' <<<'${results[0]}' | render-one 2>/dev/null"
    assert_success
    cmp "$OUT/a.ogg" "$OUT/again.ogg"
    sh_run "jq -c '.output_path = \"$OUT/again.wav\"' <<<'${results[0]}' | render-one 2>/dev/null"
    assert_success
    run jq -c '[.sample_format, has("ogg_quality")]' <<<"$output"
    assert_output '["pcm24",false]'
}
