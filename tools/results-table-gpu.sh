#!/usr/bin/env bash
# The demo model's whole results table (README): InvarExplore over RTN, AWQ and GPTQ at 2 and 3
# bits (group 128, 10,000 steps, --swap-frac 0.02, CUDA float16), then `invx table --evaluate` on
# each experiment file: WikiText-2 and C4 perplexity and the six 5-shot tasks of the full-precision,
# base and searched models, recorded in the files; then the table from all six files.
# Carry .gpu-carry and .gpu-data (gpt2/, wikitext-2-raw/, wikipedia/, c4/, tasks/). The experiment
# files are in out/results-table (RUNS=DIR for another place); both parts pack them into
# OUTDIR/experiments.tar.gz, to carry to the next part as out/results-table.tar.gz:
#   bash tools/results-table-gpu.sh OUTDIR search     # the six searches, in parallel
#   bash tools/results-table-gpu.sh OUTDIR evaluate   # invx table --evaluate per file, in parallel; the table
set -uo pipefail
out=${1:?usage: results-table-gpu.sh OUTDIR search|evaluate}
which=${2:?usage: results-table-gpu.sh OUTDIR search|evaluate}
source tools/gpu-build-invx.sh
model=resources/models/opt-demo
runs=${RUNS:-out/results-table}
# Carried packed (smaller than the files): out/results-table.tar.gz, unpacked here.
if [ ! -d $runs ] && [ -f $runs.tar.gz ]; then mkdir -p $runs && tar xzf $runs.tar.gz -C $runs; fi
mkdir -p $runs
logs=$(mktemp -d)  # packed into OUTDIR/logs.tar.gz: the machine returns only a few files
trap 'tar czf "$out/logs.tar.gz" -C $logs .' EXIT
names="rtn-2bit awq-2bit gptq-2bit rtn-3bit awq-3bit gptq-3bit"

timed() {  # LABEL COMMAND...: runs it, prints its time and how it ended
  local label=$1; shift
  local start=$(date +%s.%N)
  "$@" > "$logs/$label.out" 2> "$logs/$label.err"
  local rc=$?
  echo "== $label: exit $rc, $(python3 -c "import time; print(f'{time.time() - $start:.1f}')") s"
  [ $rc = 0 ] || tail -3 "$logs/$label.err"
}

case $which in
  search)
    for name in $names; do
      base=${name%-*}; bits=${name#*-}; bits=${bits%bit}
      rm -f $runs/$name.h5
      timed search-$name build-gpu/app/invx search --model $model --out $runs/$name.h5 --base $base --bits $bits --group 128 \
        --steps 10000 --swap-frac 0.02 --eval-data none --device cuda --dtype float16 --threads 2 --quiet &
    done
    wait
    tar czf "$out/experiments.tar.gz" -C $runs . ;;
  evaluate)
    # The full-precision row once (with the first file); each file's base and searched rows. A
    # value is recorded as soon as it is measured, so a part cut short is continued by running it again.
    for name in $names; do
      rows=base,searched; [ $name = rtn-2bit ] && rows=full-precision,base,searched
      timed evaluate-$name timeout ${EVAL_SECONDS:-470} build-gpu/app/invx table $runs/$name.h5 --evaluate --models $rows \
        --device cuda --dtype float16 --threads 2 --quiet &
    done
    wait
    files=$(for name in $names; do echo $runs/$name.h5; done)
    for format in markdown latex csv; do build-gpu/app/invx table $files --format $format --output "$out/table.$format"; done
    cat "$out/table.markdown"
    tar czf "$out/experiments.tar.gz" -C $runs . ;;
  *) echo "unknown part '$which' (search, evaluate)"; exit 2 ;;
esac
