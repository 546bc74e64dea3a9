#pragma once
// Display-only downsampling of a curve with sorted x: per pixel column, the first point, the
// minimum and the maximum (in their order) and the last point, so spikes stay visible and lines
// connect across columns; a crowded column (9 points or more) keeps only its minimum and maximum.
// The data itself is never thinned.
#include <QVector>
#include <cstddef>
#include <vector>

namespace invx::gui {

struct DecimatedSeries {
    QVector<double> x, y;
};

// Where the minimum and maximum of every block of kBlock points are, so that decimating a long
// visible range reads one summary per block instead of every point. Built once for a series and
// extended as it grows: only the new points are read.
struct MinMaxBlocks {
    static constexpr std::size_t kBlock = 64;
    static constexpr std::size_t kNone = ~std::size_t(0);  // a block without a finite value
    std::vector<std::size_t> minAt, maxAt;
    std::vector<double> minValue, maxValue;  // y at minAt and maxAt (unset where kNone)
    std::size_t points = 0;                  // the series' points summarised so far
};
MinMaxBlocks buildMinMaxBlocks(const double* y, std::size_t n);
// Extends `blocks` (over the first blocks->points of y) to the first n points of y: the same
// summary buildMinMaxBlocks(y, n) gives, reading y[blocks->points, n) alone.
void extendMinMaxBlocks(MinMaxBlocks* blocks, const double* y, std::size_t n);

// Points of (x, y) with x in [lower, upper] (plus one neighbour each side, so the line reaches the
// edges), reduced to at most 4 per pixel column of `pixels` columns. `logX` places columns on a
// log scale. Points with a non-finite y are skipped. x must be sorted ascending.
DecimatedSeries decimateMinMax(const double* x, const double* y, std::size_t n, double lower,
                               double upper, int pixels, bool logX,
                               const MinMaxBlocks* blocks = nullptr);

}  // namespace invx::gui
