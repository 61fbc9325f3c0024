# SPDX-License-Identifier: GPL-3.0-or-later
# A single-node Slurm cluster of the test's own (Debian's slurmctld and
# slurmd, as the design brief measured them on this kind of machine): its
# config, state, spool, logs and ports under folder $SLURM_TEST_DIR, the
# daemons children of the test, stopped by pid. Authentication is
# auth/none, so no munged runs. SLURM_CONF points every Slurm command at it.

# Why the suite cannot run here, or nothing: not root, or the packages
# missing where they cannot be installed. Missing packages that could be
# installed fail the suite instead (`make deps` installs them).
slurm_cannot_run() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "needs root (the daemons run as root, SlurmUser=root)"
        return 0
    fi
    local t
    for t in slurmctld slurmd sbatch squeue scontrol sinfo srun scancel; do
        command -v "$t" >/dev/null && continue
        if apt-cache policy slurmctld slurmd slurm-client 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            return 1   # installable: the suite fails, saying what is missing
        fi
        echo "$t is missing and the Slurm packages cannot be installed here"
        return 0
    done
    return 1
}

# The daemons' logs, for a failure message.
slurm_logs() {
    local f
    for f in "$SLURM_TEST_DIR"/*.log "$SLURM_TEST_DIR"/*.out; do
        [ -f "$f" ] || continue
        echo "--- $f"
        tail -n 40 "$f"
    done
}

# Starts the cluster in folder $1: one node (this machine, 2 CPUs),
# partitions main (the default) and other, MaxArraySize 4. Returns once the
# node is idle; fails after 30 s with the daemons' logs.
slurm_start() {
    export SLURM_TEST_DIR=$1
    local host ctld_port d_port
    host=$(hostname)
    ctld_port=$(free_port)
    d_port=$(free_port)
    mkdir -p "$SLURM_TEST_DIR/state" "$SLURM_TEST_DIR/spool"
    : > "$SLURM_TEST_DIR/plugstack.conf"
    # batch_sched_delay=0: array tasks start at once (else two every 3 s).
    # KillWait=2: a cancelled job's processes get SIGKILL 2 s after SIGTERM.
    cat > "$SLURM_TEST_DIR/slurm.conf" <<EOF
ClusterName=vrtest$$
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/none
CredType=cred/none
StateSaveLocation=$SLURM_TEST_DIR/state
SlurmdSpoolDir=$SLURM_TEST_DIR/spool
SlurmctldPidFile=$SLURM_TEST_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_TEST_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_TEST_DIR/slurmctld.log
SlurmdLogFile=$SLURM_TEST_DIR/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
PlugStackConfig=$SLURM_TEST_DIR/plugstack.conf
SchedulerParameters=batch_sched_delay=0
MaxArraySize=4
KillWait=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
PartitionName=other Nodes=$host MaxTime=INFINITE State=UP
EOF
    export SLURM_CONF=$SLURM_TEST_DIR/slurm.conf
    # Started from the cluster's folder: the job steps (slurmstepd) keep
    # it as their working folder, which is how teardown tells ours.
    (cd "$SLURM_TEST_DIR" && exec slurmctld -D -i > ctld.out 2>&1 3>&-) &
    echo $! > "$SLURM_TEST_DIR/ctld.child"
    (cd "$SLURM_TEST_DIR" && exec slurmd -D > d.out 2>&1 3>&-) &
    echo $! > "$SLURM_TEST_DIR/d.child"
    local state=""
    for _ in $(seq 300); do
        state=$(sinfo -h -n "$host" -o %T 2>/dev/null) || true
        if [ "$state" = idle ]; then return 0; fi
        sleep 0.1
    done
    echo "the Slurm node did not come up within 30 s (state: '${state:-none}'):" >&2
    slurm_logs >&2
    slurm_stop
    return 1
}

# Whether process $1 is gone (a zombie counts: it has stopped).
slurm_gone() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    stat=${stat##*) }
    [ "${stat%% *}" = Z ]
}

# Stops process $1 (TERM, KILL after 10 s), waiting until it has.
slurm_stop_pid() {
    local pid=$1
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 100); do
        slurm_gone "$pid" && return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

# Cancels every job, stops the daemons, then kills what is left of the
# jobs: a slurmstepd keeps the cluster's folder, where slurmd started, as
# its working folder.
slurm_stop() {
    [ -n "${SLURM_TEST_DIR-}" ] || return 0
    scancel --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 100); do
        if [ -z "$(squeue -h 2>/dev/null)" ]; then break; fi
        sleep 0.1
    done
    local f pid
    for f in d.child ctld.child; do
        pid=$(cat "$SLURM_TEST_DIR/$f" 2>/dev/null) || continue
        slurm_stop_pid "$pid"
    done
    while IFS= read -r f; do
        f=${f#/proc/}
        # shellcheck disable=SC2046
        kill -KILL $(freeze_tree "${f%/cwd}") 2>/dev/null || true
    done < <(find /proc -mindepth 2 -maxdepth 2 -name cwd -lname "$SLURM_TEST_DIR" 2>/dev/null)
}

# The ids of every job the cluster knows, finished ones too.
slurm_all_jobs() { squeue -h -t all -o %i | sort; }
