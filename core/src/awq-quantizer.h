#pragma once
// AWQ (Lin et al., 2024) as its authors' code runs it for OPT. Per decoder block, from the block's
// calibration inputs: for each scaling group (LayerNorm 1 -> q/k/v, v -> out_proj, LayerNorm 2 ->
// fc1, fc1 -> fc2) the scale s = mean|x|^r / sqrt(max * min), r on a grid of 20 ratios in [0, 1),
// that minimises the inspected module's output error after quantizing the scaled weights; the
// scales are folded into the preceding operator (exact); then, for v, out_proj, fc1 and fc2 (not
// q and k), the clipping search: per output row and group, shrink the symmetric range
// max|w| x (1 - i/20), i < 10, to minimise the group's output error on 512 sampled tokens. The
// next block's inputs are the full-precision outputs of this one, as in the authors' code.
#include <ATen/core/Tensor.h>

#include <functional>
#include <string>
#include <vector>

#include "invx/quant-config.h"
#include "invx/search-records.h"
#include "opt-model.h"

namespace invx {

struct AwqOptions {
    int grid = 20;                    // scale ratios 0, 1/20, ..., 19/20; clip steps of 1/20
    double maxShrink = 0.5;           // clip ranges down to half
    std::int64_t clipTokens = 512;    // tokens sampled for the clipping search
    bool clip = true;
    std::int64_t chunkSamples = 8;    // calibration sequences per forward
};

// What AWQ found for one block. Scales multiply the columns of the linear layers they feed;
// clips are the per-(row, group) symmetric bounds, [out, groups] (undefined: not clipped).
struct AwqLayerResult {
    at::Tensor qkvScales, outScales, fc1Scales, fc2Scales;
    double qkvRatio = 0, outRatio = 0, fc1Ratio = 0, fc2Ratio = 0;
    at::Tensor vClip, outClip, fc1Clip, fc2Clip;
};

// Searches scales and clips on a full-precision model (which it does not change). Throws for
// post-LayerNorm models (OPT-350m), whose LayerNorms do not precede the layers they would scale.
std::vector<AwqLayerResult> searchAwq(const OptModel& model, const at::Tensor& calibration, const QuantConfig& quant,
                                      const AwqOptions& options, const std::function<void(int, int)>& progress = {});

// Plain numbers for the experiment file, and back (on `device`).
AwqLayerRecord awqRecord(const AwqLayerResult& result);
AwqLayerResult awqFromRecord(const AwqLayerRecord& record, const OptConfig& config, const QuantConfig& quant,
                             const at::Device& device);

// Folds scales (exactly) and clips into the full-precision weights; quantization is left to RTN.
void applyAwq(OptModel& model, const std::vector<AwqLayerResult>& result, const QuantConfig& quant);

// The scale search's candidate: mean|x| ^ ratio, clamped at 1e-4, over sqrt(max * min).
at::Tensor awqScales(const at::Tensor& meanAbs, double ratio);
// The scale search for one linear layer on its inputs x [tokens, in]: the scales [in] and ratio
// minimising |x W^T - x (Q(W s) / s)^T|^2.
at::Tensor awqSearchLinearScales(const LinearWeights& linear, const at::Tensor& x, const QuantConfig& quant,
                                 int grid, double* ratio = nullptr);
// The clipping search for one weight [out, in] and its inputs x [tokens, in]: bounds [out, groups].
at::Tensor awqClip(const at::Tensor& weight, const at::Tensor& inputs, const QuantConfig& quant, const AwqOptions& options);

}  // namespace invx
