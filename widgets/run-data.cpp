#include "run-data.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace invx::gui {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

void RunData::append(const StepRecord& r) {
    step.push_back(double(r.step));
    seconds.push_back(r.elapsedSeconds);
    loss.push_back(r.loss);
    ce.push_back(r.ce);
    mse.push_back(r.mse);
    acceptance.push_back(r.acceptanceRate);
    recentAcceptance.push_back(r.recentAcceptanceRate);
    layer.push_back(r.layer);
    accepted.push_back(r.accepted ? 1 : 0);
    const bool first = stateLoss.empty();
    const double baseCe = base ? base->ce0 : r.ce, baseMse = base ? base->mse0 : r.mse;
    stateLoss.push_back(r.accepted ? r.loss : first ? 1.0 + settings.alpha : stateLoss.back());
    stateCe.push_back(r.accepted ? r.ce : first ? baseCe : stateCe.back());
    stateMse.push_back(r.accepted ? r.mse : first ? baseMse : stateMse.back());
}

void RunData::truncateFrom(std::int64_t first) {
    const std::size_t keep =
        std::size_t(std::lower_bound(step.begin(), step.end(), double(first)) - step.begin());
    for (auto* column : {&step, &seconds, &loss, &ce, &mse, &acceptance, &recentAcceptance,
                         &stateLoss, &stateCe, &stateMse})
        column->resize(std::min(column->size(), keep));
    layer.resize(std::min(layer.size(), keep));
    accepted.resize(std::min(accepted.size(), keep));
    // An evaluation at step s describes the state after s steps; it stays when s < first.
    while (!evaluations.empty() && evaluations.back().step >= first) evaluations.pop_back();
}

std::int64_t RunData::nearestCheckpoint(double at) const {
    std::int64_t best = -1;
    for (std::size_t i = 0; i < checkpointSteps.size(); ++i)
        if (best < 0 || std::abs(double(checkpointSteps[i]) - at) <
                            std::abs(double(checkpointSteps[std::size_t(best)]) - at))
            best = std::int64_t(i);
    return best;
}

double RunData::bestLoss() const {
    // The search keeps the best (accepted) state; its loss is the smallest accepted loss, and the
    // base's 1 + alpha (CE/CE0 = MSE/MSE0 = 1) before any acceptance.
    if (!stateLoss.empty()) return stateLoss.back();  // accepted losses only ever fall
    return base ? 1.0 + settings.alpha : kNaN;
}

double RunData::bestPerplexity() const {
    double best = kNaN;
    for (const auto& e : evaluations)
        if (!(e.perplexity >= best)) best = e.perplexity;
    return best;
}

double RunData::finalPerplexity() const {
    return evaluations.empty() ? kNaN : evaluations.back().perplexity;
}

double RunData::acceptanceRate() const { return acceptance.empty() ? kNaN : acceptance.back(); }

double RunData::searchSeconds() const { return seconds.empty() ? 0.0 : seconds.back(); }

std::vector<double> RunData::acceptancePerLayer() const {
    int layers = model.layers;
    for (int l : layer) layers = std::max(layers, l + 1);
    std::vector<double> proposed(std::size_t(std::max(layers, 0)), 0.0),
        taken(proposed.size(), 0.0);
    for (std::size_t i = 0; i < layer.size(); ++i) {
        proposed[std::size_t(layer[i])] += 1;
        taken[std::size_t(layer[i])] += accepted[i];
    }
    for (std::size_t l = 0; l < proposed.size(); ++l)
        taken[l] = proposed[l] > 0 ? taken[l] / proposed[l] : kNaN;
    return taken;
}

}  // namespace invx::gui
