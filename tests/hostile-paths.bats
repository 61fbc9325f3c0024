#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Hostile output paths: names from strangers' presets through assign-paths
# and render-one onto the disk, symlinks out of the output folder, folders
# that cannot be written, a full disk and names too long, through render-one
# (the test synth), serum-unwrap and render-index. Nothing outside the
# output folder may change, and nothing half-written may stay.
load hostile

SERUM="$FIXTURES/serum2/files/wiillownet/test_preset.SerumPreset"

setup() {
    T="$BATS_TEST_TMPDIR"
    OUT="$T/out"
    # A neighbour of the output folder that must never change.
    mkdir -p "$T/outside"
    echo secret >"$T/outside/victim.wav"
    echo secret >"$T/outside/victim.state"
}

teardown() { hostile_teardown; }

# Checks every output_path in $output for the properties assign-paths
# promises: inside folder $1 once resolved, UTF-8, no component over 255 bytes or
# equal to . or .., and unique when compared case-folded and NFC-normalized.
assert_paths_contained() {
    local out=$1
    jq -r 'select(.output_path) | .output_path' <<<"$output" | python3 -c '
import os, sys, unicodedata
out = sys.argv[1]
seen = {}
bad = []
for raw in sys.stdin.buffer.read().split(b"\n"):
    if not raw:
        continue
    p = raw.decode("utf-8")  # raises on invalid UTF-8
    real = os.path.realpath(p)
    if not real.startswith(out + "/"):
        bad.append("outside: " + p)
    for c in p[len(out) + 1:].split("/"):
        if c in ("", ".", "..") or len(c.encode()) > 255:
            bad.append("bad component %r in %s" % (c, p))
    key = unicodedata.normalize("NFC", p).casefold()
    if key in seen:
        bad.append("not unique: %s and %s" % (seen[key], p))
    seen[key] = p
if bad:
    sys.exit("\n".join(bad))
' "$out" || fail "assign-paths broke a promise"
}

@test "hostile names and relative paths, through assign-paths and render-one, all land inside the output folder" {
    local long300 longe dir300
    long300=$(printf 'n%.0s' $(seq 300))
    longe=$(printf '\xc3\xa9%.0s' $(seq 160))
    dir300=$(printf 'd%.0s' $(seq 300))
    jq -nc --arg l "$long300" --arg e "$longe" --arg d "$dir300" '
        ["..", "../../x", "/etc/passwd", "...", "   ", ". . .", " .. ", "a/b/c", "\u0000", "con",
         $l, $l, $e, "Caf\u00e9", "Cafe\u0301", "CAF\u00c9", "caf\u00c9"] as $names |
        ["../../../etc/cron.d/x.fxp", "/abs/../y.fxp", "a/../../b.fxp", "./././c.fxp", "...//..../d.fxp",
         " / /e.fxp", ($d + "/f.fxp"), "G/h.fxp", "g/H.fxp", "Caf\u00e9/i.fxp", "Cafe\u0301/i.fxp"] as $rels |
        ($names[] | {preset_name: ., duration_s: 0.01, tail_s: 0}),
        ($rels[] | {relative_path: ., duration_s: 0.01, tail_s: 0})' >"$T/jobs"
    local n
    n=$(wc -l <"$T/jobs")
    local before layout
    before=$(snapshot "$T/outside"; snapshot /etc/cron.d)
    for layout in flat tree; do
        hrun_sh "assign-paths --out '$OUT/$layout' --layout $layout <'$T/jobs'"
        assert_success
        assert_records
        assert_equal "${#lines[@]}" "$n"
        assert_paths_contained "$OUT/$layout"
        # assign-paths only names: it creates nothing.
        [ ! -e "$OUT" ] || fail "assign-paths created $OUT"
        echo "$output" >"$T/named-$layout"
    done
    # Rendered, each job writes exactly its own file, and only below $OUT.
    cat "$T/named-flat" "$T/named-tree" >"$T/named"
    HRUN_TIMEOUT=120 hrun render-one --plugin "$SYNTH3" <"$T/named"
    assert_success
    assert_equal "$(find "$OUT" -type f | wc -l)" "$((2 * n))"
    run bash -c "jq -r .output_path '$T/named' | sort"
    assert_equal "$(find "$OUT" -type f | sort)" "$output"
    assert_equal "$(snapshot "$T/outside"; snapshot /etc/cron.d)" "$before"
    # (The harness's own files there start with a dot or separate-stderr-.)
    [ "$(names_in "$T" | grep -v -e '^\.' -e '^separate-stderr-' | paste -sd,)" = "jobs,named,named-flat,named-tree,out,outside" ] ||
        fail "something appeared beside the output folder: $(names_in "$T")"
    assert_no_tmp_left "$OUT"
}

# shellcheck disable=SC2030 # bats runs check_unwritable inside the test that ran run
@test "symlinks out of the output folder: refused by assign-paths and below output roots, replaced (never written through) elsewhere" {
    mkdir -p "$OUT/sub"
    ln -s "$T/outside" "$OUT/Pads"                 # a folder link
    ln -s "$T/outside/victim.wav" "$OUT/Lead.wav"   # a file link
    ln -s "$T/outside/nothing-yet.wav" "$OUT/Bass.wav"   # a dangling link
    ln -s ../../outside "$OUT/sub/deep"             # a link below a real folder
    local before
    before=$(snapshot "$T/outside")
    printf '%s\n' '{"relative_path":"Pads/a.fxp"}' '{"relative_path":"Lead.fxp"}' '{"relative_path":"Bass.fxp"}' \
        '{"relative_path":"sub/deep/c.fxp"}' '{"relative_path":"Keys/k.fxp"}' >"$T/recs"
    hrun_sh "assign-paths --out '$OUT' --layout tree <'$T/recs' | render-one --plugin '$SYNTH3' --duration 0.01 --tail 0"
    assert_failure 1
    run jq -r '.error.message // .status' <<<"$output"
    assert_output "$OUT/Pads: a symbolic link inside the output folder; refusing to write below it
$OUT/Lead.wav: a symbolic link inside the output folder; refusing to write through it
$OUT/Bass.wav: a symbolic link inside the output folder; refusing to write through it
$OUT/sub/deep: a symbolic link inside the output folder; refusing to write below it
ok"
    assert_equal "$(snapshot "$T/outside")" "$before"
    # Given such a path directly, render-one and serum-unwrap replace the link
    # with their file: the file it pointed to is untouched.
    hrun_sh "jq -nc --arg o '$OUT/Lead.wav' '{output_path: \$o}' | render-one --plugin '$SYNTH3' --duration 0.01 --tail 0"
    assert_success
    [ -f "$OUT/Lead.wav" ] || fail "render-one wrote no $OUT/Lead.wav"
    [ ! -L "$OUT/Lead.wav" ] || fail "render-one left the link $OUT/Lead.wav"
    ln -s "$T/outside/victim.state" "$OUT/s.state"
    hrun serum-unwrap -o "$OUT/s.state" "$SERUM"
    assert_success
    [ -f "$OUT/s.state" ] || fail "serum-unwrap wrote no $OUT/s.state"
    [ ! -L "$OUT/s.state" ] || fail "serum-unwrap left the link $OUT/s.state"
    # render-index: its folder is an output root: a link for its index or its images folder is refused.
    mkdir -p "$T/page"
    ln -s "$T/outside/victim.wav" "$T/page/index.html"
    hrun_sh "jq -nc --arg o '$OUT/Lead.wav' '{status: \"ok\", output_path: \$o}' | render-index --out '$T/page'"
    assert_failure 3
    # shellcheck disable=SC2154 # $stderr is set by hrun's run --separate-stderr
    assert_equal "$stderr" "render-index: $T/page/index.html: a symbolic link inside the output folder; refusing to write through it"
    [ -L "$T/page/index.html" ] || fail "render-index replaced the link $T/page/index.html"
    rm -r "$T/page/images" && ln -s "$T/outside" "$T/page/images"
    hrun_sh "jq -nc --arg o '$OUT/Lead.wav' '{status: \"ok\", output_path: \$o}' | render-index --out '$T/page'"
    assert_failure 3
    # shellcheck disable=SC2154 # $stderr is set by hrun's run --separate-stderr
    assert_equal "$stderr" "render-index: $T/page/images: a symbolic link inside the output folder; refusing to write below it"
    assert_equal "$(snapshot "$T/outside")" "$before"
    assert_no_tmp_left "$T"
}

# The writers against a folder they cannot write into (root ignores
# permissions, so the tests make it unwritable through the file system).
# $1: the folder; $2: the reason expected for writing a file in it; $3 the
# message for the first job when it is not "$1/x.wav: cannot create: $2".
# shellcheck disable=SC2031 # bats runs this inside the test, where run set $output
check_unwritable() {
    local dir=$1 why=$2 first=${3:-"$1/x.wav: cannot create: $2"}
    # render-one: the job fails, the next one (elsewhere) renders.
    printf '{"output_path":"%s"}\n{"output_path":"%s"}\n{"output_path":"%s"}\n' \
        "$dir/x.wav" "$dir/sub/y.flac" "$OUT/ok.wav" >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" --duration 0.01 --tail 0 <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" "$first
$dir/sub: cannot create folder: $why
ok"
    # serum-unwrap: -o fails (exit 1); a --state-dir it cannot make is refused before reading (exit 2).
    hrun serum-unwrap -o "$dir/x.state" "$SERUM"
    assert_failure 1
    assert_equal "$stderr" "serum-unwrap: $dir/x.state: cannot create: $why"
    hrun serum-unwrap --state-dir "$dir/states" </dev/null
    assert_failure 2
    assert_equal "${stderr%%$'\n'*}" "serum-unwrap: --state-dir: $dir/states: cannot create folder: $why"
    # render-index: the page cannot be made: fatal.
    hrun render-index --out "$dir/page" </dev/null
    assert_failure 3
    assert_equal "$stderr" "render-index: $dir/page/images: cannot create folder: $why"
    if [ -d "$dir" ]; then [ -z "$(ls -A "$dir")" ] || fail "something was written in $dir: $(ls -A "$dir")"; fi
}

@test "an output folder that cannot be written: under a regular file, immutable, a read-only mount" {
    mkdir -p "$OUT"
    : >"$T/file"
    check_unwritable "$T/file" "Not a directory" "$T/file: cannot create folder: Not a directory"
    mkdir "$T/immutable"
    chattr +i "$T/immutable" 2>/dev/null || skip "chattr +i is not supported on this file system"
    echo "$T/immutable" >>"$T/.immutable"
    check_unwritable "$T/immutable" "Operation not permitted"
    small_tmpfs "$T/ro" 64k ro
    check_unwritable "$T/ro" "Read-only file system"
    assert_no_tmp_left "$OUT"
}

@test "a full disk: a 64 KiB tmpfs and ulimit -f; the write fails, nothing partial stays, the next job goes on" {
    small_tmpfs "$T/full" 64k
    # render-one: 2 s of 24-bit stereo (576 KB) cannot fit; 10 ms can.
    printf '{"output_path":"%s","duration_s":2}\n{"output_path":"%s","duration_s":0.01}\n' \
        "$T/full/big.wav" "$T/full/small.wav" >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" --tail 0 <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" "$T/full/big.wav: cannot write: No space left on device
ok"
    assert_equal "$(ls -A "$T/full")" "small.wav"
    # serum-unwrap and render-index into what is left (filled up first).
    dd if=/dev/zero of="$T/full/filler" bs=4k count=64 status=none 2>/dev/null || true
    hrun serum-unwrap -o "$T/full/x.state" "$SERUM"
    assert_failure 1
    assert_equal "$stderr" "serum-unwrap: $T/full/x.state: cannot write: No space left on device"
    hrun_sh "printf '{\"preset_format\":\"serum2\",\"preset_path\":\"%s\"}\n' '$SERUM' | serum-unwrap --state-dir '$T/full/states'"
    assert_failure 1
    assert_output --partial "cannot write: No space left on device"
    [ -z "$(ls -A "$T/full/states")" ]
    mkdir -p "$T/wav"
    printf '{"output_path":"%s","duration_s":0.05}\n' "$T/wav/a.wav" | render-one --plugin "$SYNTH3" --tail 0 >/dev/null 2>&1
    hrun_sh "printf '{\"status\":\"ok\",\"output_path\":\"%s\"}\n' '$T/wav/a.wav' | render-index --out '$T/full/page'"
    assert_failure 3
    assert_output --partial "No space left on device"
    [ ! -e "$T/full/page/index.html" ]
    assert_equal "$(names_in "$T/full" | paste -sd,)" "filler,page,small.wav,states"
    assert_no_tmp_left "$T/full"
    # ulimit -f: the signal ignored (as a shell may leave it), the write fails with EFBIG.
    mkdir -p "$OUT"
    hrun bash -c "trap '' XFSZ; ulimit -f 64
        printf '{\"output_path\":\"%s\",\"duration_s\":2}\n{\"output_path\":\"%s\",\"duration_s\":0.01}\n' '$OUT/big.wav' '$OUT/small.wav' |
            render-one --plugin '$SYNTH3' --tail 0
        serum-unwrap --json '$SERUM' >/dev/null && serum-unwrap -o '$OUT/x.state' '$SERUM'"
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" "$OUT/big.wav: cannot write: File too large
ok"
    [ -s "$OUT/x.state" ]   # 2 KB fit under 64 blocks
    assert_equal "$(names_in "$OUT" | paste -sd,)" "small.wav,x.state"
}

@test "names too long for the file system: one error each, nothing partial" {
    mkdir -p "$OUT"
    local long
    long=$(printf 'a%.0s' $(seq 300))
    printf '{"output_path":"%s"}\n{"output_path":"%s"}\n{"output_path":"%s"}\n' \
        "$OUT/$long.wav" "$OUT/$long/x.wav" "$OUT/ok.wav" >"$T/jobs"
    hrun render-one --plugin "$SYNTH3" --duration 0.01 --tail 0 <"$T/jobs"
    assert_failure 1
    assert_equal "$(jq -r '.error.message // .status' <<<"$output")" "$OUT/$long.wav: cannot rename into place: File name too long
$OUT/$long: cannot create folder: File name too long
ok"
    hrun serum-unwrap -o "$OUT/$long.state" "$SERUM"
    assert_failure 1
    assert_equal "$stderr" "serum-unwrap: $OUT/$long.state: cannot rename into place: File name too long"
    assert_equal "$(ls -A "$OUT")" "ok.wav"
    # assign-paths never makes such a name.
    hrun_sh "jq -nc --arg n '$long' '{preset_name: \$n}' | assign-paths --out '$OUT'"
    assert_success
    assert_equal "$(jq -r '.output_path | split("/") | last | utf8bytelength' <<<"$output")" 255
}
