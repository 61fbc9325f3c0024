# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# One job rendered in every way a user runs render-one, each in processes of
# its own, must give one file (issue 45, render-one(1) REPRODUCIBILITY).
# Loaded by the suites of the test plugins whose randomness hides in
# clocks, addresses and memory they never wrote (after helper.bash).
#
#   same_everywhere PLUGIN NOTE [render-one flags...]
#
# renders note NOTE of PLUGIN (flags such as --duration go to every run)
# into $BATS_TEST_TMPDIR/everywhere/ and checks that every one of these
# gives the bytes of the first, and that each sounds (peak above -60 dBFS):
#   - five one-off processes (--note, -o); for a Windows plugin whose
#     test keeps the prefix's server up (require_wine warm), the first on a
#     server of its own, started and stopped by that render-one;
#   - environments of other sizes: one more variable of 1 and of 300
#     characters, `env -i` (PATH, HOME, WINEPREFIX where set and the
#     test synth's mode switches, every exported VR_TEST_SYNTH_*, kept), a HOME
#     of 200 characters;
#   - parallel -j2, two jobs a process, over the job among three others,
#     forwards and backwards;
#   - a batch of 100 jobs of this one, whose first and hundredth files are
#     its one-off's;
#   - --check-reproducible, which says true.
#
#   differs_with_real_randomness PLUGIN NOTE [render-one flags...]
#
# renders the note with --real-randomness in two processes, and fails when
# they give the same bytes: the proof that the pin is what holds it.

# Renders the note once, one-off, into $1 (a .wav path), with env prefix
# words in EVERYWHERE_ENV (an array) before render-one.
_everywhere_one() {
    local out=$1 plugin=$2 note=$3
    shift 3
    "${EVERYWHERE_ENV[@]}" render-one --plugin "$plugin" --note "$note" "$@" -o "$out" > "$out.json" 2> "$out.err" ||
        fail "render-one failed for $out: $(cat "$out.err")"
    run jq -r '[.status, (.peak_dbfs > -60)] | @tsv' "$out.json"
    assert_output "ok	true"
}

_everywhere_same() {
    cmp -s "$1" "$2" || fail "$3: $(basename "$2") differs from the first one-off render ($(cmp "$1" "$2" | head -1))"
}

same_everywhere() {
    local plugin=$1 note=$2
    shift 2
    local dir="$BATS_TEST_TMPDIR/everywhere" i
    mkdir -p "$dir"
    local first="$dir/one1.wav"
    EVERYWHERE_ENV=(env)
    local warm=
    if [[ -n "${WINEPREFIX:-}" ]] && wineserver -k0 2>/dev/null; then
        warm=1
        require_wine
    fi
    for i in 1 2 3 4 5; do
        _everywhere_one "$dir/one$i.wav" "$plugin" "$note" "$@"
        _everywhere_same "$first" "$dir/one$i.wav" "one-off process $i"
        if [[ $i == 1 && -n $warm ]]; then
            wineserver -w
            require_wine warm
        fi
    done

    local long_value long_home
    long_value=$(printf 'v%.0s' $(seq 300))
    long_home="$BATS_TEST_TMPDIR/$(printf 'h%.0s' $(seq 180))"
    mkdir -p "$long_home"
    EVERYWHERE_ENV=(env VR_EVERYWHERE_PAD=x)
    _everywhere_one "$dir/env1.wav" "$plugin" "$note" "$@"
    _everywhere_same "$first" "$dir/env1.wav" "one more variable of 1 character"
    EVERYWHERE_ENV=(env "VR_EVERYWHERE_PAD=$long_value")
    _everywhere_one "$dir/env300.wav" "$plugin" "$note" "$@"
    _everywhere_same "$first" "$dir/env300.wav" "one more variable of 300 characters"
    # The test synth's mode (VR_TEST_SYNTH_JUCE_RANDOM=1, ...) is chosen by
    # its environment: env -i keeps it, or it would render another sound.
    local keep=() name
    for name in $(compgen -e VR_TEST_SYNTH_); do keep+=("$name=${!name}"); done
    EVERYWHERE_ENV=(env -i "PATH=$PATH" "HOME=$HOME" ${WINEPREFIX:+"WINEPREFIX=$WINEPREFIX"} "${keep[@]}")
    _everywhere_one "$dir/envi.wav" "$plugin" "$note" "$@"
    _everywhere_same "$first" "$dir/envi.wav" "env -i"
    EVERYWHERE_ENV=(env "HOME=$long_home")
    _everywhere_one "$dir/home.wav" "$plugin" "$note" "$@"
    _everywhere_same "$first" "$dir/home.wav" "a HOME of 200 characters"
    EVERYWHERE_ENV=(env)

    # The job among three others, two workers, in both orders.
    local order others=(48 55 67)
    for order in fwd back; do
        mkdir -p "$dir/$order"
        {
            printf '{"note":%d,"output_path":"%s/job.wav"}\n' "$note" "$dir/$order"
            for i in "${others[@]}"; do printf '{"note":%d,"output_path":"%s/n%d.wav"}\n' "$i" "$dir/$order" "$i"; done
        } > "$dir/$order.jobs"
        if [ "$order" = back ]; then
            tac "$dir/$order.jobs" > "$dir/$order.tac"
            mv "$dir/$order.tac" "$dir/$order.jobs"
        fi
        parallel --will-cite --pipe -N2 -j2 render-one --plugin "$plugin" "$@" < "$dir/$order.jobs" \
            > "$dir/$order.ndjson" 2> "$dir/$order.err" || fail "parallel $order failed: $(cat "$dir/$order.err")"
        _everywhere_same "$first" "$dir/$order/job.wav" "parallel -j2 ($order)"
    done

    # A batch of 100 of this job: the first file and the hundredth.
    mkdir -p "$dir/batch"
    for i in $(seq 100); do printf '{"note":%d,"output_path":"%s/b%d.wav"}\n' "$note" "$dir/batch" "$i"; done |
        render-one --plugin "$plugin" "$@" > "$dir/batch.ndjson" 2> "$dir/batch.err" ||
        fail "the batch failed: $(cat "$dir/batch.err")"
    run jq -s -r '[.[] | select(.status == "ok")] | length' "$dir/batch.ndjson"
    assert_output 100
    _everywhere_same "$first" "$dir/batch/b1.wav" "the batch's first job"
    _everywhere_same "$first" "$dir/batch/b100.wav" "the batch's hundredth job"

    render-one --plugin "$plugin" --note "$note" "$@" --check-reproducible -o "$dir/check.wav" \
        > "$dir/check.json" 2> "$dir/check.err" || fail "--check-reproducible failed: $(cat "$dir/check.err")"
    # What render-one said beside a record that is not so (a second process
    # that failed leaves reproducible null and says why on stderr).
    local said
    said=$(jq -c '[.status, .reproducible]' "$dir/check.json")
    [ "$said" = '["ok",true]' ] || fail "--check-reproducible gave $said; its stderr: $(cat "$dir/check.err")"
}

differs_with_real_randomness() {
    local plugin=$1 note=$2
    shift 2
    local dir="$BATS_TEST_TMPDIR/real"
    mkdir -p "$dir"
    EVERYWHERE_ENV=(env)
    _everywhere_one "$dir/a.wav" "$plugin" "$note" --real-randomness "$@"
    _everywhere_one "$dir/b.wav" "$plugin" "$note" --real-randomness "$@"
    cmp -s "$dir/a.wav" "$dir/b.wav" && fail "note $note of $plugin rendered the same bytes twice with --real-randomness"
    return 0
}
