#include "invx/quant-config.h"

#include "invx/error.h"

namespace invx {

void QuantConfig::validate(std::int64_t width, const std::string& layer) const {
    if (bits < 1 || bits > 8)
        throw Error("quantization expects --bits between 1 and 8, but got " + std::to_string(bits));
    if (groupSize == 0 || groupSize < -1)
        throw Error("quantization expects --group to be a positive group size or -1 (one group per "
                    "row), but got " + std::to_string(groupSize));
    if (width > 0 && groupSize > 0 && width % groupSize != 0) {
        throw Error("quantization group size " + std::to_string(groupSize) +
                    " does not divide the input width " + std::to_string(width) +
                    (layer.empty() ? std::string() : " of " + layer) +
                    "; choose a group size that divides it, or -1 for one group per row");
    }
}

std::string QuantConfig::describe() const {
    return std::to_string(bits) + "-bit, " +
           (groupSize > 0 ? "group " + std::to_string(groupSize) : std::string("per row"));
}

}  // namespace invx
