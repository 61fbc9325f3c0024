# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by bench/run: issue 33's rows. One job a process (render-one -o,
# WAV and FLAC; a batch of one job on stdin, the plugin seen before; the
# same at first sight, its probe included; examples/render.mk -j2) against
# the minimal C host of tests/minimal-host on the same VST2 render (note 60,
# velocity 100, 1 s + 0.5 s, 44.1 kHz), side by side in alternation.
# Needs bench/run's timed, warm, PLUGINS, PLUGIN_PATH, BIN, OUT, ROOT.

ONEOFF_PAIRS=${BENCH_ONEOFF_PAIRS:-5}  # each side's processes per plugin and round
MAKE_JOBS=${BENCH_MAKE_JOBS:-200}      # jobs through render.mk -j2, and minimal hosts two at a time

oneoff_setup() {
    local p d
    [[ -x $MINIMAL_HOST ]] || { echo "bench: $MINIMAL_HOST is missing (make bench builds it)" >&2; exit 2; }
    cp "$MINIMAL_HOST" "$BIN/minimal-vst2-host"
    for p in "${PLUGINS[@]}"; do
        d=$OUT/out/oneoff-$p
        rm -rf "$d"
        mkdir -p "$d/make-out"
        printf '{"output_path":"%s","note":60,"duration_s":1,"tail_s":0.5,"sample_rate":44100}\n' \
            "$d/batch1.wav" >"$OUT/jobs/oneoff-$p.ndjson"
        python3 - "$d/make-out" "$MAKE_JOBS" >"$OUT/jobs/make-$p.ndjson" <<'PY'
import json, sys
for i in range(int(sys.argv[2])):
    print(json.dumps({"output_path": f"{sys.argv[1]}/{i:05d}.wav", "note": 60, "duration_s": 1,
                      "tail_s": 0.5, "sample_rate": 44100}))
PY
        for ((i = 0; i < MAKE_JOBS; i++)); do
            printf '%s 60 100 1 0.5 %s/min-%05d.raw\n' "${PLUGIN_PATH[$p]}" "$d/make-out" "$i"
        done >"$OUT/jobs/make-$p.args"
        # Seen before: the probe cache holds the plugin's verdicts.
        "$BIN/render-one" -p "${PLUGIN_PATH[$p]}" -o "$d/prime.wav" --note 60 --duration 1 --tail 0.5 \
            --sample-rate 44100 >/dev/null 2>>"$LOG"
    done
}

oneoff_round() {  # ROUND
    local round=$1 p i P d R sides side
    for p in "${PLUGINS[@]}"; do
        P=${PLUGIN_PATH[$p]}
        d=$OUT/out/oneoff-$p
        R=$OUT/results/oneoff-$p
        minimal() { timed "min1.$p" "$round" 1 "" "$BIN/minimal-vst2-host" "$P" 60 100 1 0.5 "$d/min.raw"; }
        one_wav() { timed "oneoff.wav.$p" "$round" 1 "$R-wav.ndjson" one_off "$P" "$d/one.wav" "$R-wav.ndjson"; }
        one_flac() { timed "oneoff.flac.$p" "$round" 1 "$R-flac.ndjson" one_off "$P" "$d/one.flac" "$R-flac.ndjson"; }
        batch1() { timed "batch1.$p" "$round" 1 "$R-batch1.ndjson" warm "$P" "$OUT/jobs/oneoff-$p.ndjson" "$R-batch1.ndjson"; }
        first_sight() {
            rm -rf "$OUT/first-cache"
            timed "firstsight.$p" "$round" 1 "$R-first.ndjson" \
                env XDG_CACHE_HOME="$OUT/first-cache" "$BIN/render-one" -p "$P" \
                <"$OUT/jobs/oneoff-$p.ndjson" >"$R-first.ndjson" 2>>"$LOG"
        }
        sides=(minimal one_wav minimal one_flac minimal batch1 minimal first_sight)
        for ((i = 0; i < ONEOFF_PAIRS; i++)); do
            # Every other pass in the other order.
            if (((round + i) % 2)); then mapfile -t sides < <(printf '%s\n' "${sides[@]}" | tac); fi
            for side in "${sides[@]}"; do "$side"; done
        done
        make_j2() {
            rm -rf "$d/make-state" "$d/make-out"/*.wav
            timed "make.j2.$p" "$round" "$MAKE_JOBS" "$d/make-state/results.ndjson" \
                make -s -f "$ROOT/examples/render.mk" -j2 JOBS="$OUT/jobs/make-$p.ndjson" STATE="$d/make-state" \
                PLUGIN="$P" RENDER_ONE="$BIN/render-one" 2>>"$LOG"
        }
        minimal_j2() {
            rm -f "$d/make-out"/*.raw
            timed "min.j2.$p" "$round" "$MAKE_JOBS" "" xargs -P2 -n6 "$BIN/minimal-vst2-host" <"$OUT/jobs/make-$p.args"
        }
        pair make_j2 minimal_j2
    done
}

one_off() {  # PLUGIN OUTPUT RESULTS
    "$BIN/render-one" -p "$1" -o "$2" --note 60 --duration 1 --tail 0.5 --sample-rate 44100 >"$3" 2>>"$LOG"
}
