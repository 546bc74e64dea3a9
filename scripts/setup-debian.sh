#!/usr/bin/env bash
# Installs the Debian 12 packages that InvarExplore Workbench needs to build and test.
# Idempotent: packages already present are skipped, and apt is not touched when nothing is missing.
# Usage: scripts/setup-debian.sh [--no-gui]
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libtorch-dev libopenblas0-pthread
  libhdf5-dev hdf5-tools nlohmann-json3-dev libpcre2-dev  # HDF5: experiment files; h5dump reads them
  slurmctld slurmd slurm-client munge  # tests/slurm starts a one-node cluster for `invx study submit`
)
gui_packages=(qt6-base-dev qt6-svg-dev qt6-tools-dev qt6-l10n-tools libqcustomplot-dev fonts-dejavu-core)
# Qt Test is part of qt6-base-dev; the test suite needs it even without the GUI (then configure
# with -DINVX_BUILD_GUI=OFF).
[ "${1:-}" = "--no-gui" ] && gui_packages=(qt6-base-dev)

missing=()
for p in "${packages[@]}" "${gui_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian packages present"
  exit 0
fi

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
