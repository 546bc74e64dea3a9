#include "layer-acceptance.h"

#include <algorithm>
#include <limits>

namespace invx::gui {

void LayerAcceptance::extend(const RunData& run) {
    for (std::size_t i = counted_; i < run.layer.size(); ++i) {
        const std::size_t l = std::size_t(run.layer[i]);
        if (l >= proposed_.size()) proposed_.resize(l + 1, 0.0), accepted_.resize(l + 1, 0.0);
        proposed_[l] += 1;
        accepted_[l] += run.accepted[i];
    }
    counted_ = std::max(counted_, run.layer.size());
}

std::vector<double> LayerAcceptance::rates(const RunData& run) const {
    const std::size_t layers =
        std::max(std::size_t(std::max(run.model.layers, 0)), proposed_.size());
    std::vector<double> out(layers, std::numeric_limits<double>::quiet_NaN());
    for (std::size_t l = 0; l < proposed_.size(); ++l)
        if (proposed_[l] > 0) out[l] = accepted_[l] / proposed_[l];
    return out;
}

}  // namespace invx::gui
