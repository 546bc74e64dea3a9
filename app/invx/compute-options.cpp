#include "compute-options.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>

#include <iostream>
#include <thread>

#include "invx/error.h"

namespace invx::cli {

std::vector<Option> computeOptions() {
    return {
        {"--device", "cpu|cuda|auto", "where the model runs; auto picks cuda when a GPU is visible", "auto"},
        {"--dtype", "auto|float32|float16|bfloat16", "weights and activations; auto is float32 on CPU, float16 on CUDA", "auto"},
        {"--threads", "N", "CPU threads for libtorch; 0 = one per core", "0"},
    };
}

std::string dtypeText(at::ScalarType dtype) {
    switch (dtype) {
        case at::kFloat: return "float32";
        case at::kHalf: return "float16";
        case at::kBFloat16: return "bfloat16";
        default: return c10::toString(dtype);
    }
}

ModelPlacement applyComputeOptions(const Arguments& args) {
    long long threads = args.getInt("--threads", 0, 1024);
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    at::set_num_threads(int(threads));

    ModelPlacement p;
    const std::string device = args.get("--device");
    const bool cuda = at::hasCUDA();
    if (device == "cuda") {
        if (!cuda)
            throw Error("--device cuda was asked for, but this libtorch has no CUDA support or no "
                        "GPU is visible; use --device cpu");
        p.device = at::Device(at::kCUDA, 0);
    } else if (device == "auto") {
        p.device = cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    } else if (device != "cpu") {
        throw Error("--device expects cpu, cuda or auto, but got '" + device + "'");
    }
    const std::string dtype = args.get("--dtype");
    if (dtype == "auto") {
        p.dtype = p.device.is_cuda() ? at::kHalf : at::kFloat;
    } else if (dtype == "float32") {
        p.dtype = at::kFloat;
    } else if (dtype == "float16") {
        p.dtype = at::kHalf;
    } else if (dtype == "bfloat16") {
        p.dtype = at::kBFloat16;
    } else {
        throw Error("--dtype expects auto, float32, float16 or bfloat16, but got '" + dtype + "'");
    }
    return p;
}

OptModel loadModel(const std::string& directory, const ModelPlacement& placement) {
    std::vector<std::string> warnings;
    OptModel model = OptModel::load(directory, placement, &warnings);
    for (const auto& w : warnings) std::cerr << "invx: warning: " << w << '\n';
    return model;
}

}  // namespace invx::cli
