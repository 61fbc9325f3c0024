#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one loading presets, states and parameters, proving they reached the
# plugin, and making preset files from a plugin's own programs.
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
ZYN=/usr/lib/vst/ZynAddSubFX.so
KARS=/usr/lib/vst/Kars-vst.so
NEKOBI=/usr/lib/vst/Nekobi-vst.so
: "${VR_TEST_SYNTH_VST3:=$TESTS_DIR/../build/plugins/vst3/vr-test-synth.vst3}"
: "${VR_TEST_SYNTH_VST2:=$TESTS_DIR/../build/plugins/vst/vr-test-synth.so}"
SYNTH3="$VR_TEST_SYNTH_VST3"
SYNTH2="$VR_TEST_SYNTH_VST2"

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

# CRC-32 of a file as the test synth's state_crc text prints it (0x%08x).
crc() { python3 -c 'import sys, zlib; print("0x%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$1"; }

# The test synth's state (tests/plugins/README.md): level, release, payload.
# Also prints nothing; writes FILE.
vrts_state() {
    python3 - "$@" <<'PY'
import struct, sys
out, level, release, payload = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4].encode()
vals = [level, release] + [0.0] * 9
open(out, "wb").write(b"VRTS" + struct.pack("<II", 1, 11) + struct.pack("<11f", *vals)
                      + struct.pack("<II", 0, len(payload)) + payload)
PY
}

# A .vstpreset holding COMP as its component state, for class id CID.
vstpreset() {
    python3 - "$@" <<'PY'
import struct, sys
out, comp, cid = sys.argv[1], open(sys.argv[2], "rb").read(), sys.argv[3].encode()
head = b"VST3" + struct.pack("<i", 1) + cid
at = len(head) + 8
lst = b"List" + struct.pack("<i", 1) + b"Comp" + struct.pack("<qq", at, len(comp))
open(out, "wb").write(head + struct.pack("<q", at + len(comp)) + comp + lst)
PY
}

# The peak in dBFS of a note at velocity 100 from the test synth at LEVEL.
peak_for() { python3 -c "import math; print(round(20 * math.log10(100 / 127 * $1), 2))"; }

@test "a state, a .vstpreset and set_params reach the test synth: its CRC and its sound follow" {
    vrts_state "$OUT/s.bin" 0.9 0.1 hello
    vrts_state "$OUT/comp.bin" 0.2 0.1 other
    vstpreset "$OUT/p.vstpreset" "$OUT/comp.bin" ABCDEF019182FAEB56726E6456727473
    sh_run "printf '%s\n' '{\"output_path\":\"$OUT/a.wav\",\"state_path\":\"$OUT/s.bin\"}' \
                         '{\"output_path\":\"$OUT/b.wav\",\"preset_path\":\"$OUT/p.vstpreset\",\"set_params\":{\"release\":0.5}}' \
                         '{\"output_path\":\"$OUT/c.wav\",\"set_params\":{\"0\":0.75}}' \
                         '{\"output_path\":\"$OUT/d.wav\"}' \
            | render-one --plugin $SYNTH3 --duration 0.1 --tail 0 --params 2>/dev/null"
    assert_success
    local r=("${lines[@]}")
    run jq -r '[.preset_applied_as, .preset_changed_state, .params[11].text, .params[0].text, .peak_dbfs] | @tsv' <<<"${r[0]}"
    assert_output "$(printf 'state\ttrue\t%s\t0.900\t%s' "$(crc "$OUT/s.bin")" "$(peak_for 0.9)")"
    run jq -r '[.preset_applied_as, .preset_changed_state, .params[11].text, .params[0].text, .params[1].text, .peak_dbfs,
                .preset_sha256] | @tsv' <<<"${r[1]}"
    assert_output "$(printf 'vstpreset\ttrue\t%s\t0.200\t500.0 ms\t%s\t%s' "$(crc "$OUT/comp.bin")" "$(peak_for 0.2)" \
                     "$(sha256sum <"$OUT/p.vstpreset" | cut -c1-64)")"
    run jq -r '[.params[0].value, .params[0].text, .peak_dbfs, has("preset_changed_state")] | @tsv' <<<"${r[2]}"
    assert_output "$(printf '0.75\t0.750\t%s\tfalse' "$(peak_for 0.75)")"
    # The job after them plays the untouched instance: level 0.5, no CRC.
    run jq -r '[.params[0].text, .params[11].text, .peak_dbfs] | @tsv' <<<"${r[3]}"
    assert_output "$(printf '0.500\t0x00000000\t%s' "$(peak_for 0.5)")"
}

@test "every fixture .SerumPreset reaches the test synth standing in for Serum as serum-unwrap's IComponent bytes" {
    local n=0 f
    for f in "$FIXTURES"/serum2/files/*/*.SerumPreset; do
        n=$((n + 1))
        serum-unwrap --raw -o "$OUT/env$n.bin" "$f"
        printf '{"output_path":"%s","preset_path":"%s","want":"%s"}\n' "$OUT/s$n.wav" "$f" "$(crc "$OUT/env$n.bin")"
    done >"$OUT/jobs"
    [ "$n" -ge 3 ]
    run render-one --plugin "$SYNTH3" --ignore-plugin-id --duration 0.05 --tail 0 --params <"$OUT/jobs" 2>/dev/null
    assert_success
    run jq -r 'select(.params[11].text != .want or .preset_applied_as != "serum2") | .preset_path' <<<"$output"
    assert_output ""
    # Without --ignore-plugin-id the test synth is not Serum.
    run render-one --plugin "$SYNTH3" --duration 0.05 --tail 0 < <(head -1 "$OUT/jobs") 2>/dev/null
    assert_failure 1
    assert_output --partial "the preset is for plugin id Serum2; the loaded plugin's id is ABCDEF019182FAEB56726E6456727473"
}

@test "exported programs of the test synth: VST2 chunk .fxp, .vstpreset, and the .fxp into the VST3 build sound the same" {
    run render-one --plugin "$SYNTH2" --export-programs "$OUT/vst2"
    assert_success
    assert_equal "${#lines[@]}" 4
    run render-one --plugin "$SYNTH3" --export-programs "$OUT/vst3"
    assert_success
    [ "$(head -c 12 "$OUT/vst2/Loud.fxp" | tail -c 4)" = FPCh ]
    sh_run "printf '%s\n' '{\"output_path\":\"$OUT/native.wav\",\"preset_path\":\"$OUT/vst3/Loud.vstpreset\"}' \
                         '{\"output_path\":\"$OUT/cross.wav\",\"preset_path\":\"$OUT/vst2/Loud.fxp\"}' \
                         '{\"output_path\":\"$OUT/vst2.wav\",\"preset_path\":\"$OUT/vst2/Loud.fxp\",\"plugin_path\":\"$SYNTH2\"}' \
            | render-one --plugin $SYNTH3 --duration 0.1 --tail 0 --params 2>/dev/null"
    assert_success
    run jq -r '[.preset_applied_as, .params[0].text, .preset_changed_state] | @tsv' <<<"$output"
    assert_output "$(printf 'vstpreset\t0.750\ttrue\nfxp-chunk-as-vst3-state\t0.750\ttrue\nfxp-chunk\t0.750\ttrue')"
    cmp "$OUT/native.wav" "$OUT/cross.wav"
    cmp "$OUT/native.wav" "$OUT/vst2.wav"
    # The export's records are jobs: each program's file renders at its level.
    sh_run "render-one --plugin $SYNTH2 --export-programs $OUT/again 2>/dev/null \
            | jq -c --arg o $OUT '. + {output_path: \"\\(\$o)/e\\(.program_index).wav\"}' \
            | render-one --plugin $SYNTH2 --duration 0.1 --tail 0 --params 2>/dev/null"
    assert_success
    run jq -r '[.program_index, .preset_applied_as, .params[0].text] | @tsv' <<<"$output"
    assert_output "$(printf '0\tfxp-chunk\t0.500\n1\tfxp-chunk\t0.250\n2\tfxp-chunk\t0.750\n3\tfxp-chunk\t1.000')"
}

@test "set_params: an unknown name fails the job naming the parameters there are" {
    sh_run "printf '%s\n' '{\"output_path\":\"$OUT/x.wav\",\"set_params\":{\"levle\":0.5}}' '{\"output_path\":\"$OUT/y.wav\",\"set_params\":{\"99\":0.5}}' \
            | render-one --plugin $SYNTH2 --duration 0.05 --tail 0 2>/dev/null"
    assert_failure 1
    assert_line --index 0 --partial "set_params: the plugin has no parameter 'levle'; it has 14: 0 level, 1 release, 2 crash"
    assert_line --index 1 --partial "no parameter '99'"
}

@test "corrupt, truncated and mismatched presets give error records naming file and problem; the next job renders" {
    local fxp="$FIXTURES/fxp/files/ardour2fxp/MDAx_Harp_FxCk.fxp"
    head -c 70 "$fxp" >"$OUT/cut.fxp"
    printf 'not a preset at all\n' >"$OUT/text.fxp"
    head -c 40 "$FIXTURES/vstpreset/files/iterum/BBD_Analog_Dreams.vstpreset" >"$OUT/cut.vstpreset"
    local serum=("$FIXTURES"/serum2/files/CharlesBT/*.SerumPreset)
    head -c 600 "${serum[0]}" >"$OUT/cut.SerumPreset"
    printf 'VC2!\377\377\0\0' >"$OUT/bad.state"
    for f in "$OUT/cut.fxp" "$OUT/text.fxp" "$OUT/cut.vstpreset" "$OUT/cut.SerumPreset" "$fxp" "$OUT/missing.fxp"; do
        printf '{"output_path":"%s","preset_path":"%s"}\n{"output_path":"%s"}\n' "$OUT/x.wav" "$f" "$OUT/ok.wav"
    done >"$OUT/jobs"
    printf '{"output_path":"%s","state_path":"%s"}\n{"output_path":"%s"}\n' "$OUT/x.wav" "$OUT/bad.state" "$OUT/ok.wav" >>"$OUT/jobs"
    run render-one --plugin "$SYNTH2" --duration 0.05 --tail 0 <"$OUT/jobs" 2>/dev/null
    assert_failure 1
    assert_equal "${#lines[@]}" 14
    local i
    for i in 1 3 5 7 9 11 13; do
        assert_equal "$(jq -r .status <<<"${lines[$i]}")" ok
    done
    assert_line --index 0 --partial "preset $OUT/cut.fxp: numParams 16 at byte 24 needs 64 bytes"
    assert_line --index 2 --partial "preset $OUT/text.fxp: not a preset render-one can load"
    assert_line --index 4 --partial "preset $OUT/cut.vstpreset: "
    assert_line --index 6 --partial "preset $OUT/cut.SerumPreset: "
    assert_line --index 8 --partial "$fxp: the preset is for plugin id MDAx; the loaded plugin's id is Vrts"
    assert_line --index 10 --partial "$OUT/missing.fxp"
    assert_line --index 12 --partial "state $OUT/bad.state: "
    [ ! -e "$OUT/x.wav" ]
}

@test "amsynth programs exported as .fxp render as the same programs by program_index; so does an exported bank" {
    sh_run "render-one --plugin $AMSYNTH --export-programs $OUT/fxp --export-params 2>/dev/null"
    assert_success
    assert_equal "${#lines[@]}" 3584
    printf '%s\n' "${lines[@]}" | sed -n '1p;7p;13p;30p' >"$OUT/picked"
    sh_run "render-one --plugin $AMSYNTH --export-bank $OUT/bank.fxb 2>/dev/null"
    assert_success
    assert_output --partial '"program_count":3584'
    { jq -c --arg o "$OUT" '{output_path: "\($o)/i\(.program_index).wav", program_index}' "$OUT/picked"
      jq -c --arg o "$OUT" '{output_path: "\($o)/f\(.program_index).wav", preset_path}' "$OUT/picked"
      jq -c --arg o "$OUT" '{output_path: "\($o)/b\(.program_index).wav", program_index, preset_path: "\($o)/bank.fxb"}' \
          "$OUT/picked"; } >"$OUT/jobs"
    sh_run "render-one --plugin $AMSYNTH --duration 0.3 --tail 0.2 --params <$OUT/jobs 2>/dev/null"
    assert_success
    local r=("${lines[@]}") i
    for i in 0 1 2 3; do
        # Every parameter reads back the same from the file as by index.
        assert_equal "$(jq -c .params <<<"${r[$((i + 4))]}")" "$(jq -c .params <<<"${r[$i]}")"
        assert_equal "$(jq -r .preset_applied_as <<<"${r[$((i + 4))]}")" fxp-params
        assert_equal "$(jq -r .preset_applied_as <<<"${r[$((i + 8))]}")" fxb-chunk
    done
    for i in $(jq .program_index "$OUT/picked"); do
        cmp "$OUT/i$i.wav" "$OUT/b$i.wav"
    done
    # amsynth: for programs 0, 6 and 12 the file's values give the very samples;
    # program 29 differs by a few 24-bit steps (see the report in the log).
    for i in 0 6 12; do cmp "$OUT/i$i.wav" "$OUT/f$i.wav"; done
}

@test "ZynAddSubFX's chunk round-trips: exported program and saved state render as the original" {
    sh_run "render-one --plugin $ZYN --export-programs $OUT/zyn 2>/dev/null"
    assert_success
    [ "$(head -c 12 "$OUT/zyn/Default.fxp" | tail -c 4)" = FPCh ]
    sh_run "render-one --plugin $ZYN -o $OUT/z0.wav --save-state $OUT/z.fxb --duration 0.3 --tail 0.2 2>/dev/null"
    assert_success
    local sha
    sha=$(jq -r .state_sha256 <<<"$output")
    sh_run "printf '%s\n' '{\"output_path\":\"$OUT/z1.wav\",\"state_path\":\"$OUT/z.fxb\"}' \
                         '{\"output_path\":\"$OUT/z2.wav\",\"preset_path\":\"$OUT/zyn/Default.fxp\"}' \
            | render-one --plugin $ZYN --duration 0.3 --tail 0.2 2>/dev/null"
    assert_success
    run jq -r '[.preset_applied_as, .state_sha256, .preset_changed_state] | @tsv' <<<"$output"
    assert_output "$(printf 'state\t%s\tfalse\nfxp-chunk\t%s\tfalse' "$sha" "$sha")"
    cmp "$OUT/z0.wav" "$OUT/z1.wav"
    cmp "$OUT/z0.wav" "$OUT/z2.wav"
}

@test "Kars and Nekobi FxCk presets written here read back to float precision and sound different" {
    local p name
    for p in "$KARS" "$NEKOBI"; do
        name=$(basename "$p" .so)
        sh_run "render-one --plugin $p --export-programs $OUT/$name 2>/dev/null"
        assert_success
        local f
        f=$(jq -r .preset_path <<<"${lines[0]}")
        [ "$(head -c 12 "$f" | tail -c 4)" = FxCk ]
        # Every value moved away from the default: switches (at 0) on, the
        # rest to 0.3 or 0.7.
        python3 - "$f" "$OUT/$name.fxp" "$OUT/$name.want" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
n = struct.unpack(">i", b[24:28])[0]
vals = list(struct.unpack(">%df" % n, b[56:56 + 4 * n]))
new = [1.0 if v == 0 else 0.3 if v > 0.5 else 0.7 for v in vals]
b[56:56 + 4 * n] = struct.pack(">%df" % n, *new)
open(sys.argv[2], "wb").write(b)
f32 = [struct.unpack(">f", struct.pack(">f", v))[0] for v in new]
open(sys.argv[3], "w").write(" ".join("%d" % v if v == int(v) else repr(v) for v in f32))
PY
        sh_run "printf '%s\n' '{\"output_path\":\"$OUT/$name-p.wav\",\"preset_path\":\"$OUT/$name.fxp\"}' \
                             '{\"output_path\":\"$OUT/$name-d.wav\"}' \
                | render-one --plugin $p --duration 0.3 --tail 0.2 --params 2>/dev/null"
        assert_success
        assert_equal "$(jq -r 'select(.preset_path) | [.params[].value | tostring] | join(" ")' <<<"$output")" \
            "$(cat "$OUT/$name.want")"
        assert_equal "$(jq -r 'select(.preset_path) | [.preset_applied_as, .preset_changed_state] | @tsv' <<<"$output")" \
            "$(printf 'fxp-params\ttrue')"
        ! cmp -s "$OUT/$name-p.wav" "$OUT/$name-d.wav"
    done
}

@test "--save-state goes with -o; the export flags need --plugin and go one at a time" {
    run render-one --plugin "$SYNTH3" --save-state "$OUT/s"
    assert_failure 2
    run render-one --export-programs "$OUT/e"
    assert_failure 2
    run render-one --plugin "$SYNTH3" --export-programs "$OUT/e" --export-bank "$OUT/b.fxb"
    assert_failure 2
    run render-one --plugin "$SYNTH3" --export-bank "$OUT/b.fxb"
    assert_failure 1
    assert_output --partial "--export-bank writes VST2 banks"
}
