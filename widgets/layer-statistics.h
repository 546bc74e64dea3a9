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

enum class GroupQuantity { Range, MaxAbs, Error, ErrorReduction };
QStringList groupQuantityNames();       // in enum order, for a combo box
QStringList groupQuantityAxisLabels();  // in enum order, short enough for a colour bar
// Row-major [rows, groups] values of `quantity` for `now`; ErrorReduction is start's error minus
// now's (start: the same layer before the search), positive where the search lowered it.
std::vector<double> groupQuantity(const WeightSnapshot& now, const WeightSnapshot& start,
                                  GroupQuantity quantity);
std::int64_t groupCount(const WeightSnapshot& w);  // groups per row
// The value at quantile q (0-1) of `values` (nearest rank).
double quantile(std::vector<double> values, double q);

// Where each neuron went: for new position i, displacement[i] = permutation[i] - i.
std::vector<double> displacement(const LayerInvariance& state);

// One FFN neuron before and after the search. The permutation maps position -> original neuron, so
// original neuron `neuron` sits at position `neuron` before the search and at `position` after.
struct NeuronView {
    std::int64_t neuron = 0, position = 0;
    float scale = 1, angle = 0;  // its scale, and its pair's rotation angle
    std::vector<float> fc1RowBefore, fc1RowAfter, fc1RowQuantized;           // [hidden]
    std::vector<float> fc2ColumnBefore, fc2ColumnAfter, fc2ColumnQuantized;  // [hidden]
    // Mean squared quantization error of the groups holding its weights: fc1 row's groups
    // ([hidden / group]); fc2 column's, one per fc2 row ([hidden]).
    std::vector<double> fc1GroupErrorBefore, fc1GroupErrorAfter;
    std::vector<double> fc2GroupErrorBefore, fc2GroupErrorAfter;
};
// `start` is the layer before the search (identity state), `now` at a checkpoint. Returns an empty
// view (neuron -1) for a neuron outside the layer.
NeuronView neuronView(const LayerSnapshot& start, const LayerSnapshot& now, std::int64_t neuron);
double mean(const std::vector<double>& values);

}  // namespace invx::gui
