#pragma once
// Numbers the inspectors draw, computed from a layer snapshot: histograms of weights and per-group
// quantities on the rows x groups grid.
#include <QString>
#include <QStringList>
#include <vector>

#include "invx/search-records.h"

namespace invx::gui {

struct Histogram {
    double lower = 0, upper = 0;  // the range the bins cover; values outside count in the edge bins
    std::vector<double> counts;   // per bin
    double binWidth() const { return counts.empty() ? 0 : (upper - lower) / double(counts.size()); }
};

// `bins` equal bins over [lower, upper] (lower < upper); every value is counted once.
Histogram histogram(const std::vector<float>& values, double lower, double upper, int bins);
// The range that covers every value of all the given vectors.
std::pair<double, double> valueRange(const std::vector<const std::vector<float>*>& values);
// quantized - transformed, element by element.
std::vector<float> quantizationError(const WeightSnapshot& w);

enum class GroupQuantity { Range, MaxAbs, Error, ErrorChange };
QStringList groupQuantityNames();  // in enum order, for a combo box
// Row-major [rows, groups] values of `quantity` for `now`; ErrorChange is now's error minus
// start's (the same layer at checkpoint 0).
std::vector<double> groupQuantity(const WeightSnapshot& now, const WeightSnapshot& start, GroupQuantity quantity);
std::int64_t groupCount(const WeightSnapshot& w);  // groups per row
// The value at quantile q (0-1) of `values` (nearest rank).
double quantile(std::vector<double> values, double q);

// Where each neuron went: for new position i, displacement[i] = permutation[i] - i.
std::vector<double> displacement(const LayerInvariance& state);

}  // namespace invx::gui
