#include <ATen/Context.h>

#include "invx/compute-devices.h"
#include "invx/error.h"
#include "model/opt-model.h"

namespace invx {

std::vector<std::string> availableDevices() {
    std::vector<std::string> devices{"cpu"};
    if (at::hasCUDA()) devices.push_back("cuda");
    return devices;
}

ModelPlacement parsePlacement(const std::string& device, const std::string& dtype) {
    ModelPlacement p;
    const bool cuda = at::hasCUDA();
    if (device == "cuda") {
        if (!cuda)
            throw Error(
                "--device cuda was asked for, but this libtorch has no CUDA support or no "
                "GPU is visible; use --device cpu");
        p.device = at::Device(at::kCUDA, 0);
    } else if (device == "auto") {
        p.device = cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
    } else if (device != "cpu") {
        throw Error("--device expects cpu, cuda or auto, but got '" + device + "'");
    }
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

std::string dtypeText(at::ScalarType dtype) {
    switch (dtype) {
        case at::kFloat:
            return "float32";
        case at::kHalf:
            return "float16";
        case at::kBFloat16:
            return "bfloat16";
        default:
            return c10::toString(dtype);
    }
}

}  // namespace invx
