#include "model/causal-attention.h"

#include <ATen/ATen.h>
#include <torch/csrc/api/include/torch/version.h>

#include <cmath>
#include <limits>

namespace invx {

#if TORCH_VERSION_MAJOR >= 2

at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);
}

at::Tensor maskedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                           const at::Tensor& allowed) {
    return at::scaled_dot_product_attention(q, k, v, allowed.unsqueeze(1), 0.0,
                                            /*is_causal=*/false);
}

#else

namespace {
constexpr std::int64_t kQueryBlock = 128;
}

at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v) {
    const std::int64_t batch = q.size(0), heads = q.size(1), seq = q.size(2), dim = q.size(3);
    const double scale = 1.0 / std::sqrt(double(dim));
    at::Tensor q3 = q.reshape({batch * heads, seq, dim});
    at::Tensor k3 = k.reshape({batch * heads, seq, dim});
    at::Tensor v3 = v.reshape({batch * heads, seq, dim});
    at::Tensor out = at::empty_like(q3);
    // Additive mask of the last block: query i of a block may see keys up to its own position.
    const auto floatOpts = q.options().dtype(at::kFloat);
    at::Tensor blockMask =
        at::full({kQueryBlock, kQueryBlock}, -std::numeric_limits<float>::infinity(), floatOpts)
            .triu(1);
    for (std::int64_t start = 0; start < seq; start += kQueryBlock) {
        const std::int64_t rows = std::min(kQueryBlock, seq - start), keys = start + rows;
        // [rows, keys]: zeros for the keys before the block, the triangle for the block itself.
        at::Tensor mask = at::zeros({rows, keys}, floatOpts);
        mask.narrow(1, start, rows).copy_(blockMask.narrow(0, 0, rows).narrow(1, 0, rows));
        at::Tensor scores = at::baddbmm(mask.to(q.scalar_type()), q3.narrow(1, start, rows),
                                        k3.narrow(1, 0, keys).transpose(1, 2), 1.0, scale);
        at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
        out.narrow(1, start, rows).copy_(at::bmm(probs, v3.narrow(1, 0, keys)));
    }
    return out.view({batch, heads, seq, dim});
}

at::Tensor maskedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                           const at::Tensor& allowed) {
    const std::int64_t seq = q.size(2);
    const double scale = 1.0 / std::sqrt(double(q.size(3)));
    at::Tensor out = at::empty_like(q);
    for (std::int64_t start = 0; start < seq; start += kQueryBlock) {
        const std::int64_t rows = std::min(kQueryBlock, seq - start),
                           keys = start + rows;  // later keys are never seen
        at::Tensor scores =
            at::matmul(q.narrow(2, start, rows), k.narrow(2, 0, keys).transpose(-1, -2))
                .mul_(scale);
        scores.masked_fill_(
            allowed.narrow(1, start, rows).narrow(2, 0, keys).logical_not().unsqueeze(1),
            -std::numeric_limits<double>::infinity());
        at::Tensor probs = at::softmax(scores, -1, at::kFloat).to(q.scalar_type());
        out.narrow(2, start, rows).copy_(at::matmul(probs, v.narrow(2, 0, keys)));
    }
    return out;
}

#endif

}  // namespace invx
