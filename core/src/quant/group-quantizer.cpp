#include "quant/group-quantizer.h"

#include <ATen/ATen.h>

namespace invx {
namespace {

// [out, in] -> [out * groups, G] in float32.
at::Tensor grouped(const at::Tensor& weight, const QuantConfig& config) {
    const std::int64_t in = weight.size(1);
    const std::int64_t g = config.groupWidth(in);
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
    const double qmax = double(config.qmax());
    auto [scale, zero] = scaleAndZero(grouped(weight, config), qmax);
    const std::int64_t out = weight.size(0);
    return {scale.view({out, -1}), zero.view({out, -1})};
}

at::Tensor fakeQuantize(const at::Tensor& weight, const QuantConfig& config) {
    if (config.float16Arithmetic) return fakeQuantizeFloat16(weight, config);
    config.validate(weight.size(1));
    const double qmax = double(config.qmax());
    at::Tensor w = grouped(weight, config);
    auto [scale, zero] = scaleAndZero(w, qmax);
    at::Tensor q = (at::round(w / scale) + zero).clamp(0.0, qmax);
    return ((q - zero) * scale).view(weight.sizes()).to(weight.scalar_type());
}

at::Tensor roundedToFloat16(const at::Tensor& t) { return t.to(at::kHalf).to(at::kFloat); }

at::Tensor fakeQuantizeFloat16(const at::Tensor& weight, const QuantConfig& config) {
    config.validate(weight.size(1));
    const bool native = weight.is_cuda();
    const auto r = [native](const at::Tensor& t) { return native ? t : roundedToFloat16(t); };
    const double qmax = double(config.qmax());
    const at::Tensor w =
        native ? grouped(weight, config).to(at::kHalf) : r(grouped(weight, config));
    const at::Tensor maxv = w.amax({1}, true), minv = w.amin({1}, true);
    const at::Tensor scale = r(r(r(maxv - minv).clamp_min(1e-5)) / qmax);
    const at::Tensor zero =
        (-at::round(r(minv / scale))).clamp(0.0, qmax);  // small integers: exact
    const at::Tensor q = (at::round(r(w / scale)) + zero).clamp(0.0, qmax);
    return r((q - zero) * scale).view(weight.sizes()).to(weight.scalar_type());
}

}  // namespace invx
