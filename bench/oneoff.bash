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
        # --warm: a warm render-one up for the one-offs (and batches of one
        # with the same flags), and one for render.mk's targets (make's
        # command-line variables are in their environment: a run of the
        # same make command starts it).
        "$BIN/render-one" --warm 900 -p "${PLUGIN_PATH[$p]}" -o "$d/prime.wav" "${WARM_FLAGS[@]}" >/dev/null 2>>"$LOG"
        await_warm_sockets $((2 * $(plugin_index "$p") - 1))
        make_run "$p" "--warm 900 --sample-rate 44100"
        await_warm_sockets $((2 * $(plugin_index "$p")))
    done
}

# --warm's runs: their own folder for warm render-ones, which end with the bench.
WARM_FLAGS=(--note 60 --duration 1 --tail 0.5 --sample-rate 44100)
export XDG_RUNTIME_DIR=$OUT/run
rm -rf "$XDG_RUNTIME_DIR" && mkdir -p "$OUT" && mkdir -m 700 "$XDG_RUNTIME_DIR"
trap 'pkill -f -- "$XDG_RUNTIME_DIR/vst-render/" || true' EXIT

plugin_index() {  # PLUGIN: its place in PLUGINS, from 1
    local i
    for i in "${!PLUGINS[@]}"; do if [[ ${PLUGINS[$i]} == "$1" ]]; then echo $((i + 1)); fi; done
}

await_warm_sockets() {  # N: waits until N warm render-ones take callers
    local i
    for ((i = 0; i < 1200; i++)); do
        if (($(find "$XDG_RUNTIME_DIR/vst-render" -name '*.sock' 2>/dev/null | wc -l) >= $1)); then return 0; fi
        sleep 0.05
    done
    echo "bench: no warm render-one came up in $XDG_RUNTIME_DIR/vst-render" >&2
    exit 1
}

# (WARM=0: the cold row renders cold; the warm row's --warm in RENDER_FLAGS
# wins over it.)
make_run() {  # PLUGIN RENDER_FLAGS: render.mk -j2 over the plugin's jobs
    local d=$OUT/out/oneoff-$1
    rm -rf "$d/make-state" "$d/make-out"/*.wav
    make -s -f "$ROOT/examples/render.mk" -j2 WARM=0 JOBS="$OUT/jobs/make-$1.ndjson" STATE="$d/make-state" \
        PLUGIN="${PLUGIN_PATH[$1]}" RENDER_ONE="$BIN/render-one" RENDER_FLAGS="$2" 2>>"$LOG"
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
        warm_wav() { timed "warm.wav.$p" "$round" 1 "$R-warm-wav.ndjson" one_off "$P" "$d/warm.wav" "$R-warm-wav.ndjson" --warm 900; }
        warm_flac() { timed "warm.flac.$p" "$round" 1 "$R-warm-flac.ndjson" one_off "$P" "$d/warm.flac" "$R-warm-flac.ndjson" --warm 900; }
        warm_batch1() {
            timed "warm.batch1.$p" "$round" 1 "$R-warm-batch1.ndjson" warm "$P" "$OUT/jobs/oneoff-$p.ndjson" \
                "$R-warm-batch1.ndjson" --warm 900 --sample-rate 44100
        }
        sides=(minimal one_wav minimal one_flac minimal batch1 minimal first_sight minimal warm_wav minimal warm_flac
            minimal warm_batch1)
        for ((i = 0; i < ONEOFF_PAIRS; i++)); do
            # Every other pass in the other order.
            if (((round + i) % 2)); then mapfile -t sides < <(printf '%s\n' "${sides[@]}" | tac); fi
            for side in "${sides[@]}"; do "$side"; done
        done
        make_j2() { timed "make.j2.$p" "$round" "$MAKE_JOBS" "$d/make-state/results.ndjson" make_run "$p" ""; }
        make_j2_warm() {
            timed "make.j2.warm.$p" "$round" "$MAKE_JOBS" "$d/make-state/results.ndjson" make_run "$p" \
                "--warm 900 --sample-rate 44100"
        }
        minimal_j2() {
            rm -f "$d/make-out"/*.raw
            timed "min.j2.$p" "$round" "$MAKE_JOBS" "" xargs -P2 -n6 "$BIN/minimal-vst2-host" <"$OUT/jobs/make-$p.args"
        }
        pair make_j2 minimal_j2
        pair make_j2_warm minimal_j2
    done
}

one_off() {  # PLUGIN OUTPUT RESULTS [more render-one options]
    local plugin=$1 output=$2 results=$3
    shift 3
    "$BIN/render-one" "$@" -p "$plugin" -o "$output" --note 60 --duration 1 --tail 0.5 --sample-rate 44100 \
        >"$results" 2>>"$LOG"
}
