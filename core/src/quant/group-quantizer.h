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
// The dequantized weight, same shape, dtype and device as `weight`. Computed in float32, or as
// fakeQuantizeFloat16 when config.float16Arithmetic.
at::Tensor fakeQuantize(const at::Tensor& weight, const QuantConfig& config);
// The same quantizer in float16 arithmetic, as llm-awq's pseudo_quantize_tensor runs on float16
// weights: the weights are taken in float16 and every operation's result is rounded to float16.
// On CUDA it runs in half; elsewhere it is emulated in float32 with a rounding after each
// operation, which gives the same values (one float32 operation on float16 values, rounded once,
// is what CUDA's half kernels compute). Same shape, dtype and device.
at::Tensor fakeQuantizeFloat16(const at::Tensor& weight, const QuantConfig& config);
// `t` rounded to float16 and returned as float32.
at::Tensor roundedToFloat16(const at::Tensor& t);

}  // namespace invx
