// The FFN rebuild on the GPU: one block of kThreads per quantization group, each thread computing
// its columns' transformed values twice (for the group's extremes, then for the quantized values)
// rather than keeping them: a group can be a whole row of 20,480 values. Built with -fmad=false
// (core/CMakeLists.txt), so the bits equal the CPU twin's.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <string>

#include "invx/error.h"
#include "kernels/ffn-rebuild-kernel.h"

namespace invx {
namespace {

constexpr int kThreads = 128;

__device__ inline float load(const __half* p, std::int64_t i) { return __half2float(p[i]); }
__device__ inline float load(const float* p, std::int64_t i) { return p[i]; }
__device__ inline float stored(float v) { return __half2float(__float2half_rn(v)); }
__device__ inline void store(__half* p, std::int64_t i, float v) { p[i] = __float2half_rn(v); }
__device__ inline void store(float* p, std::int64_t i, float v) { p[i] = v; }

template <typename T>
__device__ float fc1Value(const FfnRebuildArgs& a, std::int64_t i, std::int64_t k) {
    const T* w1 = static_cast<const T*>(a.w1);
    const std::int64_t n = a.permutation[i], p = n / 2;
    const float v =
        rotatedNeuron(load(w1, 2 * p * a.hidden + k), load(w1, (2 * p + 1) * a.hidden + k),
                      a.cosines[p], a.sines[p], n % 2 == 1);
    return stored(v / a.scales[n]);
}

template <typename T>
__device__ float fc2Value(const FfnRebuildArgs& a, std::int64_t h, std::int64_t i) {
    const T* w2 = static_cast<const T*>(a.w2);
    const std::int64_t n = a.permutation[i], p = n / 2;
    const float v = rotatedNeuron(load(w2, h * a.ffn + 2 * p), load(w2, h * a.ffn + 2 * p + 1),
                                  a.cosines[p], a.sines[p], n % 2 == 1);
    return stored(v * a.scales[n]);
}

// The block's extremes of its threads' values: exact, so the tree's shape does not matter.
__device__ void blockExtremes(float& mx, float& mn) {
    __shared__ float maxima[kThreads / 32], minima[kThreads / 32];
    for (int offset = 16; offset >= 1; offset /= 2) {
        mx = groupMax(mx, __shfl_down_sync(0xffffffffu, mx, offset));
        mn = groupMin(mn, __shfl_down_sync(0xffffffffu, mn, offset));
    }
    const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
    if (lane == 0) maxima[warp] = mx, minima[warp] = mn;
    __syncthreads();
    mx = maxima[0], mn = minima[0];
    for (int w = 1; w < kThreads / 32; ++w)
        mx = groupMax(mx, maxima[w]), mn = groupMin(mn, minima[w]);
}

// Group `blockIdx.x` of fc1 (second == false: row i = group / groups, along hidden) or of fc2.
template <typename T, bool Fc2>
__global__ void rebuildKernel(FfnRebuildArgs a) {
    const std::int64_t width = Fc2 ? a.ffn : a.hidden, group = Fc2 ? a.group2 : a.group1,
                       groups = width / group;
    const std::int64_t row = std::int64_t(blockIdx.x) / groups,
                       first = (std::int64_t(blockIdx.x) % groups) * group;
    auto value = [&](std::int64_t j) {
        return Fc2 ? fc2Value<T>(a, row, first + j) : fc1Value<T>(a, row, first + j);
    };
    float mx = -INFINITY, mn = INFINITY;
    for (std::int64_t j = threadIdx.x; j < group; j += kThreads) {
        const float v = value(j);
        mx = groupMax(mx, v), mn = groupMin(mn, v);
    }
    blockExtremes(mx, mn);
    const GroupGrid g = groupGrid(mx, mn, a.qmax, a.inverseQmax);
    T* out = static_cast<T*>(Fc2 ? a.outW2 : a.outW1) + row * width + first;
    for (std::int64_t j = threadIdx.x; j < group; j += kThreads)
        store(out, j, onGrid(value(j), g, a.qmax));
    if (!Fc2 && a.b1 && first == 0 && threadIdx.x == 0) {
        const T* b1 = static_cast<const T*>(a.b1);
        const std::int64_t n = a.permutation[row], p = n / 2;
        const float b = rotatedNeuron(load(b1, 2 * p), load(b1, 2 * p + 1), a.cosines[p],
                                      a.sines[p], n % 2 == 1);
        store(static_cast<T*>(a.outB1), row, stored(b / a.scales[n]));
    }
}

template <typename T>
void launch(const FfnRebuildArgs& a, cudaStream_t s) {
    rebuildKernel<T, false><<<unsigned(a.ffn * (a.hidden / a.group1)), kThreads, 0, s>>>(a);
    rebuildKernel<T, true><<<unsigned(a.hidden * (a.ffn / a.group2)), kThreads, 0, s>>>(a);
}

}  // namespace

void ffnRebuildCuda(const FfnRebuildArgs& args, void* stream) {
    if (args.ffn == 0 || args.hidden == 0) return;
    const cudaStream_t s = static_cast<cudaStream_t>(stream);
    if (args.float16)
        launch<__half>(args, s);
    else
        launch<float>(args, s);
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        throw Error(std::string("the FFN rebuild kernel did not start: ") +
                    cudaGetErrorString(status));
}

}  // namespace invx
