#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders a batch with xargs -P instead of GNU parallel: the files of the
# parallel pipeline, byte for byte, and its records (timings aside).
#
#   xargs.sh [-p PLUGIN] [-j WORKERS] [-b BLOCK] [-- RENDER-ONE OPTIONS] < JOBS > RESULTS
#
# The jobs on standard input are cut into blocks of BLOCK lines (default
# 50); xargs -P runs one render-one per block, WORKERS at a time (default:
# one per CPU thread), so each render-one loads the plugin once for its
# block. The blocks' records come out on standard output once every block
# is done, in the order of the jobs (parallel --line-buffer writes them as
# they come instead).
#
# Exit status: render-one's, the worst of its blocks: 0 every job ok or
# skipped, 1 some failed (each record says why), 2 a usage error, 3 and up
# a block that could not finish (its records may be missing).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PATH="${VR_BIN:-$here/build/bin}:$PATH"

usage() {
    sed -n '6p' "$0" | sed 's/^#   //' >&2
    exit 2
}

plugin="" workers=$(nproc) block=50
while getopts "p:j:b:h" opt; do
    case "$opt" in
        p) plugin="$OPTARG" ;;
        j) workers="$OPTARG" ;;
        b) block="$OPTARG" ;;
        *) usage ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[[ $block =~ ^[1-9][0-9]*$ && $workers =~ ^[1-9][0-9]*$ ]] || usage

cmd=(render-one)
[ -z "$plugin" ] || cmd+=(--plugin "$plugin")
cmd+=("$@")

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# Blocks b000000.ndjson, b000001.ndjson ...: their names sort in job order.
split -l "$block" -d -a 6 --additional-suffix=.ndjson - "$dir/b"
shopt -s nullglob
blocks=("$dir"/b*.ndjson)

# One block, the last argument: the command before it reads the block, its
# records go to BLOCK.out and its exit status to BLOCK.status (xargs itself
# would say only that some command failed).
# shellcheck disable=SC2317 # run by xargs, through bash -c
render_block() {
    local block=${!#} status=0
    "${@:1:$#-1}" <"$block" >"$block.out" || status=$?
    echo "$status" >"$block.status"
}
export -f render_block
# shellcheck disable=SC2016 # "$@" is the inner bash's
[ "${#blocks[@]}" -eq 0 ] || printf '%s\0' "${blocks[@]}" \
    | xargs -0 -n 1 -P "$workers" bash -c 'render_block "$@"' bash "${cmd[@]}"

# The records in job order; the exit status of the worst block.
worst=0
for b in "${blocks[@]}"; do
    cat "$b.out"
    status=$(cat "$b.status")
    [ "$status" -le "$worst" ] || worst=$status
    [ "$status" -le 1 ] || echo "xargs.sh: render-one exited $status on block ${b##*/}: its records may be missing" >&2
done
exit "$worst"
