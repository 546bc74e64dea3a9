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
    return {
        QCoreApplication::translate("Inspector", "group range (max - min)"),
        QCoreApplication::translate("Inspector", "max |w| in the group"),
        QCoreApplication::translate("Inspector", "mean squared quantization error"),
        QCoreApplication::translate("Inspector", "error reduction by the search (before − now)")};
}

QStringList groupQuantityAxisLabels() {
    return {QCoreApplication::translate("Inspector", "group range"),
            QCoreApplication::translate("Inspector", "max |w|"),
            QCoreApplication::translate("Inspector", "quantization MSE"),
            QCoreApplication::translate("Inspector", "MSE before − now")};
}

std::int64_t groupCount(const WeightSnapshot& w) {
    return w.groupSize > 0 ? w.cols / w.groupSize : 1;
}

std::vector<double> groupQuantity(const WeightSnapshot& now, const WeightSnapshot& start,
                                  GroupQuantity quantity) {
    const std::size_t cells = now.groupMin.size();
    std::vector<double> out(cells);
    for (std::size_t i = 0; i < cells; ++i) {
        switch (quantity) {
            case GroupQuantity::Range:
                out[i] = double(now.groupMax[i]) - double(now.groupMin[i]);
                break;
            case GroupQuantity::MaxAbs:
                out[i] =
                    std::max(std::abs(double(now.groupMax[i])), std::abs(double(now.groupMin[i])));
                break;
            case GroupQuantity::Error:
                out[i] = now.groupError[i];
                break;
            case GroupQuantity::ErrorReduction:
                out[i] = i < start.groupError.size()
                             ? double(start.groupError[i]) - double(now.groupError[i])
                             : 0.0;
                break;
        }
    }
    return out;
}

double quantile(std::vector<double> values, double q) {
    if (values.empty()) return 0;
    const std::size_t k = std::min(
        values.size() - 1,
        std::size_t(std::ceil(std::clamp(q, 0.0, 1.0) * double(values.size()))) - (q > 0 ? 1 : 0));
    std::nth_element(values.begin(), values.begin() + long(k), values.end());
    return values[k];
}

std::vector<double> displacement(const LayerInvariance& state) {
    std::vector<double> out(state.permutation.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = double(state.permutation[i]) - double(i);
    return out;
}

namespace {

std::vector<float> rowOf(const std::vector<float>& m, std::int64_t cols, std::int64_t row) {
    return {m.begin() + row * cols, m.begin() + (row + 1) * cols};
}

std::vector<float> columnOf(const std::vector<float>& m, std::int64_t rows, std::int64_t cols,
                            std::int64_t column) {
    std::vector<float> out(static_cast<std::size_t>(rows));
    for (std::int64_t r = 0; r < rows; ++r) out[std::size_t(r)] = m[std::size_t(r * cols + column)];
    return out;
}

}  // namespace

NeuronView neuronView(const LayerSnapshot& start, const LayerSnapshot& now, std::int64_t neuron) {
    NeuronView v;
    const auto& permutation = now.invariance.permutation;
    const auto found = std::find(permutation.begin(), permutation.end(), neuron);
    if (neuron < 0 || found == permutation.end() ||
        now.fc1.rows != std::int64_t(permutation.size())) {
        v.neuron = -1;
        return v;
    }
    v.neuron = neuron;
    v.position = found - permutation.begin();
    v.scale = now.invariance.scales.at(std::size_t(neuron));
    if (std::size_t(neuron / 2) < now.invariance.angles.size())
        v.angle = now.invariance.angles[std::size_t(neuron / 2)];
    const WeightSnapshot &fc1Before = start.fc1, &fc1After = now.fc1, &fc2Before = start.fc2,
                         &fc2After = now.fc2;
    v.fc1RowBefore = rowOf(fc1Before.transformed, fc1Before.cols, neuron);
    v.fc1RowAfter = rowOf(fc1After.transformed, fc1After.cols, v.position);
    v.fc1RowQuantized = rowOf(fc1After.quantized, fc1After.cols, v.position);
    v.fc2ColumnBefore = columnOf(fc2Before.transformed, fc2Before.rows, fc2Before.cols, neuron);
    v.fc2ColumnAfter = columnOf(fc2After.transformed, fc2After.rows, fc2After.cols, v.position);
    v.fc2ColumnQuantized = columnOf(fc2After.quantized, fc2After.rows, fc2After.cols, v.position);
    const std::int64_t groups1 = groupCount(fc1After), groups2 = groupCount(fc2After);
    for (std::int64_t g = 0; g < groups1; ++g) {
        v.fc1GroupErrorBefore.push_back(fc1Before.groupError[std::size_t(neuron * groups1 + g)]);
        v.fc1GroupErrorAfter.push_back(fc1After.groupError[std::size_t(v.position * groups1 + g)]);
    }
    const std::int64_t size2 = fc2After.groupSize > 0 ? fc2After.groupSize : fc2After.cols;
    for (std::int64_t r = 0; r < fc2After.rows; ++r) {
        v.fc2GroupErrorBefore.push_back(
            fc2Before.groupError[std::size_t(r * groups2 + neuron / size2)]);
        v.fc2GroupErrorAfter.push_back(
            fc2After.groupError[std::size_t(r * groups2 + v.position / size2)]);
    }
    return v;
}

double mean(const std::vector<double>& values) {
    double sum = 0;
    for (double x : values) sum += x;
    return values.empty() ? 0 : sum / double(values.size());
}

}  // namespace invx::gui
