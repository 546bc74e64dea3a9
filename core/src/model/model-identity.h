#pragma once
// What identifies a model across runs: a fingerprint of its tensors, so that resuming or applying
// an experiment with another model is refused.
#include "invx/search-records.h"
#include "model/opt-model.h"

namespace invx {

// FNV-1a over every tensor's name and shape and 4,096 evenly spaced values (as float32). The same
// weights give the same fingerprint on CPU and CUDA, in float32 and float16.
ModelIdentity identifyModel(const OptModel& model, const std::string& path);

// Throws unless `model` is the one `recorded` describes; `experimentPath` and `modelPath` are
// named.
void requireSameModel(const ModelIdentity& recorded, const ModelIdentity& model,
                      const std::string& experimentPath);

}  // namespace invx
