#include "series-decimation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace invx::gui {

MinMaxBlocks buildMinMaxBlocks(const double* y, std::size_t n) {
    MinMaxBlocks b;
    const std::size_t count = (n + MinMaxBlocks::kBlock - 1) / MinMaxBlocks::kBlock;
    b.minAt.assign(count, MinMaxBlocks::kNone);
    b.maxAt.assign(count, MinMaxBlocks::kNone);
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(y[i])) continue;
        const std::size_t k = i / MinMaxBlocks::kBlock;
        if (b.minAt[k] == MinMaxBlocks::kNone || y[i] < y[b.minAt[k]]) b.minAt[k] = i;
        if (b.maxAt[k] == MinMaxBlocks::kNone || y[i] > y[b.maxAt[k]]) b.maxAt[k] = i;
    }
    return b;
}

namespace {

// Index of the minimum and the maximum finite y in [a, b), reading whole blocks from `blocks`.
void columnExtremes(const double* y, std::size_t a, std::size_t b, const MinMaxBlocks* blocks, std::size_t none,
                    std::size_t* lo, std::size_t* hi) {
    auto take = [&](std::size_t i) {
        if (*lo == none || y[i] < y[*lo]) *lo = i;
        if (*hi == none || y[i] > y[*hi]) *hi = i;
    };
    auto scan = [&](std::size_t from, std::size_t to) {
        for (std::size_t i = from; i < to; ++i)
            if (std::isfinite(y[i])) take(i);
    };
    const std::size_t B = MinMaxBlocks::kBlock;
    if (!blocks || b - a < 2 * B) {
        scan(a, b);
        return;
    }
    const std::size_t firstBlock = (a + B - 1) / B, lastBlock = b / B;  // whole blocks [firstBlock, lastBlock)
    scan(a, firstBlock * B);
    for (std::size_t k = firstBlock; k < lastBlock; ++k) {
        if (blocks->minAt[k] == MinMaxBlocks::kNone) continue;
        // Both are finite; take() keeps the extremes.
        take(blocks->minAt[k]);
        take(blocks->maxAt[k]);
    }
    scan(lastBlock * B, b);
}

}  // namespace

DecimatedSeries decimateMinMax(const double* x, const double* y, std::size_t n, double lower, double upper,
                               int pixels, bool logX, const MinMaxBlocks* blocks) {
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
            b = std::size_t(std::lower_bound(x + a, x + end, boundary) - x);
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
            const std::size_t picks[4] = {crowded ? none : first, std::min(lo_i, hi_i), std::max(lo_i, hi_i),
                                          crowded ? none : last};
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
