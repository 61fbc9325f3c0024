#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one loading presets, states and parameters, proving they reached the
# plugin, and making preset files from a plugin's own programs.
# Over 400 lines: every preset format's way into a plugin, and back out,
# shares these fixtures and helpers; split, each half would repeat them.
# shellcheck disable=SC2016 # render_jobs takes jq filters: $o and the like are jq's
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

# Runs `render-one $1` (its standard error dropped) on the jobs that the jq
# filter in the last argument makes, where $o is $OUT; jq arguments between
# the two (--arg NAME VALUE) name more values.
render_jobs() {
    local options=$1 filter=${!#}
    jq -nc --arg o "$OUT" "${@:2:$# - 2}" "$filter" >"$OUT/jobs.ndjson"
    sh_run "render-one $options <$OUT/jobs.ndjson 2>/dev/null"
}

@test "a state, a .vstpreset and set_params reach the test synth: its CRC and its sound follow" {
    vrts_state "$OUT/s.bin" 0.9 0.1 hello
    vrts_state "$OUT/comp.bin" 0.2 0.1 other
    vstpreset "$OUT/p.vstpreset" "$OUT/comp.bin" ABCDEF019182FAEB56726E6456727473
    render_jobs "--plugin $SYNTH3 --duration 0.1 --tail 0 --params" '
        {output_path: "\($o)/a.wav", state_path: "\($o)/s.bin"},
        {output_path: "\($o)/b.wav", preset_path: "\($o)/p.vstpreset", set_params: {release: 0.5}},
        {output_path: "\($o)/c.wav", set_params: {"0": 0.75}},
        {output_path: "\($o)/d.wav"}'
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
    # The synth keeps a state it cannot read, as Serum 2 would read it (README.md, "Text states").
    run env VR_TEST_SYNTH_STATE=keep render-one --plugin "$SYNTH3" --ignore-plugin-id --duration 0.05 --tail 0 --params \
        <"$OUT/jobs" 2>/dev/null
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
    run render-one --plugin "$SYNTH2" --export-programs "$OUT/vst2p" --export-params
    assert_success
    [ "$(head -c 12 "$OUT/vst2/Loud.fxp" | tail -c 4)" = FPCh ]
    [ "$(head -c 12 "$OUT/vst2p/Loud.fxp" | tail -c 4)" = FxCk ]
    render_jobs "--plugin $SYNTH3 --duration 0.1 --tail 0 --params" --arg vst2 "$SYNTH2" '
        {output_path: "\($o)/native.wav", preset_path: "\($o)/vst3/Loud.vstpreset"},
        {output_path: "\($o)/cross.wav", preset_path: "\($o)/vst2/Loud.fxp"},
        {output_path: "\($o)/vst2.wav", preset_path: "\($o)/vst2/Loud.fxp", plugin_path: $vst2},
        {output_path: "\($o)/cross-params.wav", preset_path: "\($o)/vst2p/Loud.fxp"},
        {output_path: "\($o)/init.wav"}'
    assert_success
    local r=("${lines[@]}")
    run jq -r '[.preset_applied_as, .params[0].text, .preset_changed_state, .params[11].text] | @tsv' <<<"$output"
    # The chunk carries the whole state (its payload's CRC too); the values
    # by index carry the parameters, and the payload stays the default's.
    local loud_crc
    loud_crc=$(jq -r '.params[11].text' <<<"${r[0]}")
    [ "$loud_crc" != 0x00000000 ]
    assert_output "$(printf 'vstpreset\t0.750\ttrue\t%s\nfxp-chunk-as-vst3-state\t0.750\ttrue\t%s\nfxp-chunk\t0.750\ttrue\t%s
fxp-params\t0.750\ttrue\t0x00000000\n\t0.500\t\t0x00000000' "$loud_crc" "$loud_crc" "$loud_crc")"
    assert_equal "$(jq -c '[.params[] | select(.index != 11 and .index != 12 and .index != 13 and .index < 14) | .value]' <<<"${r[3]}")" \
        "$(jq -c '[.params[] | select(.index != 11 and .index != 12 and .index != 13 and .index < 14) | .value]' <<<"${r[0]}")"
    cmp "$OUT/native.wav" "$OUT/cross.wav"
    cmp "$OUT/native.wav" "$OUT/vst2.wav"
    cmp "$OUT/native.wav" "$OUT/cross-params.wav"
    run cmp -s "$OUT/native.wav" "$OUT/init.wav"
    assert_failure
    # The export's records are jobs: each program's file renders at its level.
    sh_run "render-one --plugin $SYNTH2 --export-programs $OUT/again 2>/dev/null \
            | jq -c --arg o $OUT '. + {output_path: \"\\(\$o)/e\\(.program_index).wav\"}' \
            | render-one --plugin $SYNTH2 --duration 0.1 --tail 0 --params 2>/dev/null"
    assert_success
    run jq -r '[.program_index, .preset_applied_as, .params[0].text] | @tsv' <<<"$output"
    assert_output "$(printf '0\tfxp-chunk\t0.500\n1\tfxp-chunk\t0.250\n2\tfxp-chunk\t0.750\n3\tfxp-chunk\t1.000')"
}

@test "set_params: an unknown name fails the job naming the nearest parameters there are" {
    render_jobs "--plugin $SYNTH2 --duration 0.05 --tail 0" '
        {output_path: "\($o)/x.wav", set_params: {levle: 0.5}},
        {output_path: "\($o)/y.wav", set_params: {"99": 0.5}}'
    assert_failure 1
    assert_line --index 0 --partial "set_params: the plugin has no parameter 'levle'; the nearest of its 14: 'level' (0) ("
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
    local bank="$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb"
    head -c 200 "$bank" >"$OUT/cut.fxb"
    # The test synth's own presets, broken by hand: a chunk size past the
    # end, and more values than it has parameters.
    render-one --plugin "$SYNTH2" --export-programs "$OUT/e" >/dev/null
    render-one --plugin "$SYNTH2" --export-programs "$OUT/ep" --export-params >/dev/null
    python3 - "$OUT" <<'PY'
import struct, sys
out = sys.argv[1]
b = bytearray(open(out + "/e/Loud.fxp", "rb").read())
b[56:60] = struct.pack(">i", 100000)
open(out + "/liar.fxp", "wb").write(b)
p = bytearray(open(out + "/ep/Loud.fxp", "rb").read())
n = struct.unpack(">i", p[24:28])[0]
vals = list(struct.unpack(">%df" % n, p[56:56 + 4 * n])) + [0.5] * 26
many = p[:56] + struct.pack(">%df" % len(vals), *vals)
many[24:28], many[4:8] = struct.pack(">i", len(vals)), struct.pack(">i", len(many) - 8)
open(out + "/many.fxp", "wb").write(many)
PY
    for f in "$OUT/cut.fxp" "$OUT/text.fxp" "$OUT/cut.vstpreset" "$OUT/cut.SerumPreset" "$fxp" "$OUT/missing.fxp" \
             "$OUT/cut.fxb" "$OUT/liar.fxp" "$OUT/many.fxp"; do
        printf '{"output_path":"%s","preset_path":"%s"}\n{"output_path":"%s"}\n' "$OUT/x.wav" "$f" "$OUT/ok.wav"
    done >"$OUT/jobs"
    printf '{"output_path":"%s","state_path":"%s"}\n{"output_path":"%s"}\n' "$OUT/x.wav" "$OUT/bad.state" "$OUT/ok.wav" >>"$OUT/jobs"
    printf '{"output_path":"%s","preset_path":"%s","program_index":99}\n{"output_path":"%s"}\n' \
        "$OUT/x.wav" "$bank" "$OUT/ok.wav" >>"$OUT/jobs"
    run render-one --plugin "$SYNTH2" --duration 0.05 --tail 0 <"$OUT/jobs" 2>/dev/null
    assert_failure 1
    assert_equal "${#lines[@]}" 22
    local i
    for i in 1 3 5 7 9 11 13 15 17 19 21; do
        assert_equal "$(jq -r .status <<<"${lines[$i]}")" ok
    done
    assert_line --index 0 --partial "preset $OUT/cut.fxp: numParams 16 at byte 24 needs 64 bytes"
    assert_line --index 2 --partial "preset $OUT/text.fxp: not a preset render-one can load"
    assert_line --index 4 --partial "preset $OUT/cut.vstpreset: "
    assert_line --index 6 --partial "preset $OUT/cut.SerumPreset: "
    assert_line --index 8 --partial "$fxp: the preset is for plugin id MDAx; the loaded plugin's id is Vrts"
    assert_line --index 10 --partial "$OUT/missing.fxp"
    assert_line --index 12 --partial "preset $OUT/cut.fxb: numPrograms 64 at byte 24 cannot fit"
    assert_line --index 14 --partial "preset $OUT/liar.fxp: chunkSize 100000 at byte 56 is past the end"
    assert_line --index 16 --partial "$OUT/many.fxp: the preset holds 40 parameter values; the plugin has 14 parameters"
    assert_line --index 18 --partial "state $OUT/bad.state: "
    assert_line --index 20 --partial "preset $bank: program_index 99 is out of range: the bank has 64 programs"
    [ ! -e "$OUT/x.wav" ]
    # A chunk for a plugin that takes only parameters (Kars), its id waived.
    render_jobs "--plugin $KARS --ignore-plugin-id --duration 0.05 --tail 0" '
        {output_path: "\($o)/x.wav", preset_path: "\($o)/e/Loud.fxp"},
        {output_path: "\($o)/ok.wav"}'
    assert_failure 1
    assert_line --index 0 --partial "$OUT/e/Loud.fxp: the preset is a state chunk; this plugin takes parameters, not chunks"
    assert_equal "$(jq -r .status <<<"${lines[1]}")" ok
    [ ! -e "$OUT/x.wav" ]
}

# The largest difference between two 24-bit WAV files, in steps of 24 bits.
max_lsb() {
    python3 - "$1" "$2" <<'PY'
import sys, wave
def pcm(p):
    with wave.open(p) as w:
        b = w.readframes(w.getnframes())
    return [int.from_bytes(b[i:i + 3], "little", signed=True) for i in range(0, len(b), 3)]
a, b = pcm(sys.argv[1]), pcm(sys.argv[2])
print(max(abs(x - y) for x, y in zip(a, b)) if len(a) == len(b) else "lengths differ")
PY
}

# amsynth's factory banks are read by its own decimal parser, which rounds
# differently from the C++ stream that reads its chunks; this prints an
# FPCh .fxp's chunk with each value as that parser makes it, to 9 digits.
amsynth_factory_floats() {
    python3 - "$1" "$2" <<'PY'
import struct, sys
f32 = lambda x: struct.unpack("f", struct.pack("f", x))[0]
def factory(s):
    if "e" in s: return f32(float(s))  # its stream reads these
    rez, fact = 0.0, 1.0
    if s.startswith("-"): s, fact = s[1:], -1.0
    seen = False
    for ch in s:
        if ch == ".": seen = True
        elif ch.isdigit():
            if seen: fact = f32(fact / 10.0)
            rez = f32(f32(rez * 10.0) + int(ch))
    return f32(rez * fact)
b = open(sys.argv[1], "rb").read()
text = b[60:60 + struct.unpack(">i", b[56:60])[0]].split(b"\0")[0].decode()
lines = [("<parameter> %s %.9g" % (l.split()[1], factory(l.split()[2])) if l.startswith("<parameter>") else l)
         for l in text.splitlines()]
chunk = ("\n".join(lines) + "\n").encode()
head = bytearray(b[:60])
head[4:8], head[56:60] = struct.pack(">i", 52 + len(chunk)), struct.pack(">i", len(chunk))
open(sys.argv[2], "wb").write(bytes(head) + chunk)
PY
}

@test "amsynth programs exported as .fxp and as a bank render as the programs by program_index, as far as amsynth allows" {
    local picks=(0 6 12 29 300 611 1024 1500 2047 2600 3100 3481) i
    sh_run "render-one --plugin $AMSYNTH --export-programs $OUT/fxck --export-params 2>/dev/null"
    assert_success
    assert_equal "${#lines[@]}" 3584
    printf '%s\n' "${lines[@]}" >"$OUT/fxck.ndjson"
    sh_run "render-one --plugin $AMSYNTH --export-programs $OUT/fpch 2>/dev/null"
    assert_success
    printf '%s\n' "${lines[@]}" >"$OUT/fpch.ndjson"
    # amsynth answers a bank request with its current program alone: the
    # bank holds every program's values instead (FxBk), 3584 x 41 floats.
    sh_run "render-one --plugin $AMSYNTH --export-bank $OUT/bank.fxb 2>/dev/null"
    assert_success
    assert_output --partial '"program_count":3584'
    [ "$(head -c 12 "$OUT/bank.fxb" | tail -c 4)" = FxBk ]
    # A copy of the bank with program 29's master_vol (parameter 14) at 0.25.
    python3 - "$OUT/bank.fxb" "$OUT/bank-edited.fxb" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read())
at = 156 + 29 * (56 + 41 * 4) + 56 + 14 * 4
b[at:at + 4] = struct.pack(">f", 0.25)
open(sys.argv[2], "wb").write(b)
PY
    local sel
    sel=$(printf '%s\n' "${picks[@]}" | jq -s -c .)
    jq -c --argjson s "$sel" 'select(.program_index as $i | $s | index($i))' "$OUT/fxck.ndjson" >"$OUT/fxck.picked"
    jq -c --argjson s "$sel" 'select(.program_index as $i | $s | index($i))' "$OUT/fpch.ndjson" >"$OUT/fpch.picked"
    jq -c --arg o "$OUT" '{output_path: "\($o)/i\(.program_index).wav", program_index},
                          {output_path: "\($o)/b\(.program_index).wav", program_index, preset_path: "\($o)/bank.fxb"},
                          {output_path: "\($o)/p\(.program_index).wav", preset_path}' "$OUT/fxck.picked" >"$OUT/jobs"
    jq -c --arg o "$OUT" '{output_path: "\($o)/c\(.program_index).wav", preset_path},
                          {output_path: "\($o)/x\(.program_index).wav", preset_path: "\($o)/x\(.program_index).fxp"}' \
        "$OUT/fpch.picked" >>"$OUT/jobs"
    while read -r i f; do amsynth_factory_floats "$f" "$OUT/x$i.fxp"; done < <(jq -r '"\(.program_index) \(.preset_path)"' "$OUT/fpch.picked")
    local n10 n2 f29
    f29=$(jq -r 'select(.program_index == 29) | .preset_path' "$OUT/fxck.picked")
    n10=$(python3 -c 'import struct, sys; b = open(sys.argv[1], "rb").read(); print(repr(struct.unpack(">f", b[96:100])[0]))' "$f29")
    n2=$(python3 -c 'import struct, sys; b = open(sys.argv[1], "rb").read(); print(repr(struct.unpack(">f", b[64:68])[0]))' "$f29")
    { printf '{"output_path":"%s","program_index":29,"preset_path":"%s"}\n' "$OUT/e29.wav" "$OUT/bank-edited.fxb"
      # Program 29 with one value set away and back through the parameter:
      # amp_sustain (0..1) comes back to the very value, filter_env_amount
      # (-16..16) to one it cannot hold.
      printf '{"output_path":"%s","program_index":29,"set_params":{"2":0.5,"amp_sustain":%s}}\n' "$OUT/s2.wav" "$n2"
      printf '{"output_path":"%s","program_index":29,"set_params":{"10":0.5,"filter_env_amount":%s}}\n' "$OUT/s10.wav" "$n10"
    } >>"$OUT/jobs"
    sh_run "render-one --plugin $AMSYNTH --duration 0.3 --tail 0.2 --params <$OUT/jobs 2>/dev/null"
    # x0 holds program 0, the never-played state, in other text than
    # amsynth's own: the state after loading is the one before, yet with a
    # parameter moved the file brings the plugin back to it, so the plugin
    # held that state already (render-one(1)): ok, the state unchanged.
    assert_success
    printf '%s\n' "${lines[@]}" >"$OUT/results"
    assert_equal "$(jq -r 'select(.error) | .error.message' "$OUT/results")" ""
    assert_equal "$(jq -r 'select(.output_path | endswith("/x0.wav")) | [.status, .preset_changed_state] | map(tostring) | join(" ")' "$OUT/results")" "ok false"
    cmp "$OUT/c0.wav" "$OUT/x0.wav"
    # Every file's values read back as the program's, labelled by the door taken.
    for i in "${picks[@]}"; do
        run jq -r --arg o "$OUT" --argjson i "$i" '
            [.[] | select(.output_path | test("/[ibp]\($i)\\.wav$"))] as $r
            | [($r | map(.params | map(.value)) | unique | length), ($r | map(.preset_applied_as) | sort | join(","))]
            | @tsv' < <(jq -s . "$OUT/results")
        assert_output "$(printf '1\t,fxb-params,fxp-params')"
        assert_equal "$(jq -r --argjson i "$i" 'select(.output_path | test("/c\($i)\\.wav$")) | .preset_applied_as' "$OUT/results")" fxp-chunk
    done
    # The bank: every program the very samples of the program by index.
    for i in "${picks[@]}"; do cmp "$OUT/i$i.wav" "$OUT/b$i.wav"; done
    # Its values are what plays: program 29 edited in the bank reads back and sounds so.
    assert_equal "$(jq -r 'select(.output_path | endswith("/e29.wav")) | .params[14].value' "$OUT/results")" 0.25
    run cmp -s "$OUT/i29.wav" "$OUT/e29.wav"
    assert_failure
    # A single .fxp: the very samples where amsynth's own conversions give
    # its values back (FxCk: the parameter's 0..1 mapping; FPCh: its chunk's
    # 6-digit text, read by another parser than its factory banks)...
    for i in 0 6 12 3100 3481; do cmp "$OUT/i$i.wav" "$OUT/p$i.wav"; done
    cmp "$OUT/i0.wav" "$OUT/c0.wav"
    # ...and within a few 24-bit steps where they do not.
    for i in 29 300 611 1024 1500 2047 2600; do [ "$(max_lsb "$OUT/i$i.wav" "$OUT/p$i.wav")" -le 8 ]; done
    # Why, proven. FPCh: the chunk's text is the program's (equal states),
    # and the same chunk with each value as amsynth's bank parser makes it,
    # to 9 digits, gives the very samples of every program.
    for i in "${picks[@]}"; do
        assert_equal "$(jq -r --argjson i "$i" 'select(.output_path | test("/c\($i)\\.wav$")) | .state_sha256' "$OUT/results")" \
            "$(jq -r --argjson i "$i" 'select(.output_path | test("/i\($i)\\.wav$")) | .state_sha256' "$OUT/results")"
        [ "$i" = 0 ] || cmp "$OUT/i$i.wav" "$OUT/x$i.wav"
    done
    # FxCk: a 0..1 parameter set away and back gives program 29's very
    # samples; filter_env_amount (-16..16) does not: v + 16 loses bits of v.
    cmp "$OUT/i29.wav" "$OUT/s2.wav"
    run cmp -s "$OUT/i29.wav" "$OUT/s10.wav"
    assert_failure
}

@test "ZynAddSubFX's chunk round-trips: exported program and saved state render as the original" {
    sh_run "render-one --plugin $ZYN --export-programs $OUT/zyn 2>/dev/null"
    assert_success
    [ "$(head -c 12 "$OUT/zyn/Default.fxp" | tail -c 4)" = FPCh ]
    sh_run "render-one --plugin $ZYN -o $OUT/z0.wav --save-state $OUT/z.fxb --duration 0.3 --tail 0.2 2>/dev/null"
    assert_success
    local sha
    sha=$(jq -r .state_sha256 <<<"$output")
    render_jobs "--plugin $ZYN --duration 0.3 --tail 0.2" '
        {output_path: "\($o)/z1.wav", state_path: "\($o)/z.fxb"},
        {output_path: "\($o)/z2.wav", preset_path: "\($o)/zyn/Default.fxp"}'
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
        render_jobs "--plugin $p --duration 0.3 --tail 0.2 --params" --arg n "$name" '
            {output_path: "\($o)/\($n)-p.wav", preset_path: "\($o)/\($n).fxp"},
            {output_path: "\($o)/\($n)-d.wav"}'
        assert_success
        assert_equal "$(jq -r 'select(.preset_path) | [.params[].value | tostring] | join(" ")' <<<"$output")" \
            "$(cat "$OUT/$name.want")"
        assert_equal "$(jq -r 'select(.preset_path) | [.preset_applied_as, .preset_changed_state] | @tsv' <<<"$output")" \
            "$(printf 'fxp-params\ttrue')"
        run cmp -s "$OUT/$name-p.wav" "$OUT/$name-d.wav"
        assert_failure
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
