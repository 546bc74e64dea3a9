#pragma once
// Runs as a paper's figure shows them: runs that differ only by their seed are one group, drawn as
// the mean curve with a band (min to max, or mean ± sample standard deviation) and an n.
#include <vector>

#include "invx/search-records.h"
#include "invx/search-settings.h"

namespace invx::gui {

// Indices of the runs that share everything but the seed (the model included), in first-seen order;
// a run alike with no other is a group of one.
std::vector<std::vector<int>> groupBySeed(const std::vector<SearchSettings>& settings,
                                          const std::vector<ModelIdentity>& models);

enum class BandKind {
    MinMax,             // the lowest and highest run
    StandardDeviation,  // mean ± the sample standard deviation
};

// One curve of each run: x ascending.
struct Series {
    const std::vector<double>* x;
    const std::vector<double>* y;
};

struct GroupSeries {
    std::vector<double> x, mean, lower, upper;
    std::vector<int> n;  // runs behind each point
};

// The group's mean and band over the x range every run covers, at every x some run has; a run
// without a point at an x contributes its value interpolated linearly between its neighbours (the
// step curves all have every step; evaluations fall at other steps in each run). NaN values are
// left out of a point. Empty when the runs share no range.
GroupSeries groupSeries(const std::vector<Series>& runs, BandKind band);

}  // namespace invx::gui
