#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Faust programs as plugins (a .dsp plugin_path, or faust_code): compiled by
# libfaust's interpreter once per program and worker, played as any plugin.
# Proved on the samples: a sine's frequency and level, a chord's three
# voices, a delay's echoes of an impulse, parameters set and automated.
bats_require_minimum_version 1.5.0
load helper

FX="$BATS_TEST_DIRNAME/fixtures/faust"
PY=/usr/bin/python3

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
    export HOME="$BATS_TEST_TMPDIR/home"
    mkdir -p "$HOME"
}

# Frequency of the FFT peak, the bin width, and RMS in dBFS of channel 0 of
# the .npy $1, from frame $2 on.
peak_and_rms() {
    "$PY" - "$1" "${2:-0}" <<'EOF2'
import sys
import numpy as np
x = np.load(sys.argv[1])[int(sys.argv[2]):, 0].astype(np.float64)
spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
print(f"{np.argmax(spectrum) * 48000 / len(x):.3f} {48000 / len(x):.3f} {20 * np.log10(np.sqrt(np.mean(x * x))):.3f}")
EOF2
}

@test "a Faust sine at 440 Hz renders its frequency (FFT peak within a bin) and its level (RMS within 0.1 dB)" {
    sh_run "render-one --plugin '$FX/sine.dsp' --duration 1 --tail 0 -o '$OUT/sine.npy' 2>/dev/null"
    assert_success
    run jq -c '[.status, .plugin_format, .plugin_name, .frames]' <<<"$output"
    assert_output '["ok","faust","sine",48000]'
    read -r freq bin rms < <(peak_and_rms "$OUT/sine.npy")
    # gain 0.5 by default: RMS 0.5 / sqrt(2), -9.031 dBFS.
    "$PY" -c "import sys; f, b, r = map(float, sys.argv[1:]); assert abs(f - 440) <= b and abs(r + 9.031) < 0.1, (f, b, r)" \
        "$freq" "$bin" "$rms"
}

@test "set_params and automation on a Faust control, by label or full path, change the output as they say" {
    sh_run_lines "render-one --plugin '$FX/sine.dsp' --duration 1 --tail 0 --params 2>/dev/null" \
        "{\"output_path\":\"$OUT/quarter.npy\",\"set_params\":{\"gain\":0.25}}" \
        "{\"output_path\":\"$OUT/path.npy\",\"set_params\":{\"/sine/gain\":0.25}}" \
        "{\"output_path\":\"$OUT/ramp.npy\",\"automation\":{\"gain\":[[0,0],[1,1]]}}"
    assert_success
    run jq -c '[.status, .params]' <<<"$output"
    assert_line --index 0 '["ok",[{"index":0,"name":"gain","value":0.25,"text":"0.2500"}]]'
    cmp "$OUT/quarter.npy" "$OUT/path.npy"
    read -r _ _ rms < <(peak_and_rms "$OUT/quarter.npy")
    # gain 0.25: RMS 0.25 / sqrt(2), -15.051 dBFS.
    "$PY" -c "import sys; assert abs(float(sys.argv[1]) + 15.051) < 0.1, sys.argv[1]" "$rms"
    # A ramp from 0 to 1 over the second: the envelope follows it.
    "$PY" -c "
import sys
import numpy as np
x = np.load(sys.argv[1])[:, 0]
for t in (0.25, 0.5, 0.75):
    seg = x[int(t * 48000) - 240:int(t * 48000) + 240]
    assert abs(np.abs(seg).max() - t) < 0.01, (t, np.abs(seg).max())
" "$OUT/ramp.npy"
}

@test "a Faust polysynth plays a three-note chord from a MIDI file as three voices" {
    # C4 E4 G4 at velocity 127 for 960 ticks, one second at 120 bpm (Faust's
    # gain = 1: each voice 0.25).
    "$PY" - "$OUT/chord.mid" <<'EOF2'
import struct, sys
ev = b""
for n in (60, 64, 67):
    ev += b"\x00\x90" + bytes([n, 127])
ev += b"\x87\x40\x80\x3c\x00" + b"\x00\x80\x40\x00" + b"\x00\x80\x43\x00" + b"\x00\xff\x2f\x00"
trk = b"MTrk" + struct.pack(">I", len(ev)) + ev
open(sys.argv[1], "wb").write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480) + trk)
EOF2
    sh_run "render-one --plugin '$FX/polysynth.dsp' --midi '$OUT/chord.mid' --tail 0.2 -o '$OUT/chord.npy' 2>/dev/null"
    assert_success
    run jq -c '[.status, .plugin_format]' <<<"$output"
    assert_output '["ok","faust"]'
    "$PY" - "$OUT/chord.npy" <<'EOF2'
import sys
import numpy as np
x = np.load(sys.argv[1])[4800:43200, 0].astype(np.float64)
w = np.hanning(len(x))
n = 16 * len(x)
spectrum = np.abs(np.fft.rfft(x * w, n)) * 2 / w.sum()
for note in (60, 64, 67):
    f = 440 * 2 ** ((note - 69) / 12)
    k = int(round(f * n / 48000))
    amp = spectrum[k - 40:k + 40].max()
    assert abs(amp - 0.25) < 0.01, (note, amp)
# Nothing else: the three voices are the whole signal.
assert abs(np.sqrt(np.mean(x * x)) - np.sqrt(3 * 0.25 ** 2 / 2)) < 0.005
EOF2
}

@test "a Faust delay on an impulse rings out: echoes every 0.1 s (and the feedback's sample), each half the one before" {
    "$PY" -c "import numpy as np, sys; a = np.zeros((4800, 1), np.float32); a[0, 0] = 1; np.save(sys.argv[1], a)" "$OUT/impulse.npy"
    sh_run "render-one --plugin '$FX/echo.dsp' --input '$OUT/impulse.npy' --tail 0.5 -o '$OUT/echo.npy' 2>/dev/null"
    assert_success
    run jq -c '[.status, .frames]' <<<"$output"
    assert_output '["ok",28800]'
    run "$PY" -c "
import sys
import numpy as np
x = np.load(sys.argv[1])[:, 0]
at = np.flatnonzero(np.abs(x) > 1e-6)
print(at.tolist(), [round(float(v), 4) for v in x[at]])" "$OUT/echo.npy"
    assert_output '[0, 4801, 9602, 14403, 19204, 24005] [1.0, 0.5, 0.25, 0.125, 0.0625, 0.0312]'
}

@test "the same Faust program twice in a batch compiles once; faust_code renders as the file does, hashed" {
    local code
    code=$(cat "$FX/sine.dsp")
    sh_run_lines "render-one --plugin '$FX/sine.dsp' --duration 0.2 --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.npy\"}" "{\"output_path\":\"$OUT/b.npy\",\"note\":72}" \
        "$(jq -cn --arg c "$code" --arg o "$OUT/c.npy" '{output_path: $o, faust_code: $c}')"
    assert_success
    local file_sha code_sha
    file_sha=$(sha256sum < "$FX/sine.dsp" | cut -d' ' -f1)
    code_sha=$(printf '%s' "$code" | sha256sum | cut -d' ' -f1)
    run jq -c --arg f "$file_sha" --arg c "$code_sha" \
        '[.status, has("faust_compile_s"), (if .plugin_sha256 == $f then "file" elif .plugin_sha256 == $c then "code" else .plugin_sha256 end), .plugin_path // .plugin_id]' <<<"$output"
    assert_line --index 0 "[\"ok\",true,\"file\",\"$FX/sine.dsp\"]"
    assert_line --index 1 "[\"ok\",false,\"file\",\"$FX/sine.dsp\"]"
    # A program given as text (without the file's last newline: another
    # program) is named by its hash, and compiled once more.
    assert_line --index 2 "[\"ok\",true,\"code\",\"faust:$code_sha\"]"
    cmp "$OUT/a.npy" "$OUT/b.npy"
    cmp "$OUT/a.npy" "$OUT/c.npy"
}

@test "a Faust syntax error fails its job with Faust's message and line; a memory hog fails its own; the batch goes on" {
    sh_run_lines "render-one --faust-max-mb 256 --duration 0.1 --tail 0 2>/dev/null" \
        "{\"plugin_path\":\"$FX/broken.dsp\",\"output_path\":\"$OUT/x.npy\"}" \
        "{\"faust_code\":\"process = @(1<<28);\",\"input_path\":\"$OUT/none.npy\",\"output_path\":\"$OUT/y.npy\"}" \
        "{\"plugin_path\":\"$FX/sine.dsp\",\"output_path\":\"$OUT/z.npy\"}"
    assert_failure 1
    run jq -r '[.status, .error.message // "-"] | join(" ")' <<<"$output"
    assert_line --index 0 "error Faust compile failed: $FX/broken.dsp:4: syntax error, unexpected ENDDEF"
    # libfaust dies of a signal when the cap stops it; under AddressSanitizer
    # (make check SANITIZE=...) ASan's allocator exits with status 1 instead.
    assert_line --index 1 --regexp '^error Faust compile of faust_code (died of signal SIG[A-Z]+|exited with status [0-9]+): it ran out of memory \(a compile may use 256 MB more, --faust-max-mb\) or crashed$'
    assert_line --index 2 'ok -'
}

@test "--list-programs says a Faust program has none; --faust-voices must be a number of voices" {
    run render-one --plugin "$FX/polysynth.dsp" --list-programs
    assert_success
    assert_output --partial "has no programs of its own"
    assert_usage_error render-one --faust-voices 500
}
