#!/usr/bin/env bash
# The tree's own rules, checked in CI: one formatting (clang-format over every tracked C++ and CUDA
# source, as .clang-format says), and rooms of the core that include only the rooms before them
# (core/README.md). Prints what breaks a rule and exits 1; nothing changes.
#   scripts/check-tree.sh [--fix]   (--fix formats the files in place)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
status=0

mapfile -t sources < <(git ls-files '*.cpp' '*.h' '*.cu')
if [ "${1:-}" = "--fix" ]; then
  clang-format -i "${sources[@]}"
elif ! clang-format --dry-run -Werror "${sources[@]}" 2>/tmp/invx-clang-format.log; then
  echo "check-tree: these files are not formatted as .clang-format says (scripts/check-tree.sh --fix formats them):"
  grep -o '^[^:]*\.\(cpp\|h\|cu\):' /tmp/invx-clang-format.log | sort -u | sed 's/:$//; s/^/  /'
  status=1
fi

# The core's rooms in order; a room may include itself and the rooms before it.
rooms=(records io text model kernels quant metrics search eval)
for i in "${!rooms[@]}"; do
  room=${rooms[$i]}
  allowed=" invx ${rooms[*]:0:$((i + 1))} "
  while IFS= read -r line; do
    used=$(sed -E 's/.*#include "([a-z]+)\/.*/\1/' <<<"$line")
    if [[ "$allowed" != *" $used "* ]]; then
      echo "check-tree: core/src/$room includes the later room $used: $line"
      status=1
    fi
  done < <(grep -rHE '#include "[a-z]+/' "core/src/$room" --include='*.cpp' --include='*.h' --include='*.cu' || true)
done
[ $status -eq 0 ] && echo "check-tree: formatting and the core's rooms are in order"
exit $status
