# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# The measuring helpers of bench/run and bench/windows (sourced): each runs
# a command and appends one line of figures to $RAW (raw.ndjson). They read
# HERE (bench/), OUT (the bench's folder), BIN (its copy of the tools), RAW,
# LOG (stderr of what they run) and ENCODE_PASSES.

# timed KEY ROUND JOBS RESULTS COMMAND...: runs the command and appends its
# wall time, the user and system CPU time of the processes it ran (from the
# shell's `times`, which a busy machine does not inflate as it does wall
# time, to the millisecond; to the microsecond, with the page faults that
# read no file, when TIMED_CPU_FILE names the file a command run under
# child-cpu writes) and a summary of RESULTS, if given, to raw.ndjson.
timed() {
    local key=$1 round=$2 jobs=$3 results=$4 status=0 start end exact=()
    shift 4
    [[ -n ${TIMED_CPU_FILE:-} ]] && rm -f "$TIMED_CPU_FILE"
    times >"$OUT/times.start"
    start=$EPOCHREALTIME
    "$@" || status=$?
    end=$EPOCHREALTIME
    times >"$OUT/times.end"
    # A command run under child-cpu wrote its CPU time to the microsecond
    # and its faults.
    [[ -n ${TIMED_CPU_FILE:-} && -s $TIMED_CPU_FILE ]] && exact=(--cpu-exact "$(<"$TIMED_CPU_FILE")")
    python3 "$HERE/measure.py" --key "$key" --round "$round" --jobs "$jobs" --start "$start" \
        --end "$end" --status "$status" --cpu-start "$(tail -n 1 "$OUT/times.start")" \
        --cpu-end "$(tail -n 1 "$OUT/times.end")" "${exact[@]}" ${results:+--results "$results"} >>"$RAW"
}

# reported KEY ROUND JOBS COMMAND...: runs a command that prints one JSON
# line of figures and appends them, with its wall time, to raw.ndjson.
reported() {
    local key=$1 round=$2 jobs=$3 status=0 start end json
    shift 3
    start=$EPOCHREALTIME
    json=$("$@" 2>>"$LOG") || status=$?
    end=$EPOCHREALTIME
    python3 "$HERE/measure.py" --key "$key" --round "$round" --jobs "$jobs" --start "$start" \
        --end "$end" --status "$status" --extra "${json:-"{}"}" >>"$RAW"
}

# One render-one for all the jobs: the warm worker.
warm() {  # PLUGIN JOBS RESULTS [render-one options]
    local plugin=$1 jobs=$2 results=$3
    shift 3
    "$BIN/render-one" -p "$plugin" "$@" <"$jobs" >"$results" 2>>"$LOG"
}

# encoded KEY ROUND [encode-bench options] -- FILES...: the encoder alone.
encoded() {
    local key=$1 round=$2 opts=()
    shift 2
    while [[ $1 != -- ]]; do opts+=("$1"); shift; done
    shift
    reported "$key" "$round" "$#" "$BIN/encode-bench" --passes "$ENCODE_PASSES" "${opts[@]}" "$@"
}
