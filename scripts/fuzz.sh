#!/usr/bin/env bash
# Fuzzes every reader of outside files with libFuzzer (clang, AddressSanitizer, UBSan): the
# safetensors header, a checkpoint directory (config.json, index, shards), tokenizer files, the
# state_dict unpickler and the experiment-file reader on generated HDF5 files.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   (default 600 s, every target)
# Corpora grow in out/fuzz/corpus/<target> (seeded from fuzz/corpus/<target>); a crash is written
# to out/fuzz/crashes/<target>-crash-*; the summary gives each target's executions. Exit status 1
# when any target found a crash. Targets run two at a time (nproc at most).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(safetensors_header checkpoint_directory tokenizer unpickler experiment_file)
missing=()
for p in clang libfuzzer-14-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
build=$root/build-fuzz
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DINVX_FUZZ=ON -DINVX_BUILD_TESTS=OFF -DINVX_BUILD_GUI=OFF -DINVX_BUILD_CLI=OFF -DINVX_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}")
out=$root/out/fuzz
mkdir -p "$out/crashes" "$out/logs"
parallel=$(( $(nproc) < 2 ? 1 : 2 ))
export ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run() {
  local t=$1 corpus=$out/corpus/$1
  mkdir -p "$corpus"
  [ -d "$root/fuzz/corpus/$t" ] && cp -n "$root/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null || true
  "$build/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=4096 -timeout=30 \
    -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" >"$out/logs/$t.log" 2>&1
}
status=0
pids=()
for t in "${targets[@]}"; do
  run "$t" & pids+=("$!:$t")
  if [ ${#pids[@]} -ge "$parallel" ]; then
    entry=${pids[0]}; pids=("${pids[@]:1}")
    wait "${entry%%:*}" || status=1
  fi
done
for entry in "${pids[@]}"; do wait "${entry%%:*}" || status=1; done
printf '%-22s %14s %10s %s\n' target executions "exec/s" result
for t in "${targets[@]}"; do
  log=$out/logs/$t.log
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  result="no crash in ${seconds} s"
  grep -q -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error:|deadly signal' "$log" && result="CRASH: see $log" && status=1
  printf '%-22s %14s %10s %s\n' "$t" "${runs:-?}" "${rate:-?}" "$result"
done
exit $status
