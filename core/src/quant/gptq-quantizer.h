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
#include "invx/search-records.h"
#include "model/opt-model.h"

namespace invx {

struct GptqOptions {
    double dampening = 0.01;        // of the Hessian's mean diagonal
    std::int64_t blockSize = 128;   // columns per lazy batch update
    bool actOrder = false;          // quantize columns by decreasing Hessian diagonal
    std::int64_t chunkSamples = 8;  // calibration sequences per forward
    bool keepCodes = false;         // also return the integer codes and group parameters
    // The reference: each block column by column in tensor operations, as the authors' code runs
    // it (a dozen kernel launches per column). Off: the row kernels (gptq-block-kernel.h), the
    // same bits, on the CPU and on CUDA when built with INVX_CUDA_KERNELS.
    bool columnLoop = false;
};

struct GptqLayerResult {
    at::Tensor weight;             // dequantized, same dtype and device as the input weight
    double dampening = 0;          // the dampening that made the Hessian invertible
    std::int64_t deadColumns = 0;  // inputs that were always zero
    // With keepCodes (CPU tensors): codes uint8 [rows, cols], scale and zero float32 [rows,
    // groups], groupIndex int32 [cols]; weight == (codes - zero[:, groupIndex]) * scale[:,
    // groupIndex].
    at::Tensor codes, scale, zero, groupIndex;
};

// What quantizeGptq reports besides the quantized model, and what it may reuse.
struct GptqExtras {
    std::vector<std::string>* warnings = nullptr;  // raised dampening, rank-deficient Hessians
    std::function<void(int, int)> progress;        // (blocks done, blocks) after each block
    std::vector<std::pair<at::Tensor, at::Tensor>>* ffnHessians =
        nullptr;                                      // fc1, fc2 inputs per block
    std::vector<GptqLayerRecord>* records = nullptr;  // every linear's codes, per block
    // A previous run's records: installed instead of quantizing again (the Hessians are still
    // collected, by the same sequential forward).
    const std::vector<GptqLayerRecord>* reuse = nullptr;
};

// `hessian` [in, in] float32: 2/N sum x x^T over the layer's N calibration inputs.
GptqLayerResult gptqQuantizeWeight(const at::Tensor& weight, const at::Tensor& hessian,
                                   const QuantConfig& quant, const GptqOptions& options);

// Accumulates the Hessian of a layer input x [..., in] into `hessian` (float32), counting tokens.
void accumulateHessian(at::Tensor& hessian, std::int64_t& tokens, const at::Tensor& x);

// The weight a stored record stands for, in `dtype` on `device`; throws naming `where` when the
// record does not fit a [rows, cols] weight.
at::Tensor gptqDequantize(const GptqLinearRecord& record, std::int64_t rows, std::int64_t cols,
                          const at::TensorOptions& options, const std::string& where);
GptqLinearRecord gptqRecord(const GptqLayerResult& result);

// Quantizes every linear layer of every block. `calibration`: token ids [samples, length].
void quantizeGptq(OptModel& model, const at::Tensor& calibration, const QuantConfig& quant,
                  const GptqOptions& options, const GptqExtras& extras = {});

}  // namespace invx
