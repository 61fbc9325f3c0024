# SPDX-License-Identifier: GPL-3.0-or-later
# Run once around a whole bats run (bats finds this file beside the first
# test file it is given).
#
# bats reads the results of its tests through a pipe, and ends when every
# process holding that pipe has closed it. A test's processes inherit it
# (as descriptor 3), so one that outlives its test keeps the whole run
# from ending: a wineserver started by hand, or the wine programs of a
# prefix's session, which keep the descriptors of the first wine program
# of their server (a CI run once hung so after its last test, until its
# time ran out). Tests close descriptor 3 where they start such a process
# (`3>&-`); this is the net under them: what still holds the pipe once
# the last test has ended is named, killed, and fails the run, which then
# ends instead of hanging.

setup_suite() {
    :
}

# The process ids of $1 and its ancestors, a line each.
suite_ancestry() {
    local pid=$1 stat
    while [ "$pid" -gt 1 ]; do
        echo "$pid"
        stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 0
        stat=${stat##*) }
        read -r _ pid _ <<<"$stat"
    done
}

teardown_suite() {
    local pipe pattern path pid flags holders=() own
    pipe=$(readlink "/proc/$$/fd/3") || return 0
    pattern=${pipe//\[/\\[}
    pattern=${pattern//\]/\\]}
    # This shell and its ancestors (bats itself) hold it by right, as do
    # this function's own children.
    own=" $(suite_ancestry "$$" | tr '\n' ' ') "
    while IFS= read -r path; do
        pid=${path#/proc/}
        pid=${pid%%/*}
        if [[ $own == *" $pid "* || " $(suite_ancestry "$pid" | tr '\n' ' ') " == *" $$ "* ]]; then
            continue
        fi
        # Only a writer keeps the end of the output from bats: the reader
        # (bats's formatter) holds the same pipe.
        flags=$(sed -n 's/^flags:[[:blank:]]*//p' "${path/\/fd\//\/fdinfo\/}" 2>/dev/null) || continue
        if (((8#${flags:-0} & 3) != 0)) && [[ " ${holders[*]} " != *" $pid "* ]]; then
            holders+=("$pid")
        fi
    done < <(find /proc/[0-9]*/fd -maxdepth 1 -lname "$pattern" 2>/dev/null)
    if [ "${#holders[@]}" -eq 0 ]; then return 0; fi
    echo "processes outlived their tests, holding bats's output (descriptor 3); killed:"
    for pid in "${holders[@]}"; do
        echo "  $pid $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
    done
    kill -KILL "${holders[@]}" 2>/dev/null
    return 1
}
