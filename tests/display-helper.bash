# SPDX-License-Identifier: GPL-3.0-or-later
# shellcheck shell=bash
# What the display suites (linux-display.bats, windows-display.bats) share,
# loaded after helper.bash.

# Fails unless Xvfb :$1 (pid $2), started by a run that has ended, is gone
# with its socket (or another run's Xvfb, which may take the number as
# soon as it is free, listens there).
assert_xvfb_gone() {
    [[ ! -e "/proc/$2" ]] || fail "Xvfb (pid $2) outlived its run: $(tr '\0' ' ' <"/proc/$2/cmdline")"
    if [[ -e "/tmp/.X11-unix/X$1" ]] && ! ss -xlH | grep -qF "/tmp/.X11-unix/X$1 "; then
        fail "the socket of Xvfb :$1 outlived its run"
    fi
}

# Fills folder $1 (made here) with links to every program in /usr/bin but
# Xvfb: a PATH as /usr/bin has it without Xvfb. One ln for them all (a
# loop of one ln each took 15 s over /usr/bin's few thousand programs).
bin_without_xvfb() {
    mkdir "$1"
    find /usr/bin -mindepth 1 -maxdepth 1 ! -name Xvfb -exec ln -s -t "$1" {} +
}
