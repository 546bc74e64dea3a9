#pragma once
// The devices this build can run on, without exposing libtorch: "cpu", and "cuda" when libtorch
// has CUDA and a GPU is present.
#include <string>
#include <vector>

namespace invx {

std::vector<std::string> availableDevices();

}  // namespace invx
