#!/usr/bin/env bash
# Replays the classes of fault that lose runs or make a tool believe something false, against the
# built `invx` (build/app/invx), and prints a table: for each class the cases tried, how many were
# refused with a clear error (exit status 1, "invx: error: ..."),
# accepted as it should be, wrongly accepted (a value believed that is not the file's), crashed
# (a signal), hung (killed after 60 s), and how many experiment files were lost (no longer open,
# or no longer resuming to the uninterrupted end). Exit status 1 when any case crashed, hung, lost a
# file or was wrongly accepted.
#   scripts/fault-injection.sh [--short]     (--short: what CI runs, about 2 minutes)
# Classes: a full disk during a search (ulimit -f, and a small tmpfs where this user may mount
# one); kills inside HDF5's flushes (bench_crash_resume --in-flush); random bytes flipped in a
# finished experiment file (read back with `invx inspect --verify`); FIFOs and devices where a
# model, tokenizer, text or experiment file is expected; integers beyond 32 and 64 bits; a
# Hugging Face cache whose refs/main leaves the cache; weights that are NaN.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/data-dir.sh"
short=0
[ "${1:-}" = --short ] && short=1
invx=$root/build/app/invx
crash_resume=$root/build/benchmarks/bench_crash_resume
[ -x "$invx" ] || { echo "fault-injection: build first (bash scripts/build.sh)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/invx-faults.XXXXXX")
trap 'umount "$work/tmpfs" 2>/dev/null; rm -rf "$work"' EXIT
demo=$root/resources/models/opt-demo
head -c 20000 "$INVX_DATA/wikitext-2-raw/wiki.test.raw" >"$work/eval.txt"
short_eval="--eval-data $work/eval.txt --eval-windows 1 --eval-window 256"

declare -A cases errors accepted wrongs crashes hangs lost
classes=()
unexpected=0
record() {  # class outcome: error | accepted | crash | hang | lost | wrong
  local class=$1 outcome=$2
  [[ " ${classes[*]} " == *" $class "* ]] || classes+=("$class")
  cases[$class]=$((${cases[$class]:-0} + 1))
  case $outcome in
    error) errors[$class]=$((${errors[$class]:-0} + 1)) ;;
    accepted) accepted[$class]=$((${accepted[$class]:-0} + 1)) ;;
    wrong) wrongs[$class]=$((${wrongs[$class]:-0} + 1)); unexpected=1 ;;
    crash) crashes[$class]=$((${crashes[$class]:-0} + 1)); unexpected=1 ;;
    hang) hangs[$class]=$((${hangs[$class]:-0} + 1)); unexpected=1 ;;
    lost) lost[$class]=$((${lost[$class]:-0} + 1)); unexpected=1 ;;
  esac
}

# Runs invx with a time-out; sets $status and $err (stderr) and classifies the exit.
run_invx() {
  timeout -s KILL 60 "$invx" "$@" >"$work/out.txt" 2>"$work/err.txt"
  status=$?
  err=$(cat "$work/err.txt")
}
outcome_of_refusal() {  # a case that must be refused: a sentence and status 1
  if [ "$status" -eq 137 ]; then echo hang
  elif [ "$status" -gt 128 ]; then echo crash
  elif [ "$status" -eq 1 ] && [[ "$err" == *"invx: error: "* ]]; then echo error
  else echo wrong
  fi
}
expect_refusal() {  # class what-to-find-in-the-error invx-arguments...
  local class=$1 needle=$2
  shift 2
  run_invx "$@"
  local outcome
  outcome=$(outcome_of_refusal)
  if [ "$outcome" = error ] && [[ "$err" != *"$needle"* ]]; then outcome=wrong; fi
  [ "$outcome" = error ] || echo "  $class: invx $* -> status $status: $err" >&2
  record "$class" "$outcome"
}

search_args() {  # out steps
  echo search --preset demo --out "$1" --steps "$2" --calibration-samples 2 --calibration-length 128 \
    --eval-data "$work/eval.txt" --eval-windows 1 --eval-window 256 --eval-every-accepted 5 \
    --eval-every-seconds 0 --checkpoint-steps 5 --json --quiet
}
summary_value() { grep '"type":"summary"' "$1" | tail -1 | sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p"; }

echo "fault-injection: the uninterrupted reference run" >&2
steps=120
run_invx $(search_args "$work/reference.h5" $steps)
[ "$status" -eq 0 ] || { echo "the reference run failed: $err" >&2; exit 1; }
cp "$work/out.txt" "$work/reference.json"
reference_loss=$(summary_value "$work/reference.json" best_loss)
reference_size=$(stat -c %s "$work/reference.h5")

# 1. A full disk: the run stops with the cause, its file opens at its last good checkpoint and
#    resumes to the uninterrupted run's end.
full_disk_case() {  # label how-to-limit (a command prefix run by bash)
  local out=$1 prefix=$2
  rm -f "$out" "$out.part"
  bash -c "$prefix; trap '' XFSZ; exec \"$invx\" $(search_args "$out" $steps)" \
    >"$work/out.txt" 2>"$work/err.txt"
  status=$? err=$(cat "$work/err.txt")
  local outcome
  outcome=$(outcome_of_refusal)
  if [ "$outcome" = error ] && ! grep -qE "File too large|No space left" "$work/err.txt"; then
    outcome=wrong
  fi
  if [ "$outcome" = error ]; then
    if ! timeout -s KILL 60 "$invx" inspect --experiment "$out" --verify --no-check >/dev/null 2>&1; then
      outcome=lost
    fi
  fi
  record "disk full" "$outcome"
  [ "$outcome" = error ] || { echo "  disk full ($prefix): status $status: $err" >&2; return; }
  # Room again (the file moves to where there is some) and the run resumes.
  cp "$out" "$work/resumed.h5"
  run_invx search --resume "$work/resumed.h5" --json --quiet
  if [ "$status" -ne 0 ] || [ "$(summary_value "$work/out.txt" best_loss)" != "$reference_loss" ]; then
    echo "  disk full: the resumed run did not reach the uninterrupted end: $err" >&2
    record "resume after disk full" lost
  else
    record "resume after disk full" accepted
  fi
}
limit_kib=$((reference_size * 3 / 4 / 1024))  # room for its first checkpoints, not its end
full_disk_case "$work/cramped.h5" "ulimit -f $limit_kib"
mkdir -p "$work/tmpfs"
if mount -t tmpfs -o size=$((reference_size * 3 / 4)) tmpfs "$work/tmpfs" 2>/dev/null; then
  full_disk_case "$work/tmpfs/full.h5" "true"
  umount "$work/tmpfs"
fi

# 2. Kills inside HDF5's flushes, each tearing the write it interrupts.
kills=$([ $short = 1 ] && echo 3 || echo 100)
if [ -x "$crash_resume" ]; then
  "$crash_resume" --invx "$invx" --work "$work/kills" --eval-data "$work/eval.txt" --kills "$kills" \
    --steps 30 --in-flush 1 >"$work/kills.txt" 2>&1
  identical=$(grep -c -- "-> identical" "$work/kills.txt")
  for ((k = 0; k < kills; ++k)); do
    if [ "$k" -lt "$identical" ]; then record "kill in a flush" accepted; else record "kill in a flush" lost; fi
  done
  [ "$identical" -eq "$kills" ] && grep "kills:" "$work/kills.txt" >&2 || tail -5 "$work/kills.txt" >&2
fi

# 3. Random bytes flipped in a finished file: each read back whole is refused, read as the same
#    file (the byte lay in unused space), or read as ending at its last good checkpoint (and
#    says so); a read that believes other values is "wrongly accepted".
# The summary without the file's own name, which is all a copy changes.
summary_of() { sed 's/"experiment":"[^"]*",//' "$1"; }
"$invx" inspect --experiment "$work/reference.h5" --verify --no-check --json >"$work/intact.json"
summary_of "$work/intact.json" >"$work/intact-summary.json"
flips=$([ $short = 1 ] && echo 20 || echo 300)
python3 - "$work/reference.h5" "$work/flipped-" "$flips" <<'PY'
import os, random, sys
source, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
data = open(source, 'rb').read()
rng = random.Random(7)
for i in range(count):
    b = bytearray(data)
    at = rng.randrange(len(b))
    b[at] ^= 1 << rng.randrange(8)
    open(f"{prefix}{i}.h5", 'wb').write(b)
PY
for ((i = 0; i < flips; ++i)); do
  run_invx inspect --experiment "$work/flipped-$i.h5" --verify --no-check --json
  if [ "$status" -eq 0 ]; then
    if summary_of "$work/out.txt" | cmp -s - "$work/intact-summary.json"; then
      record "byte flipped" accepted
    elif [[ "$err" == *"note: "*"damaged"* ]]; then record "byte flipped" error
    else record "byte flipped" wrong; echo "  flip $i believed: $(head -c 300 "$work/out.txt")" >&2
    fi
  else
    outcome=$(outcome_of_refusal)
    record "byte flipped" "$outcome"
    [ "$outcome" = error ] || echo "  flip $i: status $status: $err" >&2
  fi
  rm -f "$work/flipped-$i.h5"
done

# 4. FIFOs and devices where files are expected: refused at once, never waited on.
for name in model.safetensors config.json vocab.json merges.txt; do
  rm -rf "$work/fifo-model" && cp -r "$demo" "$work/fifo-model"
  rm "$work/fifo-model/$name" && mkfifo "$work/fifo-model/$name"
  expect_refusal "fifo or device" "$name" eval --model "$work/fifo-model" $short_eval
done
mkfifo "$work/eval-fifo.txt"
expect_refusal "fifo or device" "eval-fifo.txt" eval --model "$demo" --eval-data "$work/eval-fifo.txt" \
  --eval-windows 1 --eval-window 256
mkfifo "$work/experiment-fifo.h5"
expect_refusal "fifo or device" "experiment-fifo.h5" inspect --experiment "$work/experiment-fifo.h5" --no-check
expect_refusal "fifo or device" "/dev/zero" eval --model "$demo" --eval-data /dev/zero --eval-windows 1 \
  --eval-window 256

# 5. Integers beyond 32 and 64 bits: refused with the text as typed, never wrapped.
for option in "--group 4294967424" "--bits 4294967298" "--calibration-samples 4294967297" \
  "--steps 18446744073709551617" "--seed 18446744073709551616" "--swap-frac 1e999"; do
  set -- $option
  expect_refusal "integer wrap" "$2" search --preset demo --out "$work/wrap.h5" "$1" "$2"
done

# 6. A Hugging Face cache whose refs/main leaves the cache.
for ref in "../../../../etc" "/etc" "main/../../x"; do
  cache=$work/hf-cache
  rm -rf "$cache" && mkdir -p "$cache/models--facebook--opt-demo/refs" "$cache/models--facebook--opt-demo/snapshots"
  printf '%s' "$ref" >"$cache/models--facebook--opt-demo/refs/main"
  HF_HUB_CACHE=$cache expect_refusal "cache refs/main" "refs/main" eval --model facebook/opt-demo $short_eval
done

# 7. NaN weights: refused with the tensor's name.
rm -rf "$work/nan-model" && cp -r "$demo" "$work/nan-model"
python3 - "$work/nan-model/model.safetensors" <<'PY'
import json, struct, sys
path = sys.argv[1]
with open(path, 'r+b') as f:
    n = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(n))
    name = next(k for k in header if k.endswith('fc1.weight'))
    f.seek(8 + n + header[name]['data_offsets'][0] + 2 * 17)
    f.write(b'\x00\x7e')  # float16 NaN
PY
expect_refusal "non-finite weights" "fc1.weight" eval --model "$work/nan-model" $short_eval

printf '\n%-24s %6s %13s %9s %17s %8s %6s %11s\n' class cases "clear errors" accepted \
  "wrongly accepted" crashes hangs "files lost"
for class in "${classes[@]}"; do
  printf '%-24s %6d %13d %9d %17d %8d %6d %11d\n' "$class" "${cases[$class]}" "${errors[$class]:-0}" \
    "${accepted[$class]:-0}" "${wrongs[$class]:-0}" "${crashes[$class]:-0}" "${hangs[$class]:-0}" \
    "${lost[$class]:-0}"
done
echo "(accepted: a kill resumed bit-identical, a resume reached the uninterrupted end, a flipped"
echo " byte lay where nothing is read; a clear error for a flipped byte includes reading the file"
echo " as ending at its last good checkpoint, with a note)"
[ $unexpected = 0 ] && echo "every case as expected" || echo "UNEXPECTED outcomes above"
exit $unexpected
