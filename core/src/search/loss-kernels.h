#pragma once
// The search's two losses by the fused kernels (on CUDA) or their CPU twins, which give the same
// bits: the per-token cross-entropy of the LM head's logits (row-cross-entropy-kernel.h) and a
// matched layer's clamped squared error (clamped-squared-error-kernel.h).
#include <ATen/core/Tensor.h>

namespace invx {

// logits [rows, vocab] (float16 or float32, rows contiguous), targets [rows] (integers in [0,
// vocab)) on the same device: log(sum_j exp(logits[r][j])) - logits[r][targets[r]], as a float32
// tensor [rows] on that device. On CUDA it needs the CUDA kernels; without them, or for another
// dtype, it throws invx::Error (lossKernelsTake says beforehand, for both functions).
at::Tensor rowCrossEntropy(const at::Tensor& logits, const at::Tensor& targets);

// Whether the two functions here take tensors like `t`: float16 or float32, on the CPU or, where
// the CUDA kernels are built, on CUDA.
bool lossKernelsTake(const at::Tensor& t);

// mean(clamp(x - y, -100, 100)^2) of two tensors of the same shape and dtype (float16 or float32)
// on one device, computed in float32: a float32 scalar tensor on that device. On CUDA it needs the
// CUDA kernels, as rowCrossEntropy.
at::Tensor clampedSquaredErrorMean(const at::Tensor& x, const at::Tensor& y);

}  // namespace invx
