#pragma once
// Tensors to plain vectors for records and files (the other way is at::tensor(vector)).
#include <ATen/ATen.h>

#include <vector>

namespace invx {

// The values of `t` as float32, row-major; empty for an undefined tensor.
inline std::vector<float> toFloatVector(const at::Tensor& t) {
    if (!t.defined()) return {};
    const at::Tensor c = t.to(at::kCPU, at::kFloat).contiguous();
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace invx
