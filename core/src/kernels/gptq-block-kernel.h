#pragma once
// One lazy batch of GPTQ (a block of columns), row by row. Within a block GPTQ's columns depend on
// each other only along a row: the error of column i moves the later columns of the same row. So
// the rows can run in parallel, each walking its columns in order, in one pass instead of the
// dozen tensor operations per column of the column loop (gptqQuantizeWeight's reference). The
// kernels do the column loop's float32 operations in the same order, each rounded on its own (no
// fused multiply-adds), so both give the same bits; tst_base_quantizers checks it on every device.
// No torch here: the CUDA file includes this header alone.
#include <math.h>

#include <cstdint>

#include "kernels/host-device.h"

namespace invx {

// One weight of the column loop: SPEC's quantizer with its group's scale and zero, then the error
// scaled by U[i][i]. Shared by both kernels, whose files are compiled without contraction
// (-ffp-contract=off, nvcc -fmad=false), so each operation rounds on its own as ATen's do.
struct GptqWeightStep {
    float quantized, error;
};
INVX_HOST_DEVICE inline GptqWeightStep gptqQuantizeWeightStep(float w, float scale, float zero,
                                                              float qmax, float uDiagonal) {
    float code = nearbyintf(w / scale) + zero;
    code = code < 0.0f ? 0.0f : code;  // clamp(0, qmax) as ATen's: NaN stays NaN
    code = code > qmax ? qmax : code;
    const float q = (code - zero) * scale;
    return {q, (w - q) / uDiagonal};
}

struct GptqBlockArgs {
    float* weights =
        nullptr;  // [rows, count], row stride count: the block's weights, updated in place
    float* quantized = nullptr;  // [rows, count]: out, the dequantized weights
    float* errors = nullptr;  // [rows, count]: out, (w - q) / U[i][i], for the later blocks' update
    const float* inverseCholesky =
        nullptr;  // the block's diagonal part of U [count, count], row stride uStride
    std::int64_t uStride = 0;
    const float* scale = nullptr;  // [rows, params]: each group that meets the block, in order
    const float* zero = nullptr;
    std::int64_t params = 0;
    std::int64_t rows = 0, count = 0;
    std::int64_t firstColumn = 0;  // the block's first column in the whole weight
    std::int64_t group = 0;        // columns per group (the width for one group per row)
    float qmax = 0;
};

// Column i of row r within the block: its group's scale and zero, and U's diagonal entry. Both
// kernels call it, so they index the group parameters the same way.
INVX_HOST_DEVICE inline GptqWeightStep gptqBlockStep(const GptqBlockArgs& a, std::int64_t r,
                                                     std::int64_t i, float w) {
    const std::int64_t p = (a.firstColumn + i) / a.group - a.firstColumn / a.group;
    return gptqQuantizeWeightStep(w, a.scale[r * a.params + p], a.zero[r * a.params + p], a.qmax,
                                  a.inverseCholesky[i * a.uStride + i]);
}

// On the CPU, rows in parallel on ATen's threads.
void gptqBlockCpu(const GptqBlockArgs& args);

#ifdef INVX_CUDA_KERNELS
// On the GPU (every pointer on the current device), one warp per row, on `stream` (a
// cudaStream_t). Throws invx::Error when the launch fails.
void gptqBlockCuda(const GptqBlockArgs& args, void* stream);
// The largest block the CUDA kernel takes (its rows live in shared memory).
constexpr std::int64_t kGptqCudaMaxBlock = 2048;
#endif

}  // namespace invx
