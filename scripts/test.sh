#!/usr/bin/env bash
# Install, build with the tests, and run the whole suite (ctest). Test data is read from $INVX_DATA
# (default: ../shared/data beside the project).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh" -DINVX_BUILD_TESTS=ON
data=${INVX_DATA:-$root/../shared/data}
[ -d "$data" ] && data=$(cd "$data" && pwd)  # absolute: the tests run from build/
export INVX_DATA=$data
cd "$root/build"
ctest --output-on-failure
