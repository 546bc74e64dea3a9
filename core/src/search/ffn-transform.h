#pragma once
// Applying a layer's invariance state to its FFN weights (SPEC section 2) without dense matrices:
// a 2x2 rotation per neuron pair, a row/column scale, an index gather.
#include <ATen/core/Tensor.h>

#include "invx/search-records.h"

namespace invx {

struct FfnWeights {
    at::Tensor w1;  // fc1.weight [ffn, hidden]
    at::Tensor b1;  // fc1.bias [ffn]; may be undefined
    at::Tensor w2;  // fc2.weight [hidden, ffn]
};

// A layer's state on a device: scales [ffn] (float32), permutation [ffn] (int64), and the cosine
// and sine of each pair's angle [ffn/2, 1] (float32), as every way of applying it reads them.
struct FfnStateTensors {
    at::Tensor scales, perm, cosines, sines;
};
FfnStateTensors ffnStateOnDevice(const LayerInvariance& state, const at::Device& device);

// Rotation first (W1 = R^T W1, b1 = R^T b1, W2 = W2 R), then scaling (W1 rows and b1 divided by s,
// W2 columns multiplied by s), then permutation (W1[pi], b1[pi], W2[:, pi]). Computed in float32,
// returned in the dtype and on the device of `weights`.
FfnWeights transformFfn(const FfnWeights& weights, const LayerInvariance& state);

// The same, then rounded to float16: the precision `invx apply` stores transformed weights in, so
// that the search quantizes exactly the weights an applied checkpoint holds.
FfnWeights transformFfnForStorage(const FfnWeights& weights, const LayerInvariance& state);

// The fc2 input Hessian of the transformed FFN: P S^-1 R^T H R S^-1 P^T (exact for permutation
// and scaling; for rotation as if ReLU commuted with it, which small angles nearly make true).
at::Tensor transformFfnHessian(const at::Tensor& hessian, const LayerInvariance& state);

}  // namespace invx
