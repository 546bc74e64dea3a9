#include "layer-statistics.h"

#include <QCoreApplication>
#include <algorithm>
#include <cmath>
#include <limits>

namespace invx::gui {

Histogram histogram(const std::vector<float>& values, double lower, double upper, int bins) {
    Histogram h;
    h.lower = lower;
    h.upper = upper > lower ? upper : lower + 1;
    h.counts.assign(std::size_t(std::max(bins, 1)), 0.0);
    const double scale = double(h.counts.size()) / (h.upper - h.lower);
    const long last = long(h.counts.size()) - 1;
    for (float v : values) {
        const long bin = std::isfinite(v) ? long(std::floor((double(v) - h.lower) * scale)) : 0;
        h.counts[std::size_t(std::clamp(bin, 0L, last))] += 1;
    }
    return h;
}

std::pair<double, double> valueRange(const std::vector<const std::vector<float>*>& values) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (const auto* v : values)
        for (float x : *v)
            if (std::isfinite(x)) lo = std::min(lo, double(x)), hi = std::max(hi, double(x));
    if (!(lo <= hi)) return {0, 1};
    if (lo == hi) return {lo - 0.5, hi + 0.5};
    return {lo, hi};
}

std::vector<float> quantizationError(const WeightSnapshot& w) {
    std::vector<float> out(w.quantized.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = w.quantized[i] - w.transformed[i];
    return out;
}

QStringList groupQuantityNames() {
    return {QCoreApplication::translate("Inspector", "group range (max - min)"),
            QCoreApplication::translate("Inspector", "max |w| in the group"),
            QCoreApplication::translate("Inspector", "mean squared quantization error"),
            QCoreApplication::translate("Inspector", "change of the error since the start")};
}

std::int64_t groupCount(const WeightSnapshot& w) { return w.groupSize > 0 ? w.cols / w.groupSize : 1; }

std::vector<double> groupQuantity(const WeightSnapshot& now, const WeightSnapshot& start, GroupQuantity quantity) {
    const std::size_t cells = now.groupMin.size();
    std::vector<double> out(cells);
    for (std::size_t i = 0; i < cells; ++i) {
        switch (quantity) {
            case GroupQuantity::Range: out[i] = double(now.groupMax[i]) - double(now.groupMin[i]); break;
            case GroupQuantity::MaxAbs: out[i] = std::max(std::abs(double(now.groupMax[i])), std::abs(double(now.groupMin[i]))); break;
            case GroupQuantity::Error: out[i] = now.groupError[i]; break;
            case GroupQuantity::ErrorChange:
                out[i] = i < start.groupError.size() ? double(now.groupError[i]) - double(start.groupError[i]) : 0.0;
                break;
        }
    }
    return out;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty()) return 0;
    const std::size_t k = std::min(values.size() - 1, std::size_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(values.size()))) - (q > 0 ? 1 : 0));
    std::nth_element(values.begin(), values.begin() + long(k), values.end());
    return values[k];
}

std::vector<double> displacement(const LayerInvariance& state) {
    std::vector<double> out(state.permutation.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = double(state.permutation[i]) - double(i);
    return out;
}

}  // namespace invx::gui
