#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# Bash completion (build-aux/completion.mk): each tool's script, made from the
# option table the tool prints, completes every option its --help lists,
# completes values by their placeholder, and is installed by make install.
load helper
bats_require_minimum_version 1.5.0

REPO="$TESTS_DIR/.."
# The scripts the build made beside the tools.
: "${VR_COMPLETION:=$VR_BIN/../completion}"

# The long options TOOL's --help lists, one a line, sorted: the lines that
# start an option ("  -x, --name" or "      --name"), not the wrapped text.
help_options() {
    "$1" --help | sed -nE 's/^  (-[A-Za-z0-9], |    )(--[A-Za-z0-9][A-Za-z0-9-]*).*/\2/p' | LC_ALL=C sort
}

# Runs TOOL's completion function on the command line `TOOL WORD...`, the
# last word being the one completed ("" for a new word); prints COMPREPLY
# sorted, one a line.
completions() {
    local tool=$1
    # shellcheck disable=SC1090 # one generated script per tool
    source "$VR_COMPLETION/$tool"
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    "_vr_${tool//-/_}"
    if [ ${#COMPREPLY[@]} -gt 0 ]; then printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort; fi
}

# The options among $2... that TOOL's completion does not offer for the
# option's first five characters, one a line.
not_completed() {
    local tool=$1 opt
    shift
    for opt; do
        completions "$tool" "${opt:0:5}" | grep -qxF -- "$opt" || echo "$opt"
    done
}

@test "a tool prints its option table for --print-completion-table alone, and --help does not name it" {
    run --separate-stderr job-grid --print-completion-table
    assert_success
    assert_output "$(printf '%s\t%s\t%s\t%s\n' \
        --help -h flag - --version - flag - --notes -n value LIST --velocities -v value LIST \
        --bpms -b value LIST --seeds -s value LIST --inputs -i value LIST --inputs-from - value FILE)"
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$stderr" ""

    # With anything else on the line it is no option at all.
    assert_usage_error job-grid --print-completion-table --notes 1
    assert_output --partial "unknown option '--print-completion-table'"

    for tool in "$VR_BIN"/*; do
        run "$tool" --help
        assert_success
        refute_output --partial completion-table
        # Every long option of --help is in the table, and nothing more.
        table=$("$tool" --print-completion-table | cut -f1 | LC_ALL=C sort)
        assert_equal "$table" "$(help_options "$tool")"
    done
}

@test "every long option a tool's --help lists completes after -- and from its first letters" {
    local tool name opts tools=0
    for tool in "$VR_BIN"/*; do
        name=$(basename "$tool")
        # shellcheck disable=SC1090
        source "$VR_COMPLETION/$name"
        run complete -p "$name"
        assert_output "complete -F _vr_${name//-/_} $name"

        mapfile -t opts < <(help_options "$tool")
        run completions "$name" --
        assert_success
        assert_output "$(printf '%s\n' "${opts[@]}")"
        # Each also from its first three letters.
        run not_completed "$name" "${opts[@]}"
        assert_output ""
        # A single dash offers the short options too.
        run completions "$name" -
        assert_line -h
        assert_line --help
        tools=$((tools + 1))
    done
    [ "$tools" -ge 7 ] || fail "only $tools tools in $VR_BIN"
}

@test "an option's value completes as a file, a folder, a word or not at all, as its placeholder says" {
    cd "$BATS_TEST_TMPDIR"
    mkdir nested
    : >notes.txt
    : >neat.mid
    files=$(printf '%s\n' neat.mid nested notes.txt)

    # FILE, PATH (render-one's --plugin), PLUGIN, STATE: files and folders.
    run completions job-grid --inputs-from n
    assert_output "$files"
    run completions render-one -p n
    assert_output "$files"
    run completions render-one --then n
    assert_output "$files"
    run completions serum-unwrap -o n
    assert_output "$files"
    # DIR: folders only, also as --out=VALUE (bash splits the word at "=").
    run completions assign-paths --out ""
    assert_output nested
    run completions assign-paths --out = n
    assert_output nested
    run completions assign-paths --out =
    assert_output nested
    # A placeholder made of words offers them.
    run completions assign-paths --layout ""
    assert_output "$(printf '%s\n' flat tree)"
    run completions assign-paths --layout = t
    assert_output tree
    # A number or a list: nothing to offer, not the files here.
    run completions job-grid --notes ""
    assert_output ""
    run completions job-grid --bpms ""
    assert_output ""
    run completions render-one --silence-db -
    assert_output ""
    # Operands and redirections: files.
    run completions midi-duration ne
    assert_output "$(printf '%s\n' neat.mid nested)"
    run completions render-one "<" no
    assert_output notes.txt
}

@test "the generated scripts pass shellcheck" {
    run shellcheck -s bash "$VR_COMPLETION"/*
    assert_success
    assert_output ""
}

@test "make install puts one script per tool in bash-completion's folder, and uninstall removes them" {
    dest="$BATS_TEST_TMPDIR/dest"
    compdir="$dest/usr/share/bash-completion/completions"
    # The tools as they are: no rebuild from sources changed since (-o).
    local bin keep=()
    bin=$(realpath --relative-to="$REPO" "$VR_BIN")
    for tool in "$VR_BIN"/*; do keep+=(-o "$bin/$(basename "$tool")"); done
    # The whole install runs the completion part (shown, not run: install.bats runs it).
    run make -n -C "$REPO" "${keep[@]}" install DESTDIR="$dest" PREFIX=/usr
    assert_success
    assert_output --partial "completion/job-grid "
    assert_output --partial " $compdir/"

    run make -s -C "$REPO" "${keep[@]}" install-completion DESTDIR="$dest" PREFIX=/usr
    assert_success
    for tool in "$VR_BIN"/*; do
        name=$(basename "$tool")
        cmp "$VR_COMPLETION/$name" "$compdir/$name" || fail "$name: installed script differs from the built one"
    done
    assert_equal "$(find "$compdir" -type f | wc -l)" "$(find "$VR_BIN" -type f | wc -l)"

    run make -s -C "$REPO" uninstall-completion DESTDIR="$dest" PREFIX=/usr
    assert_success
    assert_equal "$(find "$dest" -type f | wc -l)" 0
}
