#pragma once
// OmniQuant's LWC quantizer (quant/omniquant-quantizer.h, lwcFakeQuantize) and its gradient, each
// in one pass over a weight, where the same thing as tensor operations takes some thirty passes
// (the bulk of OmniQuant's training step on large layers). Per group of `width` consecutive
// weights of a row, in float32:
//   hi = fp16(upper * max), lo = fp16(lower * min), scale = max(hi - lo, 1e-5) / qmax,
//   zero = clamp(-round(lo / scale), 0, qmax), q = clamp(round(w / scale) + zero, 0, qmax),
//   out = (q - zero) * scale
// (round: half to even; fp16: rounded to the nearest float16). The gradient is the one autograd
// gives those operations with straight-through rounds and a zero point that passes none: through
// w / scale where q is not clamped, through the scale, and through max and min to the bounds and
// (shared evenly among ties) to the weights that hold them. Its two sums per group run in a fixed
// order (element j to lane j mod 32, then a halving tree over the 32 lanes), so the CPU twin gives
// the CUDA kernel's bits. No torch here: the CUDA file includes this header alone.
#include <cstdint>

#include "kernels/host-device.h"

namespace invx {

constexpr int kLwcLanes = 32;  // one warp per group

struct LwcQuantizeArgs {
    const float* weight = nullptr;  // [rows, cols], contiguous
    const float* upper = nullptr;   // [rows, cols / width]: the bounds' factors, sigmoid(u)
    const float* lower = nullptr;
    std::int64_t rows = 0, cols = 0, width = 0;  // width divides cols
    float qmax = 0;
    // The weights rounded to float16 first, their gradient passed straight through.
    bool float16Weights = false;
    float* out = nullptr;  // forward: [rows, cols]
    // Backward: the gradient of the output in, those of the weight and the factors out.
    const float* gradOut = nullptr;  // [rows, cols]
    float* gradWeight = nullptr;     // [rows, cols]
    float* gradUpper = nullptr;      // [rows, cols / width]
    float* gradLower = nullptr;
};

INVX_HOST_DEVICE inline float lwcRoundHalfEven(float x) {
#ifdef __CUDA_ARCH__
    return rintf(x);
#else
    return __builtin_rintf(x);
#endif
}

// The group's grid from its extremes: the scale, the zero point, and whether the range was above
// the 1e-5 floor (else the bounds get no gradient).
struct LwcGrid {
    float hi, lo, scale, zero;
    bool open;
};

// `toHalf` rounds a float to the nearest float16 and back (each side has its own).
template <typename ToHalf>
INVX_HOST_DEVICE inline LwcGrid lwcGrid(float up, float low, float mx, float mn, float qmax,
                                        ToHalf toHalf) {
    LwcGrid g;
    g.hi = toHalf(up * mx);
    g.lo = toHalf(low * mn);
    const float range = g.hi - g.lo;
    g.open = range >= 1e-5f;
    g.scale = (g.open ? range : 1e-5f) / qmax;
    float z = -lwcRoundHalfEven(g.lo / g.scale);
    g.zero = z < 0.0f ? 0.0f : (z > qmax ? qmax : z);
    return g;
}

// q before the clamp; the clamp passes gradient where 0 <= it <= qmax.
INVX_HOST_DEVICE inline float lwcUnclamped(float w, const LwcGrid& g) {
    return lwcRoundHalfEven(w / g.scale) + g.zero;
}

INVX_HOST_DEVICE inline float lwcClamp(float v, float qmax) {
    return v < 0.0f ? 0.0f : (v > qmax ? qmax : v);
}

// The weight as the quantizer takes it.
template <typename ToHalf>
INVX_HOST_DEVICE inline float lwcWeight(const LwcQuantizeArgs& a, std::int64_t i, ToHalf toHalf) {
    return a.float16Weights ? toHalf(a.weight[i]) : a.weight[i];
}

// On the CPU, groups in parallel on ATen's threads.
void lwcQuantizeForwardCpu(const LwcQuantizeArgs& args);
void lwcQuantizeBackwardCpu(const LwcQuantizeArgs& args);

#ifdef INVX_CUDA_KERNELS
// On the GPU (every pointer on the current device), on `stream` (a cudaStream_t). Throws
// invx::Error when a launch fails.
void lwcQuantizeForwardCuda(const LwcQuantizeArgs& args, void* stream);
void lwcQuantizeBackwardCuda(const LwcQuantizeArgs& args, void* stream);
#endif

}  // namespace invx
