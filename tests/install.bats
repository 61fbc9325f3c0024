#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# make install / uninstall honour PREFIX and DESTDIR and carry the man pages.
load helper

REPO="$TESTS_DIR/.."

@test "make install puts every tool and man page under DESTDIR/PREFIX, and uninstall removes them" {
    dest="$BATS_TEST_TMPDIR/dest"
    run make -s -C "$REPO" install DESTDIR="$dest" PREFIX=/opt/vr
    assert_success
    for tool in "$VR_BIN"/*; do
        name=$(basename "$tool")
        [ -x "$dest/opt/vr/bin/$name" ] || fail "$name not installed"
        [ -f "$dest/opt/vr/share/man/man1/$name.1" ] || fail "$name.1 not installed"
    done
    [ -f "$dest/opt/vr/share/man/man7/vst-render.7" ] || fail "vst-render.7 not installed"
    # The installed binaries run; render-one runs its host, installed in
    # lib/vst-render beside bin/.
    run "$dest/opt/vr/bin/job-grid" --version
    assert_success
    assert_output --regexp '^job-grid [0-9]+\.[0-9]+\.[0-9]+'
    [ -x "$dest/opt/vr/lib/vst-render/render-one-host" ] || fail "render-one's host not installed"
    run "$dest/opt/vr/bin/render-one" -p "$VR_DPF_VST2" -o "$BATS_TEST_TMPDIR/installed.wav" --duration 0.3 --tail 0.2
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" ok
    "$VR_BIN/../tests/audio-probe" "$BATS_TEST_TMPDIR/installed.wav" | jq -e '.peak_dbfs > -40' >/dev/null
    # Without its host, render-one says where it looked (exit 3).
    mv "$dest/opt/vr/lib/vst-render/render-one-host" "$BATS_TEST_TMPDIR/host"
    run "$dest/opt/vr/bin/render-one" --version
    assert_failure 3
    assert_output --partial "cannot run render-one's host $dest/opt/vr/lib/vst-render/render-one-host"
    mv "$BATS_TEST_TMPDIR/host" "$dest/opt/vr/lib/vst-render/render-one-host"

    run make -s -C "$REPO" uninstall DESTDIR="$dest" PREFIX=/opt/vr
    assert_success
    left=$(find "$dest" -type f | wc -l)
    assert_equal "$left" 0
}
