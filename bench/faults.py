#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""faults.py IN -- COMMAND...: runs COMMAND with IN as its standard input
and its output thrown away, and prints the page faults (minor and major)
it and every process it waited for took, as one number. For the fork
floor (bench/fork_floor.cpp): a batch of N jobs less a batch of one, over
N - 1, is what a job faults in."""
import resource
import subprocess
import sys


def main():
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        sys.exit("usage: faults.py IN -- COMMAND...")
    with open(sys.argv[1], "rb") as stdin:
        subprocess.run(sys.argv[3:], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(use.ru_minflt + use.ru_majflt)


if __name__ == "__main__":
    main()
