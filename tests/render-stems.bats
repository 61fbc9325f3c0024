#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Multi-track songs (a job's tracks, default_track, stems_dir): each selected
# track of a MIDI file plays into instruments of its own, on one timeline,
# into a stem; the mix is the stems' sum. Proved on the samples, with a
# 3-track song (tests/fixtures/songs/make-song.py: bass, lead, drums on
# channel 10) played by amsynth, ZynAddSubFX and a Faust drum: each stem
# sounds only where its track has notes, the float32 mix equals the stems'
# sum exactly, the same song twice gives the same bytes.
bats_require_minimum_version 1.5.0
load helper

SONGS="$BATS_TEST_DIRNAME/fixtures/songs"
AMSYNTH=/usr/lib/vst/amsynth_vst.so
ZYN=/usr/lib/vst/ZynAddSubFX.so
PY=/usr/bin/python3

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# A song job: $1 the mix's path, $2 the tracks object (JSON), $3 more fields.
song_job() {
    jq -cn --arg o "$1" --arg m "$SONGS/song.mid" --argjson t "$2" "{output_path: \$o, midi_path: \$m, tracks: \$t${3:+, $3}}"
}

# The band: ZynAddSubFX on the bass (by index: its default part hears
# channel 1 only), amsynth on the lead (by name), the Faust drum on
# channel 10.
band() {
    jq -cn --arg a "$AMSYNTH" --arg z "$ZYN" --arg d "$SONGS/drums.dsp" \
        '{"1": [{plugin_path: $z}], "name:lead": [{plugin_path: $a}], "channel:10": [{plugin_path: $d}]}'
}

# Reads a float32 WAV's samples (frames x channels) in Python: wav() below.
WAV_PY='
import numpy as np
def wav(path):
    b = open(path, "rb").read()
    i = 12
    while b[i:i + 4] != b"data":
        i += 8 + int.from_bytes(b[i + 4:i + 8], "little")
    n = int.from_bytes(b[i + 4:i + 8], "little")
    assert int.from_bytes(b[20:22], "little") == 3, "not float32"
    return np.frombuffer(b[i + 8:i + 8 + n], dtype="<f4").reshape(-1, 2)
def rms_db(x, a, b):
    w = x[int(a * 48000):int(b * 48000)].astype(np.float64)
    return 20 * np.log10(np.sqrt(np.mean(w * w)) + 1e-30)
'

@test "three tracks, three instruments: each stem sounds only where its track has notes, and the float32 mix is their sum, exactly" {
    song_job "$OUT/mix.wav" "$(band)" "stems_dir: \"$OUT/stems\", sample_format: \"float32\", tail_s: 0.5" > "$OUT/job"
    sh_run "render-one < '$OUT/job' 2>/dev/null"
    assert_success
    run jq -c '[.status, .frames, .unrendered_tracks, (.stems | map([.track, .track_name, .key, (.path | split("/") | last),
                (.chain | map(.plugin_name))]))]' <<<"$output"
    assert_output '["ok",216000,[],[[1,"bass","1","01-bass.wav",["ZynAddSubFX"]],[2,"lead","name:lead","02-lead.wav",["amsynth_vst"]],[3,"drums","channel:10","03-drums.wav",["drums"]]]]'
    "$PY" - "$OUT" <<EOF
$WAV_PY
import sys
d = sys.argv[1]
bass, lead, drums = (wav(f"{d}/stems/{n}.wav") for n in ("01-bass", "02-lead", "03-drums"))
mix = wav(f"{d}/mix.wav")
# The mix is the sum of the stems in float32, in track order, sample for sample.
assert np.array_equal(mix, (bass + lead) + drums), "mix != sum of stems"
# Each stem: sound while its notes play, silence before them and after its release.
for name, x, start, end in (("bass", bass, 0.0, 0.5), ("lead", lead, 1.25, 1.75), ("drums", drums, 2.5, 3.0)):
    loud = rms_db(x, start + 0.05, end - 0.05)
    assert loud > -40, (name, "notes", loud)
    if start > 0:
        assert np.max(np.abs(x[:int(start * 48000)])) < 1e-4, (name, "before its notes")
    quiet = rms_db(x, end + 1.0, 4.5)
    assert quiet < -80, (name, "after its notes", quiet)
EOF
}

@test "the same song twice gives the same bytes; the result, read again as a job, renders them again" {
    song_job "$OUT/a/mix.flac" "$(band)" "stems_dir: \"$OUT/a/stems\"" > "$OUT/jobs"
    song_job "$OUT/b/mix.flac" "$(band)" "stems_dir: \"$OUT/b/stems\"" >> "$OUT/jobs"
    sh_run "render-one < '$OUT/jobs' 2>/dev/null"
    assert_success
    local first=${lines[0]}
    run jq -c '[.status, (.stems | map(.path | split("/") | last))]' <<<"$output"
    assert_line --index 0 '["ok",["01-bass.flac","02-lead.flac","03-drums.flac"]]'
    assert_line --index 1 '["ok",["01-bass.flac","02-lead.flac","03-drums.flac"]]'
    for f in mix.flac stems/01-bass.flac stems/02-lead.flac stems/03-drums.flac; do
        cmp "$OUT/a/$f" "$OUT/b/$f"
    done
    # Without flags, the first result renders the same files elsewhere.
    jq -c --arg d "$OUT/c" '.output_path = $d + "/mix.flac" | .stems_dir = $d + "/stems"' <<<"$first" \
        | render-one > /dev/null 2>&1
    for f in mix.flac stems/01-bass.flac stems/02-lead.flac stems/03-drums.flac; do
        cmp "$OUT/a/$f" "$OUT/c/$f"
    done
}

@test "tracks no key selects are listed in unrendered_tracks, or played by default_track" {
    local a="[{\"plugin_path\":\"$AMSYNTH\"}]"
    song_job "$OUT/two.wav" "{\"name:bass\":$a,\"channel:10\":$a}" "stems_dir: \"$OUT/two\"" > "$OUT/jobs"
    song_job "$OUT/all.wav" "{\"channel:10\":[{\"plugin_path\":\"$SONGS/drums.dsp\"}]}" \
        "stems_dir: \"$OUT/all\", default_track: $a" >> "$OUT/jobs"
    sh_run "render-one < '$OUT/jobs' 2>/dev/null"
    assert_success
    run jq -c '[.status, .unrendered_tracks, (.stems | map([.track, .key, .chain[0].plugin_name]))]' <<<"$output"
    assert_line --index 0 '["ok",[{"track":2,"track_name":"lead"}],[[1,"name:bass","amsynth_vst"],[3,"channel:10","amsynth_vst"]]]'
    assert_line --index 1 '["ok",[],[[1,null,"amsynth_vst"],[2,null,"amsynth_vst"],[3,"channel:10","drums"]]]'
    run ls "$OUT/two" "$OUT/all"
    assert_output "$(printf '%s\n' "$OUT/all:" 01-bass.wav 02-lead.wav 03-drums.wav '' "$OUT/two:" 01-bass.wav 03-drums.wav)"
}

@test "-o with --tracks renders the song its job record would, byte for byte; in a batch --tracks is the song of jobs with no plugin of their own" {
    local a="[{\"plugin_path\":\"$AMSYNTH\"}]" tracks
    tracks="{\"name:lead\":$a,\"channel:10\":[{\"plugin_path\":\"$SONGS/drums.dsp\"}]}"
    sh_run "render-one --tracks '$tracks' --default-track '$a' --midi '$SONGS/song.mid' --stems-dir '$OUT/flags' \
        --sample-format float32 --tail 0.5 -o '$OUT/flags.wav' 2>/dev/null"
    assert_success
    run jq -c '[.status, .default_track[0].plugin_path == $a, (.stems | map([.track, .key, .chain[0].plugin_name])),
                .peak_dbfs > -30]' --arg a "$AMSYNTH" <<<"$output"
    assert_output '["ok",true,[[1,null,"amsynth_vst"],[2,"name:lead","amsynth_vst"],[3,"channel:10","drums"]],true]'
    # The same song from a job record, beside a job with a plugin of its own.
    {
        song_job "$OUT/record.wav" "$tracks" "stems_dir: \"$OUT/record\", default_track: $a, sample_format: \"float32\", tail_s: 0.5"
        jq -cn --arg o "$OUT/batch.wav" --arg m "$SONGS/song.mid" '{output_path: $o, midi_path: $m}'
        jq -cn --arg o "$OUT/plain.wav" --arg p "$AMSYNTH" '{output_path: $o, plugin_path: $p, duration_s: 0.2}'
    } >"$OUT/jobs"
    sh_run "render-one --tracks '$tracks' --stems-dir '$OUT/batch' --sample-format float32 --tail 0.5 < '$OUT/jobs' 2>/dev/null"
    assert_success
    run jq -c '[.status, (.stems // [] | length), .tracks != null, .peak_dbfs > -30]' <<<"$output"
    assert_line --index 0 '["ok",3,true,true]'
    assert_line --index 1 '["ok",2,true,true]'
    assert_line --index 2 '["ok",0,false,true]'
    cmp "$OUT/flags.wav" "$OUT/record.wav" || fail "the mix from the flags differs from the job record's"
    for stem in 01-bass 02-lead 03-drums; do
        cmp "$OUT/flags/$stem.wav" "$OUT/record/$stem.wav" || fail "$stem differs"
    done
    # The batch's song has no default_track (the flag was not given): the
    # bass is left out, so its mix is the lead and the drums alone.
    cmp "$OUT/batch/02-lead.wav" "$OUT/record/02-lead.wav" || fail "the batch's lead differs"
    [ ! -e "$OUT/batch/01-bass.wav" ] || fail "the batch rendered the bass"
}

@test "--tracks and --default-track: not JSON, a bad key or stage list, or -o with a flag for one plugin: exit 2, nothing written" {
    local a="[{\"plugin_path\":\"$AMSYNTH\"}]"
    run render-one --tracks '{"1":' --midi "$SONGS/song.mid" -o "$OUT/x.wav"
    assert_failure 2
    assert_line --partial "render-one: --tracks: not JSON: "
    run render-one --tracks "{\"flute\":$a}" --midi "$SONGS/song.mid" -o "$OUT/x.wav"
    assert_failure 2
    assert_line --partial "render-one: --tracks: tracks: key 'flute' is not a track index"
    run render-one --default-track '[]' --midi "$SONGS/song.mid" -o "$OUT/x.wav"
    assert_failure 2
    assert_line --partial "render-one: --default-track: default_track: "
    run render-one --tracks "{\"1\":$a}" -p "$AMSYNTH" --midi "$SONGS/song.mid" -o "$OUT/x.wav"
    assert_failure 2
    assert_line "render-one: -o with --tracks renders a song, whose plugins are in the tracks' stage lists: --plugin has no job to go to"
    run render-one --tracks "{\"1\":$a}" --preset "$OUT/p.fxp" --midi "$SONGS/song.mid" -o "$OUT/x.wav"
    assert_failure 2
    assert_line --partial "--preset has no job to go to"
    run ls "$OUT"
    assert_output ""
}

@test "a track two keys select, a key that names no track, stems outside the output root: error records, no file" {
    local a="[{\"plugin_path\":\"$AMSYNTH\"}]"
    {
        song_job "$OUT/x.wav" "{\"1\":$a,\"name:bass\":$a}"
        song_job "$OUT/y.wav" "{\"name:flute\":$a}"
        song_job "$OUT/z.wav" "{\"1\":$a}" "output_root: \"$OUT\", stems_dir: \"$BATS_TEST_TMPDIR/elsewhere\""
        song_job "$OUT/w.wav" "{\"1\":$a}" "chain: $a"
    } > "$OUT/jobs"
    sh_run "render-one < '$OUT/jobs' 2>/dev/null"
    assert_failure 1
    run jq -r '.error.message' <<<"$output"
    assert_line --index 0 "tracks: track 1 'bass' is selected by two keys, '1' and 'name:bass'"
    assert_line --index 1 "tracks: key 'name:flute' names no track (the file has track 0 'conductor', track 1 'bass', track 2 'lead', track 3 'drums')"
    assert_line --index 2 "$BATS_TEST_TMPDIR/elsewhere/stem: not below the output root $OUT"
    assert_line --index 3 "field 'chain' and tracks: give each track's plugins in its stage list, the others' in default_track"
    run ls "$OUT"
    assert_output jobs
}

@test "--tail auto waits for the last stem to go quiet; normalisation gives the mix and every stem one gain" {
    song_job "$OUT/mix.wav" "$(band)" "stems_dir: \"$OUT/stems\", sample_format: \"float32\", tail_s: \"auto\"" > "$OUT/jobs"
    song_job "$OUT/loud.wav" "$(band)" \
        "stems_dir: \"$OUT/loud\", sample_format: \"float32\", tail_s: \"auto\", normalize: \"peak:-1\"" >> "$OUT/jobs"
    sh_run "render-one < '$OUT/jobs' 2>/dev/null"
    assert_success
    local gain
    gain=$(jq -s '.[1].gain_db' <<<"$output")
    # The loud one's gain stops at the true-peak ceiling (-1 dBTP).
    run jq -c '[.status, .tail_capped, (.tail_rendered_s > 0), (.frames > 192000), .gain_db != 0,
                (.true_peak_dbtp <= -1 and .true_peak_dbtp > -1.02)]' <<<"$output"
    assert_line --index 0 '["ok",false,true,true,false,false]'
    assert_line --index 1 '["ok",false,true,true,true,true]'
    "$PY" - "$OUT" "$gain" <<EOF
$WAV_PY
import sys
d, gain_db = sys.argv[1], float(sys.argv[2])
names = ("01-bass", "02-lead", "03-drums")
plain = [wav(f"{d}/stems/{n}.wav") for n in names]
loud = [wav(f"{d}/loud/{n}.wav") for n in names]
mix, loud_mix = wav(f"{d}/mix.wav"), wav(f"{d}/loud.wav")
# Every stem lasts as long as the mix: the last to go quiet sets it.
assert all(len(x) == len(mix) for x in plain), [len(x) for x in plain]
assert np.array_equal(mix, (plain[0] + plain[1]) + plain[2])
assert np.array_equal(loud_mix, (loud[0] + loud[1]) + loud[2])
# One gain (the record's, rounded to 0.01 dB) for every stem.
for p, l in zip(plain, loud):
    g = 20 * np.log10(np.max(np.abs(l)) / np.max(np.abs(p)))
    assert abs(g - gain_db) < 0.006, (g, gain_db)
EOF
}

@test "a worker killed while a song renders leaves no stem temporary behind; a living writer's stays" {
    local stems="$OUT/stems" pid worker
    mkdir -p "$stems"
    jq -cn --arg o "$OUT/mix.wav" --arg m "$SONGS/song.mid" --arg s "$stems" --arg p "$VR_TEST_SYNTH_VST2" \
        '{output_path: $o, midi_path: $m, stems_dir: $s,
          tracks: {"name:lead": [{plugin_path: $p, set_params: {hang: 1}}]}}' >"$BATS_TEST_TMPDIR/job"
    VR_TEST_SYNTH_HANG_MARK="$BATS_TEST_TMPDIR/hanging" \
        render-one --timeout 60 <"$BATS_TEST_TMPDIR/job" >"$BATS_TEST_TMPDIR/result" 2>/dev/null &
    pid=$!
    # The song is in flight once the plugin hangs in it (it writes the mark).
    wait_for_file "$BATS_TEST_TMPDIR/hanging" "the song never started"
    worker=$(pgrep -P "$pid" | head -1)
    [ -n "$worker" ] || fail "no worker process"
    # What the worker would leave mid-write, and a temporary of a writer
    # that lives on (this shell).
    : >"$stems/.02-lead.wav.vr-tmp-$worker-0"
    : >"$stems/.other.wav.vr-tmp-$$-0"
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 143
    [ ! -e "$stems/.02-lead.wav.vr-tmp-$worker-0" ] || fail "the killed worker's stem temporary was left"
    [ -e "$stems/.other.wav.vr-tmp-$$-0" ] || fail "a living writer's temporary was removed"
    assert_equal "$(find "$stems" -name '*.wav' | wc -l)" 0
}
