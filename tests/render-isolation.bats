#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-one's isolation chosen by hand (--isolation, the job field
# isolation): the choices checked, the mode reaching the worker, whose
# record says the mode each job got, and the same audio in every mode from
# a plugin that keeps no history; a plugin whose own thread is still at work
# after its first block (padthv1) rendered fresh, forked and under auto,
# and plugins without such threads sounding as they did before; the probe
# renders in place as a job does (a plugin whose state read changes its
# next render).
bats_require_minimum_version 1.5.0
load helper

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT"
}

@test "--isolation takes auto, reset, fork, fresh, restore or process; anything else is a usage error naming them" {
    assert_usage_error render-one --isolation sometimes
    assert_output --partial "--isolation: isolation 'sometimes' is not one of auto, reset, fork, fresh, restore, process"
    assert_usage_error render-one --isolation Fresh
    assert_output --partial "not one of auto, reset, fork, fresh"
    assert_usage_error render-one --isolation ''
    assert_output --partial "not one of auto, reset, fork, fresh"
}

@test "a bad isolation field fails its job naming the choices; the next job renders" {
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.1 --tail 0 2>/dev/null" \
        "{\"output_path\":\"$OUT/a.wav\",\"isolation\":\"never\"}" \
        "{\"output_path\":\"$OUT/b.wav\",\"isolation\":1}" \
        "{\"output_path\":\"$OUT/c.wav\",\"isolation\":\"fork\"}"
    assert_failure 1
    run jq -c '[.status, .error.message, .isolation]' <<<"$output"
    assert_output "[\"error\",\"isolation 'never' is not one of auto, reset, fork, fresh, restore, process\",\"never\"]
[\"error\",\"field 'isolation' must be a string, not a number (1)\",1]
[\"ok\",null,\"fork\"]"
    [ "$(names_in "$OUT")" = c.wav ]
}

@test "each mode, by flag or field, reaches the worker: the record says it, the audio is the same" {
    local mode
    for mode in reset fork fresh; do
        sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.2 --tail 0.1 --isolation $mode 2>/dev/null" \
            "{\"output_path\":\"$OUT/$mode-1.wav\"}" "{\"output_path\":\"$OUT/$mode-2.wav\",\"note\":72}"
        assert_success
        run jq -c '[.status, .isolation]' <<<"$output"
        assert_output "[\"ok\",\"$mode\"]
[\"ok\",\"$mode\"]"
    done
    # A job's field wins over the flag, each job its own mode.
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.2 --tail 0.1 --isolation fresh 2>/dev/null" \
        "{\"output_path\":\"$OUT/auto-1.wav\",\"isolation\":\"auto\"}" \
        "{\"output_path\":\"$OUT/field-2.wav\",\"note\":72,\"isolation\":\"reset\"}"
    assert_success
    run jq -c '[.status, .isolation]' <<<"$output"
    # auto probes the test synth, whose reset restores it.
    assert_output '["ok","reset"]
["ok","reset"]'
    for mode in fork fresh auto; do cmp "$OUT/reset-1.wav" "$OUT/$mode-1.wav"; done
    for mode in fork fresh field; do cmp "$OUT/reset-2.wav" "$OUT/$mode-2.wav"; done
    "$VR_BIN/../tests/audio-probe" "$OUT/reset-2.wav" | jq -e '.frames == 14400 and .peak_dbfs > -20'
    run ! cmp -s "$OUT/reset-1.wav" "$OUT/reset-2.wav"
}

@test "a batch whose jobs fork leaves no zombie behind: its worker reaps its last job's child before it ends" {
    local since
    since=$(ticks_now)
    sh_run_lines "render-one --plugin '$VR_TEST_SYNTH_VST3' --duration 0.2 --tail 0.1 --isolation fork 2>/dev/null" \
        "{\"output_path\":\"$OUT/f1.wav\"}" "{\"output_path\":\"$OUT/f2.wav\",\"note\":72}"
    assert_success
    assert_equal "$(jq -r .isolation <<<"$output" | paste -sd ' ')" "fork fork"
    "$VR_BIN/../tests/audio-probe" "$OUT/f2.wav" | jq -e '.peak_dbfs > -20'
    # render-one waits for its worker's end: its children are gone by now.
    assert_equal "$(orphan_zombies_since "$since")" 0
}

@test "a result read again keeps the mode it got over --isolation, and stderr says so" {
    run render-one --plugin "$VR_TEST_SYNTH_VST3" --duration 0.1 --tail 0 --isolation fork -o "$OUT/a.wav"
    assert_success
    local result=$output
    assert_equal "$(jq -r .isolation <<<"$result")" fork
    run --separate-stderr bash -c "jq -c '.output_path = \"$OUT/again.wav\"' <<<'$result' \
        | render-one --isolation fresh"
    assert_success
    assert_equal "$(jq -r .isolation <<<"$output")" fork
    cmp "$OUT/a.wav" "$OUT/again.wav"
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    [[ "$stderr" == *"--isolation by isolation in 1 job"* ]] || fail "stderr: $stderr"
}

@test "a single job (-o) skips the probe and JUCE's program walk, and renders the bytes the same job renders in a batch" {
    local amsynth=/usr/lib/vst/amsynth_vst.so
    [ -e "$amsynth" ] || skip "amsynth is not installed"
    mkdir -p "$HOME/.local/share"
    run render-one --plugin "$amsynth" -o "$OUT/one.wav" --note 48 --duration 0.5 --tail 0.3
    assert_success
    [ "$(jq -r .isolation <<<"$output")" = fresh ]
    one_state=$(jq -r .state_sha256 <<<"$output")
    # In a batch the probe runs (amsynth's reset does not restore it: each
    # job is forked from the never-played instance, walked by JUCE). Its
    # first job renders in place when the probe cache says a forked render
    # is the same (the -o above left its verdict); not with --no-cache.
    sh_run_lines "render-one --plugin '$amsynth' --no-cache 2>/dev/null" \
        "{\"output_path\":\"$OUT/batch.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.3}" \
        "{\"output_path\":\"$OUT/nine.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.3,\"program_index\":9}"
    assert_success
    [ "$(jq -r .isolation <<<"${lines[0]}")" = fork ]
    [ "$(jq -r .state_sha256 <<<"${lines[0]}")" = "$one_state" ]
    cmp "$OUT/one.wav" "$OUT/batch.wav"
    sh_run_lines "render-one --plugin '$amsynth' 2>/dev/null" \
        "{\"output_path\":\"$OUT/cached.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.3}" \
        "{\"output_path\":\"$OUT/nine-cached.wav\",\"note\":48,\"duration_s\":0.5,\"tail_s\":0.3,\"program_index\":9}"
    assert_success
    run jq -c '[.isolation, .probe_cached, .state_sha256 == "'"$one_state"'"]' <<<"$output"
    assert_output '["fresh",true,true]
["fork",true,false]'
    cmp "$OUT/one.wav" "$OUT/cached.wav"
    cmp "$OUT/nine.wav" "$OUT/nine-cached.wav"
    "$VR_BIN/../tests/audio-probe" "$OUT/one.wav" | jq -e '.peak_dbfs > -30'
    # A program picked by index (on an instance JUCE walked) is another sound.
    cmp -s "$OUT/one.wav" "$OUT/nine.wav" && fail "program 9 rendered as program 0"
    # The first program keeps its name (with the walk skipped whole, it
    # came out empty: the plugin had never switched to it).
    run render-one --plugin "$amsynth" --list-programs
    assert_success
    name=$(head -n 1 <<<"$output" | jq -r .preset_name)
    [ -n "$name" ] && [ "$name" != null ]
}

@test "the probe renders in place as a job does (issue 68): vr-test-chunk-read's has its forked render's samples, so a first job renders in place" {
    local plugin=$VR_TEST_CHUNK_READ_VST2
    [[ -f "$plugin" ]] || fail "the chunk-read plugin is not built ($plugin): make test-plugins"
    export XDG_CACHE_HOME="$BATS_TEST_TMPDIR/cache"
    # Its state read makes its next attack instant: the instance rendering
    # in place has its state read first, as the never-played one the fork
    # renders from had when the worker started. Its reset keeps history.
    run render-one --plugin "$plugin" --explain-probe
    assert_success
    run jq -r '[.way // "verdict", .same, .isolation, .fork_same] | map(tostring) | join(" ")' <<<"$output"
    assert_output $'reset false null null\nfork true null null\nverdict null fork true'
    # A batch probes (no cache), a one-off and the next batch take the
    # kept verdict: that batch's first job renders in place (its record
    # says fresh), the second forks; every job has the same bytes.
    local jobs='{"note":60,"output_path":"%s/1.npy"}\n{"note":64,"output_path":"%s/2.npy"}\n' way
    for way in probed cached; do
        mkdir -p "$OUT/$way"
        # shellcheck disable=SC2059 # the jobs are the format
        printf "$jobs" "$OUT/$way" "$OUT/$way" |
            render-one --plugin "$plugin" --duration 0.1 --tail 0 >"$OUT/$way.ndjson" 2>/dev/null
        if [[ $way = probed ]]; then
            render-one --plugin "$plugin" --duration 0.1 --tail 0 --note 64 -o "$OUT/alone.npy" >/dev/null 2>&1
        fi
    done
    run jq -c '[.status, .isolation, .probe_cached, .peak_dbfs > -30]' "$OUT/probed.ndjson" "$OUT/cached.ndjson"
    assert_output '["ok","fork",false,true]
["ok","fork",false,true]
["ok","fresh",true,true]
["ok","fork",true,true]'
    cmp "$OUT/probed/1.npy" "$OUT/cached/1.npy"
    cmp "$OUT/probed/2.npy" "$OUT/cached/2.npy"
    cmp "$OUT/probed/2.npy" "$OUT/alone.npy"
    run ! cmp -s "$OUT/probed/1.npy" "$OUT/probed/2.npy"
}

# padthv1 (LV2) builds its PADsynth wave tables on a thread of its own,
# which its first run() starts: for some tens of milliseconds the tables are
# uninitialised memory (NaN that stays in the voices), and an instance
# destroyed meanwhile leaves that thread writing freed memory (SIGSEGV).
# A fresh instance must settle before it plays and before it goes.
PADTHV1=http://padthv1.sourceforge.net/lv2

@test "padthv1 renders with --isolation fresh: in a batch, alone, with a wave parameter set; sounding, finite, repeatable" {
    [ -e /usr/lib/lv2/padthv1.lv2/padthv1.so ] || skip "padthv1-lv2 is not installed"
    sh_run_lines "render-one --plugin '$PADTHV1' --isolation fresh --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/fresh-1.wav\"}" "{\"output_path\":\"$OUT/fresh-2.wav\"}"
    assert_success
    run jq -c '[.status, .isolation, .nonfinite_samples, .peak_dbfs > -20, .rms_dbfs > -30]' <<<"$output"
    assert_output '["ok","fresh",0,true,true]
["ok","fresh",0,true,true]'
    cmp "$OUT/fresh-1.wav" "$OUT/fresh-2.wav"
    # A single job renders on the worker's first instance, then destroys it.
    run --separate-stderr render-one --plugin "$PADTHV1" --isolation fresh --duration 0.5 --tail 0.5 \
        -o "$OUT/alone.wav"
    assert_success
    run jq -c '[.status, .isolation]' <<<"$output"
    assert_output '["ok","fresh"]'
    cmp "$OUT/fresh-1.wav" "$OUT/alone.wav"
    "$VR_BIN/../tests/audio-probe" "$OUT/alone.wav" | jq -e '.peak_dbfs > -20 and .rms_dbfs > -30'
    # A wave parameter set by the job has the thread build new tables (and
    # reset the voices when done): they must be ready before the note.
    sh_run_lines "render-one --plugin '$PADTHV1' --isolation fresh --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/wide-1.wav\",\"set_params\":{\"GEN1 Width 1\":0.9}}" \
        "{\"output_path\":\"$OUT/wide-2.wav\",\"set_params\":{\"GEN1 Width 1\":0.9}}"
    assert_success
    run jq -c '[.status, .isolation, .nonfinite_samples, .peak_dbfs > -30, .rms_dbfs > -40]' <<<"$output"
    assert_output '["ok","fresh",0,true,true]
["ok","fresh",0,true,true]'
    cmp "$OUT/wide-1.wav" "$OUT/wide-2.wav"
    run ! cmp -s "$OUT/fresh-1.wav" "$OUT/wide-1.wav"
}

@test "padthv1 under --isolation auto: its job renders as fresh does, and the next plugin's job after it" {
    [ -e /usr/lib/lv2/padthv1.lv2/padthv1.so ] || skip "padthv1-lv2 is not installed"
    run --separate-stderr render-one --plugin "$PADTHV1" --isolation fresh --duration 0.5 --tail 0.5 \
        -o "$OUT/fresh.wav"
    assert_success
    sh_run_lines "render-one --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/pad.wav\",\"plugin_path\":\"$PADTHV1\"}" \
        "{\"output_path\":\"$OUT/synth.wav\",\"plugin_path\":\"$VR_TEST_SYNTH_VST3\"}"
    assert_success
    run jq -c '[.status, .error.message, .nonfinite_samples]' <<<"$output"
    assert_output '["ok",null,0]
["ok",null,0]'
    cmp "$OUT/fresh.wav" "$OUT/pad.wav"
    "$VR_BIN/../tests/audio-probe" "$OUT/synth.wav" | jq -e '.peak_dbfs > -20'
}

@test "padthv1 under --isolation fork: a default job forks; one that sets a wave parameter goes fresh and says so" {
    [ -e /usr/lib/lv2/padthv1.lv2/padthv1.so ] || skip "padthv1-lv2 is not installed"
    sh_run_lines "render-one --plugin '$PADTHV1' --isolation fresh --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/fresh.wav\"}" \
        "{\"output_path\":\"$OUT/fresh-wide.wav\",\"set_params\":{\"GEN1 Width 1\":0.9}}"
    assert_success
    # A forked child has none of padthv1's threads: the tables a changed
    # parameter calls for would never be built there (the default sound).
    sh_run_lines "render-one --plugin '$PADTHV1' --isolation fork --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/fork.wav\"}" \
        "{\"output_path\":\"$OUT/fork-wide.wav\",\"set_params\":{\"GEN1 Width 1\":0.9}}"
    assert_success
    run jq -c '[.status, .isolation, .nonfinite_samples, .peak_dbfs > -30]' <<<"$output"
    assert_output '["ok","fork",0,true]
["ok","fresh",0,true]'
    cmp "$OUT/fresh.wav" "$OUT/fork.wav"
    cmp "$OUT/fresh-wide.wav" "$OUT/fork-wide.wav"
    run ! cmp -s "$OUT/fork.wav" "$OUT/fork-wide.wav"
}

# The settling above is for plugins whose own threads work after a block;
# amsynth and Nekobi start none, and must sound exactly as before it: these
# sums are of renders made by render-one before it had any (amsynth 1.13's
# VST2 and DPF's Nekobi as Debian ships them; another build is skipped).
@test "plugins that start no threads render the bytes they did before settling existed (amsynth forked, Nekobi fresh)" {
    local amsynth=/usr/lib/vst/amsynth_vst.so nekobi=/usr/lib/vst/Nekobi-vst.so
    [ -e "$amsynth" ] && [ -e "$nekobi" ] || skip "amsynth or Nekobi is not installed"
    [ "$(sha256sum <"$amsynth" | cut -c1-16)" = 36f53155267c1f62 ] || skip "another amsynth build"
    [ "$(sha256sum <"$nekobi" | cut -c1-16)" = 8f7fde92b2c7d5e1 ] || skip "another Nekobi build"
    export HOME="$BATS_TEST_TMPDIR/home"
    mkdir -p "$HOME"
    sh_run_lines "render-one --duration 0.5 --tail 0.5 2>/dev/null" \
        "{\"output_path\":\"$OUT/am-1.wav\",\"plugin_path\":\"$amsynth\"}" \
        "{\"output_path\":\"$OUT/am-2.wav\",\"plugin_path\":\"$amsynth\",\"note\":72,\"set_params\":{\"0\":0.3}}" \
        "{\"output_path\":\"$OUT/nk-1.wav\",\"plugin_path\":\"$nekobi\",\"isolation\":\"fresh\"}" \
        "{\"output_path\":\"$OUT/nk-2.wav\",\"plugin_path\":\"$nekobi\",\"note\":48,\"isolation\":\"fresh\"}"
    assert_success
    run jq -c '[.status, .isolation, .peak_dbfs > -30]' <<<"$output"
    assert_output '["ok","fork",true]
["ok","fork",true]
["ok","fresh",true]
["ok","fresh",true]'
    run sha256sum "$OUT/am-1.wav" "$OUT/am-2.wav" "$OUT/nk-1.wav" "$OUT/nk-2.wav"
    assert_output "6361f34dc5f03f8ed2ee17008f8d0f795bde2aea0ca0a988c7d9c6db07c5bbbc  $OUT/am-1.wav
790da6c3639e3d53607d0efeca32d0a3ca7432417c26bed8cc18725df7c9efab  $OUT/am-2.wav
3ec2022983c06219f64a43128db3b3c6ae13a5a78a289c631fdcb98205e12d00  $OUT/nk-1.wav
6a026ee4644fe3fc8982b5b723a553a7eb0a57973c7eea0d37b88a97e8d0d336  $OUT/nk-2.wav"
}
