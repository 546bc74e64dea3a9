#include "search/ffn-transform.h"

#include <ATen/ATen.h>

namespace invx {

FfnStateTensors ffnStateOnDevice(const LayerInvariance& state, const at::Device& device) {
    const at::Tensor angles = at::tensor(state.angles).to(device);
    return {at::tensor(state.scales).to(device), at::tensor(state.permutation).to(device),
            at::cos(angles).unsqueeze(1), at::sin(angles).unsqueeze(1)};
}

namespace {

// R^T applied to the rows of x [ffn, cols]: per pair (a, b) -> (c a + s b, c b - s a).
at::Tensor rotateRows(const at::Tensor& x, const at::Tensor& cosines, const at::Tensor& sines) {
    const std::int64_t ffn = x.size(0);
    const at::Tensor pairs = x.reshape({ffn / 2, 2, -1});
    const at::Tensor a = pairs.select(1, 0), b = pairs.select(1, 1);
    return at::stack({cosines * a + sines * b, cosines * b - sines * a}, 1).reshape(x.sizes());
}

}  // namespace

FfnWeights transformFfn(const FfnWeights& weights, const LayerInvariance& state) {
    const auto [scales, perm, c, s] = ffnStateOnDevice(state, weights.w1.device());

    at::Tensor w1 = rotateRows(weights.w1.to(at::kFloat), c, s);
    at::Tensor w2t = rotateRows(weights.w2.to(at::kFloat).t(), c, s);  // W2 R = (R^T W2^T)^T
    w1 = (w1 / scales.unsqueeze(1)).index_select(0, perm);
    at::Tensor w2 = (w2t * scales.unsqueeze(1)).index_select(0, perm).t().contiguous();

    FfnWeights out{w1.to(weights.w1.scalar_type()), {}, w2.to(weights.w2.scalar_type())};
    if (weights.b1.defined()) {
        at::Tensor b1 = rotateRows(weights.b1.to(at::kFloat).unsqueeze(1), c, s).squeeze(1);
        out.b1 = (b1 / scales).index_select(0, perm).to(weights.b1.scalar_type());
    }
    return out;
}

at::Tensor transformFfnHessian(const at::Tensor& hessian, const LayerInvariance& state) {
    const auto [scales, perm, c, s] = ffnStateOnDevice(state, hessian.device());
    at::Tensor h = rotateRows(hessian.to(at::kFloat), c, s);  // R^T H
    h = rotateRows(h.t().contiguous(), c, s).t();             // R^T H R (H is symmetric)
    const at::Tensor inv = scales.reciprocal();
    h = h * inv.unsqueeze(1) * inv.unsqueeze(0);
    return h.index_select(0, perm).index_select(1, perm).contiguous();
}

FfnWeights transformFfnForStorage(const FfnWeights& weights, const LayerInvariance& state) {
    FfnWeights t = transformFfn(weights, state);
    auto round16 = [](const at::Tensor& x) {
        return x.defined() ? x.to(at::kHalf).to(x.scalar_type()) : x;
    };
    return {round16(t.w1), round16(t.b1), round16(t.w2)};
}

}  // namespace invx
