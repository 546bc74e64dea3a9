#pragma once
// A candidate's fc1 and fc2 in one pass each: rotation of the neuron pairs, the scales and the
// permutation (SPEC section 2), the float16 rounding of the stored weights, and group quantization,
// for every group of the layer, with no intermediate tensor. The tensor version
// (transformFfnForStorage, then fakeQuantize) makes about 25 passes over the two matrices: 12 ms of
// OPT-13B's step on an H200 (docs/performance.md). Every value is computed with the operations,
// in the order and the rounding of those tensor operations as ATen runs them on CUDA (a group's
// range divided by qmax is a product with float(1 / qmax) there), so on CUDA the kernel gives the
// tensor version's bits, and its CPU twin the kernel's (tst_cuda). Compiled without contraction
// (nvcc -fmad=false, -ffp-contract=off).
// No torch here: the CUDA file includes this header alone.
#include <math.h>

#include <cstdint>

#include "kernels/host-device.h"

namespace invx {

// NaN-propagating extremes, as ATen's amax and amin; exact, so any order gives the same.
INVX_HOST_DEVICE inline float groupMax(float a, float b) { return (b > a || b != b) ? b : a; }
INVX_HOST_DEVICE inline float groupMin(float a, float b) { return (b < a || b != b) ? b : a; }
INVX_HOST_DEVICE inline float clampKeepingNan(float v, float lo, float hi) {
    return v != v ? v : (v < lo ? lo : (v > hi ? hi : v));
}

// Neuron n of a pair (a, b) rotated by R^T: (c a + s b) for the first, (c b - s a) for the second.
INVX_HOST_DEVICE inline float rotatedNeuron(float a, float b, float c, float s, bool second) {
    return second ? c * b - s * a : c * a + s * b;
}

struct GroupGrid {
    float scale, zero;
};
INVX_HOST_DEVICE inline GroupGrid groupGrid(float mx, float mn, float qmax, float inverseQmax) {
    float range = mx - mn;
    range = range != range ? range : (range < 1e-5f ? 1e-5f : range);  // clamp_min(1e-5)
    const float scale = range * inverseQmax;
    return {scale, clampKeepingNan(-nearbyintf(mn / scale), 0.0f, qmax)};
}
INVX_HOST_DEVICE inline float onGrid(float v, GroupGrid g, float qmax) {
    const float q = clampKeepingNan(nearbyintf(v / g.scale) + g.zero, 0.0f, qmax);
    return (q - g.zero) * g.scale;
}

struct FfnRebuildArgs {
    // The full-precision FFN (after the base method's scaling): w1 [ffn, hidden], b1 [ffn] or null,
    // w2 [hidden, ffn], contiguous, float16 or float32 like the outputs.
    const void* w1 = nullptr;
    const void* b1 = nullptr;
    const void* w2 = nullptr;
    bool float16 = true;
    std::int64_t ffn = 0, hidden = 0;
    // The layer's state: permutation [ffn] (new position -> neuron), scales [ffn], and the cosine
    // and sine of each pair's angle [ffn / 2].
    const std::int64_t* permutation = nullptr;
    const float* scales = nullptr;
    const float* cosines = nullptr;
    const float* sines = nullptr;
    std::int64_t group1 = 0,
                 group2 = 0;          // columns per group: fc1's (along hidden), fc2's (along ffn)
    float qmax = 0, inverseQmax = 0;  // 2^bits - 1 and float(1) / float(qmax)
    void* outW1 = nullptr;            // [ffn, hidden], quantized
    void* outB1 = nullptr;            // [ffn], transformed and rounded to float16 values
    void* outW2 = nullptr;            // [hidden, ffn], quantized
};

// On the CPU, groups in parallel on ATen's threads.
void ffnRebuildCpu(const FfnRebuildArgs& args);

#ifdef INVX_CUDA_KERNELS
// On the GPU (every pointer on the current device), one block per group, on `stream` (a
// cudaStream_t). Throws invx::Error when the launch fails.
void ffnRebuildCuda(const FfnRebuildArgs& args, void* stream);
#endif

}  // namespace invx
