// The LWC quantizer and its gradient on the GPU: one warp per group, its lane t taking elements
// t, t + 32, ... as in the CPU twin; extremes by shuffles, sums by the twin's halving tree. Built
// with -fmad=false (kernels/CMakeLists.txt), so the bits equal the twin's.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <string>

#include "invx/error.h"
#include "kernels/lwc-quantize-kernel.h"

namespace invx {
namespace {

constexpr int kWarpsPerBlock = 8;
constexpr unsigned kAll = 0xffffffffu;

struct ToHalf {
    __device__ float operator()(float x) const { return __half2float(__float2half_rn(x)); }
};

__device__ inline float warpMax(float v) {
    for (int w = kLwcLanes / 2; w >= 1; w /= 2) v = fmaxf(v, __shfl_xor_sync(kAll, v, w));
    return v;
}
__device__ inline float warpMin(float v) {
    for (int w = kLwcLanes / 2; w >= 1; w /= 2) v = fminf(v, __shfl_xor_sync(kAll, v, w));
    return v;
}
// The twin's tree: lanes[t] = lanes[t] + lanes[t + w] for w = 16, 8, ..., 1; lane 0 holds the sum.
__device__ inline float warpTree(float v) {
    for (int w = kLwcLanes / 2; w >= 1; w /= 2) v = v + __shfl_down_sync(kAll, v, w);
    return __shfl_sync(kAll, v, 0);
}
__device__ inline int warpCount(int v) {
    for (int w = kLwcLanes / 2; w >= 1; w /= 2) v += __shfl_xor_sync(kAll, v, w);
    return v;
}

struct Group {
    std::int64_t index, first;
    int lane;
    bool valid;
};

__device__ inline Group groupOfThisWarp(const LwcQuantizeArgs& a) {
    Group g;
    g.index = std::int64_t(blockIdx.x) * kWarpsPerBlock + threadIdx.x / kLwcLanes;
    g.lane = int(threadIdx.x % kLwcLanes);
    g.valid = g.index < a.rows * (a.cols / a.width);
    g.first = g.index * a.width;
    return g;
}

__device__ inline void extremes(const LwcQuantizeArgs& a, const Group& g, float* mx, float* mn) {
    float hi = -INFINITY, lo = INFINITY;
    for (std::int64_t j = g.lane; j < a.width; j += kLwcLanes) {
        const float v = lwcWeight(a, g.first + j, ToHalf{});
        hi = fmaxf(hi, v);
        lo = fminf(lo, v);
    }
    *mx = warpMax(hi);
    *mn = warpMin(lo);
}

__global__ void forwardKernel(LwcQuantizeArgs a) {
    const Group g = groupOfThisWarp(a);
    if (!g.valid) return;  // a whole warp: the shuffles below see all 32 lanes
    float mx, mn;
    extremes(a, g, &mx, &mn);
    const LwcGrid grid = lwcGrid(a.upper[g.index], a.lower[g.index], mx, mn, a.qmax, ToHalf{});
    for (std::int64_t j = g.lane; j < a.width; j += kLwcLanes) {
        const float w = lwcWeight(a, g.first + j, ToHalf{});
        a.out[g.first + j] = (lwcClamp(lwcUnclamped(w, grid), a.qmax) - grid.zero) * grid.scale;
    }
}

__global__ void backwardKernel(LwcQuantizeArgs a) {
    const Group g = groupOfThisWarp(a);
    if (!g.valid) return;
    float mx, mn;
    extremes(a, g, &mx, &mn);
    const float up = a.upper[g.index], low = a.lower[g.index];
    const LwcGrid grid = lwcGrid(up, low, mx, mn, a.qmax, ToHalf{});
    float byOutput = 0.0f, byInput = 0.0f;
    int atMax = 0, atMin = 0;
    for (std::int64_t j = g.lane; j < a.width; j += kLwcLanes) {
        const float w = lwcWeight(a, g.first + j, ToHalf{}), go = a.gradOut[g.first + j];
        const float v = lwcUnclamped(w, grid);
        const bool inside = v >= 0.0f && v <= a.qmax;
        const float gx = inside ? go * grid.scale : 0.0f;
        a.gradWeight[g.first + j] = gx / grid.scale;
        byOutput = byOutput + go * (lwcClamp(v, a.qmax) - grid.zero);
        byInput = byInput + -(gx * w) / (grid.scale * grid.scale);
        atMax += w == mx;
        atMin += w == mn;
    }
    const float gScale = warpTree(byOutput) + warpTree(byInput);
    atMax = warpCount(atMax);
    atMin = warpCount(atMin);
    const float gRange = grid.open ? gScale / a.qmax : 0.0f;
    if (g.lane == 0) {
        a.gradUpper[g.index] = gRange * mx;
        a.gradLower[g.index] = -gRange * mn;
    }
    const float toMax = gRange * up / float(atMax), toMin = -gRange * low / float(atMin);
    for (std::int64_t j = g.lane; j < a.width; j += kLwcLanes) {
        const float w = lwcWeight(a, g.first + j, ToHalf{});
        float& gw = a.gradWeight[g.first + j];
        if (w == mx) gw = gw + toMax;
        if (w == mn) gw = gw + toMin;
    }
}

unsigned blocksFor(const LwcQuantizeArgs& a) {
    const std::int64_t groups = a.rows * (a.cols / a.width);
    return unsigned((groups + kWarpsPerBlock - 1) / kWarpsPerBlock);
}

void checkLaunch(const char* what) {
    const cudaError_t status = cudaGetLastError();
    if (status != cudaSuccess)
        throw Error(std::string("the LWC quantizer's ") + what +
                    " kernel did not start: " + cudaGetErrorString(status));
}

}  // namespace

void lwcQuantizeForwardCuda(const LwcQuantizeArgs& args, void* stream) {
    if (args.rows * args.cols == 0) return;
    forwardKernel<<<blocksFor(args), kWarpsPerBlock * kLwcLanes, 0,
                    static_cast<cudaStream_t>(stream)>>>(args);
    checkLaunch("forward");
}

void lwcQuantizeBackwardCuda(const LwcQuantizeArgs& args, void* stream) {
    if (args.rows * args.cols == 0) return;
    backwardKernel<<<blocksFor(args), kWarpsPerBlock * kLwcLanes, 0,
                     static_cast<cudaStream_t>(stream)>>>(args);
    checkLaunch("backward");
}

}  // namespace invx
