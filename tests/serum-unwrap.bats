#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
load helper

S2="$FIXTURES/serum2/files"
PRESET="$S2/wiillownet/test_preset.SerumPreset"
REAL_STATE="$S2/wiillownet/serum_2.1.4_default_state.bin"

# The presets of tests/fixtures/serum2/INDEX.tsv, without their extension.
preset_stems() {
    awk -F'\t' 'NR > 1 && $1 ~ /\.SerumPreset$/ { sub(/\.SerumPreset$/, "", $1); print $1 }' \
        "$FIXTURES/serum2/INDEX.tsv"
}

# A zstd frame of stdin in raw (stored) blocks; $1 = sized|unsized says
# whether the frame header records the content size.
zstd_raw() {
    perl -e '
        binmode STDIN; binmode STDOUT; local $/; my $d = <STDIN> // "";
        my $out = "\x28\xb5\x2f\xfd";
        $out .= $ARGV[0] eq "sized" ? "\xa0" . pack("V", length $d) : "\x00\x38";
        my @chunks = length($d) ? unpack("(a131072)*", $d) : ("");
        for my $i (0 .. $#chunks) {
            my $h = (length($chunks[$i]) << 3) | ($i == $#chunks ? 1 : 0);
            $out .= substr(pack("V", $h), 0, 3) . $chunks[$i];
        }
        print $out;' "$1"
}

# A zstd frame without a size that inflates to $1 blocks of 128 KiB of zeros
# (run-length blocks: 4 bytes each).
zstd_bomb() {
    perl -e 'binmode STDOUT; my $n = $ARGV[0]; print "\x28\xb5\x2f\xfd\x00\x38";
             for my $i (1 .. $n) { print substr(pack("V", (131072 << 3) | 2 | ($i == $n ? 1 : 0)), 0, 3), "\0" }' "$1"
}

# An XferJson envelope: $1 JSON header text, $2 declared CBOR size, $3 format
# version, stdin the zstd frame.
xfer_envelope() {
    perl -e 'binmode STDIN; binmode STDOUT; local $/; my $f = <STDIN> // "";
             my ($meta, $size, $version) = @ARGV;
             print "XferJson\0", pack("Q<", length $meta), $meta, pack("V", $size), pack("V", $version), $f' \
        "$1" "$2" "$3"
}

# Writes an envelope around the CBOR bytes given as a perl string expression.
cbor_file() {
    local out=$1 expr=$2 size
    perl -e "binmode STDOUT; print $expr" >"$out.cbor"
    size=$(stat -c %s "$out.cbor")
    zstd_raw sized <"$out.cbor" | xfer_envelope '{"presetName":"x"}' "$size" 2 >"$out"
}

# Runs serum-unwrap -o on a file that must be refused: exit 1, the message,
# nothing at -o.
refused() {
    local file=$1 message=$2
    run serum-unwrap -o "$BATS_TEST_TMPDIR/out.state" "$file"
    assert_failure 1
    assert_output --partial "$message"
    [ ! -e "$BATS_TEST_TMPDIR/out.state" ] || fail "something was written at -o"
    assert_no_tmp_left "$BATS_TEST_TMPDIR"
}

@test "serum-unwrap --help prints usage on stdout and exits 0" {
    run serum-unwrap --help
    assert_success
    assert_output --partial "--state-dir"
    assert_output --partial "--format-version"
    assert_output --partial "not the envelope's format version"
}

@test "serum-unwrap rejects bad flags and bad combinations with exit 2" {
    assert_usage_error serum-unwrap --no-such-flag
    assert_usage_error serum-unwrap </dev/null
    assert_output --partial "record mode needs --state-dir"
    assert_usage_error serum-unwrap "$PRESET"
    assert_usage_error serum-unwrap --json --meta "$PRESET"
    assert_usage_error serum-unwrap -o x "$PRESET" "$PRESET"
    assert_usage_error serum-unwrap --raw --json "$PRESET"
    assert_usage_error serum-unwrap --state-dir d "$PRESET"
    assert_usage_error serum-unwrap --json </dev/null
    assert_usage_error serum-unwrap --format-version ten -o x "$PRESET"
    assert_usage_error serum-unwrap --format-version 1e40 -o x "$PRESET"
    assert_usage_error serum-unwrap --max-size 0 --json "$PRESET"
    assert_usage_error serum-unwrap --product-version '' -o x "$PRESET"
    [ ! -e x ]
}

@test "serum-unwrap --meta and --json equal the references for every preset" {
    local n=0 stem
    for stem in $(preset_stems); do
        run bash -c "serum-unwrap --meta '$FIXTURES/serum2/$stem.SerumPreset' | jq -S . | diff - <(jq -S . '$FIXTURES/serum2/$stem.meta.json')"
        assert_success
        run bash -c "serum-unwrap --json '$FIXTURES/serum2/$stem.SerumPreset' | jq -S . | diff - <(jq -S . '$FIXTURES/serum2/$stem.cbor.json')"
        assert_success
        n=$((n + 1))
    done
    [ "$n" -eq 6 ]
}

@test "serum-unwrap -o writes a JUCE VST3 state holding the reference processor map" {
    local stem state
    for stem in $(preset_stems); do
        state="$BATS_TEST_TMPDIR/$(basename "$stem").state"
        run serum-unwrap -o "$state" "$FIXTURES/serum2/$stem.SerumPreset"
        assert_success
        assert_output ""
        # VC2!, the XML on one line after a space, one NUL at the end.
        [ "$(head -c 4 "$state")" = "VC2!" ]
        run bash -c "head -c 100 '$state' | tail -c +9"
        assert_output --partial '<?xml version="1.0" encoding="UTF-8"?> <VST3PluginState><IComponent>'
        [ "$(tail -c 1 "$state" | od -An -tx1 | tr -d ' ')" = "00" ]
        [ "$(($(stat -c %s "$state") - 9))" -eq "$(od -An -tu4 -j4 -N4 "$state" | tr -d ' ')" ]
        # Decoded back (XML, JUCE base64, XferJson, zstd, CBOR): the reference map.
        run bash -c "serum-unwrap --json '$state' | jq -S . | diff - <(jq -S . '$FIXTURES/serum2/$stem.proc.cbor.json')"
        assert_success
        # Every map with its keys sorted, as Serum writes its own state.
        run bash -c "serum-unwrap --json '$state' | jq -e '[.. | objects | (keys_unsorted == keys)] | all'"
        assert_success
        run bash -c "serum-unwrap --meta '$state' | jq -c '[.component, .product, .productVersion, .version, .vendor, (.hash | length)]'"
        assert_output '["processor","Serum2","2.1.4",10,"Xfer Records",32]'
    done
}

@test "serum-unwrap reads Serum's own state with the same code: every map sorted" {
    run bash -c "serum-unwrap --json '$REAL_STATE' | jq -S . | diff - <(jq -S . '$S2/wiillownet/serum_2.1.4_default_state.IComponent.cbor.json')"
    assert_success
    run bash -c "serum-unwrap --meta '$REAL_STATE' | jq -S . | diff - <(jq -S . '$S2/wiillownet/serum_2.1.4_default_state.IComponent.meta.json')"
    assert_success
    run bash -c "serum-unwrap --json '$REAL_STATE' | jq -e '[.. | objects | (keys_unsorted == keys)] | length > 300 and all'"
    assert_success
    # The reference implementation's blobs (a newline after the declaration) read too.
    run bash -c "serum-unwrap --json '$S2/wiillownet/test_preset.state.bin' | jq -S . | diff - <(jq -S . '$S2/wiillownet/test_preset.proc.cbor.json')"
    assert_success
    # It is a state already: not converted again.
    run serum-unwrap -o "$BATS_TEST_TMPDIR/x" "$REAL_STATE"
    assert_failure 1
    assert_output --partial "JUCE VST3 state already"
}

@test "serum-unwrap --raw writes the processor envelope alone" {
    run serum-unwrap --raw -o "$BATS_TEST_TMPDIR/raw" "$PRESET"
    assert_success
    [ "$(head -c 8 "$BATS_TEST_TMPDIR/raw")" = "XferJson" ]
    run bash -c "serum-unwrap --json '$BATS_TEST_TMPDIR/raw' | jq -S . | diff - <(jq -S . '$S2/wiillownet/test_preset.proc.cbor.json')"
    assert_success
    run bash -c "serum-unwrap --meta '$BATS_TEST_TMPDIR/raw' | jq -r .component"
    assert_output "processor"
    # The header as Serum writes it: compact, keys sorted, version 10.0.
    LC_ALL=C run grep -ac '^XferJson.*{"component":"processor","hash":"[0-9a-f]\{32\}","product":"Serum2","productVersion":"2.1.4","url":"https://xferrecords.com/","vendor":"Xfer Records","version":10.0}' "$BATS_TEST_TMPDIR/raw"
    assert_output 1
}

@test "serum-unwrap --product-version and --format-version set the processor markers" {
    run serum-unwrap --product-version 2.0.19 --format-version 7.5 -o "$BATS_TEST_TMPDIR/s" "$PRESET"
    assert_success
    run bash -c "serum-unwrap --meta '$BATS_TEST_TMPDIR/s' | jq -c '[.productVersion, .version]'"
    assert_output '["2.0.19",7.5]'
    run bash -c "serum-unwrap --json '$BATS_TEST_TMPDIR/s' | jq -c '[.productVersion, .version, .component, .killEnvsGracefullyCompat, .Arp0.activeClip]'"
    assert_output '["2.0.19",7.5,"processor",true,0]'
}

@test "serum-unwrap follows the record contract" {
    check_record_tool_contract "serum-unwrap --state-dir '$BATS_TEST_TMPDIR/states'"
}

@test "serum-unwrap record mode writes each state once, by content, and adds state_path" {
    cd "$BATS_TEST_TMPDIR"
    local rec="{\"id\":7,\"preset_path\":\"$PRESET\",\"preset_format\":\"serum2\",\"z\":null}"
    sh_run "printf '%s\n' '$rec' '{\"preset_format\":\"fxp\",\"preset_path\":\"/x.fxp\"}' '{\"b\":1}' | serum-unwrap --state-dir states"
    assert_success
    assert_equal "${#lines[@]}" 3
    assert_line --index 1 '{"preset_format":"fxp","preset_path":"/x.fxp"}'
    assert_line --index 2 '{"b":1}'
    local path
    path=$(jq -r .state_path <<<"${lines[0]}")
    [[ "$path" == "$BATS_TEST_TMPDIR/states/"*.vst3state ]] || fail "state_path $path"
    run jq -c 'keys_unsorted' <<<"${lines[0]}"
    assert_output '["id","preset_path","preset_format","z","state_path"]'
    [ "$(sha256sum <"$path" | cut -d' ' -f1).vst3state" = "$(basename "$path")" ]
    run bash -c "serum-unwrap --json '$path' | jq -S . | diff - <(jq -S . '$S2/wiillownet/test_preset.proc.cbor.json')"
    assert_success
    # A rerun reuses the file as it is.
    local inode
    inode=$(stat -c %i "$path")
    sh_run "printf '%s\n' '$rec' '$rec' | serum-unwrap --state-dir states | jq -r .state_path | sort -u"
    assert_success
    assert_output "$path"
    [ "$(stat -c %i "$path")" = "$inode" ]
    [ "$(names_in states | wc -l)" -eq 1 ]
}

@test "serum-unwrap record mode fails a bad serum2 record and goes on" {
    printf 'hello' >"$BATS_TEST_TMPDIR/bad.SerumPreset"
    sh_run "printf '%s\n' '{\"preset_format\":\"serum2\"}' '{\"preset_format\":\"serum2\",\"preset_path\":\"$BATS_TEST_TMPDIR/bad.SerumPreset\"}' '{\"preset_format\":\"serum2\",\"preset_path\":\"$PRESET\"}' | serum-unwrap --state-dir '$BATS_TEST_TMPDIR/st'"
    assert_failure 1
    assert_line --index 0 --partial '"message":"preset_format is serum2 but the record has no preset_path"'
    assert_line --index 1 --partial 'bad.SerumPreset: not an Xfer Serum 2 file'
    assert_line --index 2 --partial '"state_path":'
    sh_run "echo '{\"preset_format\":\"serum2\",\"preset_path\":5}' | serum-unwrap --state-dir '$BATS_TEST_TMPDIR/st'"
    assert_failure 1
    assert_output --partial '"status":"error"'
}

@test "serum-unwrap exits 0 quietly when the reader closes the pipe" {
    sh_run "yes '{\"a\":1}' | head -5000 | serum-unwrap --state-dir '$BATS_TEST_TMPDIR/s' | head -1"
    assert_success
    assert_output '{"a":1}'
    # Many large lines into a reader that stops at the first.
    sh_run "set -o pipefail; serum-unwrap --meta $(yes "'$PRESET'" | head -1000 | paste -sd ' ') | head -1"
    assert_success
    assert_output --partial '"presetName":"test_preset"'
    refute_output --partial "serum-unwrap:"
}

@test "serum-unwrap --json goes on past a bad file, and stdout that cannot be written is fatal" {
    printf 'XferJson' >"$BATS_TEST_TMPDIR/short"
    run serum-unwrap --meta "$PRESET" "$BATS_TEST_TMPDIR/short" "$PRESET"
    assert_failure 1
    assert_line --index 1 --partial "short: not an Xfer Serum 2 file"
    [ "$(grep -c '"presetName":"test_preset"' <<<"$output")" -eq 2 ]
    sh_run "serum-unwrap --json '$PRESET' >/dev/full"
    assert_failure 3
    assert_output --partial "cannot write standard output"
}

@test "serum-unwrap refuses truncated files at every offset, writing nothing" {
    local size n
    size=$(stat -c %s "$PRESET")
    for n in $(seq 0 23 $((size - 1))) $((size - 1)); do
        head -c "$n" "$PRESET" >"$BATS_TEST_TMPDIR/t.SerumPreset"
        refused "$BATS_TEST_TMPDIR/t.SerumPreset" "t.SerumPreset: "
    done
    head -c 20 "$PRESET" >"$BATS_TEST_TMPDIR/t.SerumPreset"
    refused "$BATS_TEST_TMPDIR/t.SerumPreset" "truncated at byte 17: JSON header length 280 (at byte 9) is past the end"
    head -c 1000 "$PRESET" >"$BATS_TEST_TMPDIR/t.SerumPreset"
    refused "$BATS_TEST_TMPDIR/t.SerumPreset" "corrupt or truncated zstd frame at byte 305"
    head -c 1000 "$REAL_STATE" >"$BATS_TEST_TMPDIR/t.bin"
    run serum-unwrap --json "$BATS_TEST_TMPDIR/t.bin"
    assert_failure 1
    assert_output --partial "truncated at byte"
}

@test "serum-unwrap refuses a wrong magic, a bad header and an unknown format version" {
    local t="$BATS_TEST_TMPDIR"
    printf 'XferJsox\0' | cat - <(tail -c +10 "$PRESET") >"$t/magic"
    refused "$t/magic" 'not an Xfer Serum 2 file: expected "XferJson\0" at byte 0'
    printf '\xa0' | zstd_raw sized | xfer_envelope '[1,2]' 1 2 >"$t/array-header"
    refused "$t/array-header" "JSON header at byte 17 is not an object but array"
    printf '\xa0' | zstd_raw sized | xfer_envelope '{"a":' 1 2 >"$t/bad-json"
    refused "$t/bad-json" "bad JSON header at byte"
    printf '\xa0' | zstd_raw sized | xfer_envelope "$(printf '%.0s[' {1..100000})" 1 2 >"$t/deep-header"
    refused "$t/deep-header" "JSON header nested deeper than 64 levels"
    printf '\xa0' | zstd_raw sized | xfer_envelope '{}' 1 3 >"$t/v3"
    refused "$t/v3" "unknown XferJson format version 3 at byte 23"
    printf '\xa0' | zstd_raw sized | xfer_envelope '{}' 1 2 >"$t/good"
    run serum-unwrap --json "$t/good"
    assert_success
    assert_output '{}'
}

@test "serum-unwrap refuses broken payloads: not a map, trailing garbage, corrupt zstd" {
    local t="$BATS_TEST_TMPDIR"
    cbor_file "$t/array" '"\x83\x01\x02\x03"'
    refused "$t/array" "the CBOR payload is not a map"
    cbor_file "$t/extra" '"\xa0\x00"'
    refused "$t/extra" "1 bytes of trailing data after the CBOR item"
    cbor_file "$t/key" '"\xa1\x01\x02"'
    refused "$t/key" "is not a text string"
    cat "$PRESET" <(printf 'junk') >"$t/trailing"
    refused "$t/trailing" "4 bytes of trailing data after the zstd frame, at byte 2105"
    printf 'not zstd' | xfer_envelope '{}' 8 2 >"$t/notzstd"
    refused "$t/notzstd" "is not a zstd frame"
    printf '\xa0' | zstd_raw sized | xfer_envelope '{}' 5 2 >"$t/size"
    refused "$t/size" "holds 1 bytes but the header declares 5"
}

@test "serum-unwrap refuses decompression bombs before inflating them" {
    local t="$BATS_TEST_TMPDIR"
    # 4 GiB declared: refused from the header.
    zstd_bomb 1 | xfer_envelope '{}' 4294967295 2 >"$t/declared"
    refused "$t/declared" "declares 4294967295 bytes of CBOR, over the limit of 67108864 (--max-size)"
    # 1 GiB from 32 KB of zstd, while the header claims 1000 bytes.
    zstd_bomb 8192 | xfer_envelope '{}' 1000 2 >"$t/lying"
    refused "$t/lying" "inflates past the declared 1000 bytes"
    # The cap is a flag.
    run serum-unwrap --max-size 7822 --json "$PRESET"
    assert_failure 1
    assert_output --partial "over the limit of 7822"
    run serum-unwrap --max-size 7823 --json "$PRESET"
    assert_success
}

@test "serum-unwrap refuses CBOR nested 100000 levels deep with an error, not a crash" {
    local t="$BATS_TEST_TMPDIR"
    cbor_file "$t/deep-arrays" '"\xa1\x61k", "\x81" x 100000, "\x00"'
    refused "$t/deep-arrays" "nested deeper than 512 levels"
    cbor_file "$t/deep-maps" '"\xa1\x61k" x 100000, "\x00"'
    refused "$t/deep-maps" "nested deeper than 512 levels"
    cbor_file "$t/deep-indefinite" '"\xa1\x61k", "\x9f" x 100000'
    refused "$t/deep-indefinite" "nested deeper than 512 levels"
}

@test "serum-unwrap leaves an existing output alone when it fails" {
    echo keep >"$BATS_TEST_TMPDIR/out.state"
    printf 'hello' >"$BATS_TEST_TMPDIR/bad"
    run serum-unwrap -o "$BATS_TEST_TMPDIR/out.state" "$BATS_TEST_TMPDIR/bad"
    assert_failure 1
    [ "$(cat "$BATS_TEST_TMPDIR/out.state")" = "keep" ]
}
