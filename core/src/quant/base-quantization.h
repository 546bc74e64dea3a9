#pragma once
// The base methods behind one name: rtn, awq, gptq, applied to a full-precision model in place.
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "model/opt-model.h"
#include "quant/awq-quantizer.h"
#include "quant/gptq-quantizer.h"

namespace invx {

struct BaseMethodOptions {
    AwqOptions awq;
    GptqOptions gptq;
};

// Throws for unknown names: "rtn", "awq" or "gptq".
void requireBaseMethod(const std::string& method);

// Quantizes `model` in place (fake quantization: dequantized weights). `calibration` [samples,
// length] is needed by awq and gptq. `progress(message)` reports block by block.
void quantizeWithMethod(OptModel& model, const std::string& method, const QuantConfig& quant,
                        const at::Tensor& calibration, const BaseMethodOptions& options,
                        std::vector<std::string>* warnings = nullptr,
                        const std::function<void(const std::string&)>& progress = {});

}  // namespace invx
