#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders a batch of jobs on several machines with GNU parallel's remote
# execution. Every host runs its own installed render-one, with the plugin
# at the same path as on every other host; the audio comes back here.
#
#   distributed.sh -H HOSTS -p PLUGIN -o OUT [-i JOBS] [options] [-- RENDER-ONE OPTIONS]
#   distributed.sh --resume -H HOSTS -o OUT
#   distributed.sh --check -H HOSTS -p PLUGIN
#
# How the work is cut, and why not `parallel --pipe --round-robin`:
#
# On one machine, `--pipe --round-robin` hands a few long-lived render-one
# workers a share of the stream each. Across machines that shape cannot
# recover from a lost host: a round-robin worker's share is whatever it
# happened to read, so nothing tells which jobs died with it, and with
# --pipe parallel does not know the names of the files a job writes, so
# --return has nothing to fetch. (--filter-hosts also fails together with
# --pipe in parallel 20221122: its own host checks get the pipe wrapper and
# never run, and parallel stops with "ncores missing".)
#
# So the job stream is cut here, once, into numbered block files of --block
# jobs each (blocks/b000000.ndjson, b000001 ...), and each block is one parallel job:
#
#   - --transferfile {} sends the block to the host, where one render-one
#     reads it: the plugin is loaded once per block, which is what
#     --round-robin buys on one machine;
#   - --wd ... gives each block its own scratch folder on the host
#     (~/.parallel/tmp/...), and output paths are relative to it
#     (renders/NAME.flac), so the block's audio is exactly the folder
#     renders/ there; --return renders and --return results/{/} bring it
#     and the block's result records back into OUT, and --cleanup removes the
#     scratch folder;
#   - the block's sequence number is its place in the list of block files,
#     which never changes, so --joblog records which blocks are done and
#     --resume-failed reruns exactly the others (a lost host's blocks), never
#     a finished one;
#   - --filter-hosts drops hosts that do not answer when a run starts.
#
# A block takes some eight ssh logins (transfer, command, returns,
# cleanup): a ControlMaster in ~/.ssh/config makes them one connection per
# host (vst-render(7), BATCHES, "Across machines"). parallel's own -M is not used: under load its masters
# start while --filter-hosts checks the hosts, and the checks time out.
#
# A block counts as done when render-one exits 0 or 1 (1: some jobs failed,
# each says why in its record; rendering it again would fail the same way).
# Anything else (ssh's 255 for a lost connection, a crash) fails the block.
# parallel takes the exit status of the command, not of the transfers after
# it, so a host lost between the end of a block and its return would leave a
# block "done" without its files: after each run this script checks every
# finished block's records and audio arrived, and marks a block that lacks
# them as failed in the joblog so that --resume picks it up.
#
# With --shared, OUT is on storage every host mounts at the same path: hosts
# write straight into it (--wd OUT) and nothing is transferred.
#
# Needs here: GNU parallel, rsync, jq and vst-render (assign-paths).
# Needs on each host: vst-render (render-one): the package `make deb`
# writes (apt-get install ./vst-render_VERSION_amd64.deb brings what it
# links), or `make install` from a source tree; the plugin at the same path,
# rsync and perl (parallel's remote side), and a login by key
# (see vst-render(7), BATCHES, "Across machines"; --check tests a host).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
PATH="${VR_BIN:-$here/build/bin}:$PATH"

usage() {
    cat <<'USAGE'
Usage: distributed.sh -H HOSTS -p PLUGIN -o OUT [-i JOBS] [options] [-- RENDER-ONE OPTIONS]
       distributed.sh --resume -H HOSTS -o OUT [options]
       distributed.sh --check -H HOSTS -p PLUGIN [options]
Render job records on the hosts of an sshlogin file; the audio lands in
OUT/renders, the result records in OUT/results.ndjson.

  -H, --hosts FILE   GNU parallel sshlogin file (--slf): one host a line, e.g.
                     "8/render1.example.org"
  -p, --plugin PATH  the plugin, at this same path on every host
  -o, --out DIR      output folder on this machine
  -i, --input FILE   job records, one JSON object a line (default: stdin); each
                     job gets an output_path below OUT/renders (assign-paths)
  -b, --block N      jobs per block, the unit sent to a host (default: 16)
  -e, --ext EXT      audio file extension: wav flac ogg aiff npy (default: flac)
  -j, --slots N      jobs at once on each host (parallel -j; default: 100%,
                     one per CPU thread)
      --ssh CMD      the ssh command parallel uses (parallel --ssh)
      --shared       OUT is on storage every host mounts at the same path: write
                     there directly, transfer nothing
      --resume       rerun the blocks of OUT that did not finish (a lost host's)
                     with the plugin and render-one options OUT was started
                     with (give -H, --ssh and -j again)
      --check        test each host: render-one runs and the plugin loads
  -h, --help         print this help and exit
Options after -- go to render-one (e.g. -- --duration 2 --tail 1).
Environment: VR_REMOTE_PATH, folders put in front of PATH on the hosts (where
render-one is, when it is not on the login PATH); VR_BIN, where the tools are
here (default: build/bin of this source tree, then PATH).
Exit status: 0 every job done and ok; 1 every job done, some failed (see their
records); 2 usage error; 75 blocks are left (a host was lost): run --resume.
With --check: the number of hosts not ready or not reachable.
USAGE
}

die() { echo "distributed.sh: $*" >&2; exit "${2:-2}"; }

hosts="" plugin="" out="" input="-" block=16 ext=flac slots=100% ssh_cmd=""
shared=0 resume=0 check=0
render_args=()
while [ $# -gt 0 ]; do
    case $1 in
        -H|--hosts)  hosts=${2-};  shift 2 || die "$1 needs a value" ;;
        -p|--plugin) plugin=${2-}; shift 2 || die "$1 needs a value" ;;
        -o|--out)    out=${2-};    shift 2 || die "$1 needs a value" ;;
        -i|--input)  input=${2-};  shift 2 || die "$1 needs a value" ;;
        -b|--block)  block=${2-};  shift 2 || die "$1 needs a value" ;;
        -e|--ext)    ext=${2-};    shift 2 || die "$1 needs a value" ;;
        -j|--slots)  slots=${2-};  shift 2 || die "$1 needs a value" ;;
        --ssh)       ssh_cmd=${2-}; shift 2 || die "$1 needs a value" ;;
        --shared)    shared=1; shift ;;
        --resume)    resume=1; shift ;;
        --check)     check=1; shift ;;
        -h|--help)   usage; exit 0 ;;
        --)          shift; render_args=("$@"); break ;;
        *)           die "unknown option '$1' (try --help)" ;;
    esac
done
[ -n "$hosts" ] || die "give the hosts: -H FILE (try --help)"
[ -r "$hosts" ] || die "cannot read the hosts file $hosts"
[[ $block =~ ^[1-9][0-9]*$ ]] || die "--block wants a positive number, not '$block'"
[ "$input" = - ] || [ -r "$input" ] || die "cannot read $input"
# The run happens inside OUT: keep the paths given here valid there.
hosts=$(realpath -- "$hosts")
[ "$input" = - ] || input=$(realpath -- "$input")

# GNU parallel over the hosts of sshlogin file $1, with the options every
# run shares.
par() {
    local file=$1
    shift
    parallel --will-cite --slf "$file" -j "$slots" ${ssh_cmd:+--ssh "$ssh_cmd"} "$@"
}

# What the hosts run is a shell command line: every word is quoted.
quote() { printf ' %q' "$@"; }
# shellcheck disable=SC2016 # $PATH is the host's
remote_env() {
    if [ -n "${VR_REMOTE_PATH-}" ]; then printf 'PATH=%q:"$PATH" ' "$VR_REMOTE_PATH"; fi
}

if [ "$check" = 1 ]; then
    [ -n "$plugin" ] || die "--check needs the plugin: -p PATH"
    # Each host says whether it is ready; one that is not, or cannot be
    # reached, fails (no --filter-hosts here: a dead host is an answer).
    log=$(mktemp)
    trap 'rm -f "$log"' EXIT
    status=0
    # shellcheck disable=SC2016 # the host expands these
    par "$hosts" --nonall --tag --joblog "$log" "$(remote_env)"'v=$(render-one --version 2>&1) || { echo "not ready: render-one: $v"; exit 1; }
        p=$(render-one'"$(quote --plugin "$plugin")"' --list-programs 2>/dev/null | head -n 1)
        case $p in *\"status\":\"error\"*) echo "not ready: $p"; exit 1 ;; esac
        echo "ready: $v; the plugin loads"' || status=$?
    awk -F'\t' 'NR > 1 && $7 == 255 { print $2 "\tnot reachable (ssh failed)" }' "$log"
    exit "$status"
fi

[ -n "$out" ] || die "give the output folder: -o DIR (try --help)"
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$out"

if [ "$resume" = 1 ]; then
    # The blocks, the command and the joblog must stay as they were for
    # --resume-failed to know which job is which: take the settings the
    # batch was started with.
    { [ -f run.conf ] && [ -f joblog ]; } || die "$out holds no batch to resume (no run.conf or joblog)"
    # shellcheck source=/dev/null
    . ./run.conf
    resume_opt=(--resume-failed)
else
    [ -n "$plugin" ] || die "give the plugin: -p PATH (try --help)"
    [ ! -e joblog ] || die "$out already holds a batch: --resume it, or choose another folder"
    rm -rf blocks results      # what a start that failed before its run left
    mkdir -p blocks results renders
    # Paths relative to OUT: on a host they land in the block's scratch
    # folder, here in OUT; the merged results make them absolute again.
    cat -- "$input" \
        | assign-paths --out "$out/renders" --ext "$ext" \
        | jq -c --arg base "$out/" '
            if (.output_path | type) == "string" then .output_path |= ltrimstr($base) else . end
            | if (.output_root | type) == "string" then .output_root |= ltrimstr($base) else . end' \
        | split -l "$block" -d -a 6 --additional-suffix=.ndjson - blocks/b
    remote_path=${VR_REMOTE_PATH-}
    declare -p plugin ext shared remote_path render_args > run.conf
    resume_opt=()
fi
VR_REMOTE_PATH=$remote_path

shopt -s nullglob
blocks=(blocks/b*.ndjson)
shopt -u nullglob

# The hosts that answer now, as lines of the hosts file, into hosts.live.
# --filter-hosts runs in a parallel of its own, with nothing else to do:
# it is "alpha testing" in parallel 20221122, and together with --wd ...
# and --cleanup its checks share one scratch folder on each host and remove
# it under each other's feet; under heavy load a check can also time out or
# print a stray line, and parallel stops with "This should not happen".
# Such a check is simply made again, twice at most. The jobs' own folders
# (--wd ...) race the same way: a job's --cleanup removes ~/.parallel/tmp
# once it is empty, while another job on that host is making its folder
# there ("mkdir: cannot create directory './.parallel/tmp/...'"); a file
# kept in it, made by the check, leaves it never empty.
filter_hosts() {
    local attempt up=""
    for attempt in 1 2 3; do
        up=$(par "$hosts" --filter-hosts --nonall --tag \
            'mkdir -p .parallel/tmp && touch .parallel/tmp/.vst-render-keep && echo up') && [ -n "$up" ] && break
        echo "distributed.sh: no answer from the hosts (attempt $attempt)" >&2
        sleep "$attempt"
    done
    # A line is "[@groups/][ncpus/]sshlogin"; --tag names the sshlogin.
    printf '%s\n' "$up" | awk -F'\t' '
        NR == FNR { if ($2 == "up") answered[$1] = 1; next }
        /^[[:space:]]*(#|$)/ { next }
        { h = $0; sub(/^@[^\/]*\//, "", h); sub(/^[0-9]*\//, "", h); if (h in answered) print }
    ' - "$hosts" > hosts.live
}

if [ "${#blocks[@]}" -gt 0 ]; then
    # One block: one render-one on the host, its records into results/; a
    # block whose render-one did not end with 0 or 1 leaves no results file.
    job="mkdir -p results renders && $(remote_env)render-one$(quote --plugin "$plugin" "${render_args[@]}")"
    job+=' < {} > results/{/}.part; test $? -le 1 && mv results/{/}.part results/{/}'
    if [ "$shared" = 1 ]; then
        where=(--wd "$out")
    else
        where=(--wd ... --transferfile {} --return renders --return 'results/{/}' --cleanup)
    fi
    filter_hosts
    if [ -s hosts.live ]; then
        par hosts.live --joblog joblog "${resume_opt[@]}" "${where[@]}" \
            "$job" ::: "${blocks[@]}" || true
    else
        echo "distributed.sh: no host of $hosts answers" >&2
    fi
fi

# Every block the joblog calls done must have brought its records and audio
# back; a block that did not is marked failed (exit value 255, as ssh gives
# for a lost host) so that --resume renders it again.
lost=()
while read -r seq; do
    name=${blocks[seq - 1]##*/}
    ok=1
    if [ ! -f "results/$name" ]; then
        ok=0
    else
        while IFS= read -r f; do
            [ -f "$f" ] || { ok=0; break; }
        done < <(jq -r 'select(.status == "ok") | .output_path' "results/$name")
    fi
    [ "$ok" = 1 ] || lost+=("$seq")
done < <(awk -F'\t' 'NR > 1 && $7 == 0 && $8 == 0 { print $1 }' joblog 2>/dev/null | sort -un)
if [ "${#lost[@]}" -gt 0 ]; then
    echo "distributed.sh: blocks ${lost[*]} ended but their files did not come back" >&2
    for seq in "${lost[@]}"; do rm -f "results/${blocks[seq - 1]##*/}"; done
    awk -F'\t' -v OFS='\t' -v lost=" ${lost[*]} " \
        'NR > 1 && index(lost, " " $1 " ") && $7 == 0 { $7 = 255 } { print }' joblog > joblog.tmp
    mv joblog.tmp joblog
fi

# The records of the finished blocks, in job order, with absolute paths.
jobs_total=0 missing=0
for b in "${blocks[@]}"; do
    jobs_total=$((jobs_total + $(wc -l < "$b")))
    [ -f "results/${b##*/}" ] || missing=$((missing + 1))
done
for b in "${blocks[@]}"; do
    [ ! -f "results/${b##*/}" ] || cat "results/${b##*/}"
done | jq -c --arg base "$out/" '
    if (.output_path | type) == "string" and (.output_path | startswith("/") | not)
    then .output_path = $base + .output_path else . end
    | if (.output_root | type) == "string" and (.output_root | startswith("/") | not)
    then .output_root = $base + .output_root else . end' > results.ndjson

jobs_done=$(wc -l < results.ndjson)
failed=$(jq -c 'select(.status == "error")' results.ndjson | wc -l)
echo "distributed.sh: $jobs_done of $jobs_total jobs done ($failed failed), ${#blocks[@]} blocks; records in $out/results.ndjson" >&2
if [ "$missing" -gt 0 ]; then
    echo "distributed.sh: $missing blocks left; finish them with: $0 --resume -H $hosts -o $out" >&2
    exit 75
fi
[ "$failed" -eq 0 ] || exit 1
