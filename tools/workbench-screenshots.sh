#!/usr/bin/env bash
# The workbench screenshots in docs/images, taken on a real X server (Xvfb): an ablation of the
# invariances on the demo model (8 runs), their comparison (the seed-0 runs; P and P+S+R as seed
# groups), the three inspector tabs on the P+S+R run, the inspector on a run whose model is not on
# this machine (a short demo search on a copy of the demo model, the copy then removed), and a live
# run; the inspector's figures
# exported in the ICML column style go to WORK_DIR/inspector-figures. The seed groups' figures are
# exported as PDF (WORK_DIR/figures-icml-column, figures-icml-double) and rendered into docs/images
# by pdftoppm, as a reader's PDF viewer shows them. About 15 minutes on 2 cores the first time, 1 minute once the
# ablation exists in WORK_DIR. The Results tab is taken when RESULTS_DIR holds the experiment files
# of tools/results-table-gpu.sh (default out/results-table). Last, the study table: the paper's
# Table 2 study over AWQ (8 runs, AWQ calibrated once) evaluated quickly on C4 and the six tasks
# (about 20 minutes more the first time); ONLY=study takes that one alone.
# Usage: tools/workbench-screenshots.sh [OUT_DIR] [WORK_DIR] [STEPS] [RESULTS_DIR] [ONLY]
# One shot alone (about 40 s): build/app/workbench/workbench-screenshots OUT_DIR WORK_DIR --only
# inspector-no-model (or review: the form refusing group 7, a paused run's status line and the
# inspector on it, into WORK_DIR to look at), under xvfb-run -s "-screen 0 1600x1000x24".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/images}
work=${2:-$root/out/screenshots}
steps=${3:-250}
results=${4:-$root/out/results-table}
source "$root/scripts/data-dir.sh"
for p in xvfb xauth poppler-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ -n "${missing[*]-}" ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
bash "$root/scripts/build.sh" -DINVX_BUILD_SCREENSHOTS=ON >/dev/null
mkdir -p "$work"
only=${5:-}
xvfb-run -a -s "-screen 0 1600x1000x24" "$root/build/app/workbench/workbench-screenshots" "$out" "$work" "$steps" "$results" ${only:+--only "$only"}
[ "$only" = study ] && exit 0
pdftoppm -png -r 200 -singlefile "$work/figures-icml-column/loss.pdf" "$out/figure-icml-column-loss"
pdftoppm -png -r 150 -singlefile "$work/figures-icml-double/panel.pdf" "$out/figure-icml-double-panel"
