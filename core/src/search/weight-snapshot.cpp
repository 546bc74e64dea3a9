#include "search/weight-snapshot.h"

#include <ATen/ATen.h>
#include <c10/core/InferenceMode.h>

#include "model/tensor-values.h"

namespace invx {

WeightSnapshot makeWeightSnapshot(const char* name, const at::Tensor& original,
                                  const at::Tensor& transformed, const at::Tensor& quantized,
                                  const QuantConfig& quant) {
    c10::InferenceMode guard;
    WeightSnapshot w;
    w.name = name;
    w.rows = transformed.size(0);
    w.cols = transformed.size(1);
    w.groupSize = quant.groupWidth(w.cols);
    w.original = toFloatVector(original);
    w.transformed = toFloatVector(transformed);
    w.quantized = toFloatVector(quantized);
    const at::Tensor t = transformed.to(at::kFloat).reshape({w.rows, -1, w.groupSize});
    const at::Tensor q = quantized.to(at::kFloat).reshape({w.rows, -1, w.groupSize});
    w.groupMin = toFloatVector(t.amin(-1));
    w.groupMax = toFloatVector(t.amax(-1));
    w.groupError = toFloatVector((q - t).pow(2).mean(-1));
    return w;
}

}  // namespace invx
