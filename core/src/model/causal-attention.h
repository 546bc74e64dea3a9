#pragma once
#include <ATen/core/Tensor.h>

namespace invx {

// softmax(q k^T / sqrt(d) + causal mask) v for q, k, v of shape [batch, heads, seq, headDim].
// libtorch 2 has a fused kernel for this (scaled_dot_product_attention) on CPU and CUDA; for 1.13
// the query rows are taken in blocks so that each block multiplies only the keys it may see,
// which saves ~40% of the work at 512 tokens and keeps the score block in cache.
at::Tensor causalAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v);

// The same with the keys each query sees given: `allowed` [batch, seq, seq] bool (query, key),
// within the causal triangle (no query sees a later key), at least one key per query. Packed rows
// use it: several requests that share a context in one row, each seeing the context and itself.
at::Tensor maskedAttention(const at::Tensor& q, const at::Tensor& k, const at::Tensor& v,
                           const at::Tensor& allowed);

}  // namespace invx
