#include "invx/quant-config.h"

#include "invx/setting-table.h"

namespace invx {

void QuantConfig::validate(std::int64_t width, const std::string& layer) const {
    for (const char* key : {"bits", "group"}) {
        const SettingDeclaration& d = *findSettingDeclaration(key);
        if (auto p = d.check(std::int64_t(key[0] == 'b' ? bits : groupSize)))
            throw SettingError(*p);
    }
    if (groupSize == 0)
        throw SettingError(findSettingDeclaration("group")->problem(
            "must be a positive number of weights or -1 (one group per row), but is 0"));
    if (auto p = widthProblem(width, layer)) throw SettingError(*p);
}

std::optional<SettingProblem> QuantConfig::widthProblem(std::int64_t width,
                                                        const std::string& layer) const {
    if (width <= 0 || groupSize <= 0 || width % groupSize == 0) return std::nullopt;
    return SettingProblem{"group",
                          "The group size " + std::to_string(groupSize) +
                              " does not divide the input width " + std::to_string(width) +
                              (layer.empty() ? std::string() : " of " + layer) +
                              "; choose a group size that divides it, or -1 for one group per row"};
}

std::string QuantConfig::describe() const {
    return std::to_string(bits) + "-bit, " +
           (groupSize > 0 ? "group " + std::to_string(groupSize) : std::string("per row"));
}

}  // namespace invx
