#pragma once
// Settings of the asymmetric integer group quantizer (SPEC section 2).
#include <cstdint>
#include <string>

namespace invx {

struct QuantConfig {
    int bits = 2;         // 1..8; qmax = 2^bits - 1
    int groupSize = 128;  // weights per group along the input dim; -1 = one group per row

    // Throws invx::Error when bits or the group size are out of range. `width` (the input width of
    // a layer, when known) must be divisible by the group size; `layer` names it in the message.
    void validate(std::int64_t width = 0, const std::string& layer = {}) const;
    std::string describe() const;  // "2-bit, group 128" / "3-bit, per row"
};

}  // namespace invx
