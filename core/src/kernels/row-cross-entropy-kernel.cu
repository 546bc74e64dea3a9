// The row cross-entropy on the GPU: one block per row, thread t being lane t of
// row-cross-entropy-kernel.h, the lanes added in shared memory in the same halving tree as the CPU
// twin. Built with -fmad=false (core/CMakeLists.txt), so the bits equal the twin's.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "invx/error.h"
#include "kernels/row-cross-entropy-kernel.h"

namespace invx {
namespace {

__device__ inline float toFloat(const __half* p, std::int64_t i) { return __half2float(p[i]); }
__device__ inline float toFloat(const float* p, std::int64_t i) { return p[i]; }

// Thread t's elements in its lane's order (row-cross-entropy-kernel.h): f(value). A whole run of
// float16 values is one 16-byte load where the row allows it.
template <typename T, typename F>
__device__ void forEachOfLane(const T* row, std::int64_t vocab, int t, bool wide, F f) {
    constexpr std::int64_t stride = std::int64_t(kCrossEntropyLanes) * kCrossEntropyRun;
    for (std::int64_t j = std::int64_t(t) * kCrossEntropyRun; j < vocab; j += stride) {
        if (wide && j + kCrossEntropyRun <= vocab) {
            const uint4 bits = *reinterpret_cast<const uint4*>(row + j);
            const __half* h = reinterpret_cast<const __half*>(&bits);
#pragma unroll
            for (int i = 0; i < kCrossEntropyRun; ++i) f(__half2float(h[i]));
        } else {
            for (std::int64_t i = j; i < j + kCrossEntropyRun && i < vocab; ++i) f(toFloat(row, i));
        }
    }
}

template <typename T>
__global__ void rowCrossEntropyKernel(RowCrossEntropyArgs a) {
    __shared__ float lanes[kCrossEntropyLanes];
    const int t = threadIdx.x;
    const T* row = static_cast<const T*>(a.logits) + std::int64_t(blockIdx.x) * a.rowStride;
    // 16-byte loads need float16 rows that start on 16 bytes.
    const bool wide = sizeof(T) == 2 && reinterpret_cast<std::uintptr_t>(row) % 16 == 0;

    float v = -INFINITY;
    forEachOfLane(row, a.vocab, t, wide, [&](float x) { v = maxKeepingNan(v, x); });
    lanes[t] = v;
    __syncthreads();
    for (int w = kCrossEntropyLanes / 2; w >= 1; w /= 2) {
        if (t < w) lanes[t] = maxKeepingNan(lanes[t], lanes[t + w]);
        __syncthreads();
    }
    const float m = lanes[0];
    __syncthreads();  // every thread has read the maximum before the lanes are reused

    float s = 0.0f;
    forEachOfLane(row, a.vocab, t, wide, [&](float x) { s = s + crossEntropyExp(x - m); });
    lanes[t] = s;
    __syncthreads();
    for (int w = kCrossEntropyLanes / 2; w >= 1; w /= 2) {
        if (t < w) lanes[t] = lanes[t] + lanes[t + w];
        __syncthreads();
    }
    if (t == 0)
        a.losses[blockIdx.x] =
            (crossEntropyLog(lanes[0]) + m) - toFloat(row, a.targets[blockIdx.x]);
}

}  // namespace

void rowCrossEntropyCuda(const RowCrossEntropyArgs& args, void* stream) {
    if (args.rows == 0) return;
    const cudaStream_t s = static_cast<cudaStream_t>(stream);
    const unsigned blocks = unsigned(args.rows);
    if (args.float16)
        rowCrossEntropyKernel<__half><<<blocks, kCrossEntropyLanes, 0, s>>>(args);
    else
        rowCrossEntropyKernel<float><<<blocks, kCrossEntropyLanes, 0, s>>>(args);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        throw Error(std::string("the cross-entropy kernel did not start: ") +
                    cudaGetErrorString(status));
}

}  // namespace invx
