#include "group-quantizer.h"

#include <ATen/ATen.h>

namespace invx {
namespace {

// [out, in] -> [out * groups, G] in float32.
at::Tensor grouped(const at::Tensor& weight, const QuantConfig& config) {
    const std::int64_t in = weight.size(1);
    const std::int64_t g = config.groupSize > 0 ? config.groupSize : in;
    return weight.to(at::kFloat).reshape({-1, g});
}

std::pair<at::Tensor, at::Tensor> scaleAndZero(const at::Tensor& groups, double qmax) {
    at::Tensor maxv = groups.amax({1}, /*keepdim=*/true);
    at::Tensor minv = groups.amin({1}, /*keepdim=*/true);
    at::Tensor scale = (maxv - minv).clamp_min(1e-5) / qmax;
    at::Tensor zero = (-at::round(minv / scale)).clamp(0.0, qmax);
    return {scale, zero};
}

}  // namespace

GroupQuantParams groupQuantParams(const at::Tensor& weight, const QuantConfig& config) {
    config.validate(weight.size(1));
    const double qmax = double((1 << config.bits) - 1);
    auto [scale, zero] = scaleAndZero(grouped(weight, config), qmax);
    const std::int64_t out = weight.size(0);
    return {scale.view({out, -1}), zero.view({out, -1})};
}

at::Tensor fakeQuantize(const at::Tensor& weight, const QuantConfig& config) {
    config.validate(weight.size(1));
    const double qmax = double((1 << config.bits) - 1);
    at::Tensor w = grouped(weight, config);
    auto [scale, zero] = scaleAndZero(w, qmax);
    at::Tensor q = (at::round(w / scale) + zero).clamp(0.0, qmax);
    return ((q - zero) * scale).view(weight.sizes()).to(weight.scalar_type());
}

}  // namespace invx
