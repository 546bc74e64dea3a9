#!/usr/bin/env bash
# Install, build with the tests, and run the whole suite (ctest). Test data is read from $INVX_DATA
# (default: ../shared/data beside the project).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" -DINVX_BUILD_TESTS=ON
source "$root/scripts/data-dir.sh"
cd "$root/build"
# One test per core: the suite's tests hold under load (scripts/test-under-load.sh).
ctest --output-on-failure -j "$(nproc)"
