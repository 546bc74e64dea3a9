#pragma once
// GPTQ (Frantar et al., 2023) as its authors' code runs it: per linear layer, the Hessian of its
// inputs from the calibration set, 1% dampening, columns quantized one at a time with the error
// spread over the columns not yet quantized, lazy batch updates in blocks of 128, group-wise
// quantization parameters taken when a group starts, optional activation order. Blocks are
// quantized in turn, and the quantized blocks' outputs feed the next one. The quantization
// parameters are SPEC section 2's (asymmetric, min/max of the group).
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "opt-model.h"

namespace invx {

struct GptqOptions {
    double dampening = 0.01;     // of the Hessian's mean diagonal
    std::int64_t blockSize = 128;  // columns per lazy batch update
    bool actOrder = false;       // quantize columns by decreasing Hessian diagonal
    std::int64_t chunkSamples = 8; // calibration sequences per forward
};

struct GptqLayerResult {
    at::Tensor weight;            // dequantized, same dtype and device as the input weight
    double dampening = 0;         // the dampening that made the Hessian invertible
    std::int64_t deadColumns = 0; // inputs that were always zero
};

// `hessian` [in, in] float32: 2/N sum x x^T over the layer's N calibration inputs.
GptqLayerResult gptqQuantizeWeight(const at::Tensor& weight, const at::Tensor& hessian, const QuantConfig& quant,
                                   const GptqOptions& options);

// Accumulates the Hessian of a layer input x [..., in] into `hessian` (float32), counting tokens.
void accumulateHessian(at::Tensor& hessian, std::int64_t& tokens, const at::Tensor& x);

// Quantizes every linear layer of every block. `calibration`: token ids [samples, length].
// `warnings` receives what the user should know (raised dampening, rank-deficient Hessians);
// `progress(done, total)` after each block.
// With `ffnHessians`, also returns each block's fc1 and fc2 input Hessians (for the search).
void quantizeGptq(OptModel& model, const at::Tensor& calibration, const QuantConfig& quant,
                  const GptqOptions& options, std::vector<std::string>* warnings = nullptr,
                  const std::function<void(int, int)>& progress = {},
                  std::vector<std::pair<at::Tensor, at::Tensor>>* ffnHessians = nullptr);

}  // namespace invx
