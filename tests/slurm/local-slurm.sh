# Sourced: starts a one-node Slurm cluster on this machine from Debian's packages (slurmctld, slurmd,
# munge), private to DIR, for the study tests. Needs root (the daemons run as root, munged as the
# munge user). After `start_local_slurm DIR CPUS`, sbatch, squeue, sacct and scancel talk to it
# (SLURM_CONF is exported); `stop_local_slurm` ends it. Returns 1, with the reason in
# $slurm_problem, when the cluster cannot be started here.
start_local_slurm() {
  local dir=$1 cpus=${2:-2} host port
  # Ports of their own, so that two test runs on one machine do not meet.
  port=$((20000 + ($$ % 2000) * 2))
  slurm_dir=$dir
  slurm_problem=
  for program in slurmctld slurmd munged sbatch squeue scancel; do
    command -v $program > /dev/null || { slurm_problem="$program is not installed (apt-get install slurmctld slurmd slurm-client munge)"; return 1; }
  done
  [ "$(id -u)" = 0 ] || { slurm_problem="the Slurm daemons need root"; return 1; }
  host=$(hostname -s)
  mkdir -p "$dir"/{state,spool,munge,log}
  chmod 755 "$dir"
  # munge: its own key and socket, so that nothing of the machine's munge is touched.
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2> /dev/null
  chown -R munge: "$dir/munge" 2> /dev/null; chmod 700 "$dir/munge"; chmod 400 "$dir/munge/munge.key"
  runuser -u munge -- munged --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
    --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/seed" --force \
    || { slurm_problem="munged did not start ($(tail -1 "$dir/munge/munged.log" 2> /dev/null))"; return 1; }
  cat > "$dir/slurm.conf" <<CONF
ClusterName=invx-test
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
MinJobAge=3600
KillWait=10
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf
  slurmctld -f "$SLURM_CONF" || { slurm_problem="slurmctld did not start: $(tail -2 "$dir/log/slurmctld.log" 2> /dev/null)"; return 1; }
  slurmd -f "$SLURM_CONF" || { slurm_problem="slurmd did not start: $(tail -2 "$dir/log/slurmd.log" 2> /dev/null)"; return 1; }
  for _ in $(seq 60); do
    sinfo -h -o %T 2> /dev/null | grep -qx idle && return 0
    sleep 1
  done
  slurm_problem="the node did not become idle: $(sinfo -h 2>&1 | head -2) $(tail -3 "$dir/log/slurmd.log" 2> /dev/null)"
  return 1
}

stop_local_slurm() {
  [ -n "${slurm_dir:-}" ] || return 0
  for pidfile in "$slurm_dir/slurmd.pid" "$slurm_dir/slurmctld.pid" "$slurm_dir/munge/munged.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2> /dev/null
  done
  sleep 1
}
