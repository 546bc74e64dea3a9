#include "synthetic-layer.h"

#include <algorithm>
#include <cmath>

namespace invx::test {

WeightSnapshot syntheticMatrix(const char* name, std::int64_t rows, std::int64_t cols,
                               std::int64_t group, float shift) {
    WeightSnapshot w;
    w.name = name;
    w.rows = rows;
    w.cols = cols;
    w.groupSize = group;
    for (std::int64_t i = 0; i < rows * cols; ++i) {
        const float v = std::sin(float(i) * 0.37f) + shift;
        w.original.push_back(v);
        w.transformed.push_back(v * 1.1f);
        w.quantized.push_back(std::round(v * 1.1f * 2) / 2);
    }
    for (std::int64_t r = 0; r < rows; ++r)
        for (std::int64_t g = 0; g < cols / group; ++g) {
            float lo = 1e9f, hi = -1e9f;
            double err = 0;
            for (std::int64_t c = g * group; c < (g + 1) * group; ++c) {
                const std::size_t i = std::size_t(r * cols + c);
                lo = std::min(lo, w.transformed[i]), hi = std::max(hi, w.transformed[i]);
                err += double(w.quantized[i] - w.transformed[i]) *
                       double(w.quantized[i] - w.transformed[i]);
            }
            w.groupMin.push_back(lo);
            w.groupMax.push_back(hi);
            w.groupError.push_back(float(err / double(group)));
        }
    return w;
}

}  // namespace invx::test
