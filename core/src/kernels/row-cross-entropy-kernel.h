#pragma once
// The search's cross-entropy straight from the LM head's float16 logits: per token, the log of the
// sum of exponentials less the target's logit, in float32, without the float copy of the logits
// and the three passes over it that ATen's logsumexp and gather make (together 9% of a step on
// OPT-125m's shape, docs/performance.md). Each row is summed over kCrossEntropyLanes lanes: lane t
// takes the runs of kCrossEntropyRun elements that start at run * (t + k * lanes), k = 0, 1, ...,
// in order (so that the GPU reads 16 bytes at a time), then the lanes are added in a fixed halving
// tree. The
// exponential and logarithm below use only additions and multiplications, compiled without
// contraction (nvcc -fmad=false, -ffp-contract=off), so the CUDA kernel and its CPU twin give the
// same bits (tst_cuda). Within 2e-7 of float64 per element (tst_search_engine).
// No torch here: the CUDA file includes this header alone.
#include <cstdint>
#include <cstring>

#include "kernels/host-device.h"

namespace invx {

constexpr int kCrossEntropyLanes = 256;
constexpr int kCrossEntropyRun = 8;  // float16 elements in 16 bytes

// The larger of two floats, NaN winning as in ATen's max; exact, so any order gives the same.
INVX_HOST_DEVICE inline float maxKeepingNan(float a, float b) { return (b > a || b != b) ? b : a; }

// exp(x) for x <= 0: exp(x) = 2^k exp(r), k = round(x log2 e), r = x - k ln 2 in two parts (the
// first exact in float for |k| < 2^15), exp(r) by Taylor's series to degree 7 (|r| <= 0.35, error
// under 1e-8). Below -86 it is 0 (exp(-86) is 4e-38), which keeps 2^k a normal float.
INVX_HOST_DEVICE inline float crossEntropyExp(float x) {
    if (x != x) return x;
    if (x < -86.0f) return 0.0f;
    const float k =
        (x * 1.44269504f + 12582912.0f) - 12582912.0f;  // round to nearest by 1.5 * 2^23
    const float r = (x - k * 0.693359375f) - k * -2.12194440e-4f;
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    const std::uint32_t bits = std::uint32_t(int(k) + 127) << 23;  // 2^k, k in [-125, 0]
    float twoToK;
    std::memcpy(&twoToK, &bits, sizeof twoToK);
    return p * twoToK;
}

// log(s) for s >= 1 (a sum that holds exp(0)): s = m 2^e with m in [sqrt(1/2), sqrt(2)), log m =
// 2 atanh(f), f = (m - 1) / (m + 1), |f| <= 0.172, by its series to f^13.
INVX_HOST_DEVICE inline float crossEntropyLog(float s) {
    if (!(s < 3.0e38f)) return s;  // infinity and NaN pass through
    std::uint32_t bits;
    std::memcpy(&bits, &s, sizeof bits);
    int e = int((bits >> 23) & 0xff) - 127;
    bits = (bits & 0x007fffffu) | 0x3f800000u;  // m in [1, 2)
    float m;
    std::memcpy(&m, &bits, sizeof m);
    if (m > 1.41421356f) m = m * 0.5f, e = e + 1;
    const float f = (m - 1.0f) / (m + 1.0f), f2 = f * f;
    float p = 1.0f / 13.0f;
    p = p * f2 + 1.0f / 11.0f;
    p = p * f2 + 1.0f / 9.0f;
    p = p * f2 + 1.0f / 7.0f;
    p = p * f2 + 1.0f / 5.0f;
    p = p * f2 + 1.0f / 3.0f;
    p = p * f2 + 1.0f;
    return float(e) * 0.693147182f + (2.0f * f) * p;
}

struct RowCrossEntropyArgs {
    const void* logits = nullptr;  // [rows, vocab] with row stride rowStride, float16 or float32
    bool float16 = true;
    std::int64_t rows = 0, vocab = 0, rowStride = 0;
    const std::int64_t* targets = nullptr;  // [rows], each in [0, vocab)
    float* losses = nullptr;                // [rows], out: log(sum exp) - logit of the target
};

// On the CPU, rows in parallel on ATen's threads.
void rowCrossEntropyCpu(const RowCrossEntropyArgs& args);

#ifdef INVX_CUDA_KERNELS
// On the GPU (every pointer on the current device), one block of kCrossEntropyLanes threads per
// row, on `stream` (a cudaStream_t). Throws invx::Error when the launch fails.
void rowCrossEntropyCuda(const RowCrossEntropyArgs& args, void* stream);
#endif

}  // namespace invx
