#include "series-decimation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace invx::gui {

MinMaxBlocks buildMinMaxBlocks(const double* y, std::size_t n) {
    MinMaxBlocks b;
    extendMinMaxBlocks(&b, y, n);
    return b;
}

void extendMinMaxBlocks(MinMaxBlocks* b, const double* y, std::size_t n) {
    if (n <= b->points) return;
    const std::size_t count = (n + MinMaxBlocks::kBlock - 1) / MinMaxBlocks::kBlock;
    // The last block may be partial: its summary so far stays and takes in the new points.
    b->minAt.resize(count, MinMaxBlocks::kNone);
    b->maxAt.resize(count, MinMaxBlocks::kNone);
    b->minValue.resize(count, 0.0);
    b->maxValue.resize(count, 0.0);
    for (std::size_t i = b->points; i < n; ++i) {
        if (!std::isfinite(y[i])) continue;
        const std::size_t k = i / MinMaxBlocks::kBlock;
        if (b->minAt[k] == MinMaxBlocks::kNone || y[i] < b->minValue[k])
            b->minAt[k] = i, b->minValue[k] = y[i];
        if (b->maxAt[k] == MinMaxBlocks::kNone || y[i] > b->maxValue[k])
            b->maxAt[k] = i, b->maxValue[k] = y[i];
    }
    b->points = n;
}

namespace {

// Index of the minimum and the maximum finite y in [a, b), reading whole blocks from `blocks`.
void columnExtremes(const double* y, std::size_t a, std::size_t b, const MinMaxBlocks* blocks,
                    std::size_t none, std::size_t* lo, std::size_t* hi) {
    double low = 0, high = 0;  // y[*lo] and y[*hi], once they are set
    auto take = [&](std::size_t i, double v) {
        if (*lo == none || v < low) *lo = i, low = v;
        if (*hi == none || v > high) *hi = i, high = v;
    };
    auto scan = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i)
            if (std::isfinite(y[i])) take(i, y[i]);
    };
    const std::size_t B = MinMaxBlocks::kBlock;
    if (!blocks || b - a < 2 * B) {
        scan(a, b);
        return;
    }
    const std::size_t firstBlock = (a + B - 1) / B,
                      lastBlock = b / B;  // whole blocks [firstBlock, lastBlock)
    scan(a, firstBlock * B);
    for (std::size_t k = firstBlock; k < lastBlock; ++k) {
        if (blocks->minAt[k] == MinMaxBlocks::kNone) continue;
        // Both are finite; take() keeps the extremes. The values are the block's own: reading
        // y at the indices would touch a new cache line per block.
        take(blocks->minAt[k], blocks->minValue[k]);
        take(blocks->maxAt[k], blocks->maxValue[k]);
    }
    scan(lastBlock * B, b);
}

// The first point in [from, end) with x at or after `boundary` (end if none), as lower_bound finds
// it, but searched outwards from `from`: a column's boundary lies a column's points away, so this
// reads neighbouring points rather than halving the whole rest of the series.
std::size_t nextBoundary(const double* x, std::size_t from, std::size_t end, double boundary) {
    std::size_t below = from, probe = from,
                span = 1;  // every point before `below` is below the boundary
    while (probe < end && x[probe] < boundary) {
        below = probe + 1;
        probe = from + span;
        span *= 2;
    }
    return std::size_t(std::lower_bound(x + below, x + std::min(probe, end), boundary) - x);
}

}  // namespace

DecimatedSeries decimateMinMax(const double* x, const double* y, std::size_t n, double lower,
                               double upper, int pixels, bool logX, const MinMaxBlocks* blocks) {
    DecimatedSeries out;
    if (n == 0) return out;
    // The visible slice, widened by one point each side.
    std::size_t begin = std::size_t(std::lower_bound(x, x + n, lower) - x);
    std::size_t end = std::size_t(std::upper_bound(x, x + n, upper) - x);
    if (begin > 0) --begin;
    if (end < n) ++end;
    if (end <= begin) return out;
    const std::size_t count = end - begin;
    pixels = std::max(pixels, 1);
    if (count <= std::size_t(pixels) * 4) {
        out.x.reserve(int(count));
        out.y.reserve(int(count));
        for (std::size_t i = begin; i < end; ++i)
            if (std::isfinite(y[i])) out.x.push_back(x[i]), out.y.push_back(y[i]);
        return out;
    }
    const bool useLog = logX && lower > 0 && upper > lower;
    const double lo = useLog ? std::log(lower) : lower;
    const double hi = useLog ? std::log(upper) : upper;
    const double width = (hi - lo) / double(pixels);
    out.x.reserve(pixels * 4 + 8);
    out.y.reserve(pixels * 4 + 8);
    const std::size_t none = ~std::size_t(0);
    std::size_t a = begin;
    for (int col = 0; col < pixels && a < end; ++col) {
        // Column col holds the points with x below its right boundary (the last: all that is left,
        // the right neighbour included; the first: the left neighbour too).
        std::size_t b = end;
        if (col + 1 < pixels) {
            const double v = lo + width * double(col + 1);
            const double boundary = useLog ? std::exp(v) : v;
            b = nextBoundary(x, a, end, boundary);
        }
        if (b == a) continue;
        std::size_t first = a, last = b - 1;
        while (first < b && !std::isfinite(y[first])) ++first;
        while (last > first && !std::isfinite(y[last])) --last;
        if (first < b) {
            std::size_t lo_i = none, hi_i = none;
            columnExtremes(y, first, last + 1, blocks, none, &lo_i, &hi_i);
            // A crowded column is drawn as its extremes alone: its first and last points lie
            // between them, and every extra vertex is a long line to rasterise.
            const bool crowded = last - first >= 8;
            const std::size_t picks[4] = {crowded ? none : first, std::min(lo_i, hi_i),
                                          std::max(lo_i, hi_i), crowded ? none : last};
            std::size_t previous = none;
            for (std::size_t p : picks) {
                if (p == none) continue;
                if (p == previous) continue;
                out.x.push_back(x[p]);
                out.y.push_back(y[p]);
                previous = p;
            }
        }
        a = b;
    }
    return out;
}

}  // namespace invx::gui
