#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""calls.py FILE: reads the summary `strace -f -c -o FILE` wrote and prints
it as one JSON object: {"syscalls": the calls of every process traced,
"by_call": {name: calls}}. A count of system calls moves far less from run
to run than a time does (three Windows one-offs of one side under wine made
the same 17,835), so what a change adds in wine or the kernel shows there
first (bench/pinning: the Windows arena's commits)."""
import json
import sys


def read(path):
    by_call = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            fields = line.split()
            # % time, seconds, usecs/call, calls, [errors,] syscall
            if len(fields) < 5 or not fields[3].isdigit() or fields[-1] == "total":
                continue
            by_call[fields[-1]] = by_call.get(fields[-1], 0) + int(fields[3])
    return {"syscalls": sum(by_call.values()), "by_call": by_call}


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: calls.py FILE")
    print(json.dumps(read(sys.argv[1]), sort_keys=True))


if __name__ == "__main__":
    main()
