#include "kernels/gptq-block-kernel.h"

#include <ATen/Parallel.h>

namespace invx {
namespace {

void quantizeRow(const GptqBlockArgs& a, std::int64_t r) {
    float* w = a.weights + r * a.count;
    for (std::int64_t i = 0; i < a.count; ++i) {
        const float* u = a.inverseCholesky + i * a.uStride;
        const GptqWeightStep step = gptqBlockStep(a, r, i, w[i]);
        a.quantized[r * a.count + i] = step.quantized;
        a.errors[r * a.count + i] = step.error;
        for (std::int64_t j = i + 1; j < a.count; ++j) w[j] -= step.error * u[j];
    }
}

}  // namespace

void gptqBlockCpu(const GptqBlockArgs& args) {
    at::parallel_for(0, args.rows, 4, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t r = begin; r < end; ++r) quantizeRow(args, r);
    });
}

}  // namespace invx
