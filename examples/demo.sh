#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# make demo: renders a few dozen of amsynth's factory programs on a small note
# grid through the whole pipeline, two render-one workers in parallel, then
# sums the batch up, plays some of the notes through a reverb chain,
# renders a short song to stems and a mix, plays a note on the test synth
# built for Windows under wine, and makes a page of it all.
# Everything it writes goes under $DEMO_OUT (build/demo).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PATH="${VR_BIN:-$here/build/bin}:$PATH"
out=${DEMO_OUT:-$here/build/demo}
plugin=${DEMO_PLUGIN:-/usr/lib/vst/amsynth_vst.so}
reverb=${DEMO_REVERB:-/usr/lib/vst/MVerb-vst.so}
every=${DEMO_EVERY:-75}          # one named program in this many: 47 of amsynth's 3508
jobs=${DEMO_JOBS:-$(nproc)}

rm -rf "$out"
mkdir -p "$out"
home="$out/home"                 # amsynth writes below $HOME: keep it in here

echo "== 1. the plugin's own programs, as records (render-one --list-programs)"
render-one --plugin "$plugin" --plugin-home "$home" --list-programs 2>/dev/null \
    | jq -c 'select(.preset_name != "")' \
    | awk -v n="$every" 'NR % n == 1' > "$out/programs.ndjson"
echo "   $(wc -l < "$out/programs.ndjson") programs picked, e.g.:"
head -2 "$out/programs.ndjson" | sed 's/^/   /'

echo "== 2. job-grid | assign-paths | parallel render-one"
start=$(date +%s.%N)
# --block 4k: this stream is small, and each worker should get a share of it
# (with the 1 MB default one worker would get everything).
job-grid --notes 48,60,72 --velocities 100 < "$out/programs.ndjson" \
    | assign-paths --out "$out/renders" --ext flac \
    | parallel --will-cite --pipe --round-robin --block 4k --line-buffer -j"$jobs" \
        render-one --plugin-home "$home" --duration 1 --tail 0.5 2>"$out/render.log" \
    > "$out/results.ndjson" || true
end=$(date +%s.%N)

echo "== 3. what came out ($out/results.ndjson)"
jq -s --argjson wall "$(echo "$end - $start" | bc)" -r '
  def r2: . * 100 | round / 100;
  (map(select(.status == "ok"))) as $ok
  | "   jobs:         \(length) (\($ok | length) ok, \(map(select(.status == "error")) | length) failed, \(map(select(.status == "skipped")) | length) skipped)",
    "   audio:        \($ok | map(.frames / (.sample_rate_hz // 48000)) | add // 0 | r2) s rendered in \($wall | r2) s wall time",
    "   renders/s:    \(($ok | length) / $wall | r2)",
    "   levels:       peak \($ok | map(.peak_dbfs // -999) | min | r2) .. \($ok | map(.peak_dbfs // -999) | max | r2) dBFS, RMS mean \($ok | map(.rms_dbfs // -999) | add / ((length) + 0.0001) | r2) dBFS",
    "   loudness:     \($ok | map(.loudness_lufs // empty) | if length > 0 then "\(min | r2) .. \(max | r2) LUFS integrated, true peak at most \($ok | map(.true_peak_dbtp // -999) | max | r2) dBTP" else "none measured" end)",
    "   silent:       \($ok | map(select(.silent)) | length)",
    "   clipped:      \($ok | map(select(.clipped_samples > 0)) | length)",
    "   fresh_instance per job: \($ok | map(select(.fresh_instance)) | length) of \($ok | length)",
    (map(select(.status == "error")) | if length > 0 then "   failed:", (.[] | "     \(.preset_name // "?"): \(.error.message)") else "   failed:       none" end)
' "$out/results.ndjson"
echo "== the audio files: $out/renders/ ($(find "$out/renders" -name '*.flac' | wc -l) FLAC files)"

echo "== 4. real preset files: amsynth's programs exported as .fxp, found again by preset-scan"
render-one --plugin "$plugin" --plugin-home "$home" --export-programs "$out/presets" \
    >/dev/null 2>>"$out/render.log"
echo "   $(find "$out/presets" -name '*.fxp' | wc -l) .fxp files in $out/presets"
preset-scan "$out/presets" | awk -v n="$((every * 4))" 'NR % n == 1' \
    | job-grid --notes 60 --velocities 100 \
    | assign-paths --out "$out/from-presets" --ext wav \
    | parallel --will-cite --pipe --round-robin --block 2k --line-buffer -j"$jobs" \
        render-one --plugin "fxp=$plugin" --plugin-home "$home" --duration 1 --tail 0.5 \
        2>>"$out/render.log" \
    > "$out/from-presets.ndjson" || true
jq -r '"   \(.preset_name): \(.status) \(.preset_applied_as // "") peak \(.peak_dbfs // "-") dBFS\(if .error then " " + .error.message else "" end)"' \
    "$out/from-presets.ndjson"

echo "== 5. effects: eight of the middle C notes again, through a reverb (a chain: --then $(basename "$reverb"))"
jq -c 'select(.status == "ok" and .note == 60)
       | {preset_name: ((.preset_name // "untitled") + " + reverb"), program_index, note, velocity}' \
    "$out/results.ndjson" | head -8 \
    | assign-paths --out "$out/wet" --ext flac \
    | render-one --plugin "$plugin" --then "$reverb" --plugin-home "$home" --duration 1 --tail auto \
        2>>"$out/render.log" \
    > "$out/wet.ndjson" || true
jq -r '"   \(.preset_name): \(.status) \(.frames // 0) frames, the tail \(.tail_rendered_s // "-") s until silent\(if .error then " " + .error.message else "" end)"' \
    "$out/wet.ndjson"

echo "== 6. a song to stems: a 3-track MIDI file, its drums (channel 10) on a Faust drum, the rest on $(basename "$plugin")"
songs="$here/tests/fixtures/songs"
jq -cn --arg o "$out/song/mix.flac" --arg m "$songs/song.mid" --arg p "$plugin" --arg d "$songs/drums.dsp" \
    '{preset_name: "song: bass, lead and drums", output_path: $o, midi_path: $m, stems_dir: ($o | sub("mix.flac$"; "stems")),
      tracks: {"channel:10": [{plugin_path: $d}]}, default_track: [{plugin_path: $p}], tail_s: "auto"}' \
    | render-one --plugin-home "$home" 2>>"$out/render.log" > "$out/song.ndjson" || true
jq -r '"   mix: \(.status) \(.frames // 0) frames, \(.loudness_lufs // "-") LUFS\(if .error then " " + .error.message else "" end)",
       (.stems // [] | .[] | "   stem \(.path | split("/") | last): \(.chain[0].plugin_name), peak \(.peak_dbfs // "-") dBFS")' \
    "$out/song.ndjson"

echo "== 7. a Windows plugin under wine: the test synth built for Windows (tests/plugins/windows)"
# A prefix of the demo's own, made here (render-one never makes one) and
# its server stopped at the end; render-one keeps it up while it runs.
win_synth=${DEMO_WINDOWS_PLUGIN:-$here/build/plugins/win/vst/vr-test-synth.dll}
export WINEPREFIX="$out/wine"
WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" wineboot -i </dev/null >/dev/null 2>&1
# Its registry is written when its server ends.
WINEDEBUG=-all wineserver -k 2>/dev/null || true
WINEDEBUG=-all wineserver -w 2>/dev/null || true
render-one --plugin "$win_synth" --note 57 --duration 1 --tail 0.5 -o "$out/windows/a3.flac" 2>>"$out/render.log" \
    | jq -r '"   \(.plugin_name) (\(.plugin_platform), \(.wine_version // "no wine")): \(.status), peak \(.peak_dbfs // "-") dBFS\(if .error then " " + .error.message else "" end)"' \
    | tee "$out/windows.txt"
WINEDEBUG=-all wineserver -k 2>/dev/null || true

echo "== 8. a page to audition the batch (render-index)"
cat "$out/results.ndjson" "$out/wet.ndjson" "$out/song.ndjson" \
    | render-index --out "$out/preview" --title "vst-render demo: amsynth, and a reverb" >/dev/null
echo "   open file://$out/preview/index.html in a browser"
