#pragma once
// Settings of the asymmetric integer group quantizer (SPEC section 2).
#include <cstdint>
#include <string>

namespace invx {

struct QuantConfig {
    int bits = 2;         // 1..8; qmax = 2^bits - 1
    int groupSize = 128;  // weights per group along the input dim; -1 = one group per row
    // The quantizer's arithmetic: float32 (SPEC), or float16 as llm-awq's pseudo_quantize_tensor
    // computes it on a float16 model, which AWQ in float16 (--awq-precision) ends with. Not a
    // recorded setting: it follows from the base method and its precision.
    bool float16Arithmetic = false;

    // Throws invx::Error when bits or the group size are out of range. `width` (the input width of
    // a layer, when known) must be divisible by the group size; `layer` names it in the message.
    void validate(std::int64_t width = 0, const std::string& layer = {}) const;
    std::string describe() const;  // "2-bit, group 128" / "3-bit, per row"
};

}  // namespace invx
