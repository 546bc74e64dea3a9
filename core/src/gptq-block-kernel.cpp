#include "gptq-block-kernel.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

namespace invx {
namespace {

// Built with -ffp-contract=off (core/CMakeLists.txt): `w[j] -= e * u[j]` must round the product
// and the difference separately, as the column loop's matmul and sub_ do.
void quantizeRow(const GptqBlockArgs& a, std::int64_t r) {
    float* w = a.weights + r * a.count;
    const float* scale = a.scale + r * a.params;
    const float* zero = a.zero + r * a.params;
    const std::int64_t firstGroup = a.firstColumn / a.group;
    for (std::int64_t i = 0; i < a.count; ++i) {
        const std::int64_t p = (a.firstColumn + i) / a.group - firstGroup;
        const float s = scale[p], z = zero[p];
        const float code = std::min(std::max(std::nearbyint(w[i] / s) + z, 0.0f), a.qmax);
        const float q = (code - z) * s;
        const float* u = a.inverseCholesky + i * a.uStride;
        const float e = (w[i] - q) / u[i];
        a.quantized[r * a.count + i] = q;
        a.errors[r * a.count + i] = e;
        for (std::int64_t j = i + 1; j < a.count; ++j) w[j] -= e * u[j];
    }
}

}  // namespace

void gptqBlockCpu(const GptqBlockArgs& args) {
    at::parallel_for(0, args.rows, 4, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) quantizeRow(args, r);
    });
}

}  // namespace invx
