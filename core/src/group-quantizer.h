#pragma once
// Asymmetric integer fake quantization in groups of contiguous weights along the input dimension
// (SPEC section 2): qmax = 2^b - 1, s = max(max - min, 1e-5) / qmax, z = clamp(-round(min / s), 0,
// qmax), q = clamp(round(w / s) + z, 0, qmax), w' = (q - z) s. Rounding is half to even.
#include <ATen/core/Tensor.h>

#include "invx/quant-config.h"

namespace invx {

struct GroupQuantParams {
    at::Tensor scale;  // [out, groups], float32
    at::Tensor zero;   // [out, groups], float32 (integer valued)
};

// Per-group scale and zero point of a [out, in] weight.
GroupQuantParams groupQuantParams(const at::Tensor& weight, const QuantConfig& config);
// The dequantized weight, same shape, dtype and device as `weight`. Computed in float32.
at::Tensor fakeQuantize(const at::Tensor& weight, const QuantConfig& config);

}  // namespace invx
