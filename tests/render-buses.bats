#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one switches a plugin's main buses on before it plays. A JUCE-built
# instrument whose output bus is not enabled by default (its LV2 output ports
# lv2:connectionOptional, its VST3 bus not kDefaultActive) renders in every
# format, the very samples of the ordinary test synth. The variant is the
# test synth run with VR_TEST_SYNTH_OPTIONAL_BUS=1, and for LV2 its own
# bundle, whose TTL JUCE wrote with that variable set (tests/plugins/README.md).
bats_require_minimum_version 1.5.0
load helper

: "${VR_TEST_SYNTH_LV2_OPTIONAL:=$TESTS_DIR/../build/plugins/lv2-optional/vr-test-synth.lv2}"
LV2_OPT="$VR_TEST_SYNTH_LV2_OPTIONAL"
OPTIONAL_PORT='lv2:portProperty lv2:connectionOptional ;'

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# The largest difference, over both channels, between the float32 .npy
# render FILE and the test synth's formula (README.md, "The sound, exactly")
# for one note at 48 kHz: NOTE VELOCITY LEVEL RELEASE, note-off at frame OFF.
formula_error() {
    /usr/bin/python3 - "$@" <<'PY'
import math, sys
import numpy as np
path, note, vel, level, release, off = sys.argv[1:]
a = np.load(path)
note, vel, off, sr = int(note), int(vel), int(off), 48000
level, release = float(np.float32(level)), float(np.float32(release))
f = 440.0 * math.pow(2.0, (note - 69) / 12.0)
amp = (vel / 127.0) * level
r = round(min(max(release, 0.0), 1.0) * sr)
t = np.arange(a.shape[0])
env = np.where(t < off, 1.0, 1.0 - (t - off) / r)
env[t >= off + r] = 0.0
y = (amp * env * np.sin(2.0 * math.pi * f * t.astype(np.float64) / sr)).astype(np.float32)
assert a.shape == (len(t), 2) and a.dtype == np.float32, (a.shape, a.dtype)
print(float(np.abs(a - y[:, None]).max()))
PY
}

# The test synth's state (README.md, "State") with LEVEL and RELEASE and
# PAYLOAD, into DIR as each format takes it: s.vrts (the raw blob, a VST3
# component state), s.fxp (an FPCh chunk, for VST2) and s.lv2state (the LV2
# state TEMPLATE, written by render-one --save-state, with its StateString
# in JUCE's base64 replaced). Prints the blob's CRC-32, in decimal.
vrts_states() {
    /usr/bin/python3 - "$@" <<'PY'
import re, struct, sys, zlib
out, level, release, payload, template = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4].encode(), sys.argv[5]

def vrts(level, release, payload):
    vals = [level, release] + [0.0] * 9
    return (b"VRTS" + struct.pack("<II", 1, 11) + struct.pack("<11f", *vals)
            + struct.pack("<II", 0, len(payload)) + payload)

# JUCE's MemoryBlock::toBase64Encoding: the size, '.', then 6 bits at a time
# from the lowest bit up, in its own alphabet.
def juce_base64(b):
    table = ".ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+"
    n = int.from_bytes(b, "little")
    return "%d.%s" % (len(b), "".join(table[(n >> (6 * i)) & 63] for i in range((len(b) * 8 + 5) // 6)))

ttl = open(template).read()
string = re.compile(r'(<urn:vst-render:test-synth:StateString> ")([^"]*)(")')
# The template holds a fresh instance's state: the encoder must give it back.
found = string.search(ttl).group(2)
if found != juce_base64(vrts(0.5, 0.1, b"")):
    sys.exit("JUCE base64 mismatch: " + found)

blob = vrts(level, release, payload)
open(out + "/s.vrts", "wb").write(blob)
body = b"FPCh" + struct.pack(">iiii", 1, 0x56727473, 1, 1) + b"state".ljust(28, b"\0") + struct.pack(">i", len(blob)) + blob
open(out + "/s.fxp", "wb").write(b"CcnK" + struct.pack(">i", len(body)) + body)
open(out + "/s.lv2state", "w").write(string.sub(lambda m: m.group(1) + juce_base64(blob) + m.group(3), ttl))
print(zlib.crc32(blob))
PY
}

@test "the variant's bundle is the test synth's binary, its two audio outputs (and nothing else) made optional" {
    cmp "$VR_TEST_SYNTH_LV2/libvr-test-synth.so" "$LV2_OPT/libvr-test-synth.so"
    cmp "$VR_TEST_SYNTH_LV2/manifest.ttl" "$LV2_OPT/manifest.ttl"
    run grep -c "$OPTIONAL_PORT" "$VR_TEST_SYNTH_LV2/dsp.ttl"
    assert_output 0
    # Each optional line closes an audio output port's header (five lines up).
    run bash -c "grep -B5 '$OPTIONAL_PORT' '$LV2_OPT/dsp.ttl' | grep -c 'a lv2:OutputPort , lv2:AudioPort ;'"
    assert_output 2
    run bash -c "diff '$VR_TEST_SYNTH_LV2/dsp.ttl' '$LV2_OPT/dsp.ttl' | grep -c '^> '"
    assert_output 2
}

@test "an LV2 instrument whose only output bus is optional renders the formula's samples: render-one switches the bus on" {
    run env VR_TEST_SYNTH_OPTIONAL_BUS=1 render-one --plugin "$LV2_OPT" --duration 0.2 --tail 0.2 -o "$OUT/a.npy"
    assert_success
    run jq -c '[.status, .plugin_format, .frames, .channels, .peak_dbfs]' <<<"$output"
    assert_output '["ok","lv2",19200,2,-8.1]'
    run formula_error "$OUT/a.npy" 60 100 0.5 0.1 9600
    assert_success
    awk -v e="$output" 'BEGIN { exit !(e <= 1e-6) }' || fail "largest difference from the formula: $output"
}

@test "the variant renders in LV2, VST3 and VST2, in a batch, the bytes the ordinary synth renders from the same state and job" {
    run render-one --plugin "$VR_TEST_SYNTH_LV2" --duration 0.05 --tail 0 -o "$OUT/t.wav" --save-state "$OUT/template"
    assert_success
    run vrts_states "$OUT" 0.9 0.3 hello "$OUT/template"
    assert_success
    local crc=$output
    # One job from the state with a parameter on top, one from scratch; each
    # format takes the state in its own container.
    write_jobs() {
        printf '{"output_path":"%s","state_path":"%s","note":64,"velocity":110,"set_params":{"release":0.25}}\n' \
            "$OUT/$1-state.npy" "$OUT/$2"
        printf '{"output_path":"%s","note":72}\n' "$OUT/$1-plain.npy"
    }
    local name plugin state optional
    while read -r name plugin state optional; do
        write_jobs "$name" "$state" >"$OUT/$name.jobs"
        run --separate-stderr env VR_TEST_SYNTH_OPTIONAL_BUS="$optional" \
            render-one --plugin "$plugin" --duration 0.2 --tail 0.3 --params <"$OUT/$name.jobs"
        assert_success
        # The CRC from state_crc_hi and _lo, whose values every format shows
        # alike; the second job's instance never saw the state.
        run jq -c '[.status, ([.params[] | select(.name | test("^state_crc_(hi|lo)$")) | .value * 65535 | round]
                              | .[0] * 65536 + .[1] == '"$crc"')]' <<<"$output"
        assert_output '["ok",true]
["ok",false]'
    done <<EOF
lv2 $VR_TEST_SYNTH_LV2 s.lv2state 0
vst3 $VR_TEST_SYNTH_VST3 s.vrts 0
vst2 $VR_TEST_SYNTH_VST2 s.fxp 0
opt-lv2 $LV2_OPT s.lv2state 1
opt-vst3 $VR_TEST_SYNTH_VST3 s.vrts 1
opt-vst2 $VR_TEST_SYNTH_VST2 s.fxp 1
EOF
    # The state's level (0.9) and the job's release (0.25) made the sound.
    run formula_error "$OUT/opt-lv2-state.npy" 64 110 0.9 0.25 9600
    assert_success
    awk -v e="$output" 'BEGIN { exit !(e <= 1e-6) }' || fail "largest difference from the formula: $output"
    run formula_error "$OUT/opt-lv2-plain.npy" 72 100 0.5 0.1 9600
    assert_success
    awk -v e="$output" 'BEGIN { exit !(e <= 1e-6) }' || fail "largest difference from the formula: $output"
    for name in lv2 vst3 vst2 opt-vst3 opt-vst2; do
        cmp "$OUT/opt-lv2-state.npy" "$OUT/$name-state.npy"
        cmp "$OUT/opt-lv2-plain.npy" "$OUT/$name-plain.npy"
    done
    run cmp -s "$OUT/opt-lv2-state.npy" "$OUT/opt-lv2-plain.npy"
    assert_failure 1
}

@test "a plugin that declares no audio output fails each job saying so; the run goes on" {
    # The variant's bundle with its output ports turned into CV ports.
    cp -R "$LV2_OPT" "$BATS_TEST_TMPDIR/"
    local bundle="$BATS_TEST_TMPDIR/vr-test-synth.lv2"
    sed -i 's/a lv2:OutputPort , lv2:AudioPort ;/a lv2:OutputPort , lv2:CVPort ;/' "$bundle/dsp.ttl"
    run grep -c 'lv2:CVPort' "$bundle/dsp.ttl"
    assert_output 2
    sh_run_lines "render-one --plugin '$bundle' --duration 0.1 --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.wav\"}" "{\"output_path\":\"$OUT/b.wav\",\"note\":72}"
    assert_failure 1
    run jq -r '[.status, .error.message] | @tsv' <<<"$output"
    assert_output "$(printf 'error\tplugin %s has no audio output: it declares no output bus\n' "$bundle" "$bundle")"
    [ -z "$(names_in "$OUT")" ] || fail "written: $(names_in "$OUT")"
}
