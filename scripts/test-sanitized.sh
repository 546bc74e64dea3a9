#!/usr/bin/env bash
# The core's test suite built with AddressSanitizer and UBSan (INVX_SANITIZE) into build-asan/, and
# run: memory errors, undefined behaviour and leaks fail it. The window's tests are left out (no
# GUI in this build): the readers of outside files, the search and the experiment file are all in
# the core. CI runs it after scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup-debian.sh"
cmake -S "$root" -B "$root/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=Release -DINVX_SANITIZE=ON -DINVX_BUILD_TESTS=ON \
  -DINVX_BUILD_GUI=OFF -DINVX_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$root/build-asan"
source "$root/scripts/data-dir.sh"
# Leaks of our own fail the run; those of the libraries we load once (libtorch's registries, HDF5,
# OpenBLAS) are listed in the suppressions file.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:allocator_may_return_null=1
export LSAN_OPTIONS=suppressions=$root/tests/sanitizer/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cd "$root/build-asan"
# The real-Slurm test (tests/slurm) checks the scheduler's side, minutes of searches; scripts/test.sh
# runs it, and its study code's parsing and script are in tst_slurm_study here.
ctest --output-on-failure -j "$(nproc)" -E '^tst_slurm_cluster$'
