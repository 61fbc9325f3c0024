#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
load helper
bats_require_minimum_version 1.5.0

MIDI="$FIXTURES/midi/files"
SCALE="$MIDI/jazz-soft-test-midi-files/test-c-major-scale.mid"
BACH="$MIDI/Tonejs-Midi/bach__bach_format0.mid"
BEETHOVEN="$MIDI/Tonejs-Midi/beethoven__symphony_7_2.mid"
FORMAT2="$MIDI/nfroidure-midifile/MIDIOkFormat2.mid"

@test "midi-duration --help prints usage on stdout and exits 0" {
    run --separate-stderr midi-duration --help
    assert_success
    assert_output --partial "FILE"
    assert_output --partial "midi_duration_s"
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$stderr" ""
}

@test "midi-duration rejects a bad flag with exit 2" {
    run midi-duration --no-such-flag
    assert_failure 2
    assert_output --partial "try 'midi-duration --help'"
}

@test "midi-duration gives every fixture its INDEX duration within 1 us, or refuses it with a message" {
    local n=0 path expected kind seconds
    while IFS=$'\t' read -r path expected; do
        n=$((n + 1))
        run --separate-stderr midi-duration "$MIDI/$path"
        kind=${expected%%:*} seconds=${expected#*:}
        if [ "$kind" = error ] || { [ "$kind" = either ] && [ "$status" -ne 0 ]; }; then
            [ "$status" -eq 1 ] || fail "$path: exit $status, expected a refusal"
            [ -z "$output" ] || fail "$path: refused but printed '$output'"
            [[ "$stderr" == "midi-duration: $MIDI/$path: "?* ]] || fail "$path: stderr '$stderr'"
            continue
        fi
        [ "$status" -eq 0 ] || fail "$path: exit $status: $stderr"
        awk -v a="$output" -v b="$seconds" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-6) }' ||
            fail "$path: got $output, expected $seconds"
    done < <(awk -F'\t' 'NR > 1 { print $1 "\t" $2 }' "$FIXTURES/midi/INDEX.tsv")
    [ "$n" -ge 130 ] || fail "only $n rows read from the INDEX"
}

@test "midi-duration prints just the number for one file, to the microsecond, without trailing zeros" {
    run midi-duration "$BACH"
    assert_success
    assert_output "69.5"
    run midi-duration "$SCALE"
    assert_output "4.0"
    run midi-duration "$BEETHOVEN"
    assert_output "463.050198"
    run midi-duration "$MIDI/jazz-soft-test-midi-files/test-empty.mid"
    assert_output "0.0"
    # What shell substitution makes of it.
    seconds=$(midi-duration "$MIDI/debian-ardour-data/click.mid")
    assert_equal "$seconds" "1.75"
}

@test "midi-duration prints SECONDS<TAB>PATH per file for several, and goes on past a bad one" {
    run --separate-stderr midi-duration "$BACH" "$FORMAT2" "$SCALE" "$BACH"
    assert_failure 1
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 "$(printf '69.5\t%s' "$BACH")"
    assert_line --index 1 "$(printf '4.0\t%s' "$SCALE")"
    assert_line --index 2 "$(printf '69.5\t%s' "$BACH")"
    assert_equal "$stderr" "midi-duration: $FORMAT2: byte 8: format 2 (independent sequences) has no single timeline; not supported"
}

@test "midi-duration refuses a directory, a FIFO, an empty file and a missing file, one message each" {
    local dir="$BATS_TEST_TMPDIR"
    mkfifo "$dir/fifo"
    : >"$dir/empty.mid"
    run --separate-stderr timeout 10 midi-duration "$dir" "$dir/fifo" "$dir/empty.mid" "$dir/missing.mid" "$SCALE"
    assert_failure 1
    assert_output "$(printf '4.0\t%s' "$SCALE")"
    [ "$(wc -l <<<"$stderr")" -eq 4 ] || fail "stderr: $stderr"
    [[ "$stderr" == *"midi-duration: $dir: a directory, not a file"* ]] || fail "$stderr"
    [[ "$stderr" == *"midi-duration: $dir/fifo: a FIFO, not a file"* ]] || fail "$stderr"
    [[ "$stderr" == *"midi-duration: $dir/empty.mid: empty file, not a Standard MIDI File"* ]] || fail "$stderr"
    [[ "$stderr" == *"midi-duration: $dir/missing.mid: cannot open: No such file or directory"* ]] || fail "$stderr"
}

@test "midi-duration refuses a broken file with the reason and the place" {
    run --separate-stderr midi-duration "$MIDI/nfroidure-midifile/MIDIBadTrackHdr.mid"
    assert_failure 1
    assert_output ""
    [[ "$stderr" == *"MIDIBadTrackHdr.mid: byte 14: no track: the header declares 1 but no MTrk chunk follows"* ]] ||
        fail "$stderr"
    # A file cut inside its header.
    head -c 12 "$SCALE" >"$BATS_TEST_TMPDIR/cut.mid"
    run --separate-stderr midi-duration "$BATS_TEST_TMPDIR/cut.mid"
    assert_failure 1
    assert_equal "$stderr" "midi-duration: $BATS_TEST_TMPDIR/cut.mid: truncated at byte 12: division needs 2 bytes, 0 left"
}

@test "midi-duration follows the record contract" {
    check_record_tool_contract "midi-duration"
}

@test "midi-duration adds midi_duration_s to records with midi_path and passes the others through" {
    sh_run "printf '%s\n' '{\"b\":2,\"midi_path\":\"$BEETHOVEN\",\"a\":1}' '{\"note\":60}' '{\"status\":\"skipped\",\"midi_path\":\"/nowhere.mid\"}' | midi-duration"
    assert_success
    assert_equal "${#lines[@]}" 3
    assert_line --index 0 "{\"b\":2,\"midi_path\":\"$BEETHOVEN\",\"a\":1,\"midi_duration_s\":463.0501977773437}"
    assert_line --index 1 '{"note":60}'
    assert_line --index 2 '{"status":"skipped","midi_path":"/nowhere.mid"}'
}

@test "midi-duration resolves relative midi_path against the working folder" {
    mkdir -p "$BATS_TEST_TMPDIR/songs/sub"
    cp "$BACH" "$BATS_TEST_TMPDIR/songs/bach.mid"
    cd "$BATS_TEST_TMPDIR/songs"
    sh_run "printf '%s\n' '{\"midi_path\":\"bach.mid\"}' '{\"midi_path\":\"./sub/../bach.mid\"}' | midi-duration | jq -c .midi_duration_s"
    assert_success
    assert_output "$(printf '69.5\n69.5')"
}

@test "midi-duration reads each distinct file once, errors included" {
    local dir="$BATS_TEST_TMPDIR"
    cp "$SCALE" "$dir/song.mid"
    printf 'MThd' >"$dir/bad.mid"
    mkfifo "$dir/in" "$dir/out"
    midi-duration <"$dir/in" >"$dir/out" &
    exec 7>"$dir/in" 8<"$dir/out"
    # Once the first records are answered, the files change on disk: the
    # later records must still get what was read the first time.
    echo "{\"n\":1,\"midi_path\":\"$dir/song.mid\"}" >&7
    echo "{\"n\":2,\"midi_path\":\"$dir/bad.mid\"}" >&7
    read -r -t 10 first <&8 || fail "no answer to the first record: output not flushed per record?"
    read -r -t 10 second <&8 || fail "no answer to the second record"
    cp "$BACH" "$dir/song.mid"
    cp "$SCALE" "$dir/bad.mid"
    echo "{\"n\":3,\"midi_path\":\"$dir/song.mid\"}" >&7
    echo "{\"n\":4,\"midi_path\":\"$dir/../${dir##*/}/song.mid\"}" >&7
    echo "{\"n\":5,\"midi_path\":\"$dir/bad.mid\"}" >&7
    exec 7>&-
    rest=$(cat <&8)
    exec 8<&-
    wait $! || true
    assert_equal "$first" "{\"n\":1,\"midi_path\":\"$dir/song.mid\",\"midi_duration_s\":4.0}"
    run jq -r '"\(.n) \(.midi_duration_s) \(.status) \(.error.message)"' <<<"$second
$rest"
    assert_line --index 0 "2 null error $dir/bad.mid: truncated at byte 4: header length needs 4 bytes, 0 left"
    assert_line --index 1 "3 4 null null"
    assert_line --index 2 "4 4 null null"
    assert_line --index 3 "5 null error $dir/bad.mid: truncated at byte 4: header length needs 4 bytes, 0 left"
}

@test "midi-duration fails a record whose file is bad, or whose midi_path is not a path, and goes on" {
    sh_run "printf '%s\n' '{\"midi_path\":\"$FORMAT2\"}' '{\"midi_path\":60}' '{\"midi_path\":\"\"}' '{\"midi_path\":\"$SCALE\"}' | midi-duration"
    assert_failure 1
    assert_equal "${#lines[@]}" 4
    run jq -r '"\(.status) \(.error.tool) \(.error.message)"' <<<"$output"
    assert_line --index 0 "error midi-duration $FORMAT2: byte 8: format 2 (independent sequences) has no single timeline; not supported"
    assert_line --index 1 "error midi-duration field 'midi_path' must be a string, not a number (60)"
    assert_line --index 2 "error midi-duration field 'midi_path' is an empty path"
    assert_line --index 3 "null null null"
}

@test "midi-duration exits 0 quietly when the reader closes the pipe" {
    sh_run "yes '{\"midi_path\":\"$SCALE\"}' | head -5000 | midi-duration | head -1"
    assert_success
    assert_output "{\"midi_path\":\"$SCALE\",\"midi_duration_s\":4.0}"
}

@test "midi-duration writing to a full disk exits 3, in file mode too" {
    sh_run "midi-duration '$SCALE' >/dev/full"
    assert_failure 3
    assert_output --partial "cannot write standard output"
}

# A one-track song of N note-ons a tick apart (running status, 3 bytes each),
# at 96 ticks per quarter note and the default 120 bpm.
many_events() {  # N FILE
    python3 - "$1" "$2" <<'PY'
import struct, sys
n = int(sys.argv[1])
track = b"\x00\x90\x3c\x40" + b"\x01\x3c\x40" * (n - 1) + b"\x00\xff\x2f\x00"
open(sys.argv[2], "wb").write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 96) +
                              b"MTrk" + struct.pack(">I", len(track)) + track)
PY
}

@test "midi-duration measures a song at the 10-million-event limit without keeping its events, and refuses one over it" {
    many_events 10000000 "$BATS_TEST_TMPDIR/full.mid"
    # Kept as events this song takes about 1 GB; measured, only its 30 MB file.
    run --separate-stderr /usr/bin/time -f '%M' midi-duration "$BATS_TEST_TMPDIR/full.mid"
    assert_success
    # 9999999 ticks at 96 per quarter note, 0.5 s per quarter note.
    assert_output 52083.328125
    [ "$stderr" -lt 250000 ] || fail "max RSS ${stderr} kB"
    many_events 10000001 "$BATS_TEST_TMPDIR/over.mid"
    run --separate-stderr midi-duration "$BATS_TEST_TMPDIR/over.mid"
    assert_failure 1
    [[ "$stderr" == *"over.mid: track 1: byte "*": more than 10000000 events in the song, over the limit" ]] || fail "$stderr"
}
