#!/bin/sh
# A one-node Slurm cluster on this machine, for trying `alflow run --executor slurm`
# and for the test suite: start | stop | status.
#
#   start   installs slurmctld, slurmd, slurm-client and munge from the Debian
#           packages when missing (apt-get, as root), writes /etc/slurm/slurm.conf
#           for one node (localhost, with this machine's CPUs and memory), creates
#           a munge key if there is none, starts munged, slurmctld and slurmd as
#           root (no systemd) and waits until `sinfo` shows the node idle.
#   stop    stops the three daemons this script started.
#   status  prints `sinfo` and `squeue`.
#
# It never overwrites a slurm.conf it did not write (a real cluster's); logs and
# state live under $ALFLOW_SLURM_DIR (default /var/tmp/alflow-slurm).
set -eu

dir="${ALFLOW_SLURM_DIR:-/var/tmp/alflow-slurm}"
conf=/etc/slurm/slurm.conf
marker="# written by alflow scripts/slurm-test-cluster.sh"

say() { echo "slurm-test-cluster: $*" >&2; }

install_packages() {
    missing=""
    for tool in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
        command -v "${tool%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${tool%%:*}" ] || missing="$missing ${tool#*:}"
    done
    [ -z "$missing" ] && return 0
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "missing:$missing; install them (apt-get install$missing) or run this script as root"
        return 1
    fi
    say "installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -qq --no-install-recommends $missing || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing; }; } >/dev/null 2>&1 \
        || { say "could not install$missing"; return 1; }
}

write_config() {
    if [ -f "$conf" ] && ! grep -qF "$marker" "$conf"; then
        say "$conf exists and was not written by this script; using it as it is"
        return 0
    fi
    node=$(hostname -s)
    cpus=$(nproc)
    # Leave 1 GiB to the system.
    memory=$(awk '/MemTotal/ { m = int($2 / 1024) - 1024; print (m < 512 ? 512 : m) }' /proc/meminfo)
    mkdir -p /etc/slurm "$dir/state" "$dir/spool" "$dir/log"
    cat > "$conf" <<EOF
$marker
ClusterName=alflowtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
# No cgroup hierarchy is assumed (containers, CI): processes are tracked by parent id.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
ReturnToService=2
KillWait=5
MinJobAge=600
InactiveLimit=0
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP DefMemPerCPU=$((memory / cpus))
EOF
    cat > /etc/slurm/cgroup.conf <<EOF
$marker
# Unused while slurm.conf tracks processes without cgroups (proctrack/linuxproc).
CgroupPlugin=autodetect
EOF
}

start_munge() {
    if munge -n </dev/null >/dev/null 2>&1; then return 0; fi
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 2>/dev/null
    fi
    chown root:root /etc/munge /etc/munge/munge.key
    chmod 700 /etc/munge
    chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown root:root /run/munge /var/lib/munge /var/log/munge
    chmod 755 /run/munge
    # munged outlives this script (later starts reuse it): it must not keep
    # the caller's descriptors — a pipe a CI runner waits on, or a lock such
    # as bench's measurement lock — open for the rest of the machine's life
    # (what flock(1) or make hand down sits at descriptors 3 and up).
    without_inherited_descriptors /usr/sbin/munged --force
    for _ in $(seq 50); do munge -n </dev/null >/dev/null 2>&1 && return 0; sleep 0.1; done
    say "munged did not start"
    return 1
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Runs a daemon without the descriptors 3–9 this shell may have inherited
# (the daemons close or redirect the standard three themselves).
without_inherited_descriptors() {
    (exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-; exec "$@")
}

start() {
    install_packages
    write_config
    start_munge
    running "$dir/slurmctld.pid" || without_inherited_descriptors /usr/sbin/slurmctld -i
    running "$dir/slurmd.pid" || without_inherited_descriptors /usr/sbin/slurmd
    for _ in $(seq 120); do
        # A saved state may say idle before this slurmd has registered: it must run.
        running "$dir/slurmd.pid" || { sleep 0.5; continue; }
        state=$(sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true)
        case "$state" in
            idle|mixed|allocated) say "node $(hostname -s) is $state"; return 0 ;;
            down*|drain*) scontrol update nodename="$(hostname -s)" state=resume >/dev/null 2>&1 || true ;;
        esac
        sleep 0.5
    done
    say "the node did not become idle; see $dir/log"
    sinfo -N -l >&2 || true
    return 1
}

stop_daemon() {
    pidfile=$1
    running "$pidfile" || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
}

stop() {
    # Jobs still queued would start again at the next `start`.
    scancel --user="$(id -un)" >/dev/null 2>&1 || true
    stop_daemon "$dir/slurmd.pid"
    stop_daemon "$dir/slurmctld.pid"
    say "stopped slurmd and slurmctld (munged keeps running for other Slurm users)"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) sinfo; squeue ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 64 ;;
esac
