#include "compute-options.h"

#include <iostream>

#include "invx/cpu-threads.h"
#include "invx/error.h"

namespace invx::cli {

std::vector<Option> computeOptions() {
    return {
        {"--device", "cpu|cuda|auto", "where the model runs; auto picks cuda when a GPU is visible", "auto"},
        {"--dtype", "auto|float32|float16|bfloat16", "weights and activations; auto is float32 on CPU, float16 on CUDA", "auto"},
        {"--threads", "N", "CPU threads for libtorch; 0 = one per core", "0"},
    };
}

ModelPlacement applyComputeOptions(const Arguments& args) {
    setCpuThreads(int(args.getInt("--threads", 0, 1024)));

    return parsePlacement(args.get("--device"), args.get("--dtype"));
}

OptModel loadModel(const std::string& directory, const ModelPlacement& placement) {
    std::vector<std::string> warnings;
    OptModel model = OptModel::load(directory, placement, &warnings);
    for (const auto& w : warnings) std::cerr << "invx: warning: " << w << '\n';
    return model;
}

}  // namespace invx::cli
