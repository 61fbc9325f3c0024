# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by tests/hostile-*.bats: hostile inputs made at test time, and a
# runner that checks a tool survived them (no crash, no hang, no sanitizer
# report, bounded memory).
load helper
bats_require_minimum_version 1.5.0

# shellcheck disable=SC2034 # used by the files that load this one
SYNTH3="$VR_TEST_SYNTH_VST3"
# Resident memory any light tool may use on any of these inputs, in KiB. The
# largest legitimate buffer is a 16 MiB record line or a 64 MiB Serum payload;
# the sanitized build roughly doubles what a tool holds.
RSS_LIMIT_KB=$((400 * 1024))

# Runs a command like `run --separate-stderr`, under `timeout` and GNU time,
# then fails the test if it hung, was killed by a signal, printed a sanitizer
# report or grew past RSS_LIMIT_KB. $status, $output, $lines and $stderr are
# the command's, as after `run`.
hrun() {
    local rss="$BATS_TEST_TMPDIR/.rss"
    run --separate-stderr timeout -k 5 "${HRUN_TIMEOUT:-60}" /usr/bin/time -f '%M' -o "$rss" "$@"
    survived "$*"
}

# hrun for a shell command line (pipes, redirections).
hrun_sh() { hrun bash -c "$1"; }

# The checks of hrun on the last `run`; $1 names the command for messages.
# shellcheck disable=SC2154 # $status and $stderr are set by bats' run
survived() {
    local what="$1" rss_kb
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then fail "hung (killed by timeout): $what"; fi
    [ "$status" -lt 128 ] || fail "exit $status (a signal): $what; stderr: ${stderr:0:2000}"
    if grep -qE 'Sanitizer|runtime error:' <<<"$stderr" || grep -q 'terminated by signal' "$BATS_TEST_TMPDIR/.rss"; then
        fail "sanitizer report or signal: $what: ${stderr:0:3000}"
    fi
    rss_kb=$(grep -E '^[0-9]+$' "$BATS_TEST_TMPDIR/.rss" | tail -1)
    [ -n "$rss_kb" ] || fail "no memory figure from /usr/bin/time for: $what"
    [ "$rss_kb" -le "$RSS_LIMIT_KB" ] || fail "used $rss_kb KiB (limit $RSS_LIMIT_KB): $what"
}

# Writes $3 mutants of file $1 into folder $2, named $4-cut-N.EXT (cut after N
# bytes) and $4-flip-N.EXT (the byte at N replaced), with offsets drawn by a
# generator seeded with $5, so a failure names a reproducible file.
make_mutants() {
    python3 - "$@" <<'PY'
import os, random, sys
src, out, count, prefix, seed = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
data = open(src, "rb").read()
ext = os.path.splitext(src)[1]
rng = random.Random(seed)
os.makedirs(out, exist_ok=True)
# Always the edges: nothing, the first bytes, all but the last byte.
cuts = {0, 1, 4, 8, len(data) - 1} | {rng.randrange(len(data)) for _ in range(count)}
for n in sorted(cuts):
    open(os.path.join(out, "%s-cut-%d%s" % (prefix, n, ext)), "wb").write(data[:n])
for _ in range(count):
    at = rng.randrange(len(data))
    flipped = bytearray(data)
    flipped[at] ^= rng.randrange(1, 256)
    open(os.path.join(out, "%s-flip-%d%s" % (prefix, at, ext)), "wb").write(bytes(flipped))
PY
}

# Writes 30 mutants of each file after the first three arguments into
# folder $1, named $2<k>-... for the k-th file and seeded with $3 + k; prints
# how many files the folder then holds.
mutants_of_each() {
    local out="$1" prefix="$2" seed="$3" src k=0
    shift 3
    for src in "$@"; do
        k=$((k + 1))
        make_mutants "$src" "$out" 30 "$prefix$k" "$((seed + k))"
    done
    find "$out" -type f | wc -l
}

# Copies $1 to $4 with the bytes $3 (escapes such as \x80, as printf %b
# reads them) written at offset $2.
patch_bytes() {
    cp "$1" "$4"
    chmod u+w "$4"
    printf '%b' "$3" | dd of="$4" bs=1 seek="$2" conv=notrunc status=none
}

# Writes a hostile Serum 2 file: $1 kind, $2 output path. The envelope is
# "XferJson\0", a u64 JSON header length, the header, u32 CBOR size, u32
# format version, then a zstd frame of CBOR (FORMATS.md).
serum_file() {
    python3 - "$@" <<'PY'
import struct, sys
def zstd_raw(d, sized=True):
    out = b"\x28\xb5\x2f\xfd" + ((b"\xa0" + struct.pack("<I", len(d))) if sized else b"\x00\x38")
    chunks = [d[i:i + 131072] for i in range(0, len(d), 131072)] or [b""]
    for i, c in enumerate(chunks):
        out += struct.pack("<I", (len(c) << 3) | (i == len(chunks) - 1))[:3] + c
    return out
def rle_blocks(n):  # n run-length blocks of 128 KiB of zeros, 4 bytes each
    return b"".join(struct.pack("<I", (131072 << 3) | 2 | (i == n - 1))[:3] + b"\0" for i in range(n))
def envelope(size, frame, header=b'{"presetName":"x"}', header_len=None):
    n = len(header) if header_len is None else header_len
    return b"XferJson\0" + struct.pack("<Q", n) + header + struct.pack("<II", size, 2) + frame
def cbor(c):
    return envelope(len(c), zstd_raw(c))
kinds = {
    "header-2p31": lambda: envelope(1, zstd_raw(b"\xa0"), header_len=1 << 31),
    "header-2p63": lambda: envelope(1, zstd_raw(b"\xa0"), header_len=1 << 63),
    "cbor-size-2p31": lambda: envelope(1 << 31, zstd_raw(b"\xa0")),
    "array-2p63": lambda: cbor(b"\xa1\x61k\x9b" + struct.pack(">Q", 1 << 63)),
    "bytes-2p63": lambda: cbor(b"\xa1\x61k\x5b" + struct.pack(">Q", 1 << 63)),
    "text-2p31": lambda: cbor(b"\xa1\x61k\x7a" + struct.pack(">I", 1 << 31)),
    "map-2p31": lambda: cbor(b"\xba" + struct.pack(">I", 1 << 31)),
    "deep-arrays": lambda: cbor(b"\xa1\x61k" + b"\x81" * 100000 + b"\x00"),
    "deep-maps": lambda: cbor(b"\xa1\x61k" * 100000 + b"\x00"),
    "deep-indefinite": lambda: cbor(b"\xa1\x61k" + b"\x9f" * 100000),
    # 1 GiB of zeros from 32 KiB, under a header that claims 1000 bytes.
    "bomb-unsized": lambda: envelope(1000, b"\x28\xb5\x2f\xfd\x00\x38" + rle_blocks(8192)),
    # The frame itself declares 2 GiB.
    "bomb-sized": lambda: envelope(1000, b"\x28\xb5\x2f\xfd\xa0" + struct.pack("<I", 1 << 31) + rle_blocks(8192)),
    # Declares just under the 64 MiB cap, inflates to 1 GiB.
    "bomb-at-cap": lambda: envelope(64 << 20, b"\x28\xb5\x2f\xfd\x00\x38" + rle_blocks(8192)),
}
open(sys.argv[2], "wb").write(kinds[sys.argv[1]]())
PY
}

# Mounts a tmpfs of $2 (e.g. 64k) at folder $1, with mount options $3
# (e.g. ro); it is unmounted by hostile_teardown. Skips the test when mount
# is not allowed here.
small_tmpfs() {
    mkdir -p "$1"
    mount -t tmpfs -o "size=$2${3:+,$3}" tmpfs "$1" 2>/dev/null || skip "cannot mount a tmpfs here (needs root)"
    echo "$1" >>"$BATS_TEST_TMPDIR/.mounts"
}

# Real files the hostile tests start from.
MIDI="$FIXTURES/midi/files"
S2="$FIXTURES/serum2/files"
# shellcheck disable=SC2034 # used by the files that load this one
SCALE="$MIDI/jazz-soft-test-midi-files/test-c-major-scale.mid"
# shellcheck disable=SC2034 # used by the files that load this one
FXB="$FIXTURES/fxp/files/ardour2fxp/MDAx.fxb"
# shellcheck disable=SC2034 # used by the files that load this one
SERUM="$S2/wiillownet/test_preset.SerumPreset"

# A scratch folder T and an empty output folder OUT for each test.
hostile_setup() {
    T="$BATS_TEST_TMPDIR"
    OUT="$T/out"
    mkdir -p "$OUT"
}

# After render-one ran preset jobs that all write $1: every record failed
# with a message starting "preset <its preset_path>: ", and nothing was
# written, not even a temporary.
# shellcheck disable=SC2154 # $output is set by bats' run
assert_jobs_failed_naming_presets() {
    run jq -r '. as $r | select($r.status != "error" or ($r.error.message | startswith("preset " + $r.preset_path + ": ") | not))' <<<"$output"
    assert_output ""
    [ ! -e "$1" ]
    assert_no_tmp_left "$(dirname "$1")"
}

# Undoes small_tmpfs and chattr +i; call from teardown.
hostile_teardown() {
    local m
    if [ -f "$BATS_TEST_TMPDIR/.immutable" ]; then
        while read -r m; do chattr -i "$m" 2>/dev/null || true; done <"$BATS_TEST_TMPDIR/.immutable"
    fi
    if [ -f "$BATS_TEST_TMPDIR/.mounts" ]; then
        while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done \
            < <(tac "$BATS_TEST_TMPDIR/.mounts")
    fi
}

# A listing of every path under $1 with its type, size and content hash, to
# prove a run touched nothing there.
snapshot() {
    find "$1" -printf '%p %y %s %l\n' 2>/dev/null | LC_ALL=C sort
    find "$1" -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort
}

# Each line of $output is one JSON object (helper.bash's assert_ndjson runs jq
# once per line, too slow for hundreds).
assert_records() {
    jq -e -s 'all(type == "object")' <<<"$output" >/dev/null || fail "not all lines are JSON objects: ${output:0:2000}"
    [ "$(jq -s length <<<"$output")" -eq "$(grep -c . <<<"$output")" ] || fail "not one object per line"
}
