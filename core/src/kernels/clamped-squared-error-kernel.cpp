// The CPU twin of the clamped squared-error kernel: the same blocks, threads, order and trees
// (clamped-squared-error-kernel.h). Compiled with -ffp-contract=off (core/CMakeLists.txt).
#include "kernels/clamped-squared-error-kernel.h"

#include <ATen/Parallel.h>
#include <c10/util/Half.h>

#include <algorithm>

namespace invx {
namespace {

float tree(float* lanes) {
    for (int w = kSquaredErrorThreads / 2; w >= 1; w /= 2)
        for (int t = 0; t < w; ++t) lanes[t] = lanes[t] + lanes[t + w];
    return lanes[0];
}

template <typename T>
void run(const ClampedSquaredErrorArgs& a) {
    const T* x = static_cast<const T*>(a.x);
    const T* y = static_cast<const T*>(a.y);
    const std::int64_t blocks = squaredErrorBlocks(a.count);
    at::parallel_for(0, blocks, 1, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t b = begin; b < end; ++b) {
            float lanes[kSquaredErrorThreads] = {};
            const std::int64_t first = b * kSquaredErrorChunk,
                               last = std::min(a.count, first + kSquaredErrorChunk);
            for (std::int64_t j0 = first; j0 < last; j0 += kSquaredErrorThreads)
                for (std::int64_t t = 0; t < kSquaredErrorThreads && j0 + t < last; ++t)
                    lanes[t] = lanes[t] + clampedSquare(float(x[j0 + t]), float(y[j0 + t]));
            a.blockSums[b] = tree(lanes);
        }
    });
    float lanes[kSquaredErrorThreads] = {};
    for (std::int64_t b0 = 0; b0 < blocks; b0 += kSquaredErrorThreads)
        for (std::int64_t t = 0; t < kSquaredErrorThreads && b0 + t < blocks; ++t)
            lanes[t] = lanes[t] + a.blockSums[b0 + t];
    *a.mean = float(double(tree(lanes)) / double(a.count));
}

}  // namespace

void clampedSquaredErrorCpu(const ClampedSquaredErrorArgs& args) {
    if (args.float16)
        run<c10::Half>(args);
    else
        run<float>(args);
}

}  // namespace invx
