#pragma once
// Layer snapshots with known numbers for the inspector and statistics tests.
#include <cstdint>

#include "layer-inspector-source.h"

namespace invx::test {

// A layer snapshot with known numbers: rows x cols weights, groups of `group`, a shuffled
// permutation.
WeightSnapshot syntheticMatrix(const char* name, std::int64_t rows, std::int64_t cols,
                               std::int64_t group, float shift);

}  // namespace invx::test
