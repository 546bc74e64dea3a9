#pragma once
// The MSE term of one matched layer, mean((clamp(x - y, -100, 100))^2) over the float32 values of
// the quantized and the full-precision hidden states, in one pass over both instead of the six
// tensor operations and two float copies it takes in ATen (3% of a step on OPT-1.3B's shape,
// docs/performance.md). A fixed order makes it reproducible and lets the CPU twin give the same
// bits: block b of the first stage takes elements [b * chunk, (b + 1) * chunk), its thread t those
// at t, t + threads, ... in order, added in a halving tree over the threads; the second stage adds
// the blocks' sums the same way, one block, thread t taking blocks t, t + threads, ...
// No torch here: the CUDA file includes this header alone.
#include <cstdint>

#include "kernels/host-device.h"

namespace invx {

constexpr int kSquaredErrorThreads = 256;
constexpr std::int64_t kSquaredErrorChunk = 64 * kSquaredErrorThreads;

INVX_HOST_DEVICE inline float clampedSquare(float x, float y) {
    float d = x - y;
    d = d != d ? d : (d < -100.0f ? -100.0f : (d > 100.0f ? 100.0f : d));  // clamp, NaN kept
    return d * d;
}

struct ClampedSquaredErrorArgs {
    const void* x = nullptr;  // [count], contiguous, float16 or float32 like y
    const void* y = nullptr;
    bool float16 = true;
    std::int64_t count = 0;
    float* blockSums = nullptr;  // [blocks(count)], scratch
    float* mean = nullptr;       // [1], out
};

INVX_HOST_DEVICE inline std::int64_t squaredErrorBlocks(std::int64_t count) {
    return (count + kSquaredErrorChunk - 1) / kSquaredErrorChunk;
}

// On the CPU, blocks in parallel on ATen's threads.
void clampedSquaredErrorCpu(const ClampedSquaredErrorArgs& args);

#ifdef INVX_CUDA_KERNELS
// On the GPU (every pointer on the current device), on `stream` (a cudaStream_t). Throws
// invx::Error when a launch fails.
void clampedSquaredErrorCuda(const ClampedSquaredErrorArgs& args, void* stream);
#endif

}  // namespace invx
