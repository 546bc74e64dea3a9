#pragma once
// Settings of the asymmetric integer group quantizer (SPEC section 2).
#include <cstdint>
#include <optional>
#include <string>

#include "invx/setting-problem.h"

namespace invx {

struct QuantConfig {
    int bits = 2;         // 1..8; qmax = 2^bits - 1
    int groupSize = 128;  // weights per group along the input dim; -1 = one group per row
    // The quantizer's arithmetic: float32 (SPEC), or float16 as llm-awq's pseudo_quantize_tensor
    // computes it on a float16 model, which AWQ in float16 (--awq-precision) ends with. Not a
    // recorded setting: it follows from the base method and its precision.
    bool float16Arithmetic = false;

    // The largest code: 2^bits - 1.
    int qmax() const { return (1 << bits) - 1; }
    // Weights per group in a row of `cols` weights: the group size, or the whole row for -1.
    std::int64_t groupWidth(std::int64_t cols) const { return groupSize > 0 ? groupSize : cols; }
    // Groups per row of `cols` weights.
    std::int64_t groupsPerRow(std::int64_t cols) const { return cols / groupWidth(cols); }

    // Throws SettingError when bits or the group size are out of range, or when the group size does
    // not divide `width` (the input width of a layer, when known; `layer` names it).
    void validate(std::int64_t width = 0, const std::string& layer = {}) const;
    // The group size against one layer's input width: a problem when it does not divide it.
    std::optional<SettingProblem> widthProblem(std::int64_t width, const std::string& layer) const;
    std::string describe() const;  // "2-bit, group 128" / "3-bit, per row"
};

}  // namespace invx
