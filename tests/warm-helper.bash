# SPDX-License-Identifier: GPL-3.0-or-later
# What tests/warm.bats shares between its tests: the plugins, each test's
# own folder for warm render-ones (set-up and tear-down), and waiting for
# and counting a warm render-one's processes.
# shellcheck disable=SC2034 # OUT, FLAGS and the plugins are warm.bats's

AMSYNTH=/usr/lib/vst/amsynth_vst.so
NEKOBI=/usr/lib/vst/Nekobi-vst.so

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
    mkdir -p "$OUT" "$HOME/.local/share"
    # Each test its own warm render-ones.
    export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
    mkdir -m 700 "$XDG_RUNTIME_DIR"
    WARM="$XDG_RUNTIME_DIR/vst-render"
    FLAGS=(--note 57 --velocity 110 --duration 0.3 --tail 0.3)
}

teardown() {
    pkill -f -- "$WARM/render-one-" || true
}

# Waits until $1 warm render-ones of this test take callers (their sockets).
await_warm() {
    local want=${1:-1} i
    for i in $(seq 600); do
        if [ "$(find "$WARM" -name 'render-one-*.sock' 2>/dev/null | wc -l)" -ge "$want" ]; then return 0; fi
        sleep 0.05
    done
    fail "no warm render-one came up in $WARM"
}

# The number of warm render-ones of this test running (the sessions one
# makes ahead, and their workers, are its forks: their parents match too).
warm_count() {
    local all pid n=0
    all=" $(pgrep -d ' ' -f -- "$WARM/render-one-") "
    for pid in $all; do
        if [[ "$all" != *" $(ps -o ppid= -p "$pid" | tr -d ' ') "* ]]; then n=$((n + 1)); fi
    done
    echo "$n"
}

# The number of processes of this test's warm render-ones: each, its
# sessions and their workers.
warm_processes() { pgrep -fc -- "$WARM/render-one-" || true; }

# Waits until a warm render-one that would not serve has said why (its
# .failed, written before its warm-up and again when it knows more) and
# has ended, so the file says its last word.
await_warm_failed() {
    local i
    for i in $(seq 600); do
        if compgen -G "$WARM/*.failed" >/dev/null && [ "$(warm_count)" = 0 ]; then return 0; fi
        sleep 0.05
    done
    fail "no warm render-one in $WARM wrote its .failed and ended"
}

# How many sessions a warm render-one makes ahead: one for each processor,
# at most 8.
sessions_ahead() {
    local n
    n=$(getconf _NPROCESSORS_ONLN)
    echo $((n < 8 ? n : 8))
}

# Waits until this test's warm render-ones run $1 processes.
await_processes() {
    local i
    for i in $(seq 600); do
        if [ "$(warm_processes)" = "$1" ]; then return 0; fi
        sleep 0.05
    done
    fail "$(warm_processes) processes of warm render-ones, not $1"
}

# This test's warm render-one (there is one) and its sessions: "top",
# then each session's pid and its worker's (none: -), sorted.
warm_tree() {
    local all pid top=
    all=" $(pgrep -d ' ' -f -- "$WARM/render-one-") "
    for pid in $all; do
        if [[ "$all" != *" $(ps -o ppid= -p "$pid" | tr -d ' ') "* ]]; then top=$pid; fi
    done
    echo "top $top"
    for pid in $(pgrep -P "$top"); do echo "$pid $(pgrep -P "$pid" || echo -)"; done | sort
}
