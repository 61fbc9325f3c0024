#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders a batch on this machine so that a run cut short (a crash, ^C,
# kill -9, a reboot) resumes where it stopped: run the same command again.
#
#   resume.sh -p PLUGIN -i JOBS -o STATE [-j WORKERS] [-b BLOCK] [-- RENDER-ONE OPTIONS]
#
# JOBS holds job records with output_path (assign-paths makes them); STATE
# is a folder for this batch's bookkeeping: the job stream cut into blocks
# (blocks/), GNU parallel's joblog, and each block's result records
# (results/BLOCK.ndjson, appended to by each run of the block).
#
# Two mechanisms, one inside the other:
#
#   - each block of BLOCK jobs (default 50) is one parallel job running one
#     render-one, which loads the plugin once for the block; parallel's
#     --joblog notes how each block ended and --resume-failed, on a rerun,
#     skips the blocks that finished (exit 0) and runs the others again;
#   - within a block run again, render-one --skip-existing renders only the
#     jobs whose output file is missing. A killed run never leaves a partial
#     file at an output_path (files are written to a temporary and renamed),
#     and render-one removes the temporaries of killed runs it finds beside
#     its outputs, so "the file exists" means "the job is done".
#
# A block with a failed job (render-one exits 1: a plugin crashed or hung on
# a job, each record says why) is run again too, which renders just its
# failed jobs once more: worth it for flaky plugins, harmless otherwise.
# Past this, `parallel --pipe --round-robin ... render-one --skip-existing`
# over the whole stream, run again, resumes as well: this script adds the
# per-block record of what finished.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PATH="${VR_BIN:-$here/build/bin}:$PATH"

usage() {
    sed -n '5p' "$0" | sed 's/^#   //' >&2
    exit 2
}

plugin="" jobs="" state="" workers=$(nproc) block=50
while getopts "p:i:o:j:b:h" opt; do
    case "$opt" in
        p) plugin="$OPTARG" ;;
        i) jobs="$OPTARG" ;;
        o) state="$OPTARG" ;;
        j) workers="$OPTARG" ;;
        b) block="$OPTARG" ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
if [ -z "$plugin" ] || [ -z "$jobs" ] || [ -z "$state" ]; then usage; fi

mkdir -p "$state/results"
# Cut once: a block's name and contents must stay the same from run to run,
# since the joblog knows blocks by their sequence number.
if [ ! -d "$state/blocks" ]; then
    mkdir -p "$state/blocks.new"
    split -d -a 6 -l "$block" --additional-suffix=.ndjson "$jobs" "$state/blocks.new/b"
    mv "$state/blocks.new" "$state/blocks"
fi

# One render-one per block, its records appended to the block's results.
cmd="render-one --plugin $(printf %q "$plugin") --skip-existing"
[ $# -eq 0 ] || cmd+=$(printf ' %q' "$@")
cmd+=" < {} >> $(printf %q "$state/results")/{/}"
status=0
printf '%s\n' "$state/blocks"/*.ndjson | parallel -j"$workers" --joblog "$state/joblog" --resume-failed "$cmd" || status=1

# What the batch holds now: the last word on each job.
cat "$state"/results/*.ndjson | jq -rs '
    group_by(.output_path) | map(map(select(.status != "skipped")) | last // {status: "skipped"})
    | group_by(.status) | map("\(.[0].status // "?"): \(length)") | join(", ")' >&2
exit "$status"
