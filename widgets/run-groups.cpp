#include "run-groups.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "invx/setting-table.h"

namespace invx::gui {

std::vector<std::vector<int>> groupBySeed(const std::vector<SearchSettings>& settings,
                                          const std::vector<ModelIdentity>& models) {
    std::vector<std::vector<int>> groups;
    std::vector<std::string> keys;  // every setting but the seed, and the model
    for (std::size_t i = 0; i < settings.size(); ++i) {
        SearchSettings withoutSeed = settings[i];
        withoutSeed.seed = 0;
        // A run given more steps later is still the same run; one of no steps (invx quantize:
        // the base method alone) is not one of the search's seeds.
        withoutSeed.steps = settings[i].steps > 0 ? 1 : 0;
        const std::string key =
            withoutSeed.toJson() + (i < models.size() ? models[i].fingerprint : std::string());
        const auto at = std::find(keys.begin(), keys.end(), key);
        if (at == keys.end()) {
            keys.push_back(key);
            groups.push_back({int(i)});
        } else {
            groups[std::size_t(at - keys.begin())].push_back(int(i));
        }
    }
    return groups;
}

namespace {

// `run` at `x`, linear between its neighbours; NaN outside its range.
double valueAt(const Series& run, double x) {
    const std::vector<double>& xs = *run.x;
    const std::vector<double>& ys = *run.y;
    const auto at = std::lower_bound(xs.begin(), xs.end(), x);
    if (at == xs.end()) return std::numeric_limits<double>::quiet_NaN();
    const std::size_t i = std::size_t(at - xs.begin());
    if (*at == x) return ys[i];
    if (i == 0) return std::numeric_limits<double>::quiet_NaN();
    const double t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    return ys[i - 1] + t * (ys[i] - ys[i - 1]);
}

}  // namespace

GroupSeries groupSeries(const std::vector<Series>& runs, BandKind band) {
    GroupSeries out;
    if (runs.empty()) return out;
    double from = -std::numeric_limits<double>::infinity(),
           to = std::numeric_limits<double>::infinity();
    std::vector<double> xs;
    for (const Series& r : runs) {
        if (r.x->empty()) return out;
        from = std::max(from, r.x->front());
        to = std::min(to, r.x->back());
        xs.insert(xs.end(), r.x->begin(), r.x->end());
    }
    std::sort(xs.begin(), xs.end());
    xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
    for (double x : xs) {
        if (x < from || x > to) continue;
        double sum = 0, low = std::numeric_limits<double>::infinity(), high = -low;
        std::vector<double> values;
        for (const Series& r : runs) {
            const double v = valueAt(r, x);
            if (std::isnan(v)) continue;
            values.push_back(v);
            sum += v, low = std::min(low, v), high = std::max(high, v);
        }
        if (values.empty()) continue;
        const double mean = sum / double(values.size());
        double lower = low, upper = high;
        if (band == BandKind::StandardDeviation) {
            double squares = 0;
            for (double v : values) squares += (v - mean) * (v - mean);
            const double sd =
                values.size() > 1 ? std::sqrt(squares / double(values.size() - 1)) : 0.0;
            lower = mean - sd, upper = mean + sd;
        }
        out.x.push_back(x), out.mean.push_back(mean), out.lower.push_back(lower),
            out.upper.push_back(upper);
        out.n.push_back(int(values.size()));
    }
    return out;
}

}  // namespace invx::gui
