// The CPU twin of the row cross-entropy kernel: the same lanes, the same order, the same functions
// (row-cross-entropy-kernel.h). Compiled with -ffp-contract=off (core/CMakeLists.txt).
#include "kernels/row-cross-entropy-kernel.h"

#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <algorithm>
#include <limits>

namespace invx {
namespace {

// Visits every element of the row in its lane's order: f(lane, value).
template <typename T, typename F>
void forEachInLaneOrder(const T* row, std::int64_t vocab, F f) {
    constexpr std::int64_t stride = std::int64_t(kCrossEntropyLanes) * kCrossEntropyRun;
    for (std::int64_t j0 = 0; j0 < vocab; j0 += stride)
        for (int t = 0; t < kCrossEntropyLanes; ++t)
            for (std::int64_t j = j0 + std::int64_t(t) * kCrossEntropyRun,
                              end = std::min(j + kCrossEntropyRun, vocab);
                 j < end; ++j)
                f(t, float(row[j]));
}

template <typename T>
float rowLoss(const T* row, std::int64_t vocab, std::int64_t target) {
    float lanes[kCrossEntropyLanes];
    for (float& l : lanes) l = -std::numeric_limits<float>::infinity();
    forEachInLaneOrder(row, vocab, [&](int t, float v) { lanes[t] = maxKeepingNan(lanes[t], v); });
    for (int w = kCrossEntropyLanes / 2; w >= 1; w /= 2)
        for (int t = 0; t < w; ++t) lanes[t] = maxKeepingNan(lanes[t], lanes[t + w]);
    const float m = lanes[0];

    for (float& l : lanes) l = 0.0f;
    forEachInLaneOrder(row, vocab,
                       [&](int t, float v) { lanes[t] = lanes[t] + crossEntropyExp(v - m); });
    for (int w = kCrossEntropyLanes / 2; w >= 1; w /= 2)
        for (int t = 0; t < w; ++t) lanes[t] = lanes[t] + lanes[t + w];
    return (crossEntropyLog(lanes[0]) + m) - float(row[target]);
}

template <typename T>
void rows(const RowCrossEntropyArgs& a) {
    const T* logits = static_cast<const T*>(a.logits);
    at::parallel_for(0, a.rows, 16, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r)
            a.losses[r] = rowLoss(logits + r * a.rowStride, a.vocab, a.targets[r]);
    });
}

}  // namespace

void rowCrossEntropyCpu(const RowCrossEntropyArgs& args) {
    if (args.float16)
        rows<c10::Half>(args);
    else
        rows<float>(args);
}

}  // namespace invx
