#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Where pinned Windows one-offs spend CPU that real ones do not, from one
perf record of many pairs (bench/pinning_profile).

--times: a line a one-off, "SIDE START END" (pinned or real, realtime ns),
the pairs in order; --samples: `perf script -F comm,pid,time,ip,sym,dso
--ns` of the whole run. Each sample (the idle task's left out) goes to the
one-off whose start and end enclose its time, and to a part:

  worker: <symbol>   the Windows worker's own code (vr-win-worker.exe's
                     symbol table; explorer.exe lies at the same base, so
                     only the worker's process counts)
  plugin             the plugin's module (stripped: one part)
  msvcrt: <export>   wine's msvcrt.dll, by its symbols
  ntdll: <symbol>    wine's ntdll.dll (its PE half), by its symbols
  <file>             anything else, by file (ntdll.so, the kernel,
                     wineserver64, ...)

Prints, for each total and for the parts that differ most, the mean
difference a pair (pinned less real, in us: a sample is 100 us at 10 kHz)
and its 95% margin; --json writes them all. One total is a service rather
than a place: the allocator, the plugin arena's code on the pinned side
and wine's heap (ntdll.dll's) and msvcrt's allocator on both (what the
arena takes off them is the real side's); the worker's own code counts the
arena alone.
"""
import argparse
import bisect
import collections
import json
import math
import re
import subprocess

WINE_DLLS = "/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/"
MSVCRT = WINE_DLLS + "msvcrt.dll"
NTDLL = WINE_DLLS + "ntdll.dll"
SAMPLE_US = 100.0  # perf record -F 10000
# The allocator's code, by symbol: the Windows worker's arena and the heap
# imports and C runtime functions it puts in a plugin's slots
# (windows/pinned_heap.cpp, pinned_crt.cpp, plugin_arena.cpp,
# core/size_classes.cpp); wine 8's heap (ntdll.dll's heap.c); msvcrt's
# allocator.
ALLOCATOR = {
    "worker: ": re.compile(r"size_class_arena::|plugin_arena|pinned_(GetProcess)?Heap|pinned::\(anonymous namespace\)::"
                           r"(crt_|moved<)|heap_table|real_of|id_of|owner_of"),
    "ntdll: ": re.compile(r"^(Rtl\w*Heap|allocate_region|find_subheap|validate_large_block|block_init_free|"
                          r"create_subheap|insert_free_block|split_block|heap_|validate_used_block|"
                          r"unsafe_heap_from_handle|unsafe_block_from_ptr)"),
    "msvcrt: ": re.compile(r"^(malloc|free|calloc|realloc|_msize|_aligned_\w+|msvcrt_heap_\w+)$"),
}


def allocator(part):
    for prefix, names in ALLOCATOR.items():
        if part.startswith(prefix):
            return bool(names.search(part[len(prefix):]))
    return False


LINE = re.compile(r"^\s*(.*?)\s+(\d+)\s+(\d+)\.(\d+):\s+([0-9a-f]+)\s+(.*)\s+\((.*)\)\s*$")


def image(path):
    """(base, end, sorted [(address, symbol)]) of a PE file, from its headers
    and symbol table (no symbols: an empty table)."""
    head = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", path], capture_output=True, text=True).stdout
    base = int(re.search(r"^ImageBase\s+([0-9a-fA-F]+)", head, re.M).group(1), 16)
    size = int(re.search(r"^SizeOfImage\s+([0-9a-fA-F]+)", head, re.M).group(1), 16)
    names = subprocess.run(["x86_64-w64-mingw32-nm", "-C", "-n", "--defined-only", path],
                           capture_output=True, text=True).stdout
    table = []
    for line in names.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tT":
            table.append((int(parts[0], 16), parts[2]))
    return base, base + size, table


def symbol_at(table, keys, ip):
    i = bisect.bisect_right(keys, ip) - 1
    return table[i][1] if i >= 0 else "?"


# Student's t at 97.5 % for n - 1 degrees of freedom (n runs, 2 to 10);
# 1.96 beyond.
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26}


def mean_margin(diffs):
    """The mean of diffs and its 95% margin (t for a few, 1.96 for many)."""
    n = len(diffs)
    mean = sum(diffs) / n
    sd = math.sqrt(sum((d - mean) ** 2 for d in diffs) / (n - 1)) if n > 1 else 0.0
    return mean, T975.get(n - 1, 1.96) * sd / math.sqrt(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--times", required=True)
    ap.add_argument("--samples", required=True)
    ap.add_argument("--worker", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--json")
    ap.add_argument("--top", type=int, default=20)
    args = ap.parse_args()

    exe_base, exe_end, exe_table = image(args.worker)
    plugin_base, plugin_end, _ = image(args.plugin)
    _, _, crt_table = image(MSVCRT)
    _, _, nt_table = image(NTDLL)
    exe_keys = [a for a, _ in exe_table]
    crt_keys = [a for a, _ in crt_table]
    nt_keys = [a for a, _ in nt_table]

    runs = []
    with open(args.times) as f:
        for line in f:
            side, start, end = line.split()
            runs.append((int(start), int(end), side))
    starts = [r[0] for r in runs]
    counts = [collections.Counter() for _ in runs]
    with open(args.samples) as f:
        for line in f:
            m = LINE.match(line)
            if not m:
                continue
            comm, pid, sec, ns, ip, _sym, dso = m.groups()
            if pid == "0":
                continue
            t = int(sec) * 1_000_000_000 + int(ns)
            k = bisect.bisect_right(starts, t) - 1
            if k < 0 or t > runs[k][1]:
                continue
            address = int(ip, 16)
            worker = comm.startswith("vr-win-worker")
            if worker and exe_base <= address < exe_end:
                part = "worker: " + symbol_at(exe_table, exe_keys, address)
            elif worker and plugin_base <= address < plugin_end:
                part = "plugin"
            elif dso.endswith("/msvcrt.dll"):
                part = "msvcrt: " + symbol_at(crt_table, crt_keys, address)
            elif dso.endswith("/ntdll.dll"):
                part = "ntdll: " + symbol_at(nt_table, nt_keys, address)
            else:
                part = dso.rsplit("/", 1)[-1]
            counts[k][part] += 1

    pairs = []
    for i in range(0, len(runs) - 1, 2):
        a, b = runs[i][2], runs[i + 1][2]
        if {a, b} != {"pinned", "real"}:
            raise SystemExit(f"own_code.py: one-offs {i} and {i + 1} are not a pair ({a}, {b})")
        pairs.append((i, i + 1) if a == "pinned" else (i + 1, i))
    if len(pairs) < 2:
        raise SystemExit("own_code.py: fewer than two pairs")

    def diff(select):
        return mean_margin([(sum(v for p, v in counts[x].items() if select(p)) -
                             sum(v for p, v in counts[y].items() if select(p))) * SAMPLE_US for x, y in pairs])

    totals = {
        "everything": lambda p: True,
        "the worker's own code": lambda p: p.startswith("worker: "),
        "the plugin": lambda p: p == "plugin",
        "msvcrt": lambda p: p.startswith("msvcrt: "),
        "ntdll (PE and Unix)": lambda p: p.startswith("ntdll"),
        "the allocator, both sides": allocator,
        "the kernel": lambda p: p == "[kernel.kallsyms]",
    }
    out = {"pairs": len(pairs), "sample_us": SAMPLE_US, "totals": {}, "parts": []}
    print(f"pinned less real, a Windows one-off, CPU by part (mean of {len(pairs)} pairs and its 95% margin):")
    for name, select in totals.items():
        mean, margin = diff(select)
        out["totals"][name] = {"us": round(mean, 1), "margin_us": round(margin, 1)}
        print(f"  {name:24s} {mean:+9.1f} +- {margin:7.1f} us")
    parts = set().union(*counts)
    rows = []
    for part in parts:
        if part.startswith(("worker: ", "msvcrt: ", "ntdll: ")):
            mean, margin = diff(lambda p, part=part: p == part)
            rows.append((mean, margin, part))
    # Those that differ most beyond their margin first.
    rows.sort(key=lambda r: -abs(r[0]) / max(r[1], SAMPLE_US / len(pairs)))
    print(f"the worker's own code, msvcrt and ntdll.dll, the {args.top} parts that differ most for their margin:")
    for mean, margin, part in rows[:args.top]:
        print(f"  {mean:+8.1f} +- {margin:6.1f} us  {part[:110]}")
    out["parts"] = [{"part": p, "us": round(m, 1), "margin_us": round(e, 1)} for m, e, p in rows]
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
