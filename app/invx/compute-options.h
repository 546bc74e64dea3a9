#pragma once
// --device, --dtype and --threads, shared by every command that runs a model.
#include <string>
#include <vector>

#include "command-line.h"
#include "opt-model.h"

namespace invx::cli {

std::vector<Option> computeOptions();
// Applies --threads and returns the device and dtype to load the model with. Throws when CUDA is
// asked for but not available.
ModelPlacement applyComputeOptions(const Arguments& args);

// Loads the model named by --model with the placement; prints load warnings to stderr.
OptModel loadModel(const std::string& directory, const ModelPlacement& placement);

}  // namespace invx::cli
