#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Dataset renders with render-one: tails to silence, trimming and fades,
# loudness normalization checked by ffmpeg, NaN policy, provenance and
# sidecars that reproduce their files, progress on a terminal only.
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
# amsynth programs (fresh HOME): 0 "basic11" ends by itself while the key is
# held; 9 "Pianola" rings for about 3 s after it; 24 "Airy1" for about 9 s.
SHORT=0
MEDIUM=9
LONG=24
SCALE="$FIXTURES/midi/files/github-misc/MrsWatson__c-scale.mid"   # 1.875 s
: "${VR_TEST_SYNTH_VST3:=$TESTS_DIR/../build/plugins/vst3/vr-test-synth.vst3}"
PROBE="$VR_BIN/../tests/audio-probe"
# -90 dBFS as a sample value.
SILENCE=0.0000316228

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT" "$HOME/.local/share"
}

# One amsynth job: ajob OUTPUT PROGRAM [extra "key":value pairs]
ajob() {
    local out="$1" program="$2"
    shift 2
    local extra=""
    for kv in "$@"; do extra+=",$kv"; done
    printf '{"output_path":"%s","program_index":%s,"duration_s":0.3%s}\n' "$out" "$program" "$extra"
}
export -f ajob

# The largest |sample| of channel 0 over the last $2 samples of file $1.
tail_peak() { "$PROBE" --samples 0 "$1" | tail -n "$2" | awk '{ a = $1 < 0 ? -$1 : $1; if (a > m) m = a } END { printf "%.9f\n", m }'; }

# The larger |sample| of the first (head) or last (tail) frame of file $1,
# a little lowered for 24-bit rounding.
edge_peak() {
    { "$PROBE" --samples 0 "$1" | "$2" -n 1; "$PROBE" --samples 1 "$1" | "$2" -n 1; } |
        awk '{ a = $1 < 0 ? -$1 : $1; if (a > m) m = a } END { printf "%.9f\n", m * 1.001 }'
}

# ffmpeg's integrated loudness (LUFS) and true peak (dBFS) of a file.
ffmpeg_lufs() { ffmpeg -nostats -i "$1" -filter_complex ebur128=peak=true -f null - 2>&1 | awk '$1 == "I:" { v = $2 } END { print v }'; }
ffmpeg_true_peak() { ffmpeg -nostats -i "$1" -filter_complex ebur128=peak=true -f null - 2>&1 | awk '$1 == "Peak:" { v = $2 } END { print v }'; }

# Fails unless |$1 - $2| <= $3.
assert_near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }' || fail "$1 is not within $3 of $2"; }
# Fails unless $1 <= $2 (numbers).
assert_le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 <= b + 0) }' || fail "$1 is above $2"; }

@test "render-one --help lists the dataset options; bad values exit 2" {
    run render-one --help
    assert_success
    for flag in --tail --silence-hold --max-tail --trim-silence --trim-pad --fade-out --normalize \
                --true-peak-ceiling --allow-nonfinite --sidecar; do
        assert_output --partial -- "$flag"
    done
    local bad args
    for bad in "--tail soon" "--tail -1" "--normalize lufs" "--normalize rms:-3" "--true-peak-ceiling 1" \
               "--max-tail -2" "--fade-out x"; do
        read -ra args <<<"$bad"
        run render-one --plugin "$AMSYNTH" "${args[@]}"
        assert_failure 2
    done
}

@test "tail auto: a long release gets its whole tail, a short one stops early, the cap holds" {
    sh_run "{ ajob '$OUT/long.wav' $LONG '\"tail_s\":\"auto\"'
              ajob '$OUT/short.wav' $SHORT
              ajob '$OUT/capped.wav' $LONG '\"max_tail_s\":1'
              ajob '$OUT/fixed.wav' $LONG '\"tail_s\":1'; } | render-one --plugin $AMSYNTH --tail auto 2>/dev/null"
    assert_success
    long="${lines[0]}" short="${lines[1]}" capped="${lines[2]}" fixed="${lines[3]}"
    [ "$(jq -r .tail_capped <<<"$long")" = false ]
    assert_le 5 "$(jq .tail_rendered_s <<<"$long")"
    assert_le "$(jq .tail_rendered_s <<<"$long")" 10
    [ "$(jq -r .tail_s <<<"$long")" = auto ]
    [ "$(jq .frames <<<"$long")" -eq "$("$PROBE" "$OUT/long.wav" | jq .frames)" ]
    # It ends with --silence-hold (0.2 s) below -90 dBFS...
    assert_le "$(tail_peak "$OUT/long.wav" 9600)" "$SILENCE"
    # ...where a fixed 1 s tail is cut while it still sounds.
    [ "$(jq -r .tail_rendered_s <<<"$fixed")" = null ]
    (( $(echo "$(tail_peak "$OUT/fixed.wav" 9600) > $SILENCE" | bc -l) )) || fail "the fixed tail is silent"
    # A sound over before the note-off stops after the hold alone.
    [ "$(jq -r .tail_capped <<<"$short")" = false ]
    assert_le "$(jq .tail_rendered_s <<<"$short")" 0.5
    [ "$(jq -r .tail_capped <<<"$capped")" = true ]
    [ "$(jq .tail_rendered_s <<<"$capped")" = 1 ]
    [ "$(jq .frames <<<"$capped")" -eq $((14400 + 48000)) ]
}

@test "tail auto is deterministic and plays a MIDI file's last note-offs" {
    sh_run "{ ajob '$OUT/a.wav' $MEDIUM; ajob '$OUT/b.wav' $MEDIUM
              ajob '$OUT/m.wav' $MEDIUM '\"midi_path\":\"$SCALE\"'; } \
            | render-one --plugin $AMSYNTH --tail auto 2>/dev/null"
    assert_success
    cmp "$OUT/a.wav" "$OUT/b.wav"
    m="${lines[2]}"
    [ "$(jq -r .tail_capped <<<"$m")" = false ]
    assert_le 1 "$(jq .tail_rendered_s <<<"$m")"
    assert_le "$(tail_peak "$OUT/m.wav" 9600)" "$SILENCE"
}

@test "normalized files measure within 0.1 LU of the target by ffmpeg; peaks stay under the ceiling" {
    sh_run "{ ajob '$OUT/l16.flac' $MEDIUM '\"normalize\":\"lufs:-16\"'
              ajob '$OUT/l23.wav' $MEDIUM '\"normalize\":\"lufs:-23\"' '\"channels\":1'
              ajob '$OUT/l5.wav' $MEDIUM '\"normalize\":\"lufs:-5\"'
              ajob '$OUT/p1.wav' $MEDIUM '\"normalize\":\"peak:-1\"'
              ajob '$OUT/p6.wav' $MEDIUM '\"normalize\":\"peak:-6\"' '\"true_peak_ceiling_dbtp\":-3'; } \
            | render-one --plugin $AMSYNTH --tail auto 2>/dev/null"
    assert_success
    assert_near "$(ffmpeg_lufs "$OUT/l16.flac")" -16 0.1
    assert_near "$(jq .loudness_lufs <<<"${lines[0]}")" -16 0.01
    assert_near "$(ffmpeg_lufs "$OUT/l23.wav")" -23 0.1
    # -5 LUFS would take the true peak over -1 dBTP: the gain stops there.
    l5="${lines[2]}"
    assert_near "$(jq .true_peak_dbtp <<<"$l5")" -1 0.01
    assert_le "$(jq .true_peak_dbtp <<<"$l5")" -1
    assert_le "$(ffmpeg_true_peak "$OUT/l5.wav")" -0.9
    (( $(echo "$(ffmpeg_lufs "$OUT/l5.wav") < -5.5" | bc -l) )) || fail "the ceiling did not hold"
    jq -e --argjson l16 "${lines[0]}" '.gain_db > $l16.gain_db + 3' <<<"$l5"
    p1="${lines[3]}" p6="${lines[4]}"
    assert_le "$(jq .true_peak_dbtp <<<"$p1")" -1
    assert_le "$(jq .peak_dbfs <<<"$p1")" -1
    assert_le "$("$PROBE" "$OUT/p1.wav" | jq .peak_dbfs)" -1
    assert_le "$(jq .true_peak_dbtp <<<"$p6")" -3
    assert_near "$(jq .peak_dbfs <<<"$p6")" -6 0.02
    assert_le "$(ffmpeg_true_peak "$OUT/p6.wav")" -2.9
}

@test "trim-silence and fade-out shape the file" {
    sh_run "{ ajob '$OUT/plain.wav' $MEDIUM '\"tail_s\":4'
              ajob '$OUT/trim.wav' $MEDIUM '\"tail_s\":4' '\"trim_silence\":true' '\"trim_pad_s\":0'
              ajob '$OUT/fade.wav' $MEDIUM '\"tail_s\":0.5' '\"fade_out_ms\":100'; } \
            | render-one --plugin $AMSYNTH 2>/dev/null"
    assert_success
    plain=$(jq .frames <<<"${lines[0]}") trimmed=$(jq .frames <<<"${lines[1]}")
    [ "$trimmed" -lt "$plain" ]
    [ "$trimmed" -eq "$("$PROBE" "$OUT/trim.wav" | jq .frames)" ]
    # With no pad, the file starts and ends on a frame at or above -90 dBFS.
    assert_le "$SILENCE" "$(edge_peak "$OUT/trim.wav" head)"
    assert_le "$SILENCE" "$(edge_peak "$OUT/trim.wav" tail)"
    assert_le "$(edge_peak "$OUT/plain.wav" tail)" "$SILENCE"
    [ "$("$PROBE" --samples 0 "$OUT/fade.wav" | tail -1)" = 0 ]
    [ "$(jq .fade_out_ms <<<"${lines[2]}")" = 100 ]
}

@test "NaN from the plugin fails the job with no file, or with allow_nonfinite is counted and zeroed" {
    sh_run "{ echo '{\"output_path\":\"$OUT/nan.wav\",\"duration_s\":0.2,\"tail_s\":0,\"set_params\":{\"nan\":1}}'
              echo '{\"output_path\":\"$OUT/ok.wav\",\"duration_s\":0.2,\"tail_s\":0,\"set_params\":{\"nan\":1},\"allow_nonfinite\":true}'; } \
            | render-one --plugin '$VR_TEST_SYNTH_VST3' 2>/dev/null"
    assert_failure 1
    [ "$(jq -r .status <<<"${lines[0]}")" = error ]
    jq -e '.error.message | test("the plugin produced [0-9]+ non-finite samples")' <<<"${lines[0]}"
    [ ! -e "$OUT/nan.wav" ]
    [ "$(names_in "$OUT")" = ok.wav ] || fail "stray files: $(names_in "$OUT")"
    [ "$(jq -r .status <<<"${lines[1]}")" = ok ]
    [ "$(jq .nonfinite_samples <<<"${lines[1]}")" -gt 0 ]
    [ "$("$PROBE" "$OUT/ok.wav" | jq .nonfinite_samples)" -eq 0 ]
}

@test "results carry provenance: settings, plugin and MIDI hashes, version, process time" {
    sh_run "ajob '$OUT/a.wav' $MEDIUM '\"midi_path\":\"$SCALE\"' | render-one --plugin $AMSYNTH --sample-rate 44100 2>/dev/null"
    assert_success
    r="$output"
    [ "$(jq -r .plugin_sha256 <<<"$r")" = "$(sha256sum "$AMSYNTH" | cut -d' ' -f1)" ]
    [ "$(jq -r .midi_sha256 <<<"$r")" = "$(sha256sum "$SCALE" | cut -d' ' -f1)" ]
    [ "$(jq -r .vr_version <<<"$r")" = "$(render-one --version | cut -d' ' -f2)" ]
    [ "$(jq -r .plugin_path <<<"$r")" = "$AMSYNTH" ]
    [ "$(jq -c '[.sample_rate_hz, .block_size, .channels, .sample_format, .tail_s, .normalize]' <<<"$r")" = \
      '[44100,512,2,"pcm24",1,"none"]' ]
    jq -e '.plugin_process_s > 0 and .plugin_process_s < .render_s' <<<"$r"
    # A VST3 bundle is hashed by the shared object inside it.
    sh_run "echo '{\"output_path\":\"$OUT/t.wav\",\"duration_s\":0.1,\"tail_s\":0}' | render-one --plugin '$VR_TEST_SYNTH_VST3' 2>/dev/null"
    assert_success
    so=$(ls "$VR_TEST_SYNTH_VST3"/Contents/*-linux/*.so)
    [ "$(jq -r .plugin_sha256 <<<"$output")" = "$(sha256sum "$so" | cut -d' ' -f1)" ]
    # The supervisor hands the worker the hash it read for the probe cache;
    # without the cache the worker reads the binary itself: the same hash.
    sh_run "echo '{\"output_path\":\"$OUT/t2.wav\",\"duration_s\":0.1,\"tail_s\":0}' | render-one --no-cache --plugin '$VR_TEST_SYNTH_VST3' 2>/dev/null"
    assert_success
    [ "$(jq -r .plugin_sha256 <<<"$output")" = "$(sha256sum "$so" | cut -d' ' -f1)" ]
    # An LV2 plugin, by bundle or by URI (found where JUCE's host looks),
    # by the binary its manifest names for that plugin.
    sh_run "printf '%s\\n' '{\"output_path\":\"$OUT/l1.wav\",\"plugin_path\":\"urn:50m30n3:plugins:SO-kl5\"}' \
                           '{\"output_path\":\"$OUT/l2.wav\",\"plugin_path\":\"/usr/lib/lv2/synthv1.lv2\"}' \
            | render-one --duration 0.1 --tail 0 2>/dev/null"
    assert_success
    assert_equal "$(jq -r .plugin_sha256 <<<"${lines[0]}")" "$(sha256sum /usr/lib/lv2/so-synth.lv2/libsosynth.so | cut -d' ' -f1)"
    assert_equal "$(jq -r .plugin_sha256 <<<"${lines[1]}")" "$(sha256sum /usr/lib/lv2/synthv1.lv2/synthv1.so | cut -d' ' -f1)"
}

@test "a sidecar is the result record, and fed back as a job reproduces its file byte for byte" {
    sh_run "{ ajob '$OUT/a.flac' $MEDIUM
              ajob '$OUT/b.wav' $LONG '\"midi_path\":\"$SCALE\"' '\"tail_s\":\"auto\"'
              ajob '$OUT/c.wav' 999999; } \
            | render-one --plugin $AMSYNTH --sidecar --normalize lufs:-20 --trim-silence --fade-out 20 \
                         --sample-format pcm16 2>/dev/null"
    assert_failure 1
    [ "$(jq -cS . <<<"${lines[0]}")" = "$(jq -cS . "$OUT/a.flac.json")" ]
    [ "$(jq -cS . <<<"${lines[1]}")" = "$(jq -cS . "$OUT/b.wav.json")" ]
    [ ! -e "$OUT/c.wav.json" ]
    # Sidecars always hold the parameters after loading.
    jq -e '.params | length > 10 and (.[0] | has("index") and has("name") and has("value") and has("text"))' "$OUT/a.flac.json"
    mkdir "$OUT/first"
    mv "$OUT/a.flac" "$OUT/b.wav" "$OUT/first/"
    # No flags at all: everything comes from the sidecars.
    sh_run "cat '$OUT/a.flac.json' '$OUT/b.wav.json' | render-one 2>/dev/null"
    assert_success
    cmp "$OUT/a.flac" "$OUT/first/a.flac"
    cmp "$OUT/b.wav" "$OUT/first/b.wav"
    [ "$(jq -r .normalize <<<"${lines[0]}")" = lufs:-20 ]
}

@test "a resume with --skip-existing keeps the measurements the sidecars hold; a job without one is skipped bare" {
    { ajob "$OUT/a.wav" $SHORT; ajob "$OUT/b.wav" $SHORT; } >"$OUT/jobs"
    render-one --plugin "$AMSYNTH" --sidecar --tail 0.2 <"$OUT/jobs" >"$OUT/first.ndjson" 2>/dev/null ||
        fail "the first run failed"
    rm "$OUT/b.wav.json"
    render-one --plugin "$AMSYNTH" --skip-existing <"$OUT/jobs" >"$OUT/resumed.ndjson" 2>/dev/null ||
        fail "the resume failed"
    assert_equal "$(wc -l <"$OUT/resumed.ndjson")" 2
    # a.wav: its sidecar's record, but skipped; b.wav: the job alone.
    run jq -c 'select(.output_path | endswith("a.wav")) | del(.status)' "$OUT/resumed.ndjson"
    assert_output "$(jq -c 'select(.output_path | endswith("a.wav")) | del(.status)' "$OUT/first.ndjson")"
    run jq -c '[.status, (.peak_dbfs | type)]' "$OUT/resumed.ndjson"
    assert_output '["skipped","number"]
["skipped","null"]'
}

@test "flags a job's own fields shadow are named once on stderr, with how many jobs; the fields win" {
    { ajob "$OUT/a.wav" $SHORT '"sample_rate_hz":44100' '"normalize":"lufs:-16"'
      ajob "$OUT/b.wav" $SHORT '"sample_rate_hz":44100'
      ajob "$OUT/c.wav" $SHORT; } >"$OUT/jobs"
    render-one --plugin "$AMSYNTH" --tail 0 --sample-rate 22050 --normalize lufs:-20 \
        --note 50 <"$OUT/jobs" >"$OUT/results" 2>"$OUT/err" || fail "the run failed: $(cat "$OUT/err")"
    run jq -c '[.sample_rate_hz, .normalize]' "$OUT/results"
    assert_output '[44100,"lufs:-16"]
[44100,"lufs:-20"]
[22050,"lufs:-20"]'
    assert_equal "$(grep -c 'took precedence' "$OUT/err")" 1
    assert_equal "$(grep 'took precedence' "$OUT/err")" "render-one: fields of the jobs took precedence over flags: --sample-rate by sample_rate_hz in 2 jobs, --normalize by normalize in 1 job (a job's field always wins; render-one(1) shows how to change fields with jq)"
    # Flags no job shadows, and flags left at their defaults, are not named.
    ajob "$OUT/d.wav" $SHORT | render-one --plugin "$AMSYNTH" --tail 0 --sample-rate 22050 >/dev/null 2>"$OUT/err" ||
        fail "the second run failed"
    run grep -c 'took precedence' "$OUT/err"
    assert_output 0
}

@test "progress is drawn on a terminal's stderr, never in a pipe or on stdout" {
    for i in 1 2 3; do
        echo "{\"output_path\":\"$OUT/$i.wav\",\"duration_s\":0.1,\"tail_s\":0}"
    done >"$OUT/jobs"
    # script(1) gives render-one a terminal for stdin, stdout and stderr;
    # stdout goes to a file.
    run script -qec "render-one --plugin '$VR_TEST_SYNTH_VST3' <'$OUT/jobs' >'$OUT/records'" /dev/null
    assert_success
    assert_output --partial "3 done, 0 failed"
    assert_output --partial "renders/s"
    run cat "$OUT/records"
    assert_equal "${#lines[@]}" 3
    assert_ndjson
    refute_output --partial "renders/s"
    # In a pipe, nothing.
    sh_run "render-one --plugin '$VR_TEST_SYNTH_VST3' <'$OUT/jobs' 2>&1 >/dev/null"
    assert_success
    refute_output --partial "done"
}
