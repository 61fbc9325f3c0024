#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Windows plugins in the sandbox (render-one(1), --sandbox; issue 30): wine
# runs inside bubblewrap with the prefix bound read-only and a wineserver
# of the sandbox's own. A sandboxed render is the unsandboxed one; a plugin
# that writes into its prefix gets a failed file write and a registry
# change that lasts only as long as the sandbox, and the prefix is
# unchanged; nothing of the sandbox outlives render-one; a batch mixes
# sandboxed, unsandboxed and Linux jobs. Plain pass only.

load helper
bats_require_minimum_version 1.5.0

setup() {
    require_wine
    [[ -f "$VR_WIN_WRITES_PREFIX_VST2" ]] || fail "not built: $VR_WIN_WRITES_PREFIX_VST2 (make test-plugins)"
    cd "$BATS_TEST_TMPDIR" || exit 1
    mkdir out
    PREFIX="$(realpath "$VR_TEST_WINEPREFIX")"
}

teardown() {
    if [[ -n "${RENDERING:-}" ]]; then kill "$RENDERING" 2>/dev/null || true; fi
}

# The processes of a sandbox that run in the scratch prefix: in a pid
# namespace other than ours, with WINEPREFIX naming it (bwrap's, wine's and
# its server's, render-one's worker). Found by what they are, not by name.
sandbox_wine_pids() {
    local ours proc
    ours="$(readlink /proc/self/ns/pid)"
    for proc in /proc/[0-9]*; do
        [[ "$(readlink "$proc/ns/pid" 2>/dev/null)" != "$ours" ]] || continue
        if tr '\0' '\n' <"$proc/environ" 2>/dev/null |
            grep -qxF -e "WINEPREFIX=$PREFIX" -e "WINEPREFIX=$VR_TEST_WINEPREFIX"; then
            echo "${proc#/proc/}"
        fi
    done
}

# Every file of the prefix but the Windows folder (690 MB, never written
# by a plugin here), with its size and SHA-256: what "unchanged" compares.
prefix_listing() {
    (cd "$PREFIX" && find . -path ./drive_c/windows -prune -o -type f -print0 | LC_ALL=C sort -z |
        xargs -0 sha256sum)
}

# A job record of plugin $1 into out/$2 (.npy), more fields as JSON in $3.
job() {
    local more="${3:-}"
    [[ -n "$more" ]] || more='{}'
    jq -nc --arg p "$1" --arg o "out/$2" --argjson more "$more" \
        '{plugin_path: $p, output_path: $o, note: 69, duration_s: 0.5, tail_s: 0.5} + $more'
}

@test "a sandboxed job of the Windows test synth renders the samples of an unsandboxed one" {
    { job "$VR_WIN_SYNTH_VST2" boxed.npy '{"sandbox": true}'; job "$VR_WIN_SYNTH_VST2" free.npy; } >jobs.ndjson
    run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map([.status, .sandbox, .plugin_platform])' <<<"$output")" \
        '[["ok",true,"windows-x86_64"],["ok",null,"windows-x86_64"]]'
    assert_equal "$(npy_diff out/free.npy out/boxed.npy)" "0.0 0"
    run /usr/bin/python3 -c "import numpy as np; print(round(float(np.abs(np.load('out/boxed.npy')).max()), 4))"
    assert_output 0.3937
}

@test "without the sandbox the writing plugin changes its prefix (so the sandbox test can fail)" {
    job "$VR_WIN_WRITES_PREFIX_VST2" free.npy >jobs.ndjson
    run --separate-stderr render-one --output-root out --params <jobs.ndjson
    assert_success
    assert_equal "$(jq -c '[.params[] | [.name, .text]]' <<<"$output")" \
        '[["file_written","yes"],["registry_kept","yes"]]'
    assert_equal "$(cat "$PREFIX/drive_c/vr-writes-prefix.txt")" $'written by vr-win-writes-prefix\r'
    # render-one stopped the server it started, which saved the registry.
    grep -q '^"writes-prefix"=dword:00007672' "$PREFIX/user.reg" || fail "the registry value was not saved"
    # The scratch prefix serves the other tests: put it back.
    rm "$PREFIX/drive_c/vr-writes-prefix.txt"
    WINEDEBUG=-all wine reg delete 'HKCU\Software\vst-render' /f >/dev/null 2>&1 3>&-
    wineserver -w
    run grep -c 'writes-prefix' "$PREFIX/user.reg"
    assert_output 0
}

@test "a sandboxed plugin that writes into its prefix: the file write fails, the registry change lasts the run, the prefix is unchanged" {
    wineserver -w  # a server of an earlier run saves the registry as it ends: not during this test
    prefix_listing >before
    touch marker
    job "$VR_WIN_WRITES_PREFIX_VST2" boxed.npy '{"sandbox": true}' >jobs.ndjson
    run --separate-stderr render-one --output-root out --params <jobs.ndjson
    assert_success
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    local said="$stderr"
    # What the plugin got: its file write refused (the prefix is read-only
    # in the sandbox), its registry value set and read back (kept by the
    # sandbox's own wineserver, which cannot save it).
    assert_equal "$(jq -c '[.sandbox, [.params[] | [.name, .text]]]' <<<"$output")" \
        '[true,[["file_written","no"],["registry_kept","yes"]]]'
    # What wine said of the registry it could not save reached neither the
    # records nor stderr: one line there says which prefix and wine ran.
    refute_output --partial "registry branch"
    assert_equal "$said" "render-one: Windows plugins run in the wine prefix $PREFIX with $(WINEDEBUG=-all wine --version)"
    run /usr/bin/python3 -c "import numpy as np; print(float(np.abs(np.load('out/boxed.npy')).max()) > 0.1)"
    assert_output True
    # The prefix: no file written, none changed.
    assert_equal "$(find "$PREFIX" -newer marker | head -5)" ""
    prefix_listing >after
    cmp before after
    run grep -c 'writes-prefix' "$PREFIX/user.reg"
    assert_output 0
}

@test "a prefix under the output root stays read-only in the sandbox" {
    # A copy of the scratch prefix made of hard links (cheap; the files are
    # only read) inside the job's output root, which the sandbox binds writable.
    mkdir root
    cp -al "$PREFIX" root/prefix
    touch marker
    job "$VR_WIN_WRITES_PREFIX_VST2" boxed.npy '{"sandbox": true}' | jq -c '.output_path = "root/out/boxed.npy"' \
        >jobs.ndjson
    run --separate-stderr render-one --output-root root --wine-prefix root/prefix --params <jobs.ndjson
    assert_success
    assert_equal "$(jq -c '[.params[] | [.name, .text]]' <<<"$output")" \
        '[["file_written","no"],["registry_kept","yes"]]'
    assert_equal "$(find root/prefix -newer marker | head -5)" ""
}

@test "a sandbox's wine lives while its worker does and nothing of it outlives render-one; no server runs outside" {
    mkfifo jobs.ndjson
    render-one --output-root out <jobs.ndjson >records 2>err 3>&- &
    RENDERING=$!
    exec 4>jobs.ndjson
    job "$VR_WIN_SYNTH_VST2" one.npy '{"sandbox": true}' >&4
    # The first record: the sandbox, its wine and server are up, waiting for more.
    for _ in $(seq 6000); do
        if [[ -s records ]]; then break; fi
        sleep 0.01
    done
    assert_equal "$(jq -r .status records)" ok
    [[ "$(sandbox_wine_pids | wc -l)" -ge 3 ]] || fail "the sandbox's processes were not found: $(sandbox_wine_pids)"
    # The prefix's server outside: none (the sandbox has its own).
    run wineserver -k0
    assert_failure 1
    exec 4>&-
    wait "$RENDERING"
    RENDERING=
    assert_equal "$(sandbox_wine_pids)" ""
    run wineserver -k0
    assert_failure 1
}

@test "a batch of sandboxed and unsandboxed Windows jobs and a Linux one renders all, the Windows worker read from a hidden tree" {
    # A copy of the Windows worker under $TMPDIR: a folder the sandbox hides
    # unless it binds it.
    mkdir worker
    cp "$VR_BIN/../win/vr-win-worker.exe" worker/ || fail "no Windows worker in the build tree of $VR_BIN"
    {
        job "$VR_WIN_SYNTH_VST2" a.npy '{"sandbox": true}'
        job "$VR_WIN_SYNTH_VST2" b.npy
        job "$VR_TEST_SYNTH_VST2" c.npy
        job "$VR_WIN_SYNTH_VST3" d.npy '{"sandbox": true}'
        job "$VR_TEST_SYNTH_VST2" e.npy '{"sandbox": true}'
    } >jobs.ndjson
    VR_WIN_WORKER="$PWD/worker/vr-win-worker.exe" run --separate-stderr render-one --output-root out <jobs.ndjson
    assert_success
    assert_equal "$(jq -sc 'map([.output_path, .status, .sandbox, .plugin_platform])' <<<"$output")" \
        '[["out/a.npy","ok",true,"windows-x86_64"],["out/b.npy","ok",null,"windows-x86_64"],["out/c.npy","ok",null,"linux-x86_64"],["out/d.npy","ok",true,"windows-x86_64"],["out/e.npy","ok",true,"linux-x86_64"]]'
    assert_equal "$(npy_diff out/a.npy out/b.npy)" "0.0 0"
    assert_equal "$(npy_diff out/a.npy out/d.npy)" "0.0 0"
    assert_equal "$(npy_diff out/c.npy out/e.npy)" "0.0 0"
    read -r max _ < <(npy_diff out/b.npy out/c.npy)
    /usr/bin/python3 -c "import sys; assert float(sys.argv[1]) <= 1e-5, sys.argv[1]" "$max"
    assert_equal "$(sandbox_wine_pids)" ""
}
