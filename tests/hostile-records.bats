#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Bad records, tool by tool: lines that are not JSON or not objects, a
# 100 MB line, NUL in strings, invalid UTF-8, fields of the wrong type and
# missing required fields. Each bad line or record becomes one error record
# saying which line or field and what is wrong; the run goes on; exit 1.
load hostile

setup() { hostile_setup; }
teardown() { hostile_teardown; }

# Every tool in record mode, with what it needs to run.
tools() {
    printf '%s\n' "job-grid --notes 60" "preset-scan" "midi-duration" "serum-unwrap --state-dir $T/states" \
        "assign-paths --out $OUT" "render-index --out $T/page" \
        "render-one --plugin $SYNTH3 --duration 0.02 --tail 0" "param-sample --count 2" \
        "dataset-pack --shards $T/shards"
}

@test "every tool: lines that are not JSON objects are error records with their line number; the run goes on" {
    # Nine bad lines, each followed by nothing else: not JSON, JSON of other
    # types, a cut object, a raw NUL, raw invalid UTF-8, a lone surrogate.
    {
        printf '%s\n' 'not json' '[1,2]' '"text"' 'null' '{"a":1'
        printf '{"a":"x\0y"}\n'
        printf '{"preset_path":"/tmp/caf\xe9.fxp"}\n'
        printf '%s\n' '{"a":"\udc80"}' '42'
        printf '\n   \n'   # blank lines are not records
        printf '%s\n' '{"status":"skipped","k":1}'
    } >"$T/lines"
    local tool
    while IFS= read -r tool; do
        hrun_sh "$tool <'$T/lines'"
        # shellcheck disable=SC2154 # $stderr is set by hrun's run --separate-stderr
        [ "$status" -eq 1 ] || fail "$tool: exit $status: $stderr"
        assert_records
        [ "${#lines[@]}" -eq 10 ] || fail "$tool: ${#lines[@]} lines: $output"
        run jq -r '"\(.error.line) \(.status) \(.error.message)"' <<<"$output"
        local i
        for i in 1 2 3 4 5 6 7 8 9; do
            [[ "${lines[$((i - 1))]}" == "$i error line $i: "* ]] || fail "$tool: line $i gave: ${lines[$((i - 1))]}"
        done
        [[ "${lines[1]}" == *"JSON but not an object (an array)" ]] || fail "$tool: ${lines[1]}"
        [[ "${lines[3]}" == *"JSON but not an object (null)" ]] || fail "$tool: ${lines[3]}"
        [[ "${lines[6]}" == *"ill-formed UTF-8 byte"* ]] || fail "$tool: ${lines[6]}"
        [[ "${lines[7]}" == *"surrogate"* ]] || fail "$tool: ${lines[7]}"
    done < <(tools)
    # The skipped record after them came through untouched (job-grid once).
    sh_run "job-grid --notes 1-5 <'$T/lines' | tail -1"
    assert_output '{"status":"skipped","k":1}'
}

@test "every tool: a 100 MB line is one error record, read in bounded memory, and the next record is handled" {
    # Made here: a JSON object with a 100 MB string, then a record.
    { printf '{"preset_name":"'; head -c 100000000 /dev/zero | tr '\0' a; printf '"}\n'
      echo '{"status":"skipped","after":1}'; } >"$T/big"
    local tool
    while IFS= read -r tool; do
        hrun_sh "$tool <'$T/big'"
        [ "$status" -eq 1 ] || fail "$tool: exit $status: $stderr"
        [ "${#lines[@]}" -eq 2 ] || fail "$tool: ${#lines[@]} lines"
        [ "${#output}" -lt 2000 ] || fail "$tool: the error record holds ${#output} bytes of the line"
        assert_equal "${lines[1]}" '{"status":"skipped","after":1}'
        run jq -r '"\(.error.line) \(.error.message)"' <<<"${lines[0]}"
        assert_output "1 line 1: line longer than 16777216 bytes"
    done < <(tools)
}

@test "every tool: NUL inside a path field fails the record; inside a name it is replaced or passed on" {
    local rec='{"preset_name":"a\u0000b","preset_format":"serum2","preset_path":"/tmp/a\u0000b.fxp","midi_path":"/tmp/a\u0000b.mid","state_path":"/tmp/\u0000","output_path":"/tmp/a\u0000b.wav","relative_path":"a\u0000b.fxp"}'
    local tool field
    while IFS= read -r tool; do
        hrun_sh "echo '$rec' | $tool"
        case $tool in
            job-grid*)
                assert_success
                assert_equal "$(jq -r '.preset_name | explode | map(tostring) | join(",")' <<<"$output")" "97,0,98" ;;
            assign-paths*)
                # preset_path and relative_path name files: refused.
                assert_failure 1
                field=$(jq -r .error.message <<<"$output")
                [[ "$field" =~ ^field\ \'(preset_path|relative_path)\'\ holds\ a\ NUL\ byte$ ]] || fail "$tool: $field"
                hrun_sh "echo '{\"preset_name\":\"a\\u0000b\"}' | $tool"
                assert_success
                assert_equal "$(jq -r .output_path <<<"$output")" "$OUT/a_b.wav" ;;
            param-sample*)
                # No params: a record it cannot sample, whatever its paths.
                assert_failure 1
                assert_output --partial "line 1: no 'params' field" ;;
            dataset-pack*)
                # No status ok: not a result, passed on unpacked.
                assert_success
                assert_output "$rec" ;;
            *)
                assert_failure 1
                field=$(jq -r .error.message <<<"$output")
                [[ "$field" =~ ^field\ \'(preset_path|midi_path|output_path|state_path)\'\ holds\ a\ NUL\ byte$ ]] ||
                    fail "$tool: $field" ;;
        esac
    done < <(tools)
    # render-one checks every path it is given, one at a time.
    for field in preset_path midi_path state_path output_path; do
        hrun_sh "jq -nc --arg o '$OUT/x.wav' '{output_path: \$o, $field: \"/tmp/a\\u0000b\"}' |
                 render-one --plugin $SYNTH3 --duration 0.02 --tail 0"
        assert_failure 1
        assert_equal "$(jq -r .error.message <<<"$output")" "field '$field' holds a NUL byte"
    done
    [ ! -e "$OUT/x.wav" ]
}

@test "every tool: fields of the wrong type fail their record, naming the field and the value" {
    # tool | record | the message expected
    local cases=(
        "preset-scan|{\"preset_path\":[\"a\"]}|field 'preset_path' must be a string, not an array ([\"a\"])"
        "preset-scan|{\"preset_path\":\"$FXB\",\"program_index\":\"three\"}|field 'program_index' must be a whole number, not a string (\"three\")"
        "preset-scan|{\"preset_path\":\"$FXB\",\"program_index\":-1}|field 'program_index' is -1, outside 0..2147483647"
        "midi-duration|{\"midi_path\":true}|field 'midi_path' must be a string, not a boolean (true)"
        "midi-duration|{\"midi_path\":\"\"}|field 'midi_path' is an empty path"
        "serum-unwrap --state-dir $T/st|{\"preset_format\":7,\"preset_path\":\"$SERUM\"}|field 'preset_format' must be a string, not a number (7)"
        "serum-unwrap --state-dir $T/st|{\"preset_format\":\"serum2\",\"preset_path\":{}}|field 'preset_path' must be a string, not an object ({})"
        "assign-paths --out $OUT|{\"note\":\"sixty\"}|field 'note' must be a whole number, not a string (\"sixty\")"
        "assign-paths --out $OUT|{\"velocity\":128}|field 'velocity' is 128, outside 1..127"
        "assign-paths --out $OUT|{\"preset_name\":[\"x\"]}|field 'preset_name' must be a string, not an array ([\"x\"])"
        "assign-paths --out $OUT|{\"program_index\":1.5}|field 'program_index' must be a whole number, not a number (1.5)"
        "render-index --out $T/page|{\"output_path\":7}|field 'output_path' must be a string, not a number (7)"
        "render-index --out $T/page|{\"output_path\":\"/x.wav\",\"peak_dbfs\":\"loud\"}|field 'peak_dbfs' must be a number, not a string (\"loud\")"
        "render-index --out $T/page|{\"output_path\":\"/x.wav\",\"frames\":-5}|field 'frames' is -5, outside 0..9223372036854775807"
        "render-index --out $T/page|{\"output_path\":\"/x.wav\",\"silent\":\"yes\"}|field 'silent' must be true or false, not string"
        "render-index --out $T/page|{\"output_path\":\"/x.wav\",\"set_params\":\"level=1\"}|field 'set_params' must be an object, not string"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"note\":\"sixty\"}|field 'note' must be a whole number, not a string (\"sixty\")"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"velocity\":0}|field 'velocity' is 0, outside 1..127"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"duration_s\":\"long\"}|field 'duration_s' must be a number, not a string (\"long\")"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"duration_s\":1e300}|field 'duration_s' must be between 0 and 3600 seconds"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"sample_rate_hz\":0}|field 'sample_rate_hz' is 0, outside 8000..384000"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"channels\":1000000}|field 'channels' is 1000000, outside 1..2"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"block_size\":1e9}|field 'block_size' is 1000000000.0, outside 16..8192"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"set_params\":[1]}|field 'set_params' must be an object {\"name or index\": 0..1}"
        "render-one --plugin $SYNTH3|{\"output_path\":\"$OUT/x.wav\",\"set_params\":{\"level\":\"x\"}}|set_params: 'level' must be a number from 0 to 1"
        "render-one --plugin $SYNTH3|{\"output_path\":7}|field 'output_path' must be a string, not a number (7)"
    )
    # One run per tool, each bad record followed by a good one.
    local c tool rec want current="" i
    for c in "${cases[@]}" "end||"; do
        IFS='|' read -r tool rec want <<<"$c"
        if [ "$tool" != "$current" ] && [ -n "$current" ]; then
            hrun_sh "$current <'$T/in'"
            [ "$status" -eq 1 ] || fail "$current: exit $status"
            [ "${#lines[@]}" -eq $((2 * ${#recs[@]})) ] || fail "$current: ${#lines[@]} lines: $output"
            for i in "${!recs[@]}"; do
                # The message; the bad field kept as it came; the record after it goes on.
                assert_equal "$(jq -r .error.message <<<"${lines[$((2 * i))]}")" "${wants[$i]}"
                assert_equal "$(jq -c 'del(.status, .error)' <<<"${lines[$((2 * i))]}")" "$(jq -c . <<<"${recs[$i]}")"
                assert_equal "${lines[$((2 * i + 1))]}" '{"status":"skipped"}'
            done
        fi
        if [ "$tool" != "$current" ]; then
            current=$tool recs=() wants=()
            : >"$T/in"
        fi
        recs+=("$rec") wants+=("$want")
        printf '%s\n%s\n' "$rec" '{"status":"skipped"}' >>"$T/in"
    done
    [ ! -e "$OUT/x.wav" ]
    # job-grid sets note and velocity itself: the wrong ones are replaced.
    hrun_sh "echo '{\"note\":\"sixty\",\"velocity\":{}}' | job-grid --notes 61"
    assert_success
    assert_output '{"note":61,"velocity":100}'
}

@test "missing required fields: the tools that need a field fail the record saying which; the others pass it on" {
    hrun_sh "printf '%s\n' '{}' '{\"note\":60}' | render-one --plugin $SYNTH3 --duration 0.02 --tail 0"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output" | sort -u)" \
        "no output_path: give -o, set output_path, or pipe through assign-paths"
    hrun_sh "echo '{\"status\":\"ok\"}' | render-index --out '$T/page'"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "no output_path: nothing to play or draw"
    hrun_sh "echo '{\"preset_format\":\"serum2\"}' | serum-unwrap --state-dir '$T/st'"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "preset_format is serum2 but the record has no preset_path"
    # Tools with nothing to do for such a record pass it on as it is.
    hrun_sh "echo '{\"program_index\":3}' | preset-scan"
    assert_success
    assert_output '{"program_index":3}'
    hrun_sh "echo '{\"note\":60}' | midi-duration"
    assert_success
    assert_output '{"note":60}'
    # assign-paths names a record with no name at all.
    hrun_sh "echo '{}' | assign-paths --out '$OUT'"
    assert_success
    assert_output "{\"output_path\":\"$OUT/untitled.wav\",\"output_root\":\"$OUT\"}"
}

@test "non-UTF-8 paths: refused in records, kept as bytes in file mode" {
    local bad
    bad="$T/caf$(printf '\xe9')"
    cp "$SCALE" "$bad.mid"
    cp "$SERUM" "$bad.SerumPreset"
    cp "$FXB" "$bad.fxb"
    # A record cannot hold the path: preset-scan fails the file, in a valid record, naming it escaped.
    hrun preset-scan "$bad.fxb"
    assert_failure 1
    assert_records
    assert_equal "$(jq -r .error.message <<<"$output")" \
        "$T/caf\\xE9.fxb: the path is not valid UTF-8, so no record can hold it (rename the file)"
    # File modes print what they measured; stdout is not records there.
    hrun midi-duration "$bad.mid" "$SCALE"
    assert_success
    assert_equal "${lines[0]}" "$(printf '4.0\t%s' "$bad.mid")"
    hrun serum-unwrap -o "$bad.state" "$bad.SerumPreset"
    assert_success
    [ "$(head -c 4 "$bad.state")" = "VC2!" ]
    # render-index on a line holding such a path: an error row, the page valid UTF-8.
    hrun_sh "printf '{\"status\":\"ok\",\"output_path\":\"%s\"}\n' '$bad.wav' | render-index --out '$T/page'"
    assert_failure 1
    assert_output --partial '"line":1'
    iconv -f UTF-8 -t UTF-8 "$T/page/index.html" >/dev/null
}

@test "render-one: a NUL inside plugin_path fails the record as a NUL, like every other path" {
    hrun_sh "jq -nc --arg o '$OUT/x.wav' '{output_path: \$o, plugin_path: \"/tmp/a\\u0000b.so\"}' | render-one --duration 0.02 --tail 0"
    assert_failure 1
    assert_equal "$(jq -r .error.message <<<"$output")" "field 'plugin_path' holds a NUL byte"
}
