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
    # The installed binaries run.
    run "$dest/opt/vr/bin/job-grid" --version
    assert_success
    assert_output --regexp '^job-grid [0-9]+\.[0-9]+\.[0-9]+'

    run make -s -C "$REPO" uninstall DESTDIR="$dest" PREFIX=/opt/vr
    assert_success
    left=$(find "$dest" -type f | wc -l)
    assert_equal "$left" 0
}
