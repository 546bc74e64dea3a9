#pragma once
// A candidate's quantized FFN: the layer's invariance state applied to its full-precision weights,
// rounded to the float16 values `invx apply` stores, then group-quantized (SPEC section 2). Two
// ways that give the same bits on CUDA: tensor operations (transformFfnForStorage, fakeQuantize)
// and one fused pass (ffn-rebuild-kernel.h), the CUDA kernel or its CPU twin.
#include <ATen/core/Tensor.h>

#include "invx/quant-config.h"
#include "search/ffn-transform.h"

namespace invx {

// False when the environment sets INVX_FUSED_KERNELS=0: the search then rebuilds with tensor
// operations and reads its cross-entropy through ATen on CUDA too, as before the kernels existed
// (for measuring them against that; docs/performance.md). Read once.
bool fusedKernelsEnabled();

// The fused pass where it runs (CUDA kernels built, weights on CUDA in float16 or float32, the
// float32 quantizer), the tensor operations elsewhere. The search's rebuild of every candidate.
FfnWeights quantizedFfn(const FfnWeights& fullPrecision, const LayerInvariance& state,
                        const QuantConfig& quant);

// The tensor operations, on any device.
FfnWeights quantizedFfnByTensors(const FfnWeights& fullPrecision, const LayerInvariance& state,
                                 const QuantConfig& quant);

// The fused pass on the weights' device: the CUDA kernel, or on the CPU its twin. Throws
// invx::Error where it cannot run (float16 arithmetic, a dtype other than float16 and float32, a
// CUDA tensor without the kernels).
FfnWeights quantizedFfnByKernel(const FfnWeights& fullPrecision, const LayerInvariance& state,
                                const QuantConfig& quant);

}  // namespace invx
