#pragma once
// The base methods behind one name: rtn, awq, gptq, omniquant, applied to a full-precision model in
// place.
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "model/opt-model.h"
#include "quant/awq-quantizer.h"
#include "quant/gptq-quantizer.h"
#include "quant/omniquant-quantizer.h"

namespace invx {

struct BaseMethodOptions {
    AwqOptions awq;
    GptqOptions gptq;
    OmniquantOptions omniquant;
};

// Throws for unknown names: "rtn", "awq", "gptq" or "omniquant".
void requireBaseMethod(const std::string& method);

// "OmniQuant: block 2 of 3, epoch 5 of 20, loss 0.0123" (block 0-based in, 1-based out).
std::string omniquantProgressText(int block, int blocks, int epoch, int epochs, double loss);

// Quantizes `model` in place (fake quantization: dequantized weights). `calibration` [samples,
// length] is needed by awq, gptq and omniquant. `progress(message)` reports block by block
// (omniquant: epoch by epoch, with the block's loss).
void quantizeWithMethod(OptModel& model, const std::string& method, const QuantConfig& quant,
                        const at::Tensor& calibration, const BaseMethodOptions& options,
                        std::vector<std::string>* warnings = nullptr,
                        const std::function<void(const std::string&)>& progress = {});

}  // namespace invx
