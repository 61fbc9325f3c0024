#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# render-index on a batch really rendered by render-one (Nekobi), checked as
# HTML and in a headless Chromium.
load helper
bats_require_minimum_version 1.5.0

NEKOBI=/usr/lib/vst/Nekobi-vst.so
HOSTILE='<script>alert(1)</script> & "quotes" '"'"'single'"'"

# One batch for the whole file: five Nekobi renders (notes and velocities
# chosen so that peak order differs from input order; the second selects the
# plugin's program 0), one with a hostile preset name, and one job that fails
# (its plugin does not exist).
setup_file() {
    local dir="$BATS_FILE_TMPDIR/batch"
    mkdir -p "$dir/audio"
    {
        local n v i=0
        for nv in 48:40 60:127 36:90 72:20 55:100; do
            n=${nv%:*} v=${nv#*:} i=$((i + 1))
            jq -nc --arg p "$NEKOBI" --arg o "$dir/audio/r$i.wav" --argjson n "$n" --argjson v "$v" \
                --arg name "preset $i" \
                '{plugin_path:$p, preset_name:$name, output_path:$o, note:$n, velocity:$v,
                  duration_s:0.4, tail_s:0.2, set_params:{"0":0.5}}' |
                jq -c 'if .preset_name == "preset 2" then .program_index = 0 else . end'
        done
        # A file name a URL must encode: space, quote, #, ?, %, non-ASCII.
        jq -nc --arg o "$dir/audio/hostile \"#?% é.wav" --arg p "$NEKOBI" --arg name "$HOSTILE" \
            '{plugin_path:$p, preset_name:$name, output_path:$o, note:64, velocity:80, duration_s:0.3}'
        jq -nc --arg o "$dir/audio/missing.wav" \
            '{plugin_path:"/nonexistent/plugin.so", preset_name:"no plugin", output_path:$o, note:60, duration_s:0.3}'
    } >"$dir/jobs.ndjson"
    # render-one does not load presets yet: the preset paths a scan would have
    # given are added to the results afterwards.
    render-one <"$dir/jobs.ndjson" 2>"$dir/render.err" |
        jq -c 'if (.preset_name | startswith("preset ")) then
                   .preset_path = "/presets/bank/p\(.preset_name[7:]).fxp" else . end' >"$dir/results.ndjson" || true
    export BATCH="$dir"
}

@test "render-index --help prints usage on stdout and exits 0" {
    run render-index --help
    assert_success
    assert_output --partial "--out"
    assert_output --partial "--page-size"
}

@test "render-index rejects a bad flag, a missing --out, operands and bad values with exit 2" {
    assert_usage_error render-index --no-such-flag
    assert_usage_error render-index </dev/null
    assert_output --partial "--out"
    assert_usage_error render-index --out "$BATS_TEST_TMPDIR/p" results.ndjson
    assert_usage_error render-index --out "$BATS_TEST_TMPDIR/p" --page-size 0
    assert_usage_error render-index --out "$BATS_TEST_TMPDIR/p" --width 5
    [ ! -e "$BATS_TEST_TMPDIR/p" ]
}

@test "render-index follows the record contract" {
    check_record_tool_contract "render-index --out $BATS_TEST_TMPDIR/page"
    # Even the unreadable lines and errored records are rows of the page.
    [ "$(grep -c '<tr class="row"' "$BATS_TEST_TMPDIR/page/index.html")" -eq 1 ]
    # A line that is not UTF-8 is a row too, and the page stays valid UTF-8.
    sh_run "printf '{\"a\":\"\\xff\xfe\"}\n{\"status\":\"skipped\"}\n' | render-index --out $BATS_TEST_TMPDIR/page"
    assert_failure 1
    assert_line --index 0 --partial '"line":1'
    assert_line --index 1 '{"status":"skipped"}'
    [ "$(grep -c '<tr class="row"' "$BATS_TEST_TMPDIR/page/index.html")" -eq 2 ]
    iconv -f UTF-8 -t UTF-8 "$BATS_TEST_TMPDIR/page/index.html" >/dev/null
}

@test "render-index exits 0 when the reader closes the pipe, and still writes the page" {
    sh_run "for i in \$(seq 3000); do echo '{\"status\":\"skipped\",\"i\":'\$i'}'; done |
            render-index --out $BATS_TEST_TMPDIR/page | head -1"
    assert_success
    assert_output '{"status":"skipped","i":1}'
    [ -s "$BATS_TEST_TMPDIR/page/index.html" ]
}

@test "the batch rendered as planned" {
    run jq -r .status "$BATCH/results.ndjson"
    assert_output "$(printf 'ok\n%.0s' 1 2 3 4 5 6)
error"
}

@test "render-index passes every record on unchanged, fields in order, and exits 1 for the failed job" {
    run render-index --out "$BATS_TEST_TMPDIR/page" <"$BATCH/results.ndjson"
    assert_failure 1
    assert_equal "$output" "$(cat "$BATCH/results.ndjson")"
    sh_run "echo '{\"zz\":1,\"status\":\"skipped\",\"aa\":[2]}' | render-index --out $BATS_TEST_TMPDIR/p2"
    assert_success
    assert_output '{"zz":1,"status":"skipped","aa":[2]}'
}

@test "the page has one row per record, players only for rendered audio, and escapes hostile names" {
    local page="$BATS_TEST_TMPDIR/page"
    render-index --out "$page" --title 'Batch <1>' <"$BATCH/results.ndjson" >/dev/null || true
    local html="$page/index.html"
    [ "$(grep -c '<tr class="row"' "$html")" -eq 7 ]
    [ "$(grep -o '<audio ' "$html" | wc -l)" -eq 6 ]
    [ "$(grep -o '<img class="wave"' "$html" | wc -l)" -eq 6 ]
    [ "$(grep -o '<img class="spec"' "$html" | wc -l)" -eq 6 ]
    # The hostile name appears only escaped, never as markup.
    grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;' "$html"
    run -1 grep -qF '<script>alert' "$html"
    [ "$(grep -c '<script>' "$html")" -eq 1 ]
    grep -qF '<title>Batch &lt;1&gt;</title>' "$html"
    # The failed job: its error, no player.
    run grep -A12 'data-name="no plugin"' "$html"
    assert_output --partial 'render-one: '
    assert_output --partial '/nonexistent/plugin.so'
    refute_output --partial '<audio'
    # Measurements, parameters and no external assets.
    grep -qF 'preset 1</div><div class="path">/presets/bank/p1.fxp</div>' "$html"
    grep -qF 'set: 0=0.5' "$html"
    grep -qE 'dBFS</td>' "$html"
    grep -qF '0.60 s</td>' "$html"
    # Note, velocity, program and the output file, relative to the page: what
    # tells the rows of a note x velocity grid apart.
    local audio cells
    audio=$(realpath -m --relative-to="$page" "$BATCH/audio")
    cells='<td class="num">60</td><td class="num">127</td><td class="num">0</td>'
    cells+='<td class="file"><a href="'"$audio"'/r2.wav"><span class="dir">'"$audio"'/</span>r2.wav</a></td>'
    grep -qF "$cells" "$html"
    grep -qF '<td class="num">48</td><td class="num">40</td><td class="num"></td>' "$html"
    grep -qF 'data-note="72" data-velocity="20" data-program="" data-file="'"$audio"'/r4.wav"' "$html"
    # The failed job names its file, without a link to audio that is not there.
    grep -qF '<td class="file"><span class="dir">'"$audio"'/</span>missing.wav</td>' "$html"
    # A hostile file name is escaped in the cell and in the attributes.
    grep -qF '</span>hostile &quot;#?% é.wav</a></td>' "$html"
    grep -qF 'data-file="'"$audio"'/hostile &quot;#?% é.wav"' "$html"
    grep -qF '<a href="'"$audio"'/hostile%20%22%23%3F%25%20%C3%A9.wav">' "$html"
    run -1 grep -qiE '(src|href)="(https?:|//)' "$html"
    run -1 grep -qiE '<link|@import|url\(' "$html"
}

@test "links are relative, so the folder and the audio can move together" {
    mkdir -p "$BATS_TEST_TMPDIR/a"
    cp -r "$BATCH/audio" "$BATS_TEST_TMPDIR/a/audio"
    sed "s|$BATCH/audio|$BATS_TEST_TMPDIR/a/audio|g" "$BATCH/results.ndjson" >"$BATS_TEST_TMPDIR/a/results.ndjson"
    (cd "$BATS_TEST_TMPDIR/a" && render-index --out preview/of\ batch <results.ndjson >/dev/null) || true
    mv "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/moved"
    local dir="$BATS_TEST_TMPDIR/moved/preview/of batch" src n=0
    while read -r src; do
        n=$((n + 1))
        [[ "$src" != /* && "$src" != *:* ]] || fail "not relative: $src"
        [ -f "$dir/$(printf '%b' "${src//%/\\x}")" ] || fail "link does not resolve after the move: $src"
    done < <(grep -oE '(src)="[^"]+"' "$dir/index.html" | sed -E 's/^src="(.*)"$/\1/')
    [ "$n" -eq 18 ]
    grep -qF 'src="../../audio/r1.wav"' "$dir/index.html"
}

@test "images are PNGs of the chosen size, different for different audio" {
    local page="$BATS_TEST_TMPDIR/page"
    render-index --out "$page" --width 320 <"$BATCH/results.ndjson" >/dev/null || true
    local png
    for png in "$page"/images/*.png; do
        [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "not a PNG: $png"
    done
    [ "$(names_in "$page/images" | wc -l)" -eq 12 ]
    # IHDR: width and height, big-endian, at bytes 16-23.
    [ "$(od -An -tu1 -j16 -N8 "$page/images/000001-wave.png" | tr -s ' ' | sed 's/^ //')" = "0 0 1 64 0 0 0 64" ]
    [ "$(od -An -tu1 -j16 -N8 "$page/images/000001-spec.png" | tr -s ' ' | sed 's/^ //')" = "0 0 1 64 0 0 0 128" ]
    run -1 cmp -s "$page/images/000001-spec.png" "$page/images/000002-spec.png"
    run -1 cmp -s "$page/images/000001-wave.png" "$page/images/000003-wave.png"
    # Another decoder (ffmpeg, every chunk's CRC checked) reads each one back
    # to width x height RGB pixels; the waveform's commonest colour is its
    # background (22, 26, 34), whatever the file's palette order.
    local bytes
    for png in "$page"/images/*.png; do
        bytes=$(ffmpeg -v error -err_detect crccheck+explode -i "$png" -f rawvideo -pix_fmt rgb24 - | wc -c)
        case $png in
            *-wave.png) [ "$bytes" -eq $((320 * 64 * 3)) ] || fail "$png decodes to $bytes bytes" ;;
            *) [ "$bytes" -eq $((320 * 128 * 3)) ] || fail "$png decodes to $bytes bytes" ;;
        esac
    done
    sh_run "ffmpeg -v error -i '$page/images/000001-wave.png' -f rawvideo -pix_fmt rgb24 - |
            od -An -v -tu1 -w3 | sort | uniq -c | sort -rn | head -1"
    assert_success
    assert_output --regexp '^ *[0-9]+ +22 +26 +34$'
}

@test "the same records give the same bytes" {
    render-index --out "$BATS_TEST_TMPDIR/one" <"$BATCH/results.ndjson" >/dev/null || true
    render-index --out "$BATS_TEST_TMPDIR/two" <"$BATCH/results.ndjson" >/dev/null || true
    diff -r "$BATS_TEST_TMPDIR/one" "$BATS_TEST_TMPDIR/two"
    assert_no_tmp_left "$BATS_TEST_TMPDIR/one"
}

@test "a record whose audio is missing or unreadable becomes a row with a clear error" {
    local page="$BATS_TEST_TMPDIR/page"
    echo 'not audio' >"$BATS_TEST_TMPDIR/junk.wav"
    sh_run "{ echo '{\"preset_name\":\"gone\",\"status\":\"ok\",\"output_path\":\"$BATS_TEST_TMPDIR/nope.wav\"}'
              echo '{\"preset_name\":\"junk\",\"status\":\"ok\",\"output_path\":\"$BATS_TEST_TMPDIR/junk.wav\"}'
              echo '{\"preset_name\":\"nopath\",\"status\":\"ok\"}'
              echo '{\"preset_name\":\"typed\",\"peak_dbfs\":\"loud\",\"output_path\":\"$BATCH/audio/r1.wav\"}'
              head -1 $BATCH/results.ndjson; } | render-index --out $page"
    assert_failure 1
    assert_equal "${#lines[@]}" 5
    run jq -r '[.preset_name, .status, .error.tool // "-", .error.message // "-"] | join(" | ")' <<<"$output"
    assert_line --index 0 --regexp "^gone \| error \| render-index \| cannot preview the audio: .*nope.wav"
    assert_line --index 1 --regexp "^junk \| error \| render-index \| cannot preview the audio: .*junk.wav"
    assert_line --index 2 --regexp "^nopath \| error \| render-index \| no output_path"
    assert_line --index 3 --regexp "^typed \| error \| render-index \| .*peak_dbfs"
    assert_line --index 4 "preset 1 | ok | - | -"
    [ "$(grep -c '<tr class="row"' "$page/index.html")" -eq 5 ]
    [ "$(grep -o '<audio ' "$page/index.html" | wc -l)" -eq 1 ]
    grep -qF 'render-index: cannot preview the audio' "$page/index.html"
}

@test "an output folder that cannot be made is fatal" {
    touch "$BATS_TEST_TMPDIR/file"
    run render-index --out "$BATS_TEST_TMPDIR/file/sub" </dev/null
    assert_failure 3
}

@test "in headless Chromium at 1280 px: every player loads, filters, search and sort work, nothing scrolls sideways" {
    command -v node >/dev/null || fail "node is missing (make deps)"
    browser_ready
    # The page beside the batch: its file cells are paths relative to the
    # page, and from a test's own folder they would climb through bats'
    # numbered ones (file/272/...), which the search for note 72 matches.
    local page="$BATS_FILE_TMPDIR/chromium-page" shot="$BATS_TEST_TMPDIR/page.png"
    local records="$BATS_TEST_TMPDIR/records.ndjson"
    # Flags as render-one would set them for a silent and a clipping render.
    jq -c 'if .preset_name == "preset 3" then .silent = true elif .preset_name == "preset 4"
           then .clipped_samples = 12 else . end' "$BATCH/results.ndjson" >"$records"
    render-index --out "$page" <"$records" >/dev/null || true
    # Typing note 72 shows the fourth render only, typing r2.wav the second.
    run node "$TESTS_DIR/browser/check-preview.js" "$page/index.html" "$shot" 7 6 "$records" 72 r2.wav
    assert_success
    local summary="$output" by_peak
    run jq -c '[.rows, .players, .errors_shown, (.durations | map(. > 0.3) | all),
                .search_shown, .order_default, .order_by_peak != .order_default, .screenshot.colours > 10,
                .silent_shown, .clipped_shown]' <<<"$summary"
    assert_output '[7,6,1,true,1,[1,2,3,4,5,6,7],true,true,[3],[4]]'
    # The new columns, as the browser shows them, and the two searches.
    run jq -c '[.cells.note, .cells.velocity]' <<<"$summary"
    assert_output '[["48","60","36","72","55","64","60"],["40","127","90","20","100","80","100"]]'
    run jq -c .cells.program <<<"$summary"
    assert_output '["","0","","","","",""]'
    run jq -c '.cells.file | map(split("/") | last)' <<<"$summary"
    assert_output '["r1.wav","r2.wav","r3.wav","r4.wav","r5.wav","hostile \"#?% é.wav","missing.wav"]'
    run jq -c '.cells.file | map(startswith("../batch/audio/")) | all' <<<"$summary"
    assert_output true
    run jq -c '[.search_note, .search_file]' <<<"$summary"
    assert_output '[[4],[2]]'
    # The page and its full-page screenshot are the window's width: no
    # horizontal scrollbar at 1280 px.
    run jq -c '[.page_width <= 1280, .screenshot.width]' <<<"$summary"
    assert_output '[true,1280]'
    # The page's order by peak is the records' (the failed job, with no peak, last).
    by_peak=$(jq -sc 'to_entries | sort_by(.value.peak_dbfs == null, .value.peak_dbfs) | map(.key + 1)' \
        "$BATCH/results.ndjson")
    run jq -c .order_by_peak <<<"$summary"
    assert_output "$by_peak"
    [ "$(head -c 8 "$shot" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
    [ "$(stat -c %s "$shot")" -gt 20000 ]
}

@test "in headless Chromium: a page of 3 rows at a time pages through all 7" {
    browser_ready
    # Beside the batch, as above: from the test's own folder the file cells
    # would climb through bats' numbered folders, which the search for note
    # 36 matched (file/362/...) once editor.bats had two more tests.
    local page="$BATS_FILE_TMPDIR/chromium-pages"
    render-index --out "$page" --page-size 3 <"$BATCH/results.ndjson" >/dev/null || true
    run node "$TESTS_DIR/browser/check-preview.js" "$page/index.html" "$BATS_TEST_TMPDIR/shot.png" 7 6 \
        "$BATCH/results.ndjson" 36 hostile
    assert_success
    local summary=$output
    run jq -c '[.rows, .visible, .pages, .players, .search_note, .search_file]' <<<"$summary"
    assert_output '[7,3,3,6,[3],[6]]'
    run jq -c '.cells.file | map(startswith("../batch/audio/")) | all' <<<"$summary"
    assert_output true
}
