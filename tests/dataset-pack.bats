#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# dataset-pack: WebDataset shards and an audiofolder read back with Debian's
# python3 (tarfile, json, soundfile: every member, every record, every
# sample of audio), splits that hold as the dataset grows, bad input that
# leaves nothing half-written; and the whole pipeline from plugin-scan
# --params through param-sample and render-one, asserted on the audio.
bats_require_minimum_version 1.5.0
load helper

AMSYNTH=/usr/lib/vst/amsynth_vst.so
PY=/usr/bin/python3

# N results (and their audio) in $BATS_TEST_TMPDIR/in: even ones FLAC, odd
# ones WAV, each a sine of its own pitch and length; records on stdout.
make_results() {
    mkdir -p "$BATS_TEST_TMPDIR/in"
    "$PY" - "$BATS_TEST_TMPDIR/in" "$1" <<'EOF'
import json, sys
import numpy as np, soundfile as sf
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    t = np.arange(4800 + 480 * i) / 48000
    x = (0.5 * np.sin(2 * np.pi * (220 + 20 * i) * t))[:, None].repeat(2, axis=1)
    path = f"{d}/s{i}.{'flac' if i % 2 == 0 else 'wav'}"
    sf.write(path, x, 48000, subtype="PCM_24" if i % 2 == 0 else "FLOAT")
    print(json.dumps({"preset_name": f"p{i}", "output_path": path, "status": "ok", "note": 60,
                      "set_params": {"cutoff": i / n}, "mine": [i, "x"]}, separators=(",", ":")))
EOF
}

# Reads the shards listed in $1/shards.txt back against the records packed
# ($2, dataset-pack's output): each key a .json equal to its record and an
# audio member whose samples equal the record's file. Prints the count.
check_shards() {
    "$PY" - "$1" "$2" <<'EOF'
import io, json, sys, tarfile
import soundfile as sf
top, results = sys.argv[1], sys.argv[2]
packed = {}
for line in open(results):
    r = json.loads(line)
    if "dataset_key" in r:
        packed[r["dataset_key"]] = r
seen = set()
for shard in open(f"{top}/shards.txt").read().split():
    with tarfile.open(f"{top}/{shard}") as tar:
        members = tar.getmembers()
        assert all(m.isreg() and m.mode == 0o644 and m.mtime == 0 for m in members), shard
        keys = {}
        for m in members:
            key, ext = m.name.split(".", 1)
            keys.setdefault(key, {})[ext] = tar.extractfile(m).read()
        for key, files in keys.items():
            r = packed[key]
            assert r["dataset_shard"] == f"{top}/{shard}", (r["dataset_shard"], shard)
            assert key not in seen, key
            seen.add(key)
            ext = r["output_path"].rsplit(".", 1)[1]
            assert sorted(files) == sorted(["json", ext]), files.keys()
            record = json.loads(files["json"])
            assert record == {k: v for k, v in r.items() if not k.startswith("dataset_")}, (record, r)
            got, rate = sf.read(io.BytesIO(files[ext]))
            want, rate2 = sf.read(r["output_path"])
            assert rate == rate2 and got.shape == want.shape and (got == want).all(), key
assert seen == set(packed), (len(seen), len(packed))
print(len(seen))
EOF
}

setup() {
    OUT="$BATS_TEST_TMPDIR/out"
}

@test "dataset-pack --help prints usage on stdout and exits 0" {
    run --separate-stderr dataset-pack --help
    assert_success
    assert_output --partial "--shards"
    assert_output --partial "--audiofolder"
}

@test "dataset-pack refuses bad options with exit 2 and creates nothing" {
    assert_usage_error dataset-pack --no-such-flag
    assert_usage_error dataset-pack
    assert_output --partial "give --shards DIR or --audiofolder DIR"
    assert_usage_error dataset-pack --shards "$OUT" --split train=0.9,validation=0.2
    assert_usage_error dataset-pack --shards "$OUT" --split train=0.5,train=0.5
    assert_usage_error dataset-pack --shards "$OUT" --shard-bytes 12X
    assert_usage_error dataset-pack --audiofolder "$OUT" --shard-size 10
    [ ! -e "$OUT" ] || fail "a refused run made $OUT"
}

@test "dataset-pack follows the record contract" {
    # A malformed line becomes an error record, the run goes on.
    sh_run "printf '%s\n' 'not json' '[1,2]' | dataset-pack --shards '$OUT/a' 2>/dev/null"
    assert_failure 1
    assert_line --index 0 --partial '"line":1'
    assert_line --index 1 --partial '"line":2'
    # An errored record passes through untouched, and is counted as skipped.
    local err='{"x":1,"status":"error","error":{"tool":"other","message":"boom"}}'
    run --separate-stderr dataset-pack --shards "$OUT/b" <<<"$err"
    assert_failure 1
    assert_output "$err"
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$stderr" "dataset-pack: packed 0 samples into 0 shards; skipped 1 (1 status error); failed 0"
    sh_run "echo '$err' | dataset-pack --shards '$OUT/c' 2>/dev/null >/dev/full"
    assert_failure 3
    # A reader that closes the pipe: exit 0, and no temporary left.
    make_results 30 >"$BATS_TEST_TMPDIR/r.ndjson"
    sh_run "dataset-pack --shards '$OUT/d' --shard-size 7 < '$BATS_TEST_TMPDIR/r.ndjson' 2>/dev/null | head -1"
    assert_success
    assert_output --partial '"dataset_key":"000000000"'
    assert_no_tmp_left "$OUT"
}

@test "dataset-pack --shards: every shard reads back in python, records and audio equal, unknown fields kept" {
    make_results 10 >"$BATS_TEST_TMPDIR/r.ndjson"
    { cat "$BATS_TEST_TMPDIR/r.ndjson"; echo '{"status":"skipped","preset_name":"s"}'; echo '{"preset_name":"job"}'; } \
        >"$BATS_TEST_TMPDIR/all.ndjson"
    run --separate-stderr dataset-pack --shards "$OUT" --shard-size 4 <"$BATS_TEST_TMPDIR/all.ndjson"
    assert_success
    assert_equal "$stderr" "dataset-pack: packed 10 samples into 3 shards; skipped 2 (1 status skipped, 1 without a status); failed 0"
    assert_equal "${#lines[@]}" 12
    assert_line --index 0 --partial '"mine":[0,"x"],"dataset_key":"000000000","dataset_shard":"'"$OUT"'/000000.tar"}'
    assert_line --index 10 '{"status":"skipped","preset_name":"s"}'
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/packed.ndjson"
    assert_equal "$(cat "$OUT/shards.txt")" "$(printf '000000.tar\n000001.tar\n000002.tar')"
    run check_shards "$OUT" "$BATS_TEST_TMPDIR/packed.ndjson"
    assert_success
    assert_output 10
    # GNU tar reads them too, in order, and the same input packs to the same bytes.
    run tar tf "$OUT/000000.tar"
    assert_output "$(printf '%s\n' 000000000.flac 000000000.json 000000001.wav 000000001.json 000000002.flac \
        000000002.json 000000003.wav 000000003.json)"
    dataset-pack --shards "$OUT-again" --shard-size 4 <"$BATS_TEST_TMPDIR/all.ndjson" >/dev/null 2>&1
    cmp "$OUT/000001.tar" "$OUT-again/000001.tar"
    assert_no_tmp_left "$OUT"
    # A folder that holds a dataset is not packed into again.
    run dataset-pack --shards "$OUT" <"$BATS_TEST_TMPDIR/r.ndjson"
    assert_failure 2
    assert_output --partial "already holds a dataset"
}

@test "dataset-pack --shard-bytes: no shard over the limit but for a sample alone" {
    make_results 12 >"$BATS_TEST_TMPDIR/r.ndjson"
    dataset-pack --shards "$OUT" --shard-bytes 200k <"$BATS_TEST_TMPDIR/r.ndjson" >"$BATS_TEST_TMPDIR/packed.ndjson" 2>/dev/null
    local n
    n=$(wc -l <"$OUT/shards.txt")
    ((n > 2)) || fail "only $n shards"
    for f in "$OUT"/*.tar; do
        size=$(stat -c %s "$f")
        members=$(tar tf "$f" | wc -l)
        ((size <= 204800 || members == 2)) || fail "$f: $size bytes, $members members"
    done
    run check_shards "$OUT" "$BATS_TEST_TMPDIR/packed.ndjson"
    assert_output 12
}

@test "dataset-pack --audiofolder: files and metadata.jsonl as Hugging Face reads them" {
    make_results 5 >"$BATS_TEST_TMPDIR/r.ndjson"
    run --separate-stderr dataset-pack --audiofolder "$OUT" <"$BATS_TEST_TMPDIR/r.ndjson"
    assert_success
    assert_equal "$(names_in "$OUT" | paste -sd' ')" \
        "000000000.flac 000000001.wav 000000002.flac 000000003.wav 000000004.flac metadata.jsonl"
    run "$PY" - "$OUT" "$BATS_TEST_TMPDIR/r.ndjson" <<'EOF'
import json, sys
import soundfile as sf
top, results = sys.argv[1], sys.argv[2]
records = [json.loads(l) for l in open(results)]
meta = [json.loads(l) for l in open(f"{top}/metadata.jsonl")]
assert len(meta) == len(records)
for m, r in zip(meta, records):
    name = m.pop("file_name")
    assert m == r, (m, r)
    a, _ = sf.read(f"{top}/{name}")
    b, _ = sf.read(r["output_path"])
    assert (a == b).all(), name
print("ok")
EOF
    assert_output ok
}

@test "dataset-pack --split: a stable hash of the key, each split a folder; splits hold as the dataset grows" {
    make_results 40 >"$BATS_TEST_TMPDIR/r.ndjson"
    head -20 "$BATS_TEST_TMPDIR/r.ndjson" >"$BATS_TEST_TMPDIR/first.ndjson"
    dataset-pack --shards "$OUT/small" --audiofolder "$OUT/hf" --split train=0.7,validation=0.2,test=0.1 \
        --split-key preset_name <"$BATS_TEST_TMPDIR/first.ndjson" >"$BATS_TEST_TMPDIR/small.ndjson" 2>/dev/null
    run --separate-stderr dataset-pack --shards "$OUT/big" --split train=0.7,validation=0.2,test=0.1 \
        --split-key preset_name <"$BATS_TEST_TMPDIR/r.ndjson"
    assert_success
    assert_output --partial '"dataset_split":"'
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/big.ndjson"
    # The same preset falls in the same split in both, and as the docs say.
    run "$PY" - "$BATS_TEST_TMPDIR/small.ndjson" "$BATS_TEST_TMPDIR/big.ndjson" <<'EOF'
import hashlib, json, sys
def splits(path):
    return {r["preset_name"]: r["dataset_split"] for r in map(json.loads, open(path))}
small, big = splits(sys.argv[1]), splits(sys.argv[2])
assert all(big[k] == v for k, v in small.items())
for k, v in big.items():
    u = int(hashlib.sha256(k.encode()).hexdigest()[:16], 16) / 2**64
    assert v == ("train" if u < 0.7 else "validation" if u < 0.7 + 0.2 else "test"), (k, u, v)
print(sorted(set(big.values())))
EOF
    assert_output "['test', 'train', 'validation']"
    assert_equal "$(sed 's,/.*,,' "$OUT/big/shards.txt" | sort -u | paste -sd,)" "test,train,validation"
    run check_shards "$OUT/big" "$BATS_TEST_TMPDIR/big.ndjson"
    assert_output 40
    [ -f "$OUT/big/train/shards.txt" ] && [ -f "$OUT/hf/validation/metadata.jsonl" ] || fail "no per-split lists"
}

@test "dataset-pack: a missing audio file fails its record alone; nothing of it is packed, nothing left half-written" {
    make_results 4 >"$BATS_TEST_TMPDIR/r.ndjson"
    rm "$BATS_TEST_TMPDIR/in/s1.wav"
    run --separate-stderr dataset-pack --shards "$OUT" --audiofolder "$OUT-hf" <"$BATS_TEST_TMPDIR/r.ndjson"
    assert_failure 1
    assert_line --index 1 --partial '"status":"error"'
    assert_line --index 1 --partial "s1.wav: cannot open the audio: No such file or directory"
    assert_equal "$stderr" "dataset-pack: packed 3 samples into 1 shard; skipped 0; failed 1 (1 audio missing or unreadable)"
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/packed.ndjson"
    run check_shards "$OUT" "$BATS_TEST_TMPDIR/packed.ndjson"
    assert_output 3
    assert_equal "$(wc -l <"$OUT-hf/metadata.jsonl")" 3
    assert_no_tmp_left "$OUT"
    assert_no_tmp_left "$OUT-hf"
    # A FIFO or a folder where the audio should be: refused, never waited on.
    mkfifo "$BATS_TEST_TMPDIR/fifo.wav"
    sh_run "jq -nc --arg p '$BATS_TEST_TMPDIR/fifo.wav' '{output_path: \$p, status: \"ok\"}, {output_path: \"/tmp\", status: \"ok\"}' \
        | dataset-pack --shards '$OUT-fifo' 2>/dev/null | jq -r .error.message"
    assert_output "output_path $BATS_TEST_TMPDIR/fifo.wav: cannot open the audio: not a regular file
output_path /tmp: cannot open the audio: not a regular file"
    # --include-errors packs an error record's own record, with no audio.
    run --separate-stderr dataset-pack --shards "$OUT-e" --include-errors <"$BATS_TEST_TMPDIR/packed.ndjson"
    assert_failure 1
    assert_equal "$(tar tf "$OUT-e/000000.tar" | grep -c json)" 4
}

@test "dataset-pack keeps bpm and time_signature as given, invents none, and fails a record with a bad one alone" {
    make_results 8 >"$BATS_TEST_TMPDIR/r.ndjson"
    # render-one's records with the tempo it reports; the third one from before it did.
    printf '%s\n' '{"bpm":120,"time_signature":"4/4"}' '{"bpm":92.5,"time_signature":"7/8"}' '{}' \
        '{"bpm":0}' '{"bpm":"abc"}' '{"bpm":120,"time_signature":"4/3"}' '{"bpm":1000}' '{"bpm":-5,"time_signature":"0/4"}' \
        >"$BATS_TEST_TMPDIR/tempos.json"
    jq -c --slurpfile t "$BATS_TEST_TMPDIR/tempos.json" '. + $t[input_line_number - 1]' "$BATS_TEST_TMPDIR/r.ndjson" \
        >"$BATS_TEST_TMPDIR/tempo.ndjson"
    run --separate-stderr dataset-pack --shards "$OUT" --audiofolder "$OUT-hf" <"$BATS_TEST_TMPDIR/tempo.ndjson"
    assert_failure 1
    assert_equal "$stderr" "dataset-pack: packed 3 samples into 1 shard; skipped 0; failed 5 (5 bad bpm or time_signature)"
    assert_equal "$(jq -r '.error.message // .dataset_key' <<<"$output")" "000000000
000000001
000000002
field 'bpm' is 0, outside 1..999
field 'bpm' must be a number, not a string (\"abc\")
field 'time_signature': '4/3': the note value of a beat (D) must be 1, 2, 4, 8, 16, 32 or 64
field 'bpm' is 1000, outside 1..999
field 'bpm' is -5, outside 1..999"
    printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/packed.ndjson"
    run check_shards "$OUT" "$BATS_TEST_TMPDIR/packed.ndjson"
    assert_output 3
    # In the shard and in the metadata, each as the record gave it; none where it gave none.
    run tar xOf "$OUT/000000.tar" 000000000.json 000000001.json 000000002.json
    assert_equal "$(jq -c '[.bpm, .time_signature, has("bpm")]' <<<"$output")" '[120,"4/4",true]
[92.5,"7/8",true]
[null,null,false]'
    assert_equal "$(jq -c '[.file_name, .bpm, .time_signature, has("bpm"), has("time_signature")]' "$OUT-hf/metadata.jsonl")" \
        '["000000000.flac",120,"4/4",true,true]
["000000001.wav",92.5,"7/8",true,true]
["000000002.flac",null,null,false,false]'
    assert_no_tmp_left "$OUT"
    assert_no_tmp_left "$OUT-hf"
}

@test "plugin-scan --params | param-sample | render-one | dataset-pack: different samples sound different" {
    plugin-scan --params "$AMSYNTH" 2>/dev/null | param-sample -n 6 -m sobol --seed 1 \
        | assign-paths -o "$BATS_TEST_TMPDIR/sounds" --ext flac \
        | render-one --plugin "$AMSYNTH" --duration 0.3 --tail 0.2 2>/dev/null \
        | dataset-pack --shards "$OUT" --shard-size 4 --split train=0.5,validation=0.5 \
            >"$BATS_TEST_TMPDIR/packed.ndjson" 2>"$BATS_TEST_TMPDIR/summary"
    assert_equal "$(jq -r .status "$BATS_TEST_TMPDIR/packed.ndjson" | sort | uniq -c | awk '{print $1, $2}')" "6 ok"
    run check_shards "$OUT" "$BATS_TEST_TMPDIR/packed.ndjson"
    assert_output 6
    # Six distinct sounds: the files differ, and so do their RMS and peak.
    run "$PY" - "$BATS_TEST_TMPDIR/packed.ndjson" <<'EOF'
import json, sys
import numpy as np, soundfile as sf
rs = [json.loads(l) for l in open(sys.argv[1])]
stats = set()
for r in rs:
    x, _ = sf.read(r["output_path"])
    assert r["set_params"] and r["sample_method"] == "sobol"
    stats.add((round(float(np.sqrt((x ** 2).mean())), 6), round(float(np.abs(x).max()), 6)))
print(len(stats), len({tuple(sorted(r["set_params"].items())) for r in rs}))
EOF
    assert_output "6 6"
}
