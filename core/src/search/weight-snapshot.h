#pragma once
// One weight matrix as the inspectors see it: its weights before and after the search's
// transformation and after quantization, with per row and group statistics, as plain numbers.
#include <ATen/core/Tensor.h>

#include "invx/quant-config.h"
#include "invx/search-records.h"

namespace invx {

// `original`, `transformed` and `quantized` are [rows, cols]; groups of quant.groupSize columns
// (the whole row when it is 0) run along each row. The group statistics are of `transformed`
// (what the quantizer saw) and of quantized - transformed.
WeightSnapshot makeWeightSnapshot(const char* name, const at::Tensor& original,
                                  const at::Tensor& transformed, const at::Tensor& quantized,
                                  const QuantConfig& quant);

}  // namespace invx
