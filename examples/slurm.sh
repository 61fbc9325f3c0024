#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Renders a batch of jobs as a Slurm array job: one array task per block of
# jobs, then a merge job that gathers the records in the order of the jobs.
#
#   slurm.sh -p PLUGIN -o DIR -i JOBS [-e EXT] [-b N] [--sbatch 'OPTIONS'] [--wait] [-- RENDER-ONE OPTIONS]
#   slurm.sh --resume -o DIR [--sbatch 'OPTIONS'] [--wait]
#   slurm.sh --check -p PLUGIN [--sbatch 'OPTIONS']
#
# Over 400 lines: one file a cluster user can copy alone, holding both
# sides, what runs here and what the jobs run (functions written into each
# job's script), rather than two files that must stay in step.
#
# Slurm schedules, requeues and orders the jobs; this script cuts the jobs
# and keeps the books, all in DIR, which every node mounts at the same path:
#
#   blocks/bNNNNNN.ndjson   the jobs of block N, cut once, never changed
#   records/bNNNNNN.ndjson  the block's records, in job order; .part.* the
#                           records of render-ones running or killed
#   renders/bNNNNNN/        the audio of its jobs that came without an
#                           output_path (assign-paths names them). A folder
#                           per block: render-one removes temporaries whose
#                           process is gone, and another node's always is
#   arrays/N.list           the blocks of array job N: task I renders line I+1
#   batch.conf, jobs.conf   plugin and options; the last arrays' and merge's ids
#   .vr-slurm-marker        a token every task compares with its own copy: a
#                           node where DIR is not the shared folder fails (78)
#   logs/, results.ndjson   the jobs' output; the merge's
#
# A task folds the parts into the block's records, dropping an ok (or
# skipped) record whose file is gone, runs render-one --skip-existing over
# the jobs still without one, cut among as many render-ones as it has CPUs,
# and folds again. Records are written as jobs end, so a killed task loses
# only the jobs in flight, and a job with a record never renders again. A
# block is complete when every job has a record and its files exist. The
# merge runs afterok on the arrays, with --kill-on-invalid-dep: a failed
# task would otherwise leave it pending forever.
#
# Needs here: Slurm's commands, jq, assign-paths. On the nodes: render-one
# and jq on the PATH sbatch passes on (this shell's), the plugin, DIR.
set -euo pipefail
shopt -s nullglob
here=$(cd "$(dirname "$0")/.." && pwd)
PATH="${VR_BIN:-$here/build/bin}:$PATH"

usage() {
    cat <<'USAGE'
Usage: slurm.sh -p PLUGIN -o DIR [-i JOBS] [options] [-- RENDER-ONE OPTIONS]
       slurm.sh --resume -o DIR [--sbatch 'OPTIONS'] [--wait]
       slurm.sh --wait -o DIR
       slurm.sh --check -p PLUGIN [--sbatch 'OPTIONS']
Render job records as a Slurm array job, one task per block of jobs; a merge
job writes their records, in the order of the jobs, to DIR/results.ndjson.

  -p, --plugin PATH    the plugin, at this same path on every node
  -o, --out DIR        the batch's folder, on storage every node mounts at the
                       same path; jobs without an output_path get one below
                       DIR/renders (assign-paths), and a job whose output_path
                       is not below DIR is refused
  -i, --input FILE     job records, one JSON object a line (default: stdin)
  -e, --ext EXT        audio file extension: wav flac ogg aiff npy (default: wav)
  -b, --block N        jobs per block, one array task each (default: 64)
      --sbatch OPTS    options for sbatch, split at spaces, e.g.
                       '--partition=cpu --time=2:00:00 --cpus-per-task=8'
                       (a task runs one render-one per CPU it is given)
      --wait           wait for the batch, printing how many blocks are done
      --resume         render the blocks of DIR that are not complete, and
                       merge again, with the settings DIR keeps (--sbatch
                       replaces the sbatch options)
      --check          on each partition, run render-one and load the plugin
  -h, --help           print this help and exit
Options after -- go to render-one (e.g. -- --duration 2 --tail 1).
VR_BIN: where the tools are (default: build/bin of this source tree, then PATH).
Exit status: 0 submitted, or (--wait) every record ok; 1 (--wait) some records
are errors; 2 usage error, nothing submitted; 3 sbatch failed; 75 (--wait)
blocks are not complete: run --resume. With --check: the partitions not ready.
USAGE
}

die() { echo "slurm.sh: $*" >&2; exit "${code:-2}"; }

plugin="" dir="" input=- ext=wav block=64 sbatch_str="" wait=0 resume=0 check=0
sbatch_given=0 own_args=0
render_args=()
while [ $# -gt 0 ]; do
    case $1 in
        -p|--plugin) plugin=${2-}; shift 2 || die "$1 needs a value" ;;
        -o|--out)    dir=${2-};    shift 2 || die "$1 needs a value" ;;
        -i|--input)  input=${2-};  own_args=1; shift 2 || die "$1 needs a value" ;;
        -e|--ext)    ext=${2-};    own_args=1; shift 2 || die "$1 needs a value" ;;
        -b|--block)  block=${2-};  own_args=1; shift 2 || die "$1 needs a value" ;;
        --sbatch)    sbatch_str=${2-}; sbatch_given=1; shift 2 || die "$1 needs a value" ;;
        --wait)      wait=1; shift ;;
        --resume)    resume=1; shift ;;
        --check)     check=1; shift ;;
        -h|--help)   usage; exit 0 ;;
        --)          shift; render_args=("$@"); own_args=1; break ;;
        *)           die "unknown option '$1' (try --help)" ;;
    esac
done
command -v sbatch >/dev/null || die "no sbatch on PATH: run this where Slurm jobs are submitted"
command -v jq >/dev/null || die "no jq on PATH"
read -ra sb <<< "$sbatch_str"

if [ "$check" = 1 ]; then
    [ -n "$plugin" ] || die "--check needs the plugin: -p PATH"
    # shellcheck disable=SC2016 # the node expands these
    probe='v=$(render-one --version 2>&1) || { echo "not ready: render-one: $v"; exit 1; }
        command -v jq >/dev/null || { echo "not ready: no jq"; exit 1; }
        p=$(render-one --plugin "$1" --list-programs 2>/dev/null | head -n 1)
        case $p in ""|*\"status\":\"error\"*) echo "not ready: ${p:-no programs listed}"; exit 1 ;; esac
        echo "ready: $v; the plugin loads"'
    status=0
    # The probe's line is its standard output; srun's own words (a task
    # that exited 1, a node it could not get) go to a file of their own,
    # said only where the probe said nothing: merged, the two came in
    # either order.
    said=$(mktemp) || die "cannot make a temporary file"
    trap 'rm -f "$said"' EXIT
    while read -r part; do
        line=$(srun --quiet --immediate=60 --partition="$part" -N 1 -n 1 "${sb[@]}" \
            bash -c "$probe" probe "$plugin" 2>"$said" < /dev/null) || status=$((status + 1))
        [ -n "$line" ] || line="not ready: srun: $(cat "$said")"
        printf '%s\t%s\n' "$part" "${line//$'\n'/ }"
    done < <(sinfo -h -o %R | sort -u)
    exit "$status"
fi

[ -n "$dir" ] || die "give the batch's folder: -o DIR (try --help)"

# --- What runs on the nodes: these functions, written into each job's
# script with the variables they read (dir, token, plugin, render_args, list).

# Exits 78 unless DIR here is the folder the batch was started in.
check_marker() {
    [ "$(cat "$dir/.vr-slurm-marker" 2>/dev/null)" = "$token" ] && return 0
    echo "slurm.sh: $(hostname): $dir/.vr-slurm-marker is not there: $dir must be on storage every node mounts at the same path" >&2
    exit 78
}

# Folds block $1's records (records/$1.ndjson and the parts render-ones
# wrote) into records/$1.ndjson, in job order; the jobs without a record go
# to records/$1.todo. An ok or skipped record whose file is gone is dropped.
consolidate() {
    local r=records/$1 files=() f
    if [ -f "$r.ndjson" ]; then files=("$r.ndjson"); fi
    for f in "$r".part.*; do files+=("$f"); done
    if [ "${#files[@]}" -eq 0 ]; then   # never rendered
        cp "blocks/$1.ndjson" "$r.todo"
        return 0
    fi
    jq -j '.output_path | strings | . + "\u0000"' "blocks/$1.ndjson" \
        | while IFS= read -r -d '' f; do [ -e "$f" ] || printf '%s\0' "$f"; done > "$r.gone"
    cat "${files[@]}" | jq -nR -r --slurpfile jobs "blocks/$1.ndjson" --rawfile gone "$r.gone" '
        ($gone | split("\u0000") | map({(.): true}) | add // {}) as $gone
        | (reduce (inputs | fromjson? | objects) as $x ({};
            if ($x.output_path | type) == "string"
               and ((($x.status == "ok" or $x.status == "skipped") and $gone[$x.output_path]) | not)
            then .[$x.output_path] //= $x else . end)) as $have
        | $jobs[] | if .status == "error" then "r " + tojson
          elif (.output_path | type) == "string" and $have[.output_path] then "r " + ($have[.output_path] | tojson)
          else "t " + tojson end' > "$r.split"
    sed -n 's/^r //p' "$r.split" > "$r.ndjson.tmp"
    sed -n 's/^t //p' "$r.split" > "$r.todo"
    mv "$r.ndjson.tmp" "$r.ndjson"
    for f in "${files[@]}"; do
        if [ "$f" != "$r.ndjson" ]; then rm -f "$f"; fi
    done
    rm -f "$r.gone" "$r.split"
}

# Prints the blocks that are not complete. A block is complete when its
# records file holds a record per job, no render-one's records wait to be
# folded in, and every file its ok (or skipped) records name exists.
incomplete_blocks() {
    local state done_files=() lost=() entry
    state=$({ wc -l /dev/null blocks/b*.ndjson records/b*.ndjson; printf 'part %s\n' records/b*.part.*; } | awk '
        { b = $2; sub(/^(blocks|records)\//, "", b); sub(/\..*/, "", b) }
        $1 == "part" { part[b] = 1; next }
        $2 ~ /^blocks\// { want[b] = $1; next }
        $2 ~ /^records\// { have[b] = $1 }
        END { for (b in want) print ((b in have) && have[b] == want[b] && !(b in part) ? "done " : "left ") b }')
    while read -r entry; do
        done_files+=("records/${entry#done }.ndjson")
    done < <(grep '^done ' <<<"$state" || true)
    if [ "${#done_files[@]}" -gt 0 ]; then
        while IFS= read -r -d '' entry; do
            [ -e "${entry#*$'\t'}" ] || lost+=("${entry%%$'\t'*}")
        done < <(jq -j 'select(.status == "ok" or .status == "skipped") | (.output_path | strings) as $p
                | input_filename | ltrimstr("records/") | rtrimstr(".ndjson") | . + "\t" + $p + "\u0000"' "${done_files[@]}")
    fi
    { grep '^left ' <<<"$state" | cut -c6- || true; printf '%s\n' "${lost[@]}"; } | grep . | sort -u || true
}

# An array task: renders the jobs of its block that have no record yet.
run_task() {
    check_marker
    cd "$dir"
    local b n k f p s status=0 pids=()
    b=$(sed -n "$((SLURM_ARRAY_TASK_ID + 1))p" "arrays/$list")
    [ -f "blocks/$b.ndjson" ] || { echo "slurm.sh: task $SLURM_ARRAY_TASK_ID of arrays/$list has no block" >&2; exit 3; }
    consolidate "$b"
    k=$(wc -l < "records/$b.todo")
    n=${SLURM_CPUS_PER_TASK:-1}
    if [ "$n" -gt "$k" ]; then n=$k; fi
    echo "slurm.sh: block $b: $k of $(wc -l < "blocks/$b.ndjson") jobs to render, by $n render-one"
    if [ "$k" -gt 0 ]; then
        split -n "r/$n" -d -a 3 "records/$b.todo" "records/$b.in.$SLURM_JOB_ID."
        for f in "records/$b.in.$SLURM_JOB_ID".*; do
            render-one --plugin "$plugin" --skip-existing "${render_args[@]}" \
                < "$f" > "records/$b.part.${f##*.in.}" &
            pids+=("$!")
        done
        # 0 and 1 (some jobs failed, each record says why) finish a block.
        for p in "${pids[@]}"; do
            wait "$p" || { s=$?; if [ "$s" -gt 1 ]; then status=$s; fi; }
        done
        rm -f "records/$b.in.$SLURM_JOB_ID".*
        consolidate "$b"
    fi
    if [ "$status" -ne 0 ]; then exit "$status"; fi
    if [ -s "records/$b.todo" ]; then echo "slurm.sh: block $b: jobs left without a record" >&2; exit 1; fi
}

# The merge: every block complete, their records in job order.
run_merge() {
    check_marker
    cd "$dir"
    local left
    left=$(incomplete_blocks | tr '\n' ' ')
    if [ -n "$left" ]; then echo "slurm.sh: blocks not complete: $left" >&2; exit 1; fi
    cat /dev/null records/b*.ndjson > results.ndjson.tmp
    mv results.ndjson.tmp results.ndjson
}

# The script of a job running function $1 (with list=$2 for an array).
batch_script() {
    local list=${2-}
    printf '#!/usr/bin/env bash\nset -euo pipefail\nshopt -s nullglob\n'
    declare -p dir token plugin render_args list
    declare -f check_marker consolidate incomplete_blocks run_task run_merge
    echo "$1"
}

# --- What runs here.

# Submits an array for the blocks named (several when they pass the
# cluster's MaxArraySize), then a merge after them; notes the ids in jobs.conf.
submit() {
    local max lists=(arrays/*.list) n i list id count dep=()
    max=$(scontrol show config 2>/dev/null | awk '$1 == "MaxArraySize" { print $3 }')
    [[ $max =~ ^[1-9][0-9]*$ ]] || max=1001
    n=${#lists[@]}
    arrays=()
    for ((i = 0; i < $#; i += max)); do
        list=$((n++)).list
        count=$(printf '%s\n' "${@:i+1:max}" | tee "arrays/$list" | wc -l)
        id=$(batch_script run_task "$list" | sbatch --parsable --job-name=vr-render --chdir="$dir" \
                --output="$dir/logs/%A_%a.out" "${sb[@]}" --array="0-$((count - 1))") \
            || cancel_and_die "sbatch could not submit the array of arrays/$list"
        arrays+=("${id%%;*}")
    done
    if [ "${#arrays[@]}" -gt 0 ]; then
        dep=(--dependency="afterok:$(IFS=:; echo "${arrays[*]}")" --kill-on-invalid-dep=yes)
    fi
    id=$(batch_script run_merge | sbatch --parsable --job-name=vr-merge --chdir="$dir" \
            --output="$dir/logs/merge-%j.out" "${sb[@]}" "${dep[@]}") \
        || cancel_and_die "sbatch could not submit the merge"
    merge=${id%%;*}
    declare -p arrays merge > jobs.conf
    echo "slurm.sh: $# blocks in array jobs ${arrays[*]:-(none)}; merge job $merge writes $dir/results.ndjson" >&2
}

cancel_and_die() {
    if [ "${#arrays[@]}" -gt 0 ]; then scancel "${arrays[@]}" || true; fi
    code=3 die "$1; nothing is left queued"
}

# The batch's jobs that are still in the queue, comma-separated ids in $1.
live_jobs() {
    local out
    [ -n "$1" ] || return 0
    out=$(squeue -h -j "$1" -o %i 2>&1) && { printf '%s' "$out"; return 0; }
    case $out in *"Invalid job id"*) return 0 ;; esac   # all gone from the queue
    printf '%s' "$out"
}

# Blocks done, read from their record files, and jobs with a record.
progress() {
    # (A part a task folds in between the glob and wc is gone: no matter.)
    { wc -l /dev/null blocks/b*.ndjson records/b*.ndjson records/b*.part.* 2>/dev/null || true; } | awk '
        { b = $2; sub(/^(blocks|records)\//, "", b); sub(/\..*/, "", b) }
        $2 ~ /^blocks\// { want[b] = $1; n++; jobs += $1; next }
        $2 ~ /^records\/b[0-9]*\.ndjson$/ { have[b] = $1 }
        $2 ~ /^records\// { got += $1 }
        END { for (b in want) if (have[b] >= want[b]) done++
              printf "%d of %d blocks done, %d of %d jobs\n", done, n, got, jobs }'
}

# Waits until every job of the batch has left the queue, printing progress.
wait_batch() {
    local ids shown="" now live
    ids=$(IFS=,; echo "${arrays[*]}${arrays[*]:+,}$merge")
    while :; do
        live=$(live_jobs "$ids")
        now=$(progress)
        if [ "$now" != "$shown" ]; then echo "slurm.sh: $now" >&2; shown=$now; fi
        [ -n "$live" ] || break
        sleep 0.5
    done
}

# The site's options, tried before anything is queued.
check_sbatch_options() {
    local why
    why=$(sbatch --test-only "${sb[@]}" --wrap=true 2>&1 >/dev/null) \
        || die "sbatch refuses the options '$sbatch_str': ${why//$'\n'/ }"
}

count_blocks() { local b=(blocks/b*.ndjson); echo "${#b[@]}"; }

# After the batch: 75 naming the blocks that are not complete, else 1 when
# some records are errors, else 0.
report() {
    local left=() errors a
    mapfile -t left < <(incomplete_blocks)
    if [ "${#left[@]}" -gt 0 ]; then
        for a in "${arrays[@]}"; do scontrol -o show job "$a" 2>/dev/null || true; done \
            | awk '/ExitCode=78:0/ && match($0, / BatchHost=[^ ]*/) { print substr($0, RSTART + 11, RLENGTH - 11) }' \
            | sort -u | while read -r node; do
                echo "slurm.sh: on $node, $dir is not the folder the batch was started in: put it on storage every node mounts at the same path" >&2
            done
        echo "slurm.sh: ${#left[@]} of $(count_blocks) blocks are not complete: ${left[*]}; finish them with: $0 --resume -o $dir" >&2
        exit 75
    fi
    if [ ! -f results.ndjson ]; then
        echo "slurm.sh: every block is complete, but merge job $merge wrote no results (see $dir/logs/merge-$merge.out): run $0 --resume -o $dir" >&2
        exit 75
    fi
    errors=$(jq -c 'select(.status == "error")' results.ndjson | wc -l)
    echo "slurm.sh: $(wc -l < results.ndjson) jobs done ($errors failed); records in $dir/results.ndjson" >&2
    [ "$errors" -eq 0 ] || exit 1
}

if [ "$resume" = 1 ] || { [ "$wait" = 1 ] && [ -z "$plugin" ] && [ "$own_args" = 0 ]; }; then
    if [ "$own_args" = 1 ] || [ -n "$plugin" ]; then
        die "--resume and --wait -o DIR take the batch's settings from DIR: give only --sbatch and --wait"
    fi
    [ -f "$dir/jobs.conf" ] || die "$dir holds no batch to wait for or resume (to start one, give -p and -i)"
    dir=$(cd "$dir" && pwd)
    cd "$dir"
    [ "$sbatch_given" = 0 ] || saved_sbatch=$sbatch_str
    # shellcheck source=/dev/null
    . ./batch.conf
    # shellcheck source=/dev/null
    . ./jobs.conf
    if [ "$resume" = 0 ]; then wait_batch; report; exit 0; fi
    sbatch_str=${saved_sbatch-$sbatch_str}
    read -ra sb <<< "$sbatch_str"
    check_sbatch_options
    # Running tasks would render what a new array renders.
    live=$(live_jobs "$(IFS=,; echo "${arrays[*]}")")
    [ -z "$live" ] || die "the batch in $dir is still running (jobs $(echo "$live" | sort -u | tr '\n' ' ')): wait for it (--wait -o DIR) or scancel it"
    case $(squeue -h -j "$merge" -o %T 2>/dev/null) in
        PENDING) scancel "$merge" ;;
        "") ;;
        *) die "merge job $merge of $dir is running: wait for it (--wait -o DIR)" ;;
    esac
    mapfile -t left < <(incomplete_blocks)
    declare -p plugin ext render_args sbatch_str token > batch.conf
    rm -f results.ndjson
    echo "slurm.sh: ${#left[@]} of $(count_blocks) blocks to finish: ${left[*]:-none}" >&2
    submit "${left[@]}"
    if [ "$wait" = 1 ]; then wait_batch; report; fi
    exit 0
fi

# --- A new batch.
[ -n "$plugin" ] || die "give the plugin: -p PATH (try --help)"
[[ $block =~ ^[1-9][0-9]*$ ]] || die "--block wants a positive number, not '$block'"
[ "$input" = - ] || [ -r "$input" ] || die "cannot read $input"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
[ ! -e "$dir/batch.conf" ] || die "$dir already holds a batch: --resume it, or choose another folder"
for d in blocks records arrays logs results.ndjson; do
    [ ! -e "$dir/$d" ] || die "$dir/$d is in the way: choose another folder for the batch"
done
tmp=$dir/.prep
rm -rf "$tmp"
mkdir "$tmp"
trap 'rm -rf "$tmp"' EXIT
cat -- "$input" > "$tmp/in"

# Jobs with an output_path keep it (made absolute against this folder),
# when it lies below DIR; the others get one from assign-paths. Those that
# keep theirs go through assign-paths as "skipped", so that it passes them
# on unchanged and gives no other job their names.
jq -nR -c --arg cwd "$PWD" --arg dir "$dir" '
    foreach inputs as $l (0; . + 1; [., $l]) | .[0] as $n | .[1] as $l
    | select($l | test("^[ \t\r]*$") | not)
    | ([$l | fromjson?] | first) as $j
    | if ($j | type) != "object" then ["job", {status: "error", error: {tool: "slurm.sh",
          message: "line \($n) of the jobs is not a JSON object", line: $l[:80]}}]
      elif $j.status == "error" or ($j.output_path | type) != "string" or $j.output_path == "" then ["job", $j]
      else ($j.output_path | if startswith("/") then . else $cwd + "/" + . end | split("/")
            | map(select(. != "" and . != "."))) as $parts
        | ("/" + ($parts | join("/"))) as $p
        | if $parts | index([".."]) then ["bad", "line \($n): output_path \($j.output_path) holds a .. component"]
          elif ($p | startswith($dir + "/")) | not then ["bad", "line \($n): output_path \($j.output_path) is not below \($dir)"]
          else ["job", ($j | .output_path = $p | .output_root //= $dir
                | .vr_slurm_own = {had: has("status"), status} | .status = "skipped")] end
      end' < "$tmp/in" > "$tmp/norm"
bad=$(jq -r 'select(.[0] == "bad") | "slurm.sh: \(.[1])"' "$tmp/norm")
[ -z "$bad" ] || { echo "$bad" >&2; die "jobs refused; nothing submitted"; }
jq -c 'select(.[0] == "job") | .[1]' "$tmp/norm" \
    | { assign-paths --out "$dir/renders" --ext "$ext" || [ $? -eq 1 ]; } > "$tmp/assigned" \
    || die "assign-paths refused the jobs"
# Names from assign-paths go into the block's folder: renders/bNNNNNN/NAME.
jq -n -c --arg r "$dir/renders" --argjson size "$block" '
    foreach inputs as $j (-1; . + 1; [., $j]) | .[1] as $j
    | ("b" + ("00000" + (.[0] / $size | floor | tostring) | .[-6:])) as $b
    | $j | if has("vr_slurm_own") then
        (if .vr_slurm_own.had then .status = .vr_slurm_own.status else del(.status) end) | del(.vr_slurm_own)
      elif .status != "error" and (.output_path | type) == "string" then
        .output_path = $r + "/" + $b + (.output_path | ltrimstr($r)) | .output_root = $r + "/" + $b
      else . end' "$tmp/assigned" > "$tmp/jobs"
[ -s "$tmp/jobs" ] || die "no jobs in $input"
twice=$(jq -r 'select(.status != "error") | .output_path | strings' "$tmp/jobs" | sort | uniq -d | head -n 3)
[ -z "$twice" ] || die "several jobs write the same file: $twice"
check_sbatch_options

mkdir "$tmp/blocks"
split -l "$block" -d -a 6 --additional-suffix=.ndjson "$tmp/jobs" "$tmp/blocks/b"
cd "$dir"
mkdir records arrays logs
mkdir -p renders
mv "$tmp/blocks" blocks
token=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
echo "$token" > .vr-slurm-marker
declare -p plugin ext render_args sbatch_str token > batch.conf
blocks=(blocks/b*.ndjson)
blocks=("${blocks[@]#blocks/}")
arrays=()
submit "${blocks[@]%.ndjson}"
if [ "$wait" = 1 ]; then wait_batch; report; fi
