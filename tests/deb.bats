#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# make deb (build-aux/deb.mk, debian/): the package's files and fields (the
# Windows worker among them), lintian, and as root a real install, renders
# from /usr/bin (a Windows plugin's in the run's scratch wine prefix, with
# the package's worker) and a removal that leaves nothing. The package is
# built once for the file, about 30 s on 2 cores when the build is up to
# date (no -dbgsym, whose compression would double that), and lintian takes
# some 15 s more.
load helper
bats_require_minimum_version 1.5.0

REPO="$(cd "$TESTS_DIR/.." && pwd)"
AMSYNTH=/usr/lib/vst/amsynth_vst.so
PROBE="$VR_BIN/../tests/audio-probe"

# The tools the Makefile builds (every tools/NAME.cpp), one a line.
tool_names() { find "$REPO/tools" -maxdepth 1 -name '*.cpp' -printf '%f\n' | sed 's/\.cpp$//' | LC_ALL=C sort; }

# Files (not folders) below $1, relative to it, one a line.
files_below() { (cd "$1" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort); }

# The changes make deb could leave in the tree: debian/ and the parent folder.
tree_state() {
    git -C "$REPO" status --porcelain --untracked-files=all -- debian 2>/dev/null
    find "$REPO/.." -maxdepth 1 -name 'vst-render*' -printf '%f\n'
}

setup_file() {
    # The package holds the plain build only: the sanitizer pass would test
    # the very same package again. (bats 1.8 cannot skip in setup_file.)
    if [ "$(realpath "$VR_BIN")" != "$(realpath "$REPO/build/bin")" ]; then
        export DEB_SKIP="VR_BIN is not the plain build/bin (sanitizer pass)"
        return 0
    fi
    tree_state >"$BATS_FILE_TMPDIR/tree-before"
    # SANITIZE as `make check SANITIZE=...` passes it: the package still
    # holds the plain build.
    DEB_BUILD_OPTIONS="noautodbgsym parallel=$(nproc)" \
        make -C "$REPO" --no-print-directory deb SANITIZE=address,undefined \
        >"$BATS_FILE_TMPDIR/make-deb.log" 2>&1 ||
        { cat "$BATS_FILE_TMPDIR/make-deb.log" >&3; return 1; }
    tree_state >"$BATS_FILE_TMPDIR/tree-after"
    VERSION=$(cat "$REPO/VERSION")
    DEB="$REPO/build/deb/vst-render_${VERSION}_$(dpkg --print-architecture).deb"
    ROOT="$BATS_FILE_TMPDIR/root"
    dpkg-deb -x "$DEB" "$ROOT"
    export VERSION DEB ROOT
}

setup() {
    [ -z "${DEB_SKIP:-}" ] || skip "$DEB_SKIP"
}

teardown() {
    # Whatever happened in the test, a package it installed goes.
    if [ -e "$BATS_TEST_TMPDIR/installed-by-test" ] &&
        [ "$(dpkg-query -W -f='${db:Status-Status}' vst-render 2>/dev/null)" != not-installed ]; then
        dpkg --purge vst-render >/dev/null 2>&1 || true
    fi
}

# The GNU build ID of ELF file $1.
build_id() { readelf -n "$1" | awk '/Build ID:/ { print $3 }'; }

@test "make deb leaves nothing in the tree or beside it, only build/deb/" {
    run diff "$BATS_FILE_TMPDIR/tree-before" "$BATS_FILE_TMPDIR/tree-after"
    assert_success
    assert_output ""
    # What debhelper writes while it builds goes with the build.
    run find "$REPO/debian" \( -name vst-render -o -name .debhelper -o -name files \
        -o -name '*.substvars' -o -name '*-stamp' -o -name '*.debhelper*' \) -printf '%P\n'
    assert_output ""
    run ls "$REPO/build/deb"
    assert_line "$(basename "$DEB")"
}

@test "the package holds every tool (the plain build's, by build ID), every man page and the examples" {
    run ls "$ROOT/usr/bin"
    assert_output "$(tool_names)"
    for t in $(tool_names); do
        id=$(build_id "$ROOT/usr/bin/$t")
        [ -n "$id" ] || fail "$t has no build ID"
        assert_equal "$t $id" "$t $(build_id "$REPO/build/bin/$t")"
        [ ! -e "$REPO/build/sanitize/bin/$t" ] ||
            [ "$id" != "$(build_id "$REPO/build/sanitize/bin/$t")" ] || fail "$t is the sanitizer build"
    done
    # render-one's host, the plain build's, where render-one looks for it.
    id=$(build_id "$ROOT/usr/lib/vst-render/render-one-host")
    [ -n "$id" ] || fail "render-one-host has no build ID"
    assert_equal "render-one-host $id" "render-one-host $(build_id "$REPO/build/lib/vst-render/render-one-host")"
    # Each page as written in man/, compressed.
    for page in "$REPO"/man/*.[17]; do
        name=$(basename "$page")
        installed="$ROOT/usr/share/man/man${name##*.}/$name.gz"
        zcat "$installed" | cmp - "$page" || fail "$name: differs or is missing"
    done
    run bash -c "ls '$ROOT'/usr/share/man/man1 '$ROOT'/usr/share/man/man7 | grep -c '\.gz$'"
    assert_output "$(find "$REPO/man" -name '*.[17]' | wc -l)"
    for ex in "$REPO"/examples/*; do
        cmp "$ex" "$ROOT/usr/share/doc/vst-render/examples/$(basename "$ex")" ||
            fail "example $(basename "$ex"): differs or is missing"
    done
    # Both licences: ours, and JUCE's that render-one links.
    run grep -E '^License: (GPL-3\+|GPL-3|ISC)$' "$ROOT/usr/share/doc/vst-render/copyright"
    assert_line 'License: GPL-3+'
    assert_line 'License: GPL-3'
    assert_line 'License: ISC'
}

@test "the package holds the Windows worker, the build's, at /usr/lib/vst-render, and recommends wine" {
    run dpkg-deb -c "$DEB"
    assert_success
    assert_line --regexp '^-rw-r--r-- root/root +[0-9]+ [-0-9]+ [0-9:]+ \./usr/lib/vst-render/vr-win-worker\.exe$'
    worker="$ROOT/usr/lib/vst-render/vr-win-worker.exe"
    cmp "$worker" "$REPO/build/win/vr-win-worker.exe" || fail "the packaged worker is not the build's"
    # A 64-bit Windows executable: "MZ", and at the PE header's offset
    # "PE\0\0" and the machine x86-64 (0x8664).
    run od -An -c -N2 "$worker"
    assert_output --regexp '^ +M +Z$'
    pe=$(od -An -tu4 -j60 -N4 "$worker" | tr -d ' ')
    run od -An -tx1 -j"$pe" -N6 "$worker"
    assert_output ' 50 45 00 00 64 86'
    run dpkg-deb -f "$DEB" Recommends
    assert_output "wine, wine64"
}

@test "the control fields: name, VERSION, architecture, shared-library Depends and libfaust2, JUCE in Built-Using" {
    run dpkg-deb -f "$DEB" Package Version Architecture
    assert_output "Package: vst-render
Version: $VERSION
Architecture: amd64"
    run dpkg-deb -f "$DEB" Depends
    assert_output --regexp '(^|, )libsndfile1 \(>= [0-9.]+\)(,|$)'
    assert_output --regexp '(^|, )libc6 \(>= [0-9.]+\)(,|$)'
    # Opened when a Faust program is met, so shlibs cannot see it.
    assert_output --regexp '(^|, )libfaust2(,|$)'
    # Built-Using names source packages: juce-modules-source's is juce;
    # the Windows worker's static runtime comes from the mingw-w64 ones.
    juce=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' juce-modules-source)
    assert_equal "$juce" "juce (= $(dpkg-query -W -f='${Version}' juce-modules-source))"
    run dpkg-deb -f "$DEB" Built-Using
    assert_output --regexp "(^|, )juce \(= [^)]+\)(,|$)"
    for dev in g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev libz-mingw-w64-dev; do
        source=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' "$dev")
        assert_output --partial "$source"
    done
    assert_output --partial "$juce"
}

@test "lintian finds no error in the package" {
    run lintian --fail-on error "$DEB"
    assert_success
    refute_line --regexp '^E: '
}

@test "as root: apt-get installs the package, /usr/bin/render-one renders amsynth and a Windows plugin with the package's worker, dpkg -r leaves none of its files" {
    [ "$(id -u)" -eq 0 ] || skip "needs root"
    require_wine
    [ "$(dpkg-query -W -f='${db:Status-Status}' vst-render 2>/dev/null)" != installed ] ||
        skip "vst-render is installed here already: not touching it"
    for t in $(tool_names); do
        [ ! -e "/usr/bin/$t" ] || skip "/usr/bin/$t exists already: not touching it"
    done
    touch "$BATS_TEST_TMPDIR/installed-by-test"
    # Its dependencies are all installed (make deps): no network needed.
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        -o DPkg::Lock::Timeout=300 "$DEB"
    assert_success
    run /usr/bin/render-one --version
    assert_success
    assert_output "render-one $VERSION"

    mkdir -p "$HOME/.local/share" # amsynth keeps its banks there
    out="$BATS_TEST_TMPDIR"
    run /usr/bin/render-one --plugin "$AMSYNTH" -o "$out/installed.wav" --duration 0.5 --tail 0.5
    assert_success
    run "$PROBE" "$out/installed.wav"
    assert_success
    assert_output --partial '"frames":48000,'
    peak=$(jq -r .peak_dbfs <<<"$output")
    rms=$(jq -r .rms_dbfs <<<"$output")
    awk -v p="$peak" -v r="$rms" 'BEGIN { exit !(p > -20 && r > -40) }' ||
        fail "peak $peak dBFS, RMS $rms dBFS: expected a note, not near silence"
    # The installed binary renders what the build's does, byte for byte.
    run render-one --plugin "$AMSYNTH" -o "$out/build.wav" --duration 0.5 --tail 0.5
    assert_success
    cmp "$out/installed.wav" "$out/build.wav"

    # The Windows test synth with the worker in /usr/lib/vst-render: no
    # VR_WIN_WORKER, and the build tree's worker (the path render-one was
    # built with) hidden under an empty folder, in a mount namespace of
    # this command's own.
    built_worker="$REPO/build/win/vr-win-worker.exe"
    # shellcheck disable=SC2016 # $1... are the inner bash's arguments
    run --separate-stderr env -u VR_WIN_WORKER bwrap --dev-bind / / --tmpfs "$REPO/build/win" \
        bash -c '[ ! -e "$1" ] || exit 99; shift; exec "$@"' _ "$built_worker" \
        /usr/bin/render-one --plugin "$VR_WIN_SYNTH_VST2" -o "$out/installed-win.wav" --duration 0.5 --tail 0.5
    assert_success
    assert_equal "$(jq -r '.status + " " + .plugin_platform' <<<"$output")" "ok windows-x86_64"
    run "$PROBE" "$out/installed-win.wav"
    assert_success
    assert_output --partial '"frames":48000,'
    peak=$(jq -r .peak_dbfs <<<"$output")
    awk -v p="$peak" 'BEGIN { exit !(p > -20) }' || fail "peak $peak dBFS: expected a note, not near silence"
    # The same job through the build's render-one and worker: the same bytes.
    run --separate-stderr env -u VR_WIN_WORKER render-one --plugin "$VR_WIN_SYNTH_VST2" -o "$out/build-win.wav" --duration 0.5 --tail 0.5
    assert_success
    cmp "$out/installed-win.wav" "$out/build-win.wav"

    run dpkg -r vst-render
    assert_success
    left=
    while IFS= read -r f; do
        if [ -e "/$f" ] || [ -L "/$f" ]; then left="$left /$f"; fi
    done < <(files_below "$ROOT")
    assert_equal "left:$left" "left:"
    [ ! -e /usr/share/doc/vst-render ] || fail "/usr/share/doc/vst-render is left"
    known=$(dpkg-query -W -f='${db:Status-Status}' vst-render 2>/dev/null || true)
    [ -z "$known" ] || [ "$known" = not-installed ] || fail "dpkg still knows vst-render: $known"
}
