#!/usr/bin/env bash
# A study on a real Slurm cluster: a one-node cluster started here from Debian's packages
# (local-slurm.sh), a 2 x 2 study of short demo searches over GPTQ submitted with `invx study
# submit --slurm`, one search task cancelled with scancel once it has checkpointed and resubmitted.
# Checks: the base job ran once, the four files finished, the evaluation array recorded its values,
# the study's table equals the one `invx study run` gives on this machine for the same seeds, and the
# cancelled task resumed (from its checkpoint, not from the start) to the same final loss.
# Exit status 77 (ctest: skipped), with the reason, where the cluster cannot be started.
# Usage: tst_slurm_study.sh INVX
set -uo pipefail
invx=$(realpath "${1:?usage: tst_slurm_study.sh INVX}")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/invx-slurm-study.XXXXXX)
chmod 755 "$work"  # munged runs as the munge user
source "$here/local-slurm.sh"
trap 'stop_local_slurm; rm -rf "$work"' EXIT
if ! start_local_slurm "$work/cluster" 2; then
  echo "SKIPPED: no Slurm cluster could be started on this machine: $slurm_problem"
  exit 77
fi

fail() {
  echo "FAIL: $*"
  echo "--- invx study status"; "$invx" study status "$work/slurm-study"
  echo "--- squeue"; squeue --states=all
  for f in "$work"/slurm-study/slurm/*.out; do echo "--- $f"; tail -5 "$f"; done
  exit 1
}

create() {  # FOLDER: the 2 x 2 study, 60 steps each, a checkpoint every 20
  "$invx" study create "$1" invariances=P,PSR seed=0,1 --model opt-demo --preset demo --base gptq \
    --bits 2 --group 64 --steps 60 --checkpoint-steps 20 --base-calibration-samples 8 \
    --evaluation quick --quick-windows 2 --quick-items 4 > /dev/null || fail "invx study create"
}

steps_of() {  # FILE: the steps its file records (0 when it has none yet)
  "$invx" inspect --experiment "$1" --no-check --json 2> /dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["steps"])' 2> /dev/null || echo 0
}

last_checkpoint_of() {
  "$invx" inspect --experiment "$1" --no-check --json 2> /dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["checkpoints"][-1])' 2> /dev/null || echo 0
}

best_loss_of() {
  "$invx" inspect --experiment "$1" --no-check --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["best_loss"])'
}

ours_waiting() {  # the study's jobs Slurm still has pending or running
  squeue -h -t pending,running -o %i -n "invx-slurm-study-check,invx-slurm-study-base,invx-slurm-study-search,invx-slurm-study-evaluate" | wc -l
}

study=$work/slurm-study
create "$study"
# Clear errors: no sbatch on PATH, and a submission Slurm refuses (its message quoted).
message=$(PATH=/usr/local/nothing "$invx" study submit "$study" --slurm 2>&1) && fail "a submission without sbatch succeeded"
grep -q "there is no sbatch on PATH" <<< "$message" || fail "without sbatch: $message"
message=$("$invx" study submit "$study" --slurm --partition no-such-partition 2>&1) && fail "a refused submission succeeded"
grep -q "Slurm refused the study's check job" <<< "$message" && grep -qi "partition" <<< "$message" ||
  fail "a refused submission says: $message"
"$invx" study submit "$study" --slurm --cpus-per-task 1 --time 20:00 || fail "invx study submit"
[ -f "$study/study.sbatch" ] || fail "no study.sbatch was written"

# Cancel variant 3's search once it has checkpointed past its start, then resubmit it.
victim=$study/invariances-PSR_seed-1.h5
for _ in $(seq 600); do
  [ -f "$victim" ] && [ "$(last_checkpoint_of "$victim")" -ge 20 ] && break
  sleep 0.5
done
[ "$(last_checkpoint_of "$victim")" -ge 20 ] || fail "variant 3 never reached its first checkpoint"
cancelled_at=$(steps_of "$victim")
"$invx" study cancel "$study" --variant 3 || fail "invx study cancel"
for _ in $(seq 60); do
  "$invx" study status "$study" | grep -E "^3 " | grep -q cancelled && break
  sleep 1
done
"$invx" study status "$study" | grep -E "^3 " | grep -q cancelled || fail "variant 3 is not shown as cancelled"
[ "$cancelled_at" -lt 60 ] || fail "variant 3 had finished before it was cancelled"
"$invx" study resubmit "$study" || fail "invx study resubmit"

for _ in $(seq 900); do
  [ "$(ours_waiting)" = 0 ] && break
  sleep 1
done
[ "$(ours_waiting)" = 0 ] || fail "the study's jobs did not end within 15 minutes"
"$invx" study status "$study" | tee "$work/status.txt"

# The base job ran once; every variant finished; the evaluation array ran for each.
bases=$(ls "$study"/slurm/invx-slurm-study-base-*.out 2> /dev/null | wc -l)
[ "$bases" = 1 ] || fail "the base job ran $bases times, not once"
[ "$(grep -c 'finished, 60 of 60 steps' "$work/status.txt")" = 4 ] || fail "not every variant finished"
[ "$(grep -cE 'completed \([0-9]+_[0-9]\)$' "$work/status.txt")" = 4 ] || fail "not every evaluation task completed"
grep -q "Resumed\|resum" "$study"/slurm/invx-slurm-study-search-*_3.out ||
  echo "note: the resubmitted task's output does not mention resuming"

# The same study on this machine, two variants at a time, one thread each as on the cluster.
local_study=$work/local-study
create "$local_study"
"$invx" study run "$local_study" --parallel 2 --threads 1 > "$work/local.log" 2>&1 || { cat "$work/local.log"; fail "invx study run"; }

files() { ls "$1"/invariances-*.h5; }
"$invx" table $(files "$study") > "$work/slurm-table.md" 2> /dev/null
"$invx" table $(files "$local_study") > "$work/local-table.md" 2> /dev/null
grep -q "GPTQ + InvarExplore" "$work/slurm-table.md" || fail "the study's table has no searched rows"
if grep "GPTQ + InvarExplore" "$work/slurm-table.md" | grep -q " – | – | – | – | – | – | – |"; then
  fail "the evaluation array did not record C4 and the tasks: $(cat "$work/slurm-table.md")"
fi
diff "$work/slurm-table.md" "$work/local-table.md" > "$work/table.diff" ||
  fail "the cluster's table differs from this machine's: $(cat "$work/table.diff")"

# The cancelled and resumed variant ends where the uninterrupted one does, bit for bit.
resumed=$(best_loss_of "$victim")
uninterrupted=$(best_loss_of "$local_study/invariances-PSR_seed-1.h5")
[ "$resumed" = "$uninterrupted" ] ||
  fail "variant 3, cancelled at step $cancelled_at and resumed, ends at loss $resumed, the uninterrupted run at $uninterrupted"
echo "PASS: base job once, 4 variants finished and evaluated, tables equal, variant 3 cancelled at step $cancelled_at resumed to loss $resumed"
cat "$work/slurm-table.md"
