#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-3.0-or-later
# build-aux/check-bats-asserts, the lint that finds bats assertions which can
# never fail: it flags each bad snippet at its line and passes the good ones.
# And tests/setup_suite.bash, the net under every bats run: a process that
# outlives its test holding bats's output fails the run, named, instead of
# hanging it.
load helper
bats_require_minimum_version 1.5.0

CHECK="$TESTS_DIR/../build-aux/check-bats-asserts"

# Writes standard input to $BATS_TEST_TMPDIR/$1.bats and prints its path.
# The snippets spell @test as @TEST: bats would take a line that starts with
# @test for a test of this file, even inside a here-document.
snippet() {
    local f="$BATS_TEST_TMPDIR/$1.bats"
    sed 's/^\([[:blank:]]*\)@TEST /\1@test /' >"$f"
    printf '%s\n' "$f"
}

# Saves standard input as the snippet $1, as snippet does, sets $f to its
# path and runs the check on it.
check_snippet() {
    f=$(snippet "$1")
    run "$CHECK" "$f"
}

# Asserts that the check failed with exactly these findings in $f, in order,
# each given as its line and the start of its message ("4: reason").
assert_findings() {
    assert_failure 1
    assert_equal "${#lines[@]}" "$#"
    local i=0 finding
    for finding in "$@"; do
        assert_line --index "$i" --partial "$f:$finding"
        i=$((i + 1))
    done
}

LEFT="the left side of '&&' never fails a bats test"
NEGATION="a '!' pipeline never fails a bats test"
NOOP="a test followed by '|| true'"

@test "a chain of tests that is not the test's last command is flagged at its line" {
    check_snippet chain <<'EOF'
#!/usr/bin/env bats
@TEST "chain" {
    out=x
    [ -f "$out" ] && [ -s "$out" ]
    echo done
}
EOF
    assert_findings "4: $LEFT"
    assert_output "$f:4: $LEFT: write separate commands, or end the list with '|| fail \"...\"'"
}

@test "[[ ]], test and (( )) on the left of && are flagged; an && inside [[ ]] is not" {
    check_snippet kinds <<'EOF'
@TEST "kinds" {
    [[ -d /tmp ]] && echo yes
    test -d /tmp && test -r /tmp
    (( 1 > 0 )) && [ -d /tmp ]
    [[ -d /tmp && -r /tmp ]]
    true
}
EOF
    assert_findings "2: $LEFT" "3: $LEFT" "4: $LEFT"
}

@test "a '!' pipeline that is not the last command is flagged, alone or in a chain" {
    check_snippet negation <<'EOF'
@TEST "negation" {
    ! grep -q error log.txt
    ! cmp -s a b && echo differ
    echo next
    true && ! grep -q x y
    true
}
EOF
    assert_findings "2: $NEGATION" "3: $LEFT" "5: $NEGATION"
    assert_line --index 0 "$f:2: $NEGATION: write 'run ! cmd' or 'cmd && fail \"...\"'"
}

@test "a test whose fallback is '|| true' or '|| :' is flagged, even as the last command" {
    check_snippet noop <<'EOF'
@TEST "noop" {
    [ -f a ] || true
    [ -f a ] && [ -f b ] || :
    render-one --help || true
    [ -f a ] || true
}
EOF
    assert_findings "2: $NOOP" "3: $NOOP" "5: $NOOP"
    assert_line --index 0 "$f:2: $NOOP never fails: drop the fallback, or write 'if'"
}

@test "a chain continued over lines with backslashes is flagged at its first line" {
    check_snippet continued <<'EOF'
@TEST "continued" {
    [ -f a ] && \
        [ -f b ] && \
        [ -f c ]
    echo after
}
EOF
    assert_findings "2: $LEFT"
}

@test "inside a loop, an if branch that is not last, or a helper function, a chain is flagged" {
    check_snippet nested <<'EOF'
helper() {
    [ -e "$1" ] && [ -s "$1" ]
    echo checked
}
@TEST "nested" {
    for f in a b; do
        [ -e "$f" ] && [ -s "$f" ]
    done
    if true; then
        ! grep -q x y
    fi
    echo end
}
@TEST "a loop as the last command" {
    for f in a b; do [ -e "$f" ] && [ -s "$f" ]; done
}
EOF
    assert_findings "2: $LEFT" "7: $LEFT" "10: $NEGATION" "15: $LEFT"
}

@test "line numbers count here-documents and multi-line strings" {
    check_snippet lines <<'EOF'
@TEST "lines" {
    cat >x <<'PY'
print("a")
print("b")
PY
    run bash -c "echo one
        echo two"
    [ -f x ] && [ -s x ]
    true
}
EOF
    assert_findings "8: $LEFT"
}

@test "assertions that can fail pass: || fallbacks, run !, && fail, last commands, conditions" {
    check_snippet good <<'EOF'
#!/usr/bin/env bats
helper() {
    [ -e "$1" ] || return 1
    [ -e "$1" ] && [ -s "$1" ]
}
@TEST "fallbacks" {
    [ -f a ] && [ -f b ] || fail "a or b is missing"
    [ -f a ] && \
        [ -f b ] || \
        fail "a or b is missing"
    ! grep -q x y || fail "x found"
    { [ -f a ] && [ -f b ]; } || fail "group"
    run ! grep -q x y
    grep -q x y && fail "x found"
    helper a
    if ! grep -q x y; then echo absent; fi
    while [ -f a ] && [ -f b ]; do break; done
    if [ -f a ] && [ -f b ]; then echo both; elif ! true; then echo no; fi
    [[ -f a && -f b ]]
    [[ -f a || -f b ]]
    run bash -c '[ -f a ] && [ -f b ]; ! grep x y'
    printf '%s\n' '! grep' "[ a ] && [ b ]"
    cat <<'SH'
! grep -q x y
[ -f a ] && [ -f b ]
SH
    # [ a ] && [ b ] in a comment
    arr=(one two)
    echo "${arr[@]}" $((1 + 2)) "$( [ -f a ] && echo yes )" 2>&1 &>/dev/null
    [ -f a ] && [ -f b ]
}
@TEST "the last command may be a negation" {
    ! grep -q x y
}
@TEST "the last command of an if branch that ends the test gives its status" {
    if true; then
        [ -f a ] && [ -f b ]
    else
        ! grep -q x y
    fi
}
@TEST "one line" { [ -f a ] && [ -f b ]; }
EOF
    assert_success
    assert_output ""
}

@test "a file it cannot parse, or that it cannot read, is an error (exit 2), not a pass" {
    local f
    f=$(snippet broken <<'EOF'
@TEST "unterminated" {
    echo "no end
}
EOF
)
    run --separate-stderr "$CHECK" "$f"
    assert_failure 2
    # shellcheck disable=SC2154 # $stderr is set by run --separate-stderr
    assert_equal "$stderr" "check-bats-asserts: $f:2: cannot parse: unterminated \""
    run --separate-stderr "$CHECK" "$BATS_TEST_TMPDIR/missing.bats"
    assert_failure 2
    [[ "$stderr" == "check-bats-asserts: $BATS_TEST_TMPDIR/missing.bats: cannot read: "* ]] || fail "stderr: $stderr"
    run "$CHECK"
    assert_failure 2
}

@test "findings in one file do not hide those in the next; every file is read" {
    local bad good
    bad=$(snippet bad <<'EOF'
@TEST "bad" {
    ! true
    true
}
EOF
)
    good=$(snippet good <<'EOF'
@TEST "good" {
    true
}
EOF
)
    run "$CHECK" "$bad" "$good" "$bad"
    assert_failure 1
    assert_equal "${#lines[@]}" 2
    assert_line --index 0 --partial "$bad:2:"
    assert_line --index 1 --partial "$bad:2:"
}

@test "setup_suite.bash: a process left holding bats's output fails the run, named and killed; one that closed it does not" {
    local dir="$BATS_TEST_TMPDIR/suite" token
    token="vr-left-$$-$RANDOM"
    mkdir "$dir"
    cp "$TESTS_DIR/setup_suite.bash" "$dir/"
    # The leftover: a sleep, named by an argument of its own, started as a
    # test's background process is (descriptor 3 open).
    printf '%s\n' '@test "leaves a process behind" {' \
        "    bash -c 'exec -a $token sleep 600' &" '}' >"$dir/leaves.bats"
    # The run ends (its bound only a backstop against the hang this tests).
    run timeout 120 bats "$dir/leaves.bats" 3>&-
    assert_failure 1
    assert_line "ok 1 leaves a process behind"
    assert_line "not ok 2 teardown_suite"
    assert_line --regexp "^#   [0-9]+ $token 600"
    run pgrep -f "^$token"
    assert_failure 1
    # Closed, it is none of the run's business.
    printf '%s\n' '@test "leaves a process behind" {' \
        "    bash -c 'exec -a $token sleep 600' 3>&- &" '}' >"$dir/leaves.bats"
    run timeout 120 bats "$dir/leaves.bats" 3>&-
    assert_success
    assert_equal "${#lines[@]}" 2
    pkill -f "^$token" || fail "the sleep that closed descriptor 3 was not running"
}
