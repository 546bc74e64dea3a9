#!/usr/bin/env bash
# Installs missing Debian packages, then configures and builds into build/ (Ninja, ccache, Release).
# Usage: scripts/build.sh [extra CMake options]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup-debian.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build "$root/build"
